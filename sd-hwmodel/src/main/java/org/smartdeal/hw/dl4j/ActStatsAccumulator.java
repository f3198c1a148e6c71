package org.smartdeal.hw.dl4j;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;

/**
 * Accumulates the HWMODEL.md 1.3 statistics of one layer's input over minibatches. Pure Java (no
 * ND4J), so every statistic is testable on hand-made tensors.
 *
 * <p><b>Quantisation</b> [A, HWMODEL.md 1.3]: symmetric per-tensor int8, one scale per
 * {@link #add} call (i.e. per layer and minibatch): {@code s = max|x| / 127},
 * {@code q = clamp(sign(x) floor(|x|/s + 0.5), -128, 127)} (round half away from zero); an all-zero
 * tensor gives q = 0 everywhere. Post-ReLU inputs land in 0..127.
 *
 * <p><b>Definitions</b> (x is NCHW {@code [N, C, H, W]}; FC inputs {@code [N, C]} are H = W = 1):
 * <ul>
 * <li>dA = #(q != 0) / #q; bitsRaw = mean popcount(|q|); boothDig = mean
 *     {@link ActStats#boothDigits(int)}, all over every q, zeros included.</li>
 * <li>rowZero: segments are (n, c, h, j) for the H real input rows h and j in 0..ceil(F/dimF)-1;
 *     segment j spans the padded columns {@code [j dimF U, j dimF U + (dimF-1) U + (S-1) dil + 1)}
 *     (HWMODEL.md's {@code (dimF-1)U + S} with dilation); columns outside the real input (padding or
 *     beyond W) count as zero. rowZero = all-zero segments / segments.</li>
 * <li>tSD: mean over non-zero segments and kernel columns s in 0..S-1 of
 *     {@code max(1, max_{k<dimF} boothDigits(q[n,c,h,(j dimF + k) U + s dil - padW]))}
 *     (out-of-range positions are 0); 1 when no segment is non-zero.</li>
 * <li>tPRA: mean over (n, h, w, 16-channel brick) of {@code max(1, max oneffsets(|q|))} over the brick's
 *     channels (the last brick may be partial), {@link ActStats#oneffsets(int)} being Bit-pragmatic's terms after
 *     its recoding of runs of ones; praTerms = mean oneffsets(|q|) over every q, zeros included.</li>
 * <li>scnnNZ[c][p] (CONV/DWCONV only, c-major, p = py*G + px on the G x G = 8 x 8 PE grid):
 *     input pixel (h, w) belongs to PE (min(G-1, floor(h / (U th))), min(G-1, floor(w / (U tw))))
 *     with th = ceil(E/G), tw = ceil(F/G), i.e. the input tile aligned to each PE's output tile [A].
 *     Counted per image; {@link ActStats.ScnnTiles} keeps the mean count per tile and, per channel,
 *     the mean over images of max_p ceil(count / I), I = SCNN's activation vector width (fix 16).</li>
 * </ul>
 * The layer geometry (S, U, padW, dil, F, E) comes from the {@link LayerSpec}; dimF, the brick and
 * the PE grid from the {@link ArchSpec}.
 */
public final class ActStatsAccumulator {
    /** {@link ActStats#oneffsets(int)} of every magnitude |q| in 0..128. */
    private static final int[] ONEFFSETS = new int[129];

    static {
        for (int v = 0; v < ONEFFSETS.length; v++) ONEFFSETS[v] = ActStats.oneffsets(v);
    }

    private final LayerSpec l;
    private final int dimF, brick, grid, scnnI;
    private long values, nonZero, images;
    private double popSum, boothSum, praTermSum;
    private long segments, zeroSegments, tsdCount, praCount;
    private double tsdSum, praSum;
    private final long[] scnnSum;
    private final long[] scnnStepSum;

    /** Starts an empty accumulator for layer {@code l} on architecture {@code a}. */
    public ActStatsAccumulator(LayerSpec l, ArchSpec a) {
        this(l, a.sdDimF(), a.praBrick(), a.scnnPeGrid(), a.scnnI());
    }

    /** Starts an empty accumulator with explicit dim_F, PRA brick, SCNN PE grid side and SCNN vector width I. */
    public ActStatsAccumulator(LayerSpec l, int dimF, int brick, int grid, int scnnI) {
        if (dimF < 1 || brick < 1 || grid < 1 || scnnI < 1)
            throw new IllegalArgumentException("ActStatsAccumulator(" + l.id() + "): dimF, brick, grid and scnnI must be >= 1, got "
                + dimF + ", " + brick + ", " + grid + ", " + scnnI);
        this.scnnI = scnnI;
        this.l = l;
        this.dimF = dimF;
        this.brick = brick;
        this.grid = grid;
        boolean conv = l.type() == LayerType.CONV || l.type() == LayerType.DWCONV;
        this.scnnSum = conv ? new long[l.c() * grid * grid] : null;
        this.scnnStepSum = conv ? new long[l.c()] : null;
    }

    /**
     * A copy of everything added so far, for {@link #restore}: {@link ActStatsCollector} adds a pass layer by layer
     * and takes it back whole when a later layer holds a non-finite value.
     */
    ActStatsAccumulator copy() {
        ActStatsAccumulator c = new ActStatsAccumulator(l, dimF, brick, grid, scnnI);
        c.restore(this);
        return c;
    }

    /** Sets everything added to what {@code from} (a {@link #copy} of this accumulator) holds. */
    void restore(ActStatsAccumulator from) {
        values = from.values;
        nonZero = from.nonZero;
        images = from.images;
        popSum = from.popSum;
        boothSum = from.boothSum;
        praTermSum = from.praTermSum;
        segments = from.segments;
        zeroSegments = from.zeroSegments;
        tsdCount = from.tsdCount;
        praCount = from.praCount;
        tsdSum = from.tsdSum;
        praSum = from.praSum;
        if (scnnSum != null) {
            System.arraycopy(from.scnnSum, 0, scnnSum, 0, scnnSum.length);
            System.arraycopy(from.scnnStepSum, 0, scnnStepSum, 0, scnnStepSum.length);
        }
    }

    /** The layer this accumulator measures. */
    public LayerSpec layer() {
        return l;
    }

    /** Images accumulated so far. */
    public long images() {
        return images;
    }

    /**
     * The per-tensor int8 scale {@code max|x| / 127} (0 for an all-zero or empty tensor).
     * Not modified: x.
     *
     * @throws IllegalArgumentException when x holds a NaN or an infinity (as {@link #scale(float[], String)})
     */
    public static float scale(float[] x) {
        return scale(x, "the tensor");
    }

    /**
     * {@link #scale(float[])}, naming the tensor in its error: a NaN or an infinity has no int8 value (a NaN scale
     * would quantise every value to 0, and the statistics would describe an all-zero tensor).
     *
     * @param what the tensor in the error message, e.g. "input of layer conv1"
     * @throws NonFiniteValuesException naming {@code what}, the first non-finite value and its index
     */
    public static float scale(float[] x, String what) {
        float mx = 0;
        for (float v : x) mx = Math.max(mx, Math.abs(v));
        if (!Float.isFinite(mx)) {
            int i = 0;
            while (Float.isFinite(x[i])) i++;
            throw new NonFiniteValuesException(what + ": value [" + i + "] of " + x.length + " is " + x[i]
                + "; int8 quantisation needs finite values");
        }
        return mx / 127f;
    }

    /** {@code clamp(sign(x) floor(|x|/s + 0.5), -128, 127)}; 0 when s = 0. */
    public static int quantise(float x, float s) {
        if (s == 0 || x == 0) return 0;
        // the half is added in double, which holds the float quotient plus 0.5 exactly; in float, the quotient just
        // below 0.5 (0.5 - 2^-25) plus 0.5f rounds up to 1.0f
        int q = (int) Math.floor(Math.abs(x) / s + 0.5);
        return x < 0 ? Math.max(-128, -q) : Math.min(127, q);
    }

    /**
     * Adds one minibatch of this layer's input, quantised with its own per-tensor scale.
     *
     * @param x NCHW values, C order, length n*C*H*W of the layer's (C, H, W); not modified
     * @param n images in the minibatch
     */
    public void add(float[] x, int n) {
        int c = l.c(), h = l.h(), w = l.w();
        long need = (long) n * c * h * w;
        if (x.length != need)
            throw new IllegalArgumentException("ActStatsAccumulator(" + l.id() + "): input has " + x.length
                + " values, layer needs n*C*H*W = " + n + "*" + c + "*" + h + "*" + w + " = " + need);
        float s = scale(x, "ActStatsAccumulator(" + l.id() + "): input");
        int[] q = new int[x.length];
        for (int i = 0; i < x.length; i++) q[i] = quantise(x[i], s);
        addQuantised(q, n);
    }

    /** Adds one minibatch of already-quantised int8 values (NCHW, C order). Not modified: q. */
    public void addQuantised(int[] q, int n) {
        int c = l.c(), h = l.h(), w = l.w();
        if (q.length != (long) n * c * h * w)
            throw new IllegalArgumentException("ActStatsAccumulator(" + l.id() + "): input has " + q.length
                + " values, layer needs n*C*H*W = " + (long) n * c * h * w);
        for (int v : q) {
            values++;
            if (v != 0) {
                nonZero++;
                popSum += Integer.bitCount(Math.abs(v));
                praTermSum += ONEFFSETS[Math.abs(v)];
                boothSum += ActStats.boothDigits(v);
            }
        }
        rows(q, n);
        bricks(q, n);
        if (scnnSum != null) scnn(q, n);
        images += n;
    }

    private void rows(int[] q, int n) {
        int c = l.c(), h = l.h(), w = l.w(), u = l.stride(), sk = l.s(), dil = l.dil(), pad = l.padW();
        int seg = (l.f() + dimF - 1) / dimF, span = (dimF - 1) * u + (sk - 1) * dil + 1;
        for (int img = 0; img < n; img++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++) {
                    int base = ((img * c + ch) * h + y) * w;
                    for (int j = 0; j < seg; j++) {
                        int p0 = j * dimF * u;
                        boolean any = false;
                        for (int p = p0; p < p0 + span && !any; p++) {
                            int col = p - pad;
                            any = col >= 0 && col < w && q[base + col] != 0;
                        }
                        segments++;
                        if (!any) { zeroSegments++; continue; }
                        for (int s = 0; s < sk; s++) {
                            int mx = 1;
                            for (int k = 0; k < dimF; k++) {
                                int col = (j * dimF + k) * u + s * dil - pad;
                                if (col >= 0 && col < w) mx = Math.max(mx, ActStats.boothDigits(q[base + col]));
                            }
                            tsdSum += mx;
                            tsdCount++;
                        }
                    }
                }
    }

    private void bricks(int[] q, int n) {
        int c = l.c(), hw = l.h() * l.w();
        for (int img = 0; img < n; img++)
            for (int px = 0; px < hw; px++)
                for (int b0 = 0; b0 < c; b0 += brick) {
                    int mx = 1;
                    for (int ch = b0; ch < Math.min(c, b0 + brick); ch++)
                        mx = Math.max(mx, ONEFFSETS[Math.abs(q[(img * c + ch) * hw + px])]);
                    praSum += mx;
                    praCount++;
                }
    }

    private void scnn(int[] q, int n) {
        int c = l.c(), h = l.h(), w = l.w();
        int pes = grid * grid;
        int[] tile = new int[pes], px = new int[w];
        for (int x = 0; x < w; x++) px[x] = ActStats.ScnnTiles.peOf(x, l.stride(), l.f(), grid);
        for (int img = 0; img < n; img++)
            for (int ch = 0; ch < c; ch++) {
                java.util.Arrays.fill(tile, 0);
                for (int y = 0; y < h; y++) {
                    int py = ActStats.ScnnTiles.peOf(y, l.stride(), l.e(), grid);
                    for (int x = 0; x < w; x++)
                        if (q[((img * c + ch) * h + y) * w + x] != 0) tile[py * grid + px[x]]++;
                }
                int mx = 0;
                for (int p = 0; p < pes; p++) {
                    scnnSum[ch * pes + p] += tile[p];
                    mx = Math.max(mx, tile[p]);
                }
                scnnStepSum[ch] += (mx + scnnI - 1) / scnnI;
            }
    }

    /** Value density #(q != 0)/#q so far (0 before any data). */
    public double density() {
        return values == 0 ? 0 : (double) nonZero / values;
    }

    /**
     * The statistics so far.
     *
     * @param dOut density of this layer's output (the next layer's dA), in [0, 1]
     * @throws IllegalStateException before any data was added
     */
    public ActStats stats(double dOut) {
        if (values == 0) throw new IllegalStateException("ActStatsAccumulator(" + l.id() + "): no activations were added");
        ActStats.ScnnTiles nz = null;
        if (scnnSum != null) {
            double[] mean = new double[scnnSum.length], steps = new double[scnnStepSum.length];
            for (int i = 0; i < mean.length; i++) mean[i] = (double) scnnSum[i] / images;
            for (int i = 0; i < steps.length; i++) steps[i] = (double) scnnStepSum[i] / images;
            nz = new ActStats.ScnnTiles(grid, scnnI, mean, steps);
        }
        double rz = Math.min(0.999, (double) zeroSegments / segments);
        double tsd = tsdCount == 0 ? 1 : Math.min(4, tsdSum / tsdCount);
        return new ActStats(density(), popSum / values, boothSum / values, rz, tsd, praSum / praCount, praTermSum / values, dOut,
            nz);
    }
}
