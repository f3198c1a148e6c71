package org.smartdeal.layers;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.smartdeal.layers.impl.SdOutputLayerImpl;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Output layer (DL4J's loss functions, scores and label masks) whose weight W [nIn, nOut] is held in SD form (SmartDeal, Chen et al.,
 * arXiv 2101.01163): packed C, B, the frozen mask M and the bias b ({@link SdParamInitializer}).
 * Each output unit o (column o of W) is its nIn weights zero-padded into ceil(nIn/basisWidth) rows
 * of basisWidth (ALGORITHMS.md section 2).
 *
 * <p><b>Implementation choice: classic, not SameDiff.</b> The runtime ({@link SdOutputLayerImpl})
 * runs DL4J's own output-layer forward/backward (loss, score, masks) on W rebuilt by {@code SdWeights} into persistent buffers
 * (a training forward's W is reused by its backward pass); DL4J writes dW into a persistent buffer
 * of {@code SdWeights} (see {@link SdDenseLayer} for the step-time profile). Unlike the dense layer
 * there is no pre-activation to reuse: DL4J's networks compute an output layer's forward pass only
 * inside its backward pass. DL4J-NOTES measured a classic dense layer at 1.1-1.5x DenseLayer's
 * step time against 1.5-2.0x for a SameDiffLayer, which in M2.1 also returns 2x the gradient.
 * Measured here (fit on one minibatch of 128, float, Nesterovs; shared 2-core machine under heavy
 * load, median of 40 interleaved SD/DL4J pairs, so noisy): 512x10 1.08x and 512x512 1.46x
 * DenseLayer (target 1.3x; the output layer runs the same math as DenseLayer). Part of the 512x512 gap is DL4J's updater pipeline running over C, M
 * and B, about 2.3x as many parameters as W. Benchmark: {@code SdLayerStepBenchmarkDense}.
 *
 * <pre>
 * new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(100).nOut(10).activation(Activation.SOFTMAX)
 *         .sliceRows(192).basisWidth(3).theta(4e-3).maxCoeff(32).build();
 * </pre>
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public class SdOutputLayer extends BaseOutputLayer implements SdLayer, PerParamUpdaterRouting {

    private static final long serialVersionUID = 1L;

    private int sliceRows = DEFAULT_SLICE_ROWS;
    private int basisWidth = DEFAULT_BASIS_WIDTH;
    private double theta = DEFAULT_THETA;
    private double maxCoeff = DEFAULT_MAX_COEFF;
    private boolean projectCoefficients = true;
    /** Per-parameter updaters and regularizations set by {@link #setParamTraining}; null until then. */
    private SdParamTraining paramTraining;

    /** For JSON deserialisation only. */
    public SdOutputLayer() {
    }

    private SdOutputLayer(Builder b) {
        super(b);
        this.sliceRows = b.sliceRows;
        this.basisWidth = b.basisWidth;
        this.theta = b.theta;
        this.maxCoeff = b.maxCoeff;
        this.projectCoefficients = b.projectCoefficients;
        initializeConstraints(b);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        String where = SdConfigs.where(this, getLayerName(), layerIndex);
        SdConfigs.validateSizes(where, getNIn(), getNOut());
        SdConfigs.validate(where, basisWidth, this, this);
        SdOutputLayerImpl ret = new SdOutputLayerImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public ParamInitializer initializer() {
        return SdParamInitializer.getInstance();
    }

    /**
     * DL4J's report of the layer this one extends, with this layer's class, the updater state of each parameter's
     * own updater and the rebuild of W added to the working memory ({@code SdConfigs.memoryReport}).
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return SdConfigs.memoryReport(this, super.getMemoryReport(inputType));
    }

    /** True for the mask M only, so that network updaters skip M's block: see {@link SdDenseLayer#isPretrainParam}. */
    @Override
    public boolean isPretrainParam(String paramName) {
        return SdLayerRouting.isFrozen(paramName);
    }

    /**
     * M goes to {@link FreezeUpdater}; a parameter set with {@link #setParamTraining} to its own updater;
     * otherwise b to the bias updater if set, C and B to the layer updater.
     */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return SdLayerRouting.updater(paramName, paramTraining, getIUpdater(), getBiasUpdater());
    }

    /**
     * M: none; a parameter set with {@link #setParamTraining}: its own list; otherwise b: the bias
     * regularization, C and B: the weight regularization.
     */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return SdLayerRouting.regularization(paramName, paramTraining, getRegularization(), getRegularizationBias());
    }

    /**
     * Gives one parameter (C, B or b) its own updater and regularizations, e.g. C the bucket switch
     * (see {@code SdTraining.configure}); kept in the configuration and its JSON.
     *
     * @throws IllegalArgumentException for M (always frozen) or a key this layer does not have
     */
    @Override
    public void setParamTraining(String paramKey, IUpdater updater, List<Regularization> regularization) {
        paramTraining = SdLayerRouting.set(SdConfigs.where(this, getLayerName(), -1), initializer().paramKeys(this),
                paramTraining, paramKey, updater, regularization);
    }

    /** The per-parameter routing set so far (a copy), or null when none was set. */
    public SdParamTraining getParamTraining() {
        return paramTraining == null ? null : paramTraining.copy();
    }

    @Override
    public int getSliceRows() {
        return sliceRows;
    }

    @Override
    public int getBasisWidth() {
        return basisWidth;
    }

    @Override
    public double getTheta() {
        return theta;
    }

    @Override
    public double getMaxCoeff() {
        return maxCoeff;
    }

    @Override
    public boolean isProjectCoefficients() {
        return projectCoefficients;
    }

    @Override
    public SdSliceShape sliceShape() {
        SdConfigs.validateSizes(SdConfigs.where(this, getLayerName(), -1), getNIn(), getNOut());
        return new SdSliceShape(nOut, nIn, SdConfigs.atLeastOne(basisWidth), SdConfigs.atLeastOne(sliceRows));
    }

    @Override
    public long[] weightShape() {
        return new long[] {nIn, nOut};
    }

    @Override
    public long fanIn() {
        return nIn;
    }

    @Override
    public long fanOut() {
        return nOut;
    }

    /** Deep-copies the per-parameter routing as well. */
    @Override
    public SdOutputLayer clone() {
        SdOutputLayer c = (SdOutputLayer) super.clone();
        c.paramTraining = paramTraining == null ? null : paramTraining.copy();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SdOutputLayer) || !super.equals(o)) {
            return false;
        }
        SdOutputLayer x = (SdOutputLayer) o;
        return sliceRows == x.sliceRows && basisWidth == x.basisWidth
                && Double.compare(theta, x.theta) == 0 && Double.compare(maxCoeff, x.maxCoeff) == 0
                && projectCoefficients == x.projectCoefficients
                && Objects.equals(paramTraining, x.paramTraining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), sliceRows, basisWidth, theta, maxCoeff, projectCoefficients,
                paramTraining);
    }

    @Override
    public String toString() {
        return "SdOutputLayer(name=" + layerName + ", nIn=" + nIn + ", nOut=" + nOut + ", lossFn=" + lossFn + ", hasBias=" + hasBias
                + ", sliceRows=" + sliceRows + ", basisWidth=" + basisWidth + ", theta=" + theta + ", maxCoeff="
                + maxCoeff + ", projectCoefficients=" + projectCoefficients + ")";
    }

    /** Builder in DL4J style; nIn/nOut/lossFunction as for OutputLayer, SD settings optional with the documented defaults. */
    @SuppressWarnings("unchecked") // build() narrows DL4J's generic <E extends Layer> E build(), as DL4J's builders do
    public static class Builder extends BaseOutputLayer.Builder<Builder> {
        private int sliceRows = DEFAULT_SLICE_ROWS;
        private int basisWidth = DEFAULT_BASIS_WIDTH;
        private double theta = DEFAULT_THETA;
        private double maxCoeff = DEFAULT_MAX_COEFF;
        private boolean projectCoefficients = true;

        /** Creates a builder with DL4J's default loss (MCXENT). */
        public Builder() {
            super();
        }

        /** Creates a builder with the given loss function. */
        public Builder(LossFunctions.LossFunction lossFunction) {
            super(lossFunction);
        }

        /** Creates a builder with the given loss function. */
        public Builder(ILossFunction lossFunction) {
            super(lossFunction);
        }

        /** Optional: maximum slice height, in [basisWidth, 4096] (default 192). */
        public Builder sliceRows(int sliceRows) {
            this.sliceRows = sliceRows;
            return this;
        }

        /** Optional: basis width n, in [1, 64] (default 3). */
        public Builder basisWidth(int basisWidth) {
            this.basisWidth = basisWidth;
            return this;
        }

        /** Optional: projection threshold theta, in [0, 1] (default 4e-3). */
        public Builder theta(double theta) {
            this.theta = theta;
            return this;
        }

        /** Optional: clamp of |P(c)|, a power of two in [2^-10, 2^20] (default 32). */
        public Builder maxCoeff(double maxCoeff) {
            this.maxCoeff = maxCoeff;
            return this;
        }

        /** Optional: apply the projection P in the forward pass (default true; false for gradient checks). */
        public Builder projectCoefficients(boolean projectCoefficients) {
            this.projectCoefficients = projectCoefficients;
            return this;
        }

        /** Builds and validates (errors name the layer, field, range and value). */
        @Override
        public SdOutputLayer build() {
            SdOutputLayer l = new SdOutputLayer(this);
            SdConfigs.validate(SdConfigs.where(l, l.getLayerName(), -1), basisWidth, l, l);
            SdConfigs.requireBiasConstraintDimensions(SdConfigs.where(l, l.getLayerName(), -1), l);
            return l;
        }
    }
}
