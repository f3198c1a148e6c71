package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * One bucket switch per SD layer ({@link SdTraining#perLayerSwitches},
 * {@link SdTraining#configure(Model, Map, org.nd4j.linalg.learning.config.IUpdater, double)}): two SD layers
 * with forward thresholds 2^-9 (sd1) and 2^-4 (sdOut) get minCoeff 2^-9 and 2^-4 (ALGORITHMS.md 6.2: the
 * smallest 2^i &gt;= theta; both thresholds are powers of two, so each is its own minCoeff). C starts in
 * {0, +-1/2, +-1} with some zeros inside the mask M (they may revive) and some entries outside it, so that
 * any magnitude below 1/2 after training comes from a switch.
 */
class PerLayerSwitchTest {

    private static final double SMALL_THETA = 0x1p-9;
    private static final double LARGE_THETA = 0x1p-4;
    private static final ParamRef SD1_C = ParamRef.of("sd1", "C");
    private static final ParamRef OUT_C = ParamRef.of("sdOut", "C");
    private static final double MAX_COEFF = 4;

    /** lr 1, theta_c 2, no dead zone: a tiny network switches (and revives) often, as BucketSwitchNetworkTest. */
    private static BucketSwitch template() {
        return BucketSwitch.builder(1.0).thetaC(2).thetaG(0).maxCoeff(MAX_COEFF).build();
    }

    private static MultiLayerConfiguration mlnConf() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).theta(SMALL_THETA)
                        .activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("sdOut").nIn(5).nOut(3)
                        .theta(LARGE_THETA).activation(Activation.SOFTMAX).build())
                .build();
    }

    private static ComputationGraphConfiguration graphConf() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in")
                .addLayer("sd1", new SdDenseLayer.Builder().nIn(6).nOut(5).theta(SMALL_THETA)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("sdOut", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .theta(LARGE_THETA).activation(Activation.SOFTMAX).build(), "sd1")
                .setOutputs("sdOut").setInputTypes(InputType.feedForward(6)).build();
    }

    private static MultiLayerNetwork mln() {
        MultiLayerNetwork net = new MultiLayerNetwork(mlnConf());
        net.init();
        fill(net.getLayers());
        return net;
    }

    private static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(graphConf());
        g.init();
        fill(g.getLayers());
        return g;
    }

    /** M = 0 on every fourth entry (C = 0 there); inside M a third of C is 0, the rest +-1/2 or +-1. */
    private static void fill(Layer[] layers) {
        Random rnd = new Random(3);
        for (Layer l : layers) {
            INDArray c = l.getParam("C");
            INDArray m = l.getParam("M");
            for (long i = 0; i < c.length(); i++) {
                boolean inMask = i % 4 != 3;
                m.putScalar(i, inMask ? 1 : 0);
                double v = !inMask || rnd.nextInt(3) == 0 ? 0.0
                        : (rnd.nextBoolean() ? 1 : -1) * (rnd.nextBoolean() ? 1.0 : 0.5);
                c.putScalar(i, v);
            }
        }
    }

    private static void fitEpochs(Model net, int epochs, long seed) {
        for (int e = 0; e < epochs; e++) {
            ListDataSetIterator<DataSet> it = new ListDataSetIterator<>(TestNets.data(8, seed + e), 1);
            if (net instanceof MultiLayerNetwork m) {
                m.fit(it);
            } else {
                ((ComputationGraph) net).fit(it);
            }
        }
    }

    private static Layer layer(Model net, String name) {
        return net instanceof MultiLayerNetwork m ? m.getLayer(name) : ((ComputationGraph) net).getLayer(name);
    }

    private static double[] values(Model net, ParamRef p) {
        return layer(net, p.layerName()).getParam(p.paramKey()).dup('c').data().asDouble();
    }

    /** Every C entry is 0 or +-2^p with minCoeff &lt;= |c| &lt;= maxCoeff, and 0 outside M. */
    private static void assertInDomain(Model net, ParamRef c, double minCoeff) {
        double[] cs = values(net, c);
        double[] ms = values(net, ParamRef.of(c.layerName(), "M"));
        for (int i = 0; i < cs.length; i++) {
            String where = c + "[" + i + "] = " + cs[i];
            assertTrue(Pow2.isZeroOrSignedPowerOfTwo(cs[i]), where);
            assertTrue(cs[i] == 0 || Math.abs(cs[i]) >= minCoeff && Math.abs(cs[i]) <= MAX_COEFF,
                    where + " outside [" + minCoeff + ", " + MAX_COEFF + "]");
            assertTrue(ms[i] != 0 || cs[i] == 0, where + " outside the mask");
        }
    }

    /** Counts over the epoch ends of sd1 entries that were 0 inside M at the start. */
    private record Revivals(int belowLargeMinCoeff, int nonZero) {
    }

    /**
     * Trains a routed network for 4 epochs and checks after each that its C are routed to and stay in the domain
     * of the given minCoeffs.
     *
     * @return at the epoch ends, how many sd1 entries that were 0 inside M hold 0 &lt; |c| &lt; 2^-4, and how many
     *         are not 0
     */
    private static Revivals train(Model net, double sd1MinCoeff, double outMinCoeff) {
        assertEquals(sd1MinCoeff, routed(net, "sd1").getMinCoeff());
        assertEquals(outMinCoeff, routed(net, "sdOut").getMinCoeff());
        double[] start = values(net, SD1_C);
        double[] mask = values(net, ParamRef.of("sd1", "M"));
        int below = 0;
        int nonZero = 0;
        for (int epoch = 0; epoch < 4; epoch++) {
            fitEpochs(net, 1, 100 + epoch);
            assertInDomain(net, SD1_C, sd1MinCoeff);
            assertInDomain(net, OUT_C, outMinCoeff);
            double[] now = values(net, SD1_C);
            for (int i = 0; i < now.length; i++) {
                if (start[i] == 0 && mask[i] != 0 && now[i] != 0) {
                    nonZero++;
                    below += Math.abs(now[i]) < LARGE_THETA ? 1 : 0;
                }
            }
        }
        return new Revivals(below, nonZero);
    }

    /** The bucket switch routed to a layer's C (the runtime layer shares the network's configuration). */
    private static BucketSwitch routed(Model net, String name) {
        BaseLayer b = (BaseLayer) layer(net, name).conf().getLayer();
        BucketSwitch bs = assertInstanceOf(BucketSwitch.class, b.getUpdaterByParam("C"), name + "/C updater");
        assertEquals(bs.regularization(), b.getRegularizationByParam("C"), name + "/C regularizations");
        return bs;
    }

    /** Routes {@code net} for SD-T with {@link SdTraining#perLayerSwitches} of the template. */
    private static <T extends Model> T perLayer(T net) {
        return SdTraining.configure(net, SdTraining.perLayerSwitches(net, template()),
                SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
    }

    private static INDArray updaterState(Model net) {
        return net instanceof MultiLayerNetwork m ? m.getUpdater().getStateViewArray()
                : ((ComputationGraph) net).getUpdater().getStateViewArray();
    }

    /** Trains both networks on the same data and asserts bit-identical parameters and updater state. */
    private static void assertTrainIdentically(Model a, Model b, int epochs, long seed) {
        fitEpochs(a, epochs, seed);
        fitEpochs(b, epochs, seed);
        assertArrayEquals(a.params().toFloatVector(), b.params().toFloatVector(), "parameters");
        assertArrayEquals(updaterState(a).toFloatVector(), updaterState(b).toFloatVector(), "updater state");
    }

    @Test
    void eachLayerGetsTheMinCoeffOfItsOwnThreshold() {
        Map<ParamRef, BucketSwitch> s = SdTraining.perLayerSwitches(mln(), template());
        assertEquals(List.of(SD1_C, OUT_C), List.copyOf(s.keySet()));
        assertEquals(SMALL_THETA, s.get(SD1_C).getMinCoeff());
        assertEquals(LARGE_THETA, s.get(OUT_C).getMinCoeff());
        for (BucketSwitch b : s.values()) {
            assertEquals(template(), b.withTheta(BucketSwitch.DEFAULT_THETA), "everything but minCoeff is the template's");
        }
        // a threshold between powers of two gives the next power of two up (ALGORITHMS.md 6.2)
        assertEquals(0x1p-7, template().withTheta(7e-3).getMinCoeff());
        assertEquals(s, SdTraining.perLayerSwitches(graph(), template()), "ComputationGraph");
        assertEquals(s, SdTraining.perLayerSwitches(mlnConf(), template()), "configuration");
    }

    /**
     * The point of per-layer switches: after training every C is in its own layer's domain, and sd1 holds
     * revived entries below sdOut's minCoeff 2^-4. One switch for both layers (minCoeff from the larger
     * threshold, the only one that fits both) revives too, but never below 2^-4.
     */
    @Test
    void theSmallThresholdLayerRevivesBelowTheLargeThresholdLayersMinCoeff() {
        Revivals own = train(perLayer(mln()), SMALL_THETA, LARGE_THETA);
        assertTrue(own.belowLargeMinCoeff() > 0, "no sd1 entry revived below 2^-4 with its own switch: " + own);
        Revivals single = train(SdTraining.configure(mln(), template().withTheta(LARGE_THETA),
                SdUpdaterRouting.sgdMomentum(0.05), 5e-4), LARGE_THETA, LARGE_THETA);
        assertTrue(single.nonZero() > 0, "the single switch revives sd1 entries too: " + single);
        assertEquals(0, single.belowLargeMinCoeff(), "the single switch revives at 2^-4: " + single);
    }

    /** The same on a ComputationGraph. */
    @Test
    void aComputationGraphTrainsEachLayerInItsOwnDomain() {
        Revivals own = train(perLayer(graph()), SMALL_THETA, LARGE_THETA);
        assertTrue(own.belowLargeMinCoeff() > 0, "no sd1 entry revived below 2^-4 with its own switch: " + own);
    }

    /**
     * The single-switch methods delegate to the per-layer form: a map giving every layer the same switch
     * routes the same configuration and trains to bit-identical parameters and updater state.
     */
    @Test
    void oneSwitchForAllEqualsAMapOfEqualSwitchesBitForBit() {
        BucketSwitch bs = template().withTheta(LARGE_THETA);
        MultiLayerNetwork a = mln();
        SdTraining.configure(a, bs, SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
        MultiLayerNetwork b = mln();
        SdTraining.configure(b, Map.of(OUT_C, bs, SD1_C, bs), SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
        assertEquals(a.getLayerWiseConfigurations().toJson(), b.getLayerWiseConfigurations().toJson());
        INDArray before = a.params().dup();
        assertTrainIdentically(a, b, 3, 200);
        assertNotEquals(before, a.params(), "training changed something");

        ComputationGraph ga = graph();
        SdTraining.configure(ga, bs, SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
        ComputationGraph gb = graph();
        SdTraining.configure(gb, Map.of(SD1_C, bs, OUT_C, bs), SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
        assertEquals(ga.getConfiguration().toJson(), gb.getConfiguration().toJson());
        assertTrainIdentically(ga, gb, 3, 200);
    }

    @Test
    void perLayerRoutingSurvivesJson() {
        MultiLayerConfiguration conf = mlnConf();
        SdTraining.configure(conf, SdTraining.perLayerSwitches(conf, template()), SdUpdaterRouting.sgdMomentum(0.05),
                5e-4);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        BaseLayer sd1 = (BaseLayer) back.getConf(0).getLayer();
        BaseLayer out = (BaseLayer) back.getConf(1).getLayer();
        assertEquals(SMALL_THETA, ((BucketSwitch) sd1.getUpdaterByParam("C")).getMinCoeff());
        assertEquals(LARGE_THETA, ((BucketSwitch) out.getUpdaterByParam("C")).getMinCoeff());
        assertEquals(List.of(new org.nd4j.linalg.learning.regularization.L2Regularization(5e-4),
                new BucketSwitchStep(SMALL_THETA, MAX_COEFF)), sd1.getRegularizationByParam("C"));

        ComputationGraphConfiguration g = graphConf();
        SdTraining.configure(g, SdTraining.perLayerSwitches(g, template()), SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
        ComputationGraphConfiguration gBack = ComputationGraphConfiguration.fromJson(g.toJson());
        assertEquals(g, gBack);
        BaseLayer gSd1 = (BaseLayer) ((LayerVertex) gBack.getVertices().get("sd1")).getLayerConf().getLayer();
        assertEquals(SMALL_THETA, ((BucketSwitch) gSd1.getUpdaterByParam("C")).getMinCoeff());
    }

    /**
     * A model saved mid-training with its updater restores the per-layer routing and continues bit-identically,
     * MultiLayerNetwork and ComputationGraph.
     */
    @Test
    void perLayerRoutingSurvivesModelSerializer(@TempDir Path dir) throws Exception {
        for (Model trained : List.of(perLayer(mln()), perLayer(graph()))) {
            fitEpochs(trained, 2, 300);
            File file = dir.resolve(trained.getClass().getSimpleName() + ".zip").toFile();
            ModelSerializer.writeModel(trained, file, true);
            Model restored = trained instanceof MultiLayerNetwork ? ModelSerializer.restoreMultiLayerNetwork(file, true)
                    : ModelSerializer.restoreComputationGraph(file, true);
            assertEquals(configurationJson(trained), configurationJson(restored));
            assertEquals(SMALL_THETA, routed(restored, "sd1").getMinCoeff());
            assertEquals(LARGE_THETA, routed(restored, "sdOut").getMinCoeff());
            assertTrainIdentically(trained, restored, 2, 400);
            assertInDomain(restored, SD1_C, SMALL_THETA);
            assertInDomain(restored, OUT_C, LARGE_THETA);
        }
    }

    private static String configurationJson(Model net) {
        return net instanceof MultiLayerNetwork m ? m.getLayerWiseConfigurations().toJson()
                : ((ComputationGraph) net).getConfiguration().toJson();
    }

    @Test
    void aMapMissingALayersCIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(mlnConf(), Map.of(SD1_C, template().withTheta(SMALL_THETA)),
                        SdUpdaterRouting.sgdMomentum(0.05), 5e-4));
        assertTrue(e.getMessage().contains("SdOutputLayer(name=sdOut, index=1): no BucketSwitch for its coefficient"
                + " parameter sdOut/C"), e.getMessage());
    }

    @Test
    void aMapNamingSomethingOtherThanAnSdLayersCIsRejectedNamingIt() {
        Map<ParamRef, BucketSwitch> s = new LinkedHashMap<>(SdTraining.perLayerSwitches(mlnConf(), template()));
        s.put(ParamRef.of("sd1", "B"), template());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(mlnConf(), s, SdUpdaterRouting.sgdMomentum(0.05), 5e-4));
        assertTrue(e.getMessage().contains("a BucketSwitch is given for sd1/B, which is not the coefficient parameter"
                + " of an SD layer; those are [sd1/C, sdOut/C]"), e.getMessage());

        // a plain DenseLayer's W is no SD layer's C either (SdUpdaterRouting.route routes such weights)
        MultiLayerConfiguration plain = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().name("fc").nIn(2).nOut(2).build()).build();
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(plain, Map.of(ParamRef.of("fc", "W"), template()),
                        SdUpdaterRouting.sgdMomentum(0.05), 0));
        assertTrue(p.getMessage().contains("fc/W, which is not the coefficient parameter of an SD layer; those are []"),
                p.getMessage());

        Map<ParamRef, BucketSwitch> withNull = new LinkedHashMap<>();
        withNull.put(SD1_C, template().withTheta(SMALL_THETA));
        withNull.put(OUT_C, null);
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(mlnConf(), withNull, SdUpdaterRouting.sgdMomentum(0.05), 5e-4));
        assertTrue(n.getMessage().contains("no BucketSwitch for its coefficient parameter sdOut/C"), n.getMessage());
    }

    @Test
    void aSwitchThatDoesNotFitItsLayerIsRejectedNamingLayerFieldAndValues() {
        // sd1's minCoeff 2^-9 would revive sdOut's coefficients below its threshold 2^-4: they would project to 0
        Map<ParamRef, BucketSwitch> swapped = Map.of(SD1_C, template().withTheta(LARGE_THETA),
                OUT_C, template().withTheta(SMALL_THETA));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(mlnConf(), swapped, SdUpdaterRouting.sgdMomentum(0.05), 5e-4));
        assertTrue(e.getMessage().contains("SdOutputLayer(name=sdOut, index=1): BucketSwitch.minCoeff must be >= the"
                + " layer's projection threshold theta - 1e-5 = " + (LARGE_THETA - 1e-5))
                && e.getMessage().contains("got minCoeff 0.001953125"), e.getMessage());

        BucketSwitch wide = BucketSwitch.builder(1.0).maxCoeff(64).build();
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(mlnConf(), SdTraining.perLayerSwitches(mlnConf(), wide),
                        SdUpdaterRouting.sgdMomentum(0.05), 5e-4));
        assertTrue(m.getMessage().contains("SdDenseLayer(name=sd1, index=0): BucketSwitch.maxCoeff must be <= the"
                + " layer's maxCoeff 32.0 (the forward pass clamps there), got 64.0"), m.getMessage());
    }

    /**
     * SdUpdaterRouting's map form: unknown parameters and null switches are rejected by name; a built-in layer
     * has one weight updater, so all its coefficient weights need equal switches.
     */
    @Test
    void routingAMapChecksParametersAndSwitches() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(TestNets.denseConf(), Map.of(ParamRef.of("nope", "W"), template()),
                        SdUpdaterRouting.sgdMomentum(0.1), 0));
        assertTrue(e.getMessage().contains("coefficient parameters not found in the configuration: [nope/W]"),
                e.getMessage());
        Map<ParamRef, BucketSwitch> withNull = new LinkedHashMap<>();
        withNull.put(TestNets.DENSE_W, null);
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(TestNets.denseConf(), withNull, SdUpdaterRouting.sgdMomentum(0.1), 0));
        assertTrue(n.getMessage().contains("coefficient parameter layer0/W has no BucketSwitch (null)"), n.getMessage());
        MultiLayerConfiguration routed = SdUpdaterRouting.route(TestNets.denseConf(),
                Map.of(TestNets.DENSE_W, template()), SdUpdaterRouting.sgdMomentum(0.1), 0);
        assertEquals(template(), ((BaseLayer) routed.getConf(0).getLayer()).getIUpdater());

        // DL4J's LSTM has two weight keys (W, RW) and one weight updater
        MultiLayerConfiguration lstm = new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().nIn(2).nOut(2).build()).build();
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(lstm, Map.of(ParamRef.of("layer0", "W"), template().withTheta(SMALL_THETA),
                        ParamRef.of("layer0", "RW"), template().withTheta(LARGE_THETA)),
                        SdUpdaterRouting.sgdMomentum(0.1), 0));
        assertTrue(two.getMessage().contains("layer 'layer0' (index 0, LSTM) has one updater for all its weights"
                + " [W, RW], so their bucket switches must be equal"), two.getMessage());
    }
}
