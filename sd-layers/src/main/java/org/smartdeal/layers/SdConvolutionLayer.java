package org.smartdeal.layers;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.smartdeal.layers.impl.SdConvolutionLayerImpl;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * 2D convolution whose weight W [nOut, nIn, kh, kw] is held in SD form (SmartDeal, Chen et al.,
 * arXiv 2101.01163): packed C, B, the frozen mask M and the bias b ({@link SdParamInitializer}).
 * Any kh x kw, stride, dilation, padding, {@code ConvolutionMode} and NCHW/NHWC, exactly as DL4J's
 * {@link ConvolutionLayer}, which this configuration extends (so DL4J's input-type and format
 * handling apply unchanged).
 *
 * <p>Layout (ALGORITHMS.md section 2): with kw &gt; 1, unit o's matrix is W[o] reshaped in C order
 * to (nIn*kh, kw), n = kw. With kw = 1 (1x1, and also kh x 1, which the convention does not list),
 * the unit's nIn*kh weights are zero-padded row-major into rows of basisWidth.
 *
 * <p><b>Implementation choice: classic, not SameDiff.</b> The runtime ({@link SdConvolutionLayerImpl})
 * runs DL4J's own convolution runtime (im2col/gemm or its helper) on W rebuilt by
 * {@code SdWeights}, so outputs and dW are exactly those of ConvolutionLayer with the same W (tested
 * for Same/Truncate/Strict, NCHW/NHWC, strides, dilations, 1x1, 2x3 and 3x1 kernels), and the
 * overhead is only the rebuild and the dW-to-dC/dB chain, O(K*m*n*n) against the convolution's
 * O(batch*H*W*nIn*nOut*kh*kw). A SameDiff conv2d was measured at 0.86-0.89x of ConvolutionLayer
 * (DL4J-NOTES) but would need the M2.1 doubled-gradient workaround, a YXIO kernel permute and its
 * own NHWC/mode plumbing. Measured here (fit on one minibatch of 32, 3x3 Same, float; CPU time of
 * the fitting thread with OMP_NUM_THREADS=1 and one Java processor on the loaded shared 2-core
 * machine, median of 5 interleaved SD/DL4J rounds): 512ch 4x4 1.06x (1.21x before the FLOAT Java
 * kernel of {@code SdWeights}), 256ch 8x8 1.02x (1.01x) ConvolutionLayer (target 1.15x).
 * Benchmark: {@code SdLayerStepBenchmarkConv}.
 *
 * <p>Depthwise convolutions have their own SD layer, {@link SdDepthwiseConvolutionLayer}; the default conversion plan
 * leaves them dense (ALGORITHMS.md 2: "a depthwise layer gains little"): a 3 x 3 depthwise kernel is one 3 x 3
 * slice, so C*B stores 9 coefficients plus 9 basis entries for 9 weights.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public class SdConvolutionLayer extends ConvolutionLayer implements SdLayer, PerParamUpdaterRouting {

    private static final long serialVersionUID = 1L;

    private int sliceRows = DEFAULT_SLICE_ROWS;
    private int basisWidth = DEFAULT_BASIS_WIDTH;
    private double theta = DEFAULT_THETA;
    private double maxCoeff = DEFAULT_MAX_COEFF;
    private boolean projectCoefficients = true;
    /** Per-parameter updaters and regularizations set by {@link #setParamTraining}; null until then. */
    private SdParamTraining paramTraining;

    /** For JSON deserialisation only. */
    public SdConvolutionLayer() {
    }

    private SdConvolutionLayer(Builder b) {
        super(b);
        if (b.dataFormat != null) {
            this.cnn2dDataFormat = b.dataFormat;
        }
        this.sliceRows = b.sliceRows;
        this.basisWidth = b.basisWidth;
        this.theta = b.theta;
        this.maxCoeff = b.maxCoeff;
        this.projectCoefficients = b.projectCoefficients;
    }

    /** Effective basis width n: kw for kw &gt; 1, otherwise basisWidth. */
    public int effectiveBasisWidth() {
        return kernelSize[1] > 1 ? kernelSize[1] : basisWidth;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        String where = SdConfigs.where(this, getLayerName(), layerIndex);
        SdConfigs.validateSizes(where, getNIn(), getNOut());
        SdConfigs.validate(where, effectiveBasisWidth(), this, this);
        SdConvolutionLayerImpl ret = new SdConvolutionLayerImpl(conf, networkDataType);
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
    public SdConvolutionLayer clone() {
        SdConvolutionLayer c = (SdConvolutionLayer) super.clone();
        c.paramTraining = paramTraining == null ? null : paramTraining.copy();
        return c;
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
        return new SdSliceShape(nOut, nIn * kernelSize[0] * kernelSize[1], SdConfigs.atLeastOne(effectiveBasisWidth()),
                SdConfigs.atLeastOne(sliceRows));
    }

    @Override
    public long[] weightShape() {
        return new long[] {nOut, nIn, kernelSize[0], kernelSize[1]};
    }

    @Override
    public long fanIn() {
        return nIn * kernelSize[0] * kernelSize[1];
    }

    @Override
    public long fanOut() {
        return nOut * kernelSize[0] * kernelSize[1];
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SdConvolutionLayer) || !super.equals(o)) {
            return false;
        }
        SdConvolutionLayer x = (SdConvolutionLayer) o;
        return sliceRows == x.sliceRows && basisWidth == x.basisWidth && Double.compare(theta, x.theta) == 0
                && Double.compare(maxCoeff, x.maxCoeff) == 0 && projectCoefficients == x.projectCoefficients
                && Objects.equals(paramTraining, x.paramTraining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), sliceRows, basisWidth, theta, maxCoeff, projectCoefficients,
                paramTraining);
    }

    @Override
    public String toString() {
        return "SdConvolutionLayer(name=" + layerName + ", nIn=" + nIn + ", nOut=" + nOut + ", kernel="
                + java.util.Arrays.toString(kernelSize) + ", stride=" + java.util.Arrays.toString(stride)
                + ", padding=" + java.util.Arrays.toString(padding) + ", dilation="
                + java.util.Arrays.toString(dilation) + ", mode=" + convolutionMode + ", format=" + cnn2dDataFormat
                + ", sliceRows=" + sliceRows + ", basisWidth=" + basisWidth + ", theta=" + theta + ", maxCoeff="
                + maxCoeff + ", projectCoefficients=" + projectCoefficients + ")";
    }

    /**
     * Builder in DL4J style: kernel, stride, padding, dilation, convolution mode and data format as
     * for ConvolutionLayer.Builder; SD settings optional with the documented defaults.
     */
    @SuppressWarnings("unchecked") // build() narrows DL4J's generic <E extends Layer> E build(), as DL4J's builders do
    public static class Builder extends ConvolutionLayer.BaseConvBuilder<Builder> {
        private CNN2DFormat dataFormat;
        private int sliceRows = DEFAULT_SLICE_ROWS;
        private int basisWidth = DEFAULT_BASIS_WIDTH;
        private double theta = DEFAULT_THETA;
        private double maxCoeff = DEFAULT_MAX_COEFF;
        private boolean projectCoefficients = true;

        /** Kernel 5x5, stride 1, padding 0 (DL4J's defaults) until set. */
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

        @Override
        protected boolean allowCausal() {
            return false;
        }

        /** Optional: NCHW (default) or NHWC. */
        public Builder dataFormat(CNN2DFormat format) {
            this.dataFormat = format;
            return this;
        }

        /** Optional: maximum slice height, in [n, 4096] with n the effective basis width (default 192). */
        public Builder sliceRows(int sliceRows) {
            this.sliceRows = sliceRows;
            return this;
        }

        /** Optional: basis width for kw = 1 kernels, in [1, 64] (default 3). */
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

        /** Builds and validates (DL4J's kernel/stride/padding checks, then the SD fields). */
        @Override
        public SdConvolutionLayer build() {
            ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            SdConvolutionLayer l = new SdConvolutionLayer(this);
            SdConfigs.validate(SdConfigs.where(l, l.getLayerName(), -1), l.effectiveBasisWidth(), l, l);
            SdConfigs.requireBiasConstraintDimensions(SdConfigs.where(l, l.getLayerName(), -1), l);
            return l;
        }
    }
}
