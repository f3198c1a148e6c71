package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.layers.impl.SdRuntimeLayer;

/**
 * {@link SdTraining#restoreInvariants}: after writes from outside the bucket switch (here the arithmetic
 * mean that parameter averaging would produce, set by hand so the expected values are exact), C is back
 * on the powers of two inside its mask, the counters are integers, the momentum is untouched and the
 * inference cache is dropped. Expected values are P of ALGORITHMS.md 6.1 by hand (nearest power of two in
 * the linear domain, ties up) and truncation toward zero.
 */
class RestoreInvariantsTest {

    private static final BucketSwitch SWITCH = BucketSwitch.builder(0.05).theta(SdLayer.DEFAULT_THETA).build();

    /** sd1 (SD, 6 -> 5) -> sdOut (SD, 5 -> 3), float32, configured for SD-T, C a power-of-two fill. */
    static MultiLayerNetwork mln() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("sdOut").nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return prepare(net, net.getLayers());
    }

    /** The same two SD layers as a ComputationGraph. */
    private static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("sd1", new SdDenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("sdOut", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "sd1")
                .setOutputs("sdOut").setInputTypes(InputType.feedForward(6)).build());
        g.init();
        return prepare(g, g.getLayers());
    }

    private static <T extends Model> T prepare(T net, Layer[] layers) {
        Random rnd = new Random(3);
        for (Layer l : layers) {
            INDArray c = l.getParam("C");
            TestNets.setPow2(c, rnd);
            l.getParam("M").assign(c.neq(0).castTo(c.dataType()));
        }
        SdTraining.configure(net, SWITCH, SdUpdaterRouting.sgdMomentum(0.05), 5e-4);
        return net;
    }

    static void fit(Model net, int batches, long seed) {
        ListDataSetIterator<DataSet> it = new ListDataSetIterator<>(TestNets.data(batches, seed), 1);
        if (net instanceof MultiLayerNetwork m) {
            m.fit(it);
        } else {
            ((ComputationGraph) net).fit(it);
        }
    }

    private static List<BucketSwitchUpdater> switches(Model net) {
        Object u = net instanceof MultiLayerNetwork m ? m.getUpdater() : ((ComputationGraph) net).getUpdater();
        List<BucketSwitchUpdater> out = new ArrayList<>();
        for (UpdaterBlock b : ((BaseMultiLayerUpdater<?>) u).getUpdaterBlocks()) {
            if (b.getGradientUpdater() instanceof BucketSwitchUpdater bs) {
                out.add(bs);
            }
        }
        return out;
    }

    /** The flat index of the (skip+1)-th entry of C inside ({@code inMask}) or outside the mask. */
    private static int firstWhere(Layer l, boolean inMask, int skip) {
        double[] m = l.getParam("M").dup('c').data().asDouble();
        for (int i = 0; i < m.length; i++) {
            if ((m[i] != 0) == inMask && skip-- == 0) {
                return i;
            }
        }
        throw new AssertionError("no such entry");
    }

    private static void checkRestores(Model net, Layer sd1) {
        fit(net, 6, 11);
        List<BucketSwitchUpdater> switches = switches(net);
        assertFalse(switches.isEmpty(), "C must be on the bucket switch");
        SdInferenceCache.enable(net);
        INDArray x = TestNets.data(1, 5).get(0).getFeatures();
        output(net, x);
        assertTrue(((SdRuntimeLayer) sd1).isInferenceCacheValid(), "the cache is filled by an inference pass");

        // what averaging two workers can leave behind
        INDArray c = sd1.getParam("C");
        int in0 = firstWhere(sd1, true, 0);
        int in1 = firstWhere(sd1, true, 1);
        int out0 = firstWhere(sd1, false, 0);
        c.putScalar(in0, 0.75);    // mean of 1 and 0.5: P ties up -> 1
        c.putScalar(in1, -0.375);  // mean of -0.5 and -0.25 -> -0.5
        c.putScalar(out0, 0.3);    // outside M -> 0
        double[] vBefore = new double[switches.size()];
        for (int s = 0; s < switches.size(); s++) {
            INDArray st = switches.get(s).getStateViewArray();
            long n = (st.length() - 1) / 2;
            st.putScalar(1 + n, 2.5);      // counter 0 -> 2
            st.putScalar(1 + n + 1, -1.5); // counter 1 -> -1
            st.putScalar(1, 0.125);        // momentum v[0], must stay
            vBefore[s] = st.getDouble(1);
        }
        INDArray mBefore = sd1.getParam("M").dup();

        SdTraining.Restoration r = SdTraining.restoreInvariants(net);

        assertEquals(3, r.coefficientsChanged());
        assertEquals(2L * switches.size(), r.countersChanged());
        assertEquals(1.0, c.getDouble(in0));
        assertEquals(-0.5, c.getDouble(in1));
        assertEquals(0.0, c.getDouble(out0));
        for (double v : c.dup('c').data().asDouble()) {
            assertTrue(Pow2.isZeroOrSignedPowerOfTwo(v), "C entry " + v);
        }
        assertEquals(mBefore, sd1.getParam("M"), "the mask is not touched");
        for (int s = 0; s < switches.size(); s++) {
            INDArray st = switches.get(s).getStateViewArray();
            long n = (st.length() - 1) / 2;
            assertEquals(2.0, st.getDouble(1 + n));
            assertEquals(-1.0, st.getDouble(1 + n + 1));
            assertEquals(vBefore[s], st.getDouble(1), "momentum keeps its (averaged) value");
            for (double k : st.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1 + n, 1 + 2 * n)).dup()
                    .data().asDouble()) {
                assertEquals(Math.rint(k), k, "counter " + k);
            }
        }
        assertFalse(((SdRuntimeLayer) sd1).isInferenceCacheValid(), "the cache is dropped");

        INDArray params = net.params().dup();
        INDArray state = updaterState(net).dup();
        assertEquals(new SdTraining.Restoration(0, 0), SdTraining.restoreInvariants(net), "idempotent");
        assertEquals(params, net.params());
        assertEquals(state, updaterState(net));

        fit(net, 3, 12); // training goes on from the restored state
        for (double v : sd1.getParam("C").dup('c').data().asDouble()) {
            assertTrue(Pow2.isZeroOrSignedPowerOfTwo(v), "C entry after further training " + v);
        }
    }

    private static INDArray updaterState(Model net) {
        return net instanceof MultiLayerNetwork m ? m.getUpdater().getStateViewArray()
                : ((ComputationGraph) net).getUpdater().getStateViewArray();
    }

    private static void output(Model net, INDArray x) {
        if (net instanceof MultiLayerNetwork m) {
            m.output(x);
        } else {
            ((ComputationGraph) net).output(x);
        }
    }

    @Test
    void restoresAMultiLayerNetwork() {
        MultiLayerNetwork net = mln();
        checkRestores(net, net.getLayer("sd1"));
    }

    @Test
    void restoresAComputationGraph() {
        ComputationGraph g = graph();
        checkRestores(g, g.getLayer("sd1"));
    }

    @Test
    void beforeTrainingTheCountersAreZeroAndOnlyCIsProjected() {
        MultiLayerNetwork net = mln();
        net.getLayer("sd1").getParam("C").putScalar(firstWhere(net.getLayer("sd1"), true, 0), 0.7);
        SdTraining.Restoration r = SdTraining.restoreInvariants(net);
        assertEquals(new SdTraining.Restoration(1, 0), r);
        assertEquals(0.5, net.getLayer("sd1").getParam("C").getDouble(firstWhere(net.getLayer("sd1"), true, 0)));
    }

    @Test
    void rejectsOtherModels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.restoreInvariants(null));
        assertTrue(e.getMessage().contains("MultiLayerNetwork or ComputationGraph"), e.getMessage());
    }

    @Test
    void truncateCountersNeedsAState() {
        assertThrows(IllegalStateException.class, () -> new BucketSwitchUpdater(SWITCH).truncateCounters());
    }

    /**
     * Idempotent also where theta is not a power of two (the SD layers' default 4e-3): a mean coefficient of 0.0045 was
     * projected to 2^-8, below theta - 1e-5, which the next call (and the forward pass) sent to 0; P now gives 2^-7,
     * the smallest power of two it keeps (found by a bug hunt).
     */
    @Test
    void restoreInvariantsIsIdempotentWithTheDefaultTheta() {
        MultiLayerNetwork net = RestoreInvariantsTest.mln();
        org.deeplearning4j.nn.api.Layer sd1 = net.getLayer(0);
        sd1.getParam("M").putScalar(0, 1.0);
        sd1.getParam("C").putScalar(0, 0.0045); // e.g. the mean of 2^-7 and 2^-9... of two workers' values
        SdTraining.Restoration first = SdTraining.restoreInvariants(net);
        double afterFirst = sd1.getParam("C").getDouble(0);
        SdTraining.Restoration second = SdTraining.restoreInvariants(net);
        assertEquals(0x1p-7, afterFirst);
        assertEquals(0L, second.coefficientsChanged(), "second restoreInvariants changed coefficients again: C[0] "
                + "went 0.0045 -> " + afterFirst + " -> " + sd1.getParam("C").getDouble(0) + " (first call changed "
                + first.coefficientsChanged() + ")");
    }
}
