package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdmFileTest {

    @TempDir
    Path dir;

    static SdmFile sampleFile() {
        return sampleFile(SdmFile.FORMAT_MINOR);
    }

    /**
     * The sample file with B quantized as format 2.{@code formatMinor} stores it: a scale per slice
     * (2.4), or one scale per layer (2.3 and before, every shift 0).
     */
    static SdmFile sampleFile(int formatMinor) {
        Random rnd = new Random(77);
        double[] c1 = SdLayerCodecTest.randomC(rnd, 4, 6, 3, 0.3, 0.5, -6, 1);
        SdLayerData fc1 = new SdLayerData(4, 6, 3, c1, basis(SdLayerCodecTest.randomB(rnd, 4, 3), 4, formatMinor));
        double[] c2 = SdLayerCodecTest.randomC(rnd, 2, 3, 3, 0.0, 0.3, -3, 0);
        SdLayerData conv = new SdLayerData(2, 3, 3, c2, basis(SdLayerCodecTest.randomB(rnd, 2, 3), 2, formatMinor));
        boolean[] mask = new boolean[c2.length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = c2[i] != 0;
        }
        mask[0] = !mask[0]; // differs from C != 0 in entry 0
        Map<String, String> props = new LinkedHashMap<>();
        props.put("theta", "0.004");
        props.put("note", "größe µ");
        List<SdmEntry> entries = List.of(
                SdLayerEntry.of("fc1", "0_", new long[] {20, 3}, fc1),
                FloatArrayEntry.of("0_b", new long[] {1, 3}, new float[] {0.5f, -1.25f, 3e-8f}),
                new SdLayerEntry("conv1", "1_", new long[] {2, 1, 3, 3}, conv, mask),
                new FloatArrayEntry("2_W", FloatArrayEntry.Role.DENSE_WEIGHT, new long[] {3, 2},
                        new float[] {1, 2, 3, 4, 5, -Float.MIN_VALUE}),
                FloatArrayEntry.of("scalar", new long[0], new float[] {7f}),
                FloatArrayEntry.of("empty", new long[] {0, 4}, new float[0]));
        return new SdmFile(NetworkType.MULTI_LAYER_NETWORK, "{\"layers\":[\"dense\",\"α\"]}", props, entries);
    }

    /** B of {@code slices} slices as a file of format 2.{@code formatMinor} holds it. */
    static Int8Basis basis(double[] b, int slices, int formatMinor) {
        if (formatMinor >= SdLayerCodec.SLICE_SCALES_SINCE_MINOR) {
            return Int8Basis.quantize(b, slices);
        }
        Int8Basis one = Int8Basis.quantize(b);
        return Int8Basis.oneScale(one.values(), one.fracBits(), slices);
    }

    static byte[] sampleBytes() {
        return SdmWriter.serialize(sampleFile()).bytes();
    }

    /** The sample file written in format 2.3 (one B scale per layer), as a writer before 2.4 did. */
    private static byte[] sampleBytes23() {
        return SdmWriter.serialize(sampleFile(3), 3).bytes();
    }

    /** Recomputes the CRC32C of the section starting at {@code offset} (to craft valid-CRC bad payloads). */
    static void fixSectionCrc(byte[] b, int offset) {
        long len = 0;
        for (int i = 0; i < 8; i++) {
            len = (len << 8) | (b[offset + 1 + i] & 0xFF);
        }
        CRC32C crc = new CRC32C();
        crc.update(b, offset, 9 + (int) len);
        int at = offset + 9 + (int) len;
        int v = (int) crc.getValue();
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Recomputes the header CRC32C (to craft files with another version). */
    static void fixHeaderCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, 16);
        int v = (int) crc.getValue();
        b[16] = (byte) (v >>> 24);
        b[17] = (byte) (v >>> 16);
        b[18] = (byte) (v >>> 8);
        b[19] = (byte) v;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    @Test
    void roundTripsThroughDiskWithExactLayout() throws Exception {
        SdmFile file = sampleFile();
        Path target = dir.resolve("model.sdm");
        SdmLayout written = SdmWriter.write(target, file);
        SdmReader.Result read = SdmReader.read(target);
        assertEquals(file, read.file());
        assertEquals(written, read.layout());
        assertEquals(Files.size(target), written.fileBytes());
        assertEquals(8 * Files.size(target), written.totalBreakdown().totalBits());
        // the mask that differs from C != 0 survives; the other layer has none
        SdLayerEntry conv = read.file().sdLayer("conv1").orElseThrow();
        assertArrayEquals(file.sdLayer("conv1").orElseThrow().mask(), conv.mask());
        assertNull(read.file().sdLayer("fc1").orElseThrow().mask());
        assertEquals(NetworkType.MULTI_LAYER_NETWORK, read.file().networkType());
        assertEquals("größe µ", read.file().properties().get("note"));
        assertEquals(-Float.MIN_VALUE, read.file().floatArray("2_W").orElseThrow().values()[5]);
    }

    @Test
    void headerAndSectionSizesMatchTheSpec() {
        SdmWriter.Serialized s = SdmWriter.serialize(sampleFile());
        byte[] b = s.bytes();
        assertArrayEquals(SdmFile.MAGIC, Arrays.copyOf(b, 8));
        assertArrayEquals(new byte[] {0, 2, 0, 4, 0, 0, 0, 8}, Arrays.copyOfRange(b, 8, 16)); // v2.4, 8 sections
        List<SectionInfo> sec = s.layout().sections();
        assertEquals(8, sec.size());
        assertEquals(20, sec.get(0).offset());
        for (int i = 1; i < sec.size(); i++) {
            assertEquals(sec.get(i - 1).offset() + sec.get(i - 1).totalBytes(), sec.get(i).offset());
        }
        // CONFIG payload: u32 inflated length = the UTF-8 JSON's length, then the zlib stream of the JSON.
        byte[] json = sampleFile().configJson().getBytes(StandardCharsets.UTF_8);
        int cfg = (int) sec.get(0).offset() + 9;
        assertEquals(json.length, java.nio.ByteBuffer.wrap(b, cfg, 4).getInt());
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        inf.setInput(b, cfg + 4, (int) sec.get(0).payloadBytes() - 4);
        byte[] back = new byte[json.length];
        assertEquals(json.length, assertDoesNotThrow(() -> inf.inflate(back)));
        assertTrue(inf.finished());
        inf.end();
        assertArrayEquals(json, back);
        // FLOAT_ARRAY '0_b': str name (4 + 3) + role 1 + rank 1 + 2 x 8 dims + 3 x 4 values = 37
        SectionInfo bias = sec.get(3);
        assertEquals("0_b", bias.name());
        assertEquals(37, bias.payloadBytes());
        assertEquals(8 * (37 + 13), bias.breakdown().otherBits());
        // DENSE_WEIGHT '2_W': 6 weights -> 192 dense-weight bits
        assertEquals(192, sec.get(5).breakdown().denseWeightBits());
        // SD layer 'fc1': its index/C/table/B bits are exactly the codec's
        StorageBreakdown codec = SdLayerCodec.encode(sampleFile().sdLayer("fc1").orElseThrow().layer()).breakdown();
        StorageBreakdown fc1 = sec.get(2).breakdown();
        assertEquals(codec.indexBits(), fc1.indexBits());
        assertEquals(codec.cBits(), fc1.cBits());
        assertEquals(codec.tableBits(), fc1.tableBits());
        assertEquals(codec.bBits(), fc1.bBits());
        assertEquals(b.length, s.layout().bytesOf(SectionType.CONFIG) + s.layout().bytesOf(SectionType.META)
                + s.layout().bytesOf(SectionType.SD_LAYER) + s.layout().bytesOf(SectionType.FLOAT_ARRAY) + 20);
    }

    @Test
    void paperCrFromTheFile() {
        SdmFile file = sampleFile();
        SdmLayout layout = SdmWriter.serialize(file).layout();
        // conv/FC weights: fc1 20*3 + conv1 2*1*3*3 + dense 2_W 6 = 84
        assertEquals(84, file.denseWeightCount());
        assertEquals(84 + 3 + 1 + 0, file.parameterCount());
        StorageBreakdown total = layout.totalBreakdown();
        long sdBits = 0;
        for (SdLayerEntry e : file.sdLayers()) {
            StorageBreakdown b = SdLayerCodec.encode(e.layer()).breakdown();
            sdBits += b.indexBits() + b.cBits() + b.tableBits() + b.bBits();
        }
        assertEquals(sdBits + 6 * 32, total.paperBits());
        assertEquals(32.0 * 84 / (sdBits + 192), StorageBreakdown.paperCR(file.denseWeightCount(), total), 1e-12);
    }

    @Test
    void truncationAtEveryOffsetIsAClearError() {
        byte[] b = sampleBytes();
        SdmLayout layout = SdmWriter.serialize(sampleFile()).layout();
        for (int len = 0; len < b.length; len++) {
            byte[] cut = Arrays.copyOf(b, len);
            SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(cut, "cut.sdm"),
                    "length " + len);
            assertTrue(e.getMessage().startsWith("file cut.sdm"), e.getMessage());
        }
        for (SectionInfo s : layout.sections()) {
            byte[] cut = Arrays.copyOf(b, (int) s.offset());
            SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(cut, "cut.sdm"));
            assertTrue(e.getMessage().contains("section count") || e.getMessage().contains("section " + s.index()),
                    e.getMessage());
        }
        // cut inside the last section: the message names it
        SectionInfo last = layout.sections().get(layout.sections().size() - 1);
        byte[] cut = Arrays.copyOf(b, (int) (last.offset() + last.totalBytes() - 1));
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(cut, "cut.sdm"));
        assertTrue(e.getMessage().contains("section 7 of 8 (FLOAT_ARRAY 'empty'"), e.getMessage());
    }

    @Test
    void randomBitFlipsAreAlwaysDetected() {
        byte[] b = sampleBytes();
        Random rnd = new Random(12345);
        for (int trial = 0; trial < 3000; trial++) {
            byte[] bad = b.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int bit = rnd.nextInt(8 * bad.length);
                bad[bit >>> 3] ^= (byte) (0x80 >>> (bit & 7));
            }
            if (Arrays.equals(bad, b)) {
                continue; // two flips of the same bit cancel
            }
            assertThrows(SdmFormatException.class, () -> SdmReader.read(bad, "flip.sdm"), "trial " + trial);
        }
    }

    @Test
    void crcMismatchNamesTheSection() {
        byte[] b = sampleBytes();
        SectionInfo conv = SdmWriter.serialize(sampleFile()).layout().sections().get(4);
        b[(int) conv.offset() + 20] ^= 1;
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(b, "m.sdm"));
        assertTrue(e.getMessage().startsWith("file m.sdm, section 4 of 8 (SD_LAYER 'conv1' at byte offset "
                + conv.offset() + "): CRC32C mismatch"), e.getMessage());
    }

    @Test
    void foreignFilesAreRecognised() {
        byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        SdmFormatException z = assertThrows(SdmFormatException.class, () -> SdmReader.read(zip, "model.zip"));
        assertTrue(z.getMessage().contains("not an .sdm file") && z.getMessage().contains("ZIP"), z.getMessage());
        byte[] npy = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
        SdmFormatException n = assertThrows(SdmFormatException.class, () -> SdmReader.read(npy, "w.npy"));
        assertTrue(n.getMessage().contains(".npy"), n.getMessage());
        SdmFormatException empty = assertThrows(SdmFormatException.class, () -> SdmReader.read(new byte[0], "e"));
        assertTrue(empty.getMessage().contains("only 0 bytes"), empty.getMessage());
        byte[] text = "{\"not\": \"a model\"}".getBytes(StandardCharsets.UTF_8);
        assertThrows(SdmFormatException.class, () -> SdmReader.read(text, "t.json"));
    }

    @Test
    void hugeDeclaredLengthsAreRejectedBeforeAllocation() {
        byte[] b = sampleBytes();
        SdmLayout layout = SdmWriter.serialize(sampleFile()).layout();
        // 1) a section payload length of 2^62
        byte[] huge = b.clone();
        putLong(huge, (int) layout.sections().get(0).offset() + 1, 1L << 62);
        SdmFormatException e1 = assertThrows(SdmFormatException.class, () -> SdmReader.read(huge, "h.sdm"));
        assertTrue(e1.getMessage().contains("payload length 4611686018427387904 exceeds"), e1.getMessage());
        // 2) a header declaring 2^32-1 sections (with a valid header CRC)
        byte[] many = b.clone();
        many[12] = many[13] = many[14] = many[15] = (byte) 0xFF;
        fixHeaderCrc(many);
        SdmFormatException e2 = assertThrows(SdmFormatException.class, () -> SdmReader.read(many, "h.sdm"));
        assertTrue(e2.getMessage().contains("section count 4294967295 needs at least"), e2.getMessage());
        // 3) a float array whose shape claims 2^40 x 2^20 values (CRC recomputed, so only validation can catch it)
        SectionInfo bias = layout.sections().get(3);
        byte[] dims = b.clone();
        int dimAt = (int) bias.offset() + 9 + 4 + 3 + 1 + 1;
        putLong(dims, dimAt, 1L << 40);
        putLong(dims, dimAt + 8, 1L << 20);
        fixSectionCrc(dims, (int) bias.offset());
        SdmFormatException e3 = assertThrows(SdmFormatException.class, () -> SdmReader.read(dims, "h.sdm"));
        assertTrue(e3.getMessage().contains("section 3 of 8 (FLOAT_ARRAY '0_b'"), e3.getMessage());
        // 4) an SD layer whose encoded K is 2^31-1 (CRC recomputed)
        SectionInfo fc1 = layout.sections().get(2);
        byte[] k = b.clone();
        int encAt = (int) fc1.offset() + 9 + (4 + 3) + (4 + 2) + 1 + 2 * 8 + 1 + 4;
        k[encAt] = 0x7F;
        k[encAt + 1] = k[encAt + 2] = k[encAt + 3] = (byte) 0xFF;
        fixSectionCrc(k, (int) fc1.offset());
        SdmFormatException e4 = assertThrows(SdmFormatException.class, () -> SdmReader.read(k, "h.sdm"));
        assertTrue(e4.getMessage().contains("SD_LAYER 'fc1'"), e4.getMessage());
    }

    /**
     * The same file in format 2.2, built from the 2.3 bytes by the format description: header minor 2
     * and every SD layer's encoding without its u32 R (bytes 12..15, after K, m, n), encoding length
     * and section length 4 bytes shorter, CRCs recomputed. For a layer whose rows are all real (R = m,
     * one slice per unit) that is the whole difference: 2.3 then indexes every row of packed C, as
     * 2.2 does, and the 32-bit field leaves the rest byte-aligned. Fails unless every SD layer has R = m.
     */
    static byte[] asVersion22(byte[] v23) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(v23);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(v23, 0, 20);
        for (int pos = 20; pos < v23.length; ) {
            int type = v23[pos];
            int len = Math.toIntExact(in.getLong(pos + 1));
            byte[] payload = Arrays.copyOfRange(v23, pos + 9, pos + 9 + len);
            if (type == SectionType.SD_LAYER.code()) {
                payload = withoutUnitRows(payload);
            }
            byte[] section = java.nio.ByteBuffer.allocate(13 + payload.length).put((byte) type)
                    .putLong(payload.length).put(payload).putInt(0).array();
            fixSectionCrc(section, 0);
            out.write(section, 0, section.length);
            pos += 13 + len;
        }
        byte[] b = out.toByteArray();
        b[11] = 2;
        fixHeaderCrc(b);
        return b;
    }

    /** An SD_LAYER payload (str name, str prefix, u8 rank, rank x u64, u8 flags, u32 E, E bytes, mask) without R. */
    private static byte[] withoutUnitRows(byte[] p) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(p);
        int at = 4 + bb.getInt(0);
        at += 4 + bb.getInt(at);
        at += 1 + 8 * (p[at] & 0xFF) + 1;
        int length = bb.getInt(at);
        int enc = at + 4;
        assertEquals(bb.getInt(enc + 4), bb.getInt(enc + 12), "R = m: every row real");
        return java.nio.ByteBuffer.allocate(p.length - 4).put(p, 0, at).putInt(length - 4).put(p, enc, 12)
                .put(p, enc + 16, p.length - enc - 16).array();
    }

    /** The same file in format 2.0: header minor 0 and a CONFIG section holding the plain UTF-8 JSON. */
    private static byte[] asVersion20(byte[] v21, String json) {
        int cfgStart = 20;
        long len = java.nio.ByteBuffer.wrap(v21, cfgStart + 1, 8).getLong();
        int rest = cfgStart + 13 + (int) len;
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(20 + 13 + raw.length + v21.length - rest);
        out.put(v21, 0, 20).put((byte) 1).putLong(raw.length).put(raw).putInt(0).put(v21, rest, v21.length - rest);
        byte[] b = out.array();
        b[11] = 0; // minor version 0
        fixHeaderCrc(b);
        fixSectionCrc(b, cfgStart);
        return b;
    }

    @Test
    void version20FilesWithAPlainConfigurationStillRead() throws SdmFormatException {
        SdmFile f = sampleFile(0);
        byte[] v22 = asVersion22(sampleBytes23());
        byte[] v20 = asVersion20(v22, f.configJson());
        SdmReader.Result r = SdmReader.read(v20, "old.sdm");
        assertEquals(0, r.formatMinor());
        assertEquals(f.configJson(), r.file().configJson());
        assertEquals(f, new SdmFile(f.networkType(), r.file().configJson(), r.file().properties(), r.file().entries()));
        // Everything after CONFIG is unchanged: the two files differ by exactly the two CONFIG payloads.
        long deflatedPayload = SdmWriter.serialize(f, 3).layout().sections().get(0).payloadBytes();
        int rawPayload = f.configJson().getBytes(StandardCharsets.UTF_8).length;
        assertEquals(v22.length - deflatedPayload, v20.length - rawPayload);
    }

    @Test
    void version22FilesReadWithEveryRowReal() throws SdmFormatException {
        // Two SD layers with R = m: the 2.2 file is 2 x 4 bytes shorter, reads back the same entries,
        // and its SD layers' bits differ from the 2.3 ones by exactly the 32 bits of R (other bits).
        byte[] v23 = sampleBytes23();
        byte[] v22 = asVersion22(v23);
        assertEquals(v23.length - 8, v22.length);
        SdmReader.Result old = SdmReader.read(v22, "old.sdm");
        SdmReader.Result now = SdmReader.read(v23, "new.sdm");
        assertEquals(2, old.formatMinor());
        assertEquals(3, now.formatMinor());
        assertEquals(sampleFile(2), old.file());
        StorageBreakdown a = old.layout().totalBreakdown();
        StorageBreakdown b = now.layout().totalBreakdown();
        assertEquals(8L * v22.length, a.totalBits());
        assertEquals(b.paperBits(), a.paperBits());
        assertEquals(b.otherBits() - 2 * 32, a.otherBits());
        // the same 2.2 bytes declared as 2.3 misread K, m, n, R and the rest: a named error
        byte[] misread = v22.clone();
        misread[11] = 3;
        fixHeaderCrc(misread);
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(misread, "m.sdm"));
        assertTrue(e.getMessage().contains("SD_LAYER 'fc1'"), e.getMessage());
    }

    @Test
    void corruptDeflatedConfigurationsAreNamedErrors() throws Exception {
        byte[] json = "{\"a\": [1, 2, 3], \"b\": \"configuration\"}".getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream d = new java.util.zip.DeflaterOutputStream(z)) {
            d.write(json);
        }
        byte[] stream = z.toByteArray();
        java.util.function.BiFunction<Integer, byte[], String> read = (stated, body) -> {
            byte[] payload = java.nio.ByteBuffer.allocate(4 + body.length).putInt(stated).put(body).array();
            try {
                return SdmReader.inflateConfig(new ByteCursor(payload, 0, payload.length, "section 0 (CONFIG)"), payload.length);
            } catch (SdmFormatException e) {
                return "ERROR " + e.getMessage();
            }
        };
        assertEquals(new String(json, StandardCharsets.UTF_8), read.apply(json.length, stream));
        String longer = read.apply(json.length + 5, stream);
        assertTrue(longer.startsWith("ERROR") && longer.contains("section 0 (CONFIG)")
                && longer.contains("does not inflate to exactly the stated " + (json.length + 5) + " bytes"), longer);
        String shorter = read.apply(json.length - 1, stream);
        assertTrue(shorter.startsWith("ERROR") && shorter.contains("(more;"), shorter);
        byte[] trailing = Arrays.copyOf(stream, stream.length + 3);
        String tail = read.apply(json.length, trailing);
        assertTrue(tail.startsWith("ERROR") && tail.contains("3 bytes after the stream"), tail);
        String garbage = read.apply(json.length, new byte[] {1, 2, 3, 4, 5, 6});
        assertTrue(garbage.startsWith("ERROR") && garbage.contains("not a valid zlib stream"), garbage);
        // A huge stated length is refused before anything is allocated.
        String huge = read.apply(-1, stream);
        assertTrue(huge.startsWith("ERROR") && huge.contains("inflated configuration length 4294967295 exceeds"), huge);
    }

    private static byte[] zlib(byte[] data) throws java.io.IOException {
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream d = new java.util.zip.DeflaterOutputStream(z)) {
            d.write(data);
        }
        return z.toByteArray();
    }

    @Test
    void aTinyFileStatingAHugeConfigurationIsRejectedWithoutAllocatingIt() throws Exception {
        // 60 bytes: header (N = 2), a CONFIG section stating U = 64 MiB around the 10-byte zlib
        // stream of "{}", then 13 bytes where META would be. The reader must name CONFIG and
        // allocate far less than U (it used to allocate all 64 MiB before inflating).
        byte[] stream = zlib("{}".getBytes(StandardCharsets.UTF_8));
        int u = SdmFile.MAX_CONFIG_BYTES;
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(20 + 13 + 4 + stream.length + 13);
        bb.put(sampleBytes(), 0, 20).put((byte) 1).putLong(4 + stream.length).putInt(u).put(stream);
        byte[] b = bb.array();
        b[12] = b[13] = b[14] = 0;
        b[15] = 2; // section count
        fixHeaderCrc(b);
        fixSectionCrc(b, 20);
        assertEquals(60, b.length);
        Allocations.Thrown<SdmFormatException> t =
                Allocations.whileThrowing(SdmFormatException.class, () -> SdmReader.read(b, "tiny.sdm"));
        String msg = t.error().getMessage();
        assertTrue(msg.contains("section 0 of 2 (CONFIG") && msg.contains("inflated configuration length " + u)
                && msg.contains("exceeds what 10 deflated bytes can hold"), msg);
        assertTrue(t.bytes() < (1 << 20), "allocated " + t.bytes() + " bytes reading a 60-byte file");
    }

    @Test
    void theInflationBufferGrowsWithTheBytesActuallyInflated() throws Exception {
        // A stated U = 64 MiB that the ratio bound allows (65,100 deflated bytes can hold up to
        // 67 MB): a 10-byte stream of "{}" followed by 65,090 bytes of junk. The error names the
        // junk; the reader allocates about the payload, not U.
        byte[] stream = zlib("{}".getBytes(StandardCharsets.UTF_8));
        int u = SdmFile.MAX_CONFIG_BYTES;
        byte[] payload = java.nio.ByteBuffer.allocate(4 + 65_100).putInt(u).put(stream).array();
        Allocations.Thrown<SdmFormatException> t = Allocations.whileThrowing(SdmFormatException.class,
                () -> SdmReader.inflateConfig(new ByteCursor(payload, 0, payload.length, "section 0 (CONFIG)"),
                        payload.length));
        String msg = t.error().getMessage();
        assertTrue(msg.contains("section 0 (CONFIG)") && msg.contains("does not inflate to exactly the stated " + u)
                && msg.contains("65090 bytes after the stream"), msg);
        assertTrue(t.bytes() < (1 << 20), "allocated " + t.bytes() + " bytes for a 65 KB payload");
        // A configuration larger than the first buffer (8 KiB) comes back whole through the doubling.
        StringBuilder json = new StringBuilder("{\"a\": [");
        Random rnd = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ", ").append(rnd.nextInt(1000));
        }
        byte[] big = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        byte[] z = zlib(big);
        byte[] ok = java.nio.ByteBuffer.allocate(4 + z.length).putInt(big.length).put(z).array();
        assertTrue(big.length > 4 * SdmReader.INFLATE_START_BYTES, "configuration of " + big.length + " bytes");
        assertEquals(new String(big, StandardCharsets.UTF_8),
                SdmReader.inflateConfig(new ByteCursor(ok, 0, ok.length, "section 0 (CONFIG)"), ok.length));
    }

    @Test
    void otherVersionsAndTrailingBytesAreRejected() {
        byte[] v3 = sampleBytes();
        assertEquals(2, v3[9], "written as major version 2");
        v3[9] = 3;
        fixHeaderCrc(v3);
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(v3, "v.sdm"));
        assertTrue(e.getMessage().contains("unsupported format version 3.4 (this reader supports 2.0 to 2.4)"),
                e.getMessage());
        byte[] v25 = sampleBytes();
        v25[11] = 5; // a newer minor version than this reader knows
        fixHeaderCrc(v25);
        SdmFormatException newer = assertThrows(SdmFormatException.class, () -> SdmReader.read(v25, "v.sdm"));
        assertTrue(newer.getMessage().contains("unsupported format version 2.5"), newer.getMessage());
        byte[] v1 = sampleBytes();
        v1[9] = 1; // a 1.0 file: its SD layers have a 1-bit index mode
        v1[11] = 0;
        fixHeaderCrc(v1);
        SdmFormatException old = assertThrows(SdmFormatException.class, () -> SdmReader.read(v1, "v.sdm"));
        assertTrue(old.getMessage().contains("unsupported format version 1.0") && old.getMessage().contains("again"),
                old.getMessage());
        byte[] b = sampleBytes();
        byte[] longer = Arrays.copyOf(b, b.length + 3);
        SdmFormatException t = assertThrows(SdmFormatException.class, () -> SdmReader.read(longer, "v.sdm"));
        assertTrue(t.getMessage().contains("3 trailing bytes"), t.getMessage());
    }

    @Test
    void duplicateEntryNamesAreRejected() {
        FloatArrayEntry a = FloatArrayEntry.of("x", new long[] {1}, new float[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SdmFile(NetworkType.OTHER, "{}", Map.of(), List.of(a, a)));
        assertEquals("SdmFile.entries: FLOAT_ARRAY name 'x' occurs twice", e.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> FloatArrayEntry.of("y", new long[] {2, 2}, new float[3]));
        assertEquals("FloatArrayEntry(y): shape [2, 2] holds 4 values but values.length = 3", s.getMessage());
    }

    @Test
    void writeLeavesNoTemporaryFileAndReplacesTheTarget() throws Exception {
        Path target = dir.resolve("m.sdm");
        Files.writeString(target, "old");
        SdmWriter.write(target, sampleFile());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        assertEquals(sampleFile(), SdmReader.read(target).file());
    }

    @Test
    void failedWriteKeepsTheOldTargetAndDeletesTheTemporaryFile() throws Exception {
        Path target = dir.resolve("m.sdm");
        Files.writeString(target, "old content");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new java.io.IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals("old content", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
        // a target that is a non-empty directory cannot be replaced: the rename fails, nothing is left
        Path busy = dir.resolve("busy");
        Files.createDirectory(busy);
        Files.writeString(busy.resolve("inside"), "x");
        assertThrows(java.io.IOException.class, () -> SdmWriter.write(busy, sampleFile()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
        assertThrows(java.io.IOException.class, () -> SdmWriter.write(dir.resolve("missing/m.sdm"), sampleFile()));
    }

    @Test
    void nonFiniteFloatValuesAreRejectedNamingTheSectionEntryAndValue() throws Exception {
        SdmWriter.Serialized ser = SdmWriter.serialize(sampleFile());
        SectionInfo w = ser.layout().sections().stream().filter(x -> x.name().equals("2_W")).findFirst().orElseThrow();
        int last = (int) (w.offset() + 9 + w.payloadBytes() - 4); // values[5] of 2_W, the section's last 4 bytes
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            byte[] b = ser.bytes().clone();
            int bits = Float.floatToRawIntBits(bad);
            for (int i = 0; i < 4; i++) {
                b[last + i] = (byte) (bits >>> (24 - 8 * i));
            }
            fixSectionCrc(b, (int) w.offset());
            SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(b, "nan.sdm"));
            assertTrue(e.getMessage().startsWith("file nan.sdm, section " + w.index() + " of 8 (FLOAT_ARRAY '2_W'")
                    && e.getMessage().endsWith("FloatArrayEntry(2_W).values[5] must be finite (a parameter is never NaN"
                    + " or infinite), got " + bad), e.getMessage());
        }
    }

    @Test
    void onlyRegularFilesAreReadAndDevicesOrFifosAreRejectedBeforeOpening() throws Exception {
        // a folder
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(dir));
        assertEquals("file " + dir + ": not a regular file (a folder); an .sdm model must be a regular file", e.getMessage());
        // an endless device behind an .sdm link: rejected, not read into memory
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            Path link = Files.createSymbolicLink(dir.resolve("zero.sdm"), zero);
            e = assertThrows(SdmFormatException.class, () -> SdmReader.read(link));
            assertEquals("file " + link + ": not a regular file (a device, FIFO or socket); an .sdm model must be a"
                    + " regular file", e.getMessage());
        }
        // a FIFO without a writer: rejected, not waited on
        Path fifo = dir.resolve("fifo.sdm");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (java.io.IOException noMkfifo) {
            made = false;
        }
        if (made) {
            assertThrows(SdmFormatException.class, () -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(20), () -> SdmReader.read(fifo)));
        }
        // a missing file stays a NoSuchFileException (the CLI's inspect reports it as "no such file")
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SdmReader.read(dir.resolve("missing.sdm")));
    }

    /**
     * withProperty adds a property after the others (or replaces a key's value in place), leaves the original as it
     * was, and the property reads back from the bytes: the sample's two properties are theta and note.
     */
    @Test
    void withPropertyAddsOneAndItReadsBack() throws SdmFormatException {
        SdmFile f = sampleFile();
        SdmFile g = f.withProperty("input", "1x28x28");
        assertEquals(List.of("theta", "note"), List.copyOf(f.properties().keySet()), "the original is not modified");
        assertEquals(List.of("theta", "note", "input"), List.copyOf(g.properties().keySet()));
        assertEquals(f.entries(), g.entries());
        assertEquals(f.configJson(), g.configJson());
        SdmFile back = SdmReader.read(SdmWriter.serialize(g).bytes(), "g.sdm").file();
        assertEquals("1x28x28", back.properties().get("input"));
        SdmFile replaced = g.withProperty("theta", "0.01");
        assertEquals(List.of("theta", "note", "input"), List.copyOf(replaced.properties().keySet()));
        assertEquals("0.01", replaced.properties().get("theta"));
        assertThrows(NullPointerException.class, () -> f.withProperty("input", null));
    }
}
