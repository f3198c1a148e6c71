package org.smartdeal.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Runtime of {@link BucketSwitch}: momentum buffer and signed counters of ALGORITHMS.md 6.2 for one
 * DL4J updater block. {@link #applyUpdater} replaces the gradient by the switch direction
 * {@code s} in {-1, 0, +1} of every entry; {@link BucketSwitchStep} then turns it into the exact update.
 *
 * <p>Per entry, with {@code g} the incoming gradient (already divided by the minibatch size and with
 * {@code wd*C} added by the BEFORE_UPDATER L2 term):
 * <pre>
 * v = mu*v + g
 * d = -lr*v ; if |d| &lt;= thetaG: d = 0
 * counter += sign(d)
 * if |counter| &gt;= thetaC: s = sign(counter), counter = 0   else s = 0
 * </pre>
 * Arithmetic is done in the state's data type: float32 (mu, lr and thetaG rounded to float, two
 * roundings per {@code mu*v + g}, as PyTorch's SGD on float32 tensors) or float64.
 * All counters are zeroed on the first call of a new epoch (the last epoch is kept in the state).
 *
 * <p><b>Speed.</b> One fused pass over the block in chunks of 8192 entries, each bulk-copied to
 * per-thread heap arrays, run on a fixed pool of threads shared by all bucket-switch updaters and steps
 * of the JVM; no allocation after the first call. The thread count (the calling thread included) is
 * the system property {@value #THREADS_PROPERTY}, an integer >= 1 read once on first use; default
 * {@code Runtime.availableProcessors()}, 1 runs on the calling thread only. The float32 loop is
 * written without branches and without int/float conversions (threshold tests as {@code min}/{@code max}
 * clamps of exactly representable differences) so that the JIT vectorises it; it gives bit for bit the
 * same v, counters and directions as the rule above.
 *
 * <p><b>Determinism.</b> Every entry's result depends only on that entry's gradient and state, so
 * the result is bit-identical for any thread count (tested). The one documented difference from a
 * branchy reading of the rule: a NaN in {@code v} (a NaN gradient) makes the direction NaN (float32: the
 * counter too), which {@link BucketSwitchStep} then rejects as divergence, rather than counting as a step.
 */
public final class BucketSwitchUpdater implements GradientUpdater<BucketSwitch> {

    /**
     * System property with the number of threads (including the caller) that run the chunks of the
     * bucket-switch updater and step; default: available processors. Results do not depend on it.
     */
    public static final String THREADS_PROPERTY = "smartdeal.bucketSwitch.threads";

    /** Key of the whole state array in {@link #getState()}. */
    public static final String STATE_KEY = "bucketSwitchState";

    private final BucketSwitch config;
    private INDArray state;

    private INDArray cachedGradient;
    private FloatBuffer gradF;
    private DoubleBuffer gradD;
    private FloatBuffer stateF;
    private DoubleBuffer stateD;

    /*
     * Element-wise NIO access to native memory with several buffers in one loop was measured ~10x
     * slower than bulk-copying chunks to small heap arrays and computing there; the scratch arrays are
     * per thread (ChunkPool.Scratch), so a step allocates nothing.
     */
    private ChunkPool pool;
    private final ChunkPool.Kernel floatKernel = this::floatChunk;
    private final ChunkPool.Kernel doubleKernel = this::doubleChunk;

    /* The current call's arguments, read by the chunk kernels (published to the pool's threads by
     * ChunkPool.run). */
    private int gradOffset;
    private int vOffset;
    private int cOffset;
    private int mOffset;
    private boolean resetCounters;
    private float muF;
    private float lrF;
    private float thetaGF;
    private float thetaCm1F;
    private double lrD;

    /** Creates the runtime for {@code config}; call {@link #setStateViewArray} before use. */
    public BucketSwitchUpdater(BucketSwitch config) {
        this.config = config;
    }

    /** Runs this updater's chunks on {@code p} instead of {@link ChunkPool#shared()} (tests). */
    BucketSwitchUpdater withPool(ChunkPool p) {
        this.pool = p;
        return this;
    }

    private ChunkPool pool() {
        return pool != null ? pool : ChunkPool.shared();
    }

    @Override
    public BucketSwitch getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray s = stateMap.get(STATE_KEY);
        if (s == null) {
            throw new IllegalArgumentException("BucketSwitch state map must contain key '" + STATE_KEY + "', got keys "
                    + stateMap.keySet());
        }
        setStateViewArray(s, s.shape(), s.ordering(), initialize);
    }

    @Override
    public Map<String, INDArray> getState() {
        return Map.of(STATE_KEY, state);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        DirectBuffers.requireDense(viewArray, "BucketSwitch updater state");
        this.state = viewArray;
        this.stateF = viewArray.dataType() == DataType.FLOAT ? DirectBuffers.floats(viewArray) : null;
        this.stateD = viewArray.dataType() == DataType.DOUBLE ? DirectBuffers.doubles(viewArray) : null;
        this.cachedGradient = null;
        if (initialize) {
            viewArray.assign(0);
            viewArray.putScalar(0, -1); // "no epoch seen yet"
        }
    }

    /** The state array: [lastEpoch, v[N], counter[N], (maskedOut[N])] (see {@link BucketSwitch}). */
    public INDArray getStateViewArray() {
        return state;
    }

    /**
     * Truncates every counter of the state toward zero (2.5 -> 2, -1.5 -> -1), leaving the epoch entry,
     * the momentum buffer and the mask flags as they are. Counters are integers whenever the state was
     * made by this updater; they stop being integers when something outside it writes the state, for
     * example the arithmetic mean of several workers' states in parameter averaging, after which the
     * float32 step would reject the fractional switch direction. See {@link SdTraining#restoreInvariants}.
     *
     * @return the number of counters that changed
     * @throws IllegalStateException if no state array has been set
     */
    public long truncateCounters() {
        if (state == null) {
            throw new IllegalStateException("BucketSwitch updater has no state array yet");
        }
        long n = (state.length() - 1) / (config.isMaskInState() ? 3 : 2);
        INDArray counters = state.get(NDArrayIndex.interval(1 + n, 1 + 2 * n));
        double[] c = counters.dup().data().asDouble();
        long changed = 0;
        for (int i = 0; i < c.length; i++) {
            double t = c[i] < 0 ? Math.ceil(c[i]) : Math.floor(c[i]);
            if (t != c[i]) {
                c[i] = t;
                changed++;
            }
        }
        if (changed > 0) {
            counters.assign(Nd4j.create(c, counters.shape()).castTo(counters.dataType()));
        }
        return changed;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (state == null) {
            throw new IllegalStateException("BucketSwitch updater state was not set");
        }
        long n = gradient.length();
        long needed = config.stateSize(n);
        if (state.length() < needed) {
            throw new IllegalStateException("BucketSwitch state has length " + state.length() + " but a gradient of "
                    + n + " entries needs " + needed);
        }
        if (gradient != cachedGradient) {
            DirectBuffers.requireDense(gradient, "BucketSwitch gradient");
            if (gradient.dataType() != state.dataType()) {
                throw new IllegalArgumentException("BucketSwitch gradient data type " + gradient.dataType()
                        + " differs from its state's " + state.dataType());
            }
            gradF = gradient.dataType() == DataType.FLOAT ? DirectBuffers.floats(gradient) : null;
            gradD = gradient.dataType() == DataType.DOUBLE ? DirectBuffers.doubles(gradient) : null;
            cachedGradient = gradient;
        }
        int so = (int) state.offset();
        gradOffset = (int) gradient.offset();
        vOffset = so + 1;
        cOffset = vOffset + (int) n;
        mOffset = cOffset + (int) n;
        double lr = config.getLearningRate(iteration, epoch);
        if (gradF != null) {
            resetCounters = (int) stateF.get(so) != epoch;
            // float32 arithmetic throughout, as the PyTorch reference does on float32 tensors
            muF = (float) config.getMomentum();
            lrF = (float) lr;
            thetaGF = (float) config.getThetaG();
            thetaCm1F = config.getThetaC() - 1f;
            pool().run((int) n, floatKernel);
            if (resetCounters) {
                stateF.put(so, epoch);
            }
        } else {
            resetCounters = (int) stateD.get(so) != epoch;
            lrD = lr;
            pool().run((int) n, doubleKernel);
            if (resetCounters) {
                stateD.put(so, epoch);
            }
        }
    }

    /** 2^100: scales any difference from a threshold >= 2^-77 to at least 1 (see {@link #stepsFast}). */
    private static final float BIG = 0x1p100f;
    /** Below this thetaG one scaling by {@link #BIG} may leave a positive difference under 1. */
    private static final float SMALL_THETA_G = 0x1p-77f;

    private void floatChunk(int start, int len, ChunkPool.Scratch scratch) {
        float[][] f = scratch.floats();
        float[] gs = f[0];
        float[] vs = f[1];
        float[] cs = f[2];
        FloatBuffer g = gradF;
        FloatBuffer s = stateF;
        g.get(gradOffset + start, gs, 0, len);
        s.get(vOffset + start, vs, 0, len);
        if (resetCounters) {
            Arrays.fill(cs, 0, len, 0f);
        } else {
            s.get(cOffset + start, cs, 0, len);
        }
        if (config.isMaskInState()) {
            float[] mk = f[3];
            s.get(mOffset + start, mk, 0, len);
            stepsMasked(gs, vs, cs, mk, len, muF, lrF, thetaGF, thetaCm1F);
        } else if (thetaGF >= SMALL_THETA_G) {
            stepsFast(gs, vs, cs, len, muF, lrF, thetaGF, thetaCm1F);
        } else {
            stepsSmallThetaG(gs, vs, cs, len, muF, lrF, thetaGF, thetaCm1F);
        }
        g.put(gradOffset + start, gs, 0, len);
        s.put(vOffset + start, vs, 0, len);
        s.put(cOffset + start, cs, 0, len);
    }

    /**
     * The float32 rule for thetaG >= 2^-77, in place on one chunk: gs holds g on entry and the
     * direction on exit; vs and cs are v and the counters.
     *
     * <p>Why it equals the rule: {@code d > thetaG} exactly when the float difference {@code d - thetaG}
     * is positive, and then it is at least ulp(thetaG) >= 2^-100, so {@code clamp01((d - thetaG)*2^100)}
     * is exactly 1 or 0 ({@code up}; {@code dn} likewise for {@code -d > thetaG}). The counters hold
     * small integers, so {@code clamp01(c - (thetaC - 1))} is 1 exactly when {@code c >= thetaC}. All
     * sums of these 0/1 values are exact; {@code c - c*1} is +0.0 as in the reset, and {@code 0 - 0} is
     * a +0.0 direction.
     */
    private static void stepsFast(float[] gs, float[] vs, float[] cs, int len, float mu, float lr, float thetaG,
            float thetaCm1) {
        for (int i = 0; i < len; i++) {
            float v = mu * vs[i] + gs[i];
            vs[i] = v;
            float d = -lr * v;
            float up = Math.max(Math.min((d - thetaG) * BIG, 1f), 0f);
            float dn = Math.max(Math.min((-d - thetaG) * BIG, 1f), 0f);
            float c = cs[i] + (up - dn);
            float su = Math.min(Math.max(c - thetaCm1, 0f), 1f);
            float sd = Math.min(Math.max(-c - thetaCm1, 0f), 1f);
            gs[i] = su - sd;
            cs[i] = c - c * (su + sd);
        }
    }

    /** {@link #stepsFast} for thetaG < 2^-77 (e.g. 0): two scalings by 2^100 reach 1 from 2^-149. */
    private static void stepsSmallThetaG(float[] gs, float[] vs, float[] cs, int len, float mu, float lr,
            float thetaG, float thetaCm1) {
        for (int i = 0; i < len; i++) {
            float v = mu * vs[i] + gs[i];
            vs[i] = v;
            float d = -lr * v;
            float up = Math.max(Math.min(Math.min((d - thetaG) * BIG, 1f) * BIG, 1f), 0f);
            float dn = Math.max(Math.min(Math.min((-d - thetaG) * BIG, 1f) * BIG, 1f), 0f);
            float c = cs[i] + (up - dn);
            float su = Math.min(Math.max(c - thetaCm1, 0f), 1f);
            float sd = Math.min(Math.max(-c - thetaCm1, 0f), 1f);
            gs[i] = su - sd;
            cs[i] = c - c * (su + sd);
        }
    }

    /**
     * {@link #stepsSmallThetaG} (valid for every thetaG) with the masked-out flags mk (exactly 0 or 1):
     * a masked-out entry gets no gradient and never counts.
     */
    private static void stepsMasked(float[] gs, float[] vs, float[] cs, float[] mk, int len, float mu, float lr,
            float thetaG, float thetaCm1) {
        for (int i = 0; i < len; i++) {
            float keep = 1f - mk[i];
            float v = mu * vs[i] + gs[i] * keep;
            vs[i] = v;
            float d = -lr * v;
            float up = Math.max(Math.min(Math.min((d - thetaG) * BIG, 1f) * BIG, 1f), 0f) * keep;
            float dn = Math.max(Math.min(Math.min((-d - thetaG) * BIG, 1f) * BIG, 1f), 0f) * keep;
            float c = cs[i] + (up - dn);
            float su = Math.min(Math.max(c - thetaCm1, 0f), 1f);
            float sd = Math.min(Math.max(-c - thetaCm1, 0f), 1f);
            gs[i] = su - sd;
            cs[i] = c - c * (su + sd);
        }
    }

    private void doubleChunk(int start, int len, ChunkPool.Scratch scratch) {
        double[][] f = scratch.doubles();
        double[] gs = f[0];
        double[] vs = f[1];
        double[] cs = f[2];
        double[] mk = f[3];
        DoubleBuffer g = gradD;
        DoubleBuffer s = stateD;
        boolean masked = config.isMaskInState();
        g.get(gradOffset + start, gs, 0, len);
        s.get(vOffset + start, vs, 0, len);
        if (resetCounters) {
            Arrays.fill(cs, 0, len, 0d);
        } else {
            s.get(cOffset + start, cs, 0, len);
        }
        if (masked) {
            s.get(mOffset + start, mk, 0, len);
        }
        double mu = config.getMomentum();
        double lr = lrD;
        int thetaC = config.getThetaC();
        long thetaGBits = Double.doubleToRawLongBits(config.getThetaG());
        for (int i = 0; i < len; i++) {
            double keep = masked ? 1d - mk[i] : 1d;
            vs[i] = mu * vs[i] + gs[i] * keep;
            int c = (int) cs[i] + stepOf(-lr * vs[i], thetaGBits) * (int) keep;
            int fire = (thetaC - 1 - Math.abs(c)) >>> 31;
            // a NaN v (a NaN gradient) would count as a step with its sign bit's sign: pass it on as a NaN
            // direction, as the float32 loop does, for BucketSwitchStep to report (never taken in training)
            gs[i] = vs[i] != vs[i] ? Double.NaN : fire * Integer.signum(c);
            cs[i] = c * (1 - fire);
        }
        g.put(gradOffset + start, gs, 0, len);
        s.put(vOffset + start, vs, 0, len);
        s.put(cOffset + start, cs, 0, len);
    }
    /**
     * sign(d) if |d| > thetaG, else 0, without branches (random signs defeat branch prediction; the
     * branchy form was measured several times slower). For non-negative doubles the raw bit patterns
     * order like the values, so {@code (thetaGBits - |d|bits) >>> 63} is 1 exactly when |d| > thetaG.
     */
    private static int stepOf(double d, long thetaGBits) {
        long bits = Double.doubleToRawLongBits(d);
        int active = (int) ((thetaGBits - (bits & 0x7FFF_FFFF_FFFF_FFFFL)) >>> 63);
        return active * (1 - 2 * (int) (bits >>> 63));
    }
}
