package org.smartdeal.hw.spec;

import java.util.List;

/**
 * A network as the cost model sees it: layers in execution order, each with its executed weights
 * and input-activation statistics (layers at batch 1; the batch knob scales them).
 *
 * @param name   model name, e.g. {@code resnet50}
 * @param layers layer entries
 * @param notes  where the weight and activation statistics come from
 */
public record Workload(String name, List<Entry> layers, String notes) {

    /** One layer with its weights and activation statistics. */
    public record Entry(LayerSpec layer, WeightRep weights, ActStats act) {
        /** Checks that the weights match the layer. */
        public Entry {
            if (layer == null || weights == null || act == null) {
                throw new IllegalArgumentException("Workload.Entry" + (layer == null ? "" : "(" + layer.id() + ")")
                        + ": layer, weights and act must be non-null, got null " + (layer == null ? "layer"
                        : weights == null ? "weights" : "act"));
            }
            weights.checkFor(layer);
        }
    }

    /** Copies the layer list and rejects empty workloads. */
    public Workload {
        if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("Workload(" + name + ").layers must be non-empty");
        layers = List.copyOf(layers);
    }
}
