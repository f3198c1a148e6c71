package org.smartdeal.layers.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.SdDenseLayer;

/**
 * Runtime of {@link SdDenseLayer}: DL4J's own dense forward/backward ({@link BaseLayer}) on the
 * weight W rebuilt by {@link SdWeights}; dW is chained to dC/dB per ALGORITHMS.md 6.1.
 *
 * <p>One difference from DL4J's DenseLayer: DL4J's dense backward recomputes the pre-activation
 * {@code z = input @ W + b} (a second forward gemm, about a fifth of a 512x512 step) although the
 * training forward pass of the same step just computed it. This runtime keeps a copy of that z
 * (taken before the activation overwrites it in place) and hands it to the backward pass of the same
 * input instead of recomputing it: the same op on the same arrays, so the same bits. The copy is
 * used at most once and dropped by any other forward computation, by a new input or mask, and by
 * every parameter setter.
 */
// "try": try (MemoryWorkspace ws = ...scopeOutOfWorkspaces()) only scopes allocations out of DL4J's workspaces
@SuppressWarnings("try")
public class SdDenseLayerImpl extends BaseLayer<SdDenseLayer> implements SdRuntimeLayer {

    private final SdLayerCore core;
    /** Persistent copy of the last training forward's z (outside workspaces); valid while zInput != null. */
    private INDArray zCopy;
    /** The input (after dropout) zCopy was computed from; null when there is no usable copy. */
    private INDArray zInput;
    /** The mask array in force when zCopy was computed. */
    private INDArray zMask;

    /** Creates the runtime for a configuration whose layer is an {@link SdDenseLayer}. */
    public SdDenseLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.core = new SdLayerCore((SdDenseLayer) conf.getLayer());
    }

    @Override
    protected INDArray getParamWithNoise(String param, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (SdLayerCore.DL4J_WEIGHT_KEY.equals(param)) {
            return core.weight(params, training, input);
        }
        return getParam(param);
    }

    /**
     * DL4J's pre-activation, except that the backward pass reuses the z of the training forward pass
     * on the same input (see the class comment).
     */
    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
            LayerWorkspaceMgr workspaceMgr) {
        if (forBackprop && zInput != null && zInput == input && zMask == maskArray && !hasLayerNorm()) {
            dropPreOutputCopy();
            // DL4J's backward overwrites z in place with the activation's gradient: zCopy is used once.
            return new Pair<>(zCopy, null);
        }
        dropPreOutputCopy();
        Pair<INDArray, INDArray> ret = super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
        if (training && !forBackprop && !hasLayerNorm()) {
            INDArray z = ret.getFirst();
            if (zCopy == null || zCopy.dataType() != z.dataType() || !java.util.Arrays.equals(zCopy.shape(), z.shape())) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    zCopy = Nd4j.createUninitialized(z.dataType(), z.shape(), 'c');
                }
            }
            zCopy.assign(z);
            zInput = input;
            zMask = maskArray;
        }
        return ret;
    }

    private void dropPreOutputCopy() {
        zInput = null;
        zMask = null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return core.activate(training, () -> super.activate(training, workspaceMgr));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        try {
            return core.backprop(params, gradientViews, hasBias(), input, workspaceMgr,
                    () -> super.backpropGradient(epsilon, workspaceMgr));
        } finally {
            dropPreOutputCopy();
        }
    }

    @Override
    public boolean hasBias() {
        return layerConf().hasBias();
    }

    @Override
    public boolean hasLayerNorm() {
        return false;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void fit(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("SdDenseLayer " + layerId() + " is not a pretrain layer");
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
        dropPreOutputCopy();
    }
}
