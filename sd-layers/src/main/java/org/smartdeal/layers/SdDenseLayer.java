package org.smartdeal.layers;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.smartdeal.layers.impl.SdDenseLayerImpl;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Fully connected layer whose weight W [nIn, nOut] is held in SD form (SmartDeal, Chen et al.,
 * arXiv 2101.01163): packed C, B, the frozen mask M and the bias b ({@link SdParamInitializer}).
 * Each output unit o (column o of W) is its nIn weights zero-padded into ceil(nIn/basisWidth) rows
 * of basisWidth (ALGORITHMS.md section 2).
 *
 * <p><b>Implementation choice: classic, not SameDiff.</b> The runtime ({@link SdDenseLayerImpl})
 * runs DL4J's own dense forward/backward on W rebuilt by {@code SdWeights} into persistent buffers
 * (a training forward's W is reused by its backward pass). DL4J-NOTES measured a classic dense layer
 * at 1.1-1.5x DenseLayer's step time against 1.5-2.0x for a SameDiffLayer, which in M2.1 also
 * returns 2x the gradient.
 *
 * <p><b>Step time (target: at most 1.3x DenseLayer).</b> Profile of one fit step (minibatch 128,
 * float, Nesterovs, OMP_NUM_THREADS=1, JFR plus per-part timers; loaded shared 2-core machine, so
 * approximate): DenseLayer 512x512 is about 4.9 ms, of which four 128x512x512 gemms take about 4 ms;
 * DL4J's dense backward recomputes the forward gemm (about 1 ms) although the forward pass of the
 * same step just computed it. The SD extras were the rebuild and the chain rule (about 0.2 + 0.3 ms
 * on each of two threads for 512x512), a zeroing of dM and a workspace allocation and zeroing of dW
 * per step (about 0.04 ms each), and DL4J's updater handling four parameter arrays in three updater
 * blocks instead of two arrays in one: each extra block costs about 0.08 ms per step whatever its size
 * (in M2.1 every step takes the "external gradient" path, which creates four array views per
 * parameter and one per block, each about 10 us, mostly JavaCPP's physical-memory check), so for
 * 512x10 the updater was almost the whole gap. What was done: the backward pass reuses the forward
 * pass' pre-activation instead of recomputing it (same bits; {@link SdDenseLayerImpl}); dW goes into
 * a persistent buffer; dM is zeroed once per gradient view; the kernel's bulk copies run on both of
 * its threads. Not done: the updater blocks of M and b exist because M is a parameter between B and
 * b (removing them would change the parameter layout and the saved format). Since then (session 36,
 * docs/RESULTS.md section "SD dense step after skipping the mask's updater block"): M is a pretrain
 * parameter ({@link #isPretrainParam}), so network updaters skip its block, and dM is zeroed on every
 * backward pass instead; b keeps its own block. Measured with JMH
 * ({@code -f 2 -wi 3 -i 8}, SD and DenseLayer in the same run), OMP_NUM_THREADS=1: before 1.62x
 * (512x512) and 1.31x (512x10) (docs/RESULTS.md section 2); after, two runs: 5.23 / 4.92 ms =
 * 1.06x and 5.52 / 5.07 ms = 1.09x (512x512), 0.962 / 0.875 ms = 1.10x and 1.007 / 0.823 ms =
 * 1.22x (512x10). With ND4J's default two OpenMP threads every native op costs several times more
 * and the loaded machine gave errors of 20-95%, so no ratio could be measured; what can be counted:
 * a step now launches as many native ops as DenseLayer's (22 per step for 512x10, OpProfiler),
 * against 25 before (the z copy replaces the recomputed gemm and bias add; the dM zeroing is gone).
 * Benchmark: {@code SdLayerStepBenchmarkDense}.
 *
 * <pre>
 * new SdDenseLayer.Builder().nIn(784).nOut(300).activation(Activation.RELU)
 *         .sliceRows(192).basisWidth(3).theta(4e-3).maxCoeff(32).build();
 * </pre>
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
public class SdDenseLayer extends FeedForwardLayer implements SdLayer, PerParamUpdaterRouting {

    private static final long serialVersionUID = 1L;

    private boolean hasBias = true;
    private int sliceRows = DEFAULT_SLICE_ROWS;
    private int basisWidth = DEFAULT_BASIS_WIDTH;
    private double theta = DEFAULT_THETA;
    private double maxCoeff = DEFAULT_MAX_COEFF;
    private boolean projectCoefficients = true;
    /** Per-parameter updaters and regularizations set by {@link #setParamTraining}; null until then. */
    private SdParamTraining paramTraining;

    /** For JSON deserialisation only. */
    public SdDenseLayer() {
    }

    private SdDenseLayer(Builder b) {
        super(b);
        this.hasBias = b.hasBias;
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
        SdDenseLayerImpl ret = new SdDenseLayerImpl(conf, networkDataType);
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
     * True for the mask M only. DL4J's network updaters skip, in backprop training, an updater block whose
     * parameters are all pretrain parameters; M's block (its {@link FreezeUpdater}) thus costs no updater op and
     * no array view per step. M stays unchanged: the SD runtime layers zero its gradient on every backward pass
     * (a training listener that writes into gradients must leave M's slot alone), and an updater that does visit
     * the block (DL4J's layer-wise {@code LayerUpdater}) applies FreezeUpdater.
     */
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
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        LayerMemoryReport base = new LayerMemoryReport.Builder(layerName, SdDenseLayer.class, inputType, outputType)
                .standardMemory(initializer().numParams(this), 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
        return SdConfigs.memoryReport(this, base);
    }

    @Override
    public boolean hasBias() {
        return hasBias;
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
    public SdDenseLayer clone() {
        SdDenseLayer c = (SdDenseLayer) super.clone();
        c.paramTraining = paramTraining == null ? null : paramTraining.copy();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SdDenseLayer) || !super.equals(o)) {
            return false;
        }
        SdDenseLayer x = (SdDenseLayer) o;
        return hasBias == x.hasBias && sliceRows == x.sliceRows && basisWidth == x.basisWidth
                && Double.compare(theta, x.theta) == 0 && Double.compare(maxCoeff, x.maxCoeff) == 0
                && projectCoefficients == x.projectCoefficients
                && Objects.equals(paramTraining, x.paramTraining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), hasBias, sliceRows, basisWidth, theta, maxCoeff, projectCoefficients,
                paramTraining);
    }

    @Override
    public String toString() {
        return "SdDenseLayer(name=" + layerName + ", nIn=" + nIn + ", nOut=" + nOut + ", hasBias=" + hasBias
                + ", sliceRows=" + sliceRows + ", basisWidth=" + basisWidth + ", theta=" + theta + ", maxCoeff="
                + maxCoeff + ", projectCoefficients=" + projectCoefficients + ")";
    }

    /** Builder in DL4J style; nIn/nOut as for DenseLayer, SD settings optional with the documented defaults. */
    @SuppressWarnings("unchecked") // build() narrows DL4J's generic <E extends Layer> E build(), as DL4J's builders do
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private boolean hasBias = true;
        private int sliceRows = DEFAULT_SLICE_ROWS;
        private int basisWidth = DEFAULT_BASIS_WIDTH;
        private double theta = DEFAULT_THETA;
        private double maxCoeff = DEFAULT_MAX_COEFF;
        private boolean projectCoefficients = true;

        /** Optional: whether the layer has a bias (default true). */
        public Builder hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return this;
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
        public SdDenseLayer build() {
            SdDenseLayer l = new SdDenseLayer(this);
            SdConfigs.validate(SdConfigs.where(l, l.getLayerName(), -1), basisWidth, l, l);
            SdConfigs.requireBiasConstraintDimensions(SdConfigs.where(l, l.getLayerName(), -1), l);
            return l;
        }
    }
}
