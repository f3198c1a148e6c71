package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * SdConvolutionLayer against DL4J's ConvolutionLayer holding W = C*B (naive rebuild of
 * {@link SdTestSupport}) over kernel shapes, strides, dilations, convolution modes and data
 * formats; gradient checks (MLN and CG), serialisation, the frozen mask and validation messages.
 */
class SdConvolutionLayerTest {

    private static final int BATCH = 2;
    private static final int CLASSES = 3;

    /** One convolution geometry. kw = 1 kernels use the flattened layout with basisWidth 3. */
    record Case(String name, int kh, int kw, int[] stride, int[] dilation, int[] pad, ConvolutionMode mode,
            CNN2DFormat format, int nIn, int nOut, int h, int w, int sliceRows) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("3x3 same NCHW, 3 slices/unit", 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                        ConvolutionMode.Same, CNN2DFormat.NCHW, 3, 4, 6, 6, 4),
                new Case("3x3 stride2 pad1 truncate NHWC", 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1},
                        ConvolutionMode.Truncate, CNN2DFormat.NHWC, 2, 3, 7, 7, 192),
                new Case("2x3 stride(1,2) dilation(2,1) truncate NCHW", 2, 3, new int[] {1, 2}, new int[] {2, 1},
                        new int[] {0, 0}, ConvolutionMode.Truncate, CNN2DFormat.NCHW, 3, 2, 7, 8, 4),
                new Case("3x3 strict NCHW", 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                        ConvolutionMode.Strict, CNN2DFormat.NCHW, 2, 2, 5, 5, 3),
                new Case("1x1 same NHWC, padded unit", 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                        ConvolutionMode.Same, CNN2DFormat.NHWC, 5, 4, 4, 4, 3),
                new Case("3x1 truncate NCHW (flattened)", 3, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 0},
                        ConvolutionMode.Truncate, CNN2DFormat.NCHW, 2, 3, 5, 4, 192));
    }

    /** ND4J's default types before this class, given back after it (surefire runs every class in one JVM). */
    private static DataType defaultType;
    private static DataType defaultFloatingType;

    @BeforeAll
    static void doublePrecision() {
        defaultType = Nd4j.dataType();
        defaultFloatingType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(defaultType, defaultFloatingType);
    }

    private static SdConvolutionLayer sdConv(Case c, boolean project) {
        return new SdConvolutionLayer.Builder(new int[] {c.kh, c.kw}, c.stride, c.pad).name("sdconv")
                .dilation(c.dilation).convolutionMode(c.mode).dataFormat(c.format).nIn(c.nIn).nOut(c.nOut)
                .activation(Activation.TANH).sliceRows(c.sliceRows).projectCoefficients(project).build();
    }

    private static ConvolutionLayer refConv(Case c) {
        return new ConvolutionLayer.Builder(new int[] {c.kh, c.kw}, c.stride, c.pad).dilation(c.dilation)
                .convolutionMode(c.mode).dataFormat(c.format).nIn(c.nIn).nOut(c.nOut).activation(Activation.TANH)
                .build();
    }

    /** A 1x1 built-in conv in front (so the SD layer's epsilon is checked), then the conv, then softmax. */
    private static MultiLayerConfiguration conf(Case c, org.deeplearning4j.nn.conf.layers.Layer conv, IUpdater u) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(u)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(1, 1).dataFormat(c.format).nOut(c.nIn)
                        .activation(Activation.TANH).build())
                .layer(conv)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(c.h, c.w, c.nIn, c.format))
                .build();
    }

    private static MultiLayerNetwork sdNet(Case c, boolean project, IUpdater u) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(c, sdConv(c, project), u));
        net.init();
        SdSliceShape s = ((SdLayer) net.getLayer(1).conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, c.h * 31L + c.kh, 0.3);
        SdTestSupport.setSdParams(net.getLayer(1), cc, SdTestSupport.randomB(s, c.w * 17L + c.kw), SdTestSupport.maskOf(cc));
        net.getLayer(1).getParam("b").assign(Nd4j.rand(DataType.DOUBLE, c.nOut).subi(0.5));
        return net;
    }

    private static INDArray input(Case c, long seed) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape = c.format == CNN2DFormat.NCHW ? new long[] {BATCH, c.nIn, c.h, c.w}
                : new long[] {BATCH, c.h, c.w, c.nIn};
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, BATCH, CLASSES);
        for (int r = 0; r < BATCH; r++) {
            y.putScalar(r, (r + 1) % CLASSES, 1.0);
        }
        return y;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputsAndGradientsEqualConvolutionLayerHoldingCTimesB(Case c) {
        MultiLayerNetwork sd = sdNet(c, true, new NoOp());
        MultiLayerNetwork ref = new MultiLayerNetwork(conf(c, refConv(c), new NoOp()));
        ref.init();
        Layer sdConv = sd.getLayer(1);
        SdSliceShape s = ((SdLayer) sdConv.conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.values(sdConv.getParam("C"));
        double[] bb = SdTestSupport.values(sdConv.getParam("B"));
        double[] mm = SdTestSupport.values(sdConv.getParam("M"));
        ref.getLayer(0).setParams(sd.getLayer(0).params().dup());
        ref.getLayer(2).setParams(sd.getLayer(2).params().dup());
        INDArray w = SdTestSupport.convWeight(SdTestSupport.rebuildUnits(s, cc, bb), c.nIn, c.kh, c.kw);
        assertArrayEquals(ref.getLayer(1).getParam("W").shape(), w.shape());
        ref.getLayer(1).setParam("W", w);
        ref.getLayer(1).setParam("b", sdConv.getParam("b").dup().reshape(ref.getLayer(1).getParam("b").shape()));

        INDArray x = input(c, 3);
        INDArray y = labels();
        assertArrayEquals(SdTestSupport.values(ref.output(x)), SdTestSupport.values(sd.output(x)), 1e-12);

        sd.setInput(x);
        sd.setLabels(y);
        sd.computeGradientAndScore();
        ref.setInput(x);
        ref.setLabels(y);
        ref.computeGradientAndScore();
        assertEquals(ref.score(), sd.score(), 1e-12);
        Gradient gs = sd.gradient();
        Gradient gr = ref.gradient();
        double[][] expected = SdTestSupport.chain(s, cc, mm, bb, SdTestSupport.unitsOfConv(gr.getGradientFor("1_W")));
        double[] dC = SdTestSupport.values(gs.getGradientFor("1_C"));
        assertArrayEquals(expected[0], dC, 1e-12, "dC");
        assertArrayEquals(expected[1], SdTestSupport.values(gs.getGradientFor("1_B")), 1e-12, "dB");
        assertArrayEquals(SdTestSupport.values(gr.getGradientFor("1_b")), SdTestSupport.values(gs.getGradientFor("1_b")),
                1e-12, "db");
        // The epsilon the SD conv passes down shows up in the first conv's weight gradient.
        assertArrayEquals(SdTestSupport.values(gr.getGradientFor("0_W")), SdTestSupport.values(gs.getGradientFor("0_W")),
                1e-12, "epsilon");
        for (int k = 0; k < dC.length; k++) {
            if (mm[k] == 0) {
                assertTrue(dC[k] == 0.0, "masked entry " + k + " must get exactly 0, got " + dC[k]);
            }
        }
        for (double g : SdTestSupport.values(gs.getGradientFor("1_M"))) {
            assertTrue(g == 0.0, "dM must be exactly 0, got " + g);
        }
    }

    static Stream<Case> gradientCheckCases() {
        Case small3x3 = new Case("3x3 same NCHW, 2 slices/unit", 3, 3, new int[] {1, 1}, new int[] {1, 1},
                new int[] {0, 0}, ConvolutionMode.Same, CNN2DFormat.NCHW, 2, 2, 5, 5, 3);
        return Stream.concat(Stream.of(small3x3),
                cases().filter(c -> c.name.startsWith("2x3") || c.name.startsWith("3x1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCheckCases")
    void gradientCheckMultiLayerNetwork(Case c) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(c.nIn).activation(Activation.TANH).build())
                .layer(sdConv(c, false))
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(c.h, c.w, c.nIn, c.format)).build());
        net.init();
        SdSliceShape s = ((SdLayer) net.getLayer(1).conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, 4, 0.3);
        SdTestSupport.setSdParams(net.getLayer(1), cc, SdTestSupport.randomB(s, 5), SdTestSupport.maskOf(cc));
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input(c, 5))
                .labels(labels()).excludeParams(Set.of("1_M")).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
    }

    @Test
    void gradientCheckComputationGraph() {
        Case c = cases().filter(x -> x.name.contains("strict")).findFirst().orElseThrow();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("conv", sdConv(c, false), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(c.h, c.w, c.nIn, c.format)).build();
        ComputationGraph cg = new ComputationGraph(conf);
        cg.init();
        SdSliceShape s = ((SdLayer) cg.getLayer("conv").conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, 5, 0.3);
        SdTestSupport.setSdParams(cg.getLayer("conv"), cc, SdTestSupport.randomB(s, 6), SdTestSupport.maskOf(cc));
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(cg)
                .inputs(new INDArray[] {input(c, 9)}).labels(new INDArray[] {labels()})
                .excludeParams(Set.of("conv_M")).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
    }

    @Test
    void nd4jAndJavaKernelsGiveTheSameOutputsAndGradients() {
        Case c = cases().findFirst().orElseThrow();
        MultiLayerNetwork java;
        MultiLayerNetwork nd4j;
        System.setProperty("smartdeal.sd.kernel", "java");
        try {
            java = sdNet(c, true, new NoOp());
            System.setProperty("smartdeal.sd.kernel", "nd4j");
            nd4j = sdNet(c, true, new NoOp());
        } finally {
            System.clearProperty("smartdeal.sd.kernel");
        }
        nd4j.setParams(java.params().dup());
        INDArray x = input(c, 12);
        assertArrayEquals(SdTestSupport.values(java.output(x)), SdTestSupport.values(nd4j.output(x)), 1e-12);
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {java, nd4j}) {
            n.setInput(x);
            n.setLabels(labels());
            n.computeGradientAndScore();
        }
        assertArrayEquals(SdTestSupport.values(java.gradient().gradient()), SdTestSupport.values(nd4j.gradient().gradient()),
                1e-12);
    }

    @Test
    void configurationRoundTripsThroughJson() {
        for (Case c : cases().toList()) {
            MultiLayerConfiguration conf = conf(c, sdConv(c, true), new Adam(1e-3));
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(conf, back, c.name);
            SdConvolutionLayer l = (SdConvolutionLayer) back.getConf(1).getLayer();
            assertEquals(c.format, l.getCnn2dDataFormat(), c.name);
            assertEquals(c.mode, l.getConvolutionMode(), c.name);
            assertEquals(c.sliceRows, l.getSliceRows(), c.name);
            assertArrayEquals(c.dilation, l.getDilation(), c.name);
        }
    }

    @Test
    void modelSerializerRoundTripContinuesTrainingBitIdenticallyAndMaskStaysFrozen(@TempDir Path dir) throws Exception {
        Case c = cases().findFirst().orElseThrow();
        MultiLayerNetwork net = new MultiLayerNetwork(
                new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new Adam(5e-2))
                        .weightDecay(1e-2).l2(1e-3).weightInit(WeightInit.XAVIER).list()
                        .layer(sdConv(c, true))
                        .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                        .setInputType(InputType.convolutional(c.h, c.w, c.nIn, c.format)).build());
        net.init();
        SdSliceShape s = ((SdLayer) net.getLayer(0).conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, 77, 0.4);
        double[] m0 = SdTestSupport.maskOf(cc);
        SdTestSupport.setSdParams(net.getLayer(0), cc, SdTestSupport.randomB(s, 78), m0);
        INDArray x = input(c, 1);
        INDArray y = labels();
        net.fit(x, y);
        net.fit(x, y);
        File f = dir.resolve("conv.zip").toFile();
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(f, true);
        for (int i = 0; i < 3; i++) {
            net.fit(x, y);
            back.fit(x, y);
        }
        assertArrayEquals(SdTestSupport.values(net.params()), SdTestSupport.values(back.params()), 0.0);
        assertArrayEquals(m0, SdTestSupport.values(net.getLayer(0).getParam("M")), 0.0);
        double[] c5 = SdTestSupport.values(net.getLayer(0).getParam("C"));
        for (int k = 0; k < c5.length; k++) {
            if (m0[k] == 0) {
                assertEquals(0.0, c5[k], "masked C entry " + k);
            }
        }
    }

    @Test
    void validationErrorsNameLayerIndexFieldRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SdConvolutionLayer.Builder(3, 3).name("conv3").nIn(4).nOut(4).sliceRows(0).build());
        assertEquals("SdConvolutionLayer(name=conv3).sliceRows must be in [n=3, 4096], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SdConvolutionLayer.Builder(1, 1).name("pw").nIn(4).nOut(4).basisWidth(4).sliceRows(2).build());
        assertEquals("SdConvolutionLayer(name=pw).sliceRows must be in [n=4, 4096], got 2", e.getMessage());

        Case c = cases().findFirst().orElseThrow();
        NeuralNetConfiguration.ListBuilder lb = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list();
        for (int i = 0; i < 4; i++) {
            lb.layer(new ConvolutionLayer.Builder(1, 1).nOut(c.nIn).build());
        }
        MultiLayerConfiguration conf = lb.layer(new SdConvolutionLayer.Builder(3, 3).name("conv3").nOut(4)
                        .sliceRows(7).convolutionMode(ConvolutionMode.Same).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(c.h, c.w, c.nIn)).build();
        String json = conf.toJson().replaceFirst("\"sliceRows\"\\s*:\\s*7", "\"sliceRows\" : 0");
        MultiLayerNetwork bad = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        e = assertThrows(IllegalArgumentException.class, bad::init);
        assertEquals("SdConvolutionLayer(name=conv3, index=4).sliceRows must be in [n=3, 4096], got 0", e.getMessage());

        MultiLayerNetwork noNIn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(new SdConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(4).nOut(CLASSES).activation(Activation.SOFTMAX)
                        .build()).build());
        e = assertThrows(IllegalArgumentException.class, noNIn::init);
        assertEquals("SdConvolutionLayer(name=conv1).nIn must be >= 1, got 0 (set it on the builder, or give the "
                + "configuration an input type with setInputType)", e.getMessage());
    }
}
