package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;

/**
 * Two ways a run goes wrong through what the user gave, each reported as bad input (exit 3) with a message and no
 * stack trace: a learning rate at which training diverges (the loss or a gradient turns NaN), and a model file whose
 * parameters are not finite, which every command that loads a dense model refuses before any work (convert's case
 * is in {@link ConvertInspectEvaluateTest}).
 */
class DivergenceAndNonFiniteTest {

    @TempDir
    static Path dir;

    /** LeNet-300-100 with one NaN bias (as a diverged run leaves it), in a DL4J zip. */
    private static Path nan;

    @BeforeAll
    static void writeNanModel() throws IOException {
        MultiLayerNetwork net = LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init();
        net.getLayer(1).getParam("b").putScalar(3, Float.NaN);
        nan = dir.resolve("nan.zip");
        ModelSerializer.writeModel(net, nan.toFile(), false);
    }

    private static void requireData() {
        Path d = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(d),
                "Fashion-MNIST not installed in " + d + " (apt-get install dataset-fashion-mnist): skipping training run");
    }

    @Test
    void evaluateEnergyAndDemoRefuseNonFiniteParametersBeforeAnyWork() {
        String layer = ": parameter b of layer fc2 holds NaN or infinite values; only a network with finite parameters "
                + "can be ";
        // no data folder: the check comes before the data is read
        String noData = dir.resolve("no-data").toString();
        CliRun.of("evaluate", nan.toString(), "--data-dir", noData).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                nan + layer + "evaluated");
        Path energyOut = dir.resolve("energy");
        CliRun.of("energy", nan.toString(), "--out", energyOut.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, nan + layer + "priced");
        Path demoOut = dir.resolve("demo");
        CliRun.of("demo", "--quick", "--dense", nan.toString(), "--out", demoOut.toString(), "--data-dir", noData,
                "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT, "--dense " + nan + layer + "converted");
        assertEquals(Map.of(), CliRun.files(energyOut));
        assertEquals(Map.of(), CliRun.files(demoOut));
    }

    @Test
    void aReTrainingRateThatDivergesIsBadInputNamingTheOption() {
        requireData();
        Path out = dir.resolve("demo-rt");
        // the rate as the user's other option values are echoed (Numbers.plain): 1000000, not Java's 1000000.0
        CliRun.of("demo", "--quick", "--rt-epochs", "1", "--rt-lr", "1e6", "--out", out.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "RT epoch 1 of 1 diverged: mean training loss ",
                        "--rt-lr 1000000 is too large for this network");
        assertEquals(Map.of(), CliRun.files(out), "nothing written");
    }

    @Test
    void aTransferTrainingRateThatDivergesIsBadInputNamingTheOptions() {
        requireData();
        Path out = dir.resolve("train");
        CliRun r = CliRun.of("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--epochs", "1",
                "--swa-start", "1", "--pretrain-epochs", "1", "--limit", "2000", "--lr", "10", "--swa-lr", "10",
                "--out", out.toString(), "--quiet");
        // SGD at 10 on B and b: either an epoch's mean loss or, first, a gradient reaching the bucket switch is NaN
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, "training epoch 1 of 1 diverged", "(--lr 10, --swa-lr 10)");
        assertEquals(Map.of(), CliRun.files(out), "nothing written");
    }

    /**
     * A rate at which the loss runs away but stays finite (va at SGD 10: a mean loss of about 5e31, which ended at
     * chance accuracy with exit 0 before) is a divergence too: the epoch's mean loss is over 10^4 times the loss of the
     * first target minibatch before training.
     */
    @Test
    void aFiniteRunawayLossIsADivergenceToo() {
        requireData();
        Path out = dir.resolve("train-va");
        CliRun r = CliRun.of("train", "--task", "finetune", "--variant", "va", "--arch", "lenet300", "--epochs", "1",
                "--swa-start", "1", "--pretrain-epochs", "1", "--limit", "2000", "--lr", "10", "--swa-lr", "10",
                "--out", out.toString(), "--quiet");
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, "training epoch 1 of 1 diverged: mean training loss ",
                ", over 10^4 times the loss before training (", "(--lr 10, --swa-lr 10)");
        assertEquals(Map.of(), CliRun.files(out), "nothing written");
    }

    @Test
    void aNaNGradientAtTheBucketSwitchNamesTheEpochAndTheParameter() {
        requireData();
        Path out = dir.resolve("train-switch");
        // at lr 1 a gradient turns NaN mid-epoch before any epoch ends with a NaN mean loss (measured: in epoch 3, in
        // fc1's C, at another entry with one ND4J thread than with the test JVM's, as ND4J sums in another order)
        CliRun r = CliRun.of("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--lr", "1",
                "--epochs", "3", "--pretrain-epochs", "1", "--limit", "3000", "--out", out.toString(), "--quiet");
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, " of 3 diverged in layer fc", ", parameter C: a NaN gradient "
                + "reached the bucket switch (C entry ", "(--lr 1, --swa-lr 0.2)");
        assertTrue(r.err().matches("(?s)error: training epoch [1-3] of 3 diverged in layer fc[1-3], .*"), r.err());
        assertEquals(Map.of(), CliRun.files(out), "nothing written");
    }
}
