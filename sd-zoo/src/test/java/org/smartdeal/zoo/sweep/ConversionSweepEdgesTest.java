package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.ConversionPlan;

/**
 * {@link ConversionSweep} at its edges, on an untrained 12-16-3 network (seed 7) and 30 seeded random examples
 * (each candidate converts in milliseconds): every argument check with its message, the listener's total for a
 * random search, the result's own checks, and the table, CSV and JSON of failed and priced candidates read field
 * by field. Cases no earlier test checked, written from the class Javadoc (a mutation-testing run meant to list them
 * did not finish; docs/RESULTS.md 8); {@code ConversionSweepTest} runs the sweeps on a trained network. The
 * tables of working candidates, RT's epoch 0, {@code Options}' checks and the generator's reported results were added
 * for the survivors of a later PIT run of {@code ConversionSweep} against the quick sweep tests (RESULTS 8).
 */
class ConversionSweepEdgesTest {

    private static MultiLayerNetwork net;

    @BeforeAll
    static void untrainedNetwork() {
        net = untrained12x16x3();
    }

    /** The edge tests' network: 12 inputs, 16 tanh units, 3 softmax outputs, seed 7, untrained. */
    static MultiLayerNetwork untrained12x16x3() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(16).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    private static DataSetIterator data() {
        return ConversionTaskCreatorEdgesTest.examples(30, 1);
    }

    private static ConversionPlanSpace thetas(Double... values) {
        return new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(values)).sliceRows(6)
                        .basisWidth(3).build())
                .build();
    }

    private static GridSearchCandidateGenerator grid(ConversionPlanSpace space) {
        return new GridSearchCandidateGenerator(space, 5, GridSearchCandidateGenerator.Mode.Sequential, null);
    }

    private static String refused(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    /** Every argument of run, refused with its rule and value; the ends of maxDrop and maxCandidates accepted. */
    @Test
    void everyArgumentIsCheckedWithItsRuleAndValue() {
        ConversionPlanSpace space = thetas(0.01, 0.02);
        assertEquals("ConversionSweep: options must be given (Options.DEFAULT for none), got null",
                refused(() -> ConversionSweep.run(net, grid(space), 1, data(), 0.01, null, null)));
        assertEquals("ConversionSweep: generator must be an Arbiter CandidateGenerator, got null",
                refused(() -> ConversionSweep.run(net, null, 1, data(), 0.01, null)));
        SdHyperparameterSpace other = new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.01, 0.02))
                .build();
        assertEquals("ConversionSweep: the generator's space must be a ConversionPlanSpace, got "
                + SdHyperparameterSpace.class.getName(), refused(() -> ConversionSweep.run(net,
                        new GridSearchCandidateGenerator(other, 2, GridSearchCandidateGenerator.Mode.Sequential, null), 1,
                        data(), 0.01, null)));
        assertEquals("ConversionSweep: validation data must be a DataSetIterator, got null",
                refused(() -> ConversionSweep.run(net, grid(space), 1, null, 0.01, null)));
        for (double bad : new double[] {Math.nextDown(0.0), Math.nextUp(1.0), Double.NaN}) {
            assertEquals("ConversionSweep: maxDrop must be a fraction in [0, 1] (0.01 = one accuracy point), got " + bad,
                    refused(() -> ConversionSweep.run(net, grid(space), 1, data(), bad, null)));
        }
        assertEquals("ConversionSweep: the validation data holds no examples", refused(() -> ConversionSweep.run(net,
                grid(space), 1, new ListDataSetIterator<>(List.<DataSet>of(), 10), 0.01, null)));
        assertEquals("ConversionTaskCreator: the network must be an initialised MultiLayerNetwork or ComputationGraph, "
                + "got null", refused(() -> ConversionSweep.run(null, grid(space), 1, data(), 0.01, null)));
        ConversionSweep.Result one = ConversionSweep.run(net, grid(space), 1, data(), 0, null);
        assertEquals(1, one.candidates().size(), "a cap of 1 runs one");
        assertEquals(ConversionSweep.Stop.CAP, one.stop(), "the grid holds a second");
        assertEquals(0, one.score().maxDrop(), 0);
        assertEquals(1, ConversionSweep.run(net, grid(space), 2, data(), 1, null).score().maxDrop(), 0);
    }

    /**
     * The listener's total is the cap for a generator other than a grid (a random search over a range: the space
     * does not bound it), and the grid's size when the grid is smaller.
     */
    @Test
    void theListenersTotalIsTheCapForARandomSearch() {
        ConversionPlanSpace range = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.001, 0.05)).sliceRows(6)
                        .basisWidth(3).build())
                .build();
        RandomSearchGenerator random = new RandomSearchGenerator(range, null);
        random.setRngSeed(3);
        List<int[]> heard = new ArrayList<>();
        ConversionSweep.Result r = ConversionSweep.run(net, random, 2, data(), 0.01,
                (c, done, total) -> heard.add(new int[] {c.index(), done, total}));
        assertEquals(2, r.candidates().size());
        assertEquals(List.of("0 1 2", "1 2 2"), heard.stream().map(h -> h[0] + " " + h[1] + " " + h[2]).toList());
        assertEquals(ConversionSweep.Stop.CAP, r.stop());
        heard.clear();
        ConversionSweep.run(net, grid(thetas(0.01, 0.02)), 7, data(), 0.01,
                (c, done, total) -> heard.add(new int[] {c.index(), done, total}));
        assertEquals(List.of("0 1 2", "1 2 2"), heard.stream().map(h -> h[0] + " " + h[1] + " " + h[2]).toList());
    }

    /** The validation iterator as Arbiter's data provider: its test data, no training data. */
    @Test
    void theValidationDataHasNoTrainingData() {
        DataSetIterator it = data();
        ConversionSweep.ValidationData v = new ConversionSweep.ValidationData(it);
        assertSame(it, v.testData(null));
        assertEquals(DataSetIterator.class, v.getDataType());
        assertEquals("a conversion sweep's data provider holds validation data only (re-training data goes to "
                + "ConversionTaskCreator.Retrain)", assertThrows(UnsupportedOperationException.class,
                        () -> v.trainData(null)).getMessage());
    }

    /**
     * A result of failed candidates only (built by hand): no best, not within the bound, a negative repeat count
     * refused; its table, CSV and JSON name each failure. One plan has a layer named with a comma and a quote, so the
     * CSV quotes its overrides field and doubles the quote (RFC 4180), as it does in the error.
     */
    @Test
    void aResultOfFailedCandidatesReportsEachFailure() {
        ConversionPlan odd = ConversionPlan.fromJson("{\"defaults\": {\"theta\": 0.004}, \"layers\": {\"fc,\\\"1\": "
                + "{\"density\": 0.25}}}");
        List<ConversionCandidate> list = new ArrayList<>(List.of(
                ConversionCandidate.failed(0, null, 1.5, ConversionCandidate.Failure.SETTINGS, "no \"plan\""),
                ConversionCandidate.failed(1, odd, 2, ConversionCandidate.Failure.DIVERGED, "RT diverged"),
                ConversionCandidate.failed(2, ConversionPlan.fromJson("{\"defaults\": {\"density\": 0.1}}"), 3,
                        ConversionCandidate.Failure.DIVERGED, "RT diverged")));
        CompressionScoreFunction score = new CompressionScoreFunction(0.9, 0.01);
        ConversionSweep.Result r = new ConversionSweep.Result(new ModelScore(0.9, 0.3, 30), score, list, -1, 0,
                ConversionSweep.Stop.GENERATOR_DONE);
        list.clear();
        assertEquals(3, r.candidates().size(), "the list is copied");
        assertTrue(r.best().isEmpty());
        assertFalse(r.bestWithinDrop());
        assertEquals("ConversionSweep.Result: repeatsSkipped must be >= 0, got -1", refused(() -> new ConversionSweep.Result(
                new ModelScore(0.9, 0.3, 30), score, List.of(), -1, -1, ConversionSweep.Stop.CAP)));

        String[] table = r.toTable().split("\n");
        assertTrue(table[0].endsWith("  layers (own settings)"), table[0]);
        assertFalse(table[0].contains("energy uJ"), table[0]);
        assertEquals(" 0   failed: no \"plan\"", table[1]);
        assertEquals(" 1   failed: RT diverged", table[2]);

        String[] csv = r.toCsv().split("\n");
        assertEquals(21, csv[0].split(",").length);
        assertEquals("0,,,,,,,,,,,,,,,,false,,false,1.5,\"no \"\"plan\"\"\"", csv[1]);
        assertEquals("1,0.004,,192,3,32.0,\"fc,\"\"1 d=0.25\",,,,,,,,,,false,,false,2.0,\"RT diverged\"", csv[2]);
        // a density target replaces the threshold: its theta column is blank, as the table's is "-"
        assertEquals("2,,0.1,192,3,32.0,,,,,,,,,,,false,,false,3.0,\"RT diverged\"", csv[3]);

        JsonNode json = r.toJsonNode();
        assertTrue(json.get("best").isNull());
        assertFalse(json.get("bestWithinDrop").asBoolean());
        assertEquals("GENERATOR_DONE", json.get("stop").asText());
        assertEquals("PAPER_CR", json.get("objective").asText());
        assertEquals(1.0, json.get("maxDropPoints").asDouble(), 0);
        assertFalse(json.get("baseline").has("energyPj"));
        assertEquals(30, json.get("baseline").get("examples").asLong());
        JsonNode c0 = json.get("candidates").get(0);
        assertTrue(c0.get("plan").isNull());
        assertEquals("settings", c0.get("failure").asText());
        assertEquals("no \"plan\"", c0.get("error").asText());
        assertFalse(c0.has("accuracy"));
        JsonNode c1 = json.get("candidates").get(1);
        assertEquals("diverged", c1.get("failure").asText());
        assertEquals(0.25, c1.get("plan").get("layers").get("fc,\"1").get("density").asDouble(), 0);
    }

    /**
     * A priced sweep's table and JSON: a stand-in price of 4e6 pJ for the dense network and 2e6 pJ for any SD one
     * gives each candidate 2.000 uJ and an energy gain of 2.00; the candidates' own JSON carries energyPj and the
     * gain, and RT's epoch only when there was RT. The best (of equal gains, the smaller drop) is marked with * in
     * the table and named in the CSV and JSON.
     */
    @Test
    void aPricedSweepReportsEnergyAndItsGain() {
        ConversionTaskCreator.Pricing price = n -> n instanceof MultiLayerNetwork m
                && m.getLayer(0).conf().getLayer() instanceof org.smartdeal.layers.SdLayer ? 2e6 : 4e6;
        ConversionSweep.Result r = ConversionSweep.run(net, grid(thetas(0.01, 0.02)), 5, data(), 1,
                new ConversionSweep.Options(null, price, CompressionScoreFunction.Objective.ENERGY), null);
        assertEquals(2, r.candidates().size());
        assertEquals(4e6, r.score().baselineEnergyPj(), 0);
        String[] table = r.toTable().split("\n");
        assertTrue(table[0].contains(" energy uJ  E gain "), table[0]);
        assertFalse(table[0].contains("layers"), table[0]);
        for (int i = 1; i <= 2; i++) {
            assertTrue(table[i].contains("      2.000    2.00 "), table[i]);
        }
        int best = r.bestPosition();
        assertTrue(best == 0 || best == 1, r.toTable());
        assertTrue(table[1 + best].startsWith("*" + best + " ") && table[2 - best].startsWith(" " + (1 - best) + " "),
                r.toTable());
        String[] csv = r.toCsv().split("\n");
        String[] row = csv[1 + best].split(",", -1);
        assertEquals("2000000.0", row[12], "energyPj");
        assertEquals("", row[17], "no RT epoch");
        assertEquals("true", row[18], "best");
        assertEquals("false", csv[2 - best].split(",", -1)[18]);
        JsonNode c = r.toJsonNode().get("candidates").get(best);
        assertEquals(2e6, c.get("energyPj").asDouble(), 0);
        assertEquals(2.0, c.get("energyGain").asDouble(), 0);
        assertEquals(-2.0, c.get("score").asDouble(), 0);
        assertFalse(c.has("rtBestEpoch"));
        assertEquals(best, r.toJsonNode().get("best").asInt());
        assertTrue(r.toJsonNode().get("bestWithinDrop").asBoolean());
    }

    /** The candidate {@code plan} gives on the edge tests' network, converted only (no RT), with RT's epoch set. */
    private static ConversionCandidate converted(int index, String plan, int rtBestEpoch) {
        ConversionCandidate c = new ConversionTaskCreator(net).evaluate(index, ConversionPlan.fromJson(plan), data());
        assertTrue(c.ok(), c.error());
        return new ConversionCandidate(c.index(), c.plan(), c.report(), c.paperCR(), c.fileCR(), c.sdm(), c.accuracy(),
                c.loss(), c.examples(), rtBestEpoch, c.energyPj(), c.seconds(), null, null);
    }

    /**
     * A table of working candidates: the theta column holds the threshold and the density column "-" for a plan by
     * threshold (density 0), and the other way round for a plan by density target (Result.toTable's Javadoc); each
     * row ends with its own overrides when any candidate has some: a layer's threshold as t=, its density as d=, its
     * slice height when it differs from the defaults' 6, and nothing for a plan without overrides.
     */
    @Test
    void aTableOfWorkingCandidatesShowsThetaOrDensityAndEachRowsOverrides() {
        ConversionCandidate byTheta = converted(0, "{\"defaults\": {\"theta\": 0.01, \"sliceRows\": 6, "
                + "\"basisWidth\": 3}, \"layers\": {\"layer0\": {\"theta\": 0.02, \"sliceRows\": 4}}}", -1);
        ConversionCandidate byDensity = converted(1, "{\"defaults\": {\"density\": 0.25, \"sliceRows\": 6, "
                + "\"basisWidth\": 3}, \"layers\": {\"layer1\": {\"density\": 0.5}}}", -1);
        ConversionCandidate plain = converted(2, "{\"defaults\": {\"theta\": 0.01, \"sliceRows\": 6, "
                + "\"basisWidth\": 3}}", -1);
        CompressionScoreFunction score = new CompressionScoreFunction(1, 1);
        ConversionSweep.Result r = new ConversionSweep.Result(new ModelScore(1, 0.3, 30), score,
                List.of(byTheta, byDensity, plain), 0, 0, ConversionSweep.Stop.GENERATOR_DONE);
        String[] table = r.toTable().split("\n");
        assertEquals(4, table.length, r.toTable());
        // mark, theta, density, rows, width, maxCoeff (the default 32)
        assertEquals(List.of("*0", "0.01", "-", "6", "3", "32"), List.of(table[1].trim().split(" +")).subList(0, 6));
        assertTrue(table[1].endsWith("  layer0 t=0.02 rows=4"), table[1]);
        // a baseline of 1 with a bound of 1 (100 points) holds every accuracy: each row says "yes" under "within"
        for (int i = 1; i <= 3; i++) {
            assertTrue(table[i].contains(" yes "), table[i]);
        }
        assertEquals(List.of("1", "-", "0.25", "6", "3", "32"), List.of(table[2].trim().split(" +")).subList(0, 6));
        assertTrue(table[2].endsWith("  layer1 d=0.5"), table[2]);
        assertTrue(table[3].endsWith("  "), "no overrides: the column is empty: '" + table[3] + "'");
        assertFalse(table[3].contains("="), table[3]);
    }

    /**
     * A working candidate's CSV and JSON: RT's best epoch 0 is an epoch (only -1, no RT, leaves the field out), the
     * best at position 0 is named, and overrides without a comma or quote in them are written unquoted, "; " between
     * layers.
     */
    @Test
    void aCandidateReTrainedBestAtEpochZeroKeepsItsEpochInCsvAndJson() {
        ConversionCandidate c = converted(4, "{\"defaults\": {\"theta\": 0.01, \"sliceRows\": 6, \"basisWidth\": "
                + "3}, \"layers\": {\"layer0\": {\"theta\": 0.02}, \"layer1\": {\"density\": 0.5}}}", 0);
        ConversionCandidate failed = ConversionCandidate.failed(5, null, 0, ConversionCandidate.Failure.SETTINGS, "x");
        ConversionSweep.Result r = new ConversionSweep.Result(new ModelScore(1, 0.3, 30),
                new CompressionScoreFunction(1, 1), List.of(c, failed), 0, 0, ConversionSweep.Stop.CAP);
        String[] row = r.toCsv().split("\n")[1].split(",", -1);
        assertEquals(21, row.length);
        assertEquals("4", row[0]);
        assertEquals("layer0 t=0.02; layer1 d=0.5", row[6]);
        assertEquals("0", row[17], "rtBestEpoch");
        assertEquals("true", row[18], "best");
        JsonNode json = r.toJsonNode();
        assertEquals(4, json.get("best").asInt());
        assertEquals(0, json.get("candidates").get(0).get("rtBestEpoch").asInt());
        assertTrue(json.get("candidates").get(0).has("rtBestEpoch"));
    }

    /** Options: an objective is required, and ENERGY needs a pricing; PAPER_CR needs none. */
    @Test
    void optionsNeedAnObjectiveAndEnergyNeedsAPricing() {
        assertEquals("ConversionSweep.Options.objective must be PAPER_CR or ENERGY, got null",
                refused(() -> new ConversionSweep.Options(null, null, null)));
        assertEquals("ConversionSweep.Options: the ENERGY objective needs a pricing, got none",
                refused(() -> new ConversionSweep.Options(null, null, CompressionScoreFunction.Objective.ENERGY)));
        ConversionTaskCreator.Pricing price = n -> 1;
        assertSame(price, new ConversionSweep.Options(null, price, CompressionScoreFunction.Objective.ENERGY).pricing());
        assertEquals(CompressionScoreFunction.Objective.PAPER_CR,
                new ConversionSweep.Options(null, null, CompressionScoreFunction.Objective.PAPER_CR).objective());
        assertEquals(CompressionScoreFunction.Objective.PAPER_CR,
                new ConversionSweep.Options(null, price, CompressionScoreFunction.Objective.PAPER_CR).objective());
    }

    /**
     * The generator hears every candidate's result, in the order run, with the candidate as its model-specific
     * result (Arbiter's contract: an adaptive generator proposes from them); a grid of two run with a cap of two
     * ran to its end, so the sweep stopped because the generator was done, not at the cap.
     */
    @Test
    void theGeneratorHearsEveryResultAndAGridAsLargeAsTheCapIsDone() {
        List<org.deeplearning4j.arbiter.optimize.api.OptimizationResult> heard = new ArrayList<>();
        GridSearchCandidateGenerator g = new GridSearchCandidateGenerator(thetas(0.01, 0.02), 5,
                GridSearchCandidateGenerator.Mode.Sequential, null) {
            @Override
            public void reportResults(org.deeplearning4j.arbiter.optimize.api.OptimizationResult result) {
                heard.add(result);
            }
        };
        ConversionSweep.Result r = ConversionSweep.run(net, g, 2, data(), 0.01, null);
        assertEquals(2, r.candidates().size());
        assertEquals(ConversionSweep.Stop.GENERATOR_DONE, r.stop());
        assertEquals(2, heard.size());
        for (int i = 0; i < 2; i++) {
            assertSame(r.candidates().get(i), heard.get(i).getModelSpecificResults());
            assertEquals(i, heard.get(i).getIndex());
        }
    }

    /**
     * A candidate whose plan could not be made for a reason other than one of this project's checks is an internal
     * failure, by ConversionTaskCreator.failure's rule (SETTINGS only for an IllegalArgumentException thrown from an
     * org.smartdeal class; ConversionCandidate.Failure.SETTINGS: "a check this project makes refused the
     * candidate's settings"). Arbiter's grid with one point per range (discretization count 1) leaves the range out
     * of the vector it builds, so the leaf after it reads past the end (the bug SdHyperparameterSpace.gridSafe
     * describes): every candidate throws an ArrayIndexOutOfBoundsException. Before, both candidates were reported as
     * SETTINGS failures with the bare "Index 1 out of bounds for length 1", as if the user's values were out of range.
     */
    @Test
    void aPlanThatCouldNotBeMadeForAnotherReasonThanACheckIsAnInternalFailure() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.001, 0.01))
                        .maxCoeff(new DiscreteParameterSpace<>(16.0, 32.0)).sliceRows(6).basisWidth(3).build())
                .build();
        ConversionSweep.Result r = ConversionSweep.run(net,
                new GridSearchCandidateGenerator(space, 1, GridSearchCandidateGenerator.Mode.Sequential, null), 10, data(),
                0.01, null);
        assertEquals(2, r.candidates().size());
        for (ConversionCandidate c : r.candidates()) {
            assertEquals(ConversionCandidate.Failure.INTERNAL, c.failure(), c.error());
            assertTrue(c.internalError());
            assertTrue(c.error().startsWith("internal error: the plan could not be made from the sample: "
                    + "java.lang.ArrayIndexOutOfBoundsException: "), c.error());
        }
        assertEquals("internal", r.toJsonNode().get("candidates").get(0).get("failure").asText());
    }
}
