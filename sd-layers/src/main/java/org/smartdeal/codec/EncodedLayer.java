package org.smartdeal.codec;

import java.util.Objects;

/**
 * The bytes of one encoded SD layer with its exact storage breakdown
 * ({@code breakdown.totalBits() == 8 * bytes.length}).
 *
 * @param bytes     the encoding; held, not copied
 * @param breakdown bits by kind
 * @param indexMode the index mode that was chosen
 * @param nonZeros  number of non-zeros of C
 */
public record EncodedLayer(byte[] bytes, StorageBreakdown breakdown, IndexMode indexMode, long nonZeros) {

    /** Validates that the breakdown accounts for every byte. */
    public EncodedLayer {
        Objects.requireNonNull(bytes, "EncodedLayer.bytes");
        Objects.requireNonNull(breakdown, "EncodedLayer.breakdown");
        Objects.requireNonNull(indexMode, "EncodedLayer.indexMode");
        if (breakdown.totalBits() != 8L * bytes.length) {
            throw new IllegalArgumentException("EncodedLayer: breakdown total " + breakdown.totalBits()
                    + " bits != 8 * " + bytes.length + " bytes");
        }
    }
}
