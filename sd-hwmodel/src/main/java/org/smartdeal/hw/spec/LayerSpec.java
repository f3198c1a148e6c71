package org.smartdeal.hw.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One layer of a workload in execution order (HWMODEL.md 1.1, Timeloop-style problem shape).
 * Sizes are in elements. Windows of output row {@code o} start at input row {@code o stride - pad} (columns alike
 * with {@code padW}); rows outside {@code [0, h)} are zero padding, made on chip and never counted as input. Per axis,
 * {@code e} must equal the convolution arithmetic {@code (h + 2 pad - ((r-1) dil + 1)) / stride + 1} (the same
 * padding after the input as before), or the axis must be DL4J's odd Same split: {@code e = ceil(h / stride)} (Same
 * mode's output), {@code need = (e-1) stride + (r-1) dil + 1 - h} odd and {@code pad = floor(need / 2)}, so one more
 * padding row after the input than before ({@code ConvolutionUtils.getSameModeTopLeftPadding}; a 3 x 3 stride-2
 * layer on 28 rows pads 0 before and 1 after). Columns alike with {@code w, s, f, padW}.
 *
 * @param id          layer name
 * @param type        layer kind
 * @param batch       N, images per pass
 * @param m           output channels
 * @param c           input channels
 * @param groups      G (DWCONV: groups = c = m)
 * @param r           kernel height, at most 15 (a kernel's non-zero rows are a 15-bit mask)
 * @param s           kernel width; r x s at most {@link #MAX_KERNEL_WEIGHTS}
 * @param h           input height
 * @param w           input width
 * @param e           output height
 * @param f           output width
 * @param stride      U
 * @param pad         zero padding rows before (above) the input; the same number after it, or one more where the rows
 *                    are DL4J's odd Same split (see above)
 * @param dil         dilation (1 = none); only changes the input halo
 * @param inBenchmark false for classifier FC layers, which Figs. 8-10 exclude [P VI-D]
 * @param padW        zero padding columns before (left of) the input; the same number after it, or one more where the
 *                    columns are DL4J's odd Same split; a kernel of 1 x 7 pads only these
 */
public record LayerSpec(String id, LayerType type, int batch, int m, int c, int groups, int r, int s,
                        int h, int w, int e, int f, int stride, int pad, int dil, boolean inBenchmark, int padW) {

    /** The most weights a kernel may have, R x S: {@link WeightRep} counts a kernel's non-zeros in a short. */
    public static final int MAX_KERNEL_WEIGHTS = Short.MAX_VALUE;

    /** A layer padded alike on rows and columns ({@code padW = pad}). */
    public LayerSpec(String id, LayerType type, int batch, int m, int c, int groups, int r, int s,
                     int h, int w, int e, int f, int stride, int pad, int dil, boolean inBenchmark) {
        this(id, type, batch, m, c, groups, r, s, h, w, e, f, stride, pad, dil, inBenchmark, pad);
    }

    /** Validates every field; errors name the layer, field, range and value. */
    public LayerSpec {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("LayerSpec.id must be non-blank, got " + id);
        if (type == null) throw new IllegalArgumentException("LayerSpec(" + id + ").type must be set");
        pos(id, "batch", batch); pos(id, "m", m); pos(id, "c", c); pos(id, "groups", groups);
        pos(id, "r", r); pos(id, "s", s); pos(id, "h", h); pos(id, "w", w); pos(id, "e", e); pos(id, "f", f);
        pos(id, "stride", stride); pos(id, "dil", dil);
        if (pad < 0) throw new IllegalArgumentException("LayerSpec(" + id + ").pad must be >= 0, got " + pad);
        if (padW < 0) throw new IllegalArgumentException("LayerSpec(" + id + ").padW must be >= 0, got " + padW);
        if (r > 15) throw new IllegalArgumentException("LayerSpec(" + id + ").r must be in [1, 15], got " + r);
        if ((long) r * s > MAX_KERNEL_WEIGHTS)
            throw new IllegalArgumentException("LayerSpec(" + id + ") kernel " + r + "x" + s + " has " + (long) r * s
                + " weights; at most " + MAX_KERNEL_WEIGHTS + " (WeightRep counts a kernel's non-zeros in a short)");
        if (c % groups != 0 || m % groups != 0)
            throw new IllegalArgumentException("LayerSpec(" + id + ").groups=" + groups + " must divide c=" + c + " and m=" + m);
        if (type == LayerType.DWCONV && !(groups == c && c == m))
            throw new IllegalArgumentException("LayerSpec(" + id + ") DWCONV needs groups = c = m, got " + groups + "/" + c + "/" + m);
        if ((type == LayerType.FC || type == LayerType.SE_FC) && (h | w | e | f | r | s) != 1)
            throw new IllegalArgumentException("LayerSpec(" + id + ") " + type + " needs h=w=e=f=r=s=1, got h=" + h + " w=" + w
                    + " e=" + e + " f=" + f + " r=" + r + " s=" + s);
        int ee = (h + 2 * pad - ((r - 1) * dil + 1)) / stride + 1, ff = (w + 2 * padW - ((s - 1) * dil + 1)) / stride + 1;
        if (!(ee == e || oddSameSplit(h, e, r, stride, dil, pad)) || !(ff == f || oddSameSplit(w, f, s, stride, dil, padW)))
            throw new IllegalArgumentException("LayerSpec(" + id + ") output " + e + "x" + f + " must equal conv arithmetic " + ee + "x" + ff
                + " (pad " + pad + ", padW " + padW + " on each side) or, per axis, DL4J Same's odd split (out = ceil(in / U), "
                + "need = (out - 1) U + keff - in odd, pad = floor(need / 2) before, one more after)");
    }

    /**
     * Whether one axis is DL4J Same's uneven split: the output is Same mode's {@code ceil(in / stride)},
     * {@code need = (out - 1) stride + keff - in} is odd and positive and {@code pad = floor(need / 2)}: the input is
     * padded {@code pad} before and {@code pad + 1} after.
     */
    private static boolean oddSameSplit(int in, int out, int k, int stride, int dil, int pad) {
        long need = (long) (out - 1) * stride + (long) (k - 1) * dil + 1 - in;
        return out == (in + stride - 1) / stride && need % 2 == 1 && pad == need / 2; // a negative odd need leaves -1
    }

    private static void pos(String id, String field, int v) {
        if (v < 1) throw new IllegalArgumentException("LayerSpec(" + id + ")." + field + " must be >= 1, got " + v);
    }

    /** Convenience factory for a convolution whose output size follows from the input. */
    public static LayerSpec conv(String id, LayerType type, int m, int c, int k, int h, int w, int stride, int pad, int dil) {
        int g = type == LayerType.DWCONV ? c : 1;
        int e = (h + 2 * pad - ((k - 1) * dil + 1)) / stride + 1, f = (w + 2 * pad - ((k - 1) * dil + 1)) / stride + 1;
        return new LayerSpec(id, type, 1, m, c, g, k, k, h, w, e, f, stride, pad, dil, true);
    }

    /** Convenience factory for an FC or SE_FC layer. */
    public static LayerSpec fc(String id, LayerType type, int m, int c, boolean inBenchmark) {
        return new LayerSpec(id, type, 1, m, c, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, inBenchmark);
    }

    /** The same layer at another batch size. */
    public LayerSpec withBatch(int n) {
        return new LayerSpec(id, type, n, m, c, groups, r, s, h, w, e, f, stride, pad, dil, inBenchmark, padW);
    }

    /** Input channels per group, C/G. */
    public int cg() { return c / groups; }

    /** Dense MACs N*M*E*F*R*S*C/G. */
    public double macs() { return (double) batch * m * e * f * r * s * cg(); }

    /** |W| = M*(C/G)*R*S elements. */
    public double wSize() { return (double) m * cg() * r * s; }

    /** |I| = N*C*H*W elements. */
    public double iSize() { return (double) batch * c * h * w; }

    /** |O| = N*M*E*F elements. */
    public double oSize() { return (double) batch * m * e * f; }

    /** Number of (m, c) kernels stored: M*(C/G). */
    public int kernels() { return m * cg(); }

    /** Field map for reports and JSON export. */
    public Map<String, Object> toMap() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", id); o.put("type", type.name()); o.put("N", batch); o.put("M", m); o.put("C", c); o.put("G", groups);
        o.put("R", r); o.put("S", s); o.put("H", h); o.put("W", w); o.put("E", e); o.put("F", f); o.put("U", stride);
        o.put("pad", pad); o.put("padW", padW); o.put("dil", dil); o.put("inBenchmark", inBenchmark);
        return o;
    }
}
