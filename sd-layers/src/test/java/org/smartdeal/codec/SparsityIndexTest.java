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
