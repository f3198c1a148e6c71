package org.smartdeal.layers;

import java.util.List;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.smartdeal.layers.params.SdParamInitializer;

/** Per-parameter updater and regularization routing shared by the SD layer configurations. */
final class SdLayerRouting {

    private static final FreezeUpdater FREEZE = new FreezeUpdater();

    private SdLayerRouting() {
    }

    static IUpdater updater(String param, IUpdater updater, IUpdater biasUpdater) {
        if (SdParamInitializer.MASK_KEY.equals(param)) {
            return FREEZE;
        }
        if (SdParamInitializer.BIAS_KEY.equals(param) && biasUpdater != null) {
            return biasUpdater;
        }
        return updater;
    }

    static List<Regularization> regularization(String param, List<Regularization> weights, List<Regularization> bias) {
        if (SdParamInitializer.MASK_KEY.equals(param)) {
            return List.of();
        }
        if (SdParamInitializer.BIAS_KEY.equals(param)) {
            return bias;
        }
        return weights;
    }
}
