package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.AdamSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.serde.jackson.JsonMapper;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.optim.BucketSwitch;

/**
 * The SD layer spaces and {@link SdHyperparameterSpace} without running a sweep. Leaves are indexed by hand
 * ({@code setIndices}), so the expected samples are hand calculations: {@code ContinuousParameterSpace(a, b)} maps
 * v to a + v (b - a); {@code DiscreteParameterSpace} of k values maps v to value floor(v k).
 */
class SdLayerSpacesTest {

    private static final double EPS = 1e-15;

    @Test
    void numParametersCountsOnlyTheSearchedSdSettings() {
        assertEquals(0, new SdHyperparameterSpace.Builder().build().numParameters(), "all unset");
        assertEquals(0, new SdHyperparameterSpace.Builder().sliceRows(6).basisWidth(3).theta(0.01).maxCoeff(16.0)
                .build().numParameters(), "all fixed");
        SdHyperparameterSpace two = new SdHyperparameterSpace.Builder()
                .theta(new ContinuousParameterSpace(1e-3, 1e-2)).sliceRows(new DiscreteParameterSpace<>(6, 12))
                .basisWidth(3).build();
        assertEquals(2, two.numParameters(), "theta and sliceRows searched");
        assertFalse(two.isLeaf());

        SdDenseLayerSpace dense = new SdDenseLayerSpace.Builder().nIn(12).nOut(new DiscreteParameterSpace<>(8, 16))
                .activation(Activation.TANH).sd(two).build();
        assertEquals(3, dense.numParameters(), "nOut + the two SD leaves");
        assertEquals(1, new SdOutputLayerSpace.Builder().nIn(16).nOut(3)
                .sd(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.0, 0.1)).build())
                .build().numParameters(), "output theta");
        assertEquals(0, new SdConvolutionLayerSpace.Builder().kernelSize(3, 3).nOut(4).build().numParameters(),
                "no sd(): nothing searched");
    }

    @Test
    void denseSpaceBuildsTheSampledSdDenseLayer() {
        ParameterSpace<Double> theta = new ContinuousParameterSpace(1e-3, 1e-2);
        ParameterSpace<Integer> sliceRows = new DiscreteParameterSpace<>(6, 12);
        ParameterSpace<Double> maxCoeff = new DiscreteParameterSpace<>(16.0, 64.0);
        SdDenseLayerSpace space = new SdDenseLayerSpace.Builder().nIn(12).nOut(16).activation(Activation.TANH)
                .hasBias(false)
                .sd(new SdHyperparameterSpace.Builder().theta(theta).sliceRows(sliceRows).maxCoeff(maxCoeff)
                        .basisWidth(2).build())
                .build();
        theta.setIndices(0);
        sliceRows.setIndices(1);
        maxCoeff.setIndices(2);

        SdDenseLayer l = space.getValue(new double[] {0.5, 0.7, 0.9});
        assertEquals(1e-3 + 0.5 * 9e-3, l.getTheta(), EPS, "theta = 1e-3 + 0.5 * (1e-2 - 1e-3)");
        assertEquals(12, l.getSliceRows(), "sliceRows = {6, 12}[floor(0.7 * 2)]");
        assertEquals(64.0, l.getMaxCoeff(), "maxCoeff = {16, 64}[floor(0.9 * 2)]");
        assertEquals(2, l.getBasisWidth(), "fixed basisWidth");
        assertEquals(12, l.getNIn());
        assertEquals(16, l.getNOut());
        assertFalse(l.hasBias());

        SdDenseLayer low = space.getValue(new double[] {0.0, 0.2, 0.1});
        assertEquals(1e-3, low.getTheta(), EPS);
        assertEquals(6, low.getSliceRows());
        assertEquals(16.0, low.getMaxCoeff());
    }

    @Test
    void unsetSdSettingsKeepTheLayerDefaults() {
        SdOutputLayerSpace space = new SdOutputLayerSpace.Builder().nIn(16).nOut(3).activation(Activation.SOFTMAX)
                .lossFunction(LossFunction.MCXENT).sd(new SdHyperparameterSpace.Builder().theta(0.02).build())
                .build();
        SdOutputLayer l = space.getValue(new double[0]);
        assertEquals(0.02, l.getTheta());
        assertEquals(SdLayer.DEFAULT_SLICE_ROWS, l.getSliceRows());
        assertEquals(SdLayer.DEFAULT_BASIS_WIDTH, l.getBasisWidth());
        assertEquals(SdLayer.DEFAULT_MAX_COEFF, l.getMaxCoeff());

        SdHyperparameters none = new SdHyperparameterSpace.Builder().build().getValue(new double[0]);
        assertNull(none.sliceRows());
        assertNull(none.theta());
        SdDenseLayer plain = new SdDenseLayerSpace.Builder().nIn(4).nOut(2).build().getValue(new double[0]);
        assertEquals(SdLayer.DEFAULT_THETA, plain.getTheta(), "no sd(): all defaults");
    }

    @Test
    void convolutionSpaceUsesTheKernelWidthAsBasisWidth() {
        ParameterSpace<Integer> nOut = new DiscreteParameterSpace<>(4, 8);
        ParameterSpace<Double> theta = new ContinuousParameterSpace(0.0, 0.02);
        SdConvolutionLayerSpace space = new SdConvolutionLayerSpace.Builder().kernelSize(3, 3).stride(1, 1)
                .convolutionMode(ConvolutionMode.Same).nIn(2).nOut(nOut)
                .sd(new SdHyperparameterSpace.Builder().theta(theta).sliceRows(9).basisWidth(2).build())
                .build();
        nOut.setIndices(0);
        theta.setIndices(1);

        SdConvolutionLayer l = space.getValue(new double[] {0.99, 0.25});
        assertEquals(8, l.getNOut());
        assertEquals(0.005, l.getTheta(), EPS, "0.25 * 0.02");
        assertEquals(9, l.getSliceRows());
        assertEquals(2, l.getBasisWidth(), "configured");
        assertEquals(3, l.effectiveBasisWidth(), "n = kw = 3 for a 3x3 kernel");
    }

    @Test
    void hyperparameterSpaceRoundTripsThroughArbiterJson() throws JsonProcessingException {
        SdHyperparameterSpace space = new SdHyperparameterSpace.Builder()
                .theta(new ContinuousParameterSpace(1e-3, 1e-2)).sliceRows(new DiscreteParameterSpace<>(6, 12))
                .maxCoeff(16.0).build();
        String json = JsonMapper.getMapper().writeValueAsString(space);
        assertTrue(json.contains("\"theta\""), json);
        ParameterSpace<?> back = JsonMapper.getMapper().readValue(json, ParameterSpace.class);
        assertEquals(space, back);
        assertEquals(2, back.numParameters());
        assertEquals(json, JsonMapper.getMapper().writeValueAsString(back));
    }

    @Test
    void denseSpaceRoundTripsThroughArbiterJsonAndBuildsTheSameLayer() throws JsonProcessingException {
        ParameterSpace<Double> theta = new ContinuousParameterSpace(1e-3, 1e-2);
        SdDenseLayerSpace space = new SdDenseLayerSpace.Builder().nIn(12).nOut(16).activation(Activation.TANH)
                .hasBias(false).sd(new SdHyperparameterSpace.Builder().theta(theta).sliceRows(6).build()).build();
        String json = JsonMapper.getMapper().writeValueAsString(space);
        SdDenseLayerSpace back = assertInstanceOf(SdDenseLayerSpace.class,
                JsonMapper.getMapper().readValue(json, ParameterSpace.class));
        assertEquals(space, back);
        assertEquals(1, back.numParameters());

        theta.setIndices(0);
        back.collectLeaves().stream().filter(p -> p.numParameters() > 0).forEach(p -> p.setIndices(0));
        double[] v = {0.5};
        assertEquals(space.getValue(v), back.getValue(v), "the same layer at the same candidate vector");
        assertEquals(6, back.getValue(v).getSliceRows());
        assertFalse(back.getValue(v).hasBias());
    }

    @Test
    void fixedSettingsOutOfRangeAreRejectedWithFieldRangeAndValue() {
        String sliceRows = "SdHyperparameterSpace.sliceRows must be in [1, 4096] (and at least the layer's basis"
                + " width)";
        assertMessage(sliceRows + ", got 0", () -> new SdHyperparameterSpace.Builder().sliceRows(0).build());
        assertMessage(sliceRows + ", got 4097", () -> new SdHyperparameterSpace.Builder().sliceRows(4097).build());
        assertMessage("SdHyperparameterSpace.basisWidth must be in [1, 64], got 65",
                () -> new SdHyperparameterSpace.Builder().basisWidth(65).build());
        assertMessage("SdHyperparameterSpace.theta must be in [0, 1], got 1.5",
                () -> new SdHyperparameterSpace.Builder().theta(1.5).build());
        assertMessage("SdHyperparameterSpace.theta must be in [0, 1], got NaN",
                () -> new SdHyperparameterSpace.Builder().theta(Double.NaN).build());
        assertMessage("SdHyperparameterSpace.maxCoeff must be a power of two in [2^-10, 2^20], got 3.0",
                () -> new SdHyperparameterSpace.Builder().maxCoeff(3.0).build());
        assertMessage("SdHyperparameterSpace.maxCoeff must be a power of two in [2^-10, 2^20], got 2097152.0",
                () -> new SdHyperparameterSpace.Builder().maxCoeff(0x1p21).build());
        assertMessage("SdHyperparameterSpace.theta must be in [0, 1], got -0.1",
                () -> new SdHyperparameterSpace.Builder().theta(new FixedValue<>(-0.1)).build());
        assertMessage("SdHyperparameterSpace.theta must be a ParameterSpace, got null (leave theta unset for the layer "
                + "default)", () -> new SdHyperparameterSpace.Builder().theta((ParameterSpace<Double>) null));
    }

    /**
     * A dense or output layer's basis width n is its basisWidth, and SdConfigs.validate (the layer builder) requires
     * sliceRows in [n, 4096]: a fixed sliceRows below a fixed or default (3) basisWidth would fail every candidate, so
     * the layer space refuses it when built. Before, both spaces were built and every candidate failed with
     * "SdDenseLayer(name=(unnamed)).sliceRows must be in [n=3, 4096], got 2". A searched basisWidth, or sliceRows at the
     * basis width, is accepted.
     */
    @Test
    void aFixedSliceRowsBelowTheBasisWidthIsRefusedWhenTheLayerSpaceIsBuilt() {
        assertMessage("SdDenseLayerSpace: sd.sliceRows must be at least the basis width n = 3 (the layer default), got 2: "
                + "the layer builder would refuse every candidate", () -> new SdDenseLayerSpace.Builder().nIn(4).nOut(2)
                        .sd(new SdHyperparameterSpace.Builder().sliceRows(2).build()).build());
        assertMessage("SdOutputLayerSpace: sd.sliceRows must be at least the basis width n = 8, got 4: the layer "
                + "builder would refuse every candidate", () -> new SdOutputLayerSpace.Builder().nIn(4).nOut(2)
                        .sd(new SdHyperparameterSpace.Builder().sliceRows(4).basisWidth(8).build()).build());
        // at the basis width, and with the width searched, the spaces build (and the fixed one gives a layer)
        assertEquals(2, new SdDenseLayerSpace.Builder().nIn(4).nOut(2)
                .sd(new SdHyperparameterSpace.Builder().sliceRows(2).basisWidth(2).build()).build()
                .getValue(new double[0]).getSliceRows());
        new SdOutputLayerSpace.Builder().nIn(4).nOut(2).sd(new SdHyperparameterSpace.Builder().sliceRows(2)
                .basisWidth(new DiscreteParameterSpace<>(1, 3)).build()).build();
    }

    @Test
    void aSampledValueOutOfRangeFailsWhenTheCandidateIsBuilt() {
        ParameterSpace<Double> theta = new ContinuousParameterSpace(0.5, 2.0);
        SdDenseLayerSpace space = new SdDenseLayerSpace.Builder().nIn(4).nOut(2)
                .sd(new SdHyperparameterSpace.Builder().theta(theta).build()).build();
        theta.setIndices(0);
        assertEquals(0.5, space.getValue(new double[] {0.0}).getTheta(), EPS);
        assertMessage("SdDenseLayer(name=(unnamed)).theta must be in [0, 1], got 2.0",
                () -> space.getValue(new double[] {1.0}));
    }

    @Test
    void taskListenerRejectsBadBucketSwitchSettings() {
        assertMessage("BucketSwitch.thetaC must be in [1, 1048576], got 0",
                () -> new SdTrainingTaskListener(0.05, 0, 0.0));
        assertMessage("BucketSwitch.learningRate must be finite and > 0, got 0.0",
                () -> new SdTrainingTaskListener(0.0, 7, 0.0));
        assertMessage("BucketSwitch.thetaG must be finite and >= 0, got -1.0",
                () -> new SdTrainingTaskListener(0.05, 7, -1.0));
    }

    /** The README's "As a library" sweep example, verbatim between the markers. */
    @Test
    void readmeExampleBuildsAnSdNetworkPerCandidate() {
        // README begin
        MultiLayerSpace space = new MultiLayerSpace.Builder()
                .updater(new AdamSpace(new ContinuousParameterSpace(5e-3, 2e-2),    // lr searched; pass the betas:
                        new FixedValue<>(0.9), new FixedValue<>(0.999), new FixedValue<>(1e-8)))   // Arbiter bug
                .addLayer(new SdDenseLayerSpace.Builder().nIn(784).nOut(300).activation(Activation.RELU)
                        .sd(new SdHyperparameterSpace.Builder()
                                .theta(new ContinuousParameterSpace(1e-3, 1e-2))
                                .sliceRows(new DiscreteParameterSpace<>(96, 192)).build())
                        .build())
                .addLayer(new SdOutputLayerSpace.Builder().nIn(300).nOut(10).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunction.MCXENT).build())
                .build();
        // README end
        assertEquals(3, space.numParameters(), "lr, theta, sliceRows");
        new RandomSearchGenerator(space); // gives the leaves their positions in the candidate vector
        MultiLayerConfiguration conf = space.getValue(new double[] {0.5, 0.5, 0.5}).getMultiLayerConfiguration();
        SdDenseLayer fc = assertInstanceOf(SdDenseLayer.class, conf.getConf(0).getLayer());
        assertEquals(192, fc.getSliceRows(), "{96, 192}[floor(0.5 * 2)]");
        assertEquals(1e-3 + 0.5 * 9e-3, fc.getTheta(), EPS);
        Adam adam = assertInstanceOf(Adam.class, fc.getIUpdater());
        assertEquals(5e-3 + 0.5 * 1.5e-2, adam.getLearningRate(), EPS);
        assertEquals(0.9, adam.getBeta1());
        assertInstanceOf(SdOutputLayer.class, conf.getConf(1).getLayer());
    }

    /**
     * withCandidateRates trains each candidate at its own (searched) learning rate and L2: the README's space with an
     * L2, at the vector's midpoint, gives lr 5e-3 + 0.5 x 1.5e-2 = 0.0125 to the bucket switch of C and to the SGD of
     * B and the bias, and L2 1e-3 to B; the fixed-rate listener gives 0.05 and 5e-4 whatever the candidate says (the
     * Arbiter audit found a searched rate silently replaced).
     */
    @Test
    void candidateRatesReachTheTrainingWhenAsked() {
        MultiLayerSpace space = new MultiLayerSpace.Builder()
                .updater(new AdamSpace(new ContinuousParameterSpace(5e-3, 2e-2),
                        new FixedValue<>(0.9), new FixedValue<>(0.999), new FixedValue<>(1e-8)))
                .l2(1e-3)
                .addLayer(new SdDenseLayerSpace.Builder().nIn(12).nOut(8).activation(Activation.RELU).build())
                .addLayer(new SdOutputLayerSpace.Builder().nIn(8).nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunction.MCXENT).build())
                .build();
        new RandomSearchGenerator(space);
        for (boolean own : new boolean[] {true, false}) {
            MultiLayerNetwork net = new MultiLayerNetwork(space.getValue(new double[] {0.5}).getMultiLayerConfiguration());
            net.init();
            SdTrainingTaskListener l = own ? SdTrainingTaskListener.withCandidateRates(7, 5e-3)
                    : new SdTrainingTaskListener(0.05, 7, 5e-3);
            l.preProcess(net, null);
            double lr = own ? 5e-3 + 0.5 * 1.5e-2 : 0.05;
            double l2 = own ? 1e-3 : 5e-4;
            for (int i = 0; i < 2; i++) {
                org.deeplearning4j.nn.conf.layers.BaseLayer c =
                        (org.deeplearning4j.nn.conf.layers.BaseLayer) net.getLayer(i).conf().getLayer();
                assertEquals(lr, assertInstanceOf(BucketSwitch.class, c.getUpdaterByParam("C")).getLearningRate(), EPS);
                assertEquals(lr, assertInstanceOf(Nesterovs.class, c.getUpdaterByParam("B")).getLearningRate(), EPS);
                L2Regularization reg = assertInstanceOf(L2Regularization.class, c.getRegularizationByParam("B").get(0));
                assertEquals(l2, reg.getL2().valueAt(0, 0), EPS);
            }
        }
        assertTrue(SdTrainingTaskListener.withCandidateRates(7, 5e-3).learningRate().isEmpty());
        assertEquals(0.05, new SdTrainingTaskListener(0.05, 7, 5e-3).learningRate().getAsDouble());

        MultiLayerNetwork mixed = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new Adam(0.01)).list()
                .layer(new SdDenseLayer.Builder().name("fc").nIn(12).nOut(8).build())
                .layer(new SdOutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(8).nOut(3).updater(new Adam(0.02))
                        .activation(Activation.SOFTMAX).build()).build());
        mixed.init();
        assertMessage("SdOutputLayer(name=out) has learning rate 0.02 and L2 0.0, but SdDenseLayer(name=fc) has 0.01 and "
                + "0.0: SD-T trains every layer at one rate",
                () -> SdTrainingTaskListener.withCandidateRates(7, 5e-3).preProcess(mixed, null));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    /**
     * Equality (Arbiter compares spaces when it collects unique leaves): two spaces built alike are equal with equal
     * hashes and strings; another SD space, another base setting, another class or a dense space's other hasBias is
     * not. Each string names the class and its SD space.
     */
    @Test
    void spacesAreEqualWhenBuiltAlikeAndNamedInTheirStrings() {
        SdHyperparameterSpace a = new SdHyperparameterSpace.Builder().theta(0.01).build();
        SdHyperparameterSpace b = new SdHyperparameterSpace.Builder().theta(0.02).build();
        java.util.function.Function<SdHyperparameterSpace, Object> dense =
                sd -> new SdDenseLayerSpace.Builder().nIn(12).nOut(16).sd(sd).build();
        java.util.function.Function<SdHyperparameterSpace, Object> output =
                sd -> new SdOutputLayerSpace.Builder().nIn(16).nOut(3).sd(sd).build();
        // (no kernel size or stride: Arbiter's FixedValue of an int[] compares the arrays by identity, so two
        // convolution spaces that set one are never equal, DL4J's own ConvolutionLayerSpace too)
        java.util.function.Function<SdHyperparameterSpace, Object> conv =
                sd -> new SdConvolutionLayerSpace.Builder().nOut(4).sd(sd).build();
        for (java.util.function.Function<SdHyperparameterSpace, Object> f : java.util.List.of(dense, output, conv)) {
            Object x = f.apply(a);
            assertEquals(x, f.apply(a));
            assertEquals(x.hashCode(), f.apply(a).hashCode());
            assertEquals(x.toString(), f.apply(a).toString());
            assertTrue(x.toString().startsWith(x.getClass().getSimpleName() + "(") && x.toString().contains("sd: "),
                    x.toString());
            assertNotEquals(x, f.apply(b), "another SD space");
            assertNotEquals(x, "a string");
        }
        assertNotEquals(dense.apply(a), output.apply(a), "another class");
        assertNotEquals(new SdOutputLayerSpace.Builder().nIn(16).nOut(3).sd(a).build(),
                new SdOutputLayerSpace.Builder().nIn(16).nOut(4).sd(a).build(), "another nOut");
        assertNotEquals(new SdConvolutionLayerSpace.Builder().nOut(4).sd(a).build(),
                new SdConvolutionLayerSpace.Builder().nOut(8).sd(a).build(), "another nOut");
        assertNotEquals(new SdDenseLayerSpace.Builder().nIn(12).nOut(16).hasBias(true).sd(a).build(),
                new SdDenseLayerSpace.Builder().nIn(12).nOut(16).hasBias(false).sd(a).build(), "another hasBias");
    }
}
