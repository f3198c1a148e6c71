package org.smartdeal.layers.impl;

/**
 * What every SD runtime layer offers beyond DL4J's {@link org.deeplearning4j.nn.api.Layer}: the
 * inference cache of the rebuilt weight W (see {@link SdLayerCore}). The option is a runtime setting
 * of one layer instance: it is not part of the configuration, not serialised, and a cloned or
 * restored network starts with it off. Use {@link org.smartdeal.layers.SdInferenceCache} to set it on
 * a whole network.
 */
public interface SdRuntimeLayer {

    /**
     * Turns the inference cache on or off. When on, inference forward passes rebuild W once and
     * reuse it until a training forward pass, a backward pass (any fit step) or a parameter setter
     * drops it (so does {@code paramTable()}, through which DL4J's network-level {@code setParamTable}
     * writes); training always rebuilds W at every step. Writing into the parameter arrays by other
     * means (for example {@code network.setParams(...)}, which copies into the existing flat
     * parameter array without telling the layers) requires {@link #invalidateWeightCache()}.
     *
     * @param enabled true to cache W for inference
     */
    void setInferenceCache(boolean enabled);

    /** @return whether the inference cache is on */
    boolean isInferenceCacheEnabled();

    /** @return whether the next inference forward pass would reuse a cached W instead of rebuilding it */
    boolean isInferenceCacheValid();

    /** Drops the cached W, if any: the next forward pass rebuilds it from the current parameters. */
    void invalidateWeightCache();
}
