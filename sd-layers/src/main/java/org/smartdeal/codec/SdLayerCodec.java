package org.smartdeal.codec;

import java.util.Objects;

/**
 * Encodes one SD layer (ALGORITHMS.md 4.1) into bytes and back. C comes back exactly; B comes
 * back as its int8 rounding ({@link Int8Basis}).
 *
 * <p><b>Byte format 2.4</b> (one bit stream, MSB-first, counted as in {@link StorageBreakdown}):
 * <pre>
 *   u32 K, u32 m, u32 n            other  (96 bits; each in [1, 2^31-1], K*m*n &lt;= 2^31-9)
 *   u32 R                          other  (32 bits; real rows per unit, rule below; not in 2.0-2.2)
 *   Huffman table                  table  ({@link HuffmanCode} table format)
 *   u2  index mode (0 ELEM, 1 VECTOR, 2 RUNS; 3 reserved)  index
 *   index bits                     index  ({@link SparsityIndex}, {@link RunsIndex})
 *   Huffman codes of the non-zeros of C, in C order    C
 *   s16 f                          B      (fraction bits of {@link Int8Basis}: the smallest f_k)
 *   u4 w, K x u{w} shift           B      (2.4, not in 2.0-2.3: f_k = f + shift_k is the scale of
 *                                          slice k; w in [0, 8] the bit length of the largest shift)
 *   K*n*n x s8 q                   B      (B in [K, n, n] C order, q in [-127, 127], b = q * 2^-f_k)
 *   zero bits to the byte boundary other
 * </pre>
 * <b>Real rows.</b> The K slices of m rows belong to U = K/S units of R real rows each, S =
 * ceil(R/m) slices per unit; the last slice of a unit is padded with zero rows up to m
 * ({@link SdLayerData}). Rule: m &lt;= R &lt;= K*m and K divisible by S (then (S-1)*m &lt; R &lt;= S*m
 * by the definition of S). R &gt;= m because a slice is never taller than its unit (m =
 * min(R, sliceRows), ALGORITHMS.md 2); it also keeps packed C below twice the U*R*n entries the
 * index covers, so a corrupt m cannot inflate the decoder's allocation. The index and the Huffman codes cover only the U*R real rows, that is
 * C compacted to [U*R, n] by dropping the padding rows ({@link SdLayerData#realRowsOfC}); the
 * decoder expands them back to packed [K, m, n] with zero padding rows. Format 2.0 to 2.2 has no
 * R field and indexes every row of packed C: such a layer reads with R = m (one slice per unit,
 * every row real), which is the same thing.
 *
 * <p>The table lists exactly the symbols that occur (none for an all-zero C; one symbol with a
 * 0-bit code when all non-zeros are equal). The index mode is the smallest of ELEM (U*R*n bits),
 * VECTOR (U*R + n*Z bits, Z = real rows with a non-zero) and RUNS (Golomb-Rice coded zero runs
 * of rows plus raw or Huffman coded row patterns, see {@link RunsIndex}), ties in that order; the
 * index bits of the breakdown are the 2 mode bits plus the index itself (for RUNS including its
 * pattern Huffman table). The 2-bit mode field dates from format 2.0 (1.0 had a 1-bit field and
 * no RUNS mode).
 *
 * <p><b>B scales.</b> Format 2.0 to 2.3 stored one scale f per layer (ALGORITHMS.md 4.1), so one
 * slice with a large B rounded the B of every other slice towards 0 (a dense 784 -&gt; 300 layer
 * with basis width 4 lost the B of 547 of its 600 slices and loaded at chance accuracy); 2.4 stores
 * a shift per slice ({@link Int8Basis}). A 2.0 to 2.3 layer reads with every shift 0 and is refused
 * when a slice that holds a non-zero of C has an all-zero B: the sign of that loss (a decomposition
 * gives B = 0 only to a slice whose weights are all 0, and then C is 0 too). A slice whose B was only
 * coarsened (kept a few bits) cannot be told from the file and still loads.
 *
 * <p>Zeros of either sign are zeros: {@code -0.0} in C decodes as {@code +0.0}.
 *
 * <p>The decoder checks every count against the bits that remain before it allocates, and
 * also refuses a layer whose decoded arrays would not fit in the free heap, so corrupt input
 * gives {@link SdmFormatException}, never an OutOfMemoryError. In VECTOR mode the row flags are
 * read first and the entry bits of the flagged rows and B are checked against the remaining
 * bits before C is allocated. A valid, sparse layer can still decode to far more entries than
 * it has bits (a VECTOR all-zero row is one bit for n entries; a RUNS index describes a huge
 * all-zero C in a few bits): its size then comes from K, m, n and R alone ({@link SdModelFile}
 * matches them against the layer shape of the network configuration only after decoding), and
 * only the heap check bounds the allocation. The RUNS decoder keeps the non-zeros sparse (their positions and
 * values) and allocates the dense C only after the whole layer, B and padding included, has
 * been validated.
 */
public final class SdLayerCodec {

    /** Bits of the K, m, n, R header (format 2.3). */
    public static final int HEADER_BITS = 128;
    /** Bits of the K, m, n header of format 2.0 to 2.2, which has no R field. */
    public static final int LEGACY_HEADER_BITS = 96;
    /** First minor version of format 2 whose layers store R and index only the real rows. */
    public static final int UNIT_ROWS_SINCE_MINOR = 3;
    /** First minor version of format 2 whose layers store a B scale per slice (a shift each). */
    public static final int SLICE_SCALES_SINCE_MINOR = 4;
    /** Bits of the field w, the bit length of every slice's B scale shift (format 2.4). */
    static final int SHIFT_WIDTH_BITS = 4;
    /** Largest w: shifts are at most {@link Int8Basis#MAX_SHIFT} = 255. */
    static final int MAX_SHIFT_WIDTH = 8;
    /** Largest number of entries of packed C (Java's array limit). */
    public static final long MAX_ENTRIES = Integer.MAX_VALUE - 8L;

    private static final int SYMBOL_OFFSET = -(PowerOfTwoSymbols.MIN_EXPONENT * 2);
    private static final int SYMBOL_RANGE = (PowerOfTwoSymbols.MAX_EXPONENT * 2 + 1) + SYMBOL_OFFSET + 1;

    private SdLayerCodec() {
    }

    /**
     * Encodes a layer whose B is given as doubles; B is quantized with {@link Int8Basis#quantize}.
     *
     * @param c        packed C [K, m, n], entries 0 or +-2^p, 0 on the padding rows; not modified
     * @param unitRows R, the real rows of each unit (see {@link SdLayerData})
     * @param b        packed B [K, n, n]; not modified
     * @throws IllegalArgumentException for bad shapes or R, naming the index and value of the first
     *                                  entry of C that is not 0 or +-2^p, the slice, row and value
     *                                  of a non-zero padding row, or the entry of B that is not finite
     */
    public static EncodedLayer encode(double[] c, int sliceCount, int sliceRows, int width, int unitRows,
                                      double[] b) {
        Objects.requireNonNull(c, "C");
        Objects.requireNonNull(b, "B");
        checkLengths(c.length, b.length, sliceCount, sliceRows, width);
        return encode(new SdLayerData(sliceCount, sliceRows, width, unitRows, c, Int8Basis.quantize(b, sliceCount)));
    }

    /** As {@link #encode(double[], int, int, int, int, double[])} with every row real (R = m). */
    public static EncodedLayer encode(double[] c, int sliceCount, int sliceRows, int width, double[] b) {
        return encode(c, sliceCount, sliceRows, width, sliceRows, b);
    }

    /** As {@link #encode(double[], int, int, int, int, double[])} for float32 C and B. */
    public static EncodedLayer encode(float[] c, int sliceCount, int sliceRows, int width, int unitRows,
                                      float[] b) {
        Objects.requireNonNull(c, "C");
        Objects.requireNonNull(b, "B");
        checkLengths(c.length, b.length, sliceCount, sliceRows, width);
        double[] cd = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            if (!PowerOfTwoSymbols.isZeroOrPowerOfTwo(c[i])) {
                throw new IllegalArgumentException("C[" + i + "] must be 0 or +-2^p, got " + c[i]);
            }
            cd[i] = c[i];
        }
        return encode(new SdLayerData(sliceCount, sliceRows, width, unitRows, cd, Int8Basis.quantize(b, sliceCount)));
    }

    /** As {@link #encode(float[], int, int, int, int, float[])} with every row real (R = m). */
    public static EncodedLayer encode(float[] c, int sliceCount, int sliceRows, int width, float[] b) {
        return encode(c, sliceCount, sliceRows, width, sliceRows, b);
    }

    private static void checkLengths(int cLength, int bLength, int k, int m, int n) {
        long entries = checkShape(k, m, n);
        if (cLength != entries) {
            throw new IllegalArgumentException("C length " + cLength + " != K*m*n = " + k + "*" + m + "*" + n
                    + " = " + entries);
        }
        long bEntries = (long) k * n * n;
        if (bLength != bEntries) {
            throw new IllegalArgumentException("B length " + bLength + " != K*n*n = " + k + "*" + n + "*" + n
                    + " = " + bEntries);
        }
    }

    /** Encodes a layer whose B is already int8, in the current format (2.4). */
    public static EncodedLayer encode(SdLayerData layer) {
        return encode(layer, SdmFile.FORMAT_MINOR);
    }

    /**
     * Encodes a layer in format 2.{@code formatMinor}: the current one, or 2.3 (no per-slice B shifts,
     * which needs every shift to be 0: one B scale per layer), which tests use to build older files.
     */
    static EncodedLayer encode(SdLayerData layer, int formatMinor) {
        boolean storesShifts = formatMinor >= SLICE_SCALES_SINCE_MINOR;
        if (formatMinor < UNIT_ROWS_SINCE_MINOR || formatMinor > SdmFile.FORMAT_MINOR) {
            throw new IllegalArgumentException("SdLayerCodec.encode: formatMinor must be in [" + UNIT_ROWS_SINCE_MINOR
                    + ", " + SdmFile.FORMAT_MINOR + "], got " + formatMinor);
        }
        if (!storesShifts && java.util.Arrays.stream(layer.b().shifts()).anyMatch(x -> x != 0)) {
            throw new IllegalArgumentException("SdLayerCodec.encode: format 2." + formatMinor
                    + " has one B scale per layer, but B has per-slice shifts");
        }
        double[] c = layer.realRowsOfC();
        int n = layer.width();
        long[] freq = new long[SYMBOL_RANGE];
        long nnz = 0;
        for (double v : c) {
            if (v != 0.0) {
                freq[PowerOfTwoSymbols.symbolOf(v) + SYMBOL_OFFSET]++;
                nnz++;
            }
        }
        int distinct = 0;
        for (long f : freq) {
            distinct += f > 0 ? 1 : 0;
        }
        int[] symbols = new int[distinct];
        long[] counts = new long[distinct];
        for (int s = 0, i = 0; s < SYMBOL_RANGE; s++) {
            if (freq[s] > 0) {
                symbols[i] = s - SYMBOL_OFFSET;
                counts[i++] = freq[s];
            }
        }
        HuffmanCode code = HuffmanCode.build(symbols, counts);
        SparsityIndex.Plan index = SparsityIndex.plan(c, n);
        IndexMode mode = index.mode();

        BitWriter w = new BitWriter();
        w.writeBits(layer.sliceCount(), 32);
        w.writeBits(layer.sliceRows(), 32);
        w.writeBits(n, 32);
        w.writeBits(layer.unitRows(), 32);
        long mark = w.bitLength();
        code.writeTable(w);
        long tableBits = w.bitLength() - mark;
        mark = w.bitLength();
        w.writeBits(mode.code(), IndexMode.FIELD_BITS);
        index.write(w);
        long indexBits = w.bitLength() - mark;
        mark = w.bitLength();
        int[] codeBySymbol = new int[SYMBOL_RANGE];
        int[] lengthBySymbol = new int[SYMBOL_RANGE];
        for (int s : symbols) {
            codeBySymbol[s + SYMBOL_OFFSET] = code.codeOf(s);
            lengthBySymbol[s + SYMBOL_OFFSET] = code.lengthOf(s);
        }
        for (double v : c) {
            if (v != 0.0) {
                int s = PowerOfTwoSymbols.symbolOf(v) + SYMBOL_OFFSET;
                w.writeBits(codeBySymbol[s], lengthBySymbol[s]);
            }
        }
        long cBits = w.bitLength() - mark;
        mark = w.bitLength();
        w.writeSigned(layer.b().fracBits(), 16);
        if (storesShifts) {
            int[] shifts = layer.b().shifts();
            int width = shiftBits(shifts);
            w.writeBits(width, SHIFT_WIDTH_BITS);
            for (int shift : shifts) {
                w.writeBits(shift, width);
            }
        }
        for (byte q : layer.b().values()) {
            w.writeBits(q & 0xFF, 8);
        }
        long bBits = w.bitLength() - mark;
        int pad = w.padToByte();
        StorageBreakdown bd = new StorageBreakdown(indexBits, cBits, tableBits, bBits, 0, HEADER_BITS + pad);
        return new EncodedLayer(w.toByteArray(), bd, mode, nnz);
    }

    /** Decodes bytes written by {@link #encode}; errors name the layer as "SD layer". */
    public static DecodedLayer decode(byte[] bytes) throws SdmFormatException {
        return decode(bytes, "SD layer");
    }

    /** Decodes bytes written by {@link #encode} (the current format, 2.4). */
    public static DecodedLayer decode(byte[] bytes, String context) throws SdmFormatException {
        return decode(bytes, context, SdmFile.FORMAT_MINOR);
    }

    /**
     * Decodes one layer of a format 2.x file.
     *
     * @param bytes       the whole encoding and nothing else; not modified
     * @param context     prefix of error messages, e.g. "file x.sdm, section 3 (SD layer 'fc1')"
     * @param formatMinor the file's minor version, in [0, {@link SdmFile#FORMAT_MINOR}]; below
     *                    {@link #UNIT_ROWS_SINCE_MINOR} the layer has no R field and reads with R = m
     * @throws SdmFormatException if the bytes are truncated, inconsistent or have trailing data
     */
    public static DecodedLayer decode(byte[] bytes, String context, int formatMinor) throws SdmFormatException {
        if (formatMinor < 0 || formatMinor > SdmFile.FORMAT_MINOR) {
            throw new IllegalArgumentException("SdLayerCodec.decode: formatMinor must be in [0, "
                    + SdmFile.FORMAT_MINOR + "], got " + formatMinor);
        }
        BitReader r = new BitReader(bytes, context);
        long k = r.readBits(32);
        long m = r.readBits(32);
        long n = r.readBits(32);
        boolean storesR = formatMinor >= UNIT_ROWS_SINCE_MINOR;
        long unitRows = storesR ? r.readBits(32) : m;
        int headerBits = storesR ? HEADER_BITS : LEGACY_HEADER_BITS;
        long entries;
        long perUnit;
        try {
            entries = checkShape(k, m, n);
            perUnit = checkUnitRows(k, m, unitRows);
        } catch (IllegalArgumentException e) {
            throw new SdmFormatException(context + ": " + e.getMessage());
        }
        // The index and the codes cover the U*R real rows; packed C adds S*m - R padding rows per unit.
        long realRows = k / perUnit * unitRows;
        long realEntries = realRows * n;
        int unitReal = (int) (unitRows * n);
        int unitPacked = (int) (perUnit * m * n);
        HuffmanCode code;
        try {
            code = HuffmanCode.readTable(r);
        } catch (SdmFormatException e) {
            throw new SdmFormatException(context + ": " + e.getMessage(), e);
        }
        for (int s : code.symbols()) {
            int p = PowerOfTwoSymbols.exponentOf(s);
            if (p < PowerOfTwoSymbols.MIN_EXPONENT || p > PowerOfTwoSymbols.MAX_EXPONENT) {
                throw new SdmFormatException(context + ": Huffman table exponent must be in ["
                        + PowerOfTwoSymbols.MIN_EXPONENT + ", " + PowerOfTwoSymbols.MAX_EXPONENT + "], got " + p);
            }
        }
        // the value of each symbol, computed once per layer (the exponents are in range, checked above)
        double[] valueBySymbol = new double[SYMBOL_RANGE];
        for (int s : code.symbols()) {
            valueBySymbol[s + SYMBOL_OFFSET] = PowerOfTwoSymbols.valueOf(s);
        }
        long tableEnd = r.position();
        IndexMode mode;
        try {
            mode = IndexMode.fromCode(r.readBits(IndexMode.FIELD_BITS));
        } catch (SdmFormatException e) {
            throw new SdmFormatException(context + ": " + e.getMessage(), e);
        }
        long bEntries = k * n * n;
        boolean storesShifts = formatMinor >= SLICE_SCALES_SINCE_MINOR;
        // s16 f, [2.4: u4 w, K x u{w} shift], K*n*n x s8 q; at least these bits (w = 0)
        long bBits = 16 + (storesShifts ? SHIFT_WIDTH_BITS : 0) + 8 * bEntries;
        long minIndex = switch (mode) {
            case ELEM -> realEntries;
            case VECTOR -> realRows;
            case RUNS -> RunsIndex.K_BITS + 1 + 1; // k, one run of >= 1 bit, the pattern coding flag
        };
        r.require(minIndex + bBits, "index (" + mode + ", K=" + k + ", m=" + m + ", n=" + n
                + ", R=" + unitRows + ") and B of " + bEntries + " entries");
        // ELEM: the index bits checked above bound the U*R*n real entries by the input (packed C,
        // K*m*n, is less than twice that since m <= R), and C is allocated at once after the heap check.
        // VECTOR: the U*R row flags are read first (rows/8 bytes), and the
        // n entry bits of every flagged row plus B are checked against the remaining bits before
        // C is allocated; all-zero rows cost one bit each, so a valid, sparse VECTOR layer can
        // still decode to n entries per bit of its index and only the heap check bounds it.
        // RUNS can describe a huge all-zero C in a few bits: its non-zeros stay sparse (positions,
        // values) and the dense C is allocated only after the whole layer has been validated, so
        // a corrupt K or m fails on the bits that are actually there before any large allocation.
        boolean sparse = mode == IndexMode.RUNS;
        double[] c = null;
        boolean[] nz = null;
        int[] positions = null;
        long nnz;
        if (sparse) {
            try {
                positions = RunsIndex.readPositions(r, (int) realRows, (int) n);
            } catch (SdmFormatException e) {
                throw new SdmFormatException(context + ": " + e.getMessage(), e);
            }
            nnz = positions.length;
        } else {
            SparsityIndex.VectorRows rows = null;
            try {
                if (mode == IndexMode.VECTOR) {
                    rows = SparsityIndex.readVectorRows(r, (int) realRows, (int) n, bBits);
                }
            } catch (SdmFormatException e) {
                throw new SdmFormatException(context + ": " + e.getMessage(), e);
            }
            checkHeap(entries * Double.BYTES + realEntries + bEntries, entries, context);
            nz = new boolean[(int) realEntries];
            try {
                nnz = rows != null ? SparsityIndex.readVectorEntries(r, rows, (int) n, nz)
                        : SparsityIndex.read(r, (int) realRows, (int) n, mode, nz);
            } catch (SdmFormatException e) {
                throw new SdmFormatException(context + ": " + e.getMessage(), e);
            }
        }
        if ((nnz == 0) != (code.size() == 0)) {
            throw new SdmFormatException(context + ": index has " + nnz + " non-zeros but the Huffman table has "
                    + code.size() + " symbols");
        }
        long indexEnd = r.position();
        double[] values = null;
        try {
            if (sparse) {
                checkHeap(nnz * Double.BYTES, entries, context);
                values = new double[(int) nnz];
                for (int i = 0; i < values.length; i++) {
                    values[i] = valueBySymbol[code.decode(r) + SYMBOL_OFFSET];
                }
            } else {
                c = new double[(int) entries];
                for (int i = 0; i < nz.length; i++) {
                    if (nz[i]) {
                        c[packedIndex(i, unitReal, unitPacked)] = valueBySymbol[code.decode(r) + SYMBOL_OFFSET];
                    }
                }
            }
        } catch (SdmFormatException e) {
            throw new SdmFormatException(context + ": C payload: " + e.getMessage(), e);
        }
        long cEnd = r.position();
        int f = (int) r.readSigned(16);
        if (f < Int8Basis.MIN_FRAC_BITS || f > Int8Basis.MAX_FRAC_BITS) {
            throw new SdmFormatException(context + ": B fraction bits must be in [" + Int8Basis.MIN_FRAC_BITS + ", "
                    + Int8Basis.MAX_FRAC_BITS + "], got " + f);
        }
        int[] shifts = new int[(int) k];
        if (storesShifts) {
            r.require(SHIFT_WIDTH_BITS, "B scale shift width");
            int width = (int) r.readBits(SHIFT_WIDTH_BITS);
            if (width > MAX_SHIFT_WIDTH) {
                throw new SdmFormatException(context + ": B scale shift width w must be in [0, " + MAX_SHIFT_WIDTH
                        + "], got " + width);
            }
            r.require(k * width, "B scale shifts of " + k + " slices, " + width + " bits each");
            for (int i = 0; i < shifts.length; i++) {
                shifts[i] = (int) r.readBits(width);
                if (f + shifts[i] > Int8Basis.MAX_FRAC_BITS) {
                    throw new SdmFormatException(context + ": B scale of slice " + i + ": f + shift = " + f + " + "
                            + shifts[i] + " must be <= " + Int8Basis.MAX_FRAC_BITS);
                }
            }
            if (shiftBits(shifts) != width) {
                // the writer uses the bit length of the largest shift; any other width misreads every later field
                throw new SdmFormatException(context + ": B scale shift width w must be the bit length of the largest"
                        + " shift (" + shiftBits(shifts) + "), got " + width);
            }
        }
        r.require(8 * bEntries, "B of " + bEntries + " int8 entries");
        byte[] q = new byte[(int) bEntries];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) r.readBits(8);
            if (q[i] == Byte.MIN_VALUE) {
                throw new SdmFormatException(context + ": B[" + i + "] must be in [-127, 127], got -128");
            }
        }
        long bEnd = r.position();
        r.alignToByte();
        if (r.remainingBits() != 0) {
            throw new SdmFormatException(context + ": " + r.remainingBits() / 8 + " trailing bytes after the layer");
        }
        if (sparse) {
            checkHeap(entries * Double.BYTES, entries, context);
            c = new double[(int) entries];
            for (int i = 0; i < positions.length; i++) {
                c[packedIndex(positions[i], unitReal, unitPacked)] = values[i];
            }
        }
        StorageBreakdown bd = new StorageBreakdown(indexEnd - tableEnd, cEnd - indexEnd,
                tableEnd - headerBits, bEnd - cEnd, 0, headerBits + (r.position() - bEnd));
        if (!storesShifts) {
            checkNoSliceLost(c, q, (int) m, (int) n, f, context, formatMinor);
        }
        SdLayerData layer = new SdLayerData((int) k, (int) m, (int) n, (int) unitRows, c, new Int8Basis(q, f, shifts));
        return new DecodedLayer(layer, mode, bd);
    }

    /**
     * Refuses a layer of format 2.0 to 2.3 (one B scale per layer) in which a slice holds non-zeros of
     * C but its B was stored as all zeros: the one scale, set by a much larger B elsewhere in the layer,
     * rounded that slice's B away, so its weights would load as 0. No decomposition gives a zero B to a
     * slice with a non-zero C (B = 0 fits only an all-zero slice, whose C is then 0), so such a file
     * can only have been written lossily; format 2.4 stores a scale per slice.
     */
    private static void checkNoSliceLost(double[] c, byte[] q, int m, int n, int f, String context, int formatMinor)
            throws SdmFormatException {
        int lost = 0;
        int first = -1;
        int slices = q.length / (n * n);
        for (int s = 0; s < slices; s++) {
            boolean zeroB = true;
            for (int i = s * n * n; i < (s + 1) * n * n && zeroB; i++) {
                zeroB = q[i] == 0;
            }
            if (!zeroB) {
                continue;
            }
            for (int i = s * m * n; i < (s + 1) * m * n; i++) {
                if (c[i] != 0.0) {
                    lost++;
                    first = first < 0 ? s : first;
                    break;
                }
            }
        }
        if (lost > 0) {
            throw new SdmFormatException(context + ": B of " + lost + " of " + slices + " slices (the first: slice "
                    + first + ") is all zero while their C is not: format 2." + formatMinor + " stores one B scale per"
                    + " layer (f = " + f + "), which rounded their B to 0, so the layer would load wrong; convert the"
                    + " model again (format 2." + SdmFile.FORMAT_MINOR + " stores a scale per slice)");
        }
    }

    /** w, the bit length of the largest shift (0 when every shift is 0). */
    static int shiftBits(int[] shifts) {
        int max = 0;
        for (int x : shifts) {
            max = Math.max(max, x);
        }
        return 32 - Integer.numberOfLeadingZeros(max);
    }

    private static void checkHeap(long heapNeeded, long entries, String context) throws SdmFormatException {
        HeapCheck.require(heapNeeded, heapFree -> new SdmFormatException(context + ": layer of K*m*n = " + entries
                + " entries needs about " + heapNeeded + " bytes of heap, only " + heapFree + " free; " + HeapCheck.ADVICE));
    }

    /**
     * Where entry {@code i} of C's real rows ([U*R, n]) lies in packed C ([K, m, n]): unit
     * u = i / (R*n) starts at u*S*m*n in packed C and at u*R*n in the real rows.
     *
     * @param unitReal   R*n, real entries per unit
     * @param unitPacked S*m*n, packed entries per unit
     */
    private static int packedIndex(int i, int unitReal, int unitPacked) {
        return i + (i / unitReal) * (unitPacked - unitReal);
    }

    /**
     * Validates R, the real rows per unit, against K and m (format 2.3): m &lt;= R &lt;= K*m and K a
     * multiple of S = ceil(R/m). Then (S-1)*m &lt; R &lt;= S*m holds by the definition of S.
     *
     * @return S, the slices per unit
     * @throws IllegalArgumentException naming the field, the rule and the value
     */
    static long checkUnitRows(long k, long m, long unitRows) {
        if (unitRows < m || unitRows > k * m) {
            throw new IllegalArgumentException("R (real rows per unit) must be in [m = " + m + ", K*m = " + k + "*" + m
                    + " = " + k * m + "], got " + unitRows);
        }
        long perUnit = (unitRows + m - 1) / m;
        if (k % perUnit != 0) {
            throw new IllegalArgumentException("K (slices) must be a multiple of S = ceil(R/m) = ceil(" + unitRows
                    + "/" + m + ") = " + perUnit + " slices per unit, got K = " + k);
        }
        return perUnit;
    }

    /**
     * Validates K, m, n and returns K*m*n.
     *
     * @throws IllegalArgumentException naming the field and value, or the product if too large
     */
    static long checkShape(long k, long m, long n) {
        if (k < 1 || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("K (slices) must be in [1, " + Integer.MAX_VALUE + "], got " + k);
        }
        if (m < 1 || m > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("m (slice rows) must be in [1, " + Integer.MAX_VALUE + "], got " + m);
        }
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("n (width) must be in [1, " + Integer.MAX_VALUE + "], got " + n);
        }
        if (k * m > MAX_ENTRIES || k * m * n > MAX_ENTRIES || n * n > MAX_ENTRIES || k * n * n > MAX_ENTRIES) {
            throw new IllegalArgumentException("K*m*n = " + k + "*" + m + "*" + n + " and K*n*n must be <= "
                    + MAX_ENTRIES);
        }
        return k * m * n;
    }

    /** Throws naming the first index of {@code c} whose value is not 0 or +-2^p. */
    static void checkC(double[] c) {
        for (int i = 0; i < c.length; i++) {
            if (!PowerOfTwoSymbols.isZeroOrPowerOfTwo(c[i])) {
                throw new IllegalArgumentException("C[" + i + "] must be 0 or +-2^p, got " + c[i]);
            }
        }
    }
}
