package org.smartdeal.optim;

import org.smartdeal.core.Pow2Quantizer;

/**
 * Power-of-two helpers on doubles, by exact exponent manipulation (no log/pow); the projection
 * delegates to core's {@link Pow2Quantizer}.
 *
 * <p>Holds the training projection P of ALGORITHMS.md 6.1: 0 for {@code |c| < theta - 1e-5}, otherwise
 * the nearest power of two in the linear domain with ties going UP, and at least the smallest power of two not
 * below {@code theta - 1e-5} (which differs only when theta is not a power of two, and makes P idempotent).
 * (The decomposition quantizer Q of 1.2 breaks ties DOWN; it lives in sd-layers' core package.)
 */
public final class Pow2 {

    /** Lowest allowed minCoeff, 2^-10 (ALGORITHMS.md 6.2). */
    public static final double MIN_COEFF_LOWEST = 0x1p-10;

    private Pow2() {
    }

    /** True for +2^p with p any exponent of a normal double. */
    public static boolean isPowerOfTwo(double x) {
        return x > 0 && x != Double.POSITIVE_INFINITY && x >= Double.MIN_NORMAL
                && (Double.doubleToRawLongBits(x) & 0x000F_FFFF_FFFF_FFFFL) == 0L;
    }

    /** True for 0 (either sign) or +-2^p. */
    public static boolean isZeroOrSignedPowerOfTwo(double x) {
        return x == 0.0 || isPowerOfTwo(Math.abs(x));
    }

    /**
     * The projection P of ALGORITHMS.md 6.1.
     *
     * @param c     the value
     * @param theta the sparsity threshold; values with {@code |c| < theta - 1e-5} become 0
     * @return 0 or sign(c) * 2^p, the power of two nearest to |c| in the linear domain, ties up
     *         (e.g. 0.75 -> 1, 0.7 -> 0.5, 3 -> 4, -0.1875 -> -0.25)
     */
    public static double project(double c, double theta) {
        if (Double.isInfinite(c)) {
            throw new IllegalArgumentException("cannot project an infinite value");
        }
        // One implementation of P for the whole project: core's bit-exact quantizer, uncapped here.
        return Pow2Quantizer.trainingProjection(theta, Double.MAX_VALUE).quantize(c);
    }
}
