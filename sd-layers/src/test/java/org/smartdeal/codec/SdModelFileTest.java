package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.layers.params.SdParamInitializer;

/** Round trips of DL4J networks through the .sdm file (ALGORITHMS.md 4.1-4.2). */
class SdModelFileTest {

    @TempDir
    Path dir;

    private static MultiLayerNetwork mln() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).list()
                .layer(new SdDenseLayer.Builder().name("fc1").nIn(10).nOut(7).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().nOut(7).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(7).nOut(5).activation(Activation.RELU).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    private static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(8).graphBuilder()
                .addInputs("in")
                .addLayer("conv", new SdConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
                .addLayer("out", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build());
        g.init();
        return g;
    }

    /**
     * A network whose SD layers have padded last slices: conv 3x3 5 -> 4 (R = 15 rows per unit, slices
     * of 6: S = 3, the last with 3 real rows), dense 144 -> 7 (R = 48 rows of n = 3, slices of 20:
     * S = 3, the last with 8 real rows), output 7 -> 3 (R = 3, one slice).
     */
    private static MultiLayerNetwork paddedMln() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).list()
                .layer(new SdConvolutionLayer.Builder(3, 3).name("conv").nOut(4).sliceRows(6)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SdDenseLayer.Builder().name("fc").nOut(7).sliceRows(20).activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 5)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /**
     * Puts SD-form values into every SD layer: C in {0, +-2^p} with about a third zeros on the real
     * rows, a mask that also holds some zeros of C (revivable entries), both 0 on the rows padding a
     * unit's last slice (as SdParamInitializer sets them), random B; BatchNorm statistics moved off
     * their defaults so that they are checked too.
     */
    private static void fillSdForm(Layer[] layers, long seed) {
        Random r = new Random(seed);
        for (Layer l : layers) {
            if (l.conf().getLayer() instanceof SdLayer sd) {
                SdSliceShape shape = sd.sliceShape();
                long m = shape.sliceHeight();
                int n = shape.basisWidth();
                INDArray c = l.getParam(SdParamInitializer.C_KEY);
                INDArray mask = l.getParam(SdParamInitializer.MASK_KEY);
                for (long i = 0; i < c.length(); i++) {
                    boolean real = shape.isRealRow(i / (m * n) % shape.slicesPerUnit(), i / n % m);
                    int k = r.nextInt(3);
                    double v = !real || k == 0 ? 0 : (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0, -r.nextInt(8));
                    c.putScalar(i, v);
                    mask.putScalar(i, real && (v != 0 || r.nextInt(4) == 0) ? 1 : 0);
                }
                INDArray b = l.getParam(SdParamInitializer.B_KEY);
                b.assign(Nd4j.rand(DataType.DOUBLE, b.shape()).subi(0.5).castTo(b.dataType()));
            } else if (l.conf().getLayer() instanceof BatchNormalization) {
                for (INDArray p : l.paramTable().values()) {
                    p.assign(Nd4j.rand(DataType.DOUBLE, p.shape()).addi(0.5).castTo(p.dataType()));
                }
            }
        }
    }

    /** Rounds every SD layer's B to int8 exactly as the file does (a power-of-two scale per slice, format 2.4). */
    private static void roundB(Layer[] layers) {
        roundB(layers, true);
    }

    /** Rounds every SD layer's B to int8 with a scale per slice (2.4) or one per layer (2.0 to 2.3). */
    private static void roundB(Layer[] layers, boolean perSlice) {
        for (Layer l : layers) {
            if (l.conf().getLayer() instanceof SdLayer) {
                INDArray b = l.getParam(SdParamInitializer.B_KEY);
                double[] v = b.dup('c').castTo(DataType.DOUBLE).data().asDouble();
                double[] r = perSlice ? Int8Basis.roundTrip(v, (int) b.size(0)) : Int8Basis.roundTrip(v);
                b.assign(Nd4j.create(r, b.shape(), 'c').castTo(b.dataType()));
            }
        }
    }

    private static Layer[] layers(Model m) {
        return m instanceof MultiLayerNetwork n ? n.getLayers() : ((ComputationGraph) m).getLayers();
    }

    @Test
    void multiLayerNetworkRoundTripsToTheSameOutputsWithInt8B() throws IOException {
        MultiLayerNetwork net = mln();
        fillSdForm(net.getLayers(), 1);
        INDArray before = net.params().dup();
        Path file = dir.resolve("m.sdm");
        SdmLayout layout = SdModelFile.write(net, file);
        assertEquals(before, net.params(), "writing does not modify the network");
        assertEquals(Files.size(file), layout.fileBytes());
        assertEquals(8 * Files.size(file), layout.totalBreakdown().totalBits(), "bit accounting equals the file size");

        MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(file);
        // C and M come back exactly; B comes back int8-rounded; everything else bit-exact.
        roundB(net.getLayers());
        assertEquals(net.params(), back.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 10);
        assertEquals(net.output(x), back.output(x));
        // The revivable zeros (mask 1, C 0) survive: the mask is stored explicitly.
        assertEquals(net.getLayer(0).getParam("M"), back.getLayer(0).getParam("M"));
        // the same file read from its bytes gives the same network
        Model fromBytes = SdModelFile.read(Files.readAllBytes(file), "m.sdm in memory");
        assertEquals(back.params(), fromBytes.params());
        assertEquals(back.output(x), ((MultiLayerNetwork) fromBytes).output(x));
    }

    @Test
    void computationGraphWithConvolutionRoundTrips() throws IOException {
        ComputationGraph g = graph();
        fillSdForm(g.getLayers(), 2);
        Path file = dir.resolve("g.sdm");
        SdModelFile.write(g, file);
        Model back = SdModelFile.read(file);
        ComputationGraph gb = assertInstanceOf(ComputationGraph.class, back);
        roundB(g.getLayers());
        assertEquals(g.params(), gb.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 6, 6);
        assertEquals(g.outputSingle(x), gb.outputSingle(x));
    }

    @Test
    void nonPowerOfTwoCoefficientsAreStoredAsTheForwardPassSeesThem() throws IOException {
        MultiLayerNetwork net = mln();
        fillSdForm(net.getLayers(), 3);
        INDArray c = net.getLayer(0).getParam("C");
        // 0.3 -> P -> 0.25 (nearest power of two); 0.375 is a tie between 0.25 and 0.5 -> up (ALGORITHMS.md 6.1).
        c.putScalar(0, 0.3);
        c.putScalar(1, -0.375);
        net.getLayer(0).getParam("M").putScalar(0, 1).putScalar(1, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 10);
        roundB(net.getLayers());
        INDArray expected = net.output(x);
        Path file = dir.resolve("p.sdm");
        SdModelFile.write(net, file);
        MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(file);
        assertEquals(0.25, back.getLayer(0).getParam("C").getDouble(0));
        assertEquals(-0.5, back.getLayer(0).getParam("C").getDouble(1));
        assertEquals(expected, back.output(x));
    }

    @Test
    void corruptTruncatedAndMismatchedFilesFailNamingTheSection() throws IOException {
        MultiLayerNetwork net = mln();
        fillSdForm(net.getLayers(), 4);
        Path file = dir.resolve("c.sdm");
        SdModelFile.write(net, file);
        byte[] bytes = Files.readAllBytes(file);

        Path truncated = dir.resolve("t.sdm");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 7));
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdModelFile.read(truncated));
        assertTrue(e.getMessage().contains("t.sdm"), e.getMessage());

        Path flipped = dir.resolve("f.sdm");
        byte[] f = bytes.clone();
        f[f.length / 2] ^= 0x10;
        Files.write(flipped, f);
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.read(flipped));
        assertTrue(e.getMessage().toLowerCase().contains("crc") || e.getMessage().contains("section"), e.getMessage());

        // A valid file whose entries do not fit the configuration: swap in another network's CONFIG.
        SdmFile good = SdmReader.read(file).file();
        String otherConf = graph().getConfiguration().toJson();
        SdmFile mismatched = new SdmFile(NetworkType.COMPUTATION_GRAPH, otherConf, good.properties(), good.entries());
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(mismatched, "mismatch.sdm"));
        assertTrue(e.getMessage().contains("mismatch.sdm") && e.getMessage().contains("section"), e.getMessage());

        SdmFile notDl4j = new SdmFile(NetworkType.MULTI_LAYER_NETWORK, "{\"hello\": 1}", good.properties(), good.entries());
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(notDl4j, "bad.sdm"));
        assertTrue(e.getMessage().contains("section CONFIG"), e.getMessage());
    }

    /**
     * The window checks of the reader accept every convolution and pooling layer DL4J offers as the writer writes
     * them: depthwise, separable, transposed and plain 2-D convolutions with pooling (kept dense), and a causal 1-D
     * convolution with 1-D pooling. Each network (dense, so its float32 values are stored exactly) reads back with the
     * same outputs.
     */
    /**
     * A center-loss output layer's class centres: DL4J's initializer counts and lists them only through its
     * NeuralNetConfiguration overloads, so the file held them and the loader found "sections [..._cL] match no
     * parameter" (the session-24 fuzzing rounds). They round-trip now, bit for bit.
     */
    @Test
    void aCenterLossOutputLayerRoundTripsWithItsCentres() throws IOException {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new SdDenseLayer.Builder().name("fc1").nIn(10).nOut(6).activation(Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer.Builder().name("out").nIn(6).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        n.getLayer(1).getParam("cL").assign(Nd4j.rand(DataType.FLOAT, 4, 6));
        Path file = dir.resolve("center-loss.sdm");
        SdModelFile.write(n, file);
        MultiLayerNetwork back = (MultiLayerNetwork) SdModelFile.read(file);
        assertEquals(n.getLayer(1).getParam("cL"), back.getLayer(1).getParam("cL"));
        assertEquals(n.getLayer(1).getParam("W"), back.getLayer(1).getParam("W"));
    }

    /**
     * A FrozenVertex around a dense layer holds that layer's parameters: the writer stored them and the reader refused
     * the vertex ("an .sdm file stores only the parameters of layers"), so a converted graph did not load (the
     * session-24 fuzzing rounds). It is read as the layer it wraps; parameters and outputs come back exactly.
     */
    @Test
    void aFrozenVertexAroundALayerRoundTrips() throws IOException {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4)
                .graphBuilder().addInputs("in")
                .addLayer("d1", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "d1")
                .setOutputs("out").build();
        conf.getVertices().put("d1", new org.deeplearning4j.nn.conf.graph.FrozenVertex(conf.getVertices().get("d1")));
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Path file = dir.resolve("frozen-vertex.sdm");
        SdModelFile.write(g, file);
        ComputationGraph back = (ComputationGraph) SdModelFile.read(file);
        assertEquals(g.params(), back.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6);
        assertEquals(g.outputSingle(x), back.outputSingle(x));
    }

    @Test
    void everyKindOfConvolutionAndPoolingLayerRoundTrips() throws IOException {
        MultiLayerNetwork twoD = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(11).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.Builder(3, 3).nOut(4)
                        .depthMultiplier(2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).nOut(3)
                        .dilation(2, 2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(PoolingType.MAX)
                        .kernelSize(2, 2).stride(2, 2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Deconvolution2D.Builder(2, 2).nOut(2).stride(2, 2)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, 1).nOut(2).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build());
        twoD.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 8, 8);
        assertEquals(twoD.output(x), ((MultiLayerNetwork) SdModelFile.build(SdModelFile.toSdm(twoD), "2d.sdm"))
                .output(x));

        MultiLayerNetwork oneD = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(12).list()
                .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder(3).nOut(4)
                        .convolutionMode(ConvolutionMode.Causal).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Subsampling1DLayer.Builder(PoolingType.MAX)
                        .kernelSize(2).stride(2).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(3, 10)).build());
        oneD.init();
        INDArray s = Nd4j.rand(DataType.FLOAT, 2, 3, 10);
        assertEquals(oneD.output(s), ((MultiLayerNetwork) SdModelFile.build(SdModelFile.toSdm(oneD), "1d.sdm"))
                .output(s));
    }

    /**
     * CONFIG settings a crafted file can change that DL4J would meet only later (a fuzzing audit, 2026-12-05): a
     * data type that is not floating point (NullPointerException, IllegalStateException or a native "bad data
     * type" before), and convolution windows without a stride or with a causal mode on a 2-D layer (loaded, then
     * failed at the first output). Each is a named SdmFormatException now; the unedited file still loads.
     */
    @Test
    void configSettingsThatCannotRunAreRefusedAtLoad() throws IOException {
        MultiLayerNetwork net = paddedMln();
        fillSdForm(net.getLayers(), 3);
        SdmFile good = SdModelFile.toSdm(net);
        String json = good.configJson();
        assertTrue(SdModelFile.build(good, "good.sdm") instanceof MultiLayerNetwork);
        String top = "\"dataType\" : \"FLOAT\"";
        int last = json.lastIndexOf(top);
        assertTrue(last > 0, "the configuration's own dataType: " + json);
        for (String bad : new String[] {"null", "\"UTF8\"", "\"COMPRESSED\"", "\"LONG\""}) {
            String edited = json.substring(0, last) + "\"dataType\" : " + bad + json.substring(last + top.length());
            SdmFile f = new SdmFile(good.networkType(), edited, good.properties(), good.entries());
            SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(f, "t.sdm"), bad);
            assertEquals("t.sdm: section CONFIG: dataType must be a floating-point type (DOUBLE, FLOAT, HALF or"
                    + " BFLOAT16), got " + bad.replace("\"", ""), e.getMessage());
        }
        String stride = json.replaceFirst("\"stride\" : \\[ 1, 1 \\]", "\"stride\" : null");
        assertTrue(!stride.equals(json), "the conv layer's stride: " + json);
        SdmFile noStride = new SdmFile(good.networkType(), stride, good.properties(), good.entries());
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(noStride, "t.sdm"));
        assertEquals("t.sdm: section CONFIG: SdConvolutionLayer(name=conv, index=0): stride is missing",
                e.getMessage());
        String causal = json.replaceFirst("\"convolutionMode\" : \"Same\"", "\"convolutionMode\" : \"Causal\"");
        assertTrue(!causal.equals(json), "the conv layer's mode: " + json);
        SdmFile causal2d = new SdmFile(good.networkType(), causal, good.properties(), good.entries());
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.check(causal2d, "t.sdm", SdmFile.FORMAT_MINOR));
        assertEquals("t.sdm: section CONFIG: SdConvolutionLayer(name=conv, index=0): convolutionMode Causal applies to"
                + " 1-D layers only", e.getMessage());
    }

    @Test
    void layersWithPaddedLastSlicesRoundTripToTheSameOutputs() throws IOException {
        MultiLayerNetwork net = paddedMln();
        fillSdForm(net.getLayers(), 5);
        Path file = dir.resolve("padded.sdm");
        SdmLayout layout = SdModelFile.write(net, file);
        assertEquals(8 * Files.size(file), layout.totalBreakdown().totalBits(), "bit accounting equals the file size");
        SdmFile stored = SdmReader.read(file).file();
        // [K, m, n, R] by hand: conv 4 units x 3 slices of 6 rows of n = kw = 3, R = 5*3; fc 7 x 3 slices of 20, R = 48
        SdLayerData conv = stored.sdLayer("0").orElseThrow().layer();
        assertArrayEquals(new int[] {12, 6, 3, 15}, new int[] {conv.sliceCount(), conv.sliceRows(), conv.width(),
            conv.unitRows()});
        SdLayerData fc = stored.sdLayer("1").orElseThrow().layer();
        assertArrayEquals(new int[] {21, 20, 3, 48}, new int[] {fc.sliceCount(), fc.sliceRows(), fc.width(),
            fc.unitRows()});

        MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(file);
        roundB(net.getLayers());
        assertEquals(net.params(), back.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5, 6, 6);
        assertEquals(net.output(x), back.output(x));
    }

    /** The file's SD layers with every row real (R = m) and one B scale per layer: what a 2.2 writer stored. */
    private static SdmFile everyRowReal(SdmFile f) {
        java.util.List<SdmEntry> entries = new java.util.ArrayList<>();
        for (SdmEntry e : f.entries()) {
            if (e instanceof SdLayerEntry s) {
                SdLayerData d = s.layer();
                Int8Basis one = Int8Basis.quantize(d.b().toDoubles());
                e = new SdLayerEntry(s.name(), s.paramPrefix(), s.weightShape(), new SdLayerData(d.sliceCount(),
                        d.sliceRows(), d.width(), d.c(), Int8Basis.oneScale(one.values(), one.fracBits(), d.sliceCount())),
                        s.mask());
            }
            entries.add(e);
        }
        return new SdmFile(f.networkType(), f.configJson(), f.properties(), entries);
    }

    @Test
    void aVersion22FileOfPaddedLayersStillReadsAndA23FileMustStateTheRealRows() throws IOException {
        MultiLayerNetwork net = paddedMln();
        fillSdForm(net.getLayers(), 6);
        SdmFile legacy = everyRowReal(SdModelFile.toSdm(net));
        // In 2.3 a layer must state the configuration's real rows: the conv's R = m = 6 is not 5*3 = 15.
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(legacy, "r.sdm"));
        assertEquals("r.sdm: section SD_LAYER '0' holds R = 6 real rows per unit but the configuration needs"
                + " R = ceil(45 weights / n = 3) = 15", e.getMessage());
        // The same layers in a 2.2 file (no R field, every packed row indexed) read as before.
        byte[] v23 = SdmWriter.serialize(legacy, 3).bytes();
        Path file = dir.resolve("v22.sdm");
        Files.write(file, SdmFileTest.asVersion22(v23));
        SdmReader.Result old = SdmReader.read(file);
        assertEquals(2, old.formatMinor());
        assertEquals(20, old.file().sdLayer("1").orElseThrow().layer().unitRows(), "R = m");
        MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(file);
        // everyRowReal re-rounded the file's per-slice B to one scale per layer: do the same here
        roundB(net.getLayers(), true);
        roundB(net.getLayers(), false);
        assertEquals(net.params(), back.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 5, 6, 6);
        assertEquals(net.output(x), back.output(x));
        // 2.2 indexed the padding rows, 2.3 does not: the layers with padding cost fewer index bits now
        SdmLayout now = SdmWriter.serialize(SdModelFile.toSdm(net)).layout();
        int padded = 0;
        for (int i = 0; i < now.sections().size(); i++) {
            SectionInfo a = old.layout().sections().get(i);
            SectionInfo b = now.sections().get(i);
            if (b.name().equals("0") || b.name().equals("1")) {
                assertTrue(b.breakdown().indexBits() < a.breakdown().indexBits(), b.name());
                padded++;
            }
        }
        assertEquals(2, padded, "the conv and fc sections");
    }

    @Test
    void sdLayerShapesInFileMatchTheLayout() {
        MultiLayerNetwork net = mln();
        SdmFile f = SdModelFile.toSdm(net);
        SdLayerEntry fc1 = f.sdLayer("0").orElseThrow();
        // Dense 10 -> 7 with n = 3: 7 units, ceil(10/3) = 4 rows each, one slice per unit.
        assertEquals(7, fc1.layer().sliceCount());
        assertEquals(4, fc1.layer().sliceRows());
        assertEquals(3, fc1.layer().width());
        assertArrayEquals(new long[] {10, 7}, fc1.weightShape());
        // fc2 stays dense: its weight is counted as a dense weight in the paper CR's numerator.
        assertEquals(FloatArrayEntry.Role.DENSE_WEIGHT, f.floatArray("2_W").orElseThrow().role());
        assertEquals(FloatArrayEntry.Role.OTHER, f.floatArray("2_b").orElseThrow().role());
        assertEquals(10 * 7 + 7 * 5 + 5 * 3, f.denseWeightCount());
    }
}
