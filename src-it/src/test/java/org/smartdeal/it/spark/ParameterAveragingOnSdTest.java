package org.smartdeal.it.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.smartdeal.it.arbiter.SyntheticBlobs;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.layers.impl.SdRuntimeLayer;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.Pow2;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SwaListener;

/**
 * What dl4j-spark's ParameterAveragingTrainingMaster does to SD training, reproduced in process with
 * {@link ParameterAveragingRound} (docs/ARBITER-SPARK.md, "Spark"): two workers, each on its own half of
 * {@link SyntheticBlobs}, then the arithmetic mean.
 */
class ParameterAveragingOnSdTest {

    private static final String C = SdParamInitializer.C_KEY;
    private static final String M = SdParamInitializer.MASK_KEY;

    /**
     * Two workers, each with {@code perWorker} of its own minibatches of 16 (the averaging frequency):
     * worker w gets minibatches w, w + 2, w + 4, ... of the training set.
     */
    private static List<List<DataSet>> split(int perWorker) {
        List<DataSet> batches = SyntheticBlobs.examples(SyntheticBlobs.TRAIN, 11).batchBy(16);
        List<List<DataSet>> out = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            List<DataSet> mine = new ArrayList<>();
            for (int i = 0; i < perWorker; i++) {
                mine.add(batches.get(w + 2 * i));
            }
            out.add(mine);
        }
        return out;
    }

    private static int offGrid(MultiLayerNetwork net) {
        int n = 0;
        for (int layer = 0; layer < 2; layer++) {
            for (double c : SdTestNets.param(net, layer, C)) {
                n += Pow2.isZeroOrSignedPowerOfTwo(c) ? 0 : 1;
            }
        }
        return n;
    }

    private static int nonInteger(double[] counters) {
        int n = 0;
        for (double c : counters) {
            n += c == Math.rint(c) ? 0 : 1;
        }
        return n;
    }

    @Test
    void averagingWithUpdaterStateLeavesThePowerOfTwoGridAndBreaksTheCountersUntilProjected() {
        // thetaC 3 and 3 minibatches: a counter ends at 0 where it switched at the third step and at +-1 where
        // not, so the two workers' counters differ in parity and their means include halves.
        MultiLayerNetwork master = SdTestNets.sdNetwork(3);
        double[] mask0 = SdTestNets.param(master, 0, M);
        ParameterAveragingRound.run(master, split(3), true);

        assertArrayEquals(mask0, SdTestNets.param(master, 0, M), "M is frozen on every worker, so its mean is M");
        double[] c = SdTestNets.param(master, 0, C);
        for (int i = 0; i < c.length; i++) {
            assertTrue(mask0[i] != 0 || c[i] == 0, "C[" + i + "] = " + c[i] + " outside the mask");
        }
        assertTrue(offGrid(master) > 0, "the mean of different powers of two is off the grid (e.g. (1 + 0.5) / 2)");
        assertTrue(nonInteger(SdTestNets.counters(master)) > 0, "the mean of integer counters is not an integer");

        // The float32 updater turns a counter of 2.5 (thetaC 3) into a direction of 0.5, which the step rejects.
        MultiLayerNetwork broken = master.clone();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ParameterAveragingRound.run(broken, split(3), true));
        assertTrue(e.getMessage().contains("BucketSwitchStep"), e.getMessage());

        // The projection hook restores both invariants, and averaging rounds then keep running.
        SdTraining.restoreInvariants(master);
        for (int round = 0; round < 3; round++) {
            assertEquals(0, offGrid(master), "round " + round + ": C on the grid after the projection");
            for (double k : SdTestNets.counters(master)) {
                assertTrue(k == Math.rint(k) && Math.abs(k) < 3, "round " + round + ": counter " + k);
            }
            ParameterAveragingRound.run(master, split(3), true);
            SdTraining.restoreInvariants(master);
        }
        assertArrayEquals(mask0, SdTestNets.param(master, 0, M));
    }

    @Test
    void withoutUpdaterStateAnAveragingFrequencyBelowThetaCNeverSwitchesACoefficient() {
        // thetaC 7 (ALGORITHMS.md 6.2 default) and 5 minibatches per split (dl4j-spark's default
        // averagingFrequency): every split starts from the master's never-updated counters (0), and a
        // counter moves by at most 1 per minibatch.
        MultiLayerNetwork master = SdTestNets.sdNetwork(7);
        double[] c0 = SdTestNets.param(master, 0, C);
        double[] b0 = SdTestNets.param(master, 0, SdParamInitializer.B_KEY);
        INDArray state0 = master.getUpdater().getStateViewArray().dup();
        for (int round = 0; round < 3; round++) {
            ParameterAveragingRound.run(master, split(5), false);
        }
        assertArrayEquals(c0, SdTestNets.param(master, 0, C), "no coefficient ever switched");
        assertFalse(java.util.Arrays.equals(b0, SdTestNets.param(master, 0, SdParamInitializer.B_KEY)),
                "B did train");
        assertEquals(state0, master.getUpdater().getStateViewArray(), "the master's updater state never changes");
    }

    @Test
    void theMastersInferenceCacheIsStaleAfterAveragingUntilInvalidated() {
        MultiLayerNetwork master = SdTestNets.sdNetwork(2);
        SdInferenceCache.enable(master);
        INDArray x = SyntheticBlobs.examples(6, 21).getFeatures();
        // the updater exists before the cache is built (DL4J builds it lazily, reading every layer's paramTable,
        // which drops a cached W: then averaging would find no cache to leave stale)
        master.getUpdater();
        INDArray before = master.output(x);
        assertTrue(((SdRuntimeLayer) master.getLayer(0)).isInferenceCacheValid(), "output() built the cache");
        ParameterAveragingRound.run(master, split(3), true); // ends in master.setParameters(mean)

        MultiLayerNetwork fresh = new MultiLayerNetwork(master.getLayerWiseConfigurations().clone());
        fresh.init(master.params().dup(), false);
        INDArray expected = fresh.output(x);
        assertNotEquals(before, expected, "averaging changed the network");
        // setParameters copies into the flat array without calling the layers: each keeps its cached W (the
        // biases are read live, so the output is a mix of old W and new biases).
        assertTrue(((SdRuntimeLayer) master.getLayer(0)).isInferenceCacheValid(), "the layer still trusts its W");
        assertNotEquals(expected, master.output(x), "stale W after averaging");
        SdInferenceCache.invalidate(master);
        assertEquals(expected, master.output(x));
    }

    @Test
    void swaSamplesOnlyWhereEpochsEndSoOnTheDriverNotInWorkerStyleFitCalls() {
        // ParameterAveragingTrainingWorker.processMinibatch calls fit(DataSet), which never ends an epoch.
        MultiLayerNetwork worker = SdTestNets.sdNetwork(2);
        SwaListener workerSwa = SdTraining.swaListener(worker, 1);
        worker.addListeners(workerSwa);
        for (DataSet ds : split(3).get(0)) {
            worker.fit(ds);
        }
        assertEquals(0, workerSwa.samples(), "no epoch ended on the worker");

        // On the driver: one sample per averaged split (one "epoch" of fit(rdd)), then finish.
        MultiLayerNetwork master = SdTestNets.sdNetwork(2);
        SwaListener swa = SdTraining.swaListener(master, 1);
        for (int round = 0; round < 2; round++) {
            ParameterAveragingRound.run(master, split(3), true);
            SdTraining.restoreInvariants(master);
            swa.addSample(master);
        }
        assertEquals(2, swa.samples());
        swa.finish(master, null);
        assertEquals(0, offGrid(master), "SWA's final projection puts the averaged C back on the grid");
    }
}
