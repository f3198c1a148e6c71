package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * {@link SdmReader}'s checks at their bounds, from mutation testing (docs/RESULTS.md 8): each rule
 * accepts its limit and refuses one beyond with the exact message. Byte offsets and counts come from
 * the layout of docs/FORMAT.md (a 20-byte header, 13 bytes of framing a section).
 */
class SdmReaderEdgesTest {

    private static SdmFormatException readError(byte[] b, String source) {
        return assertThrows(SdmFormatException.class, () -> SdmReader.read(b, source));
    }

    /** A header of format 2.{@code minor} declaring {@code sections} sections, CRC included. */
    private static ByteBuffer header(ByteBuffer bb, int minor, long sections) {
        bb.put(SdmFile.MAGIC).putShort((short) 2).putShort((short) minor).putInt((int) sections);
        CRC32C crc = new CRC32C();
        crc.update(bb.array(), bb.position() - 16, 16);
        return bb.putInt((int) crc.getValue());
    }

    /** A section: u8 type, u64 L, L bytes, u32 CRC32C of the 9 + L bytes before it. */
    private static ByteBuffer section(ByteBuffer bb, int type, long declaredLength, byte[] payload) {
        int start = bb.position();
        bb.put((byte) type).putLong(declaredLength).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(bb.array(), start, 9 + payload.length);
        return bb.putInt((int) crc.getValue());
    }

    @Test
    void magicNumberBoundsAndTheForeignFileHints() {
        // Exactly the 8 magic bytes: the magic passes and the header's 20-byte requirement names the 8 there are.
        byte[] magic = SdmFile.MAGIC.clone();
        assertEquals("file m.sdm, header: header needs 20 bytes but only 8 remain (truncated or corrupt)",
                readError(magic, "m.sdm").getMessage());
        // 8 wrong bytes: no "file has only" hint (that is for files shorter than the magic); 7 bytes: the hint.
        assertEquals("file z: not an .sdm file: magic number must be 89 53 44 4d 0d 0a 1a 0a, found"
                + " [00 00 00 00 00 00 00 00]", readError(new byte[8], "z").getMessage());
        assertEquals("file z: not an .sdm file: magic number must be 89 53 44 4d 0d 0a 1a 0a, found"
                + " [00 00 00 00 00 00 00] (file has only 7 bytes)", readError(new byte[7], "z").getMessage());
        // The shortest file each hint names: the 4-byte ZIP signature, the 6-byte NumPy magic.
        String zip = readError(new byte[] {'P', 'K', 3, 4}, "z").getMessage();
        assertTrue(zip.endsWith("found [50 4b 03 04] (this is a ZIP file, e.g. a DL4J ModelSerializer model:"
                + " load it with ModelSerializer)"), zip);
        byte[] npy = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
        assertTrue(readError(npy, "z").getMessage().endsWith("found [93 4e 55 4d 50 59] (this is a NumPy .npy file)"));
        // The NumPy hint needs all three of its bytes: change any one and the next hint (the length) is given.
        for (int i = 0; i < 3; i++) {
            byte[] other = npy.clone();
            other[i] ^= 0x20;
            String msg = readError(other, "z").getMessage();
            assertTrue(msg.endsWith("] (file has only 6 bytes)"), "byte " + i + ": " + msg);
        }
        // one byte is "1 byte"
        assertTrue(readError(new byte[1], "z").getMessage().endsWith(" [00] (file has only 1 byte)"),
                readError(new byte[1], "z").getMessage());
    }

    @Test
    void headerCrcMismatchGivesBothValuesInHex() {
        byte[] b = SdmFileTest.sampleBytes();
        CRC32C crc = new CRC32C();
        crc.update(b, 0, 16);
        long stored = ByteBuffer.wrap(b, 16, 4).getInt() & 0xFFFFFFFFL;
        assertEquals(crc.getValue(), stored, "the writer's header CRC");
        b[19] ^= 1;
        assertEquals(String.format("file h.sdm, header: CRC32C mismatch: stored 0x%08x, computed 0x%08x", stored ^ 1,
                stored), readError(b, "h.sdm").getMessage());
    }

    @Test
    void sectionCountIsAcceptedAtThirteenBytesASectionAndRefusedBeyond() {
        // Format 2.0 (CONFIG is plain UTF-8, so an empty payload is a valid, empty configuration): a
        // header declaring N = 2 and two empty sections, 2 x 13 = 26 bytes after the header. N = 2 is
        // exactly what they hold; the META section's 13 bytes are exactly one framing, so the error is
        // META's first field, not a count or truncation.
        ByteBuffer bb = ByteBuffer.allocate(20 + 26);
        header(bb, 0, 2);
        section(bb, 1, 0, new byte[0]);
        section(bb, 2, 0, new byte[0]);
        byte[] b = bb.array();
        assertEquals("file e.sdm, section 1 of 2 (META at byte offset 33): network type needs 1 bytes but only 0"
                + " remain (truncated or corrupt)", readError(b, "e.sdm").getMessage());
        // N = 3 over the same 26 bytes: 39 needed.
        byte[] three = b.clone();
        three[15] = 3;
        SdmFileTest.fixHeaderCrc(three);
        assertEquals("file e.sdm, header: section count 3 needs at least 39 bytes after the header but only 26 follow"
                + " (truncated or corrupt file)", readError(three, "e.sdm").getMessage());
        // A payload length beyond the bytes left: 26 - 9 (type, length) - 4 (CRC) = 13 remain for CONFIG's payload.
        byte[] longer = b.clone();
        longer[20 + 8] = 14;
        assertEquals("file e.sdm, section 0 of 2 (CONFIG at byte offset 20): payload length 14 exceeds the 13 bytes"
                + " left before the CRC (truncated or corrupt)", readError(longer, "e.sdm").getMessage());
    }

    @Test
    void propertyCountIsBoundedByEightBytesAPropertyAtTheLimit() throws SdmFormatException {
        // One property with an empty key and value takes exactly 8 bytes (two u32 lengths): META's payload
        // after the count holds 8 + 4 (the entry count E = 0) = 12 bytes, and 12 / 8 = 1 property fits.
        SdmFile f = new SdmFile(NetworkType.OTHER, "{}", Map.of("", ""), List.of());
        SdmWriter.Serialized s = SdmWriter.serialize(f);
        assertEquals(f, SdmReader.read(s.bytes(), "p.sdm").file());
        SectionInfo meta = s.layout().sections().get(1);
        int payload = (int) meta.offset() + 9;
        assertEquals(1 + 4 + 8 + 4, meta.payloadBytes());
        // P = 2 over the same 12 bytes.
        byte[] two = s.bytes().clone();
        two[payload + 4] = 2;
        SdmFileTest.fixSectionCrc(two, (int) meta.offset());
        assertEquals("file p.sdm, section 1 of 2 (META at byte offset " + meta.offset() + "): property count 2 exceeds"
                + " what 12 bytes can hold", readError(two, "p.sdm").getMessage());
        // E = 1 while the header declares N = 2 sections, so 0 entries.
        byte[] toc = s.bytes().clone();
        toc[payload + 1 + 4 + 8 + 3] = 1;
        SdmFileTest.fixSectionCrc(toc, (int) meta.offset());
        assertEquals("file p.sdm, section 1 of 2 (META at byte offset " + meta.offset() + "): table of contents lists 1"
                + " entries but the header declares 0 entry sections", readError(toc, "p.sdm").getMessage());
    }

    @Test
    void shapeRankIsAcceptedUpToThirtyTwoAndRefusedBeyond() throws SdmFormatException {
        long[] ones = new long[FloatArrayEntry.MAX_RANK];
        Arrays.fill(ones, 1);
        SdmFile f = new SdmFile(NetworkType.OTHER, "{}", Map.of(),
                List.of(FloatArrayEntry.of("r32", ones, new float[] {2.5f})));
        SdmWriter.Serialized s = SdmWriter.serialize(f);
        assertEquals(f, SdmReader.read(s.bytes(), "r.sdm").file());
        // rank 33, the 33rd dimension taken from the value's 4 bytes and 4 more appended (CRC recomputed)
        SectionInfo r = s.layout().sections().get(2);
        int rankAt = (int) r.offset() + 9 + 4 + 3 + 1;
        byte[] b = s.bytes().clone();
        assertEquals(32, b[rankAt]);
        b[rankAt] = 33;
        SdmFileTest.fixSectionCrc(b, (int) r.offset());
        assertEquals("file r.sdm, section 2 of 3 (FLOAT_ARRAY 'r32' at byte offset " + r.offset() + "): shape rank must"
                + " be in [0, 32], got 33", readError(b, "r.sdm").getMessage());
    }

    /** A 10 x 10 layer (K = 1, m = n = 10, every row real), C = 1 on every third entry, B = 0.5 I. */
    private static SdLayerData tenByTen() {
        double[] c = new double[100];
        for (int i = 0; i < c.length; i += 3) {
            c[i] = 1.0;
        }
        double[] b = new double[100];
        for (int i = 0; i < 10; i++) {
            b[i * 11] = 0.5;
        }
        return new SdLayerData(1, 10, 10, c, Int8Basis.quantize(b));
    }

    /** Offset in the file of the SD_LAYER flags byte of section {@code s} named "fc" with prefix "0_" and rank 2. */
    private static int flagsAt(SectionInfo s) {
        return (int) s.offset() + 9 + (4 + 2) + (4 + 2) + 1 + 2 * 8;
    }

    @Test
    void aMaskedInZeroListReadsInFormat22AndIsRefusedIn21ByItsFlags() throws SdmFormatException {
        // The mask is C != 0 plus entry 1: a list of 8 + 1 bytes (gamma(2) = 010) beats a 13-byte bitmap, so
        // flags 2. Format 2.2 introduced it; the 2.2 file is the 2.3 one without R (SdmFileTest.asVersion22).
        SdLayerData layer = tenByTen();
        boolean[] mask = new boolean[100];
        for (int i = 0; i < 100; i++) {
            mask[i] = layer.c()[i] != 0 || i == 1;
        }
        SdmFile f = new SdmFile(NetworkType.OTHER, "{}", Map.of(),
                List.of(new SdLayerEntry("fc", "0_", new long[] {10, 10}, layer, mask)));
        SdmWriter.Serialized s23 = SdmWriter.serialize(f, 3);
        byte[] v22 = SdmFileTest.asVersion22(s23.bytes());
        SectionInfo fc = SdmReader.read(v22, "v22.sdm").layout().sections().get(2);
        assertEquals(2, v22[flagsAt(fc)]);
        SdmReader.Result r = SdmReader.read(v22, "v22.sdm");
        assertEquals(2, r.formatMinor());
        assertArrayEquals(mask, r.file().sdLayers().get(0).mask());
        // In 2.2 flags 3 is refused naming the three values 2.2 knows; in 2.1 flags 2 naming the two it knows.
        byte[] three = v22.clone();
        three[flagsAt(fc)] = 3;
        SdmFileTest.fixSectionCrc(three, (int) fc.offset());
        String where = "file v.sdm, section 2 of 3 (SD_LAYER 'fc' at byte offset " + fc.offset() + "): ";
        assertEquals(where + "flags must be 0 (no mask), 1 (mask bitmap) or 2 (masked-in zero list) in format 2.2,"
                + " got 3", readError(three, "v.sdm").getMessage());
        byte[] v21 = v22.clone();
        v21[11] = 1;
        SdmFileTest.fixHeaderCrc(v21);
        assertEquals(where + "flags must be 0 (no mask), 1 (mask bitmap) in format 2.1, got 2",
                readError(v21, "v.sdm").getMessage());
    }

    @Test
    void aMaskBitmapWithANonZeroPaddingBitIsRefused() throws SdmFormatException {
        // The mask leaves out C's non-zero entry 0, so only the bitmap holds it (flags 1): 100 bits in
        // 13 bytes, the payload's last; bits 100..103 are padding and must be 0.
        SdLayerData layer = tenByTen();
        boolean[] mask = new boolean[100];
        for (int i = 0; i < 100; i++) {
            mask[i] = layer.c()[i] != 0 && i != 0;
        }
        SdmFile f = new SdmFile(NetworkType.OTHER, "{}", Map.of(),
                List.of(new SdLayerEntry("fc", "0_", new long[] {10, 10}, layer, mask)));
        SdmWriter.Serialized s = SdmWriter.serialize(f);
        SectionInfo fc = s.layout().sections().get(2);
        assertEquals(1, s.bytes()[flagsAt(fc)]);
        assertArrayEquals(mask, SdmReader.read(s.bytes(), "m.sdm").file().sdLayers().get(0).mask());
        byte[] b = s.bytes().clone();
        int lastMaskByte = (int) (fc.offset() + 9 + fc.payloadBytes() - 1);
        assertEquals(0, b[lastMaskByte] & 0x0F);
        b[lastMaskByte] |= 1; // bit 103
        SdmFileTest.fixSectionCrc(b, (int) fc.offset());
        assertEquals("file m.sdm, section 2 of 3 (SD_LAYER 'fc' at byte offset " + fc.offset() + "), mask: padding"
                + " bits 100 to 103 must be 0, got 0001", readError(b, "m.sdm").getMessage());
    }

    private static String inflate(int stated, byte[] body) {
        byte[] payload = ByteBuffer.allocate(4 + body.length).putInt(stated).put(body).array();
        try {
            return SdmReader.inflateConfig(new ByteCursor(payload, 0, payload.length, "section 0 (CONFIG)"),
                    payload.length);
        } catch (SdmFormatException e) {
            return "ERROR " + e.getMessage();
        }
    }

    @Test
    void aConfigurationStreamThatEndsEarlyOrNeedsADictionaryIsANamedError() {
        byte[] json = "{\"layers\": [\"dense\", \"output\"]}".getBytes(StandardCharsets.UTF_8);
        Deflater d = new Deflater(9);
        d.setInput(json);
        d.finish();
        byte[] buf = new byte[256];
        int len = d.deflate(buf);
        d.end();
        byte[] stream = Arrays.copyOf(buf, len);
        assertEquals(new String(json, StandardCharsets.UTF_8), inflate(json.length, stream));
        // Without its 4-byte Adler-32 trailer the stream yields every byte but does not finish: the reader
        // says so, not "more" (it must not count a read that returned nothing as a byte).
        assertEquals("ERROR section 0 (CONFIG): deflated configuration does not inflate to exactly the stated "
                + json.length + " bytes (" + json.length + ", stream unfinished; corrupt file)",
                inflate(json.length, Arrays.copyOf(stream, len - 4)));
        // Cut in the middle, the stream yields fewer bytes than stated and then needs input: an error, not a loop
        // waiting for input no one supplies.
        String half = inflate(json.length, Arrays.copyOf(stream, len / 2));
        assertTrue(half.startsWith("ERROR section 0 (CONFIG): deflated configuration does not inflate to exactly the"
                + " stated " + json.length + " bytes (") && half.endsWith(", stream unfinished; corrupt file)"), half);
        // A zlib stream that needs a preset dictionary (RFC 1950 FDICT) inflates nothing: an error, not a
        // loop waiting for a dictionary no one supplies.
        Deflater withDict = new Deflater(9);
        withDict.setDictionary("dense".getBytes(StandardCharsets.UTF_8));
        withDict.setInput(json);
        withDict.finish();
        int dictLen = withDict.deflate(buf);
        withDict.end();
        assertEquals(0x20, buf[1] & 0x20, "FDICT set");
        String dict = inflate(json.length, Arrays.copyOf(buf, dictLen));
        assertTrue(dict.startsWith("ERROR section 0 (CONFIG): deflated configuration does not inflate to exactly the"
                + " stated " + json.length + " bytes (0, stream unfinished"), dict);
        // The ratio bound's message gives the bound: 1032 x the deflated bytes.
        assertEquals("ERROR section 0 (CONFIG): inflated configuration length " + (1032 * len + 1) + " exceeds what "
                + len + " deflated bytes can hold (at most " + 1032 * len + "; corrupt file)",
                inflate(1032 * len + 1, stream));
        assertEquals("ERROR section 0 (CONFIG): deflated configuration does not inflate to exactly the stated "
                + 1032 * len + " bytes (" + json.length + "; corrupt file)", inflate(1032 * len, stream));
    }

    @Test
    void aRegularFileThatGrowsWhileReadIsRefused() throws Exception {
        // Linux's /proc files are regular files that state size 0 and yield bytes when read.
        Path status = Path.of("/proc/self/status");
        assertTrue(Files.isRegularFile(status) && Files.size(status) == 0, "a size-0 regular file with content");
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(status));
        assertEquals("file /proc/self/status: changed while being read (its size was 0 bytes, then more); read it"
                + " again when nothing writes to it", e.getMessage());
    }

    /**
     * A cursor's reads stop at its own limit (a section's payload end), not at the end of the array, which holds the
     * next section: every field read checks the bytes left first and names them. Values by hand (big-endian).
     */
    @Test
    void everyFieldReadChecksTheBytesLeftInItsOwnRange() throws SdmFormatException {
        byte[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        ByteCursor c = new ByteCursor(b, 0, 3, "t");
        assertEquals("t: f64 needs 8 bytes but only 3 remain (truncated or corrupt)",
                assertThrows(SdmFormatException.class, () -> c.u64("f64")).getMessage());
        assertEquals("t: f32 needs 4 bytes but only 3 remain (truncated or corrupt)",
                assertThrows(SdmFormatException.class, () -> c.u32("f32")).getMessage());
        assertEquals(0x0102, c.u16("f16"));
        assertEquals("t: f16 needs 2 bytes but only 1 remain (truncated or corrupt)",
                assertThrows(SdmFormatException.class, () -> c.u16("f16")).getMessage());
        assertEquals(3, c.u8("f8"));
        assertEquals("t: f8 needs 1 bytes but only 0 remain (truncated or corrupt)",
                assertThrows(SdmFormatException.class, () -> c.u8("f8")).getMessage());
        ByteCursor d = new ByteCursor(b, 4, 12, "t");
        assertEquals(0x05060708L, d.u32("f32"));
        assertEquals("t: values of 3 float32 values needs 12 bytes but only 4 remain (truncated or corrupt)",
                assertThrows(SdmFormatException.class, () -> d.floats(3, "values")).getMessage());
        // 2^31 - 9 values is the most a Java array holds: their 4 bytes each are then missing; one more is refused first
        assertEquals("t: values of 2147483639 float32 values needs 8589934556 bytes but only 4 remain (truncated or"
                + " corrupt)", assertThrows(SdmFormatException.class, () -> d.floats(2_147_483_639L, "values")).getMessage());
        assertEquals("t: values has 2147483640 values, more than a Java array holds",
                assertThrows(SdmFormatException.class, () -> d.floats(2_147_483_640L, "values")).getMessage());
        assertEquals(0x090A0B0CL, d.u32("f32"));
    }
}
