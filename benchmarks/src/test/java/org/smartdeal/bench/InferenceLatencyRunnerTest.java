package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link InferenceLatencyRunner} refuses bad arguments by name before it builds a network. Before the check,
 * {@code --rounds 0} ended in an ArrayIndexOutOfBoundsException (the median of no rounds), {@code --iters 0} printed
 * Infinity and NaN as the figures (each round's time divided by 0 calls), {@code --batches 0} reached ND4J
 * ("Invalid input: length 0") and an option without its value an ArrayIndexOutOfBoundsException. The expected
 * messages are those of {@link RunnerArgs}, which the other runners (DenseStepPairedRunner, TrainingStepSplitRunner)
 * give. No timing here: every case is refused before the first network is built.
 */
class InferenceLatencyRunnerTest {

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> InferenceLatencyRunner.main(args)).getMessage();
    }

    @Test
    void badCountsAreRefusedByName() {
        String m = refusal("lenet300", "--batches", "1", "--warmup", "0", "--rounds", "0");
        assertTrue(m.contains("--rounds must be a positive integer, got 0"), m);
        m = refusal("lenet300", "--batches", "1", "--rounds", "3", "--iters", "0");
        assertTrue(m.contains("--iters must be a positive integer, got 0"), m);
        m = refusal("lenet300", "--warmup", "-1");
        assertTrue(m.contains("--warmup must be an integer >= 0, got -1"), m);
        m = refusal("lenet300", "--batches", "1,0");
        assertTrue(m.contains("--batches must be a positive integer, got 0"), m);
        m = refusal("lenet300", "--batches", "1,x");
        assertTrue(m.contains("--batches must be a positive integer, got 'x'"), m);
    }

    @Test
    void missingValuesAndUnknownOptionsAreRefusedByName() {
        String m = refusal("lenet300", "--rounds");
        assertTrue(m.contains("--rounds needs a value"), m);
        m = refusal("lenet300", "--batches");
        assertTrue(m.contains("--batches needs a value"), m);
        m = refusal("lenet300", "--round", "3");
        assertTrue(m.contains("unknown option --round"), m);
    }

    @Test
    void batchSizesAreTheCommaSeparatedList() {
        assertArrayEquals(new int[] {1, 32}, InferenceLatencyRunner.batchSizes(new String[] {"--batches", "1,32"}, 1));
    }

    /**
     * The runner times any zoo model it is given: lenet300 is an MLP configured with {@code InputType.feedForward(784)}
     * (LeNet300), so its minibatch is [batch, 784], as Fashion-MNIST's iterator delivers it; before, the runner gave it
     * the image shape [1, 1, 28, 28] and DL4J refused it ("Input that is not a matrix; expected matrix (rank 2), got
     * rank 4"). The convolutional models keep the image shape (cnn's flat-input preprocessor takes images too).
     */
    @Test
    void theMlpGetsFlatInputAndRuns() {
        org.deeplearning4j.nn.api.Model lenet = org.smartdeal.zoo.models.ZooModel.LENET300.defaultConfiguration().init();
        assertArrayEquals(new long[] {2, 784}, InferenceLatencyRunner.inputShape(lenet,
                org.smartdeal.zoo.models.ZooModel.LENET300.defaultInputShape(), 2));
        org.deeplearning4j.nn.api.Model cnn = org.smartdeal.zoo.models.ZooModel.CNN.defaultConfiguration().init();
        assertArrayEquals(new long[] {2, 1, 28, 28}, InferenceLatencyRunner.inputShape(cnn,
                org.smartdeal.zoo.models.ZooModel.CNN.defaultInputShape(), 2));
        InferenceLatencyRunner.main(new String[] {"lenet300", "cnn", "--batches", "1", "--warmup", "0", "--rounds", "1",
            "--iters", "1"});
    }
}
