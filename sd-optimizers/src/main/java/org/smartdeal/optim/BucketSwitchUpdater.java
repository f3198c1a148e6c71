package org.smartdeal.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * One fused pass over the block, in chunks of 8192 entries copied to small heap arrays; no
 * allocation after the first call.
 */
public final class BucketSwitchUpdater implements GradientUpdater<BucketSwitch> {

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
     * Scratch chunks: element-wise NIO access to native memory with several buffers in one loop was
     * measured ~10x slower than bulk-copying chunks to small heap arrays and computing there. Allocated
     * once per updater (4 x 8192 entries), so a step allocates nothing.
     */
    private static final int CHUNK = 8192;
    private float[] gF;
    private float[] vF;
    private float[] cF;
    private float[] mF;
    private double[] gD;
    private double[] vD;
    private double[] cD;
    private double[] mD;

    /** Creates the runtime for {@code config}; call {@link #setStateViewArray} before use. */
    public BucketSwitchUpdater(BucketSwitch config) {
        this.config = config;
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

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (state == null) {
            throw new IllegalStateException("BucketSwitch updater state was not set");
        }
        long n = gradient.length();
        long needed = (config.isMaskInState() ? 3 : 2) * n + 1;
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
        double lr = config.getLearningRate(iteration, epoch);
        if (gradF != null) {
            applyFloat(gradF, (int) gradient.offset(), stateF, (int) state.offset(), (int) n, lr, epoch);
        } else {
            applyDouble(gradD, (int) gradient.offset(), stateD, (int) state.offset(), (int) n, lr, epoch);
        }
    }

    private void applyFloat(FloatBuffer g, int go, FloatBuffer s, int so, int n, double lr, int epoch) {
        int vo = so + 1;
        int co = vo + n;
        int mo = co + n;
        boolean masked = config.isMaskInState();
        if (gF == null) {
            gF = new float[CHUNK];
            vF = new float[CHUNK];
            cF = new float[CHUNK];
            mF = masked ? new float[CHUNK] : null;
        }
        if ((int) s.get(so) != epoch) {
            java.util.Arrays.fill(cF, 0f);
            for (int base = 0; base < n; base += CHUNK) {
                s.put(co + base, cF, 0, Math.min(CHUNK, n - base));
            }
            s.put(so, epoch);
        }
        // float32 arithmetic throughout, as the PyTorch reference does on float32 tensors; it also lets
        // the JIT vectorise the loop (the double-precision form was measured ~6x slower). For
        // non-negative floats the raw bits order like the values, so the threshold tests are integer
        // subtractions whose sign bit is the answer: no branches, which random signs would defeat.
        float muF = (float) config.getMomentum();
        float lrF = (float) lr;
        int thetaGBits = Float.floatToRawIntBits((float) config.getThetaG());
        int thetaCBits = Float.floatToRawIntBits((float) config.getThetaC());
        float[] gs = gF;
        float[] vs = vF;
        float[] cs = cF;
        float[] mk = mF;
        for (int base = 0; base < n; base += CHUNK) {
            int len = Math.min(CHUNK, n - base);
            g.get(go + base, gF, 0, len);
            s.get(vo + base, vF, 0, len);
            s.get(co + base, cF, 0, len);
            if (masked) {
                s.get(mo + base, mF, 0, len);
            }
            if (masked) {
                for (int i = 0; i < len; i++) {
                    float keep = 1f - mk[i]; // maskedOut is exactly 0 or 1
                    float v = muF * vs[i] + gs[i] * keep;
                    vs[i] = v;
                    int db = Float.floatToRawIntBits(-lrF * v);
                    int active = ((thetaGBits - (db & 0x7FFF_FFFF)) >>> 31) * (int) keep;
                    float c = cs[i] + active * (1 - 2 * (db >>> 31));
                    int cb = Float.floatToRawIntBits(c);
                    int fire = (thetaCBits - 1 - (cb & 0x7FFF_FFFF)) >>> 31; // 1 iff |c| >= thetaC
                    gs[i] = fire * (1 - 2 * (cb >>> 31));
                    cs[i] = c - fire * c;
                }
            } else {
                for (int i = 0; i < len; i++) {
                    float v = muF * vs[i] + gs[i];
                    vs[i] = v;
                    int db = Float.floatToRawIntBits(-lrF * v);
                    int active = (thetaGBits - (db & 0x7FFF_FFFF)) >>> 31; // 1 iff |d| > thetaG
                    float c = cs[i] + active * (1 - 2 * (db >>> 31));       // + sign(d)
                    int cb = Float.floatToRawIntBits(c);
                    int fire = (thetaCBits - 1 - (cb & 0x7FFF_FFFF)) >>> 31;
                    gs[i] = fire * (1 - 2 * (cb >>> 31));                    // int: never -0.0
                    cs[i] = c - fire * c;                                    // +0.0 after a switch
                }
            }
            g.put(go + base, gF, 0, len);
            s.put(vo + base, vF, 0, len);
            s.put(co + base, cF, 0, len);
        }
    }

    private void applyDouble(DoubleBuffer g, int go, DoubleBuffer s, int so, int n, double lr, int epoch) {
        int vo = so + 1;
        int co = vo + n;
        int mo = co + n;
        boolean masked = config.isMaskInState();
        if (gD == null) {
            gD = new double[CHUNK];
            vD = new double[CHUNK];
            cD = new double[CHUNK];
            mD = masked ? new double[CHUNK] : null;
        }
        if ((int) s.get(so) != epoch) {
            java.util.Arrays.fill(cD, 0d);
            for (int base = 0; base < n; base += CHUNK) {
                s.put(co + base, cD, 0, Math.min(CHUNK, n - base));
            }
            s.put(so, epoch);
        }
        double mu = config.getMomentum();
        double thetaG = config.getThetaG();
        int thetaC = config.getThetaC();
        long thetaGBits = Double.doubleToRawLongBits(thetaG);
        double[] gs = gD;
        double[] vs = vD;
        double[] cs = cD;
        double[] mk = mD;
        for (int base = 0; base < n; base += CHUNK) {
            int len = Math.min(CHUNK, n - base);
            g.get(go + base, gD, 0, len);
            s.get(vo + base, vD, 0, len);
            s.get(co + base, cD, 0, len);
            if (masked) {
                s.get(mo + base, mD, 0, len);
            }
            for (int i = 0; i < len; i++) {
                double keep = masked ? 1d - mk[i] : 1d;
                vs[i] = mu * vs[i] + gs[i] * keep;
                int c = (int) cs[i] + stepOf(-lr * vs[i], thetaGBits) * (int) keep;
                int fire = (thetaC - 1 - Math.abs(c)) >>> 31;
                gs[i] = fire * Integer.signum(c);
                cs[i] = c * (1 - fire);
            }
            g.put(go + base, gD, 0, len);
            s.put(vo + base, vD, 0, len);
            s.put(co + base, cD, 0, len);
        }
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
