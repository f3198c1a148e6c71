package org.smartdeal.hw.dl4j;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.Tiling;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdDepthwiseConvolutionLayer;
import org.smartdeal.layers.SdOutputLayer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LayerSpec / WeightRep extraction from small hand-built networks (expected values hand-derived). */
class WorkloadsTest {

    static MultiLayerNetwork cnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
            .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(2).activation(Activation.RELU).name("conv").build())
            .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).name("pool").build())
            .layer(new DenseLayer.Builder().nOut(3).activation(Activation.RELU).name("fc").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutionalFlat(5, 5, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void mlnShapesInExecutionOrder() {
        MultiLayerNetwork net = cnn();
        List<LayerSpec> s = Workloads.extract(net, InputType.convolutionalFlat(5, 5, 1)).specs();
        assertEquals(List.of("conv", "fc", "out"), s.stream().map(LayerSpec::id).toList());
        // conv: 1 -> 2 channels, 3x3 pad 1 on 5x5 -> 5x5
        assertEquals(new LayerSpec("conv", LayerType.CONV, 1, 2, 1, 1, 3, 3, 5, 5, 5, 5, 1, 1, 1, true), s.get(0));
        // pool 2x2/2 of 5x5 -> 2x2, flattened 2*2*2 = 8 inputs to fc
        assertEquals(LayerSpec.fc("fc", LayerType.FC, 3, 8, true), s.get(1));
        assertEquals(LayerSpec.fc("out", LayerType.FC, 2, 3, true), s.get(2));
    }

    @Test
    void denseWeightsAreCountedOnInt8() {
        MultiLayerNetwork net = cnn();
        // conv W [nOut=2, nIn=1, 3, 3]: all 1 except filter 0 kernel row 1 = 0 and one tiny weight 0.003 (< 1/254: q = 0)
        var w = net.getLayer(0).getParam("W");
        w.assign(1);
        for (int x = 0; x < 3; x++) w.putScalar(new int[] {0, 0, 1, x}, 0);
        w.putScalar(new int[] {1, 0, 2, 2}, 0.003);
        // fc W [nIn=8, nOut=3]: unit 2 (column 2) has 5 non-zeros
        var f = net.getLayer(2).getParam("W");
        f.assign(0.5);
        for (int i = 0; i < 3; i++) f.putScalar(new int[] {i, 2}, 0);
        WeightRep conv = Workloads.extract(net, InputType.convolutionalFlat(5, 5, 1)).layers().get(0).weights();
        assertEquals(WeightRep.Kind.DENSE8, conv.kind());
        assertArrayEquals(new short[] {6, 8}, conv.nnzW());           // 9 - 3 and 9 - 1
        assertArrayEquals(new short[] {0b101, 0b111}, conv.rowMask()); // filter 1: row 2 still has 2 of 3 non-zero
        WeightRep fc = Workloads.extract(net, InputType.convolutionalFlat(5, 5, 1)).layers().get(1).weights();
        assertEquals(8 + 8 + 5, fc.nnzTotal(), 0);
        assertEquals(24, fc.nnzW().length);                            // kernels [M=3][C=8]
    }

    /**
     * An SD dense layer 6 -> 2 (n = 3: R = 2 rows per unit, one slice per unit: C and M [2, 2, 3], B [2, 3, 3])
     * with every C entry {@code c} and unit 0's row 1 masked out, before an SD output layer.
     */
    static MultiLayerNetwork sdNet(boolean project, double c) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
            .layer(new SdDenseLayer.Builder().nIn(6).nOut(2).projectCoefficients(project).activation(Activation.RELU).name("sd").build())
            .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2).activation(Activation.SOFTMAX).name("sdout").build())
            .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        var l = net.getLayer(0);
        l.getParam("C").assign(c);
        var m = l.getParam("M");
        m.assign(1);
        for (int x = 0; x < 3; x++) m.putScalar(new int[] {0, 1, x}, 0);
        return net;
    }

    /** A feed-forward input type whose size is not the first layer's nIn is refused (DL4J does not check it). */
    @Test
    void aFeedForwardInputTypeOfTheWrongSizeIsRefused() {
        MultiLayerNetwork net = sdNet(true, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Workloads.extract(net, InputType.feedForward(100)));
        assertTrue(e.getMessage().contains("has nIn 6 but the input type gives it") && e.getMessage().contains("(100 values)"),
            e.getMessage());
    }

    @Test
    void sdLayersUseTheRebuiltWeightAndEncodedSizes() {
        MultiLayerNetwork net = sdNet(true, 1);
        var l = net.getLayer(0);
        var b = l.getParam("B");
        b.assign(0);
        for (int k = 0; k < 2; k++) for (int i = 0; i < 3; i++) b.putScalar(new int[] {k, i, i}, 0.5); // B = I/2
        // W = Ce B: unit 0 = [.5 .5 .5 0 0 0], unit 1 = all .5 -> 9 non-zeros; Ce has 3 + 6 = 9 non-zeros
        WeightRep w = Workloads.extract(net, InputType.feedForward(6)).layers().get(0).weights();
        assertEquals(WeightRep.Kind.SD, w.kind());
        assertArrayEquals(new short[] {1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}, w.nnzW());
        assertEquals(9, w.ceNnz(), 0);
        assertEquals(2, w.numB());
        assertEquals(3, w.n());
        // B: 2 x 3 x 3 int8 entries + a 16-bit scale field + a 4-bit slice shift width, 0 here (both slices
        // have the same scale, so each shift takes 0 bits; StorageBreakdown.bBits, format 2.4) -> 18 + 2.5 bytes
        assertEquals(20.5, w.bBytes(), 0);
        assertTrue(w.ceBytes() > 0 && w.ceBytes() < 12, "C_e with 9 equal symbols encodes in a few bytes, got " + w.ceBytes());
    }

    @Test
    void nonPowerOfTwoCoefficientsUseTheVectorIndexFallback() {
        // projection off and C = 0.3 (not a power of two): the codec refuses C, HWMODEL.md 1.2's fallback prices it:
        // 4 vectors (2 units x 2 rows of n = 3), unit 0's row 1 masked -> 3 non-zero vectors, 9 non-zeros:
        // (9 x 2.3 + 4 x 1 + 3 x 3) / 8 = 4.2125 bytes; B = 2 x 3 x 3 = 18 bytes
        MultiLayerNetwork net = sdNet(false, 0.3);
        WeightRep w = Workloads.extract(net, InputType.feedForward(6)).layers().get(0).weights();
        assertEquals(9, w.ceNnz(), 0);
        assertEquals((9 * 2.3 + 4 + 3 * 3) / 8, w.ceBytes(), 1e-12);
        assertEquals(18, w.bBytes(), 0);
    }

    @Test
    void theFallbackIndexCountsRealRowsOnly() {
        // nIn 21, n = 3, sliceRows 4: R = 7 rows per unit in S = 2 slices of m = 4, so K = 4 and packed C has
        // 16 rows, of which 2 (row 3 of slices 1 and 3) only pad the units' last slices. Projection off and
        // C = 0.3 inside M (every real row): 14 vectors, all non-zero, 42 non-zeros:
        // (42 x 2.3 + 14 x 1 + 14 x 3) / 8 bytes (16 vectors, as before format 2.3, would add 2 bits).
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
            .layer(new SdDenseLayer.Builder().nIn(21).nOut(2).basisWidth(3).sliceRows(4).projectCoefficients(false)
                .activation(Activation.RELU).name("sd").build())
            .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2)
                .activation(Activation.SOFTMAX).name("sdout").build())
            .build());
        net.init();
        var l = net.getLayer(0);
        assertArrayEquals(new long[] {4, 4, 3}, l.getParam("C").shape());
        l.getParam("C").assign(0.3);
        var m = l.getParam("M");
        m.assign(1);
        for (int k : new int[] {1, 3}) for (int x = 0; x < 3; x++) m.putScalar(new int[] {k, 3, x}, 0);
        WeightRep w = Workloads.extract(net, InputType.feedForward(21)).layers().get(0).weights();
        assertEquals(42, w.ceNnz(), 0);
        assertEquals((42 * 2.3 + 14 + 14 * 3) / 8, w.ceBytes(), 1e-12);
        assertEquals(4 * 3 * 3, w.bBytes(), 0);
    }

    @Test
    void graphAndDepthwiseFollowTopologicalOrder() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
            .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(1).nOut(2).activation(Activation.RELU).build(), "in")
            .addLayer("pw", new ConvolutionLayer.Builder(1, 1).nOut(4).stride(2, 2).activation(Activation.RELU).build(), "dw")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "pw")
            .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        var w = g.getLayer("dw").getParam("W");
        assertArrayEquals(new long[] {3, 3, 2, 1}, w.shape()); // DL4J M2.1: [kh, kw, nIn, depthMultiplier]
        w.assign(1);
        w.putScalar(new int[] {0, 0, 1, 0}, 0);                 // channel 1 loses one tap
        Workloads.Extracted x = Workloads.extract(g, InputType.convolutional(6, 6, 2));
        List<LayerSpec> s = x.specs();
        assertEquals(List.of("dw", "pw", "out"), s.stream().map(LayerSpec::id).toList());
        // dw: Truncate mode, no pad: 6 -> 4; G = C = M = 2
        assertEquals(new LayerSpec("dw", LayerType.DWCONV, 1, 2, 2, 2, 3, 3, 6, 6, 4, 4, 1, 0, 1, true), s.get(0));
        assertEquals(new LayerSpec("pw", LayerType.CONV, 1, 4, 2, 1, 1, 1, 4, 4, 2, 2, 2, 0, 1, true), s.get(1));
        assertEquals(LayerSpec.fc("out", LayerType.FC, 2, 16, true), s.get(2));
        assertArrayEquals(new short[] {9, 8}, x.layers().get(0).weights().nnzW());
        assertEquals("dw", x.layers().get(1).cgInput());
    }

    /**
     * An SD depthwise layer (depth multiplier 2, so a grouped CONV of C = 2 groups and M = 4 outputs) is priced with
     * the W its C and B rebuild, read in DL4J's [kh, kw, nIn, d] layout: its shape, nnzW and row masks equal those of
     * DL4J's DepthwiseConvolution2D holding that W (the dense path, checked by hand above); ceNnz counts Ce = C .* M
     * (36 entries, 5 masked: 31); numB = K = 4 slices (one per output channel, 3 rows each).
     */
    @Test
    void sdDepthwiseLayersArePricedFromTheirRebuiltWeight() {
        java.util.function.Function<org.deeplearning4j.nn.conf.layers.Layer, MultiLayerNetwork> net = dw -> {
            MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(dw)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX)
                    .name("out").build())
                .setInputType(InputType.convolutional(5, 5, 2)).build());
            n.init();
            return n;
        };
        MultiLayerNetwork sd = net.apply(new SdDepthwiseConvolutionLayer.Builder(3, 3).depthMultiplier(2).name("dw")
            .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build());
        MultiLayerNetwork dense = net.apply(new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).name("dw")
            .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build());
        var l = sd.getLayer(0);
        assertArrayEquals(new long[] {4, 3, 3}, l.getParam("C").shape());
        INDArray c = Nd4j.create(DataType.FLOAT, 4, 3, 3);
        for (int i = 0; i < 36; i++) c.putScalar(i, (i % 3 == 0 ? -1 : 1) * Math.scalb(1.0, i % 4 - 2));
        INDArray m = Nd4j.ones(DataType.FLOAT, 4, 3, 3);
        // unit 0's kernel row 1, and two single entries
        for (int[] z : new int[][] {{0, 1, 0}, {0, 1, 1}, {0, 1, 2}, {2, 0, 0}, {3, 2, 1}}) m.putScalar(z, 0);
        INDArray b = Nd4j.create(DataType.FLOAT, 4, 3, 3);
        for (int i = 0; i < 36; i++) b.putScalar(i, ((i * 7) % 11 - 5) / 8.0);
        l.setParam("C", c);
        l.setParam("M", m);
        l.setParam("B", b);
        // W[y, x, ci, j] of unit u = ci*2 + j: sum_k (C .* M)[u, y, k] B[u, k, x]
        INDArray w = Nd4j.create(DataType.FLOAT, 3, 3, 2, 2);
        for (int u = 0; u < 4; u++) for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) {
            double acc = 0;
            for (int k = 0; k < 3; k++) acc += c.getDouble(u, y, k) * m.getDouble(u, y, k) * b.getDouble(u, k, x);
            w.putScalar(new int[] {y, x, u / 2, u % 2}, acc);
        }
        dense.getLayer(0).setParam("W", w);
        Workloads.NetLayer s = Workloads.extract(sd, InputType.convolutional(5, 5, 2)).layers().get(0);
        Workloads.NetLayer d = Workloads.extract(dense, InputType.convolutional(5, 5, 2)).layers().get(0);
        assertEquals(new LayerSpec("dw", LayerType.CONV, 1, 4, 2, 2, 3, 3, 5, 5, 5, 5, 1, 1, 1, true), s.spec());
        assertEquals(d.spec(), s.spec());
        assertEquals(WeightRep.Kind.SD, s.weights().kind());
        assertArrayEquals(d.weights().nnzW(), s.weights().nnzW());
        assertArrayEquals(d.weights().rowMask(), s.weights().rowMask());
        assertEquals(0b101, s.weights().rowMask()[0]); // unit 0's kernel row 1 is masked out of C
        assertEquals(31, s.weights().ceNnz(), 0);
        assertEquals(4, s.weights().numB());
        assertEquals(3, s.weights().n());
    }

    @Test
    void unsupportedInputsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(cnn()));
        assertTrue(e.getMessage().contains("InputType"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Workloads.pad("c", 5, 4, 3, 1, 1)); // stride 1: pad p gives 3 + 2p, never 4
        assertTrue(e2.getMessage().contains("input 5 to output 4"), e2.getMessage());
        assertEquals(1, Workloads.pad("c", 7, 4, 3, 2, 1)); // Same mode, 7 -> ceil(7/2) = 4: pad 1
        assertEquals(0, Nd4j.zeros(1).sumNumber().intValue());
    }

    /**
     * A channels-last network and its NCHW twin (the same parameters; the dense layer's rows permuted from the
     * flattened [H, W, C] order to [C, H, W], so both compute the same function) give the same workload: shapes,
     * weights and every measured statistic, each priced the same on every accelerator. The reference is the NCHW
     * path, which the other tests check against hand calculations.
     */
    @Test
    void aChannelsLastNetworkIsPricedAsItsChannelsFirstTwin() {
        MultiLayerNetwork nchw = twin(CNN2DFormat.NCHW), nhwc = twin(CNN2DFormat.NHWC);
        INDArray dense = nchw.getLayer(4).getParam("W"), perm = dense.dup();
        assertEquals(16, dense.rows());
        int c = 4, h = 2, w = 2; // dw: 8x8 -> 4x4 (3x3, stride 2, pad 1), pool 2x2 -> 2x2, of 4 channels
        for (int ch = 0; ch < c; ch++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
            perm.putRow((y * w + x) * c + ch, dense.getRow((ch * h + y) * w + x));
        nhwc.setParams(nchw.params());
        nhwc.getLayer(4).setParam("W", perm);
        INDArray img = Nd4j.rand(DataType.FLOAT, 16, 2, 8, 8).subi(0.3), imgLast = img.permute(0, 2, 3, 1).dup('c');
        // the premise: the two networks compute the same outputs on the same images
        assertTrue(nchw.output(img).equalsWithEps(nhwc.output(imgLast), 1e-5));

        var a = priced(nchw, InputType.convolutional(8, 8, 2, CNN2DFormat.NCHW), img);
        var b = priced(nhwc, InputType.convolutional(8, 8, 2, CNN2DFormat.NHWC), imgLast);
        // the short form reads the channels-last type from the network and [n, h, w, c] features
        assertTrue(Workloads.readsChannelsLast(nhwc) && !Workloads.readsChannelsLast(nchw));
        var shortForm = EnergyReport.of(nhwc, new ListDataSetIterator<>(List.of(new DataSet(imgLast, Nd4j.zeros(16, 3))), 16),
            List.of("all"));
        assertEquals(b.workloadMaps(), shortForm.workloadMaps());
        List<Map<String, Object>> wa = a.workloadMaps(), wb = b.workloadMaps();
        assertEquals(List.of("conv", "sdconv", "dw", "fc", "out"), wa.stream().map(m -> m.get("id")).toList());
        for (int i = 0; i < wa.size(); i++) {
            Map<String, Object> sa = new LinkedHashMap<>(wa.get(i)), sb = new LinkedHashMap<>(wb.get(i));
            if ("fc".equals(sa.get("id"))) {
                // the PRA brick groups 16 consecutive inputs of the flattened vector, whose order is the format's
                ((Map<?, ?>) sa.get("actStats")).remove("tPRA");
                ((Map<?, ?>) sb.get("actStats")).remove("tPRA");
            }
            assertEquals(sa, sb, "layer " + sa.get("id"));
        }
        assertEquals("SD", ((Map<?, ?>) wa.get(1).get("weightRep")).get("kind"));
        for (String acc : EnergyReport.NAMES) {
            var ra = a.results().get(acc).layers();
            var rb = b.results().get(acc).layers();
            assertEquals(ra.stream().map(r -> r.layer().id()).toList(), rb.stream().map(r -> r.layer().id()).toList(), acc);
            assertTrue(ra.size() >= 3, acc + " prices the three convolutions at least");
            for (int i = 0; i < ra.size(); i++) {
                String id = ra.get(i).layer().id();
                if (id.equals("fc") && acc.equals("bitpragmatic")) continue; // it reads tPRA, see above
                assertEquals(ra.get(i).totalPj(), rb.get(i).totalPj(), 0, acc + " " + id);
                assertEquals(ra.get(i).cycles(), rb.get(i).cycles(), 0, acc + " " + id);
            }
        }
    }

    /**
     * Same convolutions that no one symmetric padding describes are priced with DL4J's own padding. A 2 x 2 kernel at
     * stride 1 (U-Net's), which DL4J pads 0 rows (columns) before and 1 after, is priced with that padding made on
     * chip: against its twin, a ZeroPaddingLayer of (0, 1, 0, 1) before a Truncate 2 x 2 convolution, by
     * {@link #assertPricedAsItsPaddedTwin}. Until session 40 the row and column after were appended to the input as
     * zeros, which priced it as the twin. A 1 x 3 kernel pads 0 rows and 1 column on each side (both were refused:
     * "no symmetric padding", "pads 0 rows but 1 columns"), the same in both networks.
     */
    @Test
    void sameConvolutionsOfEvenAndOblongKernelsArePricedWithDl4jsPadding() {
        MultiLayerNetwork same = evenSame(false), padded = evenSame(true);
        padded.setParams(same.params());
        INDArray img = sparseImages(8, 2, 6, 6);
        // one input tile: the twin sends the 2 x 7 x 7 = 98 B it stores, the Same layer 2 x 6 x 6 = 72 B, 26 B less
        var a = assertPricedAsItsPaddedTwin(same, InputType.convolutional(6, 6, 2), img, padded, InputType.convolutional(6, 6, 2),
            img, new int[] {0, 1, 0, 1}, 26);
        assertDenseInputBytes(a, "even", 1, 72);
        List<LayerSpec> s = a.workload().layers().stream().map(Workload.Entry::layer).toList();
        // 2x2 on 6x6, 0 before and 1 after -> 6x6; 1x3 on 6x6 padded 0 rows, 1 column -> 6x6
        assertEquals(new LayerSpec("even", LayerType.CONV, 1, 3, 2, 1, 2, 2, 6, 6, 6, 6, 1, 0, 1, true, 0), s.get(0));
        assertEquals(new LayerSpec("oblong", LayerType.CONV, 1, 4, 3, 1, 1, 3, 6, 6, 6, 6, 1, 0, 1, true, 1), s.get(1));
        // the statistics read the 2 x 2 layer's input as DL4J gives it
        assertEquals(img, Workloads.extract(same, InputType.convolutional(6, 6, 2)).layers().get(0).prep(img));
    }

    /**
     * Same convolutions at stride 2 whose padding DL4J splits one row (column) more after the input than before are
     * priced with that split, the padding made on chip: each against its twin by {@link #assertPricedAsItsPaddedTwin}.
     * A 3 x 3 stride-2 convolution on 28 x 28 x 2 (-> 14 x 14; need 13 x 2 + 3 - 28 = 1: 0 before, 1 after), a
     * 3 x 3 stride-2 depthwise one, the same split, and a 7 x 1 stride-2 one on 16 x 16 x 2 (-> 8 x 8; rows: need
     * 7 x 2 + 7 - 16 = 5, 2 before and 3 after; columns: need 7 x 2 + 1 - 16 = -1, none). Until session 40 the
     * three were priced with the symmetric padding of the same output size (1, 1 and 3 rows on each side), every
     * window one row (column) early.
     */
    @Test
    void sameConvolutionsAtStrideTwoArePricedWithDl4jsSplitMadeOnChip() {
        // one input tile: the twin sends the 2 x 29 x 29 = 1,682 B it stores, the Same layer 2 x 28 x 28 = 1,568 B, the
        // 2 x 57 = 114 B of row 28 and column 28 less
        var conv = assertSameAsItsTwin(mode -> new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(4).convolutionMode(mode)
            .activation(Activation.RELU).name("s2").build(), new int[] {0, 1, 0, 1}, 28, 28, 114);
        assertEquals(new LayerSpec("s2", LayerType.CONV, 1, 4, 2, 1, 3, 3, 28, 28, 14, 14, 2, 0, 1, true, 0), layer(conv, 0));
        assertDenseInputBytes(conv, "s2", 1, 1568);
        var dw = assertSameAsItsTwin(mode -> new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2).convolutionMode(mode)
            .activation(Activation.RELU).name("dw").build(), new int[] {0, 1, 0, 1}, 28, 28, 114);
        assertEquals(new LayerSpec("dw", LayerType.DWCONV, 1, 2, 2, 2, 3, 3, 28, 28, 14, 14, 2, 0, 1, true, 0), layer(dw, 0));
        assertDenseInputBytes(dw, "dw", 1, 1568);
        // a kernel one column wide at stride 2 reads every other column, and one-column tiles (t_F = 8) skip the others:
        // the twin sends 2 x 21 x 8 = 336 B, the Same layer 2 x 16 x 8 = 256 B, the 2 x 5 x 8 = 80 B of its zero rows less
        var tall = assertSameAsItsTwin(mode -> new ConvolutionLayer.Builder(7, 1).stride(2, 2).nOut(3).convolutionMode(mode)
            .activation(Activation.RELU).name("tall").build(), new int[] {2, 3, 0, 0}, 16, 16, 80);
        assertEquals(new LayerSpec("tall", LayerType.CONV, 1, 3, 2, 1, 7, 1, 16, 16, 8, 8, 2, 2, 1, true, 0), layer(tall, 0));
        assertDenseInputBytes(tall, "tall", 8, 256);
    }

    /**
     * A Same Convolution1DLayer at stride 2 is split as the 2-D layers: kernel 5 on 10 steps gives 5 (need 4 x 2 + 5 -
     * 10 = 3: 1 before, 2 after), priced against its one-row twin, a ZeroPaddingLayer of (0, 0, 1, 2) before a 1 x 5
     * stride-2 Truncate convolution, by {@link #assertPricedAsItsPaddedTwin}. Until session 40 it was priced padded 2
     * on each side, the symmetric padding of the same length.
     */
    @Test
    void aSameOneDimensionalConvolutionAtStrideTwoIsPricedWithDl4jsSplitMadeOnChip() {
        MultiLayerNetwork seq = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(12).list()
            .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder(5).stride(2)
                .convolutionMode(ConvolutionMode.Same).nOut(4).activation(Activation.RELU).name("c1").build())
            .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                org.deeplearning4j.nn.conf.layers.PoolingType.AVG).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.recurrent(2, 10)).build());
        seq.init();
        MultiLayerNetwork row = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(12).list()
            .layer(new ZeroPaddingLayer.Builder(0, 0, 1, 2).build())
            .layer(new ConvolutionLayer.Builder(1, 5).stride(2, 2).convolutionMode(ConvolutionMode.Truncate)
                .nOut(4).activation(Activation.RELU).name("c1").build())
            .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                org.deeplearning4j.nn.conf.layers.PoolingType.AVG).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(1, 10, 2)).build());
        row.init();
        row.getLayer(1).setParam("W", rowKernels(seq.getLayer(0).getParam("W"), 4, 2, 5));
        row.getLayer(1).setParam("b", seq.getLayer(0).getParam("b"));
        row.getLayer(3).setParams(seq.getLayer(2).params().dup());
        INDArray image = sparseImages(8, 2, 1, 10), x = image.reshape(8, 2, 10);
        // one input tile: the twin sends the 2 x 13 = 26 B it stores, the Same layer 2 x 10 = 20 B, 6 B less
        var a = assertPricedAsItsPaddedTwin(seq, InputType.recurrent(2, 10), x, row, InputType.convolutional(1, 10, 2), image,
            new int[] {0, 0, 1, 2}, 6);
        assertDenseInputBytes(a, "c1", 1, 20);
        // 10 columns, 1 before (2 after) -> (10 + 1 + 2 - 5) / 2 + 1 = 5
        assertEquals(new LayerSpec("c1", LayerType.CONV, 1, 4, 2, 1, 1, 5, 1, 10, 1, 5, 2, 0, 1, true, 1),
            a.workload().layers().get(0).layer());
    }

    /**
     * Outside Same mode the layer's own padding is priced: a 3x3 stride-4 convolution padded 1 on 8x8 gives 2x2, as
     * padding 0 would ((8 + 2 - 3) / 4 + 1 = (8 - 3) / 4 + 1 = 2), and its windows start one row and column earlier.
     * A channels-last layer given a channels-first input type is refused naming the format to give (it was priced
     * on values read in the wrong order, or refused with a weight count).
     */
    @Test
    void explicitPaddingIsReadAndAFormatMismatchIsRefused() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
            .layer(new ConvolutionLayer.Builder(3, 3).stride(4, 4).padding(1, 1).convolutionMode(ConvolutionMode.Truncate)
                .nOut(2).name("c").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(8, 8, 1)).build());
        net.init();
        assertEquals(new LayerSpec("c", LayerType.CONV, 1, 2, 1, 1, 3, 3, 8, 8, 2, 2, 4, 1, 1, true),
            Workloads.extract(net, InputType.convolutional(8, 8, 1)).specs().get(0));

        MultiLayerNetwork last = twin(CNN2DFormat.NHWC);
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(last, InputType.convolutional(8, 8, 2)));
        assertTrue(e.getMessage().contains("layer conv reads NHWC images but its input type is")
            && e.getMessage().contains("InputType.convolutional(8, 8, 2, CNN2DFormat.NHWC)"), e.getMessage());
    }

    /**
     * A SeparableConvolution2D (refused before) is priced as the depthwise and the 1 x 1 convolution it runs: equal to
     * its twin built of a DepthwiseConvolution2D (no bias, no activation) and a ConvolutionLayer 1 x 1 with the same
     * weights, whose depthwise output DL4J returns where the separable layer's stays inside it. Depth multiplier 2,
     * so the depthwise half is a grouped CONV of 3 groups and 6 outputs.
     */
    @Test
    void aSeparableConvolutionIsPricedAsItsDepthwiseAndPointwiseTwin() {
        MultiLayerNetwork sep = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new SeparableConvolution2D.Builder(3, 3).nOut(5).depthMultiplier(2).stride(2, 2)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).name("sep").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(8, 8, 3)).build());
        sep.init();
        MultiLayerNetwork twin = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).stride(2, 2).convolutionMode(ConvolutionMode.Same)
                .hasBias(false).activation(Activation.IDENTITY).name("sep/dw").build())
            .layer(new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.RELU).name("sep/pw").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(8, 8, 3)).build());
        twin.init();
        var p = sep.getLayer(0);
        // multiplier 1 of input channel 0 is depthwise output channel 0 x 2 + 1 = 1: its kernel is zero
        p.getParam("W").get(NDArrayIndex.point(1), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()).assign(0);
        twin.getLayer(0).setParam("W", p.getParam("W").permute(2, 3, 1, 0).dup()); // [d, C, kh, kw] -> [kh, kw, C, d]
        twin.getLayer(1).setParam("W", p.getParam("pW").dup());
        twin.getLayer(1).setParam("b", p.getParam("b").dup());
        twin.getLayer(2).setParams(sep.getLayer(1).params().dup());
        INDArray img = Nd4j.rand(DataType.FLOAT, 16, 3, 8, 8).subi(0.3);
        assertTrue(sep.output(img).equalsWithEps(twin.output(img), 1e-5)); // the premise: one function

        var a = priced(sep, InputType.convolutional(8, 8, 3), img);
        assertPricedAlike(priced(twin, InputType.convolutional(8, 8, 3), img), a);
        List<LayerSpec> s = a.workload().layers().stream().map(Workload.Entry::layer).toList();
        // 8x8 stride 2 Same -> 4x4 (need 3 x 2 + 3 - 8 = 1: DL4J pads 0 before, 1 after); 3 channels x 2 = 6 depthwise
        // outputs; 1x1 to 5
        assertEquals(new LayerSpec("sep/dw", LayerType.CONV, 1, 6, 3, 3, 3, 3, 8, 8, 4, 4, 2, 0, 1, true), s.get(0));
        assertEquals(new LayerSpec("sep/pw", LayerType.CONV, 1, 5, 6, 1, 1, 1, 4, 4, 4, 4, 1, 0, 1, true), s.get(1));
        short[] nnz = Workloads.extract(sep, InputType.convolutional(8, 8, 3)).layers().get(0).weights().nnzW();
        assertArrayEquals(Workloads.extract(twin, InputType.convolutional(8, 8, 3)).layers().get(0).weights().nnzW(), nnz);
        assertEquals(0, nnz[1], "depthwise output channel 1 has the zero kernel: " + java.util.Arrays.toString(nnz));
        // the pointwise half reads the depthwise output of the weights as they are when it measures (a listener's
        // network trains): zero depthwise weights give a zero input
        var x = Workloads.extract(sep, InputType.convolutional(8, 8, 3));
        assertTrue(x.layers().get(1).prep(img).amaxNumber().doubleValue() > 0);
        p.getParam("W").assign(0);
        assertEquals(0, x.layers().get(1).prep(img).amaxNumber().doubleValue());
        // the depthwise output is not an activation of the network: its density is the pointwise half's input's
        assertEquals(a.workload().layers().get(1).act().dA(), a.workload().layers().get(0).act().dOut(), 0);
    }

    /**
     * A Deconvolution2D (refused before) is priced as the stride-1 convolution over its zero-inserted input that it
     * equals: its twin is a ConvolutionLayer with the kernel flipped and W read as [M, C, kh, kw], fed the input with
     * one zero between rows and columns (and, in Same mode, the one zero row and column more before it that DL4J's
     * padding puts there). The premise, that the twin computes DL4J's transposed convolution, is checked first; then
     * workloads, statistics and pricing are equal. Truncate (3x3, stride 2, pad 1: 4x4 -> 7x7) and Same (8x8).
     */
    @Test
    void aTransposedConvolutionIsPricedAsTheConvolutionOverItsZeroInsertedInput() {
        for (ConvolutionMode mode : new ConvolutionMode[] {ConvolutionMode.Truncate, ConvolutionMode.Same}) {
            boolean same = mode == ConvolutionMode.Same;
            int out = same ? 8 : 7, before = same ? 2 : 1, side = 7 + (same ? 1 : 0);
            MultiLayerNetwork deconv = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new Deconvolution2D.Builder(3, 3).stride(2, 2).padding(1, 1).convolutionMode(mode).nOut(3)
                    .activation(Activation.RELU).name("up").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
                .setInputType(InputType.convolutional(4, 4, 2)).build());
            deconv.init();
            // the twin reads a side x side input: the zero-inserted 7x7, after the extra row and column of Same mode
            MultiLayerNetwork conv = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).nOut(3)
                    .activation(Activation.RELU).name("up").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
                .setInputType(InputType.convolutional(side, side, 2)).build());
            conv.init();
            INDArray w = deconv.getLayer(0).getParam("W"), flipped = Nd4j.zeros(DataType.FLOAT, 3, 2, 3, 3);
            // kernel row 0 of (input 0, output 1) is zero: the flipped kernel's row 2, which the row masks must show
            w.get(NDArrayIndex.point(0), NDArrayIndex.point(1), NDArrayIndex.point(0), NDArrayIndex.all()).assign(0);
            for (int o = 0; o < 3; o++) for (int c = 0; c < 2; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++)
                flipped.putScalar(new int[] {o, c, y, x}, w.getFloat(c, o, 2 - y, 2 - x));
            conv.getLayer(0).setParam("W", flipped);
            conv.getLayer(0).setParam("b", deconv.getLayer(0).getParam("b").dup());
            conv.getLayer(1).setParams(deconv.getLayer(1).params().dup());
            INDArray img = Nd4j.rand(DataType.FLOAT, 8, 2, 4, 4).subi(0.3);
            INDArray inserted = Nd4j.zeros(DataType.FLOAT, 8, 2, side, side);
            int off = before - 1; // the twin pads 1 on each side; a larger "before" is zero rows of its input
            for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++)
                inserted.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(off + 2 * y), NDArrayIndex.point(off + 2 * x))
                    .assign(img.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x)));
            assertEquals(out, deconv.feedForward(img, false).get(1).size(2));
            assertTrue(deconv.output(img).equalsWithEps(conv.output(inserted), 1e-5), mode + ": the premise");
            var a = priced(deconv, InputType.convolutional(4, 4, 2), img);
            assertPricedAlike(priced(conv, InputType.convolutional(side, side, 2), inserted), a);
            Workloads.NetLayer up = Workloads.extract(deconv, InputType.convolutional(4, 4, 2)).layers().get(0);
            assertEquals(inserted, up.prep(img));
            WeightRep twin = Workloads.extract(conv, InputType.convolutional(side, side, 2)).layers().get(0).weights();
            assertArrayEquals(twin.nnzW(), up.weights().nnzW());
            assertArrayEquals(twin.rowMask(), up.weights().rowMask());
            assertTrue(up.weights().nnzW()[2] <= 6, "kernel (output 1, input 0) lost a row: " + Arrays.toString(up.weights().nnzW()));
        }
    }

    /**
     * DL4J pads a Same transposed convolution's output (keff - U) / 2 before, rounded toward zero: for a kernel smaller
     * than the stride that is 0 or negative (1x1 stride 2: 0 zero rows before the inserted input, 1 after; 2x2
     * stride 3: 1 before, 2 after). The convolution of the spec's padding over {@code prep(x)} with the flipped kernel
     * must give DL4J's output; a first rule, ceil(total / 2) before, failed 20 of 400 random layers, all of them
     * with kernels below the stride.
     */
    @Test
    void aSameTransposedConvolutionIsPaddedAsDl4jPadsIt() {
        for (int[] ks : new int[][] {{1, 2}, {2, 3}, {1, 3}, {3, 1}, {4, 3}}) {
            int k = ks[0], st = ks[1];
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(k * 10 + st)
                .dataType(DataType.DOUBLE).list()
                .layer(new Deconvolution2D.Builder(k, k).stride(st, st).convolutionMode(ConvolutionMode.Same).nOut(2)
                    .activation(Activation.IDENTITY).name("up").build())
                .setInputType(InputType.convolutional(5, 5, 2)).build());
            net.init();
            INDArray img = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 5);
            Workloads.NetLayer up = Workloads.extract(net, InputType.convolutional(5, 5, 2)).layers().get(0);
            LayerSpec l = up.spec();
            MultiLayerNetwork conv = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(k, k).padding(l.pad(), l.padW()).convolutionMode(ConvolutionMode.Truncate)
                    .nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(l.h(), l.w(), 2)).build());
            conv.init();
            INDArray w = net.getLayer(0).getParam("W"), flipped = Nd4j.zeros(DataType.DOUBLE, 2, 2, k, k);
            for (int o = 0; o < 2; o++) for (int c = 0; c < 2; c++) for (int y = 0; y < k; y++) for (int x = 0; x < k; x++)
                flipped.putScalar(new int[] {o, c, y, x}, w.getDouble(c, o, k - 1 - y, k - 1 - x));
            conv.getLayer(0).setParam("W", flipped);
            conv.getLayer(0).setParam("b", net.getLayer(0).getParam("b"));
            INDArray want = net.output(img);
            assertEquals(5L * st, want.size(2));
            assertTrue(want.equalsWithEps(conv.output(up.prep(img)), 1e-9), "kernel " + k + ", stride " + st + ": " + l);
        }
    }

    /**
     * A Convolution1DLayer (refused before) is priced as the convolution of one input row with a 1 x k kernel: equal to
     * its 2-D twin on [N, C, 1, L] with kernels 1 x 3 (dilation 2, padding 1) and 1 x 2, the second behind a
     * ZeroPaddingLayer of one column on the left, which is what Causal mode pads.
     */
    @Test
    void aOneDimensionalConvolutionIsPricedAsItsOneRowTwin() {
        MultiLayerNetwork seq = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6).list()
            .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder(3).dilation(2).padding(1)
                .convolutionMode(ConvolutionMode.Truncate).nOut(4).activation(Activation.RELU).name("c1").build())
            .layer(new org.deeplearning4j.nn.conf.layers.Convolution1DLayer.Builder(2).convolutionMode(ConvolutionMode.Causal)
                .nOut(3).activation(Activation.RELU).name("c2").build())
            .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                org.deeplearning4j.nn.conf.layers.PoolingType.AVG).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.recurrent(2, 10)).build());
        seq.init();
        MultiLayerNetwork row = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6).list()
            .layer(new ConvolutionLayer.Builder(1, 3).dilation(1, 2).padding(0, 1).convolutionMode(ConvolutionMode.Truncate)
                .nOut(4).activation(Activation.RELU).name("c1").build())
            .layer(new ZeroPaddingLayer.Builder(0, 0, 1, 0).build())
            .layer(new ConvolutionLayer.Builder(1, 2).convolutionMode(ConvolutionMode.Truncate).nOut(3)
                .activation(Activation.RELU).name("c2").build())
            .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                org.deeplearning4j.nn.conf.layers.PoolingType.AVG).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(1, 10, 2)).build());
        row.init();
        // DL4J M2.1's 1-D layer computes with its W values in [k, C, M] order (its stated shape is [M, C, k, 1]); the
        // kernel of output 1 and input 0 is zeroed in that order, so a kernel order read as stated shows in nnzW
        INDArray w1 = seq.getLayer(0).getParam("W");
        float[] flat = w1.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int j = 0; j < 3; j++) flat[(j * 2) * 4 + 1] = 0;
        w1.assign(Nd4j.create(flat, w1.shape(), 'c'));
        row.getLayer(0).setParam("W", rowKernels(w1, 4, 2, 3));
        row.getLayer(0).setParam("b", seq.getLayer(0).getParam("b"));
        row.getLayer(2).setParam("W", rowKernels(seq.getLayer(1).getParam("W"), 3, 4, 2));
        row.getLayer(2).setParam("b", seq.getLayer(1).getParam("b"));
        row.getLayer(4).setParams(seq.getLayer(3).params().dup());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 2, 10).subi(0.3), image = x.reshape(8, 2, 1, 10);
        assertTrue(seq.output(x).equalsWithEps(row.output(image), 1e-5)); // the premise: one function
        var a = priced(seq, InputType.recurrent(2, 10), x);
        assertPricedAlike(priced(row, InputType.convolutional(1, 10, 2), image), a);
        // c1: 10 -> (10 + 2 - 5) + 1 = 8 columns; c2 reads 8 + 1 causal zero column with a 1 x 2 kernel -> 8
        assertEquals(new LayerSpec("c1", LayerType.CONV, 1, 4, 2, 1, 1, 3, 1, 10, 1, 8, 1, 0, 2, true, 1),
            a.workload().layers().get(0).layer());
        assertEquals(new LayerSpec("c2", LayerType.CONV, 1, 3, 4, 1, 1, 2, 1, 9, 1, 8, 1, 0, 1, true, 0),
            a.workload().layers().get(1).layer());
        assertEquals(0, a.workload().layers().get(0).weights().nnzW()[1 * 2], "kernel (output 1, input 0)");
    }

    /** A 1-D layer's weights as the [M, C, 1, k] kernels of a 2-D convolution: value (o, c, j) at flat (j C + c) M + o. */
    private static INDArray rowKernels(INDArray w, int m, int c, int k) {
        float[] flat = w.castTo(DataType.FLOAT).dup('c').data().asFloat();
        INDArray out = Nd4j.zeros(DataType.FLOAT, m, c, 1, k);
        for (int o = 0; o < m; o++) for (int ci = 0; ci < c; ci++) for (int j = 0; j < k; j++)
            out.putScalar(new int[] {o, ci, 0, j}, flat[(j * c + ci) * m + o]);
        return out;
    }

    /** Prices a network on one minibatch of images with the default knobs on every accelerator. */
    private static EnergyReport priced(MultiLayerNetwork net, InputType type, INDArray images) {
        int n = (int) images.size(0);
        return EnergyReport.of(net, "twin", type, new ListDataSetIterator<>(List.of(new DataSet(images, Nd4j.zeros(n, 3))), n), n,
            List.of("all"), Knobs.defaults());
    }

    /** The same workload (shapes, weights, statistics) and the same energy and cycles on every accelerator. */
    private static void assertPricedAlike(EnergyReport expected, EnergyReport actual) {
        assertEquals(expected.workloadMaps(), actual.workloadMaps());
        for (String acc : EnergyReport.NAMES) {
            assertEquals(expected.results().get(acc).energyPj(), actual.results().get(acc).energyPj(), 0, acc);
            assertEquals(expected.results().get(acc).cycles(), actual.results().get(acc).cycles(), 0, acc);
        }
    }

    /**
     * Prices a Same-mode layer, {@code layer.apply(Same)} on {@code h x w x 2} images before an output layer, against
     * its twin, {@code layer.apply(Truncate)} behind a ZeroPaddingLayer of DL4J's {@code split} = {top, bottom, left,
     * right}, with the same parameters, by {@link #assertPricedAsItsPaddedTwin}.
     *
     * @return the Same network's report
     */
    private static EnergyReport assertSameAsItsTwin(Function<ConvolutionMode, org.deeplearning4j.nn.conf.layers.Layer> layer,
                                                 int[] split, int h, int w, double zerosSent) {
        InputType in = InputType.convolutional(h, w, 2);
        MultiLayerNetwork same = oneLayer(null, layer.apply(ConvolutionMode.Same), in);
        MultiLayerNetwork twin = oneLayer(new ZeroPaddingLayer.Builder(split[0], split[1], split[2], split[3]).build(),
            layer.apply(ConvolutionMode.Truncate), in);
        twin.setParams(same.params());
        INDArray img = sparseImages(8, 2, h, w);
        return assertPricedAsItsPaddedTwin(same, in, img, twin, in, img, split, zerosSent);
    }

    private static LayerSpec layer(EnergyReport r, int i) {
        return r.workload().layers().get(i).layer();
    }

    /**
     * On the four designs that store activations dense (all but SCNN), layer {@code id} is tiled in one E tile and
     * {@code tF} F tiles only, and its input moves {@code bytes} (a hand calculation).
     */
    private static void assertDenseInputBytes(EnergyReport r, String id, int tF, double bytes) {
        for (String acc : EnergyReport.NAMES) {
            if (acc.equals("scnn")) continue;
            Tiling t = result(r, acc, id).counts().tiling();
            assertEquals(List.of(1, 1, 1, 1, tF), List.of(t.tN(), t.tM(), t.tC(), t.tE(), t.tF()), acc + " " + id + ": " + t);
            assertEquals(bytes, t.iBytes(), 0, acc + " " + id + " input DRAM bytes");
        }
    }

    private static MultiLayerNetwork oneLayer(ZeroPaddingLayer padding, org.deeplearning4j.nn.conf.layers.Layer layer,
                                              InputType in) {
        var b = new NeuralNetConfiguration.Builder().seed(8).list();
        if (padding != null) b.layer(padding);
        b.layer(layer)
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(in);
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    /**
     * Seeded images in [0, 0.5) of which about 60% of the values are zero and every third row is all zero, so that
     * the row-segment statistics see zero and non-zero segments.
     */
    private static INDArray sparseImages(int n, int c, int h, int w) {
        Nd4j.getRandom().setSeed(40);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c, h, w).subi(0.6);
        x = org.nd4j.linalg.ops.transforms.Transforms.relu(x, false);
        if (h > 1) x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3, h), NDArrayIndex.all()).assign(0);
        else x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()).assign(0);
        return x;
    }

    /**
     * The first layer of {@code same}, a Same-mode convolution, priced as DL4J pads it, against the first layer of
     * {@code twin}, the same convolution unpadded behind a ZeroPaddingLayer of DL4J's {@code split} = {top, bottom,
     * left, right}. First the premise: the two layers' activations are equal, so the twin is DL4J's padding. The
     * twin stores its padding as input; the Same layer's spec pads {@code split[0]} rows and {@code split[2]}
     * columns before its real input and the rest after, made on chip. So:
     * <ul>
     * <li>the same shape (the twin's input is the real one plus the split, unpadded), MACs and weights;</li>
     * <li>the same windows: tSD (over the non-zero row segments, of which the twin's zero rows have none) and dOut
     *     equal; the SCNN non-zeros per channel equal, and per PE tile where nothing pads before (the tile of an
     *     input pixel is not shifted by the padding before, in either spec [A]);</li>
     * <li>the same non-zeros over the real input: dA, the bit and Booth densities and praTerms are the twin's times
     *     its stored size over the real one; rowZero and tPRA, means over the stored rows (pixels), are the twin's
     *     with its all-zero padding rows (padding pixels of brick value 1) taken out;</li>
     * <li>on every accelerator, one tiling for both, the same weight and output bytes, and the input bytes of the
     *     dense-input designs smaller by {@code zerosSent}, the bytes of padding the twin's tiles send (SCNN stores
     *     non-zeros only: equal);</li>
     * <li>the layers after it priced alike.</li>
     * </ul>
     *
     * @return the Same network's report
     */
    private static EnergyReport assertPricedAsItsPaddedTwin(MultiLayerNetwork same, InputType sameType, INDArray x,
                                                            MultiLayerNetwork twin, InputType twinType, INDArray twinX,
                                                            int[] split, double zerosSent) {
        INDArray ys = same.feedForward(x, false).get(1), yt = twin.feedForward(twinX, false).get(2);
        assertTrue(ys.reshape(yt.shape()).equalsWithEps(yt, 1e-5), "the premise: the twin pads as DL4J's Same mode does");
        EnergyReport rs = priced(same, sameType, x), rt = priced(twin, twinType, twinX);
        Workload.Entry es = rs.workload().layers().get(0), et = rt.workload().layers().get(0);
        LayerSpec ls = es.layer(), lt = et.layer();
        String id = ls.id();
        assertEquals(new LayerSpec(id, ls.type(), 1, ls.m(), ls.c(), ls.groups(), ls.r(), ls.s(), ls.h() + split[0] + split[1],
            ls.w() + split[2] + split[3], ls.e(), ls.f(), ls.stride(), 0, ls.dil(), true, 0), lt);
        assertEquals(List.of(split[0], split[2]), List.of(ls.pad(), ls.padW()), id + ": padding before");
        assertEquals(lt.macs(), ls.macs(), 0, id);
        assertArrayEquals(et.weights().nnzW(), es.weights().nnzW(), id);
        assertArrayEquals(et.weights().rowMask(), es.weights().rowMask(), id);
        ActStats s = es.act(), t = et.act();
        assertTrue(s.rowZero() > 0 && s.tSD() > 1 && s.dA() > t.dA(), id + ": the statistics are not trivial: " + s);
        assertEquals(t.tSD(), s.tSD(), 0, id + " tSD");
        assertEquals(t.dOut(), s.dOut(), 0, id + " dOut");
        double real = (double) ls.h() * ls.w(), stored = (double) lt.h() * lt.w();
        assertEquals(t.dA() * stored / real, s.dA(), 1e-12 * s.dA(), id + " dA");
        assertEquals(t.bitsRaw() * stored / real, s.bitsRaw(), 1e-12 * s.bitsRaw(), id + " bitsRaw");
        assertEquals(t.boothDig() * stored / real, s.boothDig(), 1e-12 * s.boothDig(), id + " boothDig");
        assertEquals(t.praTerms() * stored / real, s.praTerms(), 1e-12 * s.praTerms(), id + " praTerms");
        assertEquals((t.rowZero() * lt.h() - (split[0] + split[1])) / ls.h(), s.rowZero(), 1e-12, id + " rowZero");
        assertEquals((t.tPRA() * stored - (stored - real)) / real, s.tPRA(), 1e-12, id + " tPRA");
        int pes = s.scnn().grid() * s.scnn().grid();
        for (int c = 0; c < ls.c(); c++) {
            double ns = 0, nt = 0;
            for (int p = 0; p < pes; p++) {
                ns += s.scnn().meanNnz()[c * pes + p];
                nt += t.scnn().meanNnz()[c * pes + p];
            }
            assertEquals(nt, ns, 1e-9, id + " SCNN non-zeros of channel " + c);
        }
        if (split[0] == 0 && split[2] == 0) {
            assertArrayEquals(t.scnn().meanNnz(), s.scnn().meanNnz(), 0, id + " SCNN tiles");
            assertArrayEquals(t.scnn().meanMaxSteps(), s.scnn().meanMaxSteps(), 0, id + " SCNN steps");
        }
        for (String acc : EnergyReport.NAMES) {
            String at = acc + " " + id;
            Tiling ts = result(rs, acc, id).counts().tiling(), tt = result(rt, acc, id).counts().tiling();
            assertEquals(List.of(tt.tN(), tt.tM(), tt.tC(), tt.tE(), tt.tF()), List.of(ts.tN(), ts.tM(), ts.tC(), ts.tE(), ts.tF()),
                at + ": " + tt + " / " + ts);
            double want = acc.equals("scnn") ? tt.iBytes() : tt.iBytes() - zerosSent;
            assertEquals(want, ts.iBytes(), 1e-12 * want, at + " input DRAM bytes");
            assertEquals(tt.wBytes(), ts.wBytes(), 0, at + " weight DRAM bytes");
            assertEquals(tt.oBytes(), ts.oBytes(), 1e-12 * tt.oBytes(), at + " output DRAM bytes");
        }
        int n = rs.workload().layers().size();
        assertEquals(rt.workloadMaps().subList(1, n), rs.workloadMaps().subList(1, n));
        for (String acc : EnergyReport.NAMES)
            for (Workload.Entry e : rs.workload().layers().subList(1, n)) {
                LayerResult a = find(rs, acc, e.layer().id()), b = find(rt, acc, e.layer().id());
                if (a == null && b == null) continue; // SCNN prices no FC layer
                assertEquals(b.totalPj(), a.totalPj(), 0, acc + " " + e.layer().id());
                assertEquals(b.cycles(), a.cycles(), 0, acc + " " + e.layer().id());
            }
        return rs;
    }

    /** The result of layer {@code id} on accelerator {@code acc}. */
    private static LayerResult result(EnergyReport r, String acc, String id) {
        LayerResult x = find(r, acc, id);
        assertTrue(x != null, acc + " priced no layer " + id);
        return x;
    }

    private static LayerResult find(EnergyReport r, String acc, String id) {
        return r.results().get(acc).layers().stream().filter(l -> l.layer().id().equals(id)).findFirst().orElse(null);
    }

    private static MultiLayerNetwork evenSame(boolean explicitPadding) {
        var b = new NeuralNetConfiguration.Builder().seed(5).list();
        if (explicitPadding) b.layer(new ZeroPaddingLayer.Builder(0, 1, 0, 1).build());
        b.layer(new ConvolutionLayer.Builder(2, 2).nOut(3).convolutionMode(explicitPadding ? ConvolutionMode.Truncate
                : ConvolutionMode.Same).activation(Activation.RELU).name("even").build())
            .layer(new ConvolutionLayer.Builder(1, 3).nOut(4).convolutionMode(ConvolutionMode.Same).activation(Activation.RELU)
                .name("oblong").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(6, 6, 2));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    private static MultiLayerNetwork twin(CNN2DFormat f) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).dataFormat(f).activation(Activation.RELU).name("conv").build())
            .layer(new SdConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).dataFormat(f)
                .activation(Activation.RELU).name("sdconv").build())
            .layer(new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2).padding(1, 1).dataFormat(f).activation(Activation.RELU).name("dw").build())
            .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).dataFormat(f)
                .name("pool").build())
            .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).name("fc").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
            .setInputType(InputType.convolutional(8, 8, 2, f)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
