package org.smartdeal.zoo.models;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The registry of zoo networks, addressed by name (as in {@code smartdeal zoo list} and
 * {@code smartdeal convert --zoo NAME}).
 *
 * <p>Each entry has a name, a one-line description, a default input shape and class count, and a
 * builder. Building a {@link ZooConfiguration} allocates no parameters; call
 * {@link ZooConfiguration#init()} for the network and {@link ModelStats} for counts. Layer names
 * are documented on each builder class ({@link Vgg}, {@link ResNet}, {@link CifarResNet},
 * {@link MobileNetV2}, {@link LeNet300}, {@link SmallCnn}).
 */
public enum ZooModel {

    /** LeNet-300-100 MLP, {@link LeNet300}. */
    LENET300("lenet300", "LeNet-300-100 MLP 784-300-100-10", InputShape.MNIST, 10,
            (in, k, seed, u) -> LeNet300.build(in, k, seed, u)),
    /** Small Fashion-MNIST CNN, {@link SmallCnn}. */
    CNN("cnn", "small VGG-style CNN for Fashion-MNIST (16-32-64, pool after each conv)", InputShape.MNIST, 10,
            (in, k, seed, u) -> SmallCnn.build(in, k, seed, u)),
    /** VGG-11, ImageNet, no BN. */
    VGG11("vgg11", "VGG-11 (A), ImageNet, no BN, head 4096-4096", InputShape.IMAGENET, 1000,
            (in, k, seed, u) -> Vgg.imageNet(11, in, k, seed, u)),
    /** VGG-16, ImageNet, no BN. */
    VGG16("vgg16", "VGG-16 (D), ImageNet, no BN, head 4096-4096", InputShape.IMAGENET, 1000,
            (in, k, seed, u) -> Vgg.imageNet(16, in, k, seed, u)),
    /** VGG-19, ImageNet, no BN. */
    VGG19("vgg19", "VGG-19 (E), ImageNet, no BN, head 4096-4096", InputShape.IMAGENET, 1000,
            (in, k, seed, u) -> Vgg.imageNet(19, in, k, seed, u)),
    /** VGG-11 with BN, CIFAR. */
    VGG11_CIFAR("vgg11-cifar", "VGG-11 with BN, CIFAR, head 512-512", InputShape.CIFAR, 10,
            (in, k, seed, u) -> Vgg.cifar(11, in, k, seed, u)),
    /** VGG-16 with BN, CIFAR. */
    VGG16_CIFAR("vgg16-cifar", "VGG-16 with BN, CIFAR, head 512-512", InputShape.CIFAR, 10,
            (in, k, seed, u) -> Vgg.cifar(16, in, k, seed, u)),
    /** VGG-19 with BN, CIFAR. */
    VGG19_CIFAR("vgg19-cifar", "VGG-19 with BN, CIFAR, head 512-512", InputShape.CIFAR, 10,
            (in, k, seed, u) -> Vgg.cifar(19, in, k, seed, u)),
    /** ResNet-18, ImageNet (torchvision). */
    RESNET18("resnet18", "ResNet-18, ImageNet (torchvision), basic blocks", InputShape.IMAGENET, 1000,
            ResNet::resnet18),
    /** ResNet-50, ImageNet (torchvision v1.5). */
    RESNET50("resnet50", "ResNet-50, ImageNet (torchvision v1.5), bottleneck blocks", InputShape.IMAGENET, 1000,
            ResNet::resnet50),
    /** The paper's CIFAR ResNet-18. */
    RESNET18_CIFAR("resnet18-cifar", "ResNet-18 for CIFAR (3x3 stem, 64-128-256-512), paper Table X",
            InputShape.CIFAR, 10, ResNet::resnet18Cifar),
    /** ResNet-20, CIFAR, option A. */
    RESNET20("resnet20", "ResNet-20 for CIFAR (16-32-64, option-A shortcuts)", InputShape.CIFAR, 10,
            CifarResNet::resnet20),
    /** ResNet-56, CIFAR, option A. */
    RESNET56("resnet56", "ResNet-56 for CIFAR (16-32-64, option-A shortcuts)", InputShape.CIFAR, 10,
            CifarResNet::resnet56),
    /** ResNet-164, CIFAR, pre-activation bottleneck. */
    RESNET164("resnet164", "ResNet-164 for CIFAR (pre-activation bottleneck)", InputShape.CIFAR, 10,
            CifarResNet::resnet164),
    /** MobileNetV2, ImageNet (torchvision). */
    MOBILENETV2("mobilenetv2", "MobileNetV2 1.0, ImageNet (torchvision)", InputShape.IMAGENET, 1000,
            MobileNetV2::imageNet),
    /** MobileNetV2, CIFAR (paper Table XI). */
    MOBILENETV2_CIFAR("mobilenetv2-cifar", "MobileNetV2 1.0 for CIFAR (stride-1 stem), paper Table XI",
            InputShape.CIFAR, 10, MobileNetV2::cifar);

    /** Seed used by {@link #defaultConfiguration()}. */
    public static final long DEFAULT_SEED = 42L;

    /** Builds a zoo configuration; the signature every builder in this package follows. */
    @FunctionalInterface
    public interface Builder {
        /**
         * Builds the configuration.
         *
         * @param input      the input shape of one example
         * @param numClasses number of output classes, at least 2
         * @param seed       DL4J seed for parameter initialisation and dropout
         * @param updater    the global updater
         * @return the configuration (no parameters allocated)
         */
        ZooConfiguration build(InputShape input, int numClasses, long seed, IUpdater updater);
    }

    private final String id;
    private final String description;
    private final InputShape defaultInputShape;
    private final int defaultNumClasses;
    private final Builder builder;

    ZooModel(String id, String description, InputShape defaultInputShape, int defaultNumClasses, Builder builder) {
        this.id = id;
        this.description = description;
        this.defaultInputShape = defaultInputShape;
        this.defaultNumClasses = defaultNumClasses;
        this.builder = builder;
    }

    /** The registry name, e.g. {@code resnet18-cifar}. */
    public String id() {
        return id;
    }

    /** One-line description for listings. */
    public String description() {
        return description;
    }

    /** The natural input shape (28x28 gray, 32x32 CIFAR or 224x224 ImageNet). */
    public InputShape defaultInputShape() {
        return defaultInputShape;
    }

    /** The natural class count (10 or 1000). */
    public int defaultNumClasses() {
        return defaultNumClasses;
    }

    /** Builds the configuration with the default updater, Adam(1e-3). */
    public ZooConfiguration configuration(InputShape input, int numClasses, long seed) {
        return configuration(input, numClasses, seed, new Adam(1e-3));
    }

    /** Builds the configuration with the given global updater. */
    public ZooConfiguration configuration(InputShape input, int numClasses, long seed, IUpdater updater) {
        Objects.requireNonNull(input, "ZooModel.configuration input");
        Objects.requireNonNull(updater, "ZooModel.configuration updater");
        return builder.build(input, numClasses, seed, updater);
    }

    /** Builds the configuration at the default input shape and class count, seed {@value #DEFAULT_SEED}. */
    public ZooConfiguration defaultConfiguration() {
        return configuration(defaultInputShape, defaultNumClasses, DEFAULT_SEED);
    }

    /** Looks a model up by its registry name (case-insensitive). */
    public static ZooModel byName(String name) {
        Objects.requireNonNull(name, "ZooModel.byName name");
        for (ZooModel m : values()) {
            if (m.id.equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("ZooModel: unknown model '" + name + "', known: " + String.join(", ", names()));
    }

    /** All registry names in declaration order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(ZooModel::id).collect(Collectors.toList());
    }
}
