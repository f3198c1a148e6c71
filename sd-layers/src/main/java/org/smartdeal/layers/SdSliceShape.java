package org.smartdeal.layers;

/**
 * Geometry of the packed SD parameters of one layer, following the shared slice layout convention
 * (ALGORITHMS.md section 2): each of the {@code units} output units owns {@code weightsPerUnit}
 * weights, laid row-major and zero-padded into a {@code rows x basisWidth} matrix, cut into
 * {@code slicesPerUnit} slices of {@code sliceHeight} rows (the last one zero-padded).
 *
 * <p>Packed C and the mask M are {@code [numSlices, sliceHeight, basisWidth]}, B is
 * {@code [numSlices, basisWidth, basisWidth]}, slice index {@code k = unit * slicesPerUnit + s}.
 *
 * @param units          output units U (nOut)
 * @param weightsPerUnit real weights per unit L (nIn for dense; nIn*kh*kw for conv)
 * @param basisWidth     basis width n (kw for conv with kw &gt; 1, otherwise the configured basisWidth)
 * @param sliceRows      the configured maximum slice height
 */
public record SdSliceShape(long units, long weightsPerUnit, int basisWidth, int sliceRows) {

    /** Validates that every size is positive. */
    public SdSliceShape {
        if (units < 1) {
            throw new IllegalArgumentException("SdSliceShape.units must be >= 1, got " + units);
        }
        if (weightsPerUnit < 1) {
            throw new IllegalArgumentException("SdSliceShape.weightsPerUnit must be >= 1, got " + weightsPerUnit);
        }
        if (basisWidth < 1) {
            throw new IllegalArgumentException("SdSliceShape.basisWidth must be >= 1, got " + basisWidth);
        }
        if (sliceRows < 1) {
            throw new IllegalArgumentException("SdSliceShape.sliceRows must be >= 1, got " + sliceRows);
        }
    }

    /** Rows R = ceil(weightsPerUnit / basisWidth) of one unit's matrix. */
    public long rows() {
        return (weightsPerUnit + basisWidth - 1) / basisWidth;
    }

    /** Slices per unit S = ceil(R / sliceRows). */
    public long slicesPerUnit() {
        return (rows() + sliceRows - 1) / sliceRows;
    }

    /** Slice height m = min(R, sliceRows). */
    public long sliceHeight() {
        return Math.min(rows(), sliceRows);
    }

    /** Number of slices K = U * S. */
    public long numSlices() {
        return units * slicesPerUnit();
    }

    /** Padded entries per unit S * m * n (at least weightsPerUnit). */
    public long paddedPerUnit() {
        return slicesPerUnit() * sliceHeight() * basisWidth;
    }

    /** Shape of packed C and of the mask M: [K, m, n]. */
    public long[] coefficientShape() {
        return new long[] {numSlices(), sliceHeight(), basisWidth};
    }

    /** Shape of packed B: [K, n, n]. */
    public long[] basisShape() {
        return new long[] {numSlices(), basisWidth, basisWidth};
    }

    /** Number of entries of packed C (and of M). */
    public long coefficientLength() {
        return numSlices() * sliceHeight() * basisWidth;
    }

    /**
     * Entries of C that count in its density (ALGORITHMS.md 1.3): U * R * n, the real rows of every
     * unit (a unit's in-row padding up to n counts, the rows padding its last slice up to m do not).
     */
    public long realCoefficientLength() {
        return units * rows() * basisWidth;
    }

    /** Number of entries of packed B. */
    public long basisLength() {
        return numSlices() * basisWidth * (long) basisWidth;
    }

    /**
     * Whether packed row {@code i} of slice {@code s} holds real rows of the unit (true) or the
     * zero padding of the last slice (false).
     */
    public boolean isRealRow(long s, long i) {
        return s * sliceHeight() + i < rows();
    }
}
