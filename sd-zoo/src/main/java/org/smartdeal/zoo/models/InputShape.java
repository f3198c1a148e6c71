package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * The shape of one input example in DL4J's NCHW layout, without the minibatch dimension.
 *
 * @param channels number of input channels (1 for Fashion-MNIST, 3 for CIFAR and ImageNet)
 * @param height   image height in pixels
 * @param width    image width in pixels
 */
public record InputShape(int channels, int height, int width) {

    /** Fashion-MNIST / MNIST: 1 x 28 x 28. */
    public static final InputShape MNIST = new InputShape(1, 28, 28);
    /** CIFAR-10 / CIFAR-100: 3 x 32 x 32. */
    public static final InputShape CIFAR = new InputShape(3, 32, 32);
    /** ImageNet at the usual evaluation crop: 3 x 224 x 224. */
    public static final InputShape IMAGENET = new InputShape(3, 224, 224);

    /** Validates that every dimension is at least 1. */
    public InputShape {
        requirePositive("channels", channels);
        requirePositive("height", height);
        requirePositive("width", width);
    }

    /** Number of values in one example: channels * height * width. */
    public long size() {
        return (long) channels * height * width;
    }

    /** DL4J convolutional input type (NCHW) for this shape. */
    public InputType convolutional() {
        return InputType.convolutional(height, width, channels);
    }

    /** DL4J flat convolutional input type: examples arrive as rows of {@link #size()} values. */
    public InputType convolutionalFlat() {
        return InputType.convolutionalFlat(height, width, channels);
    }

    /** The minibatch shape {@code [batch, channels, height, width]} of NCHW input. */
    public long[] batchShape(int batch) {
        return new long[] {batch, channels, height, width};
    }

    /** Formats the shape as {@code CxHxW}, e.g. {@code 3x224x224}. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }

    private static void requirePositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("InputShape." + field + " must be >= 1, got " + value);
        }
    }
}
