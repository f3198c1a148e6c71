package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The decomposer (ALGORITHMS.md 1.1) against {@link NaiveReference}, plus its invariants:
 * power-of-two C within maxCoeff, no NaN, exact recovery of representable weights, thread-count
 * independence and untouched inputs.
 */
class DecomposerTest {

    private static final DecompositionConfig ONE_THREAD = DecompositionConfig.defaults()
            .withThreads(1);

    private static double[] gaussian(int len, double std, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[len];
        for (int i = 0; i < len; i++) {
            x[i] = rnd.nextGaussian() * std;
        }
        return x;
    }

    private static double[][] slice(double[] packed, int k, int m, int n) {
        double[][] s = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                s[i][j] = packed[(k * m + i) * n + j];
            }
        }
        return s;
    }

    private static void assertMatchesReference(DecompositionConfig cfg, int k, int m, int n,
            long seed) {
        assertMatchesReference(cfg, k, m, n, seed, 0.05);
    }

    private static void assertMatchesReference(DecompositionConfig cfg, int k, int m, int n,
            long seed, double std) {
        double[] packed = gaussian(k * m * n, std, seed);
        LayerDecomposition d;
        try (Decomposer dec = new Decomposer(cfg)) {
            d = dec.decomposeSlices(SliceLayout.rawSlices(k, m, n), packed);
        }
        for (int s = 0; s < k; s++) {
            NaiveReference.Result ref = NaiveReference.decompose(slice(packed, s, m, n),
                    cfg.theta(), cfg.tol(), cfg.maxIter(), cfg.maxCoeff(), cfg.normalizeColumns());
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(ref.c()[i][j], d.c()[(s * m + i) * n + j], 0.0,
                            "C slice " + s + " (" + i + "," + j + ") m=" + m + " n=" + n);
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(ref.b()[i][j], d.b()[(s * n + i) * n + j], 1e-9,
                            "B slice " + s + " m=" + m + " n=" + n);
                }
            }
            assertEquals(ref.iterations(), d.iterations()[s], "iterations of slice " + s);
        }
    }

    @Test
    void matchesNaiveReferenceOnSmallRandomSlices() {
        assertMatchesReference(ONE_THREAD, 20, 12, 3, 1);
        assertMatchesReference(ONE_THREAD, 10, 40, 3, 2);
        assertMatchesReference(ONE_THREAD, 10, 5, 3, 3);
        assertMatchesReference(ONE_THREAD, 10, 9, 2, 4);
        assertMatchesReference(ONE_THREAD, 10, 16, 4, 5);
        assertMatchesReference(ONE_THREAD, 6, 25, 5, 6);
    }

    @Test
    void matchesNaiveReferenceWithOtherSettingsAndColumnNormalisation() {
        assertMatchesReference(ONE_THREAD.withMaxIter(1), 8, 12, 3, 7);
        assertMatchesReference(ONE_THREAD.withMaxIter(2), 8, 12, 3, 8);
        assertMatchesReference(ONE_THREAD.withMaxCoeff(1.0).withTheta(0.02), 8, 20, 3, 9);
        assertMatchesReference(ONE_THREAD.withNormalizeColumns(true), 8, 20, 3, 10);
        assertMatchesReference(ONE_THREAD.withNormalizeColumns(true), 8, 20, 4, 11);
    }

    @Test
    void everyCoefficientIsZeroOrAPowerOfTwoWithinMaxCoeffAndNothingIsNaN() {
        for (DecompositionConfig cfg : List.of(ONE_THREAD, ONE_THREAD.withMaxCoeff(1.0),
                ONE_THREAD.withWindow(new ExponentWindow(-6, -1)), ONE_THREAD.withTheta(0))) {
            double cap = Pow2Quantizer.decomposition(cfg.maxCoeff(), cfg.window()).cap();
            double[] w = gaussian(64 * 30 * 3 * 3, 0.1, 12);
            LayerDecomposition d;
            try (Decomposer dec = new Decomposer(cfg)) {
                d = dec.decompose(List.of(LayerInput.ofWeight("l", SliceLayout.conv(64, 30, 3, 3,
                        48, 3), w))).layers().get(0);
            }
            for (float c : d.c()) {
                assertTrue(Pow2Quantizer.isPowerOfTwoOrZero(c), "C entry " + c);
                assertTrue(Math.abs(c) <= cap, "|C| = " + Math.abs(c) + " > cap " + cap);
                if (cfg.window() != null && c != 0) {
                    int p = Pow2Quantizer.exponentOf(c);
                    assertTrue(p >= -6 && p <= -1, "exponent " + p + " outside window");
                }
            }
            for (double b : d.b()) {
                assertTrue(Double.isFinite(b));
            }
            assertTrue(Double.isFinite(d.stats().relativeError()));
            assertTrue(d.stats().relativeError() < 0.5, "error " + d.stats().relativeError());
        }
    }

    @Test
    void recoversAnExactlyRepresentableWeight() {
        // W = C0 * B0 with C0 in {0, +-2^p}, p in [-3, 2], and B0 = P * D a scaled permutation
        // (well conditioned, scales not powers of two). Q(W) = C0 * P * Q(D), so the iteration
        // has an exact fixed point; the rebuilt W must equal W to 1e-12 relative.
        int k = 40;
        int m = 24;
        int n = 3;
        Random rnd = new Random(13);
        double[] w = new double[k * m * n];
        double[] d = {0.37, 1.3, 0.61};
        int[] perm = {2, 0, 1};
        for (int s = 0; s < k; s++) {
            for (int i = 0; i < m; i++) {
                double[] c0 = new double[n];
                for (int j = 0; j < n; j++) {
                    c0[j] = rnd.nextInt(10) < 3 ? 0
                            : (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1.0, rnd.nextInt(6) - 3);
                }
                for (int j = 0; j < n; j++) {
                    // (C0 P D)[i][j] = C0[i][perm^-1 ...]: column j of P*D takes row perm[j].
                    w[(s * m + i) * n + j] = c0[perm[j]] * d[j];
                }
            }
        }
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            DecomposedLayer r = dec.decompose(SliceLayout.rawSlices(k, m, n), w);
            assertTrue(r.decomposition().stats().relativeError() < 1e-12,
                    "relative error " + r.decomposition().stats().relativeError());
            for (int i = 0; i < w.length; i++) {
                assertEquals(w[i], r.weight()[i], 1e-12);
            }
        }
    }

    @Test
    void resultsAreBitIdenticalForOneTwoAndThreeThreadsAndInputsAreNotModified() {
        List<LayerInput> inputs = new ArrayList<>();
        List<float[]> originals = new ArrayList<>();
        List<float[]> passed = new ArrayList<>();
        SliceLayout[] layouts = {SliceLayout.conv(40, 20, 3, 3, 48, 3),
                SliceLayout.conv(50, 70, 1, 1, 192, 3), SliceLayout.dense(100, 30, 12, 3),
                SliceLayout.depthwise(3, 3, 16, 2)};
        Random rnd = new Random(21);
        for (int l = 0; l < layouts.length; l++) {
            float[] w = new float[layouts[l].weightLength()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextGaussian() * 0.05);
            }
            originals.add(w.clone());
            passed.add(w);
            inputs.add(LayerInput.ofWeight("l" + l, layouts[l], w));
        }
        List<DecompositionBatch> runs = new ArrayList<>();
        for (int t = 1; t <= 3; t++) {
            try (Decomposer dec = new Decomposer(DecompositionConfig.defaults().withThreads(t))) {
                runs.add(dec.decompose(inputs));
            }
        }
        for (int t = 1; t < runs.size(); t++) {
            for (int l = 0; l < layouts.length; l++) {
                LayerDecomposition a = runs.get(0).layers().get(l);
                LayerDecomposition b = runs.get(t).layers().get(l);
                assertArrayEquals(a.c(), b.c(), "C of layer " + l + " with " + (t + 1) + " threads");
                assertArrayEquals(a.b(), b.b(), "B of layer " + l);
                assertArrayEquals(a.iterations(), b.iterations());
                assertEquals(a.stats().squaredError(), b.stats().squaredError(), 0.0);
                assertEquals(a.stats().relativeError(), b.stats().relativeError(), 0.0);
            }
        }
        // A layer decomposed alone equals the same layer inside the batch.
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            LayerDecomposition alone = dec.decompose(List.of(inputs.get(2))).layers().get(0);
            assertArrayEquals(runs.get(0).layers().get(2).c(), alone.c());
            assertArrayEquals(runs.get(0).layers().get(2).b(), alone.b());
        }
        for (int l = 0; l < layouts.length; l++) {
            assertArrayEquals(originals.get(l), passed.get(l), "input " + l + " not modified");
        }
    }

    @Test
    void theListenerHearsOfEveryLayerOnceWithItsName() {
        // the conv layer spans 3 chunks (40 units of 2 slices, 16 units a chunk), the others one each
        SliceLayout[] layouts = {SliceLayout.conv(40, 20, 3, 3, 48, 3), SliceLayout.dense(100, 30, 192, 3),
                SliceLayout.depthwise(3, 3, 8, 2)};
        List<LayerInput> inputs = new ArrayList<>();
        for (int l = 0; l < layouts.length; l++) {
            inputs.add(LayerInput.ofWeight("l" + l, layouts[l], gaussian(layouts[l].weightLength(), 0.05, 30 + l)));
        }
        for (int t = 1; t <= 3; t++) {
            List<String> heard = new ArrayList<>();
            DecompositionBatch withListener;
            try (Decomposer dec = new Decomposer(ONE_THREAD.withThreads(t))) {
                withListener = dec.decompose(inputs, (index, name) -> heard.add(index + "=" + name));
            }
            assertEquals(Set.of("0=l0", "1=l1", "2=l2"), new HashSet<>(heard), t + " threads");
            assertEquals(3, heard.size(), t + " threads: once each, " + heard);
            try (Decomposer dec = new Decomposer(ONE_THREAD)) {
                assertArrayEquals(dec.decompose(inputs).layers().get(0).c(), withListener.layers().get(0).c());
            }
        }
        // with one thread the layers finish in input order
        List<Integer> order = new ArrayList<>();
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            dec.decompose(inputs, (index, name) -> order.add(index));
        }
        assertEquals(List.of(0, 1, 2), order);
    }

    @Test
    void allZeroSliceAndZeroColumnsGiveZeroCoefficientsWithoutNaN() {
        int m = 10;
        int n = 3;
        double[] w = new double[3 * m * n];
        Random rnd = new Random(5);
        for (int i = 0; i < m; i++) {
            // slice 1: column 1 all zero; slice 2: a single non-zero row.
            w[(m + i) * n] = rnd.nextGaussian() * 0.1;
            w[(m + i) * n + 2] = rnd.nextGaussian() * 0.1;
        }
        w[(2 * m + 4) * n + 1] = 0.3;
        double[] copy = w.clone();
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            LayerDecomposition d = dec.decomposeSlices(SliceLayout.rawSlices(3, m, n), w);
            assertArrayEquals(copy, w, "input not modified");
            for (int i = 0; i < m * n; i++) {
                assertEquals(0f, d.c()[i], "C of the all-zero slice");
            }
            for (int i = 0; i < n * n; i++) {
                assertEquals(0.0, d.b()[i], "B of the all-zero slice");
            }
            for (int i = 0; i < m; i++) {
                assertEquals(0f, d.c()[(m + i) * n + 1], "C of the zero column");
            }
            for (double b : d.b()) {
                assertFalse(Double.isNaN(b));
            }
            double[] rebuilt = d.rebuildWeight();
            // The single non-zero entry 0.3 is rebuilt exactly as 2^-2 * 1.2.
            assertEquals(0.3, rebuilt[(2 * m + 4) * n + 1], 1e-15);
            assertTrue(d.stats().relativeError() < 0.3);
        }
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            LayerDecomposition z = dec.decomposeSlices(SliceLayout.rawSlices(2, 4, 3),
                    new double[24]);
            assertEquals(0.0, z.stats().relativeError());
            assertEquals(0.0, z.stats().cDensity());
            assertEquals(0, z.stats().distinctExponents());
        }
    }

    @Test
    void statsAgreeWithTheReturnedArrays() {
        // 1x1 conv with 10 inputs: R = ceil(10/3) = 4 rows, sliceRows 3, so m = 3, S = 2; the
        // second slice of each unit has 1 real row (1 real weight) and 2 padding rows.
        SliceLayout lay = SliceLayout.conv(24, 10, 1, 1, 3, 3);
        float[] w = new float[lay.weightLength()];
        Random rnd = new Random(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            DecomposedLayer r = dec.decompose(lay, w);
            LayerDecomposition d = r.decomposition();
            double err = 0;
            double norm = 0;
            long wnz = 0;
            for (int i = 0; i < w.length; i++) {
                err += (w[i] - r.weight()[i]) * (w[i] - r.weight()[i]);
                norm += (double) w[i] * w[i];
                wnz += r.weight()[i] != 0 ? 1 : 0;
            }
            assertEquals(Math.sqrt(err / norm), d.stats().relativeError(), 1e-12);
            assertEquals((double) wnz / w.length, d.stats().weightDensity(), 0.0);
            long cnz = 0;
            Set<Integer> exps = new HashSet<>();
            for (float c : d.c()) {
                if (c != 0) {
                    cnz++;
                    exps.add(Pow2Quantizer.exponentOf(c));
                }
            }
            // Entries of C: 24 units x R = 4 real rows x n = 3 (the 2 padding rows of each
            // second slice do not count).
            assertEquals(288, d.stats().cEntries());
            assertEquals((double) cnz / 288, d.stats().cDensity(), 0.0);
            assertEquals(exps.size(), d.stats().distinctExponents());
            double it = 0;
            for (int x : d.iterations()) {
                it += x;
            }
            assertEquals(it / d.iterations().length, d.stats().meanIterations(), 1e-12);
            // Padding rows of C (rows 1 and 2 of each unit's second slice: unit entries 12..17)
            // are zero.
            for (int o = 0; o < 24; o++) {
                for (int e = 12; e < 18; e++) {
                    assertEquals(0f, d.c()[o * 18 + e], "unit " + o + " entry " + e);
                }
            }
            DecompositionStats total = DecompositionStats.combine(List.of(d.stats(), d.stats()));
            assertEquals(d.stats().relativeError(), total.relativeError(), 1e-15);
            assertEquals(2 * d.stats().slices(), total.slices());
        }
    }

    @Test
    void cDensityCountsRealRowsButNotTheRowsPaddingTheLastSlice() {
        // maxIter = 1 gives C = Q(W), so C's non-zeros are exactly W's non-zeros (all |w| in
        // [0.1, 1], far from underflow and from maxCoeff).
        DecompositionConfig cfg = ONE_THREAD.withMaxIter(1);
        // 3-wide conv [2, 5, 1, 3]: R = 5 rows per unit, sliceRows 3 so m = 3, S = 2; the second
        // slice has 2 real rows and 1 padding row. Real entries 2*5*3 = 30 (padded: 2*2*3*3 = 36).
        SliceLayout conv = SliceLayout.conv(2, 5, 1, 3, 3, 3);
        float[] w = new float[30];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 5 == 4 ? 0f : 0.1f + 0.03f * i; // 6 zeros (i = 4, 9, ..., 29), 24 non-zeros
        }
        // 1x1-like dense [10, 2] with basisWidth 3, sliceRows 3: L = 10, R = 4 (the last row holds
        // 1 weight and 2 in-row padding entries, which count), m = 3, S = 2. Real entries
        // 2*4*3 = 24 (padded: 2*2*3*3 = 36); all 20 weights non-zero.
        SliceLayout dense = SliceLayout.dense(10, 2, 3, 3);
        float[] v = new float[20];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 2 == 0 ? 1 : -1) * (0.1f + 0.04f * i);
        }
        try (Decomposer dec = new Decomposer(cfg)) {
            DecompositionBatch b = dec.decompose(List.of(LayerInput.ofWeight("conv", conv, w),
                    LayerInput.ofWeight("dense", dense, v)));
            DecompositionStats c = b.layers().get(0).stats();
            assertEquals(30, c.cEntries());
            assertEquals(24, c.cNonZeros());
            assertEquals(0.8, c.cDensity(), 1e-15, "24 / 30");
            DecompositionStats d = b.layers().get(1).stats();
            assertEquals(24, d.cEntries());
            assertEquals(20, d.cNonZeros());
            assertEquals(20.0 / 24, d.cDensity(), 1e-15, "20 / 24");
            DecompositionStats total = DecompositionStats.combine(List.of(c, d));
            assertEquals(44.0 / 54, total.cDensity(), 1e-15, "(24 + 20) / (30 + 24)");
        }
        assertEquals(36, conv.packedLength());
        assertEquals(30, conv.coefficientEntries());
        assertEquals(24, dense.coefficientEntries());
    }

    @Test
    void withOneIterationCIsTheQuantizedWeightWithTiesDownAndNoThreshold() {
        // maxIter = 1: Algorithm 1 skips the loop, so C = Q(A) (no theta threshold on A itself).
        double[] a = {0.75, 3.0, -3.0 / 16, 1e-3, 100.0, -0.3, 0.5, 1.5 * 0x1p-8, 0.2, 0.9, -0.6,
            0x1p-160};
        DecompositionConfig cfg = ONE_THREAD.withMaxIter(1);
        try (Decomposer dec = new Decomposer(cfg)) {
            LayerDecomposition d = dec.decomposeSlices(SliceLayout.rawSlices(1, 4, 3), a);
            float[] expected = {0.5f, 2f, -0.125f, 0x1p-10f, 32f, -0.25f, 0.5f, 0x1p-8f, 0.25f, 1f,
                -0.5f, 0f};
            assertArrayEquals(expected, d.c());
            assertEquals(0, d.iterations()[0]);
        }
        try (Decomposer dec = new Decomposer(cfg.withWindow(new ExponentWindow(-3, 0)))) {
            LayerDecomposition d = dec.decomposeSlices(SliceLayout.rawSlices(1, 4, 3), a);
            float[] expected = {0.5f, 1f, -0.125f, 0f, 1f, -0.25f, 0.5f, 0f, 0.25f, 1f, -0.5f, 0f};
            assertArrayEquals(expected, d.c());
        }
    }

    @Test
    void floatAndDoubleInputsOfEqualValuesGiveEqualResults() {
        SliceLayout lay = SliceLayout.rawSlices(9, 14, 3);
        float[] f = new float[lay.packedLength()];
        Random rnd = new Random(31);
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            DecompositionBatch b = dec.decompose(List.of(LayerInput.ofSlices("f", lay, f),
                    LayerInput.ofSlices("d", lay, d), LayerInput.ofWeight("w", lay, f)));
            for (int l = 1; l < 3; l++) {
                assertArrayEquals(b.layers().get(0).c(), b.layers().get(l).c());
                assertArrayEquals(b.layers().get(0).b(), b.layers().get(l).b());
            }
            assertEquals("d", b.layers().get(1).name());
            assertEquals(3 * 9, b.totals().slices());
        }
    }

    @Test
    void nonFiniteInputIsRejectedNamingTheLayer() {
        float[] w = new float[2 * 3 * 9];
        w[17] = Float.NaN;
        try (Decomposer dec = new Decomposer(DecompositionConfig.defaults().withThreads(2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dec.decompose(List.of(LayerInput.ofWeight("conv7",
                            SliceLayout.conv(2, 3, 3, 3), w))));
            assertTrue(e.getMessage().contains("conv7") && e.getMessage().contains("NaN"),
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerInput.ofWeight("fc", SliceLayout.dense(4, 2), new float[7]));
        assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("length must be 8")
                && e.getMessage().endsWith("got 7"), e.getMessage());
    }

    @Test
    void configRejectsOutOfRangeValuesNamingFieldRangeAndValue() {
        DecompositionConfig d = DecompositionConfig.defaults();
        assertEquals(4e-3, d.theta());
        assertEquals(1e-10, d.tol());
        assertEquals(30, d.maxIter());
        assertEquals(32.0, d.maxCoeff());
        assertFalse(d.normalizeColumns());
        assertEquals(Runtime.getRuntime().availableProcessors(), d.threads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.withMaxIter(0));
        assertEquals("DecompositionConfig.maxIter must be in [1, 10000], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withTheta(-1));
        assertTrue(e.getMessage().contains("theta") && e.getMessage().contains("-1.0"));
        e = assertThrows(IllegalArgumentException.class, () -> d.withThreads(0));
        assertTrue(e.getMessage().contains("threads must be in [1, 1024], got 0"));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxCoeff(1e300));
        assertThrows(IllegalArgumentException.class, () -> d.withTol(Double.NaN));
    }

    /** Decomposes one input alone, on a fresh decomposer. */
    private static LayerDecomposition alone(DecompositionConfig cfg, LayerInput in) {
        try (Decomposer dec = new Decomposer(cfg)) {
            return dec.decompose(List.of(in)).layers().get(0);
        }
    }

    private static void assertSameDecomposition(LayerDecomposition expected, LayerDecomposition actual, String what) {
        assertArrayEquals(expected.c(), actual.c(), "C of " + what);
        assertArrayEquals(expected.b(), actual.b(), "B of " + what);
        assertArrayEquals(expected.iterations(), actual.iterations(), "iterations of " + what);
    }

    /** A slice whose entries are 0 or +-2^p, p in [-3, 2]: Q(A) = A, so B = I is an exact fixed point. */
    private static double[] powersOfTwo(int len, long seed) {
        Random rnd = new Random(seed);
        double[] a = new double[len];
        for (int i = 0; i < len; i++) {
            a[i] = rnd.nextInt(10) < 3 ? 0 : (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1.0, rnd.nextInt(6) - 3);
        }
        return a;
    }

    @Test
    void earlyStopAtTheLastCheckedIterationAndWithToleranceZero() {
        // Algorithm 1 checks ||Cq - Cq_prev||_F <= tol for k in 1 .. maxIter-2. For A = C0 with powers of two,
        // Q(A) = A and the refit gives Q(C) = A again, so the difference is exactly 0: with maxIter 3 and tol 0
        // the check at k = 1 = maxIter - 2 stops after 1 refit ("<=" with 0 <= 0). NaiveReference agrees.
        DecompositionConfig cfg = ONE_THREAD.withMaxIter(3).withTol(0);
        for (int n = 2; n <= 3; n++) {
            int k = 5;
            int m = 12;
            double[] a = powersOfTwo(k * m * n, 40 + n);
            LayerDecomposition d = alone(cfg, LayerInput.ofSlices("p", SliceLayout.rawSlices(k, m, n), a));
            for (int s = 0; s < k; s++) {
                NaiveReference.Result ref = NaiveReference.decompose(slice(a, s, m, n), cfg.theta(), 0, 3,
                        cfg.maxCoeff(), false);
                assertEquals(1, ref.iterations(), "reference, slice " + s);
                assertEquals(1, d.iterations()[s], "n = " + n + ", slice " + s);
                for (int i = 0; i < m * n; i++) {
                    assertEquals(a[s * m * n + i], d.c()[s * m * n + i], 0.0, "C = A, n = " + n);
                }
            }
        }
    }

    @Test
    void aLargeToleranceStopsAfterTheFirstRefitAlsoOnTheGenericPath() {
        // tol = 10 exceeds ||Q(C1) - Q(C0)||_F of these small slices (|w| ~ 0.05), so Algorithm 1 stops at k = 1;
        // NaiveReference computes the same (checked inside assertMatchesReference).
        assertMatchesReference(ONE_THREAD.withTol(10), 6, 10, 2, 41);
        assertMatchesReference(ONE_THREAD.withTol(10), 6, 10, 4, 42);
        double[] a = gaussian(6 * 10 * 2, 0.05, 41);
        assertEquals(1, NaiveReference.decompose(slice(a, 0, 10, 2), 4e-3, 10, 30, 32, false).iterations());
    }

    @Test
    void aRefitEqualToThetaIsKeptAndOnlySmallerOnesAreZeroed() {
        // ALGORITHMS.md 1.1 zeroes |C| < theta. A = diag(0.25, 0.5[, 1]) with theta = 0.25: Q(A) = A, B = I
        // exactly (diagonal normal equations of powers of two), the refit C = A pinv(I) = A keeps 0.25 = theta.
        DecompositionConfig cfg = ONE_THREAD.withTheta(0.25);
        double[] a2 = {0.25, 0, 0, 0.5};
        LayerDecomposition d2 = alone(cfg, LayerInput.ofSlices("n2", SliceLayout.rawSlices(1, 2, 2), a2));
        assertArrayEquals(new float[] {0.25f, 0, 0, 0.5f}, d2.c(), "n = 2 (generic pass)");
        assertArrayEquals(new double[] {1, 0, 0, 1}, d2.b(), "B = I");
        assertEquals(1, d2.iterations()[0], "Q(C) unchanged at k = 1");
        double[] a3 = {0.25, 0, 0, 0, 0.5, 0, 0, 0, 1};
        LayerDecomposition d3 = alone(cfg, LayerInput.ofSlices("n3", SliceLayout.rawSlices(1, 3, 3), a3));
        assertArrayEquals(new float[] {0.25f, 0, 0, 0, 0.5f, 0, 0, 0, 1f}, d3.c(), "n = 3 (unrolled pass)");
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, d3.b(), "B = I");
        // Just below theta the same entry is zeroed in the refit (the first Q(C) = Q(A) has no threshold).
        double[] b3 = a3.clone();
        b3[0] = Math.nextDown(0.25);
        assertEquals(0f, alone(cfg, LayerInput.ofSlices("n3", SliceLayout.rawSlices(1, 3, 3), b3)).c()[0]);
    }

    @Test
    void anIllConditionedBasisDropsTheTinyEigenvalueAsThePseudoInverseCutOffSays() {
        // A = diag(2^-20, 2^10, 2^10), maxCoeff 2^20 so nothing is clamped. Q(A) = A, G = Q^T Q =
        // diag(2^-40, 2^20, 2^20): its eigenvalue ratio 2^-60 is below the relative cut-off 1e-13
        // (ALGORITHMS.md 1.1), so pinv(G) = diag(0, 2^-20, 2^-20) and B = pinv(G) Q^T A = diag(0, 1, 1).
        // Then pinv(B) = diag(0, 1, 1), the refit C = A pinv(B) = diag(0, 2^10, 2^10); Q(C) changed by 2^-20 > tol at
        // k = 1 and not at k = 2: 2 refits. A plain inverse would instead keep B = I and C = A.
        // theta = 0, so that only the cut-off (not the threshold) can zero the 2^-20.
        double[] a = {0x1p-20, 0, 0, 0, 0x1p10, 0, 0, 0, 0x1p10};
        LayerDecomposition d = alone(ONE_THREAD.withMaxCoeff(0x1p20).withTheta(0),
                LayerInput.ofSlices("ill", SliceLayout.rawSlices(1, 3, 3), a));
        assertArrayEquals(new float[] {0, 0, 0, 0, 1024f, 0, 0, 0, 1024f}, d.c(), "C");
        assertArrayEquals(new double[] {0, 0, 0, 0, 1, 0, 0, 0, 1}, d.b(), "B");
        assertEquals(2, d.iterations()[0]);
        // The same with the tiny direction last: A = diag(2^10, 2^10, 2^-20).
        double[] last = {0x1p10, 0, 0, 0, 0x1p10, 0, 0, 0, 0x1p-20};
        d = alone(ONE_THREAD.withMaxCoeff(0x1p20).withTheta(0), LayerInput.ofSlices("ill", SliceLayout.rawSlices(1, 3, 3),
                last));
        assertArrayEquals(new float[] {1024f, 0, 0, 0, 1024f, 0, 0, 0, 0}, d.c(), "C, tiny direction last");
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 0}, d.b(), "B, tiny direction last");
    }

    @Test
    void nearlyDependentColumnsGiveTheMinimumNormBasisOfTheirNumericalRank() {
        // maxIter 1: C = Q(A) = A and B = argmin ||A - C B||_F, min-norm (ALGORITHMS.md 1.1). A's rows (1, 0, 1),
        // (0, 1, 1), (2^-25, 0, 0): column 3 = column 1 + column 2 up to 2^-25, so G = C^T C has an eigenvalue about
        // 2^-50 / 3 of its largest (~3), below the 1e-13 cut-off: numerically rank 2. The min-norm solution is then
        // B = pinv(C) C, the orthogonal projector onto the top two eigenvectors of G: symmetric, B*B = B, trace 2.
        // (A plain inverse would give B = I, trace 3.)
        double e = 0x1p-25;
        double[] a = {1, 0, 1, 0, 1, 1, e, 0, 0};
        LayerDecomposition d = alone(ONE_THREAD.withMaxIter(1), LayerInput.ofSlices("dep", SliceLayout.rawSlices(1, 3, 3), a));
        double[] b = d.b();
        assertEquals(2.0, b[0] + b[4] + b[8], 1e-9, "trace of the rank-2 projector");
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(b[i * 3 + j], b[j * 3 + i], 1e-9, "symmetric (" + i + "," + j + ")");
                double bb = 0;
                for (int t = 0; t < 3; t++) {
                    bb += b[i * 3 + t] * b[t * 3 + j];
                }
                assertEquals(b[i * 3 + j], bb, 1e-9, "idempotent (" + i + "," + j + ")");
            }
        }
    }

    @Test
    void columnNormalisationLeavesAnAllZeroColumnZero() {
        // ALGORITHMS.md 1.1: d_j is a mean over the column's non-zeros; a column without any has nothing to scale
        // ("all-zero columns of Cq happen and must not blow up"), so it stays 0 in C and B stays finite.
        double[] a = gaussian(8 * 3, 0.1, 43);
        for (int i = 0; i < 8; i++) {
            a[i * 3 + 1] = 0;
        }
        LayerDecomposition d = alone(ONE_THREAD.withNormalizeColumns(true),
                LayerInput.ofSlices("z", SliceLayout.rawSlices(1, 8, 3), a));
        for (int i = 0; i < 8; i++) {
            assertEquals(0f, d.c()[i * 3 + 1], "row " + i + " of the zero column");
        }
        for (double b : d.b()) {
            assertTrue(Double.isFinite(b), "B finite");
        }
        assertTrue(d.stats().relativeError() < 0.5, "error " + d.stats().relativeError());
    }

    @Test
    void tinyAndHugeSlicesOnTheEigenPathMatchTheReference() {
        // With theta = 0 and no clamping, the algorithm commutes with scaling by a power of two; the eigen
        // pseudo-inverse (n != 3) must still converge when the normal equations are ~2^-90 or ~2^+70 in size.
        DecompositionConfig cfg = ONE_THREAD.withTheta(0).withMaxCoeff(0x1p127);
        for (double scale : new double[] {0x1p-40, 0x1p40}) {
            assertMatchesReference(cfg, 4, 10, 2, 44, 0.05 * scale);
            assertMatchesReference(cfg, 4, 12, 4, 45, 0.05 * scale);
        }
    }

    @Test
    void subnormalFloat32CoefficientsAreKeptAndCountedByTheirExponent() {
        // maxIter 1: C = Q(A) (ALGORITHMS.md 1.1). 2^-149 (the smallest float32, the floor of C) is kept;
        // 3 * 2^-146 = 1.5 * 2^-145 is a tie and goes down to 2^-145; 1.25 * 2^-130 -> 2^-130; 2^-127, 2^-126, 0.5 stay.
        double[] a = {0x1p-149, 3 * 0x1p-146, 0x1p-127, 0x1p-126, 0.5, 1.25 * 0x1p-130};
        LayerDecomposition d = alone(ONE_THREAD.withMaxIter(1),
                LayerInput.ofSlices("sub", SliceLayout.rawSlices(1, 2, 3), a));
        assertArrayEquals(new float[] {0x1p-149f, 0x1p-145f, 0x1p-127f, 0x1p-126f, 0.5f, 0x1p-130f}, d.c());
        DecompositionStats st = d.stats();
        assertEquals(6, st.distinctExponents());
        for (int p : new int[] {-149, -145, -130, -127, -126, -1}) {
            assertTrue(st.usesExponent(p), "exponent " + p);
        }
        assertFalse(st.usesExponent(-148) || st.usesExponent(-146) || st.usesExponent(-131) || st.usesExponent(-128));
        // Just below the floor 2^-149 a value rounds to 0 (it is below 2^pMin of the float32 range).
        double[] below = {Math.nextDown(0x1p-149), 0.5, 0.5, 0.5, 0.5, 0.5};
        assertEquals(0f, alone(ONE_THREAD.withMaxIter(1), LayerInput.ofSlices("sub", SliceLayout.rawSlices(1, 2, 3),
                below)).c()[0]);
    }

    @Test
    void exactWindowFloorIsKeptByTheDecomposition() {
        // Window [-3, 0]: "a value whose magnitude is below 2^pMin becomes 0" (ALGORITHMS.md 1.2), so exactly 2^-3
        // stays and the next double below it does not.
        double[] a = {0.125, -0.125, Math.nextDown(0.125), 0.5, 1, 0.25};
        LayerDecomposition d = alone(ONE_THREAD.withMaxIter(1).withWindow(new ExponentWindow(-3, 0)),
                LayerInput.ofSlices("w", SliceLayout.rawSlices(1, 2, 3), a));
        assertArrayEquals(new float[] {0.125f, -0.125f, 0f, 0.5f, 1f, 0.25f}, d.c());
    }

    @Test
    void layersOfDifferentShapesInOneBatchEqualTheSameLayersAlone() {
        // Slices are independent (ALGORITHMS.md 1.1): a layer's result must not depend on what else is in the batch.
        // The mix reuses per-thread scratch: raw slices of growing m and of another n; 1x1 convs and dense layers of
        // equal slice shape, the second with in-row padding (nIn 4 = 3 + 1 in rows of 3) after one without.
        List<LayerInput> inputs = List.of(
                LayerInput.ofSlices("r4", SliceLayout.rawSlices(2, 4, 3), gaussian(24, 0.05, 50)),
                LayerInput.ofSlices("r10", SliceLayout.rawSlices(2, 10, 3), gaussian(60, 0.05, 51)),
                LayerInput.ofSlices("r10n2", SliceLayout.rawSlices(2, 10, 2), gaussian(40, 0.05, 52)),
                LayerInput.ofWeight("c6", SliceLayout.conv(5, 6, 1, 1), gaussian(30, 0.05, 53)),
                LayerInput.ofWeight("c4", SliceLayout.conv(5, 4, 1, 1), gaussian(20, 0.05, 54)),
                LayerInput.ofWeight("d6", SliceLayout.dense(6, 5), gaussian(30, 0.05, 55)),
                LayerInput.ofWeight("d4", SliceLayout.dense(4, 5), gaussian(20, 0.05, 56)));
        List<LayerDecomposition> batch;
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            batch = dec.decompose(inputs).layers();
        }
        for (int l = 0; l < inputs.size(); l++) {
            assertSameDecomposition(alone(ONE_THREAD, inputs.get(l)), batch.get(l), inputs.get(l).name());
        }
    }

    @Test
    void stridedAndPaddedWeightsDecomposeLikeTheirPackedSlices() {
        // SliceLayout.toSlices (checked by hand in SliceLayoutTest) gives the packed slices [K, m, n] of a weight;
        // decomposing the weight must equal decomposing those slices. Dense and depthwise weights are read by
        // units (strided), across several chunks; the 1x1 conv has in-row padding (nIn 10 in rows of 3).
        SliceLayout[] layouts = {SliceLayout.dense(40, 70, 12, 3), SliceLayout.depthwise(3, 3, 20, 3),
            SliceLayout.conv(6, 10, 1, 1, 3, 3)};
        for (SliceLayout lay : layouts) {
            double[] w = gaussian(lay.weightLength(), 0.05, 60 + lay.units());
            float[] f = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                f[i] = (float) w[i];
                w[i] = f[i];
            }
            double[] packed = new double[lay.packedLength()];
            lay.toSlices(w, packed);
            LayerDecomposition expected = alone(ONE_THREAD, LayerInput.ofSlices("p", lay, packed));
            assertSameDecomposition(expected, alone(ONE_THREAD, LayerInput.ofWeight("d", lay, w)), lay.describe() + " double");
            assertSameDecomposition(expected, alone(ONE_THREAD, LayerInput.ofWeight("f", lay, f)), lay.describe() + " float");
            float[] fpacked = new float[lay.packedLength()];
            lay.toSlices(f, fpacked);
            assertSameDecomposition(expected, alone(ONE_THREAD, LayerInput.ofSlices("fp", lay, fpacked)),
                    lay.describe() + " float packed");
        }
    }

    @Test
    void nonFiniteWeightsInStridedUnitsAreRejectedNamingUnitAndEntry() {
        // dense [nIn 4, nOut 5]: unit o is column o, its entry e is weight[e * 5 + o]. NaN at [2][3]: unit 3, entry 2.
        double[] w = new double[20];
        w[2 * 5 + 3] = Double.NaN;
        float[] f = new float[20];
        f[3 * 5 + 4] = Float.POSITIVE_INFINITY;
        try (Decomposer dec = new Decomposer(ONE_THREAD)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dec.decompose(List.of(LayerInput.ofWeight("fc", SliceLayout.dense(4, 5), w))));
            assertEquals("LayerInput(fc): weights must be finite, got NaN in unit 3 at entry 2", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> dec.decompose(List.of(LayerInput.ofWeight("fc", SliceLayout.dense(4, 5), f))));
            assertEquals("LayerInput(fc): weights must be finite, got Infinity in unit 4 at entry 3", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerInput.ofSlices("p", SliceLayout.dense(4, 2), new double[5]));
        assertEquals("LayerInput(p): packed slices length must be 12 for DENSE [4, 2] U=2 S=1 m=2 n=3, got 5",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LayerInput.ofWeight("fc", SliceLayout.dense(4, 2), new float[7]));
        assertEquals("LayerInput(fc): weight length must be 8 for DENSE [4, 2] U=2 S=1 m=2 n=3, got 7", e.getMessage());
    }

    @Test
    void threadsUsedAndTimesAreThoseOfTheWork() {
        // A layer of one chunk (exactly 32 slices of one unit each) keeps one thread busy whatever the setting; a
        // layer of 4 chunks (64 units of 2 slices, 16 units a chunk) uses min(threads, 4).
        SliceLayout small = SliceLayout.rawSlices(32, 6, 3);
        SliceLayout big = SliceLayout.conv(64, 160, 3, 3, 240, 3);
        double[] w = gaussian(big.weightLength(), 0.05, 70);
        try (Decomposer dec = new Decomposer(ONE_THREAD.withThreads(3))) {
            assertEquals(ONE_THREAD.withThreads(3), dec.config());
            DecompositionBatch one = dec.decompose(List.of(LayerInput.ofSlices("s", small, gaussian(576, 0.05, 71))));
            assertEquals(1, one.threads(), "one chunk");
        }
        for (int threads : new int[] {1, 4}) {
            try (Decomposer dec = new Decomposer(ONE_THREAD.withThreads(threads))) {
                dec.decompose(List.of(LayerInput.ofWeight("warm-up", big, w))); // starts the pool's thread
                long t0 = System.nanoTime();
                DecompositionBatch b = dec.decompose(List.of(LayerInput.ofWeight("big", big, w)));
                double outside = (System.nanoTime() - t0) / 1e9;
                assertEquals(threads, b.threads());
                // Wall time measured inside the call is at most the time around it.
                assertTrue(b.wallSeconds() > 0 && b.wallSeconds() <= outside, b.wallSeconds() + " vs " + outside);
                // A layer's seconds: its chunks' busy time summed over threads / threads, so in (0, wall] (4 threads
                // share the 4 chunks: a product instead of the quotient would exceed the wall time 16-fold).
                double sec = b.layers().get(0).stats().seconds();
                assertTrue(sec > 0 && sec <= b.wallSeconds(), threads + " threads: " + sec + " vs " + b.wallSeconds());
                if (threads == 4) {
                    // The pool's threads are daemons (Decomposer: "daemon threads"): a forgotten close() cannot
                    // keep the JVM alive.
                    long pooled = Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().startsWith("sd-decomposer-")).peek(
                                    t -> assertTrue(t.isDaemon(), t.getName() + " is a daemon")).count();
                    assertTrue(pooled >= 1, "a pool thread ran");
                }
            }
        }
    }

    @Test
    void anExceptionOfAHelperThreadEndsTheBatchUnwrapped() {
        // Decomposer.decompose(inputs, listener): "an exception it throws ends the batch with that exception", also
        // when a pool thread throws it. The calling thread's listener holds the listener lock until a pool thread
        // waits for it, so that a pool thread is the one that throws.
        List<LayerInput> inputs = new ArrayList<>();
        for (int l = 0; l < 12; l++) {
            inputs.add(LayerInput.ofSlices("l" + l, SliceLayout.rawSlices(2, 4, 3), gaussian(24, 0.05, 80 + l)));
        }
        Thread caller = Thread.currentThread();
        AtomicBoolean helperThrew = new AtomicBoolean();
        Decomposer.LayerListener listener = (index, name) -> {
            if (Thread.currentThread() != caller) {
                helperThrew.set(true);
                throw new UnsupportedOperationException("helper stops at " + name);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!helperThrew.get() && System.nanoTime() < deadline && Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("sd-decomposer-") && t.getState() == Thread.State.BLOCKED)) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        };
        try (Decomposer dec = new Decomposer(ONE_THREAD.withThreads(2))) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> dec.decompose(inputs, listener));
            assertTrue(e.getMessage().startsWith("helper stops at l"), e.getMessage());
        }
    }

    @Test
    void layerDecompositionConvertsAndRebuildsIntoFloat() {
        SliceLayout lay = SliceLayout.dense(7, 4);
        double[] w = gaussian(lay.weightLength(), 0.05, 90);
        LayerDecomposition d = alone(ONE_THREAD, LayerInput.ofWeight("fc", lay, w));
        float[] bf = d.bAsFloat();
        double[] cd = d.cAsDouble();
        assertEquals(d.b().length, bf.length);
        assertEquals(d.c().length, cd.length);
        for (int i = 0; i < bf.length; i++) {
            assertEquals((float) d.b()[i], bf[i], "B as float " + i);
        }
        for (int i = 0; i < cd.length; i++) {
            assertEquals(d.c()[i], cd[i], 0.0, "C as double " + i);
        }
        double[] rebuilt = d.rebuildWeight();
        float[] rf = new float[w.length];
        java.util.Arrays.fill(rf, Float.NaN);
        d.rebuildWeight(rf);
        for (int i = 0; i < w.length; i++) {
            assertEquals((float) rebuilt[i], rf[i], "rebuilt weight rounded to float, entry " + i);
        }
        assertTrue(d.stats().relativeError() < 0.5);
    }

    @Test
    void configAcceptsEveryBoundAndRefusesTheValueJustBeyond() {
        // DecompositionConfig: theta, tol finite >= 0; maxIter in [1, 10000]; maxCoeff in [2^-149, 2^127];
        // threads in [1, 1024].
        DecompositionConfig d = DecompositionConfig.defaults();
        assertEquals(0.0, d.withTol(0).tol());
        assertEquals(0.0, d.withTheta(0).theta());
        assertEquals(10000, d.withMaxIter(10000).maxIter());
        assertEquals(1, d.withMaxIter(1).maxIter());
        assertEquals(0x1p-149, d.withMaxCoeff(0x1p-149).maxCoeff());
        assertEquals(0x1p127, d.withMaxCoeff(0x1p127).maxCoeff());
        assertEquals(1024, d.withThreads(1024).threads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withMaxIter(10001));
        assertEquals("DecompositionConfig.maxIter must be in [1, 10000], got 10001", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withThreads(1025));
        assertEquals("DecompositionConfig.threads must be in [1, 1024], got 1025", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withMaxCoeff(Math.nextDown(0x1p-149)));
        assertEquals("DecompositionConfig.maxCoeff must be in [2^-149, 2^127], got " + Math.nextDown(0x1p-149),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withMaxCoeff(Math.nextUp(0x1p127)));
        assertEquals("DecompositionConfig.maxCoeff must be in [2^-149, 2^127], got " + Math.nextUp(0x1p127),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withTol(-1e-300));
        assertEquals("DecompositionConfig.tol must be finite and >= 0, got -1.0E-300", e.getMessage());
        // The decomposition quantizer: ties down, cap = largest power of two <= maxCoeff and <= 2^pMax.
        assertTrue(d.exponentWindow().isEmpty());
        ExponentWindow win = new ExponentWindow(-6, 3);
        DecompositionConfig w = d.withWindow(win).withMaxCoeff(20);
        assertEquals(win, w.exponentWindow().orElseThrow());
        assertEquals(Pow2Quantizer.Tie.DOWN, w.quantizer().tie());
        assertEquals(8.0, w.quantizer().cap(), "min(16, 2^3)");
        assertEquals(16.0, d.withMaxCoeff(20).quantizer().cap(), "largest power of two <= 20");
        assertEquals(win, w.quantizer().window().orElseThrow());
    }
}
