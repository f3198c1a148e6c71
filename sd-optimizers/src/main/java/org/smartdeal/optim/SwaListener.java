package org.smartdeal.optim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.smartdeal.layers.SdInferenceCache;

/**
 * Stochastic weight averaging for SD training (ALGORITHMS.md 6.4; Izmailov et al. 2018 as used by the
 * SmartDeal reference code).
 *
 * <ul>
 *   <li>At the end of every epoch {@code e} (0-based, DL4J's epoch count) with {@code e + 1 >= swaStart}
 *       (the reference's {@code (epoch + 1) >= swa_start}), all parameters of the model are added to a
 *       running arithmetic mean, one sample per epoch: {@code mean += (x - mean) / n}, in float64 so
 *       that the mean of exactly representable samples is exact.</li>
 *   <li>{@link #finish(Model, DataSetIterator)} writes the mean into the model, projects each listed
 *       coefficient parameter with P (ties up, threshold theta - 1e-5, {@link Pow2#project}; theta is the
 *       parameter's own when it carries one, {@link CoefficientParam#withTheta}, else this listener's)
 *       inside its mask (0 outside), and re-estimates the BatchNorm running statistics with one pass over
 *       the data.</li>
 * </ul>
 *
 * <p><b>BatchNorm statistics.</b> In DL4J M2.1 the global mean/variance of a BatchNormalization layer
 * change only through its backward pass (as a pseudo-gradient {@code (1-decay)*(global - batch)} with a
 * NoOp updater), so a pass that changed only them would need a {@code fit} that also moves every other
 * parameter. Instead of adjusting {@code decay}, this listener runs training-mode forward passes (each BN
 * normalises with its batch statistics, as in PyTorch's {@code bn_update}), takes the batch mean and the
 * biased batch variance of each BN input (DL4J's own convention), averages them over the pass weighted
 * by batch size (a cumulative average: the old running values are discarded, which is the "reset"; a minibatch
 * holding one value per channel, one example of a dense BN input, has variance 0 whatever the data and is left out
 * of the variance's average, and a pass of only such minibatches is refused) and
 * writes them into {@code mean} and {@code var} or {@code log10stdev = log10(sqrt(var))} (when the layer
 * uses {@code useLogStd}; a variance below {@code max(1e-6 eps, 1e-30)}, e.g. the 0 of a dead ReLU unit, is written
 * as that floor, since log10(0) is -infinity). Rank-2 and rank-4 (NCHW and NHWC) inputs are supported.
 *
 * <p>All work runs inside {@code scopeOutOfWorkspaces()}. The average lives in this listener only; it is
 * not saved with the model (a run restored mid-SWA starts a new average).
 */
// "try": try (MemoryWorkspace ws = ...scopeOutOfWorkspaces()) only scopes allocations out of DL4J's workspaces
@SuppressWarnings("try")
public final class SwaListener extends BaseTrainingListener {

    private final int swaStart;
    private final double theta;
    private final List<CoefficientParam> coefficients;
    private final Map<ParamRef, INDArray> startMasks = new HashMap<>();
    private INDArray mean;
    private int samples;

    /**
     * @param swaStart     number of completed epochs from which averaging starts, >= 1
     * @param theta        sparsity threshold of the projection P, in (0, 1], for the coefficient parameters
     *                     that carry none of their own
     * @param coefficients the coefficient parameters to project at the end (may be empty)
     */
    public SwaListener(int swaStart, double theta, List<CoefficientParam> coefficients) {
        if (!(theta > 0 && theta <= 1)) {
            throw new IllegalArgumentException("SwaListener.theta must be in (0, 1], got " + theta);
        }
        this.swaStart = checkSwaStart(swaStart);
        this.theta = theta;
        this.coefficients = List.copyOf(coefficients);
    }

    /**
     * A listener whose coefficient parameters each carry their own projection threshold
     * ({@link CoefficientParam#withTheta}).
     *
     * @param swaStart     number of completed epochs from which averaging starts, >= 1
     * @param coefficients the coefficient parameters to project at the end, each with its theta
     * @throws IllegalArgumentException naming a coefficient parameter without a theta
     */
    public SwaListener(int swaStart, List<CoefficientParam> coefficients) {
        for (CoefficientParam c : coefficients) {
            if (Double.isNaN(c.thetaOr(Double.NaN))) {
                throw new IllegalArgumentException("SwaListener(swaStart, coefficients): coefficient parameter " + c
                        + " has no theta of its own; give it one with CoefficientParam.withTheta");
            }
        }
        this.swaStart = checkSwaStart(swaStart);
        this.theta = Double.NaN;
        this.coefficients = List.copyOf(coefficients);
    }

    private static int checkSwaStart(int swaStart) {
        if (swaStart < 1) {
            throw new IllegalArgumentException("SwaListener.swaStart must be >= 1, got " + swaStart);
        }
        return swaStart;
    }

    /** Snapshots "C != 0" masks when training starts (first epoch start seen). */
    @Override
    public void onEpochStart(Model model) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            snapshotStartMasks(model);
        }
    }

    /** Adds one sample to the running mean when {@code epoch + 1 >= swaStart}. */
    @Override
    public void onEpochEnd(Model model) {
        int epoch = epochOf(model);
        if (epoch + 1 < swaStart) {
            return;
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            addSample(model);
        }
    }

    private void snapshotStartMasks(Model model) {
        for (CoefficientParam c : coefficients) {
            if (c.isNonZeroAtStart() && !startMasks.containsKey(c.param())) {
                startMasks.put(c.param(), c.maskIn(model));
            }
        }
    }

    /** Adds the model's current parameters as one sample of the mean (normally called by {@link #onEpochEnd}). */
    public void addSample(Model model) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            snapshotStartMasks(model);
            INDArray x = model.params().castTo(DataType.DOUBLE).reshape(model.params().length());
            if (mean == null) {
                mean = x.dup();
                samples = 1;
                return;
            }
            if (mean.length() != x.length()) {
                throw new IllegalStateException("SWA sample has " + x.length() + " parameters, the average has "
                        + mean.length());
            }
            samples++;
            mean.addi(x.sub(mean).divi(samples));
        }
    }

    /** Number of samples in the mean so far. */
    public int samples() {
        return samples;
    }

    /** A copy of the current mean of the flattened parameters (float64), or null before the first sample. */
    public INDArray average() {
        return mean == null ? null : mean.dup();
    }

    /**
     * Ends SWA: writes the mean into {@code model}, projects the coefficient parameters inside their masks
     * and, if the model has BatchNormalization layers, re-estimates their statistics with one pass over
     * {@code trainData} (reset before and after; may be null when there is no BatchNorm). The SD layers' inference
     * caches ({@link SdInferenceCache}) are dropped, as the weights they hold are the last epoch's.
     *
     * @throws IllegalStateException if no sample was taken
     */
    public void finish(Model model, DataSetIterator trainData) {
        if (samples == 0) {
            throw new IllegalStateException("SwaListener.finish: no SWA sample was taken (swaStart=" + swaStart
                    + ", model epoch=" + epochOf(model) + ")");
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray params = model.params();
            params.assign(mean.castTo(params.dataType()).reshape(params.shape()));
            for (CoefficientParam c : coefficients) {
                INDArray mask = c.isNonZeroAtStart() ? startMasks.get(c.param()) : c.maskIn(model);
                if (mask == null) {
                    throw new IllegalStateException("no start mask was recorded for " + c);
                }
                project(c.valueIn(model), mask, c.thetaOr(theta));
            }
            SdInferenceCache.invalidate(model);
            recomputeBatchNorm(model, trainData);
        }
    }

    /**
     * Replaces every entry of {@code c} by {@code M ? P(c) : 0} (ALGORITHMS.md 6.1 / 6.4). Modifies c.
     *
     * @return the number of entries that changed
     */
    static long project(INDArray c, INDArray mask, double theta) {
        double[] v = c.dup('c').data().asDouble();
        double[] m = mask.dup('c').data().asDouble();
        long changed = 0;
        for (int i = 0; i < v.length; i++) {
            double p = m[i] != 0 ? Pow2.project(v[i], theta) : 0.0;
            if (Double.compare(p, v[i]) != 0 && !(p == 0.0 && v[i] == 0.0)) {
                changed++;
            }
            v[i] = p;
        }
        c.assign(Nd4j.create(v, c.shape(), 'c').castTo(c.dataType()));
        return changed;
    }

    private static int epochOf(Model model) {
        if (model instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) model).getEpochCount();
        }
        if (model instanceof ComputationGraph) {
            return ((ComputationGraph) model).getEpochCount();
        }
        throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got "
                + model.getClass().getName());
    }

    /** One BN layer: where its input comes from and the running sums. */
    private static final class BnStats {
        final Layer layer;
        final BatchNormalization conf;
        final InputPreProcessor preProcessor;
        final int mlnIndex;
        final String graphInput;
        INDArray meanSum;
        INDArray varSum;
        long count;
        /** Examples of the minibatches whose variance is averaged (those with more than one value per channel). */
        long varCount;

        BnStats(Layer layer, InputPreProcessor preProcessor, int mlnIndex, String graphInput) {
            this.layer = layer;
            this.conf = (BatchNormalization) layer.conf().getLayer();
            this.preProcessor = preProcessor;
            this.mlnIndex = mlnIndex;
            this.graphInput = graphInput;
        }

        void add(INDArray in) {
            if (preProcessor != null) {
                in = preProcessor.preProcess(in, (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
            }
            int[] dims;
            if (in.rank() == 2) {
                dims = new int[] {0};
            } else if (in.rank() == 4) {
                dims = conf.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
            } else {
                throw new IllegalStateException("BatchNorm layer '" + conf.getLayerName() + "': input of rank "
                        + in.rank() + " is not supported by the SWA statistics pass (rank 2 or 4)");
            }
            long b = in.size(0);
            INDArray x = in.castTo(DataType.DOUBLE);
            INDArray m = x.mean(dims).reshape(-1).muli(b);
            meanSum = meanSum == null ? m : meanSum.addi(m);
            count += b;
            // a minibatch of one value per channel (one example of a dense BN input) has variance 0 whatever the data:
            // it says nothing of the variance and is left out of its average (PyTorch's BatchNorm refuses it)
            int channelAxis = in.rank() == 4 && conf.getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
            if (x.length() / x.size(channelAxis) > 1) {
                INDArray v = x.var(false, dims).reshape(-1).muli(b);
                varSum = varSum == null ? v : varSum.addi(v);
                varCount += b;
            }
        }

        void write() {
            if (varCount == 0) {
                throw new IllegalStateException("BatchNorm layer '" + conf.getLayerName() + "': every minibatch of the "
                        + "SWA statistics pass held one value per channel (one example), whose variance is 0 whatever "
                        + "the data; pass the data in minibatches of at least 2 examples");
            }
            INDArray m = meanSum.div(count);
            INDArray var = varSum.div(varCount);
            INDArray meanParam = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
            meanParam.assign(m.reshape(meanParam.shape()).castTo(meanParam.dataType()));
            if (conf.isUseLogStd()) {
                INDArray p = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
                // a channel of zero variance (e.g. a dead ReLU unit) would give log10(0) = -infinity
                INDArray floored = Transforms.max(var, minLogStdVariance(conf.getEps()), true);
                INDArray log10std = Transforms.log(floored, 10.0, false).muli(0.5); // log10(sqrt(var))
                p.assign(log10std.reshape(p.shape()).castTo(p.dataType()));
            } else {
                INDArray p = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
                p.assign(var.reshape(p.shape()).castTo(p.dataType()));
            }
        }
    }

    /**
     * The smallest variance written as {@code log10stdev}: {@code max(1e-6 eps, 1e-30)}. A channel whose inputs are
     * all equal has variance 0, whose log is -infinity; DL4J's own training never writes that (its running variance
     * only decays towards 0), and a -infinity would be refused by the .sdm writer and turn into NaN at DL4J's next
     * training step. DL4J's inference divides by {@code sqrt(var + eps)}, so the floor moves no output by more than
     * a relative 5e-7 (and a constant channel not at all: its input minus its mean is 0); 1e-30 keeps
     * {@code 10^(2 log10stdev)} a normal float when eps is 0.
     */
    static double minLogStdVariance(double eps) {
        return Math.max(1e-6 * eps, 1e-30);
    }

    private static void recomputeBatchNorm(Model model, DataSetIterator data) {
        List<BnStats> bns = new ArrayList<>();
        if (model instanceof MultiLayerNetwork) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            for (int i = 0; i < net.getnLayers(); i++) {
                Layer l = net.getLayer(i);
                if (l.conf().getLayer() instanceof BatchNormalization) {
                    bns.add(new BnStats(l, net.getLayerWiseConfigurations().getInputPreProcess(i), i, null));
                }
            }
        } else {
            ComputationGraph g = (ComputationGraph) model;
            ComputationGraphConfiguration conf = g.getConfiguration();
            for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
                if (e.getValue() instanceof LayerVertex
                        && ((LayerVertex) e.getValue()).getLayerConf().getLayer() instanceof BatchNormalization) {
                    List<String> inputs = conf.getVertexInputs().get(e.getKey());
                    bns.add(new BnStats(g.getLayer(e.getKey()), ((LayerVertex) e.getValue()).getPreProcessor(), -1,
                            inputs.get(0)));
                }
            }
        }
        if (bns.isEmpty()) {
            return;
        }
        if (data == null) {
            throw new IllegalArgumentException("the model has " + bns.size() + " BatchNormalization layers: "
                    + "finish needs the training data for their statistics pass");
        }
        data.reset();
        while (data.hasNext()) {
            DataSet ds = data.next();
            if (model instanceof MultiLayerNetwork) {
                List<INDArray> acts = ((MultiLayerNetwork) model).feedForward(ds.getFeatures(), true);
                for (BnStats s : bns) {
                    s.add(acts.get(s.mlnIndex)); // acts[i] is the input of layer i (acts[0] = features)
                }
            } else {
                Map<String, INDArray> acts = ((ComputationGraph) model)
                        .feedForward(new INDArray[] {ds.getFeatures()}, true);
                for (BnStats s : bns) {
                    s.add(acts.get(s.graphInput));
                }
            }
        }
        data.reset();
        for (BnStats s : bns) {
            if (s.count == 0) {
                throw new IllegalArgumentException("the training data iterator returned no examples");
            }
            s.write();
        }
    }
}
