package org.smartdeal.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

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
     */
    public static Layer[] layers(Model net) {
        if (net instanceof MultiLayerNetwork m) {
            return m.getLayers();
        }
        if (net instanceof ComputationGraph g) {
            return g.getLayers();
        }
        throw new IllegalArgumentException("network must be a MultiLayerNetwork or ComputationGraph, got "
                + (net == null ? null : net.getClass().getName()));
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
}
