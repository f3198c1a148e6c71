package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * MobileNetV2 with width multiplier 1.0 (Sandler et al., "MobileNetV2: Inverted Residuals and
 * Linear Bottlenecks", CVPR 2018), in two variants. Depthwise convolutions are DL4J
 * {@code DepthwiseConvolution2D} (depth multiplier 1); activations are ReLU6; convolutions have
 * no bias and are followed by BatchNorm; the projection (C3) is linear.
 *
 * <p>Block configuration (expansion t, output channels c, repeats n, first stride s):
 * (1,16,1,1) (6,24,2,s2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1) = 17 blocks,
 * numbered 0..16, then a 1x1 convolution to 1280 channels, global average pool and classifier.
 * <ul>
 *   <li>{@link #imageNet}: torchvision's {@code mobilenet_v2}: stem 3x3/2, s2 = 2, block 0 has no
 *       expansion convolution (t = 1), identity shortcut only where stride 1 and channels equal,
 *       dropout 0.2 before the classifier. 3,504,872 trainable parameters at 1000 classes.</li>
 *   <li>{@link #cifar}: the CIFAR MobileNetV2 of the SmartDeal paper's Table XI
 *       (kuangliu/pytorch-cifar): stem 3x3/1, s2 = 1, every block has the expansion convolution
 *       (block 0: 32x32x1x1), and stride-1 blocks whose channel count changes get a projection
 *       shortcut (1x1 conv + BN: blocks 0, 1 and 10, the rows L0.SC, L1.SC, L10.SC, and block 16,
 *       160 -> 320, which Table XI does not list); no dropout.
 *       2,296,922 trainable parameters at 10 classes. (kuangliu uses ReLU; we use ReLU6 as the
 *       MobileNetV2 paper does, which changes no shape or count.)</li>
 * </ul>
 *
 * <p><b>Layer names</b> (kuangliu's module names, which are Table XI's rows):
 * <pre>
 * conv1, bn1, relu1                                stem                          (CONV1)
 * layers.{i}.conv1 / .bn1 / .relu1                 1x1 expansion, i = 0..16      (L{i}.C1)
 * layers.{i}.conv2 / .bn2 / .relu2                 3x3 depthwise                 (L{i}.C2)
 * layers.{i}.conv3 / .bn3                          1x1 linear projection         (L{i}.C3)
 * layers.{i}.shortcut.0 / .shortcut.1              projection shortcut conv / BN (L{i}.SC)
 * layers.{i}.add                                   residual sum
 * conv2, bn2, relu2                                1x1 convolution to 1280 channels
 * avgpool, linear                                  global average pool, classifier (OutputLayer)
 * </pre>
 * The ImageNet variant has no {@code layers.0.conv1}. See {@link PaperLayerNames#mobileNetV2(String)}.
 */
public final class MobileNetV2 {

    /** Rows of (expansion t, output channels c, repeats n, first stride s); s of row 1 is variant-specific. */
    private static final int[][] CONFIG = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };

    private MobileNetV2() {
    }

    /** torchvision's MobileNetV2 (ImageNet; natural input 3x224x224). */
    public static ZooConfiguration.Graph imageNet(InputShape input, int numClasses, long seed, IUpdater updater) {
        return build("mobilenetv2", false, input, numClasses, seed, updater);
    }

    /** The CIFAR MobileNetV2 of the paper's Table XI (natural input 3x32x32). */
    public static ZooConfiguration.Graph cifar(InputShape input, int numClasses, long seed, IUpdater updater) {
        return build("mobilenetv2-cifar", true, input, numClasses, seed, updater);
    }

    private static ZooConfiguration.Graph build(String model, boolean cifar, InputShape input, int numClasses,
            long seed, IUpdater updater) {
        Blocks.requireClasses(model, numClasses);
        ComputationGraphConfiguration.GraphBuilder g = Blocks.defaults(seed, updater).graphBuilder()
                .addInputs("input");
        Blocks b = new Blocks(g);
        String x = b.conv("conv1", "input", 32, 3, cifar ? 1 : 2, 1, false);
        x = b.act("relu1", b.bn("bn1", x), Activation.RELU6);
        int channels = 32;
        int block = 0;
        for (int r = 0; r < CONFIG.length; r++) {
            int t = CONFIG[r][0];
            int out = CONFIG[r][1];
            int firstStride = (cifar && r == 1) ? 1 : CONFIG[r][3];
            for (int j = 0; j < CONFIG[r][2]; j++) {
                int stride = j == 0 ? firstStride : 1;
                x = invertedResidual(b, "layers." + block, x, channels, out, t, stride, cifar);
                channels = out;
                block++;
            }
        }
        x = b.conv("conv2", x, 1280, 1, 1, 0, false);
        x = b.act("relu2", b.bn("bn2", x), Activation.RELU6);
        b.classifier("linear", b.globalAvgPool("avgpool", x), numClasses, cifar ? 1.0 : 0.8);
        g.setOutputs("linear").setInputTypes(input.convolutional());
        return new ZooConfiguration.Graph(g.build(), input.convolutional());
    }

    private static String invertedResidual(Blocks b, String name, String in, int inChannels, int out, int t,
            int stride, boolean cifar) {
        int hidden = inChannels * t;
        String x = in;
        if (t != 1 || cifar) {
            x = b.conv(name + ".conv1", x, hidden, 1, 1, 0, false);
            x = b.act(name + ".relu1", b.bn(name + ".bn1", x), Activation.RELU6);
        }
        x = b.depthwise(name + ".conv2", x, hidden, stride);
        x = b.act(name + ".relu2", b.bn(name + ".bn2", x), Activation.RELU6);
        x = b.bn(name + ".bn3", b.conv(name + ".conv3", x, out, 1, 1, 0, false));
        if (stride != 1) {
            return x;
        }
        if (inChannels == out) {
            return b.add(name + ".add", x, in);
        }
        if (!cifar) {
            return x;
        }
        String sc = b.bn(name + ".shortcut.1", b.conv(name + ".shortcut.0", in, out, 1, 1, 0, false));
        return b.add(name + ".add", x, sc);
    }
}
