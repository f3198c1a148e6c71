package org.smartdeal.hw.dl4j;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every HWMODEL.md 1.3 statistic on hand-made tensors; expected values are hand-computed in the comments. */
class ActStatsAccumulatorTest {

    @Test
    void quantisationIsSymmetricPerTensorRoundHalfAway() {
        // s = max|x|/127 = 3/127; x = 1 -> 42.33 -> 42; 2 -> 84.67 -> 85; -3 -> -127
        float s = ActStatsAccumulator.scale(new float[] {0, 1, 2, -3});
        assertEquals(3f / 127f, s, 1e-9);
        assertEquals(42, ActStatsAccumulator.quantise(1, s));
        assertEquals(85, ActStatsAccumulator.quantise(2, s));
        assertEquals(-127, ActStatsAccumulator.quantise(-3, s));
        assertEquals(1, ActStatsAccumulator.quantise(0.5f, 1f));   // half away from zero
        assertEquals(-1, ActStatsAccumulator.quantise(-0.5f, 1f));
        assertEquals(0, ActStatsAccumulator.quantise(5f, 0f));     // all-zero tensor: s = 0
    }

    /** A NaN scale would quantise every value to 0: non-finite values are refused, the first one named. */
    @Test
    void nonFiniteValuesHaveNoInt8Value() {
        var e = assertThrows(IllegalArgumentException.class,
            () -> ActStatsAccumulator.scale(new float[] {1, 2, Float.NaN, Float.POSITIVE_INFINITY}, "input of fc"));
        assertEquals("input of fc: value [2] of 4 is NaN; int8 quantisation needs finite values", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> ActStatsAccumulator.scale(new float[] {0, Float.NEGATIVE_INFINITY}));
        assertEquals("the tensor: value [1] of 2 is -Infinity; int8 quantisation needs finite values", e.getMessage());
        ActStatsAccumulator a = new ActStatsAccumulator(LayerSpec.fc("fc", LayerType.FC, 2, 4, true), 8, 16, 8, 4);
        e = assertThrows(IllegalArgumentException.class, () -> a.add(new float[] {0, 1, Float.NaN, 3}, 1));
        assertEquals("ActStatsAccumulator(fc): input: value [2] of 4 is NaN; int8 quantisation needs finite values",
            e.getMessage());
        assertEquals(0, a.images(), "nothing was added");
    }

    @Test
    void fcLayerStatistics() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 2, 4, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 16, 8, 4);
        a.add(new float[] {0, 1, 2, -3}, 1); // q = [0, 42, 85, -127]
        ActStats st = a.stats(0.25);
        assertEquals(0.75, st.dA(), 1e-12);             // 3 of 4 non-zero
        // popcount: 42 = 101010b -> 3, 85 = 1010101b -> 4, |-127| = 1111111b -> 7: (0+3+4+7)/4
        assertEquals(3.5, st.bitsRaw(), 1e-12);
        // Booth digits: 42 = -2 - 4 - 16 + 64 -> 4; 85 = 1 + 4 + 16 + 64 -> 4; -127 = 10000001b = 1 - 2*64 -> 2
        assertEquals(2.5, st.boothDig(), 1e-12);
        // FC: a segment is one value (W = 1, columns beyond count as zero): 1 of 4 is zero
        assertEquals(0.25, st.rowZero(), 1e-12);
        // tSD over the 3 non-zero segments (S = 1): max(1, digits) = 4, 4, 2
        assertEquals(10.0 / 3, st.tSD(), 1e-12);
        // Bit-pragmatic oneffsets (ActStats.oneffsets): 42 and 85 have no run of three ones -> 3 and 4 terms; 127 = 128 - 1
        // -> 2. praTerms (0+3+4+2)/4; one pixel, one brick of 4 channels: tPRA = max 4
        assertEquals(9.0 / 4, st.praTerms(), 1e-12);
        assertEquals(4, st.tPRA(), 1e-12);
        assertEquals(0.25, st.dOut(), 0);
        assertNull(st.scnn());
    }

    @Test
    void convRowSegmentsBoothSyncBricksAndScnnTiles() {
        // 3x3 conv, C = M = 1, input 3 x 10, pad 1, stride 1 -> E = 3, F = 10; dimF = 4, brick 16, PE grid 2x2
        LayerSpec l = LayerSpec.conv("c", LayerType.CONV, 1, 1, 3, 3, 10, 1, 1, 1);
        ActStatsAccumulator a = new ActStatsAccumulator(l, 4, 16, 2, 1);
        int[] q = new int[30];
        q[10] = 3;       // row 1, col 0
        q[20 + 5] = -1;  // row 2, col 5
        q[20 + 9] = 7;   // row 2, col 9
        a.addQuantised(q, 1);
        ActStats st = a.stats(1);
        assertEquals(0.1, st.dA(), 1e-12);                 // 3 of 30
        assertEquals((2 + 1 + 3) / 30.0, st.bitsRaw(), 1e-12);  // popcount 3 -> 2, |-1| -> 1, 7 -> 3
        // Booth: 3 = -1 + 4 -> 2; -1 = 11111111b -> 1; 7 = -1 + 2*4 -> 2
        assertEquals((2 + 1 + 2) / 30.0, st.boothDig(), 1e-12);
        // seg = ceil(10/4) = 3 per row, span (4-1)*1 + 3 = 6 padded columns: real cols [-1,4], [3,8], [7,12]
        // row 0: 3 zero; row 1 (col 0): j=1, j=2 zero; row 2 (cols 5, 9): j=0 zero -> 6 of 9
        assertEquals(6.0 / 9, st.rowZero(), 1e-12);
        // tSD, per non-zero segment and s = 0..2 (cols (4j+k)+s-1, k < 4):
        // row1 j0: s0 cols -1..2 -> 2, s1 cols 0..3 -> 2, s2 cols 1..4 -> max(1,0) = 1  (5)
        // row2 j1: col 5 in all three windows -> 1, 1, 1                                 (3)
        // row2 j2: col 9 in all three windows -> 2, 2, 2                                 (6)
        assertEquals(14.0 / 9, st.tSD(), 1e-12);
        // oneffsets: 3 = 2 + 1 -> 2, |-1| -> 1, 7 = 8 - 1 -> 2; tPRA: 30 pixels, one channel each: 27 x 1 + 2, 1, 2
        assertEquals((2 + 1 + 2) / 30.0, st.praTerms(), 1e-12);
        assertEquals(32.0 / 30, st.tPRA(), 1e-12);
        // SCNN 2x2 grid: th = ceil(3/2) = 2, tw = ceil(10/2) = 5; (1,0) -> PE 0; (2,5), (2,9) -> PE (1,1) = 3
        assertArrayEquals(new double[] {1, 0, 0, 2}, st.scnn().meanNnz(), 0);
        assertArrayEquals(new double[] {2}, st.scnn().meanMaxSteps(), 0); // I = 1: the slowest tile's count
    }

    /**
     * The row segments follow the column padding: a 1 x 3 kernel padded 0 rows and 1 column (a Same convolution) on
     * the input of the test above reads the same column windows as its 3 x 3 kernel padded 1 on each side, so its
     * rowZero and tSD are the hand values there (6/9 and 14/9); with the columns unpadded they would differ.
     */
    @Test
    void rowSegmentsUseTheColumnPadding() {
        LayerSpec l = new LayerSpec("c1x3", LayerType.CONV, 1, 1, 1, 1, 1, 3, 3, 10, 3, 10, 1, 0, 1, true, 1);
        ActStatsAccumulator a = new ActStatsAccumulator(l, 4, 16, 2, 1);
        int[] q = new int[30];
        q[10] = 3;
        q[20 + 5] = -1;
        q[20 + 9] = 7;
        a.addQuantised(q, 1);
        ActStats st = a.stats(1);
        assertEquals(6.0 / 9, st.rowZero(), 1e-12);
        assertEquals(14.0 / 9, st.tSD(), 1e-12);
    }

    @Test
    void scnnTileMaximaAreTakenPerImageBeforeAveraging() {
        // 1x1 conv, C = M = 1, input 4 x 4, PE grid 2x2 (2x2 pixels per tile), I = 2. Image A has its
        // four non-zeros in tile 0, image B in tile 3.
        LayerSpec l = LayerSpec.conv("c", LayerType.CONV, 1, 1, 1, 4, 4, 1, 0, 1);
        ActStatsAccumulator a = new ActStatsAccumulator(l, 2, 16, 2, 2);
        int[] q = new int[32];
        for (int i : new int[] {0, 1, 4, 5}) q[i] = 5;
        for (int i : new int[] {10, 11, 14, 15}) q[16 + i] = 5;
        a.addQuantised(q, 2);
        ActStats.ScnnTiles st = a.stats(1).scnn();
        assertArrayEquals(new double[] {2, 0, 0, 2}, st.meanNnz(), 0);
        // each image waits ceil(4 / 2) = 2 steps for its slowest tile; the maximum of the averaged counts
        // would give ceil(2 / 2) = 1
        assertArrayEquals(new double[] {2}, st.meanMaxSteps(), 0);
        assertEquals(2, st.grid());
        assertEquals(2, st.inputsPerStep());
    }

    @Test
    void stridedConvSegmentsUseTheStride() {
        // 1x1 conv stride 2, input 1 x 8 -> F = 4; dimF = 2: seg = 2, span (2-1)*2 + 1 = 3: cols [0,3), [4,7)
        LayerSpec l = new LayerSpec("s2", LayerType.CONV, 1, 1, 1, 1, 1, 1, 1, 8, 1, 4, 2, 0, 1, true);
        ActStatsAccumulator a = new ActStatsAccumulator(l, 2, 16, 8, 4);
        a.addQuantised(new int[] {0, 0, 0, 5, 0, 0, 0, 0}, 1); // col 3 lies between the spans
        ActStats st = a.stats(1);
        assertEquals(1.0 * 0.999, st.rowZero(), 1e-12); // both segments zero -> 1, clamped to 0.999
        assertEquals(1, st.tSD(), 0);                    // no non-zero segment
    }

    @Test
    void minibatchesAccumulateWithTheirOwnScale() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 2, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 16, 8, 4);
        a.add(new float[] {0, 1}, 1);    // q = [0, 127]
        a.add(new float[] {10, 20}, 1);  // s = 20/127: q = [64 (63.5 rounds up), 127]
        ActStats st = a.stats(1);
        assertEquals(0.75, st.dA(), 1e-12);
        // popcount 127 -> 7, 64 -> 1, 127 -> 7: 15/4
        assertEquals(15.0 / 4, st.bitsRaw(), 1e-12);
        // oneffsets 127 = 128 - 1 -> 2, 64 -> 1, 127 -> 2: 5/4
        assertEquals(5.0 / 4, st.praTerms(), 1e-12);
        assertEquals(2, a.images());
    }

    @Test
    void allZeroInputGivesZeroDensityAndUnitSyncCycles() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 3, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 16, 8, 4);
        a.add(new float[3], 1);
        ActStats st = a.stats(0);
        assertEquals(0, st.dA(), 0);
        assertEquals(1, st.tSD(), 0);
        assertEquals(1, st.tPRA(), 0);
        assertEquals(0, st.praTerms(), 0);
    }

    /**
     * Bit-pragmatic's statistics count oneffsets (runs of ones recoded), not set bits. FC, C = 4, brick 2, two images:
     * image 0 q = [127, 119, -117, 0], image 1 q = [28, 0, 5, -128]. Oneffsets (ActStats.oneffsets): 127 = 128 - 1 -> 2,
     * 119 = 128 - 8 - 1 -> 3, 117 = 128 - 8 - 2 - 1 -> 4, 0 -> 0; 28 = 32 - 4 -> 2, 0 -> 0, 5 = 4 + 1 -> 2, 128 -> 1.
     * praTerms = (2 + 3 + 4 + 0 + 2 + 0 + 2 + 1) / 8 = 14/8. Bricks: image 0 (127, 119) -> 3, (117, 0) -> 4; image 1
     * (28, 0) -> 2, (5, 128) -> 2: tPRA = 11/4. With popcounts (7, 6, 5, 0; 3, 0, 2, 1) the bricks would be 7, 5, 3,
     * 2 (tPRA 17/4), and bitsRaw stays the popcount mean 24/8.
     */
    @Test
    void bitPragmaticStatisticsCountOneffsets() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 4, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 2, 8, 4);
        a.addQuantised(new int[] {127, 119, -117, 0, 28, 0, 5, -128}, 2);
        ActStats st = a.stats(1);
        assertEquals(14.0 / 8, st.praTerms(), 1e-12);
        assertEquals(11.0 / 4, st.tPRA(), 1e-12);
        assertEquals(24.0 / 8, st.bitsRaw(), 1e-12);
    }

    @Test
    void badInputsAreRejectedNamingSizes() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 3, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 16, 8, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> a.add(new float[4], 1));
        assertTrue(e.getMessage().contains("4 values") && e.getMessage().contains("fc"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.stats(1));
        assertThrows(IllegalArgumentException.class, () -> new ActStatsAccumulator(fc, 0, 16, 8, 4));
    }

    /**
     * HWMODEL.md 1.3 computed literally on a 4-D array q[n][c][h][w], apart from the accumulator's flat-index loops: rowZero
     * over the (n, c, h, j) segments, each the padded column span [j dimF U, j dimF U + (dimF-1) U + (S-1) dil + 1);
     * tSD over the non-zero segments and kernel columns s of max(1, max over k < dimF of the Booth digits at padded column
     * (j dimF + k) U + s dil); tPRA over (n, h, w, brick) of max(1, max oneffsets |q|); the SCNN tile of pixel (y, x) is
     * (min(G-1, y / (U ceil(E/G))), min(G-1, x / (U ceil(F/G)))), counted per image and channel.
     *
     * @return {rowZero (unclamped), tSD, tPRA, meanNnz..., meanMaxSteps...}
     */
    private static double[] naive(LayerSpec l, int[][][][] q, int dimF, int brick, int grid, int inputs) {
        int n = q.length, c = l.c(), h = l.h(), w = l.w(), u = l.stride();
        double segs = 0, zero = 0, tsd = 0, tsdN = 0, pra = 0, praN = 0;
        for (int[][][] img : q)
            for (int[][] plane : img)
                for (int[] row : plane)
                    for (int j = 0; j * dimF < l.f(); j++) {
                        int lo = j * dimF * u, hi = lo + (dimF - 1) * u + (l.s() - 1) * l.dil() + 1;
                        boolean allZero = true;
                        for (int p = lo; p < hi; p++) allZero &= at(row, p - l.padW()) == 0;
                        segs++;
                        if (allZero) { zero++; continue; }
                        for (int s = 0; s < l.s(); s++) {
                            int mx = 1;
                            for (int k = 0; k < dimF; k++)
                                mx = Math.max(mx, ActStats.boothDigits(at(row, (j * dimF + k) * u + s * l.dil() - l.padW())));
                            tsd += mx;
                            tsdN++;
                        }
                    }
        for (int[][][] img : q)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int b = 0; b < c; b += brick) {
                        int mx = 1;
                        for (int ch = b; ch < c && ch < b + brick; ch++) mx = Math.max(mx, ActStats.oneffsets(Math.abs(img[ch][y][x])));
                        pra += mx;
                        praN++;
                    }
        int th = -Math.floorDiv(-l.e(), grid), tw = -Math.floorDiv(-l.f(), grid);
        double[] out = new double[3 + c * grid * grid + c];
        out[0] = zero / segs;
        out[1] = tsdN == 0 ? 1 : tsd / tsdN;
        out[2] = pra / praN;
        for (int[][][] img : q)
            for (int ch = 0; ch < c; ch++) {
                int[][] tiles = new int[grid][grid];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        if (img[ch][y][x] != 0) tiles[Math.min(grid - 1, y / (u * th))][Math.min(grid - 1, x / (u * tw))]++;
                int mx = 0;
                for (int py = 0; py < grid; py++)
                    for (int px = 0; px < grid; px++) {
                        out[3 + ch * grid * grid + py * grid + px] += tiles[py][px] / (double) n;
                        mx = Math.max(mx, tiles[py][px]);
                    }
                out[3 + c * grid * grid + ch] += Math.ceil(mx / (double) inputs) / n;
            }
        return out;
    }

    private static int at(int[] row, int col) {
        return col >= 0 && col < row.length ? row[col] : 0;
    }

    /**
     * Several images and channels, stride 2, dilation 2, column padding (one layer padded one column more after its
     * input than before, DL4J's Same split), bricks narrower than C and input rows past the last SCNN tile (clamped into
     * it): the accumulator against {@link #naive} on seeded random int8 tensors, some rows all zero.
     */
    @Test
    void statisticsMatchTheLiteralDefinitionsOnStridedDilatedMultiChannelInputs() {
        LayerSpec[] layers = {
            // 3x3 stride 2 unpadded: 9 x 13 -> 4 x 6; row 8 and column 12 lie past the windows of the last output, and on
            // the 2 x 2 PE grid (tiles of 2 x 3 outputs, 4 x 6 input pixels) past the last tile, into which they are clamped
            new LayerSpec("s2", LayerType.CONV, 1, 2, 3, 1, 3, 3, 9, 13, 4, 6, 2, 0, 1, true),
            // 3x3 dilation 2 padded 2: 6 x 10 -> 6 x 10
            new LayerSpec("d2", LayerType.CONV, 1, 2, 2, 1, 3, 3, 6, 10, 6, 10, 1, 2, 2, true),
            // 1 x 3, stride 2, columns padded 1: 5 x 12 -> 3 x 6
            new LayerSpec("c1x3", LayerType.CONV, 1, 4, 5, 1, 1, 3, 5, 12, 3, 6, 2, 0, 1, true, 1),
            // 3 x 3, stride 2, Same on 6 x 12 -> 3 x 6: need 1 on both axes, DL4J's split 0 before and 1 after (padW 0)
            new LayerSpec("same", LayerType.CONV, 1, 2, 3, 1, 3, 3, 6, 12, 3, 6, 2, 0, 1, true, 0)};
        int[][] settings = {{4, 2, 2, 2}, {3, 16, 2, 3}, {2, 3, 3, 1}, {4, 2, 2, 2}}; // dimF, brick, grid, I
        java.util.Random rnd = new java.util.Random(20261206);
        for (int t = 0; t < layers.length; t++) {
            LayerSpec l = layers[t];
            int dimF = settings[t][0], brick = settings[t][1], grid = settings[t][2], inputs = settings[t][3], n = 3;
            int[][][][] q = new int[n][l.c()][l.h()][l.w()];
            int[] flat = new int[n * l.c() * l.h() * l.w()];
            int i = 0;
            for (int[][][] img : q)
                for (int[][] plane : img)
                    for (int[] row : plane) {
                        boolean empty = rnd.nextInt(4) == 0;
                        for (int x = 0; x < row.length; x++) {
                            row[x] = empty || rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(256) - 128;
                            flat[i++] = row[x];
                        }
                    }
            ActStatsAccumulator a = new ActStatsAccumulator(l, dimF, brick, grid, inputs);
            a.addQuantised(flat, n);
            ActStats st = a.stats(1);
            double[] want = naive(l, q, dimF, brick, grid, inputs);
            int cg = l.c() * grid * grid;
            assertEquals(want[0], st.rowZero(), 1e-12, l.id() + " rowZero");
            assertEquals(want[1], st.tSD(), 1e-12, l.id() + " tSD");
            assertEquals(want[2], st.tPRA(), 1e-12, l.id() + " tPRA");
            double terms = 0;
            for (int v : flat) terms += ActStats.oneffsets(Math.abs(v));
            assertEquals(terms / flat.length, st.praTerms(), 1e-12, l.id() + " praTerms");
            assertArrayEquals(java.util.Arrays.copyOfRange(want, 3, 3 + cg), st.scnn().meanNnz(), 1e-12, l.id() + " scnn nnz");
            assertArrayEquals(java.util.Arrays.copyOfRange(want, 3 + cg, want.length), st.scnn().meanMaxSteps(), 1e-12,
                l.id() + " scnn steps");
            assertTrue(want[0] > 0 && want[0] < 1 && want[1] > 1, l.id() + ": both kinds of segment occur");
        }
    }

    @Test
    void bricksEndAtTheLastChannel() {
        // FC with C = 32 and brick 16: exactly two bricks per image. Image 0: channel 3 = 7 (oneffsets 2: 8 - 1), channel
        // 20 = 1; image 1: all zero -> bricks (2, 1) and (1, 1): tPRA = 5 / 4. A third, empty brick at channel 32 would add
        // a 1.
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 32, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 16, 8, 4);
        int[] q = new int[64];
        q[3] = 7;
        q[20] = 1;
        a.addQuantised(q, 2);
        assertEquals(5.0 / 4, a.stats(1).tPRA(), 1e-12);
        assertEquals(2, a.images());
        assertEquals(fc, a.layer());
    }

    @Test
    void eachSettingMustBeAtLeastOne() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 3, true);
        int[][] bad = {{0, 16, 8, 4}, {8, 0, 8, 4}, {8, 16, 0, 4}, {8, 16, 8, 0}};
        for (int[] b : bad) {
            var e = assertThrows(IllegalArgumentException.class, () -> new ActStatsAccumulator(fc, b[0], b[1], b[2], b[3]));
            assertEquals("ActStatsAccumulator(fc): dimF, brick, grid and scnnI must be >= 1, got " + b[0] + ", " + b[1] + ", "
                + b[2] + ", " + b[3], e.getMessage());
        }
        // 1 is allowed for each: one value per segment, one channel per brick, one PE, one input per step
        ActStatsAccumulator one = new ActStatsAccumulator(fc, 1, 1, 1, 1);
        one.addQuantised(new int[] {0, 3, -1}, 1);
        assertEquals((1 + 2 + 1) / 3.0, one.stats(1).tPRA(), 1e-12); // max(1, oneffsets) per channel: 1, 2 (3 = 2 + 1), 1
    }

    @Test
    void quantisedInputOfTheWrongLengthIsRefusedNamingTheNeed() {
        LayerSpec l = LayerSpec.conv("c", LayerType.CONV, 1, 2, 3, 4, 5, 1, 1, 1);
        ActStatsAccumulator a = new ActStatsAccumulator(l, 8, 16, 8, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> a.addQuantised(new int[40], 2));
        // n*C*H*W = 2*2*4*5 = 80
        assertEquals("ActStatsAccumulator(c): input has 40 values, layer needs n*C*H*W = 80", e.getMessage());
    }

    /**
     * Round half away from zero of the float just below 0.5 (0.5 - 2^-25) is 0. Adding 0.5f in float rounds that sum,
     * 1 - 2^-25, up to 1.0f, which quantised it to 1; a tensor whose maximum is 127 (s = 1) and that holds it had
     * density 1 instead of 0.5.
     */
    @Test
    void theFloatJustBelowOneHalfQuantisesToZero() {
        float below = Math.nextDown(0.5f);
        assertEquals(0.5f - 0x1p-25f, below, 0);
        assertEquals(0, ActStatsAccumulator.quantise(below, 1f));
        assertEquals(0, ActStatsAccumulator.quantise(-below, 1f));
        assertEquals(1, ActStatsAccumulator.quantise(0.5f, 1f));
        assertEquals(1, ActStatsAccumulator.quantise(Math.nextDown(1.5f), 1f)); // 1.4999999 -> 1
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 1, 2, true);
        ActStatsAccumulator a = new ActStatsAccumulator(fc, 8, 16, 8, 4);
        a.add(new float[] {127f, below}, 1); // s = 127 / 127 = 1: q = [127, 0]
        assertEquals(0.5, a.stats(1).dA(), 0);
    }
}
