package org.smartdeal.zoo.sweep;

import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;

/**
 * One sample of {@link SdHyperparameterSpace}: the SD settings of one layer. A null field was not part
 * of the space, so the layer builder's default (SdLayer.DEFAULT_*) stays. The values are validated
 * by the layer builders (the error names the layer, field, range and value).
 *
 * @param sliceRows  maximum slice height m, or null
 * @param basisWidth basis width n, or null
 * @param theta      threshold of the projection P, or null
 * @param maxCoeff   clamp of |P(c)|, or null
 */
public record SdHyperparameters(Integer sliceRows, Integer basisWidth, Double theta, Double maxCoeff) {

    /**
     * Calls each setter whose value is set, for example
     * {@code applyTo(b::sliceRows, b::basisWidth, b::theta, b::maxCoeff)} on an SD layer builder {@code b}.
     */
    public void applyTo(IntConsumer sliceRowsSetter, IntConsumer basisWidthSetter, DoubleConsumer thetaSetter,
            DoubleConsumer maxCoeffSetter) {
        if (sliceRows != null) {
            sliceRowsSetter.accept(sliceRows);
        }
        if (basisWidth != null) {
            basisWidthSetter.accept(basisWidth);
        }
        if (theta != null) {
            thetaSetter.accept(theta);
        }
        if (maxCoeff != null) {
            maxCoeffSetter.accept(maxCoeff);
        }
    }
}
