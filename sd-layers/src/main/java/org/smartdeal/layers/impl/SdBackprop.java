package org.smartdeal.layers.impl;

import static org.smartdeal.layers.params.SdParamInitializer.BIAS_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.B_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.C_KEY;
import static org.smartdeal.layers.params.SdParamInitializer.MASK_KEY;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward template shared by the SD runtime layers, which reuse DL4J's own dense, output and
 * convolution math: rebuild W once, hand DL4J a scratch "W" gradient view, run DL4J's backward,
 * then chain dW into dC and dB with {@link SdWeights#backward}.
 */
final class SdBackprop {

    /** DL4J's key of the weight its runtime layers read and write. */
    static final String DL4J_WEIGHT_KEY = "W";

    private SdBackprop() {
    }

    /** Rebuilds W for a forward pass (FF working memory). */
    static INDArray forwardWeight(SdWeights w, Map<String, INDArray> params, LayerWorkspaceMgr mgr) {
        return w.rebuild(params.get(C_KEY), params.get(B_KEY), params.get(MASK_KEY), mgr, ArrayType.FF_WORKING_MEM)
                .weight();
    }

    /**
     * Runs DL4J's backward with the rebuilt weight and returns the SD gradient.
     *
     * @param setCache   publishes the rebuilt weight to the layer's getParamWithNoise (null clears it)
     * @param dl4jBackprop the superclass' backpropGradient
     */
    static Pair<Gradient, INDArray> backprop(SdWeights w, Map<String, INDArray> params,
            Map<String, INDArray> gradientViews, boolean hasBias, LayerWorkspaceMgr mgr,
            Consumer<SdWeights.Rebuilt> setCache, Supplier<Pair<Gradient, INDArray>> dl4jBackprop) {
        INDArray c = params.get(C_KEY);
        INDArray b = params.get(B_KEY);
        INDArray mask = params.get(MASK_KEY);
        SdWeights.Rebuilt rebuilt = w.rebuild(c, b, mask, mgr, ArrayType.BP_WORKING_MEM);
        INDArray dW = w.createWeightGradient(mgr, ArrayType.BP_WORKING_MEM, c.dataType());
        Pair<Gradient, INDArray> dl4j;
        setCache.accept(rebuilt);
        gradientViews.put(DL4J_WEIGHT_KEY, dW);
        try {
            dl4j = dl4jBackprop.get();
        } finally {
            gradientViews.remove(DL4J_WEIGHT_KEY);
            setCache.accept(null);
        }
        INDArray gC = gradientViews.get(C_KEY);
        INDArray gB = gradientViews.get(B_KEY);
        INDArray gM = gradientViews.get(MASK_KEY);
        w.backward(dW, rebuilt.effectiveC(), b, mask, gC, gB, gM, mgr, ArrayType.BP_WORKING_MEM);
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
