package org.smartdeal.codec;

import java.util.Objects;

/**
 * Where one section lies in an {@code .sdm} file and what its bytes are spent on.
 *
 * @param index        position of the section (0 = CONFIG, 1 = META, 2.. entries)
 * @param type         the section type
 * @param name         the entry name for SD_LAYER and FLOAT_ARRAY, else the type's name
 * @param offset       byte offset of the section's type byte in the file
 * @param payloadBytes bytes of the payload (the section occupies payload + 13 bytes)
 * @param breakdown    the section's bits by kind; {@code breakdown.totalBits() == 8 * totalBytes()}
 */
public record SectionInfo(int index, SectionType type, String name, long offset, long payloadBytes,
                          StorageBreakdown breakdown) {

    /** Bytes of framing around each payload: u8 type, u64 length, u32 CRC32C. */
    public static final int FRAMING_BYTES = 13;

    /** Validates the fields and that the breakdown accounts for every byte. */
    public SectionInfo {
        Objects.requireNonNull(type, "SectionInfo.type");
        Objects.requireNonNull(name, "SectionInfo.name");
        Objects.requireNonNull(breakdown, "SectionInfo.breakdown");
        if (breakdown.totalBits() != 8 * (payloadBytes + FRAMING_BYTES)) {
            throw new IllegalArgumentException("SectionInfo(" + index + ", " + name + "): breakdown of "
                    + breakdown.totalBits() + " bits != 8 * " + (payloadBytes + FRAMING_BYTES) + " bytes");
        }
    }

    /** Bytes the section occupies in the file, framing included. */
    public long totalBytes() {
        return payloadBytes + FRAMING_BYTES;
    }
}
