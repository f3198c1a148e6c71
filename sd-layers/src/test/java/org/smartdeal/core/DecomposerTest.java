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
        double[] packed = gaussian(k * m * n, 0.05, seed);
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
}
