package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HuffmanCodeTest {

    /** Naive reference: optimal Huffman cost = sum of the weights of all merged nodes. */
    static long naiveHuffmanCost(long[] freqs) {
        List<Long> w = new ArrayList<>();
        for (long f : freqs) {
            w.add(f);
        }
        long cost = 0;
        while (w.size() > 1) {
            Collections.sort(w);
            long merged = w.remove(0) + w.remove(0);
            cost += merged;
            w.add(merged);
        }
        return cost;
    }

    private static long cost(HuffmanCode code, int[] symbols, long[] freqs) {
        long bits = 0;
        for (int i = 0; i < symbols.length; i++) {
            bits += freqs[i] * code.lengthOf(symbols[i]);
        }
        return bits;
    }

    private static long kraftNumerator(HuffmanCode code) {
        long sum = 0;
        for (int l : code.lengths()) {
            sum += 1L << (HuffmanCode.MAX_CODE_LENGTH - l);
        }
        return sum;
    }

    @Test
    void handExampleGivesTextbookCanonicalCodes() {
        // freqs A=5, B=2, C=1, D=1: merges 1+1=2, 2+2=4, 4+5=9 -> lengths 1, 2, 3, 3.
        // Canonical: A=0, B=10, C=110, D=111 (symbols 10 < 20 < 30 < 40).
        int[] s = {30, 10, 40, 20};
        long[] f = {1, 5, 1, 2};
        HuffmanCode code = HuffmanCode.build(s, f);
        assertEquals(1, code.lengthOf(10));
        assertEquals(2, code.lengthOf(20));
        assertEquals(3, code.lengthOf(30));
        assertEquals(3, code.lengthOf(40));
        assertEquals(0b0, code.codeOf(10));
        assertEquals(0b10, code.codeOf(20));
        assertEquals(0b110, code.codeOf(30));
        assertEquals(0b111, code.codeOf(40));
        assertEquals(15, cost(code, s, f)); // 5*1 + 2*2 + 1*3 + 1*3
        assertEquals(naiveHuffmanCost(f), cost(code, s, f));
    }

    @Test
    void randomAlphabetsAreOptimalCompleteAndDecodable() throws Exception {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + rnd.nextInt(40);
            int[] s = new int[n];
            long[] f = new long[n];
            for (int i = 0; i < n; i++) {
                s[i] = -2000 + 7 * i + (trial % 5);
                f[i] = 1 + (rnd.nextBoolean() ? rnd.nextInt(10) : rnd.nextInt(100000));
            }
            HuffmanCode code = HuffmanCode.build(s, f);
            assertEquals(1L << HuffmanCode.MAX_CODE_LENGTH, kraftNumerator(code), "Kraft equality, trial " + trial);
            assertEquals(naiveHuffmanCost(f), cost(code, s, f), "optimal total bits, trial " + trial);

            BitWriter w = new BitWriter();
            code.writeTable(w);
            assertEquals(code.tableBits(), w.bitLength());
            int[] message = new int[300];
            for (int i = 0; i < message.length; i++) {
                message[i] = s[rnd.nextInt(n)];
                code.encode(message[i], w);
            }
            BitReader r = new BitReader(w.toByteArray(), "test");
            HuffmanCode back = HuffmanCode.readTable(r);
            assertArrayEquals(code.symbols(), back.symbols());
            assertArrayEquals(code.lengths(), back.lengths());
            for (int i = 0; i < message.length; i++) {
                assertEquals(message[i], back.decode(r), "symbol " + i + ", trial " + trial);
            }
        }
    }

    @Test
    void singleSymbolHasZeroBitCode() throws Exception {
        HuffmanCode code = HuffmanCode.build(new int[] {-7}, new long[] {123});
        assertEquals(0, code.lengthOf(-7));
        // table: u16 count + s16 min + u5 width(=0) + 1 x (0 offset bits + u5 length)
        assertEquals(16 + 16 + 5 + 5, code.tableBits());
        BitWriter w = new BitWriter();
        code.writeTable(w);
        BitReader r = new BitReader(w.toByteArray(), "t");
        HuffmanCode back = HuffmanCode.readTable(r);
        assertEquals(-7, back.decode(r));
        assertEquals(-7, back.decode(r));
    }

    @Test
    void emptyAlphabetHasSixteenBitTable() throws Exception {
        HuffmanCode code = HuffmanCode.build(new int[0], new long[0]);
        assertEquals(0, code.size());
        assertEquals(16, code.tableBits());
        BitWriter w = new BitWriter();
        code.writeTable(w);
        assertEquals(0, HuffmanCode.readTable(new BitReader(w.toByteArray(), "t")).size());
    }

    @Test
    void lengthLimitShortensFibonacciTreeKeepingKraftEquality() {
        // Fibonacci frequencies give the deepest Huffman tree: 10 symbols -> longest code 9 bits.
        long[] f = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55};
        int[] s = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        HuffmanCode unlimited = HuffmanCode.build(s, f);
        assertEquals(9, java.util.Arrays.stream(unlimited.lengths()).max().getAsInt());
        HuffmanCode limited = HuffmanCode.build(s, f, 5);
        assertTrue(java.util.Arrays.stream(limited.lengths()).max().getAsInt() <= 5);
        assertEquals(1L << HuffmanCode.MAX_CODE_LENGTH, kraftNumerator(limited));
        assertTrue(cost(limited, s, f) >= cost(unlimited, s, f));
        // 10 symbols need at least 4 bits: a limit of 3 is refused.
        assertThrows(IllegalArgumentException.class, () -> HuffmanCode.build(s, f, 3));
    }

    @Test
    void adjustToLimitHandExample() {
        // lengths histogram 1:1, 2:1, 3:1, 4:2 (Kraft 1/2+1/4+1/8+2/16 = 1), limit 3:
        // two codes of length 4 -> one of length 3, one length-2 code splits into two of length 3.
        int[] perLength = {0, 1, 1, 1, 2};
        HuffmanCode.adjustToLimit(perLength, 3);
        assertArrayEquals(new int[] {0, 1, 0, 4, 0}, perLength);
    }

    @Test
    void corruptTablesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> HuffmanCode.fromLengths(new int[] {1, 2}, new int[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> HuffmanCode.fromLengths(new int[] {1, 1}, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> HuffmanCode.fromLengths(new int[] {5}, new int[] {1}));
        BitWriter w = new BitWriter();
        w.writeBits(2, 16);
        w.writeSigned(0, 16);
        w.writeBits(1, 5);
        w.writeBits(0, 1);
        w.writeBits(1, 5);
        w.writeBits(1, 1);
        w.writeBits(2, 5); // lengths 1 and 2: Kraft sum 3/4
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> HuffmanCode.readTable(new BitReader(w.toByteArray(), "t")));
        assertTrue(e.getMessage().contains("Kraft"), e.getMessage());
    }

    /** A table as the writer lays it out, with the offsets' width and values given (lengths 1 and 1). */
    private static byte[] table(int min, int width, int... offsets) {
        BitWriter w = new BitWriter();
        w.writeBits(offsets.length, 16);
        w.writeSigned(min, 16);
        w.writeBits(width, 5);
        for (int o : offsets) {
            w.writeBits(o, width);
            w.writeBits(offsets.length == 2 ? 1 : 2, 5);
        }
        w.padToByte();
        return w.toByteArray();
    }

    /**
     * The writer lists the symbols in increasing order from the smallest, in the bit length of the largest offset;
     * anything else (an edited width inside a section whose CRC was recomputed) is refused, not read shifted.
     */
    @Test
    void tablesNotInTheWritersFormAreRejected() throws Exception {
        assertEquals(2, HuffmanCode.readTable(new BitReader(table(-3, 1, 0, 1), "t")).size());
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> HuffmanCode.readTable(new BitReader(table(-3, 3, 0, 1), "t")));
        assertEquals("Huffman table: symbol offsets must start at 0 and take the bit length of the largest (1: 1 bits),"
                + " got first offset 0 and width 3", e.getMessage());
        e = assertThrows(SdmFormatException.class, () -> HuffmanCode.readTable(new BitReader(table(0, 2, 1, 2), "t")));
        assertTrue(e.getMessage().contains("got first offset 1 and width 2"), e.getMessage());
        // four symbols of length 2 (Kraft sum 1), the last two equal
        e = assertThrows(SdmFormatException.class,
                () -> HuffmanCode.readTable(new BitReader(table(0, 2, 0, 1, 2, 2), "t")));
        assertEquals("Huffman table: symbols must increase, got 2 then 2 (entries 2 and 3)", e.getMessage());
    }

    private static String fromLengthsError(int[] symbols, int[] lengths) {
        return assertThrows(IllegalArgumentException.class, () -> HuffmanCode.fromLengths(symbols, lengths)).getMessage();
    }

    /**
     * A table's symbols and lengths (docs/FORMAT.md: symbols in [-32768, 32767], lengths in [1, 24] with Kraft
     * equality, one symbol with a 0-bit code): each bound is accepted and one beyond it refused with the rule and value.
     */
    @Test
    void fromLengthsAcceptsTheBoundsAndNamesWhatIsBeyond() throws Exception {
        assertEquals(2, HuffmanCode.fromLengths(new int[] {32767, -32768}, new int[] {1, 1}).size());
        assertEquals("HuffmanCode: symbol must be in [-32768, 32767], got -32769",
                fromLengthsError(new int[] {0, -32769}, new int[] {1, 1}));
        assertEquals("HuffmanCode: symbol must be in [-32768, 32767], got 32768",
                fromLengthsError(new int[] {32768, 0}, new int[] {1, 1}));
        assertEquals("HuffmanCode: symbols.length 2 != lengths.length 1", fromLengthsError(new int[] {1, 2}, new int[] {1}));
        // a repeat that is not adjacent as given (lengths 1, 2, 2: Kraft sum 1)
        assertEquals("HuffmanCode: symbol 1 occurs twice", fromLengthsError(new int[] {1, 2, 1}, new int[] {1, 2, 2}));
        // lengths 1, 2, ..., 23, 24, 24: Kraft sum 1 - 2^-23 + 2 x 2^-24 = 1, the longest 24 bits
        int[] symbols = new int[25];
        int[] lengths = new int[25];
        for (int i = 0; i < 25; i++) {
            symbols[i] = i;
            lengths[i] = Math.min(i + 1, 24);
        }
        HuffmanCode deep = HuffmanCode.fromLengths(symbols, lengths);
        assertEquals(24, deep.lengthOf(24));
        assertEquals((1 << 24) - 1, deep.codeOf(24)); // canonical: the last code of the longest length is all ones
        // lengths 1, ..., 24, 25, 25: the same sum, one bit too long
        int[] s26 = new int[26];
        int[] l26 = new int[26];
        for (int i = 0; i < 26; i++) {
            s26[i] = i;
            l26[i] = Math.min(i + 1, 25);
        }
        assertEquals("HuffmanCode: code length of symbol 24 must be in [1, 24], got 25", fromLengthsError(s26, l26));
        assertEquals("HuffmanCode: code length of symbol 2 must be in [1, 24], got 0",
                fromLengthsError(new int[] {1, 2}, new int[] {1, 0}));
    }

    /**
     * Canonical codes (shorter codes first, then by symbol, consecutive values) whatever order the symbols are given in:
     * lengths 2, 2, 1 for symbols 1, 2, 3 give 3 = 0, 1 = 10, 2 = 11; symbols given 2, 1 sort to 1 = 0, 2 = 1.
     */
    @Test
    void canonicalCodesDoNotDependOnTheGivenOrder() throws Exception {
        HuffmanCode c = HuffmanCode.fromLengths(new int[] {1, 2, 3}, new int[] {2, 2, 1});
        assertEquals(0b0, c.codeOf(3));
        assertEquals(0b10, c.codeOf(1));
        assertEquals(0b11, c.codeOf(2));
        HuffmanCode d = HuffmanCode.fromLengths(new int[] {2, 1}, new int[] {1, 1});
        assertArrayEquals(new int[] {1, 2}, d.symbols());
        assertEquals(0, d.codeOf(1));
        assertEquals(1, d.codeOf(2));
        // bits 1 0 decode to 2 then 1
        BitReader r = new BitReader(new byte[] {(byte) 0x80}, "t");
        assertEquals(2, d.decode(r));
        assertEquals(1, d.decode(r));
    }

    /** build's arguments: maxLength in [1, 24], at most 2^maxLength symbols, symbols in [-32768, 32767]. */
    @Test
    void buildAcceptsTheBoundsAndRefusesOneBeyond() {
        assertArrayEquals(new int[] {1, 1}, HuffmanCode.build(new int[] {1, 2}, new long[] {1, 5}, 1).lengths());
        assertEquals("HuffmanCode: 3 symbols cannot have codes of at most 1 bits", assertThrows(IllegalArgumentException.class,
                () -> HuffmanCode.build(new int[] {1, 2, 3}, new long[] {1, 1, 1}, 1)).getMessage());
        assertArrayEquals(new int[] {1, 1}, HuffmanCode.build(new int[] {1, 2}, new long[] {1, 5}, 24).lengths());
        assertEquals("HuffmanCode.maxLength must be in [1, 24], got 25", assertThrows(IllegalArgumentException.class,
                () -> HuffmanCode.build(new int[] {1, 2}, new long[] {1, 1}, 25)).getMessage());
        assertArrayEquals(new int[] {-32768, 32767},
                HuffmanCode.build(new int[] {32767, -32768}, new long[] {1, 1}).symbols());
        assertEquals("HuffmanCode symbol must be in [-32768, 32767], got 32768", assertThrows(IllegalArgumentException.class,
                () -> HuffmanCode.build(new int[] {32768}, new long[] {1})).getMessage());
        assertEquals("HuffmanCode symbol must be in [-32768, 32767], got -32769", assertThrows(IllegalArgumentException.class,
                () -> HuffmanCode.build(new int[] {-32769}, new long[] {1})).getMessage());
    }

    /**
     * A table read back: the widest symbol range (-32768 to 32767, offsets of 16 bits) is accepted; a width of 17 is
     * refused; a table cut inside its entries names the bits they need (2 x (1 + 5) = 12; 37 header bits, 3 pad bits).
     */
    @Test
    void readTableBoundsAndTruncation() throws Exception {
        BitWriter w = new BitWriter();
        HuffmanCode.fromLengths(new int[] {-32768, 32767}, new int[] {1, 1}).writeTable(w);
        HuffmanCode back = HuffmanCode.readTable(new BitReader(w.toByteArray(), "t"));
        assertArrayEquals(new int[] {-32768, 32767}, back.symbols());
        assertArrayEquals(new int[] {1, 1}, back.lengths());
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> HuffmanCode.readTable(new BitReader(table(0, 17, 0, 1), "t")));
        assertEquals("Huffman table: symbol offset width must be in [0, 16], got 17", e.getMessage());
        BitWriter cut = new BitWriter();
        cut.writeBits(2, 16);
        cut.writeSigned(0, 16);
        cut.writeBits(1, 5);
        e = assertThrows(SdmFormatException.class, () -> HuffmanCode.readTable(new BitReader(cut.toByteArray(), "t")));
        assertEquals("t: Huffman table of 2 symbols needs 12 bits but only 3 remain (truncated or corrupt data)",
                e.getMessage());
    }

    /**
     * decode reads each code's prefix from a lookup table when it can (session 43's performance pass); it must give
     * what a naive prefix match over {@link HuffmanCode#codeOf}/{@link HuffmanCode#lengthOf} gives, at the same bit
     * position, on every stream: codes short and long (up to the 24-bit limit, beyond the table's 10 bits), streams
     * cut anywhere (the last codes run short of bits), and random bits.
     */
    @Test
    void decodeMatchesANaivePrefixMatchOnValidTruncatedAndRandomStreams() {
        Random rnd = new Random(43);
        for (int trial = 0; trial < 300; trial++) {
            int n = 2 + rnd.nextInt(trial % 3 == 0 ? 40 : 8);
            int[] symbols = new int[n];
            long[] freqs = new long[n];
            for (int i = 0; i < n; i++) {
                symbols[i] = i * 3 - 50;
                // geometric frequencies give long codes (up to the limit) on some trials
                freqs[i] = trial % 2 == 0 ? 1 + rnd.nextInt(1000) : 1L << Math.min(40, i);
            }
            HuffmanCode code = HuffmanCode.build(symbols, freqs);
            BitWriter w = new BitWriter();
            int count = 1 + rnd.nextInt(200);
            for (int k = 0; k < count; k++) {
                code.encode(symbols[rnd.nextInt(n)], w);
            }
            byte[] valid = w.toByteArray();
            byte[] noise = new byte[1 + rnd.nextInt(40)];
            rnd.nextBytes(noise);
            for (byte[] bytes : new byte[][] {valid, Arrays.copyOf(valid, rnd.nextInt(valid.length + 1)), noise}) {
                BitReader fast = new BitReader(bytes, "t");
                long[] naivePos = {0};
                while (true) {
                    Integer expected = naiveDecode(code, bytes, naivePos);
                    if (expected == null) {
                        assertThrows(SdmFormatException.class, () -> code.decode(fast));
                        break;
                    }
                    int got = assertDoesNotThrow(() -> code.decode(fast));
                    assertEquals(expected.intValue(), got);
                    assertEquals(naivePos[0], fast.position());
                }
            }
        }
    }

    /** The symbol whose code is the shortest prefix of the bits at pos[0] (pos advanced past it), or null if none. */
    private static Integer naiveDecode(HuffmanCode code, byte[] bytes, long[] pos) {
        long value = 0;
        for (int len = 1; len <= 24 && pos[0] + len <= 8L * bytes.length; len++) {
            long bit = pos[0] + len - 1;
            value = (value << 1) | ((bytes[(int) (bit >>> 3)] >>> (7 - (int) (bit & 7))) & 1);
            for (int s : code.symbols()) {
                if (code.lengthOf(s) == len && code.codeOf(s) == value) {
                    pos[0] += len;
                    return s;
                }
            }
        }
        return null;
    }
}
