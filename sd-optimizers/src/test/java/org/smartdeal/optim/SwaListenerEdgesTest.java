package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
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
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * SWA of ALGORITHMS.md 6.4 at its edges: the settings at their boundary values, the start epoch, masks taken
 * when training starts, per-parameter thresholds of P, and the BatchNorm statistics pass for rank-4 inputs
 * (NCHW and NHWC), log-std storage and ComputationGraphs. BatchNorm expectations come from a naive loop in
 * the test over the same numbers (per channel: the mean and the biased variance over batch and space, each
 * batch weighted by its size) and from DL4J's own test-mode forward pass, which must then compute
 * {@code (x - mean) / sqrt(var + eps)} with them.
 */
class SwaListenerEdgesTest {

    private static MultiLayerNetwork dense() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.denseConf());
        net.init();
        return net;
    }

    @Test
    void settingsAreAcceptedAtTheirBoundariesAndRefusedBeyond() {
        assertEquals(0, new SwaListener(1, 1.0, List.of()).samples(), "swaStart 1 and theta 1 are allowed");
        assertNull(new SwaListener(1, Double.MIN_VALUE, List.of()).average(), "theta > 0; no mean before a sample");
        IllegalArgumentException start = assertThrows(IllegalArgumentException.class,
                () -> new SwaListener(0, 4e-3, List.of()));
        assertEquals("SwaListener.swaStart must be >= 1, got 0", start.getMessage(), "swaStart 0 refused");
        IllegalArgumentException start2 = assertThrows(IllegalArgumentException.class,
                () -> new SwaListener(0, List.of()));
        assertEquals("SwaListener.swaStart must be >= 1, got 0", start2.getMessage(), "also without a theta");
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new SwaListener(1, 0.0, List.of()));
        assertEquals("SwaListener.theta must be in (0, 1], got 0.0", zero.getMessage(), "theta 0 refused");
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> new SwaListener(1, Math.nextUp(1.0), List.of()));
        assertTrue(big.getMessage().contains("(0, 1]") && big.getMessage().contains("1.0000000000000002"),
                big.getMessage());
        IllegalArgumentException noTheta = assertThrows(IllegalArgumentException.class,
                () -> new SwaListener(1, List.of(CoefficientParam.nonZeroAtStart(TestNets.DENSE_W))));
        assertTrue(noTheta.getMessage().contains("layer0/W") && noTheta.getMessage().contains("withTheta"),
                noTheta.getMessage());
    }

    @Test
    void theFirstSampleIsTheEpochThatCompletesSwaStartEpochs() {
        // epoch e (0-based) is averaged when e + 1 >= swaStart: with swaStart 3, epochs 0 and 1 are not, 2 is
        MultiLayerNetwork net = dense();
        SwaListener swa = new SwaListener(3, 4e-3, List.of());
        for (int e = 0; e < 4; e++) {
            net.params().assign(e + 1);
            net.setEpochCount(e);
            swa.onEpochEnd(net);
            assertEquals(Math.max(0, e - 1), swa.samples(), "samples after epoch " + e);
        }
        assertEquals(3.5, swa.average().getDouble(0), 0.0, "mean of the samples 3 and 4 of epochs 2 and 3");
    }

    @Test
    void aComputationGraphIsAveragedWithItsOwnEpochCount() {
        ComputationGraph g = graph(false);
        SwaListener swa = new SwaListener(2, 4e-3, List.of());
        g.params().assign(1);
        g.getConfiguration().setEpochCount(0);
        swa.onEpochEnd(g);
        assertEquals(0, swa.samples(), "epoch 0 + 1 < 2");
        g.params().assign(5);
        g.getConfiguration().setEpochCount(1);
        swa.onEpochEnd(g);
        assertEquals(1, swa.samples(), "epoch 1 + 1 >= 2");
        assertEquals(5.0, swa.average().getDouble(3), 0.0, "the one sample");
    }

    @Test
    void aSampleOfAnotherSizeIsRefused() {
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        swa.addSample(dense());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> swa.addSample(graph(false)));
        long a = dense().numParams();
        long b = graph(false).numParams();
        assertEquals("SWA sample has " + b + " parameters, the average has " + a, e.getMessage());
    }

    @Test
    void theMaskOfNonZeroAtStartIsTakenAtTheFirstEpochStartAndEachParameterUsesItsOwnTheta() {
        MultiLayerNetwork net = dense();
        INDArray w = net.getLayer(0).getParam("W");
        w.assign(0);
        w.putScalar(new long[] {0, 0}, 0.5);
        w.putScalar(new long[] {0, 1}, 0.02);
        // theta 0.03 of the parameter (not the listener's 4e-3): P flushes |c| < 0.03 - 1e-5
        SwaListener swa = new SwaListener(1, List.of(CoefficientParam.nonZeroAtStart(TestNets.DENSE_W).withTheta(0.03)));
        swa.onEpochStart(net);                 // mask: (0,0) and (0,1) inside, everything else outside
        w.putScalar(new long[] {1, 1}, 0.75);  // grows outside the start mask
        w.putScalar(new long[] {0, 0}, 0.375); // P ties up -> 0.5
        swa.onEpochStart(net);                 // a later epoch start does not retake the mask
        net.setEpochCount(0);
        swa.onEpochEnd(net);
        swa.finish(net, null);
        assertEquals(0.5, w.getDouble(0, 0), 0.0, "inside: P(0.375) = 0.5 (tie up)");
        assertEquals(0.0, w.getDouble(0, 1), 0.0, "inside: 0.02 < 0.03 - 1e-5 flushes with the parameter's theta");
        assertEquals(0.0, w.getDouble(1, 1), 0.0, "outside the mask of the first epoch start: 0");
        assertEquals(0.5, w.norm1Number().doubleValue(), 0.0, "nothing else is non-zero");
    }

    @Test
    void aListenerThatSawNoEpochStartTakesTheMaskAtItsFirstSample() {
        // addSample called directly (e.g. a listener attached mid-training): M = (C != 0) at the first sample
        MultiLayerNetwork net = dense();
        INDArray w = net.getLayer(0).getParam("W");
        w.assign(0);
        w.putScalar(new long[] {2, 2}, 0.25);
        SwaListener swa = new SwaListener(1, 4e-3, List.of(CoefficientParam.nonZeroAtStart(TestNets.DENSE_W)));
        swa.addSample(net);
        w.putScalar(new long[] {3, 3}, 0.5);  // grows after the first sample: outside M
        swa.addSample(net);
        swa.finish(net, null);
        assertEquals(0.25, w.getDouble(2, 2), 0.0, "inside M: mean 0.25 is a power, kept");
        assertEquals(0.0, w.getDouble(3, 3), 0.0, "outside M: mean 0.25 projected to 0");
    }

    @Test
    void projectCountsTheEntriesItChanges() {
        // theta 4e-3: 0.5 stays, 0.7 -> 0.5, 0 stays, -0 stays (a zero is a zero), masked-out 0.25 -> 0,
        // masked-out 0 stays, 0.001 -> 0 (below theta): 3 changes
        INDArray c = Nd4j.createFromArray(0.5, 0.7, 0.0, -0.0, 0.25, 0.0, 0.001);
        INDArray m = Nd4j.createFromArray(1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0);
        assertEquals(3L, SwaListener.project(c, m, 4e-3), "changed entries");
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0, 0, 0, 0}, c.toDoubleVector(), 0.0, "M ? P(c) : 0");
        assertEquals(0L, SwaListener.project(c, m, 4e-3), "a projected C does not change again");
    }

    /** One batch of a rank-4 input [b, c, h, w] (NCHW) or [b, h, w, c] (NHWC) with channel c offset by 10*c. */
    private static double[][][][] batch(int b, int ch, int h, int w, double scale, boolean nhwc) {
        double[][][][] x = nhwc ? new double[b][h][w][ch] : new double[b][ch][h][w];
        for (int n = 0; n < b; n++) {
            for (int c = 0; c < ch; c++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double v = 10 * c + scale * ((n * 7 + i * 3 + j * 5 + c) % 4);
                        if (nhwc) {
                            x[n][i][j][c] = v;
                        } else {
                            x[n][c][i][j] = v;
                        }
                    }
                }
            }
        }
        return x;
    }

    /** Naive per-channel mean [0] and biased variance [1] of a batch, then weighted over batches by their size. */
    private static double[][] naiveStats(List<double[][][][]> batches, boolean nhwc, int ch) {
        double[] meanSum = new double[ch];
        double[] varSum = new double[ch];
        long count = 0;
        for (double[][][][] x : batches) {
            int b = x.length;
            for (int c = 0; c < ch; c++) {
                double s = 0;
                int k = 0;
                for (int n = 0; n < b; n++) {
                    for (int i = 0; i < (nhwc ? x[n].length : x[n][c].length); i++) {
                        for (int j = 0; j < (nhwc ? x[n][i].length : x[n][c][i].length); j++) {
                            s += nhwc ? x[n][i][j][c] : x[n][c][i][j];
                            k++;
                        }
                    }
                }
                double mean = s / k;
                double q = 0;
                for (int n = 0; n < b; n++) {
                    for (int i = 0; i < (nhwc ? x[n].length : x[n][c].length); i++) {
                        for (int j = 0; j < (nhwc ? x[n][i].length : x[n][c][i].length); j++) {
                            double d = (nhwc ? x[n][i][j][c] : x[n][c][i][j]) - mean;
                            q += d * d;
                        }
                    }
                }
                meanSum[c] += b * mean;
                varSum[c] += b * (q / k);
            }
            count += b;
        }
        for (int c = 0; c < ch; c++) {
            meanSum[c] /= count;
            varSum[c] /= count;
        }
        return new double[][] {meanSum, varSum};
    }

    private static MultiLayerNetwork convBn(boolean nhwc, boolean logStd) {
        CNN2DFormat f = nhwc ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new BatchNormalization.Builder().nOut(3).dataFormat(f).useLogStd(logStd).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.convolutional(2, 3, 3, f))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static void checkRank4(boolean nhwc, boolean logStd) {
        MultiLayerNetwork net = convBn(nhwc, logStd);
        List<double[][][][]> raw = List.of(batch(4, 3, 2, 3, 1.0, nhwc), batch(2, 3, 2, 3, 3.0, nhwc));
        List<DataSet> data = List.of(new DataSet(Nd4j.create(raw.get(0)), Nd4j.zeros(DataType.DOUBLE, 4, 1)),
                new DataSet(Nd4j.create(raw.get(1)), Nd4j.zeros(DataType.DOUBLE, 2, 1)));
        double[][] expected = naiveStats(raw, nhwc, 3);
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        swa.addSample(net);
        swa.finish(net, new ExistingDataSetIterator(data));
        String what = (nhwc ? "NHWC" : "NCHW") + (logStd ? ", log std" : "");
        assertArrayEquals(expected[0], net.getLayer(0).getParam("mean").toDoubleVector(), 1e-12, "mean, " + what);
        if (logStd) {
            double[] log10std = new double[3];
            for (int c = 0; c < 3; c++) {
                log10std[c] = Math.log10(Math.sqrt(expected[1][c]));
            }
            assertArrayEquals(log10std, net.getLayer(0).getParam("log10stdev").toDoubleVector(), 1e-12,
                    "log10(sqrt(var)), " + what);
        } else {
            assertArrayEquals(expected[1], net.getLayer(0).getParam("var").toDoubleVector(), 1e-12, "var, " + what);
        }
        // DL4J's own test-mode forward must normalise with these statistics (gamma 1, beta 0)
        double eps = ((BatchNormalization) net.getLayerWiseConfigurations().getConf(0).getLayer()).getEps();
        INDArray x = Nd4j.create(batch(1, 3, 2, 3, 2.0, nhwc));
        INDArray out = net.feedForward(x, false).get(1);
        for (int c = 0; c < 3; c++) {
            double xv = nhwc ? x.getDouble(0, 1, 2, c) : x.getDouble(0, c, 1, 2);
            double ov = nhwc ? out.getDouble(0, 1, 2, c) : out.getDouble(0, c, 1, 2);
            assertEquals((xv - expected[0][c]) / Math.sqrt(expected[1][c] + eps), ov, 1e-6,
                    "normalised output of channel " + c + ", " + what);
        }
    }

    @Test
    void batchNormStatisticsOfRank4InputsNchw() {
        checkRank4(false, false);
    }

    @Test
    void batchNormStatisticsOfRank4InputsNhwc() {
        checkRank4(true, false);
    }

    @Test
    void batchNormStatisticsAreStoredAsLog10StdWhenTheLayerUsesIt() {
        checkRank4(false, true);
    }

    /** in(3) -> dense identity (3 -> 3) -> BN -> output, float64; with {@code bn} false, no BN layer. */
    private static ComputationGraph graph(boolean bn) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(3).nOut(3).activation(Activation.IDENTITY).build(), "in");
        if (bn) {
            b.addLayer("bn", new BatchNormalization.Builder().nOut(3).build(), "d");
        }
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                .activation(Activation.IDENTITY).build(), bn ? "bn" : "d").setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    @Test
    void batchNormStatisticsOfAComputationGraphComeFromTheBnInput() {
        ComputationGraph g = graph(true);
        g.getLayer("d").getParam("W").assign(Nd4j.eye(3).muli(2)); // BN input = 2x
        g.getLayer("d").getParam("b").assign(1);                   // ... + 1
        // column 0 of x: 1, 2, 3 -> BN input 3, 5, 7: mean 5, biased var 8/3; columns 1, 2 add 2 and 4 to the mean
        DataSet ds = new DataSet(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}}),
                Nd4j.zeros(DataType.DOUBLE, 3, 1));
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        swa.addSample(g);
        ExistingDataSetIterator it = new ExistingDataSetIterator(List.of(ds));
        while (it.hasNext()) {
            it.next(); // a caller's iterator left at its end: the pass must reset it first
        }
        swa.finish(g, it);
        assertTrue(it.hasNext(), "the iterator is reset after the pass as well");
        assertArrayEquals(new double[] {5, 7, 9}, g.getLayer("bn").getParam("mean").toDoubleVector(), 1e-12,
                "mean of 2x + 1 per column");
        INDArray stat = g.getLayer("bn").getParam(g.getLayer("bn").paramTable().containsKey("var") ? "var"
                : "log10stdev");
        double var = 8.0 / 3;
        double expected = g.getLayer("bn").paramTable().containsKey("var") ? var : Math.log10(Math.sqrt(var));
        assertArrayEquals(new double[] {expected, expected, expected}, stat.toDoubleVector(), 1e-12, "variance 8/3");
    }

    /**
     * A BN channel whose input is constant (a dead unit) has variance 0: log10stdev gets the floor's finite
     * 0.5 log10(1e-6 eps) instead of -infinity, the channel's normalised output is 0, and DL4J trains on from there
     * with finite parameters (a -infinity turned into NaN at the next step before the floor).
     */
    @Test
    void aChannelOfZeroVarianceGetsAFiniteLogStd() {
        ComputationGraph g = graph(true);
        assertTrue(g.getLayer("bn").paramTable().containsKey("log10stdev"), "DL4J's default BN stores log10 std");
        g.getLayer("d").getParam("W").assign(Nd4j.eye(3));
        g.getLayer("d").getParam("W").getColumn(1).assign(0); // channel 1: 0 x + 7
        g.getLayer("d").getParam("b").assign(7);
        DataSet ds = new DataSet(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {2, 3, 4}, {3, 5, 5}}),
                Nd4j.zeros(DataType.DOUBLE, 3, 1));
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        swa.addSample(g);
        swa.finish(g, new ExistingDataSetIterator(List.of(ds)));
        double eps = ((BatchNormalization) ((org.deeplearning4j.nn.conf.graph.LayerVertex) g.getConfiguration()
                .getVertices().get("bn")).getLayerConf().getLayer()).getEps();
        double[] log10std = g.getLayer("bn").getParam("log10stdev").toDoubleVector();
        assertEquals(0.5 * Math.log10(1e-6 * eps), log10std[1], 1e-12, "floored log10 std of the constant channel");
        assertEquals(Math.log10(Math.sqrt(2.0 / 3)), log10std[0], 1e-12, "channel 0 (1, 2, 3 + 7) as before");
        assertEquals(7.0, g.getLayer("bn").getParam("mean").getDouble(1), 1e-12, "mean of the constant channel");
        INDArray out = g.feedForward(ds.getFeatures(), false).get("bn");
        assertEquals(0.0, out.getColumn(1).amaxNumber().doubleValue(), 1e-12, "normalised constant channel");
        g.fit(ds);
        assertFalse(g.params().isNaN().any() || g.params().isInfinite().any(), "parameters after a further fit step");
    }

    @Test
    void minLogStdVarianceIsAMillionthOfEpsAndNeverZero() {
        assertEquals(1e-11, SwaListener.minLogStdVariance(1e-5), 1e-25);
        assertEquals(1e-30, SwaListener.minLogStdVariance(0), 0);
    }

    @Test
    void batchNormPassNeedsDataWithExamples() {
        ComputationGraph g = graph(true);
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        swa.addSample(g);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> swa.finish(g, null));
        assertEquals("the model has 1 BatchNormalization layers: finish needs the training data for their "
                + "statistics pass", none.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> swa.finish(g, new ExistingDataSetIterator(List.<DataSet>of())));
        assertEquals("the training data iterator returned no examples", empty.getMessage());
    }

    @Test
    void aModelWithoutBatchNormNeedsNoData() {
        ComputationGraph g = graph(false);
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        g.params().assign(2);
        swa.addSample(g);
        g.params().assign(4);
        swa.addSample(g);
        swa.finish(g, null);
        assertEquals(3.0, g.params().getDouble(0), 0.0, "mean of 2 and 4 written back");
    }

    /**
     * A minibatch of one example gives a dense BatchNorm input variance 0 whatever the data; averaged in, minibatches of
     * 1 gave the floor 1e-11 (test-mode outputs ~300x too large; found by a bug hunt). Such minibatches are left out of
     * the variance's average: 64 examples in minibatches of 3 (the last of 1) give the variance of minibatches of 63
     * and 1 within 25% of one minibatch of 64; a pass of minibatches of 1 only is refused, naming the layer.
     */
    @org.junit.jupiter.api.Test
    void swaBatchNormStatisticsLeaveOutMinibatchesOfOneExample() {
        double[] var64 = bnVarAfterSwa(64);
        double[] var3 = bnVarAfterSwa(3);
        for (int c = 0; c < var64.length; c++) {
            org.junit.jupiter.api.Assertions.assertEquals(var64[c], var3[c], 0.25 * var64[c], "channel " + c + ": "
                    + java.util.Arrays.toString(var3) + " vs " + java.util.Arrays.toString(var64));
            org.junit.jupiter.api.Assertions.assertTrue(var64[c] > 2, "the data's variance is about 4: " + var64[c]);
        }
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> bnVarAfterSwa(1));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("every minibatch of the SWA statistics pass "
                + "held one value per channel"), e.getMessage());
    }

    private static double[] bnVarAfterSwa(int batch) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nIn(3).nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        java.util.Random rnd = new java.util.Random(11);
        double[][] x = new double[64][3];
        for (double[] row : x) {
            for (int j = 0; j < 3; j++) {
                row[j] = 2.0 * rnd.nextGaussian() + j;
            }
        }
        org.nd4j.linalg.dataset.DataSet all = new org.nd4j.linalg.dataset.DataSet(
                org.nd4j.linalg.factory.Nd4j.createFromArray(x), org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 64, 1));
        java.util.List<org.nd4j.linalg.dataset.DataSet> batches = all.batchBy(batch);
        SwaListener swa = new SwaListener(1, 4e-3, java.util.List.of());
        swa.addSample(net);
        swa.finish(net, new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(batches, batch));
        double[] log10std = net.getLayer(0).getParam("log10stdev").toDoubleVector(); // M2.1's default useLogStd
        double[] var = new double[log10std.length];
        for (int c = 0; c < var.length; c++) {
            var[c] = Math.pow(10, 2 * log10std[c]);
        }
        return var;
    }
}
