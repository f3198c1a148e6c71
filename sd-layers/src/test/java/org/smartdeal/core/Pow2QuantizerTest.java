package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-checked cases of the quantizer Q and projection P (ALGORITHMS.md 1.2 and 6.1). */
class Pow2QuantizerTest {

    private static final Pow2Quantizer DOWN = Pow2Quantizer.decomposition(32);
    private static final Pow2Quantizer UP = new Pow2Quantizer(Pow2Quantizer.Tie.UP, 32, null, 0);

    @Test
    void exactTiesGoDownInDecompositionAndUpInProjection() {
        // 0.75 lies halfway between 0.5 and 1: |0.75-0.5| = |1-0.75| = 0.25.
        assertEquals(0.5, DOWN.quantize(0.75));
        assertEquals(1.0, UP.quantize(0.75));
        // 3 lies halfway between 2 and 4.
        assertEquals(2.0, DOWN.quantize(3.0));
        assertEquals(4.0, UP.quantize(3.0));
        assertEquals(-2.0, DOWN.quantize(-3.0));
        assertEquals(-4.0, UP.quantize(-3.0));
    }

    @Test
    void nearestInLinearDomainNotLogDomain() {
        // log-domain rounding would send 2.9 (log2 = 1.536) to 4; linear distance: 0.9 vs 1.1 -> 2.
        assertEquals(2.0, DOWN.quantize(2.9));
        assertEquals(2.0, UP.quantize(2.9));
        assertEquals(4.0, DOWN.quantize(Math.nextUp(3.0)));
        assertEquals(2.0, UP.quantize(Math.nextDown(3.0)));
        assertEquals(0.25, DOWN.quantize(0.3));
        assertEquals(-0.125, DOWN.quantize(-0.1));
    }

    @Test
    void powersOfTwoAndZeroAreFixedPoints() {
        for (int p = -1074; p <= 5; p++) {
            double v = Pow2Quantizer.powerOfTwo(p);
            assertEquals(v, DOWN.quantize(v), "2^" + p);
            assertEquals(-v, UP.quantize(-v), "-2^" + p);
        }
        assertEquals(0.0, DOWN.quantize(0.0));
        assertEquals(0L, Double.doubleToRawLongBits(DOWN.quantize(-0.0)), "Q(-0) = +0");
    }

    @Test
    void subnormalsRoundExactly() {
        double min = Double.MIN_VALUE; // 2^-1074
        assertEquals(min, DOWN.quantize(min));
        // 3 * 2^-1074 is a tie between 2^-1073 and 2^-1072.
        assertEquals(2 * min, DOWN.quantize(3 * min));
        assertEquals(4 * min, UP.quantize(3 * min));
        // 5 * 2^-1074: 4 is nearer than 8.
        assertEquals(4 * min, UP.quantize(5 * min));
        // Largest subnormal (2^-1022 - 2^-1074) rounds up to the smallest normal 2^-1022.
        assertEquals(Double.MIN_NORMAL, DOWN.quantize(Math.nextDown(Double.MIN_NORMAL)));
        // 1.5 * 2^-1030 is a subnormal tie.
        double tie = 1.5 * 0x1p-1030;
        assertEquals(0x1p-1030, DOWN.quantize(tie));
        assertEquals(0x1p-1029, UP.quantize(tie));
    }

    @Test
    void clampsToMaxCoeffAndFloorsMaxCoeffToAPowerOfTwo() {
        assertEquals(32.0, DOWN.quantize(1000.0));
        assertEquals(-32.0, DOWN.quantize(-47.0));
        assertEquals(32.0, DOWN.quantize(Double.POSITIVE_INFINITY));
        assertEquals(32.0, DOWN.quantize(Double.MAX_VALUE));
        Pow2Quantizer q20 = Pow2Quantizer.decomposition(20);
        assertEquals(16.0, q20.cap());
        assertEquals(16.0, q20.quantize(19.0));
        assertEquals(1.0, Pow2Quantizer.decomposition(1.0).quantize(1.4));
        assertTrue(Double.isNaN(DOWN.quantize(Double.NaN)));
    }

    @Test
    void exponentWindowZeroesBelowAndClampsAbove() {
        Pow2Quantizer q = Pow2Quantizer.decomposition(32, new ExponentWindow(-3, 2));
        assertEquals(0.0, q.quantize(0.124)); // below 2^-3 = 0.125
        assertEquals(0.125, q.quantize(0.125));
        assertEquals(-0.125, q.quantize(-0.18)); // nearest of 0.125/0.25 is 0.125
        assertEquals(4.0, q.quantize(7.0)); // 8 clamped to 2^2
        assertEquals(4.0, q.quantize(4.0));
        assertEquals(0.0, q.quantize(Double.MIN_VALUE));
    }

    @Test
    void trainingProjectionZeroesBelowThetaMinusSlackAndTiesUp() {
        Pow2Quantizer p = Pow2Quantizer.trainingProjection(4e-3, 1.0);
        assertEquals(0.0, p.quantize(3.98e-3)); // < 4e-3 - 1e-5 = 3.99e-3
        // 2^-8 = 0.00390625 is nearest but below theta - 1e-5, where P would send it to 0 next time: the smallest
        // power of two kept, 2^-7, is the nearest of P's results (|c - 2^-7| = 0.0038 < |c - 0| = 0.004)
        assertEquals(0x1p-7, p.smallestKept());
        assertEquals(0x1p-7, p.quantize(3.995e-3));
        assertEquals(-0x1p-7, p.quantize(-4.5e-3));
        assertEquals(0x1p-7, p.quantize(5.5e-3)); // below 1.5 x 2^-8 = 0.00586 as well: 2^-7 either way
        assertEquals(0x1p-6, p.quantize(0.0118)); // above 1.5 x 2^-7: 2^-6 as before
        // idempotent: P(P(c)) = P(c) for values around the threshold and the powers of two
        for (double c = 1e-3; c < 0.05; c *= 1.013) {
            assertEquals(p.quantize(c), p.quantize(p.quantize(c)), "P(P(" + c + "))");
        }
        // a power-of-two theta keeps the literal rule: its smallest kept power is theta itself
        Pow2Quantizer pow = Pow2Quantizer.trainingProjection(0x1p-8, 1.0);
        assertEquals(0x1p-8, pow.smallestKept());
        assertEquals(0x1p-8, pow.quantize(0x1p-8 - 5e-6)); // >= theta - 1e-5, nearest 2^-8
        assertEquals(0.0, Pow2Quantizer.decomposition(1.0).smallestKept());
        assertEquals(1.0, p.cap());
        assertEquals(1.0, p.quantize(0.75)); // tie up
        assertEquals(1.0, p.quantize(3.0)); // 4 clamped to 1
    }

    @Test
    void bitTrickAgreesWithLinearDistanceDefinitionOnRandomValues() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20000; i++) {
            double c = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 6);
            double a = Math.abs(c);
            int e = (int) Math.ceil(Math.log(a) / Math.log(2));
            // Guard log rounding near exact powers: adjust e so that 2^(e-1) < a <= 2^e.
            while (Math.scalb(1.0, e - 1) >= a) {
                e--;
            }
            while (Math.scalb(1.0, e) < a) {
                e++;
            }
            double lo = Math.scalb(1.0, e - 1);
            double hi = Math.scalb(1.0, e);
            double expected = Math.copySign(a - lo <= hi - a ? lo : hi, c);
            assertEquals(expected, Pow2Quantizer.nearestPowerOfTwo(c, Pow2Quantizer.Tie.DOWN), "c=" + c);
        }
    }

    @Test
    void helpersReportExponentsAndPowerOfTwoMembership() {
        assertEquals(-1074, Pow2Quantizer.exponentOf(Double.MIN_VALUE));
        assertEquals(-1022, Pow2Quantizer.exponentOf(Double.MIN_NORMAL));
        assertEquals(5, Pow2Quantizer.exponentOf(-32.0));
        assertEquals(1, Pow2Quantizer.exponentOf(3.0));
        assertTrue(Pow2Quantizer.isPowerOfTwoOrZero(0.0));
        assertTrue(Pow2Quantizer.isPowerOfTwoOrZero(-0x1p-1070));
        assertFalse(Pow2Quantizer.isPowerOfTwoOrZero(3 * Double.MIN_VALUE));
        assertFalse(Pow2Quantizer.isPowerOfTwoOrZero(0.75));
        assertFalse(Pow2Quantizer.isPowerOfTwoOrZero(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Pow2Quantizer.exponentOf(0.0));
    }

    @Test
    void invalidSettingsNameFieldRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pow2Quantizer.decomposition(-1));
        assertTrue(e.getMessage().contains("maxCoeff") && e.getMessage().contains("-1.0"));
        e = assertThrows(IllegalArgumentException.class, () -> new ExponentWindow(3, 2));
        assertTrue(e.getMessage().contains("pMax must be in [pMin=3, 1023], got 2"));
        e = assertThrows(IllegalArgumentException.class, () -> new ExponentWindow(-2000, 2));
        assertTrue(e.getMessage().contains("pMin") && e.getMessage().contains("-2000"));
        assertThrows(IllegalArgumentException.class,
                () -> Pow2Quantizer.trainingProjection(Double.NaN, 1));
    }

    @Test
    void aWindowStartingAboveTheCapIsRefused() {
        // ALGORITHMS.md 1.2: |Q| <= maxCoeff and |Q| >= 2^pMin for non-zero Q; with 2^pMin > maxCoeff no power of two
        // satisfies both (the cap had won: quantize(5) gave 2^0, outside the window [2, 3])
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pow2Quantizer.decomposition(1.0, new ExponentWindow(2, 3)));
        assertEquals("Pow2Quantizer: the exponent window [2, 3] starts above maxCoeff 1.0: 2^pMin must be <= maxCoeff, "
                + "got 2^pMin = 4.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DecompositionConfig.defaults().withMaxCoeff(3.9).withWindow(new ExponentWindow(2, 5)));
        assertTrue(e.getMessage().startsWith("DecompositionConfig: the exponent window [2, 5] starts above maxCoeff 3.9"),
                e.getMessage());
        // at the bound: 2^pMin = maxCoeff is allowed, and maxCoeff between powers of two caps at the one below
        assertEquals(4.0, Pow2Quantizer.decomposition(4.0, new ExponentWindow(2, 3)).quantize(5), 0.0);
        assertEquals(4.0, DecompositionConfig.defaults().withMaxCoeff(7.0).withWindow(new ExponentWindow(2, 5))
                .quantizer().quantize(9), 0.0);
    }

    @Test
    void thresholdsKeepTheExactBoundaryValue() {
        // zeroBelow: "magnitudes strictly below this become 0", so |c| = zeroBelow itself is kept.
        Pow2Quantizer z = new Pow2Quantizer(Pow2Quantizer.Tie.DOWN, 32, null, 0.25);
        assertEquals(0.25, z.quantize(0.25), "|c| = zeroBelow is kept");
        assertEquals(-0.25, z.quantize(-0.25), "|c| = zeroBelow is kept, with its sign");
        assertEquals(0.0, z.quantize(Math.nextDown(0.25)), "just below zeroBelow");
        // P with theta = 0 zeroes nothing (zeroBelow = max(0, 0 - 1e-5) = 0) and is accepted.
        Pow2Quantizer p0 = Pow2Quantizer.trainingProjection(0, 1.0);
        assertEquals(0.0, p0.zeroBelow(), "theta 0");
        assertEquals(Double.MIN_VALUE, p0.quantize(Double.MIN_VALUE), "2^-1074 survives theta 0");
        // maxCoeff at its minimum 2^-1074 is accepted; the cap is 2^-1074 itself.
        Pow2Quantizer tiny = Pow2Quantizer.decomposition(Double.MIN_VALUE);
        assertEquals(Double.MIN_VALUE, tiny.cap(), "cap for maxCoeff = 2^-1074");
        assertEquals(Double.MIN_VALUE, tiny.quantize(1.0), "1 clamped to 2^-1074");
        // maxCoeff at the top of the double range: the cap is 2^1023.
        assertEquals(0x1p1023, Pow2Quantizer.decomposition(Double.MAX_VALUE).cap(), "cap for Double.MAX_VALUE");
        // Window edges: 2^pMin is kept (only magnitudes below it become 0), 2^pMax is not clamped.
        Pow2Quantizer w = Pow2Quantizer.decomposition(32, new ExponentWindow(-3, 2));
        assertEquals(0.0, w.quantize(Math.nextDown(0.125)), "just below 2^pMin");
        assertEquals(-4.0, w.quantize(-4.0), "-2^pMax");
        assertEquals(4.0, w.quantize(5.0), "5 -> 4 = 2^pMax, in the window");
        assertEquals(4.0, w.quantize(6.0), "6 is a tie 4/8, down to 4");
    }

    @Test
    void accessorsReturnTheSettings() {
        // trainingProjection(theta, maxCoeff): ties UP, zeroBelow = theta - 1e-5 (ALGORITHMS.md 6.1).
        Pow2Quantizer p = Pow2Quantizer.trainingProjection(4e-3, 20);
        assertEquals(Pow2Quantizer.Tie.UP, p.tie());
        assertEquals(20.0, p.maxCoeff());
        assertEquals(16.0, p.cap(), "largest power of two <= 20");
        assertEquals(4e-3 - 1e-5, p.zeroBelow(), 1e-18, "theta - 1e-5 = 3.99e-3");
        assertTrue(p.window().isEmpty());
        ExponentWindow win = new ExponentWindow(-6, 1);
        Pow2Quantizer d = Pow2Quantizer.decomposition(32, win);
        assertEquals(Pow2Quantizer.Tie.DOWN, d.tie());
        assertEquals(win, d.window().orElseThrow());
        assertEquals(2.0, d.cap(), "2^pMax = 2 below maxCoeff 32");
        assertEquals(0.0, d.zeroBelow());
        assertEquals("Pow2Quantizer[tie=DOWN, maxCoeff=32.0, cap=2.0, window=ExponentWindow[pMin=-6, pMax=1], "
                + "zeroBelow=0.0]", d.toString());
    }

    @Test
    void floatAndArrayOverloadsQuantizeLikeTheDoubleOne() {
        // Hand values: 3 is a tie 2/4 (down), 0.3 -> 0.25, -0.1 -> -0.125, 100 -> clamped to 32.
        assertEquals(2f, DOWN.quantize(3f));
        assertEquals(-0.125f, DOWN.quantize(-0.1f));
        double[] in = {9, 3.0, 0.3, -0.1, 100.0, 9};
        double[] out = {7, 7, 7, 7, 7, 7, 7};
        DOWN.quantize(in, 1, out, 2, 4);
        assertArrayEquals(new double[] {7, 7, 2.0, 0.25, -0.125, 32.0, 7}, out, "offsets 1 -> 2, length 4");
        double[] same = {3.0, 0.3, -0.1};
        DOWN.quantize(same, same);
        assertArrayEquals(new double[] {2.0, 0.25, -0.125}, same, "in place");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DOWN.quantize(new double[3], new double[2]));
        assertEquals("Pow2Quantizer.quantize: in has length 3 but out has length 2", e.getMessage());
        // The static rounding with each tie rule: 3 = 1.5 * 2 and 1.5 * 2^-1030 (subnormal) are ties.
        assertEquals(4.0, Pow2Quantizer.nearestPowerOfTwo(3.0, Pow2Quantizer.Tie.UP));
        assertEquals(2.0, Pow2Quantizer.nearestPowerOfTwo(3.0, Pow2Quantizer.Tie.DOWN));
        assertEquals(-0x1p-1029, Pow2Quantizer.nearestPowerOfTwo(-1.5 * 0x1p-1030, Pow2Quantizer.Tie.UP));
    }

    @Test
    void exponentAndPowerOfTwoHelpersAtTheirEdges() {
        // floor(log2(3 * 2^-1074)) = -1073 and 2^-1030 (subnormal) has exponent -1030.
        assertEquals(-1073, Pow2Quantizer.exponentOf(3 * Double.MIN_VALUE));
        assertEquals(-1030, Pow2Quantizer.exponentOf(-0x1p-1030));
        assertEquals(-1023, Pow2Quantizer.exponentOf(Math.nextDown(Double.MIN_NORMAL)), "largest subnormal");
        assertEquals(1023, Pow2Quantizer.exponentOf(Double.MAX_VALUE));
        // powerOfTwo accepts exactly [-1074, 1023].
        assertEquals(Double.MIN_VALUE, Pow2Quantizer.powerOfTwo(-1074));
        assertEquals(0x1p1023, Pow2Quantizer.powerOfTwo(1023));
        assertEquals(Double.MIN_NORMAL, Pow2Quantizer.powerOfTwo(-1022));
        assertEquals(0x1p-1023, Pow2Quantizer.powerOfTwo(-1023));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pow2Quantizer.powerOfTwo(1024));
        assertEquals("Pow2Quantizer.powerOfTwo.p must be in [-1074, 1023], got 1024", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pow2Quantizer.powerOfTwo(-1075));
        assertEquals("Pow2Quantizer.powerOfTwo.p must be in [-1074, 1023], got -1075", e.getMessage());
        assertTrue(Pow2Quantizer.isPowerOfTwoOrZero(Double.MIN_NORMAL));
        assertFalse(Pow2Quantizer.isPowerOfTwoOrZero(Math.nextUp(Double.MIN_NORMAL)));
        assertFalse(Pow2Quantizer.isPowerOfTwoOrZero(Double.NEGATIVE_INFINITY));
    }

    @Test
    void exponentWindowAcceptsItsEdgesAndRefusesOneBeyond() {
        // ExponentWindow: pMin in [-1074, 1023], pMax in [pMin, 1023].
        assertEquals(-1074, new ExponentWindow(-1074, -1074).pMin());
        assertEquals(1023, new ExponentWindow(1023, 1023).pMax());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ExponentWindow(-1075, 0));
        assertEquals("ExponentWindow.pMin must be in [-1074, 1023], got -1075", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExponentWindow(1024, 1024));
        assertEquals("ExponentWindow.pMin must be in [-1074, 1023], got 1024", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExponentWindow(0, 1024));
        assertEquals("ExponentWindow.pMax must be in [pMin=0, 1023], got 1024", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pow2Quantizer.decomposition(0.0));
        assertEquals("Pow2Quantizer.maxCoeff must be finite and in [2^-1074, Double.MAX_VALUE], got 0.0",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pow2Quantizer.trainingProjection(-1e-300, 1));
        assertEquals("Pow2Quantizer.trainingProjection.theta must be finite and >= 0, got -1.0E-300", e.getMessage());
    }
}
