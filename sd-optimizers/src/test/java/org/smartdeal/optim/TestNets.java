package org.smartdeal.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small plain-DL4J networks and data for the optimizer tests. */
final class TestNets {

    static final ParamRef DENSE_W = ParamRef.of("layer0", "W");

    private TestNets() {
    }

    /** Dense(6 -> 5, tanh) -> softmax output(5 -> 3), float32, unrouted. */
    static MultiLayerConfiguration denseConf() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    /** {@link #denseConf} as a graph: dense "d" 6 -> 5 (tanh), softmax output "out" 5 -> 3, float32, plain SGD. */
    static ComputationGraphConfiguration denseGraphConf() {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").setInputTypes(InputType.feedForward(6)).build();
    }

    /** The dense network with layer0/W on BucketSwitch (mask in state), the rest on Nesterovs. */
    static MultiLayerNetwork bucketSwitchNet(BucketSwitch bs) {
        MultiLayerConfiguration conf = SdUpdaterRouting.route(denseConf(), Set.of(DENSE_W), bs,
                SdUpdaterRouting.sgdMomentum(0.05), SdUpdaterRouting.DEFAULT_WEIGHT_DECAY);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        setPow2(net.getLayer(0).getParam("W"), new Random(3));
        BucketSwitchMasks.installFromNonZeros(net, Set.of(DENSE_W));
        return net;
    }

    /** Fills {@code w} with values in {0, +-2^-7 .. +-2^0}, a third of them 0. */
    static void setPow2(INDArray w, Random rnd) {
        for (long i = 0; i < w.length(); i++) {
            double v = rnd.nextInt(3) == 0 ? 0.0 : (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1.0, rnd.nextInt(8) - 7);
            w.putScalar(i, v);
        }
    }

    /** {@code batches} minibatches of 16 random examples with 6 features and one-hot labels of 3 classes. */
    static List<DataSet> data(int batches, long seed) {
        Random rnd = new Random(seed);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            float[][] x = new float[16][6];
            float[][] y = new float[16][3];
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 6; j++) {
                    x[i][j] = (float) rnd.nextGaussian();
                }
                y[i][Math.floorMod((int) Math.signum(x[i][0]) + (x[i][1] > 0 ? 1 : 0), 3)] = 1f;
            }
            out.add(new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y)));
        }
        return out;
    }
}
