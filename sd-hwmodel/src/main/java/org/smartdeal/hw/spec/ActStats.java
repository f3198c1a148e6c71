package org.smartdeal.hw.spec;

/**
 * Statistics of one layer's 8-bit input activations (HWMODEL.md 1.3; exact definitions there).
 *
 * @param dA       value density #(q != 0)/#q
 * @param bitsRaw  mean popcount(|q|) over all q (zeros included); Fig. 3's bit sparsity "w/o Booth" is 1 - bitsRaw/8
 * @param boothDig mean non-zero radix-4 Booth digits per q (0..4)
 * @param rowZero  fraction of all-zero input row segments feeding one dim_F output segment
 * @param tSD      SmartDeal cycles per weight broadcast: mean max(1, max Booth digits over dim_F)
 * @param tPRA     Bit-pragmatic cycles per brick: mean max(1, max {@link #oneffsets} over 16 channels)
 * @param praTerms Bit-pragmatic terms per activation: mean {@link #oneffsets}(|q|) over all q (zeros included),
 *                 in [0, 8 dA]; at most bitsRaw on measured data, since recoding never adds terms
 * @param dOut     density of this layer's output
 * @param scnn     optional SCNN per-tile statistics measured on real images; null means uniform density dA
 */
public record ActStats(double dA, double bitsRaw, double boothDig, double rowZero, double tSD, double tPRA,
                       double praTerms, double dOut, ScnnTiles scnn) {

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

        /**
         * The PE row (column) whose input tile holds input row (column) {@code pixel}: the input tile aligned to the
         * PE's output tile of ceil(outputs / grid) rows, {@code min(grid - 1, floor(pixel / (stride ceil(outputs /
         * grid))))}, padding not shifting it [A] (HWMODEL.md 1.3 {@code scnnNZ}). The one rule by which measured
         * statistics count a tile's non-zeros and SCNN's uniform-density fallback sizes its tiles.
         *
         * @param pixel   input row (column) index
         * @param stride  the layer's stride U
         * @param outputs output rows E (columns F)
         * @param grid    PE grid side G
         * @return the PE row (column), in [0, grid)
         */
        public static int peOf(int pixel, int stride, int outputs, int grid) {
            return Math.min(grid - 1, pixel / (stride * ((outputs + grid - 1) / grid)));
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
        Specs.range("ActStats", "praTerms", praTerms, 0, 8 * dA + 1e-12);
        Specs.range("ActStats", "dOut", dOut, 0, 1);
    }

    /**
     * Dense worst case: every activation non-zero with 8 set bits and 4 Booth digits, and Bit-pragmatic charged one
     * term per bit (tPRA = 8, praTerms = 8). No 8-bit magnitude has 8 oneffsets (255 has 2), so the PRA part is a
     * hypothetical every-term ceiling kept for the invariants (PRA at 8 terms per activation equals DianNao).
     */
    public static ActStats worstCase() {
        return new ActStats(1, 8, 4, 0, 4, 8, 8, 1, null);
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
     * Bit-pragmatic's oneffsets of a magnitude: the number of signed power-of-two terms the activation is
     * processed as, after the recoding of runs of ones that DNNsim's BitPragmatic applies by default
     * ({@code BOOTH_ENCODING} on [S:DNNsim BitPragmatic.cpp]) and that the paper describes as its improved oneffset
     * encoding (Albericio et al., MICRO'17). See {@link #oneffsetDigits} for the recoding.
     *
     * @param magnitude |q|, in [0, 255]
     * @return the number of non-zero recoded digits, at most popcount(magnitude): 7 gives 2 (8 - 1), 5 gives 2
     */
    public static int oneffsets(int magnitude) {
        int n = 0;
        for (int d : oneffsetDigits(magnitude)) if (d != 0) n++;
        return n;
    }

    /**
     * The signed digits of Bit-pragmatic's oneffset recoding of a magnitude, whose weighted sum is the magnitude.
     * The bits are read from the most significant (bit 7) down; at bit i the recoder looks at bit i and the two
     * below it (bits below 0 read as 0). Outside a run, three ones in a row open a run with a +2^(i+1) digit, and any
     * other 1 bit is a +2^i digit of its own. Inside a run, a 0 bit with a 1 below it is a -2^i digit (a hole in the
     * run), and a 1 bit with two zeros below it closes the run with a -2^i digit; all other bits emit nothing. So a run
     * of ones costs two terms whatever its length (127 = 128 - 1), plus one per isolated hole (119 = 128 - 8 - 1).
     *
     * @param magnitude |q|, in [0, 255]
     * @return digits d[0..8] in {-1, 0, 1} with {@code sum d[i] 2^i == magnitude}; a new array
     */
    public static int[] oneffsetDigits(int magnitude) {
        if (magnitude < 0 || magnitude > 255)
            throw new IllegalArgumentException("ActStats.oneffsetDigits: magnitude must be in [0, 255], got " + magnitude);
        int[] d = new int[9];
        boolean run = false;
        for (int i = 7; i >= 0; i--) {
            int window = (magnitude << 2 >> i) & 0b111; // bits i, i-1, i-2 of the magnitude
            if (!run) {
                if (window == 0b111) { d[i + 1] = 1; run = true; }
                else if (window >= 0b100) d[i] = 1;
            } else if (window == 0b010 || window == 0b011) d[i] = -1;
            else if (window == 0b100) { d[i] = -1; run = false; }
        }
        return d;
    }

    /**
     * Statistics of an i.i.d. activation model [A]: a segment row is all-zero with probability
     * {@code rowZero}; otherwise each value is zero with probability 1 - dA/(1-rowZero) and else has
     * magnitude v in 1..127 with P(v) ~ exp(-v/lambda). tSD and tPRA are exact expectations of the
     * maxima over dimF (resp. brick) i.i.d. values of Booth digits (resp.
     * {@link #oneffsets}); praTerms is dA times the mean oneffsets of a non-zero value.
     */
    public static ActStats iid(double dA, double lambda, double rowZero, double dOut, int dimF, int brick) {
        double[] p = magnitudePmf(lambda);
        int[] booths = new int[128], terms = new int[128];
        double pop = 0, booth = 0, pra = 0;
        for (int v = 1; v < 128; v++) {
            booths[v] = boothDigits(v);
            terms[v] = oneffsets(v);
            pop += p[v] * Integer.bitCount(v);
            booth += p[v] * booths[v];
            pra += p[v] * terms[v];
        }
        double d1 = Math.min(1, dA / (1 - rowZero));
        double tsd = expectedMax(p, d1, dimF, booths), tpra = expectedMax(p, dA, brick, terms);
        return new ActStats(dA, dA * pop, dA * booth, rowZero, tsd, tpra, dA * pra, dOut, null);
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

    /**
     * E[max(1, max of k i.i.d. counts)], a value being zero with probability 1 - d and else v ~ p with count[v]. The sum
     * {@code 1 + sum_x (1 - cdf(x-1)^k)} stops at the largest count of non-zero probability, above which the CDF is 1:
     * summed in floating point it can end just below 1, and over wide rows (k in the hundreds, ArchSpec allows 65536)
     * those terms lifted the maximum past that count (tSD 4.000000000000114, which the range check refused).
     */
    private static double expectedMax(double[] p, double d, int k, int[] count) {
        int top = 8, hi = 0;
        double[] cdf = new double[top + 1];
        for (int v = 1; v < 128; v++) {
            cdf[count[v]] += d * p[v];
            if (d * p[v] > 0) hi = Math.max(hi, count[v]);
        }
        cdf[0] += 1 - d;
        for (int x = 1; x <= top; x++) cdf[x] += cdf[x - 1];
        double e = 1;
        for (int x = 2; x <= hi; x++) e += 1 - Math.pow(Math.min(1, cdf[x - 1]), k);
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
                + "Bit-pragmatic cycles per brick), %.4g Bit-pragmatic oneffsets per activation, output density %.4g",
                dA, bitsRaw, boothDig, rowZero, tSD, tPRA, praTerms, dOut);
    }
}
