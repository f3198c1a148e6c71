package org.smartdeal.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.layers.SdOutputLayer;

/**
 * Runtime of {@link SdOutputLayer}: DL4J's output-layer machinery ({@link BaseOutputLayer}: loss
 * functions, scores, label masks) on the weight W rebuilt by {@link SdWeights}.
 */
public class SdOutputLayerImpl extends BaseOutputLayer<SdOutputLayer> implements SdRuntimeLayer {

    private final SdLayerCore core;

    /** Creates the runtime for a configuration whose layer is an {@link SdOutputLayer}. */
    public SdOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.core = new SdLayerCore((SdOutputLayer) conf.getLayer());
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (SdLayerCore.DL4J_WEIGHT_KEY.equals(param)) {
            return core.weight(params, training, input);
        }
        return getParam(param);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return core.backprop(params, gradientViews, hasBias(), input, workspaceMgr,
                () -> super.backpropGradient(epsilon, workspaceMgr));
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels;
    }

    @Override
    public void setInferenceCache(boolean enabled) {
        core.setInferenceCache(enabled);
    }

    @Override
    public boolean isInferenceCacheEnabled() {
        return core.inferenceCacheEnabled();
    }

    @Override
    public boolean isInferenceCacheValid() {
        return core.inferenceCacheValid();
    }

    @Override
    public void invalidateWeightCache() {
        core.invalidate();
    }

    @Override
    public void setParams(INDArray params) {
        invalidateIfBuilt();
        super.setParams(params);
    }

    @Override
    public void setParam(String key, INDArray val) {
        invalidateIfBuilt();
        super.setParam(key, val);
    }

    @Override
    public void setParamTable(java.util.Map<String, INDArray> paramTable) {
        invalidateIfBuilt();
        super.setParamTable(paramTable);
    }

    /**
     * Drops the cached W too: the arrays returned are the layer's own, and DL4J's network-level
     * {@code setParamTable} (MultiLayerNetwork and ComputationGraph) copies new values into them through
     * this method without calling any layer setter. (DL4J also reads the table for regularization
     * scores; the cost there is one rebuild of W at the next inference pass.)
     */
    @Override
    public java.util.Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
        if (core != null) {
            core.invalidate();
        }
        return super.paramTable(backpropParamsOnly);
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        invalidateIfBuilt();
        super.setParamsViewArray(params);
    }

    /** Setters may run from DL4J's superclass constructor, before the core exists. */
    private void invalidateIfBuilt() {
        if (core != null) {
            core.invalidate();
        }
    }
}
