package org.smartdeal.core;

/**
 * The SD form W ~= C*B of one layer (ALGORITHMS.md 1.1) in the packed slice layout.
 *
 * <p>Arrays are owned by this record and not copied: callers must not modify them. Records do
 * not compare arrays by content.
 *
 * @param name layer name from the {@link LayerInput}
 * @param layout the slice layout
 * @param c packed C [K, m, n] in C order; every entry is exactly 0 or +-2^p with
 *     |C| &lt;= the config's cap; padding rows are 0
 * @param b packed B [K, n, n] in C order (double)
 * @param iterations per slice: the number of dense refits C = A pinv(B) done, in
 *     [0, maxIter - 1]; a slice that stops early at loop index k reports k
 * @param stats quality measures
 */
public record LayerDecomposition(String name, SliceLayout layout, float[] c, double[] b,
        int[] iterations, DecompositionStats stats) {

    /** Checks array lengths against the layout. */
    public LayerDecomposition {
        if (c.length != layout.packedLength() || b.length != layout.basisLength()
                || iterations.length != layout.numSlices()) {
            throw new IllegalArgumentException("LayerDecomposition(" + name + "): c, b, iterations "
                    + "lengths must be " + layout.packedLength() + ", " + layout.basisLength()
                    + ", " + layout.numSlices() + " for " + layout.describe() + ", got " + c.length
                    + ", " + b.length + ", " + iterations.length);
        }
    }

    /** B as float32 [K, n, n] (a new array). */
    public float[] bAsFloat() {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = (float) b[i];
        }
        return f;
    }

    /** C as float64 [K, m, n] (a new array; exact). */
    public double[] cAsDouble() {
        double[] d = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            d[i] = c[i];
        }
        return d;
    }

    /**
     * The rebuilt slices C[k] @ B[k] for every k, packed [K, m, n] (double).
     *
     * @param out length K*m*n, modified: every entry written
     */
    public void rebuildPacked(double[] out) {
        if (out.length != layout.packedLength()) {
            throw new IllegalArgumentException("LayerDecomposition(" + name + ").rebuildPacked: out "
                    + "length must be " + layout.packedLength() + ", got " + out.length);
        }
        int n = layout.width();
        int rowsTotal = layout.numSlices() * layout.rows();
        int m = layout.rows();
        for (int r = 0; r < rowsTotal; r++) {
            int bOff = (r / m) * n * n;
            int cOff = r * n;
            for (int col = 0; col < n; col++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += c[cOff + t] * b[bOff + t * n + col];
                }
                out[cOff + col] = s;
            }
        }
    }

    /**
     * The rebuilt weight W = C*B in the layout's weight shape (padding dropped).
     *
     * @param weightOut length layout.weightLength(), modified: every entry written
     */
    public void rebuildWeight(double[] weightOut) {
        double[] packed = new double[layout.packedLength()];
        rebuildPacked(packed);
        layout.fromSlices(packed, weightOut);
    }

    /** As {@link #rebuildWeight(double[])}, rounded to float32. */
    public void rebuildWeight(float[] weightOut) {
        double[] packed = new double[layout.packedLength()];
        rebuildPacked(packed);
        layout.fromSlices(packed, weightOut);
    }

    /** The rebuilt weight as a new double array in the layout's weight shape. */
    public double[] rebuildWeight() {
        double[] w = new double[layout.weightLength()];
        rebuildWeight(w);
        return w;
    }
}
