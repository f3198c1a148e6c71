package org.smartdeal.hw.dl4j;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.Workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edges of {@link ActStatsCollector}, {@link EnergyListener} and {@link EnergyReport} found by mutation testing, on
 * {@link Dl4jAccountingTest}'s pass-through network, whose layer inputs are known by hand: the first layer reads
 * q = [0, 42, 85, -127] (dA 0.75, bitsRaw 3.5, boothDig 2.5), the second [0, 127].
 */
class Dl4jAccountingEdgesTest {

    private static List<DataSet> batches(int count, int size) {
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(new DataSet(Dl4jAccountingTest.features(size), Nd4j.zeros(size, 2)));
        return out;
    }

    @Test
    void collectMeasuresExactlyTheSamplesAskedAndReadsNoFurther() {
        MultiLayerNetwork net = Dl4jAccountingTest.mln();
        Workloads.Extracted x = Workloads.extract(net, InputType.feedForward(4));
        // three minibatches of 4: 6 samples take the first and half of the second
        ActStatsCollector six = ActStatsCollector.collect(net, x, new ListDataSetIterator<>(batches(3, 4), 1), 6, ArchSpec.paper());
        assertEquals(6, six.images());
        // one sample is allowed
        assertEquals(1, ActStatsCollector.collect(net, x, new ListDataSetIterator<>(batches(3, 4), 1), 1, ArchSpec.paper()).images());
        // exactly one minibatch: the second is not read
        var it = new ListDataSetIterator<>(batches(3, 4), 1);
        assertEquals(4, ActStatsCollector.collect(net, x, it, 4, ArchSpec.paper()).images());
        assertTrue(it.hasNext());
        assertEquals(4, it.next().numExamples(), "the second minibatch is still there");
        var e = assertThrows(IllegalArgumentException.class,
            () -> ActStatsCollector.collect(net, x, new ListDataSetIterator<>(batches(1, 4), 1), 0, ArchSpec.paper()));
        assertEquals("ActStatsCollector: samples must be >= 1, got 0", e.getMessage());
    }

    /**
     * Data with a NaN, or a network with a NaN weight, is refused when priced, naming the tensor; before, a NaN scale
     * quantised every value to 0 and the report priced an all-zero input without a word.
     */
    @Test
    void nonFiniteDataOrWeightsAreRefusedNamingTheLayer() {
        List<DataSet> nan = batches(1, 2);
        nan.get(0).getFeatures().putScalar(1, 3, Double.NaN);
        var e = assertThrows(IllegalArgumentException.class, () -> EnergyReport.of(Dl4jAccountingTest.mln(), "tiny",
            InputType.feedForward(4), new ListDataSetIterator<>(nan, 1), 2, List.of("smartdeal"), Knobs.defaults()));
        assertEquals("ActStatsAccumulator(fc): input: value [7] of 8 is NaN; int8 quantisation needs finite values",
            e.getMessage());
        MultiLayerNetwork bad = Dl4jAccountingTest.mln();
        bad.getLayer(1).getParam("W").putScalar(0, 1, Double.POSITIVE_INFINITY);
        e = assertThrows(IllegalArgumentException.class,
            () -> EnergyReport.of(bad, "tiny", InputType.feedForward(4), null, 0, List.of("smartdeal"), Knobs.defaults()));
        assertTrue(e.getMessage().startsWith("Workloads: weights of layer out: value ["), e.getMessage());
        assertTrue(e.getMessage().endsWith("] of 4 is Infinity; int8 quantisation needs finite values"), e.getMessage());
    }

    /**
     * A sampled pass with a NaN (a diverged step) is skipped whole by the listener, not thrown into the training it
     * watches: nothing of it is added (the first layer's input is finite, the NaN is in its output, the second's
     * input), and the statistics source says so.
     */
    @Test
    void anEnergyListenerSkipsAPassWithNonFiniteActivationsWhole() {
        MultiLayerNetwork net = Dl4jAccountingTest.mln();
        EnergyListener meter = new EnergyListener(net, ArchSpec.paper(), 1, InputType.feedForward(4));
        List<INDArray> bad = ActStatsCollector.forward(net, Dl4jAccountingTest.features(2));
        bad.get(1).putScalar(0, 1, Double.NaN); // the output of fc, the input of out
        meter.onForwardPass(net, bad);
        assertEquals(1, meter.skippedNonFinite());
        assertEquals(0, meter.sampledPasses());
        assertEquals(0, meter.examplesSampled(), "the pass is added whole or not at all");
        var none = assertThrows(IllegalStateException.class, () -> meter.workload("tiny"));
        assertTrue(none.getMessage().startsWith("EnergyListener: no forward pass sampled yet (1 skipped for non-finite "
            + "activations, the last: ActStatsCollector: output of layer fc: value [1] of 4 is NaN"), none.getMessage());
        meter.onForwardPass(net, ActStatsCollector.forward(net, Dl4jAccountingTest.features(2)));
        assertEquals(1, meter.sampledPasses());
        assertEquals(2, meter.examplesSampled());
        assertEquals(2, meter.forwardPasses());
        String source = meter.workload("tiny").notes();
        assertTrue(source.contains("(1 of 2 forward passes sampled, every 1); 1 sampled passes skipped for non-finite "
            + "activations"), source);
        // whole: the statistics are those of a listener that saw the good pass alone (fc's finite input of the bad
        // pass, checked before the NaN was found, left no trace)
        EnergyListener clean = new EnergyListener(net, ArchSpec.paper(), 1, InputType.feedForward(4));
        clean.onForwardPass(net, ActStatsCollector.forward(net, Dl4jAccountingTest.features(2)));
        for (int i = 0; i < 2; i++)
            assertEquals(clean.workload("tiny").layers().get(i).act(), meter.workload("tiny").layers().get(i).act(), "layer " + i);
    }

    /**
     * A NaN in the last layer's output is met after every layer's input and the outputs before it were checked and
     * added (each array is made a float copy once, checked and added, since session 43's performance pass): the pass
     * is refused and taken back whole, the convolution's SCNN tile counts included. Reference: a collector that only
     * ever saw the good passes.
     */
    @Test
    void aNaNInTheLastOutputTakesBackEverythingThePassAdded() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).updater(new Sgd(0.01))
            .list()
            .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4)
                .activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(8, 8, 2)).build());
        net.init();
        Workloads.Extracted layers = Workloads.extract(net, InputType.convolutional(8, 8, 2));
        ActStatsCollector seen = new ActStatsCollector(net, layers, ArchSpec.paper());
        ActStatsCollector clean = new ActStatsCollector(net, layers, ArchSpec.paper());
        Nd4j.getRandom().setSeed(11);
        INDArray good1 = Nd4j.rand(3, 2, 8, 8), good2 = Nd4j.rand(2, 2, 8, 8);
        seen.add(good1);
        clean.add(good1);
        List<INDArray> bad = ActStatsCollector.forward(net, Nd4j.rand(4, 2, 8, 8));
        INDArray last = bad.get(bad.size() - 1);
        last.putScalar(last.length() - 1, Double.NaN);
        var e = assertThrows(NonFiniteValuesException.class, () -> seen.addMln(bad));
        assertTrue(e.getMessage().startsWith("ActStatsCollector: output of layer "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": value [11] of 12 is NaN; int8 quantisation needs finite values"), e.getMessage());
        assertEquals(3, seen.images());
        seen.add(good2);
        clean.add(good2);
        List<ActStats> a = seen.stats(), b = clean.stats();
        assertEquals(3, a.size());
        for (int i = 0; i < a.size(); i++) {
            ActStats x = a.get(i), y = b.get(i);
            assertEquals(Arrays.asList(y.dA(), y.bitsRaw(), y.boothDig(), y.rowZero(), y.tSD(), y.tPRA(), y.praTerms(), y.dOut()),
                Arrays.asList(x.dA(), x.bitsRaw(), x.boothDig(), x.rowZero(), x.tSD(), x.tPRA(), x.praTerms(), x.dOut()), "layer " + i);
            assertEquals(y.scnn() == null, x.scnn() == null, "layer " + i);
            if (y.scnn() != null) {
                assertTrue(Arrays.equals(y.scnn().meanNnz(), x.scnn().meanNnz()), "layer " + i);
                assertTrue(Arrays.equals(y.scnn().meanMaxSteps(), x.scnn().meanMaxSteps()), "layer " + i);
            }
        }
        assertTrue(a.get(0).scnn() != null, "the convolution has SCNN tiles");
    }

    /**
     * A double activation beyond the float range is finite as a double but infinite as the float that is quantised:
     * refused as such, before anything of the pass is added.
     */
    @Test
    void aDoubleBeyondTheFloatRangeIsNotFiniteForTheInt8Scale() {
        MultiLayerNetwork net = Dl4jAccountingTest.mln();
        ActStatsCollector c = new ActStatsCollector(net, Workloads.extract(net, InputType.feedForward(4)), ArchSpec.paper());
        List<INDArray> acts = ActStatsCollector.forward(net, Dl4jAccountingTest.features(2));
        List<INDArray> wide = new ArrayList<>();
        for (INDArray a : acts) wide.add(a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        wide.get(1).putScalar(0, 0, 1e300);
        var e = assertThrows(NonFiniteValuesException.class, () -> c.addMln(wide));
        assertEquals("ActStatsCollector: output of layer fc: value [0] of 4 is Infinity; int8 quantisation needs finite "
            + "values", e.getMessage());
        assertEquals(0, c.images());
    }

    /**
     * MultiLayerNetwork calls listeners with its activation workspace open: the listener prepares a separable
     * convolution's inputs (an output() call of its depthwise half) and a Same-padded convolution's out of it, so
     * that fit trains on (it failed with "Expected no workspace active" before the preparation was scoped out).
     */
    @Test
    void anEnergyListenerMeasuresASeparableConvolutionDuringFit() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.01))
            .list()
            .layer(new org.deeplearning4j.nn.conf.layers.SeparableConvolution2D.Builder(3, 3).nOut(4)
                .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.RELU).build())
            .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(3)
                .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.RELU).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(6, 6, 2)).build());
        net.init();
        EnergyListener meter = new EnergyListener(net, ArchSpec.paper(), 1, InputType.convolutional(6, 6, 2));
        net.setListeners(meter);
        INDArray x = Nd4j.rand(4, 2, 6, 6);
        INDArray y = Nd4j.zeros(4, 2);
        for (int r = 0; r < 4; r++) y.putScalar(r, r % 2, 1);
        net.fit(x, y);
        net.fit(x, y);
        assertEquals(2, meter.sampledPasses());
        assertEquals(8, meter.examplesSampled());
        assertEquals(0, meter.skippedNonFinite());
        assertTrue(meter.report("sep", List.of("smartdeal"), Knobs.defaults()).energyPj("smartdeal") > 0);
    }

    @Test
    void anEnergyListenerNeedsANetworkAndAnArchitecture() {
        var e = assertThrows(NullPointerException.class,
            () -> new EnergyListener(Dl4jAccountingTest.mln(), null, 1, InputType.feedForward(4)));
        assertEquals("EnergyListener.arch must not be null (ArchSpec.paper() is the paper's)", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> new EnergyListener(null, ArchSpec.paper(), 1));
        assertEquals("EnergyListener.net must not be null", e.getMessage());
    }

    @Test
    void aGraphActivationMapWithoutTheNetworkInputIsReadFromTheGraph() {
        ComputationGraph g = Dl4jAccountingTest.graph();
        ActStatsCollector c = new ActStatsCollector(g, Workloads.extract(g, InputType.feedForward(4)), ArchSpec.paper());
        Map<String, INDArray> acts = ActStatsCollector.forward(g, Dl4jAccountingTest.features(2)); // sets the graph's input
        acts.remove("in");
        c.addCg(acts);
        assertEquals(2, c.images());
        ActStats first = c.stats().get(0);
        assertEquals(0.75, first.dA(), 1e-9);
        assertEquals(3.5, first.bitsRaw(), 1e-9);
        assertEquals(2.5, first.boothDig(), 1e-9);
    }

    /**
     * fc (pass-through: output [0, 1], int8 density 0.5) -> sigmoid -> out: the sigmoid makes every input of "out"
     * non-zero (sigmoid(0) = 0.5), so fc's dOut, its own output's density, differs from the next priced layer's dA.
     */
    @Test
    void aNetworksDOutIsTheLayersOwnOutputNotTheNextPricedInput() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.0)).list()
            .layer(new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).name("fc").build())
            .layer(new ActivationLayer.Builder().activation(Activation.SIGMOID).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2).activation(Activation.SOFTMAX)
                .name("out").build())
            .build());
        net.init();
        Dl4jAccountingTest.setPassThrough(net.getLayer(0).getParam("W"));
        ActStatsCollector c = new ActStatsCollector(net, Workloads.extract(net, InputType.feedForward(4)), ArchSpec.paper());
        c.add(Dl4jAccountingTest.features(2));
        List<ActStats> st = c.stats();
        assertEquals(0.5, st.get(0).dOut(), 1e-9);
        assertEquals(1.0, st.get(1).dA(), 1e-9);
    }

    @Test
    void aListenerOnAGraphCountsEveryPassAndSamplesEveryNth() {
        ComputationGraph g = Dl4jAccountingTest.graph();
        EnergyListener l = new EnergyListener(g, ArchSpec.paper(), 2, InputType.feedForward(4));
        g.setListeners(l);
        DataSet ds = new DataSet(Dl4jAccountingTest.features(2), Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}));
        for (int i = 0; i < 3; i++) g.fit(ds);
        assertEquals(3, l.forwardPasses());
        assertEquals(2, l.sampledPasses()); // passes 1 and 3
        assertEquals(6, l.examplesSeen());
        assertEquals(4, l.examplesSampled());
        String source = "activation statistics measured by EnergyListener on 4 training examples (2 of 3 forward passes "
            + "sampled, every 2)";
        Workload w = l.workload("tinygraph");
        assertEquals(source, w.notes());
        // priced per knobs.batch = 2 images: the forward energy of the 6 examples seen is 3 such batches
        EnergyReport r = l.report("tinygraph", List.of("diannao"), Knobs.defaults().withBatch(2));
        assertEquals(source, r.statsSource());
        assertEquals(3 * r.results().get("diannao").energyPj(), l.forwardEnergyPj(r, "diannao"),
            1e-12 * l.forwardEnergyPj(r, "diannao"));
    }

    /** A ListDataSetIterator that cannot be reset. */
    private static final class OneShot extends ListDataSetIterator<DataSet> {
        OneShot(List<DataSet> list) {
            super(list, 1);
        }

        @Override
        public boolean resetSupported() {
            return false;
        }

        @Override
        public void reset() {
            throw new UnsupportedOperationException("OneShot cannot be reset");
        }
    }

    @Test
    void theShortFormRewindsAResettableIteratorAndNeverResetsOneThatIsNot() {
        MultiLayerNetwork net = Dl4jAccountingTest.mln();
        var used = new ListDataSetIterator<>(batches(2, 2), 1);
        while (used.hasNext()) used.next();
        EnergyReport r = EnergyReport.of(net, used, List.of("smartdeal"));
        assertTrue(r.statsSource().contains("measured on 4 examples"), r.statsSource());
        // not resettable: the first minibatch gives the input type, the rest the statistics
        EnergyReport once = EnergyReport.of(net, new OneShot(batches(3, 2)), List.of("smartdeal"));
        assertTrue(once.statsSource().contains("measured on 4 examples"), once.statsSource());
    }

    @Test
    void summariesGiveEachAcceleratorsOwnTotalsAndRatios() {
        EnergyReport r = EnergyReport.of(Dl4jAccountingTest.mln(), "tiny", InputType.feedForward(4),
            new ListDataSetIterator<>(batches(1, 2), 1), 2, List.of("smartdeal", "diannao", "scnn"), Knobs.defaults());
        var sd = r.results().get("smartdeal");
        var dn = r.results().get("diannao");
        // Fig. 9's ratio: bytes_x / bytes_SD
        assertEquals(dn.dramBytes() / sd.dramBytes(), r.ratio("diannao", "dram"), 0);
        assertEquals(1.0, r.ratio("smartdeal", "dram"), 0);
        assertTrue(sd.dramBytes() > 1, "a product of the bytes would not give 1: " + sd.dramBytes());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> acc = (Map<String, Map<String, Object>>) r.summary().get("accelerators");
        assertEquals(dn.energyPj(), (double) acc.get("diannao").get("energyPj"), 0);
        assertEquals(dn.cycles(), (double) acc.get("diannao").get("cycles"), 0);
        assertEquals(dn.dramBytes(), (double) acc.get("diannao").get("dramBytes"), 0);
        assertTrue(Double.isNaN((double) acc.get("scnn").get("dramBytes")), "SCNN has no FC model: no totals");
        // bit and Booth sparsity of the first layer's input, HWMODEL.md 1.3: 1 - bitsRaw / 8, 1 - boothDig / 4
        @SuppressWarnings("unchecked")
        Map<String, Object> act = (Map<String, Object>) r.workloadMaps().get(0).get("actStats");
        assertEquals(1 - 3.5 / 8, (double) act.get("bitSparsity"), 1e-9);
        assertEquals(1 - 2.5 / 4, (double) act.get("boothSparsity"), 1e-9);
    }

    @Test
    void theSummaryTableShowsMicrojoulesMegabytesAndADashForAnAbsentRatio() {
        EnergyReport r = EnergyReport.of(Dl4jAccountingTest.mln(), "tiny", InputType.feedForward(4),
            new ListDataSetIterator<>(batches(1, 2), 1), 2, List.of("diannao", "bitpragmatic"), Knobs.defaults());
        String row = Arrays.stream(r.summaryText().split("\n")).filter(s -> s.startsWith("bitpragmatic ")).findFirst().orElseThrow();
        String[] f = row.trim().split("\\s+");
        // accelerator, priced, in_totals, energy_uJ, cycles, DRAM_MB, EE/DN, SU/DN, DRAM/SD
        assertEquals(9, f.length, row);
        var pra = r.results().get("bitpragmatic");
        assertEquals(pra.energyPj() / 1e6, Double.parseDouble(f[3]), 0.5e-4, row);
        assertEquals(pra.dramBytes() / 1e6, Double.parseDouble(f[5]), 0.5e-4, row);
        assertEquals(r.ratio("bitpragmatic", "ee"), Double.parseDouble(f[6]), 0.005, row);
        assertEquals("-", f[8], "no smartdeal priced: no DRAM/SD");
        assertFalse(Double.isNaN(r.ratio("bitpragmatic", "ee")));
    }

    /**
     * A model of the user's own that prices only FC layers covers part of a conv network without being "conv layers
     * only" (the words of {@link EnergyReport#coverageText} for SCNN, which prices only the convolution).
     */
    @Test
    void partialCoverageSaysConvLayersOnlyOnlyWhenItIs() {
        org.smartdeal.hw.model.AcceleratorModel dn = new org.smartdeal.hw.model.DianNao();
        org.smartdeal.hw.model.AcceleratorModel fcOnly = new org.smartdeal.hw.model.AcceleratorModel() {
            @Override public String name() { return "fconly"; }
            @Override public String workUnit() { return dn.workUnit(); }
            @Override public boolean supports(org.smartdeal.hw.spec.LayerSpec l) { return l.type() == org.smartdeal.hw.spec.LayerType.FC; }
            @Override public org.smartdeal.hw.model.ActionCounts count(org.smartdeal.hw.spec.LayerSpec l,
                                                                       org.smartdeal.hw.spec.WeightRep w, ActStats act, ArchSpec arch) {
                return dn.count(l, w, act, arch).withAccelerator(name());
            }
        };
        // WorkloadsTest.cnn(): conv, fc, out
        Workload w = Workloads.of(WorkloadsTest.cnn(), "cnn", Knobs.defaults(), ArchSpec.paper(), InputType.convolutionalFlat(5, 5, 1));
        EnergyReport r = EnergyReport.price(w, "paper defaults", List.of(fcOnly, new org.smartdeal.hw.model.Scnn()), Knobs.defaults());
        assertEquals(EnergyReport.Coverage.PARTIAL, r.coverage("fconly"));
        assertEquals("2 of 3 benchmark layers (no model for CONV layers)", r.coverageText("fconly"));
        assertEquals("conv layers only: 1 of 3 benchmark layers (no model for FC layers)", r.coverageText("scnn"));
    }
}
