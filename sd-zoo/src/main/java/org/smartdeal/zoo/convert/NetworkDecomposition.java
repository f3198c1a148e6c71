package org.smartdeal.zoo.convert;

import java.util.List;
import org.smartdeal.core.LayerDecomposition;

/**
 * The SD form of every planned layer of one network, as computed by
 * {@link SdConverter#decompose}, plus the report of what it costs and saves.
 *
 * @param layers planned layers in network order
 * @param report per-layer figures, including layers kept dense
 */
public record NetworkDecomposition(List<PlannedLayer> layers, ConversionReport report) {

    /** Copies the list. */
    public NetworkDecomposition {
        layers = List.copyOf(layers);
    }

    /**
     * One layer converted to SD form.
     *
     * @param name layer name (the plan's key)
     * @param index layer index in the network ({@code getLayers()} order)
     * @param settings the plan's resolved settings for this layer
     * @param decomposition C, B and statistics
     * @param prunedVectors vectors zeroed by structured pruning (ALGORITHMS.md 3.1)
     * @param prunedChannels output channels masked by the BatchNorm-gamma rule (3.2)
     */
    public record PlannedLayer(String name, int index, LayerPlan settings, LayerDecomposition decomposition,
                               long prunedVectors, int prunedChannels) {
    }
}
