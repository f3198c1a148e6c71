package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.recipes.RecipeListener;
import org.smartdeal.zoo.recipes.RecipeResult;
import org.smartdeal.zoo.recipes.SdTrainingRecipe;
import org.smartdeal.zoo.recipes.TrainingSettings;
import org.smartdeal.zoo.recipes.Variant;

/**
 * Parameter averaging replayed in one JVM ({@link ParameterAveragingEpochs}) against independent computations:
 * one worker is single-machine training to the last bit; two workers give the mean of two copies trained with
 * DL4J's own {@code clone()} on their minibatches, put back into SD form. Synthetic data (random pixels, labels 0
 * and 1), so no dataset is needed.
 */
class ParameterAveragingEpochsTest {

    /** n random images with labels alternating 0, 1. */
    private static FashionMnist random(int n, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * FashionMnist.PIXELS];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        return FashionMnist.of(px, labels);
    }

    /** Fine-tuning on 64 random images (a target half of 32: 4 minibatches of 8), SD-T with switches forced. */
    private static TrainingSettings settings() {
        return TrainingSettings.builder(TaskSplits.Task.FINETUNE, Variant.SD, ZooModel.LENET300).epochs(3).swaStart(2)
                .pretrainEpochs(1).batchSize(8).lr(0.01).thetaG(1e-4).thetaC(1).build();
    }

    @Test
    void oneWorkerIsSingleMachineTrainingExactlyAndTwoAreNot(@TempDir Path dir) throws Exception {
        TaskSplits.TaskData data = TaskSplits.split(TaskSplits.Task.FINETUNE, random(64, 1), random(8, 2), 3);
        TrainingSettings s = settings();
        MultiLayerNetwork pretrained = SdTrainingRecipe.pretrain(s, data.source(), RecipeListener.NONE);
        RecipeResult local = SdTrainingRecipe.run(s, data, pretrained, dir, RecipeListener.NONE, (f, c) -> { },
                SdTrainingRecipe.EpochTrainer.LOCAL);
        ParameterAveragingEpochs one = new ParameterAveragingEpochs(1, 3);
        RecipeResult averaged1 = SdTrainingRecipe.run(s, data, pretrained, dir, RecipeListener.NONE, (f, c) -> { }, one);
        assertArrayEquals(bits(local.network().params()), bits(averaged1.network().params()), "one worker = one machine");
        assertEquals(local.fileAccuracy(), averaged1.fileAccuracy(), 0);
        // 4 minibatches per epoch in splits of 3: 2 averagings per epoch, 3 epochs; a mean of one changes nothing
        assertEquals(6, one.splits());
        assertEquals(0, one.coefficientsRestored());
        assertEquals(0, one.countersRestored());
        assertTrue(local.epochs().stream().mapToLong(RecipeListener.EpochResult::switched).sum() > 0,
                "the bucket switch moved C (else the comparison would prove little)");

        ParameterAveragingEpochs two = new ParameterAveragingEpochs(2, 1);
        RecipeResult averaged2 = SdTrainingRecipe.run(s, data, pretrained, dir, RecipeListener.NONE, (f, c) -> { }, two);
        assertFalse(Arrays.equals(bits(local.network().params()), bits(averaged2.network().params())));
        assertEquals(6, two.splits(), "4 minibatches in splits of 2 x 1, 3 epochs");
        SdTraining.Restoration again = SdTraining.restoreInvariants(averaged2.network());
        assertEquals(new SdTraining.Restoration(0, 0), again, "the trained network is in SD form");
    }

    /**
     * Two workers averaging every 2 minibatches over an epoch of 5, checked against DL4J's clone(), which copies
     * parameters and updater state: split 1 gives each worker 2 minibatches from the master, split 2 has one
     * worker left with the fifth minibatch and starts from split 1's averaged updater state (so the state must
     * reach the workers, and the last mean is over one network, not two). After each split the master is the
     * restored mean.
     */
    @Test
    void eachSplitIsTheRestoredMeanOfItsWorkersNetworks() {
        MultiLayerNetwork dense = ((ZooConfiguration.Sequential) ZooModel.LENET300.configuration(InputShape.MNIST, 10, 5))
                .init();
        MultiLayerNetwork master = (MultiLayerNetwork) SdConverter.convert(dense, ConversionPlan.defaultPlan().withTheta(0.02))
                .network();
        SdTraining.configure(master, BucketSwitch.builder(0.1).thetaG(1e-4).thetaC(1).theta(0.02).build(),
                SdUpdaterRouting.sgdMomentum(0.1), 5e-4);
        InMemoryDataSetIterator it = random(40, 7).iterator(8, false, 0);
        List<DataSet> b = new ArrayList<>();
        while (it.hasNext()) {
            b.add(it.next());
        }
        assertEquals(5, b.size());
        // split 1: workers on (b0, b1) and (b2, b3)
        MultiLayerNetwork w1 = master.clone();
        MultiLayerNetwork w2 = master.clone();
        w1.fit(b.get(0));
        w1.fit(b.get(1));
        w2.fit(b.get(2));
        w2.fit(b.get(3));
        MultiLayerNetwork expected = master.clone();
        expected.setParameters(w1.params().add(w2.params()).divi(2));
        expected.getUpdater().setStateViewArray(null,
                w1.getUpdater().getStateViewArray().add(w2.getUpdater().getStateViewArray()).divi(2), false);
        SdTraining.Restoration r1 = SdTraining.restoreInvariants(expected);
        // split 2: one worker on b4, from split 1's result
        MultiLayerNetwork w3 = expected.clone();
        w3.fit(b.get(4));
        expected.setParameters(w3.params().dup());
        expected.getUpdater().setStateViewArray(null, w3.getUpdater().getStateViewArray().dup(), false);
        SdTraining.Restoration r2 = SdTraining.restoreInvariants(expected);

        ParameterAveragingEpochs pa = new ParameterAveragingEpochs(2, 2);
        pa.fitEpoch(master, it, RecipeListener.NONE);
        assertArrayEquals(bits(expected.params()), bits(master.params()));
        assertArrayEquals(bits(expected.getUpdater().getStateViewArray()), bits(master.getUpdater().getStateViewArray()));
        assertEquals(2, pa.splits());
        assertEquals(r1.coefficientsChanged() + r2.coefficientsChanged(), pa.coefficientsRestored());
        assertEquals(r1.countersChanged() + r2.countersChanged(), pa.countersRestored());
        assertTrue(r1.coefficientsChanged() + r1.countersChanged() > 0, "the two-worker mean left SD form and was restored");
    }

    /** The exact values (INDArray.equals allows a tolerance). */
    private static double[] bits(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleVector();
    }

    @Test
    void badSettingsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ParameterAveragingEpochs(0, 5));
        assertEquals("ParameterAveragingEpochs.workers must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ParameterAveragingEpochs(2, 0));
        assertEquals("ParameterAveragingEpochs.frequency must be at least 1, got 0", e.getMessage());
        // the runner checks them before reading any data
        e = assertThrows(IllegalArgumentException.class,
                () -> SdTrainingRunner.main(new String[] {"--averaging-frequency", "10"}));
        assertEquals("--averaging-frequency needs --workers K: without workers every epoch runs on one machine and "
                + "nothing is averaged", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SdTrainingRunner.main(new String[] {"--workers", "0"}));
        assertEquals("ParameterAveragingEpochs.workers must be at least 1, got 0", e.getMessage());
    }
}
