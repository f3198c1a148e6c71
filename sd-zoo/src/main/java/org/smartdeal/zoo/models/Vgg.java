package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * VGG-11/16/19 (Simonyan and Zisserman, ICLR 2015, configurations A, D, E) as
 * {@link ZooConfiguration.Sequential} networks.
 *
 * <ul>
 *   <li>{@link #imageNet}: torchvision's plain {@code vgg11/16/19} (<b>no BatchNorm</b>): 3x3
 *       convolutions with bias and ReLU, 2x2 max-pools, then fc6 4096 - fc7 4096 - fc8 classes with
 *       ReLU and dropout 0.5 before fc7 and fc8. The head flattens the last feature map (7x7x512 at
 *       224x224, where torchvision's adaptive 7x7 pool is the identity; other input sizes change
 *       fc6's size). Trainable parameters at 3x224x224, 1000 classes: VGG-11 132,863,336;
 *       VGG-16 138,357,544; VGG-19 143,667,240.</li>
 *   <li>{@link #cifar}: the CIFAR VGG <b>with BatchNorm</b> (chengyangfu/pytorch-vgg-cifar10
 *       {@code vgg*_bn}): each 3x3 convolution keeps its bias and is followed by BatchNorm and
 *       ReLU; at 32x32 the features end at 1x1x512; head dropout - fc6 512 - ReLU - dropout -
 *       fc7 512 - ReLU - fc8 classes. VGG-19-CIFAR has 20,565,834 trainable parameters at 10
 *       classes: 20,035,392 in the features (20,024,384 conv weights and biases + 11,008 BN) and
 *       530,442 in the head. (The paper's 80.13 MB = 20.0 M matches the features with a single
 *       512-to-classes layer; the 512-512 head adds the 0.53 M difference.)</li>
 * </ul>
 *
 * <p><b>Layer names</b> (Caffe's VGG names): {@code conv{S}_{J}} for convolution J of stage S
 * (stages end at each max-pool, S = 1..5), {@code bn{S}_{J}} and {@code relu{S}_{J}} (CIFAR
 * variant only), {@code pool{S}}, then {@code fc6}, {@code fc7} and the classifier {@code fc8}
 * (an OutputLayer).
 */
public final class Vgg {

    private static final int M = 0;
    private static final int[] VGG11 = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] VGG16 = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    private static final int[] VGG19 = {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M,
        512, 512, 512, 512, M};

    private Vgg() {
    }

    /** Plain (no BN) ImageNet VGG of depth 11, 16 or 19 with the 4096-4096-classes head. */
    public static ZooConfiguration.Sequential imageNet(int depth, InputShape input, int numClasses, long seed,
            IUpdater updater) {
        return build(depth, false, input, numClasses, seed, updater);
    }

    /** CIFAR VGG with BatchNorm of depth 11, 16 or 19 with the 512-512-classes head. */
    public static ZooConfiguration.Sequential cifar(int depth, InputShape input, int numClasses, long seed,
            IUpdater updater) {
        return build(depth, true, input, numClasses, seed, updater);
    }

    private static int[] config(int depth) {
        return switch (depth) {
            case 11 -> VGG11;
            case 16 -> VGG16;
            case 19 -> VGG19;
            default -> throw new IllegalArgumentException("Vgg.depth must be 11, 16 or 19, got " + depth);
        };
    }

    private static ZooConfiguration.Sequential build(int depth, boolean cifar, InputShape input, int numClasses,
            long seed, IUpdater updater) {
        int[] cfg = config(depth);
        Blocks.requireClasses("vgg" + depth + (cifar ? "-cifar" : ""), numClasses);
        NeuralNetConfiguration.ListBuilder list = Blocks.defaults(seed, updater).list();
        int stage = 1;
        int conv = 1;
        for (int v : cfg) {
            if (v == M) {
                list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).name("pool" + stage).build());
                stage++;
                conv = 1;
                continue;
            }
            String id = stage + "_" + conv;
            list.layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(v).hasBias(true)
                    .activation(cifar ? Activation.IDENTITY : Activation.RELU).name("conv" + id).build());
            if (cifar) {
                list.layer(new BatchNormalization.Builder().eps(1e-5).decay(0.9).name("bn" + id).build());
                list.layer(new ActivationLayer.Builder().activation(Activation.RELU).name("relu" + id).build());
            }
            conv++;
        }
        int hidden = cifar ? 512 : 4096;
        // DL4J dropOut(p) is the retain probability and applies to the layer's input.
        DenseLayer.Builder fc6 = new DenseLayer.Builder().nOut(hidden).activation(Activation.RELU).name("fc6");
        DenseLayer.Builder fc7 = new DenseLayer.Builder().nOut(hidden).activation(Activation.RELU).name("fc7")
                .dropOut(0.5);
        OutputLayer.Builder fc8 = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).name("fc8");
        if (cifar) {
            fc6.dropOut(0.5);
        } else {
            fc8.dropOut(0.5);
        }
        list.layer(fc6.build()).layer(fc7.build()).layer(fc8.build());
        list.setInputType(input.convolutional());
        return new ZooConfiguration.Sequential(list.build(), input.convolutional());
    }
}
