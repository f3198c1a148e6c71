package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The bucket-switch rule of ALGORITHMS.md 6.2 on hand-made gradients, run exactly as DL4J's
 * UpdaterBlock does: updater, then POST_UPDATER step, then {@code param -= update}.
 *
 * <p>Unless a test says otherwise: lr = 1 and mu = 0, so v = g and d = -g; thetaG = 5e-3 (default);
 * minCoeff = 2^-7 (default, from theta 4e-3); maxCoeff = 32; no weight decay (that is DL4J's L2 term,
 * tested in the network tests).
 */
class BucketSwitchRuleTest {

    private static final float MIN = 0x1p-7f; // 0.0078125

    /** Updater + step + subtraction over a float32 parameter vector, as DL4J runs them. */
    private static final class Harness {
        final BucketSwitch config;
        final BucketSwitchUpdater updater;
        final BucketSwitchStep step;
        final INDArray param;
        final INDArray state;
        final int n;

        Harness(BucketSwitch config, float... c) {
            this.config = config;
            this.n = c.length;
            this.param = Nd4j.createFromArray(c);
            this.state = Nd4j.create(DataType.FLOAT, config.stateSize(n));
            this.updater = (BucketSwitchUpdater) config.instantiate(state, true);
            this.step = (BucketSwitchStep) config.regularization().get(config.regularization().size() - 1);
        }

        /** One iteration; returns the update that was subtracted. */
        float[] step(int epoch, float... g) {
            INDArray grad = Nd4j.createFromArray(g);
            updater.applyUpdater(grad, 0, epoch);
            step.apply(param, grad, config.getLearningRate(0, epoch), 0, epoch);
            float[] update = grad.toFloatVector();
            param.subi(grad);
            return update;
        }

        float[] c() {
            return param.toFloatVector();
        }

        float v(int i) {
            return state.getFloat(1 + i);
        }

        float counter(int i) {
            return state.getFloat(1 + n + i);
        }
    }

    private static BucketSwitch.Builder quick() {
        return BucketSwitch.builder(1.0).momentum(0).weightDecay(0).thetaC(1);
    }

    @Test
    void positiveValueDoublesOnPositiveStepAndHalvesOnNegativeStep() {
        Harness h = new Harness(quick().build(), 0.5f, 0.5f);
        // g = -1 -> d = +1 -> s = +1, C > 0 -> 0.5*2 = 1; g = +1 -> d = -1 -> s = -1 -> 0.5/2 = 0.25
        float[] update = h.step(0, -1f, 1f);
        assertArrayEquals(new float[] {1.0f, 0.25f}, h.c());
        assertArrayEquals(new float[] {-0.5f, 0.25f}, update); // C - C_new
    }

    @Test
    void negativeValueHalvesOnPositiveStepAndDoublesOnNegativeStep() {
        Harness h = new Harness(quick().build(), -0.5f, -0.5f);
        // s = +1 points towards 0 for C < 0: |C| halves to -0.25; s = -1 points away: -1
        h.step(0, -1f, 1f);
        assertArrayEquals(new float[] {-0.25f, -1.0f}, h.c());
    }

    @Test
    void zeroRevivesWithTheSignOfTheStep() {
        Harness h = new Harness(quick().build(), 0f, 0f);
        h.step(0, -1f, 1f);
        assertArrayEquals(new float[] {MIN, -MIN}, h.c());
    }

    @Test
    void valueBelowMinCoeffFlushesToZero() {
        Harness h = new Harness(quick().build(), MIN, -MIN, 2 * MIN);
        // 2^-7 halves to 2^-8 < minCoeff -> 0 (both signs); 2^-6 halves to 2^-7 = minCoeff, kept
        h.step(0, 1f, -1f, 1f);
        assertArrayEquals(new float[] {0f, 0f, MIN}, h.c());
    }

    @Test
    void magnitudeClampsAtMaxCoeff() {
        Harness h = new Harness(quick().maxCoeff(32).build(), 32f, -32f, 16f);
        // 32 -> 64 clamped to 32 (update 0); -32 -> -64 clamped to -32; 16 -> 32 allowed
        float[] update = h.step(0, -1f, 1f, -1f);
        assertArrayEquals(new float[] {32f, -32f, 32f}, h.c());
        assertArrayEquals(new float[] {0f, 0f, -16f}, update);
    }

    @Test
    void deadZoneIgnoresStepsUpToThetaG() {
        // lr = 0.01, g = 0.5: |d| = 0.005 = thetaG exactly (0.01*0.5 is exact in double) -> no count.
        // The next float above 0.5 gives |d| > thetaG -> counts, and with thetaC = 1 switches.
        Harness h = new Harness(BucketSwitch.builder(0.01).momentum(0).weightDecay(0).thetaC(1).build(), 1f, 1f);
        h.step(0, 0.5f, Math.nextUp(0.5f));
        assertArrayEquals(new float[] {1f, 0.5f}, h.c());
        assertEquals(0f, h.counter(0));
    }

    @Test
    void counterAccumulatesWithCancellationUntilThetaC() {
        Harness h = new Harness(quick().thetaC(3).build(), 0.25f);
        // g: -, -, +, -, -  -> d: +, +, -, +, +  -> counter 1, 2, 1, 2, 3 -> switch on the 5th step
        float[] expectedCounter = {1f, 2f, 1f, 2f, 0f};
        float[] g = {-1f, -1f, 1f, -1f, -1f};
        for (int k = 0; k < 5; k++) {
            h.step(0, g[k]);
            assertEquals(expectedCounter[k], h.counter(0), "counter after step " + (k + 1));
            assertEquals(k < 4 ? 0.25f : 0.5f, h.c()[0], "C after step " + (k + 1));
        }
    }

    @Test
    void negativeCounterSwitchesDown() {
        Harness h = new Harness(quick().thetaC(2).build(), 0.25f);
        h.step(0, 1f);
        assertEquals(-1f, h.counter(0));
        h.step(0, 1f); // counter -2 -> s = -1 -> 0.125
        assertEquals(0.125f, h.c()[0]);
        assertEquals(0f, h.counter(0));
    }

    @Test
    void countersResetAtEveryEpochStartButMomentumDoesNot() {
        Harness h = new Harness(BucketSwitch.builder(1.0).momentum(0.5).weightDecay(0).thetaC(3).build(), 1f);
        h.step(0, -1f); // v = -1, counter 1
        h.step(0, 0f);  // v = -0.5, counter 2
        assertEquals(2f, h.counter(0));
        h.step(1, 0f);  // new epoch: counter reset to 0, then v = -0.25 (|d| = 0.25 > thetaG) -> counter 1
        assertEquals(1f, h.counter(0));
        assertEquals(-0.25f, h.v(0));
        assertEquals(1f, h.c()[0]); // without the reset the counter would have hit 3 and doubled C
        assertEquals(1f, h.state.getFloat(0)); // last epoch is kept in the state
    }

    @Test
    void momentumBufferAccumulatesGradientPlusHistory() {
        Harness h = new Harness(BucketSwitch.builder(0.1).momentum(0.9).weightDecay(0).build(), 1f);
        h.step(0, 1f);   // v = 1
        h.step(0, 0.5f); // v = 0.9*1 + 0.5 = 1.4 (rounded to float once)
        assertEquals((float) 1.4, h.v(0));
    }

    @Test
    void updateIsBitExactInFloat32ForAllBuckets() {
        // every exponent from minCoeff to maxCoeff, both signs, both directions
        for (int p = -7; p <= 5; p++) {
            for (float sign : new float[] {1f, -1f}) {
                for (float g : new float[] {1f, -1f}) {
                    float c = sign * Math.scalb(1f, p);
                    Harness h = new Harness(quick().build(), c);
                    h.step(0, g);
                    float expected = (float) BucketSwitchStep.next(c, -g, MIN, 32);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(h.c()[0]),
                            "C=" + c + " g=" + g);
                }
            }
        }
    }

    @Test
    void doublePrecisionFollowsTheSameRule() {
        BucketSwitch cfg = quick().build();
        INDArray param = Nd4j.createFromArray(0.5, -0.5, 0.0, 0x1p-7);
        INDArray state = Nd4j.create(DataType.DOUBLE, cfg.stateSize(4));
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(state, true);
        INDArray grad = Nd4j.createFromArray(-1.0, -1.0, 1.0, 1.0);
        u.applyUpdater(grad, 0, 0);
        cfg.regularization().get(0).apply(param, grad, 1.0, 0, 0);
        param.subi(grad);
        assertArrayEquals(new double[] {1.0, -0.25, -0x1p-7, 0.0}, param.toDoubleVector());
    }

    @Test
    void maskInStateKeepsMaskedOutEntriesFixed() {
        BucketSwitch cfg = quick().maskInState(true).build();
        Harness h = new Harness(cfg, 0f, 0f, 0.5f);
        assertEquals(3 * 3 + 1, cfg.stateSize(3));
        h.state.put(new int[] {1 + 2 * 3}, Nd4j.scalar(1f)); // entry 0 masked out
        h.step(0, -1f, -1f, -1f);
        assertArrayEquals(new float[] {0f, MIN, 1f}, h.c());
        assertEquals(0f, h.v(0)); // masked-out entries keep no momentum
    }

    @Test
    void randomStepsKeepCInTheDomainAndZeroOutsideTheMask() {
        Random rnd = new Random(42);
        int n = 200;
        float[] c = new float[n];
        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            mask[i] = rnd.nextInt(3) != 0;
            c[i] = mask[i] ? (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1f, rnd.nextInt(10) - 7) : 0f; // 2^-7 .. 2^2
        }
        Harness h = new Harness(BucketSwitch.builder(0.5).thetaC(2).maxCoeff(4).build(), c);
        int changes = 0;
        for (int it = 0; it < 500; it++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                // SD layer contract: the gradient of C is exactly 0 outside the mask
                g[i] = mask[i] ? (float) rnd.nextGaussian() : 0f;
            }
            float[] before = h.c();
            h.step(it / 100, g);
            float[] after = h.c();
            for (int i = 0; i < n; i++) {
                if (before[i] != after[i]) {
                    changes++;
                }
                assertTrue(Pow2.isZeroOrSignedPowerOfTwo(after[i]), "entry " + i + " = " + after[i]);
                assertTrue(after[i] == 0f || Math.abs(after[i]) >= MIN && Math.abs(after[i]) <= 4f);
                if (!mask[i]) {
                    assertEquals(0f, after[i], "masked-out entry " + i);
                }
            }
        }
        assertTrue(changes > 1000, "the random walk must actually switch buckets, got " + changes);
    }

    @Test
    void stepRejectsAnUpdateThatIsNotADirection() {
        BucketSwitchStep step = new BucketSwitchStep(MIN, 32);
        INDArray p = Nd4j.createFromArray(1f);
        INDArray u = Nd4j.createFromArray(0.3f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> step.apply(p, u, 1, 0, 0));
        assertTrue(e.getMessage().contains("0.3"));
    }

    @Test
    void worksOnAViewWithAnOffset() {
        BucketSwitch cfg = quick().build();
        INDArray flatParams = Nd4j.createFromArray(9f, 0.5f, 0.5f, 9f);
        INDArray flatGrad = Nd4j.createFromArray(7f, -1f, 1f, 7f);
        INDArray param = flatParams.get(NDArrayIndex.interval(1, 3));
        INDArray grad = flatGrad.get(NDArrayIndex.interval(1, 3));
        INDArray stateAll = Nd4j.create(DataType.FLOAT, 2 + cfg.stateSize(2));
        INDArray state = stateAll.get(NDArrayIndex.interval(2, 2 + cfg.stateSize(2)));
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(state, true);
        u.applyUpdater(grad, 0, 0);
        cfg.regularization().get(0).apply(param, grad, 1.0, 0, 0);
        param.subi(grad);
        assertArrayEquals(new float[] {9f, 1f, 0.25f, 9f}, flatParams.toFloatVector());
        assertArrayEquals(new float[] {7f, 7f}, new float[] {flatGrad.getFloat(0), flatGrad.getFloat(3)});
        assertEquals(0f, stateAll.getFloat(0)); // outside the view: untouched
    }

    @Test
    void minCoeffDerivesFromTheta() {
        assertEquals(0x1p-7, BucketSwitch.minCoeffFor(4e-3)); // 2^-8 = 0.0039 < 0.004 <= 2^-7
        assertEquals(0x1p-10, BucketSwitch.minCoeffFor(1e-6)); // floor of the range
        assertEquals(0x1p-8, BucketSwitch.minCoeffFor(0x1p-8)); // exact power: itself
        assertEquals(1.0, BucketSwitch.minCoeffFor(0.6));
        assertThrows(IllegalArgumentException.class, () -> BucketSwitch.minCoeffFor(1.5));
    }

    @Test
    void configurationRejectsOutOfRangeValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitch.builder(0.1).thetaC(0).build());
        assertTrue(e.getMessage().contains("thetaC") && e.getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> BucketSwitch.builder(0.1).maxCoeff(3).build());
        assertThrows(IllegalArgumentException.class, () -> BucketSwitch.builder(-1).build());
        assertThrows(IllegalArgumentException.class, () -> BucketSwitch.builder(0.1).momentum(1).build());
    }
}
