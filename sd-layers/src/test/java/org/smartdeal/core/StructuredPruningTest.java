package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Vector-wise pruning and the BN-gamma mask (ALGORITHMS.md 3.1, 3.2) on hand-made arrays. */
class StructuredPruningTest {

    @Test
    void vectorWiseZeroesTheLowestSummedRowPositionsPerBlock() {
        // nOut = 3, nIn = 2, kh = 2, kw = 2: each filter has rows r = ci*2 + y, 4 rows of 2.
        // groupSize 2: block {0, 1} and block {2}. ratio 0.5 -> ceil(0.5 * 4) = 2 rows per block.
        float[] w = {
            // filter 0: rows 0..3
            1, 1, 0.1f, 0.1f, 5, 0, -0.2f, 0,
            // filter 1
            1, -1, 0.1f, 0, 0, 0.1f, 3, 0,
            // filter 2
            0, 0, 9, 9, 0.5f, 0, 0.1f, 0.1f,
        };
        float[] before = w.clone();
        float[] out = new float[w.length];
        long zeroed = StructuredPruning.vectorWise(w, 3, 2, 2, 2, 0.5, 2, out);
        assertArrayEquals(before, w, "input not modified");
        // Block {0,1}: row sums 0: 2+2 = 4, 1: 0.2+0.1 = 0.3, 2: 5+0.1 = 5.1, 3: 0.2+3 = 3.2.
        // Lowest two: rows 1 and 3. Block {2}: sums 0, 18, 0.5, 0.2 -> rows 0 and 3.
        float[] expected = {
            1, 1, 0, 0, 5, 0, 0, 0,
            1, -1, 0, 0, 0, 0.1f, 0, 0,
            0, 0, 9, 9, 0.5f, 0, 0, 0,
        };
        assertArrayEquals(expected, out);
        assertEquals(2 * 2 + 2 * 1, zeroed);
    }

    @Test
    void oneByOneConvPrunesInputChannelsPerBlock() {
        // nOut = 2, nIn = 5, 1x1: a vector is one input channel's weight. ratio 0.3 -> ceil(1.5) = 2.
        double[] w = {0.5, -0.1, 2, 0.05, 1, -0.4, 0.2, 1, 0.1, -3};
        double[] out = new double[w.length];
        StructuredPruning.vectorWise(w, 2, 5, 1, 1, 0.3, 32, out);
        // Channel sums: 0.9, 0.3, 3, 0.15, 4 -> channels 3 and 1 are zeroed in both filters.
        assertArrayEquals(new double[] {0.5, 0, 2, 0, 1, -0.4, 0, 1, 0, -3}, out);
    }

    /**
     * Rows of the slice layout of a 1x1 conv or dense layer: nOut = 2 filters of length 7 in rows of width 3
     * ([0, 3), [3, 6), [6, 7)). Row sums over the block by hand: row 0 |0.5|+|-0.1|+|2| + |-0.4|+|0.2|+|1| = 4.2,
     * row 1 0.05+1+0.3 + 0.1+3+0.2 = 4.65, row 2 (one weight) 0.7 + 0.6 = 1.3; ratio 0.34 zeroes ceil(1.02) = 2 rows:
     * rows 2 and 0.
     */
    @Test
    void flatRowsOfTheSliceLayoutArePrunedWhole() {
        float[] w = {0.5f, -0.1f, 2f, 0.05f, 1f, -0.3f, 0.7f, -0.4f, 0.2f, 1f, 0.1f, -3f, 0.2f, 0.6f};
        float[] out = new float[w.length];
        assertEquals(4, StructuredPruning.vectorWiseRows(w, 2, 7, 3, 0.34, 32, out));
        assertArrayEquals(new float[] {0, 0, 0, 0.05f, 1f, -0.3f, 0, 0, 0, 0, 0.1f, -3f, 0.2f, 0}, out);
        // a row wider than the filter is the whole filter
        assertEquals(2, StructuredPruning.vectorWiseRows(w, 2, 7, 9, 1.0, 32, out));
        assertThrows(IllegalArgumentException.class, () -> StructuredPruning.vectorWiseRows(w, 2, 7, 0, 0.5, 32, out));
    }

    @Test
    void ratioBoundsAndTiesAreExact() {
        assertEquals(3, StructuredPruning.rowsToPrune(0.3, 10));
        assertEquals(0, StructuredPruning.rowsToPrune(0.0, 10));
        assertEquals(10, StructuredPruning.rowsToPrune(1.0, 10));
        assertEquals(1, StructuredPruning.rowsToPrune(0.01, 10));
        // Equal scores: the lower row index goes first.
        float[] w = {1, 1, 1, 1};
        float[] out = new float[4];
        StructuredPruning.vectorWise(w, 1, 4, 1, 1, 0.5, 32, out);
        assertArrayEquals(new float[] {0, 0, 1, 1}, out);
        // In place.
        StructuredPruning.vectorWise(w, 1, 4, 1, 1, 0.25, 32, w);
        assertArrayEquals(new float[] {0, 1, 1, 1}, w);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWise(new float[4], 1, 4, 1, 1, 1.5, 32, new float[4]));
        assertEquals("StructuredPruning.vectorWise.ratio must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWise(new float[5], 1, 4, 1, 1, 0.5, 32, new float[5]));
        assertTrue(e.getMessage().contains("must both be 4"));
    }

    @Test
    void bnGammaMaskZeroesChannelsBelowThresholdAndCountsThem() {
        // 0.25 equals the threshold exactly and is kept (only |gamma| < threshold is masked).
        float[] gamma = {0.5f, -0.001f, 0.25f, 0.0f, -0.3f};
        StructuredPruning.ChannelMask mask = StructuredPruning.bnGammaMask(gamma, 0.25);
        assertArrayEquals(new boolean[] {true, false, true, false, true}, mask.keep());
        assertEquals(2, mask.removed());
        float[] w = new float[5 * 2];
        java.util.Arrays.fill(w, 1f);
        float[] out = new float[w.length];
        assertEquals(2, StructuredPruning.maskOutputChannels(w, mask, out));
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, out);
        assertEquals(1f, w[2], "input not modified");
        assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.bnGammaMask(gamma, -1));
    }

    @Test
    void zeroRowsOfWGiveExactZeroRowsOfC() {
        float[] w = new float[8 * 4 * 9];
        java.util.Random rnd = new java.util.Random(4);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        float[] pruned = new float[w.length];
        StructuredPruning.vectorWise(w, 8, 4, 3, 3, 0.5, 32, pruned);
        try (Decomposer dec = new Decomposer(DecompositionConfig.defaults().withThreads(1))) {
            LayerDecomposition d = dec.decompose(SliceLayout.conv(8, 4, 3, 3), pruned)
                    .decomposition();
            for (int i = 0; i < pruned.length; i += 3) {
                if (pruned[i] == 0 && pruned[i + 1] == 0 && pruned[i + 2] == 0) {
                    // Conv 3x3: packed C has the same order as W (one slice per filter here).
                    assertEquals(0f, d.c()[i]);
                    assertEquals(0f, d.c()[i + 1]);
                    assertEquals(0f, d.c()[i + 2]);
                }
            }
        }
    }

    @Test
    void doubleVectorWiseMatchesTheHandComputedFloatCase() {
        // The weights of vectorWiseZeroesTheLowestSummedRowPositionsPerBlock as doubles: same rows zeroed, same count.
        double[] w = {1, 1, 0.1, 0.1, 5, 0, -0.2, 0, 1, -1, 0.1, 0, 0, 0.1, 3, 0, 0, 0, 9, 9, 0.5, 0, 0.1, 0.1};
        double[] out = new double[w.length];
        assertEquals(2 * 2 + 2 * 1, StructuredPruning.vectorWise(w, 3, 2, 2, 2, 0.5, 2, out));
        assertArrayEquals(new double[] {1, 1, 0, 0, 5, 0, 0, 0, 1, -1, 0, 0, 0, 0.1, 0, 0, 0, 0, 9, 9, 0.5, 0, 0, 0},
                out);
    }

    @Test
    void eachBlockIsScoredOnItsOwn() {
        // groupSize 1: every filter is its own block (ALGORITHMS.md 3.1 sums scores within a block only).
        // Filter 0 rows (L1) 10, 1 -> row 1 goes; filter 1 rows 1, 2 -> row 0 goes (summed over both blocks it
        // would be row 1 again: 11 vs 3).
        float[] w = {10, 1, 1, 2};
        float[] out = new float[4];
        assertEquals(2, StructuredPruning.vectorWise(w, 2, 2, 1, 1, 0.5, 1, out));
        assertArrayEquals(new float[] {10, 0, 0, 2}, out);
        float[] rows = new float[4];
        assertEquals(2, StructuredPruning.vectorWiseRows(w, 2, 2, 1, 0.5, 1, rows), "rows of width 1");
        assertArrayEquals(new float[] {10, 0, 0, 2}, rows);
    }

    @Test
    void smallestValidArgumentsAreAcceptedAndTheNextOnesRefusedByName() {
        // nOut, nIn, kh, kw, groupSize >= 1, ratio in [0, 1], width >= 1: the minimum of each is accepted.
        float[] one = {2f};
        float[] out = new float[1];
        assertEquals(0, StructuredPruning.vectorWise(one, 1, 1, 1, 1, 0.0, 1, out), "ratio 0 prunes nothing");
        assertArrayEquals(new float[] {2f}, out);
        assertEquals(1, StructuredPruning.vectorWiseRows(one, 1, 1, 1, 1.0, 1, out), "ratio 1 prunes everything");
        assertArrayEquals(new float[] {0f}, out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWise(new float[1], 0, 1, 1, 1, 0.5, 1, new float[1]));
        assertEquals("StructuredPruning.vectorWise: nOut, nIn, kh, kw must each be >= 1, got [0, 1, 1, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWise(new float[1], 1, 1, 1, 1, 0.5, 0, new float[1]));
        assertEquals("StructuredPruning.vectorWise.groupSize must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWise(new float[1], 1, 1, 1, 1, -0.01, 1, new float[1]));
        assertEquals("StructuredPruning.vectorWise.ratio must be in [0, 1], got -0.01", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWise(new double[4], 1, 2, 1, 2, 1.5, 1, new double[4]));
        assertEquals("StructuredPruning.vectorWise.ratio must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWiseRows(new float[14], 2, 7, 3, 0.5, 0, new float[14]));
        assertEquals("StructuredPruning.vectorWiseRows.groupSize must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StructuredPruning.vectorWiseRows(new float[14], 2, 7, 0, 0.5, 1, new float[14]));
        assertEquals("StructuredPruning.vectorWiseRows.width must be >= 1, got 0", e.getMessage());
        // Threshold 0 masks nothing, not even gamma = 0 (only |gamma| < threshold is masked).
        StructuredPruning.ChannelMask m = StructuredPruning.bnGammaMask(new float[] {0f, -1f}, 0.0);
        assertArrayEquals(new boolean[] {true, true}, m.keep());
        assertEquals(0, m.removed());
    }
}
