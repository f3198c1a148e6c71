package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The settings of the bucket switch (ALGORITHMS.md 6.2) at the edges of their ranges: each is accepted at
 * its boundary value and refused just beyond it, with a message naming the field, the rule and the value.
 * The ranges are the ones the constructors document: momentum mu in [0, 1), weight decay and theta_g
 * finite and >= 0, theta_c in [1, 2^20], minCoeff a power of two in [2^-10, 1] (6.2: "the smallest 2^i,
 * i in [-10, 0]"), maxCoeff a power of two in [minCoeff, 2^20], lr finite and > 0.
 */
class BucketSwitchConfigTest {

    private static BucketSwitch.Builder base() {
        return BucketSwitch.builder(0.1);
    }

    private static void assertRefused(Supplier<?> build, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message must contain '" + f + "': " + e.getMessage());
        }
    }

    @Test
    void momentumIsAcceptedFromZeroToJustBelowOne() {
        assertEquals(0.0, base().momentum(0).build().getMomentum(), "mu = 0 is the lower end of [0, 1)");
        assertEquals(Math.nextDown(1.0), base().momentum(Math.nextDown(1.0)).build().getMomentum(),
                "the largest double below 1 is inside [0, 1)");
        assertRefused(() -> base().momentum(-1e-9).build(), "BucketSwitch.momentum", "[0, 1)", "-1.0E-9");
        assertRefused(() -> base().momentum(1.0).build(), "BucketSwitch.momentum", "[0, 1)", "got 1.0");
    }

    @Test
    void weightDecayAndThetaGAreAcceptedAtZeroAndRefusedBelowOrInfinite() {
        assertEquals(0.0, base().weightDecay(0).build().getWeightDecay(), "wd = 0 is allowed (>= 0)");
        assertRefused(() -> base().weightDecay(-1e-9).build(), "BucketSwitch.weightDecay", ">= 0", "-1.0E-9");
        assertRefused(() -> base().weightDecay(Double.POSITIVE_INFINITY).build(), "weightDecay", "finite", "Infinity");
        assertEquals(0.0, base().thetaG(0).build().getThetaG(), "thetaG = 0 (no dead zone) is allowed");
        assertRefused(() -> base().thetaG(-1e-9).build(), "BucketSwitch.thetaG", ">= 0", "-1.0E-9");
        assertRefused(() -> base().thetaG(Double.POSITIVE_INFINITY).build(), "BucketSwitch.thetaG", "finite", "Infinity");
    }

    @Test
    void thetaCIsAcceptedFromOneTo2To20() {
        assertEquals(1, base().thetaC(1).build().getThetaC(), "theta_c = 1: switch on every counted step");
        assertEquals(1 << 20, base().thetaC(1 << 20).build().getThetaC(), "upper end 2^20 = 1048576");
        assertRefused(() -> base().thetaC(0).build(), "BucketSwitch.thetaC", "[1, 1048576]", "got 0");
        assertRefused(() -> base().thetaC((1 << 20) + 1).build(), "BucketSwitch.thetaC", "[1, 1048576]", "got 1048577");
    }

    @Test
    void minCoeffIsAPowerOfTwoFrom2ToMinus10ToOne() {
        assertEquals(0x1p-10, base().minCoeff(0x1p-10).build().getMinCoeff(), "2^-10, lower end of i in [-10, 0]");
        assertEquals(1.0, base().minCoeff(1.0).build().getMinCoeff(), "2^0, upper end of i in [-10, 0]");
        assertRefused(() -> base().minCoeff(0x1p-11).build(), "BucketSwitch.minCoeff", "[2^-10, 1]", "4.8828125E-4");
        assertRefused(() -> base().minCoeff(2.0).build(), "BucketSwitch.minCoeff", "[2^-10, 1]", "got 2.0");
        assertRefused(() -> base().minCoeff(0.375).build(), "BucketSwitch.minCoeff", "power of two", "got 0.375");
    }

    @Test
    void maxCoeffIsAPowerOfTwoFromMinCoeffTo2To20() {
        assertEquals(0.25, base().minCoeff(0.25).maxCoeff(0.25).build().getMaxCoeff(), "maxCoeff = minCoeff allowed");
        assertEquals(0x1p20, base().maxCoeff(0x1p20).build().getMaxCoeff(), "upper end 2^20");
        assertRefused(() -> base().minCoeff(0.25).maxCoeff(0.125).build(), "BucketSwitch.maxCoeff", "minCoeff=0.25",
                "got 0.125");
        assertRefused(() -> base().maxCoeff(0x1p21).build(), "BucketSwitch.maxCoeff", "2^20]", "got 2097152.0");
    }

    @Test
    void learningRateMustBePositiveUnlessAScheduleReplacesIt() {
        assertEquals(Double.MIN_VALUE, BucketSwitch.builder(Double.MIN_VALUE).build().getLearningRate(),
                "the smallest positive double is > 0");
        assertRefused(() -> BucketSwitch.builder(0).build(), "BucketSwitch.learningRate", "> 0", "got 0.0");
        assertRefused(() -> BucketSwitch.builder(Double.POSITIVE_INFINITY).build(), "learningRate", "finite",
                "Infinity");
        SwaLrSchedule schedule = new SwaLrSchedule(0.1, 0.005, 40);
        BucketSwitch withSchedule = BucketSwitch.builder(0).learningRateSchedule(schedule).build();
        // the schedule replaces lr: ALGORITHMS.md 6.3 at epoch 0 (t = 0 <= 0.5) gives factor 1, lr 0.1
        assertEquals(0.1, withSchedule.getLearningRate(0, 0), "a schedule's value, not the fixed lr 0");
        assertEquals(0.005, withSchedule.getLearningRate(0, 80), 1e-15, "t = 2 > 0.9: swaLr");
        BucketSwitch fixed = base().build();
        assertRefused(() -> {
            fixed.setLrAndSchedule(-0.5, null);
            return fixed;
        }, "BucketSwitch.learningRate", "got -0.5");
        fixed.setLrAndSchedule(0, schedule);
        assertEquals(0.1, fixed.getLearningRate(3, 0), "set schedule takes precedence over lr 0");
        fixed.setLrAndSchedule(0.25, null);
        assertEquals(0.25, fixed.getLearningRate(3, 0), "fixed lr once the schedule is removed");
    }

    @Test
    void minCoeffForAcceptsThetaInZeroExclusiveToOneInclusive() {
        // smallest 2^i, i in [-10, 0], with 2^i >= theta (ALGORITHMS.md 6.2)
        assertEquals(1.0, BucketSwitch.minCoeffFor(1.0), "theta = 1: 2^0 = 1 >= 1");
        assertEquals(1.0, BucketSwitch.minCoeffFor(Math.nextUp(0.5)), "just above 2^-1: the next power 2^0");
        assertEquals(0x1p-10, BucketSwitch.minCoeffFor(0x1p-10), "theta = 2^-10 exactly: itself");
        assertEquals(0x1p-9, BucketSwitch.minCoeffFor(Math.nextUp(0x1p-10)), "just above 2^-10: 2^-9");
        assertEquals(0x1p-10, BucketSwitch.minCoeffFor(Double.MIN_VALUE), "below 2^-10: the floor 2^-10");
        assertEquals(0x1p-6, base().theta(0.01).build().getMinCoeff(), "Builder.theta(0.01): 2^-7 < 0.01 <= 2^-6");
        assertEquals(0x1p-7, base().build().getMinCoeff(), "default theta 4e-3: 2^-8 < 0.004 <= 2^-7");
        assertRefused(() -> BucketSwitch.minCoeffFor(0.0), "theta", "(0, 1]", "got 0.0");
        assertRefused(() -> BucketSwitch.minCoeffFor(Math.nextUp(1.0)), "theta", "(0, 1]", "1.0000000000000002");
    }

    @Test
    void withThetaChangesOnlyMinCoeff() {
        SwaLrSchedule schedule = new SwaLrSchedule(0.2, 0.01, 10);
        BucketSwitch a = BucketSwitch.builder(0.3).learningRateSchedule(schedule).momentum(0.5).weightDecay(1e-3)
                .thetaG(1e-3).thetaC(4).minCoeff(0x1p-3).maxCoeff(8).maskInState(true).build();
        BucketSwitch b = a.withTheta(0.01); // 2^-7 = 0.0078 < 0.01 <= 2^-6 = 0.015625
        assertEquals(0x1p-6, b.getMinCoeff(), "minCoeffFor(0.01)");
        BucketSwitch expected = BucketSwitch.builder(0.3).learningRateSchedule(schedule).momentum(0.5)
                .weightDecay(1e-3).thetaG(1e-3).thetaC(4).minCoeff(0x1p-6).maxCoeff(8).maskInState(true).build();
        assertEquals(expected, b, "every other setting kept");
        assertEquals(expected.hashCode(), b.hashCode(), "equal configurations hash alike");
        assertEquals("BucketSwitch(lr=0.3, schedule=SwaLrSchedule(lr=0.2, swaLr=0.01, swaStart=10), momentum=0.5, "
                + "weightDecay=0.001, thetaG=0.001, thetaC=4, minCoeff=0.015625, maxCoeff=8.0, maskInState=true)",
                b.toString(), "every setting printed");
        assertEquals(0.5, b.getMomentum(), "momentum kept");
        assertEquals(1e-3, b.getWeightDecay(), "weight decay kept");
        assertEquals(1e-3, b.getThetaG(), "thetaG kept");
        assertEquals(4, b.getThetaC(), "thetaC kept");
        assertEquals(8.0, b.getMaxCoeff(), "maxCoeff kept");
        assertEquals(0.3, b.getLearningRate(), "fixed lr kept (the schedule takes precedence)");
        assertEquals(schedule, b.getLearningRateSchedule(), "the schedule is kept (as an equal copy)");
        assertTrue(b.isMaskInState(), "maskInState kept");
        assertNull(base().build().withTheta(0.01).getLearningRateSchedule(), "no schedule stays no schedule");
        assertNull(base().build().clone().getLearningRateSchedule(), "a clone without schedule");
        assertEquals(a, a.clone(), "a clone equals its original");
        assertNotEquals(a, b, "minCoeff differs");
    }

    @Test
    void equalsTellsEverySettingApart() {
        BucketSwitch a = base().build();
        List<BucketSwitch> others = List.of(BucketSwitch.builder(0.2).build(),
                base().learningRateSchedule(new SwaLrSchedule(0.1, 0.01, 10)).build(), base().momentum(0.5).build(),
                base().weightDecay(0).build(), base().thetaG(1e-3).build(), base().thetaC(3).build(),
                base().minCoeff(0x1p-3).build(), base().maxCoeff(1).build(), base().maskInState(true).build());
        for (BucketSwitch o : others) {
            assertNotEquals(a, o, "differs from the default: " + o);
        }
        assertNotEquals(a, new Object(), "not equal to another type");
        assertTrue(a.equals(a), "equals is reflexive (the same instance)");
        assertEquals(base().build(), a, "equal settings are equal");
    }

    @Test
    void stateSizeAndRegularizationFollowTheDocumentedLayout() {
        // [lastEpoch, v[N], counter[N]] (+ maskedOut[N] with maskInState)
        assertEquals(2 * 10 + 1, base().build().stateSize(10), "1 + 2N");
        assertEquals(3 * 10 + 1, base().maskInState(true).build().stateSize(10), "1 + 3N");
        List<Regularization> withWd = base().weightDecay(5e-4).minCoeff(0x1p-5).maxCoeff(4).build().regularization();
        assertEquals(2, withWd.size(), "BEFORE_UPDATER L2 then the step");
        assertEquals(new L2Regularization(5e-4), withWd.get(0), "g + wd*C with wd = 5e-4");
        assertEquals(new BucketSwitchStep(0x1p-5, 4), withWd.get(1), "the step carries minCoeff and maxCoeff");
        List<Regularization> noWd = base().weightDecay(0).build().regularization();
        assertEquals(1, noWd.size(), "weight decay 0: only the step");
        assertTrue(noWd.get(0) instanceof BucketSwitchStep, "the step");
        assertTrue(base().build().hasLearningRate(), "the switch has a learning rate");
    }

    @Test
    void stepConstructorValidatesLikeTheSwitch() {
        assertEquals(0x1p-10, new BucketSwitchStep(0x1p-10, 0x1p-10).getMinCoeff(), "lower ends accepted");
        assertEquals(0x1p20, new BucketSwitchStep(1.0, 0x1p20).getMaxCoeff(), "upper ends accepted");
        assertRefused(() -> new BucketSwitchStep(0x1p-11, 1), "BucketSwitchStep.minCoeff", "[2^-10, 1]", "4.8828125E-4");
        assertRefused(() -> new BucketSwitchStep(2.0, 4), "BucketSwitchStep.minCoeff", "got 2.0");
        assertRefused(() -> new BucketSwitchStep(0.5, 0.25), "BucketSwitchStep.maxCoeff", "minCoeff=0.5", "got 0.25");
        assertRefused(() -> new BucketSwitchStep(0.5, 0x1p21), "BucketSwitchStep.maxCoeff", "2^20]", "got 2097152.0");
        assertRefused(() -> new BucketSwitchStep(0.5, 3), "BucketSwitchStep.maxCoeff", "power of two", "got 3.0");
    }
}
