package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The POST_UPDATER step of the bucket switch at the bucket edges of ALGORITHMS.md 6.2: the largest and the
 * smallest power, the zero crossing (flush and revival), values beyond maxCoeff, in float64 and float32.
 * Each expected C is the rule of 6.2 applied by hand:
 * {@code C != 0: C * 2^(s*sign(C)), 0 if |C| < minCoeff; C == 0: s*minCoeff; then clamp to maxCoeff}.
 */
class BucketSwitchStepEdgesTest {

    private static final double MIN = 0x1p-7;

    /** Runs the step on a float64 parameter and returns the new C = C - update. */
    private static double[] apply(double minC, double maxC, double[] c, double[] s) {
        INDArray param = Nd4j.createFromArray(c);
        INDArray update = Nd4j.createFromArray(s);
        new BucketSwitchStep(minC, maxC).apply(param, update, 1.0, 0, 0);
        return param.sub(update).toDoubleVector();
    }

    @Test
    void nextAtTheLargestAndSmallestBuckets() {
        assertEquals(32.0, BucketSwitchStep.next(32, 1, MIN, 32), "maxCoeff pushed outward stays at maxCoeff");
        assertEquals(-32.0, BucketSwitchStep.next(-32, -1, MIN, 32), "-maxCoeff pushed outward stays at -maxCoeff");
        assertEquals(16.0, BucketSwitchStep.next(32, -1, MIN, 32), "maxCoeff pushed inward halves");
        assertEquals(32.0, BucketSwitchStep.next(16, 1, MIN, 32), "reaching maxCoeff exactly is allowed");
        assertEquals(32.0, BucketSwitchStep.next(64, -1, MIN, 32), "beyond maxCoeff, halved to 32: clamp leaves it");
        assertEquals(32.0, BucketSwitchStep.next(64, 1, MIN, 32), "beyond maxCoeff, doubled to 128: clamped to 32");
        assertEquals(MIN, BucketSwitchStep.next(2 * MIN, -1, MIN, 32), "halving onto minCoeff keeps it (not < minCoeff)");
        assertEquals(0.0, BucketSwitchStep.next(MIN, -1, MIN, 32), "minCoeff halves below minCoeff: flush to 0");
        assertEquals(0.0, BucketSwitchStep.next(-MIN, 1, MIN, 32), "-minCoeff pushed towards 0: flush to 0");
        assertEquals(-2 * MIN, BucketSwitchStep.next(-MIN, -1, MIN, 32), "-minCoeff pushed away: doubles");
    }

    @Test
    void nextRevivesAZeroWithTheStepsSignAndClampsIt() {
        assertEquals(MIN, BucketSwitchStep.next(0, 1, MIN, 32), "0 with s = +1: +minCoeff");
        assertEquals(-MIN, BucketSwitchStep.next(0, -1, MIN, 32), "0 with s = -1: -minCoeff");
        assertEquals(-0.5, BucketSwitchStep.next(0, -1, 0.5, 0.5), "minCoeff = maxCoeff: revives at that value");
        assertEquals(0.5, BucketSwitchStep.next(0.5, 1, 0.5, 0.5), "minCoeff = maxCoeff: doubling clamped back");
        assertEquals(0.0, BucketSwitchStep.next(0.5, -1, 0.5, 0.5), "minCoeff = maxCoeff: halving flushes");
    }

    @Test
    void float64StepLandsOnTheBucketsOfTheRule() {
        double[] c = {32, -32, 2 * MIN, MIN, -MIN, 0, 0, 0.5, 64};
        double[] s = {1, -1, -1, -1, 1, 1, -1, 0, -1};
        double[] expected = {32, -32, MIN, 0, 0, MIN, -MIN, 0.5, 32};
        assertArrayEquals(expected, apply(MIN, 32, c, s), 0.0, "C_new of 6.2 for every edge (s = 0 leaves C)");
    }

    @Test
    void float64ChunkWithoutDirectionsLeavesTheUpdateZero() {
        INDArray param = Nd4j.createFromArray(0.5, -0.25, 0.0);
        INDArray update = Nd4j.createFromArray(0.0, 0.0, 0.0);
        new BucketSwitchStep(MIN, 32).apply(param, update, 1.0, 0, 0);
        assertArrayEquals(new double[] {0, 0, 0}, update.toDoubleVector(), 0.0, "no switch: update 0");
    }

    @Test
    void float64RoutingErrorAndNaNAreReported() {
        INDArray param = Nd4j.createFromArray(0.5, 0.5, 0.5);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new BucketSwitchStep(MIN, 32).apply(param, Nd4j.createFromArray(0.0, 1.0, 0.5), 1.0, 0, 0));
        assertTrue(e.getMessage().contains("got 0.5 at index 2") && e.getMessage().contains("BucketSwitch updater"),
                e.getMessage());
        TrainingDivergedException nan = assertThrows(TrainingDivergedException.class,
                () -> new BucketSwitchStep(MIN, 32).apply(param, Nd4j.createFromArray(0.0, Double.NaN, 0.0), 1, 0, 0));
        assertTrue(nan.getMessage().contains("C entry 1"), nan.getMessage());
    }

    @Test
    void float32StepReusesItsBuffersOnlyForTheSameArrays() {
        // the step caches the direct buffers of the last (param, update) pair; new arrays must be picked up
        BucketSwitchStep step = new BucketSwitchStep(MIN, 32);
        INDArray p1 = Nd4j.createFromArray(0.5f);
        INDArray u1 = Nd4j.createFromArray(1f);
        step.apply(p1, u1, 1, 0, 0);
        assertEquals(-0.5f, u1.getFloat(0), "0.5 doubles to 1: update 0.5 - 1 = -0.5");
        INDArray p2 = Nd4j.createFromArray(4f);
        INDArray u2 = Nd4j.createFromArray(-1f);
        step.apply(p2, u2, 1, 0, 0);
        assertEquals(2f, u2.getFloat(0), "4 halves to 2: update 4 - 2 = 2, read from the new arrays");
        INDArray u3 = Nd4j.createFromArray(1f);
        step.apply(p2, u3, 1, 0, 0);
        assertEquals(-4f, u3.getFloat(0), "same param, new update array: 4 doubles to 8, update -4");
        INDArray p4 = Nd4j.createFromArray(0.25f);
        u3.assign(-1f);
        step.apply(p4, u3, 1, 0, 0);
        assertEquals(0.125f, u3.getFloat(0), "new param, same update array: 0.25 halves to 0.125");
    }

    @Test
    void domainPredicatesOfPow2() {
        // the domain of C in 6.2 is {0, +-2^p}; Pow2 decides it by the IEEE bits of a normal double
        assertTrue(Pow2.isPowerOfTwo(1.0) && Pow2.isPowerOfTwo(0x1p-10) && Pow2.isPowerOfTwo(0x1p20), "2^0, 2^-10, 2^20");
        assertTrue(Pow2.isPowerOfTwo(Double.MIN_NORMAL), "2^-1022, the smallest normal power");
        assertEquals(false, Pow2.isPowerOfTwo(Double.MIN_NORMAL / 2), "2^-1023 is subnormal: not a normal power");
        assertEquals(false, Pow2.isPowerOfTwo(Double.POSITIVE_INFINITY), "infinity has a zero mantissa but is no power");
        assertEquals(false, Pow2.isPowerOfTwo(0.0), "0 is not a power of two");
        assertEquals(false, Pow2.isPowerOfTwo(-2.0), "negative values are not (positive) powers");
        assertEquals(false, Pow2.isPowerOfTwo(3.0), "3 = 1.5 * 2^1");
        assertEquals(false, Pow2.isPowerOfTwo(Double.NaN), "NaN");
        assertTrue(Pow2.isZeroOrSignedPowerOfTwo(-0.0) && Pow2.isZeroOrSignedPowerOfTwo(-0.25), "-0 and -2^-2");
        assertEquals(false, Pow2.isZeroOrSignedPowerOfTwo(-0.3), "-0.3");
        IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
                () -> Pow2.project(Double.NEGATIVE_INFINITY, 4e-3));
        assertEquals("cannot project an infinite value", inf.getMessage(), "P is defined on finite values");
        assertEquals(-0.5, Pow2.project(-0.7, 4e-3), "P(-0.7): 0.7 < 0.75, nearest power 0.5, sign kept");
    }

    @Test
    void arraysThatCannotBeWalkedTogetherAreRefusedNamingThem() {
        // the step walks param and update entry by entry at offset() + i: both dense, same type and layout
        BucketSwitchStep step = new BucketSwitchStep(MIN, 32);
        INDArray stridedParam = Nd4j.create(DataType.FLOAT, 2, 2).getColumn(0);
        IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
                () -> step.apply(stridedParam, Nd4j.ones(DataType.FLOAT, 2), 1, 0, 0));
        assertTrue(strided.getMessage().startsWith("BucketSwitchStep parameter must be contiguous"), strided.getMessage());
        IllegalArgumentException stridedUpdate = assertThrows(IllegalArgumentException.class,
                () -> step.apply(Nd4j.ones(DataType.FLOAT, 2), Nd4j.create(DataType.FLOAT, 2, 2).getColumn(1), 1, 0, 0));
        assertTrue(stridedUpdate.getMessage().startsWith("BucketSwitchStep update must be contiguous"),
                stridedUpdate.getMessage());
        IllegalArgumentException types = assertThrows(IllegalArgumentException.class,
                () -> step.apply(Nd4j.ones(DataType.FLOAT, 2), Nd4j.ones(DataType.DOUBLE, 2), 1, 0, 0));
        assertEquals("BucketSwitchStep parameter and update must share a data type, got FLOAT and DOUBLE",
                types.getMessage());
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> step.apply(Nd4j.ones(DataType.FLOAT, 2), Nd4j.ones(DataType.FLOAT, 3), 1, 0, 0));
        assertTrue(lengths.getMessage().contains("must have the same layout"), lengths.getMessage());
    }

    @Test
    void regularizationContractAndValueSemantics() {
        BucketSwitchStep step = new BucketSwitchStep(MIN, 32);
        assertEquals(Regularization.ApplyStep.POST_UPDATER, step.applyStep(), "runs after the updater");
        assertEquals(0.0, step.score(Nd4j.ones(3), 0, 0), 0.0, "adds nothing to the score");
        assertEquals(step, step.clone(), "a clone is equal");
        assertEquals(step.hashCode(), new BucketSwitchStep(MIN, 32).hashCode(), "equal steps hash alike");
        assertNotEquals(step, new BucketSwitchStep(2 * MIN, 32), "minCoeff differs");
        assertNotEquals(step, new BucketSwitchStep(MIN, 16), "maxCoeff differs");
        assertNotEquals(step, (Object) "BucketSwitchStep", "another type");
        assertEquals("BucketSwitchStep(minCoeff=0.0078125, maxCoeff=32.0)", step.toString(), "names both settings");
        assertEquals(MIN, step.getMinCoeff(), "minCoeff");
        assertEquals(32.0, step.getMaxCoeff(), "maxCoeff");
    }
}
