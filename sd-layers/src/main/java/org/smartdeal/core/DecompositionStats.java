package org.smartdeal.core;

/**
 * Quality measures of one decomposed layer (ALGORITHMS.md 1.3), or of several layers together.
 *
 * @param relativeError ||W - C*B||_F / ||W||_F over the real (not padding) weights; 0 when W = 0
 * @param cDensity non-zeros of C / {@link #cEntries()}: real rows x n, so the in-row padding of
 *     1x1/dense units counts as entries of C but the rows padding a unit's last slice up to m do
 *     not (see {@link SliceLayout#coefficientEntries()})
 * @param weightDensity non-zeros of the rebuilt W (computed in double) / real weights
 * @param distinctExponents number of distinct exponents p among the non-zeros +-2^p of C
 * @param meanIterations mean refits of C per slice (see {@link LayerDecomposition#iterations()})
 * @param seconds time attributed to this layer: its slices' busy time summed over worker threads
 *     and divided by the thread count (for a single-layer call about its wall time; in a batch the
 *     figures add up to about the batch wall time)
 * @param slices number of slices K
 * @param cEntries entries of C that count in its density: U*R*n (not the padded K*m*n)
 * @param cNonZeros non-zeros of C
 * @param weightEntries real weights
 * @param weightNonZeros non-zeros of the rebuilt W
 * @param squaredError ||W - C*B||_F^2 over real weights
 * @param squaredNorm ||W||_F^2 over real weights
 * @param exponentSet bit set of exponents in use: bit (p + 149) of word (p + 149) / 64
 */
public record DecompositionStats(double relativeError, double cDensity, double weightDensity,
        int distinctExponents, double meanIterations, double seconds, long slices, long cEntries,
        long cNonZeros, long weightEntries, long weightNonZeros, double squaredError,
        double squaredNorm, long[] exponentSet) {

    /** Offset of exponent p in {@link #exponentSet()}: p + 149 (float32 range of C). */
    public static final int EXPONENT_OFFSET = 149;
    /** Words in {@link #exponentSet()}: covers p in [-149, 127]. */
    public static final int EXPONENT_WORDS = (EXPONENT_OFFSET + 128 + 63) / 64;

    /** Validates that counts are non-negative and the exponent set has the right size. */
    public DecompositionStats {
        if (slices < 0 || cEntries < 0 || cNonZeros < 0 || weightEntries < 0
                || weightNonZeros < 0) {
            throw new IllegalArgumentException("DecompositionStats counts must be >= 0, got slices="
                    + slices + " cEntries=" + cEntries + " cNonZeros=" + cNonZeros
                    + " weightEntries=" + weightEntries + " weightNonZeros=" + weightNonZeros);
        }
        if (exponentSet == null || exponentSet.length != EXPONENT_WORDS) {
            throw new IllegalArgumentException("DecompositionStats.exponentSet must have length "
                    + EXPONENT_WORDS + ", got " + (exponentSet == null ? null : exponentSet.length));
        }
    }

    /** True when exponent p occurs among the non-zeros of C. */
    public boolean usesExponent(int p) {
        int i = p + EXPONENT_OFFSET;
        return i >= 0 && i < EXPONENT_WORDS * 64 && (exponentSet[i >>> 6] & (1L << i)) != 0;
    }

    /**
     * Combines per-layer stats into model totals: sums counts, squared error and norm, unions
     * exponents, adds seconds and weights mean iterations by slices.
     *
     * @param parts stats to combine, not modified
     */
    public static DecompositionStats combine(Iterable<DecompositionStats> parts) {
        long slices = 0;
        long cEntries = 0;
        long cNz = 0;
        long wEntries = 0;
        long wNz = 0;
        double err = 0;
        double norm = 0;
        double seconds = 0;
        double iterSum = 0;
        long[] exps = new long[EXPONENT_WORDS];
        for (DecompositionStats s : parts) {
            slices += s.slices;
            cEntries += s.cEntries;
            cNz += s.cNonZeros;
            wEntries += s.weightEntries;
            wNz += s.weightNonZeros;
            err += s.squaredError;
            norm += s.squaredNorm;
            seconds += s.seconds;
            iterSum += s.meanIterations * s.slices;
            for (int i = 0; i < EXPONENT_WORDS; i++) {
                exps[i] |= s.exponentSet[i];
            }
        }
        return of(slices, cEntries, cNz, wEntries, wNz, err, norm, iterSum, seconds, exps);
    }

    static DecompositionStats of(long slices, long cEntries, long cNz, long wEntries, long wNz,
            double err, double norm, double iterSum, double seconds, long[] exps) {
        int distinct = 0;
        for (long w : exps) {
            distinct += Long.bitCount(w);
        }
        return new DecompositionStats(norm > 0 ? Math.sqrt(err / norm) : (err > 0 ? 1.0 : 0.0),
                cEntries > 0 ? (double) cNz / cEntries : 0.0,
                wEntries > 0 ? (double) wNz / wEntries : 0.0, distinct,
                slices > 0 ? iterSum / slices : 0.0, seconds, slices, cEntries, cNz, wEntries, wNz,
                err, norm, exps);
    }
}
