package org.smartdeal.layers.impl;

import static org.smartdeal.layers.params.SdParamInitializer.BIAS_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.B_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.C_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.MASK_KEY;

import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.layers.SdLayer;

/**
 * The part every SD runtime layer shares (they reuse DL4J's own dense, output and convolution
 * math through different DL4J superclasses): answering DL4J's requests for "W" with the rebuilt
 * weight, and the backward template: hand DL4J a scratch "W" gradient, run its backward, chain
 * dW into dC and dB with {@link SdWeights#backward}.
 *
 * <p>A training {@code activate} rebuilds W and the following backward pass on the same input
 * reuses it (as DL4J does for weight noise); any other backward pass rebuilds first. Per step the
 * backward pass allocates nothing for dense and output layers: DL4J writes dW into a persistent
 * buffer of {@link SdWeights} (its gemm overwrites it entirely).
 *
 * <p>dM is zeroed on every backward pass. This is what keeps M fixed in training: DL4J's network updaters skip
 * M's updater block (M is a pretrain parameter of the SD configurations), so the step subtracts M's gradient slot
 * as the backward pass left it, after DL4J's gradient normalization (which keeps zeros zero unless a layer's norm
 * is NaN, i.e. the step has diverged anyway) and the listeners' {@code onGradientCalculation}. A listener that
 * writes into gradients must leave M's slot alone. Zeroing every pass (one native op over an array of C's size)
 * also clears whatever an earlier step left there, e.g. the NaN of a diverged step before good parameters are
 * restored into the same network. A layer-wise updater (DL4J's {@code LayerUpdater}) still applies
 * {@link org.smartdeal.layers.FreezeUpdater} to the block. One
 * instance per runtime layer; not thread-safe, like DL4J layers.
 *
 * <p><b>Inference cache</b> (off by default, see {@link SdRuntimeLayer#setInferenceCache}): when on,
 * an inference forward pass reuses the W rebuilt by the previous inference pass instead of rebuilding
 * it, so inference costs what the dense layer costs. The cached W is dropped by every training
 * forward pass, every backward pass (so by every fit step, before its updater step changes C and B),
 * and by {@link #invalidate()}, which the runtime layers call from every parameter setter.
 */
final class SdLayerCore {

    /** DL4J's key of the weight its runtime layers read and write. */
    static final String DL4J_WEIGHT_KEY = "W";

    private final SdWeights weights;
    private INDArray freshForInput;
    private boolean inBackprop;
    private boolean inTrainingForward;
    private boolean cacheEnabled;
    private boolean cacheValid;

    SdLayerCore(SdLayer conf) {
        this.weights = SdWeights.of(conf);
    }

    /** The rebuild helper. */
    SdWeights weights() {
        return weights;
    }

    /** W for DL4J's getParamWithNoise("W"): the backward pass' weight, or a fresh rebuild. */
    INDArray weight(Map<String, INDArray> params, boolean training, INDArray input) {
        if (inBackprop) {
            return weights.lastWeight();
        }
        boolean inference = !training && !inTrainingForward;
        if (inference && cacheEnabled && cacheValid && weights.lastWeight() != null) {
            freshForInput = null;
            return weights.lastWeight();
        }
        INDArray w = weights.rebuild(params.get(C_KEY), params.get(B_KEY), params.get(MASK_KEY));
        freshForInput = inTrainingForward ? input : null;
        cacheValid = inference && cacheEnabled;
        return w;
    }

    /** Turns the inference cache on or off; either way the current cached W is dropped. */
    void setInferenceCache(boolean enabled) {
        cacheEnabled = enabled;
        cacheValid = false;
    }

    /** @return whether the inference cache is on */
    boolean inferenceCacheEnabled() {
        return cacheEnabled;
    }

    /** @return whether the next inference forward pass will reuse the cached W (no rebuild) */
    boolean inferenceCacheValid() {
        return cacheEnabled && cacheValid;
    }

    /** Drops the cached W: the next forward pass rebuilds it from C, B and M. */
    void invalidate() {
        cacheValid = false;
    }

    /**
     * Runs a layer's activate; a training activation marks its rebuilt W reusable by the next
     * backward pass on the same input. Other forward computations (scores) never do.
     */
    INDArray activate(boolean training, Supplier<INDArray> dl4jActivate) {
        if (training) {
            cacheValid = false;
        }
        inTrainingForward = training;
        try {
            return dl4jActivate.get();
        } finally {
            inTrainingForward = false;
        }
    }

    /**
     * Runs DL4J's backward with the rebuilt weight and returns the SD gradient.
     *
     * @param dl4jBackprop the DL4J superclass' backpropGradient
     */
    Pair<Gradient, INDArray> backprop(Map<String, INDArray> params, Map<String, INDArray> gradientViews,
            boolean hasBias, INDArray input, LayerWorkspaceMgr mgr, Supplier<Pair<Gradient, INDArray>> dl4jBackprop) {
        INDArray c = params.get(C_KEY);
        INDArray b = params.get(B_KEY);
        INDArray mask = params.get(MASK_KEY);
        // The parameters are about to change (updater step): the inference cache must not survive.
        cacheValid = false;
        if (freshForInput == null || freshForInput != input || weights.lastWeight() == null) {
            weights.rebuild(c, b, mask);
        }
        freshForInput = null;
        INDArray dW = weights.reusableWeightGradient(c.dataType());
        if (dW == null) {
            dW = weights.createWeightGradient(mgr, ArrayType.BP_WORKING_MEM, c.dataType());
        }
        Pair<Gradient, INDArray> dl4j;
        inBackprop = true;
        gradientViews.put(DL4J_WEIGHT_KEY, dW);
        try {
            dl4j = dl4jBackprop.get();
        } finally {
            gradientViews.remove(DL4J_WEIGHT_KEY);
            inBackprop = false;
        }
        INDArray gC = gradientViews.get(C_KEY);
        INDArray gB = gradientViews.get(B_KEY);
        INDArray gM = gradientViews.get(MASK_KEY);
        // dM = 0, written on every pass (see the class comment: network updaters skip M's block)
        weights.backward(dW, b, mask, gC, gB, gM, mgr, ArrayType.BP_WORKING_MEM);
        Gradient g = new DefaultGradient();
        g.setGradientFor(C_KEY, gC);
        g.setGradientFor(B_KEY, gB);
        g.setGradientFor(MASK_KEY, gM);
        if (hasBias) {
            g.setGradientFor(BIAS_KEY, gradientViews.get(BIAS_KEY));
        }
        return new Pair<>(g, dl4j.getSecond());
    }
}
