package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.smartdeal.layers.SdDenseLayer;

/**
 * {@link DenseStepPairedRunner}: it times the JMH benchmark's two networks, its figures are consistent with each
 * other, and bad arguments are refused by name. No timing is asserted.
 */
class DenseStepPairedRunnerTest {

    @Test
    void theNetworksAreTheBenchmarksAndTheFiguresAreConsistent() {
        MultiLayerNetwork sd = SdLayerStepBenchmarkDense.network("16x4", "sd");
        assertTrue(sd.getLayer(0).conf().getLayer() instanceof SdDenseLayer);
        // DL4J's 16x4 dense layer: 16 x 4 weights + 4 biases
        assertEquals(68, SdLayerStepBenchmarkDense.network("16x4", "dl4j").numParams());
        DenseStepPairedRunner.Result r = DenseStepPairedRunner.run("16x4", 1, 3, 2, 1000);
        assertTrue(r.dl4jMs() > 0 && r.sdMs() > 0, r.csv());
        assertEquals(r.sdMs() / r.dl4jMs(), r.ratio(), 1e-12);
        assertTrue(r.pairedQ1() <= r.pairedMedian() && r.pairedMedian() <= r.pairedQ3(), r.csv());
        assertEquals(DenseStepPairedRunner.HEADER.split(",").length, r.csv().split(",").length);
        assertEquals(2, r.steps());
        // calibrating: at least one warmup pair runs even with warmup 0, and some step count comes out
        assertTrue(DenseStepPairedRunner.run("16x4", 0, 1, 0, 20).steps() >= 1);
    }

    /** Each recorded round runs both networks once, the first alternating: DL4J, SD; SD, DL4J; DL4J, SD. */
    @Test
    void theRoundsAlternateWhichNetworkRunsFirst() {
        assertArrayEquals(new int[] {0, 1}, DenseStepPairedRunner.order(0));
        assertArrayEquals(new int[] {1, 0}, DenseStepPairedRunner.order(1));
        assertArrayEquals(new int[] {0, 1}, DenseStepPairedRunner.order(30));
    }

    @Test
    void calibrationScalesTheWarmupRateToTheRoundLength() {
        // 300 steps in 0.6 s: 2 ms per step, so a 1,000 ms round holds 500 steps
        assertEquals(500, DenseStepPairedRunner.calibratedSteps(300, 600_000_000L, 1000));
        // one step slower than the round: still 1
        assertEquals(1, DenseStepPairedRunner.calibratedSteps(1, 5_000_000_000L, 1000));
        // a long round at a fast rate does not overflow: 1 ns per step for 3,000,000 ms
        assertEquals(Integer.MAX_VALUE, DenseStepPairedRunner.calibratedSteps(1000, 1000L, 3_000_000));
    }

    @Test
    void badArgumentsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DenseStepPairedRunner.main(new String[] {"--rounds", "0"}));
        assertTrue(e.getMessage().contains("--rounds must be a positive integer, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseStepPairedRunner.main(new String[] {"512by10"}));
        assertTrue(e.getMessage().contains("got 512by10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseStepPairedRunner.main(new String[] {"--steps"}));
        assertTrue(e.getMessage().contains("--steps needs a value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseStepPairedRunner.main(new String[] {"--warmups"}));
        assertTrue(e.getMessage().contains("unknown option --warmups"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SdLayerStepBenchmarkDense.network("4x0", "sd"));
        assertThrows(IllegalArgumentException.class, () -> SdLayerStepBenchmarkDense.network("4x2", "tf"));
    }
}
