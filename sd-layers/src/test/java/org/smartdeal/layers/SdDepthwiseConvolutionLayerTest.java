package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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
import org.nd4j.linalg.ops.transforms.Transforms;
import org.smartdeal.codec.SdModelFile;

/**
 * SdDepthwiseConvolutionLayer against DL4J's DepthwiseConvolution2D holding W = C*B, W laid out by a naive loop
 * written here from ALGORITHMS.md 2 (output channel u = c*d + j is unit u; its kh x kw kernel is W[:, :, c, j], row
 * y of the unit's matrix is kernel row y): outputs, dC/dB against the naive chain rule of {@link SdTestSupport},
 * the epsilon passed down, over kernel shapes, strides, dilations, modes, formats, depth multipliers and two slices
 * per unit; gradient checks (MLN and CG); the float kernel; JSON, ModelSerializer and .sdm round trips; the inference
 * cache; validation messages.
 */
class SdDepthwiseConvolutionLayerTest {

    private static final int BATCH = 2;
    private static final int CLASSES = 3;

    /** One depthwise geometry. */
    record Case(String name, int kh, int kw, int[] stride, int[] dilation, int[] pad, ConvolutionMode mode,
            CNN2DFormat format, int nIn, int multiplier, int h, int w, int sliceRows) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("3x3 same NCHW d=1", 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                        ConvolutionMode.Same, CNN2DFormat.NCHW, 3, 1, 6, 6, 192),
                new Case("3x3 stride2 pad1 truncate NHWC d=2", 3, 3, new int[] {2, 2}, new int[] {1, 1},
                        new int[] {1, 1}, ConvolutionMode.Truncate, CNN2DFormat.NHWC, 2, 2, 7, 7, 192),
                new Case("2x3 stride(1,2) dilation(2,1) truncate NCHW d=3", 2, 3, new int[] {1, 2}, new int[] {2, 1},
                        new int[] {0, 0}, ConvolutionMode.Truncate, CNN2DFormat.NCHW, 2, 3, 7, 8, 192),
                new Case("5x2 strict NCHW, 2 slices/unit", 5, 2, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                        ConvolutionMode.Strict, CNN2DFormat.NCHW, 3, 1, 6, 5, 3),
                new Case("3x1 same NHWC d=2 (n = 1)", 3, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0},
                        ConvolutionMode.Same, CNN2DFormat.NHWC, 2, 2, 5, 4, 192));
    }

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static SdDepthwiseConvolutionLayer sdDw(Case c, boolean project) {
        return new SdDepthwiseConvolutionLayer.Builder(new int[] {c.kh, c.kw}, c.stride, c.pad).name("sddw")
                .dilation(c.dilation).convolutionMode(c.mode).dataFormat(c.format).depthMultiplier(c.multiplier)
                .nIn(c.nIn).activation(Activation.TANH).sliceRows(c.sliceRows).projectCoefficients(project).build();
    }

    private static DepthwiseConvolution2D refDw(Case c) {
        return new DepthwiseConvolution2D.Builder(new int[] {c.kh, c.kw}, c.stride, c.pad).dilation(c.dilation)
                .convolutionMode(c.mode).dataFormat(c.format).depthMultiplier(c.multiplier).nIn(c.nIn)
                .activation(Activation.TANH).build();
    }

    /** A 1x1 built-in conv in front (so the SD layer's epsilon is checked), then the depthwise layer, then softmax. */
    private static MultiLayerConfiguration conf(Case c, org.deeplearning4j.nn.conf.layers.Layer dw, IUpdater u,
            DataType dt) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(dt).updater(u).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(1, 1).dataFormat(c.format).nOut(c.nIn).activation(Activation.TANH)
                        .build())
                .layer(dw)
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(c.h, c.w, c.nIn, c.format))
                .build();
    }

    private static MultiLayerNetwork sdNet(Case c, boolean project, IUpdater u, DataType dt) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(c, sdDw(c, project), u, dt));
        net.init();
        SdSliceShape s = ((SdLayer) net.getLayer(1).conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, c.h * 31L + c.kh, 0.3);
        SdTestSupport.setSdParams(net.getLayer(1), cc, SdTestSupport.randomB(s, c.w * 17L + c.kw),
                SdTestSupport.maskOf(cc));
        net.getLayer(1).getParam("b").assign(Nd4j.rand(DataType.DOUBLE, (long) c.nIn * c.multiplier).subi(0.5));
        return net;
    }

    /** DL4J M2.1's depthwise W [kh, kw, nIn, d] from unit-major weights: W[y, x, ci, j] = units[ci*d + j][y*kw + x]. */
    static INDArray depthwiseWeight(double[][] units, int kh, int kw, int nIn, int d) {
        INDArray w = Nd4j.create(DataType.DOUBLE, kh, kw, nIn, d);
        for (int ci = 0; ci < nIn; ci++) {
            for (int j = 0; j < d; j++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        w.putScalar(new long[] {y, x, ci, j}, units[ci * d + j][y * kw + x]);
                    }
                }
            }
        }
        return w;
    }

    /** Unit-major dW [U][L] from a depthwise dW [kh, kw, nIn, d]. */
    static double[][] unitsOfDepthwise(INDArray dW) {
        int kh = (int) dW.size(0);
        int kw = (int) dW.size(1);
        int nIn = (int) dW.size(2);
        int d = (int) dW.size(3);
        double[][] u = new double[nIn * d][kh * kw];
        for (int ci = 0; ci < nIn; ci++) {
            for (int j = 0; j < d; j++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        u[ci * d + j][y * kw + x] = dW.getDouble(y, x, ci, j);
                    }
                }
            }
        }
        return u;
    }

    private static INDArray input(Case c, long seed, DataType dt) {
        Nd4j.getRandom().setSeed(seed);
        long[] shape = c.format == CNN2DFormat.NCHW ? new long[] {BATCH, c.nIn, c.h, c.w}
                : new long[] {BATCH, c.h, c.w, c.nIn};
        return Nd4j.rand(dt, shape).subi(0.5);
    }

    private static INDArray labels(DataType dt) {
        INDArray y = Nd4j.zeros(dt, BATCH, CLASSES);
        for (int r = 0; r < BATCH; r++) {
            y.putScalar(r, (r + 1) % CLASSES, 1.0);
        }
        return y;
    }

    /** The dense twin of an SD network: DL4J's DepthwiseConvolution2D holding the naive W = C*B. */
    private static MultiLayerNetwork denseTwin(Case c, MultiLayerNetwork sd, DataType dt) {
        MultiLayerNetwork ref = new MultiLayerNetwork(conf(c, refDw(c), new NoOp(), dt));
        ref.init();
        Layer sdDw = sd.getLayer(1);
        SdSliceShape s = ((SdLayer) sdDw.conf().getLayer()).sliceShape();
        double[][] units = SdTestSupport.rebuildUnits(s, SdTestSupport.values(sdDw.getParam("C")),
                SdTestSupport.values(sdDw.getParam("B")));
        ref.getLayer(0).setParams(sd.getLayer(0).params().dup());
        ref.getLayer(2).setParams(sd.getLayer(2).params().dup());
        INDArray w = depthwiseWeight(units, c.kh, c.kw, c.nIn, c.multiplier);
        assertArrayEquals(ref.getLayer(1).getParam("W").shape(), w.shape());
        ref.getLayer(1).setParam("W", w.castTo(dt));
        ref.getLayer(1).setParam("b", sdDw.getParam("b").dup().reshape(ref.getLayer(1).getParam("b").shape()));
        return ref;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputsAndGradientsEqualDepthwiseConvolution2DHoldingCTimesB(Case c) {
        MultiLayerNetwork sd = sdNet(c, true, new NoOp(), DataType.DOUBLE);
        MultiLayerNetwork ref = denseTwin(c, sd, DataType.DOUBLE);
        Layer sdDw = sd.getLayer(1);
        SdSliceShape s = ((SdLayer) sdDw.conf().getLayer()).sliceShape();
        assertEquals((long) c.nIn * c.multiplier, s.units());
        assertEquals(c.kw, s.basisWidth());
        assertEquals((c.kh + c.sliceRows - 1) / c.sliceRows, s.slicesPerUnit());
        double[] cc = SdTestSupport.values(sdDw.getParam("C"));
        double[] bb = SdTestSupport.values(sdDw.getParam("B"));
        double[] mm = SdTestSupport.values(sdDw.getParam("M"));

        INDArray x = input(c, 3, DataType.DOUBLE);
        INDArray y = labels(DataType.DOUBLE);
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
        double[][] expected = SdTestSupport.chain(s, cc, mm, bb, unitsOfDepthwise(gr.getGradientFor("1_W")));
        double[] dC = SdTestSupport.values(gs.getGradientFor("1_C"));
        assertArrayEquals(expected[0], dC, 1e-12, "dC");
        assertArrayEquals(expected[1], SdTestSupport.values(gs.getGradientFor("1_B")), 1e-12, "dB");
        assertArrayEquals(SdTestSupport.values(gr.getGradientFor("1_b")), SdTestSupport.values(gs.getGradientFor("1_b")),
                1e-12, "db");
        assertArrayEquals(SdTestSupport.values(gr.getGradientFor("0_W")), SdTestSupport.values(gs.getGradientFor("0_W")),
                1e-12, "epsilon");
        for (int k = 0; k < dC.length; k++) {
            if (mm[k] == 0) {
                assertTrue(dC[k] == 0.0, "masked entry " + k + " must get exactly 0, got " + dC[k]);
            }
        }
    }

    @Test
    void floatParametersRunTheFloatKernelAndMatchTheDenseTwin() {
        Case c = cases().filter(x -> x.multiplier == 2).findFirst().orElseThrow();
        MultiLayerNetwork sd = sdNet(c, true, new NoOp(), DataType.FLOAT);
        MultiLayerNetwork ref = denseTwin(c, sd, DataType.FLOAT);
        INDArray x = input(c, 4, DataType.FLOAT);
        assertArrayEquals(SdTestSupport.values(ref.output(x)), SdTestSupport.values(sd.output(x)), 1e-5);
        SdSliceShape s = ((SdLayer) sd.getLayer(1).conf().getLayer()).sliceShape();
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {sd, ref}) {
            n.setInput(x);
            n.setLabels(labels(DataType.FLOAT));
            n.computeGradientAndScore();
        }
        double[][] expected = SdTestSupport.chain(s, SdTestSupport.values(sd.getLayer(1).getParam("C")),
                SdTestSupport.values(sd.getLayer(1).getParam("M")), SdTestSupport.values(sd.getLayer(1).getParam("B")),
                unitsOfDepthwise(ref.gradient().getGradientFor("1_W").castTo(DataType.DOUBLE)));
        assertArrayEquals(expected[0], SdTestSupport.values(sd.gradient().getGradientFor("1_C")), 1e-5, "dC");
        assertArrayEquals(expected[1], SdTestSupport.values(sd.gradient().getGradientFor("1_B")), 1e-5, "dB");
    }

    static Stream<Case> gradientCheckCases() {
        return cases().filter(c -> c.name.startsWith("2x3") || c.name.startsWith("5x2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCheckCases")
    void gradientCheckMultiLayerNetwork(Case c) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(c.nIn).activation(Activation.TANH).build())
                .layer(sdDw(c, false))
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(c.h, c.w, c.nIn, c.format)).build());
        net.init();
        SdSliceShape s = ((SdLayer) net.getLayer(1).conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, 4, 0.3);
        SdTestSupport.setSdParams(net.getLayer(1), cc, SdTestSupport.randomB(s, 5), SdTestSupport.maskOf(cc));
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                .input(input(c, 5, DataType.DOUBLE)).labels(labels(DataType.DOUBLE)).excludeParams(Set.of("1_M"))
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
    }

    @Test
    void gradientCheckComputationGraph() {
        Case c = cases().filter(x -> x.name.contains("NHWC d=2") && x.kh == 3 && x.kw == 3).findFirst().orElseThrow();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("dw", sdDw(c, false), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "dw")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(c.h, c.w, c.nIn, c.format)).build();
        ComputationGraph cg = new ComputationGraph(conf);
        cg.init();
        SdSliceShape s = ((SdLayer) cg.getLayer("dw").conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, 5, 0.3);
        SdTestSupport.setSdParams(cg.getLayer("dw"), cc, SdTestSupport.randomB(s, 6), SdTestSupport.maskOf(cc));
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(cg)
                .inputs(new INDArray[] {input(c, 9, DataType.DOUBLE)}).labels(new INDArray[] {labels(DataType.DOUBLE)})
                .excludeParams(Set.of("dw_M")).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok);
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
    }

    @Test
    void nd4jAndJavaKernelsGiveTheSameOutputsAndGradients() {
        Case c = cases().filter(x -> x.multiplier == 3).findFirst().orElseThrow();
        MultiLayerNetwork java;
        MultiLayerNetwork nd4j;
        System.setProperty("smartdeal.sd.kernel", "java");
        try {
            java = sdNet(c, true, new NoOp(), DataType.DOUBLE);
            System.setProperty("smartdeal.sd.kernel", "nd4j");
            nd4j = sdNet(c, true, new NoOp(), DataType.DOUBLE);
        } finally {
            System.clearProperty("smartdeal.sd.kernel");
        }
        nd4j.setParams(java.params().dup());
        INDArray x = input(c, 12, DataType.DOUBLE);
        assertArrayEquals(SdTestSupport.values(java.output(x)), SdTestSupport.values(nd4j.output(x)), 1e-12);
        for (MultiLayerNetwork n : new MultiLayerNetwork[] {java, nd4j}) {
            n.setInput(x);
            n.setLabels(labels(DataType.DOUBLE));
            n.computeGradientAndScore();
        }
        assertArrayEquals(SdTestSupport.values(java.gradient().gradient()),
                SdTestSupport.values(nd4j.gradient().gradient()), 1e-12);
    }

    @Test
    void configurationRoundTripsThroughJsonAndKeepsDl4jDepthwiseSemantics() {
        for (Case c : cases().toList()) {
            MultiLayerConfiguration conf = conf(c, sdDw(c, true), new Adam(1e-3), DataType.DOUBLE);
            // n is the kernel width, not a setting: the JSON form has no basisWidth to read back
            assertFalse(conf.toJson().contains("basisWidth"), c.name);
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(conf, back, c.name);
            SdDepthwiseConvolutionLayer l = (SdDepthwiseConvolutionLayer) back.getConf(1).getLayer();
            assertInstanceOf(DepthwiseConvolution2D.class, l);
            assertEquals(c.format, l.getCnn2dDataFormat(), c.name);
            assertEquals(c.multiplier, l.getDepthMultiplier(), c.name);
            assertEquals((long) c.nIn * c.multiplier, l.getNOut(), c.name);
            assertEquals(c.sliceRows, l.getSliceRows(), c.name);
            assertEquals(c.kw, l.getBasisWidth(), c.name);
            assertArrayEquals(new long[] {c.kh, c.kw, c.nIn, c.multiplier}, l.weightShape(), c.name);
        }
    }

    @Test
    void modelSerializerRoundTripContinuesTrainingBitIdenticallyAndMaskStaysFrozen(@TempDir Path dir) throws Exception {
        Case c = cases().filter(x -> x.multiplier == 2).findFirst().orElseThrow();
        MultiLayerNetwork net = new MultiLayerNetwork(
                new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new Adam(5e-2))
                        .weightInit(WeightInit.XAVIER).list()
                        .layer(sdDw(c, true))
                        .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX)
                                .build())
                        .setInputType(InputType.convolutional(c.h, c.w, c.nIn, c.format)).build());
        net.init();
        SdSliceShape s = ((SdLayer) net.getLayer(0).conf().getLayer()).sliceShape();
        double[] cc = SdTestSupport.randomC(s, 77, 0.4);
        double[] m0 = SdTestSupport.maskOf(cc);
        SdTestSupport.setSdParams(net.getLayer(0), cc, SdTestSupport.randomB(s, 78), m0);
        INDArray x = input(c, 1, DataType.DOUBLE);
        INDArray y = labels(DataType.DOUBLE);
        INDArray before = net.params().dup();
        net.fit(x, y);
        net.fit(x, y);
        assertFalse(before.equals(net.params()), "two Adam steps must move the parameters");
        File f = dir.resolve("dw.zip").toFile();
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
    void sdmFileRoundTripGivesTheSameOutputs(@TempDir Path dir) throws Exception {
        for (Case c : cases().toList()) {
            MultiLayerNetwork sd = sdNet(c, true, new NoOp(), DataType.DOUBLE);
            // B on a 2^-6 grid (|B| <= 0.5): exact in the file's int8 basis with its per-slice scale (FORMAT.md)
            INDArray grid = Transforms.round(sd.getLayer(1).getParam("B").mul(64)).divi(64);
            sd.getLayer(1).setParam("B", grid);
            Path f = dir.resolve("dw-" + c.kh + "x" + c.kw + "-" + c.multiplier + ".sdm");
            SdModelFile.write(sd, f);
            MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(f);
            assertInstanceOf(SdDepthwiseConvolutionLayer.class, back.getLayer(1).conf().getLayer(), c.name);
            assertArrayEquals(SdTestSupport.values(sd.getLayer(1).getParam("C")),
                    SdTestSupport.values(back.getLayer(1).getParam("C")), 0.0, c.name);
            assertArrayEquals(SdTestSupport.values(grid), SdTestSupport.values(back.getLayer(1).getParam("B")), 0.0,
                    c.name);
            INDArray x = input(c, 8, DataType.DOUBLE);
            // the other layers' parameters are stored as float32 (FORMAT.md)
            assertArrayEquals(SdTestSupport.values(sd.output(x)), SdTestSupport.values(back.output(x)), 1e-6, c.name);
        }
    }

    @Test
    void inferenceCacheReusesTheRebuiltWeightAndSettersDropIt() {
        Case c = cases().findFirst().orElseThrow();
        MultiLayerNetwork sd = sdNet(c, true, new NoOp(), DataType.DOUBLE);
        INDArray x = input(c, 2, DataType.DOUBLE);
        INDArray expected = sd.output(x).dup();
        assertEquals(1, SdInferenceCache.enable(sd));
        assertArrayEquals(SdTestSupport.values(expected), SdTestSupport.values(sd.output(x)), 0.0);
        org.smartdeal.layers.impl.SdRuntimeLayer rt = (org.smartdeal.layers.impl.SdRuntimeLayer) sd.getLayer(1);
        assertTrue(rt.isInferenceCacheValid());
        INDArray b = sd.getLayer(1).getParam("B").mul(2);
        sd.getLayer(1).setParam("B", b);
        assertFalse(rt.isInferenceCacheValid());
        MultiLayerNetwork twin = denseTwin(c, sd, DataType.DOUBLE);
        assertArrayEquals(SdTestSupport.values(twin.output(x)), SdTestSupport.values(sd.output(x)), 1e-12);
    }

    @Test
    void validationErrorsNameLayerFieldRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SdDepthwiseConvolutionLayer.Builder(3, 3).name("dw3").nIn(4).sliceRows(2).build());
        assertEquals("SdDepthwiseConvolutionLayer(name=dw3).sliceRows must be in [n=3, 4096], got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SdDepthwiseConvolutionLayer.Builder(3, 3).name("dw3").nIn(4).theta(2).build());
        assertEquals("SdDepthwiseConvolutionLayer(name=dw3).theta must be in [0, 1], got 2.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SdDepthwiseConvolutionLayer.Builder(1, 65).name("wide").nIn(4).build());
        assertEquals("SdDepthwiseConvolutionLayer(name=wide).kernelSize width must be in [1, 64] (it is the basis width "
                + "n), got 65", e.getMessage());

        Case c = cases().findFirst().orElseThrow();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new SdDepthwiseConvolutionLayer.Builder(3, 3).name("dw").depthMultiplier(2)
                        .convolutionMode(ConvolutionMode.Same).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(c.h, c.w, c.nIn)).build();
        // DL4J's JSON reader recomputes nOut = nIn * depthMultiplier; a configuration edited in code is checked at init
        ((SdDepthwiseConvolutionLayer) conf.getConf(0).getLayer()).setNOut(5);
        MultiLayerNetwork bad = new MultiLayerNetwork(conf);
        e = assertThrows(IllegalArgumentException.class, bad::init);
        assertEquals("SdDepthwiseConvolutionLayer(name=dw, index=0).nOut must be nIn * depthMultiplier = 3 * 2, got 5",
                e.getMessage());
    }
}
