package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;
import org.smartdeal.zoo.convert.SdConverter;

/**
 * The conversion sweep on a small trained network (3 Gaussian blobs in 12 dimensions, 12-16-3): every figure is
 * checked against an independent computation (the .sdm written to disk and read with {@link SdModelFile}, a fresh
 * conversion with the candidate's plan, the best chosen by brute force over the candidates).
 */
class ConversionSweepTest {

    private static MultiLayerNetwork dense;
    private static DataSetIterator validation;

    @BeforeAll
    static void trainDense() {
        dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.02)).list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        DataSetIterator train = blobs(600, 1);
        for (int e = 0; e < 15; e++) {
            dense.fit(train);
        }
        validation = blobs(300, 2);
    }

    /** 3 blobs with unit-variance noise around centres +-1.2 on 4 coordinates each; fixed seed. */
    private static DataSetIterator blobs(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][12];
        float[][] y = new float[n][3];
        for (int i = 0; i < n; i++) {
            int k = i % 3;
            for (int j = 0; j < 12; j++) {
                x[i][j] = (float) (r.nextGaussian() + (j / 4 == k ? 1.2 : -0.4));
            }
            y[i][k] = 1;
        }
        List<DataSet> list = new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y)).asList();
        return new ListDataSetIterator<>(list, 50);
    }

    private static ConversionPlanSpace thetaGrid(Double... thetas) {
        return new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder()
                        .theta(thetas.length == 1 ? new FixedValue<>(thetas[0]) : new DiscreteParameterSpace<>(thetas))
                        .sliceRows(6).basisWidth(3).build())
                .build();
    }

    private static GridSearchCandidateGenerator grid(ConversionPlanSpace space) {
        return new GridSearchCandidateGenerator(space, 5, GridSearchCandidateGenerator.Mode.Sequential, null);
    }

    @Test
    void gridSweepScoresEveryCandidateOnItsReloadedFileAndPicksTheMostCompressedWithinTheDrop(@TempDir Path dir)
            throws Exception {
        Double[] thetas = {0.001, 0.02, 0.1, 0.4, 1.0};
        List<Integer> seen = new ArrayList<>();
        ConversionSweep.Result r = ConversionSweep.run(dense, grid(thetaGrid(thetas)), 10, validation, 0.01,
                (c, done, total) -> {
                    assertEquals(5, total, "a 5-point grid under a cap of 10");
                    seen.add(done);
                });
        assertEquals(List.of(1, 2, 3, 4, 5), seen, "the listener hears every candidate in order");
        assertEquals(5, r.candidates().size());
        ModelScore base = ModelScore.of(dense, validation);
        assertEquals(base.accuracy(), r.baseline().accuracy(), 0, "baseline: the dense network on the validation data");
        assertTrue(base.accuracy() > 0.9, "the blobs are separable; the dense network learned them: " + base.accuracy());

        for (int i = 0; i < thetas.length; i++) {
            ConversionCandidate c = r.candidates().get(i);
            assertTrue(c.ok(), c.error());
            assertEquals(i, c.index());
            // the grid's sequential order walks the discrete values in order; the fixed settings are put in
            assertEquals(thetas[i], c.plan().defaults().theta(), 0);
            assertEquals(6, c.plan().defaults().sliceRows());
            // accuracy: the .sdm bytes written to disk and read back by the public reader
            Path f = dir.resolve("c" + i + ".sdm");
            Files.write(f, c.sdm());
            ModelScore fromFile = ModelScore.of(SdModelFile.read(f), validation);
            assertEquals(fromFile.accuracy(), c.accuracy(), 0, "candidate " + i + " accuracy of its own file");
            assertEquals(fromFile.loss(), c.loss(), 1e-12);
            // compression: an independent conversion with the same plan (the conversion is deterministic)
            assertEquals(SdConverter.convert(dense, c.plan()).report().paperCR(), c.paperCR(), 0);
            assertEquals(c.sdm().length, c.sdmBytes());
            assertEquals(dense.numParams() * 4.0 / c.sdm().length, c.fileCR(), 1e-9 * c.fileCR(),
                    "file CR = float32 parameter bytes / file bytes");
        }
        // a larger threshold prunes more: the stored size falls along the grid
        for (int i = 1; i < thetas.length; i++) {
            assertTrue(r.candidates().get(i).paperCR() >= r.candidates().get(i - 1).paperCR(),
                    "paper CR non-decreasing in theta at " + i);
        }
        // the best, by brute force: the largest paper CR with drop <= 1 point, else the smallest drop
        int expected = -1;
        for (int i = 0; i < thetas.length; i++) {
            ConversionCandidate c = r.candidates().get(i);
            boolean within = base.accuracy() - c.accuracy() <= 0.01;
            if (within && (expected < 0 || c.paperCR() > r.candidates().get(expected).paperCR())) {
                expected = i;
            }
        }
        assertTrue(expected >= 0, "theta 0.001 keeps the accuracy: " + r.toTable());
        assertEquals(expected, r.bestPosition(), r.toTable());
        assertTrue(r.bestWithinDrop());
        assertTrue(r.toTable().contains("*" + expected), r.toTable());
        // the largest theta loses accuracy, so the bound is exercised, not trivially met
        ConversionCandidate coarse = r.candidates().get(4);
        assertTrue(coarse.accuracy() < base.accuracy() - 0.01, "theta 1 must cost accuracy: " + r.toTable());
        assertFalse(r.score().withinDrop(coarse));
        assertTrue(r.score().score(coarse) > 0, "outside the bound scores above every candidate inside it");
    }

    @Test
    void reportsNameEveryCandidateAndWriteNoNaNIntoJson() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.001, 2.0)).build())
                .build();
        ConversionSweep.Result r = ConversionSweep.run(dense, grid(space), 10, validation, 0.01, null);
        assertTrue(r.candidates().get(0).ok());
        ConversionCandidate bad = r.candidates().get(1);
        assertFalse(bad.ok());
        assertTrue(bad.error().contains("plan.defaults.theta must be in [0, 1], got 2"), bad.error());
        assertEquals(0, r.bestPosition(), "a failed candidate is never the best");
        String json = r.toJsonNode().toString();
        assertFalse(json.contains("NaN"), json);
        assertTrue(json.contains("\"error\""), json);
        String[] csv = r.toCsv().split("\n");
        assertEquals(3, csv.length, "header and two candidates");
        assertEquals(csv[0].split(",", -1).length, csv[1].split(",", -1).length, "same columns: " + csv[1]);
        // the failed line ends with its quoted error (which holds commas): the fields before it, plus it
        int quote = csv[2].indexOf(",\"");
        assertEquals(csv[0].split(",", -1).length, csv[2].substring(0, quote).split(",", -1).length + 1, csv[2]);
        assertTrue(csv[2].endsWith("got 2\""), csv[2]);
        assertTrue(csv[2].startsWith("1,"), csv[2]);
        assertTrue(r.toTable().contains("failed: "), r.toTable());
    }

    @Test
    void aLayerTheNetworkLacksIsRefusedBeforeAnyCandidateRuns() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .layer("fc9", new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.001, 0.01)).build())
                .build();
        List<Integer> heard = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversionSweep.run(dense, grid(space), 10, validation, 0.01, (c, done, total) -> heard.add(done)));
        assertTrue(e.getMessage().contains("spaces for layers the network does not have: [fc9]")
                && e.getMessage().contains("[layer0, layer1]"), e.getMessage());
        assertTrue(heard.isEmpty(), "no candidate ran");
    }

    /**
     * A space on a layer the converter leaves alone (here a dropout layer) would give candidates that differ in name
     * only: refused before any candidate runs, naming the layers that are converted (found by an Arbiter-user audit).
     */
    @Test
    void aSpaceOnALayerThatIsNotConvertedIsRefused() {
        MultiLayerNetwork withDropout = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(12).nOut(16).activation(Activation.TANH).build())
                .layer(new DropoutLayer.Builder(0.5).name("drop").build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        withDropout.init();
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .layer("drop", new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.004, 0.03)).build())
                .build();
        List<Integer> heard = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConversionSweep.run(withDropout,
                grid(space), 10, validation, 0.01, (c, done, total) -> heard.add(done)));
        assertEquals("ConversionPlanSpace has spaces for layers that are not converted (not a DenseLayer, OutputLayer, "
                + "ConvolutionLayer or SeparableConvolution2D, and DepthwiseConvolution2D when the plan sets "
                + "convertDepthwise): [drop]; their settings would change nothing; the layers converted are [fc, out]",
                e.getMessage());
        assertTrue(heard.isEmpty(), "no candidate ran");
    }

    /**
     * Short numbers in the table and messages: whole numbers below 10^7 exactly (a maxCoeff of 1024 printed as 1020
     * before), others in three significant digits, E notation at the extremes (an --rt-lr of 1e30 printed 31 digits).
     */
    @Test
    void shortNumbersKeepWholeNumbersAndUseENotationAtTheExtremes() {
        assertEquals("1024", ConversionSweep.shortNumber(1024));
        assertEquals("4096", ConversionSweep.shortNumber(4096));
        assertEquals("9999999", ConversionSweep.shortNumber(9_999_999));
        assertEquals("1E+7", ConversionSweep.shortNumber(1e7));
        assertEquals("1E+30", ConversionSweep.shortNumber(1e30));
        assertEquals("1.23E+7", ConversionSweep.shortNumber(12_345_678.5));
        assertEquals("12.3", ConversionSweep.shortNumber(12.345));
        assertEquals("0.00168", ConversionSweep.shortNumber(0.001684));
        assertEquals("0.001", ConversionSweep.shortNumber(0.001));
        assertEquals("1.5E-300", ConversionSweep.shortNumber(1.5e-300));
        assertEquals("-0.05", ConversionSweep.shortNumber(-0.05));
        assertEquals("0", ConversionSweep.shortNumber(0));
        assertEquals("NaN", ConversionSweep.shortNumber(Double.NaN));
    }

    /** A candidate's error and its failure kind come together or not at all. */
    @Test
    void anErrorNeedsAFailureKindAndAWorkingCandidateHasNeither() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConversionCandidate(3,
                null, null, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN, 0, -1, Double.NaN, 0, "bad", null));
        assertEquals("ConversionCandidate 3: error and failure must be both null or both set, got error 'bad' and "
                + "failure null", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConversionCandidate(3, null, null, 1, 1, new byte[1],
                0.5, 0.1, 10, -1, Double.NaN, 0, null, ConversionCandidate.Failure.SETTINGS));
        ConversionCandidate f = ConversionCandidate.failed(3, null, 0, ConversionCandidate.Failure.DIVERGED, "RT");
        assertFalse(f.ok());
        assertFalse(f.internalError(), "a divergence is the candidate's settings' doing, not a defect");
    }

    /** A drop exactly at the bound is within it, despite the rounding of a difference of accuracies. */
    @Test
    void aDropAtTheBoundIsWithinIt() {
        // 0.8928 - 0.8848 = 0.008000000000000007 in doubles (the audit's case: 4464 and 4424 of 5000 examples)
        double base = 4464 / 5000.0;
        ConversionCandidate atBound = new ConversionCandidate(0, ConversionPlan.defaultPlan(), null, 10, 9, new byte[1],
                4424 / 5000.0, 0.3, 5000, -1, Double.NaN, 1, null, null);
        CompressionScoreFunction f = new CompressionScoreFunction(base, 0.008);
        assertTrue(f.drop(atBound) > 0.008, "the rounding the tolerance exists for: " + f.drop(atBound));
        assertTrue(f.withinDrop(atBound));
        assertEquals(-10, f.score(atBound), 0, "within: -paper CR");
        ConversionCandidate over = new ConversionCandidate(1, ConversionPlan.defaultPlan(), null, 20, 19, new byte[1],
                4423 / 5000.0, 0.3, 5000, -1, Double.NaN, 1, null, null);
        assertFalse(f.withinDrop(over), "one example more is outside");
        assertEquals(0.0002, f.score(over), 1e-12, "outside: drop - maxDrop");
    }

    /** A working candidate with a paper CR, an accuracy of {@code correct} of 5000 examples and a price. */
    private static ConversionCandidate scored(int index, double paperCR, int correct, double energyPj) {
        return new ConversionCandidate(index, ConversionPlan.defaultPlan(), null, paperCR, paperCR, new byte[1],
                correct / 5000.0, 0.3, 5000, -1, energyPj, 1, null, null);
    }

    /**
     * Ties in the score are broken the documented way (CompressionScoreFunction.ranking): outside the drop bound, of
     * equal drops the larger gain (the sweep picked the first run, here the least compressed: 25.66x over 26.52x at
     * the same 17.00-point drop); within it, of equal gains the smaller drop; a full tie keeps the first run.
     */
    @Test
    void tiesInTheScoreGoToTheLargerGainOrTheSmallerDrop() {
        // baseline 4464 of 5000 (89.28%); 3614 correct is a drop of 850 examples = 17.00 points
        CompressionScoreFunction f = new CompressionScoreFunction(4464 / 5000.0, 0.01);
        ConversionCandidate failed = ConversionCandidate.failed(0, null, 1, ConversionCandidate.Failure.SETTINGS, "x");
        ConversionCandidate less = scored(1, 25.66, 3614, Double.NaN);
        ConversionCandidate more = scored(2, 26.52, 3614, Double.NaN);
        assertEquals(17.00, ModelScore.points(f.drop(more)), 1e-9);
        assertEquals(f.score(less), f.score(more), "the score alone ties them");
        assertEquals(2, ConversionSweep.bestPosition(f, List.of(failed, less, more)), "same drop: the larger CR");
        assertEquals(1, ConversionSweep.bestPosition(f, List.of(failed, more, less)), "in either order");
        ConversionCandidate smallerDrop = scored(3, 20, 3620, Double.NaN);
        assertEquals(1, ConversionSweep.bestPosition(f, List.of(less, smallerDrop, more)),
                "a smaller drop (16.88 points) still beats a larger CR outside the bound");
        // within the bound (drops 0.20 and 0.40 points): equal CRs go to the smaller drop; a larger CR wins first
        ConversionCandidate within40 = scored(4, 30, 4444, Double.NaN);
        ConversionCandidate within20 = scored(5, 30, 4454, Double.NaN);
        assertTrue(f.withinDrop(within40) && f.withinDrop(within20));
        assertEquals(f.score(within40), f.score(within20), "the score alone ties them");
        assertEquals(2, ConversionSweep.bestPosition(f, List.of(more, within40, within20)), "same CR: the smaller drop");
        ConversionCandidate within40More = scored(6, 31, 4444, Double.NaN);
        assertEquals(3, ConversionSweep.bestPosition(f, List.of(more, within40, within20, within40More)));
        // a full tie keeps the first run; none scored: -1
        ConversionCandidate twin = scored(7, 30, 4454, Double.NaN);
        assertEquals(0, ConversionSweep.bestPosition(f, List.of(within20, twin)));
        assertEquals(-1, ConversionSweep.bestPosition(f, List.of(failed)));
        assertEquals(-1, ConversionSweep.bestPosition(f, List.of()));
        // the energy objective breaks a tie in drop by the energy gain, not the CR
        CompressionScoreFunction e = new CompressionScoreFunction(4464 / 5000.0, 0.01,
                CompressionScoreFunction.Objective.ENERGY, 1000);
        ConversionCandidate cheap = scored(8, 20, 3614, 100);
        ConversionCandidate compressed = scored(9, 40, 3614, 200);
        assertEquals(0, ConversionSweep.bestPosition(e, List.of(cheap, compressed)), "10x less energy beats 5x");
        assertEquals(1, ConversionSweep.bestPosition(e, List.of(compressed, cheap)));
    }

    @Test
    void perLayerSpacesOverrideTheDefaultsForTheirLayerOnly() {
        ConversionPlan base = ConversionPlan.fromJson("{\"defaults\": {\"theta\": 0.004, \"density\": 0.5},"
                + " \"layers\": {\"layer0\": {\"sliceRows\": 8}}}");
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(base)
                .defaults(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.001, 0.003)).build())
                .layer("layer1", new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.01, 0.05))
                        .basisWidth(2).build())
                .build();
        assertEquals(2, space.numParameters(), "two searched leaves (the fixed basis width is not searched)");
        GridSearchCandidateGenerator g = new GridSearchCandidateGenerator(space, 3,
                GridSearchCandidateGenerator.Mode.Sequential, null);
        assertEquals(6, g.getTotalNumCandidates(), "3 thetas for the defaults x 2 for layer1");
        List<ConversionPlan> plans = new ArrayList<>();
        while (g.hasMoreCandidates()) {
            plans.add((ConversionPlan) g.getCandidate().getValue());
        }
        // Arbiter's sequential grid: the first leaf changes fastest; a continuous leaf takes 0, 0.5, 1 of its range
        double[] expectDefault = {0.001, 0.002, 0.003, 0.001, 0.002, 0.003};
        double[] expectLayer1 = {0.01, 0.01, 0.01, 0.05, 0.05, 0.05};
        for (int i = 0; i < 6; i++) {
            ConversionPlan p = plans.get(i);
            assertEquals(expectDefault[i], p.defaults().theta(), 1e-15, "defaults theta of candidate " + i);
            assertEquals(0, p.defaults().density(), "a sampled theta clears the density target");
            LayerPlan l0 = p.settingsFor("layer0");
            assertEquals(expectDefault[i], l0.theta(), 1e-15, "the defaults space reaches the base plan's override");
            assertEquals(8, l0.sliceRows(), "the base plan's own override is kept");
            LayerPlan l1 = p.settingsFor("layer1");
            assertEquals(expectLayer1[i], l1.theta(), 0);
            assertEquals(2, l1.basisWidth());
            assertEquals(192, l1.sliceRows(), "unsampled: the base plan's default");
        }
    }

    @Test
    void densityTargetsGoEverywhereAndReplaceTheThresholdsThenPerLayerOnes() {
        ConversionPlan base = ConversionPlan.fromJson("{\"defaults\": {\"theta\": 0.004},"
                + " \"layers\": {\"layer0\": {\"sliceRows\": 8, \"theta\": 0.01}}}");
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(base)
                .defaults(new SdHyperparameterSpace.Builder().theta(0.002).build())
                .density(new DiscreteParameterSpace<>(0.2, 0.5))
                .layerDensity("layer1", new FixedValue<>(0.9))
                .build();
        GridSearchCandidateGenerator g = grid(space);
        assertEquals(2, g.getTotalNumCandidates());
        for (double expected : new double[] {0.2, 0.5}) {
            ConversionPlan p = (ConversionPlan) g.getCandidate().getValue();
            assertEquals(expected, p.defaults().density(), 0, "a density target set after the sampled theta wins");
            assertEquals(expected, p.settingsFor("layer0").density(), 0, "and reaches the base plan's override");
            assertEquals(8, p.settingsFor("layer0").sliceRows());
            assertEquals(0.9, p.settingsFor("layer1").density(), 0, "the layer's own density comes last");
        }
        // the converter meets the targets: C density at most the target on each layer (SdConverter's search)
        ConversionSweep.Result r = ConversionSweep.run(dense, grid(space), 10, validation, 0.05, null);
        for (int i = 0; i < 2; i++) {
            ConversionCandidate c = r.candidates().get(i);
            assertTrue(c.ok(), c.error());
            assertTrue(c.report().layers().get(0).cDensity() <= c.plan().settingsFor("layer0").density() + 1e-12,
                    r.toTable());
        }
        assertTrue(r.candidates().get(0).paperCR() > r.candidates().get(1).paperCR(), "density 0.2 compresses more");
    }

    @Test
    void reTrainingWorksOnACopyAndScoresTheReTrainedFile(@TempDir Path dir) throws Exception {
        org.nd4j.linalg.api.ndarray.INDArray before = dense.params().dup();
        ConversionPlanSpace space = thetaGrid(0.4);
        ConversionCandidate plain = ConversionSweep.run(dense, grid(space), 1, validation, 0.01, null).candidates().get(0);
        ConversionTaskCreator.Retrain rt = new ConversionTaskCreator.Retrain(() -> blobs(600, 3), 2, 0, true, 0.05);
        ConversionSweep.Result r = ConversionSweep.run(dense, grid(space), 1, validation, 0.01,
                new ConversionSweep.Options(rt, null, CompressionScoreFunction.Objective.PAPER_CR), null);
        ConversionCandidate c = r.candidates().get(0);
        assertTrue(c.ok(), c.error());
        assertEquals(before, dense.params(), "the dense network is not modified: RT trains a copy");
        assertTrue(c.rtBestEpoch() >= 0 && c.rtBestEpoch() <= 2, "epoch " + c.rtBestEpoch());
        assertEquals(-1, plain.rtBestEpoch(), "no RT, no epoch");
        Path f = dir.resolve("rt.sdm");
        Files.write(f, c.sdm());
        assertEquals(ModelScore.of(SdModelFile.read(f), validation).accuracy(), c.accuracy(), 0);
        // without a ramp, RT's epoch 0 is the plain conversion, and RT keeps the best epoch on these same
        // validation examples (measured before B's int8 rounding, hence the small allowance)
        assertTrue(c.accuracy() >= plain.accuracy() - 0.01, "RT " + c.accuracy() + " vs plain " + plain.accuracy());
        assertTrue(r.toJsonNode().get("candidates").get(0).has("rtBestEpoch"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConversionTaskCreator.Retrain(() -> blobs(10, 3), 2, 3, true, 0.05));
        assertTrue(e.getMessage().contains("Retrain.rampEpochs must be in [0, epochs = 2], got 3"), e.getMessage());
    }

    @Test
    void theEnergyObjectivePicksTheLargestPricedGainWithinTheDrop(@TempDir Path dir) throws Exception {
        // a stand-in price with a known value: the L1 norm of the parameters plus one (positive, deterministic)
        ConversionTaskCreator.Pricing l1 = net -> 1 + net.params().norm1Number().doubleValue();
        Double[] thetas = {0.001, 0.05, 0.2, 1.0};
        ConversionSweep.Result r = ConversionSweep.run(dense, grid(thetaGrid(thetas)), 10, validation, 0.02,
                new ConversionSweep.Options(null, l1, CompressionScoreFunction.Objective.ENERGY), null);
        double base = 1 + dense.params().norm1Number().doubleValue();
        assertEquals(base, r.score().baselineEnergyPj(), 0, "the dense network priced once");
        int expected = -1;
        double bestGain = 0;
        for (int i = 0; i < thetas.length; i++) {
            ConversionCandidate c = r.candidates().get(i);
            Path f = dir.resolve("e" + i + ".sdm");
            Files.write(f, c.sdm());
            double price = l1.energyPj(SdModelFile.read(f));
            assertEquals(price, c.energyPj(), 1e-9 * price, "priced on the file's network");
            assertEquals(base / price, r.score().gain(c), 1e-9 * base / price);
            if (r.baseline().accuracy() - c.accuracy() <= 0.02 && base / price > bestGain) {
                bestGain = base / price;
                expected = i;
            }
        }
        assertEquals(expected, r.bestPosition(), r.toTable());
        assertTrue(r.toTable().contains("energy uJ"), r.toTable());
        assertEquals("ENERGY", r.toJsonNode().get("objective").asText());
        assertEquals(base, r.toJsonNode().get("baseline").get("energyPj").asDouble(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConversionSweep.Options(null, null, CompressionScoreFunction.Objective.ENERGY));
        assertTrue(e.getMessage().contains("the ENERGY objective needs a pricing"), e.getMessage());
        // a price that is not finite and > 0 fails its candidate, with the value
        ConversionSweep.Result bad = ConversionSweep.run(dense, grid(thetaGrid(0.001)), 1, validation, 0.02,
                new ConversionSweep.Options(null, net -> net instanceof MultiLayerNetwork m && m.getLayer(0).conf()
                        .getLayer() instanceof org.smartdeal.layers.SdLayer ? Double.NaN : 1.0,
                        CompressionScoreFunction.Objective.ENERGY), null);
        assertTrue(bad.candidates().get(0).error().contains("the price of candidate 0 must be finite and > 0 pJ, got NaN"),
                bad.candidates().get(0).error());
        assertFalse(bad.candidates().get(0).internalError(), "a bad value is the candidate's, not a defect");
        assertEquals(ConversionCandidate.Failure.SETTINGS, bad.candidates().get(0).failure());
        assertEquals("settings", bad.toJsonNode().get("candidates").get(0).get("failure").asText(),
                "sweep.json names the kind");
        // an exception other than IllegalArgumentException is a defect, reported as such, with the plan kept
        ConversionSweep.Result broken = ConversionSweep.run(dense, grid(thetaGrid(0.001)), 1, validation, 0.02,
                new ConversionSweep.Options(null, net -> {
                    if (net instanceof MultiLayerNetwork m && m.getLayer(0).conf().getLayer()
                            instanceof org.smartdeal.layers.SdLayer) {
                        throw new IllegalStateException("boom");
                    }
                    return 1.0;
                }, CompressionScoreFunction.Objective.ENERGY), null);
        ConversionCandidate c = broken.candidates().get(0);
        assertTrue(c.internalError(), c.error());
        assertEquals("internal error: java.lang.IllegalStateException: boom", c.error());
        assertEquals(ConversionCandidate.Failure.INTERNAL, c.failure());
        assertEquals(0.001, c.plan().defaults().theta(), 0, "the failed candidate keeps its plan");
        // so is an IllegalArgumentException from outside this project (here ND4J's preconditions): it is not
        // one of the checks on a candidate's settings or data
        ConversionSweep.Result nd4j = ConversionSweep.run(dense, grid(thetaGrid(0.001)), 1, validation, 0.02,
                new ConversionSweep.Options(null, net -> {
                    boolean sd = net instanceof MultiLayerNetwork m && m.getLayer(0).conf().getLayer()
                            instanceof org.smartdeal.layers.SdLayer;
                    org.nd4j.common.base.Preconditions.checkArgument(!sd, "shape mismatch");
                    return 1.0;
                }, CompressionScoreFunction.Objective.ENERGY), null);
        ConversionCandidate n = nd4j.candidates().get(0);
        assertTrue(n.internalError(), n.error());
        assertEquals("internal error: java.lang.IllegalArgumentException: shape mismatch", n.error());
        // the rule itself: this project's checks are the candidate's; a .sdm the candidate wrote that does not read
        // back, or an exception from the JDK, is a defect
        assertEquals("Retrain.rampEpochs must be in [0, epochs = 2], got 3", ConversionTaskCreator.failure(
                assertThrows(IllegalArgumentException.class,
                        () -> new ConversionTaskCreator.Retrain(() -> blobs(10, 3), 2, 3, true, 0.05))));
        // re-training that diverged at the candidate's settings is the candidate's own failure too
        assertEquals("RT epoch 1 of 2 diverged", ConversionTaskCreator.failure(
                new org.smartdeal.optim.TrainingDivergedException(
                        org.smartdeal.optim.TrainingDivergedException.Phase.RE_TRAINING, "RT epoch 1 of 2 diverged")));
        assertEquals(ConversionCandidate.Failure.DIVERGED, ConversionTaskCreator.kind(
                new org.smartdeal.optim.TrainingDivergedException(
                        org.smartdeal.optim.TrainingDivergedException.Phase.RE_TRAINING, "RT epoch 1 of 2 diverged")));
        // the kind follows the exception's type, not its words
        assertTrue(ConversionTaskCreator.failure(new IllegalStateException("RT epoch 1 of 2 diverged"))
                .startsWith(ConversionCandidate.INTERNAL_ERROR));
        assertEquals(ConversionCandidate.Failure.INTERNAL,
                ConversionTaskCreator.kind(new IllegalStateException("RT epoch 1 of 2 diverged")));
        assertTrue(ConversionTaskCreator.failure(new org.smartdeal.codec.SdmFormatException("bad"))
                .startsWith(ConversionCandidate.INTERNAL_ERROR));
        assertTrue(ConversionTaskCreator.failure(assertThrows(NumberFormatException.class, () -> Integer.parseInt("x")))
                .startsWith(ConversionCandidate.INTERNAL_ERROR + "java.lang.NumberFormatException"));
    }

    /**
     * The audit's case: with a shuffling training iterator shared by the candidates, a plan re-trained second saw
     * other shuffles than the same plan re-trained alone. Each candidate now gets a fresh iterator.
     */
    @Test
    void aReTrainedCandidateDoesNotDependOnItsPlaceInTheSweep() {
        ConversionTaskCreator.Retrain rt = new ConversionTaskCreator.Retrain(() -> new Reshuffled(blobs(300, 5), 9), 2, 0,
                true, 0.05);
        ConversionSweep.Options options = new ConversionSweep.Options(rt, null, CompressionScoreFunction.Objective.PAPER_CR);
        ConversionCandidate alone = ConversionSweep.run(dense, grid(thetaGrid(0.2)), 1, validation, 0.01, options, null)
                .candidates().get(0);
        ConversionCandidate second = ConversionSweep.run(dense, grid(thetaGrid(0.05, 0.2)), 2, validation, 0.01, options,
                null).candidates().get(1);
        assertEquals(0.2, second.plan().defaults().theta(), 0);
        assertArrayEquals(alone.sdm(), second.sdm(), "the same plan gives the same re-trained file wherever it runs");
    }

    /** A list of minibatches reshuffled, seeded by its epoch, at every reset (like the CLI's Fashion-MNIST iterator). */
    private static final class Reshuffled implements DataSetIterator {
        private final List<DataSet> examples = new ArrayList<>();
        private final long seed;
        private int epoch;
        private int cursor;
        private List<DataSet> order;

        Reshuffled(DataSetIterator source, long seed) {
            source.reset();
            while (source.hasNext()) {
                examples.addAll(source.next().asList());
            }
            this.seed = seed;
            reset();
        }

        @Override
        public DataSet next(int num) {
            List<DataSet> batch = order.subList(cursor, Math.min(cursor + num, order.size()));
            cursor += batch.size();
            return DataSet.merge(batch);
        }

        @Override
        public DataSet next() {
            return next(50);
        }

        @Override
        public boolean hasNext() {
            return cursor < order.size();
        }

        @Override
        public void reset() {
            order = new ArrayList<>(examples);
            java.util.Collections.shuffle(order, new Random(seed + epoch++));
            cursor = 0;
        }

        @Override
        public int inputColumns() {
            return 12;
        }

        @Override
        public int totalOutcomes() {
            return 3;
        }

        @Override
        public boolean resetSupported() {
            return true;
        }

        @Override
        public boolean asyncSupported() {
            return false;
        }

        @Override
        public int batch() {
            return 50;
        }

        @Override
        public void setPreProcessor(org.nd4j.linalg.dataset.api.DataSetPreProcessor preProcessor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.nd4j.linalg.dataset.api.DataSetPreProcessor getPreProcessor() {
            return null;
        }

        @Override
        public List<String> getLabels() {
            return null;
        }
    }

    @Test
    void aSeededRandomSearchRepeats() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.001, 0.05))
                        .sliceRows(6).build())
                .build();
        List<List<Double>> runs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            RandomSearchGenerator gen = new RandomSearchGenerator(space, null);
            gen.setRngSeed(11);
            ConversionSweep.Result r = ConversionSweep.run(dense, gen, 3, validation, 0.01, null);
            assertEquals(3, r.candidates().size(), "a random search runs up to the cap");
            List<Double> figures = new ArrayList<>();
            for (ConversionCandidate c : r.candidates()) {
                figures.add(c.plan().defaults().theta());
                figures.add(c.paperCR());
                figures.add(c.accuracy());
            }
            runs.add(figures);
        }
        assertEquals(runs.get(0), runs.get(1));
    }

    @Test
    void aRandomSearchOverAListRunsEachPlanOnceAndStopsWhenTheListIsUsedUp() {
        // Arbiter's random search draws list values with replacement; a plan's result follows from the plan alone
        RandomSearchGenerator gen = new RandomSearchGenerator(thetaGrid(0.001, 0.02, 0.1), null);
        gen.setRngSeed(5);
        ConversionSweep.Result r = ConversionSweep.run(dense, gen, 10, validation, 0.01, null);
        List<Double> thetas = new ArrayList<>();
        r.candidates().forEach(c -> thetas.add(c.plan().defaults().theta()));
        assertEquals(3, thetas.size(), "three distinct plans, not ten runs: " + thetas);
        assertEquals(3, new java.util.HashSet<>(thetas).size(), thetas.toString());
        assertEquals(ConversionSweep.Stop.ALL_SETTINGS_RUN, r.stop());
        // the repeats: the same generator replayed by hand, drawing until the three values have come up
        RandomSearchGenerator replay = new RandomSearchGenerator(thetaGrid(0.001, 0.02, 0.1), null);
        replay.setRngSeed(5);
        java.util.Set<Double> seen = new java.util.HashSet<>();
        int draws = 0;
        while (seen.size() < 3) {
            seen.add(((ConversionPlan) replay.getCandidate().getValue()).defaults().theta());
            draws++;
        }
        assertEquals(draws - 3, r.repeatsSkipped());
        assertEquals(r.repeatsSkipped(), r.toJsonNode().get("repeatsSkipped").asInt());
        assertEquals("ALL_SETTINGS_RUN", r.toJsonNode().get("stop").asText());

        // under the cap: as many distinct plans as asked, in the generator's order with repeats left out
        RandomSearchGenerator again = new RandomSearchGenerator(thetaGrid(0.001, 0.02, 0.1), null);
        again.setRngSeed(5);
        ConversionSweep.Result two = ConversionSweep.run(dense, again, 2, validation, 0.01, null);
        assertEquals(thetas.subList(0, 2), two.candidates().stream().map(c -> c.plan().defaults().theta()).toList());
        assertEquals(ConversionSweep.Stop.CAP, two.stop());

        // a grid of distinct values never repeats: nothing skipped, stopped when it ran out
        ConversionSweep.Result g = ConversionSweep.run(dense, grid(thetaGrid(0.001, 0.1)), 5, validation, 0.01, null);
        assertEquals(0, g.repeatsSkipped());
        assertEquals(2, g.candidates().size());
        assertEquals(ConversionSweep.Stop.GENERATOR_DONE, g.stop());
        // a grid exactly as large as the cap ran to its end: GENERATOR_DONE, not CAP (sweep.json said CAP)
        ConversionSweep.Result exact = ConversionSweep.run(dense, grid(thetaGrid(0.001, 0.1)), 2, validation, 0.01, null);
        assertEquals(2, exact.candidates().size());
        assertEquals(ConversionSweep.Stop.GENERATOR_DONE, exact.stop());
        // three list values drawn at random with a cap of three: all settings run
        RandomSearchGenerator three = new RandomSearchGenerator(thetaGrid(0.001, 0.02, 0.1), null);
        three.setRngSeed(5);
        assertEquals(ConversionSweep.Stop.ALL_SETTINGS_RUN,
                ConversionSweep.run(dense, three, 3, validation, 0.01, null).stop());
    }

    /**
     * A generator over a space whose size is unknown (a continuous theta) that proposes one plan only: the sweep runs
     * it once and gives up after MAX_REPEATS_IN_A_ROW repeats.
     */
    @Test
    void aGeneratorThatOnlyRepeatsStopsAtTheRepeatLimit() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.001, 0.05))
                        .sliceRows(6).basisWidth(3).build())
                .build();
        assertEquals(-1, space.distinctSettings());
        ConversionPlan plan = thetaGrid(0.01).getValue(new double[0]);
        int[] drawn = {0};
        org.deeplearning4j.arbiter.optimize.api.CandidateGenerator same =
                new org.deeplearning4j.arbiter.optimize.api.CandidateGenerator() {
                    @Override
                    public boolean hasMoreCandidates() {
                        return true;
                    }

                    @Override
                    public org.deeplearning4j.arbiter.optimize.api.Candidate<ConversionPlan> getCandidate() {
                        return new org.deeplearning4j.arbiter.optimize.api.Candidate<>(plan, drawn[0]++, new double[1]);
                    }

                    @Override
                    public void reportResults(org.deeplearning4j.arbiter.optimize.api.OptimizationResult result) {
                    }

                    @Override
                    public org.deeplearning4j.arbiter.optimize.api.ParameterSpace<?> getParameterSpace() {
                        return space;
                    }

                    @Override
                    public void setRngSeed(long seed) {
                    }

                    @Override
                    public Class<?> getCandidateType() {
                        return ConversionPlan.class;
                    }
                };
        ConversionSweep.Result r = ConversionSweep.run(dense, same, 5, validation, 0.01, null);
        assertEquals(1, r.candidates().size());
        assertEquals(ConversionSweep.MAX_REPEATS_IN_A_ROW, r.repeatsSkipped());
        assertEquals(ConversionSweep.Stop.REPEAT_LIMIT, r.stop());
        assertEquals(1 + ConversionSweep.MAX_REPEATS_IN_A_ROW, drawn[0]);
        // a list space counts its settings
        assertEquals(3, thetaGrid(0.001, 0.02, 0.1).distinctSettings());
        assertEquals(1, thetaGrid(0.01).distinctSettings());
    }

    @Test
    @SuppressWarnings("deprecation") // Arbiter's DataProvider form is tested too
    void worksUnderArbitersLocalOptimizationRunner() throws Exception {
        ConversionPlanSpace space = thetaGrid(0.001, 0.1);
        ModelScore base = ModelScore.of(dense, validation);
        OptimizationConfiguration conf = new OptimizationConfiguration.Builder()
                .candidateGenerator(grid(space))
                .dataProvider(new ConversionSweep.ValidationData(validation))
                .scoreFunction(new CompressionScoreFunction(base.accuracy(), 0.01))
                .terminationConditions(new MaxCandidatesCondition(2))
                .build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(conf, new ConversionTaskCreator(dense));
        runner.execute();
        assertEquals(2, runner.numCandidatesCompleted());
        assertEquals(0, runner.numCandidatesFailed());
        List<ResultReference> results = runner.getResults();
        assertEquals(2, results.size());
        for (ResultReference ref : results) {
            OptimizationResult res = ref.getResult();
            ConversionCandidate c = (ConversionCandidate) res.getModelSpecificResults();
            assertEquals(new CompressionScoreFunction(base.accuracy(), 0.01).score(c), res.getScore(), 0);
            Model m = (Model) ref.getResultModel();
            assertNotNull(m);
            assertEquals(c.accuracy(), ModelScore.of(m, validation).accuracy(), 0);
        }
    }

    /** The table names every per-layer setting that differs from the defaults (it showed the sparsity only). */
    @Test
    void theTableNamesEachLayersOwnSliceSettings() {
        ConversionPlan p = ConversionPlan.fromJson("{\"defaults\": {\"theta\": 0.004, \"sliceRows\": 192}, \"layers\": {"
                + "\"layer1\": {\"sliceRows\": 8, \"basisWidth\": 2, \"maxCoeff\": 16}, \"layer0\": {\"density\": 0.05}}}");
        assertEquals("layer0 d=0.05, layer1 t=0.004 rows=8 width=2 maxC=16", ConversionSweep.Result.overrides(p));
    }

    /** A runner configured without data fails each candidate saying so (it was a NullPointerException). */
    @Test
    @SuppressWarnings("deprecation") // Arbiter's DataProvider form is tested too
    void aRunnerWithoutDataNamesWhatIsMissing() throws Exception {
        ConversionPlanSpace space = thetaGrid(0.001, 0.1);
        org.deeplearning4j.arbiter.optimize.api.Candidate<?> first = grid(space).getCandidate();
        ConversionTaskCreator creator = new ConversionTaskCreator(dense);
        String want = "ConversionTaskCreator: no validation data: give the OptimizationConfiguration a dataSource(...) "
                + "or a dataProvider(...)";
        for (OptimizationResult r : List.of(
                creator.create(first, (org.deeplearning4j.arbiter.optimize.api.data.DataProvider) null, null, null, null)
                        .call(),
                creator.create(first, null, null, null, null, null).call())) {
            assertEquals(want, ((ConversionCandidate) r.getModelSpecificResults()).error());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        ConversionPlanSpace space = thetaGrid(0.001);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversionSweep.run(dense, grid(space), 0, validation, 0.01, null));
        assertTrue(e.getMessage().contains("maxCandidates must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConversionSweep.run(dense, grid(space), 1, validation, 1.5, null));
        assertTrue(e.getMessage().contains("maxDrop must be a fraction in [0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                        .layer("a", new SdHyperparameterSpace.Builder().build())
                        .layer("a", new SdHyperparameterSpace.Builder().build()));
        assertTrue(e.getMessage().contains("layer(a)") && e.getMessage().contains("already has a space"), e.getMessage());
        // Arbiter beta7's grid leaves one-value discrete spaces out of its vector but not out of the numbering
        e = assertThrows(IllegalArgumentException.class, () -> new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .density(new DiscreteParameterSpace<>(0.045)));
        assertTrue(e.getMessage().contains("ConversionPlanSpace.density is a DiscreteParameterSpace of one value"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SdHyperparameterSpace.Builder()
                .sliceRows(new DiscreteParameterSpace<>(96)));
        assertTrue(e.getMessage().contains("SdHyperparameterSpace.sliceRows is a DiscreteParameterSpace of one value"),
                e.getMessage());
        // fixed values the SD layers accept but a plan does not: refused when the space is built (each failed every
        // candidate; LayerPlan allows basisWidth up to 16, maxCoeff up to 2^10, density up to 1)
        for (Object[] c : new Object[][] {
            {new SdHyperparameterSpace.Builder().basisWidth(32).build(), null, "basisWidth must be in [1, 16], got 32"},
            {new SdHyperparameterSpace.Builder().maxCoeff(2048.0).build(), null, "maxCoeff"},
            {null, 1.5, "density must be in [0, 1], got 1.5"}}) {
            ConversionPlanSpace.Builder b = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan());
            if (c[0] != null) {
                b.layer("layer0", (SdHyperparameterSpace) c[0]);
            } else {
                b.layerDensity("layer1", new FixedValue<>((Double) c[1]));
            }
            e = assertThrows(IllegalArgumentException.class, b::build);
            assertTrue(e.getMessage().startsWith("ConversionPlanSpace: a fixed value gives no valid plan, so every "
                    + "candidate would fail: ") && e.getMessage().contains((String) c[2]), e.getMessage());
        }
        // a fixed slice height below a fixed basis width is a dense layer's error, found against the network
        ConversionPlanSpace thin = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().sliceRows(2).basisWidth(3)
                        .theta(new DiscreteParameterSpace<>(0.004, 0.01)).build())
                .build();
        e = assertThrows(IllegalArgumentException.class,
                () -> ConversionSweep.run(dense, grid(thin), 10, validation, 0.01, null));
        assertEquals("plan for layer layer0: sliceRows must be >= basisWidth (3) for a DenseLayer, got 2", e.getMessage());
        // a searched basis width is not held against a fixed slice height: widths 1 and 2 both fit 2 rows (a review
        // found this search refused against the base plan's width 3)
        ConversionPlanSpace narrow = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().sliceRows(2).basisWidth(new DiscreteParameterSpace<>(1, 2))
                        .build())
                .build();
        ConversionSweep.Result ok = ConversionSweep.run(dense, grid(narrow), 10, validation, 0.01, null);
        assertEquals(2, ok.candidates().size());
        assertTrue(ok.candidates().stream().allMatch(ConversionCandidate::ok), ok.toTable());
        // the same with an integer range of one value (every grid candidate failed with ArrayIndexOutOfBounds)
        e = assertThrows(IllegalArgumentException.class, () -> new SdHyperparameterSpace.Builder()
                .basisWidth(new IntegerParameterSpace(3, 3)));
        assertTrue(e.getMessage().contains("SdHyperparameterSpace.basisWidth is an IntegerParameterSpace of one value"),
                e.getMessage());
    }

    /** The README's "As a library" conversion-sweep example, verbatim between the markers. */
    @Test
    void readmeExampleSweepsAndGivesTheBestFile() throws Exception {
        MultiLayerNetwork trainedNet = dense;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        byte[] sdmOfBest;
        ConversionSweep.Result result;
        try {
            // README begin
            ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                    .defaults(new SdHyperparameterSpace.Builder()
                            .theta(new ContinuousParameterSpace(new LogUniformDistribution(1e-3, 1.6e-2))).build())
                    .layer("layer1", new SdHyperparameterSpace.Builder().theta(1e-3).build())   // a layer of trainedNet, by name
                    .build();
            ConversionSweep.Result r = ConversionSweep.run(trainedNet,
                    new GridSearchCandidateGenerator(space, 5, GridSearchCandidateGenerator.Mode.Sequential, null),
                    20, validation, 0.01, null);                    // at most 20 candidates; accuracy drop <= 0.01
            System.out.print(r.toTable());
            byte[] bestSdm = r.best().orElseThrow().sdm();          // the chosen candidate's .sdm file
            // README end
            sdmOfBest = bestSdm;
            result = r;
        } finally {
            System.setOut(stdout);
        }
        assertEquals(5, result.candidates().size());
        // log-uniform over [1e-3, 1.6e-2] at 0, 1/4, ..., 1 of the range: 1e-3 x 2^k
        for (int k = 0; k < 5; k++) {
            ConversionPlan p = result.candidates().get(k).plan();
            assertEquals(1e-3 * Math.pow(2, k), p.defaults().theta(), 1e-12);
            assertEquals(1e-3, p.settingsFor("layer1").theta(), 0, "the layer's own setting");
        }
        assertTrue(printed.toString(java.nio.charset.StandardCharsets.UTF_8).contains("paper CR"));
        assertEquals(result.best().orElseThrow().accuracy(),
                ModelScore.of(ConversionTaskCreator.rebuild(sdmOfBest, 0), validation).accuracy(), 0);
    }
}
