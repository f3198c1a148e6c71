package org.smartdeal.codec;

/**
 * The sparsity index of packed C ([K, m, n], C order), in ELEM or VECTOR mode
 * ({@link IndexMode}). Bits are written MSB-first; in VECTOR mode all K*m row flags come first,
 * followed by the n entry bits of each flagged row in row order. The mode bit itself is stored
 * by {@link SdLayerCodec} and counted in the index bits there.
 */
public final class SparsityIndex {

    private SparsityIndex() {
    }

    /** Bits of the ELEM index: one per entry. */
    public static long elemBits(long entries) {
        return entries;
    }

    /** Bits of the VECTOR index: one per row plus n per non-zero row. */
    public static long vectorBits(long rows, int n, long nonZeroRows) {
        return rows + n * nonZeroRows;
    }

    /** Number of rows of length {@code n} in {@code c} that hold at least one non-zero. */
    public static long nonZeroRows(double[] c, int n) {
        long count = 0;
        for (int row = 0; row < c.length / n; row++) {
            for (int j = 0; j < n; j++) {
                if (c[row * n + j] != 0.0) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }

    /** The cheaper mode for {@code c} (ELEM on a tie). */
    public static IndexMode choose(double[] c, int n) {
        long rows = c.length / n;
        return vectorBits(rows, n, nonZeroRows(c, n)) < elemBits(c.length) ? IndexMode.VECTOR : IndexMode.ELEM;
    }

    /** Size in bits of the index of {@code c} in the given mode (mode bit excluded). */
    public static long bits(double[] c, int n, IndexMode mode) {
        return mode == IndexMode.ELEM ? elemBits(c.length) : vectorBits(c.length / n, n, nonZeroRows(c, n));
    }

    /** Writes the index of {@code c} (entries != 0) in the given mode. {@code c} is not modified. */
    public static void write(double[] c, int n, IndexMode mode, BitWriter out) {
        if (mode == IndexMode.ELEM) {
            long acc = 0;
            int held = 0;
            for (double v : c) {
                acc = (acc << 1) | (v != 0.0 ? 1 : 0);
                if (++held == 64) {
                    out.writeBits(acc, 64);
                    acc = 0;
                    held = 0;
                }
            }
            out.writeBits(acc, held);
            return;
        }
        int rows = c.length / n;
        boolean[] rowNz = new boolean[rows];
        for (int row = 0; row < rows; row++) {
            for (int j = 0; j < n && !rowNz[row]; j++) {
                rowNz[row] = c[row * n + j] != 0.0;
            }
            out.writeBit(rowNz[row] ? 1 : 0);
        }
        for (int row = 0; row < rows; row++) {
            if (rowNz[row]) {
                for (int j = 0; j < n; j++) {
                    out.writeBit(c[row * n + j] != 0.0 ? 1 : 0);
                }
            }
        }
    }

    /**
     * Reads an index of {@code rows * n} entries.
     *
     * @param nonZero output, length rows*n; Modified: set to true where C is non-zero
     * @return the number of non-zero entries
     */
    public static long read(BitReader in, int rows, int n, IndexMode mode, boolean[] nonZero)
            throws SdmFormatException {
        long nnz = 0;
        if (mode == IndexMode.ELEM) {
            in.require(nonZero.length, "ELEM index of " + nonZero.length + " entries");
            for (int i = 0; i < nonZero.length; i += 64) {
                int take = Math.min(64, nonZero.length - i);
                long word = in.readBits(take);
                nnz += Long.bitCount(word);
                for (int j = 0; j < take; j++) {
                    nonZero[i + j] = ((word >>> (take - 1 - j)) & 1) != 0;
                }
            }
            return nnz;
        }
        in.require(rows, "VECTOR index row flags of " + rows + " rows");
        boolean[] rowNz = new boolean[rows];
        long nzRows = 0;
        for (int row = 0; row < rows; row++) {
            rowNz[row] = in.readBit() != 0;
            nzRows += rowNz[row] ? 1 : 0;
        }
        in.require(nzRows * n, "VECTOR index entries of " + nzRows + " non-zero rows");
        for (int row = 0; row < rows; row++) {
            if (!rowNz[row]) {
                continue;
            }
            boolean any = false;
            for (int j = 0; j < n; j++) {
                boolean nz = in.readBit() != 0;
                nonZero[row * n + j] = nz;
                any |= nz;
                nnz += nz ? 1 : 0;
            }
            if (!any) {
                throw new SdmFormatException("VECTOR index: row " + row + " is flagged non-zero but has no non-zero entry");
            }
        }
        return nnz;
    }
}
