package org.smartdeal.codec;

import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A canonical Huffman code over int symbols in [-32768, 32767] (for C these are the packed
 * (sign, exponent) symbols of {@link PowerOfTwoSymbols}).
 *
 * <p><b>Code lengths.</b> Built with the classic Huffman merge (ties broken by symbol order, so
 * the result is deterministic). If the longest code exceeds the limit ({@link #MAX_CODE_LENGTH}
 * = 24 by default), the length histogram is shortened with the procedure of ITU-T T.81 (JPEG)
 * Annex K.3 "Adjust_BITS": repeatedly take two codes of the longest length i, make one of them a
 * code of length i-1, and split one code of the deepest length j &lt; i-1 that is in use into two
 * codes of length j+1. Each move keeps Kraft's sum equal to 1, so the code stays complete; it
 * is near-optimal (optimal when no shortening is needed). Lengths are then handed out in
 * ascending order to symbols sorted by descending frequency (ties: ascending symbol).
 *
 * <p><b>Degenerate alphabets.</b> No symbol: an empty code. One symbol: its code has length 0,
 * i.e. every occurrence costs 0 bits (the decoder knows the number of non-zeros from the index
 * and the single symbol from the table). Two or more symbols: lengths in [1, limit] with Kraft
 * equality sum 2^-len = 1.
 *
 * <p><b>Canonical codes.</b> Symbols sorted by (length, symbol) receive consecutive code values,
 * shifted left whenever the length grows (DEFLATE style), written MSB-first.
 *
 * <p><b>Table format</b> (bits, MSB-first; see {@link #tableBits()}):
 * <pre>
 *   u16  S                     number of symbols
 *   if S &gt; 0:
 *     s16  minSymbol           smallest symbol
 *     u5   w                   bits per symbol offset (0..16)
 *     S x { u{w} symbol - minSymbol ; u5 code length }   in ascending symbol order
 * </pre>
 * For the (sign, exponent) symbols of C the offset's low bit is the sign and the rest the
 * exponent offset, so a typical layer table (10-20 symbols) costs about 200 bits.
 */
public final class HuffmanCode {

    /** Default maximum code length. */
    public static final int MAX_CODE_LENGTH = 24;
    /** Smallest symbol this class accepts. */
    public static final int MIN_SYMBOL = Short.MIN_VALUE;
    /** Largest symbol this class accepts. */
    public static final int MAX_SYMBOL = Short.MAX_VALUE;

    private final int[] symbols;   // ascending
    private final int[] lengths;   // aligned with symbols
    private final int[] codes;     // aligned with symbols
    // canonical decoding tables, indexed by length 0..maxLen
    private final int[] canonicalSymbols; // sorted by (length, symbol)
    private final int[] firstCode;
    private final int[] firstIndex;
    private final int[] countPerLength;
    private final int maxLen;
    // decode's shortcut: for each prefix of lookupBits bits, the symbol and length of the code the bit-by-bit
    // search finds within those bits (length 0: none, the search goes on past them)
    private final int lookupBits;
    private final int[] lookupSymbol;
    private final byte[] lookupLength;

    /** Longest prefix decode looks up in one step; longer codes are read bit by bit. */
    private static final int LOOKUP_BITS = 10;

    private HuffmanCode(int[] symbols, int[] lengths) {
        this.symbols = symbols;
        this.lengths = lengths;
        int n = symbols.length;
        int ml = 0;
        for (int l : lengths) {
            ml = Math.max(ml, l);
        }
        this.maxLen = ml;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> lengths[i]).thenComparingInt(i -> symbols[i]));
        this.codes = new int[n];
        this.canonicalSymbols = new int[n];
        this.firstCode = new int[ml + 1];
        this.firstIndex = new int[ml + 1];
        this.countPerLength = new int[ml + 1];
        int code = 0;
        int prevLen = n > 0 ? lengths[order[0]] : 0;
        for (int r = 0; r < n; r++) {
            int i = order[r];
            int len = lengths[i];
            code <<= (len - prevLen);
            prevLen = len;
            if (countPerLength[len] == 0) {
                firstCode[len] = code;
                firstIndex[len] = r;
            }
            countPerLength[len]++;
            codes[i] = code;
            canonicalSymbols[r] = symbols[i];
            code++;
        }
        this.lookupBits = n < 2 ? 0 : Math.min(ml, LOOKUP_BITS);
        this.lookupSymbol = new int[1 << lookupBits];
        this.lookupLength = new byte[1 << lookupBits];
        for (int prefix = 0; prefix < lookupSymbol.length; prefix++) {
            // the search of decode on the prefix's bits
            int c = 0;
            for (int len = 1; len <= lookupBits; len++) {
                c = (c << 1) | ((prefix >>> (lookupBits - len)) & 1);
                int offset = c - firstCode[len];
                if (countPerLength[len] > 0 && offset >= 0 && offset < countPerLength[len]) {
                    lookupSymbol[prefix] = canonicalSymbols[firstIndex[len] + offset];
                    lookupLength[prefix] = (byte) len;
                    break;
                }
            }
        }
    }

    /**
     * Builds the code for the given symbol frequencies with the default length limit.
     *
     * @param symbols distinct symbols, any order; not modified
     * @param freqs   frequencies aligned with {@code symbols}, each at least 1; not modified
     */
    public static HuffmanCode build(int[] symbols, long[] freqs) {
        return build(symbols, freqs, MAX_CODE_LENGTH);
    }

    /**
     * Builds the code with a given length limit (see the class comment for the method).
     *
     * @param maxLength longest allowed code, in [1, 24]; must satisfy 2^maxLength &gt;= symbols
     */
    public static HuffmanCode build(int[] symbols, long[] freqs, int maxLength) {
        if (symbols.length != freqs.length) {
            throw new IllegalArgumentException("HuffmanCode.build: symbols.length " + symbols.length
                    + " != freqs.length " + freqs.length);
        }
        if (maxLength < 1 || maxLength > MAX_CODE_LENGTH) {
            throw new IllegalArgumentException("HuffmanCode.maxLength must be in [1, " + MAX_CODE_LENGTH
                    + "], got " + maxLength);
        }
        int n = symbols.length;
        if (n > (1L << maxLength)) {
            throw new IllegalArgumentException("HuffmanCode: " + n + " symbols cannot have codes of at most "
                    + maxLength + " bits");
        }
        Integer[] bySymbol = new Integer[n];
        for (int i = 0; i < n; i++) {
            checkSymbol(symbols[i]);
            if (freqs[i] < 1) {
                throw new IllegalArgumentException("HuffmanCode.freqs[" + i + "] must be >= 1, got " + freqs[i]);
            }
            bySymbol[i] = i;
        }
        Arrays.sort(bySymbol, Comparator.comparingInt(i -> symbols[i]));
        int[] sortedSymbols = new int[n];
        long[] sortedFreqs = new long[n];
        for (int r = 0; r < n; r++) {
            sortedSymbols[r] = symbols[bySymbol[r]];
            sortedFreqs[r] = freqs[bySymbol[r]];
            if (r > 0 && sortedSymbols[r] == sortedSymbols[r - 1]) {
                throw new IllegalArgumentException("HuffmanCode: symbol " + sortedSymbols[r] + " occurs twice");
            }
        }
        int[] lengths = new int[n];
        if (n >= 2) {
            int[] depth = huffmanDepths(sortedFreqs);
            int deepest = Arrays.stream(depth).max().orElse(0);
            int[] perLength = new int[Math.max(deepest, maxLength) + 1];
            for (int d : depth) {
                perLength[d]++;
            }
            adjustToLimit(perLength, maxLength);
            // hand out lengths ascending to symbols by descending frequency
            Integer[] byFreq = new Integer[n];
            for (int i = 0; i < n; i++) {
                byFreq[i] = i;
            }
            Arrays.sort(byFreq, (a, b) -> sortedFreqs[a] != sortedFreqs[b]
                    ? Long.compare(sortedFreqs[b], sortedFreqs[a]) : Integer.compare(a, b));
            int len = 1;
            for (int r = 0; r < n; r++) {
                while (perLength[len] == 0) {
                    len++;
                }
                lengths[byFreq[r]] = len;
                perLength[len]--;
            }
        }
        return new HuffmanCode(sortedSymbols, lengths);
    }

    /** Depth of every leaf in a Huffman tree over the given frequencies (n &gt;= 2). */
    private static int[] huffmanDepths(long[] freqs) {
        int n = freqs.length;
        int[] parent = new int[2 * n - 1];
        long[] weight = new long[2 * n - 1];
        PriorityQueue<Integer> pq = new PriorityQueue<>(
                (a, b) -> weight[a] != weight[b] ? Long.compare(weight[a], weight[b]) : Integer.compare(a, b));
        for (int i = 0; i < n; i++) {
            weight[i] = freqs[i];
            pq.add(i);
        }
        int next = n;
        while (pq.size() > 1) {
            int a = pq.poll();
            int b = pq.poll();
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
            pq.add(next);
            next++;
        }
        int root = next - 1;
        int[] depthOfNode = new int[2 * n - 1];
        for (int v = root - 1; v >= 0; v--) {
            depthOfNode[v] = depthOfNode[parent[v]] + 1;
        }
        return Arrays.copyOf(depthOfNode, n);
    }

    /** ITU-T T.81 Annex K.3 Adjust_BITS on a histogram of code lengths (index = length). */
    static void adjustToLimit(int[] perLength, int limit) {
        for (int i = perLength.length - 1; i > limit; i--) {
            while (perLength[i] > 0) {
                int j = i - 2;
                while (perLength[j] == 0) {
                    j--;
                }
                perLength[i] -= 2;
                perLength[i - 1] += 1;
                perLength[j + 1] += 2;
                perLength[j] -= 1;
            }
        }
    }

    /**
     * Rebuilds a code from its symbols and lengths, validating them (as read from a table).
     *
     * @throws IllegalArgumentException if symbols repeat, lengths are out of range or the code
     *                                  is not complete (Kraft sum != 1 for two or more symbols)
     */
    public static HuffmanCode fromLengths(int[] symbols, int[] lengths) {
        String problem = checkLengths(symbols, lengths);
        if (problem != null) {
            throw new IllegalArgumentException("HuffmanCode: " + problem);
        }
        return sortedCopy(symbols, lengths);
    }

    private static HuffmanCode sortedCopy(int[] symbols, int[] lengths) {
        int n = symbols.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> symbols[i]));
        int[] s = new int[n];
        int[] l = new int[n];
        for (int r = 0; r < n; r++) {
            s[r] = symbols[order[r]];
            l[r] = lengths[order[r]];
        }
        return new HuffmanCode(s, l);
    }

    private static String checkLengths(int[] symbols, int[] lengths) {
        if (symbols.length != lengths.length) {
            return "symbols.length " + symbols.length + " != lengths.length " + lengths.length;
        }
        int n = symbols.length;
        int[] sorted = symbols.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            if (sorted[i] < MIN_SYMBOL || sorted[i] > MAX_SYMBOL) {
                return "symbol must be in [" + MIN_SYMBOL + ", " + MAX_SYMBOL + "], got " + sorted[i];
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                return "symbol " + sorted[i] + " occurs twice";
            }
        }
        if (n == 1) {
            return lengths[0] == 0 ? null : "a single symbol must have code length 0, got " + lengths[0];
        }
        long kraft = 0;
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 1 || lengths[i] > MAX_CODE_LENGTH) {
                return "code length of symbol " + symbols[i] + " must be in [1, " + MAX_CODE_LENGTH
                        + "], got " + lengths[i];
            }
            kraft += 1L << (MAX_CODE_LENGTH - lengths[i]);
        }
        if (n >= 2 && kraft != (1L << MAX_CODE_LENGTH)) {
            return "code lengths violate Kraft equality: sum 2^-len = " + kraft + "/2^" + MAX_CODE_LENGTH;
        }
        return null;
    }

    private static void checkSymbol(int s) {
        if (s < MIN_SYMBOL || s > MAX_SYMBOL) {
            throw new IllegalArgumentException("HuffmanCode symbol must be in [" + MIN_SYMBOL + ", "
                    + MAX_SYMBOL + "], got " + s);
        }
    }

    /** Number of symbols in the alphabet. */
    public int size() {
        return symbols.length;
    }

    /** The symbols in ascending order (a copy). */
    public int[] symbols() {
        return symbols.clone();
    }

    /** The code lengths aligned with {@link #symbols()} (a copy). */
    public int[] lengths() {
        return lengths.clone();
    }

    /** The code value (right-aligned, {@code lengthOf(symbol)} bits) of a symbol. */
    public int codeOf(int symbol) {
        return codes[indexOf(symbol)];
    }

    /** The code length of a symbol in bits. */
    public int lengthOf(int symbol) {
        return lengths[indexOf(symbol)];
    }

    private int indexOf(int symbol) {
        int i = Arrays.binarySearch(symbols, symbol);
        if (i < 0) {
            throw new IllegalArgumentException("HuffmanCode: symbol " + symbol + " is not in the alphabet "
                    + Arrays.toString(symbols));
        }
        return i;
    }

    /** Appends the code of {@code symbol} to {@code out}. */
    public void encode(int symbol, BitWriter out) {
        int i = indexOf(symbol);
        out.writeBits(codes[i], lengths[i]);
    }

    /** Reads one symbol from {@code in}; the alphabet must not be empty. */
    public int decode(BitReader in) throws SdmFormatException {
        if (symbols.length == 0) {
            throw new SdmFormatException("Huffman decode with an empty alphabet (index and table disagree)");
        }
        if (symbols.length == 1) {
            return symbols[0];
        }
        if (lookupBits > 0 && in.remainingBits() >= lookupBits) {
            int prefix = in.peekBits(lookupBits);
            int len = lookupLength[prefix];
            if (len > 0) {
                in.skipBits(len);
                return lookupSymbol[prefix];
            }
        }
        // a code longer than the lookup, too few bits left for it, or no code: bit by bit from the same position
        int code = 0;
        for (int len = 1; len <= maxLen; len++) {
            code = (code << 1) | in.readBit();
            int offset = code - firstCode[len];
            if (countPerLength[len] > 0 && offset >= 0 && offset < countPerLength[len]) {
                return canonicalSymbols[firstIndex[len] + offset];
            }
        }
        throw new SdmFormatException("invalid Huffman code " + Integer.toBinaryString(code));
    }

    /** Size of this code's table in bits, as written by {@link #writeTable(BitWriter)}. */
    public long tableBits() {
        if (symbols.length == 0) {
            return 16;
        }
        return 16 + 16 + 5 + (long) symbols.length * (offsetWidth() + 5);
    }

    private int offsetWidth() {
        int range = symbols[symbols.length - 1] - symbols[0];
        return 32 - Integer.numberOfLeadingZeros(range);
    }

    /** Writes the table (format in the class comment). */
    public void writeTable(BitWriter out) {
        out.writeBits(symbols.length, 16);
        if (symbols.length == 0) {
            return;
        }
        int w = offsetWidth();
        out.writeSigned(symbols[0], 16);
        out.writeBits(w, 5);
        for (int i = 0; i < symbols.length; i++) {
            out.writeBits(symbols[i] - symbols[0], w);
            out.writeBits(lengths[i], 5);
        }
    }

    /** Reads and validates a table written by {@link #writeTable(BitWriter)}. */
    public static HuffmanCode readTable(BitReader in) throws SdmFormatException {
        int n = (int) in.readBits(16);
        if (n == 0) {
            return new HuffmanCode(new int[0], new int[0]);
        }
        int min = (int) in.readSigned(16);
        int w = (int) in.readBits(5);
        if (w > 16) {
            throw new SdmFormatException("Huffman table: symbol offset width must be in [0, 16], got " + w);
        }
        in.require((long) n * (w + 5), "Huffman table of " + n + " symbols");
        int[] s = new int[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = min + (int) in.readBits(w);
            l[i] = (int) in.readBits(5);
        }
        // the writer lists the symbols in increasing order from min, in the fewest bits that hold the largest
        // offset: a table in any other form was not written by it (e.g. a width edited inside a section whose
        // CRC was recomputed, which would read every later field shifted)
        for (int i = 1; i < n; i++) {
            if (s[i] <= s[i - 1]) {
                throw new SdmFormatException("Huffman table: symbols must increase, got " + s[i - 1] + " then " + s[i]
                        + " (entries " + (i - 1) + " and " + i + ")");
            }
        }
        int range = s[n - 1] - min;
        int bits = 32 - Integer.numberOfLeadingZeros(range);
        if (s[0] != min || bits != w) {
            throw new SdmFormatException("Huffman table: symbol offsets must start at 0 and take the bit length of the"
                    + " largest (" + range + ": " + bits + " bits), got first offset " + (s[0] - min) + " and width " + w);
        }
        String problem = checkLengths(s, l);
        if (problem != null) {
            throw new SdmFormatException("Huffman table: " + problem);
        }
        return sortedCopy(s, l);
    }
}
