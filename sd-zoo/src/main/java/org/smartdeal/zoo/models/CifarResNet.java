package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * CIFAR-style ResNets with three stages: the basic-block ResNet-(6n+2) of He et al. 2016
 * (section 4.2: ResNet-20, ResNet-56) and the pre-activation bottleneck ResNet-(9n+2) of He et al.,
 * "Identity Mappings in Deep Residual Networks", ECCV 2016 (ResNet-164).
 *
 * <p><b>Basic ResNet-(6n+2)</b>: 3x3 stem of 16 channels, stages of n basic blocks at 16/32/64
 * channels (stride 2 at the first block of stages 2 and 3), global average pool, classifier.
 * Shortcuts follow <b>option A</b> of the paper (parameter free): where the shape changes the
 * input is subsampled with stride 2 (a 1x1 max-pool, i.e. {@code x[:, :, ::2, ::2]}) and
 * zero channels are appended ({@code [x, 0 * x]} via a {@link MergeVertex}). The zeros are
 * appended after the real channels rather than split on both sides as some PyTorch ports do; this
 * is the same function class up to a channel permutation. Trainable parameters with 10 classes:
 * ResNet-20 269,722; ResNet-56 853,018 (the paper's 0.27 M / 0.85 M).
 *
 * <p><b>Pre-activation ResNet-(9n+2)</b> (ResNet-164: n = 18): 3x3 stem of 16 channels without
 * BN, stages of n bottleneck blocks with 16/32/64 bottleneck channels and 64/128/256 outputs,
 * each block BN-ReLU-conv1x1, BN-ReLU-conv3x3 (stride), BN-ReLU-conv1x1(x4), plus a shortcut that
 * is identity or a 1x1 projection convolution without BN applied to the block's raw input (first
 * block of each stage); then BN, ReLU, global average pool, classifier. This is the definition of
 * bearpaw/pytorch-classification's {@code preresnet} and of the network-slimming code;
 * ResNet-164 has 1,703,258 trainable parameters with 10 classes.
 *
 * <p><b>Layer names</b>:
 * <pre>
 * conv1, bn1, relu                                 stem (basic nets; pre-activation nets: conv1 only)
 * layer{S}.{B}.conv{J} / .bn{J} / .relu{J}         S = 1..3, B = 0..n-1
 * layer{S}.{B}.shortcut.pool / .shortcut.zeros /
 *   .shortcut                                      option-A shortcut (pool, zero channels, concatenation)
 * layer{S}.{B}.downsample.0                        pre-activation projection shortcut (1x1 conv)
 * layer{S}.{B}.add, layer{S}.{B}.relu              residual sum; output ReLU (basic nets only)
 * bn_final, relu_final                             pre-activation nets: final BN and ReLU
 * avgpool, fc                                      global average pool, classifier
 * </pre>
 * In the pre-activation block bn{J}/relu{J} come <i>before</i> conv{J}.
 */
public final class CifarResNet {

    private CifarResNet() {
    }

    /** ResNet-20 (n = 3), option-A shortcuts. */
    public static ZooConfiguration.Graph resnet20(InputShape input, int numClasses, long seed, IUpdater updater) {
        return basic(20, input, numClasses, seed, updater);
    }

    /** ResNet-56 (n = 9), option-A shortcuts. */
    public static ZooConfiguration.Graph resnet56(InputShape input, int numClasses, long seed, IUpdater updater) {
        return basic(56, input, numClasses, seed, updater);
    }

    /** Pre-activation bottleneck ResNet-164 (n = 18). */
    public static ZooConfiguration.Graph resnet164(InputShape input, int numClasses, long seed, IUpdater updater) {
        return preActBottleneck(164, input, numClasses, seed, updater);
    }

    /** Basic-block ResNet of the given depth; depth must be 6n+2 with n >= 1. */
    public static ZooConfiguration.Graph basic(int depth, InputShape input, int numClasses, long seed,
            IUpdater updater) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CifarResNet.basic depth must be 6n+2 with n >= 1, got " + depth);
        }
        String model = "resnet" + depth;
        Blocks.requireClasses(model, numClasses);
        int n = (depth - 2) / 6;
        ComputationGraphConfiguration.GraphBuilder g = Blocks.defaults(seed, updater).graphBuilder()
                .addInputs("input");
        Blocks b = new Blocks(g);
        String x = b.conv("conv1", "input", 16, 3, 1, 1, false);
        x = b.act("relu", b.bn("bn1", x), Activation.RELU);
        int channels = 16;
        for (int s = 0; s < 3; s++) {
            int planes = 16 << s;
            for (int blk = 0; blk < n; blk++) {
                int stride = (s > 0 && blk == 0) ? 2 : 1;
                String name = "layer" + (s + 1) + "." + blk;
                String in = x;
                x = b.conv(name + ".conv1", in, planes, 3, stride, 1, false);
                x = b.act(name + ".relu1", b.bn(name + ".bn1", x), Activation.RELU);
                x = b.bn(name + ".bn2", b.conv(name + ".conv2", x, planes, 3, 1, 1, false));
                String shortcut = in;
                if (stride != 1 || channels != planes) {
                    shortcut = optionA(g, name, in, stride);
                }
                x = b.act(name + ".relu", b.add(name + ".add", x, shortcut), Activation.RELU);
                channels = planes;
            }
        }
        b.classifier("fc", b.globalAvgPool("avgpool", x), numClasses, 1.0);
        g.setOutputs("fc").setInputTypes(input.convolutional());
        return new ZooConfiguration.Graph(g.build(), input.convolutional());
    }

    /** Pre-activation bottleneck ResNet of the given depth; depth must be 9n+2 with n >= 1. */
    public static ZooConfiguration.Graph preActBottleneck(int depth, InputShape input, int numClasses, long seed,
            IUpdater updater) {
        if (depth < 11 || (depth - 2) % 9 != 0) {
            throw new IllegalArgumentException("CifarResNet.preActBottleneck depth must be 9n+2 with n >= 1, got "
                    + depth);
        }
        String model = "resnet" + depth;
        Blocks.requireClasses(model, numClasses);
        int n = (depth - 2) / 9;
        ComputationGraphConfiguration.GraphBuilder g = Blocks.defaults(seed, updater).graphBuilder()
                .addInputs("input");
        Blocks b = new Blocks(g);
        String x = b.conv("conv1", "input", 16, 3, 1, 1, false);
        int channels = 16;
        for (int s = 0; s < 3; s++) {
            int planes = 16 << s;
            for (int blk = 0; blk < n; blk++) {
                int stride = (s > 0 && blk == 0) ? 2 : 1;
                String name = "layer" + (s + 1) + "." + blk;
                String in = x;
                x = b.act(name + ".relu1", b.bn(name + ".bn1", in), Activation.RELU);
                x = b.conv(name + ".conv1", x, planes, 1, 1, 0, false);
                x = b.act(name + ".relu2", b.bn(name + ".bn2", x), Activation.RELU);
                x = b.conv(name + ".conv2", x, planes, 3, stride, 1, false);
                x = b.act(name + ".relu3", b.bn(name + ".bn3", x), Activation.RELU);
                x = b.conv(name + ".conv3", x, 4 * planes, 1, 1, 0, false);
                String shortcut = in;
                if (stride != 1 || channels != 4 * planes) {
                    shortcut = b.conv(name + ".downsample.0", in, 4 * planes, 1, stride, 0, false);
                }
                x = b.add(name + ".add", x, shortcut);
                channels = 4 * planes;
            }
        }
        x = b.act("relu_final", b.bn("bn_final", x), Activation.RELU);
        b.classifier("fc", b.globalAvgPool("avgpool", x), numClasses, 1.0);
        g.setOutputs("fc").setInputTypes(input.convolutional());
        return new ZooConfiguration.Graph(g.build(), input.convolutional());
    }

    /** Option-A shortcut: stride-2 subsampling, then the same tensor times 0 appended as channels. */
    private static String optionA(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int stride) {
        String pool = name + ".shortcut.pool";
        g.addLayer(pool, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(1, 1).stride(stride, stride).build(), in);
        String zeros = name + ".shortcut.zeros";
        g.addVertex(zeros, new ScaleVertex(0.0), pool);
        String shortcut = name + ".shortcut";
        g.addVertex(shortcut, new MergeVertex(), pool, zeros);
        return shortcut;
    }
}
