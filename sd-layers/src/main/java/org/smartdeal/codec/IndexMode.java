package org.smartdeal.codec;

/**
 * How the sparsity index of C is stored (ALGORITHMS.md 4.1). Rows are the K*m rows of packed C
 * ([K, m, n], padding rows of short last slices included). The encoded layer records the mode in
 * a 2-bit field holding {@link #code()}; code 3 is reserved and rejected by the decoder.
 * {@link SparsityIndex} picks the smallest mode, ties going to the earlier constant.
 */
public enum IndexMode {
    /** Code 0. One bit per entry of packed C: K*m*n bits. */
    ELEM,
    /** Code 1. One bit per row, then n bits for every row that has a non-zero: K*m + n*nonZeroRows bits. */
    VECTOR,
    /**
     * Code 2. The row flags as Golomb-Rice coded zero runs, then the n-bit pattern of every
     * non-zero row, raw or canonical-Huffman coded ({@link RunsIndex}).
     */
    RUNS;

    /** Bits of the mode field in an encoded layer. */
    public static final int FIELD_BITS = 2;

    /** The value stored in the 2-bit mode field (the ordinal). */
    public int code() {
        return ordinal();
    }

    /**
     * The mode stored as {@code code}.
     *
     * @throws SdmFormatException for the reserved code 3 or any value outside [0, 2]
     */
    public static IndexMode fromCode(long code) throws SdmFormatException {
        IndexMode[] all = values();
        if (code < 0 || code >= all.length) {
            throw new SdmFormatException("index mode must be 0 (ELEM), 1 (VECTOR) or 2 (RUNS), got " + code);
        }
        return all[(int) code];
    }
}
