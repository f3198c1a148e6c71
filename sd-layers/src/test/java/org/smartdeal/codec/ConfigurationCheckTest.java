package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Each rule of {@link ConfigurationCheck} on a setting that breaks it and on the valid neighbour. */
class ConfigurationCheckTest {

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void windowsDataTypeAndPreprocessors() {
        ConvolutionLayer conv = new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).padding(1, 1)
                .convolutionMode(ConvolutionMode.Truncate).build();
        ConfigurationCheck.windows(conv);
        conv.setStride(new int[] {0, 1});
        assertEquals("stride must be >= 1 in every dimension, got [0, 1]", refusal(() -> ConfigurationCheck.windows(conv)));
        conv.setStride(new int[] {1, 1});
        conv.setPadding(new int[] {4, 1});
        // kernel 3, dilation 1: extent 3
        assertEquals("padding must be at most the kernel's extent (k - 1) d + 1 in every dimension, got padding [4, 1]"
                + " for kernel [3, 3] and dilation [1, 1]", refusal(() -> ConfigurationCheck.windows(conv)));
        conv.setDilation(new int[] {2, 1});
        ConfigurationCheck.windows(conv); // extent (3 - 1) 2 + 1 = 5 >= 4
        conv.setPadding(new int[] {9, 9});
        conv.setConvolutionMode(ConvolutionMode.Same);
        ConfigurationCheck.windows(conv); // Same mode ignores the configured padding
        conv.setPadding(new int[] {1, 1});
        conv.setConvolutionMode(ConvolutionMode.Causal);
        assertEquals("convolutionMode Causal applies to 1-D layers only", refusal(() -> ConfigurationCheck.windows(conv)));
        SubsamplingLayer pool = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .convolutionMode(ConvolutionMode.Truncate).build();
        ConfigurationCheck.windows(pool);
        pool.setKernelSize(null);
        assertEquals("kernelSize is missing", refusal(() -> ConfigurationCheck.windows(pool)));
        ConfigurationCheck.windows(new DenseLayer.Builder().nIn(2).nOut(2).build()); // not a window layer

        ConfigurationCheck.dataType(DataType.HALF);
        assertEquals("dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16), got UTF8",
                refusal(() -> ConfigurationCheck.dataType(DataType.UTF8)));
        assertEquals("dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16), got null",
                refusal(() -> ConfigurationCheck.dataType(null)));

        ConfigurationCheck.preProcessor(new FeedForwardToCnnPreProcessor(28, 28, 1));
        ConfigurationCheck.preProcessor(null);
        assertEquals("FeedForwardToCnnPreProcessor: height, width and channels must be >= 1, got 0 x 28 x 1",
                refusal(() -> ConfigurationCheck.preProcessor(new FeedForwardToCnnPreProcessor(0, 28, 1))));
        // DL4J's "infer the shape" form passes; a partial shape does not
        ConfigurationCheck.preProcessor(new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor());
        assertEquals("CnnToFeedForwardPreProcessor: height, width and channels must be >= 1, got 0 x 4 x 2",
                refusal(() -> ConfigurationCheck.preProcessor(
                        new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(0, 4, 2))));
    }

    @Test
    void aGraphWithACycleOrAnUnknownInputIsRefused() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(2).nOut(2).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(2).nOut(2).build(), "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "b")
                .setOutputs("out").build();
        ConfigurationCheck.acyclic(conf);
        conf.getVertexInputs().put("a", java.util.List.of("in", "b"));
        assertEquals("vertex 'a' feeds itself through 'b': the graph has a cycle",
                refusal(() -> ConfigurationCheck.acyclic(conf)));
        conf.getVertexInputs().put("a", java.util.List.of("nowhere"));
        assertEquals("vertex 'a' takes input 'nowhere', which is neither a vertex nor a network input",
                refusal(() -> ConfigurationCheck.acyclic(conf)));
    }
}
