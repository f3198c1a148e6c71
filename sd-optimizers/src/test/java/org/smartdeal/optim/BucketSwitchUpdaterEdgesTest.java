package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * The runtime of the bucket switch (ALGORITHMS.md 6.2) at its edges: the counter threshold at exactly
 * theta_c, the dead zone at exactly theta_g, the epoch reset and the mask, in float64 (the float32 kernel
 * is covered by {@link BucketSwitchRuleTest} and {@link BucketSwitchParallelTest}); the state layout
 * [lastEpoch, v[N], counter[N], (maskedOut[N])] of {@link BucketSwitch}; the errors of a wrongly wired
 * updater; and {@link BucketSwitchUpdater#truncateCounters}. Expected values are hand calculations of the
 * rule with lr = 1 and mu = 0 (so v = g and d = -g) unless a test says otherwise.
 */
class BucketSwitchUpdaterEdgesTest {

    private static BucketSwitch.Builder quick() {
        return BucketSwitch.builder(1.0).momentum(0).weightDecay(0);
    }

    /** Updater then step then {@code param -= update} on float64 arrays, as DL4J's UpdaterBlock runs them. */
    private static final class DoubleHarness {
        final BucketSwitch cfg;
        final BucketSwitchUpdater updater;
        final BucketSwitchStep step;
        final INDArray param;
        final INDArray state;
        final int n;

        DoubleHarness(BucketSwitch cfg, double... c) {
            this.cfg = cfg;
            this.n = c.length;
            this.param = Nd4j.createFromArray(c);
            this.state = Nd4j.create(DataType.DOUBLE, cfg.stateSize(n));
            this.updater = (BucketSwitchUpdater) cfg.instantiate(state, true);
            this.step = (BucketSwitchStep) cfg.regularization().get(cfg.regularization().size() - 1);
        }

        double[] step(int epoch, double... g) {
            INDArray grad = Nd4j.createFromArray(g);
            updater.applyUpdater(grad, 0, epoch);
            double[] directions = grad.toDoubleVector();
            step.apply(param, grad, cfg.getLearningRate(0, epoch), 0, epoch);
            param.subi(grad);
            return directions;
        }

        double counter(int i) {
            return state.getDouble(1 + n + i);
        }
    }

    @Test
    void float64CounterSwitchesAtExactlyThetaCAndNotOneBefore() {
        // theta_c = 3, d = +1 every step: counter 1, 2 (no switch, |2| < 3), 3 -> |3| >= 3: switch, counter 0
        DoubleHarness h = new DoubleHarness(quick().thetaC(3).build(), 0.25, -0.25);
        double[] s1 = h.step(0, -1, 1);
        double[] s2 = h.step(0, -1, 1);
        assertArrayEquals(new double[] {0, 0}, s2, "no direction while |counter| = 2 < theta_c = 3");
        assertArrayEquals(new double[] {0, 0}, s1, "no direction while |counter| = 1");
        assertEquals(2.0, h.counter(0), "counter +2 after two positive steps");
        assertEquals(-2.0, h.counter(1), "counter -2 after two negative steps");
        assertArrayEquals(new double[] {0.25, -0.25}, h.param.toDoubleVector(), "C unchanged before the switch");
        double[] s3 = h.step(0, -1, 1);
        assertArrayEquals(new double[] {1, -1}, s3, "direction sign(counter) at |counter| = theta_c");
        // 0.25 with s = +1 doubles to 0.5; -0.25 with s = -1 points away from 0: doubles to -0.5
        assertArrayEquals(new double[] {0.5, -0.5}, h.param.toDoubleVector(), "one bucket further out");
        assertEquals(0.0, h.counter(0), "counter reset after the switch");
        assertEquals(0.0, h.counter(1), "counter reset after the switch");
    }

    @Test
    void float64DeadZoneIgnoresExactlyThetaGAndCountsTheNextDoubleAbove() {
        // thetaG = 0.25 (exact), lr = 1, mu = 0: |d| = 0.25 = thetaG is in the dead zone ("|d| <= theta_g"),
        // the next double above is not; theta_c = 1 so a counted step switches at once
        DoubleHarness h = new DoubleHarness(quick().thetaG(0.25).thetaC(1).build(), 1, 1, 1, 1);
        double up = Math.nextUp(0.25);
        double[] s = h.step(0, 0.25, -0.25, up, -up);
        assertArrayEquals(new double[] {0, 0, -1, 1}, s, "d = -g: only |d| > 0.25 counts, with the sign of d");
        assertArrayEquals(new double[] {1, 1, 0.5, 2}, h.param.toDoubleVector(), "C halves for s=-1, doubles for s=+1");
    }

    /**
     * A NaN gradient is divergence in float64 as in float32: its direction is NaN, which the step reports,
     * instead of a switch with the NaN's sign bit (the float64 loop compared bit patterns, where a NaN's exceed
     * theta_g's: C kept switching on a NaN network with no error). The other entries switch as usual.
     */
    @Test
    void aNaNGradientIsReportedAsDivergenceInFloat64AndFloat32() {
        DoubleHarness h = new DoubleHarness(quick().thetaC(1).build(), 0.5, 0.5, 0.5);
        INDArray grad = Nd4j.createFromArray(-1.0, Double.NaN, -Double.NaN);
        h.updater.applyUpdater(grad, 0, 0);
        assertEquals(1.0, grad.getDouble(0), "a finite entry switches");
        assertTrue(Double.isNaN(grad.getDouble(1)) && Double.isNaN(grad.getDouble(2)), grad.toString());
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> h.step.apply(h.param, grad, 1, 0, 0));
        assertTrue(e.getMessage().contains("a NaN gradient reached the bucket switch (C entry 1"), e.getMessage());

        BucketSwitch cfg = quick().thetaC(1).build();
        INDArray state = Nd4j.create(DataType.FLOAT, cfg.stateSize(3));
        GradientUpdater<?> f = cfg.instantiate(state, true);
        INDArray g32 = Nd4j.createFromArray(-1f, Float.NaN, -Float.NaN);
        f.applyUpdater(g32, 0, 0);
        assertEquals(1f, g32.getFloat(0));
        assertTrue(Float.isNaN(g32.getFloat(1)) && Float.isNaN(g32.getFloat(2)), g32.toString());
    }

    @Test
    void float64ZeroDeadZoneCountsTheSmallestStep() {
        // thetaG = 0: any d != 0 counts; d = 0 does not ("|d| <= 0")
        DoubleHarness h = new DoubleHarness(quick().thetaG(0).thetaC(1).build(), 0.5, 0.5, 0.5);
        double[] s = h.step(0, -Double.MIN_VALUE, Double.MIN_VALUE, 0.0);
        assertArrayEquals(new double[] {1, -1, 0}, s, "subnormal steps count, a zero step does not");
    }

    @Test
    void float32DeadZoneBelow2ToMinus77IsExactToo() {
        // thetaG = 2^-80 (the kernel for thetaG < 2^-77), lr 1, mu 0, theta_c 1, so d = -g and a counted step
        // switches at once. |d| = thetaG stays in the dead zone, the next float above counts, |d| = 2^-81 does not.
        BucketSwitch cfg = quick().thetaG(0x1p-80).thetaC(1).build();
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(Nd4j.create(DataType.FLOAT, cfg.stateSize(6)), true);
        float t = 0x1p-80f;
        float up = Math.nextUp(t);
        INDArray g = Nd4j.createFromArray(-t, t, -up, up, 0x1p-81f, -0x1p-81f);
        u.applyUpdater(g, 0, 0);
        assertArrayEquals(new float[] {0f, 0f, 1f, -1f, 0f, 0f}, g.toFloatVector(), 0f,
                "direction sign(d) only where |d| > 2^-80");
    }

    @Test
    void float64CountersResetAtANewEpochButNotWithinOne() {
        // theta_c = 2: one positive step in epoch 0 (counter 1), one in epoch 1: the reset makes it 1 again, no switch
        DoubleHarness h = new DoubleHarness(quick().thetaC(2).build(), 0.5);
        h.step(0, -1);
        assertEquals(1.0, h.counter(0), "counter 1 in epoch 0");
        assertEquals(0.0, h.state.getDouble(0), "the state remembers epoch 0");
        h.step(1, -1);
        assertEquals(1.0, h.counter(0), "reset at the start of epoch 1, then +1");
        assertEquals(0.5, h.param.getDouble(0), "no switch: the counter never reached 2 within an epoch");
        assertEquals(1.0, h.state.getDouble(0), "the state remembers epoch 1");
        h.step(1, -1);
        assertEquals(1.0, h.param.getDouble(0), "second step of epoch 1: counter 2 = theta_c, 0.5 doubles");
    }

    @Test
    void float64MaskInStateFreezesMaskedOutEntries() {
        // entry 0 masked out: no momentum, no count, C stays; entry 1 inside: a zero revives at +minCoeff
        DoubleHarness h = new DoubleHarness(quick().thetaC(1).maskInState(true).build(), 0.0, 0.0);
        h.state.putScalar(1 + 2 * 2, 1.0); // maskedOut[0] = 1
        h.step(0, -1, -1);
        assertArrayEquals(new double[] {0.0, 0x1p-7}, h.param.toDoubleVector(), "masked-out zero never revives");
        assertEquals(0.0, h.state.getDouble(1), "masked-out entry keeps v = 0");
        assertEquals(0.0, h.counter(0), "masked-out entry never counts");
        assertEquals(1.0, h.state.getDouble(1 + 2 * 2), "the mask flag itself is not changed");
    }

    @Test
    void float64MomentumAndLearningRateEnterTheStep() {
        // lr 0.5, mu 0.5, thetaG 0.3, theta_c 1: step 1 g = -1: v = -1, d = 0.5 > 0.3 -> +1 ;
        // step 2 g = 0.3: v = -0.5 + 0.3 = -0.2, d = 0.1 <= 0.3 -> 0
        DoubleHarness h = new DoubleHarness(BucketSwitch.builder(0.5).momentum(0.5).weightDecay(0).thetaG(0.3).thetaC(1)
                .build(), 0.25);
        assertArrayEquals(new double[] {1}, h.step(0, -1), "d = -0.5 * -1 = 0.5 is outside the dead zone");
        assertArrayEquals(new double[] {0}, h.step(0, 0.3), "v = 0.5*(-1) + 0.3 = -0.2, d = 0.1: dead zone");
        assertEquals(-0.2, h.state.getDouble(1), 1e-15, "v = mu*v + g");
        assertEquals(0.5, h.param.getDouble(0), "one switch: 0.25 -> 0.5");
    }

    @Test
    void wiringErrorsNameWhatIsWrong() {
        BucketSwitch cfg = quick().build();
        IllegalStateException noState = assertThrows(IllegalStateException.class,
                () -> new BucketSwitchUpdater(cfg).applyUpdater(Nd4j.ones(DataType.FLOAT, 2), 0, 0));
        assertEquals("BucketSwitch updater state was not set", noState.getMessage(), "applyUpdater before a state");
        // 3 entries need 1 + 2*3 = 7 state entries: 6 are refused, 7 accepted
        BucketSwitchUpdater shortState = (BucketSwitchUpdater) cfg.instantiate(Nd4j.create(DataType.FLOAT, 6), true);
        IllegalStateException tooShort = assertThrows(IllegalStateException.class,
                () -> shortState.applyUpdater(Nd4j.ones(DataType.FLOAT, 3), 0, 0));
        assertEquals("BucketSwitch state has length 6 but a gradient of 3 entries needs 7", tooShort.getMessage());
        BucketSwitchUpdater exact = (BucketSwitchUpdater) cfg.instantiate(Nd4j.create(DataType.FLOAT, 7), true);
        INDArray g = Nd4j.createFromArray(-1f, 1f, 0f);
        exact.applyUpdater(g, 0, 0);
        assertArrayEquals(new float[] {0f, 0f, 0f}, g.toFloatVector(), "theta_c 7: one step switches nothing");
        BucketSwitchUpdater doubleState = (BucketSwitchUpdater) cfg.instantiate(Nd4j.create(DataType.DOUBLE, 7), true);
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> doubleState.applyUpdater(Nd4j.ones(DataType.FLOAT, 3), 0, 0));
        assertEquals("BucketSwitch gradient data type FLOAT differs from its state's DOUBLE", type.getMessage());
    }

    @Test
    void stridedOrIntegerArraysAreRefusedNamingTheArray() {
        // the kernels walk offset() + i: a view with element-wise stride 2 would be read wrongly, so it is refused
        BucketSwitch cfg = quick().build();
        IllegalArgumentException intState = assertThrows(IllegalArgumentException.class,
                () -> cfg.instantiate(Nd4j.create(DataType.INT32, 5), true));
        assertEquals("BucketSwitch updater state must be FLOAT or DOUBLE, got INT", intState.getMessage());
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(Nd4j.create(DataType.FLOAT, 5), true);
        INDArray columnOfC = Nd4j.create(DataType.FLOAT, 2, 2).getColumn(0); // stride 2
        IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
                () -> u.applyUpdater(columnOfC, 0, 0));
        assertTrue(strided.getMessage().startsWith("BucketSwitch gradient must be contiguous"), strided.getMessage());
    }

    @Test
    void stateMapRoundTripsUnderItsKey() {
        BucketSwitch cfg = quick().thetaC(1).build();
        INDArray state = Nd4j.create(DataType.FLOAT, cfg.stateSize(2));
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(Map.of(BucketSwitchUpdater.STATE_KEY, state), true);
        assertSame(cfg, u.getConfig(), "the runtime keeps its configuration");
        assertSame(state, u.getState().get(BucketSwitchUpdater.STATE_KEY), "the state array under its key");
        assertSame(state, u.getStateViewArray(), "the same array as the view");
        assertEquals(-1f, state.getFloat(0), "initialised: 'no epoch seen yet'");
        INDArray g = Nd4j.createFromArray(-1f, 1f);
        u.applyUpdater(g, 0, 0);
        assertArrayEquals(new float[] {1f, -1f}, g.toFloatVector(), "the map-built updater runs the rule");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> u.setState(Map.of("other", state), false));
        assertTrue(e.getMessage().contains("'" + BucketSwitchUpdater.STATE_KEY + "'") && e.getMessage().contains("other"),
                e.getMessage());
    }

    @Test
    void setStateWithoutInitialisationKeepsTheSavedState() {
        // a restored state: epoch 4, v = 0.5, counter 6 (theta_c 7): one more positive step switches
        BucketSwitch cfg = quick().build();
        INDArray saved = Nd4j.createFromArray(4f, 0.5f, 6f);
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(saved, false);
        assertArrayEquals(new float[] {4f, 0.5f, 6f}, saved.toFloatVector(), "not overwritten");
        INDArray g = Nd4j.createFromArray(-1f);
        u.applyUpdater(g, 0, 4);
        assertArrayEquals(new float[] {1f}, g.toFloatVector(), "counter 6 + 1 = 7 = theta_c in the same epoch");
    }

    @Test
    void truncateCountersRoundsTowardZeroAndTouchesNothingElse() {
        // layout with mask: [epoch, v0, v1, v2, c0, c1, c2, m0, m1, m2]
        BucketSwitch cfg = quick().maskInState(true).build();
        INDArray state = Nd4j.createFromArray(3.0, 0.5, -0.5, 1.5, 2.5, -1.5, 4.0, 1.0, 0.0, 1.0);
        BucketSwitchUpdater u = (BucketSwitchUpdater) cfg.instantiate(state, false);
        assertEquals(2L, u.truncateCounters(), "2.5 and -1.5 change, 4 is already an integer");
        assertArrayEquals(new double[] {3.0, 0.5, -0.5, 1.5, 2.0, -1.0, 4.0, 1.0, 0.0, 1.0}, state.toDoubleVector(),
                "2.5 -> 2, -1.5 -> -1 (toward zero); epoch, v and mask untouched");
        assertEquals(0L, u.truncateCounters(), "integers stay");
        // without mask: [epoch, v0, v1, c0, c1]
        INDArray plain = Nd4j.createFromArray(0f, 2.5f, -2.5f, -0.75f, 0.75f);
        BucketSwitchUpdater p = (BucketSwitchUpdater) quick().build().instantiate(plain, false);
        assertEquals(2L, p.truncateCounters(), "both counters fractional");
        assertArrayEquals(new float[] {0f, 2.5f, -2.5f, 0f, 0f}, plain.toFloatVector(), 0f, "-0.75 -> (-)0, 0.75 -> 0; v kept");
    }
}
