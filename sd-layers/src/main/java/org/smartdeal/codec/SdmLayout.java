package org.smartdeal.codec;

import java.util.List;
import java.util.Objects;

/**
 * The exact byte layout of an {@code .sdm} file: header plus sections, whose sizes add up to
 * the file size. Returned by {@link SdmWriter} and {@link SdmReader} so that storage accounting
 * can be compared with the file.
 *
 * @param headerBytes size of the file header (20)
 * @param sections    every section in file order
 */
public record SdmLayout(int headerBytes, List<SectionInfo> sections) {

    /** Copies the section list. */
    public SdmLayout {
        Objects.requireNonNull(sections, "SdmLayout.sections");
        sections = List.copyOf(sections);
    }

    /** Size of the whole file in bytes. */
    public long fileBytes() {
        long total = headerBytes;
        for (SectionInfo s : sections) {
            total += s.totalBytes();
        }
        return total;
    }

    /** Bytes taken by all sections of one type, framing included. */
    public long bytesOf(SectionType type) {
        long total = 0;
        for (SectionInfo s : sections) {
            total += s.type() == type ? s.totalBytes() : 0;
        }
        return total;
    }

    /**
     * The whole file's bits by kind: SD layer index/C/tables/B, dense-left weights, and
     * everything else (header, framing, CONFIG, META, names, masks, other float arrays) as
     * other bits. {@code totalBreakdown().totalBits() == 8 * fileBytes()} exactly.
     */
    public StorageBreakdown totalBreakdown() {
        StorageBreakdown sum = StorageBreakdown.other(8L * headerBytes);
        for (SectionInfo s : sections) {
            sum = sum.plus(s.breakdown());
        }
        return sum;
    }
}
