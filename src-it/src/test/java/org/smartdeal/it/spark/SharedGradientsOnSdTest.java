package org.smartdeal.it.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.solvers.accumulation.EncodedGradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.NoOpResidualPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.smartdeal.it.arbiter.SyntheticBlobs;
import org.smartdeal.layers.FreezeUpdater;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.Pow2;

/**
 * What the gradient sharing behind dl4j-spark's SharedTrainingMaster does to SD training. Each Spark
 * worker trains through DL4J's {@link EncodedGradientsAccumulator}: StochasticGradientDescent.optimize
 * computes the update (the updater and its POST_UPDATER regularizations, so the bucket switch's exact
 * {@code C - C_new}), {@code storeUpdate} adds it to a residual and threshold-encodes it (entries with
 * |u| &gt;= tau are sent as +-tau, the rest stays in the residual), and {@code applyUpdate} applies only
 * the decoded messages to the parameters. Here the accumulator runs in process with one consumer, as
 * on one worker thread (deeplearning4j-nn 1.0.0-M2.1 classes, no Spark).
 */
class SharedGradientsOnSdTest {

    private static final double TAU = 1e-3;

    private static void trainThroughAccumulator(MultiLayerNetwork net, int minibatches) {
        EncodedGradientsAccumulator acc = new EncodedGradientsAccumulator(1, new FixedThresholdAlgorithm(TAU),
                new NoOpResidualPostProcessor(), false);
        acc.fallbackToSingleConsumerMode(true);
        acc.touch();
        net.setGradientsAccumulator(acc);
        List<DataSet> batches = SyntheticBlobs.examples(SyntheticBlobs.TRAIN, 11).batchBy(SyntheticBlobs.BATCH);
        for (int i = 0; i < minibatches; i++) {
            net.fit(batches.get(i % batches.size()));
        }
    }

    @Test
    void thresholdEncodedUpdatesMoveCoefficientsInStepsOfTauInsteadOfSwitchingBuckets() {
        MultiLayerNetwork net = SdTestNets.sdNetwork(2);
        double[] c0 = SdTestNets.param(net, 0, SdParamInitializer.C_KEY);
        double[] m0 = SdTestNets.param(net, 0, SdParamInitializer.MASK_KEY);
        trainThroughAccumulator(net, 4);

        double[] c = SdTestNets.param(net, 0, SdParamInitializer.C_KEY);
        int offGrid = 0;
        for (int i = 0; i < c.length; i++) {
            offGrid += Pow2.isZeroOrSignedPowerOfTwo(c[i]) ? 0 : 1;
            double steps = Math.abs(c[i] - c0[i]) / TAU;
            assertEquals(Math.rint(steps), steps, 1e-3, "C[" + i + "] moved " + (c[i] - c0[i])
                    + ", not a multiple of tau");
            assertTrue(steps <= 4, "C[" + i + "] moved " + steps + " tau in 4 minibatches");
        }
        assertTrue(offGrid > 0, "coefficients left {0, +-2^p}");
        assertArrayEquals(m0, SdTestNets.param(net, 0, SdParamInitializer.MASK_KEY), "M (update 0) is unchanged");
    }

    @Test
    void withCoefficientsFrozenOnlyTheBasesTrainAndTheGridIsKept() {
        MultiLayerNetwork net = SdTestNets.sdNetwork(2);
        for (int layer = 0; layer < 2; layer++) {
            Object conf = net.getLayer(layer).conf().getLayer();
            if (conf instanceof SdDenseLayer d) {
                d.setParamTraining(SdParamInitializer.C_KEY, new FreezeUpdater(), List.of());
            } else {
                ((SdOutputLayer) conf).setParamTraining(SdParamInitializer.C_KEY, new FreezeUpdater(), List.of());
            }
        }
        net.setUpdater(new org.deeplearning4j.nn.updater.MultiLayerUpdater(net));
        double[] c0 = SdTestNets.param(net, 0, SdParamInitializer.C_KEY);
        double[] b0 = SdTestNets.param(net, 0, SdParamInitializer.B_KEY);
        trainThroughAccumulator(net, 4);
        assertArrayEquals(c0, SdTestNets.param(net, 0, SdParamInitializer.C_KEY), "a frozen C sends no update");
        assertFalse(Arrays.equals(b0, SdTestNets.param(net, 0, SdParamInitializer.B_KEY)), "B trained");
    }
}
