package org.smartdeal.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * POST_UPDATER step of the bucket switch (ALGORITHMS.md 6.2): reads the switch direction
 * {@code s} in {-1, 0, +1} that {@link BucketSwitchUpdater} left in the update array and replaces it by
 * {@code C - C_new}, so that DL4J's following {@code params -= update} stores exactly {@code C_new}:
 * <pre>
 * s == 0:            C_new = C                       (update 0)
 * C != 0:            C_new = C * 2^(s*sign(C))       (doubles when s points away from 0, else halves)
 *                    |C_new| &lt; minCoeff -&gt; 0         (flush)
 * C == 0:            C_new = s * minCoeff            (revival; only reachable inside the mask, see
 *                                                     {@link BucketSwitch} "Mask")
 * then               |C_new| clamped to maxCoeff
 * </pre>
 * The subtraction is exact in float32 and float64: C and C_new are powers of two (or 0) within a
 * factor 2 of each other, so {@code C - C_new} and {@code C - (C - C_new)} need no rounding.
 *
 * <p><b>Speed.</b> Chunks of 8192 entries run on the threads of the updater's pool (system property
 * {@value BucketSwitchUpdater#THREADS_PROPERTY}, default: available processors). A chunk whose
 * directions are all 0 (found by a vectorised max-|s| scan; the usual case, switches are rare) is
 * neither read from the parameter nor written back. Results are bit-identical for any thread count:
 * each entry depends only on its own C and s. After a routing error every other chunk has still been
 * processed, and the error reported is the one at the lowest index.
 *
 * <p><b>Threads.</b> One step may be called from several threads at once: it belongs to a layer
 * configuration, which DL4J lets several networks share, and each call works on call state of its own.
 *
 * <p>Must be the LAST POST_UPDATER regularization of its parameter, and the parameter must use the
 * {@link BucketSwitch} updater; any other value than -1, 0, +1 in the update array is reported as a
 * routing error.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class BucketSwitchStep implements Regularization {

    private static final long serialVersionUID = 1L;

    private final double minCoeff;
    private final double maxCoeff;

    /*
     * The state of a call (NIO views of the last parameter and update arrays, their offsets, the chunk
     * kernels) lives in a Job that a call takes for itself, not in fields of the step: a step is part
     * of a layer configuration, and DL4J lets several networks share one configuration object (new
     * MultiLayerNetwork(conf) twice does not copy its layers), so two threads training two such
     * networks call apply() on the same step at once. The idle Job is kept for the next call (no
     * allocation when calls do not overlap); an overlapping call makes a Job of its own. Guarded by
     * this; transient (fields are not restored by deserialization, the Job is made on first use).
     */
    private transient Job idle;
    private transient ChunkPool pool;

    /**
     * @param minCoeff smallest non-zero magnitude, a power of two in [2^-10, 1]
     * @param maxCoeff largest magnitude, a power of two >= minCoeff
     */
    @JsonCreator
    public BucketSwitchStep(@JsonProperty("minCoeff") double minCoeff, @JsonProperty("maxCoeff") double maxCoeff) {
        if (!Pow2.isPowerOfTwo(minCoeff) || minCoeff < Pow2.MIN_COEFF_LOWEST || minCoeff > 1.0) {
            throw new IllegalArgumentException(
                    "BucketSwitchStep.minCoeff must be a power of two in [2^-10, 1], got " + minCoeff);
        }
        if (!Pow2.isPowerOfTwo(maxCoeff) || maxCoeff < minCoeff || maxCoeff > 1 << 20) {
            throw new IllegalArgumentException("BucketSwitchStep.maxCoeff must be a power of two in [minCoeff="
                    + minCoeff + ", 2^20], got " + maxCoeff);
        }
        this.minCoeff = minCoeff;
        this.maxCoeff = maxCoeff;
    }

    /**
     * The value C moves to under switch direction {@code s} (ALGORITHMS.md 6.2), mask already applied.
     *
     * @param c current value, 0 or +-2^p
     * @param s direction, -1 or +1
     */
    public static double next(double c, double s, double minCoeff, double maxCoeff) {
        double m;
        if (c != 0.0) {
            m = Math.abs(c);
            m = (s > 0) == (c > 0) ? m * 2.0 : m * 0.5;
            if (m < minCoeff) {
                return 0.0;
            }
        } else {
            m = minCoeff;
        }
        if (m > maxCoeff) {
            m = maxCoeff;
        }
        return c != 0.0 ? Math.copySign(m, c) : Math.copySign(m, s);
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.POST_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray update, double lr, int iteration, int epoch) {
        Job job = take();
        try {
            job.bind(param, update);
            ChunkPool p = pool != null ? pool : ChunkPool.shared();
            p.run((int) param.length(), job.paramF != null ? job.floatKernel : job.doubleKernel);
        } finally {
            giveBack(job);
        }
    }

    private synchronized Job take() {
        Job j = idle;
        idle = null;
        return j != null ? j : new Job();
    }

    private synchronized void giveBack(Job j) {
        idle = j;
    }

    /**
     * One call's state: the NIO views of the parameter and update arrays (kept while the same arrays
     * come back, so repeated calls allocate nothing), the call's offsets, read by the chunk kernels on
     * the pool's threads (published by ChunkPool.run), and the kernels.
     */
    private final class Job {
        private INDArray cachedParam;
        private INDArray cachedUpdate;
        private FloatBuffer paramF;
        private FloatBuffer updateF;
        private DoubleBuffer paramD;
        private DoubleBuffer updateD;
        private int paramOffset;
        private int updateOffset;
        private final ChunkPool.Kernel floatKernel = this::floatChunk;
        private final ChunkPool.Kernel doubleKernel = this::doubleChunk;

        void bind(INDArray param, INDArray update) {
            if (param != cachedParam || update != cachedUpdate) {
                DirectBuffers.requireDense(param, "BucketSwitchStep parameter");
                DirectBuffers.requireDense(update, "BucketSwitchStep update");
                DirectBuffers.requireSameLayout(param, "BucketSwitchStep parameter", update, "update");
                boolean f = param.dataType() == DataType.FLOAT;
                paramF = f ? DirectBuffers.floats(param) : null;
                updateF = f ? DirectBuffers.floats(update) : null;
                paramD = f ? null : DirectBuffers.doubles(param);
                updateD = f ? null : DirectBuffers.doubles(update);
                cachedParam = param;
                cachedUpdate = update;
            }
            paramOffset = (int) param.offset();
            updateOffset = (int) update.offset();
        }

        private void floatChunk(int start, int len, ChunkPool.Scratch scratch) {
            float[][] f = scratch.floats();
            float[] uF = f[0];
            float[] pF = f[1];
            updateF.get(updateOffset + start, uF, 0, len);
            if (maxAbs(uF, len) == 0f) {
                return; // no switch in this chunk: the update stays 0 (a NaN is not == 0 and is reported below)
            }
            paramF.get(paramOffset + start, pF, 0, len);
            float[] out = f[2];
            if (switchFloatsBranchFree(pF, uF, out, f[3], len, (float) minCoeff, (float) maxCoeff)) {
                updateF.put(updateOffset + start, out, 0, len);
                return;
            }
            int bad = switchFloats(pF, uF, len, (float) minCoeff, (float) maxCoeff);
            if (bad >= 0) {
                throw routingError(uF[bad], start + bad);
            }
            updateF.put(updateOffset + start, uF, 0, len);
        }

        private void doubleChunk(int start, int len, ChunkPool.Scratch scratch) {
            double[][] f = scratch.doubles();
            double[] uD = f[0];
            double[] pD = f[1];
            updateD.get(updateOffset + start, uD, 0, len);
            if (maxAbs(uD, len) == 0d) {
                return;
            }
            paramD.get(paramOffset + start, pD, 0, len);
            for (int i = 0; i < len; i++) {
                double s = uD[i];
                if (s == 0d) {
                    continue;
                }
                if (s != 1d && s != -1d) {
                    throw routingError(s, start + i);
                }
                uD[i] = pD[i] - next(pD[i], s, minCoeff, maxCoeff);
            }
            updateD.put(updateOffset + start, uD, 0, len);
        }
    }

    /** Runs this step's chunks on {@code p} instead of {@link ChunkPool#shared()} (tests). */
    BucketSwitchStep withPool(ChunkPool p) {
        this.pool = p;
        return this;
    }

    /** max |u[i]| over the first len entries; NaN if any is NaN. A vectorisable reduction. */
    private static float maxAbs(float[] u, int len) {
        float m = 0f;
        for (int i = 0; i < len; i++) {
            m = Math.max(m, Math.abs(u[i]));
        }
        return m;
    }

    private static double maxAbs(double[] u, int len) {
        double m = 0d;
        for (int i = 0; i < len; i++) {
            m = Math.max(m, Math.abs(u[i]));
        }
        return m;
    }

    /** 2^100: turns a non-zero |x| >= 2^-100 into a product of magnitude >= 1 (see below). */
    private static final float BIG = 0x1p100f;

    /**
     * The same result as {@link #switchFloats} without branches, so that the JIT vectorises it (a random
     * few percent of switching entries make the branchy loop several times slower, from mispredictions),
     * or false when the chunk is outside the domain where the two are proven equal: every direction
     * -1, 0 or +1 and every C either 0 or finite with {@code 2^-100 <= |C| <= 2^100} (which holds for any
     * C of ALGORITHMS.md 6.2: powers of two in [2^-10, 2^20]). The caller then runs {@link #switchFloats}.
     *
     * <p>With {@code q = clamp(s*C*2^100, -1, 1)} (exactly sign(s*C) on the domain) the magnitude
     * {@code |C| * (1 + 0.75q + 0.25q^2)} is |C| doubled, halved or kept, by the same float product as
     * the branchy form; the flush ({@code clamp01((minC - m)*2^100)}, exact because minC >= 2^-10), the
     * revival and the clamp to maxC are then switched on and off by exact 0/1 products, and the sign is
     * {@code sign(C)}, or {@code s} for C = 0. {@code (C + 0) - next} gives +0.0 where s = +0.0 and C = -0.0,
     * as the branchy form (which leaves s) does. The one difference: a direction of -0.0 (the updater
     * never writes one) becomes +0.0.
     *
     * @param out receives the update; {@code u} is left unchanged for the fallback
     * @param tmp scratch of at least len entries
     */
    private static boolean switchFloatsBranchFree(float[] c, float[] u, float[] out, float[] tmp, int len,
            float minC, float maxC) {
        // the three loops are kept small: one loop doing all of it is not vectorised by C2 (JDK 17)
        for (int i = 0; i < len; i++) {
            float s = u[i];
            float as = Math.abs(s);
            float q = Math.min(Math.max(s * c[i] * BIG, -1f), 1f);
            float nz = q * q;
            float m = Math.abs(c[i]) * (1f + 0.75f * q + 0.25f * nz);
            float flush = Math.max(Math.min((minC - m) * BIG, 1f), 0f);
            m = m * (1f - nz * flush) + (as - nz) * minC;
            tmp[i] = Math.min(m, as * maxC + (1f - as) * Float.MAX_VALUE);
        }
        for (int i = 0; i < len; i++) {
            float s = u[i];
            float ci = c[i];
            float g = Math.min(Math.max(ci * BIG, -1f), 1f);
            out[i] = (ci + 0f) - (g + (1f - Math.abs(g)) * s) * tmp[i];
        }
        for (int i = 0; i < len; i++) {
            float s = u[i];
            float ci = c[i];
            float as = Math.abs(s);
            float g = Math.min(Math.max(ci * BIG, -1f), 1f);
            // 0 exactly on the domain: s*s == |s|, g*g == |g| (no 0 < |C| < 2^-100), |C| <= 2^100; NaN-safe
            tmp[i] = Math.abs(s * s - as) + Math.abs(g * g - Math.abs(g)) + Math.max(Math.abs(ci) - BIG, 0f);
        }
        return maxAbs(tmp, len) == 0f;
    }

    /**
     * Replaces each direction {@code u[i]} != 0 by {@code c[i] - next(c[i], u[i])} (float32 form of
     * {@link #next}); returns the first index whose direction is not -1, 0 or +1 (u then partly
     * rewritten), or -1.
     */
    private static int switchFloats(float[] c, float[] u, int len, float minC, float maxC) {
        for (int i = 0; i < len; i++) {
            float s = u[i];
            if (s == 0f) {
                continue;
            }
            if (s != 1f && s != -1f) {
                return i;
            }
            float ci = c[i];
            float m;
            if (ci != 0f) {
                m = Math.abs(ci);
                m = (s > 0) == (ci > 0) ? m * 2f : m * 0.5f;
                if (m < minC) {
                    m = 0f;
                }
            } else {
                m = minC;
            }
            if (m > maxC) {
                m = maxC;
            }
            float next = ci != 0f ? Math.copySign(m, ci) : Math.copySign(m, s);
            u[i] = ci - next;
        }
        return -1;
    }

    private static IllegalStateException routingError(double s, int i) {
        if (Double.isNaN(s)) {
            return new TrainingDivergedException(TrainingDivergedException.Phase.TRAINING, "training diverged: a NaN "
                    + "gradient reached the bucket switch (C entry " + i + " of the parameter's block); lower the "
                    + "learning rate");
        }
        return new IllegalStateException("BucketSwitchStep expects a switch direction in {-1, 0, +1} in the update "
                + "array, got " + s + " at index " + i + ": the parameter must use the BucketSwitch updater and "
                + "this step must be its last POST_UPDATER regularization");
    }

    /** Contributes nothing to the score. */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public BucketSwitchStep clone() {
        return new BucketSwitchStep(minCoeff, maxCoeff);
    }

    /** Smallest non-zero magnitude. */
    public double getMinCoeff() {
        return minCoeff;
    }

    /** Largest magnitude. */
    public double getMaxCoeff() {
        return maxCoeff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BucketSwitchStep && Double.compare(minCoeff, ((BucketSwitchStep) o).minCoeff) == 0
                && Double.compare(maxCoeff, ((BucketSwitchStep) o).maxCoeff) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(minCoeff, maxCoeff);
    }

    @Override
    public String toString() {
        return "BucketSwitchStep(minCoeff=" + minCoeff + ", maxCoeff=" + maxCoeff + ")";
    }
}
