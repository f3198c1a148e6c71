package org.smartdeal.hw.dl4j;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers that run as another layer does: a frozen layer (TransferLearning's feature extractor) runs as the layer it
 * wraps, and a dense or output layer behind a sequence runs once per time step. Expected shapes and MACs by hand;
 * the statistics' reassembly of per-step rows against the dense layer applied to each step by hand.
 */
class WorkloadsFrozenAndSequenceTest {

    private static final Knobs K = Knobs.defaults();

    private static MultiLayerNetwork cnn() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
            .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).name("c1").build())
            .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).name("p1").build())
            .layer(new DenseLayer.Builder().nOut(12).activation(Activation.RELU).name("fc").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out")
                .build())
            .setInputType(InputType.convolutionalFlat(12, 12, 1)).build());
        net.init();
        return net;
    }

    /**
     * TransferLearning's feature extractor wraps c1, p1 and fc in FrozenLayer: they are priced as before (they were
     * left out as "not priced", so the energy came out a third low), with and without measured statistics.
     */
    @Test
    void frozenLayersArePricedAsTheLayersTheyWrap() {
        MultiLayerNetwork net = cnn();
        MultiLayerNetwork frozen = new TransferLearning.Builder(net).setFeatureExtractor(2).build();
        assertInstanceOf(FrozenLayer.class, frozen.getLayerWiseConfigurations().getConf(0).getLayer());
        InputType in = InputType.convolutionalFlat(12, 12, 1);
        Workloads.Extracted a = Workloads.extract(net, in), b = Workloads.extract(frozen, in);
        assertEquals(List.of("c1", "fc", "out"), b.specs().stream().map(LayerSpec::id).toList());
        assertEquals(a.specs(), b.specs());
        assertEquals(List.of(), b.skipped());
        for (String acc : List.of("smartdeal", "diannao", "scnn"))
            assertEquals(EnergyReport.of(Workloads.of(net, "n", K, org.smartdeal.hw.spec.ArchSpec.paper(), in), "paper", List.of("all"), K)
                .energyPj(acc), EnergyReport.of(Workloads.of(frozen, "n", K, org.smartdeal.hw.spec.ArchSpec.paper(), in), "paper",
                List.of("all"), K).energyPj(acc), acc);
        Nd4j.getRandom().setSeed(7);
        DataSet d = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 144), Nd4j.eye(4).getColumns(0, 1, 2));
        EnergyReport measured = EnergyReport.of(net, "n", in, new ListDataSetIterator<>(List.of(d)), 4, List.of("all"), K);
        EnergyReport measuredFrozen = EnergyReport.of(frozen, "n", in, new ListDataSetIterator<>(List.of(d)), 4, List.of("all"), K);
        assertEquals(measured.energyPj("smartdeal"), measuredFrozen.energyPj("smartdeal"));
        assertEquals(measured.cycles("bitpragmatic"), measuredFrozen.cycles("bitpragmatic"));
    }

    @Test
    void aFrozenLayerWithBackpropInAGraphIsPriced() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).graphBuilder().addInputs("in")
            .addLayer("fc", new FrozenLayerWithBackprop(new DenseLayer.Builder().nIn(10).nOut(6).build()), "in")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(2)
                .activation(Activation.SOFTMAX).build(), "fc")
            .setOutputs("out").build());
        g.init();
        Workloads.Extracted x = Workloads.extract(g, InputType.feedForward(10));
        assertEquals(List.of(LayerSpec.fc("fc", LayerType.FC, 6, 10, true), LayerSpec.fc("out", LayerType.FC, 2, 6, true)), x.specs());
        assertEquals(List.of(), x.skipped());
    }

    /** Conv1D (4 -> 8, k 3, Same) on sequences of 28, a dense layer (8 -> 6) per step, an RnnOutputLayer (6 -> 10). */
    private static MultiLayerNetwork sequenceNet() {
        // sizes and preprocessors stated, as DL4J's setInputType would: DL4J M2.1 infers nIn 28 (the length) for a
        // dense layer after a Conv1D, which then fails to run
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new Convolution1DLayer.Builder(3).convolutionMode(ConvolutionMode.Same).nIn(4).nOut(8)
                .activation(Activation.RELU).name("c1d").build())
            .layer(new DenseLayer.Builder().nIn(8).nOut(6).activation(Activation.RELU).name("fc").build())
            .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(10).activation(Activation.SOFTMAX)
                .name("out").build())
            .inputPreProcessor(1, new RnnToFeedForwardPreProcessor()).inputPreProcessor(2, new FeedForwardToRnnPreProcessor())
            .build());
        net.init();
        return net;
    }

    /**
     * Each step is a 1 x 1 convolution over one row of 28 columns: fc 28 x 8 x 6 = 1,344 MACs, out 28 x 6 x 10 =
     * 1,680 per example (both were priced as one step, 48 and 60). fc reads the steps through DL4J's
     * RnnToFeedForwardPreProcessor, out through FeedForwardToRnnPreProcessor from fc's rows.
     */
    @Test
    void denseAndOutputLayersBehindASequenceArePricedOncePerTimeStep() {
        MultiLayerNetwork net = sequenceNet();
        List<LayerSpec> specs = Workloads.extract(net, InputType.recurrent(4, 28)).specs();
        assertEquals(new LayerSpec("fc", LayerType.CONV, 1, 6, 8, 1, 1, 1, 1, 28, 1, 28, 1, 0, 1, true), specs.get(1));
        assertEquals(new LayerSpec("out", LayerType.CONV, 1, 10, 6, 1, 1, 1, 1, 28, 1, 28, 1, 0, 1, true), specs.get(2));
        assertEquals(1344.0, specs.get(1).macs());
        assertEquals(1680.0, specs.get(2).macs());
        // measured statistics run on such a network
        Nd4j.getRandom().setSeed(3);
        DataSet d = new DataSet(Nd4j.rand(DataType.FLOAT, 3, 4, 28), Nd4j.zeros(DataType.FLOAT, 3, 10, 28));
        EnergyReport r = EnergyReport.of(net, "seq", InputType.recurrent(4, 28), new ListDataSetIterator<>(List.of(d)), 3,
            List.of("all"), K);
        assertTrue(r.energyPj("smartdeal") > 0);
    }

    /**
     * The statistics of out read fc's rows [N x 28, 6] put back as [N, 6, 1, 28]: entry (e, :, 0, t) is fc applied by
     * hand to step t of example e of c1d's output, relu(W^T x + b).
     */
    @Test
    void rowsSplitFromASequenceAreReadBackInStepOrder() {
        MultiLayerNetwork net = sequenceNet();
        Workloads.NetLayer out = Workloads.extract(net, InputType.recurrent(4, 28)).layers().get(2);
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 28);
        List<INDArray> acts = net.feedForward(x, false);
        INDArray conv = acts.get(1), image = out.input(acts);
        assertEquals(List.of(2L, 6L, 1L, 28L), List.of(image.shape()[0], image.shape()[1], image.shape()[2], image.shape()[3]));
        INDArray w = net.getLayer(1).getParam("W"), b = net.getLayer(1).getParam("b");
        for (int e = 0; e < 2; e++)
            for (int t : new int[] {0, 5, 27}) {
                INDArray step = conv.get(org.nd4j.linalg.indexing.NDArrayIndex.point(e), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t)).reshape(1, 8);
                INDArray byHand = org.nd4j.linalg.ops.transforms.Transforms.relu(step.mmul(w).addi(b), false);
                for (int j = 0; j < 6; j++)
                    assertEquals(byHand.getFloat(0, j), image.getFloat(e, j, 0, t), 1e-6, "example " + e + " step " + t + " unit " + j);
            }
    }

    /**
     * The statistics' own inference pass gives FeedForwardToRnnPreProcessor the network's minibatch size, as DL4J's
     * does: the output layer's activations equal net.output, [2, 10, 28] (with the row count, 56, as the minibatch
     * they came out [56, 10, 1]).
     */
    @Test
    void theStatisticsPassRegroupsStepRowsByTheNetworksMinibatch() {
        MultiLayerNetwork net = sequenceNet();
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 28);
        List<INDArray> acts = ActStatsCollector.forward(net, x);
        INDArray expected = net.output(x, false);
        assertEquals(List.of(2L, 10L, 28L), List.of(acts.get(3).shape()[0], acts.get(3).shape()[1], acts.get(3).shape()[2]));
        assertTrue(expected.equalsWithEps(acts.get(3), 1e-6), acts.get(3).shapeInfoToString());
    }

    /**
     * An LSTM is not priced (named), its RnnOutputLayer is, per step; pooling over time makes one row again (DL4J
     * types the pooled output as a sequence of 28, so the steps are read from a probe pass's shapes, not the types).
     */
    @Test
    void anRnnOutputLayerAfterAnLstmIsPricedPerStepAndPoolingOverTimeIsOneStep() {
        MultiLayerNetwork lstm = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new LSTM.Builder().nOut(5).name("lstm").build())
            .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                .name("out").build())
            .setInputType(InputType.recurrent(4, 12)).build());
        lstm.init();
        Workloads.Extracted x = Workloads.extract(lstm, InputType.recurrent(4, 12));
        assertEquals(List.of("lstm (LSTM)"), x.skipped());
        assertEquals(new LayerSpec("out", LayerType.CONV, 1, 3, 5, 1, 1, 1, 1, 12, 1, 12, 1, 0, 1, true), x.specs().get(0));

        MultiLayerNetwork pooled = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new Convolution1DLayer.Builder(3).convolutionMode(ConvolutionMode.Same).nOut(8).name("c1d").build())
            .layer(new GlobalPoolingLayer.Builder().name("pool").build())
            .layer(new DenseLayer.Builder().nOut(6).name("fc").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).name("out")
                .build())
            .setInputType(InputType.recurrent(4, 28)).build());
        pooled.init();
        List<LayerSpec> specs = Workloads.extract(pooled, InputType.recurrent(4, 28)).specs();
        assertEquals(LayerSpec.fc("fc", LayerType.FC, 6, 8, true), specs.get(1));
        assertEquals(LayerSpec.fc("out", LayerType.FC, 2, 6, true), specs.get(2));
    }

    @Test
    void aSequenceOfUnstatedLengthIsRefusedNamingTheLayer() {
        MultiLayerNetwork lstm = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new LSTM.Builder().nOut(5).name("lstm").build())
            .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                .name("out").build())
            .setInputType(InputType.recurrent(4)).build());
        lstm.init();
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(lstm, InputType.recurrent(4)));
        assertTrue(e.getMessage().startsWith("Workloads: layer out (RnnOutputLayer) runs once per time step of a sequence of "
            + "unstated length"), e.getMessage());
        assertTrue(e.getMessage().endsWith("give the network's input as InputType.recurrent(size, length)"), e.getMessage());
    }
    /**
     * Behind a preprocessor that flattens the sequence (a Keras Flatten: [N, 8, 10] to [N, 80]) a dense layer runs
     * once: FC 80 -> 6, 480 MACs (the review of this change found it priced 10 times, as a per-step layer).
     */
    @Test
    void aDenseLayerBehindAFlattenOfTheSequenceRunsOnce() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new Convolution1DLayer.Builder(3).convolutionMode(ConvolutionMode.Same).nIn(4).nOut(8).name("c1d").build())
            .layer(new DenseLayer.Builder().nIn(80).nOut(6).name("fc").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(2).activation(Activation.SOFTMAX)
                .name("out").build())
            .inputPreProcessor(1, new org.deeplearning4j.preprocessors.KerasFlattenRnnPreprocessor(8, 10)).build());
        net.init();
        List<LayerSpec> specs = Workloads.extract(net, InputType.recurrent(4, 10)).specs();
        assertEquals(LayerSpec.fc("fc", LayerType.FC, 6, 80, true), specs.get(1));
        assertEquals(480.0, specs.get(1).macs());
    }

    /**
     * A channels-last RnnOutputLayer whose length equals its nIn (5): the statistics read step t, channel c from
     * x[e, t, c] (the layout is the layer's, not guessed from the shape, where both sizes are 5).
     */
    @Test
    void aChannelsLastSequenceIsReadInItsLayoutWhenLengthEqualsChannels() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX)
                .dataFormat(org.deeplearning4j.nn.conf.RNNFormat.NWC).name("out").build())
            .build());
        net.init();
        InputType in = InputType.recurrent(5, 5, org.deeplearning4j.nn.conf.RNNFormat.NWC);
        Workloads.NetLayer out = Workloads.extract(net, in).layers().get(0);
        assertEquals(new LayerSpec("out", LayerType.CONV, 1, 3, 5, 1, 1, 1, 1, 5, 1, 5, 1, 0, 1, true), out.spec());
        INDArray x = Nd4j.arange(25).castTo(DataType.FLOAT).reshape(1, 5, 5); // x[0, t, c] = 5 t + c
        INDArray image = out.prep(x);
        assertEquals(1f, image.getFloat(0, 1, 0, 0), "channel 1 at step 0");
        assertEquals(5f, image.getFloat(0, 0, 0, 1), "channel 0 at step 1");
    }

    /**
     * A sequence of unstated length: a Conv1D gets its own message (the probe pass, on 64 steps, no longer fails
     * first), and a dense layer after pooling over time, which runs once, is priced.
     */
    @Test
    void anUnstatedLengthIsRefusedOnlyWhereTheStepsCount() {
        MultiLayerNetwork conv = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new Convolution1DLayer.Builder(3).nIn(4).nOut(8).name("c1d").build())
            .layer(new GlobalPoolingLayer.Builder().name("pool").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2).activation(Activation.SOFTMAX)
                .name("out").build())
            // as setInputType adds it: DL4J types the pooled output a sequence (its type check fails without it)
            .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
            .build());
        conv.init();
        var e = assertThrows(IllegalArgumentException.class, () -> Workloads.extract(conv, InputType.recurrent(4)));
        assertTrue(e.getMessage().startsWith("Workloads: layer c1d (Convolution1DLayer) needs sequence input and output "
            + "types of a fixed length"), e.getMessage());
        MultiLayerNetwork lstm = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
            .layer(new LSTM.Builder().nIn(4).nOut(5).name("lstm").build())
            .layer(new GlobalPoolingLayer.Builder().name("pool").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(2).activation(Activation.SOFTMAX)
                .name("out").build())
            .inputPreProcessor(2, new RnnToFeedForwardPreProcessor())
            .build());
        lstm.init();
        assertEquals(List.of(LayerSpec.fc("out", LayerType.FC, 2, 5, true)), Workloads.extract(lstm, InputType.recurrent(4)).specs());
    }

    /** A frozen layer that is not priced is listed as the layer it wraps: "bn (BatchNormalization, frozen)". */
    @Test
    void aFrozenLayerNotPricedIsListedAsTheLayerItWraps() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
            .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).name("c1").build())
            .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().name("bn").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out")
                .build())
            .setInputType(InputType.convolutionalFlat(8, 8, 1)).build());
        net.init();
        MultiLayerNetwork frozen = new TransferLearning.Builder(net).setFeatureExtractor(1).build();
        assertEquals(List.of("bn (BatchNormalization, frozen)"), Workloads.extract(frozen, InputType.convolutionalFlat(8, 8, 1)).skipped());
    }
}
