package org.smartdeal.zoo.models;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * LeNet-300-100 (LeCun et al. 1998; the MLP of Han et al., "Learning both Weights and
 * Connections", 2015): 784-300-100-10 with ReLU, as a {@link ZooConfiguration.Sequential}.
 *
 * <p>Input is flat ({@code InputType.feedForward(channels*height*width)}), as
 * {@code MnistDataSetIterator} delivers it. 266,610 parameters at 1x28x28 with 10 classes.
 * Layer names: {@code fc1} (300), {@code fc2} (100), {@code fc3} (classifier, OutputLayer).
 */
public final class LeNet300 {

    private LeNet300() {
    }

    /** Builds the MLP for examples of {@code input.size()} values. */
    public static ZooConfiguration.Sequential build(InputShape input, int numClasses, long seed, IUpdater updater) {
        Blocks.requireClasses("lenet300", numClasses);
        InputType type = InputType.feedForward(input.size());
        NeuralNetConfiguration.ListBuilder list = Blocks.defaults(seed, updater).list()
                .layer(new DenseLayer.Builder().nOut(300).activation(Activation.RELU).name("fc1").build())
                .layer(new DenseLayer.Builder().nOut(100).activation(Activation.RELU).name("fc2").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).name("fc3").build());
        list.setInputType(type);
        return new ZooConfiguration.Sequential(list.build(), type);
    }
}
