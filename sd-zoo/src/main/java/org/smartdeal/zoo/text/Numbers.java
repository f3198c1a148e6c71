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
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 1e-6 && Math.abs(v) < 1e7
                ? java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : Double.toString(v);
    }
}
