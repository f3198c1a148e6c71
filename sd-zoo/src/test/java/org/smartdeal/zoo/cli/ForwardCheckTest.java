package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link ForwardCheck}: what the forward pass of two all-zero examples refuses that DL4J's type derivations let
 * through (each case a file the second fuzzing audit of 2026-12-05 found priced or converted and then failing in
 * evaluate), and that a network which runs passes.
 */
class ForwardCheckTest {

    @TempDir
    Path dir;

    private static final Path FILE = Path.of("net.zip");

    private static MultiLayerNetwork mlp(DataType dataType) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(dataType).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(784).nOut(8).activation(Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder().name("out").nIn(8).nOut(10).activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    @Test
    void aNetworkThatRunsPasses() {
        ForwardCheck.requireRuns(mlp(DataType.FLOAT), InputType.feedForward(784), FILE);
    }

    /**
     * No false refusals: the small zoo models (dense, batch norm, residual graphs, depthwise, option-A shortcuts),
     * saved as files and converted with {@code --input} so that every check runs, convert with exit 0 and without the
     * unchecked note; their .sdm files, whose networks the checks meet in energy and evaluate, pass too.
     */
    @Test
    void theSmallZooModelsPassEveryCheckDenseAndConverted() throws IOException {
        for (org.deeplearning4j.nn.api.Model dense : java.util.List.of(
                org.smartdeal.zoo.models.ZooModel.CNN.defaultConfiguration().init(),
                org.smartdeal.zoo.models.ZooModel.RESNET20.defaultConfiguration().init(),
                org.smartdeal.zoo.models.ZooModel.MOBILENETV2_CIFAR.defaultConfiguration().init(),
                org.smartdeal.zoo.models.ZooModel.VGG11_CIFAR.defaultConfiguration().init())) {
            Path zip = dir.resolve("zoo.zip");
            ModelSerializer.writeModel(dense, zip.toFile(), false);
            InputType type = FashionMnistInput.inputType(dense, null, true, zip);
            long[] chw = type.getShape(false);
            String input = chw.length == 3 ? chw[0] + "x" + chw[1] + "x" + chw[2] : "1x28x28";
            Path sdm = dir.resolve("zoo.sdm");
            CliRun c = CliRun.of("convert", zip.toString(), "--out", sdm.toString(), "--input", input, "--quiet");
            assertEquals(0, c.exit(), input + ": " + c.err());
            assertTrue(!c.err().contains("note:"), c.err());
            org.deeplearning4j.nn.api.Model sd = org.smartdeal.codec.SdModelFile.read(sdm);
            ForwardCheck.requireRuns(sd, FashionMnistInput.inputType(sd, FashionMnistInput.parseShape(input), false, sdm),
                    sdm);
        }
    }

    /**
     * Valid DL4J CNNs that the checks refused (the session's second fuzzing round built them as users do): a network
     * in channels-last format (NHWC), one that starts with a batch normalization (taken as deciding, it made the
     * network read as taking rows), and ones that start with a layer that states no channels (pooling, upsampling).
     * The third round added a LossLayer last, a dense first layer behind setInputType's preprocessor, a PReLU before
     * the first convolution and a graph scaling its input first. Each converts with {@code --input}, converts without
     * it (unchecked with the note, unless it states its input), and evaluates on Fashion-MNIST, where DL4J itself
     * runs it.
     */
    @Test
    void validCnnsOfOtherFormsPassConvertAndEvaluate() throws IOException {
        Path data = org.smartdeal.zoo.data.FashionMnist.resolveDir(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(org.smartdeal.zoo.data.FashionMnist.isAvailable(data),
                "Fashion-MNIST not installed in " + data + ": skipping the evaluate part of the false-refusal test");
        java.util.Map<String, org.deeplearning4j.nn.conf.MultiLayerConfiguration> nets = new java.util.LinkedHashMap<>();
        nets.put("nhwc", new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2)
                        .dataFormat(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC).build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1, org.deeplearning4j.nn.conf.CNN2DFormat.NHWC)).build());
        nets.put("bn-first", new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        nets.put("pool-first", new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        nets.put("upsample-first", new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new Upsampling2D.Builder(2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        // the third round's: a LossLayer last (it states no classes), a dense first layer behind the preprocessor
        // setInputType(convolutional) adds, a PReLU before the first convolution
        nets.put("loss-layer-last", new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(10).activation(Activation.SOFTMAX).build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder().build())
                .setInputType(InputType.feedForward(784)).build());
        nets.put("dense-first-images", new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nOut(16).build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        nets.put("prelu-first", new NeuralNetConfiguration.Builder().seed(1).list()
                // DL4J does not derive a first PReLU's input shape: the user states it
                .layer(new org.deeplearning4j.nn.conf.layers.PReLULayer.Builder().inputShape(1, 28, 28).sharedAxes(2, 3)
                        .build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build());
        java.util.Map<String, org.deeplearning4j.nn.api.Model> models = new java.util.LinkedHashMap<>();
        nets.forEach((k, c) -> models.put(k, new MultiLayerNetwork(c)));
        // a graph whose input goes through a ScaleVertex before its first convolution
        models.put("graph-scale-first", new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in")
                .addVertex("scale", new org.deeplearning4j.nn.conf.graph.ScaleVertex(0.5), "in")
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "scale")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "c")
                .addLayer("out", new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(28, 28, 1)).build()));
        for (var e : models.entrySet()) {
            org.deeplearning4j.nn.api.Model n = e.getValue();
            n.init();
            Path zip = dir.resolve(e.getKey() + ".zip");
            ModelSerializer.writeModel(n, zip.toFile(), false);
            Path sdm = dir.resolve(e.getKey() + ".sdm");
            CliRun checked = CliRun.of("convert", zip.toString(), "--out", sdm.toString(), "--input", "1x28x28", "--quiet");
            assertEquals(0, checked.exit(), e.getKey() + ": " + checked.err());
            CliRun unchecked = CliRun.of("convert", zip.toString(), "--out", sdm.toString(), "--quiet");
            assertEquals(0, unchecked.exit(), e.getKey() + ": " + unchecked.err());
            // the two that state their input (rows; images through the preprocessor) are checked without --input
            assertEquals(!e.getKey().equals("loss-layer-last") && !e.getKey().equals("dense-first-images"),
                    unchecked.err().contains("note: "), e.getKey() + ": " + unchecked.err());
            CliRun v = CliRun.of("evaluate", zip.toString(), "--limit", "20");
            assertEquals(0, v.exit(), e.getKey() + ": " + v.err());
            assertTrue(v.out().contains("on 20 Fashion-MNIST test examples"), v.out());
        }
    }

    /**
     * A LossLayer passes its input on, whatever nOut its file states: one stating 10 after a 12-unit layer passed the
     * ten-class check and failed in DL4J's scoring; evaluate now reads the width from the forward pass.
     */
    @Test
    void evaluateReadsTheNumberOfClassesFromTheOutputNotTheStatedNOut() throws IOException {
        org.deeplearning4j.nn.conf.MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(784).nOut(12).activation(Activation.SOFTMAX).build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder().name("loss").build())
                .build();
        ((org.deeplearning4j.nn.conf.layers.LossLayer) conf.getConf(1).getLayer()).setNOut(10);
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        Path zip = dir.resolve("loss-12.zip");
        ModelSerializer.writeModel(n, zip.toFile(), false);
        CliRun.of("evaluate", zip.toString(), "--limit", "10").assertUserError(SmartDeal.EXIT_BAD_INPUT, zip
                + ": the network's output has shape [2, 12] for 2 examples, but Fashion-MNIST needs one row of 10 class "
                + "scores per example");
    }

    /** A StackVertex puts the examples of its two inputs one after the other: 2 inputs give 4 output rows. */
    @Test
    void aGraphThatStacksExamplesIsRefused() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in")
                .addLayer("fc", new DenseLayer.Builder().nIn(784).nOut(8).build(), "in")
                .addVertex("stack", new StackVertex(), "fc", "fc")
                .addLayer("out", new OutputLayer.Builder().nIn(8).nOut(10).activation(Activation.SOFTMAX).build(), "stack")
                .setOutputs("out").build());
        g.init();
        BadInputException e = assertThrows(BadInputException.class,
                () -> ForwardCheck.requireRuns(g, InputType.feedForward(784), FILE));
        assertEquals("net.zip: the network mixes examples: for 2 inputs of shape [2, 784] its output has shape [4, 10], "
                + "not one row per example (a layer or vertex reshapes or stacks across the examples)", e.getMessage());
    }

    /**
     * Half precision tops out at 65,504: a bias of 60,000 through weights of 100 overflows to infinity, and the
     * softmax of infinities is NaN, whatever the input (hand calculation: 8 x 60,000 x 100 = 4.8e7).
     */
    @Test
    void anOutputThatOverflowsItsDataTypeIsRefused() {
        MultiLayerNetwork n = mlp(DataType.FLOAT16);
        n.getLayer(0).getParam("b").assign(60_000);
        n.getLayer(1).getParam("W").assign(100);
        BadInputException e = assertThrows(BadInputException.class,
                () -> ForwardCheck.requireRuns(n, InputType.feedForward(784), FILE));
        assertEquals("net.zip: the network's output on all-zero inputs holds NaN or infinite values (its output, data "
                + "type HALF): its activations overflow, or a layer divides by zero", e.getMessage());
        // the same network at float precision runs
        MultiLayerNetwork f = mlp(DataType.FLOAT);
        f.getLayer(0).getParam("b").assign(60_000);
        f.getLayer(1).getParam("W").assign(100);
        ForwardCheck.requireRuns(f, InputType.feedForward(784), FILE);
    }

    /**
     * An upsampling of 3,000 turns a 26 x 26 plane into 78,000 x 78,000 = 6.084e9 values per example: 45.3 GiB for
     * the two examples at 4 bytes, more than any limit of this machine's JVMs, so the check refuses it without
     * allocating (the pass ran for minutes and took 18 GB of native memory before).
     */
    @Test
    void aLayerOutputLargerThanTheMemoryLeftIsRefusedBeforeThePass() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(1).build())
                .layer(new Upsampling2D.Builder(3000).name("up").build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build());
        n.init();
        long t0 = System.nanoTime();
        BadInputException e = assertThrows(BadInputException.class,
                () -> ForwardCheck.requireRuns(n, InputType.convolutionalFlat(28, 28, 1), FILE));
        assertTrue(e.getMessage().startsWith("net.zip: running the network on 2 examples needs at least 46417 MB for "
                + "the output of layer 1 (up), InputTypeConvolutional(h=78000,w=78000,c=1,NCHW) (6084000000 values per "
                + "example), more than the "), e.getMessage());
        assertTrue(e.getMessage().endsWith("raise the limits with SMARTDEAL_JAVA_OPTS (e.g. SMARTDEAL_JAVA_OPTS=-Xmx16g),"
                + " or give a smaller model"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 30e9, "refused before any forward pass");
    }

    /**
     * A transposed convolution whose padding leaves no output row (4 rows, kernel 1, padding 2: 3 + 1 - 4 = 0) is
     * refused from the layer types, naming the layer, before the pass: DL4J's native operation can abort the JVM
     * (SIGFPE) on such a layer, and the pass failed with "Length must be >= 1", naming none.
     */
    @Test
    void aLayerWithAnEmptyOutputIsRefusedBeforeThePass() {
        org.deeplearning4j.nn.conf.CNN2DFormat nhwc = org.deeplearning4j.nn.conf.CNN2DFormat.NHWC;
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").stride(8, 8).nOut(2).dataFormat(nhwc).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Deconvolution2D.Builder(1, 1).name("up").padding(2, 2)
                        .nOut(2).dataFormat(nhwc).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1, nhwc)).build());
        n.init();
        BadInputException e = assertThrows(BadInputException.class,
                () -> ForwardCheck.requireRuns(n, InputType.convolutional(28, 28, 1, nhwc), FILE));
        assertEquals("net.zip: the output of layer 1 (up) is empty, InputTypeConvolutional(h=0,w=0,c=2,NHWC): its layers' "
                + "shapes or settings do not fit together", e.getMessage());
    }

    /**
     * A network that ends in an activation layer runs, and converts, but has no loss to score: evaluate named the
     * failure of its first scored minibatch as layer shapes that "do not fit together"; it now says what is missing.
     */
    @Test
    void evaluateNamesANetworkWithoutAnOutputLayer() throws IOException {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(784).nOut(10).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.SOFTMAX)
                        .build())
                .build());
        n.init();
        Path zip = dir.resolve("no-output-layer.zip");
        ModelSerializer.writeModel(n, zip.toFile(), false);
        CliRun.of("evaluate", zip.toString(), "--limit", "10").assertUserError(SmartDeal.EXIT_BAD_INPUT, zip + ": the "
                + "network's last layer, ActivationLayer, is not an output layer (one with a loss function, such as "
                + "OutputLayer), so it has no loss or classes to score on Fashion-MNIST");
    }

    /**
     * An embedding layer first takes one index per example, not a row of its nIn values: convert checks such a network
     * with indices (the pass read a row of 20 values as 20 indices at batch 1), and evaluate says that it does not
     * take images instead of scoring pixel values as indices.
     */
    @Test
    void anEmbeddingFirstNetworkIsCheckedWithOneIndexPerExample() throws IOException {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new EmbeddingLayer.Builder().name("embed").nIn(784).nOut(16).build())
                .layer(new OutputLayer.Builder().name("out").nIn(16).nOut(10).activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        Path zip = dir.resolve("embed.zip");
        ModelSerializer.writeModel(n, zip.toFile(), false);
        assertEquals(InputType.feedForward(1), FashionMnistInput.statedInputType(n, zip));
        Path sdm = dir.resolve("embed.sdm");
        CliRun c = CliRun.of("convert", zip.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        assertTrue(Files.exists(sdm));
        CliRun.of("evaluate", zip.toString(), "--limit", "10").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "--data fashion-mnist gives 1x28x28 images (784 values), but " + zip + " takes one value per example (an "
                + "embedding layer's index, say)");
    }
}
