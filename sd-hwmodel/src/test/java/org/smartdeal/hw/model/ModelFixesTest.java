package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand calculations for fixes 10-16, 22, 25, 40 and 41 of docs/HWMODEL-RESULTS.md ("Fixes to HWMODEL.md made in code").
 * Fix 10 (psums) is checked against the tile-by-tile simulator in {@link BruteForceCountsTest}.
 */
class ModelFixesTest {
    static final ArchSpec ARCH = ArchSpec.paper();
    static final ActStats ACT = new ActStats(0.5, 1.6, 1.4, 0.25, 2.5, 5, 1.2, 0.5, null);
    /** ACT at ResNet-50 stage 2's fitted density, 0.478. */
    static final ActStats ACT_478 = new ActStats(0.478, 1.6, 1.4, 0.25, 2.5, 5, 1.2, 0.5, null);
    /** Depthwise 3x3 stride 2, 48 channels, 14x14 -> 7x7: 48 * 49 * 9 = 21,168 MACs. */
    static final LayerSpec DW = LayerSpec.conv("dw", LayerType.DWCONV, 48, 48, 3, 14, 14, 2, 1, 1);

    @Test
    void dilatedKernelRowsAreTheUnionOfTheirBlocks() {
        // fix 11: one output row of a 3x3 kernel at dilation 18 reads rows 0, 18 and 36: 3 rows, not 37
        assertEquals(3, TilingSearch.span(1, 1, 3, 18));
        // two output rows: blocks {0,1}, {18,19}, {36,37}: 6 rows
        assertEquals(6, TilingSearch.span(2, 1, 3, 18));
        // 23 output rows: the blocks overlap, the padded span (23 - 1) + 36 + 1 = 59
        assertEquals(59, TilingSearch.span(23, 1, 3, 18));
        // no dilation: HWMODEL.md 2.1's (n - 1)U + R
        assertEquals(7, TilingSearch.span(5, 1, 3, 1));
        assertEquals(11, TilingSearch.span(5, 2, 3, 1));
    }

    @Test
    void untiledDilatedLayerMovesItsInputOnce() {
        // invariant 4.1.6 for a dilated layer (3x3, dilation 6, pad 6, 12x12, 64 -> 8 channels): all fits
        LayerSpec l = LayerSpec.conv("d6", LayerType.CONV, 8, 64, 3, 12, 12, 1, 6, 6);
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, ARCH);
        assertEquals(l.iSize(), t.iBytes(), 1e-9);
        assertEquals(l.wSize() + l.iSize() + l.oSize(), t.dramBytes(), 1e-9);
    }

    @Test
    void tilesReadTheirRealInputRowsOnly() {
        // fix 22, DeepLabV3+ aspp_d12 (3x3, dilation 12, pad 12, 23 rows) in t = 4 tiles of 6, 6, 6, 5 rows:
        // blocks of 6 rows at -12, 0, 12 -> 0 + 6 + 6; at -6, 6, 18 -> 0 + 6 + 5 (rows 18-22); at 0, 12, 24
        // -> 6 + 6 + 0; 5-row blocks at 6, 18, 30 -> 5 + 5 + 0: 45 rows in all, 12 for the first tile
        assertArrayEquals(new double[] {45, 12}, TilingSearch.realRows(23, 23, 1, 3, 12, 12)[2]);
        // untiled: the blocks overlap, rows -12..34 clipped to the 23 real ones
        assertArrayEquals(new double[] {23, 23}, TilingSearch.realRows(23, 23, 1, 3, 12, 12)[0]);
        // ResNet-50 s2b0_down (1x1, stride 2, 56 -> 28 rows): untiled it reads rows 0..54, 55 of 56 ...
        assertArrayEquals(new double[] {55, 55}, TilingSearch.realRows(28, 56, 2, 1, 1, 0)[0]);
        // ... in one-row tiles (t = 32, u = 28) only the 28 even rows: half the input, not 28/55 of it
        assertArrayEquals(new double[] {28, 1}, TilingSearch.realRows(28, 56, 2, 1, 1, 0)[5]);
        // 3x3 pad 1 (28 rows) in two tiles of 14: rows -1..14 -> 15 and 13..28 -> 15; the padding is not sent
        assertArrayEquals(new double[] {30, 15}, TilingSearch.realRows(28, 28, 1, 3, 1, 1)[1]);
    }

    @Test
    void untiledStridedLayerSkipsItsUnusedLastRow() {
        // fix 22, ResNet-50 s4b0_down (1x1, stride 2, 1024 -> 2048 channels, 14 -> 7): the input is one tile
        // (only M is tiled), and its row 13 and column 13 are never read: 1024 x 13 x 13 = 173,056 B, not
        // |I| = 200,704 B
        LayerSpec l = LayerSpec.conv("s4b0_down", LayerType.CONV, 2048, 1024, 1, 14, 14, 2, 0, 1);
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, ARCH);
        assertEquals(1, t.tE() * t.tF() * t.tC());
        assertEquals(200_704, l.iSize(), 1e-9);
        assertEquals(173_056, t.iBytes(), 1e-9);
        assertEquals(173_056, t.firstITile(), 1e-9);
    }

    @Test
    void scnnAccumulatorsComeOutOfTheInputBuffer() {
        // fix 12: 3x3, 224 -> 16 channels, 28x28, pad 1: the padded input 224*30*30 = 201,600 B fits half
        // the 512 KB input buffer (262,144 B) but not half of 512 KB - 192 KB of accumulators (163,840 B)
        LayerSpec l = LayerSpec.conv("c", LayerType.CONV, 16, 224, 3, 28, 28, 1, 1, 1);
        double acc = 64 * 1024 * 3;
        Tiling alone = TilingSearch.search(l, 1, 1, 1, 0, ARCH);
        Tiling shared = TilingSearch.search(l, 1, 1, 1, acc, ARCH);
        assertEquals(1, alone.tC() * alone.tE() * alone.tF());
        assertTrue(shared.tC() * shared.tE() * shared.tF() > 1, shared.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> TilingSearch.search(l, 1, 1, 1, 600_000, ARCH));
        assertTrue(e.getMessage().contains("accBytes"), e.getMessage());
    }

    @Test
    void scnnReadsEachDepthwiseChannelOnce() {
        // fix 13: IARAM reads = 1.5 B x N x sum_c nnzA_c = 1.5 * 48 * 0.5 * 196 = 7,056 (was x 48 groups)
        ActionCounts c = new Scnn().count(DW, WeightRep.dense(DW), ACT, ARCH);
        assertEquals(7_056, c.count("IARAM reads"), 1e-9);
    }

    @Test
    void scnnHaloFollowsTheKernelsHeightAndWidth() {
        // fix 25: 1x7 (pad 0 x 3) and its 7x1 transpose, 16 -> 16 channels, 64x64: tw = th = 64/8 = 8,
        // Kc = min(16, 1024 / 64) = 16, one group. Drain = Kc max(tw floor(R/2), th floor(S/2)) = 16 max(0, 24) = 384
        // for both (it was 16 x 8 x floor(R/2): 0 for the 1x7, 384 for the 7x1); halo psums
        // M 2 (G-1) (floor(R/2) F + floor(S/2) E) = 16 x 2 x 7 x 192 = 43,008 for both (was 0 and 43,008)
        LayerSpec wide = new LayerSpec("1x7", LayerType.CONV, 1, 16, 16, 1, 1, 7, 64, 64, 64, 64, 1, 0, 1, true, 3);
        LayerSpec tall = new LayerSpec("7x1", LayerType.CONV, 1, 16, 16, 1, 7, 1, 64, 64, 64, 64, 1, 3, 1, true, 0);
        for (LayerSpec l : new LayerSpec[] {wide, tall}) {
            ActionCounts c = new Scnn().count(l, WeightRep.dense(l), ACT, ARCH);
            assertEquals(384, c.derivation().quantities().get("drainSteps"), 0, l.id());
            assertEquals(43_008 * ARCH.psumBytes(), c.count("halo psum exchange"), 1e-9, l.id());
        }
        assertEquals(new Scnn().count(wide, WeightRep.dense(wide), ACT, ARCH).ccomp(),
            new Scnn().count(tall, WeightRep.dense(tall), ACT, ARCH).ccomp(), 0);
    }

    @Test
    void depthwiseInputsAreNotSharedOnCambriconXAndBitPragmatic() {
        // fix 14: one input read per MAC, as DianNao's depthwise rule: 48 * 7 * 7 * 9 = 21,168
        assertEquals(21_168, DW.macs());
        assertEquals(21_168, new CambriconX().count(DW, WeightRep.dense(DW), ACT, ARCH).count("input buffer reads"), 1e-9);
        assertEquals(21_168, new BitPragmatic().count(DW, WeightRep.dense(DW), ACT, ARCH).count("input buffer reads"), 1e-9);
        assertEquals(21_168, new DianNao().count(DW, WeightRep.dense(DW), ACT, ARCH).count("input buffer reads"), 1e-9);
        // a standard conv keeps the multicast: ceil(M/64) * C * R * S per output pixel on Cambricon-X
        LayerSpec conv = LayerSpec.conv("c", LayerType.CONV, 48, 48, 3, 14, 14, 2, 1, 1);
        assertEquals(49 * 48 * 9, new CambriconX().count(conv, WeightRep.dense(conv), ACT, ARCH).count("input buffer reads"), 1e-9);
    }

    @Test
    void squeezeExcitationFcsAreOutsideTheBenchmark() {
        // fix 15: "FC layers are excluded" from Figs. 8-10 [P VI-D]; EfficientNet-B0 has 16 MBConv blocks, 2 SE FCs each
        var se = PaperModels.layers("efficientnetb0").stream().filter(l -> l.type() == LayerType.SE_FC).toList();
        assertEquals(32, se.size());
        se.forEach(l -> assertFalse(l.inBenchmark(), l.id()));
    }

    /**
     * Fix 34: without measured tile statistics SCNN waits for the expected slowest of its PE tiles, as every other
     * design pays its synchronisation. Hand calculations (exact binomial sums, done with rational arithmetic):
     * <ul>
     * <li>16 x 16, 3 x 3 same: 64 tiles of 2 x 2 = 4 pixels; at dA = 0.01 a tile needs one step (I = 4) unless it is
     *     all zero, so E = 1 - 0.99^256 = 0.923685016..., where the mean tile (0.04 non-zeros) rounded to 1;</li>
     * <li>28 x 28 (ResNet-50 stage 2's planes): 7 x 7 busy tiles of 4 x 4 = 16 pixels (ceil(28/8) = 4; the eighth
     *     PE row and column get none); at dA = 0.478, P(Bin(16, 0.478) <= 4s) = 3.04e-5, 0.0555, 0.6655, 0.99338 for
     *     s = 0..3, so E = sum_s (1 - P^49) = 3.2777040551, where the mean tile gave ceil(ceil(7.65) / 4) = 2;</li>
     * <li>dense input (dA = 1, a first layer): the largest tile's ceil(pixels / I), as before the fix: 20 x 20 in
     *     tiles of 3 rows (ceil(20/8)) gives 3 x 3 = 9 pixels, 3 steps.</li>
     * </ul>
     */
    @Test
    void scnnWaitsForTheExpectedSlowestTile() {
        LayerSpec small = LayerSpec.conv("s16", LayerType.CONV, 8, 4, 3, 16, 16, 1, 1, 1);
        assertEquals(1 - Math.pow(0.99, 256), Scnn.expectedSlowestTileSteps(small, 0.01, ARCH), 1e-12);
        LayerSpec stage2 = LayerSpec.conv("s2", LayerType.CONV, 64, 64, 3, 28, 28, 1, 1, 1);
        assertEquals(3.277704055071868, Scnn.expectedSlowestTileSteps(stage2, 0.478, ARCH), 1e-9);
        LayerSpec dense = LayerSpec.conv("d20", LayerType.CONV, 8, 3, 3, 20, 20, 1, 1, 1);
        assertEquals(3, Scnn.expectedSlowestTileSteps(dense, 1, ARCH), 1e-12);
        assertEquals(0, Scnn.expectedSlowestTileSteps(dense, 0, ARCH), 0);
        // the cycles use it: stage2 at uniform density, dense weights, one Kc group per 1024 / 16 = 64 filters
        WeightRep w = WeightRep.dense(stage2);
        ActionCounts c = new Scnn().count(stage2, w, ACT_478, ARCH);
        double stepSum = c.derivation().quantities().get("stepSum");
        // 64 input channels x 9 non-zero weights a channel per filter x 64 filters / F = 4 -> 144 weight steps
        assertEquals(64 * 3.277704055071868 * 144, stepSum, 1e-6);
    }

    /**
     * Fix 35: SCNN adds each product into its 24-bit accumulator: psumBytes = 3 8-bit adds a product (the energy
     * table's k-bit add rule), as DianNao's and Cambricon-X's MAC and Bit-pragmatic's and SmartDeal's shift-and-add
     * terms include theirs; before, SCNN alone paid only the multiplier.
     */
    @Test
    void scnnPaysAnAddPerProduct() {
        LayerSpec l = LayerSpec.conv("s2", LayerType.CONV, 64, 64, 3, 28, 28, 1, 1, 1);
        ActionCounts c = new Scnn().count(l, WeightRep.dense(l), ACT, ARCH);
        assertEquals(3 * c.count("products"), c.count("accumulate adds"), 1e-6);
        // dense weights, dA = 0.5: 0.5 x 28 x 28 x 64 channels x 64 filters x 9 taps products
        assertEquals(0.5 * 28 * 28 * 64 * 64 * 9, c.count("products"), 1e-6);
    }

    @Test
    void measuredScnnTilesMustMatchTheArchitecture() {
        // fix 16: per-image tile maxima are stored for one grid and vector width; another is a clear error
        LayerSpec l = LayerSpec.conv("c", LayerType.CONV, 4, 1, 1, 4, 4, 1, 0, 1);
        ActStats.ScnnTiles tiles = new ActStats.ScnnTiles(2, 4, new double[4], new double[1]);
        ActStats act = new ActStats(0.5, 1.6, 1.4, 0, 2.5, 5, 1.2, 0.5, tiles);
        var e = assertThrows(IllegalArgumentException.class, () -> new Scnn().count(l, WeightRep.dense(l), act, ARCH));
        assertTrue(e.getMessage().contains("grid 2") && e.getMessage().contains("grid 8"), e.getMessage());
        // with the architecture's grid, the stored per-image maxima are used as they are: 1 channel, 3.5 steps,
        // ceil(4 filters' 1 weight / F = 4) = 1 weight step, plus no halo (1x1): 3.5 cycles
        double[] nnz = new double[64];
        nnz[0] = 10;
        ActStats ok = new ActStats(0.5, 1.6, 1.4, 0, 2.5, 5, 1.2, 0.5, new ActStats.ScnnTiles(8, 4, nnz, new double[] {3.5}));
        ActionCounts c = new Scnn().count(l, WeightRep.dense(l), ok, ARCH);
        assertEquals(3.5, c.ccomp(), 1e-12);
        assertEquals(10 * 4, c.count("products"), 1e-12); // 10 non-zeros x 4 filters
    }

    @Test
    void smartDealReadsEachConvolutionGroupsOwnInputRows() {
        // fix 40: a grouped convolution (what Workloads makes of a depth multiplier of 2): 2 groups of one input channel
        // and two filters, 3x3, pad 1, 8x8 -> 8x8. Kernel k = m * C/G + c reads input channel (m / 2) + c. One output
        // segment per row (F = dim_F = 8), so K = N E seg = 8 segments of L = (8 - 1) 1 + 3 = 10 values, rowKeep 0.75.
        LayerSpec l = new LayerSpec("dm2", LayerType.CONV, 1, 4, 2, 2, 3, 3, 8, 8, 8, 8, 1, 1, 1, true);
        // dense: every filter needs the 3 rows of its own channel; the 64-filter slice group spans both groups, so
        // the union is 3 rows of channel 0 plus 3 of channel 1: 8 x 10 x 0.75 x 6 = 360 (was 180: one channel's 3 rows)
        ActionCounts dense = new SmartDealAccel().count(l, WeightRep.dense(l), ACT, ARCH);
        assertEquals(360, dense.count("input GB reads"), 1e-9);
        assertEquals(360, dense.count("Booth encodes"), 1e-9);
        assertEquals(6, dense.derivation().quantities().get("rowsUnion"), 0);
        // per filter (kappa): 4 filters x 3 rows = 12 rows, 720 reads; the union can never exceed it
        assertEquals(720, dense.count("input FIFO writes"), 1e-9);
        // filters 0, 1 (channel 0) use kernel row 0; filter 2 (channel 1) row 0, filter 3 row 1: union {0} + {0, 1} =
        // 3 rows, 8 x 10 x 0.75 x 3 = 180 (was 120: the rows {0, 1} of "channel 0" OR-ed over all four filters)
        int[] w = new int[4 * 9];
        w[0] = 5; w[9] = 5; w[18] = 5; w[27 + 3] = 5; // [m][c = 0][r][s]: m 0..2 row 0, m 3 row 1
        ActionCounts rows = new SmartDealAccel().count(l, WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, w, 0, 0, 0, 0), ACT, ARCH);
        assertEquals(180, rows.count("input GB reads"), 1e-9);
    }

    @Test
    void baselinesReadEachConvolutionGroupsOwnInputs() {
        // fix 41: the 2-group layer of fix 40 (filters 0, 1 read channel 0, filters 2, 3 channel 1; 3x3, 8x8 -> 8x8,
        // 64 pixels). Cambricon-X: the 64-PE group holds all four filters, so its window is both channels' 2 x 9 = 18
        // values a pixel: 64 x 18 = 1,152 reads (was 576, one channel's window). DianNao: the 32-lane output tile holds
        // the four filters; each of the 9 tap cycles a pixel feeds one input lane per channel the tile reads:
        // 64 x 9 x 2 = 1,152 (was 576); its cycles stay 64 x 9 (both channels fit the 32 input lanes)
        LayerSpec l = new LayerSpec("dm2", LayerType.CONV, 1, 4, 2, 2, 3, 3, 8, 8, 8, 8, 1, 1, 1, true);
        assertEquals(1_152, new CambriconX().count(l, WeightRep.dense(l), ACT, ARCH).count("input buffer reads"), 1e-9);
        ActionCounts dn = new DianNao().count(l, WeightRep.dense(l), ACT, ARCH);
        assertEquals(1_152, dn.count("input buffer reads"), 1e-9);
        assertEquals(64 * 9, dn.ccomp(), 1e-9);
        // Bit-pragmatic (fix 27) already read a brick per convolution group its filter group spans: 1,152 too
        assertEquals(1_152, new BitPragmatic().count(l, WeightRep.dense(l), ACT, ARCH).count("input buffer reads"), 1e-9);
    }
}
