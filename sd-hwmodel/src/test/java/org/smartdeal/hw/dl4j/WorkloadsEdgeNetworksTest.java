package org.smartdeal.hw.dl4j;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Edge networks of the DL4J extraction and listener, found by a bug hunt (session h6, branch hunt), each failing
 * before its fix:
 * <ul>
 * <li>an {@link EnergyListener} on a sequence graph counts examples from the graph's network input, not from a
 *     layer's per-step rows: one fit on 2 sequences of 5 steps is 2 examples (the minibatch given), not the 10 rows
 *     [N T, C] that the dense layer behind RnnToFeedForwardPreProcessor holds.</li>
 * <li>a network ending in an OCNNOutputLayer (parameters v, w, r; no W) is extracted, the layer listed as not priced
 *     with the reason, where the extraction threw; its dense layer is priced as the FC 5 -> 6 it is (nIn from the
 *     input type feedForward(5), nOut 6 as configured).</li>
 * <li>a 16 x 1 convolution, which LayerSpec refuses (r <= 15, a 15-bit row mask), is listed as not priced with the
 *     reason, where the extraction threw naming LayerSpec; the output layer after it is priced as FC 40 -> 2 (the
 *     16 x 1 kernel, stride 1, no padding, maps 20 x 4 to 5 x 4, times its 2 channels: 40 inputs).</li>
 * <li>with the paper's default statistics ({@link Workloads#of}), every layer reading the network's input gets the
 *     dense-pixel ones (dA = 1, {@link Workloads#paperDefaultStats}(true, ...)), not only priced layer 0: in a graph
 *     whose image feeds two convolutions both have dA = 1, the output layer after them the MBV2-fitted model's dA;
 *     the pointwise half of a separable convolution first in a network reads its depthwise half, not the image.</li>
 * <li>a TimeDistributed(DenseLayer) 3 -> 4 on sequences of 6 steps is priced as the per-step dense layer it runs,
 *     6 x 3 x 4 = 72 MACs per example (it was listed as not priced).</li>
 * <li>an RnnOutputLayer 5 -> 2 reading the 3-step sequence a RepeatVector(3) makes inside a network of feed-forward
 *     input is priced per step, the 1 x 1 CONV over one row of 3 columns, 3 x 5 x 2 = 30 MACs (it was priced as one
 *     step, FC 5 -> 2, 10 MACs, and its statistics could not be measured: the [N, 5, 3] input met an FC spec).</li>
 * </ul>
 */
class WorkloadsEdgeNetworksTest {

    /**
     * EnergyListener.onForwardPass(Model, Map) counted examples from the first value of DL4J's activation map, a
     * HashMap: with these vertex names that is "a", the per-step rows [N T, 4] of a dense layer behind
     * RnnToFeedForwardPreProcessor, so one fit on 2 sequences of 5 steps counted 10 examples (and forwardEnergyPj was 5x).
     */
    @Test
    void aListenerOnASequenceGraphCountsExamplesNotStepRows() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("x")
            .addLayer("a", new DenseLayer.Builder().nIn(3).nOut(4).build(), new RnnToFeedForwardPreProcessor(), "x")
            .addLayer("b", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                .activation(Activation.IDENTITY).build(), new FeedForwardToRnnPreProcessor(), "a")
            .setOutputs("b").build());
        g.init();
        EnergyListener l = new EnergyListener(g, ArchSpec.paper(), 1, InputType.recurrent(3, 5));
        g.setListeners(l);
        Nd4j.getRandom().setSeed(2);
        g.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 5), Nd4j.rand(DataType.FLOAT, 2, 2, 5)));
        assertEquals(2, l.examplesSampled());
        assertEquals(2, l.examplesSeen());
    }

    /**
     * DL4J's OCNNOutputLayer (one-class network, a BaseOutputLayer) keeps its weights under v, w and r, not "W": the
     * extraction refused the whole legal network ("layer ocnn has no weight parameter W"); it is now listed as not
     * priced, with the reason, and the dense layer before it priced as FC 5 -> 6.
     */
    @Test
    void aNetworkEndingInAnOcnnOutputLayerListsItAsNotPriced() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new DenseLayer.Builder().nOut(6).activation(Activation.RELU).name("fc").build())
            .layer(new org.deeplearning4j.nn.conf.ocnn.OCNNOutputLayer.Builder().nIn(6).hiddenLayerSize(4).nu(0.1)
                .activation(Activation.IDENTITY).name("ocnn").build())
            .setInputType(InputType.feedForward(5)).build());
        net.init();
        Workloads.Extracted x = Workloads.extract(net, InputType.feedForward(5));
        assertEquals(List.of(LayerSpec.fc("fc", LayerType.FC, 6, 5, true)), x.specs());
        assertEquals(List.of("ocnn (OCNNOutputLayer: a one-class output layer with parameters v, w, r, not a fully "
            + "connected layer; not modelled)"), x.skipped());
        assertEquals("; not priced (parameters of other layer kinds): " + x.skipped().get(0), Workloads.skippedNote(x));
    }

    /**
     * A legal 16 x 1 convolution (a tall kernel over a spectrogram's frequency axis) was refused by LayerSpec's
     * r <= 15 with a message naming LayerSpec rather than the layer; it is now listed as not priced, with the reason.
     */
    @Test
    void aConvolutionWithSixteenKernelRowsIsListedAsNotPriced() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(16, 1).nOut(2).name("tall").build())
            .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).name("out").build())
            .setInputType(InputType.convolutional(20, 4, 1)).build());
        net.init();
        Workloads.Extracted x = Workloads.extract(net, InputType.convolutional(20, 4, 1));
        assertEquals(List.of(LayerSpec.fc("out", LayerType.FC, 2, 40, true)), x.specs());
        assertEquals(List.of("tall (ConvolutionLayer: 16 kernel rows; kernels of more than 15 rows are not modelled)"),
            x.skipped());
    }

    /**
     * A legal 1 x 40000 convolution (a wide kernel over a raw signal) has 40000 weights per kernel, more than the short
     * in which WeightRep counts a kernel's non-zeros holds (found by a bug hunt: the count wrapped to a negative number,
     * this network's nnzW summed to -52210 for 80000 weights, and pricing failed as an internal error, SmartDeal's
     * "Action(bit-serial terms).count must be finite and >= 0, got -141002.36..."). It is listed as not priced, with
     * the reason, as a kernel of 16 rows is; 1 x 32767 is priced, every weight counted.
     */
    @Test
    void aConvolutionOfMoreTapsThanAKernelCountHoldsIsListedAsNotPriced() {
        for (int taps : new int[] {40000, 32767}) {
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, taps).nOut(2).name("wide").build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                    .activation(Activation.IDENTITY).name("out").build())
                .setInputType(InputType.convolutional(1, taps, 1)).build());
            net.init();
            Workloads.Extracted x = Workloads.extract(net, InputType.convolutional(1, taps, 1));
            if (taps == 40000) {
                assertEquals(List.of(LayerSpec.fc("out", LayerType.FC, 2, 2, true)), x.specs());
                assertEquals(List.of("wide (ConvolutionLayer: 1 x 40000 kernel, 40000 weights each; kernels of more than "
                    + "32767 weights are not modelled)"), x.skipped());
            } else {
                assertEquals(List.of(), x.skipped());
                org.smartdeal.hw.spec.Workload w = Workloads.of(net, "wide", org.smartdeal.hw.spec.Knobs.defaults(),
                    org.smartdeal.hw.spec.ArchSpec.paper(), InputType.convolutional(1, taps, 1));
                assertEquals(2 * 32767, org.smartdeal.hw.spec.WeightRep.dense(w.layers().get(0).layer()).nnzTotal());
            }
        }
    }

    /** A 15 x 1 convolution, the tallest LayerSpec takes, is still priced: CONV 15 x 1 on 20 x 4, output 6 x 4. */
    @Test
    void aConvolutionWithFifteenKernelRowsIsPriced() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(15, 1).nOut(2).name("tall").build())
            .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).name("out").build())
            .setInputType(InputType.convolutional(20, 4, 1)).build());
        net.init();
        Workloads.Extracted x = Workloads.extract(net, InputType.convolutional(20, 4, 1));
        assertEquals(List.of(), x.skipped());
        assertEquals(new LayerSpec("tall", LayerType.CONV, 1, 2, 1, 1, 15, 1, 20, 4, 6, 4, 1, 0, 1, true), x.specs().get(0));
    }

    /**
     * Workloads.of gave the paper's dense-pixel statistics (dA = 1, rowZero 0) to priced layer 0 only
     * ({@code paperDefaultStats(i == 0, ...)}); in a graph whose input feeds two convolutions (an Inception-style stem,
     * a shortcut reading the image), the second read the same dense pixels but got the post-ReLU MBV2 model. The
     * expected values are paperDefaultStats' own: (true, ...) for a and b, (false, ...) for out.
     */
    @Test
    void everyLayerReadingTheImageGetsTheDensePixelDefaults() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
            .addLayer("a", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(2).build(), "in")
            .addLayer("b", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(2).build(), "in")
            .addVertex("sum", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "a", "b")
            .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).build(), "sum")
            .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 1)).build());
        g.init();
        var w = Workloads.of(g, "g", Knobs.defaults(), ArchSpec.paper(), InputType.convolutional(6, 6, 1));
        assertEquals(List.of("a", "b", "out"), w.layers().stream().map(e -> e.layer().id()).toList());
        var pixels = Workloads.paperDefaultStats(true, Knobs.defaults(), ArchSpec.paper());
        var later = Workloads.paperDefaultStats(false, Knobs.defaults(), ArchSpec.paper());
        assertEquals(1.0, w.layers().get(0).act().dA(), 0);
        assertEquals(pixels, w.layers().get(0).act());
        assertEquals(pixels, w.layers().get(1).act(), "b reads the image's pixels as a does");
        assertEquals(later, w.layers().get(2).act());
        assertTrue(later.dA() < 1, "the later layers' model is sparser than the pixels: " + later.dA());
    }

    /** A separable convolution reading the image: its depthwise half reads the pixels, its pointwise half does not. */
    @Test
    void onlyTheDepthwiseHalfOfASeparableFirstLayerReadsThePixels() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).nOut(4).name("sep").build())
            .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).name("out").build())
            .setInputType(InputType.convolutional(6, 6, 2)).build());
        net.init();
        var w = Workloads.of(net, "sep", Knobs.defaults(), ArchSpec.paper(), InputType.convolutional(6, 6, 2));
        assertEquals(List.of("sep/dw", "sep/pw", "out"), w.layers().stream().map(e -> e.layer().id()).toList());
        var pixels = Workloads.paperDefaultStats(true, Knobs.defaults(), ArchSpec.paper());
        var later = Workloads.paperDefaultStats(false, Knobs.defaults(), ArchSpec.paper());
        assertEquals(List.of(pixels, later, later), w.layers().stream().map(e -> e.act()).toList());
    }

    /**
     * TimeDistributed(DenseLayer) (what Keras import makes of TimeDistributed(Dense)) runs its dense layer once per
     * step, as the per-step DenseLayer priced since session 38: 6 steps x 3 x 4 = 72 MACs. It was left out as "not
     * priced", as FrozenLayer was.
     */
    @Test
    void aTimeDistributedDenseLayerIsPriced() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new TimeDistributed(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.RELU).build(), RNNFormat.NCW))
            .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY)
                .name("out").build())
            .setInputType(InputType.recurrent(3, 6)).build());
        net.init();
        Workloads.Extracted x = Workloads.extract(net, InputType.recurrent(3, 6));
        assertEquals(List.of(), x.skipped());
        assertEquals(2, x.specs().size());
        assertEquals(new LayerSpec("layer0", LayerType.CONV, 1, 4, 3, 1, 1, 1, 1, 6, 1, 6, 1, 0, 1, true), x.specs().get(0));
        assertEquals(6 * 3 * 4.0, x.specs().get(0).macs());
    }

    /** Dense 4 -> 5, RepeatVector(3), RnnOutputLayer 5 -> 2 on a feed-forward input (a seq2seq decoder's head). */
    private static MultiLayerNetwork repeatNet() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).name("fc").build())
            .layer(new RepeatVector.Builder(3).name("rep").build())
            .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY)
                .name("out").build())
            .setInputType(InputType.feedForward(4)).build());
        net.init();
        return net;
    }

    /**
     * The RnnOutputLayer reads a sequence of 3 steps ([N, 5, 3]) and runs once per step: 3 x 5 x 2 = 30 MACs per
     * example, the 1 x 1 CONV over one row of 3 columns that a sequence-input network gets. The network's input is
     * feed-forward, so no probe was made and the layer was priced as one step, FC 5 -> 2 (10 MACs).
     */
    @Test
    void aLayerReadingASequenceMadeInsideTheNetworkIsPricedPerStep() {
        List<LayerSpec> specs = Workloads.extract(repeatNet(), InputType.feedForward(4)).specs();
        assertEquals(LayerSpec.fc("fc", LayerType.FC, 5, 4, true), specs.get(0));
        assertEquals(new LayerSpec("out", LayerType.CONV, 1, 2, 5, 1, 1, 1, 1, 3, 1, 3, 1, 0, 1, true), specs.get(1));
        assertEquals(30.0, specs.get(1).macs());
    }

    /** The same network's statistics can be measured: the per-step input [N, 5, 3] met an FC spec before. */
    @Test
    void theStatisticsOfALayerReadingASequenceMadeInsideTheNetworkCanBeMeasured() {
        Nd4j.getRandom().setSeed(1);
        DataSet d = new DataSet(Nd4j.rand(DataType.FLOAT, 2, 4), Nd4j.rand(DataType.FLOAT, 2, 2, 3));
        assertDoesNotThrow(() -> EnergyReport.of(repeatNet(), "rep", InputType.feedForward(4),
            new ListDataSetIterator<>(List.of(d)), 2, List.of("diannao"), Knobs.defaults()));
    }
}
