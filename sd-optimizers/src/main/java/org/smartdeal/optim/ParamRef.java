package org.smartdeal.optim;

/**
 * Names one parameter of a network: the layer (or graph vertex) name and the parameter key, e.g.
 * ("sd3", "C") or, for a built-in dense layer, ("layer0", "W").
 *
 * @param layerName layer name as in the configuration, non-blank
 * @param paramKey  parameter key as in the layer's ParamInitializer, non-blank
 */
public record ParamRef(String layerName, String paramKey) {

    /** Validates both names. */
    public ParamRef {
        if (layerName == null || layerName.isBlank()) {
            throw new IllegalArgumentException("ParamRef.layerName must be non-blank, got '" + layerName + "'");
        }
        if (paramKey == null || paramKey.isBlank()) {
            throw new IllegalArgumentException("ParamRef.paramKey must be non-blank, got '" + paramKey + "'");
        }
    }

    /** Shorthand for {@code new ParamRef(layerName, paramKey)}. */
    public static ParamRef of(String layerName, String paramKey) {
        return new ParamRef(layerName, paramKey);
    }

    @Override
    public String toString() {
        return layerName + "/" + paramKey;
    }
}
