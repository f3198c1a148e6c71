package org.smartdeal.it.spark;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.it.arbiter.SyntheticBlobs;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.BucketSwitchUpdater;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;

/** The small SD network of the distributed-training checks and helpers to read its C, M and counters. */
final class SdTestNets {

    /** Learning rate of the bucket switch and of the other parameters. */
    static final double LR = 0.05;

    private SdTestNets() {
    }

    /**
     * SD dense 12 -> 16 (tanh) and SD output 16 -> 3, fresh (C = +-1 on a full mask), routed for SD
     * training with a bucket switch of the given counter threshold and no dead zone (so that switches
     * happen within a few minibatches).
     */
    static MultiLayerNetwork sdNetwork(int thetaC) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new SdDenseLayer.Builder().name("fc").nIn(SyntheticBlobs.FEATURES).nOut(16)
                        .activation(Activation.TANH).sliceRows(6).theta(4e-3).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16)
                        .nOut(SyntheticBlobs.CLASSES).activation(Activation.SOFTMAX).theta(4e-3).build())
                .build();
        SdTraining.configure(conf, BucketSwitch.builder(LR).thetaC(thetaC).thetaG(0).build(),
                SdUpdaterRouting.sgdMomentum(LR), SdUpdaterRouting.DEFAULT_WEIGHT_DECAY);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A copy of parameter {@code key} of layer {@code layer}, flattened in C order. */
    static double[] param(MultiLayerNetwork net, int layer, String key) {
        return net.getLayer(layer).getParam(key).dup('c').data().asDouble();
    }

    /** Every bucket-switch counter of the network (all blocks, in block order). */
    static double[] counters(MultiLayerNetwork net) {
        List<Double> out = new ArrayList<>();
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
            if (block.getGradientUpdater() instanceof BucketSwitchUpdater) {
                long n = block.getParamOffsetEnd() - block.getParamOffsetStart();
                double[] s = block.getUpdaterView().dup().data().asDouble();
                for (long i = 0; i < n; i++) {
                    out.add(s[(int) (1 + n + i)]);
                }
            }
        }
        double[] r = new double[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }
}
