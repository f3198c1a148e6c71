package org.smartdeal.hw.spec;

import java.util.SplittableRandom;

/**
 * Executed 8-bit weights of one layer as the accelerators see them (HWMODEL.md 1.2). Per kernel
 * (m, c/G) in row-major order {@code k = m*(C/G) + c}:
 * {@code nnzW[k]} non-zero weights, and {@code rowMask[k]} the kernel rows holding a non-zero
 * (bit r for R>1; bit 0 = "this weight is non-zero" for 1x1/FC). For SD layers this is the rebuilt
 * {@code W = C_e B}: a zero C_e vector gives a zero weight row.
 *
 * @param kind     DENSE8, SPARSE8 or SD
 * @param nnzW     non-zeros per kernel, length M*(C/G)
 * @param rowMask  non-zero rows per kernel, length M*(C/G)
 * @param n        basis dimension (S for R=S>1, 3 for 1x1/FC [A])
 * @param ceNnz    non-zeros of C_e (SD only, else 0)
 * @param ceBytes  stored C_e bytes incl. index (SD only)
 * @param bBytes   stored basis bytes, numB*n*n (SD only)
 * @param numB     number of bases (slices)
 */
public record WeightRep(Kind kind, short[] nnzW, short[] rowMask, int n, double ceNnz, double ceBytes, double bBytes,
                        int numB) {

    /** Weight encoding. */
    public enum Kind {
        /** dense 8-bit */ DENSE8,
        /** pruned 8-bit with an index */ SPARSE8,
        /** SmartDeal C_e (power-of-2, Huffman) times 8-bit basis B */ SD
    }

    /** Index layout of C_e [P App. B]. */
    public enum IdxMode {
        /** 1 bit per vector */ VECTOR,
        /** 1 bit per vector plus n bits per non-zero vector */ VECTOR_ELEM
    }

    /** Validates lengths and ranges. */
    public WeightRep {
        if (kind == null) throw new IllegalArgumentException("WeightRep.kind must be set");
        if (nnzW == null || rowMask == null || nnzW.length != rowMask.length)
            throw new IllegalArgumentException("WeightRep.nnzW and rowMask must be non-null with equal lengths, got "
                + (nnzW == null ? null : nnzW.length) + " / " + (rowMask == null ? null : rowMask.length));
        Specs.range("WeightRep", "n", n, 1, 64);
        Specs.range("WeightRep", "ceNnz", ceNnz, 0, 1e12);
        Specs.range("WeightRep", "ceBytes", ceBytes, 0, 1e12);
        Specs.range("WeightRep", "bBytes", bBytes, 0, 1e12);
        Specs.range("WeightRep", "numB", numB, 0, 1e9);
    }

    /** Checks this representation against a layer's kernel count; errors print both sizes. */
    public WeightRep checkFor(LayerSpec l) {
        if (nnzW.length != l.kernels())
            throw new IllegalArgumentException("WeightRep for " + l.id() + " has " + nnzW.length + " kernels, layer needs M*C/G = " + l.kernels());
        return this;
    }

    /** Default basis dimension: S for R=S>1, else 3 [A]. */
    public static int basisDim(LayerSpec l) {
        return l.r() > 1 && l.s() > 1 ? l.s() : 3;
    }

    /** Dense 8-bit weights: every weight non-zero. */
    public static WeightRep dense(LayerSpec l) {
        short[] nz = new short[l.kernels()], mk = new short[l.kernels()];
        java.util.Arrays.fill(nz, (short) (l.r() * l.s()));
        java.util.Arrays.fill(mk, (short) (l.r() > 1 ? (1 << l.r()) - 1 : 1));   // a bit per kernel row for R > 1 (fix 28)
        return new WeightRep(Kind.DENSE8, nz, mk, basisDim(l), 0, 0, 0, 0);
    }

    /** Total non-zero weights. */
    public double nnzTotal() {
        double t = 0;
        for (short v : nnzW) t += v;
        return t;
    }

    /**
     * Synthetic SD weights for paper models whose trained weights we lack. Each C_e vector is
     * non-zero with probability {@code vecDensity} (seeded); a non-zero vector gives a fully
     * non-zero weight row (R>1) or n non-zero weights (1x1/FC vector of n channels). C_e stores
     * {@code ceDensity * |C_e|} non-zeros at {@code huffBits} each plus a {@code idx} index;
     * B is numB n x n bytes with numB = M * ceil(rows / sliceRows) [P III-C]. The kernel must be 1x1 or have
     * R, S > 1 (HWMODEL.md 1.2 defines C_e vectors for those two only): a 1 x 7 or 7 x 1 kernel is refused.
     */
    public static WeightRep syntheticSd(LayerSpec l, double vecDensity, double ceDensity, double huffBits, IdxMode idx,
                                        int sliceRows, long seed) {
        Specs.range("WeightRep.syntheticSd(" + l.id() + ")", "vecDensity", vecDensity, 0, 1);
        Specs.range("WeightRep.syntheticSd(" + l.id() + ")", "ceDensity", ceDensity, 0, vecDensity);
        Specs.range("WeightRep.syntheticSd(" + l.id() + ")", "huffBits", huffBits, 1, 8);
        if ((l.r() > 1) != (l.s() > 1))
            throw new IllegalArgumentException("WeightRep.syntheticSd(" + l.id() + "): the kernel must be 1x1 or have R, S > 1"
                + " (a C_e vector is a kernel row of S weights or n channels of a 1x1 / FC kernel, HWMODEL.md 1.2), got "
                + l.r() + "x" + l.s());
        SplittableRandom rnd = new SplittableRandom(seed);
        int cg = l.cg(), n = basisDim(l), kern = l.kernels();
        short[] nz = new short[kern], mk = new short[kern];
        boolean rowVec = l.r() > 1 && l.s() > 1;
        long vectors = 0, nzVec = 0;
        for (int m = 0; m < l.m(); m++) {
            if (rowVec) {
                for (int c = 0; c < cg; c++) {
                    int mask = 0;
                    for (int r = 0; r < l.r(); r++) if (rnd.nextDouble() < vecDensity) mask |= 1 << r;
                    mk[m * cg + c] = (short) mask;
                    nz[m * cg + c] = (short) (Integer.bitCount(mask) * l.s());
                    vectors += l.r();
                    nzVec += Integer.bitCount(mask);
                }
            } else {
                for (int c0 = 0; c0 < cg; c0 += n) {
                    boolean on = rnd.nextDouble() < vecDensity;
                    vectors++;
                    if (on) nzVec++;
                    for (int c = c0; c < Math.min(cg, c0 + n); c++) {
                        nz[m * cg + c] = (short) (on ? 1 : 0);
                        mk[m * cg + c] = (short) (on ? 1 : 0);
                    }
                }
            }
        }
        double ceNnz = Math.max(nzVec, ceDensity * vectors * n);
        double idxBits = vectors + (idx == IdxMode.VECTOR_ELEM ? (double) n * nzVec : 0);
        int rows = rowVec ? cg * l.r() : (cg + n - 1) / n;
        int numB = l.m() * ((rows + sliceRows - 1) / sliceRows);
        return new WeightRep(Kind.SD, nz, mk, n, ceNnz, (ceNnz * huffBits + idxBits) / 8, (double) numB * n * n, numB);
    }

    /**
     * Measures nnzW and row masks from explicit 8-bit weights laid out [M][C/G][R][S] (C order).
     * The SD fields (ceNnz, ceBytes, bBytes, numB) are passed through as measured.
     */
    public static WeightRep fromWeights(LayerSpec l, Kind kind, int[] w, double ceNnz, double ceBytes, double bBytes, int numB) {
        int rs = l.r() * l.s();
        if (w.length != l.kernels() * rs)
            throw new IllegalArgumentException("WeightRep.fromWeights(" + l.id() + "): got " + w.length + " weights, need M*C/G*R*S = " + l.kernels() * rs);
        // bit r per kernel row whenever R > 1, an R x 1 kernel too (its rows are one weight each; fix 28: it had one bit
        // for its R rows, so SmartDeal fetched one input row where it needs R); R = 1 (1 x 1, 1 x S, FC): bit 0
        boolean rows = l.r() > 1;
        short[] nz = new short[l.kernels()], mk = new short[l.kernels()];
        for (int k = 0; k < l.kernels(); k++) {
            int cnt = 0, mask = 0;
            for (int j = 0; j < rs; j++) if (w[k * rs + j] != 0) { cnt++; mask |= rows ? 1 << (j / l.s()) : 1; }
            nz[k] = (short) cnt;
            mk[k] = (short) mask;
        }
        return new WeightRep(kind, nz, mk, basisDim(l), ceNnz, ceBytes, bBytes, numB);
    }

    /** Dense 8-bit weights seen with the zeros of {@code sd} (what CX/SCNN exploit); kind SPARSE8. */
    public WeightRep asSparse8() {
        return new WeightRep(Kind.SPARSE8, nnzW, rowMask, n, 0, 0, 0, 0);
    }
}
