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
 * v = mu*v + g            (computed in double, stored in the state's data type)
 * d = -lr*v ; if |d| &lt;= thetaG: d = 0
 * counter += sign(d)
 * if |counter| &gt;= thetaC: s = sign(counter), counter = 0   else s = 0
 * </pre>
 * All counters are zeroed on the first call of a new epoch (the last epoch is kept in the state).
 * One fused pass over the block; no allocation after the first call.
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
        if ((int) s.get(so) != epoch) {
            for (int i = 0; i < n; i++) {
                s.put(co + i, 0f);
            }
            s.put(so, epoch);
        }
        double mu = config.getMomentum();
        double thetaG = config.getThetaG();
        float thetaC = config.getThetaC();
        boolean masked = config.isMaskInState();
        for (int i = 0; i < n; i++) {
            if (masked && s.get(mo + i) != 0f) {
                g.put(go + i, 0f);
                continue;
            }
            float v = (float) (mu * s.get(vo + i) + g.get(go + i));
            s.put(vo + i, v);
            double d = -lr * v;
            float out = 0f;
            if (Math.abs(d) > thetaG) {
                float c = s.get(co + i) + (d > 0 ? 1f : -1f);
                if (Math.abs(c) >= thetaC) {
                    out = c > 0 ? 1f : -1f;
                    c = 0f;
                }
                s.put(co + i, c);
            }
            g.put(go + i, out);
        }
    }

    private void applyDouble(DoubleBuffer g, int go, DoubleBuffer s, int so, int n, double lr, int epoch) {
        int vo = so + 1;
        int co = vo + n;
        int mo = co + n;
        if ((int) s.get(so) != epoch) {
            for (int i = 0; i < n; i++) {
                s.put(co + i, 0d);
            }
            s.put(so, epoch);
        }
        double mu = config.getMomentum();
        double thetaG = config.getThetaG();
        double thetaC = config.getThetaC();
        boolean masked = config.isMaskInState();
        for (int i = 0; i < n; i++) {
            if (masked && s.get(mo + i) != 0d) {
                g.put(go + i, 0d);
                continue;
            }
            double v = mu * s.get(vo + i) + g.get(go + i);
            s.put(vo + i, v);
            double d = -lr * v;
            double out = 0d;
            if (Math.abs(d) > thetaG) {
                double c = s.get(co + i) + (d > 0 ? 1d : -1d);
                if (Math.abs(c) >= thetaC) {
                    out = c > 0 ? 1d : -1d;
                    c = 0d;
                }
                s.put(co + i, c);
            }
            g.put(go + i, out);
        }
    }
}
