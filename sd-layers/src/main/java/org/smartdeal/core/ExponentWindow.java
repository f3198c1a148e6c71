package org.smartdeal.core;

/**
 * An inclusive window [pMin, pMax] of power-of-two exponents allowed in C (ALGORITHMS.md 1.2).
 * Magnitudes below 2^pMin quantize to 0; magnitudes above 2^pMax clamp to 2^pMax.
 *
 * @param pMin smallest allowed exponent, in [-1074, 1023]
 * @param pMax largest allowed exponent, in [pMin, 1023]
 */
public record ExponentWindow(int pMin, int pMax) {

    /** Smallest exponent of a positive double (Double.MIN_VALUE = 2^-1074). */
    public static final int MIN_EXPONENT = -1074;
    /** Largest exponent of a finite double. */
    public static final int MAX_EXPONENT = 1023;

    /** Validates both bounds; errors name the field, the allowed range and the value. */
    public ExponentWindow {
        if (pMin < MIN_EXPONENT || pMin > MAX_EXPONENT) {
            throw new IllegalArgumentException("ExponentWindow.pMin must be in [" + MIN_EXPONENT
                    + ", " + MAX_EXPONENT + "], got " + pMin);
        }
        if (pMax < pMin || pMax > MAX_EXPONENT) {
            throw new IllegalArgumentException("ExponentWindow.pMax must be in [pMin=" + pMin + ", "
                    + MAX_EXPONENT + "], got " + pMax);
        }
    }
}
