package org.smartdeal.codec;

import java.util.Objects;

/**
 * One SD layer in packed form, as stored: C [K, m, n] (C order, entries 0 or +-2^p, padding
 * entries of short last slices included) and B [K, n, n] as int8 fixed point.
 *
 * @param sliceCount K, the number of slices, &gt;= 1
 * @param sliceRows  m, rows per slice, &gt;= 1
 * @param width      n, columns of C and size of each B, &gt;= 1
 * @param c          packed C, length K*m*n; held, not copied
 * @param b          B as int8, K*n*n values
 */
public record SdLayerData(int sliceCount, int sliceRows, int width, double[] c, Int8Basis b) {

    /** Validates the shapes and that every entry of C is 0 or +-2^p. */
    public SdLayerData {
        Objects.requireNonNull(c, "SdLayerData.c");
        Objects.requireNonNull(b, "SdLayerData.b");
        long entries = SdLayerCodec.checkShape(sliceCount, sliceRows, width);
        if (c.length != entries) {
            throw new IllegalArgumentException("SdLayerData: C length " + c.length + " != K*m*n = "
                    + sliceCount + "*" + sliceRows + "*" + width + " = " + entries);
        }
        long bEntries = (long) sliceCount * width * width;
        if (b.values().length != bEntries) {
            throw new IllegalArgumentException("SdLayerData: B length " + b.values().length + " != K*n*n = "
                    + sliceCount + "*" + width + "*" + width + " = " + bEntries);
        }
        SdLayerCodec.checkC(c);
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
                && width == d.width && java.util.Arrays.equals(c, d.c) && b.equals(d.b);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sliceCount, sliceRows, width, java.util.Arrays.hashCode(c), b);
    }

    @Override
    public String toString() {
        return "SdLayerData[K=" + sliceCount + ", m=" + sliceRows + ", n=" + width + ", " + b + "]";
    }
}
