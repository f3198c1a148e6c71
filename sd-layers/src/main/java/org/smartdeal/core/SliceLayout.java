package org.smartdeal.core;

import java.util.Arrays;

/**
 * How a layer weight is cut into tall slices and put back: the shared slice layout convention
 * (ALGORITHMS.md section 2, BRIEF "slice layout convention").
 *
 * <p>Each of the U output units has a matrix of R rows and n columns. Its first
 * {@link #unitLength()} entries in C order are the unit's real weights; the rest is zero padding.
 * <ul>
 *   <li>{@link #conv} with kw &gt; 1, weight [nOut, nIn, kh, kw]: U = nOut, n = kw, R = nIn*kh,
 *       row r = ci*kh + y, column x (W[o] reshaped in C order to (nIn*kh, kw)).</li>
 *   <li>{@link #conv} with kw == 1 (1x1, and also kh x 1, an extension of the convention: the
 *       kh*nIn weights of W[o] in C order are treated like a 1x1 conv's nIn weights) and
 *       {@link #dense} (DL4J weight [nIn, nOut], unit o = column o): n = basisWidth, the L weights
 *       of unit o are zero-padded to R*n with R = ceil(L/n), laid row-major into (R, n).</li>
 *   <li>{@link #depthwise}, DL4J M2.1 weight [kh, kw, nIn, depthMultiplier] (verified in
 *       DepthwiseConvolutionParamInitializer): unit u = ci*depthMultiplier + dm, its (kh, kw)
 *       matrix is W[:, :, ci, dm]; n = kw, R = kh.</li>
 *   <li>{@link #rawSlices}: a packed [K, m, n] array used as is (U = K, R = m, one slice each).</li>
 * </ul>
 * Rows are cut into S = ceil(R / sliceRows) slices per unit with m = min(R, sliceRows) rows each;
 * the last slice of a unit has R - (S-1)*m real rows and is zero-padded to m rows. Slice index
 * k = o*S + s. Packed C or A is [K = U*S, m, n] in C order; B is [K, n, n]. Because of this
 * order, unit o occupies the contiguous packed range [o*S*m*n, (o+1)*S*m*n), whose first
 * {@link #unitLength()} entries are its real weights.
 *
 * <p>Immutable and thread-safe.
 */
public final class SliceLayout {

    /** Default rows per slice (64 input channels of a 3x3 conv). */
    public static final int DEFAULT_SLICE_ROWS = 192;
    /** Default basis width n for 1x1 convs and dense layers. */
    public static final int DEFAULT_BASIS_WIDTH = 3;
    /** Largest accepted basis width or kernel width. */
    public static final int MAX_WIDTH = 64;
    /** Largest accepted rows per slice. */
    public static final int MAX_SLICE_ROWS = 1 << 20;

    /** The kind of layer the layout was built for. */
    public enum Kind {
        /** Conv with kw &gt; 1: n = kw, R = nIn*kh. */
        CONV,
        /** Conv with kw == 1 (1x1 or kh x 1): flat weights padded to rows of basisWidth. */
        CONV_FLAT,
        /** Dense / output layer, DL4J weight [nIn, nOut]. */
        DENSE,
        /** Depthwise conv, DL4J weight [kh, kw, nIn, depthMultiplier]. */
        DEPTHWISE,
        /** Raw slices [K, m, n], no layout applied. */
        RAW
    }

    private final Kind kind;
    private final int[] weightShape;
    private final int units;
    private final int unitRows;
    private final int width;
    private final int rows;
    private final int slicesPerUnit;
    private final int unitLength;
    private final int unitStride;
    private final int elemStride;
    private final int numSlices;

    private SliceLayout(Kind kind, int[] weightShape, int units, int unitLength, int width,
            int sliceRows, int unitStride, int elemStride, String where) {
        this.kind = kind;
        this.weightShape = weightShape;
        this.units = units;
        this.width = width;
        this.unitLength = unitLength;
        this.unitRows = (unitLength + width - 1) / width;
        this.rows = Math.min(unitRows, sliceRows);
        this.slicesPerUnit = (unitRows + rows - 1) / rows;
        this.unitStride = unitStride;
        this.elemStride = elemStride;
        long k = (long) units * slicesPerUnit;
        long packed = k * rows * width;
        if (packed > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(where + ": packed size K*m*n = " + k + "*" + rows + "*"
                    + width + " = " + packed + " must be <= " + (Integer.MAX_VALUE - 16)
                    + " (weight shape " + Arrays.toString(weightShape) + ")");
        }
        this.numSlices = (int) k;
    }

    /** Conv layout with the default sliceRows (192) and basisWidth (3). */
    public static SliceLayout conv(int nOut, int nIn, int kh, int kw) {
        return conv(nOut, nIn, kh, kw, DEFAULT_SLICE_ROWS, DEFAULT_BASIS_WIDTH);
    }

    /**
     * Layout of a DL4J conv weight [nOut, nIn, kh, kw]. With kw &gt; 1, n = kw and R = nIn*kh.
     * With kw == 1 (the 1x1 rule, also used for kh x 1) the kh*nIn weights of each filter are
     * padded into rows of {@code basisWidth}.
     *
     * @param sliceRows rows per slice, in [n, 2^20]
     * @param basisWidth n for kw == 1, in [1, 64]; validated but unused when kw &gt; 1
     */
    public static SliceLayout conv(int nOut, int nIn, int kh, int kw, int sliceRows,
            int basisWidth) {
        String where = "SliceLayout.conv";
        positive(where, "nOut", nOut);
        positive(where, "nIn", nIn);
        positive(where, "kh", kh);
        range(where, "kw", kw, 1, MAX_WIDTH);
        range(where, "basisWidth", basisWidth, 1, MAX_WIDTH);
        long perUnit = (long) nIn * kh * kw;
        checkWeightSize(where, (long) nOut * perUnit, nOut, nIn, kh, kw);
        int[] shape = {nOut, nIn, kh, kw};
        if (kw > 1) {
            range(where, "sliceRows", sliceRows, kw, MAX_SLICE_ROWS);
            return new SliceLayout(Kind.CONV, shape, nOut, (int) perUnit, kw, sliceRows,
                    (int) perUnit, 1, where);
        }
        range(where, "sliceRows", sliceRows, basisWidth, MAX_SLICE_ROWS);
        return new SliceLayout(Kind.CONV_FLAT, shape, nOut, (int) perUnit, basisWidth, sliceRows,
                (int) perUnit, 1, where);
    }

    /** Dense layout with the default sliceRows (192) and basisWidth (3). */
    public static SliceLayout dense(int nIn, int nOut) {
        return dense(nIn, nOut, DEFAULT_SLICE_ROWS, DEFAULT_BASIS_WIDTH);
    }

    /**
     * Layout of a DL4J dense/output weight [nIn, nOut] (y = x W): unit o is column o, its nIn
     * weights padded into rows of {@code basisWidth}.
     *
     * @param sliceRows rows per slice, in [basisWidth, 2^20]
     * @param basisWidth n, in [1, 64]
     */
    public static SliceLayout dense(int nIn, int nOut, int sliceRows, int basisWidth) {
        String where = "SliceLayout.dense";
        positive(where, "nIn", nIn);
        positive(where, "nOut", nOut);
        range(where, "basisWidth", basisWidth, 1, MAX_WIDTH);
        range(where, "sliceRows", sliceRows, basisWidth, MAX_SLICE_ROWS);
        checkWeightSize(where, (long) nIn * nOut, nIn, nOut);
        return new SliceLayout(Kind.DENSE, new int[] {nIn, nOut}, nOut, nIn, basisWidth, sliceRows,
                1, nOut, where);
    }

    /**
     * Layout of a DL4J M2.1 depthwise weight [kh, kw, nIn, depthMultiplier]: one (kh, kw) matrix
     * per output channel u = ci*depthMultiplier + dm; n = kw, R = kh.
     *
     * @param sliceRows rows per slice, in [kw, 2^20]
     */
    public static SliceLayout depthwise(int kh, int kw, int nIn, int depthMultiplier,
            int sliceRows) {
        String where = "SliceLayout.depthwise";
        positive(where, "kh", kh);
        range(where, "kw", kw, 1, MAX_WIDTH);
        positive(where, "nIn", nIn);
        positive(where, "depthMultiplier", depthMultiplier);
        range(where, "sliceRows", sliceRows, kw, MAX_SLICE_ROWS);
        long u = (long) nIn * depthMultiplier;
        checkWeightSize(where, u * kh * kw, kh, kw, nIn, depthMultiplier);
        return new SliceLayout(Kind.DEPTHWISE, new int[] {kh, kw, nIn, depthMultiplier}, (int) u,
                kh * kw, kw, sliceRows, 1, (int) u, where);
    }

    /** Depthwise layout with the default sliceRows (192). */
    public static SliceLayout depthwise(int kh, int kw, int nIn, int depthMultiplier) {
        return depthwise(kh, kw, nIn, depthMultiplier, DEFAULT_SLICE_ROWS);
    }

    /**
     * Identity layout of raw slices [K, m, n]: one slice per unit, no padding.
     *
     * @param numSlices K &gt;= 1
     * @param rows m &gt;= 1
     * @param width n in [1, 64]
     */
    public static SliceLayout rawSlices(int numSlices, int rows, int width) {
        String where = "SliceLayout.rawSlices";
        positive(where, "K", numSlices);
        positive(where, "m", rows);
        range(where, "n", width, 1, MAX_WIDTH);
        checkWeightSize(where, (long) numSlices * rows * width, numSlices, rows, width);
        return new SliceLayout(Kind.RAW, new int[] {numSlices, rows, width}, numSlices,
                rows * width, width, rows, rows * width, 1, where);
    }

    private static void positive(String where, String field, int v) {
        range(where, field, v, 1, Integer.MAX_VALUE);
    }

    private static void range(String where, String field, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(
                    where + "." + field + " must be in [" + lo + ", " + hi + "], got " + v);
        }
    }

    private static void checkWeightSize(String where, long size, int... shape) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(where + ": weight size " + size + " of shape "
                    + Arrays.toString(shape) + " must be <= " + (Integer.MAX_VALUE - 16));
        }
    }

    /** The layer kind. */
    public Kind kind() {
        return kind;
    }

    /** K = U*S, the number of slices. */
    public int numSlices() {
        return numSlices;
    }

    /** m, the rows of every (padded) slice. */
    public int rows() {
        return rows;
    }

    /** n, the columns of every slice (and the size of each n x n basis B). */
    public int width() {
        return width;
    }

    /** S, slices per unit. */
    public int slicesPerUnit() {
        return slicesPerUnit;
    }

    /** U, the number of output units. */
    public int units() {
        return units;
    }

    /** R, the real rows of one unit's matrix (the last may be partly padding for 1x1/dense). */
    public int unitRows() {
        return unitRows;
    }

    /** L, the number of real weights per unit (first L entries of the unit's packed range). */
    public int unitLength() {
        return unitLength;
    }

    /** Real (not padding) rows of slice k: R - s*m capped to m, where s = k % S. */
    public int realRows(int k) {
        checkSlice(k);
        int s = k % slicesPerUnit;
        return Math.min(rows, unitRows - s * rows);
    }

    /**
     * Real (not padding) entries of slice k; they are its first realEntries(k) entries in C order.
     * Differs from realRows(k)*n only for 1x1/dense units whose length is not a multiple of n.
     */
    public int realEntries(int k) {
        checkSlice(k);
        int s = k % slicesPerUnit;
        int sliceSize = rows * width;
        return Math.max(0, Math.min(sliceSize, unitLength - s * sliceSize));
    }

    private void checkSlice(int k) {
        if (k < 0 || k >= numSlices) {
            throw new IndexOutOfBoundsException(
                    "SliceLayout slice index k must be in [0, " + (numSlices - 1) + "], got " + k);
        }
    }

    /** The weight shape this layout was built for (a copy): DL4J order for its kind. */
    public int[] weightShape() {
        return weightShape.clone();
    }

    /** Number of entries of the weight array (product of weightShape). */
    public int weightLength() {
        return units * unitLength;
    }

    /** K*m*n, the length of a packed C (or A) array. */
    public int packedLength() {
        return numSlices * rows * width;
    }

    /**
     * Entries of C that count in its density (ALGORITHMS.md 1.3): U*R*n, the real rows of every
     * unit times n. The zero padding of a 1x1/dense unit's last row up to n counts (padding
     * entries belong to C, ALGORITHMS.md 2); the rows that pad a unit's last slice up to m do not.
     * Equals {@link #packedLength()} when R is a multiple of m.
     */
    public long coefficientEntries() {
        return (long) units * unitRows * width;
    }

    /** K*n*n, the length of a packed B array. */
    public int basisLength() {
        return numSlices * width * width;
    }

    /** Entries per unit in packed arrays: S*m*n. */
    public int packedUnitLength() {
        return slicesPerUnit * rows * width;
    }

    /**
     * Index into the weight array of the e-th real entry (0 &lt;= e &lt; unitLength) of unit o.
     * Equivalently: packed index o*packedUnitLength() + e holds weight[weightIndex(o, e)].
     */
    public int weightIndex(int unit, int e) {
        return unit * unitStride + e * elemStride;
    }

    /** Stride between units in the weight array (used with {@link #elementStride()}). */
    public int unitStride() {
        return unitStride;
    }

    /** Stride between consecutive real entries of one unit in the weight array. */
    public int elementStride() {
        return elemStride;
    }

    /**
     * Packs a weight into slices.
     *
     * @param weight weight in {@link #weightShape()}, C order, not modified
     * @param packedOut [K, m, n], modified: every entry written (padding set to 0)
     */
    public void toSlices(float[] weight, double[] packedOut) {
        checkLengths(weight.length, packedOut.length);
        int pu = packedUnitLength();
        for (int o = 0; o < units; o++) {
            int base = o * unitStride;
            int p = o * pu;
            for (int e = 0; e < unitLength; e++) {
                packedOut[p + e] = weight[base + e * elemStride];
            }
            Arrays.fill(packedOut, p + unitLength, p + pu, 0.0);
        }
    }

    /** As {@link #toSlices(float[], double[])} for a double weight. */
    public void toSlices(double[] weight, double[] packedOut) {
        checkLengths(weight.length, packedOut.length);
        int pu = packedUnitLength();
        for (int o = 0; o < units; o++) {
            int base = o * unitStride;
            int p = o * pu;
            for (int e = 0; e < unitLength; e++) {
                packedOut[p + e] = weight[base + e * elemStride];
            }
            Arrays.fill(packedOut, p + unitLength, p + pu, 0.0);
        }
    }

    /** As {@link #toSlices(float[], double[])} into a float packed array. */
    public void toSlices(float[] weight, float[] packedOut) {
        checkLengths(weight.length, packedOut.length);
        int pu = packedUnitLength();
        for (int o = 0; o < units; o++) {
            int base = o * unitStride;
            int p = o * pu;
            for (int e = 0; e < unitLength; e++) {
                packedOut[p + e] = weight[base + e * elemStride];
            }
            Arrays.fill(packedOut, p + unitLength, p + pu, 0f);
        }
    }

    /**
     * Unpacks slices into a weight, dropping padding.
     *
     * @param packed [K, m, n], not modified
     * @param weightOut weight in {@link #weightShape()}, modified: every entry written
     */
    public void fromSlices(double[] packed, float[] weightOut) {
        checkLengths(weightOut.length, packed.length);
        int pu = packedUnitLength();
        for (int o = 0; o < units; o++) {
            int base = o * unitStride;
            int p = o * pu;
            for (int e = 0; e < unitLength; e++) {
                weightOut[base + e * elemStride] = (float) packed[p + e];
            }
        }
    }

    /** As {@link #fromSlices(double[], float[])} into a double weight. */
    public void fromSlices(double[] packed, double[] weightOut) {
        checkLengths(weightOut.length, packed.length);
        int pu = packedUnitLength();
        for (int o = 0; o < units; o++) {
            int base = o * unitStride;
            int p = o * pu;
            for (int e = 0; e < unitLength; e++) {
                weightOut[base + e * elemStride] = packed[p + e];
            }
        }
    }

    /** As {@link #fromSlices(double[], float[])} from a float packed array. */
    public void fromSlices(float[] packed, float[] weightOut) {
        checkLengths(weightOut.length, packed.length);
        int pu = packedUnitLength();
        for (int o = 0; o < units; o++) {
            int base = o * unitStride;
            int p = o * pu;
            for (int e = 0; e < unitLength; e++) {
                weightOut[base + e * elemStride] = packed[p + e];
            }
        }
    }

    private void checkLengths(int weightLen, int packedLen) {
        if (weightLen != weightLength() || packedLen != packedLength()) {
            throw new IllegalArgumentException("SliceLayout(" + describe() + "): weight length "
                    + weightLen + " must be " + weightLength() + " (shape "
                    + Arrays.toString(weightShape) + ") and packed length " + packedLen
                    + " must be " + packedLength() + " ([K=" + numSlices + ", m=" + rows + ", n="
                    + width + "])");
        }
    }

    /** A one-line description: kind, weight shape, U, S, m, n. */
    public String describe() {
        return kind + " " + Arrays.toString(weightShape) + " U=" + units + " S=" + slicesPerUnit
                + " m=" + rows + " n=" + width;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceLayout l && l.kind == kind
                && Arrays.equals(l.weightShape, weightShape) && l.width == width
                && l.rows == rows && l.slicesPerUnit == slicesPerUnit;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(weightShape) * 31 + kind.hashCode() * 7 + rows * 3 + width;
    }

    @Override
    public String toString() {
        return "SliceLayout[" + describe() + "]";
    }
}
