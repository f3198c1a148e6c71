package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/** Each rule of {@link ConfigurationCheck} on a setting that breaks it and on the valid neighbour. */
class ConfigurationCheckTest {

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void windowsDataTypeAndPreprocessors() {
        ConvolutionLayer conv = new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).padding(1, 1)
                .convolutionMode(ConvolutionMode.Truncate).build();
        ConfigurationCheck.windows(conv);
        conv.setStride(new int[] {0, 1});
        assertEquals("stride must be >= 1 in every dimension, got [0, 1]", refusal(() -> ConfigurationCheck.windows(conv)));
        conv.setStride(new int[] {1, 1});
        conv.setPadding(new int[] {4, 1});
        // kernel 3, dilation 1: extent 3
        assertEquals("padding must be at most the kernel's extent (k - 1) d + 1 in every dimension, got padding [4, 1]"
                + " for kernel [3, 3] and dilation [1, 1]", refusal(() -> ConfigurationCheck.windows(conv)));
        conv.setDilation(new int[] {2, 1});
        ConfigurationCheck.windows(conv); // extent (3 - 1) 2 + 1 = 5 >= 4
        conv.setPadding(new int[] {9, 9});
        conv.setConvolutionMode(ConvolutionMode.Same);
        ConfigurationCheck.windows(conv); // Same mode ignores the configured padding
        conv.setPadding(new int[] {1, 1});
        conv.setConvolutionMode(ConvolutionMode.Causal);
        assertEquals("convolutionMode Causal applies to 1-D layers only", refusal(() -> ConfigurationCheck.windows(conv)));
        SubsamplingLayer pool = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .convolutionMode(ConvolutionMode.Truncate).build();
        ConfigurationCheck.windows(pool);
        pool.setKernelSize(null);
        assertEquals("kernelSize is missing", refusal(() -> ConfigurationCheck.windows(pool)));
        ConfigurationCheck.windows(new DenseLayer.Builder().nIn(2).nOut(2).build()); // not a window layer

        ConfigurationCheck.dataType(DataType.FLOAT16);
        assertEquals("dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16), got UTF8",
                refusal(() -> ConfigurationCheck.dataType(DataType.UTF8)));
        assertEquals("dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16), got null",
                refusal(() -> ConfigurationCheck.dataType(null)));

        ConfigurationCheck.preProcessor(new FeedForwardToCnnPreProcessor(28, 28, 1));
        ConfigurationCheck.preProcessor(null);
        assertEquals("FeedForwardToCnnPreProcessor: height, width and channels must be >= 1, got 0 x 28 x 1",
                refusal(() -> ConfigurationCheck.preProcessor(new FeedForwardToCnnPreProcessor(0, 28, 1))));
        // DL4J's "infer the shape" form passes; a partial shape does not
        ConfigurationCheck.preProcessor(new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor());
        assertEquals("CnnToFeedForwardPreProcessor: height, width and channels must be >= 1, got 0 x 4 x 2",
                refusal(() -> ConfigurationCheck.preProcessor(
                        new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(0, 4, 2))));
    }

    @Test
    void aGraphWithACycleOrAnUnknownInputIsRefused() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(2).nOut(2).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(2).nOut(2).build(), "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "b")
                .setOutputs("out").build();
        ConfigurationCheck.acyclic(conf);
        conf.getVertexInputs().put("a", java.util.List.of("in", "b"));
        assertEquals("vertex 'a' feeds itself through 'b': the graph has a cycle",
                refusal(() -> ConfigurationCheck.acyclic(conf)));
        conf.getVertexInputs().put("a", java.util.List.of("nowhere"));
        assertEquals("vertex 'a' takes input 'nowhere', which is neither a vertex nor a network input",
                refusal(() -> ConfigurationCheck.acyclic(conf)));
    }

    /**
     * A graph's outputs (DL4J's builder checks them, its loader does not): a file naming one twice ran with a null
     * second output, one naming none was priced and converted (the second fuzzing audit of 2026-12-05).
     */
    @Test
    void aGraphMustNameEachOutputOnceAndAtLeastOne() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(2).nOut(2).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "a")
                .setOutputs("out").build();
        ConfigurationCheck.network(conf);
        conf.setNetworkOutputs(new java.util.ArrayList<>(List.of("out", "out")));
        assertEquals("networkOutputs must name each vertex once, got [out, out]",
                refusal(() -> ConfigurationCheck.network(conf)));
        conf.setNetworkOutputs(new java.util.ArrayList<>());
        assertEquals("networkOutputs must name at least one vertex, got []", refusal(() -> ConfigurationCheck.network(conf)));
        conf.setNetworkOutputs(new java.util.ArrayList<>(List.of("in")));
        assertEquals("networkOutputs names 'in', which is not a vertex of the graph (its vertices: [a, out])",
                refusal(() -> ConfigurationCheck.network(conf)));
    }

    /** A depthwise (or separable) convolution's depth multiplier 0, which DL4J's builders refuse, gave empty parameters. */
    @Test
    void aDepthMultiplierBelowOneIsRefused() {
        var dw = new org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.Builder(3, 3).name("dw").nIn(2).nOut(2)
                .depthMultiplier(1).build();
        MultiLayerConfiguration ok = list().layer(dw).build();
        ConfigurationCheck.network(ok);
        dw.setDepthMultiplier(0);
        String m = refusal(() -> ConfigurationCheck.network(list().layer(dw).build()));
        assertTrue(m.endsWith("depthMultiplier must be >= 1, got 0"), m);
        assertTrue(m.startsWith("DepthwiseConvolution2D(name=dw"), m);
    }

    private static NeuralNetConfiguration.ListBuilder list() {
        return new NeuralNetConfiguration.Builder().seed(1).list();
    }

    private static DenseLayer dense(String name, int nIn, int nOut) {
        return new DenseLayer.Builder().name(name).nIn(nIn).nOut(nOut).build();
    }

    private static ConvolutionLayer conv(String name, int nIn, int nOut) {
        return new ConvolutionLayer.Builder(3, 3).name(name).nIn(nIn).nOut(nOut).build();
    }

    private static OutputLayer output(String name, int nIn, int nOut) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).name(name).nIn(nIn).nOut(nOut)
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build();
    }

    /**
     * Sets a layer's nIn after the list builder (which sets the nIn of the layers after a dense first layer from the
     * layer before them) as a configuration read from a file may hold it.
     */
    private static MultiLayerConfiguration withNIn(MultiLayerConfiguration conf, int index, long nIn) {
        ((FeedForwardLayer) Networks.unwrapFrozen(conf.getConf(index).getLayer())).setNIn(nIn);
        return conf;
    }

    /**
     * A global pooling layer over a sequence gives one row per example (collapseDimensions, its default), as DL4J runs
     * it; DL4J 1.0.0-M2.1's getOutputType says the sequence itself, so a layer after it was refused. Expected: a
     * feed-forward input of the sequence's size (5 channels here), compared with the next layer's nIn.
     */
    @Test
    void aGlobalPoolingLayerOverASequenceGivesRows() {
        java.util.function.IntFunction<MultiLayerConfiguration> text = nIn -> list()
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder().name("conv").kernelSize(3)
                        .nIn(6).nOut(5).build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                        org.deeplearning4j.nn.conf.layers.PoolingType.MAX).name("pool").build())
                .layer(dense("fc", nIn, 3)).build();
        ConfigurationCheck.inputSizes(text.apply(5), InputType.recurrent(6, 12));
        assertEquals("DenseLayer(name=fc, index=2) takes nIn=4 but its input has 5 values (from layer pool's output)",
                refusal(() -> ConfigurationCheck.inputSizes(text.apply(4), InputType.recurrent(6, 12))));
    }

    @Test
    void denseLayersWhoseSizesDoNotFitAreRefusedNamingBothSizes() {
        ConfigurationCheck.inputSizes(list().layer(dense("fc1", 784, 100)).layer(dense("fc2", 100, 10)).build(),
                InputType.feedForward(784));
        assertEquals("DenseLayer(name=fc2, index=1) takes nIn=50 but its input has 100 values (from layer fc1's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(withNIn(list().layer(dense("fc1", 784, 100))
                        .layer(dense("fc2", 100, 10)).build(), 1, 50), InputType.feedForward(784))));
        assertEquals("DenseLayer(name=fc1, index=0) takes nIn=784 but its input has 100 values (from the network input)",
                refusal(() -> ConfigurationCheck.inputSizes(list().layer(dense("fc1", 784, 100)).build(),
                        InputType.feedForward(100))));
        // a frozen layer's inner layer is checked; the SD layers are FeedForwardLayers like DL4J's
        MultiLayerConfiguration frozen = list().layer(dense("fc1", 784, 100)).layer(new FrozenLayer(dense("fc2", 100, 10)))
                .build();
        ConfigurationCheck.inputSizes(frozen, InputType.feedForward(784));
        assertEquals("FrozenLayer(name=layer1, index=1) takes nIn=50 but its input has 100 values (from layer fc1's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(withNIn(frozen, 1, 50), InputType.feedForward(784))));
        ConfigurationCheck.inputSizes(list().layer(new SdDenseLayer.Builder().name("fc1").nIn(12).nOut(6).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build()).build(),
                InputType.feedForward(12));
        assertEquals("SdOutputLayer(name=out, index=1) takes nIn=5 but its input has 6 values (from layer fc1's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(withNIn(list()
                        .layer(new SdDenseLayer.Builder().name("fc1").nIn(12).nOut(6).build())
                        .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(3)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build()).build(), 1, 5),
                        InputType.feedForward(12))));
    }

    @Test
    void convolutionsAndBatchNormTakeTheirInputsChannels() {
        ConfigurationCheck.inputSizes(list().layer(conv("conv1", 1, 16)).layer(conv("conv2", 16, 4)).build(),
                InputType.convolutional(28, 28, 1));
        assertEquals("ConvolutionLayer(name=conv2, index=1) takes nIn=8 but its input has 16 channels (from layer "
                + "conv1's nOut)", refusal(() -> ConfigurationCheck.inputSizes(list().layer(conv("conv1", 1, 16))
                        .layer(conv("conv2", 8, 4)).build(), InputType.convolutional(28, 28, 1))));
        assertEquals("ConvolutionLayer(name=conv1, index=0) takes nIn=1 but its input has 3 channels (from the network "
                + "input)", refusal(() -> ConfigurationCheck.inputSizes(list().layer(conv("conv1", 1, 16)).build(),
                        InputType.convolutional(28, 28, 3))));
        ConfigurationCheck.inputSizes(list().layer(conv("conv1", 1, 16))
                .layer(new BatchNormalization.Builder().name("bn").nIn(16).nOut(16).build()).build(),
                InputType.convolutional(28, 28, 1));
        assertEquals("BatchNormalization(name=bn, index=1) takes nIn=8 but its input has 16 channels (from layer "
                + "conv1's nOut)", refusal(() -> ConfigurationCheck.inputSizes(list().layer(conv("conv1", 1, 16))
                        .layer(new BatchNormalization.Builder().name("bn").nIn(8).nOut(8).build()).build(),
                        InputType.convolutional(28, 28, 1))));
        // the SD convolution through a pooling layer (no nIn of its own: the channels pass through)
        assertEquals("SdConvolutionLayer(name=conv2, index=2) takes nIn=4 but its input has 16 channels (from layer "
                + "pool1's output)", refusal(() -> ConfigurationCheck.inputSizes(list().layer(conv("conv1", 1, 16))
                        .layer(new SubsamplingLayer.Builder().name("pool1").kernelSize(2, 2).stride(2, 2).build())
                        .layer(new SdConvolutionLayer.Builder(3, 3).name("conv2").nIn(4).nOut(4).build()).build(),
                        InputType.convolutional(28, 28, 1))));
        // an embedding's nIn is its vocabulary, not its input's width: not compared
        ConfigurationCheck.inputSizes(list().layer(new EmbeddingLayer.Builder().name("emb").nIn(500).nOut(8).build())
                .build(), InputType.feedForward(1));
    }

    /** conv1 (3x3) then pool1 (2x2, stride 2) on 28 x 28: 2 x 13 x 13, flattened 338 values. */
    private static MultiLayerConfiguration pooledToDense(int fcIn, CnnToFeedForwardPreProcessor pre) {
        return list().layer(conv("conv1", 1, 2))
                .layer(new SubsamplingLayer.Builder().name("pool1").kernelSize(2, 2).stride(2, 2).build())
                .layer(dense("fc1", fcIn, 10)).inputPreProcessor(2, pre).build();
    }

    @Test
    void aDenseLayerAfterAReshapeTakesTheReshapedSize() {
        ConfigurationCheck.inputSizes(pooledToDense(338, new CnnToFeedForwardPreProcessor(13, 13, 2)),
                InputType.convolutional(28, 28, 1));
        ConfigurationCheck.inputSizes(pooledToDense(338, new CnnToFeedForwardPreProcessor()),
                InputType.convolutional(28, 28, 1));
        assertEquals("DenseLayer(name=fc1, index=2) takes nIn=100 but its input has 338 values (from layer pool1's "
                + "output through its CnnToFeedForwardPreProcessor)", refusal(() -> ConfigurationCheck.inputSizes(
                        pooledToDense(100, new CnnToFeedForwardPreProcessor(13, 13, 2)),
                        InputType.convolutional(28, 28, 1))));
        assertEquals("DenseLayer(name=fc1, index=2): its CnnToFeedForwardPreProcessor takes 2 x 7 x 13 (channels x "
                + "height x width) but its input is 2 x 13 x 13 (from layer pool1's output)",
                refusal(() -> ConfigurationCheck.inputSizes(pooledToDense(338, new CnnToFeedForwardPreProcessor(7, 13,
                        2)), InputType.convolutional(28, 28, 1))));
        // a flat image straight into a dense layer: its flattened size
        assertEquals("DenseLayer(name=fc1, index=0) takes nIn=100 but its input has 784 values (from the network "
                + "input)", refusal(() -> ConfigurationCheck.inputSizes(list().layer(dense("fc1", 100, 10)).build(),
                        InputType.convolutionalFlat(28, 28, 1))));
        // a convolution fed rows without a reshape: DL4J's own refusal, named
        MultiLayerConfiguration rows = list().layer(dense("fc1", 4, 4)).layer(dense("fc2", 4, 2)).build();
        rows.getConf(1).setLayer(conv("conv1", 1, 2)); // the list builder refuses it; a file may hold it
        String m = refusal(() -> ConfigurationCheck.inputSizes(rows, InputType.feedForward(4)));
        assertTrue(m.startsWith("ConvolutionLayer(name=conv1, index=1): DL4J cannot derive its types from "
                + "InputTypeFeedForward(4) (from layer fc1's output): Invalid input"), m);
    }

    @Test
    void aGraphLayerTakesItsInputVertexsType() {
        java.util.function.IntFunction<ComputationGraphConfiguration> graph = outIn -> new NeuralNetConfiguration
                .Builder().graphBuilder().addInputs("in")
                .addLayer("a", dense("a", 4, 3), "in")
                .addLayer("b", dense("b", 4, 4), "in")
                .addVertex("merge", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "a", "b")
                .addLayer("out", output("out", outIn, 2), "merge")
                .setOutputs("out").build();
        ConfigurationCheck.inputSizes(graph.apply(7), InputType.feedForward(4));
        assertEquals("OutputLayer(name=out) takes nIn=5 but its input has 7 values (from vertex merge's output)",
                refusal(() -> ConfigurationCheck.inputSizes(graph.apply(5), InputType.feedForward(4))));
        assertEquals("DenseLayer(name=a) takes nIn=4 but its input has 6 values (from network input 'in')",
                refusal(() -> ConfigurationCheck.inputSizes(graph.apply(7), InputType.feedForward(6))));
        assertEquals("the graph has 1 inputs [in], got 2 input types", refusal(() -> ConfigurationCheck.inputSizes(
                graph.apply(7), InputType.feedForward(4), InputType.feedForward(4))));
        ComputationGraphConfiguration chain = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("fc1", dense("fc1", 4, 100), "in")
                .addLayer("fc2", dense("fc2", 50, 2), "fc1")
                .setOutputs("fc2").build();
        assertEquals("DenseLayer(name=fc2) takes nIn=50 but its input has 100 values (from layer fc1's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(chain, InputType.feedForward(4))));
        // a crafted file whose vertex is named like the network input: refused, where the ordering looped forever
        chain.getVertices().put("in", chain.getVertices().get("fc1"));
        chain.getVertexInputs().put("in", List.of());
        String m = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> refusal(() -> ConfigurationCheck.inputSizes(chain, InputType.feedForward(4))));
        assertEquals("vertices [in] cannot be ordered after their inputs (a vertex named like a network input [in]?)",
                m);
    }

    /**
     * Rules from a fuzzing audit of the zip loader (2026-12-05), each of which let a crafted file through to an
     * internal error: window arrays of the wrong length, sizes whose product overflows, a permuted cached vertex
     * order, and DL4J type derivations failing with exceptions other than its own.
     */
    @Test
    void craftedWindowsSizesOrdersAndVerticesAreRefusedNamed() {
        ConvolutionLayer c = conv("conv1", 1, 4);
        c.setStride(new int[] {1});
        assertEquals("kernelSize, stride, padding and dilation must each have one entry per spatial dimension (2), "
                + "got kernelSize [3, 3], stride [1], padding [0, 0], dilation [1, 1]",
                refusal(() -> ConfigurationCheck.windows(c)));

        DenseLayer big = dense("fc1", 8, 32);
        big.setNIn(1L << 62);
        assertEquals("nIn and nOut must be in [0, 2147483647], got nIn 4611686018427387904, nOut 32",
                refusal(() -> ConfigurationCheck.sizes(big)));
        ConvolutionLayer wide = conv("conv1", Integer.MAX_VALUE, Integer.MAX_VALUE);
        wide.setKernelSize(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE});
        assertTrue(refusal(() -> ConfigurationCheck.sizes(wide)).startsWith("the weight count nIn x nOut x kernel "
                + "overflows a 64-bit count"));
        MultiLayerConfiguration withBig = list().layer(dense("fc1", 8, 32)).layer(output("out", 32, 2)).build();
        withBig.getConf(0).getLayer().setLayerName("fc1");
        ((DenseLayer) withBig.getConf(0).getLayer()).setNIn(1L << 62);
        assertTrue(refusal(() -> ConfigurationCheck.network(withBig)).startsWith("DenseLayer(name=fc1, index=0): nIn "
                + "and nOut must be in"));

        ComputationGraphConfiguration g = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", dense("a", 4, 3), "in")
                .addLayer("b", dense("b", 4, 3), "in")
                .addVertex("merge", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "a", "b")
                .addLayer("out", output("out", 6, 2), "merge")
                .setOutputs("out").build();
        new org.deeplearning4j.nn.graph.ComputationGraph(g).init(); // caches DL4J's own order in g, as a saved file has
        assertTrue(g.getTopologicalOrder() != null && g.getTopologicalOrderStr() != null);
        ConfigurationCheck.network(g);
        int[] t = g.getTopologicalOrder().clone(); // (clone() does not copy the cache: permute g's own)
        int last = t[t.length - 1];
        t[t.length - 1] = t[1];
        t[1] = last;
        g.setTopologicalOrder(t);
        assertTrue(refusal(() -> ConfigurationCheck.network(g)).startsWith("the cached vertex order "
                + "(topologicalOrder " + java.util.Arrays.toString(t)), "a permuted order");

        // an element-wise vertex whose inputs differ, and a batch norm stating another nOut than its nIn: DL4J's
        // getOutputType passes both (a fuzzing audit: priced and converted, exit 0)
        ComputationGraphConfiguration sum = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", dense("a", 4, 3), "in")
                .addLayer("b", dense("b", 4, 5), "in")
                .addVertex("add", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("out", output("out", 3, 2), "add")
                .setOutputs("out").build();
        assertEquals("vertex 'add' (ElementWiseVertex) combines inputs of different shapes: a gives "
                + "InputTypeFeedForward(3), b gives InputTypeFeedForward(5)",
                refusal(() -> ConfigurationCheck.inputSizes(sum, InputType.feedForward(4))));
        MultiLayerConfiguration bn = list().layer(dense("fc1", 4, 6))
                .layer(new BatchNormalization.Builder().name("bn").nIn(6).nOut(6).build())
                .layer(output("out", 6, 2)).build();
        ConfigurationCheck.inputSizes(bn, InputType.feedForward(4));
        ((BatchNormalization) bn.getConf(1).getLayer()).setNOut(7);
        assertEquals("BatchNormalization(name=bn, index=1) takes nIn=6 but states nOut=7; a batch normalization's nOut "
                + "is its nIn", refusal(() -> ConfigurationCheck.inputSizes(bn, InputType.feedForward(4))));

        // a layer whose activation the file omits (DL4J always writes it): refused, where evaluate met a null
        MultiLayerConfiguration noActivation = list().layer(dense("fc1", 4, 6)).layer(output("out", 6, 2)).build();
        ConfigurationCheck.network(noActivation);
        ((org.deeplearning4j.nn.conf.layers.BaseLayer) noActivation.getConf(0).getLayer()).setActivationFn(null);
        assertTrue(refusal(() -> ConfigurationCheck.network(noActivation)).endsWith(", index=0): activationFn is "
                + "missing"));

        ComputationGraphConfiguration noInputs = g.clone();
        noInputs.getVertexInputs().put("merge", List.of());
        String m = refusal(() -> ConfigurationCheck.inputSizes(noInputs, InputType.feedForward(4)));
        assertTrue(m.startsWith("vertex 'merge' (MergeVertex): DL4J cannot derive its types from its inputs []: "), m);
    }

    /**
     * The message rule every refusal of a DL4J or ND4J failure follows (the derivations here, convert's and energy's
     * forward check, evaluate's first forward pass): the usual types give their message alone, any other its class
     * name first.
     */
    @Test
    void describeNamesTheClassOfAnExceptionThatIsNotOneOfTheUsualOnes() {
        assertEquals("bad size", ConfigurationCheck.describe(new IllegalArgumentException("bad size")));
        assertEquals("no input", ConfigurationCheck.describe(new IllegalStateException("no input")));
        assertEquals("rank", ConfigurationCheck.describe(new org.nd4j.linalg.exception.ND4JException("rank")));
        assertEquals("shape", ConfigurationCheck.describe(
                new org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException("shape")));
        assertEquals("input", ConfigurationCheck.describe(new org.deeplearning4j.exception.DL4JInvalidInputException("input")));
        assertEquals("NullPointerException: null", ConfigurationCheck.describe(new NullPointerException()));
        assertEquals("ArrayIndexOutOfBoundsException: 3",
                ConfigurationCheck.describe(new ArrayIndexOutOfBoundsException("3")));
    }

    /** in -> a (dense 4 -> 3) -> out (3 -> 2), the layers named like their vertices. */
    private static ComputationGraphConfiguration twoLayerGraph() {
        return new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", dense("a", 4, 3), "in")
                .addLayer("out", output("out", 3, 2), "a")
                .setOutputs("out").build();
    }

    /**
     * {@code network} of a graph applies each rule the other tests check alone (from mutation testing: with any of
     * the data type, the cycle or the per-layer call removed, no test failed): the data type, no cycle, and every
     * layer vertex's rules, named by the layer's name or, when it has none, its vertex's.
     */
    @Test
    void aGraphsNetworkCheckAppliesTheDataTypeCycleAndLayerRules() {
        ConfigurationCheck.network(twoLayerGraph());
        ComputationGraphConfiguration ints = twoLayerGraph();
        ints.setDataType(DataType.INT32);
        assertEquals("dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16), got INT",
                refusal(() -> ConfigurationCheck.network(ints)));
        ComputationGraphConfiguration cycle = twoLayerGraph();
        cycle.getVertexInputs().put("a", List.of("in", "out"));
        assertEquals("vertex 'a' feeds itself through 'out': the graph has a cycle",
                refusal(() -> ConfigurationCheck.network(cycle)));
        // the same cycle through inputSizes: its own acyclic check names it (not the ordering's fallback)
        assertEquals("vertex 'a' feeds itself through 'out': the graph has a cycle",
                refusal(() -> ConfigurationCheck.inputSizes(cycle, InputType.feedForward(4))));
        ComputationGraphConfiguration noActivation = twoLayerGraph();
        Layer a = ((org.deeplearning4j.nn.conf.graph.LayerVertex) noActivation.getVertices().get("a")).getLayerConf()
                .getLayer();
        ((org.deeplearning4j.nn.conf.layers.BaseLayer) a).setActivationFn(null);
        a.setLayerName("fc1");
        assertEquals("DenseLayer(name=fc1): activationFn is missing", refusal(() -> ConfigurationCheck.network(noActivation)));
        a.setLayerName(null);
        assertEquals("DenseLayer(name=a): activationFn is missing", refusal(() -> ConfigurationCheck.network(noActivation)));
    }

    /** A layer's preprocessor is checked through {@code network}; a 1 x 1 x 1 image is the smallest allowed. */
    @Test
    void preprocessorsAreCheckedThroughTheNetworkAndOneByOneByOneIsAllowed() {
        ConfigurationCheck.preProcessor(new FeedForwardToCnnPreProcessor(1, 1, 1));
        ConfigurationCheck.preProcessor(new CnnToFeedForwardPreProcessor(1, 1, 1));
        MultiLayerConfiguration bad = list().layer(conv("conv1", 1, 2)).layer(output("out", 2, 2))
                .inputPreProcessor(0, new FeedForwardToCnnPreProcessor(1, 0, 1)).build();
        assertEquals("ConvolutionLayer(name=conv1, index=0): FeedForwardToCnnPreProcessor: height, width and channels"
                + " must be >= 1, got 1 x 0 x 1", refusal(() -> ConfigurationCheck.network(bad)));
        bad.getInputPreProcessors().put(0, new FeedForwardToCnnPreProcessor(1, 1, 0));
        assertEquals("ConvolutionLayer(name=conv1, index=0): FeedForwardToCnnPreProcessor: height, width and channels"
                + " must be >= 1, got 1 x 1 x 0", refusal(() -> ConfigurationCheck.network(bad)));
    }

    /**
     * Layers whose nIn is not compared: a stated nIn of 0 (DL4J infers it), a layer without parameters (a dropout
     * layer's nIn decides no weight shape) and a batch normalization without nIn; a valid element-wise vertex; a
     * graph whose configuration lists a vertex before its input (ordered by its inputs, not its position).
     */
    @Test
    void sizesThatDecideNoWeightAreNotComparedAndGraphsAreWalkedInInputOrder() {
        MultiLayerConfiguration zero = list().layer(dense("fc1", 4, 6)).layer(dense("fc2", 6, 2)).build();
        ((DenseLayer) zero.getConf(1).getLayer()).setNIn(0);
        ConfigurationCheck.inputSizes(zero, InputType.feedForward(4));
        MultiLayerConfiguration dropout = list().layer(dense("fc1", 4, 6))
                .layer(new org.deeplearning4j.nn.conf.layers.DropoutLayer.Builder(0.5).name("drop").nIn(5).nOut(5)
                        .build())
                .layer(output("out", 6, 2)).build();
        ((FeedForwardLayer) dropout.getConf(1).getLayer()).setNIn(5);
        ConfigurationCheck.inputSizes(dropout, InputType.feedForward(4));
        MultiLayerConfiguration bn = list().layer(dense("fc1", 4, 6))
                .layer(new BatchNormalization.Builder().name("bn").nIn(6).nOut(6).build()).layer(output("out", 6, 2))
                .build();
        BatchNormalization b = (BatchNormalization) bn.getConf(1).getLayer();
        b.setNIn(0);
        b.setNOut(6);
        ConfigurationCheck.inputSizes(bn, InputType.feedForward(4));

        ComputationGraphConfiguration sum = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", dense("a", 4, 3), "in")
                .addLayer("b", dense("b", 4, 3), "in")
                .addLayer("c", dense("c", 4, 3), "in")
                .addVertex("add", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "a", "b", "c")
                .addLayer("out", output("out", 3, 2), "add")
                .setOutputs("out").build();
        ConfigurationCheck.inputSizes(sum, InputType.feedForward(4));

        ComputationGraphConfiguration backwards = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("out", output("out", 3, 2), "a")
                .addLayer("a", dense("a", 4, 3), "in")
                .setOutputs("out").build();
        assertEquals(List.of("out", "a"), List.copyOf(backwards.getVertexInputs().keySet()));
        ConfigurationCheck.inputSizes(backwards, InputType.feedForward(4));
        ((FeedForwardLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) backwards.getVertices().get("out"))
                .getLayerConf().getLayer()).setNIn(5);
        assertEquals("OutputLayer(name=out) takes nIn=5 but its input has 3 values (from layer a's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(backwards, InputType.feedForward(4))));
    }

    /** The form that takes a network: one input type for a MultiLayerNetwork, a type per input for a graph. */
    @Test
    void inputSizesOfANetworkDispatchesOnItsKind() {
        MultiLayerConfiguration conf = list().layer(dense("fc1", 4, 6)).layer(output("out", 6, 2)).build();
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        ConfigurationCheck.inputSizes(net, InputType.feedForward(4));
        assertEquals("DenseLayer(name=fc1, index=0) takes nIn=4 but its input has 5 values (from the network input)",
                refusal(() -> ConfigurationCheck.inputSizes(net, InputType.feedForward(5))));
        assertEquals("a MultiLayerNetwork has one input, got 2 input types", refusal(() -> ConfigurationCheck.inputSizes(
                net, InputType.feedForward(4), InputType.feedForward(4))));
        var graph = new org.deeplearning4j.nn.graph.ComputationGraph(twoLayerGraph());
        ConfigurationCheck.inputSizes(graph, InputType.feedForward(4));
        assertEquals("DenseLayer(name=a) takes nIn=4 but its input has 5 values (from network input 'in')",
                refusal(() -> ConfigurationCheck.inputSizes(graph, InputType.feedForward(5))));
        assertEquals("inputSizes takes a MultiLayerNetwork or ComputationGraph, got null",
                refusal(() -> ConfigurationCheck.inputSizes((org.deeplearning4j.nn.api.Model) null,
                        InputType.feedForward(4))));
    }

    /**
     * A frozen layer's name in the message about the next layer: the wrapper's when it has one, else its inner
     * layer's (DL4J's JSON may keep no name for the wrapper).
     */
    @Test
    void theLayerBeforeIsNamedByItsWrapperOrElseItsInnerLayer() {
        MultiLayerConfiguration conf = list().layer(new FrozenLayer(dense("fc1", 4, 6))).layer(dense("fc2", 5, 2))
                .build();
        conf.getConf(0).getLayer().setLayerName("frozen");
        ((FeedForwardLayer) conf.getConf(1).getLayer()).setNIn(5);
        assertEquals("DenseLayer(name=fc2, index=1) takes nIn=5 but its input has 6 values (from layer frozen's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(conf, InputType.feedForward(4))));
        conf.getConf(0).getLayer().setLayerName(null);
        ((FrozenLayer) conf.getConf(0).getLayer()).getLayer().setLayerName("fc1");
        assertEquals("DenseLayer(name=fc2, index=1) takes nIn=5 but its input has 6 values (from layer fc1's nOut)",
                refusal(() -> ConfigurationCheck.inputSizes(conf, InputType.feedForward(4))));
    }

    /**
     * One entry per spatial dimension by the layer's kind: 3 for a 3-D convolution, 1 or 2 for a 1-D one (DL4J keeps
     * some 1-D windows as [k, 1]); and padding equal to the kernel's extent (k - 1) d + 1 = 3 is allowed.
     */
    @Test
    void windowRanksFollowTheLayersKindAndPaddingMayEqualTheExtent() {
        var c3 = new org.deeplearning4j.nn.conf.layers.Convolution3D.Builder().kernelSize(2, 2, 2).stride(1, 1, 1)
                .padding(0, 0, 0).dilation(1, 1, 1).convolutionMode(ConvolutionMode.Truncate).nIn(1).nOut(1).build();
        ConfigurationCheck.windows(c3);
        c3.setKernelSize(new int[] {2, 2});
        c3.setStride(new int[] {1, 1});
        c3.setPadding(new int[] {0, 0});
        c3.setDilation(new int[] {1, 1});
        assertEquals("kernelSize, stride, padding and dilation must each have one entry per spatial dimension (3), "
                + "got kernelSize [2, 2], stride [1, 1], padding [0, 0], dilation [1, 1]",
                refusal(() -> ConfigurationCheck.windows(c3)));
        var c1 = new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder().kernelSize(3).stride(1)
                .convolutionMode(ConvolutionMode.Truncate).nIn(1).nOut(1).build();
        for (int dims = 1; dims <= 3; dims++) {
            int[] ones = new int[dims];
            java.util.Arrays.fill(ones, 1);
            c1.setKernelSize(ones.clone());
            c1.setStride(ones.clone());
            c1.setPadding(new int[dims]);
            c1.setDilation(ones.clone());
            if (dims < 3) {
                ConfigurationCheck.windows(c1);
            } else {
                assertTrue(refusal(() -> ConfigurationCheck.windows(c1)).startsWith("kernelSize, stride, padding and"
                        + " dilation must each have one entry per spatial dimension (1 or 2), got kernelSize [1, 1, 1]"));
            }
        }
        ConvolutionLayer conv = new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).padding(3, 3)
                .convolutionMode(ConvolutionMode.Truncate).build();
        ConfigurationCheck.windows(conv);
        conv.setPadding(new int[] {3, 4});
        assertTrue(refusal(() -> ConfigurationCheck.windows(conv)).startsWith("padding must be at most the kernel's"
                + " extent (k - 1) d + 1 in every dimension, got padding [3, 4]"));
    }

    /** A layer without parameters decides no weight shape: its stated nIn is not compared (a loss layer's here). */
    @Test
    void aParameterlessLayersStatedNInIsNotCompared() {
        MultiLayerConfiguration conf = list().layer(dense("fc1", 4, 6))
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).name("loss").build())
                .build();
        FeedForwardLayer loss = (FeedForwardLayer) conf.getConf(1).getLayer();
        loss.setNIn(5);
        assertEquals(0, loss.initializer().numParams(loss));
        ConfigurationCheck.inputSizes(conf, InputType.feedForward(4));
        // the same stated nIn on a layer with weights is refused
        ((FeedForwardLayer) conf.getConf(0).getLayer()).setNIn(5);
        assertEquals("DenseLayer(name=fc1, index=0) takes nIn=5 but its input has 4 values (from the network input)",
                refusal(() -> ConfigurationCheck.inputSizes(conf, InputType.feedForward(4))));
    }
}
