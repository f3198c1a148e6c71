package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SwaLrSchedule;
import org.smartdeal.optim.TrainingDivergedException;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.ZooModel;

/**
 * {@link SdTrainingRecipe#run} on blank synthetic images (LeNet-300-100, batch 8, one pre-training epoch, a second
 * or so a run): the log lines and result fields of the stages that the other recipe tests do not read (an SS run
 * without a hold-out, an adaptation VA run), the epoch trainer's contract (called once an epoch; a NaN, a runaway
 * or a NaN gradient at the bucket switch ends the run naming the epoch), the argument checks, and the small types
 * ({@link Variant}, {@link RecipeListener}'s default epoch line, {@link RecipeResult}'s checks). Cases no earlier
 * test checked, written from the class Javadoc (a mutation-testing run meant to list them did not finish;
 * docs/RESULTS.md 8). A later PIT run's survivors added the epoch's mean against DL4J's own minibatch scores, the
 * switched count against a count made in the trainer, the phases' announced steps over two epochs, the times, the
 * iteration and epoch counts, the runaway reference, a NaN pre-training epoch, the settings and data lines, an
 * adaptation run's SWA mean of two epochs, and a trainer's own divergence without a NaN update.
 */
class SdTrainingRecipeEdgesTest {

    /** Fine-tuning data: 40 blank training images labelled 0, 1, 0, 1, ... and 4 blank test images. */
    private static TaskSplits.TaskData finetune() {
        return SdTrainingRecipeTest.blankFinetuneData();
    }

    /** Adaptation data: 60 blank training images labelled 0..9 in turn (30 of classes 0-4, 30 of 5-9), 10 test. */
    private static TaskSplits.TaskData adapt() {
        int[] labels = new int[60];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        int[] test = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        return TaskSplits.split(Task.ADAPT, FashionMnist.of(new float[60 * FashionMnist.PIXELS], labels),
                FashionMnist.of(new float[10 * FashionMnist.PIXELS], test), 1);
    }

    /** A listener that keeps the log lines (the epochs reach them through the default {@code epoch}). */
    private static class Lines implements RecipeListener {
        final List<String> lines = new ArrayList<>();

        @Override
        public void log(String line) {
            lines.add(line);
        }

        boolean has(String prefix) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }

        String first(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() ->
                    new AssertionError("no line starts with '" + prefix + "' in\n" + String.join("\n", lines)));
        }
    }

    /**
     * A listener that also keeps the epochs it is told of and checks each phase: as many steps taken as announced
     * when it ends, and every phase started ended.
     */
    private static final class Recorder extends Lines {
        final List<RecipeListener.EpochResult> epochs = new ArrayList<>();
        final List<String> phases = new ArrayList<>();
        final List<Long> announced = new ArrayList<>();
        long taken;
        int ended;

        @Override
        public void phaseStarted(String phase, long totalSteps) {
            assertEquals(phases.size(), ended, "a phase starts after the previous one ended");
            phases.add(phase);
            announced.add(totalSteps);
            taken = 0;
        }

        @Override
        public void step() {
            taken++;
        }

        @Override
        public void phaseEnded() {
            assertEquals(announced.get(announced.size() - 1), taken, phases.get(phases.size() - 1));
            ended++;
        }

        @Override
        public void epoch(RecipeListener.EpochResult epoch) {
            epochs.add(epoch);
            super.epoch(epoch);
        }
    }

    /**
     * SS fine-tuning without a hold-out, 2 epochs with SWA from epoch 2: the trainer runs once an epoch; the log has
     * the pre-trained and decomposed accuracies on the test set (there is no validation set), the structured ratio,
     * the shared bucket switch (minCoeff 2^-7 = 0.0078125 for theta 7e-3, the smallest 2^i &gt;= theta), the
     * epochs through the listener's default epoch(), SWA over "1 epoch", and the final line with the result's own
     * figures; the epochs' learning rates are the SWA schedule's; the model file is written under its name.
     */
    @Test
    void anSsRunLogsEachStageAndReturnsItsFigures(@TempDir Path dir) throws java.io.IOException {
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300).epochs(2)
                .swaStart(2).pretrainEpochs(2).batchSize(8).build();
        int[] calls = {0};
        Recorder log = new Recorder();
        // DL4J's own score of each minibatch, and the entries of C each epoch changed, counted here
        List<Double> scores = new ArrayList<>();
        double[] means = new double[2];
        long[] switched = new long[2];
        TrainingListener scoresOf = new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                scores.add(model.score());
            }
        };
        TaskSplits.TaskData data = finetune();
        long t0 = System.nanoTime();
        RecipeResult r = SdTrainingRecipe.run(s, data, null, dir, log, (file, content) -> {
            Files.createDirectories(dir);
            Files.write(file, content);
        }, (net, batches, listener) -> {
            int e = calls[0]++;
            if (e == 0) {
                net.addListeners(scoresOf);
            }
            scores.clear();
            List<INDArray> before = new ArrayList<>();
            for (ParamRef c : SdTraining.coefficientParams(net)) {
                before.add(net.getLayer(c.layerName()).getParam(c.paramKey()).dup());
            }
            means[e] = SdTrainingRecipe.EpochTrainer.LOCAL.fitEpoch(net, batches, listener);
            // on blank images no entry of C switches; the trainer negates e + 1 non-zero entries itself (still signed
            // powers of two), so that the recipe's count of changed entries has something to count
            ParamRef first = SdTraining.coefficientParams(net).iterator().next();
            INDArray coeff = net.getLayer(first.layerName()).getParam(first.paramKey());
            int flipped = 0;
            for (long k = 0; k < coeff.length() && flipped <= e; k++) {
                double v = coeff.getDouble(k);
                if (v != 0) {
                    coeff.putScalar(k, -v);
                    flipped++;
                }
            }
            assertEquals(3, scores.size(), "20 target examples in minibatches of 8");
            assertEquals(scores.stream().mapToDouble(Double::doubleValue).sum() / 3, means[e], 1e-12,
                    "the mean of DL4J's minibatch scores");
            int i = 0;
            for (ParamRef c : SdTraining.coefficientParams(net)) {
                switched[e] += net.getLayer(c.layerName()).getParam(c.paramKey()).neq(before.get(i++))
                        .castTo(DataType.INT32).sumNumber().longValue();
            }
            return means[e];
        });
        double around = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, calls[0], "one call an epoch");
        assertEquals(List.of(s.describe(), data.describe()), log.lines.subList(0, 2), "the settings and data first");
        // 20 source and 20 target examples in minibatches of 8: 3 steps an epoch, 2 epochs each
        assertEquals(List.of("pre-training", "scoring (test)", "scoring (test)", "training", "scoring (test)",
                "scoring the reloaded file (test)"), log.phases);
        assertEquals(List.of(6L, 1L, 1L, 6L, 1L, 1L), log.announced);
        assertEquals(log.phases.size(), log.ended, "every phase ended");
        assertTrue(log.has("pre-training epoch 1/2: "), String.join("\n", log.lines));
        assertTrue(log.has("pre-training epoch 2/2: "), String.join("\n", log.lines));
        String pre = log.first("pre-trained dense lenet300: test accuracy ");
        assertEquals(String.format(Locale.ROOT, "pre-trained dense lenet300: test accuracy %.4f", r.pretrainAccuracy()),
                pre);
        String decomposed = log.first("decomposed (theta 0.00700000, structured ratio 0.300000): paper CR ");
        assertTrue(decomposed.endsWith(String.format(Locale.ROOT, "x, test accuracy %.4f", r.decomposedAccuracy())),
                decomposed);
        assertTrue(log.lines.contains("bucket switch: minCoeff 0.0078125 for every SD layer (largest theta 0.00700000)"),
                String.join("\n", log.lines));
        assertTrue(log.first("training epoch 1/2: ").contains(" C entr"), "an SD epoch counts switched entries");
        assertTrue(log.has("training epoch 2/2: "));
        assertTrue(log.lines.contains("SWA: the weights of 1 epoch averaged (from epoch 2)"), String.join("\n", log.lines));
        Path file = dir.resolve("lenet300-finetune-ss.sdm");
        assertEquals(file, r.modelFile());
        assertEquals(Files.size(file), r.modelBytes());
        String last = log.lines.get(log.lines.size() - 1);
        assertTrue(last.startsWith(String.format(Locale.ROOT, "lenet300 finetune ss: test accuracy %.4f (reloaded file "
                + "%.4f), trainable state %d bytes, lenet300-finetune-ss.sdm %d bytes, ", r.accuracy(), r.fileAccuracy(),
                r.trainableStateBytes(), r.modelBytes())), last);

        SwaLrSchedule schedule = new SwaLrSchedule(s.lr(), s.swaLr(), s.swaStart());
        assertEquals(2, r.epochs().size());
        for (int e = 0; e < 2; e++) {
            RecipeListener.EpochResult er = r.epochs().get(e);
            assertEquals("training", er.phase());
            assertEquals(e + 1, er.epoch());
            assertEquals(2, er.epochs());
            assertEquals(schedule.valueAt(0, e), er.lr(), 0);
            assertTrue(er.sdForm());
        }
        for (int e = 0; e < 2; e++) {
            assertEquals(means[e], r.epochs().get(e).meanLoss(), 0, "the trainer's mean");
            assertTrue(switched[e] >= e + 1, "at least the entries the trainer negated: " + switched[e]);
            assertEquals(switched[e], r.epochs().get(e).switched(), "C entries changed in epoch " + (e + 1));
        }
        // the run's time holds every epoch's, and lies within the call
        assertTrue(r.seconds() >= 0 && r.seconds() <= around, r.seconds() + " s of " + around);
        assertEquals(4, log.epochs.size(), "2 pre-training and 2 training epochs");
        for (RecipeListener.EpochResult e : log.epochs) {
            assertTrue(e.seconds() >= 0 && e.seconds() <= r.seconds(), e.line());
        }
        MultiLayerNetwork net = (MultiLayerNetwork) r.network();
        assertEquals(2, net.getEpochCount(), "the recipe counts the epochs it trained");
        assertEquals(6, net.getIterationCount(), "the transfer's 2 x 3 minibatches, counted from 0");
        assertEquals(TrainableState.bytes(net), r.trainableStateBytes());
        assertEquals(TrainableState.bytesAsHeld(net), r.trainableStateBytesAsHeld());
        assertEquals(SdTrainingRecipe.coefficientDensity(net), r.coefficientDensity(), 0);
        assertTrue(r.coefficientDensity() > 0 && r.coefficientDensity() <= 1, "density " + r.coefficientDensity());
        assertTrue(Double.isNaN(r.validationAccuracy()), "no hold-out");
        assertEquals(s, r.settings());
    }

    /**
     * Adaptation, VA: the classifier is re-initialised (and no pre-trained accuracy measured), nothing decomposed,
     * no bucket switch; the epochs are dense (no switched count), and the model is a DL4J zip named for the task.
     */
    @Test
    void anAdaptationVaRunResetsTheClassifierAndDecomposesNothing(@TempDir Path dir) throws java.io.IOException {
        TrainingSettings s = TrainingSettings.builder(Task.ADAPT, Variant.VA, ZooModel.LENET300).epochs(2)
                .swaStart(1).pretrainEpochs(1).batchSize(8).build();
        Lines log = new Lines();
        List<INDArray> after = new ArrayList<>();
        // The trainer fits as LOCAL does but reports a mean loss of 1.5e4. The runaway rule refuses a loss over 10^4
        // times max(loss before training, 1); before, the fresh classifier's outputs on blank images are nearly
        // uniform over 10 classes, a loss of about ln 10 = 2.30, so 1.5e4 (6.5e3 times it) is no runaway. A
        // reference of 1 or less would make it one.
        RecipeResult r = SdTrainingRecipe.run(s, adapt(), null, dir, log, (file, content) -> {
            Files.createDirectories(dir);
            Files.write(file, content);
        }, (net, data, listener) -> {
            SdTrainingRecipe.EpochTrainer.LOCAL.fitEpoch(net, data, listener);
            after.add(net.params().dup());
            return 1.5e4;
        });
        assertEquals(1.5e4, r.epochs().get(0).meanLoss(), 0);
        // SWA from epoch 1 of 2: the network holds the mean of the two epochs' weights (no C, no BatchNorm here)
        assertTrue(log.lines.contains("SWA: the weights of 2 epochs averaged (from epoch 1)"), String.join("\n", log.lines));
        INDArray mean = after.get(0).castTo(DataType.DOUBLE).add(after.get(1).castTo(DataType.DOUBLE)).div(2)
                .castTo(DataType.FLOAT);
        assertTrue(mean.equalsWithEps(((MultiLayerNetwork) r.network()).params(), 1e-6), "the SWA mean");
        // the transfer counts from 0 what it trained, not the pre-training's epoch and minibatches: 30 target
        // examples (classes 5-9) in minibatches of 8 are 4 steps an epoch
        assertEquals(2, ((MultiLayerNetwork) r.network()).getEpochCount());
        assertEquals(8, ((MultiLayerNetwork) r.network()).getIterationCount());
        assertTrue(log.lines.contains("adaptation: classifier 'fc3' re-initialised"), String.join("\n", log.lines));
        assertFalse(log.has("pre-trained dense"));
        assertFalse(log.has("decomposed"));
        assertFalse(log.has("bucket switch"));
        assertTrue(Double.isNaN(r.pretrainAccuracy()));
        assertTrue(Double.isNaN(r.decomposedAccuracy()));
        assertTrue(Double.isNaN(r.coefficientDensity()));
        RecipeListener.EpochResult e = r.epochs().get(0);
        assertFalse(e.sdForm());
        assertEquals(0, e.switched());
        assertFalse(log.first("training epoch 1/2: ").contains(" C entr"));
        assertEquals(dir.resolve("lenet300-adapt-va.zip"), r.modelFile());
        assertTrue(Files.isRegularFile(r.modelFile()));
        assertTrue(log.lines.get(log.lines.size() - 1).startsWith("lenet300 adapt va: test accuracy "),
                log.lines.get(log.lines.size() - 1));
        // the five target classes' test images only (5-9 of the ten)
        assertTrue(r.accuracy() == 0 || r.accuracy() == 0.2, "one class for every blank image: " + r.accuracy());
    }

    /**
     * The epoch trainer's result is checked like an epoch of the recipe's own: a NaN mean loss, or one over 10^4 times
     * the loss before training, ends the run naming the epoch and its learning rate (the schedule's, s.lr() in epoch
     * 1 of 2); a NaN gradient at the bucket switch names the epoch and the layer whose C update holds it.
     */
    @Test
    void anEpochTrainersDivergenceEndsTheRunNamingTheEpoch(@TempDir Path dir) {
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).epochs(2)
                .swaStart(2).pretrainEpochs(1).batchSize(8).build();
        MultiLayerNetwork pretrained = SdTrainingRecipe.pretrain(s, finetune().source(), RecipeListener.NONE);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> SdTrainingRecipe.run(s,
                finetune(), pretrained, dir, RecipeListener.NONE, (f, c) -> { }, (net, data, l) -> Double.NaN));
        assertEquals("training epoch 1 of 2 diverged: mean training loss NaN at learning rate " + s.lr()
                + "; lower the learning rate", e.getMessage());
        e = assertThrows(TrainingDivergedException.class, () -> SdTrainingRecipe.run(s, finetune(), pretrained, dir,
                RecipeListener.NONE, (f, c) -> { }, (net, data, l) -> 1e9));
        assertTrue(e.getMessage().startsWith("training epoch 1 of 2 diverged: mean training loss 1.000e+09, over 10^4 "
                + "times the loss before training ("), e.getMessage());
        e = assertThrows(TrainingDivergedException.class, () -> SdTrainingRecipe.run(s, finetune(), pretrained, dir,
                RecipeListener.NONE, (f, c) -> { }, (net, data, l) -> {
                    data.reset();
                    DataSet ds = data.next();
                    ds.getFeatures().assign(Double.NaN);
                    net.fit(ds);
                    return 0;
                }));
        assertTrue(e.getMessage().matches("training epoch 1 of 2 diverged in layer fc[123], parameter C: a NaN gradient "
                + "reached the bucket switch .*"), e.getMessage());
        // a divergence the trainer reports itself, with no NaN in any C update (none computed yet, or one good
        // minibatch fitted): the epoch is named and no layer
        TrainingDivergedException own = new TrainingDivergedException(TrainingDivergedException.Phase.TRAINING,
                "training diverged: the trainer's own check");
        e = assertThrows(TrainingDivergedException.class, () -> SdTrainingRecipe.run(s, finetune(), pretrained, dir,
                RecipeListener.NONE, (f, c) -> { }, (net, data, l) -> {
                    throw own;
                }));
        assertEquals("training epoch 1 of 2 diverged: the trainer's own check", e.getMessage());
        e = assertThrows(TrainingDivergedException.class, () -> SdTrainingRecipe.run(s, finetune(), pretrained, dir,
                RecipeListener.NONE, (f, c) -> { }, (net, data, l) -> {
                    data.reset();
                    net.fit(data.next());
                    throw own;
                }));
        assertEquals("training epoch 1 of 2 diverged: the trainer's own check", e.getMessage());
    }

    /**
     * Pre-training counts its epochs in the network it returns, and an epoch whose mean loss is NaN (images of NaN
     * pixels) ends it naming the phase, the epoch and Adam's learning rate.
     */
    @Test
    void preTrainingCountsItsEpochsAndANaNEpochNamesItself() {
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300).pretrainEpochs(2)
                .batchSize(8).build();
        assertEquals(2, SdTrainingRecipe.pretrain(s, finetune().source(), RecipeListener.NONE).getEpochCount());
        float[] nan = new float[8 * FashionMnist.PIXELS];
        java.util.Arrays.fill(nan, Float.NaN);
        FashionMnist bad = FashionMnist.of(nan, new int[8]);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> SdTrainingRecipe.pretrain(s, bad, RecipeListener.NONE));
        assertEquals("pre-training epoch 1 of 2 diverged: mean training loss NaN at learning rate " + s.pretrainLr()
                + "; lower the learning rate", e.getMessage());
    }

    /**
     * Adaptation, SD: the accuracy measured right after the decomposition is that of a re-initialised classifier,
     * and the line says so (a walkthrough found "test accuracy 0.0000" alarming without it); fine-tuning's line has no
     * such words ({@link #anSsRunLogsEachStageAndReturnsItsFigures} checks its end).
     */
    @Test
    void anAdaptationSdRunSaysItsDecomposedAccuracyIsBeforeTheClassifierIsTrained(@TempDir Path dir)
            throws java.io.IOException {
        TrainingSettings s = TrainingSettings.builder(Task.ADAPT, Variant.SD, ZooModel.LENET300).epochs(1)
                .pretrainEpochs(1).batchSize(8).build();
        Lines log = new Lines();
        RecipeResult r = SdTrainingRecipe.run(s, adapt(), null, dir, log, (file, content) -> { },
                SdTrainingRecipe.EpochTrainer.LOCAL);
        String decomposed = log.first("decomposed (theta ");
        assertTrue(decomposed.endsWith(String.format(Locale.ROOT, "x, test accuracy %.4f (the re-initialised classifier "
                + "is not trained yet: near chance or below)", r.decomposedAccuracy())), decomposed);
    }

    /** The run's argument checks, before anything is trained or written. */
    @Test
    void aMissingTrainerOrDataOfAnotherTaskIsRefused(@TempDir Path dir) {
        TrainingSettings adaptSettings = TrainingSettings.builder(Task.ADAPT, Variant.SD, ZooModel.LENET300).build();
        assertEquals("data is split for task finetune but the settings say adapt", assertThrows(
                IllegalArgumentException.class, () -> SdTrainingRecipe.run(adaptSettings, finetune(), dir,
                        RecipeListener.NONE)).getMessage());
        assertEquals("SdTrainingRecipe.run: the epoch trainer must not be null (EpochTrainer.LOCAL: one machine)",
                assertThrows(IllegalArgumentException.class, () -> SdTrainingRecipe.run(adaptSettings, adapt(), null,
                        dir, RecipeListener.NONE, (f, c) -> { }, null)).getMessage());
        assertFalse(Files.exists(dir.resolve("lenet300-adapt-sd.sdm")));
    }

    /** Variant names: case and spaces ignored, anything else refused with the allowed names; VA alone is not SD. */
    @Test
    void variantsAreNamedByTheirCommandLineIds() {
        assertEquals(Variant.SD, Variant.byName(" Sd "));
        assertEquals(Variant.VA, Variant.byName("va"));
        assertEquals(Variant.SS, Variant.byName("SS"));
        assertEquals("variant must be one of [va, sd, ss], got 'sdt'",
                assertThrows(IllegalArgumentException.class, () -> Variant.byName("sdt")).getMessage());
        assertEquals("variant must be one of [va, sd, ss], got 'null'",
                assertThrows(IllegalArgumentException.class, () -> Variant.byName(null)).getMessage());
        assertFalse(Variant.VA.isSd());
        assertTrue(Variant.SD.isSd());
        assertTrue(Variant.SS.isSd());
        assertEquals(List.of("va", "sd", "ss"), java.util.Arrays.stream(Variant.values()).map(Variant::id).toList());
    }

    /** The default listener methods: an epoch goes to log as its line; NONE shows test figures. */
    @Test
    void theDefaultEpochGoesToTheLogAsItsLine() {
        Lines log = new Lines();
        RecipeListener.EpochResult e = new RecipeListener.EpochResult("training", 1, 2, 0.01, 0.5, 3, true, 1.0);
        log.epoch(e);
        assertEquals(List.of(e.line()), log.lines);
        assertTrue(RecipeListener.NONE.showsTestFigures());
    }
}
