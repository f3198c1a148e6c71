package org.smartdeal.codec;

/**
 * The (sign, exponent) symbols of the non-zeros of C. A non-zero entry {@code s * 2^p}
 * (s = +1 or -1, p an integer exponent of a double, normal or subnormal: p in [-1074, 1023])
 * maps to the int symbol {@code (p << 1) | (s < 0 ? 1 : 0)}, which lies in [-2148, 2047].
 * Checks use the exact IEEE bit pattern, never log/pow.
 */
public final class PowerOfTwoSymbols {

    /** Smallest exponent of a power of two representable as a double (subnormal 2^-1074). */
    public static final int MIN_EXPONENT = -1074;
    /** Largest exponent of a power of two representable as a double. */
    public static final int MAX_EXPONENT = 1023;
    /** Smallest exponent of a power of two representable as a float (subnormal 2^-149). */
    public static final int MIN_FLOAT_EXPONENT = -149;
    /** Largest exponent of a power of two representable as a float. */
    public static final int MAX_FLOAT_EXPONENT = 127;

    private PowerOfTwoSymbols() {
    }

    /**
     * The exponent p if {@code |v| == 2^p}, or {@link Integer#MIN_VALUE} if {@code v} is zero,
     * not finite, or not an exact power of two.
     */
    public static int exponentOrInvalid(double v) {
        long bits = Double.doubleToRawLongBits(v) & 0x7FFF_FFFF_FFFF_FFFFL;
        long mant = bits & 0x000F_FFFF_FFFF_FFFFL;
        int biased = (int) (bits >>> 52);
        if (biased == 0x7FF || bits == 0) {
            return Integer.MIN_VALUE;
        }
        if (biased == 0) {
            return Long.bitCount(mant) == 1 ? MIN_EXPONENT + Long.numberOfTrailingZeros(mant) : Integer.MIN_VALUE;
        }
        return mant == 0 ? biased - 1023 : Integer.MIN_VALUE;
    }

    /** True if {@code v} is 0 (either sign) or an exact signed power of two. */
    public static boolean isZeroOrPowerOfTwo(double v) {
        return v == 0.0 || exponentOrInvalid(v) != Integer.MIN_VALUE;
    }

    /**
     * The symbol of a non-zero power of two.
     *
     * @throws IllegalArgumentException if {@code v} is zero or not {@code +-2^p}
     */
    public static int symbolOf(double v) {
        int p = exponentOrInvalid(v);
        if (p == Integer.MIN_VALUE) {
            throw new IllegalArgumentException("value must be +-2^p, got " + v);
        }
        return (p << 1) | (v < 0 ? 1 : 0);
    }

    /** The exponent p of a symbol. */
    public static int exponentOf(int symbol) {
        return symbol >> 1;
    }

    /** True if the symbol stands for a negative value. */
    public static boolean isNegative(int symbol) {
        return (symbol & 1) != 0;
    }

    /** The value {@code +-2^p} of a symbol. */
    public static double valueOf(int symbol) {
        int p = exponentOf(symbol);
        if (p < MIN_EXPONENT || p > MAX_EXPONENT) {
            throw new IllegalArgumentException("symbol exponent must be in [" + MIN_EXPONENT + ", "
                    + MAX_EXPONENT + "], got " + p);
        }
        double mag = Math.scalb(1.0, p);
        return isNegative(symbol) ? -mag : mag;
    }
}
