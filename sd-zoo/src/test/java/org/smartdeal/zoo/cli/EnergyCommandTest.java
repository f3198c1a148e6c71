package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.smartdeal.hw.dl4j.Workloads;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.zoo.data.FashionMnist;

/** {@code smartdeal energy}: the zoo CNN on Fashion-MNIST, a paper workload, a converted model and bad inputs. */
class EnergyCommandTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A spec file shipped in sd-hwmodel's resources, as text to copy and edit. */
    private static String shippedSpec(String name) throws IOException {
        try (var in = EnergyTable.class.getResourceAsStream("/org/smartdeal/hw/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Object> json(Path p) throws IOException {
        return Json.parseObject(Files.readString(p));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> acc(Map<String, Object> summary, String name) {
        return (Map<String, Object>) ((Map<String, Object>) summary.get("accelerators")).get(name);
    }

    /**
     * The help's list of what energy writes into --out names every entry a run writes there (listed here from the
     * folder itself): report-files.txt, which README describes and a later report reads, was missing from it.
     */
    @Test
    void theHelpNamesEveryFileTheReportWrites() throws IOException {
        Path out = dir.resolve("e");
        CliRun r = run("energy", "--zoo", "lenet300", "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        CliRun help = run("energy", "--help");
        assertEquals(0, help.exit(), help.err());
        String text = help.out().replaceAll("\\s+", " ");
        String writes = text.substring(text.indexOf("Writes "), text.indexOf(" to --out."));
        List<String> entries;
        try (var s = Files.list(out)) {
            entries = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String e : entries) {
            String named = Files.isDirectory(out.resolve(e)) ? e + "/" : e.replace("summary.txt", "summary.json/.txt");
            assertTrue(writes.contains(named), "energy --help says \"" + writes + "\" but the run wrote " + e);
        }
    }

    /**
     * A zip saved with a data normaliser (ModelSerializer.addNormalizerToModel) runs on normalised images when its
     * statistics are measured, as evaluate scores it (before, energy --data measured it on raw pixels, which the
     * network was not trained on). Expected: the first layer's dA recomputed here from the 64 test images put
     * through the same NormalizerStandardize (its preProcess), quantised as ActStatsAccumulator documents (s = max|x| /
     * 127, round half away); standardised background pixels are non-zero, so it differs from the raw pixels' dA.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aZipsDataNormaliserIsAppliedToTheMeasuredImages() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not found in " + data + " (install dataset-fashion-mnist)");
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("fc").nIn(FashionMnist.PIXELS)
                        .nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder().name("out").nIn(8).nOut(10).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        Path zip = dir.resolve("mlp-normalised.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize norm =
                new org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize();
        norm.fit(FashionMnist.load(data, true).limit(500).iterator(100, false, 0));
        ModelSerializer.addNormalizerToModel(zip.toFile(), norm);
        byte[] before = Files.readAllBytes(zip);
        Path out = dir.resolve("mlp-normalised-out");
        CliRun r = run("energy", zip.toString(), "--data", "fashion-mnist", "--samples", "64", "--accelerators",
                "smartdeal", "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("measured on 64 Fashion-MNIST test, normalised by the zip's NormalizerStandardize, "
                + "examples"), r.out());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(zip)), "the input is not modified");

        org.nd4j.linalg.dataset.DataSet ds = FashionMnist.load(data, false).limit(64).iterator(64, false, 0).next();
        float[] raw = ds.getFeatures().dup().data().asFloat();
        norm.preProcess(ds);
        float[] px = ds.getFeatures().data().asFloat();
        Map<String, Object> wl = json(out.resolve("workload.json"));
        Map<String, Object> first = (Map<String, Object>) ((List<Object>) wl.get("layers")).get(0);
        double dA = ((Number) ((Map<String, Object>) first.get("actStats")).get("dA")).doubleValue();
        assertEquals("fc", first.get("id"));
        // at most a value or two on a rounding boundary may fall the other way (float division order)
        assertEquals(density(px), dA, 2.0 / px.length);
        assertTrue(density(px) - density(raw) > 0.2, "standardised: " + density(px) + ", raw: " + density(raw));
    }

    /** Non-zeros of x quantised to int8 with s = max|x| / 127, round half away from zero, over its length. */
    private static double density(float[] x) {
        float max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        long nz = 0;
        for (float v : x) {
            if (Math.floor(Math.abs(v) / (max / 127f) + 0.5f) != 0) {
                nz++;
            }
        }
        return (double) nz / x.length;
    }

    @Test
    @SuppressWarnings("unchecked")
    void zooCnnOnFashionMnistMeasuresTheStatistics() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not found in " + data + " (install dataset-fashion-mnist)");
        Path out = dir.resolve("cnn");
        CliRun r = run("energy", "--zoo", "cnn", "--data", "fashion-mnist", "--samples", "64", "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("measured on 64 Fashion-MNIST"), r.out());
        Map<String, Object> s = json(out.resolve("summary.json"));
        assertEquals(5.0, ((Number) s.get("layers")).doubleValue()); // conv1..3, fc1, fc2 (SmallCnn Javadoc)
        for (String a : List.of("smartdeal", "diannao", "cambriconx", "scnn", "bitpragmatic")) {
            assertTrue(((Number) acc(s, a).get("energyPj")).doubleValue() > 0, a);
        }
        assertEquals(3.0, ((Number) acc(s, "scnn").get("layersPriced")).doubleValue()); // no FC model for SCNN [P]
        // First-layer dA, recomputed here from the raw pixels with the documented quantisation
        // (per-minibatch scale max|x|/127, q = round half away): the 64 images are one minibatch.
        FashionMnist test = FashionMnist.load(data, false).limit(64);
        float[] px = new float[64 * FashionMnist.PIXELS];
        for (int i = 0; i < 64; i++) {
            test.copyImage(i, px, i * FashionMnist.PIXELS);
        }
        float max = 0;
        for (float v : px) {
            max = Math.max(max, v);
        }
        long nz = 0;
        for (float v : px) {
            if (Math.floor(v / (max / 127f) + 0.5f) != 0) {
                nz++;
            }
        }
        Map<String, Object> wl = json(out.resolve("workload.json"));
        Map<String, Object> first = (Map<String, Object>) ((List<Object>) wl.get("layers")).get(0);
        Map<String, Object> act = (Map<String, Object>) first.get("actStats");
        assertEquals((double) nz / px.length, ((Number) act.get("dA")).doubleValue(), 1e-9);
        assertEquals("conv1", first.get("id"));
        for (String f : List.of("models.csv", "layers.csv", "actions.csv", "summary.txt", "models/smartdeal.json",
                "charts/energy-by-level.png", "charts/speedup-and-efficiency-vs-diannao.png", "charts/dram-per-tensor.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
    }

    /** A network of this configuration with its initial weights, saved as NAME.zip in the test folder. */
    private Path zip(String name, MultiLayerConfiguration conf) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Path zip = dir.resolve(name + ".zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        return zip;
    }

    /**
     * A network whose layer sizes do not fit together loads, and DL4J's type propagation, which the pricing uses,
     * never compares them: energy refuses it (exit 3) naming the layer and both sizes, where it priced it or failed
     * on a count inside the hardware model, and writes nothing.
     */
    @Test
    void aNetworkWhoseLayerSizesDoNotFitIsRefusedNamingTheLayer() throws IOException {
        // a reshape that claims 2 x 7 x 13 for conv1's 2 x 26 x 26 pooled to 2 x 13 x 13: priced as if it fitted before
        Path out = dir.resolve("misfit-out");
        MultiLayerConfiguration pooled = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(2).build())
                .layer(new SubsamplingLayer.Builder().name("pool1").kernelSize(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder().name("out").nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
        pooled.getInputPreProcessors().put(2, new CnnToFeedForwardPreProcessor(7, 13, 2));
        run("energy", zip("reshape", pooled).toString(), "--out", out.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "reshape.zip: cannot price this network: OutputLayer(name=out, index=2): its CnnToFeedForwardPreProcessor "
                + "takes 2 x 7 x 13 (channels x height x width) but its input is 2 x 13 x 13 (from layer pool1's output)");
        assertEquals(Map.of(), CliRun.files(out));

        // conv2 takes 8 channels after conv1's 16: an internal count mismatch before
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(16).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(4).build())
                .layer(new OutputLayer.Builder().name("out").nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
        ((ConvolutionLayer) conf.getConf(1).getLayer()).setNIn(8); // as a file may state it
        run("energy", zip("misfit", conf).toString(), "--out", out.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "misfit.zip: cannot price this network: ConvolutionLayer(name=conv2, index=1) takes nIn=8 but its input "
                + "has 16 channels (from layer conv1's nOut)");
        assertEquals(Map.of(), CliRun.files(out));
    }

    /**
     * A network that does not state its input size (a first convolution of 3 channels, no input type) is refused
     * asking for {@code --input} with an example of the channels it takes: the example used to be 1x28x28, which the
     * check of those channels then refused.
     */
    @Test
    void aNetworkOfUnstatedSizeIsAskedForAnInputOfItsChannels() throws IOException {
        Path out = dir.resolve("unstated-out");
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nIn(3).nOut(2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().name("out").nIn(2).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        run("energy", zip("unstated", conf).toString(), "--out", out.toString()).assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "give the input shape with --input CxHxW, e.g. --input 3x32x32 (3 channels, as "
                        + "its first convolution takes; height and width those of your images)");
        assertEquals(Map.of(), CliRun.files(out));
        // with --data the images are Fashion-MNIST's: the channels that cannot take them are named first (before, the
        // user was sent to give --input 3x32x32 and then told Fashion-MNIST has one channel)
        assumeTrue(FashionMnist.isAvailable(FashionMnist.resolveDir(null)), "Fashion-MNIST not found (install "
                + "dataset-fashion-mnist)");
        run("energy", dir.resolve("unstated.zip").toString(), "--data", "fashion-mnist", "--samples", "4", "--out",
                out.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT, "--data fashion-mnist gives 1x28x28 images "
                        + "(784 values), but", "takes images of 3 channels");
        assertEquals(Map.of(), CliRun.files(out));
    }

    /**
     * {@code --input CxHxW} on a network whose first layer takes rows (a dense layer, no preprocessor) gives it C*H*W
     * values, as its data comes: 1x28x28 prices the 784-input network as without the option (before, the image went
     * to the dense layer as an image and the network was refused), and 3x32x32 is refused naming fc1's 784 against the
     * 3,072 values.
     */
    @Test
    void inputGivesADenseFirstLayerItsShapeAsRows() throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(FashionMnist.PIXELS).nOut(8)
                        .name("fc1").build())
                .layer(new OutputLayer.Builder().name("out").nIn(8).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        Path file = zip("mlp", conf);
        Path plain = dir.resolve("plain");
        Path shaped = dir.resolve("shaped");
        assertEquals(0, run("energy", file.toString(), "--out", plain.toString()).exit());
        CliRun r = run("energy", file.toString(), "--input", "1x28x28", "--out", shaped.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(Files.readString(plain.resolve("models.csv")), Files.readString(shaped.resolve("models.csv")));
        run("energy", file.toString(), "--input", "3x32x32", "--out", dir.resolve("cifar").toString()).assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "DenseLayer(name=fc1, index=0) takes nIn=784 but its input has 3072 values "
                + "(from the network input)");
    }

    /**
     * A channels-last CNN is priced on Fashion-MNIST (it was refused, "only NCHW is supported"): its workload equals
     * that of its channels-first twin (the same network with the output layer's rows reordered from the flattened
     * [H, W, C] to [C, H, W]), whose pricing the other tests check, except the output layer's Bit-pragmatic brick
     * statistic.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aChannelsLastCnnIsPricedAsItsChannelsFirstTwin() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not found in " + data + " (install dataset-fashion-mnist)");
        MultiLayerNetwork first = twin(org.deeplearning4j.nn.conf.CNN2DFormat.NCHW);
        MultiLayerNetwork last = twin(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC);
        last.setParams(first.params());
        var w = first.getLayer(3).getParam("W");
        var perm = w.dup();
        int c = 4, side = 12; // conv 3x3 twice on 28x28 -> 24x24, pooled 2x2 -> 12x12, of 4 channels
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    perm.putRow((y * side + x) * c + ch, w.getRow((ch * side + y) * side + x));
                }
            }
        }
        last.getLayer(3).setParam("W", perm);
        Map<String, Object> layers = null;
        for (MultiLayerNetwork net : List.of(first, last)) {
            String name = net == first ? "nchw" : "nhwc";
            Path zip = dir.resolve(name + ".zip");
            ModelSerializer.writeModel(net, zip.toFile(), false);
            Path out = dir.resolve(name + "-out");
            // DL4J's usual CNN states no image size: --input gives it
            CliRun r = run("energy", zip.toString(), "--input", "1x28x28", "--data", "fashion-mnist", "--samples", "64",
                    "--out", out.toString(), "--quiet");
            assertEquals(0, r.exit(), r.err());
            Map<String, Object> wl = json(out.resolve("workload.json"));
            wl.remove("model");
            // the PRA brick groups 16 consecutive inputs of the output layer's flattened vector, whose order is the
            // format's own (4 pixels x 4 channels against 16 pixels of one channel): the one value that differs
            ((Map<String, Object>) ((Map<String, Object>) ((List<Object>) wl.get("layers")).get(2)).get("actStats")).remove("tPRA");
            if (layers == null) {
                layers = wl;
                assertEquals(3, ((List<Object>) wl.get("layers")).size(), "conv1, conv2 and out are priced");
            } else {
                assertEquals(layers, wl);
            }
        }
    }

    /**
     * DL4J's usual CNN, in image format {@code f}: two 3 x 3 convolutions (4 channels), 2 x 2 pooling and a 10-class
     * output layer, built with {@code setInputType(convolutional(28, 28, 1))}, which puts no preprocessor before the
     * first convolution, so the network states no image size (its output layer's nIn, 4 x 12 x 12, fixes it).
     */
    static MultiLayerNetwork twin(org.deeplearning4j.nn.conf.CNN2DFormat f) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).dataFormat(f).activation(Activation.RELU)
                        .build())
                // conv2 reads 4 channels: its statistics see the channels-last values in the wrong order unless the
                // pricing permutes them (conv1's single channel is the same in both orders)
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(4).dataFormat(f).activation(Activation.RELU)
                        .build())
                .layer(new SubsamplingLayer.Builder().name("pool1").kernelSize(2, 2).stride(2, 2).dataFormat(f).build())
                .layer(new OutputLayer.Builder().name("out").nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1, f)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * A recurrent network, a one-dimensional convolution and a graph of two inputs are refused naming the layer or
     * the inputs, what energy prices and the Java API's route (they failed on DL4J's RNN input check, or were advised
     * an --input that could not work).
     */
    @Test
    void aRecurrentNetworkIsRefusedNamingTheLayer() throws IOException {
        Path out = dir.resolve("lstm-out");
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().name("lstm1").nIn(28).nOut(8).build())
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder().name("out").nIn(8).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        run("energy", zip("lstm", conf).toString(), "--out", out.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "lstm.zip: cannot price this network: layer lstm1 (LSTM) reads sequences; energy prices networks of "
                + "convolution, dense and pooling layers on images or vectors; the Java API prices sequence networks");
        assertEquals(Map.of(), CliRun.files(out));
        // a Convolution1DLayer too (it was taken for an image layer: "--input 4x32x32" advised, then DL4J's RNN check)
        MultiLayerConfiguration c1d = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder(3).name("c1d").nIn(4).nOut(8)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder().name("out").nIn(8).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        run("energy", zip("c1d", c1d).toString(), "--out", out.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "c1d.zip: cannot price this network: layer c1d (Convolution1DLayer) reads sequences");
        // a graph of two inputs: energy takes one input shape (it advised --input, then refused it)
        org.deeplearning4j.nn.graph.ComputationGraph two = new org.deeplearning4j.nn.graph.ComputationGraph(
                new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("img", "vec")
                        .addLayer("a", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(784).nOut(4).build(), "img")
                        .addLayer("b", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(3).nOut(4).build(), "vec")
                        .addVertex("m", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "a", "b")
                        .addLayer("out", new OutputLayer.Builder().nIn(8).nOut(2).activation(Activation.SOFTMAX).build(), "m")
                        .setOutputs("out").build());
        two.init();
        Path twoZip = dir.resolve("two.zip");
        ModelSerializer.writeModel(two, twoZip.toFile(), false);
        run("energy", twoZip.toString(), "--out", out.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT,
                "two.zip: cannot price this network: the graph has 2 inputs [img, vec]; energy prices networks of one input");
        assertEquals(Map.of(), CliRun.files(out));
    }

    @Test
    void paperModelResnet164WritesTheFilesWithThePaperStatistics() throws IOException {
        Path out = dir.resolve("r164");
        CliRun r = run("energy", "--paper-model", "resnet164", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> s = json(out.resolve("summary.json"));
        assertTrue(((String) s.get("statsSource")).startsWith("paper defaults"), (String) s.get("statsSource"));
        // docs/HWMODEL-RESULTS.md, default knobs (after its fixes 8, Table II vector density, 9, the unpadded input
        // fill, 27, DianNao's busy-lane reads, 31, a DRAM-bound layer's fill counted once, and 32, SmartDeal's
        // accumulators): ResNet-164 SD EE/DN 1.49 (docs/hwmodel-paper/fig8: 1.4888; 1.5543 before fix 32), speedup
        // 1.64 (docs/hwmodel-paper/fig10: 1.6377; 1.4544 before fix 31)
        assertEquals(1.489, ((Number) acc(s, "smartdeal").get("energyEfficiencyVsDiannao")).doubleValue(), 0.002);
        assertEquals(1.638, ((Number) acc(s, "smartdeal").get("speedupVsDiannao")).doubleValue(), 0.002);
        assertTrue(Files.readString(out.resolve("layers.csv")).contains("s3b17_c"));
        // the paper's activation statistics in words, not as Java prints the record
        assertTrue(r.out().contains("activations fitted to Fig. 3 MBV2: activation density 0.4784"), r.out());
        assertFalse(r.out().contains("ActStats[") || r.out().contains("0.8062841289189311"), r.out());
        assertTrue(Files.size(out.resolve("charts/energy-by-level.png")) > 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void paperDelegatesToPaperStudyAndWritesPaperSummary() throws IOException {
        Path out = dir.resolve("paper");
        CliRun r = run("energy", "--paper", "--no-sweep", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        Map<String, Object> s = json(out.resolve("paper-summary.json"));
        // issue 6: seven models; SCNN absent where the paper excludes it (EfficientNet-B0)
        assertEquals(List.of("vgg11", "resnet50", "mobilenetv2", "efficientnetb0", "vgg19-cifar", "resnet164", "deeplabv3plus"),
                List.copyOf(s.keySet()));
        assertEquals(List.of("smartdeal", "diannao", "cambriconx", "bitpragmatic"),
                List.copyOf(((Map<String, Object>) s.get("efficientnetb0")).keySet()));
        Map<String, Object> r164 = (Map<String, Object>) s.get("resnet164");
        assertTrue(((Map<String, Object>) r164.get("scnn")).containsKey("energyPj"));
        assertTrue(Files.size(out.resolve("paper-comparison.md")) > 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void convertedModelIsPricedAsSmartDealWeightsWithPaperDefaultsWithoutData() throws IOException {
        Path sdm = dir.resolve("lenet.sdm");
        CliRun c = run("convert", "--zoo", "lenet300", "--out", sdm.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        Path out = dir.resolve("lenet");
        CliRun r = run("energy", sdm.toString(), "--accelerators", "smartdeal,diannao", "--batch", "4", "--dram-bw", "inf",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("paper defaults (no data given)"), r.out());
        Map<String, Object> s = json(out.resolve("summary.json"));
        assertEquals(Workloads.PAPER_STATS_NOTE, s.get("statsSource"));
        assertEquals(2, ((Map<String, Object>) s.get("accelerators")).size());
        Map<String, Object> k = (Map<String, Object>) s.get("knobs");
        assertEquals(4.0, ((Number) k.get("batch")).doubleValue());
        assertEquals(null, k.get("dramBwBytesPerCycle")); // infinity is written as null
        List<Object> layers = (List<Object>) json(out.resolve("workload.json")).get("layers");
        assertEquals(3, layers.size()); // LeNet-300-100: fc1, fc2, output
        for (Object l : layers) {
            Map<String, Object> w = (Map<String, Object>) ((Map<String, Object>) l).get("weightRep");
            assertEquals("SD", w.get("kind"));
            assertTrue(((Number) w.get("ceBytes")).doubleValue() > 0);
        }
    }

    /**
     * An --energy-table or --arch-spec inside --out is refused before anything is written: named summary.json or
     * workload.json, the report overwrote it (exit 0), one of the inputs the project never overwrites.
     */
    @Test
    void aSpecFileInsideOutIsRefusedAndLeftAsItWas() throws IOException {
        Path out = Files.createDirectories(dir.resolve("report"));
        Path table = Files.writeString(out.resolve("summary.json"), shippedSpec("energy-table-v1.json"));
        Path arch = Files.writeString(out.resolve("workload.json"), shippedSpec("arch-v1.json"));
        Map<String, String> before = CliRun.files(out);
        run("energy", "--zoo", "lenet300", "--energy-table", table.toString(), "--out", out.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--energy-table " + table + " is inside --out " + out);
        run("energy", "--zoo", "lenet300", "--arch-spec", arch.toString(), "--out", out.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--arch-spec " + arch + " is inside --out " + out);
        assertEquals(before, CliRun.files(out), "the inputs and the folder as they were");
    }

    /**
     * A file no report listed, of a name the report writes (a demo's summary.json in the same --out), is refused,
     * exit 3 naming it, and the folder is left as it was; the report goes into a folder of its own.
     */
    @Test
    void anotherCommandsSummaryInOutIsRefusedNotReplaced() throws IOException {
        Path out = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(out.resolve("summary.json"), "{\"model\": \"the demo's summary\"}");
        Map<String, String> before = CliRun.files(out);
        run("energy", "--zoo", "lenet300", "--accelerators", "smartdeal", "--out", out.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, out.resolve("summary.json") + ": exists and is not a file of "
                        + "an earlier report (not listed in report-files.txt)");
        assertEquals(before, CliRun.files(out), "the demo's summary and the folder as they were");
        // before any pricing: a model file that cannot be read is not reached (it would be refused as unreadable)
        Path broken = Files.writeString(dir.resolve("broken.sdm"), "not a model");
        run("energy", broken.toString(), "--out", out.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, out.resolve("summary.json") + ": exists and is not a file of "
                        + "an earlier report");
        // and before the paper study (35 s): its paper-comparison.md of another origin
        Path paper = Files.createDirectories(dir.resolve("paper-shared"));
        Files.writeString(paper.resolve("paper-comparison.md"), "my notes");
        Map<String, String> paperBefore = CliRun.files(paper);
        run("energy", "--paper", "--no-sweep", "--out", paper.toString(), "--quiet")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, paper.resolve("paper-comparison.md") + ": exists and is not a "
                        + "file of an earlier report");
        assertEquals(paperBefore, CliRun.files(paper));
    }

    /**
     * The other way round: train does not write its summary.json into an energy report's folder, where the report
     * lists a file of that name (the next report would replace train's as its own); refused before any work.
     */
    @Test
    void anotherCommandDoesNotReplaceAFileOfAnEnergyReport() throws IOException {
        Path out = dir.resolve("report");
        assertEquals(0, run("energy", "--zoo", "lenet300", "--accelerators", "smartdeal", "--out", out.toString(), "--quiet")
                .exit());
        Map<String, String> before = CliRun.files(out);
        run("train", "--task", "finetune", "--variant", "sd", "--arch", "lenet300", "--epochs", "1", "--out", out.toString(),
                "--quiet").assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "--out " + out.resolve("summary.json") + ": is a file of the energy report in " + out);
        assertEquals(before, CliRun.files(out));
    }

    /** --energy-table: a copy of the shipped table with DRAM at 200 pJ is used and echoed; mistakes are named. */
    @Test
    void anEnergyTableOfTheUsersOwnIsUsedAndEchoed() throws IOException {
        String shipped = shippedSpec("energy-table-v1.json");
        Path table = Files.writeString(dir.resolve("table.json"), shipped.replace("\"dramPjPer8Bit\": 100",
                "\"dramPjPer8Bit\": 200"));
        Path out = dir.resolve("own-table");
        CliRun r = run("energy", "--zoo", "cnn", "--energy-table", table.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("energy table: " + table), r.out());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals(200.0, ((Map<?, ?>) s.get("energyTable")).get("dramPjPer8Bit"));
        // the table is applied: each DRAM byte costs 100 pJ more than with the paper's table, nothing else changes
        Path paperOut = dir.resolve("paper-table");
        assertEquals(0, run("energy", "--zoo", "cnn", "--out", paperOut.toString(), "--quiet").exit());
        assertDramRepricedBy(100, paperOut, out);
        // and on the paper-workload path
        Path pmOwn = dir.resolve("pm-own");
        Path pmPaper = dir.resolve("pm-paper");
        assertEquals(0, run("energy", "--paper-model", "resnet164", "--accelerators", "smartdeal,diannao", "--energy-table",
                table.toString(), "--out", pmOwn.toString(), "--quiet").exit());
        assertEquals(0, run("energy", "--paper-model", "resnet164", "--accelerators", "smartdeal,diannao", "--out",
                pmPaper.toString(), "--quiet").exit());
        assertDramRepricedBy(100, pmPaper, pmOwn);

        run("energy", "--paper", "--energy-table", table.toString(), "--out", out.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--energy-table applies to networks and --paper-model");
        Path typo = Files.writeString(dir.resolve("typo.json"), shipped.replace("\"selectPj\"", "\"selPj\""));
        run("energy", "--zoo", "cnn", "--energy-table", typo.toString(), "--out", out.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--energy-table " + typo + ": values: EnergyTable has no field 'selPj'");
        run("energy", "--zoo", "cnn", "--energy-table", dir.resolve("none.json").toString(), "--out", out.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--energy-table", "none.json");
    }

    /**
     * --arch-spec: a copy of the shipped arch-v1.json with DianNao's 32 output lanes doubled and batch 2 in its knobs.
     * DianNao's compute cycles carry the factor ceil(M / dnTn) on every layer type (HWMODEL.md 2.4), so each layer's
     * ccomp_cycles scales by ceil(M/64) / ceil(M/32) against the paper's architecture at the same batch; --batch
     * overrides the file's knobs; the values are echoed; mistakes are named.
     */
    @Test
    @SuppressWarnings("unchecked")
    void anArchitectureOfTheUsersOwnIsUsedAndEchoed() throws IOException {
        String shipped = shippedSpec("arch-v1.json");
        assertTrue(shipped.contains("\"dnTn\": 32") && shipped.contains("\"batch\": 1,"), shipped);
        Path arch = Files.writeString(dir.resolve("arch.json"), shipped.replace("\"dnTn\": 32", "\"dnTn\": 64")
                .replace("\"batch\": 1,", "\"batch\": 2,"));
        Path own = dir.resolve("own-arch"), paper = dir.resolve("paper-arch");
        CliRun r = run("energy", "--zoo", "cnn", "--accelerators", "diannao", "--arch-spec", arch.toString(), "--out",
                own.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("architecture: " + arch), r.out());
        assertEquals(0, run("energy", "--zoo", "cnn", "--accelerators", "diannao", "--batch", "2", "--out", paper.toString(),
                "--quiet").exit());
        Map<String, Object> s = json(own.resolve("summary.json"));
        assertEquals(64.0, ((Map<String, Object>) s.get("arch")).get("dnTn"));
        assertEquals(2.0, ((Map<String, Object>) s.get("knobs")).get("batch"));
        List<String> a = Files.readAllLines(paper.resolve("layers.csv")), b = Files.readAllLines(own.resolve("layers.csv"));
        List<String> head = List.of(a.get(0).split(","));
        int m = head.indexOf("M"), cc = head.indexOf("ccomp_cycles"), halved = 0;
        assertEquals(a.size(), b.size());
        for (int i = 1; i < a.size(); i++) {
            String[] x = a.get(i).split(","), y = b.get(i).split(",");
            int filters = Integer.parseInt(x[m]);
            double scale = Math.ceil(filters / 64.0) / Math.ceil(filters / 32.0);
            halved += scale == 0.5 ? 1 : 0;
            assertEquals(scale * Double.parseDouble(x[cc]), Double.parseDouble(y[cc]), 0.0, a.get(i));
        }
        assertTrue(halved > 0, "a layer of more than 32 filters");
        // --batch replaces the file's batch
        Path three = dir.resolve("batch3");
        assertEquals(0, run("energy", "--zoo", "cnn", "--accelerators", "diannao", "--arch-spec", arch.toString(), "--batch",
                "3", "--out", three.toString(), "--quiet").exit());
        assertEquals(3.0, ((Map<String, Object>) json(three.resolve("summary.json")).get("knobs")).get("batch"));
        // --dram-bw replaces the file's bandwidth and keeps its batch
        Path bw = dir.resolve("bw");
        assertEquals(0, run("energy", "--zoo", "cnn", "--accelerators", "diannao", "--arch-spec", arch.toString(), "--dram-bw",
                "12.8", "--out", bw.toString(), "--quiet").exit());
        Map<String, Object> bwKnobs = (Map<String, Object>) json(bw.resolve("summary.json")).get("knobs");
        assertEquals(12.8, bwKnobs.get("dramBwBytesPerCycle"));
        assertEquals(2.0, bwKnobs.get("batch"));
        // the paper workload's statistics are built for the file's architecture: SmartDeal's tSD is the expected
        // maximum Booth digit count over sdDimF activations (HWMODEL.md 1.3), so 4 of them give a smaller tSD than 8
        Path dimF4 = Files.writeString(dir.resolve("dimf4.json"), shipped.replace("\"sdDimF\": 8", "\"sdDimF\": 4"));
        Path pm4 = dir.resolve("pm-dimf4"), pm8 = dir.resolve("pm-dimf8");
        assertEquals(0, run("energy", "--paper-model", "resnet164", "--accelerators", "smartdeal", "--arch-spec",
                dimF4.toString(), "--out", pm4.toString(), "--quiet").exit());
        assertEquals(0, run("energy", "--paper-model", "resnet164", "--accelerators", "smartdeal", "--out", pm8.toString(),
                "--quiet").exit());
        double tsd4 = tSdOfSecondLayer(pm4), tsd8 = tSdOfSecondLayer(pm8);
        Knobs k = Knobs.defaults();
        ArchSpec fourWide = Specs.read(ArchSpec.class, dimF4);
        assertEquals(PaperModels.workload("resnet164", k, fourWide).layers().get(1).act().tSD(), tsd4, 1e-12);
        assertTrue(tsd4 < tsd8 && tsd4 >= 1, tsd4 + " against " + tsd8);

        run("energy", "--paper", "--arch-spec", arch.toString(), "--out", own.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--arch-spec applies to networks and --paper-model");
        Path typo = Files.writeString(dir.resolve("typo.json"), shipped.replace("\"dnTi\"", "\"dnTj\""));
        run("energy", "--zoo", "cnn", "--arch-spec", typo.toString(), "--out", own.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--arch-spec " + typo + ": values: ArchSpec has no field 'dnTj'");
        Path grid = Files.writeString(dir.resolve("grid.json"), shipped.replace("\"scnnPeGrid\": 8", "\"scnnPeGrid\": 33"));
        run("energy", "--zoo", "cnn", "--arch-spec", grid.toString(), "--out", own.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--arch-spec " + grid, "ArchSpec.scnnPeGrid must be in [1, 32], got 33");
        // SCNN's accumulators (8 x 8 x 1024 x 3 B = 192 KB) taken from a 128 KB input buffer: refused when SCNN is priced
        Path smallIn = Files.writeString(dir.resolve("small-in.json"), shipped.replace("\"inputBufBytes\": 524288",
                "\"inputBufBytes\": 131072"));
        run("energy", "--zoo", "cnn", "--arch-spec", smallIn.toString(), "--out", own.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--arch-spec " + smallIn, "= 196608 bytes",
                        "smaller than inputBufBytes, 131072", "--accelerators");
        assertEquals(0, run("energy", "--zoo", "cnn", "--accelerators", "smartdeal,diannao", "--arch-spec", smallIn.toString(),
                "--out", own.toString(), "--quiet").exit());
        // too small for any tile of the network: 64 B of input buffer at a tile capacity of 0.1 is 6.4 B, less than the 9
        // input bytes of one output of a 3x3 convolution
        Path tiny = Files.writeString(dir.resolve("tiny.json"), shipped.replace("\"inputBufBytes\": 524288",
                "\"inputBufBytes\": 64").replace("\"inputBankBytes\": 16384", "\"inputBankBytes\": 64")
                .replace("\"tileCapFraction\": 0.5", "\"tileCapFraction\": 0.1"));
        run("energy", "--zoo", "cnn", "--accelerators", "diannao", "--arch-spec", tiny.toString(), "--out", own.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--arch-spec " + tiny, "no feasible tiling", "too small for this network");
        run("energy", "--zoo", "cnn", "--arch-spec", dir.resolve("none.json").toString(), "--out", own.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--arch-spec", "none.json");
    }

    @SuppressWarnings("unchecked")
    private static double tSdOfSecondLayer(Path out) throws IOException {
        List<Object> layers = (List<Object>) json(out.resolve("workload.json")).get("layers");
        return ((Number) ((Map<String, Object>) ((Map<String, Object>) layers.get(1)).get("actStats")).get("tSD"))
                .doubleValue();
    }

    /**
     * Statistics measured with --data are measured for the file's architecture: with a 4 x 4 SCNN grid the collector
     * keeps 4 x 4 tiles per channel, which SCNN prices (it refuses tile statistics of another grid, so a collector left
     * on the paper's 8 x 8 grid would fail the run).
     */
    @Test
    void measuredStatisticsFollowTheUsersArchitecture() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not found in " + data + " (install dataset-fashion-mnist)");
        String shipped = shippedSpec("arch-v1.json");
        assertTrue(shipped.contains("\"scnnPeGrid\": 8"), shipped);
        Path grid4 = Files.writeString(dir.resolve("grid4.json"), shipped.replace("\"scnnPeGrid\": 8", "\"scnnPeGrid\": 4"));
        Path out = dir.resolve("grid4-out");
        CliRun r = run("energy", "--zoo", "cnn", "--data", "fashion-mnist", "--samples", "16", "--accelerators", "scnn",
                "--arch-spec", grid4.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        List<String> layers = Files.readAllLines(out.resolve("layers.csv"));
        assertEquals(4, layers.size(), "a header and SCNN's three convolutions: " + layers);
    }

    /** Per accelerator of models.csv: energy(b) - energy(a) = extra pJ per byte x DRAM bytes, the same bytes. */
    private static void assertDramRepricedBy(double extraPjPerByte, Path a, Path b) throws IOException {
        Map<String, double[]> x = energyAndDram(a), y = energyAndDram(b);
        assertEquals(x.keySet(), y.keySet());
        for (String acc : x.keySet()) {
            double[] p = x.get(acc), q = y.get(acc);
            assertEquals(p[1], q[1], 0.0, acc + " DRAM bytes");
            assertEquals(extraPjPerByte * p[1], q[0] - p[0], 1e-9 * q[0], acc + " energy");
        }
    }

    /** models.csv: accelerator to {energy_pJ, dram_bytes}. */
    private static Map<String, double[]> energyAndDram(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("models.csv"));
        List<String> head = List.of(lines.get(0).split(","));
        Map<String, double[]> m = new java.util.TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            m.put(f[head.indexOf("accelerator")], new double[] {Double.parseDouble(f[head.indexOf("energy_pJ")]),
                Double.parseDouble(f[head.indexOf("dram_bytes")])});
        }
        return m;
    }

    @Test
    void badInputsExitWithMessagesNamingTheOption() throws IOException {
        Path out = dir.resolve("bad");
        CliRun a = run("energy", "--zoo", "cnn", "--accelerators", "smartdeal,eyeriss", "--out", out.toString());
        assertEquals(SmartDeal.EXIT_USAGE, a.exit());
        assertTrue(a.err().contains("--accelerators") && a.err().contains("'eyeriss'"), a.err());
        CliRun s = run("energy", "--zoo", "cnn", "--samples", "0", "--data", "fashion-mnist");
        assertEquals(SmartDeal.EXIT_USAGE, s.exit());
        assertTrue(s.err().contains("--samples must be in [1, 10000], got 0"), s.err());
        CliRun b = run("energy", "--paper-model", "resnet164", "--batch", "0");
        assertEquals(SmartDeal.EXIT_USAGE, b.exit());
        assertTrue(b.err().contains("--batch must be in [1, 4096], got 0"), b.err());
        CliRun bw = run("energy", "--paper-model", "resnet164", "--dram-bw", "-1");
        assertEquals(SmartDeal.EXIT_USAGE, bw.exit());
        assertTrue(bw.err().contains("--dram-bw must be a number > 0"), bw.err());
        // below Knobs.MIN_DRAM_BW (found by a bug hunt: 1e-320 was taken, and priced Infinity cycles)
        CliRun tiny = run("energy", "--paper-model", "resnet164", "--dram-bw", "1e-320");
        assertEquals(SmartDeal.EXIT_USAGE, tiny.exit(), tiny.err());
        assertTrue(tiny.err().contains("--dram-bw must be a number > 0 (bytes per cycle, at least 0.000001) or inf, got "
            + "'1e-320'"), tiny.err());
        CliRun d = run("energy", "--zoo", "cnn", "--data", "mnist");
        assertEquals(SmartDeal.EXIT_USAGE, d.exit());
        assertTrue(d.err().contains("--data must be fashion-mnist, got 'mnist'"), d.err());
        CliRun pd = run("energy", "--paper-model", "resnet164", "--data", "fashion-mnist");
        assertEquals(SmartDeal.EXIT_USAGE, pd.exit());
        CliRun ns = run("energy", "--paper-model", "resnet164", "--samples", "10");
        assertEquals(SmartDeal.EXIT_USAGE, ns.exit());
        assertTrue(ns.err().contains("--samples applies with --data only"), ns.err());
        CliRun dd = run("energy", "--zoo", "cnn", "--data-dir", "/tmp");
        assertEquals(SmartDeal.EXIT_USAGE, dd.exit());
        assertTrue(dd.err().contains("--data-dir applies with --data only"), dd.err());
        CliRun pa = run("energy", "--paper", "--no-sweep", "--accelerators", "diannao", "--out", out.toString());
        assertEquals(SmartDeal.EXIT_USAGE, pa.exit());
        assertTrue(pa.err().contains("--paper always prices all five"), pa.err());
        // all in another case (or in a list) means every model here as for a network: it was refused with --paper (found
        // by session 43's CLI hunt); the run gets past the options to the --out check (a folder inside a file)
        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        for (String all : List.of("ALL", "diannao, All")) {
            CliRun pAll = run("energy", "--paper", "--no-sweep", "--accelerators", all, "--out",
                aFile.resolve("report").toString());
            assertEquals(SmartDeal.EXIT_BAD_INPUT, pAll.exit(), pAll.err());
            assertFalse(pAll.err().contains("--paper always prices"), pAll.err());
        }
        CliRun none = run("energy");
        assertEquals(SmartDeal.EXIT_USAGE, none.exit());
        CliRun two = run("energy", "--zoo", "cnn", "--paper");
        assertEquals(SmartDeal.EXIT_USAGE, two.exit());
        CliRun f = run("energy", dir.resolve("missing.sdm").toString());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, f.exit());
        assertTrue(f.err().contains("missing.sdm: no such file"), f.err());
        CliRun img = run("energy", "--zoo", "resnet20", "--data", "fashion-mnist", "--out", out.toString());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, img.exit());
        assertTrue(img.err().contains("--data fashion-mnist gives 1x28x28"), img.err());
    }

    /**
     * An unknown name given as an option value is a usage error (2), like every other option value out of its
     * allowed set (--data, --batch; `smartdeal train --arch`); the message lists the allowed names.
     */
    @Test
    void unknownNamesAndEmptyListsAreUsageErrorsListingTheAllowedNames() {
        CliRun z = run("energy", "--zoo", "nope");
        assertEquals(SmartDeal.EXIT_USAGE, z.exit(), z.err());
        assertTrue(z.err().contains("--zoo") && z.err().contains("'nope'") && z.err().contains("lenet300"), z.err());
        CliRun p = run("energy", "--paper-model", "alexnet");
        assertEquals(SmartDeal.EXIT_USAGE, p.exit(), p.err());
        assertTrue(p.err().contains("--paper-model must be one of [vgg11, resnet50") && p.err().contains("got 'alexnet'"), p.err());
        CliRun d = run("energy", "--zoo", "cnn", "--data", "cifar");
        assertEquals(SmartDeal.EXIT_USAGE, d.exit(), d.err());
        assertTrue(d.err().contains("--data must be fashion-mnist, got 'cifar'"), d.err());
        CliRun a = run("energy", "--zoo", "cnn", "--accelerators", "foo");
        assertEquals(SmartDeal.EXIT_USAGE, a.exit(), a.err());
        assertTrue(a.err().contains("--accelerators") && a.err().contains("'foo'") && a.err().contains("bitpragmatic"), a.err());
        for (String empty : List.of("", "smartdeal,,scnn")) {
            CliRun e = run("energy", "--zoo", "cnn", "--accelerators", empty);
            assertEquals(SmartDeal.EXIT_USAGE, e.exit(), e.err());
            assertTrue(e.err().contains("--accelerators: the accelerator list must be all or a comma list of [smartdeal, "), e.err());
        }
    }

    /** The audit's sequence: a full run, then DianNao alone at batch 4 into the same folder; then a failed run. */
    @Test
    void outReusedHoldsOnlyTheLastReportAndAFailedRunChangesNothing() throws IOException {
        Path out = dir.resolve("again");
        CliRun full = run("energy", "--zoo", "cnn", "--out", out.toString());
        assertEquals(0, full.exit(), full.err());
        // the zoo cnn's SCNN bars and rows say they cover its 3 conv layers of 5
        assertTrue(full.out().contains("scnn: conv layers only: 3 of 5 benchmark layers (no model for FC layers)"), full.out());
        Files.writeString(out.resolve("my-notes.txt"), "mine");
        CliRun dn = run("energy", "--zoo", "cnn", "--accelerators", "diannao", "--batch", "4", "--out", out.toString());
        assertEquals(0, dn.exit(), dn.err());
        try (var s = Files.list(out.resolve("models"))) {
            assertEquals(List.of("diannao.json"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("mine", Files.readString(out.resolve("my-notes.txt")));
        // a file called charts where the report writes its charts folder: exit 3, the last report left whole
        try (var s = Files.list(out.resolve("charts"))) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(out.resolve("charts"));
        Files.writeString(out.resolve("charts"), "not a folder");
        String summary = Files.readString(out.resolve("summary.json"));
        CliRun bad = run("energy", "--zoo", "cnn", "--out", out.toString());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, bad.exit(), bad.err());
        assertTrue(bad.err().contains("charts: is a file, but the report writes charts/"), bad.err());
        assertEquals(summary, Files.readString(out.resolve("summary.json")));
        try (var s = Files.list(out.resolve("models"))) {
            assertEquals(List.of("diannao.json"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /**
     * resnet20's 19 BatchNormalization layers (one after each of its 19 convolutions) are not priced: the console and
     * summary.txt say so, counted by kind as there are more than eight.
     */
    @Test
    void layersNotPricedArePrintedAndWrittenWithoutData() throws IOException {
        Path out = dir.resolve("rn20");
        CliRun r = run("energy", "--zoo", "resnet20", "--accelerators", "diannao", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        String note = "note: not priced (parameters of other layer kinds), 19 layers: BatchNormalization x 19 (";
        assertTrue(r.out().contains(note), r.out());
        assertTrue(Files.readString(out.resolve("summary.txt")).contains(note));
    }

    /** With --data the notes name the unpriced layers too (before, only the library path did). */
    @Test
    @SuppressWarnings("unchecked")
    void layersNotPricedArePrintedAndWrittenWithData() throws IOException {
        Path data = FashionMnist.resolveDir(null);
        assumeTrue(FashionMnist.isAvailable(data), "Fashion-MNIST not found in " + data + " (install dataset-fashion-mnist)");
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(FashionMnist.PIXELS).nOut(8).name("fc1").build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(8).name("bn1").build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(8).nOut(10).name("out")
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        net.init();
        Path zip = dir.resolve("bn.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, zip.toFile(), false);
        Path out = dir.resolve("bn");
        CliRun r = run("energy", zip.toString(), "--data", "fashion-mnist", "--samples", "8", "--accelerators", "diannao",
                "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        String note = "note: not priced (parameters of other layer kinds): bn1 (BatchNormalization)";
        assertTrue(r.out().contains(note), r.out());
        assertTrue(Files.readString(out.resolve("summary.txt")).contains(note));
        assertTrue(((String) json(out.resolve("summary.json")).get("notes")).contains("bn1 (BatchNormalization)"));
    }

    /**
     * A convolution of more than 32767 weights per kernel (LayerSpec.MAX_KERNEL_WEIGHTS), here 1 x 140,000, is listed as
     * not priced with the reason, and the rest of the network is priced (exit 0). Found by a bug hunt: WeightRep
     * counted its non-zeros in a short, which wraps; on the paper's buffers the layer was refused as too large for them
     * (exit 3, "give larger ones with --arch-spec"), and on larger buffers it was priced with 14,006 of its 280,000
     * weights counted as non-zero, Cambricon-X at 2.6 times DianNao's energy efficiency. The refusal of buffers too
     * small for a network is checked with a small --arch-spec (anArchitectureOfTheUsersOwn...).
     */
    @Test
    void aKernelOfMoreWeightsThanAKernelCountHoldsIsListedAsNotPriced() throws IOException {
        int taps = 140_000;
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, taps).nOut(1).name("wide").build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(2).name("out")
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(1, taps, 1))
                .build();
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        net.init();
        Path zip = dir.resolve("wide.zip");
        ModelSerializer.writeModel(net, zip.toFile(), false);
        Path out = dir.resolve("wide");
        CliRun r = run("energy", zip.toString(), "--input", "1x1x" + taps, "--accelerators", "diannao", "--out",
                out.toString());
        assertEquals(SmartDeal.EXIT_OK, r.exit(), r.err());
        assertTrue(r.out().startsWith("wide: 1 layers, 1 in the totals;"), r.out());
        assertTrue(r.out().contains("wide (ConvolutionLayer: 1 x 140000 kernel, 140000 weights each; kernels of more "
                + "than 32767 weights are not modelled)"), r.out());
    }

    /** Options that do not apply are usage errors (2) saying why; an --out that cannot be made is bad input (3). */
    @Test
    void optionsThatDoNotApplyAndUnwritableOutAreRefusedUpFront() throws IOException {
        Path out = dir.resolve("none");
        run("energy", "--zoo", "cnn", "--input", "1x28", "--out", out.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--input applies to a FILE (.sdm or .zip) only", "got --input 1x28");
        run("energy", "--zoo", "cnn", "--no-sweep", "--out", out.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--no-sweep applies with --paper only");
        run("energy", dir.resolve("missing.sdm").toString(), "--input", "1x28", "--out", out.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--input must be CxHxW with positive integers, e.g. 1x28x28, got '1x28'");
        Path file = Files.writeString(dir.resolve("afile"), "x");
        run("energy", "--zoo", "cnn", "--out", file.resolve("sub").toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out " + file.resolve("sub") + ": the folder does not exist and "
                        + "cannot be created");
        assertFalse(Files.exists(out));
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc: skipping the /proc/x case");
        CliRun p = run("energy", "--zoo", "cnn", "--out", "/proc/x")
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out /proc/x: the folder does not exist and cannot be created");
        assertFalse(p.err().contains(".partial"), "names the user's path, not the staging folder: " + p.err());
    }
}
