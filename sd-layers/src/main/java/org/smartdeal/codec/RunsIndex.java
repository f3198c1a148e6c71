package org.smartdeal.codec;

import java.util.Arrays;

/**
 * The RUNS sparsity index ({@link IndexMode#RUNS}) of C as rows of n entries in C order (the rows
 * {@link SparsityIndex} indexes: since format 2.3 the U*R real rows of packed C): an entropy-coded
 * form of the VECTOR index for very sparse C.
 *
 * <p><b>Bit format</b> (MSB-first, after the 2-bit mode field that {@link SdLayerCodec} writes):
 * <pre>
 *   u5  k                 Golomb-Rice parameter, 0..31 (every value is valid)
 *   Z+1 runs              r_0 .. r_Z: r_i (i &lt; Z) = zero rows before the i-th non-zero row,
 *                         r_Z = zero rows after the last one (the trailing run, possibly 0).
 *                         Each run r: q = r &gt;&gt; k zero bits, a one bit, then the low k bits of r.
 *                         Z is not stored: the decoder reads runs until they and the non-zero
 *                         rows between them cover all the rows; a run that reaches the last row
 *                         exactly is the trailing one.
 *   u1  pattern coding    0 raw, 1 Huffman
 *   raw:     Z x u{n}     the pattern of each non-zero row, entry j of the row = bit n-1-j
 *   Huffman: table, then Z codes   a {@link HuffmanCode} table over the patterns that occur
 *                         (symbols in [1, 2^n - 1]; only for n &lt;= {@value #MAX_HUFFMAN_WIDTH}),
 *                         then the canonical code of each non-zero row's pattern, in row order
 * </pre>
 *
 * <p><b>Size</b>: {@code 5 + runBits(k) + 1 + patternBits} with
 * {@code runBits(k) = sum_i (r_i >> k) + (Z + 1)(k + 1)} and {@code patternBits = n Z} (raw) or
 * {@code tableBits + sum over rows of code length} (Huffman). The encoder uses the k in [0, 31]
 * with the fewest run bits (the smallest such k on a tie) and Huffman only when strictly smaller
 * than raw. {@code runBits} is convex in k (the decrease from k to k+1 is
 * {@code sum ceil(floor(r / 2^k) / 2)} - (Z+1), non-increasing in k), so the scan over k stops at
 * the first k whose successor is not cheaper; the result is the minimum over all 32 values.
 *
 * <p><b>Decoding</b> is bounded by the input: every run costs at least one bit, a unary prefix
 * longer than {@code (remaining rows >> k) + 1} bits or than the remaining bits is rejected, a
 * run that passes the last row, a raw pattern 0, a Huffman table symbol outside [1, 2^n - 1] and
 * an empty table for Z &gt; 0 are rejected, all as {@link SdmFormatException}.
 */
public final class RunsIndex {

    /** Bits of the Golomb-Rice parameter field. */
    public static final int K_BITS = 5;
    /** Largest Golomb-Rice parameter. */
    public static final int MAX_K = (1 << K_BITS) - 1;
    /** Largest n for which the patterns may be Huffman coded ({@link HuffmanCode} symbols are 16-bit). */
    public static final int MAX_HUFFMAN_WIDTH = 15;

    private final int n;
    private final int[] runs;          // Z + 1 runs, the last one trailing
    private final int[] patterns;      // Z patterns, or null when n > MAX_HUFFMAN_WIDTH
    private final int k;
    private final long runBits;
    private final HuffmanCode patternCode; // null: raw patterns
    private final long patternBits;

    private RunsIndex(int n, int[] runs, int[] patterns, int k, long runBits, HuffmanCode patternCode,
                      long patternBits) {
        this.n = n;
        this.runs = runs;
        this.patterns = patterns;
        this.k = k;
        this.runBits = runBits;
        this.patternCode = patternCode;
        this.patternBits = patternBits;
    }

    /**
     * Plans the RUNS index of {@code c}: the runs, the best k and the cheaper pattern coding.
     *
     * @param c the rows of C to index, length a multiple of {@code n}; not modified
     * @param n row width, &gt;= 1
     */
    public static RunsIndex of(double[] c, int n) {
        if (n < 1 || c.length % n != 0) {
            throw new IllegalArgumentException("RunsIndex: C length " + c.length + " must be a multiple of n = " + n
                    + " >= 1");
        }
        int rows = c.length / n;
        int z = (int) SparsityIndex.nonZeroRows(c, n);
        int[] runs = new int[z + 1];
        boolean small = n <= MAX_HUFFMAN_WIDTH;
        int[] patterns = small ? new int[z] : null;
        long[] freq = small ? new long[1 << n] : null;
        int run = 0;
        int i = 0;
        for (int row = 0; row < rows; row++) {
            int base = row * n;
            boolean nz = false;
            int pattern = 0;
            if (small) {
                for (int j = 0; j < n; j++) {
                    pattern = (pattern << 1) | (c[base + j] != 0.0 ? 1 : 0);
                }
                nz = pattern != 0;
            } else {
                for (int j = 0; j < n && !nz; j++) {
                    nz = c[base + j] != 0.0;
                }
            }
            if (nz) {
                if (small) {
                    patterns[i] = pattern;
                    freq[pattern]++;
                }
                runs[i++] = run;
                run = 0;
            } else {
                run++;
            }
        }
        runs[z] = run;

        int bestK = 0;
        long best = riceBits(runs, 0);
        for (int kk = 1; kk <= MAX_K; kk++) {
            long bits = riceBits(runs, kk);
            if (bits >= best) {
                break; // convex in k: no later k is cheaper
            }
            best = bits;
            bestK = kk;
        }

        long raw = (long) n * z;
        HuffmanCode code = null;
        long patternBits = raw;
        if (small && z > 0) {
            int distinct = 0;
            for (long f : freq) {
                distinct += f > 0 ? 1 : 0;
            }
            int[] symbols = new int[distinct];
            long[] counts = new long[distinct];
            for (int p = 1, s = 0; p < freq.length; p++) {
                if (freq[p] > 0) {
                    symbols[s] = p;
                    counts[s++] = freq[p];
                }
            }
            HuffmanCode h = HuffmanCode.build(symbols, counts);
            long huff = h.tableBits();
            for (int s = 0; s < distinct; s++) {
                huff += counts[s] * h.lengthOf(symbols[s]);
            }
            if (huff < raw) {
                code = h;
                patternBits = huff;
            }
        }
        return new RunsIndex(n, runs, patterns, bestK, best, code, patternBits);
    }

    /**
     * Golomb-Rice bits of the given runs with parameter {@code k}: sum (r &gt;&gt; k) + count (k + 1).
     *
     * @param runs run lengths, each &gt;= 0; not modified
     * @param k    parameter in [0, 31]
     */
    public static long riceBits(int[] runs, int k) {
        if (k < 0 || k > MAX_K) {
            throw new IllegalArgumentException("RunsIndex.k must be in [0, " + MAX_K + "], got " + k);
        }
        long bits = (long) runs.length * (k + 1);
        for (int r : runs) {
            bits += r >>> k;
        }
        return bits;
    }

    /** Total bits of this index (mode field excluded): 5 + run bits + 1 + pattern bits. */
    public long bits() {
        return K_BITS + runBits + 1 + patternBits;
    }

    /** The chosen Golomb-Rice parameter. */
    public int riceParameter() {
        return k;
    }

    /** Bits of the Z + 1 Golomb-Rice coded runs. */
    public long runBits() {
        return runBits;
    }

    /** Bits of the patterns (table included when Huffman coded), without the 1-bit coding flag. */
    public long patternBits() {
        return patternBits;
    }

    /** Whether the patterns are Huffman coded (else raw n bits each). */
    public boolean huffmanPatterns() {
        return patternCode != null;
    }

    /** Number Z of rows that hold a non-zero. */
    public int nonZeroRows() {
        return runs.length - 1;
    }

    /** The Z + 1 runs, the trailing one last (a copy). */
    public int[] runs() {
        return runs.clone();
    }

    /**
     * Writes this index (format in the class comment), exactly {@link #bits()} bits.
     *
     * @param c   the same C this index was planned for; not modified
     * @param out Modified: the bits are appended
     */
    public void write(double[] c, BitWriter out) {
        out.writeBits(k, K_BITS);
        long lowMask = (1L << k) - 1;
        for (int r : runs) {
            long q = r >>> k;
            while (q >= 64) {
                out.writeBits(0, 64);
                q -= 64;
            }
            if (q + 1 + k <= 64) {
                out.writeBits((1L << k) | (r & lowMask), (int) q + 1 + k);
            } else {
                out.writeBits(1, (int) q + 1);
                out.writeBits(r & lowMask, k);
            }
        }
        out.writeBit(patternCode != null ? 1 : 0);
        int z = runs.length - 1;
        if (patternCode != null) {
            patternCode.writeTable(out);
            int[] codeOf = new int[1 << n];
            int[] lengthOf = new int[1 << n];
            for (int s : patternCode.symbols()) {
                codeOf[s] = patternCode.codeOf(s);
                lengthOf[s] = patternCode.lengthOf(s);
            }
            for (int p : patterns) {
                out.writeBits(codeOf[p], lengthOf[p]);
            }
        } else if (patterns != null) {
            for (int p : patterns) {
                out.writeBits(p, n);
            }
        } else {
            long row = 0;
            for (int i = 0; i < z; i++) {
                row += runs[i];
                int base = (int) (row * n);
                for (int j = 0; j < n; j++) {
                    out.writeBit(c[base + j] != 0.0 ? 1 : 0);
                }
                row++;
            }
        }
    }

    /**
     * Reads a RUNS index of {@code rows} rows of {@code n} entries (the mode field already read).
     * Messages name the RUNS index part and position; the caller prefixes the layer.
     *
     * @param nonZero output, length rows*n, all false on entry; Modified: set to true where C is non-zero
     * @return the number of non-zero entries
     * @throws SdmFormatException for truncated or inconsistent input (see the class comment)
     */
    public static long read(BitReader in, int rows, int n, boolean[] nonZero) throws SdmFormatException {
        int[] positions = readPositions(in, rows, n);
        for (int p : positions) {
            nonZero[p] = true;
        }
        return positions.length;
    }

    /**
     * Reads a RUNS index as the ascending flat positions (row * n + column) of the non-zeros of
     * the indexed C. Memory grows with the bits actually read, never with the declared {@code rows}
     * alone, so a corrupt row count cannot make the reader allocate before the input runs out.
     *
     * @throws SdmFormatException for truncated or inconsistent input (see the class comment)
     */
    public static int[] readPositions(BitReader in, int rows, int n) throws SdmFormatException {
        need(in, K_BITS, "Golomb-Rice parameter k");
        int k = (int) in.readBits(K_BITS);
        IntList nzRows = new IntList();
        long pos = 0;
        for (long run = 0; ; run++) {
            long remRows = rows - pos;
            long maxQ = remRows >>> k;
            long q = 0;
            while (true) {
                if (in.remainingBits() < 1) {
                    need(in, 1, "run " + run + " (at row " + pos + " of " + rows + ", k = " + k + ") unary prefix");
                }
                if (in.readBit() != 0) {
                    break;
                }
                if (++q > maxQ) {
                    throw new SdmFormatException("RUNS index: run " + run + " at row " + pos + " of " + rows
                            + ": unary prefix longer than " + (maxQ + 1) + " bits (remaining rows " + remRows
                            + " >> k = " + k + ", plus 1)");
                }
            }
            if (in.remainingBits() < k) {
                need(in, k, "run " + run + " (at row " + pos + " of " + rows + ") low " + k + " bits");
            }
            long r = (q << k) | in.readBits(k);
            if (r > remRows) {
                throw new SdmFormatException("RUNS index: run " + run + " of " + r + " zero rows at row " + pos
                        + " overflows the " + rows + " rows (at most " + remRows + " remain)");
            }
            pos += r;
            if (pos == rows) {
                break; // the trailing run
            }
            nzRows.add((int) pos);
            pos++;
        }
        int z = nzRows.size;
        need(in, 1, "pattern coding flag after " + z + " non-zero rows");
        boolean huffman = in.readBit() != 0;
        IntList positions = new IntList();
        if (!huffman) {
            need(in, (long) z * n, "raw patterns of " + z + " non-zero rows of n = " + n);
            for (int i = 0; i < z; i++) {
                int base = nzRows.values[i] * n;
                int before = positions.size;
                for (int j = 0; j < n; j += 64) {
                    int take = Math.min(64, n - j);
                    long word = in.readBits(take);
                    for (int t = 0; t < take; t++) {
                        if (((word >>> (take - 1 - t)) & 1) != 0) {
                            positions.add(base + j + t);
                        }
                    }
                }
                if (positions.size == before) {
                    throw new SdmFormatException("RUNS index: non-zero row " + nzRows.values[i] + " (the " + i
                            + "-th) has raw pattern 0");
                }
            }
            return positions.toArray();
        }
        if (n > MAX_HUFFMAN_WIDTH) {
            throw new SdmFormatException("RUNS index: Huffman-coded patterns need n <= " + MAX_HUFFMAN_WIDTH
                    + ", got n = " + n);
        }
        HuffmanCode code;
        try {
            code = HuffmanCode.readTable(in);
        } catch (SdmFormatException e) {
            throw new SdmFormatException("RUNS index pattern table: " + e.getMessage(), e);
        }
        int maxPattern = (1 << n) - 1;
        for (int s : code.symbols()) {
            if (s < 1 || s > maxPattern) {
                throw new SdmFormatException("RUNS index pattern table: pattern must be in [1, " + maxPattern
                        + "] for n = " + n + ", got " + s);
            }
        }
        if (z > 0 && code.size() == 0) {
            throw new SdmFormatException("RUNS index pattern table is empty but there are " + z + " non-zero rows");
        }
        for (int i = 0; i < z; i++) {
            int p;
            try {
                p = code.decode(in);
            } catch (SdmFormatException e) {
                throw new SdmFormatException("RUNS index: pattern of non-zero row " + nzRows.values[i] + " (the " + i
                        + "-th): " + e.getMessage(), e);
            }
            int base = nzRows.values[i] * n;
            for (int j = 0; j < n; j++) {
                if (((p >>> (n - 1 - j)) & 1) != 0) {
                    positions.add(base + j);
                }
            }
        }
        return positions.toArray();
    }

    /**
     * A growable int array (amortised doubling, no boxing) that asks {@link HeapCheck} before it grows: a RUNS
     * index can describe a row of n non-zeros in one input bit, so its positions are bounded by the heap, not by
     * the input (a 1 MB layer can list 135 M of them), and growing fails with a named error, not an
     * {@link OutOfMemoryError}.
     */
    private static final class IntList {
        int[] values = new int[64];
        int size;

        void add(int v) throws SdmFormatException {
            if (size == values.length) {
                long next = Math.min(Integer.MAX_VALUE - 8L, 2L * size);
                // the copy and the old array are both live while it grows
                HeapCheck.require((next + size) * Integer.BYTES, free -> new SdmFormatException("RUNS index: "
                        + size + " positions so far; growing their list to " + next + " needs "
                        + (next + size) * Integer.BYTES + " bytes of heap, only " + free + " free; " + HeapCheck.ADVICE));
                values = Arrays.copyOf(values, (int) next);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static void need(BitReader in, long bits, String what) throws SdmFormatException {
        if (bits > in.remainingBits()) {
            throw new SdmFormatException("RUNS index: " + what + " needs " + bits + " bits but only "
                    + in.remainingBits() + " remain (truncated or corrupt data)");
        }
    }
}
