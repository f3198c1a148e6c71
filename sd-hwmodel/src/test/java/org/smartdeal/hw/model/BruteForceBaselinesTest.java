package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.dl4j.ActStatsAccumulator;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HWMODEL.md 4.3 for the two baselines {@link BruteForceCountsTest} leaves out: the counts of {@link BitPragmatic} and
 * {@link Scnn} equal, to 1e-9 relative, a brute-force enumeration of the loop nest HWMODEL.md 2.4 describes, written
 * from the spec's definitions (its [A] choices where it leaves one open, each named where it is used). Layers: the
 * eleven of {@link BruteForceCountsTest#LAYERS} and the six of {@link #MORE} (a 1 x 3 and a 3 x 1 kernel on planes that
 * are not multiples of the 8 x 8 PE grid, 130 filters in two SCNN Kc groups, a 64 x 64 plane whose 40 filters take
 * three, a 16 x 64 plane of 2 x 8 output tiles whose 80 filters take two, 128 filters that fill two Bit-pragmatic
 * filter groups, a strided 5 x 5 depthwise layer), and for Bit-pragmatic the four of {@link #FCS} (FC and SE FC layers
 * at batch 1, 3, 12 and 16).
 * <ul>
 * <li>Bit-pragmatic (fixed {@link ActStats}, tPRA = 5, praTerms = 1.2 oneffsets per activation): images x 64-filter groups x output rows x 8-window groups x
 *     kernel taps x 16-lane bricks (depthwise: bricks of taps; FC: 8-image windows x filter groups x bricks), tPRA
 *     cycles per step. Checked on every layer and on the grouped {@link #DM2} and {@link #G32}: cycles, bit-serial
 *     terms, output buffer writes, weight and input buffer reads and the accumulator bytes of the busy lanes (idle
 *     lanes are clock-gated and free, HWMODEL.md 2.3; fix 27), and where every window or filter is busy, that these
 *     are HWMODEL.md's amortised Mac/8, Mac/64 and 512-lane counts.</li>
 * <li>SCNN, with uniform density ({@code ActStats.scnn() == null}) and with {@link ActStats.ScnnTiles} built here,
 *     image by image, from a random sparse int8 tensor (and checked equal to what {@link ActStatsAccumulator}
 *     measures from the same tensor): the 8 x 8 PE grid and its planar input tiles aligned to the output tiles, the
 *     Kc output channels the 1024 accumulators hold, per (image, group, input channel) the slowest PE's vector
 *     pairs ceil(nnzA / I) x ceil(nnzW / F) (the barrier), the halo drain. Checked: Kc, groups, cycles, drain steps,
 *     products, IARAM reads, weight buffer reads, OARAM writes, halo psum exchange, operand buffer reads,
 *     accumulator read-modify-write and drain reads, crossbar transfers. A grouped (depth-multiplier) convolution:
 *     {@link #scnnGroupedConvolutionReadsEachFiltersOwnChannels}.</li>
 * </ul>
 */
class BruteForceBaselinesTest {
    static final ArchSpec ARCH = BruteForceCountsTest.ARCH;
    static final ActStats ACT = BruteForceCountsTest.ACT;
    /** Shapes {@link BruteForceCountsTest#LAYERS} lacks. */
    static final List<LayerSpec> MORE = List.of(
        // 1 x 3 padded a column each side, 20 x 20: th = tw = 3, Kc = 1024 / 9 = 113 < 130 (groups of 113 and 17)
        new LayerSpec("c1x3", LayerType.CONV, 1, 130, 6, 1, 1, 3, 20, 20, 20, 20, 1, 0, 1, true, 1),
        // 3 x 1 padded a row above and below, 13 x 11 at batch 2: th = tw = 2, one group of 12
        new LayerSpec("c3x1", LayerType.CONV, 2, 12, 6, 1, 3, 1, 13, 11, 13, 11, 1, 1, 1, true, 0),
        // 64 x 64: th = tw = 8, Kc = 16, groups of 16, 16 and 8 filters
        LayerSpec.conv("c3x3k16", LayerType.CONV, 40, 3, 3, 64, 64, 1, 1, 1),
        // 16 x 64: th = 2, tw = 8, Kc = 1024 / 16 = 64, groups of 64 and 16 (th x th or tw x tw would give other Kc)
        LayerSpec.conv("c1x1flat", LayerType.CONV, 80, 4, 1, 16, 64, 1, 0, 1),
        // 128 filters and 8 output columns: Bit-pragmatic's 64 filters and 8 windows all busy
        LayerSpec.conv("c3x3m128", LayerType.CONV, 128, 20, 3, 10, 10, 1, 0, 1),
        // 25 taps in two 16-lane bricks; 10 output columns, so the second window group has 2 windows
        LayerSpec.conv("dw5x5s2", LayerType.DWCONV, 20, 20, 5, 19, 19, 2, 2, 1));
    /** FC layers for Bit-pragmatic, whose windows carry the batch [A]. */
    static final List<LayerSpec> FCS = List.of(
        LayerSpec.fc("fc1", LayerType.FC, 100, 40, false),
        LayerSpec.fc("se3", LayerType.SE_FC, 24, 96, true).withBatch(3),
        LayerSpec.fc("fc12", LayerType.FC, 130, 50, false).withBatch(12),
        LayerSpec.fc("fc16", LayerType.FC, 128, 64, false).withBatch(16));
    /** A depthwise layer of depth multiplier 2 as {@code Workloads} prices it: a CONV of C groups, output c d + j. */
    static final LayerSpec DM2 = new LayerSpec("dm2", LayerType.CONV, 1, 16, 8, 8, 3, 3, 10, 10, 10, 10, 1, 1, 1, true);
    /**
     * A grouped convolution of 32 groups of two input channels and four filters: C/G = 2 (a filter reads two channels,
     * at g C/G + c) and 128 filters, so each of Bit-pragmatic's two 64-filter groups spans 16 convolution groups.
     */
    static final LayerSpec G32 = new LayerSpec("g32", LayerType.CONV, 1, 128, 64, 32, 3, 3, 8, 8, 8, 8, 1, 1, 1, true);

    static List<LayerSpec> convLayers() {
        List<LayerSpec> out = new ArrayList<>(BruteForceCountsTest.LAYERS);
        out.addAll(MORE);
        return out;
    }

    static void near(double want, double got, LayerSpec l, String what) {
        assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)), l.id() + ": " + what);
    }

    static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    // ---------------------------------------------------------------- Bit-pragmatic

    /**
     * Bit-pragmatic's loop nest (HWMODEL.md 2.4, mapping 64 filters x 8 windows x 16-channel bricks [P T.IX]). One step
     * multiplies a brick of up to 16 lanes (input channels of one kernel tap; depthwise: kernel taps [A]) of up to 8
     * windows (output columns of one row, as the spec's E x ceil(F / dimF); FC: images [A]) with up to 64 filters,
     * bit-serially in tPRA cycles (the brick waits for its densest activation). Returns {cycles, bit-serial terms,
     * weight reads, input reads, output writes, accumulator bytes of the busy lanes, accumulator bytes of all 512}.
     */
    static double[] pragmatic(LayerSpec l, ActStats act, ArchSpec a) {
        boolean fc = l.type() == LayerType.FC || l.type() == LayerType.SE_FC, dw = l.type() == LayerType.DWCONV;
        int fil = a.praFilters(), win = a.praWindows(), lanes = a.praBrick();
        int images = fc ? 1 : l.batch(), rows = fc ? 1 : l.e(), windows = fc ? l.batch() : l.f();
        int taps = dw ? 1 : l.r() * l.s(), laneItems = dw ? l.r() * l.s() : l.cg(), perGroup = l.m() / l.groups();
        double[] t = new double[7];
        for (int n = 0; n < images; n++)
            for (int m0 = 0; m0 < l.m(); m0 += fil) {
                int nf = Math.min(fil, l.m() - m0);
                // one brick read is multicast to the filters that read the same channels: those of one convolution
                // group (a depthwise filter reads its own channel, fix 14)
                int readers = (m0 + nf - 1) / perGroup - m0 / perGroup + 1;
                for (int e = 0; e < rows; e++)
                    for (int f0 = 0; f0 < windows; f0 += win) {
                        int nw = Math.min(win, windows - f0);
                        for (int tap = 0; tap < taps; tap++)
                            for (int b0 = 0; b0 < laneItems; b0 += lanes) {
                                int nl = Math.min(lanes, laneItems - b0);
                                t[0] += act.tPRA();
                                // every MAC adds its activation's oneffsets (recoded terms): praTerms on average, zeros
                                // included
                                t[1] += (double) nf * nw * nl * act.praTerms();
                                t[2] += (double) nf * nl;            // a filter's weight brick, shared by the windows
                                t[3] += (double) readers * nw * nl;  // a window's input brick, multicast to the filters
                                t[5] += act.tPRA() * nf * nw * 2 * a.psumBytes();
                                t[6] += act.tPRA() * fil * win * 2 * a.psumBytes();
                            }
                        t[4] += (double) nf * nw; // each output written once, after its last brick
                    }
            }
        return t;
    }

    static List<LayerSpec> praLayers() {
        List<LayerSpec> out = convLayers();
        out.addAll(FCS);
        return out;
    }

    static boolean windowsBusy(LayerSpec l, ArchSpec a) {
        boolean fc = l.type() == LayerType.FC || l.type() == LayerType.SE_FC;
        return (fc ? l.batch() : l.f()) % a.praWindows() == 0;
    }

    static boolean filtersBusy(LayerSpec l, ArchSpec a) {
        return l.m() % a.praFilters() == 0 && l.groups() == 1;
    }

    @Test
    void bitPragmaticCountsEqualLoopNestEnumeration() {
        int busyW = 0, busyI = 0, busyBoth = 0, idle = 0;
        List<LayerSpec> layers = praLayers();
        layers.add(DM2);
        layers.add(G32);
        for (LayerSpec l : layers) {
            ActionCounts c = new BitPragmatic().count(l, WeightRep.dense(l), ACT, ARCH);
            double[] t = pragmatic(l, ACT, ARCH);
            near(t[0], c.ccomp(), l, "Bit-pragmatic cycles");
            near(t[0], c.derivation().ccomp(), l, "Bit-pragmatic cycles from the derivation");
            near(t[1], c.count("bit-serial terms"), l, "bit-serial terms");
            near(t[1], c.work(), l, "work (terms)");
            near(t[4], c.count("output buffer writes"), l, "output buffer writes");
            near(t[2], c.count("weight buffer reads"), l, "weight buffer reads");
            near(t[3], c.count("input buffer reads"), l, "input buffer reads");
            near(t[5], c.count("accumulator read+write"), l, "accumulator bytes of the busy lanes");
            boolean w = windowsBusy(l, ARCH), f = filtersBusy(l, ARCH);
            // where every lane is busy, the counts are HWMODEL.md's amortised Mac/8, Mac/64 and 512 lanes every cycle
            if (w) near(l.macs() / ARCH.praWindows(), c.count("weight buffer reads"), l, "Mac/8 (every window busy)");
            if (f && l.type() != LayerType.DWCONV)
                near(l.macs() / ARCH.praFilters(), c.count("input buffer reads"), l, "Mac/64 (every filter busy)");
            if (w && f) near(t[6], c.count("accumulator read+write"), l, "accumulator bytes of all 512 lanes every cycle");
            busyW += w ? 1 : 0;
            busyI += f ? 1 : 0;
            busyBoth += w && f ? 1 : 0;
            idle += w && f ? 0 : 1;
        }
        assertTrue(busyW >= 8 && busyI >= 2 && busyBoth >= 2 && idle >= 8, busyW + " / " + busyI + " / " + busyBoth + " / " + idle);
    }

    // ---------------------------------------------------------------- SCNN

    /**
     * The PE (py G + px on the G x G grid) whose input tile holds each input pixel (h, w), h-major. Output tiles are
     * th = ceil(E/G) rows by tw = ceil(F/G) columns; an input pixel goes with the output row (column) its stride step
     * starts, h / U, so the input tile is aligned to the PE's output tile; pixels past the last tile go to the last
     * PE row (column). [A] as HWMODEL.md 1.3 {@code scnnNZ} and {@code ActStatsAccumulator}: padding does not shift it.
     */
    static int[] peOfPixel(LayerSpec l, ArchSpec a) {
        int g = a.scnnPeGrid(), th = ceil(l.e(), g), tw = ceil(l.f(), g);
        int[] pe = new int[l.h() * l.w()];
        for (int h = 0; h < l.h(); h++)
            for (int w = 0; w < l.w(); w++) {
                int outRow = h / l.stride(), outCol = w / l.stride();
                pe[h * l.w() + w] = Math.min(g - 1, outRow / th) * g + Math.min(g - 1, outCol / tw);
            }
        return pe;
    }

    /** A random post-ReLU int8 input, NCHW: some channels all zero, the others denser towards the bottom rows. */
    static int[] activations(LayerSpec l, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] q = new int[l.batch() * l.c() * l.h() * l.w()];
        for (int n = 0, i = 0; n < l.batch(); n++)
            for (int c = 0; c < l.c(); c++) {
                double d = c % 5 == 3 ? 0 : r.nextDouble(0.05, 0.9);
                for (int h = 0; h < l.h(); h++)
                    for (int w = 0; w < l.w(); w++, i++)
                        q[i] = r.nextDouble() < d * (0.3 + 1.4 * h / l.h()) ? r.nextInt(1, 128) : 0;
            }
        return q;
    }

    /** Non-zero activations of each (image, channel, PE), counted pixel by pixel. */
    static int[][][] nonZerosPerPe(LayerSpec l, int[] q, ArchSpec a) {
        int[] pe = peOfPixel(l, a);
        int hw = l.h() * l.w();
        int[][][] nz = new int[l.batch()][l.c()][a.scnnPeGrid() * a.scnnPeGrid()];
        for (int n = 0; n < l.batch(); n++)
            for (int c = 0; c < l.c(); c++)
                for (int p = 0; p < hw; p++)
                    if (q[(n * l.c() + c) * hw + p] != 0) nz[n][c][pe[p]]++;
        return nz;
    }

    /**
     * {@link ActStats.ScnnTiles} by their definition (fix 16): per (channel, PE) the mean over images of the non-zero
     * count, per channel the mean over images of the slowest PE's activation vectors max_p ceil(nz / I).
     */
    static ActStats.ScnnTiles tiles(int[][][] nz, ArchSpec a) {
        int images = nz.length, channels = nz[0].length, pes = nz[0][0].length;
        double[] mean = new double[channels * pes], steps = new double[channels];
        for (int[][] image : nz)
            for (int c = 0; c < channels; c++) {
                int slowest = 0;
                for (int p = 0; p < pes; p++) {
                    mean[c * pes + p] += image[c][p];
                    slowest = Math.max(slowest, ceil(image[c][p], a.scnnI()));
                }
                steps[c] += slowest;
            }
        for (int k = 0; k < mean.length; k++) mean[k] /= images;
        for (int c = 0; c < channels; c++) steps[c] /= images;
        return new ActStats.ScnnTiles(a.scnnPeGrid(), a.scnnI(), mean, steps);
    }

    /**
     * SCNN's loop nest (HWMODEL.md 2.4, PT-IS-CP-sparse): per image and group of Kc output channels (as many as a PE's
     * accumulators hold th x tw outputs of; depthwise 1), for every input channel the group's filters read, each PE
     * multiplies its non-zero activations of the channel, I at a time, with the group's non-zero weights of the
     * channel, F at a time (the Cartesian product); the group waits for the slowest PE (the per-(c, group) barrier),
     * then drains its halo. {@code nz[n][c][p]} are the non-zero activations of (image, channel, PE); null means
     * uniform density [A]. Returns the quantities by the model's action names.
     */
    static Map<String, Double> scnn(LayerSpec l, int[] w, int[][][] nz, ActStats act, ArchSpec a) {
        int g = a.scnnPeGrid(), pes = g * g, th = ceil(l.e(), g), tw = ceil(l.f(), g);
        int kc = 1;
        if (l.type() != LayerType.DWCONV)
            while (kc < l.m() && (kc + 1) * th * tw <= a.scnnAccumulatorsPerPe()) kc++;
        double[] tile = new double[pes];
        for (int p : peOfPixel(l, a)) tile[p]++;
        // [A] uniform density: every PE holds dA times the pixels of its tile (expected products); the slowest PE's
        // activation steps are the expectation of the maximum over the tiles (fix 34)
        double slowestUniform = nz == null ? expectedSlowestSteps(tile, act.dA(), a.scnnI()) : 0;
        int perGroup = l.m() / l.groups();
        double actBytes = a.scnnActBytesPerNz(), wBytes = 1 + a.scnnIdxBitsPerNz() / 8;
        double steps = 0, drain = 0, products = 0, iaram = 0, wReads = 0, groups = 0;
        for (int n = 0; n < l.batch(); n++)
            for (int m0 = 0; m0 < l.m(); m0 += kc) {
                int m1 = Math.min(l.m(), m0 + kc);
                groups += n == 0 ? 1 : 0;
                for (int c = 0; c < l.c(); c++) {
                    int cgrp = c / l.cg();
                    if (cgrp < m0 / perGroup || cgrp > (m1 - 1) / perGroup) continue; // no filter of the group reads c
                    int nzW = 0;
                    for (int m = m0; m < m1; m++)
                        if (m / perGroup == cgrp)
                            for (int r = 0; r < l.r(); r++)
                                for (int s = 0; s < l.s(); s++)
                                    if (BruteForceCountsTest.wAt(l, w, m, c % l.cg(), r, s) != 0) nzW++;
                    wReads += wBytes * nzW; // read once per image, multicast to the PEs
                    double slowest = 0;
                    long weightSteps = 0;
                    for (int f0 = 0; f0 < nzW; f0 += a.scnnF()) weightSteps++;
                    for (int p = 0; p < pes; p++) {
                        double acts = nz == null ? act.dA() * tile[p] : nz[n][c][p];
                        products += acts * nzW;
                        iaram += actBytes * acts; // each non-zero activation read once per group
                        if (nz != null) {
                            long pairs = 0;
                            for (int i0 = 0; i0 < nz[n][c][p]; i0 += a.scnnI())
                                for (int f0 = 0; f0 < nzW; f0 += a.scnnF()) pairs++;
                            slowest = Math.max(slowest, pairs);
                        }
                    }
                    steps += nz == null ? slowestUniform * weightSteps : slowest;
                }
                // halo drain, one psum a step per channel: the strips above and below the tile (tw wide, floor(R/2)
                // high) and those beside it (th high, floor(S/2) wide) move concurrently (fix 25). [A] HWMODEL.md's
                // Kc max(...) per group: Kc channels drain also in a last group of fewer filters
                for (int k = 0; k < kc; k++) {
                    int vertical = 0, horizontal = 0;
                    for (int y = 0; y < l.r() / 2; y++) for (int x = 0; x < tw; x++) vertical++;
                    for (int y = 0; y < th; y++) for (int x = 0; x < l.s() / 2; x++) horizontal++;
                    drain += Math.max(vertical, horizontal);
                }
            }
        // [A] (Scnn): per image and output channel, 2 floor(R/2) rows of F psums on each of the G - 1 inner tile
        // boundaries across, 2 floor(S/2) columns of E on each of those along, at most |O| psums in all
        double halo = 0;
        for (int n = 0; n < l.batch(); n++)
            for (int m = 0; m < l.m(); m++)
                for (int b = 1; b < g; b++) halo += 2.0 * (l.r() / 2) * l.f() + 2.0 * (l.s() / 2) * l.e();
        halo = Math.min(halo, l.oSize());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("Kc", (double) kc);
        out.put("groups", groups);
        out.put("cycles", steps + drain);
        out.put("drain", drain);
        out.put("products", products);
        out.put("crossbar transfers", products);
        out.put("IARAM reads", iaram);
        out.put("weight buffer reads", wReads);
        out.put("OARAM writes", l.oSize() * actBytes * act.dOut());
        out.put("halo psum exchange", halo * a.psumBytes());
        // HWMODEL.md: operand buffers P (1/F + 1/I) bytes, accumulator read-modify-write 2 x 3 B per product, 3 B drained
        // per output
        out.put("operand buffer reads", products * (1.0 / a.scnnF() + 1.0 / a.scnnI()));
        out.put("accumulator read-modify-write", 2 * a.psumBytes() * products);
        out.put("accumulate adds", a.psumBytes() * products); // fix 35: a 24-bit add per product, in 8-bit adds
        out.put("accumulator drain reads", a.psumBytes() * l.oSize());
        return out;
    }

    /**
     * E[max_p ceil(X_p / I)] for independent X_p ~ Binomial(tile[p], d), by its definition as a sum of tail
     * probabilities, sum over s >= 0 of 1 - prod_p P(X_p <= s I), each binomial term C(n, x) d^x (1-d)^(n-x) written
     * out (the model computes the same expectation from ratios of successive probabilities in logarithms, over tile
     * sizes it derives from the layer's shape).
     */
    static double expectedSlowestSteps(double[] tile, double d, int inputs) {
        int largest = 0;
        for (double t : tile) largest = Math.max(largest, (int) t);
        double e = 0;
        for (int s = 0; s * inputs < largest; s++) {
            double all = 1;
            for (double t : tile) {
                int n = (int) t;
                double atMost = 0;
                for (int x = 0; x <= Math.min(n, s * inputs); x++) {
                    double choose = 1;
                    for (int k = 1; k <= x; k++) choose = choose * (n - x + k) / k;
                    atMost += choose * Math.pow(d, x) * Math.pow(1 - d, n - x);
                }
                all *= atMost;
            }
            e += 1 - all;
        }
        return e;
    }

    static void compareScnn(LayerSpec l, Map<String, Double> want, ActionCounts c, String how) {
        String id = how + ", ";
        Map<String, Double> q = c.derivation().quantities();
        near(want.get("Kc"), q.get("Kc"), l, id + "Kc");
        near(want.get("groups"), q.get("groups"), l, id + "Kc groups");
        near(want.get("cycles"), c.ccomp(), l, id + "SCNN cycles");
        near(want.get("drain"), l.batch() * q.get("drainSteps"), l, id + "halo drain steps");
        near(want.get("products"), c.work(), l, id + "work (products)");
        for (String name : want.keySet())
            if (!List.of("Kc", "groups", "cycles", "drain").contains(name)) near(want.get(name), c.count(name), l, id + name);
    }

    @Test
    void scnnCountsAtUniformDensityEqualLoopNestEnumeration() {
        long seed = 1;
        for (LayerSpec l : convLayers()) {
            int[] w = BruteForceCountsTest.weights(l, seed++);
            WeightRep rep = WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, w, 0, 0, 0, 0);
            compareScnn(l, scnn(l, w, null, ACT, ARCH), new Scnn().count(l, rep, ACT, ARCH), "uniform density");
        }
    }

    @Test
    void scnnCountsWithMeasuredTilesEqualLoopNestEnumeration() {
        long seed = 100;
        for (LayerSpec l0 : convLayers()) {
            LayerSpec l = l0.batch() > 1 ? l0 : l0.withBatch(2); // per-image maxima of two images or more (fix 16)
            int[] w = BruteForceCountsTest.weights(l, seed++);
            WeightRep rep = WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, w, 0, 0, 0, 0);
            int[] q = activations(l, seed++);
            int[][][] nz = nonZerosPerPe(l, q, ARCH);
            ActStats.ScnnTiles st = tiles(nz, ARCH);
            ActStatsAccumulator acc = new ActStatsAccumulator(l, ARCH);
            acc.addQuantised(q, l.batch());
            ActStats m = acc.stats(0.4);
            assertArrayEquals(st.meanNnz(), m.scnn().meanNnz(), 1e-12, l.id() + ": measured mean non-zeros per tile");
            assertArrayEquals(st.meanMaxSteps(), m.scnn().meanMaxSteps(), 1e-12, l.id() + ": measured slowest-tile steps");
            ActStats act = new ActStats(m.dA(), m.bitsRaw(), m.boothDig(), m.rowZero(), m.tSD(), m.tPRA(), m.praTerms(), m.dOut(), st);
            compareScnn(l, scnn(l, w, nz, act, ARCH), new Scnn().count(l, rep, act, ARCH), "measured tiles");
        }
    }

    /**
     * Grouped convolutions that are not depthwise ({@link #DM2}: 8 groups of one input channel and two filters, what
     * {@code Workloads} makes of a depth multiplier of 2; {@link #G32}: two channels a group): each filter multiplies the tiles of its own group's input
     * channel, and a Kc group's weights are summed per convolution group before the ceil(. / F) (fix 26; before it,
     * every filter was charged channel 0's tiles: 4,361 products against the loop nest's 3,656 with measured tiles).
     */
    @Test
    void scnnGroupedConvolutionReadsEachFiltersOwnChannels() {
        long seed = 7;
        for (LayerSpec grouped : List.of(DM2, G32)) {
            LayerSpec l = grouped.withBatch(2);
            int[] w = BruteForceCountsTest.weights(l, seed++);
            WeightRep rep = WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, w, 0, 0, 0, 0);
            int[][][] nz = nonZerosPerPe(l, activations(l, seed++), ARCH);
            ActStats act = new ActStats(0.5, 1.6, 1.4, 0.25, 2.5, 5, 1.2, 0.5, tiles(nz, ARCH));
            compareScnn(l, scnn(l, w, null, ACT, ARCH), new Scnn().count(l, rep, ACT, ARCH), "uniform density");
            compareScnn(l, scnn(l, w, nz, act, ARCH), new Scnn().count(l, rep, act, ARCH), "measured tiles");
        }
    }
}
