package org.smartdeal.optim;

import java.util.List;
import java.util.Set;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Implemented by a layer configuration whose {@code getUpdaterByParam} / {@code getRegularizationByParam}
 * can answer per parameter key (DL4J's built-in {@code BaseLayer} only distinguishes weights from biases).
 * {@link SdUpdaterRouting} calls it for every trainable parameter of the layer.
 *
 * <p>Intended for SD layers (params C, B, M, b): C gets {@link BucketSwitch}, B and b SGD with momentum,
 * M stays frozen. Because sd-layers must not depend on sd-optimizers, this interface (which only uses
 * ND4J types) is meant to move to sd-layers when the SD layers are wired; the routing code only needs
 * its import changed.
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
     */
    void setParamTraining(String paramKey, IUpdater updater, List<Regularization> regularization);
}
