package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/**
 * SCNN (Parashar et al., ISCA'17), PT-IS-CP-sparse: 8x8 PEs of F x I = 4 x 4 multipliers, output
 * channels in groups of Kc, per-channel barrier and halo term as in [S:DNNsim SCNN.cpp]
 * (HWMODEL.md 2.4). Not modelled for FC/SE layers [P].
 * Activation non-zeros per PE tile come from {@code ActStats.scnn} (per-image maxima, fix 16) or, when absent, from
 * i.i.d. activations of density dA: the slowest tile's expected steps ({@link #expectedSlowestTileSteps}, fix 34). Halo
 * psums: 2 floor(R/2) rows on each of the 7 inner tile boundaries per direction, capped at |O| [A]. Each product is
 * added into its 24-bit accumulator, psumBytes 8-bit adds (fix 35), as the MACs of DianNao and Cambricon-X and the
 * bit-serial terms of Bit-pragmatic and SmartDeal include their adds.
 */
public final class Scnn implements AcceleratorModel {
    /** {@inheritDoc} */
    @Override
    public String name() {
        return "scnn";
    }

    /** {@inheritDoc} (products of a non-zero weight and a non-zero activation) */
    @Override
    public String workUnit() {
        return "non-zero product";
    }

    /**
     * Bytes of SCNN's accumulators: scnnPeGrid^2 PEs x scnnAccumulatorsPerPe x psumBytes (192 KB in arch-v1.json). They
     * are taken from the input buffer, the designs having the same total SRAM (HWMODEL-RESULTS fix 12).
     */
    public static double accumulatorBytes(ArchSpec a) {
        return (double) a.scnnPeGrid() * a.scnnPeGrid() * a.scnnAccumulatorsPerPe() * a.psumBytes();
    }

    /**
     * Refuses an architecture whose SCNN accumulators leave no input buffer ({@link #accumulatorBytes}).
     *
     * @throws IllegalArgumentException naming the fields and their values
     */
    public static void requireFits(ArchSpec a) {
        double acc = accumulatorBytes(a);
        if (!(acc < a.inputBufBytes()))
            throw new IllegalArgumentException("SCNN's accumulators, scnnPeGrid^2 x scnnAccumulatorsPerPe x psumBytes = "
                + a.scnnPeGrid() + "^2 x " + a.scnnAccumulatorsPerPe() + " x " + Specs.plain(a.psumBytes()) + " = "
                + Specs.plain(acc) + " bytes, are taken from the input buffer and must be smaller than inputBufBytes, "
                + Specs.plain(a.inputBufBytes()));
    }

    /** {@inheritDoc} */
    @Override
    public boolean supports(LayerSpec l) {
        return l.type() == LayerType.CONV || l.type() == LayerType.DWCONV;
    }

    /** {@inheritDoc} */
    @Override
    public ActionCounts count(LayerSpec l, WeightRep w0, ActStats act, ArchSpec a) {
        if (!supports(l)) throw new IllegalArgumentException("Scnn: layer " + l.id() + " of type " + l.type() + " is not modelled [P]");
        requireFits(a);
        WeightRep w = Counts.baseline(l, w0, a);
        boolean dw = l.type() == LayerType.DWCONV;
        int g = a.scnnPeGrid(), pes = g * g, cg = l.cg();
        int tw = (l.f() + g - 1) / g, th = (l.e() + g - 1) / g;
        int kc = dw ? 1 : Math.max(1, Math.min(l.m(), a.scnnAccumulatorsPerPe() / (tw * th)));
        int groups = (l.m() + kc - 1) / kc;
        double uniformSteps = act.scnn() == null ? expectedSlowestTileSteps(l, act.dA(), a) : 0;
        double[] maxTileSteps = new double[l.c()], nnzA = new double[l.c()];
        ActStats.ScnnTiles st = act.scnn();
        if (st != null && (st.grid() != g || st.inputsPerStep() != a.scnnI() || st.channels() != l.c()))
            throw new IllegalArgumentException("Scnn: layer " + l.id() + " has SCNN tile statistics for grid " + st.grid()
                + ", I = " + st.inputsPerStep() + " and " + st.channels() + " channels; the architecture needs grid " + g
                + ", I = " + a.scnnI() + " and the layer C = " + l.c());
        for (int c = 0; c < l.c(); c++) {
            if (st == null) {
                maxTileSteps[c] = uniformSteps;
                nnzA[c] = act.dA() * l.h() * l.w();
            } else {
                double s = 0;
                for (int p = 0; p < pes; p++) s += st.meanNnz()[c * pes + p];
                maxTileSteps[c] = st.meanMaxSteps()[c];
                nnzA[c] = s;
            }
        }
        short[] nz = w.nnzW();
        double cc = 0, drain = 0, prod = 0, nnzW = 0;
        double[] nzWc = new double[cg];
        // fix 26: filter m of a grouped layer reads input channels (m / (M/G)) C/G + c, c < C/G; a Kc group's weights are
        // summed per convolution group it spans (depthwise: one filter per group, G = 1: the whole group)
        int perGroup = l.m() / l.groups();
        int[] reads = new int[l.groups()]; // how many Kc groups read each convolution group's channels
        for (int k = 0; k < groups; k++) {
            int end = Math.min(l.m(), (k + 1) * kc);
            for (int m0 = k * kc; m0 < end; ) {
                int gi = m0 / perGroup, m1 = Math.min(end, (gi + 1) * perGroup);
                java.util.Arrays.fill(nzWc, 0);
                for (int m = m0; m < m1; m++)
                    for (int c = 0; c < cg; c++) nzWc[c] += nz[m * cg + c];
                for (int c = 0; c < cg; c++) {
                    int cin = gi * cg + c;
                    cc += maxTileSteps[cin] * Counts.ceilDiv(nzWc[c], a.scnnF());
                    prod += nnzA[cin] * nzWc[c];
                    nnzW += nzWc[c];
                }
                reads[gi]++;
                m0 = m1;
            }
            // fix 25: a halo strip above or below a tile is tw wide and R/2 high, one beside it th high and S/2 wide
            drain += (double) kc * Math.max(tw * (l.r() / 2), th * (l.s() / 2));
        }
        double n = l.batch();
        // stepSum: over output-channel groups and input channels, the slowest PE tile's activation steps x
        // ceil(group's non-zero weights / F); drainSteps: the halo drain per group; productSum: non-zero products
        Derivation d = Derivation.of("N * (stepSum + drainSteps)", "N", n, "stepSum", cc, "drainSteps", drain,
            "productSum", prod, "groups", groups, "Kc", kc);
        cc = n * (cc + drain);
        prod *= n;
        double halo = Math.min(l.oSize(), n * l.m() * 2.0 * (g - 1) * ((l.r() / 2) * l.f() + (l.s() / 2) * l.e()));
        double accBytes = accumulatorBytes(a);
        double wBytesPerNz = 1 + a.scnnIdxBitsPerNz() / 8;
        Tiling t = TilingSearch.search(l, wBytesPerNz * nnzW / l.wSize(), a.scnnActBytesPerNz() * act.dA(),
            a.scnnActBytesPerNz() * act.dOut(), accBytes, a);
        List<Action> x = t.dramActions();
        // fix 13: a depthwise group (Kc = 1) reads only its own channel, so every channel is read once; fix 26: a Kc group
        // of a grouped layer reads the channels of the convolution groups it spans
        double iaram = 0, sumNnzA = 0;
        for (double v : nnzA) sumNnzA += v;
        if (dw) iaram = a.scnnActBytesPerNz() * n * sumNnzA;
        else for (int gi = 0; gi < l.groups(); gi++) {
            double s = 0;
            for (int c = 0; c < cg; c++) s += nnzA[gi * cg + c];
            iaram += a.scnnActBytesPerNz() * n * s * reads[gi];
        }
        x.add(new Action(Action.Level.SRAM, Action.Data.I, "IARAM reads", iaram, Counts.sram(a.inputBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.W, "weight buffer reads", wBytesPerNz * nnzW * n, Counts.sram(a.weightBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.O, "OARAM writes", l.oSize() * a.scnnActBytesPerNz() * act.dOut(),
            Counts.sram(a.outputBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.O, "halo psum exchange", halo * a.psumBytes(), Counts.sram(a.outputBankBytes())));
        x.add(new Action(Action.Level.RF, Action.Data.I, "operand buffer reads", prod * (1.0 / a.scnnF() + 1.0 / a.scnnI()), "rf"));
        x.add(new Action(Action.Level.RF, Action.Data.O, "accumulator read-modify-write", 2 * a.psumBytes() * prod, "rf"));
        x.add(new Action(Action.Level.RF, Action.Data.O, "accumulator drain reads", a.psumBytes() * l.oSize(), "rf"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "products", prod, "mult"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "accumulate adds", a.psumBytes() * prod, "add"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "crossbar transfers", prod, "crossbar"));
        return new ActionCounts(name(), l.id(), cc, prod, (double) pes * a.scnnF() * a.scnnI(), t, x, d);
    }

    /**
     * Fix 34: the expected activation steps of one input channel's slowest PE tile when the activations are i.i.d.
     * non-zero with probability {@code dA}: {@code E[max_p ceil(X_p / I)]}, {@code X_p ~ Binomial(n_p, dA)}, where
     * {@code n_p} counts the input pixels of PE p by {@link ActStats.ScnnTiles#peOf}, the rule by which measured
     * statistics count {@code scnnNZ[c][p]} (HWMODEL.md 1.3), so this is the expectation of what they measure as
     * {@code ActStats.ScnnTiles.meanMaxSteps}. Before the fix the uniform case took the mean tile,
     * ceil(ceil(dA ceil(H/G) ceil(W/G)) / I), where every other design pays its synchronisation under the same
     * statistics (SmartDeal's tSD, Bit-pragmatic's tPRA, Cambricon-X's slowest filter).
     *
     * <p>Computed as {@code sum_{s >= 0} (1 - prod_p P(X_p <= s I))}, each binomial's distribution by the ratio of
     * successive probabilities in logarithms (no underflow for tiles of thousands of pixels).
     *
     * @param l  the layer (H, W, E, F, stride)
     * @param dA activation density in [0, 1]
     * @param a  the architecture (PE grid G, vector width I)
     * @return the expected steps, 0 for dA = 0; ceil(largest tile / I) for dA = 1
     */
    public static double expectedSlowestTileSteps(LayerSpec l, double dA, ArchSpec a) {
        int g = a.scnnPeGrid(), inputs = a.scnnI();
        int[] rows = new int[g], cols = new int[g];
        for (int y = 0; y < l.h(); y++) rows[ActStats.ScnnTiles.peOf(y, l.stride(), l.e(), g)]++;
        for (int x = 0; x < l.w(); x++) cols[ActStats.ScnnTiles.peOf(x, l.stride(), l.f(), g)]++;
        java.util.TreeMap<Integer, Integer> tiles = new java.util.TreeMap<>(); // pixels -> how many PEs hold that many
        for (int r : rows)
            for (int c : cols)
                if (r * c > 0) tiles.merge(r * c, 1, Integer::sum);
        if (dA <= 0 || tiles.isEmpty()) return 0;
        int largest = tiles.lastKey();
        int top = (largest + inputs - 1) / inputs;
        double[] below = new double[top]; // below[s] = P(every tile needs at most s steps)
        java.util.Arrays.fill(below, 1);
        for (java.util.Map.Entry<Integer, Integer> e : tiles.entrySet()) {
            double[] cdf = binomialCdf(e.getKey(), dA);
            for (int s = 0; s < top; s++) below[s] *= Math.pow(cdf[Math.min(e.getKey(), s * inputs)], e.getValue());
        }
        double steps = 0;
        for (int s = 0; s < top; s++) steps += 1 - below[s];
        return steps;
    }

    /** P(X <= x) for x = 0..n, X ~ Binomial(n, d); d = 1 puts all mass on n. */
    private static double[] binomialCdf(int n, double d) {
        double[] cdf = new double[n + 1];
        if (d >= 1) {
            cdf[n] = 1;
            return cdf;
        }
        double logP = n * Math.log1p(-d), logRatio = Math.log(d) - Math.log1p(-d), sum = 0;
        for (int x = 0; x <= n; x++) {
            sum += Math.exp(logP);
            cdf[x] = Math.min(1, sum);
            if (x < n) logP += Math.log(n - x) - Math.log(x + 1) + logRatio;
        }
        return cdf;
    }
}
