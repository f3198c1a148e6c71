package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.layers.impl.SdRuntimeLayer;

/** SWA of ALGORITHMS.md 6.4 on known sequences, projection P inside the mask, BatchNorm statistics pass. */
class SwaListenerTest {

    private static MultiLayerNetwork dense() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.denseConf());
        net.init();
        return net;
    }

    /** Sets every parameter to {@code value} and the epoch count to {@code epoch}, then ends the epoch. */
    private static void endEpochWith(SwaListener swa, MultiLayerNetwork net, double value, int epoch) {
        net.params().assign(value);
        net.setEpochCount(epoch);
        swa.onEpochEnd(net);
    }

    @Test
    void meanOfOneTwoThreeIsTwo() {
        MultiLayerNetwork net = dense();
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        endEpochWith(swa, net, 1, 0);
        endEpochWith(swa, net, 2, 1);
        endEpochWith(swa, net, 3, 2);
        assertEquals(3, swa.samples());
        swa.finish(net, null);
        INDArray expected = Nd4j.valueArrayOf(net.params().shape(), 2.0f, DataType.FLOAT);
        assertEquals(expected, net.params()); // (1 + 2 + 3) / 3 = 2, exact
    }

    @Test
    void epochsBeforeSwaStartAreNotAveraged() {
        MultiLayerNetwork net = dense();
        SwaListener swa = new SwaListener(2, 4e-3, List.of());
        endEpochWith(swa, net, 1, 0); // epoch 0: 0 + 1 < 2, skipped
        endEpochWith(swa, net, 2, 1);
        endEpochWith(swa, net, 4, 2);
        assertEquals(2, swa.samples());
        assertEquals(3.0, swa.average().getDouble(0), 0.0); // (2 + 4) / 2
    }

    @Test
    void runningMeanOfThreeUnequalSamplesMatchesTheArithmeticMean() {
        MultiLayerNetwork net = dense();
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        endEpochWith(swa, net, 1, 0);
        endEpochWith(swa, net, 2, 1);
        endEpochWith(swa, net, 4, 2);
        assertEquals(7.0 / 3.0, swa.average().getDouble(5), 1e-15);
    }

    @Test
    void finishWithoutSamplesFails() {
        SwaListener swa = new SwaListener(5, 4e-3, List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> swa.finish(dense(), null));
        assertEquals(true, e.getMessage().contains("swaStart=5"));
    }

    @Test
    void fitCallsTheListenerOncePerEpochWithTheFinishedEpoch() {
        MultiLayerNetwork net = dense();
        SwaListener swa = new SwaListener(2, 4e-3, List.of());
        net.setListeners(swa);
        ExistingDataSetIterator it = new ExistingDataSetIterator(TestNets.data(2, 1));
        for (int e = 0; e < 3; e++) {
            net.fit(it);
        }
        assertEquals(2, swa.samples()); // epochs 1 and 2 (0-based) satisfy epoch + 1 >= 2
    }

    @Test
    void averagedCoefficientsAreProjectedWithTiesUpInsideTheMask() {
        MultiLayerNetwork net = dense();
        INDArray w = net.getLayer(0).getParam("W");
        // entry: sample 1, sample 2 -> mean -> P (theta 4e-3, threshold 0.00399)
        float[][] samples = {
            {0.25f, 0.25f, -0.5f, 0.5f, 0x1p-8f, 0.5f, 0.7f, 0x1p-7f},
            {0.5f, 0.125f, -0.25f, 0f, 0x1p-8f, 0.5f, 0.7f, 0x1p-7f}};
        // 0.375 tie -> 0.5 ; 0.1875 tie -> 0.25 ; -0.375 -> -0.5 ; 0.25 ; 2^-8 < 0.00399 -> 0 ;
        // masked out -> 0 ; 0.7 < 0.75 -> 0.5 ; 2^-7 kept
        float[] expected = {0.5f, 0.25f, -0.5f, 0.25f, 0f, 0f, 0.5f, 0x1p-7f};
        INDArray mask = Nd4j.ones(DataType.FLOAT, w.shape());
        mask.putScalar(new long[] {5, 0}, 0); // where entry 5 lives
        int[][] at = {{0, 0}, {0, 1}, {1, 0}, {2, 3}, {3, 3}, {5, 0}, {4, 4}, {5, 4}};
        SwaListener swa = new SwaListener(1, 4e-3,
                List.of(CoefficientParam.withMask(TestNets.DENSE_W, mask)));
        for (int s = 0; s < 2; s++) {
            w.assign(0);
            for (int k = 0; k < at.length; k++) {
                w.putScalar(new long[] {at[k][0], at[k][1]}, samples[s][k]);
            }
            net.setEpochCount(s);
            swa.onEpochEnd(net);
        }
        swa.finish(net, null);
        float[] got = new float[at.length];
        for (int k = 0; k < at.length; k++) {
            got[k] = w.getFloat(at[k][0], at[k][1]);
        }
        assertArrayEquals(expected, got);
        // nothing else became non-zero: |W| sums to 0.5 + 0.25 + 0.5 + 0.25 + 0.5 + 2^-7 = 2.0078125
        assertEquals(2.0078125, w.norm1Number().doubleValue(), 0.0);
    }

    /**
     * The weights an SD layer's inference cache holds are the last epoch's; after finish the network must compute
     * with the averaged ones (as a clone, whose cache starts empty, does). Found by a user audit: the cached W
     * survived finish on networks without BatchNorm.
     */
    @Test
    void finishDropsTheSdInferenceCache() {
        MultiLayerNetwork net = RestoreInvariantsTest.mln();
        SwaListener swa = SdTraining.swaListener(net, 1);
        net.setListeners(swa);
        RestoreInvariantsTest.fit(net, 6, 11);
        RestoreInvariantsTest.fit(net, 6, 12);
        assertEquals(2, swa.samples());
        SdInferenceCache.enable(net);
        INDArray x = TestNets.data(1, 5).get(0).getFeatures();
        INDArray lastEpoch = net.output(x);
        SdRuntimeLayer sd1 = (SdRuntimeLayer) net.getLayer(0);
        assertTrue(sd1.isInferenceCacheValid(), "the cache is filled by an inference pass");

        swa.finish(net, null);

        assertFalse(sd1.isInferenceCacheValid(), "finish drops the cache");
        INDArray averaged = net.output(x);
        assertEquals(net.clone().output(x), averaged);
        assertTrue(averaged.sub(lastEpoch).amaxNumber().doubleValue() > 1e-4, "the mean differs from the last epoch");
    }

    @Test
    void batchNormStatisticsAreRecomputedFromOnePass() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(3).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).getParam("W").assign(Nd4j.eye(3));
        net.getLayer(0).getParam("b").assign(0);
        // column j = column 0 + j. Batch 1 column 0: 1,2,3,4 (mean 2.5, biased var 1.25);
        // batch 2 column 0: 10,12 (mean 11, var 1). Weighted by batch size:
        // mean = (4*2.5 + 2*11)/6 = 16/3 (+j), var = (4*1.25 + 2*1)/6 = 7/6.
        DataSet b1 = new DataSet(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 6}}),
                Nd4j.zeros(DataType.DOUBLE, 4, 1));
        DataSet b2 = new DataSet(Nd4j.createFromArray(new double[][] {{10, 11, 12}, {12, 13, 14}}),
                Nd4j.zeros(DataType.DOUBLE, 2, 1));
        SwaListener swa = new SwaListener(1, 4e-3, List.of());
        swa.addSample(net);
        swa.finish(net, new ExistingDataSetIterator(List.of(b1, b2)));

        INDArray mean = net.getLayer(1).getParam("mean");
        assertArrayEquals(new double[] {16.0 / 3, 16.0 / 3 + 1, 16.0 / 3 + 2}, mean.toDoubleVector(), 1e-12);
        // DL4J's own test-mode forward must now normalise with these numbers
        double eps = ((BatchNormalization) conf.getConf(1).getLayer()).getEps();
        INDArray x = Nd4j.createFromArray(new double[][] {{7, 8, 9}});
        INDArray out = net.feedForward(x, false).get(2);
        double expected0 = (7 - 16.0 / 3) / Math.sqrt(7.0 / 6 + eps);
        assertArrayEquals(new double[] {expected0, expected0, expected0}, out.toDoubleMatrix()[0], 1e-9);
    }
}
