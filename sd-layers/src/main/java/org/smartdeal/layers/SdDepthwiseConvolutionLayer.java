package org.smartdeal.layers;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.smartdeal.layers.impl.SdDepthwiseConvolutionLayerImpl;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Depthwise 2D convolution whose weight W [kh, kw, nIn, d] (DL4J M2.1's depthwise layout, d the depth multiplier)
 * is held in SD form: packed C, B, the frozen mask M and the bias b ({@link SdParamInitializer}). Kernel, stride,
 * dilation, padding, {@code ConvolutionMode} and NCHW/NHWC exactly as DL4J's {@link DepthwiseConvolution2D}, which
 * this configuration extends; the runtime ({@link SdDepthwiseConvolutionLayerImpl}) runs DL4J's own depthwise
 * runtime on W rebuilt from C and B, so outputs and dW are those of DepthwiseConvolution2D with the same W.
 *
 * <p>Layout (ALGORITHMS.md 2, "Depthwise kh x kw"): output channel u = c*d + j (input channel c, multiplier index
 * j) is one unit whose matrix is its kernel W[:, :, c, j], kh rows of n = kw columns. So each unit is one slice of
 * kh rows (while kh does not exceed {@code sliceRows}) with its own kw x kw basis, and a 3 x 3 kernel stores 9
 * coefficients (power-of-two, sparse) and 9 basis entries for 9 weights: a depthwise layer gains little in storage
 * (which is why the default conversion plan keeps depthwise layers dense), and SD form is offered for a uniform
 * representation, for SD-T training, and for the accelerator's shift-and-add rebuild. There is no basisWidth
 * setting: n is always the kernel width ({@link #getBasisWidth()} returns it).
 *
 * <p>B is initialised with the fan-in of one output channel, kh*kw (DL4J's DepthwiseConvolution2D uses
 * nIn*kh*kw), and the fan-out d*kh*kw.
 *
 * <p>The builder extends DL4J's {@link DepthwiseConvolution2D.Builder}; its common setters return this builder so
 * that SD settings can follow them. DL4J's other setters (updater, weightInit, l2, ...) return DL4J's builder type:
 * call them last, or set the SD settings first.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public class SdDepthwiseConvolutionLayer extends DepthwiseConvolution2D implements SdLayer, PerParamUpdaterRouting {

    private static final long serialVersionUID = 1L;

    private int sliceRows = DEFAULT_SLICE_ROWS;
    private double theta = DEFAULT_THETA;
    private double maxCoeff = DEFAULT_MAX_COEFF;
    private boolean projectCoefficients = true;
    /** Per-parameter updaters and regularizations set by {@link #setParamTraining}; null until then. */
    private SdParamTraining paramTraining;

    /** For JSON deserialisation only. */
    public SdDepthwiseConvolutionLayer() {
    }

    private SdDepthwiseConvolutionLayer(Builder b) {
        super(b);
        this.sliceRows = b.sliceRows;
        this.theta = b.theta;
        this.maxCoeff = b.maxCoeff;
        this.projectCoefficients = b.projectCoefficients;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        String where = SdConfigs.where(this, getLayerName(), layerIndex);
        SdConfigs.validateSizes(where, getNIn(), getNOut());
        validateDepthwise(where);
        SdDepthwiseConvolutionLayerImpl ret = new SdDepthwiseConvolutionLayerImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        ret.setConf(conf);
        return ret;
    }

    /** The SD fields, the kernel width (the basis width n, at most 64) and nOut = nIn * depthMultiplier. */
    private void validateDepthwise(String where) {
        if (kernelSize == null || kernelSize.length != 2 || kernelSize[1] < 1 || kernelSize[1] > MAX_BASIS_WIDTH) {
            throw new IllegalArgumentException(where + ".kernelSize must be 2 values with a width in [1, "
                    + MAX_BASIS_WIDTH + "] (the width is the basis width n), got " + Arrays.toString(kernelSize));
        }
        SdConfigs.validate(where, kernelSize[1], this, this);
        if (nOut != nIn * depthMultiplier) {
            throw new IllegalArgumentException(where + ".nOut must be nIn * depthMultiplier = " + nIn + " * "
                    + depthMultiplier + ", got " + nOut);
        }
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
    public SdDepthwiseConvolutionLayer clone() {
        SdDepthwiseConvolutionLayer c = (SdDepthwiseConvolutionLayer) super.clone();
        c.paramTraining = paramTraining == null ? null : paramTraining.copy();
        return c;
    }

    @Override
    public int getSliceRows() {
        return sliceRows;
    }

    /**
     * The basis width n, which for a depthwise layer is always the kernel width kw. Not a property of the JSON form
     * (there is no such setting to read back).
     */
    @Override
    @JsonIgnore
    public int getBasisWidth() {
        return kernelSize[1];
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

    /** U = nIn * depthMultiplier units of kh*kw weights, n = kw. */
    @Override
    public SdSliceShape sliceShape() {
        SdConfigs.validateSizes(SdConfigs.where(this, getLayerName(), -1), getNIn(), getNOut());
        return new SdSliceShape(nIn * depthMultiplier, (long) kernelSize[0] * kernelSize[1],
                SdConfigs.atLeastOne(kernelSize[1]), SdConfigs.atLeastOne(sliceRows));
    }

    /** DL4J M2.1's depthwise layout [kh, kw, nIn, depthMultiplier]. */
    @Override
    public long[] weightShape() {
        return new long[] {kernelSize[0], kernelSize[1], nIn, depthMultiplier};
    }

    /** The units (output channels) are the trailing axes of [kh, kw, nIn, depthMultiplier]. */
    @Override
    public WeightOrder weightOrder() {
        return WeightOrder.UNITS_LAST;
    }

    /** kh*kw: one output channel reads one input channel's kh x kw window. */
    @Override
    public long fanIn() {
        return (long) kernelSize[0] * kernelSize[1];
    }

    @Override
    public long fanOut() {
        return (long) depthMultiplier * kernelSize[0] * kernelSize[1];
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SdDepthwiseConvolutionLayer) || !super.equals(o)) {
            return false;
        }
        SdDepthwiseConvolutionLayer x = (SdDepthwiseConvolutionLayer) o;
        return sliceRows == x.sliceRows && Double.compare(theta, x.theta) == 0
                && Double.compare(maxCoeff, x.maxCoeff) == 0 && projectCoefficients == x.projectCoefficients
                && Objects.equals(paramTraining, x.paramTraining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), sliceRows, theta, maxCoeff, projectCoefficients, paramTraining);
    }

    @Override
    public String toString() {
        return "SdDepthwiseConvolutionLayer(name=" + layerName + ", nIn=" + nIn + ", depthMultiplier=" + depthMultiplier
                + ", kernel=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", mode=" + convolutionMode
                + ", format=" + cnn2dDataFormat + ", sliceRows=" + sliceRows + ", theta=" + theta + ", maxCoeff="
                + maxCoeff + ", projectCoefficients=" + projectCoefficients + ")";
    }

    /**
     * Builder in DL4J style: kernel, stride, padding, dilation, mode, depth multiplier and data format as for
     * DepthwiseConvolution2D.Builder; SD settings optional with the documented defaults.
     */
    @SuppressWarnings("unchecked") // build() narrows DL4J's generic <E extends Layer> E build(), as DL4J's builders do
    public static class Builder extends DepthwiseConvolution2D.Builder {
        private int sliceRows = DEFAULT_SLICE_ROWS;
        private double theta = DEFAULT_THETA;
        private double maxCoeff = DEFAULT_MAX_COEFF;
        private boolean projectCoefficients = true;

        /** Kernel 5x5, stride 1, padding 0, depth multiplier 1 (DL4J's defaults) until set. */
        public Builder() {
            super();
        }

        /** Builder with the given kernel size (kh, kw). */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        /** Builder with the given kernel size and stride. */
        public Builder(int[] kernelSize, int[] stride) {
            super(kernelSize, stride);
        }

        /** Builder with the given kernel size, stride and padding. */
        public Builder(int[] kernelSize, int[] stride, int[] padding) {
            super(kernelSize, stride, padding);
        }

        /** Optional: maximum slice height, in [kw, 4096] (default 192; a unit has kh rows). */
        public Builder sliceRows(int sliceRows) {
            this.sliceRows = sliceRows;
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

        @Override
        public Builder depthMultiplier(int depthMultiplier) {
            super.depthMultiplier(depthMultiplier);
            return this;
        }

        @Override
        public Builder dataFormat(CNN2DFormat format) {
            super.dataFormat(format);
            return this;
        }

        @Override
        public Builder kernelSize(int... kernelSize) {
            super.kernelSize(kernelSize);
            return this;
        }

        @Override
        public Builder stride(int... stride) {
            super.stride(stride);
            return this;
        }

        @Override
        public Builder padding(int... padding) {
            super.padding(padding);
            return this;
        }

        @Override
        public Builder dilation(int... dilation) {
            super.dilation(dilation);
            return this;
        }

        @Override
        public Builder convolutionMode(ConvolutionMode mode) {
            super.convolutionMode(mode);
            return this;
        }

        @Override
        public Builder hasBias(boolean hasBias) {
            super.hasBias(hasBias);
            return this;
        }

        @Override
        public Builder nIn(int nIn) {
            super.nIn(nIn);
            return this;
        }

        @Override
        public Builder nOut(int nOut) {
            super.nOut(nOut);
            return this;
        }

        @Override
        public Builder nIn(long nIn) {
            super.nIn(nIn);
            return this;
        }

        @Override
        public Builder nOut(long nOut) {
            super.nOut(nOut);
            return this;
        }

        @Override
        public Builder activation(Activation activation) {
            super.activation(activation);
            return this;
        }

        @Override
        public Builder activation(IActivation activation) {
            super.activation(activation);
            return this;
        }

        @Override
        public Builder name(String name) {
            super.name(name);
            return this;
        }

        /** Builds and validates (DL4J's kernel/stride/padding checks, then the SD fields). */
        @Override
        public SdDepthwiseConvolutionLayer build() {
            ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            SdDepthwiseConvolutionLayer l = new SdDepthwiseConvolutionLayer(this);
            l.validateDepthwiseSettings();
            return l;
        }
    }

    /** Builder-time checks (sizes may still be unknown): the kernel width as n and the SD fields. */
    private void validateDepthwiseSettings() {
        String where = SdConfigs.where(this, getLayerName(), -1);
        if (kernelSize[1] > MAX_BASIS_WIDTH) {
            throw new IllegalArgumentException(where + ".kernelSize width must be in [1, " + MAX_BASIS_WIDTH
                    + "] (it is the basis width n), got " + kernelSize[1]);
        }
        SdConfigs.validate(where, kernelSize[1], this, this);
        SdConfigs.requireBiasConstraintDimensions(where, this);
    }
}
