package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;

/**
 * {@code smartdeal export}: a converted LeNet-300-100 written as a plain DL4J zip, checked against the .sdm it came
 * from (the same outputs on the same examples, read back by DL4J's own ModelSerializer), and the refusals.
 */
class ExportCommandTest {

    @TempDir
    Path dir;

    private Path convertedLenet() throws IOException {
        Path zip = dir.resolve("lenet.zip");
        ModelSerializer.writeModel(LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init(), zip.toFile(), false);
        Path sdm = dir.resolve("lenet.sdm");
        CliRun c = CliRun.of("convert", zip.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        return sdm;
    }

    @Test
    void aConvertedNetworkBecomesAPlainDl4jZipWithTheSameOutputs() throws IOException {
        Path sdm = convertedLenet();
        Path out = dir.resolve("lenet-dense.zip");
        CliRun r = CliRun.of("export", sdm.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith(sdm + ": 3 SD layers (2 SdDenseLayer, 1 SdOutputLayer: fc1, fc2, fc3) exported as "
                + "DL4J's own layers"),
                r.out());
        assertTrue(r.out().contains("outputs compared on 4 random examples of shape [4, 784]: mean |difference| "),
                r.out());

        MultiLayerNetwork dense = ModelSerializer.restoreMultiLayerNetwork(out.toFile(), false);
        assertFalse(dense.getLayerWiseConfigurations().toJson().contains("org.smartdeal"), "stock DL4J classes only");
        for (int i = 0; i < 3; i++) {
            String kind = dense.getLayer(i).conf().getLayer().getClass().getSimpleName();
            assertEquals(i < 2 ? "DenseLayer" : "OutputLayer", kind);
        }
        MultiLayerNetwork sd = (MultiLayerNetwork) SdModelFile.read(sdm);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 784);
        INDArray a = sd.output(x);
        INDArray b = dense.output(x);
        // float32 W rebuilt once for the file and once by the SD layer: the same products, so equal to rounding
        assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-6, a.sub(b).amaxNumber().toString());
        assertEquals(784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10, dense.numParams());
    }

    @Test
    void refusals() throws IOException {
        Path sdm = convertedLenet();
        // a plain network: nothing to export
        Path plain = dir.resolve("lenet.zip");
        CliRun.of("export", plain.toString(), "--out", dir.resolve("x.zip").toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, plain + ": has no SD layers: it is a plain DL4J network "
                        + "already, nothing to export");
        // the input is never the output
        CliRun.of("export", sdm.toString(), "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out", sdm.toString());
        // the output is a DL4J zip and is named so (a zip named .sdm would be refused by evaluate, convert, export)
        CliRun.of("export", sdm.toString(), "--out", dir.resolve("e.sdm").toString()).assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "--out must name a .zip file (a DL4J model), got " + dir.resolve("e.sdm"));
        CliRun.of("export", dir.resolve("missing.sdm").toString(), "--out", dir.resolve("y.zip").toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "missing.sdm");
        CliRun.of("export", sdm.toString()).assertUserError(SmartDeal.EXIT_USAGE, "--out");
        CliRun.of("export", sdm.toString(), "--out", dir.resolve("z.zip").toString(), "--input", "1x0x28")
                .assertUserError(SmartDeal.EXIT_USAGE, "--input");
        assertEquals(java.util.Set.of("/", "lenet.sdm", "lenet.zip"), CliRun.files(dir).keySet(), "nothing written");
    }

    /** The comparison is not vacuous: a network that computes something else is caught, nothing passes silently. */
    @Test
    void aNetworkThatComputesSomethingElseFailsTheComparison() {
        MultiLayerNetwork a = LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init();
        MultiLayerNetwork b = a.clone();
        org.deeplearning4j.nn.conf.inputs.InputType type = org.deeplearning4j.nn.conf.inputs.InputType.feedForward(784);
        assertTrue(ExportCommand.compareOutputs(a, b, type).contains("mean |difference| 0.0"));
        b.getLayer(1).getParam("W").muli(1.01); // one weight matrix 1% off
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ExportCommand.compareOutputs(a, b, type));
        assertTrue(e.getMessage().startsWith("the exported network's outputs differ from the SD network's"),
                e.getMessage());
    }

    /** A network DenseExport cannot make plain (an SD layer inside TimeDistributed) is bad input, nothing written. */
    @Test
    void aNetworkTheExportCannotOpenIsBadInput() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed(
                        new org.smartdeal.layers.SdDenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build()))
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder(LossFunction.MSE).nIn(4).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        Path zip = dir.resolve("wrapped.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        Path out = dir.resolve("wrapped-dense.zip");
        CliRun.of("export", zip.toString(), "--out", out.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, zip + ": cannot be exported: DenseExport.toDense: the network "
                        + "would still need this project's classes [org.smartdeal.layers.SdDenseLayer");
        assertFalse(Files.exists(out));
    }

    @Test
    void longListsOfLayersAreShortened() {
        // eight names in full; nine as the first three, the count of the four between and the last two
        assertEquals("a, b, c, d, e, f, g, h", ExportCommand.shortList(java.util.List.of("a", "b", "c", "d", "e", "f", "g",
                "h")));
        assertEquals("a, b, c, ... (4 more), h, i", ExportCommand.shortList(java.util.List.of("a", "b", "c", "d", "e", "f",
                "g", "h", "i")));
    }

    /**
     * sdconv.zip: an SD convolution (2 -> 4 channels, 3 x 3) first, without a flat-input preprocessor, so the network
     * does not state its input size; then global average pooling, a dense layer and an SD output layer.
     */
    private Path unsizedConvolutionZip() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new SdConvolutionLayer.Builder(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}).nIn(2)
                        .nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunction.MCXENT).nIn(3).nOut(2).activation(Activation.SOFTMAX)
                        .build())
                .build());
        net.init();
        Path zip = dir.resolve("sdconv.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        return zip;
    }

    /**
     * A network whose first layer is a convolution without a flat-input preprocessor does not state its input size:
     * exported with a note, or compared at the size --input gives.
     */
    @Test
    void aNetworkOfUnknownInputSizeIsComparedAtTheSizeInputGives() throws IOException {
        Path zip = unsizedConvolutionZip();

        CliRun blind = CliRun.of("export", zip.toString(), "--out", dir.resolve("a.zip").toString(), "--quiet");
        assertEquals(0, blind.exit(), blind.err());
        assertTrue(blind.out().contains("outputs not compared: " + zip + ": the network takes images of a size it does "
                + "not state"), blind.out());

        CliRun sized = CliRun.of("export", zip.toString(), "--out", dir.resolve("b.zip").toString(), "--input",
                "2x6x6", "--quiet");
        assertEquals(0, sized.exit(), sized.err());
        assertTrue(sized.out().contains("outputs compared on 4 random examples of shape [4, 2, 6, 6]"), sized.out());
        assertTrue(Files.size(dir.resolve("a.zip")) > 0);
    }

    /**
     * An --input the network cannot take is bad input naming the mismatch, as in convert, and nothing is written: it
     * was an internal error (exit 1) for a network that states its input, and a note (exit 0, file written) for one
     * that does not.
     */
    @Test
    void anInputOfTheWrongSizeIsBadInput() throws IOException {
        Path sdm = convertedLenet();
        CliRun.of("export", sdm.toString(), "--out", dir.resolve("w1.zip").toString(), "--input", "3x28x28", "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "fc1", "784", "2352");
        Path zip = unsizedConvolutionZip();
        CliRun.of("export", zip.toString(), "--out", dir.resolve("w2.zip").toString(), "--input", "3x6x6", "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--input 3x6x6 gives 3 channels", "takes 2");
        assertFalse(Files.exists(dir.resolve("w1.zip")) || Files.exists(dir.resolve("w2.zip")), "nothing written");
    }

    /**
     * A graph of two outputs (a classifier and a regression head on one trunk) exports, each output compared: the
     * comparison asked DL4J for the graph's single output, and DL4J's outputSingle refuses a graph of two ("Cannot use
     * outputSingle with ComputationGraph that does not have exactly 1 output"), an internal error (exit 1) with
     * nothing written. Expected: DL4J's own graph output of the zip read back equals the .sdm's on both outputs (the
     * same rebuilt W = C*B, as for one output).
     */
    @Test
    void aGraphOfTwoOutputsIsExportedWithEachOutputCompared() throws IOException {
        org.deeplearning4j.nn.graph.ComputationGraph graph = new org.deeplearning4j.nn.graph.ComputationGraph(
                new NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
                        .addLayer("trunk", new DenseLayer.Builder().nIn(12).nOut(8).activation(Activation.RELU).build(),
                                "in")
                        .addLayer("classes", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunction.MCXENT)
                                .nIn(8).nOut(4).activation(Activation.SOFTMAX).build(), "trunk")
                        .addLayer("value", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunction.MSE)
                                .nIn(8).nOut(2).activation(Activation.IDENTITY).build(), "trunk")
                        .setOutputs("classes", "value").build());
        graph.init();
        Path zip = dir.resolve("two-heads.zip");
        ModelSerializer.writeModel(graph, zip.toFile(), false);
        Path sdm = dir.resolve("two-heads.sdm");
        CliRun c = CliRun.of("convert", zip.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        Path out = dir.resolve("two-heads-dense.zip");
        CliRun r = CliRun.of("export", sdm.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("outputs compared on 4 random examples of shape [4, 12], each of the graph's 2 "
                + "outputs (classes, value): largest mean |difference| "), r.out());

        org.deeplearning4j.nn.graph.ComputationGraph dense = ModelSerializer.restoreComputationGraph(out.toFile(), false);
        org.deeplearning4j.nn.graph.ComputationGraph sd = (org.deeplearning4j.nn.graph.ComputationGraph) SdModelFile.read(sdm);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 12);
        INDArray[] a = sd.output(x);
        INDArray[] b = dense.output(x);
        assertEquals(2, b.length);
        for (int i = 0; i < 2; i++) {
            assertTrue(a[i].sub(b[i]).amaxNumber().doubleValue() < 1e-6, "output " + i);
        }

        // the second output is compared too: a 1% change of its weights alone is caught
        org.deeplearning4j.nn.graph.ComputationGraph off = dense.clone();
        off.getLayer("value").getParam("W").muli(1.01);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ExportCommand.compareOutputs(sd, off,
                        org.deeplearning4j.nn.conf.inputs.InputType.feedForward(12)));
        assertTrue(e.getMessage().startsWith("the exported network's outputs differ from the SD network's (output "
                + "value:"), e.getMessage());
    }

    /**
     * An SD network saved by DL4J's ModelSerializer with its data normaliser (addNormalizerToModel) exports with it: the plain zip lacked normalizer.bin, so DL4J's restoreMultiLayerNetworkAndNormalizer gave the
     * exported network without the normaliser its inputs need, silently. Expected: the normaliser DL4J restores from
     * the exported zip has the source zip's mean and standard deviation.
     */
    @Test
    void aZipsDataNormaliserIsCarriedIntoTheExport() throws IOException {
        Path sdm = convertedLenet();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdModelFile.read(sdm);
        org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize norm =
                new org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize();
        norm.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 32, 784), Nd4j.zeros(DataType.FLOAT, 32, 10)));
        Path zip = dir.resolve("sd-normalised.zip");
        // DL4J's writeModel(net, file, false, norm) fails in 1.0.0-M2.1 ("flush() failed: stream is closed")
        ModelSerializer.writeModel(sd, zip.toFile(), false);
        ModelSerializer.addNormalizerToModel(zip.toFile(), norm);
        Path out = dir.resolve("sd-normalised-dense.zip");
        CliRun r = CliRun.of("export", zip.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("the zip's data normaliser (NormalizerStandardize) is carried over"), r.out());
        var restored = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(out.toFile(), false);
        assertTrue(restored.getSecond() instanceof org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize,
                String.valueOf(restored.getSecond()));
        var back = (org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize) restored.getSecond();
        assertEquals(norm.getMean(), back.getMean());
        assertEquals(norm.getStd(), back.getStd());
    }

    /**
     * A text classifier (embedding-sequence layer of 30 words and inputLength 12, Conv1D, global pooling) is compared
     * on rows of 12 word indices drawn from all 30 words. Before, its input was taken as rows of nIn = 30 values (the
     * vocabulary size as the sequence length) in [0, 1), which all read as word 0: an exported network whose
     * embedding row 7 was wrong passed the comparison (left from session 42). Expected: the input type is
     * feedForward(12), and a network that differs from the other in word 7's row alone fails the comparison.
     */
    @Test
    void aTextClassifierIsComparedOnWordIndicesOfItsInputLength() {
        MultiLayerNetwork a = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer.Builder().name("words").nIn(30)
                        .nOut(6).inputLength(12).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder().name("conv").kernelSize(3)
                        .nIn(6).nOut(5).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("pool").build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunction.MCXENT).name("out")
                        .nIn(5).nOut(4).activation(Activation.SOFTMAX).build())
                .build());
        a.init();
        org.deeplearning4j.nn.conf.inputs.InputType type = FashionMnistInput.inputType(a, null, false, dir.resolve("t.sdm"));
        assertEquals(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(12), type);
        assertEquals(30, FashionMnistInput.embeddingIndices(a));
        assertTrue(ExportCommand.compareOutputs(a, a.clone(), type).contains("of shape [4, 12]: mean |difference| 0.0"));
        MultiLayerNetwork b = a.clone();
        b.getLayer(0).getParam("W").getRow(7).muli(-3); // word 7's embedding only
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ExportCommand.compareOutputs(a, b, type));
        assertTrue(e.getMessage().startsWith("the exported network's outputs differ from the SD network's"),
                e.getMessage());
    }
}
