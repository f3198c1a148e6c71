package org.smartdeal.codec;

import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The RUNS sparsity index ({@link RunsIndex}, docs/FORMAT.md): sizes by hand, round trips, corrupt input. */
class RunsIndexTest {

    /** Random C with each entry non-zero (a signed power of two) with probability {@code density}. */
    static double[] uniformC(Random rnd, int entries, double density) {
        double[] c = new double[entries];
        for (int i = 0; i < entries; i++) {
            if (rnd.nextDouble() < density) {
                double v = Math.scalb(1.0, -6 + rnd.nextInt(7));
                c[i] = rnd.nextBoolean() ? v : -v;
            }
        }
        return c;
    }

    private static boolean[] nonZero(double[] c) {
        boolean[] nz = new boolean[c.length];
        for (int i = 0; i < c.length; i++) {
            nz[i] = c[i] != 0;
        }
        return nz;
    }

    /** Writes the RUNS index of c and reads it back; checks the size and the mask. */
    private static RunsIndex roundTrip(double[] c, int n) throws Exception {
        RunsIndex plan = RunsIndex.of(c, n);
        BitWriter w = new BitWriter();
        plan.write(c, w);
        assertEquals(plan.bits(), w.bitLength(), "bits() == bits written");
        boolean[] nz = new boolean[c.length];
        BitReader r = new BitReader(w.toByteArray(), "t");
        long nnz = RunsIndex.read(r, c.length / n, n, nz);
        assertEquals(plan.bits(), r.position(), "reader consumes exactly the bits written");
        assertArrayEquals(nonZero(c), nz);
        assertEquals(Arrays.stream(c).filter(v -> v != 0).count(), nnz);
        return plan;
    }

    @Test
    void handCheckedSmallCase() throws Exception {
        // 40 rows of n = 3; row 5 = (1, 0, 0) (pattern 100), row 30 = (0, -2, 0) (pattern 010).
        // Runs: 5 zero rows before row 5, 24 (rows 6..29) before row 30, 9 trailing (rows 31..39).
        // Rice bits sum(r >> k) + 3(k + 1): k=0 38+3=41, k=1 18+6=24, k=2 9+9=18, k=3 4+12=16,
        // k=4 1+15=16 (not cheaper: stop) -> k = 3, 16 bits.
        // Patterns: raw 2 x 3 = 6 bits; Huffman: table 16+16+5+2x(2+5) = 51 plus 2 x 1 -> raw.
        // RUNS = 5 + 16 + 1 + 6 = 28 bits; VECTOR = 40 + 2 x 3 = 46; ELEM = 120 -> RUNS.
        double[] c = new double[40 * 3];
        c[5 * 3] = 1;
        c[30 * 3 + 1] = -2;
        assertEquals(120, SparsityIndex.bits(c, 3, IndexMode.ELEM));
        assertEquals(46, SparsityIndex.bits(c, 3, IndexMode.VECTOR));
        assertEquals(28, SparsityIndex.bits(c, 3, IndexMode.RUNS));
        assertEquals(IndexMode.RUNS, SparsityIndex.choose(c, 3));
        RunsIndex plan = roundTrip(c, 3);
        assertEquals(3, plan.riceParameter());
        assertEquals(16, plan.runBits());
        assertFalse(plan.huffmanPatterns());
        assertArrayEquals(new int[] {5, 24, 9}, plan.runs());
        // the exact stream: k=00011; 5 = 1|101; 24 = 0001|000; 9 = 01|001; flag 0; 100; 010
        BitWriter w = new BitWriter();
        plan.write(c, w);
        assertEquals("00011" + "1101" + "0001000" + "01001" + "0" + "100" + "010", bitString(w));

        // The whole layer (K = 1, m = 40, n = 3, R = 40): header 128; C table: symbols 0 (+1) and
        // 3 (-2), w = 2: 16+16+5+2x7 = 51; index 2 + 28 = 30; C 2 x 1 bit; B 16 + 4 (shift width
        // 0: one slice, shift 0) + 9 x 8 = 92; 128+51+30+2+92 = 303 -> 1 padding bit, 38 bytes.
        EncodedLayer enc = SdLayerCodec.encode(c, 1, 40, 3, new double[9]);
        assertEquals(IndexMode.RUNS, enc.indexMode());
        assertEquals(30, enc.breakdown().indexBits());
        assertEquals(51, enc.breakdown().tableBits());
        assertEquals(2, enc.breakdown().cBits());
        assertEquals(92, enc.breakdown().bBits());
        assertEquals(128 + 1, enc.breakdown().otherBits());
        assertEquals(38, enc.bytes().length);
        DecodedLayer dec = SdLayerCodec.decode(enc.bytes());
        assertArrayEquals(c, dec.layer().c());
        assertEquals(IndexMode.RUNS, dec.indexMode());
        assertEquals(enc.breakdown(), dec.breakdown());
    }

    private static String bitString(BitWriter w) {
        byte[] b = w.toByteArray();
        StringBuilder s = new StringBuilder();
        for (long i = 0; i < w.bitLength(); i++) {
            s.append((b[(int) (i >>> 3)] >>> (7 - (int) (i & 7))) & 1);
        }
        return s.toString();
    }

    @Test
    void huffmanPatternsWhenTheyAreCheaper() throws Exception {
        // n = 1: every pattern is 1, a one-symbol table (16+16+5+0+5 = 42 bits) and 0-bit codes,
        // so Huffman wins as soon as Z > 42 (raw costs Z bits).
        double[] c = new double[4000];
        for (int i = 0; i < 43; i++) {
            c[i * 90] = 1;
        }
        RunsIndex plan = roundTrip(c, 1);
        assertTrue(plan.huffmanPatterns());
        assertEquals(42, plan.patternBits());
        double[] fewer = Arrays.copyOf(c, c.length);
        fewer[0] = 0; // Z = 42: tie 42 = 42 keeps raw
        RunsIndex raw = roundTrip(fewer, 1);
        assertFalse(raw.huffmanPatterns());
        assertEquals(42, raw.patternBits());
        // n = 4, skewed patterns (mostly a single entry 1000): Huffman beats 4 raw bits per row
        Random rnd = new Random(8);
        double[] skew = new double[4 * 5000];
        for (int row = 0; row < 5000; row++) {
            if (rnd.nextInt(10) == 0) {
                skew[row * 4] = 0.5;
                if (rnd.nextInt(8) == 0) {
                    skew[row * 4 + 1 + rnd.nextInt(3)] = -1;
                }
            }
        }
        RunsIndex h = roundTrip(skew, 4);
        assertTrue(h.huffmanPatterns());
        assertTrue(h.patternBits() < 4L * h.nonZeroRows());
    }

    @Test
    void riceParameterIsTheMinimumOverAllThirtyTwo() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(4);
            double density = Math.pow(10, -4 * rnd.nextDouble());
            double[] c = uniformC(rnd, n * (1 + rnd.nextInt(3000)), density);
            if (trial % 10 == 0) {
                c[c.length - 1] = 1; // a non-zero last row: trailing run 0
            }
            RunsIndex plan = RunsIndex.of(c, n);
            int[] runs = plan.runs();
            int bestK = 0;
            for (int k = 1; k <= RunsIndex.MAX_K; k++) {
                if (RunsIndex.riceBits(runs, k) < RunsIndex.riceBits(runs, bestK)) {
                    bestK = k;
                }
            }
            assertEquals(bestK, plan.riceParameter(), "trial " + trial);
            assertEquals(RunsIndex.riceBits(runs, bestK), plan.runBits(), "trial " + trial);
        }
    }

    @Test
    void roundTripsForAllDensitiesWidthsAndWideRows() throws Exception {
        Random rnd = new Random(4);
        double[] densities = {0, 0.001, 0.01, 0.05, 0.2, 0.5, 1};
        for (int n : new int[] {1, 2, 3, 4, 15, 16, 70}) {
            for (double d : densities) {
                double[] c = uniformC(rnd, n * 700, d);
                RunsIndex plan = roundTrip(c, n);
                if (n > RunsIndex.MAX_HUFFMAN_WIDTH) {
                    assertFalse(plan.huffmanPatterns(), "n = " + n + " has raw patterns only");
                }
            }
        }
        roundTrip(new double[] {1}, 1);
        roundTrip(new double[] {0}, 1);
        roundTrip(new double[] {0, 0, 0, 0, 0, 2}, 3);
    }

    @Test
    void corruptStreamsAreFormatErrorsNamingTheRunsIndex() {
        // 4 rows, k = 0: a prefix of 5 zero bits exceeds (4 >> 0) + 1 = 5 bits
        BitWriter a = new BitWriter();
        a.writeBits(0, 5);
        a.writeBits(0, 5);
        a.writeBits(1, 1);
        assertRunsError(a, 4, 1, "unary prefix longer than 5 bits");
        // 5 rows, k = 2: q = 1, low bits 3 -> run 7 > 5 rows
        BitWriter b = new BitWriter();
        b.writeBits(2, 5);
        b.writeBits(0b01, 2);
        b.writeBits(3, 2);
        assertRunsError(b, 5, 1, "overflows the 5 rows");
        // 2 rows of n = 3, k = 0: row 0 non-zero (run 0), trailing run 1, raw flag, pattern 000
        BitWriter p = new BitWriter();
        p.writeBits(0, 5);
        p.writeBits(0b1, 1);
        p.writeBits(0b01, 2);
        p.writeBits(0, 1);
        p.writeBits(0, 3);
        assertRunsError(p, 2, 3, "raw pattern 0");
        // same with a Huffman table holding pattern 0 / pattern 8 > 2^3 - 1 / no symbol
        for (int symbol : new int[] {0, 8}) {
            BitWriter h = new BitWriter();
            h.writeBits(0, 5);
            h.writeBits(0b1, 1);
            h.writeBits(0b01, 2);
            h.writeBits(1, 1);
            HuffmanCode.fromLengths(new int[] {symbol}, new int[] {0}).writeTable(h);
            assertRunsError(h, 2, 3, "pattern must be in [1, 7]");
        }
        BitWriter e = new BitWriter();
        e.writeBits(0, 5);
        e.writeBits(0b1, 1);
        e.writeBits(0b01, 2);
        e.writeBits(1, 1);
        e.writeBits(0, 16);
        assertRunsError(e, 2, 3, "pattern table is empty");
        // Huffman flag for n = 16 > 15
        BitWriter w = new BitWriter();
        w.writeBits(0, 5);
        w.writeBits(0b1, 1);
        w.writeBits(0b1, 1);
        w.writeBits(1, 1);
        assertRunsError(w, 1, 16, "need n <= 15");
        // truncated inside a unary prefix, and before the k field
        BitWriter t = new BitWriter();
        t.writeBits(0, 5);
        t.writeBits(0, 3);
        assertRunsError(t, 1000, 1, "unary prefix needs 1 bits");
        assertRunsError(new BitWriter(), 10, 1, "Golomb-Rice parameter k needs 5 bits");
    }

    private static void assertRunsError(BitWriter w, int rows, int n, String expected) {
        byte[] bytes = w.toByteArray();
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> RunsIndex.read(new BitReader(bytes, "t"), rows, n, new boolean[rows * n]));
        assertTrue(e.getMessage().contains("RUNS index") && e.getMessage().contains(expected), e.getMessage());
    }

    /** Encoded layers that use RUNS: raw and Huffman patterns, n = 1 and 3, padding rows, K = 1. */
    private static byte[][] runsLayers() {
        Random rnd = new Random(12);
        double[] c1 = uniformC(rnd, 2 * 64 * 3, 0.02);
        double[] c2 = uniformC(rnd, 1 * 2000 * 1, 0.03); // about 60 > 42 non-zero rows: Huffman patterns
        double[] c3 = new double[3 * 200 * 4]; // 86 rows of 3 patterns: Huffman (about 200 bits) < raw 344
        for (int row = 0; row < 600; row += 7) {
            c3[row * 4 + (row % 3)] = -0.25;
        }
        double[] c4 = uniformC(rnd, 1 * 40 * 3, 0.01);
        c4[c4.length - 1] = 2; // last row non-zero
        byte[][] out = {
            SdLayerCodec.encode(c1, 2, 64, 3, SdLayerCodecTest.randomB(rnd, 2, 3)).bytes(),
            SdLayerCodec.encode(c2, 1, 2000, 1, SdLayerCodecTest.randomB(rnd, 1, 1)).bytes(),
            SdLayerCodec.encode(c3, 3, 200, 4, SdLayerCodecTest.randomB(rnd, 3, 4)).bytes(),
            SdLayerCodec.encode(c4, 1, 40, 3, SdLayerCodecTest.randomB(rnd, 1, 3)).bytes(),
        };
        return out;
    }

    @Test
    void fuzzedRunsLayersGiveFormatErrorsOrValidDecodes() throws Exception {
        byte[][] layers = runsLayers();
        Random rnd = new Random(99);
        int huffmanLayers = 0;
        for (byte[] bytes : layers) {
            DecodedLayer clean = SdLayerCodec.decode(bytes);
            assertEquals(IndexMode.RUNS, clean.indexMode());
            huffmanLayers += RunsIndex.of(clean.layer().c(), clean.layer().width()).huffmanPatterns() ? 1 : 0;
            for (int len = 0; len < bytes.length; len++) {
                byte[] cut = Arrays.copyOf(bytes, len);
                assertThrows(SdmFormatException.class, () -> SdLayerCodec.decode(cut), "length " + len);
            }
            for (int trial = 0; trial < 1500; trial++) {
                byte[] bad = bytes.clone();
                int flips = 1 + rnd.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int bit = rnd.nextInt(8 * bad.length);
                    bad[bit >>> 3] ^= (byte) (0x80 >>> (bit & 7));
                }
                byte[] input = trial % 4 == 0 ? Arrays.copyOf(bad, 1 + rnd.nextInt(bad.length)) : bad;
                Throwable t = catchThrowable(() -> SdLayerCodec.decode(input, "layer 'fc1'"));
                assertTrue(t == null || (t instanceof SdmFormatException && t.getMessage().startsWith("layer 'fc1'")),
                        "trial " + trial + " threw " + t);
            }
        }
        assertEquals(2, huffmanLayers, "layers 2 and 3 have Huffman-coded patterns, 1 and 4 raw ones");
    }

    @Test
    void corruptRowCountOfARunsLayerFailsOnContentNotOnTheHeapGuard() throws Exception {
        // an all-zero K=1, m=4096, n=1, R=4096 layer is RUNS: one run of 4096, (4096 >> k) + k + 1 =
        // 15, 14, 14 for k = 10, 11, 12 -> k = 11, so 5 + 14 + 1 = 20 bits plus the 2 mode bits.
        // Declaring m = 2^28 or K = 2^16 instead (a 2 GiB dense C) must fail without a large
        // allocation: m = 2^28 breaks the rule m <= R; K = 2^16 declares 2^16 slices, whose B and
        // 2^28 real rows the stored bits cannot hold.
        EncodedLayer enc = SdLayerCodec.encode(new double[4096], 1, 4096, 1, new double[] {0.5});
        assertEquals(IndexMode.RUNS, enc.indexMode());
        assertEquals(22, enc.breakdown().indexBits());
        byte[] bytes = enc.bytes();
        byte[] tallSlices = bytes.clone();
        tallSlices[4] = 0x10; // m is bytes 4..7: 0x10000000 = 2^28
        tallSlices[5] = 0;
        tallSlices[6] = 0;
        tallSlices[7] = 0;
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> SdLayerCodec.decode(tallSlices, "layer z"));
        assertEquals("layer z: R (real rows per unit) must be in [m = 268435456, K*m = 1*268435456 = 268435456],"
                + " got 4096", e.getMessage());
        byte[] manyUnits = bytes.clone();
        manyUnits[2] = 1; // K is bytes 0..3: 0x00010000 = 2^16
        manyUnits[3] = 0;
        Allocations.Thrown<SdmFormatException> t = Allocations.whileThrowing(SdmFormatException.class,
                () -> SdLayerCodec.decode(manyUnits, "layer z"));
        assertTrue(t.error().getMessage().startsWith("layer z: ") && !t.error().getMessage().contains("heap"),
                t.error().getMessage());
        assertTrue(t.bytes() < (1 << 20), "allocated " + t.bytes() + " bytes");
    }

    @Test
    void reservedModeThreeIsRejected() {
        BitWriter w = new BitWriter();
        w.writeBits(1, 32);
        w.writeBits(1, 32);
        w.writeBits(1, 32);
        w.writeBits(1, 32); // R
        w.writeBits(0, 16); // empty table
        w.writeBits(3, 2);  // reserved index mode
        w.writeBits(0, 64);
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> SdLayerCodec.decode(w.toByteArray(), "layer x"));
        assertEquals("layer x: index mode must be 0 (ELEM), 1 (VECTOR) or 2 (RUNS), got 3", e.getMessage());
    }

    /** The exact message of the RUNS reader on {@code bytes}, which must be refused. */
    private static String runsMessage(byte[] bytes, int rows, int n) {
        return assertThrows(SdmFormatException.class,
                () -> RunsIndex.readPositions(new BitReader(bytes, "t"), rows, n)).getMessage();
    }

    private static byte[] bits(String s) {
        BitWriter w = new BitWriter();
        for (char ch : s.toCharArray()) {
            w.writeBit(ch - '0');
        }
        return w.toByteArray();
    }

    /**
     * The reader's bounds (docs/FORMAT.md, RUNS index): a unary prefix of at most (remaining rows >> k) + 1 bits and
     * a run of at most the remaining rows are accepted, one more is refused; every truncated field is named.
     * Streams worked out by hand, MSB-first; toByteArray pads the last byte with 0 bits.
     */
    @Test
    void readerBoundsAndTruncationsAreNamedExactly() throws Exception {
        // 4 rows, k = 1: (4 >> 1) = 2 zeros then the one bit, low bit 0 -> run 4 = the trailing run, Z = 0; raw flag
        assertArrayEquals(new int[0], RunsIndex.readPositions(new BitReader(bits("00001" + "001" + "0" + "0"), "t"), 4, 1));
        // one zero more: a prefix of 3 zero bits (the pad bits are zeros too) is refused at the 3rd
        assertEquals("RUNS index: run 0 at row 0 of 4: unary prefix longer than 3 bits (remaining rows 4 >> k = 1, plus 1)",
                runsMessage(bits("00001" + "000"), 4, 1));
        // 4 rows, k = 1: run 0 = q 0 | low 1 = 1 (row 1 non-zero, 2 rows remain); run 1 = q 1 | low 1 = 3 > 2
        assertEquals("RUNS index: run 1 of 3 zero rows at row 2 overflows the 4 rows (at most 2 remain)",
                runsMessage(bits("00001" + "11" + "011"), 4, 1));
        // ... while run 1 = q 1 | low 0 = 2 reaches the last row exactly (the trailing run); raw pattern 1 of row 1
        assertArrayEquals(new int[] {1},
                RunsIndex.readPositions(new BitReader(bits("00001" + "11" + "010" + "0" + "1"), "t"), 4, 1));
        // 10 rows, k = 3: the one bit of run 0, then the byte ends 2 bits later, before the 3 low bits
        assertEquals("RUNS index: run 0 (at row 0 of 10) low 3 bits needs 3 bits but only 2 remain (truncated or corrupt data)",
                runsMessage(bits("00011" + "1"), 10, 1));
        // 2 rows, k = 0, both non-zero (runs 0, 0) and the trailing run 0: 8 bits, then no coding flag
        assertEquals("RUNS index: pattern coding flag after 2 non-zero rows needs 1 bits but only 0 remain"
                + " (truncated or corrupt data)", runsMessage(bits("00000" + "111"), 2, 5));
        // the same with the raw flag and one 5-bit pattern: 14 bits, padded to 16, 7 bits left for 2 x 5
        assertEquals("RUNS index: raw patterns of 2 non-zero rows of n = 5 needs 10 bits but only 7 remain"
                + " (truncated or corrupt data)", runsMessage(bits("00000" + "111" + "0" + "10000"), 2, 5));
        // Z = 0 with the Huffman flag and an empty table is valid (only "an empty table with Z > 0" is refused):
        // 3 rows, k = 0, run 3 = 000 1, flag 1, table size 0 (16 bits)
        assertArrayEquals(new int[0],
                RunsIndex.readPositions(new BitReader(bits("00000" + "0001" + "1" + "0".repeat(16)), "t"), 3, 2));
        assertEquals("RUNS index pattern table is empty but there are 1 non-zero rows",
                runsMessage(bits("00000" + "1" + "001" + "1" + "0".repeat(16)), 3, 2));
    }

    /**
     * The widest rows with Huffman patterns are n = 15 (docs/FORMAT.md): 3 rows of one pattern cost 3 x 15 = 45 raw
     * bits against a one-symbol table of 16 + 16 + 5 + (0 + 5) = 42 bits and 0-bit codes, so n = 15 takes Huffman;
     * n = 16 must stay raw (48 bits).
     */
    @Test
    void huffmanPatternsUpToFifteenWideRows() throws Exception {
        double[] c15 = new double[3 * 15];
        double[] c16 = new double[3 * 16];
        for (int row = 0; row < 3; row++) {
            c15[row * 15] = 1;
            c16[row * 16] = 1;
        }
        RunsIndex p15 = roundTrip(c15, 15);
        assertTrue(p15.huffmanPatterns());
        assertEquals(42, p15.patternBits());
        assertEquals(3, p15.nonZeroRows());
        RunsIndex p16 = roundTrip(c16, 16);
        assertFalse(p16.huffmanPatterns());
        assertEquals(48, p16.patternBits());
        assertEquals(3, p16.nonZeroRows());
    }

    /**
     * A run whose quotient and low bits do not fit one 64-bit write: 38 non-zero rows, 126 zero rows, a non-zero row,
     * no trailing zeros (n = 1). Rice bits of runs {0 x 38, 126, 0}: k = 0: 126 + 40 = 166, k = 1: 63 + 80 = 143,
     * k = 2: 31 + 120 = 151 -> k = 1; run 126 is q = 63 zero bits, the one bit and low bit 0: 63 + 1 + 1 = 65 > 64.
     */
    @Test
    void aRunLongerThanOneWordKeepsItsLowBits() throws Exception {
        double[] c = new double[38 + 126 + 1];
        Arrays.fill(c, 0, 38, 1.0);
        c[164] = -1;
        RunsIndex plan = roundTrip(c, 1);
        assertEquals(1, plan.riceParameter());
        assertEquals(143, plan.runBits());
        int[] runs = new int[40];
        runs[38] = 126;
        assertArrayEquals(runs, plan.runs());
        assertEquals(39, plan.nonZeroRows());
    }
}
