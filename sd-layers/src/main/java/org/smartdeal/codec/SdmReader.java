package org.smartdeal.codec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads {@link SdmFile}s (format in {@link SdmFile}), validating everything before use: a
 * truncated, corrupt or foreign file gives an {@link SdmFormatException} naming the file and
 * section, never an OutOfMemoryError, a hang or silently wrong data.
 */
public final class SdmReader {

    /** Largest file this reader accepts (Java's array limit). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8L;

    /**
     * A file's content, its exact byte layout and the minor version it was written in.
     *
     * @param formatMinor the minor version of the file, in [0, {@link SdmFile#FORMAT_MINOR}]; below
     *                    {@link SdLayerCodec#UNIT_ROWS_SINCE_MINOR} its SD layers did not store R
     *                    and read with R = m
     */
    public record Result(SdmFile file, SdmLayout layout, int formatMinor) {
        /** Checks that neither part is null. */
        public Result {
            Objects.requireNonNull(file, "Result.file");
            Objects.requireNonNull(layout, "Result.layout");
        }
    }

    private SdmReader() {
    }

    /**
     * Reads and validates a file. It must be a regular file (after following links: a device such
     * as /dev/zero or a FIFO is rejected before it is opened), and at most its size is read.
     *
     * @throws SdmFormatException if the file is not a valid .sdm file
     * @throws IOException        if it cannot be read
     */
    public static Result read(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class); // follows links
        if (!attrs.isRegularFile()) {
            throw new SdmFormatException("file " + path + ": not a regular file (" + (attrs.isDirectory() ? "a folder"
                    : "a device, FIFO or socket") + "); an .sdm model must be a regular file");
        }
        long size = attrs.size();
        if (size > MAX_FILE_BYTES) {
            throw new SdmFormatException("file " + path + ": size " + size + " bytes exceeds the limit of "
                    + MAX_FILE_BYTES);
        }
        AtomicFiles.checkHeapFor(size, path);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes((int) size);
            if (bytes.length != size || in.read() != -1) {
                throw new SdmFormatException("file " + path + ": changed while being read (its size was " + size
                        + " bytes, then " + (bytes.length != size ? bytes.length : "more") + "); read it again when"
                        + " nothing writes to it");
            }
        }
        return read(bytes, path.toString());
    }

    /**
     * Reads and validates a file held in memory.
     *
     * @param bytes  the whole file; not modified
     * @param source the file name for error messages
     */
    public static Result read(byte[] bytes, String source) throws SdmFormatException {
        String file = "file " + source;
        checkMagic(bytes, file);
        ByteCursor head = new ByteCursor(bytes, 0, bytes.length, file + ", header");
        head.require(SdmFile.HEADER_BYTES, "header");
        head.bytes(8, "magic");
        int major = head.u16("major version");
        int minor = head.u16("minor version");
        long count = head.u32("section count");
        long storedCrc = head.u32("header CRC32C");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        if (crc.getValue() != storedCrc) {
            throw head.error("CRC32C mismatch: stored " + hex(storedCrc) + ", computed " + hex(crc.getValue()));
        }
        if (major != SdmFile.FORMAT_MAJOR || minor > SdmFile.FORMAT_MINOR) {
            throw head.error("unsupported format version " + major + "." + minor + " (this reader supports "
                    + SdmFile.FORMAT_MAJOR + ".0 to " + SdmFile.FORMAT_MAJOR + "." + SdmFile.FORMAT_MINOR
                    + (major == 1 ? "; convert the model again to write a 2.x file" : "") + ")");
        }
        boolean deflatedConfig = minor >= 1;
        long after = bytes.length - SdmFile.HEADER_BYTES;
        if (count < 2) {
            throw head.error("section count must be >= 2 (CONFIG and META), got " + count);
        }
        if (count > after / SectionInfo.FRAMING_BYTES) {
            throw head.error("section count " + count + " needs at least " + count * SectionInfo.FRAMING_BYTES
                    + " bytes after the header but only " + after + " follow (truncated or corrupt file)");
        }
        int n = (int) count;

        List<SectionInfo> infos = new ArrayList<>(n);
        String config = null;
        NetworkType networkType = null;
        Map<String, String> properties = null;
        List<SectionType> tocTypes = null;
        List<String> tocNames = null;
        List<SdmEntry> entries = new ArrayList<>();
        int pos = SdmFile.HEADER_BYTES;
        for (int i = 0; i < n; i++) {
            SectionType expectedType = i == 0 ? SectionType.CONFIG : i == 1 ? SectionType.META : tocTypes.get(i - 2);
            String expectedName = i < 2 ? expectedType.name() : tocNames.get(i - 2);
            String where = file + ", section " + i + " of " + n + " (" + expectedType
                    + (i >= 2 ? " '" + expectedName + "'" : "") + " at byte offset " + pos + ")";
            ByteCursor frame = new ByteCursor(bytes, pos, bytes.length, where);
            if (frame.remaining() < SectionInfo.FRAMING_BYTES) {
                throw frame.error("truncated: the file ends " + frame.remaining() + " bytes into this section"
                        + " (a section needs at least " + SectionInfo.FRAMING_BYTES + ")");
            }
            int typeCode = frame.u8("section type");
            long length = frame.u64("payload length");
            if (length > frame.remaining() - 4) {
                throw frame.error("payload length " + length + " exceeds the " + Math.max(0, frame.remaining() - 4)
                        + " bytes left before the CRC (truncated or corrupt)");
            }
            int payloadStart = frame.position();
            int payloadEnd = payloadStart + (int) length;
            CRC32C sc = new CRC32C();
            sc.update(bytes, pos, 9 + (int) length);
            ByteCursor crcCursor = new ByteCursor(bytes, payloadEnd, bytes.length, where);
            long stored = crcCursor.u32("CRC32C");
            if (sc.getValue() != stored) {
                throw frame.error("CRC32C mismatch: stored " + hex(stored) + ", computed " + hex(sc.getValue())
                        + " (corrupt file)");
            }
            SectionType type = SectionType.ofCode(typeCode);
            if (type != expectedType) {
                throw frame.error("section type must be " + expectedType + " (code " + expectedType.code() + "), got code "
                        + typeCode);
            }
            ByteCursor p = new ByteCursor(bytes, payloadStart, payloadEnd, where);
            StorageBreakdown codec = null;
            long denseWeights = 0;
            try {
                switch (type) {
                    case CONFIG -> config = deflatedConfig ? inflateConfig(p, length)
                            : p.utf8(p.bytes(length, "configuration"), "configuration");
                    case META -> {
                        int nt = p.u8("network type");
                        networkType = NetworkType.ofCode(nt);
                        if (networkType == null) {
                            throw p.error("network type must be 0, 1 or 2, got " + nt);
                        }
                        long props = p.u32("property count");
                        if (props > p.remaining() / 8) {
                            throw p.error("property count " + props + " exceeds what " + p.remaining() + " bytes can hold");
                        }
                        properties = new LinkedHashMap<>();
                        for (long k = 0; k < props; k++) {
                            String key = p.string("property key");
                            properties.put(key, p.string("property '" + key + "'"));
                        }
                        long e = p.u32("entry count");
                        if (e != n - 2) {
                            throw p.error("table of contents lists " + e + " entries but the header declares "
                                    + (n - 2) + " entry sections");
                        }
                        tocTypes = new ArrayList<>();
                        tocNames = new ArrayList<>();
                        for (long k = 0; k < e; k++) {
                            int code = p.u8("entry type");
                            SectionType t = SectionType.ofCode(code);
                            if (t != SectionType.SD_LAYER && t != SectionType.FLOAT_ARRAY) {
                                throw p.error("entry " + k + " type must be 3 (SD_LAYER) or 4 (FLOAT_ARRAY), got " + code);
                            }
                            tocTypes.add(t);
                            tocNames.add(p.string("entry " + k + " name"));
                        }
                    }
                    case SD_LAYER -> {
                        StorageBreakdown[] layerBits = new StorageBreakdown[1];
                        entries.add(readSdLayer(p, where, expectedName, minor, layerBits));
                        codec = layerBits[0];
                    }
                    case FLOAT_ARRAY -> {
                        FloatArrayEntry entry = readFloatArray(p, expectedName);
                        entries.add(entry);
                        denseWeights = entry.role() == FloatArrayEntry.Role.DENSE_WEIGHT ? entry.values().length : 0;
                    }
                    default -> throw p.error("unexpected section type " + type);
                }
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new SdmFormatException(where + ": " + e.getMessage(), e);
            }
            if (p.remaining() != 0) {
                throw p.error(p.remaining() + " unread bytes at the end of the payload");
            }
            infos.add(new SectionInfo(i, type, expectedName, pos, length,
                    SdmWriter.sectionBreakdown(codec, denseWeights, length)));
            pos = payloadEnd + 4;
        }
        if (pos != bytes.length) {
            throw new SdmFormatException(file + ": " + (bytes.length - pos) + " trailing bytes after the last section"
                    + " (at byte offset " + pos + ")");
        }
        try {
            SdmFile content = new SdmFile(networkType, config, properties, entries);
            return new Result(content, new SdmLayout(SdmFile.HEADER_BYTES, infos), minor);
        } catch (IllegalArgumentException e) {
            throw new SdmFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static SdLayerEntry readSdLayer(ByteCursor p, String where, String expectedName, int minor,
                                            StorageBreakdown[] layerBits) throws SdmFormatException {
        String name = readName(p, expectedName);
        String prefix = p.string("param key prefix");
        long[] shape = readShape(p, 1, "weight shape");
        int flags = p.u8("flags");
        if (flags > (minor >= 2 ? 2 : 1)) {
            throw p.error("flags must be 0 (no mask), 1 (mask bitmap)" + (minor >= 2 ? " or 2 (masked-in zero list)" : "")
                    + " in format 2." + minor + ", got " + flags);
        }
        long encLength = p.u32("encoded layer length");
        byte[] enc = p.bytes(encLength, "encoded layer");
        DecodedLayer decoded = SdLayerCodec.decode(enc, where + ", encoded layer", minor);
        layerBits[0] = decoded.breakdown();
        boolean[] mask = null;
        if ((flags & 1) != 0) {
            int entries = decoded.layer().c().length;
            byte[] bits = p.bytes((entries + 7L) / 8, "mask of " + entries + " entries");
            BitReader r = new BitReader(bits, where + ", mask");
            mask = new boolean[entries];
            for (int i = 0; i < entries; i++) {
                mask[i] = r.readBit() != 0;
            }
            r.alignToByte();
        } else if (flags == 2) {
            mask = MaskedZeros.decode(p, decoded.layer().c(), where);
        }
        return new SdLayerEntry(name, prefix, shape, decoded.layer(), mask);
    }

    private static FloatArrayEntry readFloatArray(ByteCursor p, String expectedName) throws SdmFormatException {
        String name = readName(p, expectedName);
        int role = p.u8("role");
        if (role > 1) {
            throw p.error("role must be 0 (OTHER) or 1 (DENSE_WEIGHT), got " + role);
        }
        long[] shape = readShape(p, 0, "shape");
        long count = FloatArrayEntry.product(shape, "shape");
        float[] values = p.floats(count, "values");
        return new FloatArrayEntry(name, FloatArrayEntry.Role.values()[role], shape, values);
    }

    private static String readName(ByteCursor p, String expectedName) throws SdmFormatException {
        String name = p.string("name");
        if (!name.equals(expectedName)) {
            throw p.error("entry name '" + name + "' differs from the table of contents ('" + expectedName + "')");
        }
        return name;
    }

    private static long[] readShape(ByteCursor p, int minRank, String what) throws SdmFormatException {
        int rank = p.u8(what + " rank");
        if (rank < minRank || rank > FloatArrayEntry.MAX_RANK) {
            throw p.error(what + " rank must be in [" + minRank + ", " + FloatArrayEntry.MAX_RANK + "], got " + rank);
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = p.u64(what + "[" + i + "]");
        }
        return shape;
    }

    private static void checkMagic(byte[] bytes, String file) throws SdmFormatException {
        boolean ok = bytes.length >= SdmFile.MAGIC.length;
        for (int i = 0; ok && i < SdmFile.MAGIC.length; i++) {
            ok = bytes[i] == SdmFile.MAGIC[i];
        }
        if (ok) {
            return;
        }
        String found = HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(8, bytes.length));
        String hint = "";
        if (bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
            hint = " (this is a ZIP file, e.g. a DL4J ModelSerializer model: load it with ModelSerializer)";
        } else if (bytes.length >= 6 && (bytes[0] & 0xFF) == 0x93 && bytes[1] == 'N' && bytes[2] == 'U') {
            hint = " (this is a NumPy .npy file)";
        } else if (bytes.length < SdmFile.MAGIC.length) {
            hint = " (file has only " + bytes.length + (bytes.length == 1 ? " byte)" : " bytes)");
        }
        throw new SdmFormatException(file + ": not an .sdm file: magic number must be "
                + HexFormat.ofDelimiter(" ").formatHex(SdmFile.MAGIC) + ", found [" + found + "]" + hint);
    }

    private static String hex(long v) {
        return String.format("0x%08x", v);
    }

    /**
     * Largest ratio of inflated to deflated bytes deflate can reach (a 258-byte match coded in
     * 2 bits, zlib's "1032:1"); a stated length beyond it cannot be true.
     */
    static final int MAX_DEFLATE_RATIO = 1032;
    /** First capacity of the inflation buffer, which then doubles up to the stated length. */
    static final int INFLATE_START_BYTES = 8192;

    /**
     * CONFIG since format 2.1: u32 U, then a zlib stream inflating to exactly U bytes of UTF-8 JSON.
     * U is checked against the format's limit and against what the stream's length can inflate to
     * (deflate's maximum ratio), and the output buffer grows with the bytes actually inflated, so
     * a small file cannot make the reader allocate the stated length.
     */
    static String inflateConfig(ByteCursor p, long length) throws SdmFormatException {
        long inflated = p.u32("inflated configuration length");
        if (inflated > SdmFile.MAX_CONFIG_BYTES) {
            throw p.error("inflated configuration length " + inflated + " exceeds the format's limit of "
                    + SdmFile.MAX_CONFIG_BYTES + " bytes");
        }
        long deflated = Math.max(0, length - 4);
        if (inflated > MAX_DEFLATE_RATIO * deflated) {
            throw p.error("inflated configuration length " + inflated + " exceeds what " + deflated
                    + " deflated bytes can hold (at most " + MAX_DEFLATE_RATIO * deflated + "; corrupt file)");
        }
        byte[] packed = p.bytes(length - 4, "deflated configuration");
        byte[] out = new byte[(int) Math.min(inflated, INFLATE_START_BYTES)];
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        try {
            inf.setInput(packed);
            int n = 0;
            while (n < inflated) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, (int) Math.min(inflated, 2L * out.length));
                }
                int got = inf.inflate(out, n, out.length - n);
                if (got == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n == inflated && !inf.finished() && inf.inflate(new byte[1]) > 0) {
                n++; // the stream holds more than the stated length
            }
            if (n != inflated || !inf.finished() || inf.getRemaining() != 0) {
                throw p.error("deflated configuration does not inflate to exactly the stated " + inflated
                        + " bytes (" + (n > inflated ? "more" : n + (inf.finished() ? "" : ", stream unfinished"))
                        + (inf.getRemaining() != 0 ? ", " + inf.getRemaining() + " bytes after the stream" : "")
                        + "; corrupt file)");
            }
        } catch (java.util.zip.DataFormatException e) {
            throw p.error("deflated configuration is not a valid zlib stream: " + e.getMessage());
        } finally {
            inf.end();
        }
        return p.utf8(out, "configuration");
    }
}
