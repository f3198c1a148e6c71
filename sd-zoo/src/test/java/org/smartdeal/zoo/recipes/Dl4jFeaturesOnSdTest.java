package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;

/**
 * Ordinary DL4J features applied to SD networks trained with the bucket switch: {@code clone()},
 * workspace modes, parameter setters with the inference cache, concurrent inference on clones. The
 * reference in each case is the same network going through the same steps without the feature (an
 * uninterrupted run, a sequential run), so equality is exact.
 */
class Dl4jFeaturesOnSdTest {

    private static final double WD = 5e-4;

    /** lr 1 and theta_c 2 so that a tiny network switches often (as SdTrainingWiringTest). */
    private static BucketSwitch fastSwitch() {
        return BucketSwitch.builder(1.0).thetaC(2).thetaG(1e-6).theta(7e-3).build();
    }

    /** 20 -> fc1 12 (tanh) -> fc2 8 (relu) -> out 3, converted at theta 7e-3, routed for SD training. */
    private static MultiLayerNetwork sdMlp() {
        MultiLayerNetwork n = new MultiLayerNetwork(denseMlpConf());
        n.init();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter
                .convert(n, ConversionPlan.defaultPlan().withTheta(7e-3)).network();
        return SdTraining.configure(sd, fastSwitch(), new Nesterovs(0.05, 0.9), WD);
    }

    private static MultiLayerConfiguration denseMlpConf() {
        return new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(20).nOut(12).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(12).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    /** The same three layers as a ComputationGraph, converted and routed. */
    private static ComputationGraph sdGraph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3))
                .graphBuilder().addInputs("in")
                .addLayer("fc1", new DenseLayer.Builder().nIn(20).nOut(12).activation(Activation.TANH).build(), "in")
                .addLayer("fc2", new DenseLayer.Builder().nIn(12).nOut(8).activation(Activation.RELU).build(), "fc1")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc2")
                .setOutputs("out").setInputTypes(InputType.feedForward(20)).build());
        g.init();
        ComputationGraph sd = (ComputationGraph) SdConverter
                .convert(g, ConversionPlan.defaultPlan().withTheta(7e-3)).network();
        return SdTraining.configure(sd, fastSwitch(), new Nesterovs(0.05, 0.9), WD);
    }

    private static List<DataSet> data(long seed, int batches) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 16, 20).subi(0.5).muli(4);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
            for (int r = 0; r < 16; r++) {
                y.putScalar(r, (r + i) % 3, 1f);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    private static float[] params(MultiLayerNetwork n) {
        return n.params().toFloatVector();
    }

    private static float[] state(MultiLayerNetwork n) {
        return n.getUpdater().getStateViewArray().toFloatVector();
    }

    /**
     * Probe 1 (MultiLayerNetwork): a clone taken mid-training is an independent copy. Reference: an
     * identical network trained on all six batches without any clone. Training the clone must leave the
     * original's parameters and updater state (momentum, counters) bit for bit as they were, and both
     * the clone and the original must then continue exactly as the uninterrupted reference.
     */
    @Test
    void aCloneTrainsIndependentlyOfItsOriginal() {
        List<DataSet> data = data(13, 6);
        MultiLayerNetwork ref = sdMlp();
        MultiLayerNetwork a = sdMlp();
        for (int i = 0; i < 3; i++) {
            ref.fit(data.get(i));
            a.fit(data.get(i));
        }
        MultiLayerNetwork c = a.clone();
        float[] aParams = params(a);
        float[] aState = state(a);
        assertArrayEquals(aParams, params(c));
        assertArrayEquals(aState, state(c));
        for (int i = 3; i < 6; i++) {
            ref.fit(data.get(i));
            c.fit(data.get(i));
        }
        assertArrayEquals(aParams, params(a), "training the clone changed the original's parameters");
        assertArrayEquals(aState, state(a), "training the clone changed the original's updater state");
        assertArrayEquals(params(ref), params(c), "the clone left the uninterrupted trajectory");
        assertArrayEquals(state(ref), state(c));
        // and the other way round: the original, trained now, follows the reference; the clone stays put
        float[] cParams = params(c);
        for (int i = 3; i < 6; i++) {
            a.fit(data.get(i));
        }
        assertArrayEquals(cParams, params(c), "training the original changed the clone's parameters");
        assertArrayEquals(params(ref), params(a));
        assertArrayEquals(state(ref), state(a));
        // the test would be vacuous if the last three steps moved nothing
        assertFalse(java.util.Arrays.equals(aParams, params(ref)));
    }

    /** Probe 1 (ComputationGraph): as {@link #aCloneTrainsIndependentlyOfItsOriginal}. */
    @Test
    void aGraphCloneTrainsIndependentlyOfItsOriginal() {
        List<DataSet> data = data(17, 6);
        ComputationGraph ref = sdGraph();
        ComputationGraph a = sdGraph();
        for (int i = 0; i < 3; i++) {
            ref.fit(data.get(i));
            a.fit(data.get(i));
        }
        ComputationGraph c = a.clone();
        float[] aParams = a.params().toFloatVector();
        float[] aState = a.getUpdater().getStateViewArray().toFloatVector();
        for (int i = 3; i < 6; i++) {
            ref.fit(data.get(i));
            c.fit(data.get(i));
        }
        assertArrayEquals(aParams, a.params().toFloatVector(), "training the clone changed the original");
        assertArrayEquals(aState, a.getUpdater().getStateViewArray().toFloatVector());
        assertArrayEquals(ref.params().toFloatVector(), c.params().toFloatVector());
        assertArrayEquals(ref.getUpdater().getStateViewArray().toFloatVector(),
                c.getUpdater().getStateViewArray().toFloatVector());
        for (int i = 3; i < 6; i++) {
            a.fit(data.get(i));
        }
        assertArrayEquals(ref.params().toFloatVector(), a.params().toFloatVector());
        assertFalse(java.util.Arrays.equals(aParams, ref.params().toFloatVector()));
    }

    /**
     * DL4J 1.0.0-M2.1's {@code ComputationGraph.clone()} drops the epoch and iteration counts (its configuration's
     * clone does), and the bucket switch zeroes its counters when the epoch it is given changes: a graph cloned
     * after an epoch leaves the original's trajectory. {@code Networks.copy} keeps the counts and follows it bit for
     * bit (README "With DL4J's own tools"; a MultiLayerNetwork's clone keeps them: MultiLayerConfiguration.clone()
     * starts from Object.clone()).
     */
    @Test
    void aGraphCloneAfterAnEpochRestartsTheCountsWhereNetworksCopyKeepsThem() {
        List<DataSet> data = data(19, 6);
        ComputationGraph ref = sdGraph();
        ComputationGraph a = sdGraph();
        for (ComputationGraph g : List.of(ref, a)) {
            g.fit(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(data.subList(0, 3)), 2);
            g.fit(data.get(3));
        }
        ComputationGraph cloned = a.clone();
        ComputationGraph copied = org.smartdeal.layers.Networks.copy(a);
        assertEquals(2, a.getConfiguration().getEpochCount());
        assertEquals(0, cloned.getConfiguration().getEpochCount(),
                "DL4J's clone now keeps the epoch count: the README's warning is out of date");
        assertEquals(2, copied.getConfiguration().getEpochCount());
        assertEquals(a.getConfiguration().getIterationCount(), copied.getConfiguration().getIterationCount());
        for (int i = 4; i < 6; i++) {
            ref.fit(data.get(i));
            cloned.fit(data.get(i));
            copied.fit(data.get(i));
        }
        assertArrayEquals(ref.params().toFloatVector(), copied.params().toFloatVector());
        assertArrayEquals(ref.getUpdater().getStateViewArray().toFloatVector(),
                copied.getUpdater().getStateViewArray().toFloatVector());
        assertFalse(java.util.Arrays.equals(ref.params().toFloatVector(), cloned.params().toFloatVector()),
                "the clone's bucket-switch counters restarted, so it must have left the trajectory");
    }

    /**
     * DL4J's EarlyStoppingTrainer on an SD-T network: the best model it keeps (InMemoryModelSaver, a clone) is the
     * network of its best epoch bit for bit (snapshots taken by an EarlyStoppingListener), every C entry is 0 or
     * +-2^p, and it still trains with the bucket switch (C's updater, C staying on the grid). The validation loss
     * falls over the four epochs on this data, so its best epoch would be the last, whose network is the trained one
     * itself: the score adds 10 to every epoch's loss but the second's (a cross-entropy of 3 classes stays far below
     * 10 here, checked), so the best epoch is epoch 1 and the best model must differ from the trained network.
     */
    @Test
    void earlyStoppingKeepsTheBucketSwitchAndItsBestModelIsTheNetworkOfTheBestEpoch() {
        List<DataSet> data = data(23, 6);
        MultiLayerNetwork net = sdMlp();
        Map<Integer, float[]> atEpoch = new java.util.HashMap<>();
        List<Double> losses = new ArrayList<>();
        var conf = new org.deeplearning4j.earlystopping.EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                .epochTerminationConditions(new org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition(4))
                .scoreCalculator(new org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator<MultiLayerNetwork>() {
                    private final org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator loss =
                            new org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator(
                                    new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(
                                            data.subList(4, 6)), true);

                    @Override
                    public double calculateScore(MultiLayerNetwork n) {
                        double l = loss.calculateScore(n);
                        losses.add(l);
                        return losses.size() == 2 ? l : l + 10;
                    }

                    @Override
                    public boolean minimizeScore() {
                        return true;
                    }
                })
                .modelSaver(new org.deeplearning4j.earlystopping.saver.InMemoryModelSaver<>()).evaluateEveryNEpochs(1)
                .build();
        var snapshots = new org.deeplearning4j.earlystopping.listener.EarlyStoppingListener<MultiLayerNetwork>() {
            @Override
            public void onStart(org.deeplearning4j.earlystopping.EarlyStoppingConfiguration<MultiLayerNetwork> c,
                    MultiLayerNetwork n) {
            }

            @Override
            public void onEpoch(int epoch, double score,
                    org.deeplearning4j.earlystopping.EarlyStoppingConfiguration<MultiLayerNetwork> c, MultiLayerNetwork n) {
                atEpoch.put(epoch, params(n));
            }

            @Override
            public void onCompletion(org.deeplearning4j.earlystopping.EarlyStoppingResult<MultiLayerNetwork> r) {
            }
        };
        var result = new org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer(conf, net,
                new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(data.subList(0, 4)), snapshots).fit();
        assertEquals(4, result.getTotalEpochs());
        assertEquals(4, atEpoch.size());
        MultiLayerNetwork best = result.getBestModel();
        assertEquals(4, losses.size(), "one validation loss per epoch");
        for (double l : losses) {
            assertTrue(l >= 0 && l < 5, "validation loss " + l + ": the +10 decides the best epoch");
        }
        assertEquals(1, result.getBestModelEpoch(), "the one epoch scored without +10");
        assertArrayEquals(atEpoch.get(1), params(best));
        assertFalse(java.util.Arrays.equals(params(net), params(best)),
                "the best model is epoch 1's network, not the trained one");
        assertTrue(best.getLayer(0).conf().getLayer().getUpdaterByParam("C") instanceof BucketSwitch);
        float[] before = best.getLayer(0).getParam("C").dup().ravel().toFloatVector();
        for (DataSet d : data.subList(0, 4)) {
            best.fit(d);
        }
        float[] after = best.getLayer(0).getParam("C").dup().ravel().toFloatVector();
        assertFalse(java.util.Arrays.equals(before, after), "no switch in four steps: the check below would be vacuous");
        for (int l = 0; l < 3; l++) {
            for (float v : best.getLayer(l).getParam("C").dup().ravel().toFloatVector()) {
                assertTrue(v == 0 || org.smartdeal.optim.Pow2.isPowerOfTwo(Math.abs(v)), "layer " + l + " C entry " + v);
            }
        }
    }

    /** The SD MLP with both workspace modes set to {@code mode}, same parameters as {@link #sdMlp()}. */
    private static MultiLayerNetwork withWorkspaces(MultiLayerNetwork src, WorkspaceMode mode) {
        MultiLayerConfiguration conf = src.getLayerWiseConfigurations().clone();
        conf.setTrainingWorkspaceMode(mode);
        conf.setInferenceWorkspaceMode(mode);
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init(src.params().dup(), true);
        return n;
    }

    /**
     * Probe 4: WorkspaceMode.NONE and ENABLED give bit-identical outputs and parameters after six
     * bucket-switch steps (DL4J's workspaces change where arrays live, not what is computed).
     */
    @Test
    void workspaceModesTrainAndInferIdentically() {
        List<DataSet> data = data(19, 6);
        MultiLayerNetwork src = sdMlp();
        MultiLayerNetwork on = withWorkspaces(src, WorkspaceMode.ENABLED);
        MultiLayerNetwork off = withWorkspaces(src, WorkspaceMode.NONE);
        float[] before = params(on);
        INDArray x = data.get(0).getFeatures();
        assertArrayEquals(on.output(x, false).ravel().toFloatVector(), off.output(x, false).ravel().toFloatVector());
        for (DataSet d : data) {
            on.fit(d);
            off.fit(d);
        }
        assertArrayEquals(params(on), params(off));
        assertArrayEquals(state(on), state(off));
        assertArrayEquals(on.output(x, false).ravel().toFloatVector(), off.output(x, false).ravel().toFloatVector());
        assertFalse(java.util.Arrays.equals(before, params(on)));
    }

    /**
     * Probe 6: with the inference cache on, DL4J's network-level {@code setParamTable} must not leave a
     * stale W. Reference: an identical network, cache off, given the same new C with {@code setParam}
     * (it rebuilds W in every pass). The cache is made valid again (one more output) after the table was
     * read, so only setParamTable itself can drop it. ({@code setParams} is documented as needing
     * {@link SdInferenceCache#invalidate}; it is not tested here.)
     */
    @Test
    void networkSetParamTableDropsTheCachedWeight() {
        MultiLayerNetwork a = sdMlp();
        MultiLayerNetwork fresh = sdMlp(); // the same seed: the same parameters
        INDArray x = data(23, 1).get(0).getFeatures();
        SdInferenceCache.enable(a);
        Map<String, INDArray> table = a.paramTable();
        INDArray newC = table.get("0_C").mul(2); // fc1's C doubled: still powers of two
        Map<String, INDArray> all = new java.util.LinkedHashMap<>();
        table.forEach((k, v) -> all.put(k, k.equals("0_C") ? newC : v.dup()));
        INDArray before = a.output(x, false).dup(); // the cache now holds the old W
        a.setParamTable(all);
        fresh.setParam("0_C", newC);
        INDArray expected = fresh.output(x, false);
        assertNotEquals(before, expected);
        assertEquals(expected, a.output(x, false), "setParamTable left a stale cached W");
        // the fix must not cost the cache itself: inference and the project's scoring (output and per-example loss,
        // no regularization term, which would read the table) keep the W they built
        org.smartdeal.layers.impl.SdRuntimeLayer fc1 = (org.smartdeal.layers.impl.SdRuntimeLayer) a.getLayer(0);
        assertTrue(fc1.isInferenceCacheValid());
        a.output(x, false);
        org.smartdeal.optim.ModelScore.of(a, new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(
                data(24, 2), 8));
        assertTrue(fc1.isInferenceCacheValid(), "output() or ModelScore dropped the cache");
    }

    /** Probe 6 on a ComputationGraph: as {@link #networkSetParamTableDropsTheCachedWeight}. */
    @Test
    void graphSetParamTableDropsTheCachedWeight() {
        ComputationGraph a = sdGraph();
        ComputationGraph fresh = sdGraph();
        INDArray x = data(23, 1).get(0).getFeatures();
        SdInferenceCache.enable(a);
        Map<String, INDArray> table = a.paramTable();
        INDArray newC = table.get("fc1_C").mul(2);
        Map<String, INDArray> all = new java.util.LinkedHashMap<>();
        table.forEach((k, v) -> all.put(k, k.equals("fc1_C") ? newC : v.dup()));
        INDArray before = a.outputSingle(x).dup();
        a.setParamTable(all);
        fresh.getLayer("fc1").setParam("C", newC);
        INDArray expected = fresh.outputSingle(x);
        assertNotEquals(before, expected);
        assertEquals(expected, a.outputSingle(x), "setParamTable left a stale cached W");
        // the fix must not cost the cache itself: a plain output() pass reuses W again
        assertTrue(((org.smartdeal.layers.impl.SdRuntimeLayer) a.getLayer("fc1")).isInferenceCacheValid());
        a.outputSingle(x);
        assertTrue(((org.smartdeal.layers.impl.SdRuntimeLayer) a.getLayer("fc1")).isInferenceCacheValid());
    }

    /**
     * Probe 7: evaluation and inference of two clones from two threads at once give what they give in
     * sequence.
     */
    @Test
    void twoClonesEvaluateConcurrentlyAsInSequence() throws Exception {
        List<DataSet> data = data(29, 4);
        MultiLayerNetwork a = sdMlp();
        for (DataSet d : data) {
            a.fit(d);
        }
        MultiLayerNetwork b = a.clone();
        SdInferenceCache.enable(b); // one clone rebuilds W in every pass, the other reuses its cached W
        INDArray x = data.get(0).getFeatures();
        float[] seqOut = a.output(x, false).ravel().toFloatVector();
        double seqAcc = a.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(data))
                .accuracy();
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            // one task per network (a DL4J network is not thread-safe; two clones share no runtime state)
            List<Future<Object[]>> runs = new ArrayList<>();
            for (MultiLayerNetwork n : List.of(a, b)) {
                runs.add(ex.submit(() -> {
                    float[] o = null;
                    double acc = -1;
                    for (int r = 0; r < 10; r++) {
                        o = n.output(x, false).ravel().toFloatVector();
                        acc = n.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(data))
                                .accuracy();
                    }
                    return new Object[] {o, acc};
                }));
            }
            for (Future<Object[]> f : runs) {
                Object[] r = f.get();
                assertArrayEquals(seqOut, (float[]) r[0]);
                assertEquals(seqAcc, (Double) r[1]);
            }
        } finally {
            ex.shutdownNow();
        }
        assertTrue(seqAcc >= 0);
    }

    /**
     * Probe 5: DL4J's TransferLearning on an SD network: fc1 and fc2 frozen as the feature extractor,
     * the output layer replaced by a plain 4-class one, then fine-tuned. The frozen SD layers' C, B, M
     * and b must not move (DL4J's own rule for frozen layers); the new output layer must.
     */
    @Test
    void transferLearningFreezesSdLayersAndTrainsTheNewHead() {
        MultiLayerNetwork sd = sdMlp();
        MultiLayerNetwork tl = new org.deeplearning4j.nn.transferlearning.TransferLearning.Builder(sd)
                .fineTuneConfiguration(new org.deeplearning4j.nn.transferlearning.FineTuneConfiguration.Builder()
                        .updater(new org.nd4j.linalg.learning.config.Sgd(0.5)).seed(5).build())
                .setFeatureExtractor(1).removeOutputLayer()
                .addLayer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build();
        float[] frozen0 = tl.getLayer(0).params().ravel().toFloatVector();
        float[] frozen1 = tl.getLayer(1).params().ravel().toFloatVector();
        float[] head = tl.getLayer(2).params().ravel().toFloatVector();
        assertArrayEquals(sd.getLayer(0).params().ravel().toFloatVector(), frozen0);
        Nd4j.getRandom().setSeed(31);
        for (int i = 0; i < 4; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 16, 20).subi(0.5).muli(4);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 4);
            for (int r = 0; r < 16; r++) {
                y.putScalar(r, (r + i) % 4, 1f);
            }
            tl.fit(new DataSet(x, y));
        }
        assertArrayEquals(frozen0, tl.getLayer(0).params().ravel().toFloatVector(), "frozen fc1 moved");
        assertArrayEquals(frozen1, tl.getLayer(1).params().ravel().toFloatVector(), "frozen fc2 moved");
        assertFalse(java.util.Arrays.equals(head, tl.getLayer(2).params().ravel().toFloatVector()));
    }

    /**
     * Probe 3 (HALF): the .sdm reader accepts HALF networks (FORMAT.md), so an SD network in HALF must
     * run forward as DL4J's dense network with W = C*B in HALF does (DenseExport rebuilds W in double and
     * DL4J casts it). Tolerance 2e-2: a few HALF roundings (unit roundoff 2^-11 ~ 4.9e-4) on softmax
     * outputs in [0, 1], through three layers of at most 20 terms.
     */
    @Test
    @SuppressWarnings("deprecation") // DataType.HALF: the name the .sdm reader and DL4J's configurations use
    void halfPrecisionForwardMatchesTheDenseNetwork() {
        MultiLayerNetwork sd32 = sdMlp();
        MultiLayerConfiguration conf = sd32.getLayerWiseConfigurations().clone();
        conf.setDataType(DataType.HALF);
        MultiLayerNetwork sd16 = new MultiLayerNetwork(conf);
        sd16.init(sd32.params().castTo(DataType.HALF), true);
        MultiLayerNetwork dense16 = (MultiLayerNetwork) org.smartdeal.layers.DenseExport.toDense(sd16);
        INDArray x = data(37, 1).get(0).getFeatures().castTo(DataType.HALF);
        INDArray sdOut = sd16.output(x, false).castTo(DataType.FLOAT);
        INDArray denseOut = dense16.output(x, false).castTo(DataType.FLOAT);
        INDArray ref32 = sd32.output(x.castTo(DataType.FLOAT), false);
        assertTrue(denseOut.equalsWithEps(ref32, 2e-2), "dense HALF reference itself is off");
        assertTrue(sdOut.equalsWithEps(denseOut, 2e-2), "SD HALF output " + sdOut + " vs dense " + denseOut);
    }

    /**
     * Probe 3 (DOUBLE): an SD network converted from a DOUBLE dense network trains with the bucket switch in
     * float64 (the updater's double path): after six steps C has switched, every entry is 0 or +-2^p (the
     * bucket switch's domain, ALGORITHMS.md 6.2), and the SD output equals DL4J's dense network with
     * W = C*B (DenseExport) to 1e-12, double rounding of two three-layer forward passes.
     */
    @Test
    void doublePrecisionNetworkTrainsWithTheBucketSwitchAndMatchesTheDenseNetwork() {
        MultiLayerConfiguration conf = denseMlpConf();
        conf.setDataType(DataType.DOUBLE);
        MultiLayerNetwork dense = new MultiLayerNetwork(conf);
        dense.init();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter
                .convert(dense, ConversionPlan.defaultPlan().withTheta(7e-3)).network();
        SdTraining.configure(sd, fastSwitch(), new Nesterovs(0.05, 0.9), WD);
        assertEquals(DataType.DOUBLE, sd.params().dataType());
        double[] c0 = sd.getLayer(0).getParam("C").dup().data().asDouble();
        for (DataSet d : data(47, 6)) {
            sd.fit(new DataSet(d.getFeatures().castTo(DataType.DOUBLE), d.getLabels().castTo(DataType.DOUBLE)));
        }
        double[] c = sd.getLayer(0).getParam("C").dup().data().asDouble();
        assertFalse(java.util.Arrays.equals(c0, c), "no switch in six steps: the test would be vacuous");
        for (double v : c) {
            assertTrue(v == 0 || org.smartdeal.optim.Pow2.isPowerOfTwo(Math.abs(v)), "C entry " + v);
        }
        MultiLayerNetwork plain = (MultiLayerNetwork) org.smartdeal.layers.DenseExport.toDense(sd);
        INDArray x = data(53, 1).get(0).getFeatures().castTo(DataType.DOUBLE);
        assertTrue(plain.output(x, false).equalsWithEps(sd.output(x, false), 1e-12));
    }

    /** Probe 4 on a ComputationGraph: as {@link #workspaceModesTrainAndInferIdentically}. */
    @Test
    void graphWorkspaceModesTrainAndInferIdentically() {
        List<DataSet> data = data(59, 6);
        ComputationGraph src = sdGraph();
        ComputationGraph on = graphWithWorkspaces(src, WorkspaceMode.ENABLED);
        ComputationGraph off = graphWithWorkspaces(src, WorkspaceMode.NONE);
        INDArray x = data.get(0).getFeatures();
        float[] before = on.params().toFloatVector();
        for (DataSet d : data) {
            on.fit(d);
            off.fit(d);
        }
        assertArrayEquals(on.params().toFloatVector(), off.params().toFloatVector());
        assertArrayEquals(on.getUpdater().getStateViewArray().toFloatVector(),
                off.getUpdater().getStateViewArray().toFloatVector());
        assertArrayEquals(on.outputSingle(x).ravel().toFloatVector(), off.outputSingle(x).ravel().toFloatVector());
        assertFalse(java.util.Arrays.equals(before, on.params().toFloatVector()));
    }

    private static ComputationGraph graphWithWorkspaces(ComputationGraph src, WorkspaceMode mode) {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = src.getConfiguration().clone();
        conf.setTrainingWorkspaceMode(mode);
        conf.setInferenceWorkspaceMode(mode);
        ComputationGraph g = new ComputationGraph(conf);
        g.init(src.params().dup(), true);
        return g;
    }
}
