package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Masks in the updater state (ALGORITHMS.md 6.1: M = (C != 0) at conversion time; 6.2: "masked-out entries
 * never change", "a masked-in zero revives") on a ComputationGraph, and the errors of {@link BucketSwitchMasks}
 * naming the parameter. With theta_c 1 and lr 1 every entry whose gradient leaves the dead zone switches at
 * its first step, so an entry outside the mask that ever moved would show at once.
 */
class BucketSwitchMasksEdgesTest {

    private static final ParamRef GRAPH_W = ParamRef.of("d", "W");

    private static ComputationGraph graph(BucketSwitch bs) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(SdUpdaterRouting.route(conf, Set.of(GRAPH_W), bs,
                SdUpdaterRouting.sgdMomentum(0.05), 0));
        g.init();
        return g;
    }

    @Test
    void aGraphsZerosAtInstallNeverReviveWhileItsNonZerosSwitch() {
        ComputationGraph g = graph(BucketSwitch.builder(1.0).thetaC(1).maskInState(true).build());
        INDArray w = g.getLayer("d").getParam("W");
        TestNets.setPow2(w, new Random(5)); // a third zeros: outside M = (C != 0)
        INDArray zerosAtStart = w.eq(0).castTo(DataType.FLOAT);
        INDArray before = w.dup();
        BucketSwitchMasks.installFromNonZeros(g, Set.of(GRAPH_W));
        for (DataSet ds : TestNets.data(4, 9)) {
            g.fit(ds);
        }
        assertEquals(0.0, w.mul(zerosAtStart).norm1Number().doubleValue(), 0.0, "outside M: still exactly 0");
        long moved = w.neq(before).castTo(DataType.INT32).sumNumber().longValue();
        assertTrue(moved > 0, "inside M the bucket switch must have moved entries, moved " + moved);
    }

    @Test
    void aMaskOfAParameterWhoseBlockDoesNotStartAtZeroLandsOnIt() {
        // layer1/W of the dense test net: its updater block starts after layer0's 35 parameters. Mask: only the
        // first row of W [5, 3] inside; every entry starts at 0, so only those 3 may revive (theta_c 1, lr 1).
        ParamRef outW = ParamRef.of("layer1", "W");
        MultiLayerNetwork net = new MultiLayerNetwork(SdUpdaterRouting.route(TestNets.denseConf(), Set.of(outW),
                BucketSwitch.builder(1.0).thetaC(1).maskInState(true).build(), SdUpdaterRouting.sgdMomentum(0.05), 0));
        net.init();
        INDArray w = net.getLayer(1).getParam("W");
        w.assign(0);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 5, 3);
        mask.getRow(0).assign(1);
        BucketSwitchMasks.install(net, Map.of(outW, mask));
        for (DataSet ds : TestNets.data(3, 4)) {
            net.fit(ds);
        }
        assertEquals(0.0, w.mul(mask.rsub(1)).norm1Number().doubleValue(), 0.0, "rows 1..4 are outside: still 0");
        long revived = w.neq(0).castTo(DataType.INT32).sumNumber().longValue();
        assertTrue(revived >= 1 && revived <= 3, "only row 0 may revive, revived " + revived);
    }

    @Test
    void twoWeightsInOneUpdaterBlockEachGetTheirOwnMask() {
        // an LSTM routes W and RW (both weight keys) to one switch: one updater block holding W (2 x 8) then RW
        // (2 x 8). W fully inside (+-0.5, so the hidden state, hence RW's gradient, is not 0), RW fully outside
        // and 0: RW must stay exactly 0 (without its mask it revives at once, theta_c 1 and lr 1).
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(new LSTM.Builder().nIn(2).nOut(2).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        ParamRef w = ParamRef.of("layer0", "W");
        ParamRef rw = ParamRef.of("layer0", "RW");
        MultiLayerNetwork net = new MultiLayerNetwork(SdUpdaterRouting.route(conf, Set.of(w, rw),
                BucketSwitch.builder(1.0).thetaC(1).maskInState(true).build(), SdUpdaterRouting.sgdMomentum(0.05), 0));
        net.init();
        INDArray wv = net.getLayer(0).getParam("W");
        for (long i = 0; i < wv.length(); i++) {
            wv.putScalar(i, i % 3 == 0 ? -0.5 : 0.5);
        }
        net.getLayer(0).getParam("RW").assign(0);
        BucketSwitchMasks.install(net, Map.of(w, Nd4j.ones(DataType.FLOAT, 2, 8), rw, Nd4j.zeros(DataType.FLOAT, 2, 8)));
        Random rnd = new Random(1);
        for (int it = 0; it < 5; it++) {
            float[][][] x = new float[4][2][3];
            float[][][] y = new float[4][1][3];
            for (int n = 0; n < 4; n++) {
                for (int t = 0; t < 3; t++) {
                    x[n][0][t] = (float) rnd.nextGaussian();
                    x[n][1][t] = (float) rnd.nextGaussian();
                    y[n][0][t] = x[n][0][t] - x[n][1][t];
                }
            }
            net.fit(new DataSet(Nd4j.create(x), Nd4j.create(y)));
        }
        assertEquals(0.0, net.getLayer(0).getParam("RW").norm1Number().doubleValue(), 0.0, "RW outside: still 0");
        assertTrue(net.getLayer(0).getParam("W").neq(0).castTo(DataType.INT32).sumNumber().intValue() > 0,
                "W inside keeps non-zero entries");
    }

    @Test
    void withoutMaskEveryZeroOfAGraphRevives() {
        // the same run without installing a mask: every entry counts as inside (class comment), zeros revive
        ComputationGraph g = graph(BucketSwitch.builder(1.0).thetaC(1).maskInState(true).build());
        INDArray w = g.getLayer("d").getParam("W");
        w.assign(0);
        g.fit(TestNets.data(1, 9).get(0));
        long revived = w.neq(0).castTo(DataType.INT32).sumNumber().longValue();
        assertTrue(revived >= 15, "most of the 30 zeros revive at the first step, revived " + revived);
    }

    @Test
    void errorsNameTheParameterAndTheReason() {
        ComputationGraph g = graph(BucketSwitch.builder(1.0).maskInState(true).build());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.installFromNonZeros(g, Set.of(ParamRef.of("d", "nope"))));
        assertEquals("network has no parameter d/nope", unknown.getMessage(), "unknown parameter of a graph's layer");
        // an unknown layer of a graph: the same message (DL4J's ComputationGraph.getLayer throws its own
        // IllegalStateException for it, which the masks no longer call)
        IllegalArgumentException unknownLayer = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.installFromNonZeros(g, Set.of(ParamRef.of("nope", "W"))));
        assertEquals("network has no parameter nope/W", unknownLayer.getMessage(), "unknown layer of a graph");
        IllegalArgumentException noBlock = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.install(g, Map.of(ParamRef.of("nope", "W"), Nd4j.ones(DataType.FLOAT, 6, 5))));
        assertEquals("no updater block holds the parameters [nope/W]", noBlock.getMessage(), "no block");
        ComputationGraph plain = graph(BucketSwitch.builder(1.0).build());
        IllegalArgumentException notInState = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.installFromNonZeros(plain, Set.of(GRAPH_W)));
        assertTrue(notInState.getMessage().startsWith("parameter d/W does not use a BucketSwitch updater with "
                + "maskInState(true)"), notInState.getMessage());
        assertTrue(notInState.getMessage().endsWith("its updater is " + BucketSwitch.builder(1.0).build()),
                "names the updater it found: " + notInState.getMessage());
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.denseConf());
        net.init();
        IllegalArgumentException mlnUnknown = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.installFromNonZeros(net, Set.of(ParamRef.of("nope", "W"))));
        assertEquals("network has no parameter nope/W", mlnUnknown.getMessage(), "unknown layer of a network");
        String layerClass = net.getLayer(0).getClass().getName();
        IllegalArgumentException notAModel = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.install(net.getLayer(0), Map.of()));
        assertEquals("expected a MultiLayerNetwork or ComputationGraph, got " + layerClass, notAModel.getMessage());
        IllegalArgumentException notAModel2 = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.paramOf(net.getLayer(0), TestNets.DENSE_W));
        assertEquals("expected a MultiLayerNetwork or ComputationGraph, got " + layerClass, notAModel2.getMessage());
    }
}
