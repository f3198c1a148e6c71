package org.smartdeal.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.layers.SdDepthwiseConvolutionLayer;

/**
 * Runtime of {@link SdDepthwiseConvolutionLayer}: DL4J's own depthwise runtime (its native depthwise_conv2d and
 * depthwise_conv2d_bp, all kernel sizes, strides, dilations, padding, convolution modes, NCHW/NHWC) on the weight
 * {@code [kh, kw, nIn, depthMultiplier]} rebuilt by {@link SdWeights}. The delegation to {@link SdLayerCore} is that
 * of {@link SdConvolutionLayerImpl}, on another DL4J superclass.
 */
public class SdDepthwiseConvolutionLayerImpl extends DepthwiseConvolution2DLayer implements SdRuntimeLayer {

    private final SdLayerCore core;

    /** Creates the runtime for a configuration whose layer is an {@link SdDepthwiseConvolutionLayer}. */
    public SdDepthwiseConvolutionLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.core = new SdLayerCore((SdDepthwiseConvolutionLayer) conf.getLayer());
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (SdLayerCore.DL4J_WEIGHT_KEY.equals(param)) {
            return core.weight(params, training, input);
        }
        return getParam(param);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return core.activate(training, () -> super.activate(training, workspaceMgr));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return core.backprop(params, gradientViews, hasBias(), input, workspaceMgr,
                () -> super.backpropGradient(epsilon, workspaceMgr));
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
