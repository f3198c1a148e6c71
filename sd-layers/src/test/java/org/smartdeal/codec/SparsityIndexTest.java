package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SparsityIndexTest {

    @Test
    void costsAndChoiceByHand() {
        // 4 rows of n=3, only row 0 non-zero: ELEM 12 bits, VECTOR 4 + 3 = 7 bits.
        double[] c = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(12, SparsityIndex.bits(c, 3, IndexMode.ELEM));
        assertEquals(7, SparsityIndex.bits(c, 3, IndexMode.VECTOR));
        assertEquals(IndexMode.VECTOR, SparsityIndex.choose(c, 3));
        // every row non-zero: VECTOR 4 + 12 = 16 > 12.
        double[] dense = {1, 0, 0, 0, 2, 0, 0, 0, 4, 1, 1, 1};
        assertEquals(16, SparsityIndex.bits(dense, 3, IndexMode.VECTOR));
        assertEquals(IndexMode.ELEM, SparsityIndex.choose(dense, 3));
        // tie (n=1: VECTOR = rows + nzRows = 2 + 1 = 3 > ELEM 2; n=2, 1 of 2 rows: 2 + 2 = 4 = ELEM) -> ELEM
        assertEquals(IndexMode.ELEM, SparsityIndex.choose(new double[] {1, 0, 0, 0}, 2));
    }

    @Test
    void tiesKeepElemThenVectorThenRuns() {
        // n = 2, 15 rows, only row 0 non-zero: VECTOR = 15 + 2 = 17. RUNS: runs {0, 14}, Rice bits
        // (0 >> k) + (14 >> k) + 2(k+1) = 16, 11, 9, 9 for k = 0..3 -> k = 2, 9 bits; raw pattern
        // 2 bits (a one-symbol table costs 42): 5 + 9 + 1 + 2 = 17 = VECTOR -> VECTOR; ELEM = 30.
        double[] c = new double[30];
        c[1] = 1;
        assertEquals(17, SparsityIndex.bits(c, 2, IndexMode.VECTOR));
        assertEquals(17, SparsityIndex.bits(c, 2, IndexMode.RUNS));
        assertEquals(IndexMode.VECTOR, SparsityIndex.choose(c, 2));
        // n = 1, 16 rows, row 0 non-zero: ELEM 16; RUNS runs {0, 15}: 16+1=17, 7+4=11, 3+6=9, 1+8=9
        // -> 9 bits, raw pattern 1 bit: 5 + 9 + 1 + 1 = 16 = ELEM -> ELEM; VECTOR = 17.
        double[] d = new double[16];
        d[0] = -0.5;
        assertEquals(16, SparsityIndex.bits(d, 1, IndexMode.RUNS));
        assertEquals(IndexMode.ELEM, SparsityIndex.choose(d, 1));
        // 18 rows: runs {0, 17}: 19, 12, 10, 10 for k = 0..3 -> k = 2, 10 bits; RUNS = 5 + 10 + 1 + 1
        // = 17 < ELEM 18 < VECTOR 19 -> RUNS
        double[] e = new double[18];
        e[0] = 1;
        assertEquals(17, SparsityIndex.bits(e, 1, IndexMode.RUNS));
        assertEquals(IndexMode.RUNS, SparsityIndex.choose(e, 1));
    }

    @Test
    void bothModesRoundTrip() throws Exception {
        Random rnd = new Random(3);
        for (IndexMode mode : IndexMode.values()) {
            double[] c = new double[8 * 5 * 3];
            for (int row = 0; row < 40; row++) {
                if (rnd.nextInt(3) == 0) {
                    for (int j = 0; j < 3; j++) {
                        c[row * 3 + j] = rnd.nextBoolean() ? 1 : 0;
                    }
                    c[row * 3 + rnd.nextInt(3)] = -2;
                }
            }
            BitWriter w = new BitWriter();
            SparsityIndex.write(c, 3, mode, w);
            assertEquals(SparsityIndex.bits(c, 3, mode), w.bitLength());
            boolean[] nz = new boolean[c.length];
            long nnz = SparsityIndex.read(new BitReader(w.toByteArray(), "t"), 40, 3, mode, nz);
            boolean[] expected = new boolean[c.length];
            long nonZeros = 0;
            for (int i = 0; i < c.length; i++) {
                expected[i] = c[i] != 0;
                nonZeros += c[i] != 0 ? 1 : 0;
            }
            assertArrayEquals(expected, nz, mode.name());
            // the count read equals the non-zeros written (a round trip against the writer)
            assertTrue(nonZeros > 0);
            assertEquals(nonZeros, nnz, mode.name());
        }
    }

    @Test
    void vectorRowFlaggedButEmptyIsRejected() {
        BitWriter w = new BitWriter();
        w.writeBits(0b10, 2); // row 0 flagged, row 1 not
        w.writeBits(0b000, 3); // but row 0 has no non-zero
        assertThrows(SdmFormatException.class, () -> SparsityIndex.read(
                new BitReader(w.toByteArray(), "t"), 2, 3, IndexMode.VECTOR, new boolean[6]));
    }

    private static String readError(byte[] bytes, int rows, int n, IndexMode mode) {
        return assertThrows(SdmFormatException.class, () -> SparsityIndex.read(
                new BitReader(bytes, "t"), rows, n, mode, new boolean[rows * n])).getMessage();
    }

    /** Truncated ELEM and VECTOR indexes name the part and the bits (byte counts by hand; bits are MSB-first). */
    @Test
    void truncatedIndexesNameThePartAndTheBits() throws Exception {
        // ELEM of 4 x 3 = 12 entries in 1 byte
        assertEquals("t: ELEM index of 12 entries needs 12 bits but only 8 remain (truncated or corrupt data)",
                readError(new byte[] {(byte) 0xFF}, 4, 3, IndexMode.ELEM));
        // VECTOR of 12 rows: the flags alone do not fit 1 byte
        assertEquals("t: VECTOR index row flags of 12 rows needs 12 bits but only 8 remain (truncated or corrupt data)",
                readError(new byte[] {(byte) 0xFF}, 12, 1, IndexMode.VECTOR));
        // VECTOR of 4 rows of n = 3, flags 1100: 2 x 3 entry bits needed, 4 left in the byte
        assertEquals("t: VECTOR index entries of 2 non-zero rows needs 6 bits but only 4 remain (truncated or corrupt data)",
                readError(new byte[] {(byte) 0xC0}, 4, 3, IndexMode.VECTOR));
        // flags 1100, entries 100 010, 6 pad bits: 12 bits remain after the flags; 6 after the index fit, 7 do not
        byte[] b = {(byte) 0xC8, (byte) 0x80};
        SparsityIndex.VectorRows rows = SparsityIndex.readVectorRows(new BitReader(b, "t"), 4, 3, 6);
        assertEquals(2, rows.nonZeroRows());
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> SparsityIndex.readVectorRows(new BitReader(b, "t"), 4, 3, 7));
        assertEquals("t: VECTOR index entries of 2 non-zero rows and the 7 bits after the index needs 13 bits but only 12"
                + " remain (truncated or corrupt data)", e.getMessage());
        boolean[] nz = new boolean[12];
        assertEquals(2, SparsityIndex.read(new BitReader(b, "t"), 4, 3, IndexMode.VECTOR, nz));
        assertTrue(nz[0] && nz[4]);
    }

    /** The plan's size is the chosen mode's: the VECTOR/RUNS tie of 15 rows of n = 2 above is 17 bits. */
    @Test
    void planBitsAreTheChosenModesBits() {
        double[] c = new double[30];
        c[1] = 1;
        SparsityIndex.Plan plan = SparsityIndex.plan(c, 2);
        assertEquals(IndexMode.VECTOR, plan.mode());
        assertEquals(17, plan.bits());
        BitWriter w = new BitWriter();
        plan.write(w);
        assertEquals(17, w.bitLength());
    }
}
