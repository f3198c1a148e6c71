package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.smartdeal.core.Decomposer;
import org.smartdeal.core.DecompositionConfig;
import org.smartdeal.core.LayerDecomposition;
import org.smartdeal.core.SliceLayout;

/**
 * Format 2.3: an SD layer stores R, the real rows per unit, and indexes only the U*R real rows, not
 * the zero rows that pad each unit's last slice up to m (ALGORITHMS.md 2 and 4.1). Expected index
 * sizes are counted here by hand over the real rows, independently of the codec's compaction.
 */
class RealRowsTest {

    /**
     * Packed C [K = U*S, m, n] of U units of R real rows, S = ceil(R/m): unit u's row r is packed row
     * u*S*m + r (slice u*S + r/m, row r%m); the S*m - R rows after it stay 0. Each real row is zero
     * with probability {@code zeroRow}, otherwise each entry is +-2^p (p in [-6, 1]) with
     * probability {@code density}.
     */
    static double[] paddedC(Random rnd, int units, int unitRows, int m, int n, double zeroRow, double density) {
        int s = (unitRows + m - 1) / m;
        double[] c = new double[units * s * m * n];
        for (int u = 0; u < units; u++) {
            for (int r = 0; r < unitRows; r++) {
                if (rnd.nextDouble() < zeroRow) {
                    continue;
                }
                int row = u * s * m + r;
                for (int j = 0; j < n; j++) {
                    if (rnd.nextDouble() < density) {
                        double v = Math.scalb(1.0, -6 + rnd.nextInt(8));
                        c[row * n + j] = rnd.nextBoolean() ? v : -v;
                    }
                }
            }
        }
        return c;
    }

    /** The real rows of packed C, [U*R, n], copied row by row by the definition above. */
    private static double[] realRows(double[] c, int units, int unitRows, int m, int n) {
        int s = (unitRows + m - 1) / m;
        double[] out = new double[units * unitRows * n];
        for (int u = 0; u < units; u++) {
            for (int r = 0; r < unitRows; r++) {
                for (int j = 0; j < n; j++) {
                    out[(u * unitRows + r) * n + j] = c[(u * s * m + r) * n + j];
                }
            }
        }
        return out;
    }

    /** Rows of length n holding a non-zero. */
    private static long nonZeroRows(double[] rows, int n) {
        long z = 0;
        for (int row = 0; row < rows.length / n; row++) {
            boolean any = false;
            for (int j = 0; j < n; j++) {
                any |= rows[row * n + j] != 0;
            }
            z += any ? 1 : 0;
        }
        return z;
    }

    /**
     * The 2.3 index size (mode field included) counted over the real rows: the smallest of ELEM
     * U*R*n, VECTOR U*R + n*Z and RUNS ({@link RunsIndex}, tested against hand counts in
     * RunsIndexTest) over the rows copied out here; returns {bits, mode ordinal}.
     */
    private static long[] naiveIndex(double[] c, int units, int unitRows, int m, int n) {
        double[] real = realRows(c, units, unitRows, m, n);
        long[] sizes = {(long) units * unitRows * n, (long) units * unitRows + n * nonZeroRows(real, n),
            RunsIndex.of(real, n).bits()};
        int best = 0;
        for (int i = 1; i < sizes.length; i++) {
            best = sizes[i] < sizes[best] ? i : best;
        }
        return new long[] {2 + sizes[best], best};
    }

    @Test
    void paddedLayersRoundTripExactlyInEveryIndexMode() throws SdmFormatException {
        Random rnd = new Random(23);
        // {U, R, m, n, zeroRow %, density %, expected mode}: last slices of 3 of 4, 8 of 16 and 44 of 128 rows
        int[][] cases = {
            {5, 7, 4, 3, 0, 50, IndexMode.ELEM.ordinal()},
            {6, 40, 16, 16, 50, 60, IndexMode.VECTOR.ordinal()},
            {4, 300, 128, 3, 0, 1, IndexMode.RUNS.ordinal()},
        };
        for (int[] t : cases) {
            int units = t[0];
            int unitRows = t[1];
            int m = t[2];
            int n = t[3];
            int k = units * ((unitRows + m - 1) / m);
            String where = "U=" + units + " R=" + unitRows + " m=" + m + " n=" + n;
            double[] c = paddedC(rnd, units, unitRows, m, n, t[4] / 100.0, t[5] / 100.0);
            double[] b = SdLayerCodecTest.randomB(rnd, k, n);
            double[] cCopy = c.clone();
            EncodedLayer enc = SdLayerCodec.encode(c, k, m, n, unitRows, b);
            assertArrayEquals(cCopy, c, "C not modified, " + where);
            long[] naive = naiveIndex(c, units, unitRows, m, n);
            assertEquals(IndexMode.values()[t[6]], enc.indexMode(), where);
            assertEquals(naive[1], enc.indexMode().ordinal(), where);
            assertEquals(naive[0], enc.breakdown().indexBits(), where);
            assertEquals(8L * enc.bytes().length, enc.breakdown().totalBits(), where);

            DecodedLayer dec = SdLayerCodec.decode(enc.bytes(), where);
            assertArrayEquals(c, dec.layer().c(), "C exact, " + where);
            assertEquals(Int8Basis.quantize(b, k), dec.layer().b(), where);
            assertEquals(new SdLayerData(k, m, n, unitRows, c, Int8Basis.quantize(b, k)), dec.layer(), where);
            assertEquals(units, dec.layer().units(), where);
            assertEquals(enc.breakdown(), dec.breakdown(), where);
            // The same C with every row real (R = m, the 2.2 cost) indexes K*m rows: more bits, same payload.
            EncodedLayer padded = SdLayerCodec.encode(c, k, m, n, b);
            assertTrue(padded.breakdown().indexBits() > enc.breakdown().indexBits(), where);
            assertEquals(padded.breakdown().cBits(), enc.breakdown().cBits(), where);
            assertEquals(padded.breakdown().tableBits(), enc.breakdown().tableBits(), where);
        }
    }

    /**
     * The example of docs/FORMAT.md: a dense 1280 -> 1000 layer decomposed at theta 0.02, sliceRows 192,
     * n = 3 (a seeded Gaussian weight with Xavier's standard deviation sqrt(2 / (1280 + 1000))). By hand:
     * U = 1000 units of R = ceil(1280/3) = 427 rows, S = ceil(427/192) = 3 slices of m = 192, K = 3000;
     * packed C has 3000*192 = 576,000 rows, 149,000 of them padding. At C density near 0.5 ELEM is the
     * smallest index: 2 + U*R*n = 2 + 1000*427*3 = 1,281,002 bits (2.2 indexed every packed row). The C,
     * table and B bits do not change, so the paper CR's denominator drops by exactly the index saving.
     */
    @Test
    void theFormatExampleIndexesOnlyItsRealRows() {
        int nIn = 1280;
        int nOut = 1000;
        SliceLayout layout = SliceLayout.dense(nIn, nOut, 192, 3);
        assertEquals(3000, layout.numSlices());
        assertEquals(192, layout.rows());
        assertEquals(427, layout.unitRows());
        Random rnd = new Random(2026);
        float[] w = new float[nIn * nOut];
        double std = Math.sqrt(2.0 / (nIn + nOut));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * std);
        }
        LayerDecomposition d;
        try (Decomposer dec = new Decomposer(DecompositionConfig.defaults().withTheta(0.02))) {
            d = dec.decompose(layout, w).decomposition();
        }
        EncodedLayer real = SdLayerCodec.encode(d.c(), 3000, 192, 3, 427, d.bAsFloat());
        EncodedLayer padded = SdLayerCodec.encode(d.c(), 3000, 192, 3, d.bAsFloat());

        double[] c = d.cAsDouble();
        assertEquals(IndexMode.ELEM, real.indexMode());
        assertEquals(2 + 1000 * 427 * 3, real.breakdown().indexBits());
        assertEquals(naiveIndex(c, 1000, 427, 192, 3)[0], real.breakdown().indexBits());
        // every row real: the smallest of ELEM, VECTOR and RUNS over the 576,000 packed rows
        assertEquals(naiveIndex(c, 3000, 192, 192, 3)[0], padded.breakdown().indexBits());
        assertTrue(padded.breakdown().indexBits() > real.breakdown().indexBits());
        StorageBreakdown a = padded.breakdown();
        StorageBreakdown b = real.breakdown();
        assertEquals(a.paperBits() - a.indexBits() + b.indexBits(), b.paperBits());
        assertTrue(StorageBreakdown.paperCR(nIn * nOut, b) > StorageBreakdown.paperCR(nIn * nOut, a));
    }

    /**
     * A format 2.2 layer written bit by bit from docs/FORMAT.md, K = 2, m = 2, n = 1, C = (0.5, 0.5, 0.5, 0),
     * B = (1, -0.5): u32 K, m, n (96 bits); a one-symbol Huffman table (u16 S = 1, s16 min = symbol of +2^-1 =
     * (-1 << 1) | 0 = -2, u5 w = 0, then u0 symbol - min and u5 code length 0: 42 bits); mode ELEM (2 bits);
     * 4 index bits 1110; no code bits (one symbol); s16 f = 6 (max|B| = 1) and q = 64, -32 (32 bits).
     * 176 bits, 22 bytes, no padding.
     */
    private static byte[] handBuiltVersion22Layer() {
        BitWriter w = new BitWriter();
        w.writeBits(2, 32);
        w.writeBits(2, 32);
        w.writeBits(1, 32);
        w.writeBits(1, 16);
        w.writeSigned(-2, 16);
        w.writeBits(0, 5);
        w.writeBits(0, 5);
        w.writeBits(IndexMode.ELEM.code(), 2);
        w.writeBits(0b1110, 4);
        w.writeSigned(6, 16);
        w.writeBits(64, 8);
        w.writeBits(-32 & 0xFF, 8);
        assertEquals(0, w.padToByte());
        return w.toByteArray();
    }

    @Test
    void aHandBuiltVersion22LayerReadsWithEveryRowReal() throws SdmFormatException {
        byte[] v22 = handBuiltVersion22Layer();
        assertEquals(22, v22.length);
        DecodedLayer dec = SdLayerCodec.decode(v22, "layer 'fc1'", 2);
        assertEquals(new SdLayerData(2, 2, 1, 2, new double[] {0.5, 0.5, 0.5, 0}, Int8Basis.oneScale(new byte[] {64, -32}, 6, 2)),
                dec.layer());
        assertEquals(new StorageBreakdown(2 + 4, 0, 42, 32, 0, 96), dec.breakdown());
        // The writer's 2.3 bytes of the same layer with R = m differ exactly by the u32 R = 2 after K, m, n.
        byte[] v23 = SdLayerCodec.encode(dec.layer(), 3).bytes();
        byte[] expected = java.nio.ByteBuffer.allocate(26).put(v22, 0, 12).putInt(2).put(v22, 12, 10).array();
        assertArrayEquals(expected, v23);
        // Read as 2.3, the table's first 32 bits would be R: 0x0001FFFE, outside [m, K*m].
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(v22, "layer 'fc1'"));
        assertEquals("layer 'fc1': R (real rows per unit) must be in [m = 2, K*m = 2*2 = 4], got 131070", e.getMessage());
        // As one unit of R = 3 rows (slice 1 row 1 padding) 2.3 indexes 3 rows: one index bit fewer.
        EncodedLayer unit = SdLayerCodec.encode(new SdLayerData(2, 2, 1, 3, dec.layer().c(), dec.layer().b()));
        assertEquals(2 + 3, unit.breakdown().indexBits());
        assertArrayEquals(dec.layer().c(), SdLayerCodec.decode(unit.bytes()).layer().c());
    }

    @Test
    void aNonZeroPaddingRowIsRejectedNamingSliceRowAndValue() {
        // K = 2, m = 4, n = 3, R = 7: one unit, slice 1 has 3 real rows and padding row 3 (C[21..23])
        double[] c = new double[2 * 4 * 3];
        c[0] = 1;
        c[21] = 0.5;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdLayerCodec.encode(c, 2, 4, 3, 7, new double[2 * 9]));
        assertEquals("SdLayerData: C slice 1 row 3 is a padding row (unit 0 has R = 7 real rows in 2 slices of m = 4)"
                + " and must be 0, got 0.5 at C[21]", e.getMessage());
        c[21] = 0;
        c[20] = -2; // slice 1 row 2 is real
        assertEquals(7, SdLayerCodec.encode(c, 2, 4, 3, 7, new double[2 * 9]).bytes()[15]);
        // with R = m, every row is real: the same C is a valid 2.2-style layer
        c[21] = 0.5;
        assertEquals(4, SdLayerCodec.encode(c, 2, 4, 3, new double[2 * 9]).bytes()[15]);
    }

    @Test
    void unitRowsOutsideTheRuleAreRejectedByTheRecord() {
        Int8Basis b = Int8Basis.quantize(new double[6 * 9], 6);
        double[] c = new double[6 * 4 * 3];
        assertEquals("R (real rows per unit) must be in [m = 4, K*m = 6*4 = 24], got 3",
                assertThrows(IllegalArgumentException.class, () -> new SdLayerData(6, 4, 3, 3, c, b)).getMessage());
        assertEquals("K (slices) must be a multiple of S = ceil(R/m) = ceil(13/4) = 4 slices per unit, got K = 6",
                assertThrows(IllegalArgumentException.class, () -> new SdLayerData(6, 4, 3, 13, c, b)).getMessage());
        assertEquals(3, new SdLayerData(6, 4, 3, 7, c, b).units());
        assertEquals(4, new SdLayerData(6, 4, 3, c, b).unitRows(), "without R: R = m");
    }

    /** A valid 2.3 layer, K = 10, m = 4, n = 3, R = 7 (5 units of 2 slices), with bytes 12..15 (R) replaced. */
    private static byte[] withUnitRows(long r) {
        Random rnd = new Random(3);
        double[] c = paddedC(rnd, 5, 7, 4, 3, 0.2, 0.5);
        byte[] bytes = SdLayerCodec.encode(c, 10, 4, 3, 7, SdLayerCodecTest.randomB(rnd, 10, 3)).bytes();
        for (int i = 0; i < 4; i++) {
            bytes[12 + i] = (byte) (r >>> (24 - 8 * i));
        }
        return bytes;
    }

    @Test
    void corruptUnitRowsAreNamedErrors() throws SdmFormatException {
        assertEquals(7, SdLayerCodec.decode(withUnitRows(7)).layer().unitRows());
        String[][] cases = {
            {"0", "R (real rows per unit) must be in [m = 4, K*m = 10*4 = 40], got 0"},
            {"3", "R (real rows per unit) must be in [m = 4, K*m = 10*4 = 40], got 3"},
            // R > K*m: every S > K; in particular R can never exceed S*m for S = ceil(R/m)
            {"41", "R (real rows per unit) must be in [m = 4, K*m = 10*4 = 40], got 41"},
            {"4294967295", "R (real rows per unit) must be in [m = 4, K*m = 10*4 = 40], got 4294967295"},
            {"9", "K (slices) must be a multiple of S = ceil(R/m) = ceil(9/4) = 3 slices per unit, got K = 10"},
        };
        for (String[] t : cases) {
            byte[] bad = withUnitRows(Long.parseLong(t[0]));
            SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(bad, "layer 'fc1'"));
            assertEquals("layer 'fc1': " + t[1], e.getMessage(), "R = " + t[0]);
        }
    }

    @Test
    void aCorruptUnitRowsFieldInAFileNamesTheSectionAndTheField() {
        Random rnd = new Random(4);
        SdLayerData d = new SdLayerData(10, 4, 3, 7, paddedC(rnd, 5, 7, 4, 3, 0.2, 0.5),
                Int8Basis.quantize(SdLayerCodecTest.randomB(rnd, 10, 3), 10));
        SdmFile f = new SdmFile(NetworkType.OTHER, "{}", java.util.Map.of(),
                java.util.List.of(SdLayerEntry.of("fc1", "0_", new long[] {20, 5}, d)));
        SdmWriter.Serialized s = SdmWriter.serialize(f);
        SectionInfo layer = s.layout().sections().get(2);
        byte[] bytes = s.bytes();
        // payload: str "fc1" (7) + str "0_" (6) + rank (1) + 2 x u64 (16) + flags (1) + u32 length (4); R at 12..15
        int rAt = (int) layer.offset() + 9 + 7 + 6 + 1 + 16 + 1 + 4 + 12;
        assertEquals(7, bytes[rAt + 3]);
        bytes[rAt + 3] = 0;
        int len = (int) layer.payloadBytes();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, (int) layer.offset(), 9 + len);
        java.nio.ByteBuffer.wrap(bytes).putInt((int) layer.offset() + 9 + len, (int) crc.getValue());
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdmReader.read(bytes, "r.sdm"));
        assertTrue(e.getMessage().startsWith("file r.sdm, section 2 of 3 (SD_LAYER 'fc1'")
                && e.getMessage().endsWith("R (real rows per unit) must be in [m = 4, K*m = 10*4 = 40], got 0"),
                e.getMessage());
    }
}
