package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Shared building steps of the zoo: global defaults and graph helpers that add one named vertex
 * and return its name, so blocks read top to bottom like the PyTorch modules they mirror.
 */
final class Blocks {

    private final ComputationGraphConfiguration.GraphBuilder graph;

    Blocks(ComputationGraphConfiguration.GraphBuilder graph) {
        this.graph = graph;
    }

    /**
     * Global defaults of every zoo network: seed, updater, He (ReLU) initialisation, float,
     * {@link ConvolutionMode#Truncate} with explicit PyTorch-style paddings.
     */
    static NeuralNetConfiguration.Builder defaults(long seed, IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .weightInit(WeightInit.RELU)
                .dataType(DataType.FLOAT)
                .convolutionMode(ConvolutionMode.Truncate);
    }

    /** Validates a class count. */
    static void requireClasses(String model, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException(model + ".numClasses must be >= 2, got " + numClasses);
        }
    }

    /** Square k x k convolution with identity activation; nIn is inferred from the input type. */
    String conv(String name, String input, int nOut, int k, int stride, int pad, boolean bias) {
        graph.addLayer(name, new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .nOut(nOut).hasBias(bias).activation(Activation.IDENTITY).build(), input);
        return name;
    }

    /** 3x3 depthwise convolution (depth multiplier 1, padding 1, no bias) over {@code channels}. */
    String depthwise(String name, String input, int channels, int stride) {
        graph.addLayer(name, new DepthwiseConvolution2D.Builder(3, 3).stride(stride, stride).padding(1, 1)
                .depthMultiplier(1).nOut(channels).hasBias(false).activation(Activation.IDENTITY).build(),
                input);
        return name;
    }

    /** BatchNorm (PyTorch defaults: eps 1e-5; DL4J decay 0.9 = PyTorch momentum 0.1). */
    String bn(String name, String input) {
        graph.addLayer(name, new BatchNormalization.Builder().eps(1e-5).decay(0.9).build(), input);
        return name;
    }

    /** Parameter-free activation layer. */
    String act(String name, String input, Activation activation) {
        graph.addLayer(name, new ActivationLayer.Builder().activation(activation).build(), input);
        return name;
    }

    /** Element-wise sum of the inputs. */
    String add(String name, String... inputs) {
        graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), inputs);
        return name;
    }

    /** Global average pooling to a [batch, channels] matrix. */
    String globalAvgPool(String name, String input) {
        graph.addLayer(name, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), input);
        return name;
    }

    /** Softmax classifier with cross-entropy loss; {@code retain} is DL4J's dropout retain probability (1 = none). */
    String classifier(String name, String input, int numClasses, double retain) {
        OutputLayer.Builder b = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(numClasses).activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER);
        if (retain < 1.0) {
            b.dropOut(retain);
        }
        graph.addLayer(name, b.build(), input);
        return name;
    }
}
