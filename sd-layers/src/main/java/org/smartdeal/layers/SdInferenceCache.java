package org.smartdeal.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.smartdeal.layers.impl.SdRuntimeLayer;

/**
 * Network-wide switch of the SD layers' inference cache ({@link SdRuntimeLayer}): with it on, an SD
 * network used for inference rebuilds each W = P(C).*M @ B once and then costs what the dense network
 * costs; training still rebuilds W at every step, and every fit step, training forward pass and
 * layer parameter setter drops the cache, and so does DL4J's network-level {@code setParamTable} (it
 * reaches the layers through their {@code paramTable()}).
 *
 * <p>SD layers that DL4J runs frozen ({@code FrozenLayer}, e.g. TransferLearning's feature extractor, and
 * {@code FrozenLayerWithBackprop}) are switched too: their parameters never change, so their W is built once.
 *
 * <p>One case the layers cannot see: {@code network.setParams(p)} on an initialised network copies
 * into the existing flat parameter array without calling the layers. Call {@link #invalidate(Model)}
 * after it (or after writing into parameter arrays directly).
 */
public final class SdInferenceCache {

    private SdInferenceCache() {
    }

    /**
     * Turns the cache on in every SD layer of the network.
     *
     * @param network a MultiLayerNetwork or ComputationGraph
     * @return the number of SD layers affected
     */
    public static int enable(Model network) {
        return apply(network, 1);
    }

    /**
     * Turns the cache off (and drops it) in every SD layer of the network.
     *
     * @param network a MultiLayerNetwork or ComputationGraph
     * @return the number of SD layers affected
     */
    public static int disable(Model network) {
        return apply(network, 0);
    }

    /**
     * Drops every SD layer's cached W; the next inference pass rebuilds from the current parameters.
     *
     * @param network a MultiLayerNetwork or ComputationGraph
     * @return the number of SD layers affected
     */
    public static int invalidate(Model network) {
        return apply(network, 2);
    }

    private static int apply(Model network, int action) {
        Layer[] layers;
        if (network instanceof MultiLayerNetwork m) {
            layers = m.getLayers();
        } else if (network instanceof ComputationGraph g) {
            layers = g.getLayers();
        } else {
            throw new IllegalArgumentException("SdInferenceCache: network must be an initialised MultiLayerNetwork or "
                    + "ComputationGraph, got " + (network == null ? null : network.getClass().getName()));
        }
        if (layers == null) {
            throw new IllegalStateException("SdInferenceCache: network is not initialised (call init() first)");
        }
        int n = 0;
        for (Layer l : layers) {
            if (insideFrozen(l) instanceof SdRuntimeLayer s) {
                switch (action) {
                    case 0 -> s.setInferenceCache(false);
                    case 1 -> s.setInferenceCache(true);
                    default -> s.invalidateWeightCache();
                }
                n++;
            }
        }
        return n;
    }

    /**
     * The layer a frozen wrapper runs ({@code FrozenLayer}, as TransferLearning's feature extractor makes, or
     * {@code FrozenLayerWithBackprop}), else {@code l}. Its parameters never change, so a cached W stays right; a
     * FrozenLayer runs its layer in inference mode even while the network trains (so the cache serves training too),
     * and a backward pass through a FrozenLayerWithBackprop drops it as every SD backward pass does.
     */
    private static Layer insideFrozen(Layer l) {
        Layer in = l;
        while (true) {
            if (in instanceof org.deeplearning4j.nn.layers.FrozenLayer f) {
                in = f.getInsideLayer();
            } else if (in instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop f) {
                in = f.getInsideLayer();
            } else {
                return in;
            }
        }
    }
}
