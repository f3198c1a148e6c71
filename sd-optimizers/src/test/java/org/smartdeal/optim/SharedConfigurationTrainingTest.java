package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * DL4J lets several networks share one configuration object ({@code new MultiLayerNetwork(conf)} twice
 * does not copy the layer configurations), which is safe for DL4J's own layers because configurations
 * hold no runtime state. Two networks built from one routed SD configuration and trained at the same
 * time in two threads must therefore end exactly where each ends when trained alone. Reference: the same
 * two networks trained one after the other (sequential run, same data, same initial parameters).
 */
class SharedConfigurationTrainingTest {

    /** lr 1, theta_c 2, thetaG 1e-6: switches on most steps, so a mixed-up update shows at once. */
    private static BucketSwitch fastSwitch() {
        return BucketSwitch.builder(1.0).thetaC(2).thetaG(1e-6).theta(7e-3).build();
    }

    /** sd1 512 -> 256 (SD, C of 131,072 entries: 16 chunks of the bucket-switch pool) -> out 3 (SD). */
    private static MultiLayerConfiguration routedConf() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(512).nOut(256).theta(7e-3)
                        .activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(256).nOut(3)
                        .theta(7e-3).activation(Activation.SOFTMAX).build())
                .build();
        return SdTraining.configure(conf, fastSwitch(), new Nesterovs(0.05, 0.9), 5e-4);
    }

    private static List<DataSet> data(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 16, 512).subi(0.5).muli(4);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
            for (int r = 0; r < 16; r++) {
                y.putScalar(r, (r + i) % 3, 1f);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    private static MultiLayerNetwork net(MultiLayerConfiguration conf, INDArray params) {
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init(params, true);
        return n;
    }

    @Test
    void twoNetworksOfOneConfigurationTrainConcurrentlyAsAlone() throws Exception {
        MultiLayerConfiguration conf = routedConf();
        MultiLayerNetwork init = new MultiLayerNetwork(routedConf());
        init.init();
        INDArray p0 = init.params().dup();
        List<DataSet> dataA = data(1, 40);
        List<DataSet> dataB = data(2, 40);

        // sequential reference: each network trained alone (own configuration copies, no sharing at all)
        MultiLayerNetwork refA = net(routedConf(), p0);
        MultiLayerNetwork refB = net(routedConf(), p0);
        dataA.forEach(refA::fit);
        dataB.forEach(refB::fit);

        MultiLayerNetwork a = net(conf, p0);
        MultiLayerNetwork b = net(conf, p0);
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            Future<?> fa = ex.submit(() -> {
                start.await();
                dataA.forEach(a::fit);
                return null;
            });
            Future<?> fb = ex.submit(() -> {
                start.await();
                dataB.forEach(b::fit);
                return null;
            });
            fa.get();
            fb.get();
        } finally {
            ex.shutdownNow();
        }
        assertFalse(Arrays.equals(refA.params().toFloatVector(), refB.params().toFloatVector()));
        assertArrayEquals(refA.params().toFloatVector(), a.params().toFloatVector(), "network a");
        assertArrayEquals(refB.params().toFloatVector(), b.params().toFloatVector(), "network b");
    }

    /**
     * The same defect at the level of the step alone, with more overlap: one {@link BucketSwitchStep}
     * called from two threads at once on arrays of 2^20 entries, 30 times each. Reference: the rule
     * {@link BucketSwitchStep#next} applied entry by entry (exact in float: C and the result are powers of
     * two within a factor 2, so {@code C - next} is exact).
     */
    @Test
    void oneStepCalledFromTwoThreadsAtOnceGivesEachCallersResult() throws Exception {
        BucketSwitchStep step = new BucketSwitchStep(0x1p-7, 1.0);
        int n = 1 << 20;
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                java.util.Random rnd = new java.util.Random(100 + t);
                float[] c = new float[n];
                float[] s = new float[n];
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) {
                    c[i] = rnd.nextInt(4) == 0 ? 0f : (rnd.nextBoolean() ? 1 : -1) * (float) Math.scalb(1.0, -rnd.nextInt(8));
                    s[i] = rnd.nextInt(3) - 1;
                    expected[i] = s[i] == 0 ? 0f : (float) (c[i] - BucketSwitchStep.next(c[i], s[i], 0x1p-7, 1.0));
                }
                INDArray param = Nd4j.createFromArray(c);
                INDArray directions = Nd4j.createFromArray(s);
                runs.add(ex.submit(() -> {
                    start.await();
                    int wrong = 0;
                    for (int r = 0; r < 30; r++) {
                        INDArray update = directions.dup();
                        step.apply(param, update, 1.0, r, 0);
                        if (!Arrays.equals(expected, update.toFloatVector())) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> f : runs) {
                org.junit.jupiter.api.Assertions.assertEquals(0, f.get(), "calls with another thread's result");
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
