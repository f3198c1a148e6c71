package org.smartdeal.codec;

/**
 * The sparsity index of C as rows of n entries in C order (since format 2.3 the U*R real rows of
 * packed C, {@link SdLayerData#realRowsOfC}; before, all K*m rows of packed C) in ELEM, VECTOR or
 * RUNS mode ({@link IndexMode}). Bits are written MSB-first; in VECTOR mode all row flags come first,
 * followed by the n entry bits of each flagged row in row order; RUNS mode is described in
 * {@link RunsIndex}. The 2-bit mode field itself is stored by {@link SdLayerCodec} and counted in
 * the index bits there; the sizes here exclude it.
 *
 * <p>Sizes (Z = rows holding a non-zero):
 * ELEM = rows*n; VECTOR = rows + n*Z; RUNS = 5 + runBits(k) + 1 + patternBits
 * ({@link RunsIndex}). {@link #choose} takes the smallest, ties in the order ELEM, VECTOR, RUNS.
 */
public final class SparsityIndex {

    /** Smallest possible RUNS size for Z non-zero rows: k field, Z+1 one-bit runs, the coding flag. */
    private static long runsLowerBound(long nonZeroRows) {
        return RunsIndex.K_BITS + nonZeroRows + 1 + 1;
    }

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

    /**
     * The index of one C in the smallest mode, ready to write. The RUNS plan is only built when
     * its lower bound (5 + (Z+1) + 1 bits) could beat ELEM and VECTOR.
     */
    public static final class Plan {
        private final double[] c;
        private final int n;
        private final IndexMode mode;
        private final long bits;
        private final RunsIndex runs;

        private Plan(double[] c, int n) {
            this.c = c;
            this.n = n;
            long z = nonZeroRows(c, n);
            long elem = elemBits(c.length);
            long vector = vectorBits(c.length / n, n, z);
            IndexMode m = vector < elem ? IndexMode.VECTOR : IndexMode.ELEM;
            long b = Math.min(elem, vector);
            RunsIndex r = null;
            if (runsLowerBound(z) < b) {
                r = RunsIndex.of(c, n);
                if (r.bits() < b) {
                    m = IndexMode.RUNS;
                    b = r.bits();
                }
            }
            this.mode = m;
            this.bits = b;
            this.runs = m == IndexMode.RUNS ? r : null;
        }

        /** The chosen (smallest) mode. */
        public IndexMode mode() {
            return mode;
        }

        /** Bits of the index in the chosen mode, mode field excluded. */
        public long bits() {
            return bits;
        }

        /** Writes the index in the chosen mode (not the mode field): exactly {@link #bits()} bits. */
        public void write(BitWriter out) {
            if (mode == IndexMode.RUNS) {
                runs.write(c, out);
            } else {
                SparsityIndex.write(c, n, mode, out);
            }
        }
    }

    /**
     * Plans the index of {@code c} in its smallest mode.
     *
     * @param c the rows of C to index; held (not copied, not modified) until the plan is written
     */
    public static Plan plan(double[] c, int n) {
        return new Plan(c, n);
    }

    /** The smallest mode for {@code c} (ties: ELEM, then VECTOR, then RUNS). */
    public static IndexMode choose(double[] c, int n) {
        return plan(c, n).mode();
    }

    /** Size in bits of the index of {@code c} in the given mode (mode field excluded). */
    public static long bits(double[] c, int n, IndexMode mode) {
        return switch (mode) {
            case ELEM -> elemBits(c.length);
            case VECTOR -> vectorBits(c.length / n, n, nonZeroRows(c, n));
            case RUNS -> RunsIndex.of(c, n).bits();
        };
    }

    /** Writes the index of {@code c} (entries != 0) in the given mode. {@code c} is not modified. */
    public static void write(double[] c, int n, IndexMode mode, BitWriter out) {
        if (mode == IndexMode.RUNS) {
            RunsIndex.of(c, n).write(c, out);
            return;
        }
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
     * Reads an index of {@code rows * n} entries (the mode field already read).
     *
     * @param nonZero output, length rows*n, all false on entry; Modified: set to true where C is non-zero
     * @return the number of non-zero entries
     */
    public static long read(BitReader in, int rows, int n, IndexMode mode, boolean[] nonZero)
            throws SdmFormatException {
        if (mode == IndexMode.RUNS) {
            return RunsIndex.read(in, rows, n, nonZero);
        }
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
        return readVectorEntries(in, readVectorRows(in, rows, n, 0), n, nonZero);
    }

    /**
     * The row flags of a VECTOR index, read ahead of its entry bits so that a decoder can check
     * the bits the entries need before it allocates the [rows, n] output.
     *
     * @param rows          the number of rows (U*R)
     * @param flags         bit {@code row % 64} of word {@code row / 64} set where the row is flagged non-zero
     * @param nonZeroRows   number of flagged rows
     */
    public record VectorRows(int rows, long[] flags, long nonZeroRows) {
        /** True when row {@code row} is flagged non-zero. */
        public boolean flagged(int row) {
            return (flags[row >>> 6] & (1L << row)) != 0;
        }
    }

    /**
     * Reads the row flags of a VECTOR index and checks that the n entry bits of every flagged
     * row, plus {@code bitsAfter} further bits, remain. Allocates only rows/8 bytes, after checking
     * that the rows bits are there.
     *
     * @param bitsAfter bits the caller needs after the index (at least 0)
     * @throws SdmFormatException naming the part that is missing when the input is too short
     */
    public static VectorRows readVectorRows(BitReader in, int rows, int n, long bitsAfter)
            throws SdmFormatException {
        in.require(rows, "VECTOR index row flags of " + rows + " rows");
        long[] flags = new long[(rows + 63) >>> 6];
        long nzRows = 0;
        for (int row = 0; row < rows; row++) {
            if (in.readBit() != 0) {
                flags[row >>> 6] |= 1L << row;
                nzRows++;
            }
        }
        in.require(nzRows * n + bitsAfter, "VECTOR index entries of " + nzRows + " non-zero rows"
                + (bitsAfter > 0 ? " and the " + bitsAfter + " bits after the index" : ""));
        return new VectorRows(rows, flags, nzRows);
    }

    /**
     * Reads the entry bits of a VECTOR index whose row flags {@link #readVectorRows} returned.
     *
     * @param nonZero output, length rows*n, all false on entry; Modified: set to true where C is non-zero
     * @return the number of non-zero entries
     */
    public static long readVectorEntries(BitReader in, VectorRows rows, int n, boolean[] nonZero)
            throws SdmFormatException {
        if (nonZero.length != (long) rows.rows() * n) {
            throw new IllegalArgumentException("SparsityIndex.readVectorEntries: nonZero length " + nonZero.length
                    + " must be rows*n = " + rows.rows() + "*" + n);
        }
        long nnz = 0;
        for (int row = 0; row < rows.rows(); row++) {
            if (!rows.flagged(row)) {
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
