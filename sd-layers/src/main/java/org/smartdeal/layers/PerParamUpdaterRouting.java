package org.smartdeal.layers;

import java.util.List;
import java.util.Set;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Implemented by a layer configuration whose {@code getUpdaterByParam} / {@code getRegularizationByParam}
 * can answer per parameter key (DL4J's built-in {@code BaseLayer} only distinguishes weights from biases).
 * {@code org.smartdeal.optim.SdUpdaterRouting} (and {@code SdTraining.configure}) call it for every
 * trainable parameter of the layer.
 *
 * <p>The SD layers ({@link SdDenseLayer}, {@link SdOutputLayer}, {@link SdConvolutionLayer},
 * {@link SdDepthwiseConvolutionLayer}) implement it:
 * C gets the bucket switch, B and b SGD with momentum, and the mask M stays frozen
 * ({@link FreezeUpdater}, no regularization). The settings are part of the layer configuration and its
 * JSON. The interface lives here, with the layers, because sd-layers does not depend on sd-optimizers.
 */
public interface PerParamUpdaterRouting {

    /**
     * Parameter keys that are never trained (e.g. the mask "M"); routing leaves them untouched and
     * the layer keeps a freezing updater for them.
     */
    default Set<String> frozenParamKeys() {
        return Set.of();
    }

    /**
     * Sets the updater and the regularizations (applied in list order) of one parameter.
     *
     * @param paramKey       a key of the layer's ParamInitializer, not in {@link #frozenParamKeys()}
     * @param updater        the updater for this parameter (a private copy)
     * @param regularization the regularizations for this parameter, in order
     * @throws IllegalArgumentException for a frozen key or a key the layer does not have
     */
    void setParamTraining(String paramKey, IUpdater updater, List<Regularization> regularization);
}
