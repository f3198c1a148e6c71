package org.smartdeal.core;

import java.util.Optional;

/**
 * The power-of-two quantizer Q of SmartDeal (Chen et al., arXiv 2101.01163; ALGORITHMS.md 1.2) and
 * the training projection P (ALGORITHMS.md 6.1).
 *
 * <p>For a non-zero finite c the result is sign(c) * 2^p, the nearest power of two in the
 * <b>linear</b> domain: with lo = 2^floor(log2|c|) and hi = 2 lo, it is lo when
 * |c| - lo &lt;= hi - |c| (ties DOWN) or when |c| - lo &lt; hi - |c| (ties UP). Exact powers of two
 * map to themselves. The rounding works on the IEEE-754 exponent and mantissa bits (no log/pow),
 * so it is exact for every double including subnormals ({@code Double.MIN_VALUE} = 2^-1074 maps
 * to itself). Afterwards:
 * <ul>
 *   <li>values with |c| below {@link #zeroBelow()} become 0 (used by P: theta - 1e-5), and the others become at
 *       least {@link #smallestKept()}, the smallest power of two not below it: when theta is not a power of two
 *       (0.004), a value just above it (0.0045) would round to a power below it (2^-8), which P applied again would
 *       zero; it becomes 2^-7, the result nearest to it, so that P(P(c)) = P(c) and a coefficient written as P(c)
 *       reads back to the value the layer computed with (for a power-of-two theta nothing changes);</li>
 *   <li>with an {@link ExponentWindow}, values with |c| &lt; 2^pMin become 0 and results are
 *       clamped to 2^pMax;</li>
 *   <li>results are clamped to {@link #cap()}, the largest power of two &lt;= maxCoeff.</li>
 * </ul>
 * Q(0) = +0. NaN stays NaN; infinities clamp to the cap. Instances are immutable and thread-safe.
 */
public final class Pow2Quantizer {

    /** How a value exactly halfway between two powers of two (1.5 * 2^p) is rounded. */
    public enum Tie {
        /** To the smaller power: used by the decomposition (ALGORITHMS.md 1.2). */
        DOWN,
        /** To the larger power: used by the training projection P (ALGORITHMS.md 6.1). */
        UP
    }

    /** The gap P leaves below theta: P zeroes |c| &lt; theta - 1e-5 (ALGORITHMS.md 6.1). */
    public static final double PROJECTION_THETA_SLACK = 1e-5;

    private static final long SIGN_MASK = 0x8000_0000_0000_0000L;
    private static final long EXP_MASK = 0x7FF0_0000_0000_0000L;
    private static final long MIN_NORMAL_BITS = 0x0010_0000_0000_0000L;
    private static final long HALF_MANTISSA = 1L << 51;
    private static final double TWO_54 = 0x1p54;
    private static final double TWO_MINUS_54 = 0x1p-54;

    private final Tie tie;
    private final double maxCoeff;
    private final ExponentWindow window;
    private final double zeroBelow;
    private final double cap;
    private final double floor;
    private final long roundAdd;
    private final double smallestKept;

    /**
     * Creates a quantizer.
     *
     * @param tie rounding of exact ties, not null
     * @param maxCoeff upper bound on |Q(c)|, finite and &gt;= 2^-1074; the effective cap is the
     *     largest power of two &lt;= maxCoeff
     * @param window optional exponent window, may be null for none; 2^pMin must be at most maxCoeff
     * @param zeroBelow magnitudes strictly below this become 0; 0 for no threshold; finite, &gt;= 0
     */
    public Pow2Quantizer(Tie tie, double maxCoeff, ExponentWindow window, double zeroBelow) {
        if (tie == null) {
            throw new IllegalArgumentException("Pow2Quantizer.tie must be DOWN or UP, got null");
        }
        if (!(maxCoeff >= Double.MIN_VALUE) || Double.isInfinite(maxCoeff)) {
            throw new IllegalArgumentException(
                    "Pow2Quantizer.maxCoeff must be finite and in [2^-1074, Double.MAX_VALUE], got "
                            + maxCoeff);
        }
        if (!(zeroBelow >= 0) || Double.isInfinite(zeroBelow)) {
            throw new IllegalArgumentException(
                    "Pow2Quantizer.zeroBelow must be finite and >= 0, got " + zeroBelow);
        }
        requireWindowBelowCap("Pow2Quantizer", maxCoeff, window);
        this.tie = tie;
        this.maxCoeff = maxCoeff;
        this.window = window;
        this.zeroBelow = zeroBelow;
        double c = floorPowerOfTwo(maxCoeff);
        double f = 0.0;
        if (window != null) {
            c = Math.min(c, powerOfTwo(window.pMax()));
            f = powerOfTwo(window.pMin());
        }
        this.cap = c;
        this.floor = f;
        this.roundAdd = tie == Tie.UP ? HALF_MANTISSA : HALF_MANTISSA - 1;
        this.smallestKept = zeroBelow == 0 ? 0.0
                : floorPowerOfTwo(zeroBelow) == zeroBelow ? zeroBelow : 2 * floorPowerOfTwo(zeroBelow);
    }

    /**
     * Refuses an exponent window whose smallest power of two exceeds maxCoeff: no non-zero value would satisfy both
     * (the cap would put every result below the window), so such a setting is a mistake, not a quantizer.
     *
     * @param owner    the class named in the message
     * @param maxCoeff the cap on |Q|
     * @param window   the window, or null for none
     * @throws IllegalArgumentException if 2^pMin &gt; maxCoeff
     */
    static void requireWindowBelowCap(String owner, double maxCoeff, ExponentWindow window) {
        if (window != null && Math.scalb(1.0, window.pMin()) > maxCoeff) {
            throw new IllegalArgumentException(owner + ": the exponent window [" + window.pMin() + ", " + window.pMax()
                    + "] starts above maxCoeff " + maxCoeff + ": 2^pMin must be <= maxCoeff, got 2^pMin = "
                    + Math.scalb(1.0, window.pMin()));
        }
    }

    /** The decomposition quantizer: ties down, |Q| &lt;= maxCoeff, no window. */
    public static Pow2Quantizer decomposition(double maxCoeff) {
        return new Pow2Quantizer(Tie.DOWN, maxCoeff, null, 0.0);
    }

    /** The decomposition quantizer with an exponent window (null for none). */
    public static Pow2Quantizer decomposition(double maxCoeff, ExponentWindow window) {
        return new Pow2Quantizer(Tie.DOWN, maxCoeff, window, 0.0);
    }

    /**
     * The training projection P (ALGORITHMS.md 6.1): 0 for |c| &lt; theta - 1e-5, otherwise the
     * nearest power of two with ties up, clamped to maxCoeff.
     *
     * @param theta sparsity threshold, finite and &gt;= 0
     * @param maxCoeff upper bound on |P(c)|
     */
    public static Pow2Quantizer trainingProjection(double theta, double maxCoeff) {
        if (!(theta >= 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException(
                    "Pow2Quantizer.trainingProjection.theta must be finite and >= 0, got " + theta);
        }
        return new Pow2Quantizer(Tie.UP, maxCoeff,
                null, Math.max(0.0, theta - PROJECTION_THETA_SLACK));
    }

    /** Tie rule. */
    public Tie tie() {
        return tie;
    }

    /** The maxCoeff this quantizer was created with. */
    public double maxCoeff() {
        return maxCoeff;
    }

    /** The effective largest output magnitude: a power of two &lt;= maxCoeff (and &lt;= 2^pMax). */
    public double cap() {
        return cap;
    }

    /** The exponent window, if any. */
    public Optional<ExponentWindow> window() {
        return Optional.ofNullable(window);
    }

    /** @return the smallest magnitude a non-zero result takes: the smallest power of two &gt;= zeroBelow (0 when none) */
    public double smallestKept() {
        return smallestKept;
    }

    /** Magnitudes below this become 0 (0 when no threshold). */
    public double zeroBelow() {
        return zeroBelow;
    }

    /**
     * Quantizes one value.
     *
     * @param c any double
     * @return 0, or sign(c) * 2^p with 2^p &lt;= {@link #cap()}; NaN for NaN
     */
    public double quantize(double c) {
        double a = Math.abs(c);
        if (a < zeroBelow || a < floor) {
            return 0.0;
        }
        double r = nearestPowerOfTwo(c, roundAdd);
        if (Math.abs(r) < smallestKept) {
            // kept (|c| >= zeroBelow) but nearest to a power of two below zeroBelow (theta not a power of two: 0.0045
            // under theta 0.004 is nearest 2^-8): the smallest power of two kept instead, the nearest value of the
            // results, so that every result maps to itself (P is idempotent)
            r = Math.copySign(smallestKept, c);
        }
        return Math.abs(r) > cap ? Math.copySign(cap, c) : r;
    }

    /** Quantizes one float (computed in double; the result is exact in float unless below 2^-149). */
    public float quantize(float c) {
        return (float) quantize((double) c);
    }

    /**
     * Quantizes {@code len} values.
     *
     * @param in source, not modified (may be the same array as out)
     * @param inOff first index read
     * @param out destination, modified
     * @param outOff first index written
     * @param len number of values
     */
    public void quantize(double[] in, int inOff, double[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) {
            out[outOff + i] = quantize(in[inOff + i]);
        }
    }

    /** Quantizes a whole array into {@code out} (same length; may be {@code in}). */
    public void quantize(double[] in, double[] out) {
        if (in.length != out.length) {
            throw new IllegalArgumentException("Pow2Quantizer.quantize: in has length " + in.length
                    + " but out has length " + out.length);
        }
        quantize(in, 0, out, 0, in.length);
    }

    /**
     * The nearest power of two to c in the linear domain, with sign, without clamping or window.
     * Exact bit manipulation; 0 maps to +0, NaN to NaN, infinities to themselves.
     *
     * @param c value
     * @param tie tie rule
     * @return sign(c) * 2^p
     */
    public static double nearestPowerOfTwo(double c, Tie tie) {
        return nearestPowerOfTwo(c, tie == Tie.UP ? HALF_MANTISSA : HALF_MANTISSA - 1);
    }

    private static double nearestPowerOfTwo(double c, long add) {
        long bits = Double.doubleToRawLongBits(c);
        long mag = bits & ~SIGN_MASK;
        if (mag >= EXP_MASK) {
            return c; // NaN or infinity
        }
        if (mag < MIN_NORMAL_BITS) {
            if (mag == 0) {
                return 0.0;
            }
            // Subnormal: scale into the normal range (exact), round there, scale back (exact,
            // because the rounded power of two is >= 2^-1020).
            return nearestPowerOfTwo(c * TWO_54, add) * TWO_MINUS_54;
        }
        // Adding just under (DOWN) or exactly (UP) half a mantissa carries into the exponent iff
        // the mantissa is above (DOWN) or at least (UP) one half; then drop the mantissa.
        return Double.longBitsToDouble((bits & SIGN_MASK) | ((mag + add) & EXP_MASK));
    }

    /** True when v is 0 or +-2^p for an integer p (including subnormal powers). */
    public static boolean isPowerOfTwoOrZero(double v) {
        if (v == 0.0) {
            return true;
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return false;
        }
        long mag = Double.doubleToRawLongBits(v) & ~SIGN_MASK;
        if (mag < MIN_NORMAL_BITS) {
            return Long.bitCount(mag) == 1;
        }
        return (mag & ~EXP_MASK) == 0;
    }

    /**
     * The exponent p of a non-zero finite v, floor(log2|v|), exact also for subnormals.
     *
     * @throws IllegalArgumentException for 0, NaN or infinity
     */
    public static int exponentOf(double v) {
        if (v == 0.0 || Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(
                    "Pow2Quantizer.exponentOf: v must be non-zero and finite, got " + v);
        }
        long mag = Double.doubleToRawLongBits(v) & ~SIGN_MASK;
        if (mag < MIN_NORMAL_BITS) {
            return -1074 + (63 - Long.numberOfLeadingZeros(mag));
        }
        return (int) (mag >>> 52) - 1023;
    }

    /** 2^p for p in [-1074, 1023], exact. */
    public static double powerOfTwo(int p) {
        if (p < -1074 || p > 1023) {
            throw new IllegalArgumentException(
                    "Pow2Quantizer.powerOfTwo.p must be in [-1074, 1023], got " + p);
        }
        if (p >= -1022) {
            return Double.longBitsToDouble((long) (p + 1023) << 52);
        }
        return Double.longBitsToDouble(1L << (p + 1074));
    }

    /** The largest power of two &lt;= v, for finite v &gt;= 2^-1074. */
    static double floorPowerOfTwo(double v) {
        return powerOfTwo(exponentOf(v));
    }

    @Override
    public String toString() {
        return "Pow2Quantizer[tie=" + tie + ", maxCoeff=" + maxCoeff + ", cap=" + cap + ", window="
                + window + ", zeroBelow=" + zeroBelow + "]";
    }
}
