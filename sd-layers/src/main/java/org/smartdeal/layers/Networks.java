package org.smartdeal.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.smartdeal.layers.params.SdParamInitializer;

/** Helpers that treat the two DL4J network classes, MultiLayerNetwork and ComputationGraph, alike. */
public final class Networks {

    private Networks() {
    }

    /**
     * The runtime layers of a network, in {@code getLayers()} order.
     *
     * @param net a MultiLayerNetwork or ComputationGraph
     * @return its layers (the network's own array, not a copy)
     * @throws IllegalArgumentException naming the class when {@code net} is neither
     * @throws IllegalStateException when the network is not initialised (DL4J creates its layers in {@code init()})
     */
    public static Layer[] layers(Model net) {
        Layer[] layers;
        if (net instanceof MultiLayerNetwork m) {
            layers = m.getLayers();
        } else if (net instanceof ComputationGraph g) {
            layers = g.getLayers();
        } else {
            throw new IllegalArgumentException("network must be a MultiLayerNetwork or ComputationGraph, got "
                    + (net == null ? null : net.getClass().getName()));
        }
        if (layers == null) {
            throw new IllegalStateException("the " + net.getClass().getSimpleName()
                    + " is not initialised (call init() first)");
        }
        return layers;
    }

    /**
     * The layer a {@code FrozenLayer} or {@code FrozenLayerWithBackprop} configuration wraps (repeatedly), else
     * {@code layer} itself; null when a frozen layer wraps none.
     *
     * @param layer a layer configuration
     * @return the innermost layer configuration
     */
    public static org.deeplearning4j.nn.conf.layers.Layer unwrapFrozen(org.deeplearning4j.nn.conf.layers.Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer l = layer;
        while (l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop) {
            l = l instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer f ? f.getLayer()
                    : ((org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop) l).getUnderlying();
        }
        return l;
    }

    /**
     * A deep copy of a graph configuration that keeps every MergeVertex's merge axis: DL4J's own {@code clone()}
     * builds each MergeVertex anew with the default axis 1, so a channels-last (NHWC) graph merging on axis 3 came
     * out merging on the height (a fuzzing audit found a converted NHWC graph whose .sdm failed on its first input).
     * It also keeps the iteration and epoch counts, which DL4J's {@code clone()} leaves at 0 (unlike
     * MultiLayerConfiguration's).
     *
     * @param conf the configuration (not modified)
     * @return the copy
     */
    public static org.deeplearning4j.nn.conf.ComputationGraphConfiguration cloneConfiguration(
            org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf) {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration copy = conf.clone();
        copy.setIterationCount(conf.getIterationCount());
        copy.setEpochCount(conf.getEpochCount());
        conf.getVertices().forEach((name, v) -> {
            org.deeplearning4j.nn.conf.graph.GraphVertex c = copy.getVertices().get(name);
            if (v instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex f
                    && c instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex fc) {
                v = f.getUnderlying();
                c = fc.getUnderlying();
            }
            if (v instanceof org.deeplearning4j.nn.conf.graph.MergeVertex m
                    && c instanceof org.deeplearning4j.nn.conf.graph.MergeVertex mc) {
                mc.setMergeAxis(m.getMergeAxis());
            }
        });
        return copy;
    }

    /**
     * A copy of a graph, as DL4J's {@code ComputationGraph.clone()} makes one (configuration, parameters, updater
     * state), with the merge axes {@link #cloneConfiguration} keeps.
     *
     * @param graph an initialised graph (not modified)
     * @return the copy, initialised
     */
    public static ComputationGraph copy(ComputationGraph graph) {
        ComputationGraph c = new ComputationGraph(cloneConfiguration(graph.getConfiguration()));
        c.init(graph.params().dup(), false);
        if (graph.getUpdater(false) != null && graph.getUpdater(false).getStateViewArray() != null) {
            c.getUpdater().setStateViewArray(graph.getUpdater(false).getStateViewArray().dup());
        }
        return c;
    }

    /**
     * Copies a layer's settings other than its updaters and regularization: weight and bias initialisation, gain,
     * gradient normalisation and its threshold, dropout, weight noise and constraints. Used where one layer stands
     * in for another (a dense layer's SD form, an SD layer's plain DL4J form).
     *
     * @param from the layer whose settings are taken (not modified)
     * @param to   the layer that receives them
     */
    public static void copyLayerSettings(org.deeplearning4j.nn.conf.layers.BaseLayer from,
            org.deeplearning4j.nn.conf.layers.BaseLayer to) {
        to.setWeightInitFn(from.getWeightInitFn());
        to.setBiasInit(from.getBiasInit());
        to.setGainInit(from.getGainInit());
        to.setGradientNormalization(from.getGradientNormalization());
        to.setGradientNormalizationThreshold(from.getGradientNormalizationThreshold());
        to.setIDropout(from.getIDropout());
        to.setWeightNoise(from.getWeightNoise());
        to.setConstraints(constraintsFor(from, to));
    }

    /**
     * A layer's constraints as another layer takes them: as they are, once {@link #requireBiasConstraintsOnly} has
     * passed where a layer of DL4J's goes into an SD layer (bias constraints are taken as they are: the bias is a
     * vector [nOut] in both).
     */
    static java.util.List<org.deeplearning4j.nn.api.layers.LayerConstraint> constraintsFor(
            org.deeplearning4j.nn.conf.layers.BaseLayer from, org.deeplearning4j.nn.conf.layers.BaseLayer to) {
        if (to instanceof SdLayer && !(from instanceof SdLayer)) {
            requireBiasConstraintsOnly(from.getLayerName(), from);
        }
        return from.getConstraints();
    }

    /**
     * Refuses a layer of DL4J's with a constraint on other parameters than its bias (a weight constraint, or one on all
     * its parameters), before it is converted: an SD layer has no W, so the constraint would name a parameter the SD
     * layer lacks and do nothing, and one on C and B would not hold on W = C*B.
     *
     * @param name  the layer's name, for the message
     * @param layer the layer to convert (not modified)
     * @throws IllegalArgumentException naming the layer, its kind, the constraint and the way out
     */
    public static void requireBiasConstraintsOnly(String name, org.deeplearning4j.nn.conf.layers.BaseLayer layer) {
        if (layer.getConstraints() == null) {
            return;
        }
        for (org.deeplearning4j.nn.api.layers.LayerConstraint c : layer.getConstraints()) {
            java.util.Set<String> on = c.getParams();
            if (on != null && !on.isEmpty() && !on.equals(java.util.Set.of(SdParamInitializer.BIAS_KEY))) {
                throw new IllegalArgumentException("layer " + name + " (" + layer.getClass().getSimpleName()
                        + ") has the constraint " + c.getClass().getSimpleName() + " on " + new java.util.TreeSet<>(on)
                        + ", which has no SD form (an SD layer holds C and B, not W, and a constraint on them would not "
                        + "hold on W = C*B); remove it before converting, or keep the layer dense with \"skip\": true in "
                        + "the plan's layers");
            }
        }
    }

    /**
     * The padding a convolution standing in for another is built with. Same mode ignores the configured padding (DL4J
     * computes its own), but a file may still hold one, which DL4J's builders refuse in Same mode: the new layer gets
     * none and computes what the original does. In other modes the configured padding, as is.
     *
     * @param c the convolution being replaced (not modified)
     * @return the padding for the replacement's builder
     */
    public static int[] builderPadding(org.deeplearning4j.nn.conf.layers.ConvolutionLayer c) {
        return c.getConvolutionMode() == ConvolutionMode.Same
                ? new int[c.getPadding().length] : c.getPadding();
    }
}
