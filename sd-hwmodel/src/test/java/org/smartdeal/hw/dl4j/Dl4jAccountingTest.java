package org.smartdeal.hw.dl4j;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.Knobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ActStatsCollector, EnergyListener and EnergyReport on a 4-2-2 network whose first layer passes the
 * first two inputs through unchanged (W = [[1,0],[0,1],[0,0],[0,0]], identity activation, bias 0; SGD with
 * learning rate 0 keeps it so during fit), so
 * every layer input is known by hand.
 */
class Dl4jAccountingTest {
    static final float[] X = {0, 1, 2, -3}; // q = [0, 42, 85, -127] (ActStatsAccumulatorTest)

    static MultiLayerNetwork mln() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.0)).list()
            .layer(new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).name("fc").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2).activation(Activation.SOFTMAX).name("out").build())
            .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        setPassThrough(net.getLayer(0).getParam("W"));
        return net;
    }

    static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.0)).graphBuilder().addInputs("in")
            .addLayer("fc", new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).build(), "in")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2).activation(Activation.SOFTMAX).build(), "fc")
            .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        setPassThrough(g.getLayer("fc").getParam("W"));
        return g;
    }

    static void setPassThrough(INDArray w) {
        w.assign(0);
        w.putScalar(new int[] {0, 0}, 1);
        w.putScalar(new int[] {1, 1}, 1);
    }

    static INDArray features(int n) {
        INDArray f = Nd4j.create(n, 4);
        for (int i = 0; i < n; i++) f.putRow(i, Nd4j.createFromArray(X));
        return f;
    }

    static void assertHandStats(List<ActStats> st) {
        ActStats a = st.get(0);
        assertEquals(0.75, a.dA(), 1e-9);
        assertEquals(3.5, a.bitsRaw(), 1e-9);
        assertEquals(2.5, a.boothDig(), 1e-9);
        assertEquals(10.0 / 3, a.tSD(), 1e-9);
        // Bit-pragmatic oneffsets of q = [0, 42, 85, -127]: 0, 3, 4, 2 (127 = 128 - 1); one brick -> tPRA 4
        assertEquals(4, a.tPRA(), 1e-9);
        assertEquals(9.0 / 4, a.praTerms(), 1e-9);
        assertEquals(0.5, a.dOut(), 1e-9);   // next layer's dA
        // second layer input = [0, 1] -> q = [0, 127]: popcount 7, Booth 127 = -1 + 2*64 -> 2 digits, oneffsets 2
        ActStats b = st.get(1);
        assertEquals(0.5, b.dA(), 1e-9);
        assertEquals(3.5, b.bitsRaw(), 1e-9);
        assertEquals(1.0, b.boothDig(), 1e-9);
        assertEquals(0.5, b.rowZero(), 1e-9);
        assertEquals(2, b.tSD(), 1e-9);
        assertEquals(2, b.tPRA(), 1e-9);
        assertEquals(1, b.praTerms(), 1e-9);
    }

    @Test
    void collectorMeasuresEachLayerInputOfAMultiLayerNetwork() {
        MultiLayerNetwork net = mln();
        var x = Workloads.extract(net, InputType.feedForward(4));
        ActStatsCollector c = new ActStatsCollector(net, x, ArchSpec.paper());
        c.add(features(3));
        assertEquals(3, c.images());
        List<ActStats> st = c.stats();
        assertHandStats(st);
        assertEquals(1.0, st.get(1).dOut(), 1e-9); // softmax outputs are all > 0
    }

    @Test
    void collectorMeasuresEachLayerInputOfAGraph() {
        ComputationGraph g = graph();
        ActStatsCollector c = new ActStatsCollector(g, Workloads.extract(g, InputType.feedForward(4)), ArchSpec.paper());
        c.add(features(2));
        assertHandStats(c.stats());
    }

    @Test
    void dOutIsTheLayersOwnOutputNotASiblingBranchsInput() {
        // in -> a (pass-through of inputs 0, 1: output [0, 1], density 0.5) and in -> b (W rows 1 and 2 all
        // ones: output [1 + 2, 1 + 2] = [3, 3], density 1); both feed "out". In topological order a's next
        // priced layer is its sibling b, whose input (the network input, density 0.75) is not a's output.
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.0)).graphBuilder()
            .addInputs("in")
            .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).build(), "in")
            .addLayer("b", new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).build(), "in")
            .addVertex("m", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "a", "b")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2).activation(Activation.SOFTMAX).build(), "m")
            .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        setPassThrough(g.getLayer("a").getParam("W"));
        INDArray wb = g.getLayer("b").getParam("W");
        wb.assign(0);
        for (int j = 0; j < 2; j++) { wb.putScalar(new int[] {1, j}, 1); wb.putScalar(new int[] {2, j}, 1); }
        g.getLayer("b").getParam("b").assign(0);
        g.getLayer("a").getParam("b").assign(0);
        var x = Workloads.extract(g, InputType.feedForward(4));
        ActStatsCollector c = new ActStatsCollector(g, x, ArchSpec.paper());
        c.add(features(2));
        List<ActStats> st = c.stats();
        Map<String, ActStats> byId = new java.util.HashMap<>();
        for (int i = 0; i < st.size(); i++) byId.put(x.layers().get(i).spec().id(), st.get(i));
        assertEquals(0.75, byId.get("b").dA(), 1e-9);   // the network input
        assertEquals(0.5, byId.get("a").dOut(), 1e-9);  // [0, 1]: a's own output
        assertEquals(1.0, byId.get("b").dOut(), 1e-9);  // [3, 3]
    }

    /**
     * DL4J's ActivationLayer works in place in inference, so feedForward's array for the layer before it holds the
     * activated values. The collector measures what each layer really reads and writes: in a graph where conv1
     * (identity activation) feeds both c2 and a ReLU ActivationLayer, c2's input statistics and conv1's dOut are those
     * of conv1's own output, computed here by calling the layer directly (the reference); the ReLU'd array measured
     * before halved both densities (0.63 against 0.99 in the fuzzing round that found it). A first ActivationLayer no
     * longer overwrites the caller's features.
     */
    @Test
    void anInPlaceActivationLayerDoesNotChangeWhatIsMeasured() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
            .addLayer("conv1", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4)
                .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "in")
            .addLayer("c2", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, 1).nOut(4)
                .activation(Activation.IDENTITY).build(), "conv1")
            .addLayer("relu", new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.RELU).build(),
                "conv1")
            .addVertex("m", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "c2", "relu")
            .addLayer("gp", new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build(), "m")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                .build(), "gp")
            .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 2)).build());
        g.init();
        INDArray img = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 2, 8, 8).subi(0.5);
        INDArray conv1 = g.getLayer("conv1").activate(img.dup(), false,
            org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()).dup();
        Workloads.Extracted x = Workloads.extract(g, InputType.convolutional(8, 8, 2));
        ActStatsCollector c = new ActStatsCollector(g, x, ArchSpec.paper());
        c.add(img);
        ActStatsAccumulator reference = new ActStatsAccumulator(x.specs().get(1), ArchSpec.paper());
        reference.add(conv1.dup('c').data().asFloat(), 4);
        assertEquals(List.of("conv1", "c2", "out"), x.specs().stream().map(l -> l.id()).toList());
        assertEquals(reference.density(), c.stats().get(1).dA(), 0, "c2 reads conv1's own output");
        assertTrue(reference.density() > 0.9, "an identity-activated conv of random images is dense: " + reference.density());
        assertEquals(reference.density(), c.stats().get(0).dOut(), 0, "conv1's dOut is its own output's density");
        assertTrue(g.output(img)[0].equalsWithEps(g.feedForward(img, false).get("out"), 1e-6)); // the pass changes nothing

        MultiLayerNetwork first = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
            .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nIn(6).nOut(4).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY).build())
            .build());
        first.init();
        INDArray features = Nd4j.linspace(-3, 2, 12).reshape(2, 6), before = features.dup();
        new ActStatsCollector(first, Workloads.extract(first, InputType.feedForward(6)), ArchSpec.paper()).add(features);
        assertEquals(before, features, "the caller's features are not modified");
    }

    /**
     * Where no layer works in place, the collector's own pass gives DL4J's feedForward activations, array by array:
     * an MLN of convolution, batch normalisation, dropout, pooling, a frozen dense layer behind a preprocessor and an
     * output layer; a graph with a merge, an element-wise sum, a preprocessor vertex and an L2-normalise vertex.
     */
    @Test
    void theCollectorsPassEqualsFeedForward() {
        MultiLayerNetwork m = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
            .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
            .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
            .layer(new org.deeplearning4j.nn.conf.layers.DropoutLayer.Builder(0.5).build())
            .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2).build())
            .layer(new org.deeplearning4j.nn.conf.layers.misc.FrozenLayer(new DenseLayer.Builder().nOut(5)
                .activation(Activation.TANH).build()))
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutionalFlat(10, 10, 1)).build());
        m.init();
        INDArray x = Nd4j.rand(4, 100);
        List<INDArray> mine = ActStatsCollector.forward(m, x), dl4j = m.feedForward(x.dup(), false);
        assertEquals(dl4j.size(), mine.size());
        for (int i = 0; i < mine.size(); i++) assertTrue(dl4j.get(i).equalsWithEps(mine.get(i), 1e-6), "activation " + i);

        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
            .addLayer("a", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.RELU).build(), "in")
            .addLayer("b", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.SIGMOID).build(), "in")
            .addVertex("sum", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "a", "b")
            .addVertex("cat", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "sum", "a")
            .addVertex("norm", new org.deeplearning4j.nn.conf.graph.L2NormalizeVertex(), "cat")
            .addVertex("img", new org.deeplearning4j.nn.conf.graph.PreprocessorVertex(
                new org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor(2, 4, 1)), "norm")
            .addLayer("conv", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, 2).nIn(1).nOut(2)
                .activation(Activation.RELU).build(), "img")
            .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                .build(), "conv")
            .setOutputs("out").setInputTypes(InputType.feedForward(6)).build());
        g.init();
        INDArray y = Nd4j.rand(5, 6);
        Map<String, INDArray> gm = ActStatsCollector.forward(g, y), gd = g.feedForward(y.dup(), false);
        assertEquals(gd.keySet(), gm.keySet());
        gd.forEach((k, v) -> assertTrue(v.equalsWithEps(gm.get(k), 1e-6), "vertex " + k));
    }

    @Test
    void listenerSamplesEveryNthForwardPassAndPricesOnRequest() {
        MultiLayerNetwork net = mln();
        EnergyListener l = new EnergyListener(net, ArchSpec.paper(), 2, InputType.feedForward(4));
        net.setListeners(l);
        DataSet ds = new DataSet(features(2), Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}));
        for (int i = 0; i < 3; i++) net.fit(ds);
        assertEquals(3, l.forwardPasses());
        assertEquals(2, l.sampledPasses());   // passes 1 and 3
        assertEquals(6, l.examplesSeen());
        assertEquals(4, l.examplesSampled());
        assertEquals(3, l.iterations());
        var w = l.workload("tiny");
        assertEquals(0.75, w.layers().get(0).act().dA(), 1e-9);
        assertEquals(0.5, w.layers().get(1).act().dA(), 1e-9);
        EnergyReport r = l.report("tiny", List.of("diannao,smartdeal"), Knobs.defaults());
        assertEquals(List.of("diannao", "smartdeal"), List.copyOf(r.results().keySet()));
        assertEquals(r.results().get("diannao").energyPj() * 6, l.forwardEnergyPj(r, "diannao"), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> l.forwardEnergyPj(r, "scnn"));
        // with a table of the user's own (DRAM at 3x): the same DRAM bytes, each 200 pJ dearer
        org.smartdeal.hw.spec.EnergyTable p = org.smartdeal.hw.spec.EnergyTable.paper28nm();
        org.smartdeal.hw.spec.EnergyTable t = EnergyReportFilesTest.dramTimes(3);
        EnergyReport r3 = l.report("tiny", List.of("diannao,smartdeal"), Knobs.defaults(), t);
        for (String acc : List.of("diannao", "smartdeal")) {
            double bytes = r.results().get(acc).dramBytes();
            assertEquals(bytes, r3.results().get(acc).dramBytes(), 0.0, acc);
            assertEquals(r.results().get(acc).energyPj() + 2 * p.dramPjPer8Bit() * bytes, r3.results().get(acc).energyPj(),
                1e-9 * r3.results().get(acc).energyPj(), acc);
        }
        assertThrows(IllegalArgumentException.class, () -> new EnergyListener(net, ArchSpec.paper(), 0, InputType.feedForward(4)));
    }

    /**
     * A listener built on an architecture of the caller's own prices on it (the statistics were measured for its dim_F,
     * brick and SCNN grid), with the knobs given; before, its report took the paper's architecture with those knobs.
     */
    @Test
    void aListenerPricesOnItsOwnArchitecture() {
        MultiLayerNetwork net = mln();
        ArchSpec wide = EnergyReportFilesTest.paperWith("dnTn", 64);
        EnergyListener l = new EnergyListener(net, wide, 1, InputType.feedForward(4));
        net.setListeners(l);
        net.fit(new DataSet(features(2), Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}})));
        Knobs batch4 = Knobs.defaults().withBatch(4);
        EnergyReport r = l.report("tiny", List.of("diannao"), batch4);
        assertEquals(wide.withKnobs(batch4), r.arch());
        assertEquals(4, r.arch().knobs().batch());
    }

    @Test
    void listenerOnAGraphMeasuresTheSameStatistics() {
        ComputationGraph g = graph();
        EnergyListener l = new EnergyListener(g, ArchSpec.paper(), 1, InputType.feedForward(4));
        g.setListeners(l);
        g.fit(new DataSet(features(2), Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}})));
        assertEquals(1, l.sampledPasses());
        assertEquals(2, l.examplesSampled());
        var w = l.workload("tinygraph");
        assertEquals(0.75, w.layers().get(0).act().dA(), 1e-9);
        assertEquals(0.5, w.layers().get(1).act().dA(), 1e-9);
        assertEquals(3.5, w.layers().get(1).act().bitsRaw(), 1e-9);
    }

    @Test
    void reportWithoutDataUsesPaperDefaultsAndWritesEveryFile(@TempDir Path dir) throws Exception {
        EnergyReport r = EnergyReport.of(mln(), "tiny", InputType.feedForward(4), null, 0, List.of("all"), Knobs.defaults());
        assertEquals(Workloads.PAPER_STATS_NOTE, r.statsSource());
        assertEquals(5, r.results().size());
        assertEquals(0, r.layersPriced("scnn"));                 // FC only: SCNN has no FC model
        assertTrue(Double.isNaN(r.ratio("scnn", "ee")));
        assertEquals(1.0, r.ratio("diannao", "speedup"), 0);
        double sum = r.results().get("smartdeal").layers().stream().mapToDouble(LayerResult::totalPj).sum();
        assertEquals(sum, r.results().get("smartdeal").energyPj(), 1e-9 * sum);  // every layer counts
        r.write(dir);
        for (String f : List.of("summary.json", "summary.txt", "models.csv", "layers.csv", "actions.csv", "workload.json",
            "models/smartdeal.json", "charts/energy-by-level.png", "charts/dram-per-tensor.png",
            "charts/speedup-and-efficiency-vs-diannao.png"))
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("summary.json")));
        assertEquals(Workloads.PAPER_STATS_NOTE, s.get("statsSource"));
        assertTrue(((Map<?, ?>) s.get("knobs")).containsKey("dramBwBytesPerCycle"));
    }

    @Test
    void reportWithDataMeasuresTheGivenSamples() {
        List<DataSet> list = List.of(new DataSet(features(2), Nd4j.zeros(2, 2)), new DataSet(features(2), Nd4j.zeros(2, 2)));
        EnergyReport r = EnergyReport.of(mln(), "tiny", InputType.feedForward(4), new ListDataSetIterator<>(list, 2), 3,
            List.of("smartdeal", "diannao"), Knobs.defaults());
        assertTrue(r.statsSource().contains("measured on 3 examples"), r.statsSource());
        assertEquals(0.75, r.workload().layers().get(0).act().dA(), 1e-9);
        var e = assertThrows(IllegalArgumentException.class, () -> EnergyReport.accelerators(List.of("smartdeal,eyeriss")));
        assertTrue(e.getMessage().contains("'eyeriss'") && e.getMessage().contains("diannao"), e.getMessage());
    }

    /** A 3x3 conv (2 -> 3 channels, 6x6) and a softmax output, configured for the given input type. */
    private static MultiLayerNetwork convNet(InputType in) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
            .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(3)
                .activation(Activation.RELU).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
            .setInputType(in).build());
        net.init();
        return net;
    }

    /**
     * The three-argument form reads the input type from the first minibatch and prices exactly as the full form
     * given that type: [n, f] features as feedForward (also for a network configured with convolutionalFlat,
     * through DL4J's preprocessor), [n, c, h, w] as convolutional.
     */
    @Test
    void theShortFormReadsTheInputTypeFromTheData() {
        MultiLayerNetwork ff = mln();
        List<DataSet> flat = List.of(new DataSet(features(2), Nd4j.zeros(2, 2)), new DataSet(features(2), Nd4j.zeros(2, 2)));
        EnergyReport s = EnergyReport.of(ff, new ListDataSetIterator<>(flat, 1), List.of("all"));
        EnergyReport f = EnergyReport.of(ff, "network", InputType.feedForward(4), new ListDataSetIterator<>(flat, 1),
            EnergyReport.DEFAULT_SAMPLES, List.of("all"), Knobs.defaults());
        assertTrue(s.statsSource().contains("measured on 4 examples"), s.statsSource());
        for (String a : EnergyReport.NAMES) assertEquals(f.results().get(a).energyPj(), s.results().get(a).energyPj(), a);

        org.nd4j.linalg.api.rng.Random rnd = Nd4j.getRandomFactory().getNewRandomInstance(3);
        INDArray x4 = Nd4j.rand(rnd, 4, 2, 6, 6).subi(0.5);
        List<DataSet> images = List.of(new DataSet(x4, Nd4j.zeros(4, 2)));
        MultiLayerNetwork conv = convNet(InputType.convolutional(6, 6, 2));
        EnergyReport c = EnergyReport.of(conv, new ListDataSetIterator<>(images, 1), List.of("smartdeal", "diannao"));
        EnergyReport cf = EnergyReport.of(conv, "network", InputType.convolutional(6, 6, 2), new ListDataSetIterator<>(images, 1),
            EnergyReport.DEFAULT_SAMPLES, List.of("smartdeal", "diannao"), Knobs.defaults());
        assertEquals(cf.results().get("smartdeal").energyPj(), c.results().get("smartdeal").energyPj());
        assertEquals(6, c.workload().layers().get(0).layer().h());

        MultiLayerNetwork flatConv = convNet(InputType.convolutionalFlat(6, 6, 2));
        List<DataSet> flatImages = List.of(new DataSet(x4.reshape(4, 72), Nd4j.zeros(4, 2)));
        EnergyReport fc = EnergyReport.of(flatConv, new ListDataSetIterator<>(flatImages, 1), List.of("smartdeal"));
        assertEquals(4, fc.workload().layers().get(0).layer().e(), "3x3 over 6x6, no padding");

        List<DataSet> seq = List.of(new DataSet(Nd4j.zeros(2, 4, 3), Nd4j.zeros(2, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> EnergyReport.of(ff, new ListDataSetIterator<>(seq, 1), List.of("all")));
        assertTrue(e.getMessage().contains("[2, 4, 3]") && e.getMessage().contains("InputType"), e.getMessage());
    }
}
