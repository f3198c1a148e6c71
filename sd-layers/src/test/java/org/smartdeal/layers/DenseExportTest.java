package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * {@link DenseExport}: the expected weights come from {@link SdTestSupport}'s naive rebuild (per unit, C[k] B[k] in
 * plain loops, laid out as DL4J's dense and convolution weights), and the expected outputs from the SD network itself,
 * which DL4J's own layers must reproduce on the exported weights. Double precision throughout, so agreement is to
 * 1e-10 and a wrong layout or a dropped mask shows at order 1e-1.
 */
class DenseExportTest {

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .weightInit(WeightInit.XAVIER);
    }

    /** Gives an initialised SD layer random C (30% zeros), B and the matching mask; returns {C, B}. */
    private static double[][] randomize(Layer layer, long seed) {
        SdSliceShape s = ((SdLayer) Networks.unwrapFrozen(layer.conf().getLayer())).sliceShape();
        double[] c = SdTestSupport.randomC(s, seed, 0.3);
        double[] b = SdTestSupport.randomB(s, seed + 1);
        SdTestSupport.setSdParams(layer, c, b, SdTestSupport.maskOf(c));
        return new double[][] {c, b};
    }

    private static void assertSameOutputs(INDArray expected, INDArray actual) {
        assertEquals(expected.length(), actual.length());
        double worst = expected.sub(actual).norm1Number().doubleValue() / expected.length();
        assertTrue(worst < 1e-10, "mean |difference| " + worst);
    }

    private static MultiLayerNetwork reload(MultiLayerNetwork net) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, false);
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), false);
    }

    @Test
    void denseAndOutputLayersGetTheRebuiltWeightsAndLoadIntoStockDl4j() throws IOException {
        MultiLayerNetwork sd = new MultiLayerNetwork(base().list()
                .layer(new SdDenseLayer.Builder().name("fc1").nOut(12).activation(Activation.TANH).sliceRows(8)
                        .basisWidth(4).build())
                .layer(new SdOutputLayer.Builder(LossFunction.MCXENT).name("out").nOut(5).activation(Activation.SOFTMAX)
                        .sliceRows(6).basisWidth(3).build())
                .setInputType(InputType.feedForward(20)).build());
        sd.init();
        double[][] fc1 = randomize(sd.getLayer(0), 1);
        randomize(sd.getLayer(1), 3);
        sd.getLayer(0).getParam("b").assign(Nd4j.linspace(DataType.DOUBLE, -0.5, 0.1, 12).reshape(1, 12));
        INDArray before = sd.params().dup();

        MultiLayerNetwork dense = (MultiLayerNetwork) DenseExport.toDense(sd);

        assertEquals(DenseLayer.class, dense.getLayer(0).conf().getLayer().getClass());
        assertEquals(OutputLayer.class, dense.getLayer(1).conf().getLayer().getClass());
        assertEquals("fc1", dense.getLayer(0).conf().getLayer().getLayerName());
        SdSliceShape s = ((SdLayer) sd.getLayer(0).conf().getLayer()).sliceShape();
        INDArray expectedW = SdTestSupport.denseWeight(SdTestSupport.rebuildUnits(s, fc1[0], fc1[1]));
        assertEquals(0, expectedW.sub(dense.getLayer(0).getParam("W")).amaxNumber().doubleValue(), 1e-12);
        assertEquals(sd.getLayer(0).getParam("b"), dense.getLayer(0).getParam("b"));
        assertEquals(LossFunction.MCXENT.getILossFunction(),
                ((OutputLayer) dense.getLayer(1).conf().getLayer()).getLossFn());

        INDArray x = Nd4j.rand(DataType.DOUBLE, 7, 20).subi(0.5);
        assertSameOutputs(sd.output(x), dense.output(x));
        assertEquals(before, sd.params(), "the SD network is not modified");
        assertFalse(dense.getLayerWiseConfigurations().toJson().contains("org.smartdeal"),
                "no class of this project in the configuration");
        assertEquals(dense.output(x), reload(dense).output(x));
        assertEquals(0, dense.getEpochCount());
    }

    @Test
    void convolutionsDepthwiseAndCarriedLayersGiveTheSdNetworksOutputs() throws IOException {
        MultiLayerNetwork sd = new MultiLayerNetwork(base().list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.TANH).build())
                .layer(new SdConvolutionLayer.Builder(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}).name("c1")
                        .convolutionMode(ConvolutionMode.Same).dilation(2, 2).nOut(6).activation(Activation.RELU)
                        .sliceRows(9).basisWidth(3).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SdDepthwiseConvolutionLayer.Builder(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1})
                        .name("dw").depthMultiplier(2).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {1, 1}).build())
                .layer(new SdOutputLayer.Builder(LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 2)).build());
        sd.init();
        double[][] c1 = randomize(sd.getLayer(1), 5);
        randomize(sd.getLayer(3), 7);
        randomize(sd.getLayer(5), 9);
        // BatchNorm with statistics of its own, carried over as they are (DL4J keeps log10 of the deviation)
        sd.getLayer(2).getParam("mean").assign(0.25);
        sd.getLayer(2).getParam("log10stdev").assign(0.3);

        MultiLayerNetwork dense = (MultiLayerNetwork) DenseExport.toDense(sd);

        assertEquals(ConvolutionLayer.class, dense.getLayer(1).conf().getLayer().getClass());
        assertEquals(DepthwiseConvolution2D.class, dense.getLayer(3).conf().getLayer().getClass());
        ConvolutionLayer conv = (ConvolutionLayer) dense.getLayer(1).conf().getLayer();
        assertEquals(ConvolutionMode.Same, conv.getConvolutionMode());
        assertEquals(List.of(2, 2), List.of(conv.getDilation()[0], conv.getDilation()[1]));
        assertEquals(2, ((DepthwiseConvolution2D) dense.getLayer(3).conf().getLayer()).getDepthMultiplier());
        SdSliceShape s = ((SdLayer) sd.getLayer(1).conf().getLayer()).sliceShape();
        INDArray expectedW = SdTestSupport.convWeight(SdTestSupport.rebuildUnits(s, c1[0], c1[1]), 3, 3, 3);
        assertEquals(0, expectedW.sub(dense.getLayer(1).getParam("W")).amaxNumber().doubleValue(), 1e-12);
        assertEquals(sd.getLayer(2).getParam("log10stdev"), dense.getLayer(2).getParam("log10stdev"));

        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 9, 9).subi(0.5);
        assertSameOutputs(sd.output(x), dense.output(x));
        assertSameOutputs(sd.output(x), reload(dense).output(x));
        assertFalse(dense.getLayerWiseConfigurations().toJson().contains("org.smartdeal"));
    }

    @Test
    void aGraphKeepsItsVerticesAndPreprocessors() throws IOException {
        ComputationGraph sd = new ComputationGraph(base().graphBuilder().addInputs("in")
                .addLayer("a", new SdConvolutionLayer.Builder(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1})
                        .nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("b", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.TANH).build(), "in")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("fc", new SdDenseLayer.Builder().nOut(6).activation(Activation.RELU).build(), "merge")
                .addLayer("out", new SdOutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(5, 5, 2)).build());
        sd.init();
        randomize(sd.getLayer("a"), 13);
        randomize(sd.getLayer("fc"), 15);
        randomize(sd.getLayer("out"), 17);

        ComputationGraph dense = (ComputationGraph) DenseExport.toDense(sd);

        assertEquals(ConvolutionLayer.class, dense.getLayer("a").conf().getLayer().getClass());
        assertEquals(DenseLayer.class, dense.getLayer("fc").conf().getLayer().getClass());
        ComputationGraphConfiguration conf = dense.getConfiguration();
        assertInstanceOf(MergeVertex.class, conf.getVertices().get("merge"));
        assertEquals(sd.getConfiguration().getVertexInputs(), conf.getVertexInputs());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 2, 5, 5).subi(0.5);
        assertSameOutputs(sd.outputSingle(x), dense.outputSingle(x));
        assertFalse(conf.toJson().contains("org.smartdeal"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(dense, bytes, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        assertEquals(dense.outputSingle(x), back.outputSingle(x));
    }

    /**
     * A frozen SD layer stays frozen; a weight updater of this project's (the mask's {@link FreezeUpdater}, standing
     * for the bucket switch of SD training) becomes the layer's bias updater, which stock DL4J can read.
     */
    @Test
    void frozenWrappersStayAndTheProjectsUpdatersAreReplaced() {
        SdDenseLayer frozenInner = new SdDenseLayer.Builder().name("fc1").nIn(6).nOut(5).activation(Activation.TANH)
                .build();
        MultiLayerNetwork sd = new MultiLayerNetwork(base().list()
                .layer(new FrozenLayer(frozenInner))
                .layer(new SdOutputLayer.Builder(LossFunction.MSE).name("out").nOut(2).activation(Activation.IDENTITY)
                        .updater(new FreezeUpdater()).biasUpdater(new Adam(0.01)).build())
                .setInputType(InputType.feedForward(6)).build());
        sd.init();
        randomize(sd.getLayer(0), 19);
        randomize(sd.getLayer(1), 21);

        MultiLayerNetwork dense = (MultiLayerNetwork) DenseExport.toDense(sd);

        FrozenLayer f = assertInstanceOf(FrozenLayer.class, dense.getLayerWiseConfigurations().getConf(0).getLayer());
        assertEquals(DenseLayer.class, f.getLayer().getClass());
        OutputLayer out = (OutputLayer) dense.getLayer(1).conf().getLayer();
        assertEquals(new Adam(0.01), out.getIUpdater());
        assertEquals(new Adam(0.01), out.getBiasUpdater());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 6);
        assertSameOutputs(sd.output(x), dense.output(x));
        assertFalse(dense.getLayerWiseConfigurations().toJson().contains("org.smartdeal"));
    }

    /**
     * A graph with FrozenLayer and FrozenLayerWithBackprop vertices (what TransferLearning's feature extractor makes),
     * around an SD layer and around a BatchNormalization, loads back into stock DL4J: the new wrappers keep their
     * names (unnamed, the saved graph failed in ComputationGraph.init with a NullPointerException).
     */
    @Test
    void aGraphsFrozenLayersKeepTheirNamesAndTheZipLoads() throws IOException {
        ComputationGraph sd = new ComputationGraph(base().graphBuilder().addInputs("in")
                .addLayer("fc", new FrozenLayer(new SdDenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH)
                        .build()), "in")
                .addLayer("bn", new org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop(
                        new BatchNormalization.Builder().nOut(4).build()), "fc")
                .addLayer("out", new SdOutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY)
                        .build(), "bn")
                .setOutputs("out").build());
        sd.init();
        randomize(sd.getLayer("fc"), 27);
        randomize(sd.getLayer("out"), 29);

        ComputationGraph dense = (ComputationGraph) DenseExport.toDense(sd);

        for (String v : new String[] {"fc", "bn"}) {
            assertEquals(v, ((org.deeplearning4j.nn.conf.graph.LayerVertex) dense.getConfiguration().getVertices().get(v))
                    .getLayerConf().getLayer().getLayerName(), v);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(dense, bytes, false);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 5);
        assertSameOutputs(sd.outputSingle(x), loaded.outputSingle(x));
        assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayer.class, loaded.getLayer("fc"));
    }

    /** A wrapper without a name leaves the wrapped layer's name as it is (DL4J's setter would null it). */
    @Test
    void anUnnamedWrapperKeepsItsLayersName() throws ReflectiveOperationException {
        FrozenLayer wrapper = new FrozenLayer(new SdDenseLayer.Builder().nIn(6).nOut(5)
                .activation(Activation.TANH).build());
        MultiLayerNetwork sd = new MultiLayerNetwork(base().list()
                .layer(wrapper)
                .layer(new SdOutputLayer.Builder(LossFunction.MSE).name("out").nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(6)).build());
        sd.init();
        // DL4J's builder names the wrapper; a hand-written configuration may not: its name field cleared directly
        // (the setter would clear the wrapped layer's too)
        FrozenLayer conf = (FrozenLayer) sd.getLayerWiseConfigurations().getConf(0).getLayer();
        java.lang.reflect.Field name = org.deeplearning4j.nn.conf.layers.Layer.class.getDeclaredField("layerName");
        name.setAccessible(true);
        name.set(conf, null);
        name.set(conf.getLayer(), "inner"); // (DL4J's builder gave the wrapped layer the wrapper's name, layer0)
        MultiLayerNetwork dense = (MultiLayerNetwork) DenseExport.toDense(sd);
        FrozenLayer f = (FrozenLayer) dense.getLayerWiseConfigurations().getConf(0).getLayer();
        assertEquals("inner", f.getLayer().getLayerName());
    }

    /** A graph vertex wrapped in DL4J's FrozenVertex is opened like a frozen layer. */
    @Test
    void aFrozenVertexIsOpened() {
        ComputationGraphConfiguration conf = base().graphBuilder().addInputs("in")
                .addLayer("fc", new SdDenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("out", new SdOutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY)
                        .build(), "fc")
                .setOutputs("out").build();
        conf.getVertices().put("fc", new org.deeplearning4j.nn.conf.graph.FrozenVertex(conf.getVertices().get("fc")));
        ComputationGraph frozen = new ComputationGraph(conf);
        frozen.init();
        randomize(frozen.getLayer("fc"), 23);
        randomize(frozen.getLayer("out"), 25);

        ComputationGraph dense = (ComputationGraph) DenseExport.toDense(frozen);

        org.deeplearning4j.nn.conf.graph.FrozenVertex v = assertInstanceOf(
                org.deeplearning4j.nn.conf.graph.FrozenVertex.class, dense.getConfiguration().getVertices().get("fc"));
        assertEquals(DenseLayer.class, ((org.deeplearning4j.nn.conf.graph.LayerVertex) v.getUnderlying()).getLayerConf()
                .getLayer().getClass());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 5);
        assertSameOutputs(frozen.outputSingle(x), dense.outputSingle(x));
        assertFalse(dense.getConfiguration().toJson().contains("org.smartdeal"));
    }

    /**
     * What would leave a class of this project in the exported configuration is refused, never written: an SD layer
     * inside a wrapper that is not a frozen one, a project updater on a layer that is not SD.
     */
    @Test
    void whatCannotBecomePlainDl4jIsRefused() {
        MultiLayerNetwork wrapped = new MultiLayerNetwork(base().list()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed(new SdDenseLayer.Builder().nIn(3)
                        .nOut(4).activation(Activation.TANH).build()))
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build());
        wrapped.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DenseExport.toDense(wrapped));
        assertTrue(e.getMessage().startsWith("DenseExport.toDense: the network would still need this project's classes "
                + "[org.smartdeal.layers.SdDenseLayer"), e.getMessage());

        MultiLayerNetwork updater = new MultiLayerNetwork(base().list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).updater(new FreezeUpdater()).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY).build())
                .build());
        updater.init();
        e = assertThrows(IllegalArgumentException.class, () -> DenseExport.toDense(updater));
        assertTrue(e.getMessage().contains("[org.smartdeal.layers.FreezeUpdater]"), e.getMessage());

        ComputationGraph graph = new ComputationGraph(base().graphBuilder().addInputs("in")
                .addLayer("fc", new DenseLayer.Builder().nIn(3).nOut(4).updater(new FreezeUpdater()).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY)
                        .build(), "fc")
                .setOutputs("out").build());
        graph.init();
        e = assertThrows(IllegalArgumentException.class, () -> DenseExport.toDense(graph));
        assertTrue(e.getMessage().contains("[org.smartdeal.layers.FreezeUpdater]"), e.getMessage());
    }

    /** A regularization of a class outside DL4J and ND4J (as the bucket switch's are): dropped by the export. */
    public static final class OwnRegularization extends org.nd4j.linalg.learning.regularization.L1Regularization {
        public OwnRegularization() {
            super(0.5);
        }

        @Override
        public org.nd4j.linalg.learning.regularization.Regularization clone() {
            return new OwnRegularization(); // DL4J clones layer settings when it builds a configuration
        }
    }

    /**
     * The layer settings carry over (dropout, weight init, DL4J's regularizations; the project's are dropped), a
     * FrozenLayerWithBackprop stays around its layer, and the epoch and iteration counts restart at 0 in a network and
     * in a graph.
     */
    @Test
    void settingsCarryOverAndCountsRestart() {
        SdDenseLayer.Builder b = new SdDenseLayer.Builder().name("fc").nIn(4).nOut(3).activation(Activation.TANH)
                .dropOut(0.8).weightInit(WeightInit.LECUN_NORMAL);
        b.regularization(List.of(new org.nd4j.linalg.learning.regularization.L2Regularization(1e-3),
                new OwnRegularization()));
        b.regularizationBias(List.of(new OwnRegularization(),
                new org.nd4j.linalg.learning.regularization.L2Regularization(2e-3)));
        SdDenseLayer inner = b.build();
        MultiLayerNetwork sd = new MultiLayerNetwork(base().list()
                .layer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop(inner))
                .layer(new SdOutputLayer.Builder(LossFunction.MSE).name("out").nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.feedForward(4)).build());
        sd.init();
        randomize(sd.getLayer(0), 27);
        randomize(sd.getLayer(1), 29);
        sd.setEpochCount(3);
        sd.getLayerWiseConfigurations().setIterationCount(40);

        MultiLayerNetwork dense = (MultiLayerNetwork) DenseExport.toDense(sd);

        org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop f = assertInstanceOf(
                org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop.class,
                dense.getLayerWiseConfigurations().getConf(0).getLayer());
        DenseLayer fc = assertInstanceOf(DenseLayer.class, f.getUnderlying());
        assertEquals(inner.getIDropout(), fc.getIDropout());
        assertEquals(inner.getWeightInitFn(), fc.getWeightInitFn());
        assertEquals(List.of(new org.nd4j.linalg.learning.regularization.L2Regularization(1e-3)), fc.getRegularization());
        assertEquals(List.of(new org.nd4j.linalg.learning.regularization.L2Regularization(2e-3)),
                fc.getRegularizationBias());
        assertEquals(0, dense.getEpochCount());
        assertEquals(0, dense.getLayerWiseConfigurations().getIterationCount());
        // a layer without a bias updater of its own trains its bias with the weight updater, in DL4J as in the SD
        // layer (SdLayerRouting): the export states it (before session 37 it froze that bias with NoOp)
        OutputLayer out = (OutputLayer) dense.getLayerWiseConfigurations().getConf(1).getLayer();
        assertEquals(new Sgd(0.1), out.getIUpdater());
        assertEquals(new Sgd(0.1), out.getBiasUpdater());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4);
        assertSameOutputs(sd.output(x), dense.output(x));

        ComputationGraph graph = new ComputationGraph(base().graphBuilder().addInputs("in")
                .addLayer("out", new SdOutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY)
                        .build(), "in")
                .setOutputs("out").build());
        graph.init();
        graph.getConfiguration().setEpochCount(5);
        graph.getConfiguration().setIterationCount(70);
        ComputationGraph g = (ComputationGraph) DenseExport.toDense(graph);
        assertEquals(0, g.getConfiguration().getEpochCount());
        assertEquals(0, g.getConfiguration().getIterationCount());
    }

    /** A learning-rate schedule of a class outside DL4J and ND4J (as SD training's SwaLrSchedule): 1e-3 (i + 10 e). */
    public static final class OwnSchedule implements org.nd4j.linalg.schedule.ISchedule {
        @Override
        public double valueAt(int iteration, int epoch) {
            return 1e-3 * (iteration + 10 * epoch);
        }

        @Override
        public org.nd4j.linalg.schedule.ISchedule clone() {
            return new OwnSchedule();
        }
    }

    /**
     * SD training (SdTraining.configure) routes an SD layer's parameters one by one: C the bucket switch (here the
     * project's FreezeUpdater stands for it), B and b DL4J's Nesterovs holding the project's SwaLrSchedule (here
     * {@link OwnSchedule}) with L2 on B; every other layer, BatchNorm included, gets the scheduled Nesterovs as its
     * own updater. The export gives W B's settings (C's updater is the project's) and the bias b's, fixes the schedule
     * at the network's iteration and epoch (here 7 and 2: 1e-3 x 27), in a network and in a graph, and leaves the
     * source's settings as they were.
     */
    @Test
    void sdTrainingsRoutedSettingsAndScheduleBecomePlainDl4jOnes() throws IOException {
        org.nd4j.linalg.learning.config.Nesterovs scheduled = new org.nd4j.linalg.learning.config.Nesterovs(
                new OwnSchedule(), 0.9);
        List<org.nd4j.linalg.learning.regularization.Regularization> l2 = List.of(
                new org.nd4j.linalg.learning.regularization.L2Regularization(5e-4));
        SdDenseLayer fc = new SdDenseLayer.Builder().name("fc").nIn(4).nOut(3).activation(Activation.TANH).build();
        fc.setParamTraining("C", new FreezeUpdater(), List.of());
        fc.setParamTraining("B", scheduled, l2);
        fc.setParamTraining("b", scheduled, List.of());
        MultiLayerNetwork sd = new MultiLayerNetwork(base().list()
                .layer(fc)
                .layer(new BatchNormalization.Builder().name("bn").updater(scheduled).biasUpdater(scheduled).build())
                .layer(new SdOutputLayer.Builder(LossFunction.MSE).name("out").nOut(2).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.feedForward(4)).build());
        sd.init();
        randomize(sd.getLayer(0), 31);
        randomize(sd.getLayer(2), 33);
        ComputationGraph graph = sd.toComputationGraph();
        graph.getConfiguration().setEpochCount(2);
        graph.getConfiguration().setIterationCount(7);
        sd.setEpochCount(2);
        sd.getLayerWiseConfigurations().setIterationCount(7);

        MultiLayerNetwork dense = (MultiLayerNetwork) DenseExport.toDense(sd);
        ComputationGraph denseGraph = (ComputationGraph) DenseExport.toDense(graph);

        org.nd4j.linalg.learning.config.Nesterovs fixed = new org.nd4j.linalg.learning.config.Nesterovs(0.027, 0.9);
        for (org.deeplearning4j.nn.conf.layers.Layer c : List.of(dense.getLayerWiseConfigurations().getConf(0).getLayer(),
                graphLayer(denseGraph, DenseLayer.class))) {
            DenseLayer d = assertInstanceOf(DenseLayer.class, c);
            assertEquals(fixed, d.getIUpdater(), "W takes B's updater, at the fixed rate, " + c.getClass());
            assertEquals(l2, d.getRegularization(), "W takes B's L2");
            assertEquals(fixed, d.getBiasUpdater(), "the bias takes b's updater");
            assertEquals(List.of(), d.getRegularizationBias());
        }
        for (org.deeplearning4j.nn.conf.layers.Layer c : List.of(dense.getLayerWiseConfigurations().getConf(1).getLayer(),
                graphLayer(denseGraph, BatchNormalization.class))) {
            BatchNormalization bn = assertInstanceOf(BatchNormalization.class, c);
            assertEquals(fixed.getLearningRate(), ((org.nd4j.linalg.learning.config.Nesterovs) bn.getIUpdater())
                    .getLearningRate(), 1e-15, "BatchNorm's rate");
            assertEquals(fixed, bn.getIUpdater());
            assertEquals(fixed, bn.getBiasUpdater());
        }
        String json = dense.getLayerWiseConfigurations().toJson() + denseGraph.getConfiguration().toJson();
        assertFalse(json.contains("org.smartdeal"), json);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4);
        assertSameOutputs(sd.output(x), reload(dense).output(x));
        assertSameOutputs(sd.output(x), denseGraph.outputSingle(x));
        SdDenseLayer source = (SdDenseLayer) sd.getLayerWiseConfigurations().getConf(0).getLayer();
        assertInstanceOf(OwnSchedule.class, ((org.nd4j.linalg.learning.config.Nesterovs) source.getUpdaterByParam("B"))
                .getLearningRateSchedule(), "the source's B schedule");
        assertInstanceOf(OwnSchedule.class, ((org.nd4j.linalg.learning.config.Nesterovs) ((BatchNormalization) sd
                .getLayerWiseConfigurations().getConf(1).getLayer()).getIUpdater()).getLearningRateSchedule(),
                "the source's BatchNorm schedule");
    }

    /** The one layer configuration of a class in a graph (toComputationGraph names its vertices by index). */
    private static org.deeplearning4j.nn.conf.layers.Layer graphLayer(ComputationGraph g, Class<?> type) {
        List<org.deeplearning4j.nn.conf.layers.Layer> found = java.util.Arrays.stream(g.getLayers())
                .map(l -> l.conf().getLayer()).filter(type::isInstance).toList();
        assertEquals(1, found.size(), type.getSimpleName() + " layers");
        return found.get(0);
    }

    @Test
    void aNetworkWithoutSdLayersIsCopiedAndOtherModelsAreRefused() {
        MultiLayerNetwork plain = new MultiLayerNetwork(base().list()
                .layer(new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(3)).build());
        plain.init();
        MultiLayerNetwork copy = (MultiLayerNetwork) DenseExport.toDense(plain);
        assertNotSame(plain.params(), copy.params());
        assertEquals(plain.params(), copy.params());
        MultiLayerNetwork notInitialised = new MultiLayerNetwork(plain.getLayerWiseConfigurations().clone());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> DenseExport.toDense(notInitialised));
        assertEquals("the MultiLayerNetwork is not initialised (call init() first)", s.getMessage());
        Model notANetwork = plain.getLayer(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DenseExport.toDense(notANetwork));
        assertTrue(e.getMessage().startsWith("DenseExport.toDense: the network must be a MultiLayerNetwork or "
                + "ComputationGraph, got "), e.getMessage());
    }
}
