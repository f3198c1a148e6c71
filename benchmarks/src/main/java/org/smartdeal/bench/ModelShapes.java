package org.smartdeal.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.smartdeal.core.LayerInput;
import org.smartdeal.core.SliceLayout;

/**
 * Weight shapes of the benchmark workloads (VGG-19 for CIFAR, ResNet-50 for ImageNet) and
 * He-scaled Gaussian weights for them with a fixed seed.
 */
public final class ModelShapes {

    private ModelShapes() {
    }

    /** One weight: a name and its layout (conv [nOut, nIn, kh, kw] or dense [nIn, nOut]). */
    public record Shape(String name, SliceLayout layout, int fanIn) {
    }

    /** The 16 3x3 convs of VGG-19 for CIFAR: 64,64,128,128,256x4,512x8, first nIn = 3. */
    public static List<Shape> vgg19Cifar() {
        int[] outs = {64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512};
        List<Shape> shapes = new ArrayList<>();
        int nIn = 3;
        for (int i = 0; i < outs.length; i++) {
            shapes.add(conv("conv" + i, outs[i], nIn, 3));
            nIn = outs[i];
        }
        return shapes;
    }

    /**
     * All conv and FC weights of ResNet-50 for ImageNet: 7x7 stem, 16 bottlenecks (1x1, 3x3, 1x1)
     * in stages of 3, 4, 6, 3 with widths 64..512 and expansion 4, a 1x1 downsample in the first
     * block of each stage, and the FC 2048 -> 1000 as a DL4J dense weight [nIn, nOut].
     */
    public static List<Shape> resnet50() {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(conv("conv1", 64, 3, 7));
        int[] blocks = {3, 4, 6, 3};
        int[] widths = {64, 128, 256, 512};
        int in = 64;
        for (int st = 0; st < 4; st++) {
            int w = widths[st];
            int out = w * 4;
            for (int bl = 0; bl < blocks[st]; bl++) {
                String p = "layer" + (st + 1) + "." + bl + ".";
                shapes.add(conv(p + "conv1", w, in, 1));
                shapes.add(conv(p + "conv2", w, w, 3));
                shapes.add(conv(p + "conv3", out, w, 1));
                if (bl == 0) {
                    shapes.add(conv(p + "downsample", out, in, 1));
                }
                in = out;
            }
        }
        shapes.add(new Shape("fc", SliceLayout.dense(2048, 1000), 2048));
        return shapes;
    }

    /** Shapes of a named workload: "vgg19-cifar" or "resnet50". */
    public static List<Shape> byName(String model) {
        return switch (model) {
            case "vgg19-cifar" -> vgg19Cifar();
            case "resnet50" -> resnet50();
            default -> throw new IllegalArgumentException(
                    "model must be one of [vgg19-cifar, resnet50], got " + model);
        };
    }

    private static Shape conv(String name, int nOut, int nIn, int k) {
        return new Shape(name, SliceLayout.conv(nOut, nIn, k, k), nIn * k * k);
    }

    /** He-scaled Gaussian weights, std sqrt(2 / fanIn), from one Random seeded with seed. */
    public static List<LayerInput> heWeights(List<Shape> shapes, long seed) {
        Random rnd = new Random(seed);
        List<LayerInput> inputs = new ArrayList<>();
        for (Shape s : shapes) {
            float[] w = new float[s.layout().weightLength()];
            double std = Math.sqrt(2.0 / s.fanIn());
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextGaussian() * std);
            }
            inputs.add(LayerInput.ofWeight(s.name(), s.layout(), w));
        }
        return inputs;
    }
}
