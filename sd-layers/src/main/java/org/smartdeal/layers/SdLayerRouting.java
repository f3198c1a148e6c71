package org.smartdeal.layers;

import java.util.List;
import java.util.Set;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Per-parameter updater and regularization routing shared by the SD layer configurations: the mask M
 * is always frozen ({@link FreezeUpdater}, no regularization); a parameter with an entry in the
 * layer's {@link SdParamTraining} uses it; otherwise b uses the bias settings and C and B the weight
 * settings, as in DL4J's {@code BaseLayer}.
 */
final class SdLayerRouting {

    private static final FreezeUpdater FREEZE = new FreezeUpdater();
    /** Parameters that never train: the mask. */
    static final Set<String> FROZEN_KEYS = Set.of(SdParamInitializer.MASK_KEY);

    private SdLayerRouting() {
    }

    /** @return whether the parameter never trains (the mask M) */
    static boolean isFrozen(String param) {
        return FROZEN_KEYS.contains(param);
    }

    static IUpdater updater(String param, SdParamTraining perParam, IUpdater updater, IUpdater biasUpdater) {
        if (isFrozen(param)) {
            return FREEZE;
        }
        IUpdater own = perParam == null ? null : perParam.updater(param);
        if (own != null) {
            return own;
        }
        if (SdParamInitializer.BIAS_KEY.equals(param) && biasUpdater != null) {
            return biasUpdater;
        }
        return updater;
    }

    static List<Regularization> regularization(String param, SdParamTraining perParam, List<Regularization> weights,
            List<Regularization> bias) {
        if (isFrozen(param)) {
            return List.of();
        }
        List<Regularization> own = perParam == null ? null : perParam.regularization(param);
        if (own != null) {
            return own;
        }
        if (SdParamInitializer.BIAS_KEY.equals(param)) {
            return bias;
        }
        return weights;
    }

    /**
     * Validates and records one parameter's training settings.
     *
     * @param where    layer description for errors ({@link SdConfigs#where})
     * @param keys     the layer's parameter keys
     * @param perParam the current routing, or null
     * @return the routing holding the new entry (a new one when {@code perParam} was null)
     * @throws IllegalArgumentException for M (frozen) or a key the layer does not have
     */
    static SdParamTraining set(String where, List<String> keys, SdParamTraining perParam, String param,
            IUpdater updater, List<Regularization> regularization) {
        if (isFrozen(param)) {
            throw new IllegalArgumentException(where + ": parameter '" + param + "' is frozen (the mask) and takes "
                    + "no updater");
        }
        if (!keys.contains(param)) {
            throw new IllegalArgumentException(where + " has no parameter '" + param + "'; its keys are " + keys);
        }
        SdParamTraining p = perParam == null ? new SdParamTraining() : perParam;
        p.set(param, updater, regularization);
        return p;
    }
}
