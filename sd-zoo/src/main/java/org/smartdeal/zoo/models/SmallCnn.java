package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small VGG-style CNN for Fashion-MNIST, sized for DL4J's slow CPU convolution on 2 cores:
 * only 16 channels run at full 28x28 resolution and every convolution is followed by a 2x2
 * max-pool, so the work is about 2.0 M MACs per example (LeNet-5 class).
 *
 * <pre>
 * conv1 3x3x16 pad 1, ReLU   28x28   pool1 -> 14x14
 * conv2 3x3x32 pad 1, ReLU   14x14   pool2 -> 7x7
 * conv3 3x3x64 pad 1, ReLU    7x7    pool3 -> 3x3 (floor)
 * fc1 576 -> 128, ReLU; fc2 128 -> classes (OutputLayer, softmax)
 * </pre>
 * At 1x28x28 with 10 classes: 98,442 parameters (160 + 4,640 + 18,496 + 73,856 + 1,290) and
 * 1,994,240 MACs (112,896 + 903,168 + 903,168 + 73,728 + 1,280). Input is flat
 * ({@code InputType.convolutionalFlat}), as {@code MnistDataSetIterator} delivers it; no BatchNorm.
 * Layer names: {@code conv1..3}, {@code pool1..3}, {@code fc1}, {@code fc2}.
 */
public final class SmallCnn {

    private SmallCnn() {
    }

    /** Builds the CNN for flat examples of the given shape. */
    public static ZooConfiguration.Sequential build(InputShape input, int numClasses, long seed, IUpdater updater) {
        Blocks.requireClasses("cnn", numClasses);
        InputType type = input.convolutionalFlat();
        NeuralNetConfiguration.ListBuilder list = Blocks.defaults(seed, updater).list();
        int[] channels = {16, 32, 64};
        for (int i = 0; i < channels.length; i++) {
            list.layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(channels[i])
                    .activation(Activation.RELU).name("conv" + (i + 1)).build());
            list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                    .name("pool" + (i + 1)).build());
        }
        list.layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).name("fc1").build());
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).name("fc2").build());
        list.setInputType(type);
        return new ZooConfiguration.Sequential(list.build(), type);
    }
}
