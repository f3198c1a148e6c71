package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BitIoTest {

    @Test
    void writesMsbFirstAndPadsWithZeros() {
        BitWriter w = new BitWriter();
        w.writeBits(0b101, 3);
        w.writeBits(0xFF, 8);
        assertEquals(11, w.bitLength());
        // 101 11111 | 111 00000
        assertArrayEquals(new byte[] {(byte) 0b1011_1111, (byte) 0b1110_0000}, w.toByteArray());
        assertEquals(5, w.padToByte());
        assertEquals(16, w.bitLength());
        assertEquals(0, w.padToByte());
    }

    @Test
    void readsBackWhatWasWritten() throws Exception {
        Random rnd = new Random(7);
        BitWriter w = new BitWriter();
        long[] values = new long[500];
        int[] widths = new int[500];
        for (int i = 0; i < values.length; i++) {
            widths[i] = rnd.nextInt(65);
            values[i] = widths[i] == 64 ? rnd.nextLong() : rnd.nextLong() & ((1L << widths[i]) - 1);
            w.writeBits(values[i], widths[i]);
        }
        w.writeSigned(-5, 16);
        BitReader r = new BitReader(w.toByteArray(), "test");
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], r.readBits(widths[i]), "field " + i);
        }
        assertEquals(-5, r.readSigned(16));
        assertTrue(r.remainingBits() < 8);
    }

    @Test
    void readingPastTheEndNamesTheContext() throws Exception {
        BitReader r = new BitReader(new byte[] {1}, "layer 'fc1'");
        r.readBits(5);
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> r.readBits(4));
        assertTrue(e.getMessage().startsWith("layer 'fc1': "), e.getMessage());
        assertTrue(e.getMessage().contains("only 3 remain"), e.getMessage());
    }

    @Test
    void nonZeroPaddingIsRejected() throws Exception {
        BitReader r = new BitReader(new byte[] {(byte) 0b1000_0001}, "t");
        r.readBit();
        // the message names the padding bits (1 to 7, not the position after them) and their value
        assertEquals("t: padding bits 1 to 7 must be 0, got 0000001",
                assertThrows(SdmFormatException.class, r::alignToByte).getMessage());
    }

    @Test
    void signedValueOutOfRangeIsRejected() {
        BitWriter w = new BitWriter();
        assertThrows(IllegalArgumentException.class, () -> w.writeSigned(40000, 16));
    }

    /** A 16-bit two's complement field holds [-32768, 32767]; one beyond either end is refused with the range. */
    @Test
    void signedFieldBoundsAreAcceptedAndOneBeyondRefused() throws Exception {
        BitWriter w = new BitWriter();
        w.writeSigned(-32768, 16);
        w.writeSigned(32767, 16);
        BitReader r = new BitReader(w.toByteArray(), "t");
        assertEquals(-32768, r.readSigned(16));
        assertEquals(32767, r.readSigned(16));
        assertEquals("value must be in [-32768, 32767] for 16 bits, got 32768",
                assertThrows(IllegalArgumentException.class, () -> w.writeSigned(32768, 16)).getMessage());
        assertEquals("value must be in [-32768, 32767] for 16 bits, got -32769",
                assertThrows(IllegalArgumentException.class, () -> w.writeSigned(-32769, 16)).getMessage());
    }
}
