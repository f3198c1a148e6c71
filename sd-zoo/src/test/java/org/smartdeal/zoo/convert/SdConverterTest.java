package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.core.StructuredPruning;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

class SdConverterTest {

    private static MultiLayerNetwork mlp() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().name("bn1").nOut(12).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(12).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    private static ComputationGraph residual() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(1e-3))
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build(), "bn1")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).activation(Activation.RELU).build(), "conv2")
                .addLayer("proj", new ConvolutionLayer.Builder(1, 1).nOut(8).stride(1, 1).activation(Activation.IDENTITY).build(), "dw")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "proj", "bn1")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "add")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("fc").setInputTypes(InputType.convolutional(8, 8, 3)).build());
        g.init();
        return g;
    }

    /**
     * 4 x 8 x 8 images given flat -> a separable 3x3 convolution of 16 outputs (depth multiplier 1) named
     * {@code name} (null: unnamed) -> fc (8) -> out (3 classes).
     */
    private static MultiLayerNetwork separableMln(String name) {
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(8).list()
                .layer(new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).name(name).nOut(16)
                        .depthMultiplier(1).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 4)).build());
        mln.init();
        return mln;
    }

    /**
     * 2 x 10 x 10 channels-last images -> c1 (3x3 Same, 6 channels) -> sep (separable 3x3, depth multiplier 2, stride 2,
     * 12 outputs) -> average pool -> out (3 classes).
     */
    private static ComputationGraph separableGraph() {
        org.deeplearning4j.nn.conf.CNN2DFormat nhwc = org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(9).graphBuilder()
                .addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(6).dataFormat(nhwc).activation(Activation.RELU)
                        .convolutionMode(ConvolutionMode.Same).build(), "in")
                .addLayer("sep", new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).nOut(12)
                        .depthMultiplier(2).stride(2, 2).convolutionMode(ConvolutionMode.Same).dataFormat(nhwc)
                        .activation(Activation.RELU).build(), "c1")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "sep")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(10, 10, 2, nhwc)).build());
        graph.init();
        return graph;
    }

    /**
     * A SeparableConvolution2D converts to its depthwise half, kept dense as a DepthwiseConvolution2D NAME_dw, and its
     * pointwise half, an SD 1 x 1 convolution NAME (it was kept dense whole: DL4J's Xception converted to 1.04x).
     * Reference: the dense network with the separable layer's pointwise weights pW overwritten by C*B. In a
     * MultiLayerNetwork behind a flat-input preprocessor (which moves to the depthwise half, and the later
     * preprocessor one index on) and in a graph (channels-last, depth multiplier 2); the .sdm reads back to the same
     * outputs, and the report lists the depthwise half kept and the pointwise half in SD form.
     */
    @Test
    void aSeparableConvolutionConvertsAsItsDepthwiseAndAnSdPointwiseHalf() throws java.io.IOException {
        MultiLayerNetwork mln = separableMln(null);
        ComputationGraph graph = separableGraph();
        for (Model dense : new Model[] {mln, graph}) {
            String sep = dense == mln ? "layer0" : "sep"; // the unnamed MLN layer keeps the report's name, layer0
            INDArray before = dense.params().dup();
            SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.defaultPlan());
            assertEquals(before, dense.params(), "the input network is not modified");
            Model sd = r.network();
            org.deeplearning4j.nn.api.Layer[] layers = org.smartdeal.layers.Networks.layers(sd);
            java.util.Map<String, org.deeplearning4j.nn.conf.layers.Layer> byName = new java.util.LinkedHashMap<>();
            for (org.deeplearning4j.nn.api.Layer l : layers) byName.put(l.conf().getLayer().getLayerName(), l.conf().getLayer());
            assertInstanceOf(DepthwiseConvolution2D.class, byName.get(sep + "_dw"));
            SdConvolutionLayer pw = assertInstanceOf(SdConvolutionLayer.class, byName.get(sep));
            assertEquals(1, pw.getKernelSize()[0] * pw.getKernelSize()[1]);
            Model ref = dense instanceof MultiLayerNetwork m ? m.clone() : org.smartdeal.layers.Networks.copy((ComputationGraph) dense);
            SdConverter.overwriteWithCB(ref, r.decomposition());
            INDArray x = dense == mln ? Nd4j.rand(DataType.FLOAT, 4, 256) : Nd4j.rand(DataType.FLOAT, 4, 10, 10, 2);
            INDArray expected = output(ref, x), actual = output(sd, x);
            assertTrue(expected.equalsWithEps(actual, 1e-5), expected + " vs " + actual);
            // the SD network's plain DL4J form computes the reference too
            assertTrue(expected.equalsWithEps(output(org.smartdeal.layers.DenseExport.toDense(sd), x), 1e-5), "export");
            java.util.List<String> names = r.report().layers().stream().map(ConversionReport.Row::name).toList();
            assertEquals(names.indexOf(sep) - 1, names.indexOf(sep + "_dw"), names.toString());
            ConversionReport.Row dwRow = r.report().layers().get(names.indexOf(sep + "_dw"));
            long dwWeights = (dense == mln ? 4 : 6 * 2) * 9;
            assertEquals(dwWeights, dwRow.weights());
            assertEquals(32 * dwWeights, dwRow.denseBits());
            assertTrue(r.report().layers().get(names.indexOf(sep)).converted());
            assertReloads(sd, x, actual);
        }
    }

    /**
     * With convertDepthwise a separable convolution's depthwise half is in SD form too (an SdDepthwiseConvolutionLayer
     * NAME_dw, decomposed at the layer's settings; the structured ratio stays the pointwise half's). Reference: the
     * dense network with both of the separable layer's weights overwritten by C*B (overwriteWithCB writes the
     * depthwise W through its [kh, kw, C, d] view); channels-last graph at depth multiplier 2 and a MultiLayerNetwork;
     * the report has two SD rows; RT's planned weights are the layer's W and pW; the .sdm reloads.
     */
    @Test
    void convertDepthwiseAlsoConvertsTheDepthwiseHalfOfASeparableConvolution() throws java.io.IOException {
        ComputationGraph graph = separableGraph();
        MultiLayerNetwork mln = separableMln("sep");
        ConversionPlan plan = ConversionPlan.fromJson("{\"convertDepthwise\": true}");
        for (Model dense : new Model[] {graph, mln}) {
            INDArray before = dense.params().dup();
            SdConverter.Result r = SdConverter.convert(dense, plan);
            assertEquals(before, dense.params(), "the input network is not modified");
            Model sd = r.network();
            java.util.Map<String, org.deeplearning4j.nn.conf.layers.Layer> byName = new java.util.LinkedHashMap<>();
            for (org.deeplearning4j.nn.api.Layer l : org.smartdeal.layers.Networks.layers(sd)) {
                byName.put(l.conf().getLayer().getLayerName(), l.conf().getLayer());
            }
            org.smartdeal.layers.SdDepthwiseConvolutionLayer half =
                    assertInstanceOf(org.smartdeal.layers.SdDepthwiseConvolutionLayer.class, byName.get("sep_dw"));
            assertEquals(dense == graph ? 2 : 1, half.getDepthMultiplier());
            assertFalse(half.hasBias());
            assertInstanceOf(SdConvolutionLayer.class, byName.get("sep"));
            assertEquals(List.of("sep_dw", "sep"), r.decomposition().layers().stream()
                    .map(NetworkDecomposition.PlannedLayer::name).filter(n -> n.startsWith("sep")).toList());
            Model ref = dense instanceof MultiLayerNetwork m ? m.clone() : ((ComputationGraph) dense).clone();
            SdConverter.overwriteWithCB(ref, r.decomposition());
            INDArray x = dense == graph ? Nd4j.rand(DataType.FLOAT, 4, 10, 10, 2) : Nd4j.rand(DataType.FLOAT, 4, 256);
            INDArray expected = output(ref, x), actual = output(sd, x);
            assertTrue(expected.equalsWithEps(actual, 1e-5), expected + " vs " + actual);
            // the SD network's plain DL4J form computes the reference too
            assertTrue(expected.equalsWithEps(output(org.smartdeal.layers.DenseExport.toDense(sd), x), 1e-5), "export");
            // the depthwise W itself was overwritten, through its [kh, kw, C, d] view, with C*B (the decomposition's own
            // rebuild); on the graph C*B differs from W (relative error 0.03), on the MLN's 4 channels it is exact
            org.deeplearning4j.nn.api.Layer sepRef = dense == graph ? ((ComputationGraph) ref).getLayer("sep")
                    : ((MultiLayerNetwork) ref).getLayer(0);
            org.deeplearning4j.nn.api.Layer sepDense = dense == graph ? ((ComputationGraph) dense).getLayer("sep")
                    : ((MultiLayerNetwork) dense).getLayer(0);
            NetworkDecomposition.PlannedLayer dwPlan = r.decomposition().layers().stream()
                    .filter(l -> l.name().equals("sep_dw")).findFirst().orElseThrow();
            float[] cb = new float[dwPlan.decomposition().layout().weightLength()];
            dwPlan.decomposition().rebuildWeight(cb);
            INDArray cbW = Nd4j.create(cb, new long[] {3, 3, dense == graph ? 6 : 4, dense == graph ? 2 : 1}, 'c');
            assertTrue(cbW.equalsWithEps(sepRef.getParam("W").permute(2, 3, 1, 0), 1e-6), "W = C*B");
            if (dense == graph) {
                assertFalse(sepRef.getParam("W").equalsWithEps(sepDense.getParam("W"), 1e-3), "C*B is not W here");
            }
            ConversionReport.Row row = r.report().layers().stream().filter(l -> l.name().equals("sep_dw")).findFirst()
                    .orElseThrow();
            assertTrue(row.converted());
            assertEquals("SdDepthwiseConvolutionLayer", row.type());
            assertEquals(java.util.Arrays.toString(new int[] {3, 3, dense == graph ? 6 : 4, dense == graph ? 2 : 1}),
                    row.shape());
            List<INDArray> rtWeights = SdConverter.redecomposer(plan).plannedWeights(ref, r.decomposition());
            assertEquals(r.decomposition().layers().size(), rtWeights.size());
            assertArrayEquals(new long[] {3, 3, dense == graph ? 6 : 4, dense == graph ? 2 : 1},
                    rtWeights.get(r.decomposition().layers().stream().map(NetworkDecomposition.PlannedLayer::name).toList()
                            .indexOf("sep_dw")).shape());
            assertReloads(sd, x, actual);
        }
    }

    /**
     * From a review of the separable conversion: the separable layer's dropout applies once, to its input, so only the
     * depthwise half carries it (both halves did: a doubled dropout in training); and layers that share a name are
     * refused when the converter addresses them by name (two Dense layers named "fc" converted silently wrong: one
     * got the other's decomposition, or the conversion failed on a geometry check), while repeated names among
     * layers it does not convert stay allowed.
     */
    @Test
    void separableDropoutAppliesOnceAndRepeatedNamesAreRefused() {
        MultiLayerNetwork drop = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(8).list()
                .layer(new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).name("sep").nOut(8)
                        .dropOut(0.5).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 4)).build());
        drop.init();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(drop, ConversionPlan.defaultPlan()).network();
        assertInstanceOf(org.deeplearning4j.nn.conf.dropout.Dropout.class,
                ((org.deeplearning4j.nn.conf.layers.BaseLayer) sd.getLayer(0).conf().getLayer()).getIDropout(), "sep_dw");
        assertEquals(null, ((org.deeplearning4j.nn.conf.layers.BaseLayer) sd.getLayer(1).conf().getLayer()).getIDropout(),
                "sep, the SD half");

        MultiLayerNetwork twice = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("fc").nIn(12).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        twice.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdConverter.convert(twice, ConversionPlan.defaultPlan()));
        assertEquals("layer name fc is used by more than one layer; the converter addresses the layers it converts by "
                + "name (give each its own name)", e.getMessage());
        MultiLayerNetwork activations = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(20).nOut(12).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().name("act")
                        .activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(12).nOut(8).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().name("act")
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        activations.init();
        SdConverter.Result r = SdConverter.convert(activations, ConversionPlan.defaultPlan());
        MultiLayerNetwork ref = activations.clone();
        SdConverter.overwriteWithCB(ref, r.decomposition());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 20);
        assertTrue(ref.output(x).equalsWithEps(((MultiLayerNetwork) r.network()).output(x), 1e-5));
    }

    /**
     * The network written to an .sdm and read back gives {@code actual} on {@code x}, to the rounding of B, which the
     * file stores as int8 with a power-of-two scale per slice.
     */
    private static void assertReloads(Model sd, INDArray x, INDArray actual) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("converted", ".sdm");
        try {
            org.smartdeal.codec.SdModelFile.write(sd, file);
            Model back = org.smartdeal.codec.SdModelFile.read(file);
            assertTrue(output(back, x).equalsWithEps(actual, 2e-2), output(back, x) + " vs " + actual);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    private static INDArray output(Model net, INDArray x) {
        return net instanceof MultiLayerNetwork m ? m.output(x) : ((ComputationGraph) net).outputSingle(x);
    }

    @Test
    void mlnOutputEqualsDenseNetworkWithWReplacedByCB() {
        MultiLayerNetwork dense = mlp();
        INDArray before = dense.params().dup();
        SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.defaultPlan());
        assertEquals(before, dense.params(), "the input network is not modified");
        MultiLayerNetwork sd = assertInstanceOf(MultiLayerNetwork.class, r.network());
        assertInstanceOf(SdDenseLayer.class, sd.getLayer(0).conf().getLayer());
        assertInstanceOf(BatchNormalization.class, sd.getLayer(1).conf().getLayer());
        assertInstanceOf(SdOutputLayer.class, sd.getLayer(3).conf().getLayer());
        // Independent reference: the dense network itself with each W overwritten by C*B.
        MultiLayerNetwork ref = dense.clone();
        SdConverter.overwriteWithCB(ref, r.decomposition());
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 20);
        INDArray expected = ref.output(x);
        INDArray actual = sd.output(x);
        assertTrue(expected.equalsWithEps(actual, 1e-5), expected + " vs " + actual);
        // The converted network trains like any DL4J network.
        sd.fit(x, Nd4j.eye(3).getRows(0, 1, 2, 0, 1));
        assertTrue(Double.isFinite(sd.score()));
    }

    /**
     * The SD network starts at epoch and iteration 0, whatever the dense network's counts: SwaLrSchedule and
     * SwaListener read the epoch count, and a library walk-through found README's SD training starting late in its
     * schedule on a network converted after a dense epoch (and the same from its .sdm). The dense network's counts
     * are left as they were.
     */
    @Test
    void theSdNetworkStartsAtEpochAndIterationZero() {
        MultiLayerNetwork dense = mlp();
        dense.setEpochCount(3);
        dense.setIterationCount(42);
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(dense, ConversionPlan.defaultPlan()).network();
        assertEquals(0, sd.getEpochCount());
        assertEquals(0, sd.getIterationCount());
        assertEquals(3, dense.getEpochCount());
        assertEquals(42, dense.getIterationCount());
        ComputationGraph g = residual();
        g.getConfiguration().setEpochCount(2);
        g.getConfiguration().setIterationCount(7);
        ComputationGraph sdg = (ComputationGraph) SdConverter.convert(g, ConversionPlan.defaultPlan()).network();
        assertEquals(0, sdg.getConfiguration().getEpochCount());
        assertEquals(0, sdg.getConfiguration().getIterationCount());
        assertEquals(2, g.getConfiguration().getEpochCount());
    }

    /**
     * Layers inside a ComputationGraph's FrozenVertex stay dense, as a FrozenLayer does; convert threw a ClassCastException on them (a fuzzing audit).
     */
    @Test
    void frozenVertexLayersStayDense() {
        var conf = residual().getConfiguration().clone();
        for (String v : new String[] {"conv1", "conv2"}) {
            conf.getVertices().put(v, new org.deeplearning4j.nn.conf.graph.FrozenVertex(conf.getVertices().get(v)));
        }
        ComputationGraph frozen = new ComputationGraph(conf);
        frozen.init();
        ComputationGraph sd = (ComputationGraph) SdConverter.convert(frozen, ConversionPlan.defaultPlan()).network();
        assertEquals(ConvolutionLayer.class, sd.getLayer("conv1").conf().getLayer().getClass());
        assertEquals(ConvolutionLayer.class, sd.getLayer("conv2").conf().getLayer().getClass());
        assertInstanceOf(SdConvolutionLayer.class, sd.getLayer("proj").conf().getLayer());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        assertEquals(2, sd.outputSingle(x).size(0));
    }

    /**
     * TransferLearning's feature extractor (FrozenLayer around fc1 and bn1 of a MultiLayerNetwork; around conv1, bn1
     * and conv2 of a graph) stays dense and frozen, reported as such; the other layers are converted, and the network
     * trains with the frozen ones unchanged. Before, the frozen layers were converted without their wrapper: the
     * MultiLayerNetwork's fc1 trained, and the graph's backward pass failed ("all epsilons not set").
     */
    @Test
    void transferLearningsFrozenLayersStayDenseAndFrozen() {
        var ft = new org.deeplearning4j.nn.transferlearning.FineTuneConfiguration.Builder().updater(new Adam(1e-2)).build();
        MultiLayerNetwork tl = new org.deeplearning4j.nn.transferlearning.TransferLearning.Builder(mlp())
                .fineTuneConfiguration(ft).setFeatureExtractor(1).build();
        SdConverter.Result r = SdConverter.convert(tl, ConversionPlan.defaultPlan());
        MultiLayerNetwork sd = (MultiLayerNetwork) r.network();
        assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayer.class, sd.getLayer(0));
        assertEquals(DenseLayer.class, sd.getLayer(0).conf().getLayer().getClass());
        assertInstanceOf(SdDenseLayer.class, sd.getLayer(2).conf().getLayer());
        assertEquals("DenseLayer (frozen)", r.report().layers().get(0).type());
        // fc1's 20 x 12 weights of 20 x 12 + 12 x 8 + 8 x 3 = 360 (the frozen BatchNormalization has none)
        assertEquals("kept dense: 1 of 3 layers, 240 of 360 weights (66.7%): DenseLayer x 1 frozen (kept dense and frozen: "
                + "convert the network before freezing it)" + System.lineSeparator(), r.report().keptLine());
        assertEquals("DenseL~ (frozen)", ConversionReport.clipType("DenseLayer (frozen)", 16));
        INDArray fc1 = sd.getLayer(0).params().dup();
        INDArray fc2 = sd.getLayer(2).params().dup();
        org.nd4j.linalg.dataset.DataSet batch = new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 16, 20),
                Nd4j.eye(3).repeat(0, 6).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 16)));
        sd.fit(batch);
        assertEquals(fc1, sd.getLayer(0).params(), "frozen fc1 unchanged");
        assertFalse(fc2.equals(sd.getLayer(2).params()), "fc2 trains");
        // settings for a frozen layer are refused with the rule and the route that converts it
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdConverter.convert(tl,
                ConversionPlan.fromJson("{\"layers\": {\"fc1\": {\"theta\": 0.01}}}")));
        assertTrue(e.getMessage().contains("sets theta for a frozen DenseLayer, which is not converted (" + SdConverter.FROZEN_RULE),
                e.getMessage());

        assertEquals(List.of("fc1"), SdConverter.frozenLayerNames(tl), "fc1; the frozen BatchNormalization has no SD form");
        // a frozen layer of a kind with no SD form is kept as such layers are, without the convert-first advice
        MultiLayerNetwork emb = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayer(
                        new org.deeplearning4j.nn.conf.layers.EmbeddingLayer.Builder().name("emb").nIn(10).nOut(6).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        emb.init();
        assertEquals(List.of(), SdConverter.frozenLayerNames(emb));
        assertEquals("EmbeddingLayer (kept)", SdConverter.convert(emb, ConversionPlan.defaultPlan()).report().layers().get(0)
                .type());
        // and is reported as such where a plan also skips it: the kind is the reason it stays dense
        assertEquals("EmbeddingLayer (kept)", SdConverter.convert(emb, ConversionPlan.fromJson(
                "{\"layers\": {\"layer0\": {\"skip\": true}}}")).report().layers().get(0).type());
        // a decomposition of the unfrozen network is not built onto the frozen one (it would drop the wrapper)
        NetworkDecomposition unfrozen = SdConverter.decompose(mlp(), ConversionPlan.defaultPlan());
        e = assertThrows(IllegalArgumentException.class, () -> SdConverter.build(tl, unfrozen));
        assertEquals("the decomposition plans layers this network holds frozen: fc1 (" + SdConverter.FROZEN_RULE + ")",
                e.getMessage());

        // FrozenLayerWithBackprop (passes gradients through, trains nothing) is frozen too
        MultiLayerNetwork wb = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-2))
                .list()
                .layer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop(new DenseLayer.Builder()
                        .name("fc1").nIn(20).nOut(12).activation(Activation.TANH).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        wb.init();
        SdConverter.Result rwb = SdConverter.convert(wb, ConversionPlan.defaultPlan());
        MultiLayerNetwork sdwb = (MultiLayerNetwork) rwb.network();
        assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayerWithBackprop.class, sdwb.getLayer(0));
        assertEquals(DenseLayer.class, sdwb.getLayer(0).conf().getLayer().getClass());
        assertEquals("DenseLayer (frozen)", rwb.report().layers().get(0).type());
        INDArray wbBefore = sdwb.getLayer(0).params().dup();
        sdwb.fit(batch);
        assertEquals(wbBefore, sdwb.getLayer(0).params(), "FrozenLayerWithBackprop's fc1 unchanged");

        ComputationGraph g = new org.deeplearning4j.nn.transferlearning.TransferLearning.GraphBuilder(residual())
                .fineTuneConfiguration(ft).setFeatureExtractor("conv2").build();
        ComputationGraph sdg = (ComputationGraph) SdConverter.convert(g, ConversionPlan.defaultPlan()).network();
        assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayer.class, sdg.getLayer("conv1"));
        assertEquals(ConvolutionLayer.class, sdg.getLayer("conv2").conf().getLayer().getClass());
        assertInstanceOf(SdConvolutionLayer.class, sdg.getLayer("proj").conf().getLayer());
        INDArray conv1 = sdg.getLayer("conv1").params().dup();
        sdg.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8), Nd4j.eye(4)));
        assertEquals(conv1, sdg.getLayer("conv1").params(), "frozen conv1 unchanged");
    }

    /**
     * The decomposition reports each layer as it is done, after a first call giving the count: convert's bar used to
     * stand at 0 until one call at the end, all layers being one batch (one decomposition setting).
     */
    @Test
    void decomposeReportsProgressPerLayer() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(30).nOut(20).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(20).nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(10).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        java.util.List<String> calls = new java.util.ArrayList<>();
        SdConverter.decompose(dense, ConversionPlan.defaultPlan(), (done, total, what) -> calls.add(done + "/" + total
                + " " + what));
        assertEquals(java.util.List.of("0/3 decomposing 3 layers", "1/3 decomposed 1/3 layers",
                "2/3 decomposed 2/3 layers", "3/3 decomposed 3/3 layers"), calls);
    }

    @Test
    void densityTargetFindsTheSmallestThresholdMeetingIt() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(300).nOut(40).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(40).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        ConversionPlan plan = ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 512}, \"layers\": {\"fc1\": {\"density\": 0.1}}}");
        NetworkDecomposition d = SdConverter.decompose(dense, plan);
        ConversionReport.Row fc1 = d.report().layers().get(0);
        // At most the target; the search's resolution is 0.1% in theta, so on 12,000 Gaussian-ish
        // weights it lands within a few percent of the target from below.
        assertTrue(fc1.cDensity() <= 0.1 && fc1.cDensity() > 0.09, "fc1 C density " + fc1.cDensity());
        double theta = d.layers().get(0).settings().theta();
        // Independent check: the plain threshold just below the one found gives a density above the target.
        NetworkDecomposition below = SdConverter.decompose(dense, ConversionPlan.fromJson(
                "{\"defaults\": {\"sliceRows\": 512}, \"layers\": {\"fc1\": {\"theta\": " + theta * 0.99 + "}}}"));
        assertTrue(below.report().layers().get(0).cDensity() > 0.1, "density at 0.99 theta " + below.report().layers().get(0).cDensity());
        // The layer without a target keeps the plan's threshold.
        assertEquals(LayerPlan.DEFAULTS.theta(), d.layers().get(1).settings().theta());
        // Same weights, same answer.
        assertEquals(theta, SdConverter.decompose(dense, plan).layers().get(0).settings().theta());
    }

    @Test
    void graphWithResidualConvsAndDepthwiseConverts() {
        ComputationGraph dense = residual();
        SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.defaultPlan());
        ComputationGraph sd = assertInstanceOf(ComputationGraph.class, r.network());
        assertInstanceOf(SdConvolutionLayer.class, sd.getLayer("conv1").conf().getLayer());
        assertInstanceOf(SdConvolutionLayer.class, sd.getLayer("proj").conf().getLayer());
        // Depthwise stays dense by default (ALGORITHMS.md 2).
        assertInstanceOf(DepthwiseConvolution2D.class, sd.getLayer("dw").conf().getLayer());
        assertInstanceOf(SdOutputLayer.class, sd.getLayer("fc").conf().getLayer());
        ComputationGraph ref = dense.clone();
        SdConverter.overwriteWithCB(ref, r.decomposition());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        assertTrue(ref.outputSingle(x).equalsWithEps(sd.outputSingle(x), 1e-5));
        ConversionReport rep = r.report();
        assertEquals(5, rep.layers().size(), "conv1, conv2, dw, proj, fc carry weights");
        ConversionReport.Row dw = rep.layers().stream().filter(l -> l.name().equals("dw")).findFirst().orElseThrow();
        assertFalse(dw.converted());
        assertEquals(32L * 3 * 3 * 8, dw.denseBits(), "a kept layer costs 32 bits per weight");
        // Paper CR from its definition (ALGORITHMS.md 4.3): 32 bits x all weights / stored bits.
        assertEquals(32.0 * rep.totalWeights() / rep.totalStoredBits(), rep.paperCR(), 1e-12);
    }

    /**
     * With {@code "convertDepthwise": true} a DepthwiseConvolution2D becomes an SdDepthwiseConvolutionLayer (ALGORITHMS.md
     * 2 "offer it"): in a graph (the residual net's 3 x 3, depth multiplier 1) and in a MultiLayerNetwork (channels-last,
     * depth multiplier 2, stride 2). Reference: the dense network with the depthwise W overwritten by C*B; the report
     * row is SD with the layer's [kh, kw, nIn, d] shape and nIn*d slices; the .sdm reads back to the same outputs. A
     * layer whose settings skip it stays dense, and the default plan keeps it dense (test above).
     */
    @Test
    void aDepthwiseConvolutionConvertsWhenThePlanAsks() throws java.io.IOException {
        org.deeplearning4j.nn.conf.CNN2DFormat nhwc = org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("c1").nOut(4).dataFormat(nhwc).activation(Activation.RELU)
                        .build())
                .layer(new DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(nhwc).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("pool").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(9, 9, 2, nhwc)).build());
        mln.init();
        ConversionPlan plan = ConversionPlan.fromJson("{\"convertDepthwise\": true}");
        for (Model dense : new Model[] {residual(), mln}) {
            INDArray before = dense.params().dup();
            SdConverter.Result r = SdConverter.convert(dense, plan);
            assertEquals(before, dense.params(), "the input network is not modified");
            Model sd = r.network();
            org.deeplearning4j.nn.api.Layer dw = dense == mln ? ((MultiLayerNetwork) sd).getLayer(1)
                    : ((ComputationGraph) sd).getLayer("dw");
            org.smartdeal.layers.SdDepthwiseConvolutionLayer conf =
                    assertInstanceOf(org.smartdeal.layers.SdDepthwiseConvolutionLayer.class, dw.conf().getLayer());
            int d = dense == mln ? 2 : 1, nIn = dense == mln ? 4 : 8;
            assertEquals(d, conf.getDepthMultiplier());
            assertEquals(nIn * d, conf.getNOut());
            Model ref = dense instanceof MultiLayerNetwork m ? m.clone() : ((ComputationGraph) dense).clone();
            SdConverter.overwriteWithCB(ref, r.decomposition());
            INDArray x = dense == mln ? Nd4j.rand(DataType.FLOAT, 3, 9, 9, 2) : Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
            INDArray expected = output(ref, x), actual = output(sd, x);
            assertTrue(expected.equalsWithEps(actual, 1e-5), expected + " vs " + actual);
            // the SD network's plain DL4J form computes the reference too
            assertTrue(expected.equalsWithEps(output(org.smartdeal.layers.DenseExport.toDense(sd), x), 1e-5), "export");
            assertFalse(expected.equalsWithEps(output(dense, x), 1e-7), "C*B is not W: the check can fail");
            ConversionReport.Row row = r.report().layers().stream().filter(l -> l.name().equals("dw")).findFirst()
                    .orElseThrow();
            assertTrue(row.converted());
            assertEquals("SdDepthwiseConvolutionLayer", row.type());
            assertEquals(java.util.Arrays.toString(new int[] {3, 3, nIn, d}), row.shape());
            assertEquals(9L * nIn * d, row.weights());
            assertEquals(nIn * d, row.slices());
            assertReloads(sd, x, actual);
        }
        Model kept = SdConverter.convert(residual(),
                ConversionPlan.fromJson("{\"convertDepthwise\": true, \"layers\": {\"dw\": {\"skip\": true}}}")).network();
        assertEquals(DepthwiseConvolution2D.class, ((ComputationGraph) kept).getLayer("dw").conf().getLayer().getClass());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdConverter.convert(residual(),
                ConversionPlan.fromJson("{\"layers\": {\"dw\": {\"theta\": 0.01}}}")));
        assertEquals("plan.layers[dw] sets theta for a DepthwiseConvolution2D, which is not converted (depthwise layers "
                + "are kept dense unless the plan sets \"convertDepthwise\": true); those settings would have no effect",
                e.getMessage());
    }

    /**
     * Structured pruning of a depthwise layer zeroes whole kernel rows (ALGORITHMS.md 3.1: a vector is one row of a unit's
     * matrix; units in blocks of 32 share the rows). Hand case: 2 channels, one block; kernel row 0 is large, rows 1
     * and 2 small in both channels; ratio 0.5 zeroes ceil(0.5 * 3) = 2 rows per unit, rows 1 and 2: 4 vectors, and C
     * is zero there.
     */
    @Test
    void structuredRatioZeroesKernelRowsOfADepthwiseLayer() {
        ComputationGraph dense = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).graphBuilder()
                .addInputs("in")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).activation(Activation.RELU)
                        .build(), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "dw")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build());
        dense.init();
        INDArray w = dense.getLayer("dw").getParam("W"); // [kh, kw, nIn, d] = [3, 3, 2, 1]
        for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) for (int c = 0; c < 2; c++)
            w.putScalar(new int[] {y, x, c, 0}, (y == 0 ? 1.0 : 0.05 * (y + 1)) * (x == 1 ? -1 : 1) * (c + 1));
        NetworkDecomposition d = SdConverter.decompose(dense, ConversionPlan.fromJson(
                "{\"convertDepthwise\": true, \"layers\": {\"dw\": {\"structuredRatio\": 0.5}, \"out\": {\"skip\": true}}}"));
        NetworkDecomposition.PlannedLayer p = d.layers().get(0);
        assertEquals("dw", p.name());
        assertEquals(4, p.prunedVectors());
        float[] c = p.decomposition().c(); // [K = 2 units, m = 3 rows, n = 3]
        assertEquals(18, c.length);
        for (int u = 0; u < 2; u++) {
            boolean rowZeroNonZero = false;
            for (int j = 0; j < 3; j++) {
                rowZeroNonZero |= c[u * 9 + j] != 0;
                assertEquals(0f, c[u * 9 + 3 + j], "unit " + u + " row 1");
                assertEquals(0f, c[u * 9 + 6 + j], "unit " + u + " row 2");
            }
            assertTrue(rowZeroNonZero, "unit " + u + " keeps kernel row 0");
        }
    }

    /**
     * From a review of the depthwise conversion: ALGORITHMS.md 3.1 prunes ceil(ratio x rows) rows of every unit, and a
     * depthwise unit has only kh rows, so a structured ratio above 2/3 zeroed a 3 x 3 depthwise layer whole (and any
     * ratio a 1 x k one), silently. A ratio that would zero every row of a layer's units is refused before any work,
     * naming the largest that does not; 2/3 itself still converts (2 of 3 rows). The same holds for any layer kind: a
     * 1 x 1 convolution of 2 inputs at basis width 3 has one row per unit.
     */
    @Test
    void aStructuredRatioThatWouldZeroAWholeLayerIsRefused() {
        ConversionPlan tooMuch = ConversionPlan.fromJson(
                "{\"convertDepthwise\": true, \"layers\": {\"dw\": {\"structuredRatio\": 0.7}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdConverter.decompose(residual(), tooMuch));
        assertEquals("plan for layer dw: structuredRatio 0.7 would zero every row of every unit of this "
                + "DepthwiseConvolution2D, which has 3 rows per unit (a ratio r prunes ceil(r x rows) = 3 of them), "
                + "leaving the layer all zeros; give it a structuredRatio of at most 2/3 in plan.layers[dw]", e.getMessage());
        assertEquals(List.of(), ((StructuredRatioTooLargeException) e).more(), "the one layer the plan empties");
        NetworkDecomposition d = SdConverter.decompose(residual(), ConversionPlan.fromJson(
                "{\"convertDepthwise\": true, \"layers\": {\"dw\": {\"structuredRatio\": 0.6666666666}}}"));
        assertEquals(2 * 8, d.layers().stream().filter(p -> p.name().equals("dw")).findFirst().orElseThrow()
                .prunedVectors(), "2 of 3 kernel rows in each of 8 channels");
        ComputationGraph narrow = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).graphBuilder()
                .addInputs("in")
                .addLayer("pw", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pw")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(4, 4, 2)).build());
        narrow.init();
        e = assertThrows(IllegalArgumentException.class, () -> SdConverter.decompose(narrow,
                ConversionPlan.fromJson("{\"layers\": {\"pw\": {\"structuredRatio\": 0.1}}}")));
        assertTrue(e.getMessage().contains("which has 1 row per unit") && e.getMessage().contains("give it structuredRatio 0"),
                e.getMessage());
    }

    /**
     * A plan whose ratios would empty several layers is refused once, naming them all: on the zoo cnn, conv1's units
     * have 1 channel x 3 rows (ceil(0.9 x 3) = 3) and conv2's 16 x 3 = 48 (ceil(0.99 x 48) = 48); conv3's 0.5 leaves
     * rows.
     */
    @Test
    void aPlanThatEmptiesSeveralLayersNamesThemAll() {
        org.deeplearning4j.nn.api.Model cnn = org.smartdeal.zoo.models.ZooModel.CNN.defaultConfiguration().init();
        ConversionPlan plan = ConversionPlan.fromJson("{\"layers\": {\"conv1\": {\"structuredRatio\": 0.9}, "
                + "\"conv2\": {\"structuredRatio\": 0.99}, \"conv3\": {\"structuredRatio\": 0.5}}}");
        StructuredRatioTooLargeException e = assertThrows(StructuredRatioTooLargeException.class,
                () -> SdConverter.checkPlan(cnn, plan));
        assertEquals("conv1", e.layer());
        assertEquals(List.of("conv2"), e.more().stream().map(StructuredRatioTooLargeException::layer).toList());
        assertEquals(48, e.more().get(0).unitRows());
        assertEquals("47/48", e.more().get(0).largestAllowed());
        assertTrue(e.getMessage().endsWith("give it a structuredRatio of at most 2/3 in plan.layers[conv1]; the same "
                + "holds for conv2 (structuredRatio 0.99, at most 47/48)"), e.getMessage());
    }

    /** The layers a plan can convert include the depthwise ones when it sets convertDepthwise (sweeps search them). */
    @Test
    void convertibleLayerNamesFollowThePlansDepthwiseChoice() {
        assertEquals(List.of("conv1", "conv2", "proj", "fc"), SdConverter.convertibleLayerNames(residual()));
        assertEquals(List.of("conv1", "conv2", "dw", "proj", "fc"), SdConverter.convertibleLayerNames(residual(),
                ConversionPlan.fromJson("{\"convertDepthwise\": true}")));
        new org.smartdeal.zoo.sweep.ConversionPlanSpace.Builder(ConversionPlan.fromJson("{\"convertDepthwise\": true}"))
                .layerDensity("dw", new org.deeplearning4j.arbiter.optimize.parameter.FixedValue<>(0.5)).build()
                .checkAgainst(residual());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new org.smartdeal.zoo.sweep.ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                        .layerDensity("dw", new org.deeplearning4j.arbiter.optimize.parameter.FixedValue<>(0.5)).build()
                        .checkAgainst(residual()));
        assertTrue(e.getMessage().contains("[dw]") && e.getMessage().contains("when the plan sets convertDepthwise"),
                e.getMessage());
    }

    /**
     * A Same-mode convolution with a padding in its configuration (DL4J's builder refuses one, a file may hold it, and
     * DL4J then ignores it) converted to an internal error, the SD builder refusing the padding (a fuzzing audit,
     * 2026-12-05); the SD layer now gets none, and computes what the dense network does.
     */
    @Test
    void aSameModeConvolutionWithAPaddingInItsConfigurationConverts() {
        ComputationGraph dense = residual();
        ((ConvolutionLayer) dense.getLayer("conv2").conf().getLayer()).setPadding(new int[] {1, 1});
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        INDArray denseOut = dense.outputSingle(x);
        assertTrue(denseOut.equalsWithEps(residual().outputSingle(x), 0), "DL4J ignores the padding in Same mode");
        SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.defaultPlan());
        ComputationGraph sd = (ComputationGraph) r.network();
        SdConvolutionLayer conv2 = (SdConvolutionLayer) sd.getLayer("conv2").conf().getLayer();
        assertEquals("[0, 0]", java.util.Arrays.toString(conv2.getPadding()));
        ComputationGraph ref = dense.clone();
        SdConverter.overwriteWithCB(ref, r.decomposition());
        assertTrue(ref.outputSingle(x).equalsWithEps(sd.outputSingle(x), 1e-5));
    }

    /**
     * A channels-last graph merging on axis 3: DL4J's configuration clone() resets a MergeVertex to axis 1, and the
     * converted network (and its .sdm) merged on the height, failing on its first input (the session's third fuzzing
     * round). The SD graph keeps the axis and computes what the dense one does with W = C*B; so does the sweep's copy.
     */
    @Test
    void aChannelsLastGraphKeepsItsMergeAxis() throws java.io.IOException {
        org.deeplearning4j.nn.conf.graph.MergeVertex merge = new org.deeplearning4j.nn.conf.graph.MergeVertex();
        merge.setMergeAxis(3);
        org.deeplearning4j.nn.conf.CNN2DFormat nhwc = org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        ComputationGraph dense = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).graphBuilder()
                .addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(nhwc).build(), "in")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(nhwc).build(), "in")
                .addVertex("merge", merge, "c1", "c2")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(nhwc).build(), "merge")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(12, 12, 2, nhwc)).build());
        dense.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 12, 12, 2);
        assertEquals(3, ((org.deeplearning4j.nn.conf.graph.MergeVertex) dense.getConfiguration().getVertices()
                .get("merge")).getMergeAxis());
        assertEquals(1, ((org.deeplearning4j.nn.conf.graph.MergeVertex) dense.getConfiguration().clone().getVertices()
                .get("merge")).getMergeAxis(), "DL4J's clone() resets the axis (the defect worked around)");
        SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.defaultPlan());
        ComputationGraph sd = (ComputationGraph) r.network();
        assertEquals(3, ((org.deeplearning4j.nn.conf.graph.MergeVertex) sd.getConfiguration().getVertices().get("merge"))
                .getMergeAxis());
        ComputationGraph ref = org.smartdeal.layers.Networks.copy(dense);
        SdConverter.overwriteWithCB(ref, r.decomposition());
        assertTrue(ref.outputSingle(x).equalsWithEps(sd.outputSingle(x), 1e-5));
        java.nio.file.Path file = java.nio.file.Files.createTempFile("nhwc-merge", ".sdm");
        try {
            org.smartdeal.codec.SdModelFile.write(sd, file);
            ComputationGraph back = (ComputationGraph) org.smartdeal.codec.SdModelFile.read(file);
            assertEquals(3, ((org.deeplearning4j.nn.conf.graph.MergeVertex) back.getConfiguration().getVertices()
                    .get("merge")).getMergeAxis());
            // B is stored as int8 with a power-of-two scale per slice: the reloaded probabilities agree to its rounding
            assertTrue(sd.outputSingle(x).equalsWithEps(back.outputSingle(x), 2e-2), "the .sdm runs and agrees");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
        assertTrue(dense.outputSingle(x).equalsWithEps(org.smartdeal.layers.Networks.copy(dense).outputSingle(x), 0));
    }

    /**
     * A dense layer with layer normalisation: the SD layer has none, and the converted network silently dropped it
     * (argmax agreement 11 of 16 on one fuzzed network). It is refused before any work, naming the layer and the way
     * to keep it dense, which then converts the rest and computes what the dense network does with W = C*B.
     */
    @Test
    void aDenseLayerWithLayerNormalisationIsRefusedUnlessSkipped() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(20).nOut(12).hasLayerNorm(true)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdConverter.convert(dense, ConversionPlan.defaultPlan()));
        assertEquals("layer fc1 (DenseLayer) has layer normalisation (hasLayerNorm), which SD layers do not support; "
                + "keep it dense with \"skip\": true in the plan's layers", e.getMessage());
        SdConverter.Result r = SdConverter.convert(dense,
                ConversionPlan.fromJson("{\"layers\": {\"fc1\": {\"skip\": true}}}"));
        MultiLayerNetwork sd = (MultiLayerNetwork) r.network();
        assertTrue(((DenseLayer) sd.getLayer(0).conf().getLayer()).hasLayerNorm());
        MultiLayerNetwork ref = dense.clone();
        SdConverter.overwriteWithCB(ref, r.decomposition());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 20);
        assertTrue(ref.output(x.dup()).equalsWithEps(sd.output(x.dup()), 1e-5));
    }

    @Test
    void planOverridesSkipAndUnknownLayers() {
        MultiLayerNetwork dense = mlp();
        ConversionPlan skip = ConversionPlan.fromJson("{\"layers\": {\"fc2\": {\"skip\": true}}}");
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(dense, skip).network();
        assertEquals(DenseLayer.class, sd.getLayer(2).conf().getLayer().getClass());
        assertEquals(dense.getLayer(2).getParam("W"), sd.getLayer(2).getParam("W"));
        ConversionPlan unknown = ConversionPlan.fromJson("{\"layers\": {\"fc9\": {\"skip\": true}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdConverter.convert(dense, unknown));
        assertTrue(e.getMessage().contains("fc9"), e.getMessage());
    }

    /**
     * A dense layer's slices hold at least basisWidth rows: a plan asking for fewer is refused as the SD layer builder
     * refuses it (it was raised to basisWidth without a word); a convolution's slices are raised to its n.
     */
    @Test
    void aDenseSliceBelowTheBasisWidthIsRefused() {
        ConversionPlan thin = ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 2, \"basisWidth\": 3}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdConverter.convert(mlp(), thin));
        assertEquals("plan for layer fc1: sliceRows must be >= basisWidth (3) for a DenseLayer, got 2", e.getMessage());
        ConversionPlan convsOnly = ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 2, \"basisWidth\": 3}, "
                + "\"layers\": {\"fc\": {\"sliceRows\": 3}}}");
        ComputationGraph sd = (ComputationGraph) SdConverter.convert(residual(), convsOnly).network();
        assertEquals(3, ((SdConvolutionLayer) sd.getLayer("conv1").conf().getLayer()).getSliceRows());
    }

    /**
     * Structured sparsity survives the decomposition on dense and 1x1 layers: every weight an independent row-wise
     * pruning of the original W zeroes (rows of basisWidth consecutive inputs, the slice layout's C rows) is exactly 0
     * in C*B. Before, the 1x1 and dense unit was one input, a third of a C row, and the decomposition rebuilt most of
     * the pruned weights from their row's neighbours (a zoo audit: 58-70% back).
     */
    @Test
    void prunedRowsOfDenseAndOneByOneLayersAreZeroInCB() {
        MultiLayerNetwork mlp = mlp();
        SdConverter.Result r = SdConverter.convert(mlp, ConversionPlan.fromJson("{\"layers\": {\"fc1\": {\"structuredRatio\": 0.5}}}"));
        assertEquals(12 * 4, r.decomposition().layers().get(0).prunedVectors(), "12 units x ceil(0.5 x 7 rows)");
        MultiLayerNetwork ref = mlp.clone();
        SdConverter.overwriteWithCB(ref, r.decomposition());
        // DL4J's dense W is [nIn = 20, nOut = 12]; the pruning works on the [12, 20] filter view
        float[] filters = mlp.getLayer(0).getParam("W").transpose().dup('c').data().asFloat();
        float[] pruned = new float[filters.length];
        StructuredPruning.vectorWiseRows(filters, 12, 20, 3, 0.5, StructuredPruning.DEFAULT_GROUP_SIZE, pruned);
        INDArray cb = ref.getLayer(0).getParam("W");
        int zeros = 0;
        for (int o = 0; o < 12; o++) {
            for (int i = 0; i < 20; i++) {
                if (pruned[o * 20 + i] == 0) {
                    assertEquals(0.0, cb.getDouble(i, o), 0.0, "fc1 input " + i + " unit " + o);
                    zeros++;
                }
            }
        }
        assertTrue(zeros >= 12 * 4 * 2, "zeros " + zeros);
        // the report's error is against the user's W, pruning included (it was against the pruned W)
        INDArray orig = mlp.getLayer(0).getParam("W").castTo(DataType.DOUBLE);
        double expected = orig.sub(cb.castTo(DataType.DOUBLE)).norm2Number().doubleValue() / orig.norm2Number().doubleValue();
        assertEquals(expected, r.decomposition().report().layers().get(0).relError(), 1e-6);
        assertTrue(expected > 0.3, "half of the rows pruned: " + expected);

        ComputationGraph g = residual();
        SdConverter.Result rg = SdConverter.convert(g, ConversionPlan.fromJson("{\"layers\": {\"proj\": {\"structuredRatio\": 0.5}}}"));
        ComputationGraph refG = g.clone();
        SdConverter.overwriteWithCB(refG, rg.decomposition());
        float[] w = g.getLayer("proj").getParam("W").dup('c').data().asFloat(); // [8, 8, 1, 1]: the filter view
        float[] p = new float[w.length];
        StructuredPruning.vectorWiseRows(w, 8, 8, 3, 0.5, StructuredPruning.DEFAULT_GROUP_SIZE, p);
        float[] cbg = refG.getLayer("proj").getParam("W").dup('c').data().asFloat();
        int zg = 0;
        for (int k = 0; k < p.length; k++) {
            if (p[k] == 0) {
                assertEquals(0f, cbg[k], 0f, "proj weight " + k);
                zg++;
            }
        }
        assertTrue(zg >= 8 * 2 * 2, "zeros " + zg); // 8 filters x ceil(0.5 x 3 rows) rows of 2 or 3 weights
    }

    /**
     * Settings that would have no effect are refused, naming the layer and the settings: for a layer that is not
     * converted (skip alone is accepted: the layer is kept anyway), and a BatchNorm threshold on a layer no
     * BatchNormalization follows (both were ignored without a word).
     */
    @Test
    void settingsWithoutEffectAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdConverter.convert(mlp(),
                ConversionPlan.fromJson("{\"layers\": {\"bn1\": {\"theta\": 0.05, \"structuredRatio\": 0.1}}}")));
        assertEquals("plan.layers[bn1] sets theta, structuredRatio for a BatchNormalization, which is not converted (only "
                + "DenseLayer, OutputLayer, ConvolutionLayer and SeparableConvolution2D are, and DepthwiseConvolution2D when "
                + "the plan asks); those settings would have no effect", e.getMessage());
        SdConverter.convert(mlp(), ConversionPlan.fromJson("{\"layers\": {\"bn1\": {\"skip\": true}}}"));
        e = assertThrows(IllegalArgumentException.class, () -> SdConverter.convert(mlp(),
                ConversionPlan.fromJson("{\"layers\": {\"fc2\": {\"bnGammaThreshold\": 0.1}}}")));
        assertEquals("plan.layers[fc2] sets bnGammaThreshold, but no BatchNormalization follows the DenseLayer; the "
                + "setting would have no effect", e.getMessage());
        // fc1 has bn1 after it: accepted
        SdConverter.convert(mlp(), ConversionPlan.fromJson("{\"layers\": {\"fc1\": {\"bnGammaThreshold\": 0.01}}}"));
    }

    /** A converted network given again has nothing left to convert: refused, naming its SD layers. */
    @Test
    void anSdNetworkIsRefusedNamingItsSdLayers() {
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(mlp(), ConversionPlan.defaultPlan()).network();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdConverter.convert(sd, ConversionPlan.defaultPlan()));
        assertEquals("the network has no layer to convert (DenseLayer, OutputLayer, ConvolutionLayer or "
                + "SeparableConvolution2D, and DepthwiseConvolution2D when the plan sets convertDepthwise); these are "
                + "already in SD form: fc1, fc2, out", e.getMessage());
    }

    /**
     * layerNames gives the names the converter matches a plan against: configured names, else layer&lt;i&gt; in
     * a MultiLayerNetwork; a plan naming any of them is accepted, and skipping "layer1" keeps the unnamed
     * second layer dense.
     */
    @Test
    void layerNamesAreTheNamesAPlanMatches() {
        assertEquals(java.util.List.of("fc1", "bn1", "fc2", "out"), SdConverter.layerNames(mlp()));
        assertEquals(java.util.Set.of("conv1", "bn1", "conv2", "dw", "proj", "pool", "fc"),
                java.util.Set.copyOf(SdConverter.layerNames(residual())));
        MultiLayerNetwork unnamed = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        unnamed.init();
        java.util.List<String> names = SdConverter.layerNames(unnamed);
        assertEquals(java.util.List.of("layer0", "layer1"), names);
        ConversionPlan skip = ConversionPlan.fromJson("{\"layers\": {\"layer1\": {\"skip\": true}}}");
        skip.checkLayersExist(names);
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(unnamed, skip).network();
        assertInstanceOf(SdDenseLayer.class, sd.getLayer(0).conf().getLayer());
        assertEquals(OutputLayer.class, sd.getLayer(1).conf().getLayer().getClass());
    }

    @Test
    void structuredRatioAndBatchNormGammaZeroWholeRowsAndChannels() {
        ComputationGraph dense = residual();
        // Channels 1 and 5 of conv1 have a tiny BatchNorm scale: with threshold 0.01 they are masked.
        INDArray gamma = dense.getLayer("bn1").getParam("gamma");
        gamma.putScalar(1, 0.001).putScalar(5, -0.002);
        ConversionPlan plan = ConversionPlan.fromJson(
                "{\"layers\": {\"conv1\": {\"bnGammaThreshold\": 0.01}, \"conv2\": {\"structuredRatio\": 0.25}}}");
        NetworkDecomposition d = SdConverter.decompose(dense, plan);
        NetworkDecomposition.PlannedLayer c1 = d.layers().stream().filter(p -> p.name().equals("conv1")).findFirst().orElseThrow();
        assertEquals(2, c1.prunedChannels());
        float[] c = c1.decomposition().c();
        int perUnit = c.length / 8;
        for (int unit : new int[] {1, 5}) {
            for (int i = 0; i < perUnit; i++) {
                assertEquals(0f, c[unit * perUnit + i], "masked channel " + unit + " has zero C");
            }
        }
        NetworkDecomposition.PlannedLayer c2 = d.layers().stream().filter(p -> p.name().equals("conv2")).findFirst().orElseThrow();
        // conv2 is 8x8x3x3: rows = nIn*kh = 24 per filter; ceil(0.25 * 24) = 6 rows zeroed in each of the
        // 8 filters (one block of 8 <= 32 filters): 48 vectors.
        assertEquals(48, c2.prunedVectors());
    }
}
