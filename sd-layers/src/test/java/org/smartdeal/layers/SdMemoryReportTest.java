package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's memory report ({@code conf.getMemoryReport(inputType)}) of a network of the four SD layers. Each layer's
 * report must name its SD class, count the updater state its parameters are given (per parameter: M is frozen and
 * has none, a parameter routed with {@code setParamTraining} has its own updater's), and add the rebuild of
 * W = P(C).*M @ B to the working memory of the DL4J layer it extends, as {@link SdDenseLayer} does.
 */
class SdMemoryReportTest {

    /** Input 2 x 6 x 6; c1 3x3 -> 4 channels (4x4), dw 3x3 x1 (2x2), fc 16 -> 6, out 6 -> 3; Nesterovs (state n). */
    private static MultiLayerConfiguration conf() {
        SdDenseLayer fc = new SdDenseLayer.Builder().name("fc").nOut(6).activation(Activation.TANH).build();
        fc.setParamTraining("C", new Adam(1e-3), List.of());
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT).updater(new Nesterovs(0.1, 0.9))
                .list()
                .layer(new SdConvolutionLayer.Builder(3, 3).name("c1").nOut(4).activation(Activation.TANH).build())
                .layer(new SdDepthwiseConvolutionLayer.Builder(3, 3).name("dw").depthMultiplier(1)
                        .activation(Activation.TANH).build())
                .layer(fc)
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2)).build();
    }

    @Test
    void reportsNameTheSdLayerCountItsUpdaterStateAndTheRebuildOfW() {
        MultiLayerConfiguration conf = conf();
        NetworkMemoryReport net = (NetworkMemoryReport) conf.getMemoryReport(InputType.convolutional(6, 6, 2));
        Map<String, ?> layers = net.getLayerAndVertexReports();
        LayerMemoryReport c1 = (LayerMemoryReport) layers.get("c1");
        LayerMemoryReport dw = (LayerMemoryReport) layers.get("dw");
        LayerMemoryReport fc = (LayerMemoryReport) layers.get("fc");
        LayerMemoryReport out = (LayerMemoryReport) layers.get("out");
        assertEquals(SdConvolutionLayer.class, c1.getLayerType());
        assertEquals(SdDepthwiseConvolutionLayer.class, dw.getLayerType());
        assertEquals(SdDenseLayer.class, fc.getLayerType());
        assertEquals(SdOutputLayer.class, out.getLayerType());

        // parameters (summary): c1 C [4,6,3] B [4,3,3] M [4,6,3] b [4]; dw C [4,3,3] B [4,3,3] M [4,3,3] b [4];
        // fc C [6,6,3] B [6,3,3] M [6,6,3] b [6]; out C [3,2,3] B [3,3,3] M [3,2,3] b [3]
        assertEquals(184, c1.getParameterSize());
        // updater state by hand: Nesterovs keeps n values, Adam 2n, M's freeze none
        assertEquals(72 + 36 + 4, c1.getUpdaterStateSize());
        assertEquals(36 + 36 + 4, dw.getUpdaterStateSize());
        assertEquals(2 * 108 + 54 + 6, fc.getUpdaterStateSize());
        assertEquals(18 + 27 + 3, out.getUpdaterStateSize());
        // ... and what DL4J actually allocates for the network
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        assertEquals(n.getUpdater().getStateViewArray().length(), c1.getUpdaterStateSize() + dw.getUpdaterStateSize()
                + fc.getUpdaterStateSize() + out.getUpdaterStateSize());

        // working memory: the built-in layer's plus the rebuild, 2 |C| + |W| (inference) and twice that (training),
        // |W| = 4*2*3*3 = 72 (c1), 3*3*4 = 36 (dw), 16*6 = 96 (fc), 6*3 = 18 (out)
        checkWorking(c1, new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(4).activation(Activation.TANH).build(),
                InputType.convolutional(6, 6, 2), 2 * 72 + 72);
        checkWorking(dw, new DepthwiseConvolution2D.Builder(3, 3).nIn(4).depthMultiplier(1)
                .activation(Activation.TANH).build(), InputType.convolutional(4, 4, 4), 2 * 36 + 36);
        checkWorking(fc, new DenseLayer.Builder().nIn(16).nOut(6).activation(Activation.TANH).build(),
                InputType.feedForward(16), -1);
        assertEquals(2 * 108 + 96, fc.getWorkingMemoryFixedInference());
        checkWorking(out, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                .activation(Activation.SOFTMAX).build(), InputType.feedForward(6), 2 * 18 + 18);
    }

    /** {@code sd}'s working memory is {@code builtIn}'s plus {@code rebuild} (inference) and 2 rebuild (training). */
    private static void checkWorking(LayerMemoryReport sd, Layer builtIn, InputType in, long rebuild) {
        if (rebuild < 0) {
            return;
        }
        new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).updater(new Nesterovs(0.1, 0.9)).list()
                .layer(builtIn).build();
        LayerMemoryReport base = builtIn.getMemoryReport(in);
        assertEquals(base.getWorkingMemoryFixedInference() + rebuild, sd.getWorkingMemoryFixedInference(),
                sd.getLayerName());
        assertEquals(base.getWorkingMemoryVariableInference(), sd.getWorkingMemoryVariableInference(),
                sd.getLayerName());
        for (CacheMode m : CacheMode.values()) {
            assertEquals(base.getWorkingMemoryFixedTrain().get(m) + 2 * rebuild, sd.getWorkingMemoryFixedTrain().get(m),
                    sd.getLayerName() + " " + m);
            assertEquals(base.getWorkingMemoryVariableTrain().get(m), sd.getWorkingMemoryVariableTrain().get(m),
                    sd.getLayerName() + " " + m);
        }
    }
}
