package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.Networks;

/**
 * A separable convolution's depthwise half is named {@code NAME_dw}, or the next free {@code NAME_dw2}, also where a
 * graph's non-layer vertex or input already has that name (found by a bug hunt: the conversion crashed, a
 * NullPointerException or a "cycle" in the rebuilt graph). The converted network's output equals the dense one's
 * with W = C*B ({@link SdConverter#overwriteWithCB}, written independently of the SD layers), and neither the input
 * nor the dense network is modified.
 */
class DepthwiseHalfNameTest {

    private static void check(ComputationGraph dense, ConversionPlan plan, INDArray x, String label) {
        INDArray before = dense.params().dup();
        INDArray xBefore = x.dup();
        SdConverter.Result r = SdConverter.convert(dense, plan);
        assertEquals(before, dense.params(), label + ": dense modified");
        ComputationGraph ref = Networks.copy(dense);
        SdConverter.overwriteWithCB(ref, r.decomposition());
        INDArray expected = ref.outputSingle(x);
        INDArray actual = ((ComputationGraph) r.network()).outputSingle(x);
        assertEquals(xBefore, x, label + ": input modified");
        assertTrue(((ComputationGraph) r.network()).getConfiguration().getVertices().containsKey("sep_dw2"),
                label + ": the depthwise half takes the next free name");
        assertTrue(expected.equalsWithEps(actual, 1e-5), label + ": " + expected + " vs " + actual);
    }

    /** A separable convolution whose NAME_dw is already taken by a non-layer vertex of the graph. */
    @Test
    void aDepthwiseHalfNameTakenByAGraphVertex() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("sep", new SeparableConvolution2D.Builder(3, 3).nOut(4).depthMultiplier(1).activation(Activation.RELU).build(), "c1")
                .addVertex("sep_dw", new ElementWiseVertex(ElementWiseVertex.Op.Add), "sep", "c1")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "sep_dw")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build());
        g.init();
        check(g, ConversionPlan.defaultPlan(), Nd4j.rand(DataType.FLOAT, 3, 2, 6, 6), "vertex sep_dw");
    }

    /** ... or by the graph's input. */
    @Test
    void aDepthwiseHalfNameTakenByAGraphInput() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("sep_dw")
                .addLayer("sep", new SeparableConvolution2D.Builder(3, 3).nOut(4).depthMultiplier(1).activation(Activation.RELU).build(), "sep_dw")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "sep")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build());
        g.init();
        check(g, ConversionPlan.defaultPlan(), Nd4j.rand(DataType.FLOAT, 3, 2, 6, 6), "input sep_dw");
    }
}
