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
}
