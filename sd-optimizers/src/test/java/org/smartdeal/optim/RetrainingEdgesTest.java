package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link Retraining} at the edges mutation testing found untested: the argument ranges and their messages, the
 * log line of an epoch, ties between epochs, zero epochs and a ComputationGraph.
 */
class RetrainingEdgesTest {

    /** 64 examples in 4-D, two classes (+-1.5 offsets), batches of 32: 2 minibatches an epoch. */
    private static ListDataSetIterator<DataSet> blobs(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 2);
        for (int i = 0; i < 64; i++) {
            x.getRow(i).addi(i % 2 == 0 ? -1.5 : 1.5);
            y.putScalar(i, i % 2, 1.0);
        }
        return new ListDataSetIterator<>(new DataSet(x, y).asList(), 32);
    }

    private static MultiLayerNetwork net() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    private static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        g.init();
        return g;
    }

    /** Zeroes the first layer's W: every example then gets the same output, accuracy exactly 0.5 on 32/32. */
    private static final class Zeroer implements Retraining.Redecomposer<Integer> {
        int calls;

        @Override
        public Integer redecompose(Model net, double rampFactor) {
            INDArray w = net instanceof MultiLayerNetwork m ? m.getLayer(0).getParam("W")
                    : ((ComputationGraph) net).getLayer("d").getParam("W");
            w.assign(0);
            return calls++;
        }

        @Override
        public double cDensity(Integer state) {
            return 0;
        }

        @Override
        public double paperCR(Integer state) {
            return 1;
        }
    }

    @Test
    void theRtOptimizerRefusesRatesAndEpochLengthsOutsideTheirRanges() {
        MultiLayerNetwork n = net();
        for (double lr : new double[] {0, -0.05, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Retraining.useRtOptimizer(n, lr, 2));
            assertEquals("RT learning rate must be finite and > 0, got " + lr, e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Retraining.useRtOptimizer(n, 0.05, 0));
        assertEquals("iterationsPerEpoch must be at least 1, got 0", e.getMessage());
        assertDoesNotThrow(() -> Retraining.useRtOptimizer(n, Double.MIN_VALUE, 1));
    }

    @Test
    void runRefusesNegativeEpochsAndRampsOutsideTheRun() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Retraining.run(net(), blobs(3), blobs(4), -1, new Zeroer(), null));
        assertEquals("RT epochs must be >= 0, got -1", e.getMessage());
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> Retraining.run(net(), blobs(3), blobs(4), 2, -1, false, new Zeroer(), null));
        assertEquals("RT rampEpochs must be in [0, epochs = 2], got -1", r.getMessage());
        // a ramp as long as the run: only the last epoch is at the full sparsity, (2+1)/(2+1) = 1
        Retraining.Result<Integer> res = Retraining.run(net(), blobs(3), blobs(4), 2, 2, false, new Zeroer(), null);
        assertEquals(List.of(1 / 3.0, 2 / 3.0, 1.0),
                res.history().stream().map(Retraining.EpochResult::rampFactor).toList());
        assertEquals(2, res.bestEpoch());
    }

    /** Zero epochs: the initial decomposition alone, which is then the best (and only) epoch. */
    @Test
    void zeroEpochsKeepTheInitialDecomposition() {
        MultiLayerNetwork n = net();
        Retraining.Result<Integer> res = Retraining.run(n, blobs(3), blobs(4), 0, new Zeroer(), null);
        assertEquals(1, res.history().size());
        assertEquals(0, res.bestEpoch());
        assertEquals(0, res.bestState());
        assertEquals(0.5, res.bestAccuracy(), 0.0);
        assertEquals(0, n.getEpochCount(), "no dense epoch ran");
    }

    /**
     * Every epoch's decomposition zeroes the first layer's W, so every epoch scores exactly 0.5: the first of equal
     * epochs stays the best (a later one must be better, not as good), and the network ends with epoch 0's
     * parameters, recorded by the listener right after that epoch's decomposition (the dense epochs change the
     * output layer, so a later epoch's parameters differ).
     */
    @Test
    void amongEqualEpochsTheFirstIsKeptWithItsParameters() {
        MultiLayerNetwork n = net();
        List<INDArray> params = new ArrayList<>();
        ScoreRecorder scores = new ScoreRecorder();
        n.setListeners(scores);
        long start = System.nanoTime();
        Retraining.Result<Integer> res = Retraining.run(n, blobs(3), blobs(4), 2, new Zeroer(),
                r -> params.add(n.params().dup()));
        double elapsed = (System.nanoTime() - start) / 1e9;
        assertEquals(2, n.getEpochCount(), "each dense epoch is counted");
        // an epoch's training loss is the mean of DL4J's scores of its 2 minibatches, as the listener saw them
        assertEquals(4, scores.scores.size());
        assertEquals(Double.NaN, res.history().get(0).trainLoss(), "no training before the first decomposition");
        for (int e = 1; e <= 2; e++) {
            double mean = (scores.scores.get(2 * e - 2) + scores.scores.get(2 * e - 1)) / 2;
            assertEquals(mean, res.history().get(e).trainLoss(), 1e-12 * mean, "epoch " + e);
        }
        for (Retraining.EpochResult r : res.history()) {
            assertTrue(r.seconds() >= 0 && r.seconds() <= elapsed, r.seconds() + " s of " + elapsed + " s in all");
        }
        assertEquals(List.of(0.5, 0.5, 0.5),
                res.history().stream().map(Retraining.EpochResult::valAccuracy).toList());
        assertEquals(0, res.bestEpoch());
        assertEquals(0, res.bestState());
        assertArrayEquals(params.get(0).toFloatVector(), n.params().toFloatVector(), 0f);
        assertEquals(false, params.get(0).equals(params.get(2)), "the dense epochs changed the parameters");
    }

    /** DL4J's score of every minibatch, in order (the loss computed before its update). */
    private static final class ScoreRecorder extends BaseTrainingListener {
        final List<Double> scores = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            scores.add(model.score());
        }
    }

    /**
     * The RT optimizer replaces an updater the network already has ("resets the updater state"): after a first fit
     * with Adam (2 state entries a parameter) or plain SGD (none), the updater is Nesterovs, one momentum entry a
     * parameter: (4*8 + 8) + (8*2 + 2) = 58.
     */
    @Test
    void theRtOptimizerReplacesTheUpdaterTheNetworkHad() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        n.fit(blobs(3));
        assertEquals(2 * 58, n.getUpdater().getStateViewArray().length());
        Retraining.useRtOptimizer(n, 0.05, 2);
        assertEquals(58, n.getUpdater().getStateViewArray().length());

        ComputationGraph g = graph();
        g.fit(blobs(3));
        assertEquals(null, g.getUpdater().getStateViewArray(), "plain SGD keeps no state");
        Retraining.useRtOptimizer(g, 0.05, 2);
        assertEquals(58, g.getUpdater().getStateViewArray().length());
    }

    /**
     * A ComputationGraph: the RT optimizer resets its counters as a network's (after two plain epochs, both 0), each
     * dense epoch counts one epoch (2 after two), and its parameters come back as the best epoch's.
     */
    @Test
    void aComputationGraphIsRetrainedAsANetworkIs() {
        ComputationGraph g = graph();
        g.fit(blobs(3));
        g.fit(blobs(3));
        assertEquals(2, g.getConfiguration().getEpochCount());
        Retraining.useRtOptimizer(g, 0.05, 2);
        assertEquals(0, g.getConfiguration().getEpochCount());
        assertEquals(0, g.getConfiguration().getIterationCount());
        List<INDArray> params = new ArrayList<>();
        Retraining.Result<Integer> res = Retraining.run(g, blobs(3), blobs(4), 2, new Zeroer(),
                r -> params.add(g.params().dup()));
        assertEquals(3, res.history().size());
        assertEquals(2, g.getConfiguration().getEpochCount());
        assertEquals(4, g.getConfiguration().getIterationCount(), "2 epochs of 2 minibatches");
        assertEquals(0, res.bestEpoch());
        assertArrayEquals(params.get(0).toFloatVector(), g.params().toFloatVector(), 0f);
    }

    /**
     * The per-epoch log line, written out by hand from the format: widths, four decimals, the CR with one, a dash for
     * epoch 0's missing training loss, and the ramp factor only below 1.
     */
    @Test
    void anEpochsLogLine() {
        assertEquals("RT epoch   3  loss 0.1235  val loss 0.5000  val acc 0.8750  C density 0.0400  CR 25.0x  1.5s"
                        + "  ramp 0.50",
                new Retraining.EpochResult(3, 0.5, 0.12349, 0.5, 0.875, 0.04, 25.0, 1.5).line());
        assertEquals("RT epoch   0  loss      -  val loss 0.6931  val acc 0.5000  C density 1.0000  CR 1.0x  0.0s",
                new Retraining.EpochResult(0, 1.0, Double.NaN, 0.69314, 0.5, 1.0, 1.0, 0.0).line());
    }

    /**
     * Retraining.useRtOptimizer sets the RT optimiser on every parameter: a layer with DL4J's own bias updater
     * (NeuralNetConfiguration.Builder.biasUpdater, or any network DenseExport.toDense writes) kept its old one for the
     * biases, which then never had the lr halving (found by a bug hunt).
     */
    @Test
    void rtOptimizerAlsoReplacesAnExplicitBiasUpdater() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).biasUpdater(new Sgd(0.5)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        Retraining.useRtOptimizer(n, 0.05, 2);
        for (int i = 0; i < 2; i++) {
            IUpdater w = n.getLayer(i).conf().getLayer().getUpdaterByParam("W");
            IUpdater b = n.getLayer(i).conf().getLayer().getUpdaterByParam("b");
            assertInstanceOf(Nesterovs.class, w, "layer " + i + " W");
            assertInstanceOf(Nesterovs.class, b, "layer " + i + " bias updater after useRtOptimizer: " + b);
        }
    }
}
