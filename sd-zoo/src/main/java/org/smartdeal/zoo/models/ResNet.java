package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * ResNet-18 and ResNet-50 as in torchvision (He et al., "Deep Residual Learning for Image
 * Recognition", CVPR 2016), and the CIFAR ResNet-18 used in the SmartDeal paper (the
 * kuangliu/pytorch-cifar variant: 3x3 stride-1 stem, no max-pool, stages of 64-128-256-512).
 *
 * <p>All are {@link ZooConfiguration.Graph}s. ResNet-50 uses bottleneck blocks with the stride on
 * the 3x3 convolution (torchvision's "v1.5"). Shortcuts are identity, or a projection
 * (1x1 convolution + BatchNorm, option B) where the shape changes. Convolutions have no bias and
 * are followed by BatchNorm. Trainable parameters at 3x224x224 with 1000 classes equal
 * torchvision's: ResNet-18 11,689,512; ResNet-50 25,557,032.
 *
 * <p><b>Layer names</b> (torchvision's module names):
 * <pre>
 * conv1, bn1, relu, maxpool                    stem (CIFAR ResNet-18: no maxpool)
 * layer{S}.{B}.conv{J}, .bn{J}, .relu{J}       S = stage 1..4, B = block 0.., J = 1..2 (basic) or 1..3 (bottleneck)
 * layer{S}.{B}.downsample.0 / .downsample.1    projection shortcut convolution / its BatchNorm
 * layer{S}.{B}.add, layer{S}.{B}.relu          residual sum and the block's output activation
 * avgpool, fc                                  global average pool, classifier (OutputLayer)
 * </pre>
 * The paper's Table X rows map onto these names: CONV1 = {@code conv1}, L{S}-{B}-C{J} =
 * {@code layer{S}.{B}.conv{J}}, L{S}-{B}-SC = {@code layer{S}.{B}.downsample.0}, LINEAR =
 * {@code fc}; see {@link PaperLayerNames#resnet18(String)}.
 */
public final class ResNet {

    private static final int[] PLANES = {64, 128, 256, 512};

    private ResNet() {
    }

    /** ImageNet ResNet-18: 7x7/2 stem, max-pool, basic blocks [2, 2, 2, 2]. */
    public static ZooConfiguration.Graph resnet18(InputShape input, int numClasses, long seed, IUpdater updater) {
        return build("resnet18", new int[] {2, 2, 2, 2}, false, true, input, numClasses, seed, updater);
    }

    /** ImageNet ResNet-50: 7x7/2 stem, max-pool, bottleneck blocks [3, 4, 6, 3] (expansion 4). */
    public static ZooConfiguration.Graph resnet50(InputShape input, int numClasses, long seed, IUpdater updater) {
        return build("resnet50", new int[] {3, 4, 6, 3}, true, true, input, numClasses, seed, updater);
    }

    /**
     * CIFAR ResNet-18 of the SmartDeal paper (Table X): 3x3/1 stem of 64 channels, no max-pool,
     * basic blocks [2, 2, 2, 2] at 64-128-256-512 channels. 11,173,962 trainable parameters for
     * 10 classes.
     */
    public static ZooConfiguration.Graph resnet18Cifar(InputShape input, int numClasses, long seed,
            IUpdater updater) {
        return build("resnet18-cifar", new int[] {2, 2, 2, 2}, false, false, input, numClasses, seed, updater);
    }

    private static ZooConfiguration.Graph build(String model, int[] blocks, boolean bottleneck,
            boolean imageNetStem, InputShape input, int numClasses, long seed, IUpdater updater) {
        Blocks.requireClasses(model, numClasses);
        ComputationGraphConfiguration.GraphBuilder g = Blocks.defaults(seed, updater).graphBuilder()
                .addInputs("input");
        Blocks b = new Blocks(g);
        String x;
        if (imageNetStem) {
            x = b.conv("conv1", "input", 64, 7, 2, 3, false);
            x = b.act("relu", b.bn("bn1", x), Activation.RELU);
            g.addLayer("maxpool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .kernelSize(3, 3).stride(2, 2).padding(1, 1).build(), x);
            x = "maxpool";
        } else {
            x = b.conv("conv1", "input", 64, 3, 1, 1, false);
            x = b.act("relu", b.bn("bn1", x), Activation.RELU);
        }
        int channels = 64;
        int expansion = bottleneck ? 4 : 1;
        for (int s = 0; s < 4; s++) {
            for (int blk = 0; blk < blocks[s]; blk++) {
                int stride = (s > 0 && blk == 0) ? 2 : 1;
                String name = "layer" + (s + 1) + "." + blk;
                x = bottleneck
                        ? bottleneck(b, name, x, channels, PLANES[s], stride)
                        : basic(b, name, x, channels, PLANES[s], stride);
                channels = PLANES[s] * expansion;
            }
        }
        b.classifier("fc", b.globalAvgPool("avgpool", x), numClasses, 1.0);
        g.setOutputs("fc").setInputTypes(input.convolutional());
        return new ZooConfiguration.Graph(g.build(), input.convolutional());
    }

    /** Basic block: 3x3 conv (stride) - BN - ReLU - 3x3 conv - BN, plus shortcut, then ReLU. */
    static String basic(Blocks b, String name, String in, int inChannels, int planes, int stride) {
        String x = b.conv(name + ".conv1", in, planes, 3, stride, 1, false);
        x = b.act(name + ".relu1", b.bn(name + ".bn1", x), Activation.RELU);
        x = b.bn(name + ".bn2", b.conv(name + ".conv2", x, planes, 3, 1, 1, false));
        String shortcut = projection(b, name, in, inChannels, planes, stride);
        return b.act(name + ".relu", b.add(name + ".add", x, shortcut), Activation.RELU);
    }

    /** Bottleneck block (v1.5): 1x1 - 3x3 (stride) - 1x1 (x4), each with BN, plus shortcut, then ReLU. */
    static String bottleneck(Blocks b, String name, String in, int inChannels, int planes, int stride) {
        String x = b.conv(name + ".conv1", in, planes, 1, 1, 0, false);
        x = b.act(name + ".relu1", b.bn(name + ".bn1", x), Activation.RELU);
        x = b.conv(name + ".conv2", x, planes, 3, stride, 1, false);
        x = b.act(name + ".relu2", b.bn(name + ".bn2", x), Activation.RELU);
        x = b.bn(name + ".bn3", b.conv(name + ".conv3", x, 4 * planes, 1, 1, 0, false));
        String shortcut = projection(b, name, in, inChannels, 4 * planes, stride);
        return b.act(name + ".relu", b.add(name + ".add", x, shortcut), Activation.RELU);
    }

    /** Identity, or downsample.0 (1x1 conv, stride) + downsample.1 (BN) when the shape changes. */
    private static String projection(Blocks b, String name, String in, int inChannels, int outChannels,
            int stride) {
        if (stride == 1 && inChannels == outChannels) {
            return in;
        }
        String x = b.conv(name + ".downsample.0", in, outChannels, 1, stride, 0, false);
        return b.bn(name + ".downsample.1", x);
    }
}
