package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.FreezeUpdater;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.Pow2;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SwaListener;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;

/**
 * {@link SdTraining#configure} on SD networks made by {@link SdConverter}: every SD layer's C trains with
 * the bucket switch, B / biases / BatchNorm / layers left dense with SGD momentum and weight decay, M is
 * frozen; the routing survives JSON and ModelSerializer; after training C is exactly in {0, +-2^p}
 * inside M and 0 outside, and the updater state holds no copy of C.
 */
class SdTrainingWiringTest {

    private static final double WD = 5e-4;

    /** lr 1 and theta_c 2 so that a tiny network switches often (as BucketSwitchNetworkTest). */
    private static BucketSwitch fastSwitch() {
        return BucketSwitch.builder(1.0).thetaC(2).thetaG(1e-6).theta(7e-3).build();
    }

    private static IUpdater others() {
        return new Nesterovs(0.05, 0.9);
    }

    /** 20 -> fc1 12 (tanh) -> bn1 -> fc2 8 (relu) -> out 3, converted at theta 7e-3. */
    static MultiLayerNetwork sdMlp() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().name("bn1").nOut(12).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(12).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return (MultiLayerNetwork) SdConverter.convert(n, ConversionPlan.defaultPlan().withTheta(7e-3)).network();
    }

    /**
     * conv1 3x3 (SD) -> bn -> dw 3x3 depthwise (SD, the plan converts depthwise layers) -> conv2 3x3 (SD) + skip ->
     * global pool -> fc (SD), a ComputationGraph.
     */
    private static ComputationGraph sdGraph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(1e-3))
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).activation(Activation.TANH)
                        .build(), "bn1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(),
                        "dw")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "conv2", "bn1")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "add")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("fc").setInputTypes(InputType.convolutional(6, 6, 2)).build());
        g.init();
        ConversionPlan plan = ConversionPlan.defaultPlan().withConvertDepthwise(true).withTheta(7e-3);
        ComputationGraph sd = (ComputationGraph) SdConverter.convert(g, plan).network();
        assertInstanceOf(org.smartdeal.layers.SdDepthwiseConvolutionLayer.class, sd.getLayer("dw").conf().getLayer());
        return sd;
    }

    private static List<DataSet> data(long seed, int batches, long[] featureShape, int classes) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, featureShape).subi(0.5).muli(4);
            INDArray y = Nd4j.zeros(DataType.FLOAT, featureShape[0], classes);
            for (int r = 0; r < featureShape[0]; r++) {
                y.putScalar(r, (r + i) % classes, 1f);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    private static void assertRouted(Layer l, BucketSwitch bs) {
        BaseLayer b = (BaseLayer) l;
        String name = l.getLayerName();
        if (l instanceof SdLayer) {
            assertEquals(bs, b.getUpdaterByParam("C"), name + "/C");
            assertEquals(bs.regularization(), b.getRegularizationByParam("C"), name + "/C");
            assertEquals(others(), b.getUpdaterByParam("B"), name + "/B");
            assertEquals(List.of(new L2Regularization(WD)), b.getRegularizationByParam("B"), name + "/B");
            assertEquals(others(), b.getUpdaterByParam("b"), name + "/b");
            assertEquals(List.of(new L2Regularization(WD)), b.getRegularizationByParam("b"), name + "/b");
            assertInstanceOf(FreezeUpdater.class, b.getUpdaterByParam("M"), name + "/M");
            assertEquals(List.of(), b.getRegularizationByParam("M"), name + "/M");
        } else {
            assertEquals(others(), b.getIUpdater(), name);
        }
    }

    @Test
    void everyParameterIsRoutedAndTheRoutingSurvivesJson() {
        MultiLayerNetwork net = sdMlp();
        BucketSwitch bs = fastSwitch();
        SdTraining.configure(net, bs, others(), WD);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        for (int i = 0; i < back.getConfs().size(); i++) {
            assertRouted(conf.getConf(i).getLayer(), bs);
            assertRouted(back.getConf(i).getLayer(), bs);
        }
        assertEquals(List.of("fc1/C", "fc2/C", "out/C"),
                SdTraining.coefficientParams(net).stream().map(Object::toString).toList());
    }

    @Test
    void updaterStateHoldsOnlyMomentumAndCountersForC() {
        MultiLayerNetwork net = sdMlp();
        SdTraining.configure(net, fastSwitch(), others(), WD);
        // Packed shapes (ALGORITHMS.md 2, basis width 3): fc1 20->12: R = 7, C 12*7*3 = 252, B 12*9 = 108;
        // fc2 12->8: R = 4, C 96, B 72; out 8->3: R = 3, C 27, B 27; biases 12 + 8 + 3.
        // BucketSwitch: v and counter per entry + 1 epoch word; Nesterovs: v per entry; M frozen: 0;
        // BatchNorm gamma, beta 12 + 12 (Nesterovs), running statistics no-op: 0.
        long expected = (2 * 252 + 1) + (2 * 96 + 1) + (2 * 27 + 1) + (108 + 72 + 27) + (12 + 8 + 3) + 24;
        assertEquals(1007, expected);
        assertEquals(expected, net.getUpdater().getStateViewArray().length());
    }

    @Test
    void afterTrainingCIsInTheDomainInsideItsMaskAndZeroOutsideAndBTrained() {
        MultiLayerNetwork net = sdMlp();
        SdTraining.configure(net, fastSwitch(), others(), WD);
        List<String> sd = List.of("fc1", "fc2", "out");
        List<float[]> c0 = new ArrayList<>();
        List<float[]> m0 = new ArrayList<>();
        List<float[]> b0 = new ArrayList<>();
        for (String l : sd) {
            c0.add(net.getLayer(l).getParam("C").dup().data().asFloat());
            m0.add(net.getLayer(l).getParam("M").dup().data().asFloat());
            b0.add(net.getLayer(l).getParam("B").dup().data().asFloat());
        }
        List<DataSet> data = data(11, 8, new long[] {16, 20}, 3);
        for (int epoch = 0; epoch < 4; epoch++) {
            for (DataSet ds : data) {
                net.fit(ds);
            }
            net.incrementEpochCount();
        }
        long switched = 0;
        for (int i = 0; i < sd.size(); i++) {
            String l = sd.get(i);
            float[] c = net.getLayer(l).getParam("C").dup().data().asFloat();
            float[] m = net.getLayer(l).getParam("M").dup().data().asFloat();
            float[] b = net.getLayer(l).getParam("B").dup().data().asFloat();
            assertArrayEquals(m0.get(i), m, l + ": M must stay frozen");
            for (int k = 0; k < c.length; k++) {
                assertTrue(Pow2.isZeroOrSignedPowerOfTwo(c[k]), l + " C[" + k + "] = " + c[k]);
                assertTrue(Math.abs(c[k]) <= 32f, l + " C[" + k + "] = " + c[k] + " above maxCoeff 32");
                if (m[k] == 0f) {
                    assertEquals(0f, c[k], l + " C[" + k + "] is outside the mask");
                }
                if (c[k] != c0.get(i)[k]) {
                    switched++;
                }
            }
            assertTrue(!java.util.Arrays.equals(b0.get(i), b), l + ": B must train");
        }
        assertTrue(switched >= 5, "training must switch some buckets, switched " + switched);
    }

    @Test
    void swaProjectsTheAverageIntoTheDomainInsideTheMask() {
        MultiLayerNetwork net = sdMlp();
        SdTraining.configure(net, fastSwitch(), others(), WD);
        SwaListener swa = SdTraining.swaListener(net, 1, 7e-3);
        List<DataSet> data = data(12, 4, new long[] {16, 20}, 3);
        for (int epoch = 0; epoch < 3; epoch++) {
            swa.onEpochStart(net);
            for (DataSet ds : data) {
                net.fit(ds);
            }
            swa.onEpochEnd(net);
            net.incrementEpochCount();
        }
        assertEquals(3, swa.samples());
        swa.finish(net, new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(data));
        for (String l : List.of("fc1", "fc2", "out")) {
            float[] c = net.getLayer(l).getParam("C").dup().data().asFloat();
            float[] m = net.getLayer(l).getParam("M").dup().data().asFloat();
            for (int k = 0; k < c.length; k++) {
                assertTrue(Pow2.isZeroOrSignedPowerOfTwo(c[k]), l + " C[" + k + "] = " + c[k]);
                if (m[k] == 0f) {
                    assertEquals(0f, c[k], l + " C[" + k + "] is outside the mask");
                }
            }
        }
    }

    @Test
    void saveRestoreAndContinueIsBitIdentical(@TempDir Path dir) throws Exception {
        List<DataSet> data = data(13, 6, new long[] {16, 20}, 3);
        MultiLayerNetwork a = sdMlp();
        SdTraining.configure(a, fastSwitch(), others(), WD);
        MultiLayerNetwork b = sdMlp();
        SdTraining.configure(b, fastSwitch(), others(), WD);
        for (int i = 0; i < 3; i++) {
            a.fit(data.get(i));
            b.fit(data.get(i));
        }
        File file = dir.resolve("mid.zip").toFile();
        ModelSerializer.writeModel(b, file, true);
        MultiLayerNetwork c = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(a.getLayerWiseConfigurations(), c.getLayerWiseConfigurations());
        for (int i = 3; i < data.size(); i++) {
            a.fit(data.get(i));
            c.fit(data.get(i));
        }
        assertArrayEquals(a.params().toFloatVector(), c.params().toFloatVector());
        assertArrayEquals(a.getUpdater().getStateViewArray().toFloatVector(),
                c.getUpdater().getStateViewArray().toFloatVector());
    }

    @Test
    void computationGraphWithConvolutionsTrainsInTheDomain() {
        ComputationGraph g = sdGraph();
        BucketSwitch bs = fastSwitch();
        SdTraining.configure(g, bs, others(), WD);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
        assertEquals(g.getConfiguration(), back);
        for (String v : List.of("conv1", "bn1", "dw", "conv2", "fc")) {
            assertRouted(g.getLayer(v).conf().getLayer(), bs);
        }
        List<DataSet> data = data(14, 4, new long[] {8, 2, 6, 6}, 3);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (DataSet ds : data) {
                g.fit(ds);
            }
            g.incrementEpochCount();
        }
        for (String v : List.of("conv1", "dw", "conv2", "fc")) {
            float[] c = g.getLayer(v).getParam("C").dup().data().asFloat();
            float[] m = g.getLayer(v).getParam("M").dup().data().asFloat();
            for (int k = 0; k < c.length; k++) {
                assertTrue(Pow2.isZeroOrSignedPowerOfTwo(c[k]), v + " C[" + k + "] = " + c[k]);
                if (m[k] == 0f) {
                    assertEquals(0f, c[k], v + " C[" + k + "] is outside the mask");
                }
            }
        }
    }

    /**
     * One step with theta_c 1, no dead zone, no momentum history and no weight decay: every masked-in C entry
     * with a non-zero gradient must move one bucket in the descent direction, -sign(dL/dC), where dL/dC is
     * computed by DL4J on the same minibatch before the step (ALGORITHMS.md 6.2: d = -lr v, v = g on the first
     * step). Checked on convolutions (graph) and dense layers, so a layout mismatch between the gradient, the
     * updater state and C would show as entries moving up the loss.
     */
    @Test
    void eachSwitchFollowsTheDescentDirectionOfItsOwnGradient() {
        BucketSwitch oneStep = BucketSwitch.builder(0.1).thetaC(1).thetaG(1e-30).theta(7e-3).weightDecay(0)
                .build();
        ComputationGraph g = sdGraph();
        SdTraining.configure(g, oneStep, others(), 0);
        DataSet ds = data(15, 1, new long[] {8, 2, 6, 6}, 3).get(0);
        g.setInputs(ds.getFeatures());
        g.setLabels(ds.getLabels());
        g.computeGradientAndScore();
        java.util.Map<String, INDArray> grads = new java.util.HashMap<>();
        java.util.Map<String, INDArray> before = new java.util.HashMap<>();
        for (String v : List.of("conv1", "dw", "conv2", "fc")) {
            grads.put(v, g.gradient().getGradientFor(v + "_C").dup());
            before.put(v, g.getLayer(v).getParam("C").dup());
        }
        g.fit(ds);
        int checked = 0;
        for (String v : List.of("conv1", "dw", "conv2", "fc")) {
            float[] gr = grads.get(v).data().asFloat();
            float[] c0 = before.get(v).data().asFloat();
            float[] c1 = g.getLayer(v).getParam("C").dup().data().asFloat();
            float[] m = g.getLayer(v).getParam("M").dup().data().asFloat();
            for (int k = 0; k < c0.length; k++) {
                if (m[k] == 0f || gr[k] == 0f) {
                    assertEquals(c0[k], c1[k], v + " C[" + k + "] must not move (mask " + m[k] + ", grad " + gr[k]
                            + ")");
                    continue;
                }
                assertTrue(c1[k] != c0[k], v + " C[" + k + "] did not switch, grad " + gr[k]);
                assertEquals(-Math.signum(gr[k]), Math.signum(c1[k] - c0[k]),
                        v + " C[" + k + "] moved " + c0[k] + " -> " + c1[k] + " with gradient " + gr[k]);
                checked++;
            }
        }
        assertTrue(checked > 50, "too few entries checked: " + checked);
    }

    @Test
    void aMaxCoeffAboveTheLayersClampIsRejectedNamingTheLayer() {
        MultiLayerNetwork net = sdMlp();
        BucketSwitch tooLarge = BucketSwitch.builder(0.1).theta(7e-3).maxCoeff(64).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(net, tooLarge, others(), WD));
        assertTrue(e.getMessage().contains("SdDenseLayer(name=fc1, index=0)")
                && e.getMessage().contains("maxCoeff 32.0") && e.getMessage().contains("got 64.0"), e.getMessage());
    }
}
