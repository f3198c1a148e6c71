package org.smartdeal.core;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * Structured sparsity applied to weights before decomposition (ALGORITHMS.md section 3): one-shot
 * vector-wise pruning of conv weights (what the SmartDeal reference does) and the optional
 * channel mask from BatchNorm scales (Chen et al., arXiv 2101.01163, Sec. III-D).
 *
 * <p>All functions write to a caller-given output array and do not modify their inputs (the
 * output may be the input array itself for in-place use).
 */
public final class StructuredPruning {

    /** Default number of output filters whose row scores are summed together. */
    public static final int DEFAULT_GROUP_SIZE = 32;
    /** Slack subtracted from ratio*rows before the ceiling, so 0.3*10 zeroes 3 rows, not 4. */
    static final double CEIL_SLACK = 1e-9;

    private StructuredPruning() {
    }

    /**
     * Vector-wise pruning of a DL4J conv weight [nOut, nIn, kh, kw] (ALGORITHMS.md 3.1).
     *
     * <p>A vector is one row W[o, ci, y, :] (kw weights) of filter o's (nIn*kh, kw) matrix; for a
     * 1x1 conv it is the single weight of one input channel. Its score is its L1 norm. Filters are
     * taken in blocks of {@code groupSize} consecutive output channels (the last block may be
     * smaller); within a block the scores of each row position are summed over the block's
     * filters, and the ceil(ratio * nIn*kh) row positions with the lowest sums (ties: lower row
     * index first) are zeroed in every filter of the block.
     *
     * @param weight conv weight, C order, not modified
     * @param nOut output channels &gt;= 1
     * @param nIn input channels &gt;= 1
     * @param kh kernel height &gt;= 1
     * @param kw kernel width &gt;= 1
     * @param ratio fraction of row positions to zero, in [0, 1]
     * @param groupSize filters per block, &gt;= 1
     * @param out result, same length as weight, modified (may be {@code weight} itself)
     * @return the number of vectors (filter, row) zeroed
     */
    public static long vectorWise(float[] weight, int nOut, int nIn, int kh, int kw, double ratio,
            int groupSize, float[] out) {
        checkConv("vectorWise", weight.length, out.length, nOut, nIn, kh, kw, ratio, groupSize);
        return rowWise(weight, nOut, nIn * kh * kw, kw, ratio, groupSize, out);
    }

    /**
     * Vector-wise pruning where a vector is one row of the slice layout of a 1x1 (or kh x 1) conv or a dense layer
     * ({@code SliceLayout.conv} with kw = 1, {@code SliceLayout.dense}): each filter's {@code length} weights in
     * order, cut into rows of {@code width} (the basis width n; the last row may be shorter). ALGORITHMS.md 3.1 takes
     * one input channel as the vector of a 1x1 conv, but such a layer's C row holds n consecutive channels, rebuilt
     * as c_row x B: zeroing one channel of a row leaves the row non-zero and the decomposition rebuilds the zeroed
     * weight from its neighbours (a zoo audit found 58-70% of them back). Zeroing whole rows gives exact zero rows of
     * C, which is what 3.1 asks the pruning for. Scores and blocks as in {@link #vectorWise}; the ratio counts row
     * positions, and a short last row (length not a multiple of width) scores the L1 norm of its fewer weights, so it
     * tends to go first (lenet300's fc1: one input of 784).
     *
     * @param weight the filters' weights, filter after filter ([nOut, length], C order; a dense layer's DL4J
     *               [nIn, nOut] weight transposed), not modified
     * @param nOut   filters &gt;= 1
     * @param length weights per filter &gt;= 1
     * @param width  weights per row (the basis width), &gt;= 1 (one row when above length)
     * @param ratio  fraction of row positions to zero, in [0, 1]
     * @param groupSize filters per block, &gt;= 1
     * @param out    result, same length as weight, modified (may be {@code weight} itself)
     * @return the number of vectors (filter, row) zeroed
     */
    public static long vectorWiseRows(float[] weight, int nOut, int length, int width, double ratio, int groupSize,
            float[] out) {
        if (width < 1) {
            throw new IllegalArgumentException("StructuredPruning.vectorWiseRows.width must be >= 1, got " + width);
        }
        checkConv("vectorWiseRows", weight.length, out.length, nOut, length, 1, 1, ratio, groupSize);
        return rowWise(weight, nOut, length, width, ratio, groupSize, out);
    }

    /** Rows of {@code width} (the last may be shorter) of each filter's {@code length} weights; checked by callers. */
    private static long rowWise(float[] weight, int nOut, int length, int width, double ratio, int groupSize,
            float[] out) {
        if (out != weight) {
            System.arraycopy(weight, 0, out, 0, weight.length);
        }
        return rowWise(i -> Math.abs(weight[i]), (from, to) -> Arrays.fill(out, from, to, 0f), nOut, length, width,
                ratio, groupSize);
    }

    /** As {@link #vectorWise(float[], int, int, int, int, double, int, float[])} for doubles. */
    public static long vectorWise(double[] weight, int nOut, int nIn, int kh, int kw, double ratio,
            int groupSize, double[] out) {
        checkConv("vectorWise", weight.length, out.length, nOut, nIn, kh, kw, ratio, groupSize);
        if (out != weight) {
            System.arraycopy(weight, 0, out, 0, weight.length);
        }
        return rowWise(i -> Math.abs(weight[i]), (from, to) -> Arrays.fill(out, from, to, 0.0), nOut, nIn * kh * kw,
                kw, ratio, groupSize);
    }

    /** Zeroes the flat index range [from, to) of the output. */
    @FunctionalInterface
    private interface RangeZeroer {
        void zero(int from, int to);
    }

    /**
     * The row-wise rule over any element type: scores the rows of each block by the summed absolute values
     * {@code abs} gives for flat indices and zeroes the lowest rows' ranges with {@code zero}. A block's scores are
     * taken before its rows are zeroed and blocks cover disjoint filters, so {@code abs} may read the array
     * {@code zero} writes (in-place use).
     */
    private static long rowWise(IntToDoubleFunction abs, RangeZeroer zero, int nOut, int length,
            int width, double ratio, int groupSize) {
        int rows = (length + width - 1) / width;
        double[] scores = new double[rows];
        long zeroed = 0;
        for (int o0 = 0; o0 < nOut; o0 += groupSize) {
            int o1 = Math.min(nOut, o0 + groupSize);
            Arrays.fill(scores, 0.0);
            for (int o = o0; o < o1; o++) {
                int base = o * length;
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int x = r * width; x < Math.min(length, (r + 1) * width); x++) {
                        s += abs.applyAsDouble(base + x);
                    }
                    scores[r] += s;
                }
            }
            for (int r : lowestRows(scores, ratio)) {
                for (int o = o0; o < o1; o++) {
                    zero.zero(o * length + r * width, o * length + Math.min(length, (r + 1) * width));
                    zeroed++;
                }
            }
        }
        return zeroed;
    }

    /** Number of row positions zeroed per block: ceil(ratio * rows) (with a 1e-9 slack). */
    public static int rowsToPrune(double ratio, int rows) {
        return (int) Math.min(rows, Math.max(0, Math.ceil(ratio * rows - CEIL_SLACK)));
    }

    /** Indices of the ceil(ratio*rows) lowest scores; ties broken by lower index. */
    private static int[] lowestRows(double[] scores, double ratio) {
        int rows = scores.length;
        int count = rowsToPrune(ratio, rows);
        Integer[] idx = new Integer[rows];
        for (int i = 0; i < rows; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> {
            int c = Double.compare(scores[x], scores[y]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static void checkConv(String where, int wLen, int outLen, int nOut, int nIn, int kh,
            int kw, double ratio, int groupSize) {
        String w = "StructuredPruning." + where;
        if (nOut < 1 || nIn < 1 || kh < 1 || kw < 1) {
            throw new IllegalArgumentException(w + ": nOut, nIn, kh, kw must each be >= 1, got ["
                    + nOut + ", " + nIn + ", " + kh + ", " + kw + "]");
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException(w + ".ratio must be in [0, 1], got " + ratio);
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException(w + ".groupSize must be >= 1, got " + groupSize);
        }
        long expected = (long) nOut * nIn * kh * kw;
        if (wLen != expected || outLen != expected) {
            throw new IllegalArgumentException(w + ": weight length " + wLen + " and out length "
                    + outLen + " must both be " + expected + " for shape [" + nOut + ", " + nIn
                    + ", " + kh + ", " + kw + "]");
        }
    }

    /**
     * The channels kept by a BatchNorm-gamma mask (ALGORITHMS.md 3.2).
     *
     * @param keep keep[o] is false for a masked output channel
     * @param removed number of masked channels
     */
    public record ChannelMask(boolean[] keep, int removed) {

        /** Checks that removed equals the number of false entries. */
        public ChannelMask {
            int r = 0;
            for (boolean k : keep) {
                r += k ? 0 : 1;
            }
            if (r != removed) {
                throw new IllegalArgumentException("ChannelMask.removed must equal the number of "
                        + "masked channels " + r + ", got " + removed);
            }
        }

        /** Number of channels. */
        public int channels() {
            return keep.length;
        }
    }

    /**
     * Masks every channel whose BatchNorm scale has |gamma| &lt; threshold.
     *
     * @param gamma BatchNorm scales, one per channel, not modified
     * @param threshold finite, &gt;= 0
     */
    public static ChannelMask bnGammaMask(float[] gamma, double threshold) {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException(
                    "StructuredPruning.bnGammaMask.threshold must be finite and >= 0, got "
                            + threshold);
        }
        boolean[] keep = new boolean[gamma.length];
        int removed = 0;
        for (int i = 0; i < gamma.length; i++) {
            keep[i] = !(Math.abs(gamma[i]) < threshold);
            removed += keep[i] ? 0 : 1;
        }
        return new ChannelMask(keep, removed);
    }

    /**
     * Zeroes the masked output channels of a conv weight [nOut, ...] (channel o is the
     * contiguous block of weight.length / nOut entries starting at o * that length).
     *
     * @param weight conv weight, not modified
     * @param mask one entry per output channel
     * @param out result, same length, modified (may be {@code weight})
     * @return the number of channels zeroed
     */
    public static int maskOutputChannels(float[] weight, ChannelMask mask, float[] out) {
        int nOut = mask.channels();
        if (nOut == 0 || weight.length % nOut != 0 || out.length != weight.length) {
            throw new IllegalArgumentException("StructuredPruning.maskOutputChannels: weight length "
                    + weight.length + " must be a positive multiple of the mask's " + nOut
                    + " channels and equal out length " + out.length);
        }
        if (out != weight) {
            System.arraycopy(weight, 0, out, 0, weight.length);
        }
        int per = weight.length / nOut;
        for (int o = 0; o < nOut; o++) {
            if (!mask.keep()[o]) {
                Arrays.fill(out, o * per, (o + 1) * per, 0f);
            }
        }
        return mask.removed();
    }
}
