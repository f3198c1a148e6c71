package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.Specs;

/**
 * Exhaustive DRAM-minimising tiling search shared by all accelerators (HWMODEL.md 2.1): tile counts
 * in powers of two for M, C/G, E, F, the batch tiled in the powers of two that divide N and N itself
 * (N outermost, fix 38), all 24 orders of M, C, E, F. Reuse rule (Timeloop [S:TL]): a tensor is re-fetched once per iteration of every
 * irrelevant loop above its innermost relevant loop; loops with one tile are ignored.
 * Fixes to the spec (numbered as in docs/HWMODEL-RESULTS.md): (1, 22) the input halo factor is the sum over
 * the real E (F) tiles of the input rows (columns) each tile reads, clipped to the input [0, H) ([0, W)),
 * divided by H (W), not t_E rows_in/H: DRAM sends each tile's real rows and columns, the zero padding being
 * made on chip (see {@link #realRows}); an untiled layer whose windows cover its input moves exactly |I| bytes
 * (invariant 4.1.6), and tiles of a strided 1x1 layer skip unused rows;
 * (2) tile counts are the effective counts ceil(X / ceil(X/t)); (9) the first input tile's fill bytes are
 * its real rows times columns by the same count;
 * (10) when partial sums spill, the final outputs are written once ({@code |O| beta_O}) and the P - 1
 * spills are the psum term, as HWMODEL.md 2.1 states (the code had charged {@code |O| beta_O P});
 * (11) a dilated kernel's input rows are the union of its R row blocks, see {@link #span};
 * (12) SCNN's accumulators are taken from its input buffer, keeping the same total SRAM.
 * Search pruning: once every tile fits, larger tile counts of inner loops are skipped (traffic is
 * non-decreasing in each count), except where smaller tiles can skip input rows between a tile's taps
 * (stride > kernel, or stride > 1 with dilation): those layers are searched exhaustively.
 */
public final class TilingSearch {
    private static final int M = 0, C = 1, E = 2, F = 3;
    private static final int[][] ORDERS = permutations();
    private static final String NAMES = "MCEF";

    private TilingSearch() {
    }

    /**
     * A layer whose smallest tile does not fit the bytes a tile may use in the architecture's buffers: a property of
     * the layer and the architecture (buffers made too small for it), not of the model.
     */
    public static final class NoFeasibleTilingException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NoFeasibleTilingException(String message) {
            super(message);
        }
    }

    /**
     * Searches the tiling with minimum DRAM bytes (ties: fewest tiles).
     *
     * @param l        layer
     * @param betaW    stored weight bytes per weight element
     * @param betaI    stored input bytes per element
     * @param betaO    stored output bytes per element
     * @param accBytes on-chip accumulator bytes for psums (SCNN), else 0: they hold output tiles (added to
     *                 the output capacity) and are part of the same total SRAM as the other designs' buffers
     *                 [P T.IX notes], so they are taken from the input buffer (fix 12)
     * @param a        architecture (buffer capacities, psum bytes, fuseOnChip knob)
     */
    public static Tiling search(LayerSpec l, double betaW, double betaI, double betaO, double accBytes, ArchSpec a) {
        boolean dw = l.type() == LayerType.DWCONV;
        int rEff = (l.r() - 1) * l.dil() + 1, sEff = (l.s() - 1) * l.dil() + 1;
        if (!(accBytes >= 0 && accBytes < a.inputBufBytes()))
            throw new IllegalArgumentException("TilingSearch(" + l.id() + "): accBytes must be in [0, inputBufBytes "
                + Specs.plain(a.inputBufBytes()) + "), got " + Specs.plain(accBytes));
        // fix 12: accumulators count inside the same total SRAM [P T.IX notes], taken from the input buffer
        double capW = a.weightBufBytes() * a.tileCapFraction(), capI = inBufBytes(a, accBytes) * a.tileCapFraction();
        // fix 39: the output buffer double-buffers as the others do; SCNN's accumulators are added whole
        double capO = a.outputBufBytes() * a.tileCapFraction() + accBytes, ps = a.psumBytes();
        // fix 22: real input rows (columns) read by all E (F) tiles and by the first, per t = 1, 2, 4, ...
        double[][] rowsReal = realRows(l.e(), l.h(), l.stride(), l.r(), l.dil(), l.pad());
        double[][] colsReal = realRows(l.f(), l.w(), l.stride(), l.s(), l.dil(), l.padW());
        double wAll = l.wSize() * betaW, iAll = l.iSize() * betaI, oAll = l.oSize() * betaO;
        double inBuf = inBufBytes(a, accBytes);
        boolean fuse = a.knobs().fuseOnChip() && iAll <= inBuf && oAll <= inBuf;
        int cg = dw ? 1 : l.cg();
        // traffic is non-decreasing in every tile count once all tiles fit, unless smaller tiles skip rows between
        // a tile's taps: stride > kernel, or stride > 1 with dilation
        boolean prune = l.stride() == 1 || (l.dil() == 1 && l.stride() <= rEff && l.stride() <= sEff);
        double best = Double.POSITIVE_INFINITY;
        long bestTiles = Long.MAX_VALUE;
        Tiling bestT = null;
        int[] t = new int[4], u = new int[4];
        int[] ns = batchTileCounts(l.batch());
        for (int tN : ns) {
            int nT = l.batch() / tN;
            for (t[M] = 1; t[M] < 2 * l.m(); t[M] *= 2) {
                int mT = ceil(l.m(), t[M]);
                u[M] = ceil(l.m(), mT);
                boolean brkM = false;
                for (t[C] = 1; t[C] < 2 * cg; t[C] *= 2) {
                    boolean brkC = false;
                    int cT = dw ? mT : ceil(cg, t[C]);
                    u[C] = dw ? 1 : ceil(cg, cT);
                    double wTile = (dw ? mT : mT * (double) cT) * l.r() * l.s() * betaW;
                    if (wTile > capW) continue;
                    for (t[E] = 1; t[E] < 2 * l.e(); t[E] *= 2) {
                        boolean brkE = false;
                        int eT = ceil(l.e(), t[E]);
                        u[E] = ceil(l.e(), eT);
                        double rows = span(eT, l.stride(), l.r(), l.dil());
                        double[] rowsIn = rowsReal[Integer.numberOfTrailingZeros(t[E])];
                        for (t[F] = 1; t[F] < 2 * l.f(); t[F] *= 2) {
                            int fT = ceil(l.f(), t[F]);
                            u[F] = ceil(l.f(), fT);
                            double cols = span(fT, l.stride(), l.s(), l.dil());
                            double[] colsIn = colsReal[Integer.numberOfTrailingZeros(t[F])];
                            // the buffer holds the padded tile (the padding is made there) ...
                            double iTile = (double) nT * cT * rows * cols * betaI;
                            if (iTile > capI) continue;
                            // ... DRAM sends the real rows and columns only (fix 9: first tile, fill; fix 22: traffic)
                            double iTileDram = (double) nT * cT * rowsIn[1] * colsIn[1] * betaI;
                            double halo = rowsIn[0] / l.h() * (colsIn[0] / l.w());
                            long tiles = (long) tN * u[M] * u[C] * u[E] * u[F];
                            double oTile = (double) nT * mT * eT * fT * ps;
                            boolean[] seen = new boolean[512];
                            for (int[] ord : ORDERS) {
                                int key = 0, nAct = 0;
                                for (int k : ord) if (u[k] > 1) { key = key * 4 + k; nAct++; }
                                key += nAct * 64;
                                if (seen[key]) continue;
                                seen[key] = true;
                                double mw = mult(ord, u, true, false, false, dw);
                                if (tN > 1 && innermost(ord, u, true, false, false, dw) >= 0) mw *= tN;
                                double mi = mult(ord, u, false, true, false, dw);
                                double mo = mult(ord, u, false, false, true, dw);
                                int jO = innermost(ord, u, false, false, true, dw);
                                int posC = pos(ord, C);
                                int p = !dw && u[C] > 1 && posC < jO ? u[C] : 1;
                                if (!dw && u[C] > 1 && p == 1 && oTile > capO) continue;
                                double tw = wAll * mw, ti = fuse ? 0 : iAll * mi * halo;
                                // fix 10: the final outputs are written once; the P - 1 spills are the psum term
                                double to = fuse ? 0 : oAll * mo / p, tp = 2 * ps * l.oSize() * (p - 1);
                                double tot = tw + ti + to + tp;
                                if (tot < best * (1 - 1e-12) || (tot <= best * (1 + 1e-12) && tiles < bestTiles)) {
                                    best = tot;
                                    bestTiles = tiles;
                                    StringBuilder o = new StringBuilder(tN > 1 ? "N" : "");
                                    for (int k : ord) o.append(NAMES.charAt(k));
                                    bestT = new Tiling(tN, u[M], dw ? u[M] : u[C], u[E], u[F], o.toString(), tw, ti, to, tp, wTile,
                                        fuse ? 0 : iTileDram);
                                }
                            }
                            if (prune && (u[C] == 1 || oTile <= capO)) {
                                // every larger tiling of the inner loops is dominated (traffic is non-decreasing in each t)
                                if (t[F] == 1) { brkE = true; if (t[E] == 1) { brkC = true; if (t[C] == 1) brkM = true; } }
                                break;
                            }
                        }
                        if (brkE) break;
                    }
                    if (brkC) break;
                }
                if (brkM) break;
            }
        }
        if (bestT == null)
            throw new NoFeasibleTilingException("TilingSearch: no feasible tiling for layer " + l.id() + ": its smallest tile does "
                + "not fit the bytes a tile may use (input " + Specs.plain(capI) + ", weight " + Specs.plain(capW)
                + ", output " + Specs.plain(capO) + (accBytes > 0 ? ", with " + Specs.plain(accBytes) + " bytes of "
                + "accumulators taken from the input buffer and added to the output's" : "") + ")");
        return bestT;
    }

    private static boolean rel(int loop, boolean w, boolean i, boolean o, boolean dw) {
        if (w) return loop == M || loop == C;
        if (i) return loop == C || loop == E || loop == F || (dw && loop == M);
        return loop == M || loop == E || loop == F;
    }

    /** Position (0 = outermost) of the innermost relevant loop with more than one tile, or -1. */
    private static int innermost(int[] ord, int[] t, boolean w, boolean i, boolean o, boolean dw) {
        int j = -1;
        for (int k = 0; k < 4; k++) if (t[ord[k]] > 1 && rel(ord[k], w, i, o, dw)) j = k;
        return j;
    }

    private static double mult(int[] ord, int[] t, boolean w, boolean i, boolean o, boolean dw) {
        int j = innermost(ord, t, w, i, o, dw);
        double m = 1;
        for (int k = 0; k < j; k++) if (!rel(ord[k], w, i, o, dw)) m *= t[ord[k]];
        return m;
    }

    private static double inBufBytes(ArchSpec a, double accBytes) {
        return a.inputBufBytes() - accBytes;
    }

    /**
     * Input rows (or columns) read by a tile of {@code n} output rows: the padded span
     * {@code (n-1)U + (R-1)dil + 1}, or, when a dilated kernel's R row blocks of {@code (n-1)U + 1}
     * rows do not overlap, their sum (fix 11: a one-row tile of a 3x3 kernel at dilation 18 reads 3
     * rows, not 37). Equal to the span for dil = 1.
     */
    static double span(int n, int stride, int k, int dil) {
        double block = (double) (n - 1) * stride + 1;
        return Math.min(block + (double) (k - 1) * dil, k * block);
    }

    /**
     * Input rows (or columns) DRAM sends for one spatial dimension, for each tile count
     * {@code t = 1, 2, 4, ... < 2 out} (index log2 t): {sum over the ceil(out / ceil(out/t)) tiles, first tile}.
     * A tile of output rows {@code [o0, o0 + n)} reads, for each of its {@code k} kernel rows {@code r}, the
     * block of {@code (n-1)U + 1} rows from {@code o0 U - pad + r dil} (fix 11: their union), clipped to the
     * real input {@code [0, in)}: the zero padding is made on chip (fixes 9, 22). Rows inside a block that a
     * stride > kernel skips are read (one contiguous transfer per block); one-row tiles avoid them.
     *
     * @param out    output rows E (or columns F)
     * @param in     input rows H (or columns W)
     * @param stride U
     * @param k      kernel rows R (or columns S)
     * @param dil    dilation
     * @param pad    zero padding before the input (output row o reads from {@code o stride - pad}; the padding after,
     *               as much or DL4J Same's one more, is clipped like it)
     */
    static double[][] realRows(int out, int in, int stride, int k, int dil, int pad) {
        double[][] rows = new double[32 - Integer.numberOfLeadingZeros(2 * out - 1)][];
        for (int i = 0; i < rows.length; i++) {
            int n = ceil(out, 1 << i);
            double all = 0;
            for (int o0 = 0; o0 < out; o0 += n) all += tileRows(o0, Math.min(n, out - o0), in, stride, k, dil, pad);
            rows[i] = new double[] {all, tileRows(0, n, in, stride, k, dil, pad)};
        }
        return rows;
    }

    /** Real input rows read by the tile of output rows {@code [o0, o0 + n)}: see {@link #realRows}. */
    private static long tileRows(int o0, int n, int in, int stride, int k, int dil, int pad) {
        long first = (long) o0 * stride - pad, block = (long) (n - 1) * stride + 1;
        if (dil < block) return clip(first, block + (long) (k - 1) * dil, in); // the blocks overlap: one interval
        long rows = 0;
        for (int r = 0; r < k; r++) rows += clip(first + (long) r * dil, block, in);
        return rows;
    }

    /** Length of {@code [from, from + len)} inside {@code [0, in)}. */
    private static long clip(long from, long len, int in) {
        return Math.max(0, Math.min(from + len, in) - Math.max(from, 0));
    }

    /**
     * Fix 38: the batch tile counts tried, the powers of two that divide N and N itself (so that every batch tile
     * holds N / tN whole images), as the other loops try powers of two. Before, only 1 and N were tried, which left
     * the minibatch of 128 in training either whole or image by image.
     */
    static int[] batchTileCounts(int n) {
        java.util.List<Integer> counts = new java.util.ArrayList<>();
        for (int q = 1; q < n; q *= 2) if (n % q == 0) counts.add(q);
        counts.add(n);
        return counts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int pos(int[] ord, int loop) {
        for (int k = 0; k < 4; k++) if (ord[k] == loop) return k;
        return -1;
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int[][] permutations() {
        int[][] out = new int[24][];
        int n = 0;
        for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) for (int c = 0; c < 4; c++) {
            int d = 6 - a - b - c;
            if (a != b && a != c && b != c && d != a && d != b && d != c) out[n++] = new int[] {a, b, c, d};
        }
        return out;
    }
}
