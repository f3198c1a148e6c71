package org.smartdeal.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.smartdeal.layers.impl.SdWeights;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * An SD network as a plain DL4J network: every SD layer becomes the DL4J layer it stands for ({@link DenseLayer},
 * {@link OutputLayer}, {@link ConvolutionLayer}, {@link DepthwiseConvolution2D}) holding the weight its C, B and M
 * rebuild to (W = P(C) .* M x B, the weight the SD layer computes with, in DL4J's layout) and its bias; every other
 * layer, vertex and preprocessor is carried over with its parameters. The result needs none of this project's
 * classes: saved with {@code ModelSerializer}, it loads into stock DL4J, e.g. to deploy a compressed model where the
 * plugin is not installed, or to compare with other tools. Its outputs are the SD network's to float rounding.
 *
 * <p>SD layers inside DL4J's frozen wrappers ({@code FrozenLayer}, {@code FrozenLayerWithBackprop}, a graph's
 * {@code FrozenVertex}) are replaced inside them. A network that would still need one of this project's classes (an
 * SD layer in another wrapper, a project updater on a layer that is not SD) is refused, not exported half-plain.
 *
 * <p>Training settings: an SD layer's are read as it routes them per parameter. The plain weight W takes C's updater
 * and regularizations when that updater is DL4J's, else B's (after {@code SdTraining.configure}: C has the bucket
 * switch, B SGD with momentum and the L2, so W gets those), else the bias updater, else {@link NoOp}; the bias takes
 * b's. The project's regularizations are dropped. A learning-rate schedule of this project's inside a DL4J updater, on
 * any layer (SD training's {@code SwaLrSchedule}, which {@code SdTraining.configure} gives every layer, BatchNorm
 * included), becomes a fixed rate: the schedule's value at the network's iteration and epoch, the rate the next step
 * would have used (DL4J's own schedules are kept, and restart with the counts). What does not carry over: updater
 * state, listeners and the epoch and iteration counts (the new network starts at 0, as a converted one does).
 */
public final class DenseExport {

    private DenseExport() {
    }

    /**
     * The plain DL4J form of an SD network.
     *
     * @param sd an initialised MultiLayerNetwork or ComputationGraph (not modified); a network without SD layers gives
     *           a copy of itself
     * @return a new, initialised network of the same class
     * @throws IllegalArgumentException for another model class, or a network that would still need this project's
     *                                  classes (the message names them)
     * @throws IllegalStateException    for a network that is not initialised
     */
    public static Model toDense(Model sd) {
        Objects.requireNonNull(sd, "sd");
        if (!(sd instanceof MultiLayerNetwork || sd instanceof ComputationGraph)) {
            throw new IllegalArgumentException("DenseExport.toDense: the network must be a MultiLayerNetwork or "
                    + "ComputationGraph, got " + sd.getClass().getName());
        }
        Layer[] src = Networks.layers(sd); // refuses a network without init()
        Model out;
        if (sd instanceof MultiLayerNetwork m) {
            MultiLayerConfiguration conf = m.getLayerWiseConfigurations().clone();
            Counts at = new Counts(conf.getIterationCount(), conf.getEpochCount());
            conf.setEpochCount(0);
            conf.setIterationCount(0);
            long n = 0;
            for (NeuralNetConfiguration c : conf.getConfs()) {
                c.setLayer(plain(c.getLayer(), at));
                n += c.getLayer().initializer().numParams(c);
            }
            requirePlain(conf.toJson());
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init(Nd4j.create(m.params().dataType(), 1, n), false);
            out = net;
        } else {
            ComputationGraph g = (ComputationGraph) sd;
            ComputationGraphConfiguration conf = Networks.cloneConfiguration(g.getConfiguration()); // keeps the counts
            Counts at = new Counts(conf.getIterationCount(), conf.getEpochCount());
            conf.setEpochCount(0);
            conf.setIterationCount(0);
            long n = 0;
            for (GraphVertex v : conf.getVertices().values()) {
                GraphVertex inner = v instanceof FrozenVertex f ? f.getUnderlying() : v;
                if (inner instanceof LayerVertex lv) {
                    lv.getLayerConf().setLayer(plain(lv.getLayerConf().getLayer(), at));
                }
                n += v.numParams(false);
            }
            requirePlain(conf.toJson());
            ComputationGraph net = new ComputationGraph(conf);
            net.init(Nd4j.create(g.params().dataType(), 1, n), false);
            out = net;
        }
        Layer[] dst = Networks.layers(out);
        for (int i = 0; i < src.length; i++) {
            Map<String, INDArray> p = src[i].paramTable();
            org.deeplearning4j.nn.conf.layers.Layer conf = Networks.unwrapFrozen(src[i].conf().getLayer());
            if (conf instanceof SdLayer s) {
                INDArray w = SdWeights.of(s).rebuild(p.get(SdParamInitializer.C_KEY), p.get(SdParamInitializer.B_KEY),
                        p.get(SdParamInitializer.MASK_KEY));
                dst[i].getParam("W").assign(w);
                if (p.containsKey(SdParamInitializer.BIAS_KEY)) {
                    dst[i].getParam("b").assign(p.get(SdParamInitializer.BIAS_KEY));
                }
            } else {
                for (Map.Entry<String, INDArray> e : p.entrySet()) {
                    dst[i].getParam(e.getKey()).assign(e.getValue());
                }
            }
        }
        return out;
    }

    /**
     * Refuses a configuration that still names a class of this project after the SD layers were replaced: an SD layer
     * inside a wrapper this class does not open (e.g. {@code TimeDistributed}), or a setting of this project's on a
     * layer that is not SD. Such a file would not load without the plugin, against what {@link #toDense} promises.
     */
    private static void requirePlain(String json) {
        java.util.Set<String> left = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("org\\.smartdeal\\.[A-Za-z0-9_.$]+").matcher(json);
        while (m.find()) {
            left.add(m.group());
        }
        if (!left.isEmpty()) {
            throw new IllegalArgumentException("DenseExport.toDense: the network would still need this project's "
                    + "classes " + left + " (an SD layer inside a wrapper other than FrozenLayer, "
                    + "FrozenLayerWithBackprop or FrozenVertex, or a setting of this project's on another layer); "
                    + "no plain DL4J form");
        }
    }

    /** The SD network's iteration and epoch counts, at which a project schedule's rate is taken. */
    private record Counts(int iteration, int epoch) {
    }

    /**
     * The layer configuration an SD one stands for (a frozen wrapper kept), else {@code layer} itself (a clone's,
     * changed in place) with its updaters' project schedules fixed at {@code at}.
     */
    private static org.deeplearning4j.nn.conf.layers.Layer plain(org.deeplearning4j.nn.conf.layers.Layer layer,
            Counts at) {
        // a new wrapper has no name (DL4J's constructors do not take the wrapped layer's): a graph saved with such a
        // layer vertex did not load back (NullPointerException in ComputationGraph.init)
        if (layer instanceof FrozenLayer f) {
            FrozenLayer w = new FrozenLayer(plain(f.getLayer(), at));
            if (f.getLayerName() != null) {
                w.setLayerName(f.getLayerName()); // DL4J's setter names the wrapped layer too: not with null
            }
            return w;
        }
        if (layer instanceof FrozenLayerWithBackprop f) {
            FrozenLayerWithBackprop w = new FrozenLayerWithBackprop(plain(f.getUnderlying(), at));
            if (f.getLayerName() != null) {
                w.setLayerName(f.getLayerName());
            }
            return w;
        }
        BaseLayer out;
        if (layer instanceof SdDenseLayer d) {
            out = new DenseLayer.Builder().nIn(d.getNIn()).nOut(d.getNOut()).activation(d.getActivationFn())
                    .hasBias(d.hasBias()).build();
        } else if (layer instanceof SdOutputLayer o) {
            out = new OutputLayer.Builder(o.getLossFn()).nIn(o.getNIn()).nOut(o.getNOut())
                    .activation(o.getActivationFn()).hasBias(o.hasBias()).build();
        } else if (layer instanceof SdDepthwiseConvolutionLayer c) {
            out = new DepthwiseConvolution2D.Builder(c.getKernelSize(), c.getStride(), Networks.builderPadding(c))
                    .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode()).dataFormat(c.getCnn2dDataFormat())
                    .depthMultiplier(c.getDepthMultiplier()).nIn(c.getNIn()).nOut(c.getNOut())
                    .activation(c.getActivationFn()).hasBias(c.hasBias()).build();
        } else if (layer instanceof SdConvolutionLayer c) {
            out = new ConvolutionLayer.Builder(c.getKernelSize(), c.getStride(), Networks.builderPadding(c))
                    .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode()).dataFormat(c.getCnn2dDataFormat())
                    .nIn(c.getNIn()).nOut(c.getNOut()).activation(c.getActivationFn()).hasBias(c.hasBias()).build();
        } else if (layer instanceof SdLayer) {
            // SdLayer is implemented by the four classes above; a fifth needs its branch here
            throw new IllegalStateException("DenseExport: no plain DL4J form for SD layer class "
                    + layer.getClass().getName() + " (layer " + layer.getLayerName() + ")");
        } else {
            if (layer instanceof BaseLayer b) {
                b.setIUpdater(fixedSchedule(b.getIUpdater(), at));
                b.setBiasUpdater(fixedSchedule(b.getBiasUpdater(), at));
            }
            return layer;
        }
        BaseLayer b = (BaseLayer) layer;
        out.setLayerName(b.getLayerName());
        // the settings as the SD layer routes them per parameter (SdTraining.configure gives C the bucket switch, B
        // and b DL4J's SGD with momentum and L2): W takes C's when they are DL4J's, else B's, else the bias updater
        IUpdater bias = b.getUpdaterByParam(SdParamInitializer.BIAS_KEY);
        IUpdater biasUpdater = stock(bias) ? fixedSchedule(bias, at) : new NoOp();
        String weightKey = stock(b.getUpdaterByParam(SdParamInitializer.C_KEY)) ? SdParamInitializer.C_KEY
                : stock(b.getUpdaterByParam(SdParamInitializer.B_KEY)) ? SdParamInitializer.B_KEY : null;
        out.setIUpdater(weightKey != null ? fixedSchedule(b.getUpdaterByParam(weightKey), at) : biasUpdater.clone());
        out.setBiasUpdater(biasUpdater);
        out.setRegularization(stockOnly(b.getRegularizationByParam(weightKey != null ? weightKey
                : SdParamInitializer.C_KEY)));
        out.setRegularizationBias(stockOnly(b.getRegularizationByParam(SdParamInitializer.BIAS_KEY)));
        Networks.copyLayerSettings(b, out);
        return out;
    }

    /**
     * A DL4J updater whose configuration names a class of this project (a learning-rate schedule such as SD
     * training's SwaLrSchedule) as a copy at the fixed rate the schedule gives at {@code at}; any other updater as it
     * is (one still naming a project class afterwards, e.g. in its momentum schedule, is refused by
     * {@link #requirePlain}).
     */
    private static IUpdater fixedSchedule(IUpdater u, Counts at) {
        if (u == null || !u.hasLearningRate() || !namesProjectClass(u)) {
            return u;
        }
        IUpdater fixed = u.clone();
        fixed.setLrAndSchedule(u.getLearningRate(at.iteration(), at.epoch()), null);
        return fixed;
    }

    private static boolean namesProjectClass(Object o) {
        try {
            return NeuralNetConfiguration.mapper().writeValueAsString(o).contains("org.smartdeal.");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("DenseExport: cannot write " + o + " as JSON", e);
        }
    }

    /** Whether an object (an updater, a regularization) is DL4J's or ND4J's own, so stock DL4J can read it back. */
    private static boolean stock(Object o) {
        return o != null && (o.getClass().getName().startsWith("org.nd4j.")
                || o.getClass().getName().startsWith("org.deeplearning4j."));
    }

    private static List<Regularization> stockOnly(List<Regularization> regs) {
        List<Regularization> out = new ArrayList<>();
        if (regs != null) {
            for (Regularization r : regs) {
                if (stock(r)) {
                    out.add(r.clone());
                }
            }
        }
        return out;
    }
}
