package org.smartdeal.zoo.cli;

/** Numbers in messages, as a person writes them. */
final class Numbers {

    private Numbers() {
    }

    /** 1, 0.05, 524288, 0.0009765625 (2^-10; Java would write 9.765625E-4 and 524288.0). */
    static String plain(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 1e-6 && Math.abs(v) < 1e7
                ? java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : Double.toString(v);
    }
}
