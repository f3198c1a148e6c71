package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
            SparsityIndex.read(new BitReader(w.toByteArray(), "t"), 40, 3, mode, nz);
            boolean[] expected = new boolean[c.length];
            for (int i = 0; i < c.length; i++) {
                expected[i] = c[i] != 0;
            }
            assertArrayEquals(expected, nz, mode.name());
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
}
