package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The masked-in zero list of format 2.2 (flag 2 of an SD_LAYER section; {@link MaskedZeros}). */
class MaskedZerosTest {

    /** Counts, then the gamma codes of gaps 1, 1, 4, 995, worked out by hand (see the test). */
    private static final byte[] KNOWN = {0, 0, 0, 4, 0, 0, 0, 4, (byte) 0xC8, 0x00, (byte) 0xF8, (byte) 0xC0};

    @Test
    void gammaCodesOfAKnownListAreTheHandWorkedBytes() throws Exception {
        // Positions 0, 1, 5, 1000: gaps 1, 1, 4, 995. gamma(1) = 1; gamma(4) = 00 100;
        // gamma(995) = 000000000 1111100011 (995 = 0b1111100011, 10 bits). 1+1+5+19 = 26 bits:
        // 11001000 00000000 11111000 11|000000 = C8 00 F8 C0; counts Z = 4, L = 4 bytes.
        int[] positions = {0, 1, 5, 1000};
        assertArrayEquals(KNOWN, MaskedZeros.encode(positions));
        boolean[] mask = MaskedZeros.decode(cursor(KNOWN), new double[1001], "t");
        for (int i = 0; i < mask.length; i++) {
            assertEquals(Arrays.binarySearch(positions, i) >= 0, mask[i], "entry " + i);
        }
    }

    @Test
    void positionsAreTheMaskedInZerosOrNullWhenTheMaskLeavesOutANonZero() {
        double[] c = {0, 0.5, 0, -2, 0};
        assertArrayEquals(new int[] {0, 4}, MaskedZeros.positions(new boolean[] {true, true, false, true, true}, c));
        assertArrayEquals(new int[0], MaskedZeros.positions(new boolean[] {false, true, false, true, false}, c));
        assertNull(MaskedZeros.positions(new boolean[] {true, false, false, true, false}, c));
    }

    /** A 3,000-entry layer, about 80% zeros, and its encoded payload without any mask. */
    private static SdLayerData layer() {
        Random rnd = new Random(5);
        double[] c = SdLayerCodecTest.randomC(rnd, 50, 20, 3, 0.0, 0.8, -6, 0);
        return new SdLayerData(50, 20, 3, c, Int8Basis.quantize(SdLayerCodecTest.randomB(rnd, 50, 3), 50));
    }

    private static SdmFile fileWith(SdLayerEntry e) {
        return new SdmFile(NetworkType.OTHER, "{}", Map.of(), List.of(e));
    }

    /** Payload bytes of the file's only SD_LAYER section. */
    private static long layerPayload(SdmWriter.Serialized s) {
        return s.layout().sections().get(2).payloadBytes();
    }

    /** Independent size of a list: 8 bytes of counts plus the gamma bits of the gaps, rounded up. */
    private static long listBytes(int[] positions) {
        long bits = 0;
        long previous = -1;
        for (int p : positions) {
            long gap = p - previous;
            int floorLog2 = 0;
            while ((gap >> (floorLog2 + 1)) != 0) {
                floorLog2++;
            }
            bits += 2L * floorLog2 + 1;
            previous = p;
        }
        return 8 + (bits + 7) / 8;
    }

    @Test
    void aFewFlushedEntriesAreStoredAsAListAndReadBack() throws Exception {
        SdLayerData d = layer();
        double[] c = d.c();
        boolean[] mask = new boolean[c.length];
        int[] flushed = new int[5];
        int k = 0;
        for (int i = 0; i < c.length; i++) {
            mask[i] = c[i] != 0;
            if (c[i] == 0 && k < flushed.length && i % 577 < 20) {
                mask[i] = true; // a masked-in entry that training flushed to 0
                flushed[k++] = i;
            }
        }
        assertEquals(5, k);
        SdLayerEntry entry = new SdLayerEntry("fc", "0_", new long[] {60, 50}, d, mask);
        SdmWriter.Serialized withMask = SdmWriter.serialize(fileWith(entry));
        long plain = layerPayload(SdmWriter.serialize(fileWith(SdLayerEntry.of("fc", "0_", new long[] {60, 50}, d))));
        long extra = layerPayload(withMask) - plain;
        assertEquals(listBytes(flushed), extra, "the list, not the 375-byte bitmap");
        assertTrue(extra < 375, "extra " + extra);
        SdmReader.Result back = SdmReader.read(withMask.bytes(), "m.sdm");
        assertArrayEquals(mask, back.file().sdLayer("fc").orElseThrow().effectiveMask());
        assertEquals(8 * withMask.bytes().length, back.layout().totalBreakdown().totalBits());
        assertEquals(withMask.layout(), back.layout());
    }

    @Test
    void manyMaskedInZerosAndMasksThatLeaveOutANonZeroAreBitmaps() throws Exception {
        SdLayerData d = layer();
        long plain = layerPayload(SdmWriter.serialize(fileWith(SdLayerEntry.of("fc", "0_", new long[] {60, 50}, d))));
        boolean[] all = new boolean[d.c().length];
        Arrays.fill(all, true); // every zero of C is masked in: about 2,400 codes, more than 3,000 bits
        SdmWriter.Serialized s = SdmWriter.serialize(fileWith(new SdLayerEntry("fc", "0_", new long[] {60, 50}, d, all)));
        assertEquals(375, layerPayload(s) - plain);
        assertArrayEquals(all, SdmReader.read(s.bytes(), "m.sdm").file().sdLayer("fc").orElseThrow().effectiveMask());

        boolean[] partial = new boolean[d.c().length];
        for (int i = 0; i < partial.length; i++) {
            partial[i] = d.c()[i] != 0;
        }
        int firstNonZero = 0;
        while (d.c()[firstNonZero] == 0) {
            firstNonZero++;
        }
        partial[firstNonZero] = false; // leaves out a non-zero: only a bitmap can say so
        SdmWriter.Serialized p = SdmWriter.serialize(fileWith(new SdLayerEntry("fc", "0_", new long[] {60, 50}, d, partial)));
        assertEquals(375, layerPayload(p) - plain);
        assertArrayEquals(partial, SdmReader.read(p.bytes(), "m.sdm").file().sdLayer("fc").orElseThrow().effectiveMask());
    }

    @Test
    void aListInAFormat21FileIsRejected() {
        SdLayerData d = layer();
        boolean[] mask = new boolean[d.c().length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = d.c()[i] != 0;
        }
        int firstZero = 0;
        while (d.c()[firstZero] != 0) {
            firstZero++;
        }
        mask[firstZero] = true; // one masked-in zero: written as a list
        byte[] b = SdmWriter.serialize(fileWith(new SdLayerEntry("fc", "0_", new long[] {60, 50}, d, mask))).bytes();
        assertEquals(4, b[11], "written as 2.4");
        b[11] = 1;
        SdmFileTest.fixHeaderCrc(b);
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(b, "old.sdm"));
        assertTrue(e.getMessage().contains("flags must be 0 (no mask), 1 (mask bitmap) in format 2.1, got 2")
                && e.getMessage().contains("SD_LAYER"), e.getMessage());
    }

    private static ByteCursor cursor(byte[] b) {
        return new ByteCursor(b, 0, b.length, "t");
    }

    private static String decodeError(byte[] b, double[] c) {
        return assertThrows(SdmFormatException.class, () -> MaskedZeros.decode(cursor(b), c, "t")).getMessage();
    }

    private static byte[] list(long z, long length, int... codes) {
        byte[] b = new byte[8 + codes.length];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (z >>> (24 - 8 * i));
            b[4 + i] = (byte) (length >>> (24 - 8 * i));
        }
        for (int i = 0; i < codes.length; i++) {
            b[8 + i] = (byte) codes[i];
        }
        return b;
    }

    @Test
    void corruptListsAreNamedErrors() {
        double[] zeros = new double[1001];
        assertTrue(decodeError(list(0, 1, 0x80), zeros).contains("masked-in zero count must be in [1, K*m*n = 1001], got 0"));
        assertTrue(decodeError(list(1002, 1, 0x80), zeros).contains("got 1002"));
        // a huge stated length is refused before anything is allocated
        assertTrue(decodeError(list(1, 0xFFFFFFFFL, 0x80), zeros).contains("needs 4294967295 bytes but only 1 remain"));
        assertTrue(decodeError(list(9, 1, 0xFF), zeros).contains("9 masked-in zeros need at least 9 bits"));
        // gamma(6) = 00 110 -> position 5, beyond a 5-entry C
        assertTrue(decodeError(list(1, 1, 0x30), new double[5]).contains("points at entry 5, beyond K*m*n = 5"));
        // gamma(4) = 00 100 -> position 3, which holds 0.5 in C
        assertTrue(decodeError(list(1, 1, 0x20), new double[] {0, 0, 0, 0.5}).contains("entry 3 is listed as a masked-in zero but C holds 0.5"));
        assertTrue(decodeError(list(1, 5, 0, 0, 0, 0, 0), zeros).contains("prefix longer than 31 zero bits"));
        String padding = decodeError(list(1, 1, 0x81), zeros); // gamma(1) = 1, then the padding bits 0000001
        assertTrue(padding.contains("masked-in zero list: padding bits 1 to 7 must be 0, got 0000001"), padding);
        assertTrue(decodeError(list(1, 2, 0x80, 0), zeros).contains("1 bytes after the last code"));
        assertTrue(decodeError(list(2, 1, 0x80), zeros).contains("needs 1 bits but only 0 remain"));
    }

    /**
     * The list's bounds (docs/FORMAT.md, masked-in zeros; gamma codes by hand): Z = 1 and Z = K*m*n are accepted, as
     * is Z = 8 x the list bytes (8 codes gamma(1) = 1 in the byte FF: positions 0..7); a 31-bit zero prefix is still a
     * code (it is then refused for the entry it points at), a 32nd zero bit is not.
     */
    @Test
    void countAndPrefixBoundsAreAcceptedAndOneBeyondRefused() throws Exception {
        boolean[] all = MaskedZeros.decode(cursor(list(8, 1, 0xFF)), new double[8], "t");
        boolean[] expected = new boolean[8];
        Arrays.fill(expected, true);
        assertArrayEquals(expected, all);
        assertEquals("t: masked-in zero count must be in [1, K*m*n = 8], got 9",
                decodeError(list(9, 2, 0xFF, 0x80), new double[8]));
        // gamma(1) = 1: Z = 1 lists entry 0
        boolean[] one = MaskedZeros.decode(cursor(list(1, 1, 0x80)), new double[3], "t");
        assertArrayEquals(new boolean[] {true, false, false}, one);
        assertEquals("t: 9 masked-in zeros need at least 9 bits, the list has 8",
                decodeError(list(9, 1, 0xFF), new double[1001]));
        assertEquals("t: 17 masked-in zeros need at least 17 bits, the list has 16",
                decodeError(list(17, 2, 0xFF, 0xFF), new double[1001]));
        // 31 zeros, the one bit, 31 zero bits: gap 2^31 -> entry -1 + 2^31; 63 bits and 1 pad bit in 8 bytes
        assertEquals("t, masked-in zero list: code 0 points at entry 2147483647, beyond K*m*n = 1001",
                decodeError(list(1, 8, 0, 0, 0, 0x01, 0, 0, 0, 0), new double[1001]));
    }
}
