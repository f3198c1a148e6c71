package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.smartdeal.layers.FreezeUpdater;
import org.smartdeal.layers.SdDenseLayer;

/**
 * {@link SdUpdaterRouting} at the edges mutation testing found untested: the weight decay's range, what each
 * parameter of a routed built-in layer ends with (the bias included), and a ComputationGraph's checks, which
 * repeat a network's with the vertex index in the message.
 */
class SdUpdaterRoutingEdgesTest {

    private static final Nesterovs OTHERS = new Nesterovs(0.05, 0.9);

    private static BucketSwitch bs() {
        return BucketSwitch.builder(0.5).thetaC(3).minCoeff(0x1p-6).maxCoeff(4).build();
    }

    /** {@link TestNets#denseGraphConf}. */
    private static ComputationGraphConfiguration graphConf() {
        return TestNets.denseGraphConf();
    }

    private static BaseLayer vertex(ComputationGraphConfiguration conf, String name) {
        return (BaseLayer) ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }

    @Test
    void theOtherWeightDecayMustBeFiniteAndNotNegative() {
        for (double wd : new double[] {-1e-4, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SdUpdaterRouting.route(TestNets.denseConf(), Set.of(TestNets.DENSE_W), bs(), OTHERS, wd));
            assertEquals("otherWeightDecay must be finite and >= 0, got " + wd, e.getMessage());
        }
        // 0 is no decay at all, not an L2Regularization of 0
        MultiLayerConfiguration conf = SdUpdaterRouting.route(TestNets.denseConf(), Set.of(TestNets.DENSE_W), bs(),
                OTHERS, 0);
        BaseLayer dense = (BaseLayer) conf.getConf(0).getLayer();
        BaseLayer out = (BaseLayer) conf.getConf(1).getLayer();
        assertEquals(List.of(), dense.getRegularizationByParam("b"));
        assertEquals(List.of(), out.getRegularizationByParam("W"));
        assertEquals(List.of(), out.getRegularizationByParam("b"));
    }

    /**
     * A built-in layer whose W is a coefficient parameter: W gets the switch and its two regularizations
     * (BucketSwitch.regularization: L2 of the switch's weight decay, default 5e-4, then the power-of-two step with
     * its minCoeff and maxCoeff), its bias the other updater with L2(otherWeightDecay); every parameter of the
     * other layer gets the other updater with L2(otherWeightDecay).
     */
    @Test
    void aBuiltInLayersCoefficientWeightsGetTheSwitchAndItsBiasTheOthers() {
        MultiLayerConfiguration conf = SdUpdaterRouting.route(TestNets.denseConf(), Set.of(TestNets.DENSE_W), bs(),
                OTHERS, 1e-3);
        BaseLayer dense = (BaseLayer) conf.getConf(0).getLayer();
        BaseLayer out = (BaseLayer) conf.getConf(1).getLayer();
        assertEquals(bs(), dense.getUpdaterByParam("W"));
        assertEquals(List.of(new L2Regularization(5e-4), new BucketSwitchStep(0x1p-6, 4)),
                dense.getRegularizationByParam("W"));
        assertEquals(OTHERS, dense.getUpdaterByParam("b"));
        assertEquals(List.of(new L2Regularization(1e-3)), dense.getRegularizationByParam("b"));
        for (String p : List.of("W", "b")) {
            assertEquals(OTHERS, out.getUpdaterByParam(p), p);
            assertEquals(List.of(new L2Regularization(1e-3)), out.getRegularizationByParam(p), p);
        }
    }

    /** The graph forms route as the network forms do and return their argument. */
    @Test
    void aGraphIsRoutedAsANetworkIs() {
        ComputationGraphConfiguration conf = graphConf();
        assertSame(conf, SdUpdaterRouting.route(conf, Set.of(ParamRef.of("d", "W")), bs(), OTHERS, 1e-3));
        assertEquals(bs(), vertex(conf, "d").getUpdaterByParam("W"));
        assertEquals(List.of(new L2Regularization(5e-4), new BucketSwitchStep(0x1p-6, 4)),
                vertex(conf, "d").getRegularizationByParam("W"));
        assertEquals(OTHERS, vertex(conf, "d").getUpdaterByParam("b"));
        assertEquals(List.of(new L2Regularization(1e-3)), vertex(conf, "d").getRegularizationByParam("b"));
        assertEquals(OTHERS, vertex(conf, "out").getUpdaterByParam("W"));
        assertEquals(List.of(new L2Regularization(1e-3)), vertex(conf, "out").getRegularizationByParam("W"));
    }

    /**
     * A graph's map is checked as a network's: a null switch and a parameter no vertex has are refused by name, and
     * a layer's message gives its place among the graph's vertices ("out" is the second vertex, vertex 1).
     */
    @Test
    void aGraphsSwitchesAreCheckedAsANetworksAre() {
        Map<ParamRef, BucketSwitch> withNull = new LinkedHashMap<>();
        withNull.put(ParamRef.of("d", "W"), null);
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(graphConf(), withNull, OTHERS, 0));
        assertEquals("coefficient parameter d/W has no BucketSwitch (null)", n.getMessage());

        IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(graphConf(), Map.of(ParamRef.of("nope", "W"), bs()), OTHERS, 0));
        assertEquals("coefficient parameters not found in the configuration: [nope/W]", u.getMessage());

        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(graphConf(), Map.of(ParamRef.of("out", "b"), bs()), OTHERS, 0));
        assertEquals("layer 'out' (vertex 1, OutputLayer) routes updaters by weight/bias only: coefficient parameters "
                + "must be exactly its weight keys [W], got [b]; implement PerParamUpdaterRouting for finer routing",
                b.getMessage());
    }

    /**
     * An SD layer is routed key by key: C gets the switch and its two regularizations, B and the bias the other
     * updater with L2(otherWeightDecay); M stays with the layer's own frozen updater, without regularization.
     */
    @Test
    void anSdLayerIsRoutedKeyByKey() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).build()).build();
        SdUpdaterRouting.route(conf, Set.of(ParamRef.of("sd1", "C")), bs(), OTHERS, 1e-3);
        BaseLayer sd = (BaseLayer) conf.getConf(0).getLayer();
        assertEquals(bs(), sd.getUpdaterByParam("C"));
        assertEquals(List.of(new L2Regularization(5e-4), new BucketSwitchStep(0x1p-6, 4)),
                sd.getRegularizationByParam("C"));
        for (String p : List.of("B", "b")) {
            assertEquals(OTHERS, sd.getUpdaterByParam(p), p);
            assertEquals(List.of(new L2Regularization(1e-3)), sd.getRegularizationByParam(p), p);
        }
        assertInstanceOf(FreezeUpdater.class, sd.getUpdaterByParam("M"));
        assertEquals(List.of(), sd.getRegularizationByParam("M"));
    }

    /** An SD layer's mask M is frozen by the layer: it cannot be made a coefficient parameter. */
    @Test
    void aFrozenParameterCannotBeACoefficient() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).build()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(conf, Set.of(ParamRef.of("sd1", "M")), bs(), OTHERS, 0));
        assertEquals("coefficient parameter sd1/M is frozen by its layer (frozen keys [M])", e.getMessage());
    }

    /**
     * A layer with parameters that is neither a BaseLayer nor PerParamUpdaterRouting (DL4J's Bidirectional wrapper,
     * which holds a forward and a backward LSTM's parameters) is refused by name.
     */
    @Test
    void aLayerThatCannotBeRoutedIsRefusedByName() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new Bidirectional(new LSTM.Builder().nIn(2).nOut(2).build())).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(conf, Set.of(), bs(), OTHERS, 0));
        assertEquals("layer 'layer0' (index 0, " + Bidirectional.class.getName() + ") has parameters "
                + "[fW, fRW, fb, bW, bRW, bb] but is neither a BaseLayer nor PerParamUpdaterRouting, so its updaters "
                + "cannot be routed", e.getMessage());
    }

    /**
     * A BucketSwitch as the other parameters' updater is refused, naming the rule and the value, and the configuration
     * is left as it was. The switch writes a direction -1, 0 or +1 as its update, which only the BucketSwitchStep
     * routed with a coefficient parameter turns into the step to the next power of two; the others get L2 only, so
     * DL4J subtracted the bare direction: on an SD network configured as SdTraining.configure(net, bs, bs, 5e-4), B
     * and the biases moved by exactly 1.0 at every switch (2.0 after four steps at theta_c 2), silently.
     */
    @Test
    void aBucketSwitchIsRefusedAsTheOtherUpdater() {
        String message = "otherUpdater must not be a BucketSwitch: its update is a switch direction of -1, 0 or +1, "
                + "which only the BucketSwitchStep routed with a coefficient parameter turns into a step (the other "
                + "parameters would move by 1 at every switch); give the others an ordinary updater, e.g. "
                + "SdUpdaterRouting.sgdMomentum(lr), got " + bs();
        MultiLayerConfiguration conf = TestNets.denseConf();
        String before = conf.toJson();
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(conf, Set.of(TestNets.DENSE_W), bs(), bs(), 5e-4)).getMessage());
        assertEquals(before, conf.toJson());
        ComputationGraphConfiguration graph = graphConf();
        String graphBefore = graph.toJson();
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(graph, Map.of(), bs(), 5e-4)).getMessage());
        assertEquals(graphBefore, graph.toJson());
        // through SdTraining, on a network of SD layers
        MultiLayerConfiguration sd = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).theta(0x1p-6).build())
                .layer(new org.smartdeal.layers.SdOutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).name("sdOut").nIn(5).nOut(3)
                        .theta(0x1p-6).activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(sd, bs(), bs(), 5e-4)).getMessage());
    }
}
