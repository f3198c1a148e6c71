package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HWMODEL.md 4.3: the analytical counts equal a brute-force loop-nest enumeration exactly on eleven
 * small layers (3x3 conv, strided 1x1 conv, depthwise, a deep 1x1 conv whose tiling spills partial sums, four
 * whose tiles cut through zero padding or unused input rows: fix 22, a 3 x 7 Same conv, and a 5 x 1 conv and a
 * 3 x 1 depthwise layer whose kernel rows are one weight each: fix 28), for MACs, DianNao, Cambricon-X and
 * SmartDeal cycles and accumulator bytes (fix 32), DianNao and Cambricon-X buffer reads and accumulator bytes of
 * the busy lanes (fix 27), SmartDeal input-GB reads, and the DRAM traffic and first-tile fill bytes of the tiling search (simulated tile by tile, and
 * minimised over every tiling and loop order).
 */
class BruteForceCountsTest {
    static final ArchSpec ARCH = ArchSpec.paper();
    static final ActStats ACT = new ActStats(0.5, 1.6, 1.4, 0.25, 2.5, 5, 1.2, 0.5, null);
    static final List<LayerSpec> LAYERS = List.of(
        LayerSpec.conv("c3x3", LayerType.CONV, 70, 20, 3, 10, 10, 1, 0, 1).withBatch(2),
        LayerSpec.conv("c1x1s2", LayerType.CONV, 70, 40, 1, 15, 15, 2, 0, 1),
        LayerSpec.conv("dw3x3", LayerType.DWCONV, 70, 70, 3, 10, 10, 1, 0, 1),
        LayerSpec.conv("c1x1deep", LayerType.CONV, 16, 1024, 1, 4, 4, 1, 0, 1),
        // fix 22: tiled layers whose windows do not match the input exactly (pad > 0, or H != (E-1)U + R)
        new LayerSpec("c3x3p1", LayerType.CONV, 1, 8, 16, 1, 3, 3, 16, 8, 16, 8, 1, 1, 1, true),
        LayerSpec.conv("c1x1s2even", LayerType.CONV, 8, 32, 1, 16, 16, 2, 0, 1),
        LayerSpec.conv("d2p2", LayerType.CONV, 8, 16, 3, 12, 12, 1, 2, 2),
        // stride 2 at dilation 4: one-column tiles read only the columns under taps; the pruned search missed them
        LayerSpec.conv("d4s2p4", LayerType.CONV, 8, 8, 3, 12, 12, 2, 4, 4),
        // a 3 x 7 kernel padded 1 row and 3 columns on each side (an Inception-style Same convolution)
        new LayerSpec("c3x7p1x3", LayerType.CONV, 1, 8, 8, 1, 3, 7, 32, 32, 32, 32, 1, 1, 1, true, 3),
        // R x 1 kernels (Inception's 7 x 1), whose kernel rows are one weight each (fix 28), padded 2 (1) rows only
        new LayerSpec("c5x1p2", LayerType.CONV, 1, 12, 10, 1, 5, 1, 12, 9, 12, 9, 1, 2, 1, true, 0),
        new LayerSpec("dw3x1p1", LayerType.DWCONV, 1, 16, 16, 16, 3, 1, 10, 10, 10, 10, 1, 1, 1, true, 0));
    /** The layers of {@link #LAYERS} whose best tiling on the small buffers must split E or F (fix 22). */
    static final List<String> HALO_TILED = List.of("c3x3p1", "c1x1s2even", "d2p2", "d4s2p4", "c3x7p1x3");

    static int[] weights(LayerSpec l, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] w = new int[l.kernels() * l.r() * l.s()];
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() < 0.35 ? r.nextInt(1, 128) : 0;
        if (l.type() == LayerType.DWCONV) // SD row structure: a kernel row is all zero or all non-zero
            for (int row = 0; row < w.length / l.s(); row++) {
                boolean on = r.nextDouble() < 0.6;
                for (int s = 0; s < l.s(); s++) w[row * l.s() + s] = on ? 1 + s : 0;
            }
        return w;
    }

    static int wAt(LayerSpec l, int[] w, int m, int c, int r, int s) {
        return w[((m * l.cg() + c) * l.r() + r) * l.s() + s];
    }

    @Test
    void computeCountsEqualLoopNestEnumeration() {
        long seed = 1;
        for (LayerSpec l : LAYERS) {
            int[] w = weights(l, seed++);
            WeightRep rep = WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, w, 0, 0, 0, 0);
            boolean dw = l.type() == LayerType.DWCONV;
            long nzMac = 0, dnCycles = 0, cxCycles = 0, dnInputs = 0, dnAccumulations = 0, cxInputs = 0, cxAccumulations = 0;
            double sdCycles = 0, sdReads = 0, sdAccumulations = 0;
            int cg = l.cg(), rs = l.r() * l.s();
            for (int n = 0; n < l.batch(); n++) for (int e = 0; e < l.e(); e++) for (int f = 0; f < l.f(); f++) {
                for (int m = 0; m < l.m(); m++) for (int c = 0; c < cg; c++) for (int r = 0; r < l.r(); r++) for (int s = 0; s < l.s(); s++)
                    if (wAt(l, w, m, c, r, s) != 0) nzMac++;
                // DianNao: a cycle multiplies Ti input lanes with Tn output lanes; only busy lanes read or accumulate
                // (HWMODEL.md 2.3, fix 27): one read per busy input lane (depthwise: a port per lane, checked as Mac
                // below), one accumulation per busy output lane
                if (dw) {
                    for (int t0 = 0; t0 < rs; t0 += ARCH.dnTi()) for (int m0 = 0; m0 < l.m(); m0 += ARCH.dnTn()) {
                        dnCycles++;
                        dnAccumulations += Math.min(ARCH.dnTn(), l.m() - m0);
                    }
                } else for (int r = 0; r < l.r(); r++) for (int s = 0; s < l.s(); s++)
                    for (int c0 = 0; c0 < cg; c0 += ARCH.dnTi()) for (int m0 = 0; m0 < l.m(); m0 += ARCH.dnTn()) {
                        dnCycles++;
                        dnInputs += Math.min(ARCH.dnTi(), cg - c0);
                        dnAccumulations += Math.min(ARCH.dnTn(), l.m() - m0);
                    }
                // Cambricon-X: a group of 64 filters shares the pixel's dense window (depthwise: each its own channel's);
                // each PE accumulates once per step of 16 of its own non-zero weights, idle while waiting (fix 27)
                for (int g0 = 0; g0 < l.m(); g0 += ARCH.cxPes()) {
                    long slowest = 0;
                    for (int m = g0; m < Math.min(l.m(), g0 + ARCH.cxPes()); m++) {
                        long cnt = 0;
                        for (int c = 0; c < cg; c++) for (int j = 0; j < rs; j++) if (w[(m * cg + c) * rs + j] != 0) cnt++;
                        long steps = (cnt + ARCH.cxMacsPerPe() - 1) / ARCH.cxMacsPerPe();
                        slowest = Math.max(slowest, steps);
                        cxAccumulations += steps;
                        if (dw) cxInputs += rs;
                    }
                    if (!dw) cxInputs += (long) cg * rs;
                    cxCycles += slowest;
                }
            }
            int dimF = ARCH.sdDimF(), segs = (l.f() + dimF - 1) / dimF;
            // a line reads the input row segment from the first tap of its first output to the last of its last
            double len = (dimF - 1) * l.stride() + (l.s() - 1) * l.dil() + 1;
            int rowBlocks = dw ? (l.e() + ARCH.sdDimC() / l.r() - 1) / (ARCH.sdDimC() / l.r()) : l.e();
            for (int n = 0; n < l.batch(); n++) for (int e = 0; e < l.e(); e++) for (int j = 0; j < segs; j++)
                for (int g0 = 0; g0 < l.m(); g0 += ARCH.sdDimM()) {
                    long slowest = 0;
                    // fix 32: each busy output of the segment (its columns up to F) reads and writes its accumulator
                    // every cycle its slice works, the slice's own busiest line (depthwise: kernel row) times tSD rowKeep
                    int busyColumns = Math.min(dimF, l.f() - j * dimF);
                    for (int m = g0; m < Math.min(l.m(), g0 + ARCH.sdDimM()); m++) {
                        long own = 0;
                        if (dw) {
                            for (int r = 0; r < l.r(); r++) {
                                long cnt = 0;
                                for (int s = 0; s < l.s(); s++) if (wAt(l, w, m, 0, r, s) != 0) cnt++;
                                own = Math.max(own, cnt);
                            }
                        } else for (int line = 0; line < ARCH.sdDimC(); line++) {
                            long cnt = 0;
                            for (int c = line; c < cg; c += ARCH.sdDimC()) for (int r = 0; r < l.r(); r++) for (int s = 0; s < l.s(); s++)
                                if (wAt(l, w, m, c, r, s) != 0) cnt++;
                            own = Math.max(own, cnt);
                        }
                        slowest = Math.max(slowest, own);
                        sdAccumulations += own * ACT.tSD() * (1 - ACT.rowZero()) * busyColumns;
                    }
                    if (!dw || e < rowBlocks) sdCycles += slowest * ACT.tSD() * (1 - ACT.rowZero());
                    for (int c = 0; c < cg; c++) for (int r = 0; r < l.r(); r++) {
                        if (dw) {
                            for (int m = g0; m < Math.min(l.m(), g0 + ARCH.sdDimM()); m++) {
                                boolean any = false;
                                for (int s = 0; s < l.s(); s++) any |= wAt(l, w, m, 0, r, s) != 0;
                                if (any) sdReads += len * (1 - ACT.rowZero());
                            }
                            continue;
                        }
                        boolean any = false;
                        for (int m = g0; m < Math.min(l.m(), g0 + ARCH.sdDimM()); m++)
                            for (int s = 0; s < l.s(); s++) any |= wAt(l, w, m, c, r, s) != 0;
                        if (any) sdReads += len * (1 - ACT.rowZero());
                    }
                }
            ActionCounts dn = new DianNao().count(l, rep, ACT, ARCH);
            ActionCounts cx = new CambriconX().count(l, rep, ACT, ARCH);
            ActionCounts sd = new SmartDealAccel().count(l, rep, ACT, ARCH);
            assertEquals(l.macs(), dn.count("MACs"), 0, l.id() + " dense MACs");
            assertEquals(nzMac, cx.count("MACs"), 0, l.id() + " nzMac");
            assertEquals(dnCycles, dn.ccomp(), 1e-9, l.id() + " DianNao cycles");
            assertEquals(cxCycles, cx.ccomp(), 1e-9, l.id() + " Cambricon-X cycles");
            assertEquals(sdCycles, sd.ccomp(), 1e-6, l.id() + " SmartDeal cycles");
            assertEquals(nzMac * ACT.boothDig(), sd.count("bit-serial terms"), 1e-6, l.id() + " SmartDeal terms");
            assertEquals(sdReads, sd.count("input GB reads"), 1e-6, l.id() + " SmartDeal input GB reads");
            assertEquals(2 * ARCH.psumBytes() * sdAccumulations, sd.count("accumulator read+write"), 1e-9 * sdAccumulations,
                l.id() + " SmartDeal accumulator bytes (3 B read and written per busy output and slice cycle)");
            assertEquals(l.macs(), dn.count("weight buffer reads"), 0, l.id() + " DianNao weight reads");
            assertEquals(dw ? l.macs() : dnInputs, dn.count("input buffer reads"), 1e-9 * l.macs(), l.id() + " DianNao input reads");
            assertEquals(2 * ARCH.psumBytes() * dnAccumulations, dn.count("accumulator read+write"), 1e-9 * dnAccumulations,
                l.id() + " DianNao accumulator bytes (3 B read and written per busy output lane and cycle)");
            assertEquals(cxInputs, cx.count("input buffer reads"), 1e-9 * cxInputs, l.id() + " Cambricon-X input reads");
            assertEquals(2 * ARCH.psumBytes() * cxAccumulations, cx.count("accumulator read+write"), 1e-9 * cxAccumulations,
                l.id() + " Cambricon-X accumulator bytes (busy PE steps)");
        }
    }

    /**
     * Input rows (columns) a tile of output rows {@code [o0, o0 + n)} reads, marked one by one: for each kernel
     * row r, every row from its first output row's tap {@code o0 U - pad + r dil} to its last one's (a tile
     * moves whole row blocks, fix 11). With {@code clip}, only rows inside the input {@code [0, in)} count (the
     * DRAM transfer, the padding being made on chip); without, the padded rows the input buffer holds.
     */
    static int inputRows(int o0, int n, int in, int stride, int k, int dil, int pad, boolean clip) {
        int first = o0 * stride - pad, last = (o0 + n - 1) * stride - pad + (k - 1) * dil;
        boolean[] read = new boolean[last - first + 1];
        for (int r = 0; r < k; r++)
            for (int p = o0 * stride - pad + r * dil; p <= (o0 + n - 1) * stride - pad + r * dil; p++) read[p - first] = true;
        int rows = 0;
        for (int p = first; p <= last; p++) if (read[p - first] && (!clip || (p >= 0 && p < in))) rows++;
        return rows;
    }

    /**
     * Tile-by-tile simulation of one tiling and loop order with the real (edge) tile extents:
     * DRAM bytes {W, I, O, psum, first input tile}, or null if the largest tile does not fit.
     */
    static double[] simulate(LayerSpec l, int tN, int[] t, String order, ArchSpec a) {
        boolean dw = l.type() == LayerType.DWCONV;
        int cg = dw ? 1 : l.cg();
        int nT = l.batch() / tN, mT = ceil(l.m(), t[0]), cT = dw ? mT : ceil(cg, t[1]), eT = ceil(l.e(), t[2]), fT = ceil(l.f(), t[3]);
        int[] lim = {tN, ceil(l.m(), mT), dw ? 1 : ceil(cg, cT), ceil(l.e(), eT), ceil(l.f(), fT)};
        // real input rows (columns) of each E (F) tile, and the padded extent of the first (largest) one
        int[] rowsIn = new int[lim[3]], colsIn = new int[lim[4]];
        for (int j = 0; j < lim[3]; j++) rowsIn[j] = inputRows(j * eT, Math.min(eT, l.e() - j * eT), l.h(), l.stride(), l.r(), l.dil(), l.pad(), true);
        for (int j = 0; j < lim[4]; j++) colsIn[j] = inputRows(j * fT, Math.min(fT, l.f() - j * fT), l.w(), l.stride(), l.s(), l.dil(), l.padW(), true);
        double maxW = (dw ? mT : (double) mT * cT) * l.r() * l.s();
        double maxI = (double) nT * cT * inputRows(0, eT, l.h(), l.stride(), l.r(), l.dil(), l.pad(), false)
            * inputRows(0, fT, l.w(), l.stride(), l.s(), l.dil(), l.padW(), false);
        if (maxW > a.weightBufBytes() * a.tileCapFraction() || maxI > a.inputBufBytes() * a.tileCapFraction()) return null;
        int[] perm = new int[5], cnt = new int[5];
        for (int k = 0; k < 4; k++) perm[k + 1] = 1 + "MCEF".indexOf(order.charAt(k));
        int curW = -1, curI = -1, curO = -1;
        double tw = 0, ti = 0;
        int[] visits = new int[lim[0] * lim[1] * lim[3] * lim[4]];
        double[] oSizes = new double[visits.length];
        int total = lim[0] * lim[1] * lim[2] * lim[3] * lim[4];
        for (int it = 0; it < total; it++) {
            int rem = it;
            for (int k = 4; k >= 0; k--) { cnt[perm[k]] = rem % lim[perm[k]]; rem /= lim[perm[k]]; }
            int m = Math.min(mT, l.m() - cnt[1] * mT), c = dw ? m : Math.min(cT, cg - cnt[2] * cT);
            int e = Math.min(eT, l.e() - cnt[3] * eT), f = Math.min(fT, l.f() - cnt[4] * fT);
            int w = cnt[1] * lim[2] + cnt[2];
            int i = ((cnt[0] * (dw ? lim[1] : lim[2]) + (dw ? cnt[1] : cnt[2])) * lim[3] + cnt[3]) * lim[4] + cnt[4];
            int o = ((cnt[0] * lim[1] + cnt[1]) * lim[3] + cnt[3]) * lim[4] + cnt[4];
            if (w != curW) { tw += (double) m * (dw ? 1 : c) * l.r() * l.s(); curW = w; }
            if (i != curI) { ti += (double) nT * c * rowsIn[cnt[3]] * colsIn[cnt[4]]; curI = i; }
            if (o != curO) { visits[o]++; oSizes[o] = (double) nT * m * e * f; curO = o; }
        }
        int maxVisits = java.util.Arrays.stream(visits).max().orElse(1);
        if (!dw && lim[2] > 1 && maxVisits == 1 && (double) nT * mT * eT * fT * a.psumBytes() > a.outputBufBytes() * a.tileCapFraction()) return null;
        double psum = 0;
        for (int k = 0; k < visits.length; k++) psum += 2 * a.psumBytes() * oSizes[k] * (visits[k] - 1);
        return new double[] {tw, ti, l.oSize(), psum, (double) nT * cT * rowsIn[0] * colsIn[0]};
    }

    static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    @Test
    void tilingSearchMatchesExhaustiveSimulation() {
        ArchSpec small = ARCH.withBuffers(4096, 2048, 512);
        boolean spilled = false;
        for (LayerSpec l : LAYERS) {
            Tiling best = TilingSearch.search(l, 1, 1, 1, 0, small);
            spilled |= best.psumBytes() > 0;
            double[] sim = simulate(l, best.tN(), new int[] {best.tM(), best.tC(), best.tE(), best.tF()},
                best.order().replace("N", ""), small);
            assertEquals(sim[0], best.wBytes(), 1e-9, l.id() + " W bytes of chosen tiling");
            assertEquals(sim[1], best.iBytes(), 1e-9, l.id() + " I bytes of chosen tiling");
            assertEquals(sim[2], best.oBytes(), 1e-9, l.id() + " O bytes of chosen tiling");
            assertEquals(sim[3], best.psumBytes(), 1e-9, l.id() + " psum bytes of chosen tiling");
            assertEquals(sim[4], best.firstITile(), 1e-9, l.id() + " first input tile's DRAM bytes (fill)");
            if (HALO_TILED.contains(l.id()))
                assertTrue(best.tE() * best.tF() > 1, l.id() + " should split E or F on the small buffers: " + best);
            double min = Double.POSITIVE_INFINITY;
            boolean dw = l.type() == LayerType.DWCONV;
            for (int tN : l.batch() > 1 ? new int[] {1, l.batch()} : new int[] {1})
                for (int tm = 1; tm < 2 * l.m(); tm *= 2) for (int tc = 1; tc < 2 * (dw ? 1 : l.cg()); tc *= 2)
                    for (int te = 1; te < 2 * l.e(); te *= 2) for (int tf = 1; tf < 2 * l.f(); tf *= 2)
                        for (String ord : orders()) {
                            double[] s = simulate(l, tN, new int[] {tm, tc, te, tf}, ord, small);
                            if (s != null) min = Math.min(min, s[0] + s[1] + s[2] + s[3]);
                        }
            assertEquals(min, best.dramBytes(), 1e-9 * min, l.id() + " search minimum vs exhaustive minimum");
        }
        // c1x1deep's weights (16 KB) dwarf its outputs (256 B): its best tiling spills partial sums, which
        // checks the output rule |O| + 6|O|(P - 1) of HWMODEL.md 2.1 (fix 10)
        assertTrue(spilled, "no layer's best tiling spilled partial sums");
    }

    static List<String> orders() {
        List<String> out = new java.util.ArrayList<>();
        String s = "MCEF";
        for (char a : s.toCharArray()) for (char b : s.toCharArray()) for (char c : s.toCharArray()) for (char d : s.toCharArray()) {
            String o = "" + a + b + c + d;
            if (o.chars().distinct().count() == 4) out.add(o);
        }
        return out;
    }
}
