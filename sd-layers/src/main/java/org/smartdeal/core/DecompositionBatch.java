package org.smartdeal.core;

import java.util.List;

/**
 * The result of decomposing several layers in one parallel batch.
 *
 * @param layers one result per input, in input order
 * @param wallSeconds wall-clock seconds of the whole batch, measured inside the call
 * @param threads worker threads used
 */
public record DecompositionBatch(List<LayerDecomposition> layers, double wallSeconds,
        int threads) {

    /** Copies the list (unmodifiable). */
    public DecompositionBatch {
        layers = List.copyOf(layers);
    }

    /** Model totals over all layers (see {@link DecompositionStats#combine}). */
    public DecompositionStats totals() {
        return DecompositionStats.combine(layers.stream().map(LayerDecomposition::stats).toList());
    }
}
