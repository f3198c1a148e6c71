package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.smartdeal.zoo.models.ZooModel;

/**
 * The split of {@link TrainingStepSplitRunner} covers the whole step, and the parameter counts its RESULTS section
 * quotes follow from the layout of ALGORITHMS.md 2 (hand calculation below). No timing is asserted.
 */
class TrainingStepSplitRunnerTest {

    @Test
    void splitCoversTheStepAndBothHalvesTakeTime() {
        MultiLayerNetwork sd = SdTrainingStepBenchmark.network(ZooModel.LENET300, "sd");
        TrainingStepSplitRunner.Split s = TrainingStepSplitRunner.time(sd, 3);
        assertTrue(s.gradientMs() > 0 && s.updateMs() > 0, "both halves measured: " + s);
        assertEquals(s.fitMs(), s.gradientMs() + s.updateMs(), 1e-9, "the halves sum to the step");
        assertEquals(0, sd.getListeners().size(), "the runner removes its listener");
    }

    /**
     * lenet300 is 784-300-100-10 (266,610 parameters). In SD form with n = 3 and 192-row slices, a unit of fc1 has
     * ceil(784 / 3) = 262 rows, cut into 2 slices of 192 (the second padded): C and M are [600, 192, 3] = 345,600
     * entries each; fc2 [100, 100, 3] = 30,000; fc3 ceil(100 / 3) = 34 rows, [10, 34, 3] = 1,020. B is [K, 3, 3] for
     * K = 600, 100, 10 slices (6,390) and the biases are 410: 2 x 376,620 + 6,390 + 410 = 760,040, 2.85x the dense
     * count, which DL4J's per-step passes over the flattened parameters and gradients all cover.
     */
    @Test
    void sdLenet300HasTheParameterCountOfItsSliceLayout() {
        assertEquals(266_610, SdTrainingStepBenchmark.network(ZooModel.LENET300, "va").numParams());
        assertEquals(760_040, SdTrainingStepBenchmark.network(ZooModel.LENET300, "sd").numParams());
    }

    @Test
    void medianIsComponentWise() {
        TrainingStepSplitRunner.Split m = TrainingStepSplitRunner.median(List.of(
                new TrainingStepSplitRunner.Split(5, 4, 1), new TrainingStepSplitRunner.Split(9, 3, 6),
                new TrainingStepSplitRunner.Split(7, 5, 2)));
        assertEquals(new TrainingStepSplitRunner.Split(7, 4, 2), m);
        assertThrows(IllegalArgumentException.class, () -> TrainingStepSplitRunner.main(new String[] {"--steps", "0"}));
    }
}
