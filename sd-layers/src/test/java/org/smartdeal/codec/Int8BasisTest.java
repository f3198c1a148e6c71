package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Int8BasisTest {

    @Test
    void fracBitsHandCases() {
        assertEquals(6, Int8Basis.fracBitsFor(1.0));      // 1*64 = 64 <= 127, 1*128 > 127
        assertEquals(5, Int8Basis.fracBitsFor(1.99));     // 1.99*64 = 127.36 > 127, 1.99*32 = 63.68
        assertEquals(6, Int8Basis.fracBitsFor(127.0 / 64)); // exactly 127 at f=6
        assertEquals(0, Int8Basis.fracBitsFor(127.0));
        assertEquals(-1, Int8Basis.fracBitsFor(127.5));   // 127.5 > 127, 63.75 <= 127
        assertEquals(-1, Int8Basis.fracBitsFor(200.0));   // 100
        assertEquals(7, Int8Basis.fracBitsFor(0.75));     // 96 <= 127, 192 > 127
        assertEquals(0, Int8Basis.fracBitsFor(0.0));
        assertEquals(1080, Int8Basis.fracBitsFor(Double.MIN_VALUE)); // 2^-1074 * 2^1080 = 64
        assertEquals(6 - 1023, Int8Basis.fracBitsFor(Math.scalb(1.0, 1023)));
    }

    @Test
    void roundsHalfToEvenAndDecodesExactly() {
        // max|B| = 1 -> f = 6; values in units of 1/64.
        double[] b = {1.0, 2.5 / 64, 1.5 / 64, -2.5 / 64, 0.3, -1.0, 0.0};
        Int8Basis q = Int8Basis.quantize(b);
        assertEquals(6, q.fracBits());
        // 0.3 * 64 = 19.2 -> 19
        assertArrayEquals(new byte[] {64, 2, 2, -2, 19, -64, 0}, q.values());
        assertArrayEquals(new double[] {1.0, 2.0 / 64, 2.0 / 64, -2.0 / 64, 19.0 / 64, -1.0, 0.0}, q.toDoubles());
        assertArrayEquals(new float[] {1f, 2f / 64, 2f / 64, -2f / 64, 19f / 64, -1f, 0f}, q.toFloats());
    }

    @Test
    void allZeroBIsFracBitsZero() {
        Int8Basis q = Int8Basis.quantize(new double[] {0, 0, 0, 0});
        assertEquals(0, q.fracBits());
        assertArrayEquals(new byte[4], q.values());
    }

    @Test
    void largeBGetsNegativeFracBits() {
        Int8Basis q = Int8Basis.quantize(new double[] {1000.0, -3.0});
        // 1000 in [512, 1024): e = 9, 1000 * 2^-3 = 125 <= 127 -> f = -3
        assertEquals(-3, q.fracBits());
        assertArrayEquals(new byte[] {125, 0}, q.values()); // -3/8 = -0.375 -> 0
        assertArrayEquals(new double[] {1000.0, 0.0}, q.toDoubles());
    }

    @Test
    void nonFiniteBIsRejectedWithIndexAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Int8Basis.quantize(new double[] {1, 2, Double.NaN}));
        assertEquals("B[2] must be finite, got NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Int8Basis(new byte[] {-128}, 0));
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> new Int8Basis(new byte[1], 5000));
        assertTrue(f.getMessage().contains("5000"), f.getMessage());
    }
    @Test
    void aScalePerSliceKeepsASmallSliceThatOneScaleRoundsAway() {
        // Slice 0 = {0.5, -0.25}: 0.5 * 2^7 = 64, 0.5 * 2^8 = 128 > 127 -> f_0 = 7.
        // Slice 1 = {260, 1}: 260 in [256, 512), 260 * 2^-2 = 65 <= 127, 130 > 127 -> f_1 = -2.
        // f = min = -2, shifts {9, 0}; q = {64, -32 | 65, rint(0.25) = 0}.
        double[] b = {0.5, -0.25, 260, 1};
        Int8Basis q = Int8Basis.quantize(b, 2);
        assertEquals(-2, q.fracBits());
        assertArrayEquals(new int[] {9, 0}, q.shifts());
        assertArrayEquals(new byte[] {64, -32, 65, 0}, q.values());
        assertArrayEquals(new double[] {0.5, -0.25, 260, 0}, q.toDoubles());
        assertEquals(7, q.fracBitsOf(1));
        assertEquals(-2, q.fracBitsOf(2));
        // One scale for both (formats 2.0 to 2.3): f = -2 rounds slice 0 to {rint(0.125), rint(-0.0625)} = 0.
        Int8Basis one = Int8Basis.quantize(b);
        assertArrayEquals(new byte[] {0, 0, 65, 0}, one.values());
        assertArrayEquals(new double[] {0, 0, 260, 0}, one.toDoubles());
        // an all-zero slice has shift 0 and does not set f
        Int8Basis zero = Int8Basis.quantize(new double[] {0, 0, 1.0, 0}, 2);
        assertEquals(6, zero.fracBits());
        assertArrayEquals(new int[] {0, 0}, zero.shifts());
    }

    @Test
    void aSliceBeyondTheLargestShiftIsRefusedNotRoundedToZero() {
        // 1.0 has f = 6; 2^-300 needs f = 306, a shift of 300 > 255: at f = 6 + 255 it would round to 0.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Int8Basis.quantize(new double[] {1.0, Math.scalb(1.0, -300)}, 2));
        assertEquals("Int8Basis.quantize: B of slice 1 needs f = 306 but its shift from f = 6 is capped at 255,"
                + " so its values would lose their int8 precision or round to 0", e.getMessage());
        // 2^-256 needs a shift of 256: at the capped scale it would keep one bit (q = 1), so it is refused too
        e = assertThrows(IllegalArgumentException.class,
                () -> Int8Basis.quantize(new double[] {1.0, Math.scalb(1.0, -256)}, 2));
        assertTrue(e.getMessage().contains("needs f = 262 but its shift from f = 6 is capped at 255"), e.getMessage());
        // a shift of 255 is kept: 2^-255 has f = 6 + 255 = 261 -> q = 64
        Int8Basis q = Int8Basis.quantize(new double[] {1.0, Math.scalb(1.0, -255)}, 2);
        assertArrayEquals(new int[] {0, 255}, q.shifts());
        assertArrayEquals(new double[] {1.0, Math.scalb(1.0, -255)}, q.toDoubles());
        assertThrows(IllegalArgumentException.class, () -> new Int8Basis(new byte[2], 0, new int[] {0, 256}));
        assertThrows(IllegalArgumentException.class, () -> new Int8Basis(new byte[2], 1000, new int[] {0, 101}));
        assertThrows(IllegalArgumentException.class, () -> new Int8Basis(new byte[3], 0, new int[2]));
        assertThrows(IllegalArgumentException.class, () -> Int8Basis.quantize(new double[3], 2));
    }

    private static String basisError(byte[] values, int fracBits, int... shifts) {
        return assertThrows(IllegalArgumentException.class, () -> new Int8Basis(values, fracBits, shifts)).getMessage();
    }

    /**
     * The record's checks (docs/FORMAT.md, B 2.4: f in [-1100, 1100], shift_k in [0, 255], f + shift_k <= 1100): each
     * bound is accepted and one beyond it refused with the field, rule and value.
     */
    @Test
    void fracBitsAndShiftsAtTheBoundsAreAcceptedAndOneBeyondRefused() {
        assertEquals(-1100, new Int8Basis(new byte[1], -1100).fracBits());
        assertEquals(1100, new Int8Basis(new byte[1], 1100).fracBits());
        assertEquals("Int8Basis.fracBits must be in [-1100, 1100], got -1101", basisError(new byte[1], -1101, 0));
        assertEquals("Int8Basis.fracBits must be in [-1100, 1100], got 1101", basisError(new byte[1], 1101, 0));
        assertEquals(255 + 845, new Int8Basis(new byte[2], 845, new int[] {0, 255}).fracBitsOf(1));
        assertEquals("Int8Basis.shifts[1] must be in [0, 255] with fracBits + shift <= 1100 (fracBits = 846), got 255",
                basisError(new byte[2], 846, 0, 255));
        assertEquals("Int8Basis.shifts[0] must be in [0, 255] with fracBits + shift <= 1100 (fracBits = 0), got 256",
                basisError(new byte[2], 0, 256, 0));
        assertEquals("Int8Basis.shifts[0] must be in [0, 255] with fracBits + shift <= 1100 (fracBits = 0), got -1",
                basisError(new byte[2], 0, -1, 0));
    }

    /**
     * The float entry point widens exactly (a round trip against the double one); roundTrip(b) is rint(b * 2^f) * 2^-f
     * (0.3: f = 8 as 0.3 * 256 = 76.8 <= 127 < 153.6, q = 77, 77 / 256 = 0.30078125); equality and the summary string.
     */
    @Test
    void floatInputRoundTripEqualityAndSummary() {
        float[] f = {0.5f, -1f, 0.25f, 3f};
        Int8Basis fromFloats = Int8Basis.quantize(f, 2);
        Int8Basis fromDoubles = Int8Basis.quantize(new double[] {0.5, -1, 0.25, 3}, 2);
        assertEquals(fromDoubles, fromFloats);
        assertEquals(fromDoubles.hashCode(), fromFloats.hashCode());
        assertNotEquals(Int8Basis.quantize(new double[] {0.5, -1, 0.25, 2}, 2), fromFloats);
        assertArrayEquals(new double[] {0.30078125}, Int8Basis.roundTrip(new double[] {0.3}));
        assertEquals("Int8Basis[4 values, 2 slices, fracBits=5]", fromFloats.toString());
        // each slice's scale from its own values only (FORMAT.md, B 2.4): {4, 0} -> f_0 = 4 (64), {0.25, 0.5} -> f_1 = 7
        // (0.5 * 128 = 64 <= 127 < 128); f = 4, shifts 0 and 3; q = 64, 0, 32, 64
        Int8Basis perSlice = Int8Basis.quantize(new double[] {4, 0, 0.25, 0.5}, 2);
        assertEquals(4, perSlice.fracBits());
        assertArrayEquals(new int[] {0, 3}, perSlice.shifts());
        assertArrayEquals(new byte[] {64, 0, 32, 64}, perSlice.values());
    }
}
