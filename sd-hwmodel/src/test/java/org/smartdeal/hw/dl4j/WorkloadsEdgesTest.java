package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Workload;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edges of {@link Workloads} found by mutation testing: the padding arithmetic at its bounds, the refusals, the
 * layers listed as not priced, the paper-default statistics of the first layer, and the input layout of graphs.
 * Expected shapes are hand-derived from DL4J's convolution arithmetic {@code out = (in + 2p - keff) / U + 1},
 * {@code keff = (k - 1) dil + 1}, and its transposed form {@code out = U (in - 1) + keff - 2p}.
 */
class WorkloadsEdgesTest {

    @Test
    void symmetricPaddingIsFoundForLargeDilatedAndStridedWindows() {
        // k 7 dil 2: keff 13; 10 -> 10 at stride 1 needs 2p = 12
        assertEquals(6, Workloads.pad("c", 10, 10, 7, 1, 2));
        // 6 -> 10 at stride 2, k 3: (6 + 2p - 3) / 2 + 1 = 10 needs 2p in [15, 16]: p = 8
        assertEquals(8, Workloads.pad("c", 6, 10, 3, 2, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.pad("c", 8, 8, 2, 1, 1));
        assertEquals("Workloads: layer c: no symmetric padding maps input 8 to output 8 with kernel 2, stride 1, dilation 1",
            e.getMessage());
    }

    @Test
    void aConfiguredPaddingIsKeptWhereSeveralGiveTheSameOutput() {
        // 10 -> 4, k 3, stride 3: p = 1 gives (10 + 2 - 3) / 3 + 1 = 4 and so does the layer's p = 2 ((10 + 4 - 3) / 3 + 1)
        assertEquals(2, Workloads.axis("c", 10, 4, 3, 3, 1, false, 2));
        // Same mode ignores it: need = 3 x 3 + 3 - 10 = 2, 1 before and 1 after
        assertEquals(1, Workloads.axis("c", 10, 4, 3, 3, 1, true, 2));
        // dilation 2 (keff 5): p = 2 and p = 3 both map 10 -> 4 at stride 3
        assertEquals(3, Workloads.axis("c", 10, 4, 3, 3, 2, false, 3));
        assertEquals(2, Workloads.pad("c", 10, 4, 3, 3, 2));
    }

    /**
     * Same mode pads as DL4J does (ConvolutionUtils.getSameModeTopLeftPadding): of need = (out - 1) U + keff - in, at
     * least 0, floor(need / 2) before and the rest after; {@code axis} gives the padding before, and LayerSpec reads an
     * odd need's one row more after from it. Until session 40 a symmetric padding of the same output size was taken
     * where one exists (3 x 3 stride 2 on 28: 1), and the extra row appended to the input elsewhere.
     */
    @Test
    void sameModeGivesDl4jsPaddingBefore() {
        // k 4, stride 1: need 3, 1 before and 2 after
        assertEquals(1, Workloads.axis("c", 8, 8, 4, 1, 1, true, 0));
        // k 2 dil 3 (keff 4): the same
        assertEquals(1, Workloads.axis("c", 8, 8, 2, 1, 3, true, 0));
        // k 2 (need 1): 0 before, 1 after
        assertEquals(0, Workloads.axis("c", 8, 8, 2, 1, 1, true, 0));
        // k 3, stride 2, 28 -> 14: need 13 x 2 + 3 - 28 = 1, 0 before (the symmetric padding 1 gives 14 too)
        assertEquals(0, Workloads.axis("c", 28, 14, 3, 2, 1, true, 0));
        assertEquals(1, Workloads.pad("c", 28, 14, 3, 2, 1));
        // k 7, stride 2, 16 -> 8: need 7 x 2 + 7 - 16 = 5, 2 before and 3 after (the symmetric padding 3 gives 8 too)
        assertEquals(2, Workloads.axis("c", 16, 8, 7, 2, 1, true, 0));
        // k 1, stride 2, 16 -> 8: need 7 x 2 + 1 - 16 = -1, no padding
        assertEquals(0, Workloads.axis("c", 16, 8, 1, 2, 1, true, 0));
        // outside Same mode no padding maps 8 to 8 with k 4
        assertThrows(IllegalArgumentException.class, () -> Workloads.axis("c", 8, 8, 4, 1, 1, false, 0));
    }

    private static MultiLayerNetwork mln(InputType in, org.deeplearning4j.nn.conf.layers.Layer... layers) {
        var b = new NeuralNetConfiguration.Builder().seed(3).list();
        for (var l : layers) b.layer(l);
        MultiLayerNetwork net = new MultiLayerNetwork(b.setInputType(in).build());
        net.init();
        return net;
    }

    @Test
    void aTransposedConvolutionPaddedByItsKernelLessOneIsAcceptedAndOneMoreIsRefused() {
        // k 3, stride 2, padding 2 on 4 x 4: 2 (4 - 1) + 3 - 4 = 5; the zero-inserted input is 7 x 7 and the padding
        // keff - 1 - p = 0, so the spec is the unpadded 3 x 3 convolution 7 -> 5
        MultiLayerNetwork net = mln(InputType.convolutional(4, 4, 1), new Deconvolution2D.Builder(3, 3).stride(2, 2).padding(2, 2)
            .convolutionMode(ConvolutionMode.Truncate).nOut(2).activation(Activation.IDENTITY).name("up").build());
        assertEquals(new LayerSpec("up", LayerType.CONV, 1, 2, 1, 1, 3, 3, 7, 7, 5, 5, 1, 0, 1, true),
            Workloads.extract(net, InputType.convolutional(4, 4, 1)).specs().get(0));
        // one output pixel: k 1 on 1 x 1
        MultiLayerNetwork one = mln(InputType.convolutional(1, 1, 1), new Deconvolution2D.Builder(1, 1)
            .convolutionMode(ConvolutionMode.Truncate).nOut(2).activation(Activation.IDENTITY).name("one").build());
        assertEquals(new LayerSpec("one", LayerType.CONV, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, true),
            Workloads.extract(one, InputType.convolutional(1, 1, 1)).specs().get(0));
        // padding 3 > keff - 1 crops: 2 (4 - 1) + 3 - 6 = 3
        MultiLayerNetwork crop = mln(InputType.convolutional(4, 4, 1), new Deconvolution2D.Builder(3, 3).stride(2, 2).padding(3, 3)
            .convolutionMode(ConvolutionMode.Truncate).nOut(2).activation(Activation.IDENTITY).name("crop").build());
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(crop, InputType.convolutional(4, 4, 1)));
        assertTrue(e.getMessage().startsWith("Workloads: layer crop (Deconvolution2D) crops its output"), e.getMessage());
    }

    @Test
    void aOneDimensionalSameConvolutionPadsOnChipAndACausalOneCountsItsZeroColumnsAsInput() {
        // Same, k 2 on 8: DL4J pads 0 before and 1 after, made on chip as any padding: W = 8, padW 0 (before), F = 8
        MultiLayerNetwork same = mln(InputType.recurrent(2, 8), new Convolution1DLayer.Builder(2).convolutionMode(ConvolutionMode.Same)
            .nOut(3).activation(Activation.RELU).name("same").build());
        assertEquals(new LayerSpec("same", LayerType.CONV, 1, 3, 2, 1, 1, 2, 1, 8, 1, 8, 1, 0, 1, true, 0),
            Workloads.extract(same, InputType.recurrent(2, 8)).specs().get(0));
        // Causal, k 3 dil 2 on 8: (k - 1) dil = 4 zero columns before: W = 12, keff 5, F = 8
        MultiLayerNetwork causal = mln(InputType.recurrent(2, 8), new Convolution1DLayer.Builder(3).dilation(2)
            .convolutionMode(ConvolutionMode.Causal).nOut(3).activation(Activation.RELU).name("causal").build());
        assertEquals(new LayerSpec("causal", LayerType.CONV, 1, 3, 2, 1, 1, 3, 1, 12, 1, 8, 1, 0, 2, true, 0),
            Workloads.extract(causal, InputType.recurrent(2, 8)).specs().get(0));
    }

    @Test
    void unequalStridesOrDilationsAreRefusedUnlessTheKernelSpansTheAxisOnce() {
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(mln(InputType.convolutional(8, 8, 1),
            new ConvolutionLayer.Builder(3, 3).stride(1, 2).nOut(2).name("st").build()), InputType.convolutional(8, 8, 1)));
        assertEquals("Workloads: layer st needs equal strides and dilations per axis, got stride 1x2, dilation 1x1", e.getMessage());
        var d = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(mln(InputType.convolutional(8, 8, 1),
            new ConvolutionLayer.Builder(3, 3).dilation(1, 2).nOut(2).name("dl").build()), InputType.convolutional(8, 8, 1)));
        assertEquals("Workloads: layer dl needs equal strides and dilations per axis, got stride 1x1, dilation 1x2", d.getMessage());
        // a 1 x 3 kernel spans the rows once: its row dilation changes nothing, the column dilation 1 is the layer's
        MultiLayerNetwork row = mln(InputType.convolutional(8, 8, 1), new ConvolutionLayer.Builder(1, 3).dilation(2, 1).nOut(2)
            .name("row").build());
        assertEquals(new LayerSpec("row", LayerType.CONV, 1, 2, 1, 1, 1, 3, 8, 8, 8, 6, 1, 0, 1, true),
            Workloads.extract(row, InputType.convolutional(8, 8, 1)).specs().get(0));
    }

    @Test
    void missingInputTypesAreRefused() {
        MultiLayerNetwork net = WorkloadsTest.cnn();
        var none = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(net));
        assertEquals("Workloads: at least one InputType is needed", none.getMessage());
        var nul = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(net, (InputType[]) null));
        assertEquals("Workloads: at least one InputType is needed", nul.getMessage());
        ComputationGraph g = graph(InputType.convolutional(6, 6, 1));
        var two = assertThrows(IllegalArgumentException.class,
            () -> Workloads.extract(g, InputType.convolutional(6, 6, 1), InputType.convolutional(6, 6, 1)));
        assertEquals("Workloads: the graph has 1 inputs [in], got 2 InputTypes", two.getMessage());
    }

    /** conv -> batch norm -> max pool -> dense -> output, as a graph. */
    private static ComputationGraph graph(InputType in) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).graphBuilder().addInputs("in")
            .addLayer("conv", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(2).activation(Activation.RELU).build(), "in")
            .addLayer("bn", new BatchNormalization.Builder().build(), "conv")
            .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "bn")
            .addLayer("fc", new DenseLayer.Builder().nOut(3).activation(Activation.RELU).build(), "pool")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "fc")
            .setOutputs("out").setInputTypes(in).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void layersWithOtherParametersAreListedAndParameterFreeOnesAreNot() {
        Workloads.Extracted x = Workloads.extract(graph(InputType.convolutional(6, 6, 1)), InputType.convolutional(6, 6, 1));
        assertEquals(List.of("conv", "fc", "out"), x.specs().stream().map(LayerSpec::id).toList());
        assertEquals(List.of("bn (BatchNormalization)"), x.skipped());
        MultiLayerNetwork net = mln(InputType.convolutional(6, 6, 1),
            new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(2).activation(Activation.RELU).name("conv").build(),
            new BatchNormalization.Builder().name("bn").build(),
            new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).name("pool").build(),
            new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).name("out").build());
        Workloads.Extracted m = Workloads.extract(net, InputType.convolutional(6, 6, 1));
        assertEquals(List.of("bn (BatchNormalization)"), m.skipped());
        assertEquals("; not priced (parameters of other layer kinds): bn (BatchNormalization)", Workloads.skippedNote(m));
    }

    /** Up to eight unpriced layers are named one by one; more are counted by kind, each naming its first three. */
    @Test
    void manyUnpricedLayersAreCountedByKind() {
        Workloads.Extracted x = Workloads.extract(graph(InputType.convolutional(6, 6, 1)), InputType.convolutional(6, 6, 1));
        List<String> eight = new ArrayList<>();
        for (int i = 1; i <= 8; i++) eight.add("bn" + i + " (BatchNormalization)");
        assertEquals("; not priced (parameters of other layer kinds): " + String.join(", ", eight),
            Workloads.skippedNote(new Workloads.Extracted(x.layers(), eight)));
        // nine: 7 BatchNormalization layers and 2 PReLU layers (a name with " (" in it keeps it), in layer order
        List<String> nine = List.of("bn1 (BatchNormalization)", "p (1) (PReLULayer)", "bn2 (BatchNormalization)",
            "bn3 (BatchNormalization)", "bn4 (BatchNormalization)", "bn5 (BatchNormalization)", "p2 (PReLULayer)",
            "bn6 (BatchNormalization)", "bn7 (BatchNormalization)");
        assertEquals("; not priced (parameters of other layer kinds), 9 layers: BatchNormalization x 7 (bn1, bn2, bn3 "
            + "and 4 more), PReLULayer x 2 (p (1), p2)", Workloads.skippedNote(new Workloads.Extracted(x.layers(), nine)));
        // entries made by hand without a kind in brackets are counted as "other"
        List<String> plain = new ArrayList<>(nine);
        plain.set(8, "odd");
        assertTrue(Workloads.skippedNote(new Workloads.Extracted(x.layers(), plain)).endsWith(", other x 1 (odd)"));
    }

    @Test
    void aGraphsFlatImageInputIsReadThroughTheLayersPreprocessor() {
        // convolutionalFlat: DL4J gives conv a FeedForwardToCnn preprocessor; the spec is the 6 x 6 image's
        ComputationGraph g = graph(InputType.convolutionalFlat(6, 6, 1));
        assertEquals(new LayerSpec("conv", LayerType.CONV, 1, 2, 1, 1, 3, 3, 6, 6, 6, 6, 1, 1, 1, true),
            Workloads.extract(g, InputType.convolutionalFlat(6, 6, 1)).specs().get(0));
    }

    @Test
    void onlyTheFirstLayerGetsTheDensePixelDefaults() {
        Knobs k = Knobs.defaults();
        ArchSpec a = ArchSpec.paper();
        Workload w = Workloads.of(WorkloadsTest.cnn(), "cnn", k, a, InputType.convolutionalFlat(5, 5, 1));
        ActStats first = w.layers().get(0).act(), second = w.layers().get(1).act(), third = w.layers().get(2).act();
        // first layer: image pixels, dense (dA = 1), no zero row segments
        assertEquals(1, first.dA(), 0);
        assertEquals(0, first.rowZero(), 0);
        // the others: the i.i.d. model fitted to Fig. 3's MBV2, bitsRaw = 8 (1 - 0.798); its Booth sparsity stops at
        // 64.5% (docs/HWMODEL-RESULTS.md, paper targets), boothDig = 4 (1 - 0.645); rowZero the knob's
        for (ActStats s : List.of(second, third)) {
            assertEquals(8 * (1 - PaperModels.BIT_SPARSITY), s.bitsRaw(), 1e-9);
            assertEquals(4 * (1 - 0.645), s.boothDig(), 0.002);
            assertEquals(k.rowZeroDefault(), s.rowZero(), 0);
            assertTrue(s.dA() < 1, "MBV2's activations have zeros: " + s.dA());
        }
        assertEquals(second.dA(), first.dOut(), 0); // the first layer's output is what the next one reads
    }

    @Test
    void thePaperStatsNoteStatesTheSparsitiesTheDefaultStatisticsHave() {
        // every report priced without --data carries PAPER_STATS_NOTE as its statsSource; the bit and Booth sparsity
        // it names must be those of paperDefaultStats (non-first layer), to the note's one decimal. Expected values:
        // bit 1 - bitsRaw / 8 = 79.8% (PaperModels.BIT_SPARSITY, Fig. 3); Booth 1 - boothDig / 4 = 64.5%, not Fig. 3's
        // 66.0%, because ActStats.fitted stops at its bracket end (SpecEdgesTest, docs/HWMODEL-RESULTS.md "Fig. 3
        // statistics"). The note said "66.0% Booth sparsity" before.
        ActStats s = Workloads.paperDefaultStats(false, Knobs.defaults(), ArchSpec.paper());
        java.util.regex.Matcher bit = java.util.regex.Pattern.compile("([0-9.]+)% bit").matcher(Workloads.PAPER_STATS_NOTE);
        java.util.regex.Matcher booth = java.util.regex.Pattern.compile("([0-9.]+)% Booth").matcher(Workloads.PAPER_STATS_NOTE);
        assertTrue(bit.find(), Workloads.PAPER_STATS_NOTE);
        assertTrue(booth.find(), Workloads.PAPER_STATS_NOTE);
        assertEquals(100 * (1 - s.bitsRaw() / 8), Double.parseDouble(bit.group(1)), 0.05);
        assertEquals(100 * (1 - s.boothDig() / 4), Double.parseDouble(booth.group(1)), 0.05);
    }

    @Test
    void theInputLayoutIsReadFromTheFirstLayerThatReadsTheInput() {
        ComputationGraph nhwc = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
            .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(2).dataFormat(CNN2DFormat.NHWC).build(), "in")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build(), "c")
            .setOutputs("out").setInputTypes(InputType.convolutional(5, 5, 1, CNN2DFormat.NHWC)).build());
        nhwc.init();
        assertTrue(Workloads.readsChannelsLast(nhwc));
        assertFalse(Workloads.readsChannelsLast(graph(InputType.convolutional(6, 6, 1))));
        // a channels-last pooling layer first
        assertTrue(Workloads.readsChannelsLast(mln(InputType.convolutional(6, 6, 1, CNN2DFormat.NHWC),
            new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .dataFormat(CNN2DFormat.NHWC).build(),
            new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())));
        assertFalse(Workloads.readsChannelsLast(mln(InputType.convolutional(6, 6, 1),
            new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
            new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())));
        // a dense first layer states no layout
        assertFalse(Workloads.readsChannelsLast(mln(InputType.feedForward(4), new DenseLayer.Builder().nOut(2).build(),
            new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())));
    }

    @Test
    void dilatedAndEvenSameTransposedConvolutions() {
        // k 3 dil 2 (keff 5), stride 1, padding 0 on 4 x 4: 4 - 1 + 5 = 8; padded keff - 1 = 4 on each side
        MultiLayerNetwork dil = mln(InputType.convolutional(4, 4, 1), new Deconvolution2D.Builder(3, 3).dilation(2, 2)
            .convolutionMode(ConvolutionMode.Truncate).nOut(2).activation(Activation.IDENTITY).name("d").build());
        assertEquals(new LayerSpec("d", LayerType.CONV, 1, 2, 1, 1, 3, 3, 4, 4, 8, 8, 1, 4, 2, true),
            Workloads.extract(dil, InputType.convolutional(4, 4, 1)).specs().get(0));
        // Same, k 2, stride 1 on 5 x 5: keff + U - 2 = 1 zero row (column) in all, keff - 1 - (keff - U) / 2 = 1 before:
        // the spec reads 6 x 6 unpadded, the statistics the input with a zero first row and column
        MultiLayerNetwork same = mln(InputType.convolutional(5, 5, 1), new Deconvolution2D.Builder(2, 2)
            .convolutionMode(ConvolutionMode.Same).nOut(2).activation(Activation.IDENTITY).name("s").build());
        Workloads.NetLayer s = Workloads.extract(same, InputType.convolutional(5, 5, 1)).layers().get(0);
        assertEquals(new LayerSpec("s", LayerType.CONV, 1, 2, 1, 1, 2, 2, 6, 6, 5, 5, 1, 0, 1, true), s.spec());
        org.nd4j.linalg.api.ndarray.INDArray img = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 5, 5);
        org.nd4j.linalg.api.ndarray.INDArray read = s.prep(img);
        assertArrayEquals(new long[] {1, 1, 6, 6}, read.shape());
        assertEquals(25, read.sumNumber().intValue());
        assertEquals(0, read.getDouble(0, 0, 0, 3), 0);
        assertEquals(0, read.getDouble(0, 0, 3, 0), 0);
    }

    @Test
    void aKernelOneColumnWideMayDilateItsColumnsAndASequenceMayBeOneLong() {
        MultiLayerNetwork col = mln(InputType.convolutional(8, 8, 1), new ConvolutionLayer.Builder(3, 1).dilation(1, 2).nOut(2)
            .name("col").build());
        assertEquals(new LayerSpec("col", LayerType.CONV, 1, 2, 1, 1, 3, 1, 8, 8, 6, 8, 1, 0, 1, true),
            Workloads.extract(col, InputType.convolutional(8, 8, 1)).specs().get(0));
        MultiLayerNetwork one = mln(InputType.recurrent(2, 1), new Convolution1DLayer.Builder(1).nOut(3).name("one").build());
        assertEquals(new LayerSpec("one", LayerType.CONV, 1, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, true),
            Workloads.extract(one, InputType.recurrent(2, 1)).specs().get(0));
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(null, InputType.feedForward(4)));
        assertEquals("Workloads: network must be a MultiLayerNetwork or ComputationGraph, got null", e.getMessage());
    }
}
