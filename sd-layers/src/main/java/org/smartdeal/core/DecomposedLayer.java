package org.smartdeal.core;

/**
 * A decomposition together with the rebuilt weight W = C*B in the input's weight shape.
 *
 * @param decomposition the SD form
 * @param weight the rebuilt weight (double, C order, layout.weightShape())
 */
public record DecomposedLayer(LayerDecomposition decomposition, double[] weight) {
}
