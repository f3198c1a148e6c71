package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TilingSearch} (HWMODEL.md 2.1 with fixes 1-3, 7, 9-12, 22, 38 and 39 of docs/HWMODEL-RESULTS.md) at its
 * edges, fast: tiny layers on 64-128 B buffers against the tile-by-tile simulator of {@link BruteForceCountsTest}
 * over every tiling and loop order (the chosen tiling's bytes, the minimum, and the tie rule "fewest tiles"), the
 * first weight tile, the stored bytes per element, the fuseOnChip knob at its bound, and the argument and feasibility
 * checks with their messages. {@link BruteForceCountsTest} does the same on larger layers in about 25 s.
 */
class TilingSearchEdgesTest {
    static final ArchSpec A = ArchSpec.paper();
    /** Buffers of 128 B (input), 128 B (weights), 64 B (output): a tile may use 64, 64 and 32 B (fix 39). */
    static final ArchSpec TINY = A.withBuffers(128, 128, 64);
    static final List<LayerSpec> LAYERS = List.of(
        // batch 2, padded 3x3: N is a fifth loop, tiled 1 or N (fix 7)
        LayerSpec.conv("b2c3p1", LayerType.CONV, 6, 5, 3, 6, 6, 1, 1, 1).withBatch(2),
        // depthwise 3x3 stride 2: t_C tied to t_M, inputs relevant to M
        LayerSpec.conv("dw3s2", LayerType.DWCONV, 6, 6, 3, 9, 9, 2, 1, 1),
        // 1x1 stride 2: stride > kernel, searched without pruning; one-row tiles skip the odd rows (fix 22)
        LayerSpec.conv("c1s2", LayerType.CONV, 4, 8, 1, 8, 8, 2, 0, 1),
        // 3x3 at dilation 2, stride 2: searched without pruning (fix 3), row blocks (fix 11)
        LayerSpec.conv("d2s2", LayerType.CONV, 4, 3, 3, 10, 10, 2, 2, 2),
        // 1x1 with 256 B of weights: C is tiled
        LayerSpec.conv("deep", LayerType.CONV, 4, 64, 1, 2, 2, 1, 0, 1),
        // an odd 7-row output: effective tile counts u = ceil(7 / ceil(7 / t)) (fix 2)
        LayerSpec.conv("odd", LayerType.CONV, 3, 3, 3, 9, 9, 1, 0, 1).withBatch(2));

    @Test
    void tinyLayersMatchTheSimulatorOverEveryTilingAndOrder() {
        boolean batchTiled = false, rowsSkipped = false;
        for (LayerSpec l : LAYERS) {
            Tiling best = assertMatchesTheSimulator(l);
            batchTiled |= best.tN() > 1;
            rowsSkipped |= l.id().equals("c1s2") && best.iBytes() < l.iSize();
        }
        assertTrue(batchTiled, "no tiny layer tiled the batch");
        assertTrue(rowsSkipped, "c1s2's tiles should skip its unused input rows");
    }

    /**
     * The tiling the search chooses for {@code l} on {@link #TINY} buffers against the tile-by-tile simulator: its
     * bytes per tensor, its first tiles, and that no tiling and order the simulator tries moves fewer bytes (ties:
     * fewest tiles).
     */
    private static Tiling assertMatchesTheSimulator(LayerSpec l) {
        boolean dw = l.type() == LayerType.DWCONV;
        Tiling best = TilingSearch.search(l, 1, 1, 1, 0, TINY);
        double[] sim = BruteForceCountsTest.simulate(l, best.tN(), new int[] {best.tM(), best.tC(), best.tE(), best.tF()},
            best.order().replace("N", ""), TINY);
        assertTrue(sim != null, l.id() + ": the chosen tiling " + best + " does not fit");
        assertEquals(sim[0], best.wBytes(), 1e-9, l.id() + " W");
        assertEquals(sim[1], best.iBytes(), 1e-9, l.id() + " I");
        assertEquals(sim[2], best.oBytes(), 1e-9, l.id() + " O");
        assertEquals(sim[3], best.psumBytes(), 1e-9, l.id() + " psum");
        assertEquals(sim[4], best.firstITile(), 1e-9, l.id() + " first input tile");
        // the first weight tile: ceil(M / t_M) filters of ceil(C/G / t_C) channels (one channel if depthwise)
        int mT = BruteForceCountsTest.ceil(l.m(), best.tM());
        double wTile = (double) mT * (dw ? 1 : BruteForceCountsTest.ceil(l.cg(), best.tC())) * l.r() * l.s();
        assertEquals(wTile, best.firstWTile(), 0, l.id() + " first weight tile");
        if (dw) assertEquals(best.tM(), best.tC(), l.id() + ": depthwise t_C is t_M");
        assertEquals(best.tN() > 1 ? "N" : "", best.order().substring(0, best.order().length() - 4), l.id());
        // every tiling and order, simulated: the minimum, and the fewest tiles among the tilings that reach it
        double min = Double.POSITIVE_INFINITY;
        long fewest = Long.MAX_VALUE;
        for (int tN : l.batch() > 1 ? new int[] {1, l.batch()} : new int[] {1})
            for (int tm = 1; tm < 2 * l.m(); tm *= 2) for (int tc = 1; tc < 2 * (dw ? 1 : l.cg()); tc *= 2)
                for (int te = 1; te < 2 * l.e(); te *= 2) for (int tf = 1; tf < 2 * l.f(); tf *= 2)
                    for (String ord : BruteForceCountsTest.orders()) {
                        double[] s = BruteForceCountsTest.simulate(l, tN, new int[] {tm, tc, te, tf}, ord, TINY);
                        if (s == null) continue;
                        double tot = s[0] + s[1] + s[2] + s[3];
                        long tiles = (long) tN * u(l.m(), tm) * (dw ? 1 : u(l.cg(), tc)) * u(l.e(), te) * u(l.f(), tf);
                        if (tot < min * (1 - 1e-12)) { min = tot; fewest = tiles; }
                        else if (tot <= min * (1 + 1e-12)) fewest = Math.min(fewest, tiles);
                    }
        assertEquals(min, best.dramBytes(), 1e-9 * min, l.id() + " minimum");
        long tiles = (long) best.tN() * best.tM() * (dw ? 1 : best.tC()) * best.tE() * best.tF();
        assertEquals(fewest, tiles, l.id() + ": ties go to the fewest tiles, chose " + best);
        return best;
    }

    /**
     * A Same layer padded one row (column) more after its input than before, DL4J's split of an odd need (the spec's
     * pad is the padding before): 3 x 3, stride 2, 28 -> 14, pad 0. Output row o reads input rows 2o, 2o + 1, 2o + 2,
     * so the 14 output rows read rows 0..28, of which row 28 is the padding after, made on chip. By hand: untiled
     * (one tile), rows 0..27, each once: 28 of 28. Two tiles of 7 output rows: rows 0..14 (15) and 14..28, clipped
     * to 14..27 (14): 29, the first 15. Fourteen one-row tiles (t = 16): 3 rows each but the last, rows 26, 27 (2):
     * 13 x 3 + 2 = 41, the first 3. The layer with 8 -> 8 channels fits the paper buffers untiled, and its input moves
     * once: 8 x 28 x 28 = 6,272 B, no padding row counted (appended to the input as zeros, as until session 40 where
     * no symmetric padding fitted, the row and column after made it 8 x 29 x 29 = 6,728 B). On tiny buffers (8 x 8 ->
     * 4 x 4, need 1 likewise) the search agrees with the tile-by-tile simulator.
     */
    @Test
    void aSameLayerPaddedOneMoreAfterThanBeforeSendsItsRealRowsOnce() {
        double[][] rows = TilingSearch.realRows(14, 28, 2, 3, 1, 0);
        assertArrayEquals(new double[] {28, 28}, rows[0]);
        assertArrayEquals(new double[] {29, 15}, rows[1]);
        assertArrayEquals(new double[] {41, 3}, rows[4]);
        LayerSpec l = new LayerSpec("s2", LayerType.CONV, 1, 8, 8, 1, 3, 3, 28, 28, 14, 14, 2, 0, 1, true, 0);
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, A);
        assertEquals(List.of(1, 1, 1, 1), List.of(t.tM(), t.tC(), t.tE(), t.tF()), t.toString());
        assertEquals(6272, t.iBytes(), 0);
        assertEquals(6272, t.firstITile(), 0);
        assertEquals(l.iSize(), t.iBytes(), 0);
        Tiling tiny = assertMatchesTheSimulator(new LayerSpec("s2tiny", LayerType.CONV, 1, 2, 2, 1, 3, 3, 8, 8, 4, 4, 2, 0, 1,
            true, 0));
        assertTrue(tiny.tE() * tiny.tF() > 1, "the tiny layer is tiled: " + tiny);
    }

    /** Effective tile count (fix 2). */
    static int u(int x, int t) {
        return BruteForceCountsTest.ceil(x, BruteForceCountsTest.ceil(x, t));
    }

    @Test
    void weightsThatDoNotStayResidentAreFetchedOncePerImage() {
        // BruteForceCountsTest's c3x3 (70 x 20 x 3 x 3, 10 x 10, batch 2) on its small buffers: the chosen tiling
        // is NMCEF with only the batch and M tiled (t_N = 2, t_M = 14): M, the weights' innermost tiled loop, is the
        // outermost of the four, and each image fetches the weights again (fix 7); its bytes equal the
        // simulator's (25,200 B of weights = 2 x 12,600)
        LayerSpec l = LayerSpec.conv("c3x3", LayerType.CONV, 70, 20, 3, 10, 10, 1, 0, 1).withBatch(2);
        ArchSpec small = A.withBuffers(4096, 2048, 512);
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, small);
        double[] sim = BruteForceCountsTest.simulate(l, t.tN(), new int[] {t.tM(), t.tC(), t.tE(), t.tF()},
            t.order().replace("N", ""), small);
        assertEquals(sim[0], t.wBytes(), 1e-9, t.toString());
        assertEquals(sim[1], t.iBytes(), 1e-9);
        assertEquals(sim[3], t.psumBytes(), 1e-9);
        assertEquals(2 * l.wSize(), t.wBytes(), 1e-9, t.toString());
    }

    @Test
    void storedBytesPerElementScaleEachTensorAndNotThePartialSums() {
        // everything fits the paper buffers: traffic is |W| betaW + |I| betaI + |O| betaO exactly (invariant 4.1.6)
        LayerSpec l = LayerSpec.conv("small", LayerType.CONV, 32, 16, 3, 14, 14, 1, 1, 1);
        Tiling t = TilingSearch.search(l, 0.5, 1.5, 0.75, 0, A);
        assertEquals(l.wSize() * 0.5, t.wBytes(), 1e-9);
        assertEquals(l.iSize() * 1.5, t.iBytes(), 1e-9);
        assertEquals(l.oSize() * 0.75, t.oBytes(), 1e-9);
        assertEquals(0, t.psumBytes());
        // first tiles: all of W (4,608 x 0.5 B) and all of I (3,136 x 1.5 B)
        assertEquals(2_304, t.firstWTile(), 1e-9);
        assertEquals(4_704, t.firstITile(), 1e-9);
    }

    @Test
    void spilledPartialSumsAreThreeBytesWrittenAndReadBackPerSpill() {
        // BruteForceCountsTest's c1x1deep (16 x 1024 x 1 x 1, 4 x 4) on its small buffers: 16 KB of weights and 16 KB of
        // input against 256 outputs, so the best tiling spills partial sums (P > 1). Its bytes equal the simulator's
        // for the chosen tiling, the outputs are written once (fix 10) and the spills cost 2 x 3 B x |O| x (P - 1),
        // whatever the stored output bytes are
        LayerSpec deep = LayerSpec.conv("c1x1deep", LayerType.CONV, 16, 1024, 1, 4, 4, 1, 0, 1);
        ArchSpec small = A.withBuffers(4096, 2048, 512);
        Tiling d1 = TilingSearch.search(deep, 1, 1, 1, 0, small);
        double[] sim = BruteForceCountsTest.simulate(deep, 1, new int[] {d1.tM(), d1.tC(), d1.tE(), d1.tF()}, d1.order(), small);
        assertEquals(sim[0], d1.wBytes(), 1e-9);
        assertEquals(sim[1], d1.iBytes(), 1e-9);
        assertEquals(sim[3], d1.psumBytes(), 1e-9);
        assertEquals(256, d1.oBytes(), 1e-9);
        double p = d1.psumBytes() / (2 * 3 * 256) + 1;
        assertTrue(p > 1 && p == Math.rint(p) && p <= d1.tC(), d1.toString());
        Tiling d2 = TilingSearch.search(deep, 1, 1, 2, 0, small);
        assertEquals(d1.psumBytes(), d2.psumBytes(), 1e-9);
        assertEquals(512, d2.oBytes(), 1e-9);
    }

    @Test
    void fusedActivationsStayOnChipUpToTheInputBuffersSize() {
        // 8 -> 8 channels, 3x3 pad 1, 8x8: |I| = |O| = 512 B, |W| = 576 B
        LayerSpec l = LayerSpec.conv("f", LayerType.CONV, 8, 8, 3, 8, 8, 1, 1, 1);
        Knobs k = A.knobs();
        ArchSpec fuse = A.withKnobs(new Knobs(k.batch(), k.dramBwBytesPerCycle(), k.baselineWeights(),
            k.kappaPerSliceFetch(), true, k.rowZeroDefault()));
        // an input buffer of exactly 512 B holds both: only the weights move, no input fill
        Tiling on = TilingSearch.search(l, 1, 1, 1, 0, fuse.withBuffers(512, 1 << 20, 4096));
        assertEquals(0, on.iBytes());
        assertEquals(0, on.oBytes());
        assertEquals(0, on.firstITile());
        assertEquals(576, on.dramBytes(), 1e-9);
        // 511 B: not fused (the input is then tiled, its halo re-read)
        Tiling off = TilingSearch.search(l, 1, 1, 1, 0, fuse.withBuffers(511, 1 << 20, 4096));
        assertTrue(off.iBytes() >= 512 && off.oBytes() == 512, off.toString());
        // the output alone too large: 8 -> 16 channels, |O| = 1,024 B > 1,023
        LayerSpec wide = LayerSpec.conv("w", LayerType.CONV, 16, 8, 3, 8, 8, 1, 1, 1);
        assertEquals(1_024, TilingSearch.search(wide, 1, 1, 1, 0, fuse.withBuffers(1023, 1 << 20, 4096)).oBytes(), 1e-9);
        assertEquals(0, TilingSearch.search(wide, 1, 1, 1, 0, fuse.withBuffers(1024, 1 << 20, 4096)).oBytes());
        // SCNN's accumulators come out of the buffer that holds the fused activations (fix 12): 1,024 - 1 B is too little
        assertEquals(1_024, TilingSearch.search(wide, 1, 1, 1, 1, fuse.withBuffers(1024, 1 << 20, 4096)).oBytes(), 1e-9);
        // the knob off: every byte moves
        assertEquals(512 + 512 + 576, TilingSearch.search(l, 1, 1, 1, 0, A.withBuffers(512, 1 << 20, 4096)).dramBytes(), 1e-9);
    }

    @Test
    void aTileOfExactlyTheBytesATileMayUseFits() {
        // input: 8 -> 8 channels, 3x3 pad 1, 8x8; the padded input tile is 8 x 10 x 10 = 800 B. An input buffer of
        // 1,600 B (800 a tile) holds it untiled: one tile, every tensor moved once (576 + 512 + 512 B)
        LayerSpec l = LayerSpec.conv("f", LayerType.CONV, 8, 8, 3, 8, 8, 1, 1, 1);
        Tiling fits = TilingSearch.search(l, 1, 1, 1, 0, A.withBuffers(1600, 1 << 20, 4096));
        assertEquals(1, fits.tM() * fits.tC() * fits.tE() * fits.tF(), fits.toString());
        assertEquals(1_600, fits.dramBytes(), 1e-9);
        // 1,599 B: the same bytes (C can be tiled without a halo) but in more than one tile
        Tiling split = TilingSearch.search(l, 1, 1, 1, 0, A.withBuffers(1599, 1 << 20, 4096));
        assertEquals(1_600, split.dramBytes(), 1e-9);
        assertTrue(split.tC() * split.tE() * split.tF() > 1, split.toString());
        // output: 1x1, 64 -> 8 channels, 2x2. A weight tile holds at most 64 B (8 filters x 8 channels), so C is tiled
        // 8 ways; with C innermost the 32 outputs (96 B of 3-byte psums) stay in the output buffer when a tile may use
        // 96 B of it, half of a 192 B buffer (fix 39: the output buffer double-buffers too): W 512 + I 256 + O 32 =
        // 800 B. At 190 B (95 B a tile) they must be split or spilled, which costs more
        LayerSpec deep = LayerSpec.conv("o", LayerType.CONV, 8, 64, 1, 2, 2, 1, 0, 1);
        Tiling held = TilingSearch.search(deep, 1, 1, 1, 0, A.withBuffers(128, 128, 192));
        assertEquals(800, held.dramBytes(), 1e-9, held.toString());
        assertEquals(0, held.psumBytes());
        assertTrue(TilingSearch.search(deep, 1, 1, 1, 0, A.withBuffers(128, 128, 190)).dramBytes() > 800);
    }

    @Test
    void tilesOfAStridedNonSquareKernelSkipTheRowsNoTapReads() {
        // 1 x 3, stride 2, columns padded 1, 8 -> 4 channels, 8 x 8 -> 4 x 4; everything fits the paper buffers. Untiled,
        // the input rows 0..6 are read (8 x 7 x 8 = 448 B); in one-row tiles only rows 0, 2, 4, 6 (8 x 4 x 8 = 256 B).
        // Column tiles would re-read the shared columns (2 + 3 + 3 + 3 = 11 of 8). So: W 96 + I 256 + O 64 = 416 B,
        // t_E = 4, t_F = 1. The search must not prune here (stride 2 > the kernel's 1 row), and the same for 3 x 1
        LayerSpec wide = new LayerSpec("1x3s2", LayerType.CONV, 1, 4, 8, 1, 1, 3, 8, 8, 4, 4, 2, 0, 1, true, 1);
        Tiling w = TilingSearch.search(wide, 1, 1, 1, 0, A);
        assertEquals(416, w.dramBytes(), 1e-9, w.toString());
        assertEquals(256, w.iBytes(), 1e-9);
        assertEquals(4, w.tE());
        assertEquals(1, w.tF());
        LayerSpec tall = new LayerSpec("3x1s2", LayerType.CONV, 1, 4, 8, 1, 3, 1, 8, 8, 4, 4, 2, 1, 1, true, 0);
        Tiling t = TilingSearch.search(tall, 1, 1, 1, 0, A);
        assertEquals(416, t.dramBytes(), 1e-9, t.toString());
        assertEquals(1, t.tE());
        assertEquals(4, t.tF());
        // 3 x 3 at dilation 2, stride 2, 7 x 7 -> 2 x 2: untiled rows 0..6 (7); one-row tiles rows {0, 2, 4} and
        // {2, 4, 6} (6), the same for columns: I 8 x 6 x 6 = 288 B instead of 392; + W 288 + O 16 = 592 B
        LayerSpec dil = LayerSpec.conv("d2s2", LayerType.CONV, 4, 8, 3, 7, 7, 2, 0, 2);
        Tiling d = TilingSearch.search(dil, 1, 1, 1, 0, A);
        assertEquals(592, d.dramBytes(), 1e-9, d.toString());
        assertEquals(2, d.tE());
        assertEquals(2, d.tF());
    }

    @Test
    void equalTrafficGoesToTheFewestTiles() {
        // 1 x 2, stride 2, 8 -> 4 channels, 8 x 8 -> 4 x 4, all fitting; searched without pruning (stride 2 > 1 row).
        // One-row tiles read rows 0, 2, 4, 6 only (I = 8 x 4 x 8 = 256 B), so t_E = 4; column tiles of n outputs read
        // 2n columns, all 8 whatever t_F is: the same traffic (W 64 + I 256 + O 64 = 384 B) for t_F = 1, 2, 4, and
        // the rule "ties: fewest tiles" (HWMODEL.md 2.1) picks t_F = 1
        LayerSpec wide = new LayerSpec("1x2s2", LayerType.CONV, 1, 4, 8, 1, 1, 2, 8, 8, 4, 4, 2, 0, 1, true);
        Tiling w = TilingSearch.search(wide, 1, 1, 1, 0, A);
        assertEquals(384, w.dramBytes(), 1e-9);
        assertEquals("1 1 4 1", w.tM() + " " + w.tC() + " " + w.tE() + " " + w.tF());
        // its transpose: t_F = 4, and t_E = 1 of the tied row tilings
        LayerSpec tall = new LayerSpec("2x1s2", LayerType.CONV, 1, 4, 8, 1, 2, 1, 8, 8, 4, 4, 2, 0, 1, true);
        Tiling t = TilingSearch.search(tall, 1, 1, 1, 0, A);
        assertEquals(384, t.dramBytes(), 1e-9);
        assertEquals("1 1 1 4", t.tM() + " " + t.tC() + " " + t.tE() + " " + t.tF());
        // depthwise, 8 channels: tiling M (each channel's input is its own) moves the same bytes too, W 16 + I 256 +
        // O 128 = 400 B; t_M = 1
        LayerSpec dw = new LayerSpec("dw1x2s2", LayerType.DWCONV, 1, 8, 8, 8, 1, 2, 8, 8, 4, 4, 2, 0, 1, true);
        Tiling d = TilingSearch.search(dw, 1, 1, 1, 0, A);
        assertEquals(400, d.dramBytes(), 1e-9);
        assertEquals("1 1 4 1", d.tM() + " " + d.tC() + " " + d.tE() + " " + d.tF());
    }

    @Test
    void theInputTileIsCountedInStoredBytes() {
        // the layer "f" of aTileOfExactlyTheBytesATileMayUseFits at 2 stored bytes an input element (SCNN's 1.5 dA
        // can be more than 1): its 800-element padded tile takes 1,600 B, which fits a 3,200 B buffer untiled and not
        // a 3,198 B one
        LayerSpec l = LayerSpec.conv("f", LayerType.CONV, 8, 8, 3, 8, 8, 1, 1, 1);
        Tiling fits = TilingSearch.search(l, 1, 2, 1, 0, A.withBuffers(3200, 1 << 20, 4096));
        assertEquals(1, fits.tC() * fits.tE() * fits.tF(), fits.toString());
        assertEquals(1_024, fits.iBytes(), 1e-9);
        assertEquals(1_024, fits.firstITile(), 1e-9);
        Tiling split = TilingSearch.search(l, 1, 2, 1, 0, A.withBuffers(3198, 1 << 20, 4096));
        assertTrue(split.tC() * split.tE() * split.tF() > 1, split.toString());
    }

    @Test
    void accumulatorBytesMustLeaveSomeInputBuffer() {
        LayerSpec l = LayerSpec.conv("acc", LayerType.CONV, 4, 4, 3, 6, 6, 1, 1, 1);
        assertEquals("TilingSearch(acc): accBytes must be in [0, inputBufBytes 524288), got -1",
            assertThrows(IllegalArgumentException.class, () -> TilingSearch.search(l, 1, 1, 1, -1, A)).getMessage());
        assertEquals("TilingSearch(acc): accBytes must be in [0, inputBufBytes 524288), got 524288",
            assertThrows(IllegalArgumentException.class, () -> TilingSearch.search(l, 1, 1, 1, 524_288, A)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> TilingSearch.search(l, 1, 1, 1, Double.NaN, A));
        // one byte less is accepted; the half byte left to a tile holds no input tile
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TilingSearch.search(l, 1, 1, 1, 524_287, A));
        assertEquals("TilingSearch: no feasible tiling for layer acc: its smallest tile does not fit the bytes a tile may "
            + "use (input 0.5, weight 131072, output 526335, with 524287 bytes of accumulators taken from the input buffer "
            + "and added to the output's)", e.getMessage());
    }

    @Test
    void aLayerNoTileOfWhichFitsIsNamedWithTheBytesATileMayUse() {
        // one filter's 3 x 3 x 1 weights (9 B) against a 64 B buffer's 32 B: fits; a 1 x 1 x 40 filter slice with
        // 7 x 7 kernel taps (49 B) does not
        LayerSpec l = LayerSpec.conv("k7", LayerType.CONV, 2, 1, 7, 8, 8, 1, 0, 1);
        IllegalStateException e = assertThrows(TilingSearch.NoFeasibleTilingException.class,
            () -> TilingSearch.search(l, 1, 1, 1, 0, A.withBuffers(1 << 20, 64, 4096)));
        assertEquals("TilingSearch: no feasible tiling for layer k7: its smallest tile does not fit the bytes a tile may "
            + "use (input 524288, weight 32, output 2048)", e.getMessage());
        // at 98 B (49 B a tile) one filter's weights fit
        assertEquals(98, TilingSearch.search(l, 1, 1, 1, 0, A.withBuffers(1 << 20, 98, 4096)).wBytes(), 1e-9);
    }

    /**
     * Fix 38: batch tiles of N / tN whole images, tN a power of two dividing N or N itself (before: 1 or N only).
     * By hand: 16 -> 1, 2, 4, 8, 16; 12 -> 1, 2, 4, 12 (8 does not divide 12); 128 -> the eight powers 1..128;
     * 1 -> 1; 7 -> 1, 7.
     */
    @Test
    void batchTilesArePowersOfTwoThatDivideTheBatch() {
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 2, 4, 8, 16}, TilingSearch.batchTileCounts(16));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 2, 4, 12}, TilingSearch.batchTileCounts(12));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 2, 4, 8, 16, 32, 64, 128},
            TilingSearch.batchTileCounts(128));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1}, TilingSearch.batchTileCounts(1));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 7}, TilingSearch.batchTileCounts(7));
    }
}
