package org.smartdeal.codec;

import java.util.Objects;

/**
 * One SD layer in packed form, as stored: C [K, m, n] (C order, entries 0 or +-2^p) and B
 * [K, n, n] as int8 fixed point.
 *
 * <p>The K slices belong to U = K/S output units of R real rows each, cut into S = ceil(R/m)
 * slices of m rows (ALGORITHMS.md 2, {@code SliceLayout}); slice k = u*S + s. The last slice of
 * a unit has R - (S-1)*m real rows and is padded with zero rows up to m. Since format 2.3 the
 * encoding stores R and indexes only the U*R real rows ({@link SdLayerCodec}); the padding rows
 * are held here (so C keeps the [K, m, n] shape of the layer's parameter) and must be 0.
 *
 * @param sliceCount K, the number of slices, &gt;= 1, a multiple of S
 * @param sliceRows  m, rows per slice, &gt;= 1
 * @param width      n, columns of C and size of each B, &gt;= 1
 * @param unitRows   R, real rows per unit, in [m, K*m]; R = m means one slice per unit and
 *                   every row real (how format 2.0 to 2.2 layers read)
 * @param c          packed C, length K*m*n, zero on the padding rows; held, not copied
 * @param b          B as int8, K*n*n values with one scale per slice (K scales; all shifts 0 for a
 *                   layer read from format 2.0 to 2.3)
 */
public record SdLayerData(int sliceCount, int sliceRows, int width, int unitRows, double[] c, Int8Basis b) {

    /**
     * Validates the shapes, R ({@link SdLayerCodec#checkUnitRows}), that every entry of C is 0 or
     * +-2^p and that the padding rows of C are 0.
     *
     * @throws IllegalArgumentException naming the field, rule and value, or the slice, row and
     *                                  value of the first non-zero padding entry
     */
    public SdLayerData {
        Objects.requireNonNull(c, "SdLayerData.c");
        Objects.requireNonNull(b, "SdLayerData.b");
        long entries = SdLayerCodec.checkShape(sliceCount, sliceRows, width);
        SdLayerCodec.checkUnitRows(sliceCount, sliceRows, unitRows);
        if (c.length != entries) {
            throw new IllegalArgumentException("SdLayerData: C length " + c.length + " != K*m*n = "
                    + sliceCount + "*" + sliceRows + "*" + width + " = " + entries);
        }
        long bEntries = (long) sliceCount * width * width;
        if (b.values().length != bEntries) {
            throw new IllegalArgumentException("SdLayerData: B length " + b.values().length + " != K*n*n = "
                    + sliceCount + "*" + width + "*" + width + " = " + bEntries);
        }
        if (b.slices() != sliceCount) {
            throw new IllegalArgumentException("SdLayerData: B has " + b.slices() + " scales, one per slice needs K = "
                    + sliceCount);
        }
        SdLayerCodec.checkC(c);
        checkPaddingRows(sliceCount, sliceRows, width, unitRows, c);
    }

    /** A layer whose every row is real: R = m, one slice per unit (the cost of format 2.2). */
    public SdLayerData(int sliceCount, int sliceRows, int width, double[] c, Int8Basis b) {
        this(sliceCount, sliceRows, width, sliceRows, c, b);
    }

    private static void checkPaddingRows(int k, int m, int n, int r, double[] c) {
        int perUnit = slicesPerUnit(m, r);
        int unitEntries = perUnit * m * n;
        for (int u = 0; u < k / perUnit; u++) {
            for (int i = u * unitEntries + r * n; i < (u + 1) * unitEntries; i++) {
                if (c[i] != 0.0) {
                    int slice = i / (m * n);
                    throw new IllegalArgumentException("SdLayerData: C slice " + slice + " row " + (i / n) % m
                            + " is a padding row (unit " + slice / perUnit + " has R = " + r + " real rows in "
                            + perUnit + " slices of m = " + m + ") and must be 0, got " + c[i] + " at C[" + i + "]");
                }
            }
        }
    }

    private static int slicesPerUnit(int m, int r) {
        return (int) ((r + (long) m - 1) / m);
    }

    /** S = ceil(R/m), slices per unit. */
    public int slicesPerUnit() {
        return slicesPerUnit(sliceRows, unitRows);
    }

    /** U = K/S, the number of units. */
    public int units() {
        return sliceCount / slicesPerUnit();
    }

    /** U*R*n, the entries of C's real rows: what the index covers since format 2.3. */
    public int realEntries() {
        return units() * unitRows * width;
    }

    /**
     * C without its padding rows: [U, R, n] in C order, unit u's R real rows being the first R*n
     * entries of its packed range [u*S*m*n, (u+1)*S*m*n).
     *
     * @return a new array, or {@link #c()} itself when there are no padding rows (R = S*m)
     */
    public double[] realRowsOfC() {
        int real = unitRows * width;
        int packed = slicesPerUnit() * sliceRows * width;
        if (real == packed) {
            return c;
        }
        double[] out = new double[realEntries()];
        for (int u = 0; u < units(); u++) {
            System.arraycopy(c, u * packed, out, u * real, real);
        }
        return out;
    }

    /** Number of non-zero entries of C. */
    public long nonZeros() {
        long nnz = 0;
        for (double v : c) {
            nnz += v != 0.0 ? 1 : 0;
        }
        return nnz;
    }

    /** C as float32; every exponent must fit float's range [-149, 127]. */
    public float[] cAsFloat() {
        float[] out = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            float f = (float) c[i];
            if (f != c[i]) {
                throw new ArithmeticException("C[" + i + "] = " + c[i] + " is not representable as float32");
            }
            out[i] = f;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdLayerData d && sliceCount == d.sliceCount && sliceRows == d.sliceRows
                && width == d.width && unitRows == d.unitRows && java.util.Arrays.equals(c, d.c) && b.equals(d.b);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sliceCount, sliceRows, width, unitRows, java.util.Arrays.hashCode(c), b);
    }

    @Override
    public String toString() {
        return "SdLayerData[K=" + sliceCount + ", m=" + sliceRows + ", n=" + width + ", R=" + unitRows + ", " + b + "]";
    }
}
