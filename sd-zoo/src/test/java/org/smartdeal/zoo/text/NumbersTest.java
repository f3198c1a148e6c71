package org.smartdeal.zoo.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Numbers#plain}: the numbers of the messages of the command line, the plans and the training settings. */
class NumbersTest {

    /** The examples of {@link Numbers#plain}'s Javadoc, and each of its three forms at its bounds. */
    @Test
    void numbersAreWrittenAsAPersonWritesThem() {
        assertEquals("1", Numbers.plain(1));
        assertEquals("0.05", Numbers.plain(0.05));
        assertEquals("524288", Numbers.plain(524288));
        assertEquals("0.0009765625", Numbers.plain(0x1p-10));
        assertEquals("-3", Numbers.plain(-3));
        assertEquals("-0.05", Numbers.plain(-0.05));
        // whole numbers below 10^15 as integers; 10^15 itself in Java's form
        assertEquals("999999999999999", Numbers.plain(999_999_999_999_999.0));
        assertEquals("1.0E15", Numbers.plain(1e15));
        // fractions plain in [10^-6, 10^7), in Java's form outside
        assertEquals("0.000001", Numbers.plain(1e-6));
        assertEquals("9.99E-7", Numbers.plain(9.99e-7));
        assertEquals("9999999.5", Numbers.plain(9_999_999.5));
        assertEquals("1.00000005E7", Numbers.plain(10_000_000.5));
        assertEquals("NaN", Numbers.plain(Double.NaN));
        assertEquals("Infinity", Numbers.plain(Double.POSITIVE_INFINITY));
    }

    /** A derived value is rounded to 15 significant digits first: 10 x (0.005 / 0.1), adapt's --swa-lr at --lr 10. */
    @Test
    void derivedValuesLoseTheirLastBitsOfRounding() {
        double swaLr = 10 * (0.005 / 0.1);
        assertEquals("0.49999999999999994", Numbers.plain(swaLr));
        assertEquals("0.5", Numbers.derived(swaLr));
        assertEquals("0.123456789012346", Numbers.derived(0.1234567890123456789));
        assertEquals("0", Numbers.derived(0));
        assertEquals("NaN", Numbers.derived(Double.NaN));
        assertEquals("1.23456789012346E-10", Numbers.derived(1.234567890123456e-10));
    }
}
