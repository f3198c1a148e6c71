package org.smartdeal.layers.impl;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.core.Pow2Quantizer;
import org.smartdeal.layers.SdSliceShape;

/**
 * The Java kernel of {@link SdWeights} for FLOAT parameters (what training uses): the rebuild
 * {@code W = (P(C) .* M) @ B} per slice and the chain rule {@code dC = M .* (dW_slice @ B^T)},
 * {@code dB = Ce^T @ dW_slice}, on float arrays with double accumulation (same sums, in the same
 * order, as the double kernel of {@link SdWeights}).
 *
 * <p>Why it looks like this (profiled on the ResNet-18-CIFAR shapes): an SD step's extra work is
 * a few passes over arrays of the size of W, so its cost is memory traffic and per-element
 * overhead, not arithmetic. Hence: one bulk JNI copy per array in and out (JavaCPP's element-wise
 * indexer loop is ten times slower), the projection, the mask and the rebuild fused into one pass
 * per unit with C projected in place, no double-precision staging arrays, the basis of a slice in
 * registers for the common width n = 3, and the units split into two deterministic halves computed
 * in parallel when the layer is large enough for it to pay (each unit's outputs depend on that
 * unit's inputs only, so the result does not depend on the split). Each half also does its own
 * bulk copies (its units' ranges of C, M, B and W, or of dW, dC and dB are contiguous), so the
 * copies run on both threads too.
 *
 * <p>Holds persistent buffers of about four times W's size; not thread-safe, like DL4J layers.
 */
final class SdFloatKernel {

    /** Packed entries from which the unit loops run on two threads. */
    static final int PARALLEL_MIN_COEFFICIENTS = 1 << 15;

    private static final int FLOAT_SIGN = 0x8000_0000;
    private static final int FLOAT_EXPONENT = 0x7F80_0000;
    private static final int FLOAT_MIN_NORMAL = 0x0080_0000;
    private static final int FLOAT_HALF_MANTISSA = 1 << 22;

    private final SdSliceShape shape;
    private final Pow2Quantizer projection;
    private final boolean project;
    private final int zeroBelowBits;
    /** Bits of the smallest power of two P keeps (Pow2Quantizer.smallestKept), as a float. */
    private final int smallestKeptBits;
    private final int capFloatBits;
    private final int units;
    private final int n;
    private final int m;
    private final int spu;
    private final int l;
    /** Bits of C, projected and masked in place by the rebuild: the float bits of Ce of the last rebuild. */
    private final int[] ce;
    /** Bits of M of the last rebuild (an entry is masked in when its magnitude bits are not 0). */
    private final int[] mask;
    /** Whether P can take the branch-free path (threshold removes every subnormal). */
    private final boolean branchFree;
    private final float[] basis;
    /** W (rebuild) or dW (backward), unit-major. */
    private final float[] w;
    private final float[] gradC;
    private final float[] gradB;
    private final boolean parallel;

    SdFloatKernel(SdSliceShape shape, Pow2Quantizer projection, boolean project) {
        this.shape = shape;
        this.projection = projection;
        this.project = project;
        this.zeroBelowBits = zeroBelowBits(projection.zeroBelow());
        double kept = projection.smallestKept();
        this.smallestKeptBits = kept > Float.MAX_VALUE ? FLOAT_EXPONENT : Float.floatToRawIntBits((float) kept);
        double cap = projection.cap();
        this.capFloatBits = cap > Float.MAX_VALUE ? FLOAT_EXPONENT : Float.floatToRawIntBits((float) cap);
        this.units = Math.toIntExact(shape.units());
        this.n = shape.basisWidth();
        this.m = Math.toIntExact(shape.sliceHeight());
        this.spu = Math.toIntExact(shape.slicesPerUnit());
        this.l = Math.toIntExact(shape.weightsPerUnit());
        int len = Math.toIntExact(shape.coefficientLength());
        int bl = Math.toIntExact(shape.basisLength());
        this.ce = new int[len];
        this.mask = new int[len];
        this.branchFree = project && zeroBelowBits >= FLOAT_MIN_NORMAL;
        this.basis = new float[bl];
        this.w = new float[Math.toIntExact(shape.units() * shape.weightsPerUnit())];
        this.gradC = new float[len];
        this.gradB = new float[bl];
        // The common pool has availableProcessors - 1 workers: with the calling thread, two halves
        // run on two cores even on a 2-core machine.
        this.parallel = units > 1 && len >= PARALLEL_MIN_COEFFICIENTS
                && Runtime.getRuntime().availableProcessors() > 1;
    }

    /**
     * Rebuilds W from dense C-order FLOAT arrays c, b, maskArr into the dense unit-major FLOAT
     * array out ({@code [U, L]} in C order). Not modified: c, b, maskArr.
     */
    void rebuild(INDArray c, INDArray b, INDArray maskArr, INDArray out) {
        forUnits(new Buffers(pointer(c), pointer(maskArr), pointer(b), pointer(out)), true);
    }

    /**
     * Chains dW (dense FLOAT, unit-major in its buffer) with the Ce, M and B of the last rebuild.
     * Modified: gC, gB (dense C-order FLOAT).
     */
    void backward(INDArray dW, INDArray gC, INDArray gB) {
        forUnits(new Buffers(pointer(dW), pointer(gC), pointer(gB), null), false);
    }

    /** Writes Ce of the last rebuild into a dense C-order FLOAT array. */
    void effectiveC(INDArray out) {
        bits(out).put(ce, 0, ce.length);
    }

    /**
     * The native buffers of one call, read by both halves: each half copies its own contiguous
     * ranges in and out (on its own pointer copies), so that the bulk copies (about 25 us per MB,
     * cache-hot, against about 200 us of arithmetic per half for 512x512) run in parallel too.
     */
    private record Buffers(FloatPointer a, FloatPointer b, FloatPointer c, FloatPointer d) {
    }

    private void forUnits(Buffers io, boolean rebuild) {
        if (!parallel) {
            run(io, rebuild, 0, units);
            return;
        }
        int mid = units / 2;
        RecursiveAction second = new RecursiveAction() {
            @Override
            protected void compute() {
                run(io, rebuild, mid, units);
            }
        };
        ForkJoinPool.commonPool().execute(second);
        run(io, rebuild, 0, mid);
        if (!second.tryUnfork()) {
            second.join();
        } else {
            run(io, rebuild, mid, units);
        }
    }

    /**
     * Units [from, to): rebuild (io = C, M, B, W) or backward (io = dW, dC, dB), copying exactly
     * those units' entries in and out.
     */
    private void run(Buffers io, boolean rebuild, int from, int to) {
        int perUnit = spu * m * n;
        int basisPerUnit = spu * n * n;
        int c0 = from * perUnit;
        int cl = (to - from) * perUnit;
        int b0 = from * basisPerUnit;
        int bl = (to - from) * basisPerUnit;
        int w0 = from * l;
        int wl = (to - from) * l;
        if (rebuild) {
            bitsAt(io.a(), c0).get(ce, c0, cl);
            bitsAt(io.b(), c0).get(mask, c0, cl);
            at(io.c(), b0).get(basis, b0, bl);
            rebuildUnits(from, to);
            at(io.d(), w0).put(w, w0, wl);
        } else {
            at(io.a(), w0).get(w, w0, wl);
            backwardUnits(from, to);
            at(io.b(), c0).put(gradC, c0, cl);
            at(io.c(), b0).put(gradB, b0, bl);
        }
    }

    /**
     * {@code P(v)} (ties up) when mk != 0, else 0; bit-identical to
     * {@code (float) projection.quantize((double) v)}. A float's double has the same exponent and
     * the same leading mantissa bits, so rounding to the nearest power of two works on the float
     * bits directly: add half a mantissa (carries into the exponent iff the mantissa is at least one
     * half), drop the mantissa, clamp to the cap. The threshold compares magnitude bits with the
     * smallest float magnitude that is not below zeroBelow. Subnormals (when zeroBelow does not
     * remove them), NaN and infinities take the quantizer itself.
     */
    private int effective(int bits, int mk) {
        if ((mk & ~FLOAT_SIGN) == 0) {
            return 0;
        }
        if (!project) {
            return bits;
        }
        int mag = bits & ~FLOAT_SIGN;
        if (mag < zeroBelowBits) {
            return 0;
        }
        if (mag < FLOAT_MIN_NORMAL || mag >= FLOAT_EXPONENT) {
            return Float.floatToRawIntBits((float) projection.quantize((double) Float.intBitsToFloat(bits)));
        }
        // at least the smallest power of two kept (Pow2Quantizer.quantize), at most the cap
        int rounded = Math.max((mag + FLOAT_HALF_MANTISSA) & FLOAT_EXPONENT, smallestKeptBits);
        return (bits & FLOAT_SIGN) | Math.min(rounded, capFloatBits);
    }

    /**
     * {@link #effective} on ce[from, to) for the usual case (projection on, a threshold that
     * removes subnormals) without branches or Math.min, so that C2 vectorises it (measured: 0.05 ms
     * instead of 0.45 ms for 262k entries): the threshold, the cap, the mask and NaN (kept as is)
     * become sign-extended bit masks. All differences are of values in [0, 0x7F800000], so none
     * overflows.
     */
    private void projectBranchFree(int from, int to) {
        int[] cb = ce;
        int[] mb = mask;
        int zb = zeroBelowBits;
        int sk = smallestKeptBits;
        int cap = capFloatBits;
        for (int i = from; i < to; i++) {
            int bits = cb[i];
            int mag = bits & ~FLOAT_SIGN;
            int rounded = (mag + FLOAT_HALF_MANTISSA) & FLOAT_EXPONENT;
            int under = (rounded - sk) >> 31;
            rounded = (rounded & ~under) | (sk & under);
            int over = (cap - rounded) >> 31;
            int r = (rounded & ~over) | (cap & over) | (bits & FLOAT_SIGN);
            int keep = ~((mag - zb) >> 31);
            int in = (0 - (mb[i] & ~FLOAT_SIGN)) >> 31;
            int nan = (FLOAT_EXPONENT - mag) >> 31;
            r = (r & ~nan) | (bits & nan);
            cb[i] = r & keep & in;
        }
    }

    /** Magnitude bits of the smallest float f with (double) f &gt;= zeroBelow. */
    private static int zeroBelowBits(double zeroBelow) {
        if (zeroBelow <= 0) {
            return 0;
        }
        if (zeroBelow > Float.MAX_VALUE) {
            return FLOAT_EXPONENT;
        }
        float f = (float) zeroBelow;
        if ((double) f < zeroBelow) {
            f = Math.nextUp(f);
        }
        return Float.floatToRawIntBits(f);
    }

    private void rebuildUnits(int from, int to) {
        int[] c = ce;
        int[] mk = mask;
        float[] bb = basis;
        int nn = n * n;
        int perUnit = spu * m * n;
        if (branchFree) {
            projectBranchFree(from * perUnit, to * perUnit);
        } else {
            for (int i = from * perUnit; i < to * perUnit; i++) {
                c[i] = effective(c[i], mk[i]);
            }
        }
        for (int o = from; o < to; o++) {
            int wBase = o * l;
            for (int s = 0; s < spu; s++) {
                int k = o * spu + s;
                int bBase = k * nn;
                int t0 = s * m * n;
                int cBase = k * m * n;
                int realRows = Math.min(m, (l - t0 + n - 1) / n);
                int fullRows = Math.min(realRows, (l - t0) / n);
                int done = 0;
                if (n == 3) {
                    double b00 = bb[bBase], b01 = bb[bBase + 1], b02 = bb[bBase + 2];
                    double b10 = bb[bBase + 3], b11 = bb[bBase + 4], b12 = bb[bBase + 5];
                    double b20 = bb[bBase + 6], b21 = bb[bBase + 7], b22 = bb[bBase + 8];
                    for (int i = 0; i < fullRows; i++) {
                        int ci = cBase + 3 * i;
                        double c0 = Float.intBitsToFloat(c[ci]);
                        double c1 = Float.intBitsToFloat(c[ci + 1]);
                        double c2 = Float.intBitsToFloat(c[ci + 2]);
                        int wi = wBase + t0 + 3 * i;
                        w[wi] = (float) (c0 * b00 + c1 * b10 + c2 * b20);
                        w[wi + 1] = (float) (c0 * b01 + c1 * b11 + c2 * b21);
                        w[wi + 2] = (float) (c0 * b02 + c1 * b12 + c2 * b22);
                    }
                    done = fullRows;
                }
                for (int i = done; i < realRows; i++) {
                    int ci = cBase + i * n;
                    int t = t0 + i * n;
                    int cols = Math.min(n, l - t);
                    for (int q = 0; q < cols; q++) {
                        double acc = 0;
                        for (int j = 0; j < n; j++) {
                            acc += (double) Float.intBitsToFloat(c[ci + j]) * bb[bBase + j * n + q];
                        }
                        w[wBase + t + q] = (float) acc;
                    }
                }
            }
        }
    }

    private void backwardUnits(int from, int to) {
        int[] c = ce;
        int[] mk = mask;
        float[] bb = basis;
        float[] dw = w;
        float[] gc = gradC;
        float[] gb = gradB;
        int nn = n * n;
        double[] acc = new double[nn];
        for (int o = from; o < to; o++) {
            int wBase = o * l;
            for (int s = 0; s < spu; s++) {
                int k = o * spu + s;
                int bBase = k * nn;
                int t0 = s * m * n;
                int cBase = k * m * n;
                int realRows = Math.min(m, (l - t0 + n - 1) / n);
                int fullRows = Math.min(realRows, (l - t0) / n);
                int done = 0;
                if (n == 3) {
                    double b00 = bb[bBase], b01 = bb[bBase + 1], b02 = bb[bBase + 2];
                    double b10 = bb[bBase + 3], b11 = bb[bBase + 4], b12 = bb[bBase + 5];
                    double b20 = bb[bBase + 6], b21 = bb[bBase + 7], b22 = bb[bBase + 8];
                    double g00 = 0, g01 = 0, g02 = 0, g10 = 0, g11 = 0, g12 = 0, g20 = 0, g21 = 0, g22 = 0;
                    for (int i = 0; i < fullRows; i++) {
                        int ci = cBase + 3 * i;
                        int wi = wBase + t0 + 3 * i;
                        double d0 = dw[wi], d1 = dw[wi + 1], d2 = dw[wi + 2];
                        double c0 = Float.intBitsToFloat(c[ci]);
                        double c1 = Float.intBitsToFloat(c[ci + 1]);
                        double c2 = Float.intBitsToFloat(c[ci + 2]);
                        gc[ci] = (mk[ci] & ~FLOAT_SIGN) != 0 ? (float) (d0 * b00 + d1 * b01 + d2 * b02) : 0f;
                        gc[ci + 1] = (mk[ci + 1] & ~FLOAT_SIGN) != 0 ? (float) (d0 * b10 + d1 * b11 + d2 * b12) : 0f;
                        gc[ci + 2] = (mk[ci + 2] & ~FLOAT_SIGN) != 0 ? (float) (d0 * b20 + d1 * b21 + d2 * b22) : 0f;
                        g00 += c0 * d0;
                        g01 += c0 * d1;
                        g02 += c0 * d2;
                        g10 += c1 * d0;
                        g11 += c1 * d1;
                        g12 += c1 * d2;
                        g20 += c2 * d0;
                        g21 += c2 * d1;
                        g22 += c2 * d2;
                    }
                    acc[0] = g00;
                    acc[1] = g01;
                    acc[2] = g02;
                    acc[3] = g10;
                    acc[4] = g11;
                    acc[5] = g12;
                    acc[6] = g20;
                    acc[7] = g21;
                    acc[8] = g22;
                    done = fullRows;
                } else {
                    java.util.Arrays.fill(acc, 0.0);
                }
                for (int i = done; i < m; i++) {
                    int ci = cBase + i * n;
                    int t = t0 + i * n;
                    int cols = i < realRows ? Math.min(n, l - t) : 0;
                    for (int j = 0; j < n; j++) {
                        double g = 0;
                        for (int q = 0; q < cols; q++) {
                            g += (double) dw[wBase + t + q] * bb[bBase + j * n + q];
                        }
                        gc[ci + j] = (mk[ci + j] & ~FLOAT_SIGN) != 0 ? (float) g : 0f;
                    }
                    for (int j = 0; j < n; j++) {
                        double cj = Float.intBitsToFloat(c[ci + j]);
                        for (int q = 0; q < cols; q++) {
                            acc[j * n + q] += cj * dw[wBase + t + q];
                        }
                    }
                }
                for (int e = 0; e < nn; e++) {
                    gb[bBase + e] = (float) acc[e];
                }
            }
        }
    }

    /**
     * The array's buffer as a pointer positioned at its first element (where its indexer reads
     * index 0), for bulk JNI copies.
     */
    private static FloatPointer pointer(INDArray a) {
        return (FloatPointer) a.data().indexer().pointer();
    }

    /** A new pointer to element {@code offset} of base's memory (base itself is not moved). */
    private static FloatPointer at(FloatPointer base, int offset) {
        FloatPointer p = new FloatPointer(base);
        p.position(base.position() + offset);
        return p;
    }

    /** As {@link #at}, read and written as raw float bits. */
    private static IntPointer bitsAt(FloatPointer base, int offset) {
        IntPointer p = new IntPointer(base);
        p.position(base.position() + offset);
        return p;
    }

    /** The same memory as {@link #pointer}, read and written as raw float bits. */
    private static IntPointer bits(INDArray a) {
        return new IntPointer(pointer(a));
    }

    /** The packed geometry. */
    SdSliceShape shape() {
        return shape;
    }
}
