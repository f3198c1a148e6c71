package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * {@link SdTraining} at the edges mutation testing found untested: layers without a sparsity threshold (theta 0,
 * or no projection), a switch's minCoeff exactly at a layer's projection threshold, the updater a configured
 * network ends with, and what each entry point returns.
 */
class SdTrainingEdgesTest {

    private static final ParamRef SD1_C = ParamRef.of("sd1", "C");
    private static final ParamRef OUT_C = ParamRef.of("sdOut", "C");

    /** A template whose minCoeff 2^-3 differs from every minCoeff a layer's theta below would derive. */
    private static BucketSwitch template() {
        return BucketSwitch.builder(0.1).minCoeff(0x1p-3).build();
    }

    /**
     * sd1 projects with theta 0 (no sparsity threshold); sdOut has theta 2^-4 but does not project its
     * coefficients at all.
     */
    private static MultiLayerConfiguration unthresholdedConf() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).theta(0)
                        .activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("sdOut").nIn(5).nOut(3)
                        .theta(0x1p-4).projectCoefficients(false).activation(Activation.SOFTMAX).build())
                .build();
    }

    /** sd1 with the given forward threshold. */
    private static MultiLayerConfiguration oneSdLayer(double theta) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list()
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("sd1").nIn(6).nOut(3)
                        .theta(theta).activation(Activation.SOFTMAX).build())
                .build();
    }

    /** {@link TestNets#denseGraphConf}. */
    private static ComputationGraphConfiguration denseGraphConf() {
        return TestNets.denseGraphConf();
    }

    /**
     * SdTraining.perLayerSwitches: "A layer that does not project its coefficients, or has theta 0, gets the
     * template's minCoeff" (2^-3 here), not the one its theta would give (2^-4 for sdOut; theta 0 derives none).
     */
    @Test
    void aLayerWithoutASparsityThresholdGetsTheTemplatesMinCoeff() {
        Map<ParamRef, BucketSwitch> s = SdTraining.perLayerSwitches(unthresholdedConf(), template());
        assertEquals(List.of(SD1_C, OUT_C), List.copyOf(s.keySet()));
        assertEquals(template(), s.get(SD1_C));
        assertEquals(template(), s.get(OUT_C));
        // and they fit: neither layer has a projection threshold minCoeff must reach
        MultiLayerConfiguration conf = unthresholdedConf();
        assertDoesNotThrow(() -> SdTraining.configure(conf, s, SdUpdaterRouting.sgdMomentum(0.05), 5e-4));
    }

    /**
     * SdTraining.swaListener(net, swaStart) projects a layer without a sparsity threshold "onto the powers of two
     * without a sparsity threshold": one SWA sample of 2^-6 and -2^-9 (below sdOut's unused theta 2^-4) comes back
     * unchanged in both layers, and 0.003 goes to its nearest power of two 2^-8 (P of ALGORITHMS.md 6.1: 0.003 lies
     * between 2^-9 = 0.00195 and 2^-8 = 0.0039, nearer the latter in the linear domain).
     */
    @Test
    void swaKeepsSmallCoefficientsOfALayerWithoutASparsityThreshold() {
        MultiLayerNetwork net = new MultiLayerNetwork(unthresholdedConf());
        net.init();
        for (String layer : List.of("sd1", "sdOut")) {
            net.getLayer(layer).getParam("M").assign(1);
            INDArray c = net.getLayer(layer).getParam("C").assign(0);
            c.putScalar(0, 0x1p-6);
            c.putScalar(1, -0x1p-9);
            c.putScalar(2, 0.003);
        }
        SwaListener swa = SdTraining.swaListener(net, 1);
        swa.addSample(net);
        swa.finish(net, null);
        for (String layer : List.of("sd1", "sdOut")) {
            INDArray c = net.getLayer(layer).getParam("C");
            assertEquals(0x1p-6, c.getDouble(0), 0.0, layer);
            assertEquals(-0x1p-9, c.getDouble(1), 0.0, layer);
            assertEquals(0x1p-8, c.getDouble(2), 0.0, layer);
            assertEquals(0x1p-6 - 0x1p-9 + 0x1p-8, c.sumNumber().doubleValue(), 0.0, layer);
        }
    }

    /**
     * P keeps |c| >= theta - 1e-5 (ALGORITHMS.md 6.1), so a revived coefficient of minCoeff exactly theta - 1e-5
     * survives the forward pass and the switch fits; one double above, the threshold passes minCoeff and the switch
     * is refused. theta = 2^-7 + 1e-5 = 0.0078225 gives theta - 1e-5 == 2^-7 exactly in double arithmetic (checked
     * in jshell; the first assertion checks it again).
     */
    @Test
    void aMinCoeffExactlyAtTheProjectionThresholdFits() {
        double theta = 0x1p-7 + 1e-5;
        assertEquals(0x1p-7, theta - 1e-5, 0.0);
        BucketSwitch bs = BucketSwitch.builder(0.1).minCoeff(0x1p-7).build();
        assertDoesNotThrow(() -> SdTraining.configure(oneSdLayer(theta), bs, SdUpdaterRouting.sgdMomentum(0.05), 0));
        double above = Math.nextUp(theta);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(oneSdLayer(above), bs, SdUpdaterRouting.sgdMomentum(0.05), 0));
        assertTrue(e.getMessage().contains("SdOutputLayer(name=sd1, index=0): BucketSwitch.minCoeff must be >= "
                + "the layer's projection threshold theta - 1e-5 = " + (above - 1e-5)), e.getMessage());
    }

    /**
     * "Configuring a network discards its updater state (a fresh updater is installed)": a network whose plain-SGD
     * updater already exists (SGD keeps no state) ends with one built from the routed configuration, Nesterovs
     * with one momentum entry per parameter: (6*5 + 5) + (5*3 + 3) = 53.
     */
    @Test
    void configuringANetworkReplacesTheUpdaterItAlreadyHad() {
        MultiLayerNetwork m = new MultiLayerNetwork(TestNets.denseConf());
        m.init();
        assertEquals(0, stateLength(m.getUpdater().getStateViewArray()));
        SdTraining.configure(m, template(), new Nesterovs(0.05, 0.9), 5e-4);
        assertEquals(53, stateLength(m.getUpdater().getStateViewArray()));

        ComputationGraph g = new ComputationGraph(denseGraphConf());
        g.init();
        assertEquals(0, stateLength(g.getUpdater().getStateViewArray()));
        SdTraining.configure(g, template(), new Nesterovs(0.05, 0.9), 5e-4);
        assertEquals(53, stateLength(g.getUpdater().getStateViewArray()));
    }

    private static long stateLength(INDArray state) {
        return state == null ? 0 : state.length();
    }

    /** Every entry point routes in place and returns what it was given. */
    @Test
    void everyConfigureReturnsItsArgument() {
        Nesterovs others = new Nesterovs(0.05, 0.9);
        MultiLayerConfiguration c1 = TestNets.denseConf();
        assertSame(c1, SdTraining.configure(c1, template(), others, 0));
        MultiLayerConfiguration c2 = TestNets.denseConf();
        assertSame(c2, SdTraining.configure(c2, Map.of(), others, 0));
        ComputationGraphConfiguration g1 = denseGraphConf();
        assertSame(g1, SdTraining.configure(g1, template(), others, 0));
        ComputationGraphConfiguration g2 = denseGraphConf();
        assertSame(g2, SdTraining.configure(g2, Map.of(), others, 0));
        MultiLayerNetwork m = new MultiLayerNetwork(TestNets.denseConf());
        m.init();
        assertSame(m, SdTraining.configure(m, template(), others, 0));
        assertSame(m, SdTraining.configure(m, Map.of(), others, 0));
        ComputationGraph g = new ComputationGraph(denseGraphConf());
        g.init();
        assertSame(g, SdTraining.configure(g, template(), others, 0));
        assertSame(g, SdTraining.configure(g, Map.of(), others, 0));
    }

    /**
     * A network built but not initialised (DL4J creates its layers in {@code init()}) is refused with a message naming
     * the rule, and its configuration is left as it was. Before, configure routed the configuration and then failed in
     * DL4J's updater with a NullPointerException ("Cannot read the array length because \"layers\" is null"), and
     * restoreInvariants failed with one of its own. Once initialised, the same network configures.
     */
    @Test
    void aNetworkNotYetInitialisedIsRefusedAndLeftUnchanged() {
        Nesterovs others = new Nesterovs(0.05, 0.9);
        MultiLayerNetwork m = new MultiLayerNetwork(oneSdLayer(0x1p-6));
        String before = m.getLayerWiseConfigurations().toJson();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SdTraining.configure(m, template(), others, 5e-4));
        assertEquals("SdTraining.configure: the MultiLayerNetwork is not initialised (call init() first); to route a "
                + "configuration before its network is built, use SdTraining.configure on the configuration",
                e.getMessage());
        assertEquals(before, m.getLayerWiseConfigurations().toJson(), "the configuration was routed all the same");
        assertEquals("SdTraining.restoreInvariants: the MultiLayerNetwork is not initialised (call init() first); to "
                + "route a configuration before its network is built, use SdTraining.configure on the configuration",
                assertThrows(IllegalStateException.class, () -> SdTraining.restoreInvariants(m)).getMessage());
        m.init();
        assertSame(m, SdTraining.configure(m, template(), others, 5e-4));

        ComputationGraph g = new ComputationGraph(denseGraphConf());
        String graphBefore = g.getConfiguration().toJson();
        assertTrue(assertThrows(IllegalStateException.class, () -> SdTraining.configure(g, Map.of(), others, 5e-4))
                .getMessage().startsWith("SdTraining.configure: the ComputationGraph is not initialised"));
        assertEquals(graphBefore, g.getConfiguration().toJson());
        g.init();
        assertSame(g, SdTraining.configure(g, Map.of(), others, 5e-4));
    }

    /**
     * A HALF network (which an .sdm file may hold) with SD layers is refused, naming the data type, before anything is
     * routed: the bucket switch's state and steps work in float32 or float64. Before, configure routed the
     * configuration and then failed in DL4J's building of the updater with "BucketSwitch updater state must be FLOAT
     * or DOUBLE, got HALF", leaving the network with a routed configuration and its old updater; the configuration
     * form was routed without a word and failed at the first fit. A HALF network without SD layers (VA) still
     * configures.
     */
    @Test
    @SuppressWarnings("deprecation") // DataType.HALF: the name DL4J's configurations use
    void aHalfPrecisionNetworkOfSdLayersIsRefusedBeforeRouting() {
        String message = "the network's data type must be FLOAT or DOUBLE to train its SD layers with the bucket "
                + "switch (its state and steps are float32 or float64), got HALF; cast the network to FLOAT first (its "
                + "configuration's dataType and its parameters)";
        Nesterovs others = new Nesterovs(0.05, 0.9);
        MultiLayerConfiguration conf = oneSdLayer(0x1p-6);
        conf.setDataType(DataType.HALF);
        MultiLayerNetwork m = new MultiLayerNetwork(conf);
        m.init();
        String before = conf.toJson();
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(m, template(), others, 5e-4)).getMessage());
        assertEquals(before, conf.toJson(), "the configuration was routed all the same");
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(conf, template(), others, 5e-4)).getMessage());
        assertEquals(before, conf.toJson());
        MultiLayerConfiguration plain = TestNets.denseConf();
        plain.setDataType(DataType.HALF);
        assertSame(plain, SdTraining.configure(plain, template(), others, 5e-4));
    }
}
