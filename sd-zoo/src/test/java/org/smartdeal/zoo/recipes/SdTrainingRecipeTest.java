package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;
import org.smartdeal.optim.SwaLrSchedule;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;

/** The recipe's pieces that need no data: the classifier reset, the conversion plans, input checks. */
class SdTrainingRecipeTest {

    private static MultiLayerNetwork lenet(long seed) {
        return ((ZooConfiguration.Sequential) ZooModel.LENET300.configuration(InputShape.MNIST, 10, seed)).init();
    }

    @Test
    void aValidationHoldOutAsLargeAsTheTargetIsRejectedBeforeAnyTraining(@TempDir Path dir) {
        Path out = dir.resolve("unused"); // a folder of its own: a stray one in the working directory cannot fail it
        // 8 synthetic examples: fine-tuning halves of 4 / 4, so a hold-out of 4 would leave nothing to train on
        TaskSplits.TaskData data = TaskSplits.split(Task.FINETUNE,
                FashionMnist.of(new float[8 * FashionMnist.PIXELS], new int[8]),
                FashionMnist.of(new float[2 * FashionMnist.PIXELS], new int[2]), 1);
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300)
                .validationExamples(4).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTrainingRecipe.run(s, data, out, RecipeListener.NONE));
        assertTrue(e.getMessage().contains("TrainingSettings.validationExamples must be below the 4 examples of the"
                + " target split, got 4"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(out), "nothing written");
    }

    @Test
    void aListenerThatHidesTestFiguresIsRefusedWithoutAValidationHoldOut(@TempDir Path dir) {
        Path out = dir.resolve("unused");
        TaskSplits.TaskData data = TaskSplits.split(Task.FINETUNE,
                FashionMnist.of(new float[8 * FashionMnist.PIXELS], new int[8]),
                FashionMnist.of(new float[2 * FashionMnist.PIXELS], new int[2]), 1);
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300).build();
        RecipeListener sealing = new RecipeListener() {
            @Override
            public boolean showsTestFigures() {
                return false;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTrainingRecipe.run(s, data, out, sealing));
        assertTrue(e.getMessage().contains("a listener that hides test figures needs a validation hold-out"
                + " (TrainingSettings.validationExamples > 0), got 0"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(out), "nothing written");
    }

    /**
     * Fine-tuning data of 40 blank training images labelled 0, 1, 0, 1, ... (halves of 20 / 20) and 4 blank
     * test images labelled 0, 1, 0, 1: enough for a whole recipe run in a second.
     */
    static TaskSplits.TaskData blankFinetuneData() {
        int n = 40;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        return TaskSplits.split(Task.FINETUNE, FashionMnist.of(new float[n * FashionMnist.PIXELS], labels),
                FashionMnist.of(new float[4 * FashionMnist.PIXELS], new int[] {0, 1, 0, 1}), 1);
    }

    /** LeNet-300-100 SD fine-tuning on {@link #blankFinetuneData}: 1 pre-training and 1 SD epoch, batch 8, 4 held out. */
    private static TrainingSettings blankRunSettings() {
        return TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).epochs(1)
                .swaStart(1).pretrainEpochs(1).batchSize(8).validationExamples(4).build();
    }

    /**
     * A sealing listener with a hold-out: the run completes on 40 synthetic examples (1 pre-training epoch,
     * 1 SD epoch), the final line says "test accuracy sealed" and no other line has a test accuracy, while the
     * result still has the test accuracy. Every image is blank, so the network gives all 4 test examples
     * (labels 0, 1, 0, 1) the same class: the accuracy is 0.5 (class 0 or 1) or 0 (any other class).
     */
    @Test
    void aSealingListenerSeesNoTestFigureButTheResultHasThem(@TempDir Path dir) throws java.io.IOException {
        TaskSplits.TaskData data = blankFinetuneData();
        TrainingSettings s = blankRunSettings();
        java.util.List<String> lines = new java.util.ArrayList<>();
        RecipeListener sealing = new RecipeListener() {
            @Override
            public void log(String line) {
                lines.add(line);
            }

            @Override
            public boolean showsTestFigures() {
                return false;
            }
        };
        RecipeResult r = SdTrainingRecipe.run(s, data, dir, sealing);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.matches("lenet300 finetune sd: validation accuracy [0-9.]+, test accuracy sealed, .*"), last);
        assertTrue(lines.stream().filter(l -> l.contains("test accuracy")).allMatch(l -> l.contains("test accuracy sealed,")),
                String.join("\n", lines));
        assertTrue(lines.stream().noneMatch(l -> l.contains("reloaded file")), String.join("\n", lines));
        // 40 examples split into source and target halves of 20; 4 of the target's held out
        assertTrue(lines.contains("validation: 4 of the 20 target examples held out, 16 trained on; accuracies before"
                + " the end are on the validation examples"), String.join("\n", lines));
        assertTrue(r.accuracy() == 0 || r.accuracy() == 0.5, "accuracy " + r.accuracy());
        assertTrue(r.fileAccuracy() == 0 || r.fileAccuracy() == 0.5, "file accuracy " + r.fileAccuracy());
    }

    /**
     * Every long stage is a phase of steps for the listener's progress bar, scoring included (a walkthrough found 13-27 s
     * silent gaps on the full test set): on the blank data with a hold-out of 4 (16 target examples left, batch 8;
     * test 4, scoring batch 512), the phases come in run order, each with as many steps as it announced.
     */
    @Test
    void everyStageIsAPhaseWithTheStepsItAnnounced(@TempDir Path dir) throws java.io.IOException {
        TaskSplits.TaskData data = blankFinetuneData();
        TrainingSettings s = blankRunSettings();
        java.util.List<String> phases = new java.util.ArrayList<>();
        long[] steps = new long[2]; // announced, taken in the current phase
        RecipeListener recorder = new RecipeListener() {
            @Override
            public void phaseStarted(String phase, long totalSteps) {
                steps[0] = totalSteps;
                steps[1] = 0;
                phases.add(phase);
            }

            @Override
            public void step() {
                steps[1]++;
            }

            @Override
            public void phaseEnded() {
                assertEquals(steps[0], steps[1], phases.get(phases.size() - 1));
            }
        };
        SdTrainingRecipe.run(s, data, dir, recorder);
        assertEquals(java.util.List.of("pre-training", "scoring (validation)", "scoring (validation)", "training",
                "scoring (validation)", "scoring (test)", "scoring the reloaded file (test)"), phases);
    }

    /**
     * With a ModelOutput the run writes nothing itself: the output gets the model file's path and whole
     * content once, and the result's modelBytes is that content's length. The content is the trained network:
     * an .sdm with lenet300's 3 SD layers (SD), a DL4J zip with its parameters (VA). 40 blank synthetic
     * examples, 1 pre-training and 1 training epoch.
     */
    @Test
    void aModelOutputGetsTheModelFileInsteadOfTheFolder(@TempDir Path dir) throws java.io.IOException {
        TaskSplits.TaskData data = blankFinetuneData();
        for (Variant v : new Variant[] {Variant.SD, Variant.VA}) {
            TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, v, ZooModel.LENET300).epochs(1).swaStart(1)
                    .pretrainEpochs(1).batchSize(8).build();
            Map<Path, byte[]> got = new java.util.LinkedHashMap<>();
            RecipeResult r = SdTrainingRecipe.run(s, data, null, dir, RecipeListener.NONE, (file, content) -> {
                assertFalse(got.containsKey(file), "one call per run");
                got.put(file, content);
            });
            Path file = SdTrainingRecipe.modelFile(s, dir);
            assertEquals(Set.of(file), got.keySet());
            assertEquals(file, r.modelFile());
            assertEquals(got.get(file).length, r.modelBytes());
            try (java.util.stream.Stream<Path> in = java.nio.file.Files.list(dir)) {
                assertEquals(List.of(), in.toList(), "the run wrote nothing itself");
            }
            if (v.isSd()) {
                assertEquals(3, org.smartdeal.codec.SdmReader.read(got.get(file), file.toString()).file().sdLayers().size());
            } else {
                MultiLayerNetwork back = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(
                        new java.io.ByteArrayInputStream(got.get(file)), false);
                assertEquals(((MultiLayerNetwork) r.network()).params(), back.params());
            }
        }
    }

    @Test
    void resetClassifierReplacesOnlyTheOutputLayersParameters() {
        TrainingSettings s = TrainingSettings.builder(Task.ADAPT, Variant.SD, ZooModel.LENET300).seed(5).build();
        MultiLayerNetwork net = lenet(5);
        Map<String, INDArray> fc1 = Map.of("W", net.getLayer(0).getParam("W").dup(), "b",
                net.getLayer(0).getParam("b").dup());
        INDArray fc3Before = net.getLayer(2).getParam("W").dup();
        assertEquals("fc3", SdTrainingRecipe.resetClassifier(net, s));
        assertEquals(fc1.get("W"), net.getLayer(0).getParam("W"));
        assertEquals(fc1.get("b"), net.getLayer(0).getParam("b"));
        assertNotEquals(fc3Before, net.getLayer(2).getParam("W"));
        // the new classifier is the fresh initialisation with seed + 1
        assertEquals(lenet(6).getLayer(2).getParam("W"), net.getLayer(2).getParam("W"));
    }

    @Test
    void sdPlanUsesThetaEverywhereAndSsKeepsTheClassifierUnpruned() {
        MultiLayerNetwork net = lenet(1);
        ConversionPlan sd = SdTrainingRecipe.plan(
                TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).theta(7e-3).build(), net);
        assertEquals(7e-3, sd.defaults().theta());
        assertEquals(0.0, sd.defaults().structuredRatio());
        assertTrue(sd.overrides().isEmpty());
        ConversionPlan ss = SdTrainingRecipe.plan(
                TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300).build(), net);
        assertEquals(0.3, ss.settingsFor("fc1").structuredRatio());
        assertEquals(0.3, ss.settingsFor("fc2").structuredRatio());
        assertEquals(0.0, ss.settingsFor("fc3").structuredRatio());
        assertEquals(7e-3, ss.settingsFor("fc3").theta());
    }

    /**
     * The cnn's SS plan gives ratios to the layers that are decomposed only: its pooling layers get no override, so
     * the converter accepts the plan (it refuses settings on a layer it does not convert; a review found the cnn's SS
     * plan refused after pre-training); a ratio named for a pooling layer is refused where the settings are made.
     */
    @Test
    void theCnnSsPlanLeavesPoolingLayersOutAndTheConverterAcceptsIt() {
        MultiLayerNetwork cnn = ((ZooConfiguration.Sequential) ZooModel.CNN.configuration(InputShape.MNIST, 10, 1)).init();
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.CNN)
                .layerRatios(TrainingSettings.parseLayerRatios("conv1=0,conv2=0.1,conv3=0.2,fc1=0.3")).build();
        ConversionPlan ss = SdTrainingRecipe.plan(s, cnn);
        SdConverter.checkPlan(cnn, ss);
        assertEquals(java.util.Set.of("conv2", "conv3", "fc1"), ss.overrides().keySet());
        assertEquals(0.2, ss.settingsFor("conv3").structuredRatio());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSettings.builder(
                Task.FINETUNE, Variant.SS, ZooModel.CNN).layerRatios(Map.of("pool1", 0.2)).build());
        assertEquals("TrainingSettings.layerRatios names layer 'pool1', a SubsamplingLayer, which is not decomposed; "
                + "the decomposed layers are [conv1, conv2, conv3, fc1, fc2]", e.getMessage());
    }

    @Test
    void layerRatiosOverrideTheDefaultRatioPerLayerTheClassifierIncluded() {
        MultiLayerNetwork net = lenet(1);
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300)
                .structuredRatio(0.3).layerRatios(TrainingSettings.parseLayerRatios("fc2=0.1,fc3=0.2")).build();
        ConversionPlan ss = SdTrainingRecipe.plan(s, net);
        assertEquals(0.3, ss.settingsFor("fc1").structuredRatio());
        assertEquals(0.1, ss.settingsFor("fc2").structuredRatio());
        assertEquals(0.2, ss.settingsFor("fc3").structuredRatio());
        assertEquals("0.300000 (fc2=0.100000, fc3=0.200000)", s.ratioText());
        // the same settings for SD prune nothing
        ConversionPlan sd = SdTrainingRecipe.plan(TrainingSettings.builder(Task.FINETUNE, Variant.SD,
                ZooModel.LENET300).layerRatios(Map.of("fc2", 0.1)).build(), net);
        assertTrue(sd.overrides().isEmpty());
    }

    /**
     * Per-layer thresholds reach the plan (theta elsewhere) and the bucket switch's minCoeff follows the
     * largest of theta and the decomposed layers' thresholds: fc1 0.05 and fc2 0.02 with theta 7e-3 give
     * max 0.05 and minCoeff 2^-4 = 0.0625 (the smallest 2^i >= 0.05); with fc1 left dense the max is fc2's
     * 0.02 and minCoeff 2^-5 = 0.03125.
     */
    @Test
    void layerThetasReachThePlanAndTheBucketSwitchFollowsTheLargest() {
        MultiLayerNetwork net = lenet(1);
        Map<String, Double> thetas = TrainingSettings.parseLayerThetas("fc1=0.05, fc2=0.02");
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).theta(7e-3)
                .layerThetas(thetas).build();
        ConversionPlan sd = SdTrainingRecipe.plan(s, net);
        assertEquals(7e-3, sd.defaults().theta());
        assertEquals(0.05, sd.settingsFor("fc1").theta());
        assertEquals(0.02, sd.settingsFor("fc2").theta());
        assertEquals(7e-3, sd.settingsFor("fc3").theta());
        assertEquals(0.05, s.maxTheta());
        assertEquals(0x1p-4, s.minCoeff());
        assertEquals("0.00700000 (fc1=0.0500000, fc2=0.0200000)", s.thetaText());
        assertTrue(s.describe().contains("theta 0.00700000 (fc1=0.0500000, fc2=0.0200000), theta_g"), s.describe());
        TrainingSettings fc1Dense = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300)
                .theta(7e-3).layerThetas(thetas).denseLayers(Set.of("fc1")).build();
        assertEquals(0.02, fc1Dense.maxTheta());
        assertEquals(0x1p-5, fc1Dense.minCoeff());
        assertTrue(SdTrainingRecipe.plan(fc1Dense, net).settingsFor("fc1").skip());
    }

    /**
     * The bucket switches the recipe routes: with fc1 0.05, fc2 0.02 and fc3 at theta 7e-3, one switch gives
     * every layer minCoeff 2^-4 (the smallest 2^i &gt;= the largest, 0.05); perLayerSwitch gives 2^-4, 2^-5 and
     * 2^-7 (smallest 2^i &gt;= 0.05, 0.02, 7e-3), and both fit the converted layers (forward thresholds 2^-5,
     * 2^-6, 2^-8: the power of two at or below each theta). Everything but minCoeff is the settings'.
     */
    @Test
    void perLayerSwitchGivesEachLayerTheMinCoeffOfItsOwnTheta() {
        TrainingSettings.Builder b = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300)
                .layerThetas(TrainingSettings.parseLayerThetas("fc1=0.05,fc2=0.02")).thetaG(1e-2).thetaC(5);
        TrainingSettings one = b.build();
        TrainingSettings own = b.perLayerSwitch(true).build();
        MultiLayerNetwork net = (MultiLayerNetwork) SdConverter.convert(lenet(1), SdTrainingRecipe.plan(own, lenet(1)))
                .network();
        SwaLrSchedule schedule = new SwaLrSchedule(own.lr(), own.swaLr(), own.swaStart());
        Map<ParamRef, BucketSwitch> shared = SdTrainingRecipe.bucketSwitches(one, net, schedule);
        Map<ParamRef, BucketSwitch> perLayer = SdTrainingRecipe.bucketSwitches(own, net, schedule);
        assertEquals(List.of(ParamRef.of("fc1", "C"), ParamRef.of("fc2", "C"), ParamRef.of("fc3", "C")),
                List.copyOf(perLayer.keySet()));
        assertEquals(List.of(0x1p-4, 0x1p-4, 0x1p-4), shared.values().stream().map(BucketSwitch::getMinCoeff).toList());
        assertEquals(List.of(0x1p-4, 0x1p-5, 0x1p-7), perLayer.values().stream().map(BucketSwitch::getMinCoeff).toList());
        BucketSwitch expected = BucketSwitch.builder(own.lr()).learningRateSchedule(schedule).thetaG(1e-2).thetaC(5)
                .weightDecay(own.weightDecay()).theta(0.02).build();
        assertEquals(expected, perLayer.get(ParamRef.of("fc2", "C")));
        SdTraining.configure(net, perLayer, SdUpdaterRouting.sgdMomentum(schedule), own.weightDecay());
        SdTraining.configure(net, shared, SdUpdaterRouting.sgdMomentum(schedule), own.weightDecay());

        // without per-layer thresholds the knob changes nothing
        TrainingSettings plain = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).build();
        TrainingSettings plainOwn = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300)
                .perLayerSwitch(true).build();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(lenet(1), SdTrainingRecipe.plan(plain, lenet(1)))
                .network();
        assertEquals(SdTrainingRecipe.bucketSwitches(plain, sd, schedule),
                SdTrainingRecipe.bucketSwitches(plainOwn, sd, schedule));
    }

    /**
     * perLayerSwitch reaches the training: a whole run (40 blank synthetic examples, 1 pre-training and 1 SD
     * epoch) logs each layer's minCoeff and the trained network's C are routed to those switches.
     */
    @Test
    void theRecipeTrainsWithAPerLayerSwitch(@TempDir Path dir) throws java.io.IOException {
        TaskSplits.TaskData data = blankFinetuneData();
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).epochs(1)
                .swaStart(1).pretrainEpochs(1).batchSize(8).perLayerSwitch(true)
                .layerThetas(TrainingSettings.parseLayerThetas("fc1=0.05,fc2=0.02")).build();
        List<String> lines = new java.util.ArrayList<>();
        RecipeResult r = SdTrainingRecipe.run(s, data, dir, new RecipeListener() {
            @Override
            public void log(String line) {
                lines.add(line);
            }
        });
        assertTrue(lines.contains("bucket switch per layer: minCoeff fc1=0.0625, fc2=0.03125, fc3=0.0078125"),
                String.join("\n", lines));
        MultiLayerNetwork net = (MultiLayerNetwork) r.network();
        double[] expected = {0x1p-4, 0x1p-5, 0x1p-7};
        for (int i = 0; i < 3; i++) {
            BucketSwitch bs = (BucketSwitch) ((BaseLayer) net.getLayer(i).conf().getLayer()).getUpdaterByParam("C");
            assertEquals(expected[i], bs.getMinCoeff(), "layer " + i);
        }
    }

    /**
     * SD layers 20 -> fc1 7 -> out 3 with slices of at most 4 rows and basis width 3: fc1 has R = 7 real rows
     * per unit (S = 2 slices of 4 rows, one padding row), out R = 3 (one slice). A fresh SD layer holds
     * C = +-1 on every real row and 0 on the padding rows (SdParamInitializer), so the density over the
     * 3 * (7 * 7 + 3 * 3) = 174 real entries is 1, while the packed C hold 7 * 8 * 3 + 3 * 3 * 3 = 195.
     */
    @Test
    void coefficientDensityCountsRealRowsOnly() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new SdDenseLayer.Builder().name("fc1").nIn(20).nOut(7).sliceRows(4).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(7).nOut(3)
                        .sliceRows(4).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        INDArray c1 = net.getLayer("fc1").getParam("C");
        assertEquals(7L * 2 * 4 * 3, c1.length());
        assertEquals(3L * 3 * 3, net.getLayer("out").getParam("C").length());
        assertEquals(1.0, SdTrainingRecipe.coefficientDensity(net));
        c1.putScalar(0, 0.0);
        assertEquals(173.0 / 174, SdTrainingRecipe.coefficientDensity(net), 1e-15);
    }

    @Test
    void denseLayersAreSkippedAndNeverPruned() {
        MultiLayerNetwork net = lenet(1);
        TrainingSettings s = TrainingSettings.builder(Task.ADAPT, Variant.SS, ZooModel.LENET300)
                .layerRatios(Map.of("fc3", 0.2)).denseLayers(Set.of("fc3")).build();
        ConversionPlan ss = SdTrainingRecipe.plan(s, net);
        assertTrue(ss.settingsFor("fc3").skip());
        assertEquals(0.0, ss.settingsFor("fc3").structuredRatio());
        assertEquals(0.0, s.ratioFor("fc3", true));
        assertFalse(ss.settingsFor("fc1").skip());
        assertEquals(0.3, ss.settingsFor("fc1").structuredRatio());
        // SD converts everything else and leaves fc3 a DL4J layer
        ConversionPlan sd = SdTrainingRecipe.plan(TrainingSettings.builder(Task.ADAPT, Variant.SD,
                ZooModel.LENET300).denseLayers(Set.of("fc3")).build(), net);
        assertTrue(sd.settingsFor("fc3").skip());
        assertFalse(sd.settingsFor("fc2").skip());
        MultiLayerNetwork converted = (MultiLayerNetwork) SdConverter.convert(net, sd).network();
        assertEquals(Set.of("W", "b"), converted.getLayer(2).paramTable().keySet());
        assertTrue(converted.getLayer(0).paramTable().containsKey("C"));
    }

    /**
     * A structured ratio that prunes every row of a layer's units is refused by checkPlan, with the converter's own
     * rule, for the architecture alone (no training): the CNN's conv1 sees 1 channel through a 3x3 kernel, so its
     * units have 3 rows (slices of the kernel width, ALGORITHMS.md 2) and ceil(0.9 x 3) = 3 prunes them all, while
     * 2/3 prunes ceil(2) = 2. A dense layer's unit is its nIn inputs in rows of the basis width 3: LeNet-300-100's fc1
     * units have ceil(784 / 3) = 262 rows, and ceil(0.9999 x 262) = 262.
     */
    @Test
    void checkPlanRefusesARatioThatZeroesALayerWithoutTraining() {
        TrainingSettings conv1 = TrainingSettings.builder(Task.ADAPT, Variant.SS, ZooModel.CNN)
                .layerRatios(Map.of("conv1", 0.9)).build();
        org.smartdeal.zoo.convert.StructuredRatioTooLargeException e = assertThrows(
                org.smartdeal.zoo.convert.StructuredRatioTooLargeException.class, () -> SdTrainingRecipe.checkPlan(conv1));
        assertEquals("conv1", e.layer());
        assertEquals(0.9, e.ratio());
        assertEquals(3, e.unitRows());
        assertEquals("2/3", e.largestAllowed());
        assertTrue(e.getMessage().contains("give it a structuredRatio of at most 2/3 in plan.layers[conv1]"), e.getMessage());
        SdTrainingRecipe.checkPlan(TrainingSettings.builder(Task.ADAPT, Variant.SS, ZooModel.CNN)
                .layerRatios(Map.of("conv1", 2.0 / 3)).build());
        e = assertThrows(org.smartdeal.zoo.convert.StructuredRatioTooLargeException.class, () -> SdTrainingRecipe.checkPlan(
                TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300).structuredRatio(0.9999).build()));
        assertEquals("fc1", e.layer());
        assertEquals(262, e.unitRows());
        assertEquals("261/262", e.largestAllowed());
        // SD prunes nothing, and VA has no plan: the same ratio is not looked at
        SdTrainingRecipe.checkPlan(TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300)
                .structuredRatio(0.9999).build());
        SdTrainingRecipe.checkPlan(TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300)
                .structuredRatio(0.9999).build());
    }

    /**
     * The run checks the plan before pre-training: the listener sees no phase start, and nothing is written (fc2's
     * units are its 300 inputs in 100 rows of 3: ceil(0.999 x 100) = 100).
     */
    @Test
    void theRunRefusesSuchARatioBeforePreTraining(@TempDir Path dir) {
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300).epochs(1)
                .swaStart(1).pretrainEpochs(1).batchSize(8).layerRatios(Map.of("fc2", 0.999)).build();
        List<String> phases = new java.util.ArrayList<>();
        RecipeListener recorder = new RecipeListener() {
            @Override
            public void phaseStarted(String phase, long totalSteps) {
                phases.add(phase);
            }
        };
        org.smartdeal.zoo.convert.StructuredRatioTooLargeException e = assertThrows(
                org.smartdeal.zoo.convert.StructuredRatioTooLargeException.class,
                () -> SdTrainingRecipe.run(s, blankFinetuneData(), dir.resolve("out"), recorder));
        assertEquals("fc2", e.layer());
        assertEquals("99/100", e.largestAllowed());
        assertEquals(List.of(), phases);
        assertFalse(java.nio.file.Files.exists(dir.resolve("out")), "nothing written");
    }

    /**
     * The listener gets the converter's report once, after the decomposition: with fc1's threshold at 0.5, far above
     * the initial weights' magnitudes (Xavier-like, about 1/sqrt(784) = 0.036, and at most a few times that after one
     * epoch on blank images), fc1's C keeps no non-zero coefficient, while fc2 and fc3 at the default 7e-3 keep some.
     */
    @Test
    void theListenerSeesTheDecompositionReportWithTheLayersWhoseCIsZero(@TempDir Path dir) throws java.io.IOException {
        List<org.smartdeal.zoo.convert.ConversionReport> reports = new java.util.ArrayList<>();
        RecipeListener recorder = new RecipeListener() {
            @Override
            public void decomposed(org.smartdeal.zoo.convert.ConversionReport report) {
                reports.add(report);
            }
        };
        TrainingSettings sd = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).epochs(1).swaStart(1)
                .pretrainEpochs(1).batchSize(8).layerThetas(Map.of("fc1", 0.5)).build();
        SdTrainingRecipe.run(sd, blankFinetuneData(), dir, recorder);
        assertEquals(1, reports.size());
        assertEquals(List.of("fc1"), reports.get(0).zeroCoefficientLayers());
        // VA decomposes nothing: no report
        SdTrainingRecipe.run(TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300).epochs(1).swaStart(1)
                .pretrainEpochs(1).batchSize(8).build(), blankFinetuneData(), dir, recorder);
        assertEquals(1, reports.size());
    }

    /** An epoch's line: the score with four decimals, or in scientific notation once it is huge (a diverging run). */
    @Test
    void epochLinesKeepHugeScoresShort() {
        assertEquals("training epoch 3/80: lr 0.010000, score 0.4321 (loss + L2), 1234 C entries switched, 12.3 s",
                new RecipeListener.EpochResult("training", 3, 80, 0.01, 0.43214, 1234, true, 12.34).line());
        assertEquals("training epoch 4/80: lr 0.010000, score 0.4321 (loss + L2), 1 C entry switched, 12.3 s",
                new RecipeListener.EpochResult("training", 4, 80, 0.01, 0.43214, 1, true, 12.34).line());
        assertEquals("pre-training epoch 1/2: lr 10.000, score 4.644e+31 (loss + L2), 1.0 s",
                new RecipeListener.EpochResult("pre-training", 1, 2, 10, 4.6435089799e31, 0, false, 1.0).line());
    }
}
