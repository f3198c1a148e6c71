package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;

/**
 * BucketSwitch inside DL4J's real update pipeline, on a plain DenseLayer whose W holds values in
 * {0, +-2^p} and whose mask (W != 0 at the start) is kept in the updater state.
 */
class BucketSwitchNetworkTest {

    /** lr 1 and thetaC 2 so that a tiny network switches often. */
    private static BucketSwitch fastSwitch() {
        return BucketSwitch.builder(1.0).thetaC(2).maxCoeff(4).maskInState(true).build();
    }

    private static void train(MultiLayerNetwork net, List<DataSet> data, int fromBatch, int toBatch) {
        for (int b = fromBatch; b < toBatch; b++) {
            net.fit(data.get(b));
        }
    }

    @Test
    void routingPutsBucketSwitchOnWAndNesterovsElsewhere() {
        MultiLayerNetwork net = TestNets.bucketSwitchNet(fastSwitch());
        BaseLayer dense = (BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer();
        BaseLayer out = (BaseLayer) net.getLayerWiseConfigurations().getConf(1).getLayer();
        assertInstanceOf(BucketSwitch.class, dense.getUpdaterByParam("W"));
        assertInstanceOf(Nesterovs.class, dense.getUpdaterByParam("b"));
        assertInstanceOf(Nesterovs.class, out.getUpdaterByParam("W"));
        assertEquals(List.of(new L2Regularization(5e-4), new BucketSwitchStep(0x1p-7, 4)),
                dense.getRegularizationByParam("W"));
        assertEquals(List.of(new L2Regularization(5e-4)), out.getRegularizationByParam("W"));
    }

    @Test
    void routingRejectsAnUnknownParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(TestNets.denseConf(), Set.of(ParamRef.of("layer0", "C")), fastSwitch(),
                        SdUpdaterRouting.sgdMomentum(0.1), 0));
        assertTrue(e.getMessage().contains("layer0/C") && e.getMessage().contains("[W, b]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(TestNets.denseConf(), Set.of(ParamRef.of("nope", "W")), fastSwitch(),
                        SdUpdaterRouting.sgdMomentum(0.1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> SdUpdaterRouting.route(TestNets.denseConf(), Set.of(ParamRef.of("layer0", "b")), fastSwitch(),
                        SdUpdaterRouting.sgdMomentum(0.1), 0));
    }

    @Test
    void configurationSurvivesJson() {
        BucketSwitch bs = BucketSwitch.builder(0.1).learningRateSchedule(new SwaLrSchedule(0.1, 0.005, 40))
                .thetaC(5).maxCoeff(1).maskInState(true).build();
        MultiLayerConfiguration conf = SdUpdaterRouting.route(TestNets.denseConf(), Set.of(TestNets.DENSE_W), bs,
                SdUpdaterRouting.sgdMomentum(new SwaLrSchedule(0.1, 0.005, 40)), 5e-4);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        BaseLayer dense = (BaseLayer) back.getConf(0).getLayer();
        assertEquals(bs, dense.getIUpdater());
        assertEquals(bs.regularization(), dense.getRegularization());
        assertEquals(conf, back);
    }

    @Test
    void manyStepsKeepWInTheDomainInsideItsMaskAndZeroOutside() {
        MultiLayerNetwork net = TestNets.bucketSwitchNet(fastSwitch());
        INDArray w = net.getLayer(0).getParam("W");
        float[] start = w.dup().reshape(w.length()).toFloatVector();
        List<DataSet> data = TestNets.data(8, 11);
        int changed = 0;
        for (int epoch = 0; epoch < 6; epoch++) {
            train(net, data, 0, data.size());
            net.incrementEpochCount();
            float[] now = w.dup().reshape(w.length()).toFloatVector();
            for (int i = 0; i < now.length; i++) {
                assertTrue(Pow2.isZeroOrSignedPowerOfTwo(now[i]), "W[" + i + "] = " + now[i]);
                assertTrue(Math.abs(now[i]) <= 4f);
                if (start[i] == 0f) {
                    assertEquals(0f, now[i], "W[" + i + "] is outside the mask");
                }
            }
        }
        float[] end = w.dup().reshape(w.length()).toFloatVector();
        for (int i = 0; i < end.length; i++) {
            if (end[i] != start[i]) {
                changed++;
            }
        }
        assertTrue(changed >= 3, "training must switch some buckets, changed " + changed);
    }

    @Test
    void saveMidEpochRestoreAndContinueIsBitIdentical(@TempDir Path dir) throws Exception {
        List<DataSet> data = TestNets.data(8, 5);

        MultiLayerNetwork a = TestNets.bucketSwitchNet(fastSwitch());
        for (int epoch = 0; epoch < 3; epoch++) {
            train(a, data, 0, data.size());
            a.incrementEpochCount();
        }

        MultiLayerNetwork b = TestNets.bucketSwitchNet(fastSwitch());
        train(b, data, 0, data.size());
        b.incrementEpochCount();
        train(b, data, 0, 3); // stop in the middle of epoch 1 (odd count: thetaC 2 leaves counters at +-1)
        INDArray state = b.getUpdater().getStateViewArray();
        // the first updater block is layer0/W: [lastEpoch, v[30], counter[30], maskedOut[30]]
        assertEquals(1f, state.getFloat(0)); // saved inside epoch 1: a restore must not reset the counters
        INDArray counters = state.get(NDArrayIndex.interval(31, 61));
        assertNotEquals(0.0, counters.amaxNumber().doubleValue(), "some counter must be mid-way at the save");
        File file = dir.resolve("mid.zip").toFile();
        ModelSerializer.writeModel(b, file, true);

        MultiLayerNetwork c = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(b.getLayerWiseConfigurations(), c.getLayerWiseConfigurations());
        assertArrayEquals(state.toFloatVector(), c.getUpdater().getStateViewArray().toFloatVector());
        train(c, data, 3, data.size());
        c.incrementEpochCount();
        train(c, data, 0, data.size());
        c.incrementEpochCount();

        assertArrayEquals(a.params().toFloatVector(), c.params().toFloatVector());
        assertArrayEquals(a.getUpdater().getStateViewArray().toFloatVector(),
                c.getUpdater().getStateViewArray().toFloatVector());
        assertNotEquals(b.params(), a.params()); // training after the save did change something
    }
}
