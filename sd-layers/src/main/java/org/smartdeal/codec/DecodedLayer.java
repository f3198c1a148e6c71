package org.smartdeal.codec;

import java.util.Objects;

/**
 * The result of {@link SdLayerCodec#decode}: the layer, the index mode found in the bytes and
 * the storage breakdown of those bytes (equal to the encoder's).
 *
 * @param layer     the decoded layer (C exact, B as stored int8)
 * @param indexMode the index mode recorded in the bytes
 * @param breakdown bits by kind, summing to 8 * the number of bytes decoded
 */
public record DecodedLayer(SdLayerData layer, IndexMode indexMode, StorageBreakdown breakdown) {

    /** Checks that no component is null. */
    public DecodedLayer {
        Objects.requireNonNull(layer, "DecodedLayer.layer");
        Objects.requireNonNull(indexMode, "DecodedLayer.indexMode");
        Objects.requireNonNull(breakdown, "DecodedLayer.breakdown");
    }
}
