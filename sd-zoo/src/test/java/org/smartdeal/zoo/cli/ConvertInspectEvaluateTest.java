package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;

class ConvertInspectEvaluateTest {

    @TempDir
    Path dir;

    private Path zip;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @BeforeEach
    void lenet() throws IOException {
        MultiLayerNetwork net = LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init();
        zip = dir.resolve("lenet.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
    }

    @Test
    void convertWritesALoadableFileAndAReportWhoseTotalsMatchInspect() throws IOException {
        Path sdm = dir.resolve("lenet.sdm");
        Path report = dir.resolve("report.json");
        CliRun r = run("convert", zip.toString(), "--out", sdm.toString(), "--theta", "0.05", "--report", report.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("fc1") && r.out().contains("TOTAL"), r.out());
        JsonNode rep = new ObjectMapper().readTree(Files.readString(report));
        JsonNode totals = rep.get("totals");
        for (String k : new String[] {"indexBits", "cBits", "tableBits", "bBits", "denseWeightBits", "paperCR"}) {
            assertTrue(totals.has(k), "totals." + k);
        }
        // LeNet-300-100 has 784*300 + 300*100 + 100*10 = 266,200 weights.
        assertEquals(266_200, totals.get("weights").asLong());
        assertEquals(3, SdModelFile.toSdm(SdModelFile.read(sdm)).sdLayers().size());

        CliRun i = run("inspect", sdm.toString(), "--json");
        assertEquals(0, i.exit(), i.err());
        JsonNode ins = new ObjectMapper().readTree(i.out());
        assertEquals(Files.size(sdm), ins.get("fileBytes").asLong());
        // The file stores exactly the C and B the report accounted for (int8 B, Huffman C, index).
        for (String k : new String[] {"indexBits", "cBits", "tableBits", "bBits"}) {
            assertEquals(totals.get(k).asLong(), ins.get("totals").get(k).asLong(), k);
        }
        assertEquals(totals.get("paperCR").asDouble(), ins.get("totals").get("paperCR").asDouble(), 1e-9);
        // convert prints the written file's breakdown in bits, other included (ALGORITHMS.md 4.3): the five
        // weight parts are the report's and the total is the file's size
        java.util.regex.Matcher bits = java.util.regex.Pattern.compile("bits: index (\\d+), C (\\d+), tables (\\d+), "
                + "B (\\d+), dense weights (\\d+), other (\\d+); total (\\d+) bits = (\\d+) bytes").matcher(r.out());
        assertTrue(bits.find(), r.out());
        String[] keys = {"indexBits", "cBits", "tableBits", "bBits", "denseWeightBits"};
        for (int k = 0; k < keys.length; k++) {
            assertEquals(totals.get(keys[k]).asLong(), Long.parseLong(bits.group(k + 1)), keys[k]);
        }
        assertTrue(Long.parseLong(bits.group(6)) > 0, "other bits: headers, biases, names, framing");
        assertEquals(Files.size(sdm), Long.parseLong(bits.group(8)), "bytes");
        assertEquals(8 * Files.size(sdm), Long.parseLong(bits.group(7)), "total bits");
        // Per SD layer, inspect's C density (real rows, from the stored configuration) is convert's.
        // fc1 (784 inputs, n = 3: 262 rows in slices of 192) has rows padding its last slice.
        List<JsonNode> converted = new ArrayList<>();
        for (JsonNode l : rep.get("layers")) {
            if (l.get("converted").asBoolean()) {
                converted.add(l);
            }
        }
        List<JsonNode> sd = new ArrayList<>();
        for (JsonNode l : ins.get("layers")) {
            if ("SD".equals(l.get("kind").asText())) {
                sd.add(l);
            }
        }
        assertEquals(3, converted.size());
        assertEquals(converted.size(), sd.size());
        for (int k = 0; k < sd.size(); k++) {
            assertEquals(converted.get(k).get("cDensity").asDouble(), sd.get(k).get("cDensity").asDouble(), 1e-12,
                    converted.get(k).get("name").asText());
        }
        assertTrue(sd.get(0).get("cEntries").asLong() < sd.get(0).get("cEntriesPadded").asLong(), sd.get(0).toString());
        CliRun t = run("inspect", sdm.toString());
        assertTrue(t.out().contains("paper CR"), t.out());
    }

    /** Upper-case extensions are the same kinds: NET.ZIP in, OUT.SDM and REPORT.CSV out, then inspect and export. */
    @Test
    void extensionsInUpperCaseAreTaken() throws IOException {
        Path upperZip = Files.copy(zip, dir.resolve("NET.ZIP"));
        Path sdm = dir.resolve("OUT.SDM");
        Path report = dir.resolve("REPORT.CSV");
        CliRun r = run("convert", upperZip.toString(), "--out", sdm.toString(), "--theta", "0.05", "--report",
                report.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(report).startsWith("name,"), "CSV, not JSON: " + Files.readString(report));
        assertEquals(0, run("inspect", sdm.toString()).exit());
        Path exported = dir.resolve("DENSE.ZIP");
        CliRun e = run("export", sdm.toString(), "--out", exported.toString());
        assertEquals(0, e.exit(), e.err());
        assertTrue(Files.isRegularFile(exported));
    }

    @Test
    void convertRejectsBadInputsWithoutWritingOutput() throws IOException {
        Path sdm = dir.resolve("x.sdm");
        CliRun r = run("convert", dir.resolve("missing.zip").toString(), "--out", sdm.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("missing.zip: no such file"), r.err());
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"layers\": {\"conv9\": {\"skip\": true}}}");
        // the message names the plan file, the field, the unknown layer and the network's layers
        run("convert", zip.toString(), "--out", sdm.toString(), "--plan", plan.toString()).assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "--plan " + plan + ": plan.layers names layers the network does not have:"
                        + " [conv9]", "[fc1, fc2, fc3]");
        r = run("convert", zip.toString(), "--out", dir.resolve("x.bin").toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("--out must name a .sdm file"), r.err());
        r = run("convert", "--zoo", "nope", "--out", sdm.toString());
        assertEquals(SmartDeal.EXIT_USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--zoo must be a zoo model name (lenet300, "), "lists the known names: " + r.err());
        assertTrue(r.err().contains("), got 'nope'"), r.err());
        assertFalse(Files.exists(sdm));
        Path junk = dir.resolve("junk.sdm");
        Files.writeString(junk, "not a model");
        r = run("inspect", junk.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("junk.sdm"), r.err());
        // a report over the input model, or of another kind, is refused before anything is written
        byte[] before = Files.readAllBytes(zip);
        r = run("convert", zip.toString(), "--out", sdm.toString(), "--report", zip.toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("--report must name a .json or .csv file, got " + zip), r.err());
        assertArrayEquals(before, Files.readAllBytes(zip));
        String planText = Files.readString(plan);
        r = run("convert", zip.toString(), "--out", sdm.toString(), "--plan", plan.toString(), "--report", plan.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("--plan " + plan + " is the output file " + plan
                + "; inputs are never overwritten: choose another --report"), r.err());
        assertEquals(planText, Files.readString(plan));
        r = run("convert", zip.toString(), "--out", sdm.toString(), "--report", dir.resolve("r.txt").toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("--report must name a .json or .csv file"), r.err());
        assertFalse(Files.exists(sdm));
        // a folder given as the model names the rule
        r = run("evaluate", dir.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains(dir + ": is a directory, expected a .sdm or DL4J .zip model file"), r.err());
    }

    @Test
    void evaluateAgreesWithDl4jsOwnEvaluation() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not installed in " + data + ": skipping evaluate test");
        CliRun r = run("evaluate", zip.toString(), "--limit", "300");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("on 300 Fashion-MNIST test examples"), r.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("accuracy (\\d\\.\\d{4})").matcher(r.out());
        assertTrue(m.find(), r.out());
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        double expected = net.evaluate(FashionMnist.load(data, false).limit(300).iterator(64, false, 0)).accuracy();
        assertEquals(expected, Double.parseDouble(m.group(1)), 0.5e-4);
        r = run("evaluate", zip.toString(), "--data", "cifar10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--data must be fashion-mnist"), r.err());
    }

    /**
     * A zip saved with its data normaliser (ModelSerializer.addNormalizerToModel: a network trained on standardised
     * features) is scored on features the normaliser has processed, as DL4J gives the two together
     * (restoreMultiLayerNetworkAndNormalizer); evaluate ignored the normaliser and scored raw pixels, silently (here
     * 300 examples gave another accuracy than DL4J's own evaluation with the normaliser). convert says the .sdm does
     * not carry it. Expected: DL4J's evaluate over the same 300 examples with the zip's normaliser as the iterator's
     * preprocessor.
     */
    @Test
    void evaluateAppliesTheNormaliserAZipHoldsAndConvertSaysTheSdmDropsIt() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not installed in " + data + ": skipping evaluate test");
        org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize norm =
                new org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize();
        norm.fit(FashionMnist.load(data, true).limit(1000).iterator(100, false, 0));
        Path normalised = dir.resolve("lenet-normalised.zip");
        Files.copy(zip, normalised);
        ModelSerializer.addNormalizerToModel(normalised.toFile(), norm);
        byte[] before = Files.readAllBytes(normalised);

        CliRun r = run("evaluate", normalised.toString(), "--limit", "300", "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("on 300 Fashion-MNIST test examples, normalised by the zip's NormalizerStandardize"),
                r.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("accuracy (\\d\\.\\d{4})").matcher(r.out());
        assertTrue(m.find(), r.out());
        var restored = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(normalised.toFile(), false);
        var it = FashionMnist.load(data, false).limit(300).iterator(64, false, 0);
        it.setPreProcessor((org.nd4j.linalg.dataset.api.DataSetPreProcessor) restored.getSecond());
        double expected = restored.getFirst().evaluate(it).accuracy();
        double raw = restored.getFirst().evaluate(FashionMnist.load(data, false).limit(300).iterator(64, false, 0))
                .accuracy();
        assertTrue(Math.abs(expected - raw) > 1e-3, "the normaliser changes the score: " + expected + " vs " + raw);
        assertEquals(expected, Double.parseDouble(m.group(1)), 0.5e-4);

        Path sdm = dir.resolve("lenet-normalised.sdm");
        CliRun c = run("convert", normalised.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("note: " + normalised + " holds a data normaliser (NormalizerStandardize, "
                + "ModelSerializer.addNormalizerToModel), which a .sdm does not carry"), c.err());
        assertArrayEquals(before, Files.readAllBytes(normalised), "the input is not modified");

        // an ImagePreProcessingScaler scales image bytes 0-255 to [0, 1]: on Fashion-MNIST's bytes it gives exactly the
        // pixels the data already has, so accuracy and loss are those of the same network without it; applied to the
        // scaled pixels it would divide them by 255 again (the accuracy of this bias-free ReLU network would not move,
        // its loss would: 2.3026, uniform outputs)
        Path scaled = dir.resolve("lenet-scaled.zip");
        Files.copy(zip, scaled);
        ModelSerializer.addNormalizerToModel(scaled.toFile(),
                new org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler());
        CliRun s = run("evaluate", scaled.toString(), "--limit", "300", "--quiet");
        assertEquals(0, s.exit(), s.err());
        CliRun plain = run("evaluate", zip.toString(), "--limit", "300", "--quiet");
        assertEquals(0, plain.exit(), plain.err());
        String figures = plain.out().substring(plain.out().indexOf(": accuracy"), plain.out().indexOf(" on 300"));
        assertTrue(s.out().contains(figures + " on 300 Fashion-MNIST test examples, normalised by the zip's "
                + "ImagePreProcessingScaler"), s.out() + " against " + plain.out());
    }

    /**
     * A text classifier (embedding sequence, 1-D convolution, global pooling over time, output layer, as DL4J's
     * examples build one with each nIn given) converts and exports: DL4J 1.0.0-M2.1 types a GlobalPoolingLayer's output
     * over a sequence as that sequence (its getOutputType returns the recurrent input type), while the layer gives one
     * row per example, so the size check refused the network ("OutputLayer(name=out, index=3): DL4J cannot derive its
     * types from InputTypeRecurrent(5,timeSeriesLength=10...)") though DL4J runs it. Expected: DL4J's own forward pass
     * of the dense network (one row of 4 per example); the exported zip's outputs equal the .sdm's.
     */
    @Test
    void aTextClassifierWithGlobalPoolingOverTimeConvertsAndExports() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(7).list()
                .layer(new org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer.Builder().name("words").nIn(30)
                        .nOut(6).inputLength(12).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder().name("conv").kernelSize(3)
                        .nIn(6).nOut(5).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                        org.deeplearning4j.nn.conf.layers.PoolingType.MAX).name("pool").build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(4)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build());
        net.init();
        org.nd4j.linalg.api.ndarray.INDArray words = org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {
            {1, 5, 7, 2, 29, 3, 3, 0, 11, 8, 4, 6}, {9, 9, 1, 0, 0, 17, 23, 2, 5, 5, 12, 28}});
        assertArrayEquals(new long[] {2, 4}, net.output(words).shape(), "DL4J runs the network");
        Path text = dir.resolve("text.zip");
        ModelSerializer.writeModel(net, text.toFile(), false);

        Path sdm = dir.resolve("text.sdm");
        CliRun c = run("convert", text.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        Path exported = dir.resolve("text-dense.zip");
        CliRun e = run("export", sdm.toString(), "--out", exported.toString(), "--quiet");
        assertEquals(0, e.exit(), e.err());
        assertTrue(e.out().contains("outputs compared on 4 random examples"), e.out());
        org.nd4j.linalg.api.ndarray.INDArray a = SdModelFile.read(sdm) instanceof MultiLayerNetwork m ? m.output(words)
                : null;
        org.nd4j.linalg.api.ndarray.INDArray b = ModelSerializer.restoreMultiLayerNetwork(exported.toFile(), false)
                .output(words);
        assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-6, a + " vs " + b);
    }

    /**
     * A graph of two inputs (image rows and five side features, merged) is a network whose sizes fit: evaluate's
     * refusal and convert's with --input said "the layers' sizes do not fit together: the graph has 2 inputs [a, b],
     * got 1 input types", and convert's note without --input blamed a first convolution. Expected (README: evaluate
     * scores one input of Fashion-MNIST images; a graph of several inputs is converted unchecked without --input): each
     * names the two inputs and what the command feeds.
     */
    @Test
    void aGraphOfTwoInputsIsNamedAsSuchNotAsSizesThatDoNotFit() throws IOException {
        org.deeplearning4j.nn.graph.ComputationGraph g = new org.deeplearning4j.nn.graph.ComputationGraph(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(7).graphBuilder().addInputs("a", "b")
                        .addLayer("da", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(784).nOut(8)
                                .build(), "a")
                        .addLayer("db", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(5).nOut(4)
                                .build(), "b")
                        .addVertex("merge", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "da", "db")
                        .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                                org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).nIn(12).nOut(10)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "merge")
                        .setOutputs("out").build());
        g.init();
        Path two = dir.resolve("two-inputs.zip");
        ModelSerializer.writeModel(g, two.toFile(), false);

        CliRun e = run("evaluate", two.toString(), "--limit", "10").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                two + ": the graph has 2 inputs [a, b], but Fashion-MNIST gives one (its images)");
        assertFalse(e.err().contains("do not fit"), e.err());
        Path sdm = dir.resolve("two-inputs.sdm");
        CliRun c = run("convert", two.toString(), "--out", sdm.toString(), "--input", "1x28x28", "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--input 1x28x28 gives one input's shape, but " + two
                        + " is a graph of 2 inputs [a, b]");
        assertFalse(c.err().contains("do not fit") || Files.exists(sdm), c.err());
        CliRun ok = run("convert", two.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.err().contains("note: " + two + " is a graph of 2 inputs [a, b], so whether its layers fit "
                + "together and run was not checked"), ok.err());
    }

    /**
     * A network whose first layer is a Convolution1DLayer reads sequences, [examples, channels, steps], a shape
     * {@code --input CxHxW} cannot give (DL4J's Convolution1DLayer refuses a convolutional input type: "expect RNN
     * input type"). convert's note advised "--input 2x32x32 (2 channels, as its first convolution takes ...)", which
     * then failed as layer sizes that do not fit, and evaluate said the file "takes images of 2 channels". Expected:
     * each says the network takes sequences, naming the layer; no --input advice.
     */
    @Test
    void aSequenceNetworkIsNamedAsSuchNotGivenAnInputThatCannotWork() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(7).list()
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder().name("conv").kernelSize(3)
                        .nIn(2).nOut(4).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Subsampling1DLayer.Builder().kernelSize(2).stride(2)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                        org.deeplearning4j.nn.conf.layers.PoolingType.MAX).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).name("out").nIn(4).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build());
        net.init();
        assertArrayEquals(new long[] {2, 10}, net.output(org.nd4j.linalg.factory.Nd4j.zeros(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 2, 20)).shape(), "DL4J runs it on sequences");
        Path seq = dir.resolve("seq.zip");
        ModelSerializer.writeModel(net, seq.toFile(), false);
        String takes = seq + ": the network takes sequences: its first layer, conv (Convolution1DLayer), reads "
                + "[examples, 2 channels, steps], a shape --input CxHxW cannot give";

        Path sdm = dir.resolve("seq.sdm");
        CliRun c = run("convert", seq.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("note: " + takes + ", so whether its layers fit together and run was not checked"),
                c.err());
        assertFalse(c.err().contains("--input 2x32x32"), c.err());
        run("convert", seq.toString(), "--out", dir.resolve("seq2.sdm").toString(), "--input", "2x1x20", "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, takes);
        CliRun e = run("evaluate", seq.toString(), "--limit", "10").assertUserError(SmartDeal.EXIT_BAD_INPUT, takes);
        assertFalse(e.err().contains("images of 2 channels"), e.err());
    }

    /** An already converted model (a .sdm, or a zip holding SD layers) is refused: convert takes a dense .zip. */
    @Test
    void convertRefusesAnAlreadyConvertedModel() throws IOException {
        Path sdm = dir.resolve("lenet.sdm");
        assertEquals(0, run("convert", zip.toString(), "--out", sdm.toString(), "--quiet").exit());
        Path again = dir.resolve("again.sdm");
        run("convert", sdm.toString(), "--out", again.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                sdm + ": is a .sdm file, already in SD form", "convert takes a dense DL4J ModelSerializer .zip");
        Path sdZip = dir.resolve("sd.zip");
        ModelSerializer.writeModel(SdModelFile.read(sdm), sdZip.toFile(), false);
        run("convert", sdZip.toString(), "--out", again.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                sdZip + ": holds SD layers, already converted", "convert takes a dense DL4J ModelSerializer .zip");
        assertFalse(Files.exists(again));
    }

    /** A threshold that zeroes every coefficient of a layer still converts (exit 0) but warns, naming the layers. */
    @Test
    void aThresholdThatLeavesNoCoefficientWarns() {
        Path sdm = dir.resolve("zero.sdm");
        CliRun r = run("convert", zip.toString(), "--out", sdm.toString(), "--theta", "1", "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("warning: C keeps no non-zero coefficient in fc1, fc2, fc3 (C density 0): "),
                r.err());
        CliRun fine = run("convert", zip.toString(), "--out", dir.resolve("fine.sdm").toString(), "--quiet");
        assertEquals("", fine.err());
    }

    /** A model file is judged by its first bytes, not its name alone: a renamed file gets a message saying so. */
    @Test
    void aModelFileUnderTheOtherKindsNameIsNamedAsSuch() throws IOException {
        Path sdm = dir.resolve("renamed-src.sdm");
        assertEquals(0, run("convert", zip.toString(), "--out", sdm.toString(), "--quiet").exit());
        Path sdmAsZip = Files.copy(sdm, dir.resolve("sdm-as.zip"));
        run("evaluate", sdmAsZip.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                sdmAsZip + ": is a SmartDeal .sdm model named .zip; rename it to .sdm");
        Path zipAsSdm = Files.copy(zip, dir.resolve("zip-as.sdm"));
        Path out = dir.resolve("renamed-out.sdm");
        run("convert", zipAsSdm.toString(), "--out", out.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                zipAsSdm + ": is a zip archive, not a .sdm file; a DL4J ModelSerializer model must be named .zip");
        Path text = Files.writeString(dir.resolve("text.zip"), "not a model");
        run("evaluate", text.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                text + ": not a DL4J ModelSerializer .zip: the file is not a readable zip archive (");
        run("inspect", zip.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                zip + ": is a zip archive (a DL4J ModelSerializer model?), not a .sdm file; inspect reads .sdm files");
        assertFalse(Files.exists(out));
    }

    /** A dense network with a NaN parameter (e.g. from a diverged run) is bad input naming the layer, exit 3. */
    @Test
    void convertRefusesNonFiniteParameters() throws IOException {
        MultiLayerNetwork net = LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init();
        net.getLayer(0).getParam("b").putScalar(0, Float.NaN);
        Path nan = dir.resolve("nan.zip");
        ModelSerializer.writeModel(net, nan.toFile(), false);
        Path out = dir.resolve("nan.sdm");
        run("convert", nan.toString(), "--out", out.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                nan + ": parameter b of layer fc1 holds NaN or infinite values");
        assertFalse(Files.exists(out));
    }

    /**
     * Where --out or --report cannot be written, nothing is written (the .sdm used to be written before the
     * report failed): an earlier .sdm stays byte for byte, no temporary file is left, and the message names
     * the user's path, not a temporary file.
     */
    @Test
    void unwritableOutputsFailBeforeAnythingIsWritten() throws IOException {
        Path outDir = Files.createDirectories(dir.resolve("o"));
        Path sdm = outDir.resolve("model.sdm");
        Files.writeString(sdm, "an earlier model");
        Path file = Files.writeString(dir.resolve("afile"), "x");
        Map<String, String> before = CliRun.files(outDir);
        run("convert", zip.toString(), "--out", sdm.toString(), "--report", file.resolve("r.json").toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--report " + file.resolve("r.json") + ": its parent " + file
                        + " is a file, not a folder");
        assertEquals(before, CliRun.files(outDir));
        Path reportDir = Files.createDirectories(outDir.resolve("r.json"));
        before = CliRun.files(outDir);
        run("convert", zip.toString(), "--out", sdm.toString(), "--report", reportDir.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--report " + reportDir + ": is a directory, expected a file");
        assertEquals(before, CliRun.files(outDir));
        Path fresh = dir.resolve("fresh.sdm");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            CliRun r = run("convert", zip.toString(), "--out", fresh.toString(), "--report", "/proc/x/r.json", "--quiet")
                    .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--report /proc/x/r.json: parent folder /proc/x does not exist "
                            + "and cannot be created");
            CliRun o = run("convert", zip.toString(), "--out", "/proc/x/y.sdm", "--quiet")
                    .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out /proc/x/y.sdm: parent folder /proc/x");
            assertFalse(r.err().contains(".tmp") || o.err().contains(".tmp"), r.err() + o.err());
            // /proc exists but refuses new files with ENOENT: said so, not "no such file or folder"
            run("convert", zip.toString(), "--out", "/proc/y.sdm", "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                    "--out /proc/y.sdm: its parent folder /proc cannot be written to (the folder does not accept new files)");
        }
        assertFalse(Files.exists(fresh));
    }

    /**
     * --weights must hold the zoo model's architecture, not only its parameter count: a 784-284-148-10 MLP has
     * LeNet-300-100's 266,610 parameters (784 x 284 + 284 + 284 x 148 + 148 + 148 x 10 + 10) and was converted as
     * itself (a zoo audit).
     */
    @Test
    void weightsOfAnotherArchitectureWithTheSameParameterCountAreRefused() throws IOException {
        MultiLayerNetwork other = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(784).nOut(284).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(284).nOut(148).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(148).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build()).build());
        other.init();
        assertEquals(266_610, other.numParams());
        Path otherZip = dir.resolve("other-arch.zip");
        ModelSerializer.writeModel(other, otherZip.toFile(), false);
        Path sdm = dir.resolve("other.sdm");
        run("convert", "--zoo", "lenet300", "--weights", otherZip.toString(), "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--weights " + otherZip + " is not zoo model lenet300's "
                        + "architecture: layer 0 (layer0) has W [784, 284], the zoo model's [784, 300]");
        assertFalse(Files.exists(sdm));
    }

    /**
     * A --weights that is neither a file nor the keyword random is bad input (3) naming the option and the keyword;
     * the message used to be "Random: no such file".
     */
    @Test
    void aWeightsValueThatIsNoFileNamesTheOptionAndTheKeyword() {
        Path sdm = dir.resolve("x.sdm");
        run("convert", "--zoo", "lenet300", "--weights", "Random", "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "error: --weights Random: no such file, and not the keyword "
                        + "random (lower case); give random for the zoo's seeded random weights or a ModelSerializer .zip "
                        + "of zoo model lenet300");
        Path missing = dir.resolve("missing.zip");
        CliRun r = run("convert", "--zoo", "lenet300", "--weights", missing.toString(), "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "error: --weights " + missing + ": no such file, and not the "
                        + "keyword random; give random");
        assertFalse(r.err().contains("lower case"), r.err());
        assertFalse(Files.exists(sdm));
    }

    /** Out-of-range values and options that do not apply are usage errors (2) naming the option and the value. */
    @Test
    void convertOptionErrorsAreUsageErrorsNamingTheOption() throws IOException {
        Path sdm = dir.resolve("x.sdm");
        run("convert", zip.toString(), "--theta", "-0.1", "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--theta must be in [0, 1], got -0.1");
        Path plan = Files.writeString(dir.resolve("plan.json"), "{}");
        CliRun r = run("convert", "--zoo", "lenet300", "--plan", plan.toString(), "--theta", "5", "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--theta must be in [0, 1], got 5");
        assertFalse(r.err().contains("--plan"), "--theta is to blame, not --plan: " + r.err());
        run("convert", zip.toString(), "--weights", "random", "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--weights applies with --zoo only");
        // picocli's own message gets one prefix, not "error: Error: "
        CliRun m = run("convert", "--out", sdm.toString()).assertUserError(SmartDeal.EXIT_USAGE, "error: Missing required argument");
        assertFalse(m.err().contains("Error:"), m.err());
        run("convert", zip.toString(), "--plan", dir.toString(), "--out", sdm.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--plan " + dir + ": is a directory");
        assertFalse(Files.exists(sdm));
    }

    /**
     * Every command checks its input file with the one check (InputPaths.requireFile): a missing file, a
     * folder and a device get the same words whichever command reads them; "file not found" and "is a
     * folder" were the words of the model loader only.
     */
    @Test
    void everyCommandNamesAMissingOrWrongInputFileInTheSameWords() throws IOException {
        Path out = dir.resolve("out");
        for (String[] c : new String[][] {
            {"inspect", ".sdm", "a .sdm file"},
            {"evaluate", ".zip", "a .sdm or DL4J .zip model file"},
            {"energy", ".sdm", "a .sdm or DL4J .zip model file"},
            {"convert", ".zip", "a .sdm or DL4J .zip model file", "--out", out.resolve("x.sdm").toString()},
            {"decompose", ".npy", "a .npy file", "--out", out.toString()},
        }) {
            String[] options = java.util.Arrays.copyOfRange(c, 3, c.length);
            Path missing = dir.resolve("none" + c[1]);
            Path folder = Files.createDirectories(dir.resolve(c[0] + c[1]));
            run(concat(c[0], missing, options)).assertUserError(SmartDeal.EXIT_BAD_INPUT, missing + ": no such file");
            run(concat(c[0], folder, options)).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                    folder + ": is a directory, expected " + c[2]);
            if (!c[0].equals("decompose")) { // decompose takes only names ending in .npy
                run(concat(c[0], Path.of("/dev/null"), options)).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                        "/dev/null: not a regular file (a device, pipe or socket), expected " + c[2]);
            }
        }
        assertFalse(Files.exists(out), "nothing written");
    }

    private static String[] concat(String command, Path file, String[] options) {
        List<String> args = new ArrayList<>(List.of(command, file.toString()));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    @Test
    void inspectOfAFolderNamesItAndSaysWhy() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("DIR.sdm"));
        run("inspect", folder.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT, folder + ": is a directory, expected a .sdm file");
        run("inspect", dir.resolve("none.sdm").toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT, "none.sdm: no such file");
        // a path that exists but is no regular file (a device; the project runs on Linux) is not "not found"
        run("evaluate", "/dev/null").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "/dev/null: not a regular file (a device, pipe or socket)");
    }

    /**
     * A zip whose settings pass the load checks but whose layer shapes do not fit together fails at DL4J's first
     * forward pass; evaluate reported that as an internal error (exit 1; a fuzzing audit, 2026-12-05), then named
     * DL4J's failure, and now names the misfit before reading the data (exit 3): here the reshaping before the dense
     * layer claims 7 x 13 x 2 for the pooled 13 x 13 x 2.
     */
    @Test
    void evaluateNamesTheMisfitOfANetworkThatCannotRun() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not installed in " + data + ": skipping evaluate test");
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(28, 28, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path good = dir.resolve("fits.zip");
        ModelSerializer.writeModel(net, good.toFile(), false);
        assertEquals(0, run("evaluate", good.toString(), "--limit", "20").exit());
        String json = conf.toJson();
        String edited = json.replaceFirst("\"inputHeight\" : 13", "\"inputHeight\" : 7");
        assertTrue(!edited.equals(json), "the CnnToFeedForward preprocessor's height: " + json);
        Path bad = withConfiguration(good, edited, dir.resolve("misfit.zip"));
        run("evaluate", bad.toString(), "--limit", "20").assertUserError(SmartDeal.EXIT_BAD_INPUT, bad + ": the layers' "
                + "sizes do not fit together: OutputLayer(name=layer2, index=2): its CnnToFeedForwardPreProcessor takes "
                + "2 x 7 x 13 (channels x height x width) but its input is 2 x 13 x 13 (from layer layer1's output)");
    }

    /**
     * A copy of a ModelSerializer zip with another configuration.json, as a crafted or damaged file may hold.
     *
     * @return {@code to}
     */
    private static Path withConfiguration(Path from, String json, Path to) throws IOException {
        try (var in = new java.util.zip.ZipFile(from.toFile());
                var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
            for (var e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(e.getName().equals("configuration.json") ? json.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                        : in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
        }
        return to;
    }

    /**
     * A graph whose MergeVertex concatenates along the width (axis 3) instead of the channels passes DL4J's type
     * derivation, which ignores the axis, and so every configuration check: convert and energy wrote a .sdm and a
     * report, exit 0, for a network whose next convolution then got 4 channels instead of 8 in evaluate (a fuzzing
     * audit, 2026-12-05). Both now refuse it after one forward pass of an all-zero example (ForwardCheck), exit 3,
     * writing nothing; the same graph merging on the channels passes.
     */
    @Test
    void aNetworkThatFailsAForwardPassIsRefusedByConvertAndEnergyBeforeAnythingIsWritten() throws IOException {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in")
                .addLayer("c1", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addLayer("c2", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addVertex("merge", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "c1", "c2")
                .addLayer("c3", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).build(), "merge")
                .addLayer("pool", new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build(), "c3")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(28, 28, 1)).build();
        var graph = new org.deeplearning4j.nn.graph.ComputationGraph(conf);
        graph.init();
        Path good = dir.resolve("merge.zip");
        ModelSerializer.writeModel(graph, good.toFile(), false);
        assertEquals(0, run("convert", good.toString(), "--out", dir.resolve("merge.sdm").toString(), "--quiet").exit());
        assertEquals(0, run("energy", good.toString(), "--out", dir.resolve("merge-energy").toString(), "--quiet")
                .exit());

        String json = conf.toJson();
        String edited = json.replace("\"mergeAxis\" : 1", "\"mergeAxis\" : 3");
        assertTrue(!edited.equals(json), "the MergeVertex's axis: " + json);
        Path bad = withConfiguration(good, edited, dir.resolve("merge-width.zip"));
        String message = bad + ": the network fails a forward pass of 2 all-zero inputs of shape [2, 1, 28, 28] (its "
                + "layers' shapes or settings do not fit together): ";
        Path sdm = dir.resolve("merge-width.sdm");
        Path report = dir.resolve("merge-width.csv");
        run("convert", bad.toString(), "--out", sdm.toString(), "--report", report.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, message);
        assertFalse(Files.exists(sdm));
        assertFalse(Files.exists(report));
        Path out = dir.resolve("merge-width-energy");
        run("energy", bad.toString(), "--out", out.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                message);
        assertFalse(Files.exists(out));
    }

    /**
     * A zip whose layer sizes do not fit together (the output layer takes 50 values after fc1's 100) loads; convert
     * refuses it (exit 3) naming the layer and both sizes, where it wrote a .sdm that failed on its first use.
     */
    @Test
    void convertRefusesANetworkWhoseLayerSizesDoNotFitAndWritesNothing() throws IOException {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("fc1").nIn(784).nOut(100).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nIn(100).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        // as a file may state it (the list builder sets it from fc1)
        ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) conf.getConf(1).getLayer()).setNIn(50);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path bad = dir.resolve("misfit.zip");
        ModelSerializer.writeModel(net, bad.toFile(), false);
        Path sdm = dir.resolve("misfit.sdm");
        Path report = dir.resolve("misfit.json");
        run("convert", bad.toString(), "--out", sdm.toString(), "--report", report.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, bad + ": the layers' sizes do not fit together: "
                        + "OutputLayer(name=out, index=1) takes nIn=50 but its input has 100 values (from layer fc1's nOut)");
        assertFalse(Files.exists(sdm));
        assertFalse(Files.exists(report));

        // a frozen first layer states its input through the layer it wraps: checked too (it was converted unchecked)
        var frozenConf = conf.clone();
        frozenConf.getConf(0).setLayer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayer(
                frozenConf.getConf(0).getLayer()));
        MultiLayerNetwork frozen = new MultiLayerNetwork(frozenConf);
        frozen.init();
        Path badFrozen = dir.resolve("misfit-frozen.zip");
        ModelSerializer.writeModel(frozen, badFrozen.toFile(), false);
        // (DL4J's JSON keeps no name for the frozen layer: the message gives its index)
        run("convert", badFrozen.toString(), "--out", sdm.toString(), "--quiet").assertUserError(
                SmartDeal.EXIT_BAD_INPUT, badFrozen + ": the layers' sizes do not fit together: OutputLayer(name=out, "
                + "index=1) takes nIn=50 but its input has 100 values (from layer ");
        assertFalse(Files.exists(sdm));
    }

    /** The converter's refusals name the file (a fuzzing audit found "the network has no layer to convert" alone). */
    @Test
    void aNetworkWithNothingToConvertIsRefusedNamingTheFile() throws IOException {
        MultiLayerNetwork none = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder().build())
                .build());
        none.init();
        Path file = dir.resolve("nothing.zip");
        ModelSerializer.writeModel(none, file.toFile(), false);
        Path sdm = dir.resolve("nothing.sdm");
        run("convert", file.toString(), "--out", sdm.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                file + ": the network has no layer to convert (DenseLayer, OutputLayer, ConvolutionLayer or "
                + "SeparableConvolution2D, and DepthwiseConvolution2D when the plan sets convertDepthwise)");
        assertFalse(Files.exists(sdm));
    }

    /**
     * A convolution first layer states its channels, not its image size, so convert could not check such a network
     * (the usual form of a DL4J CNN: setInputType(convolutional(...)) adds no preprocessor) and converted one whose
     * batch norm takes 3 channels after a 1-channel convolution, exit 0. {@code --input CxHxW} gives the checks the
     * shape: the misfit is refused naming the layer, the network that fits passes, and so does a dense-first
     * network; {@code --input} with {@code --zoo}, or not of the form CxHxW, is a usage error.
     */
    @Test
    void inputGivesTheChecksTheShapeThatAConvolutionFirstLayerDoesNotState() throws IOException {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("c1").nOut(1).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().name("bn").build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(28, 28, 1)).build();
        MultiLayerNetwork fits = new MultiLayerNetwork(conf.clone());
        fits.init();
        Path good = dir.resolve("conv-first.zip");
        ModelSerializer.writeModel(fits, good.toFile(), false);
        Path sdm = dir.resolve("conv-first.sdm");
        for (Path fitting : List.of(good, zip)) {
            CliRun r = run("convert", fitting.toString(), "--out", sdm.toString(), "--input", "1x28x28", "--quiet");
            assertEquals(0, r.exit(), fitting + ": " + r.err());
            assertFalse(r.err().contains("note:"), r.err());
            Files.delete(sdm);
        }
        // a network that states its input (lenet300's dense first layer) is checked without --input: no note
        CliRun stated = run("convert", zip.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, stated.exit(), stated.err());
        assertFalse(stated.err().contains("note:"), stated.err());
        Files.delete(sdm);

        var bn = (org.deeplearning4j.nn.conf.layers.BatchNormalization) conf.getConf(1).getLayer();
        bn.setNIn(3);
        bn.setNOut(3);
        MultiLayerNetwork misfit = new MultiLayerNetwork(conf);
        misfit.init();
        Path bad = dir.resolve("conv-first-misfit.zip");
        ModelSerializer.writeModel(misfit, bad.toFile(), false);
        CliRun unchecked = run("convert", bad.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, unchecked.exit(), "unchecked without it");
        assertTrue(unchecked.err().contains("note: " + bad + " does not state its input shape"), unchecked.err());
        assertTrue(unchecked.err().contains("give --input CxHxW to check it, e.g. --input 1x28x28 (1 channel, as its "
                + "first convolution takes; height and width those of your images)"), unchecked.err());
        Files.delete(sdm);
        run("convert", bad.toString(), "--out", sdm.toString(), "--input", "1x28x28", "--quiet").assertUserError(
                SmartDeal.EXIT_BAD_INPUT, bad + ": the layers' sizes do not fit together: BatchNormalization(name=bn, "
                + "index=1) takes nIn=3 but its input has 1 channel (from layer c1's nOut)");
        assertFalse(Files.exists(sdm));

        run("convert", "--zoo", "cnn", "--out", sdm.toString(), "--input", "1x28x28")
                .assertUserError(SmartDeal.EXIT_USAGE, "--input applies to IN.zip only");
        for (String malformed : List.of("1x28", "1x28x28x", "0x28x28", "ax28x28")) {
            run("convert", good.toString(), "--out", sdm.toString(), "--input", malformed)
                    .assertUserError(SmartDeal.EXIT_USAGE, "--input must be CxHxW with positive integers, e.g. 1x28x28, "
                            + "got '" + malformed + "'");
        }
        assertFalse(Files.exists(sdm));
    }

    /**
     * A network that does not take Fashion-MNIST's 1x28x28 images gets energy's message (one shared check),
     * exit 3, before the data is read: here a convolution taking 3 channels, as resnet20 does.
     */
    @Test
    void evaluateRefusesANetworkThatDoesNotTakeFashionMnistImages() throws IOException {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).name("conv1").build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(4).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path rgb = dir.resolve("rgb.zip");
        ModelSerializer.writeModel(net, rgb.toFile(), false);
        run("evaluate", rgb.toString(), "--limit", "10", "--data-dir", dir.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "--data fashion-mnist gives 1x28x28 images (784 values), but " + rgb + " takes images of 3 channels");
        // converted for 3x8x8 images, the .sdm records that shape, and the refusal names it
        Path rgbSdm = dir.resolve("rgb.sdm");
        assertEquals(0, run("convert", rgb.toString(), "--input", "3x8x8", "--out", rgbSdm.toString()).exit());
        run("evaluate", rgbSdm.toString(), "--limit", "10", "--data-dir", dir.toString()).assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "--data fashion-mnist gives 1x28x28 images (784 values), but " + rgbSdm
                        + " takes 3x8x8 images (the input shape the file records)");
        // energy, the same file with --input: the channels must be the convolution's
        run("energy", rgb.toString(), "--input", "1x28x28", "--out", dir.resolve("e").toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--input 1x28x28 gives 1 channel, but the first layer of " + rgb
                        + " (a convolution) takes 3");
    }

    /**
     * inspect applies the checks loading applies ({@code SdModelFile.check}): a file whose bias array claims
     * to be a dense weight (CRCs valid, as a buggy writer would make it) changes the paper CR inspect would
     * print, and is refused as evaluate refuses it.
     */
    @Test
    void inspectRefusesAFileThatLoadingRefuses() throws IOException {
        Path sdm = dir.resolve("ok.sdm");
        CliRun c = run("convert", zip.toString(), "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        org.smartdeal.codec.SdmFile f = org.smartdeal.codec.SdmReader.read(sdm).file();
        List<org.smartdeal.codec.SdmEntry> entries = new ArrayList<>();
        for (org.smartdeal.codec.SdmEntry e : f.entries()) {
            entries.add(e instanceof org.smartdeal.codec.FloatArrayEntry a && a.name().equals("0_b")
                    ? new org.smartdeal.codec.FloatArrayEntry(a.name(), org.smartdeal.codec.FloatArrayEntry.Role.DENSE_WEIGHT,
                            a.shape(), a.values())
                    : e);
        }
        Path bad = dir.resolve("role.sdm");
        org.smartdeal.codec.SdmWriter.write(bad, new org.smartdeal.codec.SdmFile(f.networkType(), f.configJson(),
                f.properties(), entries));
        for (String cmd : List.of("inspect", "evaluate")) {
            run(cmd, bad.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                    bad + ": section FLOAT_ARRAY '0_b' has role DENSE_WEIGHT (1)", "the role must be OTHER (0)");
        }
    }

    /** A damaged Fashion-MNIST file (one flipped byte in the gzip stream) is bad input naming the file, exit 3. */
    @Test
    void evaluateRefusesDamagedData() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(Files.isRegularFile(data.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): skipping the damaged-data case");
        Path copy = Files.createDirectories(dir.resolve("damaged"));
        for (String name : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(data.resolve(name), copy.resolve(name));
        }
        Path images = copy.resolve("t10k-images-idx3-ubyte.gz");
        byte[] b = Files.readAllBytes(images);
        b[b.length / 2] ^= 0x10;
        Files.write(images, b);
        CliRun r = run("evaluate", zip.toString(), "--data-dir", copy.toString(), "--limit", "10");
        r.assertUserError(SmartDeal.EXIT_BAD_INPUT, images.toString());
        assertFalse(r.err().contains("cannot read or write a file"), r.err());
    }

    /** A network whose first layer states no input size (an activation layer) is fed rows of 784 values. */
    @Test
    void evaluateFeedsFlatRowsWhenTheFirstLayerStatesNoSize() throws IOException {
        assumeTrue(Files.isRegularFile(FashionMnist.resolveDir(null).resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): skipping");
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(784).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path act = dir.resolve("act.zip");
        ModelSerializer.writeModel(net, act.toFile(), false);
        CliRun r = run("evaluate", act.toString(), "--limit", "20");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("on 20 Fashion-MNIST test examples"), r.out());
    }
}
