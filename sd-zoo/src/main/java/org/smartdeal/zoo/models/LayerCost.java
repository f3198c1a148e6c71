package org.smartdeal.zoo.models;

import java.util.Objects;

import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * Size and work of one layer (or graph vertex) of a zoo configuration, computed without
 * allocating the network. See {@link ModelStats} for the counting rules.
 *
 * @param name            the DL4J layer or vertex name
 * @param type            the simple class name of the layer configuration or vertex
 * @param params          all parameters DL4J allocates for the layer (BatchNorm running
 *                        mean and variance included)
 * @param trainableParams parameters trained by gradient descent (BatchNorm running statistics
 *                        excluded)
 * @param macs            multiply-accumulates for one example
 * @param outputType      the layer's activation type for one example
 */
public record LayerCost(String name, String type, long params, long trainableParams, long macs,
        InputType outputType) {

    /** Validates names and that counts are non-negative and trainable does not exceed params. */
    public LayerCost {
        Objects.requireNonNull(name, "LayerCost.name");
        Objects.requireNonNull(type, "LayerCost.type");
        Objects.requireNonNull(outputType, "LayerCost.outputType");
        if (params < 0 || trainableParams < 0 || trainableParams > params || macs < 0) {
            throw new IllegalArgumentException("LayerCost(" + name + "): need 0 <= trainableParams <= params"
                    + " and macs >= 0, got params=" + params + ", trainableParams=" + trainableParams
                    + ", macs=" + macs);
        }
    }
}
