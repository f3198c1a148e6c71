package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quality measures (ALGORITHMS.md 1.3) and their model totals, on hand-made counts. */
class DecompositionStatsTest {

    /** An exponent set holding the given exponents: bit (p + 149) of word (p + 149) / 64, as documented. */
    private static long[] exponents(int... ps) {
        long[] set = new long[DecompositionStats.EXPONENT_WORDS];
        for (int p : ps) {
            int i = p + 149;
            set[i / 64] |= 1L << (i % 64);
        }
        return set;
    }

    @Test
    void usesExponentReadsTheDocumentedBitsOverTheWholeFloat32Range() {
        assertEquals(5, DecompositionStats.EXPONENT_WORDS, "ceil((149 + 128) / 64) words cover p in [-149, 127]");
        DecompositionStats s = DecompositionStats.of(1, 9, 3, 9, 9, 0, 1, 0, 0, exponents(-149, -86, 0, 127));
        assertEquals(4, s.distinctExponents());
        for (int p = -160; p <= 180; p++) {
            boolean expected = p == -149 || p == -86 || p == 0 || p == 127;
            assertEquals(expected, s.usesExponent(p), "p = " + p);
        }
        assertFalse(s.usesExponent(Integer.MIN_VALUE / 2));
        assertFalse(s.usesExponent(1 << 20));
    }

    @Test
    void combineSumsCountsAndTimesWeighsIterationsBySlicesAndUnitesExponents() {
        // a: 2 slices, mean 3 refits, 0.5 s, exponents {0, -3}; b: 6 slices, mean 1 refit, 0.25 s, exponents {-3, 100}.
        DecompositionStats a = DecompositionStats.of(2, 18, 6, 16, 12, 1.0, 4.0, 2 * 3.0, 0.5, exponents(0, -3));
        DecompositionStats b = DecompositionStats.of(6, 54, 27, 50, 25, 2.0, 12.0, 6 * 1.0, 0.25, exponents(-3, 100));
        assertEquals(0.5, a.relativeError(), 1e-15, "sqrt(1 / 4)");
        assertEquals(3.0, a.meanIterations(), 0.0);
        DecompositionStats t = DecompositionStats.combine(List.of(a, b));
        assertEquals(8, t.slices());
        assertEquals(72, t.cEntries());
        assertEquals(33, t.cNonZeros());
        assertEquals(66, t.weightEntries());
        assertEquals(37, t.weightNonZeros());
        assertEquals(3.0, t.squaredError(), 0.0);
        assertEquals(16.0, t.squaredNorm(), 0.0);
        assertEquals(Math.sqrt(3.0 / 16), t.relativeError(), 1e-15, "sqrt((1 + 2) / (4 + 12))");
        assertEquals(33.0 / 72, t.cDensity(), 1e-15, "(6 + 27) / (18 + 54)");
        assertEquals(37.0 / 66, t.weightDensity(), 1e-15, "(12 + 25) / (16 + 50)");
        assertEquals(1.5, t.meanIterations(), 1e-15, "(2 * 3 + 6 * 1) / 8");
        assertEquals(0.75, t.seconds(), 1e-15, "0.5 + 0.25");
        assertEquals(3, t.distinctExponents(), "{0, -3} u {-3, 100}");
        assertTrue(t.usesExponent(0) && t.usesExponent(-3) && t.usesExponent(100));
        assertFalse(t.usesExponent(1));
    }

    @Test
    void noPartsOrZeroCountsGiveZeroMeasuresNotNaN() {
        // ALGORITHMS.md 1.3 ratios over empty sets: 0 (relative error 0 when W = 0), never 0/0.
        DecompositionStats t = DecompositionStats.combine(List.of());
        assertEquals(0.0, t.relativeError());
        assertEquals(0.0, t.cDensity());
        assertEquals(0.0, t.weightDensity());
        assertEquals(0.0, t.meanIterations());
        assertEquals(0, t.distinctExponents());
        assertEquals(0, t.slices());
        // W = 0 but C*B != 0 would be an error of 1 (no norm to divide by).
        assertEquals(1.0, DecompositionStats.of(1, 3, 1, 3, 1, 0.5, 0, 0, 0, exponents()).relativeError());
    }

    @Test
    void invalidCountsAndExponentSetsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DecompositionStats(0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, exponents()));
        assertEquals("DecompositionStats counts must be >= 0, got slices=0 cEntries=0 cNonZeros=0 weightEntries=-1"
                + " weightNonZeros=0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DecompositionStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new long[3]));
        assertEquals("DecompositionStats.exponentSet must have length 5, got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DecompositionStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null));
        assertEquals("DecompositionStats.exponentSet must have length 5, got null", e.getMessage());
    }
}
