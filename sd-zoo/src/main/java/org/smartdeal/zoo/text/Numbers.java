package org.smartdeal.zoo.text;

/**
 * Numbers in messages, as a person writes them: the same value reads the same in an option's message, a plan's
 * and a training setting's ("must be in [0.0009765625, 1], got 2").
 */
public final class Numbers {

    private Numbers() {
    }

    /**
     * 1, 0.05, 524288, 0.0009765625 (2^-10; Java would write 9.765625E-4 and 524288.0). Whole numbers below 10^15
     * are written as integers, other values in [10^-6, 10^7) in plain decimals (exactly, as many digits as
     * {@link Double#toString} gives), the rest, NaN and the infinities as {@link Double#toString} writes them.
     */
    public static String plain(double v) {
        return org.smartdeal.hw.spec.Specs.plain(v);
    }

    /**
     * A value computed from the user's (a rate derived from another, say) as {@link #plain} writes it after rounding
     * to 15 significant digits, so that 10 x 0.05 reads 0.5, not 0.49999999999999994.
     */
    public static String derived(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return plain(v);
        }
        return plain(new java.math.BigDecimal(v).round(new java.math.MathContext(15)).doubleValue());
    }
}
