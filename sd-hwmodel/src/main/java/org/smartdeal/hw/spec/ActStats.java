package org.smartdeal.hw.spec;

/**
 * Statistics of one layer's 8-bit input activations (HWMODEL.md 1.3; exact definitions there).
 *
 * @param dA       value density #(q != 0)/#q
 * @param bitsRaw  mean popcount(|q|) over all q (zeros included)
 * @param boothDig mean non-zero radix-4 Booth digits per q (0..4)
 * @param rowZero  fraction of all-zero input row segments feeding one dim_F output segment
 * @param tSD      SmartDeal cycles per weight broadcast: mean max(1, max Booth digits over dim_F)
 * @param tPRA     Bit-pragmatic cycles per brick: mean max(1, max popcount over 16 channels)
 * @param dOut     density of this layer's output
 * @param scnn     optional SCNN per-tile statistics measured on real images; null means uniform density dA
 */
public record ActStats(double dA, double bitsRaw, double boothDig, double rowZero, double tSD, double tPRA,
                       double dOut, ScnnTiles scnn) {

    /**
     * SCNN's per-PE-tile activation statistics (HWMODEL.md 1.3 {@code scnnNZ[c][p]}), reduced per image
     * before averaging so that SCNN's cycle formula {@code N sum_c max_p ceil(scnnNZ[c][p] / I)} keeps
     * its per-image maximum and ceiling (fix 16: averaging and rounding the counts first understated
     * the slowest tile and could round sparse tiles to zero products).
     *
     * @param grid          PE grid side G the tiles were measured for (8 [S:SC])
     * @param inputsPerStep activation vector width I the steps were measured for (4 [S:SC])
     * @param meanNnz       mean non-zeros per image in (channel c, tile p), c-major, length C*G*G
     * @param meanMaxSteps  per channel c, the mean over images of {@code max_p ceil(nz[c][p] / I)}
     */
    public record ScnnTiles(int grid, int inputsPerStep, double[] meanNnz, double[] meanMaxSteps) {
        /** Validates shapes and values. */
        public ScnnTiles {
            if (grid < 1 || inputsPerStep < 1)
                throw new IllegalArgumentException("ActStats.ScnnTiles: grid and inputsPerStep must be >= 1, got " + grid
                    + " and " + inputsPerStep);
            if (meanNnz == null || meanMaxSteps == null || meanNnz.length != (long) meanMaxSteps.length * grid * grid)
                throw new IllegalArgumentException("ActStats.ScnnTiles: meanNnz must hold C*G*G values for the C = "
                    + (meanMaxSteps == null ? "?" : meanMaxSteps.length) + " channels of meanMaxSteps, got "
                    + (meanNnz == null ? "null" : meanNnz.length));
            for (double v : meanNnz) Specs.range("ActStats.ScnnTiles", "meanNnz", v, 0, 1e12);
            for (double v : meanMaxSteps) Specs.range("ActStats.ScnnTiles", "meanMaxSteps", v, 0, 1e12);
        }

        /** Channels C. */
        public int channels() {
            return meanMaxSteps.length;
        }
    }

    /** Validates ranges. */
    public ActStats {
        Specs.range("ActStats", "dA", dA, 0, 1);
        Specs.range("ActStats", "bitsRaw", bitsRaw, 0, 8 * dA + 1e-12);
        Specs.range("ActStats", "boothDig", boothDig, 0, 4 * dA + 1e-12);
        Specs.range("ActStats", "rowZero", rowZero, 0, 0.999);
        Specs.range("ActStats", "tSD", tSD, 1, 4);
        Specs.range("ActStats", "tPRA", tPRA, 1, 8);
        Specs.range("ActStats", "dOut", dOut, 0, 1);
    }

    /** Dense worst case: every activation non-zero with 8 set bits (tPRA = 8) and 4 Booth digits. */
    public static ActStats worstCase() {
        return new ActStats(1, 8, 4, 0, 4, 8, 1, null);
    }

    /** Radix-4 Booth digits of q (two's complement, 8 bit, b_-1 = 0), HWMODEL.md 1.3. */
    public static int boothDigits(int q) {
        int b = q & 0xFF, d = 0;
        for (int i = 0; i < 4; i++) {
            int bm1 = i == 0 ? 0 : (b >> (2 * i - 1)) & 1, b0 = (b >> (2 * i)) & 1, b1 = (b >> (2 * i + 1)) & 1;
            if (bm1 + b0 - 2 * b1 != 0) d++;
        }
        return d;
    }

    /**
     * Statistics of an i.i.d. activation model [A]: a segment row is all-zero with probability
     * {@code rowZero}; otherwise each value is zero with probability 1 - dA/(1-rowZero) and else has
     * magnitude v in 1..127 with P(v) ~ exp(-v/lambda). tSD and tPRA are exact expectations of the
     * maxima over dimF (resp. brick) i.i.d. values.
     */
    public static ActStats iid(double dA, double lambda, double rowZero, double dOut, int dimF, int brick) {
        double[] p = magnitudePmf(lambda);
        double pop = 0, booth = 0;
        for (int v = 1; v < 128; v++) { pop += p[v] * Integer.bitCount(v); booth += p[v] * boothDigits(v); }
        double d1 = Math.min(1, dA / (1 - rowZero));
        double tsd = expectedMax(p, d1, dimF, false), tpra = expectedMax(p, dA, brick, true);
        return new ActStats(dA, dA * pop, dA * booth, rowZero, tsd, tpra, dOut, null);
    }

    /**
     * The i.i.d. model of {@link #iid} whose bitsRaw and boothDig match given values (e.g. Fig. 3's
     * MBV2 79.8% bit and 66.0% Booth sparsity): solves lambda from boothDig/bitsRaw, then dA.
     */
    public static ActStats fitted(double bitsRaw, double boothDig, double rowZero, int dimF, int brick) {
        double target = boothDig / bitsRaw, lo = 0.05, hi = 200;
        for (int it = 0; it < 100; it++) {
            double mid = Math.sqrt(lo * hi), pop = 0, booth = 0;
            double[] p = magnitudePmf(mid);
            for (int v = 1; v < 128; v++) { pop += p[v] * Integer.bitCount(v); booth += p[v] * boothDigits(v); }
            if (booth / pop > target) lo = mid; else hi = mid;
        }
        double lambda = Math.sqrt(lo * hi), pop = 0;
        double[] p = magnitudePmf(lambda);
        for (int v = 1; v < 128; v++) pop += p[v] * Integer.bitCount(v);
        double dA = Math.min(1, bitsRaw / pop);
        return iid(dA, lambda, rowZero, dA, dimF, brick);
    }

    private static double[] magnitudePmf(double lambda) {
        double[] p = new double[128];
        double z = 0;
        for (int v = 1; v < 128; v++) z += p[v] = Math.exp(-v / lambda);
        for (int v = 1; v < 128; v++) p[v] /= z;
        return p;
    }

    private static double expectedMax(double[] p, double d, int k, boolean popcount) {
        int top = popcount ? 8 : 4;
        double[] cdf = new double[top + 1];
        for (int v = 1; v < 128; v++) cdf[popcount ? Integer.bitCount(v) : boothDigits(v)] += d * p[v];
        cdf[0] += 1 - d;
        for (int x = 1; x <= top; x++) cdf[x] += cdf[x - 1];
        double e = 1;
        for (int x = 2; x <= top; x++) e += 1 - Math.pow(Math.min(1, cdf[x - 1]), k);
        return e;
    }

    /**
     * The statistics in words, four significant digits, for notes and logs (the SCNN tiles left out).
     *
     * @return e.g. {@code activation density 0.4784, 1.616 non-zero bits and ... per activation, ...}
     */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "activation density %.4g, %.4g non-zero bits and %.4g Booth digits "
                + "per activation, zero-row fraction %.4g, tSD %.4g and tPRA %.4g (SmartDeal cycles per weight broadcast, "
                + "Bit-pragmatic cycles per brick), output density %.4g",
                dA, bitsRaw, boothDig, rowZero, tSD, tPRA, dOut);
    }
}
