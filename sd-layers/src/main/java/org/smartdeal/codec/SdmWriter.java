package org.smartdeal.codec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/** Writes {@link SdmFile}s in the format described there. */
public final class SdmWriter {

    /** The bytes of a file and their layout. */
    public record Serialized(byte[] bytes, SdmLayout layout) {
        /** Checks that the layout accounts for every byte. */
        public Serialized {
            Objects.requireNonNull(bytes, "Serialized.bytes");
            Objects.requireNonNull(layout, "Serialized.layout");
            if (layout.fileBytes() != bytes.length) {
                throw new IllegalArgumentException("Serialized: layout of " + layout.fileBytes() + " bytes != "
                        + bytes.length + " bytes");
            }
        }
    }

    private SdmWriter() {
    }

    /**
     * Writes the file atomically (temporary file, fsync, atomic rename).
     *
     * @return the exact layout of what was written
     */
    public static SdmLayout write(Path target, SdmFile file) throws IOException {
        Serialized s = serialize(file);
        AtomicFiles.write(target, s.bytes());
        return s.layout();
    }

    /** Serializes the file in memory. */
    public static Serialized serialize(SdmFile file) {
        return serialize(file, SdmFile.FORMAT_MINOR);
    }

    /**
     * Serializes the file in format 2.{@code formatMinor}: the current one, or 2.3 (SD layers with one
     * B scale per layer, as written before 2.4; every layer's B must have all shifts 0), which tests
     * use to check how older files read.
     */
    static Serialized serialize(SdmFile file, int formatMinor) {
        if (formatMinor != SdmFile.FORMAT_MINOR && formatMinor != SdLayerCodec.SLICE_SCALES_SINCE_MINOR - 1) {
            throw new IllegalArgumentException("SdmWriter.serialize: formatMinor must be "
                    + (SdLayerCodec.SLICE_SCALES_SINCE_MINOR - 1) + " or " + SdmFile.FORMAT_MINOR + ", got " + formatMinor);
        }
        try {
            return doSerialize(file, formatMinor);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory stream failed", e);
        }
    }

    /** CONFIG payload since format 2.1: u32 inflated length, then the zlib stream (level 9, deterministic). */
    private static byte[] deflatedConfig(String json) throws IOException {
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > SdmFile.MAX_CONFIG_BYTES) {
            throw new IllegalArgumentException("configuration JSON is " + utf8.length + " bytes; the format allows at most "
                    + SdmFile.MAX_CONFIG_BYTES);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(utf8.length / 4 + 16);
        new DataOutputStream(out).writeInt(utf8.length);
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION);
        try {
            d.setInput(utf8);
            d.finish();
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
        } finally {
            d.end();
        }
        return out.toByteArray();
    }

    private static Serialized doSerialize(SdmFile file, int formatMinor) throws IOException {
        List<Section> sections = new ArrayList<>();
        sections.add(new Section(SectionType.CONFIG, "CONFIG", deflatedConfig(file.configJson()), null, 0));

        ByteArrayOutputStream metaBytes = new ByteArrayOutputStream();
        DataOutputStream meta = new DataOutputStream(metaBytes);
        meta.writeByte(file.networkType().code());
        meta.writeInt(file.properties().size());
        for (Map.Entry<String, String> p : file.properties().entrySet()) {
            writeString(meta, p.getKey());
            writeString(meta, p.getValue());
        }
        meta.writeInt(file.entries().size());
        for (SdmEntry e : file.entries()) {
            meta.writeByte(e.sectionType().code());
            writeString(meta, e.name());
        }
        sections.add(new Section(SectionType.META, "META", metaBytes.toByteArray(), null, 0));

        for (SdmEntry e : file.entries()) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(raw);
            writeString(out, e.name());
            if (e instanceof SdLayerEntry s) {
                writeString(out, s.paramPrefix());
                writeShape(out, s.weightShape());
                StoredMask mask = StoredMask.of(s);
                out.writeByte(mask.flags());
                EncodedLayer enc = SdLayerCodec.encode(s.layer(), formatMinor);
                out.writeInt(enc.bytes().length);
                out.write(enc.bytes());
                out.write(mask.bytes());
                out.flush();
                sections.add(new Section(SectionType.SD_LAYER, e.name(), raw.toByteArray(), enc.breakdown(), 0));
            } else if (e instanceof FloatArrayEntry f) {
                out.writeByte(f.role().ordinal());
                writeShape(out, f.shape());
                for (float v : f.values()) {
                    out.writeInt(Float.floatToRawIntBits(v));
                }
                out.flush();
                long dense = f.role() == FloatArrayEntry.Role.DENSE_WEIGHT ? f.values().length : 0;
                sections.add(new Section(SectionType.FLOAT_ARRAY, e.name(), raw.toByteArray(), null, dense));
            }
        }

        ByteArrayOutputStream fileBytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(fileBytes);
        out.write(SdmFile.MAGIC);
        out.writeShort(SdmFile.FORMAT_MAJOR);
        out.writeShort(formatMinor);
        out.writeInt(sections.size());
        out.flush();
        CRC32C headerCrc = new CRC32C();
        headerCrc.update(fileBytes.toByteArray(), 0, 16);
        out.writeInt((int) headerCrc.getValue());
        List<SectionInfo> infos = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            out.flush();
            long offset = fileBytes.size();
            byte[] frame = new byte[9];
            frame[0] = (byte) s.type.code();
            long len = s.payload.length;
            for (int b = 0; b < 8; b++) {
                frame[1 + b] = (byte) (len >>> (56 - 8 * b));
            }
            CRC32C crc = new CRC32C();
            crc.update(frame);
            crc.update(s.payload);
            out.write(frame);
            out.write(s.payload);
            out.writeInt((int) crc.getValue());
            infos.add(new SectionInfo(i, s.type, s.name, offset, len, s.breakdown(len)));
        }
        out.flush();
        return new Serialized(fileBytes.toByteArray(), new SdmLayout(SdmFile.HEADER_BYTES, infos));
    }

    /**
     * How an SD layer's mask is stored: its flags value and the bytes after the encoded layer.
     * None (flags 0) when the mask is C != 0; otherwise the smaller of flags 2, the list of
     * masked-in zeros ({@link MaskedZeros}), and flags 1, the bitmap (1 bit per entry of packed C).
     * A tie goes to the bitmap; a mask that leaves out a non-zero of C can only be a bitmap.
     */
    private record StoredMask(int flags, byte[] bytes) {

        static StoredMask of(SdLayerEntry s) {
            if (!s.hasExplicitMask()) {
                return new StoredMask(0, new byte[0]);
            }
            boolean[] mask = s.mask();
            long bitmapBytes = (mask.length + 7L) / 8;
            int[] zeros = MaskedZeros.positions(mask, s.layer().c());
            if (zeros != null && zeros.length > 0) {
                byte[] list = MaskedZeros.encode(zeros);
                if (list.length < bitmapBytes) {
                    return new StoredMask(2, list);
                }
            }
            BitWriter bits = new BitWriter();
            for (boolean b : mask) {
                bits.writeBit(b ? 1 : 0);
            }
            return new StoredMask(1, bits.toByteArray());
        }
    }

    private record Section(SectionType type, String name, byte[] payload, StorageBreakdown codec, long denseWeights) {
        StorageBreakdown breakdown(long payloadBytes) {
            long totalBits = 8 * (payloadBytes + SectionInfo.FRAMING_BYTES);
            StorageBreakdown known = codec != null ? codec : StorageBreakdown.denseWeights(denseWeights);
            return known.plus(StorageBreakdown.other(totalBits - known.totalBits()));
        }
    }

    static StorageBreakdown sectionBreakdown(StorageBreakdown codec, long denseWeights, long payloadBytes) {
        return new Section(SectionType.CONFIG, "", new byte[0], codec, denseWeights).breakdown(payloadBytes);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeShape(DataOutputStream out, long[] shape) throws IOException {
        out.writeByte(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
    }
}
