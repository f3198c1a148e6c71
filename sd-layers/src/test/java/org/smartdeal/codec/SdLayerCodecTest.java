package org.smartdeal.codec;

import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SdLayerCodecTest {

    /** Random packed C: a fraction of zero rows, mixed signs and exponents in [pMin, pMax]. */
    static double[] randomC(Random rnd, int k, int m, int n, double zeroRowProb, double zeroProb, int pMin, int pMax) {
        double[] c = new double[k * m * n];
        for (int row = 0; row < k * m; row++) {
            if (rnd.nextDouble() < zeroRowProb) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                if (rnd.nextDouble() >= zeroProb) {
                    double v = Math.scalb(1.0, pMin + rnd.nextInt(pMax - pMin + 1));
                    c[row * n + j] = rnd.nextBoolean() ? v : -v;
                }
            }
        }
        return c;
    }

    static double[] randomB(Random rnd, int k, int n) {
        double[] b = new double[k * n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextGaussian() * 0.1;
        }
        return b;
    }

    private static DecodedLayer roundTrip(double[] c, int k, int m, int n, double[] b) throws Exception {
        double[] cCopy = c.clone();
        double[] bCopy = b.clone();
        EncodedLayer enc = SdLayerCodec.encode(c, k, m, n, b);
        assertArrayEquals(cCopy, c, "C not modified");
        assertArrayEquals(bCopy, b, "B not modified");
        assertEquals(8L * enc.bytes().length, enc.breakdown().totalBits(), "bits == bytes written");
        DecodedLayer dec = SdLayerCodec.decode(enc.bytes());
        assertArrayEquals(c, dec.layer().c(), "C exact");
        assertEquals(Int8Basis.quantize(b, k), dec.layer().b(), "B int8, a scale per slice");
        assertArrayEquals(Int8Basis.roundTrip(b, k), dec.layer().b().toDoubles());
        assertEquals(enc.breakdown(), dec.breakdown());
        assertEquals(enc.indexMode(), dec.indexMode());
        assertEquals(k, dec.layer().sliceCount());
        assertEquals(m, dec.layer().sliceRows());
        assertEquals(n, dec.layer().width());
        return dec;
    }

    @Test
    void handCheckedLayerHasExactBitCounts() throws Exception {
        // K=1, m=2, n=3. Row 0 = (1, 0, -0.5), row 1 zero.
        double[] c = {1, 0, -0.5, 0, 0, 0};
        double[] b = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        EncodedLayer enc = SdLayerCodec.encode(c, 1, 2, 3, b);
        // index: ELEM 6 bits vs VECTOR 2 + 3 = 5 -> VECTOR (RUNS needs at least 5 + 2 + 1 = 8),
        // plus the 2-bit mode field = 7
        assertEquals(IndexMode.VECTOR, enc.indexMode());
        assertEquals(7, enc.breakdown().indexBits());
        // two symbols (p=0,+) and (p=-1,-), one each: 1 bit each
        assertEquals(2, enc.breakdown().cBits());
        // table: 16 count + 16 min + 5 width + 2 x (1 offset bit + 5 length bits) = 49
        assertEquals(49, enc.breakdown().tableBits());
        // B: 16-bit f + 4-bit shift width w = 0 (2.4; one slice, shift 0 in 0 bits) + 9 x 8 = 92
        assertEquals(92, enc.breakdown().bBits());
        // header K, m, n, R 128 + padding: 128 + 49 + 7 + 2 + 92 = 278 -> 2 padding bits
        assertEquals(128 + 2, enc.breakdown().otherBits());
        assertEquals(35, enc.bytes().length);
        assertEquals(2, enc.nonZeros());
        roundTrip(c, 1, 2, 3, b);
    }

    @Test
    void aVectorIndexWithMissingEntryBitsIsRejectedBeforeCIsAllocated() {
        // K = 1, m = 2^20, n = 64: C would have 2^26 entries (a 64 MB mask and 512 MB of doubles).
        // All 2^20 row flags are set, but only B's 16 + 4 + 8*64*64 bits follow instead of the
        // 2^26 entry bits the flagged rows need: the decoder must say so before allocating C.
        int m = 1 << 20;
        int n = 64;
        BitWriter w = new BitWriter();
        w.writeBits(1, 32);
        w.writeBits(m, 32);
        w.writeBits(n, 32);
        w.writeBits(m, 32); // R = m: one slice, every row real
        HuffmanCode.build(new int[] {PowerOfTwoSymbols.symbolOf(1.0)}, new long[] {1}).writeTable(w);
        w.writeBits(IndexMode.VECTOR.code(), IndexMode.FIELD_BITS);
        for (int row = 0; row < m; row++) {
            w.writeBit(1);
        }
        for (int i = 0; i < 16 + 4 + 8 * n * n; i++) {
            w.writeBit(0);
        }
        w.padToByte();
        byte[] bytes = w.toByteArray();
        Allocations.Thrown<SdmFormatException> t = Allocations.whileThrowing(SdmFormatException.class,
                () -> SdLayerCodec.decode(bytes, "SD layer 'big'"));
        String msg = t.error().getMessage();
        assertTrue(msg.startsWith("SD layer 'big'") && msg.contains("VECTOR index entries of " + m + " non-zero rows")
                && msg.contains("bits after the index"), msg);
        // The row flags (m/8 = 128 KiB) may be held; C (2^26 entries) must not be allocated.
        assertTrue(t.bytes() < (1 << 20), "allocated " + t.bytes() + " bytes");
    }

    @Test
    void randomLayersRoundTripExactly() throws Exception {
        Random rnd = new Random(2024);
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + rnd.nextInt(12);
            int m = 1 + rnd.nextInt(20);
            int n = 1 + rnd.nextInt(5);
            double zeroRow = trial % 2 == 0 ? 0.0 : 0.6;
            double[] c = randomC(rnd, k, m, n, zeroRow, 0.5, -12, 5);
            roundTrip(c, k, m, n, randomB(rnd, k, n));
        }
    }

    @Test
    void payloadBitsEqualANaiveHuffmanOverTheSymbolsOfC() {
        Random rnd = new Random(31);
        double[] c = randomC(rnd, 10, 16, 3, 0.2, 0.4, -9, 2);
        java.util.Map<Double, Long> counts = new java.util.TreeMap<>();
        for (double v : c) {
            if (v != 0) {
                counts.merge(v, 1L, Long::sum);
            }
        }
        long[] freqs = counts.values().stream().mapToLong(Long::longValue).toArray();
        EncodedLayer enc = SdLayerCodec.encode(c, 10, 16, 3, randomB(rnd, 10, 3));
        assertTrue(freqs.length > 10, "many distinct (sign, exponent) symbols");
        assertEquals(HuffmanCodeTest.naiveHuffmanCost(freqs), enc.breakdown().cBits());
    }

    /**
     * Packed C of a dense layer (nIn inputs, nOut units) in the slice layout of BRIEF.md: unit o's
     * nIn weights row-major in (R = ceil(nIn/n), n), cut into S = ceil(R/sliceRows) slices of
     * m = min(R, sliceRows) rows, padding (entries past nIn, rows past R) zero; each real weight
     * is non-zero with probability {@code density}. Returns {K, m} in {@code shape}.
     */
    static double[] denseLayoutC(Random rnd, int nIn, int nOut, int n, int sliceRows, double density, int[] shape) {
        int r = (nIn + n - 1) / n;
        int s = (r + sliceRows - 1) / sliceRows;
        int m = Math.min(r, sliceRows);
        double[] c = new double[nOut * s * m * n];
        for (int o = 0; o < nOut; o++) {
            for (int i = 0; i < nIn; i++) {
                if (rnd.nextDouble() < density) {
                    int row = i / n;
                    double v = Math.scalb(1.0, -8 + rnd.nextInt(9));
                    c[((o * s + row / m) * m + row % m) * n + i % n] = rnd.nextBoolean() ? v : -v;
                }
            }
        }
        shape[0] = nOut * s;
        shape[1] = m;
        return c;
    }

    @Test
    void everyDensityAndWidthRoundTripsInTheSmallestIndexMode() throws Exception {
        Random rnd = new Random(77);
        double[] densities = {0, 0.001, 0.01, 0.05, 0.2, 0.5, 1};
        // (nIn, nOut, sliceRows): padding rows and entries (nIn not a multiple of n, R not of
        // sliceRows), a single slice (K = 1), and a larger layer
        int[][] layouts = {{100, 7, 16}, {50, 1, 192}, {784, 12, 192}};
        for (int n = 1; n <= 4; n++) {
            for (int[] lay : layouts) {
                for (double d : densities) {
                    int[] shape = new int[2];
                    double[] c = denseLayoutC(rnd, lay[0], lay[1], n, lay[2], d, shape);
                    String where = "n=" + n + " layout " + Arrays.toString(lay) + " density " + d;
                    DecodedLayer dec = roundTrip(c, shape[0], shape[1], n, randomB(rnd, shape[0], n));
                    // the mode is the first of ELEM, VECTOR, RUNS with the fewest bits
                    IndexMode best = IndexMode.ELEM;
                    for (IndexMode mode : IndexMode.values()) {
                        if (SparsityIndex.bits(c, n, mode) < SparsityIndex.bits(c, n, best)) {
                            best = mode;
                        }
                    }
                    assertEquals(best, dec.indexMode(), where);
                    assertEquals(2 + SparsityIndex.bits(c, n, best), dec.breakdown().indexBits(), where);
                    // very sparse: RUNS (at 0.001 a layer has 0-3 non-zeros, a few runs of ~16 bits
                    // each, far below VECTOR's one bit per row); the larger layer up to 5%
                    if (d <= 0.001 || (d <= 0.05 && lay[0] == 784)) {
                        assertEquals(IndexMode.RUNS, dec.indexMode(), where);
                    }
                }
            }
        }
    }

    @Test
    void elemForMaximumEntropyCAndRunsForAFullC() throws Exception {
        Random rnd = new Random(21);
        for (int n = 1; n <= 4; n++) {
            // density 0.5 without padding: ELEM costs 1 bit per entry, the entropy; RUNS needs at
            // least Z+1 + (R-Z) = R+1 run bits (k = 0) plus about log2(2^n - 1) bits per non-zero row
            double[] half = RunsIndexTest.uniformC(rnd, 8 * 32 * n, 0.5);
            EncodedLayer enc = SdLayerCodec.encode(half, 8, 32, n, randomB(rnd, 8, n));
            assertEquals(IndexMode.ELEM, enc.indexMode(), "n = " + n);
            assertEquals(2 + 8 * 32 * n, enc.breakdown().indexBits(), "n = " + n);
        }
        // a full C (K=4, m=16, n=3, R=64 rows): every row has pattern 111. RUNS: 65 runs of 0,
        // k = 0 (65 bits; k = 1 would cost 130); patterns: a one-symbol Huffman table
        // 16+16+5+(0+5) = 42 bits and 0-bit codes (raw: 192). RUNS = 5 + 65 + 1 + 42 = 113 bits
        // < ELEM 192 < VECTOR 64 + 192 = 256.
        double[] full = new double[4 * 16 * 3];
        Arrays.fill(full, 0.5);
        DecodedLayer dec = roundTrip(full, 4, 16, 3, randomB(rnd, 4, 3));
        assertEquals(IndexMode.RUNS, dec.indexMode());
        assertEquals(2 + 113, dec.breakdown().indexBits());
        // n = 1: ELEM (64 bits) beats RUNS (5 + 65 + 1 + 42 = 113) and VECTOR (128)
        double[] full1 = new double[64];
        Arrays.fill(full1, -1);
        assertEquals(IndexMode.ELEM, roundTrip(full1, 4, 16, 1, randomB(rnd, 4, 1)).indexMode());
    }

    @Test
    void extremeExponentsRoundTrip() throws Exception {
        double[] c = {Double.MIN_VALUE, -Math.scalb(1.0, 1023), Math.scalb(1.0, -1022), 0, 1, -1};
        roundTrip(c, 2, 1, 3, new double[18]);
    }

    @Test
    void allZeroCHasEmptyTableAndNoPayload() throws Exception {
        double[] c = new double[4 * 6 * 3];
        DecodedLayer dec = roundTrip(c, 4, 6, 3, randomB(new Random(1), 4, 3));
        assertEquals(0, dec.breakdown().cBits());
        assertEquals(16, dec.breakdown().tableBits());
        // ELEM 72 bits, VECTOR 24 row bits; RUNS: one trailing run of 24 rows, Golomb-Rice bits
        // (24 >> k) + k + 1 = 25, 14, 9, 7, 6, 6 for k = 0..5 -> k = 4 (smallest k of the minimum),
        // so 5 (k) + 6 (run) + 1 (pattern flag) + 0 patterns = 12 -> RUNS, plus the 2 mode bits
        assertEquals(IndexMode.RUNS, dec.indexMode());
        assertEquals(2 + 12, dec.breakdown().indexBits());
    }

    @Test
    void singleSymbolCCostsNoPayloadBits() throws Exception {
        double[] c = new double[3 * 4 * 3];
        for (int i = 0; i < c.length; i += 2) {
            c[i] = -0.25;
        }
        DecodedLayer dec = roundTrip(c, 3, 4, 3, randomB(new Random(2), 3, 3));
        assertEquals(0, dec.breakdown().cBits());
        assertEquals(16 + 16 + 5 + 5, dec.breakdown().tableBits());
    }

    @Test
    void oneSliceAndWidthOne() throws Exception {
        Random rnd = new Random(5);
        roundTrip(randomC(rnd, 1, 9, 3, 0, 0.3, -4, 2), 1, 9, 3, randomB(rnd, 1, 3));
        roundTrip(randomC(rnd, 7, 5, 1, 0, 0.3, -4, 2), 7, 5, 1, randomB(rnd, 7, 1));
        roundTrip(new double[] {2}, 1, 1, 1, new double[] {0.5});
    }

    @Test
    void floatInputRoundTrips() throws Exception {
        float[] c = {0.5f, 0f, -4f, 0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0.125f};
        float[] b = new float[2 * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.1f * (i - 3);
        }
        EncodedLayer enc = SdLayerCodec.encode(c, 2, 3, 2, b);
        DecodedLayer dec = SdLayerCodec.decode(enc.bytes());
        assertArrayEquals(c, dec.layer().cAsFloat());
        assertArrayEquals(Int8Basis.quantize(b, 2).toFloats(), dec.layer().b().toFloats());
    }

    @Test
    void negativeZeroDecodesAsPositiveZero() throws Exception {
        double[] c = {-0.0, 1, 0};
        DecodedLayer dec = SdLayerCodec.decode(SdLayerCodec.encode(c, 1, 1, 3, new double[9]).bytes());
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(dec.layer().c()[0]));
    }

    @Test
    void invalidCNamesIndexAndValue() {
        double[] c = {1, 0, 0.5, 0, 0.3, 0};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdLayerCodec.encode(c, 1, 2, 3, new double[9]));
        assertEquals("C[4] must be 0 or +-2^p, got 0.3", e.getMessage());
        double[] inf = {1, Double.POSITIVE_INFINITY, 0};
        assertEquals("C[1] must be 0 or +-2^p, got Infinity", assertThrows(IllegalArgumentException.class,
                () -> SdLayerCodec.encode(inf, 1, 1, 3, new double[9])).getMessage());
        float[] cf = {0.75f};
        assertEquals("C[0] must be 0 or +-2^p, got 0.75", assertThrows(IllegalArgumentException.class,
                () -> SdLayerCodec.encode(cf, 1, 1, 1, new float[1])).getMessage());
    }

    @Test
    void shapeErrorsNameBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdLayerCodec.encode(new double[5], 1, 2, 3, new double[9]));
        assertEquals("C length 5 != K*m*n = 1*2*3 = 6", e.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> SdLayerCodec.encode(new double[6], 1, 2, 3, new double[8]));
        assertEquals("B length 8 != K*n*n = 1*3*3 = 9", f.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.encode(new double[0], 0, 2, 3, new double[0]));
    }

    @Test
    void everyTruncationAndTrailingByteIsDetected() throws Exception {
        Random rnd = new Random(9);
        byte[] bytes = SdLayerCodec.encode(randomC(rnd, 3, 8, 3, 0.3, 0.4, -6, 1), 3, 8, 3, randomB(rnd, 3, 3)).bytes();
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(cut), "length " + len);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(longer, "layer x"));
        assertTrue(e.getMessage().startsWith("layer x: "), e.getMessage());
    }

    @Test
    void bitFlipsNeverThrowAnythingButFormatException() throws Exception {
        Random rnd = new Random(11);
        byte[] bytes = SdLayerCodec.encode(randomC(rnd, 4, 8, 3, 0.3, 0.4, -6, 1), 4, 8, 3, randomB(rnd, 4, 3)).bytes();
        for (int trial = 0; trial < 2000; trial++) {
            byte[] bad = bytes.clone();
            int bit = rnd.nextInt(8 * bad.length);
            bad[bit >>> 3] ^= (byte) (0x80 >>> (bit & 7));
            Throwable t = catchThrowable(() -> SdLayerCodec.decode(bad));
            assertTrue(t == null || t instanceof SdmFormatException, "flip of bit " + bit + " threw " + t);
        }
    }

    @Test
    void hugeDeclaredShapeIsRejectedBeforeAllocation() {
        BitWriter w = new BitWriter();
        w.writeBits(1 << 20, 32);
        w.writeBits(1 << 10, 32);
        w.writeBits(1, 32);
        w.writeBits(1 << 10, 32); // R = m
        w.writeBits(0, 16); // empty table
        w.writeBits(0, 2);  // ELEM
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(w.toByteArray()));
        assertTrue(e.getMessage().contains("remain"), e.getMessage());
        BitWriter v = new BitWriter();
        v.writeBits(Integer.MAX_VALUE, 32);
        v.writeBits(Integer.MAX_VALUE, 32);
        v.writeBits(3, 32);
        v.writeBits(Integer.MAX_VALUE, 32);
        assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(v.toByteArray()));
    }
    /** K = 2 slices of m = 2, n = 1, C = {1, 0.5 | 0.25, 0}: slice 1 holds a non-zero of C. */
    private static final double[] TWO_SLICES_C = {1, 0.5, 0.25, 0};

    @Test
    void aVersion23LayerWhoseOneScaleRoundedASliceToZeroIsRefused() throws Exception {
        // One scale per layer (2.3): B = {300 | 0.5} -> f = -2 (300/4 = 75), slice 1's q = rint(0.125) = 0.
        Int8Basis one = Int8Basis.quantize(new double[] {300, 0.5});
        assertArrayEquals(new byte[] {75, 0}, one.values());
        SdLayerData lost = new SdLayerData(2, 2, 1, TWO_SLICES_C, Int8Basis.oneScale(one.values(), one.fracBits(), 2));
        byte[] v23 = SdLayerCodec.encode(lost, 3).bytes();
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(v23, "layer 'fc1'", 3));
        assertEquals("layer 'fc1': B of 1 of 2 slices (the first: slice 1) is all zero while their C is not: format 2.3"
                + " stores one B scale per layer (f = -2), which rounded their B to 0, so the layer would load wrong;"
                + " convert the model again (format 2.4 stores a scale per slice)", e.getMessage());
        // A 2.3 layer whose slices all kept their B reads as before, with every shift 0.
        Int8Basis kept = Int8Basis.quantize(new double[] {3, 0.5});
        SdLayerData fine = new SdLayerData(2, 2, 1, TWO_SLICES_C, Int8Basis.oneScale(kept.values(), kept.fracBits(), 2));
        assertEquals(fine, SdLayerCodec.decode(SdLayerCodec.encode(fine, 3).bytes(), "layer 'fc1'", 3).layer());
        // 2.4 keeps slice 1: f = -2, shifts {0, 9} (0.5 * 2^7 = 64).
        DecodedLayer now = SdLayerCodec.decode(SdLayerCodec.encode(TWO_SLICES_C, 2, 2, 1, new double[] {300, 0.5}).bytes());
        assertArrayEquals(new double[] {300, 0.5}, now.layer().b().toDoubles());
        assertArrayEquals(new int[] {0, 9}, now.layer().b().shifts());
        // In 2.4 an all-zero B is what was stored (B = 0 exactly), not a rounding loss: it reads.
        SdLayerData zeroB = new SdLayerData(2, 2, 1, TWO_SLICES_C, Int8Basis.quantize(new double[2], 2));
        assertEquals(zeroB, SdLayerCodec.decode(SdLayerCodec.encode(zeroB).bytes()).layer());
        // The 2.3 writer refuses per-slice shifts, which its format cannot hold.
        assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.encode(now.layer(), 3));
    }

    /**
     * The start of a 2.4 layer with K units of one row (m = n = R = 1) and C = 0, up to the B scale fields: the
     * header, an empty Huffman table (u16 0), ELEM mode with K zero index bits, f and the shift width w.
     */
    private static BitWriter zeroCLayerUpToShifts(int k, int f, int width) {
        BitWriter w = new BitWriter();
        w.writeBits(k, 32); // K
        for (int i = 0; i < 3; i++) {
            w.writeBits(1, 32); // m, n, R
        }
        w.writeBits(0, 16);
        w.writeBits(IndexMode.ELEM.code(), IndexMode.FIELD_BITS);
        w.writeBits(0, k);
        w.writeSigned(f, 16);
        w.writeBits(width, 4);
        return w;
    }

    @Test
    void aShiftWidthAbove8IsRejected() {
        // K = 1, f = 0, w = 9: one 9-bit shift and one B entry follow
        BitWriter w = zeroCLayerUpToShifts(1, 0, 9);
        w.writeBits(0, 9);
        w.writeBits(0, 8);
        w.padToByte();
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(w.toByteArray(), "x"));
        assertEquals("x: B scale shift width w must be in [0, 8], got 9", e.getMessage());
    }

    @Test
    void aTruncatedShiftFieldIsRejectedBeforeReading() {
        // K = 2 (two units of one row), f = 0, w = 8, then one shift of the two and the end
        BitWriter w = zeroCLayerUpToShifts(2, 0, 8);
        w.writeBits(3, 8);
        w.padToByte();
        // the up-front check (index, f, w and B's 8 bits per entry, which cover any K shifts of w <= 8 bits) fires
        // before the shifts are read: after the mode, 2 + 16 + 4 + 8 = 30 bits remain of the 2 + 16 + 4 + 16 needed
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(w.toByteArray(), "x"));
        assertEquals("x: index (ELEM, K=2, m=1, n=1, R=1) and B of 2 entries needs 38 bits but only 30 remain "
                + "(truncated or corrupt data)", e.getMessage());
    }

    /**
     * The writer stores the shifts in the bit length of the largest; a wider field (an edited width inside a
     * section whose CRC was recomputed) would read every later bit shifted and could load a different B.
     */
    @Test
    void aShiftWidthOtherThanTheLargestShiftsBitLengthIsRejected() {
        // K = 2, f = 0, w = 3, shifts 1 and 0 (bit length 1), two B entries
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> SdLayerCodec.decode(twoSlicesShifted(3), "x"));
        assertEquals("x: B scale shift width w must be the bit length of the largest shift (1), got 3", e.getMessage());
        // the same layer in the writer's width decodes
        assertTrue(catchThrowable(() -> SdLayerCodec.decode(twoSlicesShifted(1), "x")) == null);
    }

    /** Two slices of C = 0 with B scale shifts 1 and 0 written in {@code width} bits each, and B = 64, 64. */
    private static byte[] twoSlicesShifted(int width) {
        BitWriter w = zeroCLayerUpToShifts(2, 0, width);
        w.writeBits(1, width);
        w.writeBits(0, width);
        w.writeBits(64, 8);
        w.writeBits(64, 8);
        w.padToByte();
        return w.toByteArray();
    }

    @Test
    void aSliceScaleBeyondTheLargestIsRejected() {
        // K = 1, f = 1000 and a shift of 200: f_0 = 1200 > 1100
        BitWriter w = zeroCLayerUpToShifts(1, 1000, 8);
        w.writeBits(200, 8);
        w.writeBits(0, 8);
        w.padToByte();
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(w.toByteArray(), "x"));
        assertEquals("x: B scale of slice 0: f + shift = 1000 + 200 must be <= 1100", e.getMessage());
    }

    /** Subnormal powers of two: 2^-1074 (mantissa 1) and 2^-1073 (mantissa 2); FORMAT.md: p in [-1074, 1023]. */
    @Test
    void subnormalExponentsAreTheMantissasBit() throws Exception {
        assertEquals(-1074, PowerOfTwoSymbols.exponentOrInvalid(Double.MIN_VALUE));
        assertEquals(-1073, PowerOfTwoSymbols.exponentOrInvalid(Math.scalb(1.0, -1073)));
        assertEquals(-1030, PowerOfTwoSymbols.exponentOrInvalid(-Math.scalb(1.0, -1030)));
        assertEquals(Integer.MIN_VALUE, PowerOfTwoSymbols.exponentOrInvalid(3 * Double.MIN_VALUE));
        roundTrip(new double[] {Math.scalb(1.0, -1073), 0, -Math.scalb(1.0, -1030), 1, 0, 0}, 2, 1, 3, new double[18]);
    }

    /**
     * K*m, K*m*n and K*n*n at Java's array limit (2^31 - 9 = 2,147,483,639) are accepted, one beyond refused; every
     * field at its own limit 2^31 - 1 is refused by the products.
     */
    @Test
    void shapeProductsAtTheArrayLimitAreAcceptedAndOneBeyondRefused() {
        long max = SdLayerCodec.MAX_ENTRIES;
        assertEquals(2_147_483_639L, max);
        assertEquals(max, SdLayerCodec.checkShape(1, max, 1));
        assertEquals(max, SdLayerCodec.checkShape(max, 1, 1));
        assertEquals("K*m*n = 1*2147483640*1 and K*n*n must be <= 2147483639",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, max + 1, 1)).getMessage());
        assertEquals("K*m*n = 2147483640*1*1 and K*n*n must be <= 2147483639",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(max + 1, 1, 1)).getMessage());
        // K*n*n: 46,340^2 = 2,147,395,600 fits, 46,341^2 = 2,147,488,281 does not; with K = 2, 32,768^2 = 2^30 does not
        assertEquals(46_340L, SdLayerCodec.checkShape(1, 1, 46_340));
        assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, 1, 46_341));
        assertEquals(2 * 32_767L, SdLayerCodec.checkShape(2, 1, 32_767));
        assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(2, 1, 32_768));
        // K*m*n with n = 2: 2 (2^30 - 5) = 2^31 - 10 fits, 2 (2^30 - 4) = 2^31 - 8 does not
        assertEquals(2 * ((1L << 30) - 5), SdLayerCodec.checkShape(1, (1L << 30) - 5, 2));
        assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, (1L << 30) - 4, 2));
        long top = Integer.MAX_VALUE;
        // each field at 2^31 - 1 is within its own range; the product refuses it
        assertEquals("K*m*n = 1*2147483647*1 and K*n*n must be <= 2147483639",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, top, 1)).getMessage());
        assertEquals("K*m*n = 1*1*2147483647 and K*n*n must be <= 2147483639",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, 1, top)).getMessage());
        assertEquals("K*m*n = 2147483647*2147483647*2147483647 and K*n*n must be <= 2147483639",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(top, top, top)).getMessage());
        // each field alone: 1 and 2^31 - 1 pass their own range, 0 does not
        assertEquals("m (slice rows) must be in [1, 2147483647], got 0",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, 0, 1)).getMessage());
        assertEquals("n (width) must be in [1, 2147483647], got 2147483648",
                assertThrows(IllegalArgumentException.class, () -> SdLayerCodec.checkShape(1, 1, top + 1)).getMessage());
    }

    /**
     * The 2.3 lost-slice rule slice by slice, K = 5 slices of m = n = 2 with one scale (f = 0), q and C by hand:
     * slice 0 B and C non-zero (kept); slice 1 B all zero, C non-zero only in its last entry (lost); slice 2 B and C
     * zero (nothing to lose); slice 3 B zero but for its last entry (kept); slice 4 B zero, C non-zero in its first
     * entry (lost). Two lost, the first slice 1.
     */
    @Test
    void everyLostSliceOfAVersion23LayerIsCountedAndTheFirstNamed() throws Exception {
        byte[] q = new byte[5 * 4];
        q[0] = 64;
        q[3 * 4 + 3] = 1;
        double[] c = new double[5 * 4];
        c[0] = 1;
        c[1 * 4 + 3] = 0.5;
        c[3 * 4] = 2;
        c[4 * 4] = -1;
        SdLayerData layer = new SdLayerData(5, 2, 2, c, Int8Basis.oneScale(q, 0, 5));
        byte[] v23 = SdLayerCodec.encode(layer, 3).bytes();
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(v23, "layer 'fc1'", 3));
        assertTrue(e.getMessage().startsWith("layer 'fc1': B of 2 of 5 slices (the first: slice 1) is all zero while"
                + " their C is not: format 2.3 stores one B scale per layer (f = 0)"), e.getMessage());
        // with slice 0's B zero too, slice 0 is the first of three
        q[0] = 0;
        SdLayerData first = new SdLayerData(5, 2, 2, c, Int8Basis.oneScale(q, 0, 5));
        byte[] zeroFirst = SdLayerCodec.encode(first, 3).bytes();
        e = assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(zeroFirst, "layer 'fc1'", 3));
        assertTrue(e.getMessage().startsWith("layer 'fc1': B of 3 of 5 slices (the first: slice 0)"), e.getMessage());
        q[0] = 64;
        // without slices 1 and 4's non-zeros of C the same B reads
        c[1 * 4 + 3] = 0;
        c[4 * 4] = 0;
        SdLayerData kept = new SdLayerData(5, 2, 2, c, Int8Basis.oneScale(q, 0, 5));
        assertEquals(kept, SdLayerCodec.decode(SdLayerCodec.encode(kept, 3).bytes(), "layer 'fc1'", 3).layer());
    }
}
