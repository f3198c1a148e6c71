package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class RetrainingTest {

    /** Two Gaussian blobs in 4-D, linearly separable: a small MLP reaches high accuracy fast. */
    private static ListDataSetIterator<DataSet> blobs(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(n, 4);
        INDArray y = Nd4j.zeros(n, 2);
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            x.getRow(i).addi(c == 0 ? -1.5 : 1.5);
            y.putScalar(i, c, 1.0);
        }
        return new ListDataSetIterator<>(new DataSet(x, y).asList(), 32);
    }

    private static MultiLayerNetwork net() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /** Rounds layer 0's W to multiples of 1/4, and on the third call destroys it (all zero). */
    private static final class FakeRedecomposer implements Retraining.Redecomposer<Integer> {
        int calls;

        @Override
        public Integer redecompose(Model model, double rampFactor) {
            INDArray w = ((MultiLayerNetwork) model).getLayer(0).getParam("W");
            if (calls == 3) {
                w.assign(0);
            } else {
                w.muli(4).assign(org.nd4j.linalg.ops.transforms.Transforms.round(w)).divi(4);
            }
            return calls++;
        }

        @Override
        public double cDensity(Integer state) {
            return 1.0;
        }

        @Override
        public double paperCR(Integer state) {
            return 1.0;
        }
    }

    @Test
    void keepsTheBestEpochAndRestoresItsParameters() {
        MultiLayerNetwork n = net();
        ListDataSetIterator<DataSet> train = blobs(3, 256);
        ListDataSetIterator<DataSet> val = blobs(4, 128);
        List<Retraining.EpochResult> seen = new ArrayList<>();
        FakeRedecomposer r = new FakeRedecomposer();
        Retraining.Result<Integer> res = Retraining.run(n, train, val, 3, r, seen::add);
        assertEquals(4, res.history().size(), "initial decomposition plus 3 epochs");
        assertEquals(res.history(), seen);
        // Epoch 3's redecomposition zeroed W: every hidden unit is then constant, so the output is the
        // same for all inputs and the accuracy on the balanced validation set (64/64) is exactly 0.5.
        assertEquals(0.5, res.history().get(3).valAccuracy(), 1e-12, res.history().toString());
        assertTrue(res.bestEpoch() < 3);
        double max = res.history().stream().mapToDouble(Retraining.EpochResult::valAccuracy).max().orElseThrow();
        assertEquals(max, res.bestAccuracy(), 0.0, "best = highest validation accuracy of the history");
        assertTrue(res.bestAccuracy() > 0.5, "best accuracy " + res.bestAccuracy());
        assertTrue(n.getLayer(0).getParam("W").amaxNumber().doubleValue() > 0, "best parameters restored");
        assertEquals(res.bestEpoch(), res.bestState().intValue(), "state of the best epoch is returned");
        // Restored parameters give the recorded best accuracy again.
        val.reset();
        assertEquals(res.bestAccuracy(), n.evaluate(val).accuracy(), 1e-12);
    }

    /** Destroys layer 0's W (all zero) at the full threshold, leaves it alone during the ramp. */
    private static final class RampRecorder implements Retraining.Redecomposer<Double> {
        final List<Double> scales = new ArrayList<>();

        @Override
        public Double redecompose(Model model, double rampFactor) {
            scales.add(rampFactor);
            if (rampFactor == 1.0) {
                ((MultiLayerNetwork) model).getLayer(0).getParam("W").assign(0);
            }
            return rampFactor;
        }

        @Override
        public double cDensity(Double state) {
            return state;
        }

        @Override
        public double paperCR(Double state) {
            return 1 / state;
        }
    }

    @Test
    void rampRaisesTheThresholdLinearlyAndOnlyFullThresholdEpochsCompete() {
        MultiLayerNetwork n = net();
        RampRecorder r = new RampRecorder();
        Retraining.Result<Double> res = Retraining.run(n, blobs(3, 256), blobs(4, 128), 4, 2, false, r, null);
        // min(1, (e+1)/(R+1)) with R = 2 for e = 0..4.
        assertEquals(List.of(1 / 3.0, 2 / 3.0, 1.0, 1.0, 1.0), r.scales);
        assertEquals(r.scales, res.history().stream().map(Retraining.EpochResult::rampFactor).toList());
        // The ramp epochs keep a trained W (accuracy well above chance); every full-threshold epoch
        // zeroes it (accuracy exactly 0.5 on the balanced set), yet the best epoch is one of those.
        assertTrue(res.history().get(1).valAccuracy() > 0.5, res.history().toString());
        assertTrue(res.bestEpoch() >= 2, "best epoch " + res.bestEpoch());
        assertEquals(0.5, res.bestAccuracy(), 1e-12);
        assertEquals(1.0, res.bestState());
    }

    /** Zeroes the first 4 inputs' rows of layer 0's W and counts how many of them training revived. */
    private static final class HalfZeroer implements Retraining.Redecomposer<Integer> {
        final List<Long> revived = new ArrayList<>();

        @Override
        public Integer redecompose(Model model, double rampFactor) {
            INDArray w = ((MultiLayerNetwork) model).getLayer(0).getParam("W");
            INDArray rows = w.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2), org.nd4j.linalg.indexing.NDArrayIndex.all());
            revived.add(rows.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue());
            rows.assign(0);
            return revived.size();
        }

        @Override
        public List<INDArray> plannedWeights(Model net, Integer state) {
            return List.of(((MultiLayerNetwork) net).getLayer(0).getParam("W"));
        }

        @Override
        public double cDensity(Integer state) {
            return 0.75;
        }

        @Override
        public double paperCR(Integer state) {
            return 1;
        }
    }

    @Test
    void keepZerosHoldsTheDecompositionsZerosThroughTheDenseEpoch() {
        HalfZeroer kept = new HalfZeroer();
        Retraining.run(net(), blobs(3, 256), blobs(4, 128), 3, 0, true, kept, null);
        // First call sees the initial random W (16 non-zeros in 2 rows x 8 units); after that every
        // epoch starts from the zeroed rows, and with keepZeros none of them may come back.
        assertEquals(List.of(16L, 0L, 0L, 0L), kept.revived);
        HalfZeroer free = new HalfZeroer();
        Retraining.run(net(), blobs(3, 256), blobs(4, 128), 3, 0, false, free, null);
        assertEquals(16L, free.revived.get(0));
        assertTrue(free.revived.subList(1, 4).stream().allMatch(c -> c > 0), "without keepZeros SGD revives them: " + free.revived);
    }

    /** net() with ReLU (unbounded, as lenet300's) instead of tanh: huge weights give huge or infinite outputs. */
    private static MultiLayerNetwork reluNet() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    @Test
    void aDenseEpochWhoseLossIsNotFiniteStopsTheRunNamingTheEpoch() {
        MultiLayerNetwork n = net();
        Retraining.useRtOptimizer(n, 1e30, 8);           // SGD at 1e30: the first steps overflow the weights
        TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                () -> Retraining.run(n, blobs(3, 256), blobs(4, 128), 3, new NoOp(), null));
        assertTrue(e.getMessage().startsWith("RT epoch 1 of 3 diverged: mean training loss "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; lower the learning rate"), e.getMessage());
        assertEquals(TrainingDivergedException.Phase.RE_TRAINING, e.phase());
    }

    /**
     * An epoch of one minibatch whose update overflows: the loss DL4J reports is the one computed before the update,
     * finite, but the weights are huge and the validation outputs NaN. The run stops naming the epoch (a sweep with a
     * few RT examples met DL4J's own refusal of NaN predictions, reported as an internal error).
     */
    @Test
    void anEpochThatLeavesNaNOutputsStopsTheRunThoughItsLossWasFinite() {
        // ReLU (unbounded, as lenet300's) instead of net()'s tanh: huge weights give infinite outputs, NaN softmax
        MultiLayerNetwork n = reluNet();
        Retraining.useRtOptimizer(n, 1e30, 1);
        ListDataSetIterator<DataSet> oneBatch = blobs(3, 32);
        TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                () -> Retraining.run(n, oneBatch, blobs(4, 128), 2, new NoOp(), null));
        assertEquals("RT epoch 1 of 2 diverged: the network's outputs hold NaN values (in the minibatch that starts at "
                + "example 1): its parameters or activations overflowed; lower the learning rate", e.getMessage());
        assertEquals(TrainingDivergedException.Phase.RE_TRAINING, e.phase());
    }

    /**
     * Weights that run away while the loss stays finite (SGD at a rate far too large, with RT's weight decay, on a
     * ReLU network) end the run as a divergence: the first epoch's mean training loss is over 10^4 times the
     * validation loss before training, where before the run went on to a network at chance accuracy, exit 0.
     */
    @Test
    void aFiniteLossThatRunsAwayStopsTheRun() {
        MultiLayerNetwork n = reluNet();
        Retraining.useRtOptimizer(n, 50, 8);            // SGD at 50: a mean loss of about 3e27, finite
        List<Retraining.EpochResult> seen = new ArrayList<>();
        TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                () -> Retraining.run(n, blobs(3, 256), blobs(4, 128), 3, new NoOp(), seen::add));
        assertEquals(1, seen.size(), "only epoch 0 (before training) was reported");
        double before = seen.get(0).valLoss();
        assertTrue(e.getMessage().startsWith("RT epoch 1 of 3 diverged: mean training loss "), e.getMessage());
        assertTrue(e.getMessage().endsWith(", over 10^4 times the loss before training ("
                + String.format(java.util.Locale.ROOT, "%.4g", before) + "); lower the learning rate"), e.getMessage());
        double loss = Double.parseDouble(e.getMessage().split("mean training loss ")[1].split(",")[0]);
        assertTrue(Double.isFinite(loss) && loss > 1e4 * Math.max(before, 1), "finite and over the bound: " + loss);
        assertEquals(TrainingDivergedException.Phase.RE_TRAINING, e.phase());
    }

    /** A finite loss with NaN or infinite parameters after the epoch is a divergence too, named as such. */
    @Test
    void anEpochThatEndsWithNonFiniteParametersIsADivergence() {
        INDArray params = Nd4j.createFromArray(1.0, Double.POSITIVE_INFINITY);
        TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                () -> TrainingDivergedException.requireFiniteEpoch(0.5, params, TrainingDivergedException.Phase.TRAINING,
                        3, 4, 0.01));
        assertEquals("training epoch 3 of 4 diverged: the parameters hold NaN or infinite values after it at learning "
                + "rate 0.01; lower the learning rate", e.getMessage());
        TrainingDivergedException.requireFiniteEpoch(0.5, Nd4j.createFromArray(1.0, 2.0),
                TrainingDivergedException.Phase.TRAINING, 3, 4, 0.01);
    }

    /** The bound itself: 10^4 times the loss before training, or times 1 when that loss is below 1; NaN: no check. */
    @Test
    void theRunawayBoundIsTenThousandTimesTheLossBefore() {
        TrainingDivergedException.requireNoRunaway(2e4, 2, TrainingDivergedException.Phase.TRAINING, 1, 1, 0.1);
        org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class, () -> TrainingDivergedException
                .requireNoRunaway(2.0001e4, 2, TrainingDivergedException.Phase.TRAINING, 1, 1, 0.1));
        TrainingDivergedException.requireNoRunaway(1e4, 0.01, TrainingDivergedException.Phase.TRAINING, 1, 1, 0.1);
        TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                () -> TrainingDivergedException.requireNoRunaway(10001, 0.01, TrainingDivergedException.Phase.TRAINING,
                        2, 5, 0.1));
        assertEquals("training epoch 2 of 5 diverged: mean training loss 1.000e+04, over 10^4 times the loss before "
                + "training (0.01000) at learning rate 0.1; lower the learning rate", e.getMessage());
        TrainingDivergedException.requireNoRunaway(1e300, Double.NaN, TrainingDivergedException.Phase.TRAINING, 1, 1, 0.1);
    }

    @Test
    void trainingDataWithoutAMinibatchIsRefusedNotTakenForDivergence() {
        ListDataSetIterator<DataSet> empty = new ListDataSetIterator<>(new ArrayList<DataSet>(), 32);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Retraining.run(net(), empty, blobs(4, 64), 1, new NoOp(), null));
        assertEquals("RT training data holds no minibatch: nothing to train on", e.getMessage());
    }

    @Test
    void rampLongerThanTheRunIsRejected() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Retraining.run(net(), blobs(3, 64), blobs(4, 64), 2, 3, false, new RampRecorder(), null));
        assertTrue(e.getMessage().contains("rampEpochs") && e.getMessage().contains("3"), e.getMessage());
    }

    /** Leaves the network alone. */
    private static final class NoOp implements Retraining.Redecomposer<Integer> {
        @Override
        public Integer redecompose(Model model, double rampFactor) {
            return 0;
        }

        @Override
        public double cDensity(Integer state) {
            return 1;
        }

        @Override
        public double paperCR(Integer state) {
            return 1;
        }
    }

    /**
     * Records the learning rate of layer 0's W at every iteration. DL4J M2.1's
     * StochasticGradientDescent.optimize passes the same (iteration, epoch) counts to the updater
     * and then to iterationDone, so this is the rate the update used.
     */
    private static final class LrRecorder extends BaseTrainingListener {
        final List<Double> rates = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            BaseLayer l = (BaseLayer) ((MultiLayerNetwork) model).getLayer(0).conf().getLayer();
            rates.add(l.getUpdaterByParam("W").getLearningRate(iteration, epoch));
        }
    }

    @Test
    void rtLearningRateHalvesEvery30RtEpochsWhateverTrainingCameBefore() {
        // 64 examples in batches of 32: 2 iterations per epoch.
        for (int prior : new int[] {0, 10}) {
            MultiLayerNetwork n = net();
            ListDataSetIterator<DataSet> train = blobs(3, 64);
            for (int e = 0; e < prior; e++) {
                n.fit(train);
            }
            assertEquals(prior, n.getEpochCount());
            Retraining.useRtOptimizer(n, 0.05, 2);
            LrRecorder lr = new LrRecorder();
            n.setListeners(lr);
            Retraining.run(n, train, blobs(4, 64), 31, new NoOp(), null);
            assertEquals(2 * 31, lr.rates.size());
            for (int i = 0; i < lr.rates.size(); i++) {
                int k = i / 2; // 0-based RT epoch
                assertEquals(0.05 * Math.pow(0.5, k / 30), lr.rates.get(i), 1e-15,
                        "after " + prior + " prior epochs, RT epoch " + k + " (0-based), iteration " + i);
            }
        }
    }

    @Test
    void rtOptimizerIsSgdWithMomentumAndWeightDecay() {
        MultiLayerNetwork n = net();
        Retraining.useRtOptimizer(n, 0.05, 10);
        BaseLayer l0 = (BaseLayer) n.getLayer(0).conf().getLayer();
        Nesterovs u = assertInstanceOf(Nesterovs.class, l0.getIUpdater());
        assertEquals(0.9, u.getMomentum());
        // ALGORITHMS.md 5: lr 0.05 halved every 30 epochs; at 10 iterations/epoch, iteration 300 is epoch 30.
        assertEquals(0.05, u.getLearningRate(0, 0), 1e-15);
        assertEquals(0.05, u.getLearningRate(299, 29), 1e-15);
        assertEquals(0.025, u.getLearningRate(300, 30), 1e-15);
        assertEquals(1, l0.getRegularization().size());
        // Weight decay coupled into the gradient before the momentum (ALGORITHMS.md 6.2): L2.
        L2Regularization l2 = assertInstanceOf(L2Regularization.class, l0.getRegularization().get(0));
        assertEquals(Regularization.ApplyStep.BEFORE_UPDATER, l2.applyStep());
        assertEquals(5e-4, l2.getL2().valueAt(0, 0), 0.0);
        // biases are decayed too, as by PyTorch's SGD weight_decay (the reference) and in SD training (6.3)
        assertEquals(List.of(l2), l0.getRegularizationBias());
        assertEquals(List.of(l2), l0.getRegularizationByParam("b"));
        n.fit(blobs(5, 64));
        assertInstanceOf(Nesterovs.class, ((BaseLayer) n.getLayer(1).conf().getLayer()).getIUpdater());
    }
}
