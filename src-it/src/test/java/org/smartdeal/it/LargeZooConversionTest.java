package org.smartdeal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.NetworkDecomposition;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.ZooModel;

/**
 * Spot check of SdConverter on the large ImageNet zoo models at 224x224 (one image): the converted
 * network's output equals the dense network's with every planned W overwritten by C*B (rebuilt in
 * core code by {@link SdConverter#overwriteWithCB}, independently of the SD layers' ND4J rebuild).
 * Takes a few minutes on 2 cores.
 */
class LargeZooConversionTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet50", "vgg16", "mobilenetv2"})
    void convertedOutputEqualsDenseWithCB(String id) {
        ZooModel zm = ZooModel.byName(id);
        Model dense = zm.defaultConfiguration().init();
        NetworkDecomposition d = SdConverter.decompose(dense, ConversionPlan.defaultPlan());
        Model sd = SdConverter.build(dense, d);
        org.deeplearning4j.nn.api.Layer[] dl = layers(dense);
        org.deeplearning4j.nn.api.Layer[] sl = layers(sd);
        int convertible = 0;
        for (int i = 0; i < dl.length; i++) {
            Class<?> c = dl[i].conf().getLayer().getClass();
            if (c == DenseLayer.class || c == OutputLayer.class || c == ConvolutionLayer.class) {
                convertible++;
                assertInstanceOf(SdLayer.class, sl[i].conf().getLayer(), id + " layer " + i);
            }
        }
        assertEquals(convertible, d.layers().size(), "every dense, output and (non-depthwise) conv layer planned");

        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, zm.defaultInputShape().batchShape(1));
        INDArray original = output(dense, x).dup();
        // The dense network becomes the reference: the converter does not need it any more.
        SdConverter.overwriteWithCB(dense, d);
        INDArray expected = output(dense, x);
        INDArray actual = output(sd, x);
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()));
        double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(maxDiff <= 1e-3 * scale, id + ": max |SD - dense(C*B)| = " + maxDiff + " at output scale " + scale);
        assertNotEquals(original, actual, "C*B is not W: the comparison is not vacuous");
        assertEquals(1.0, actual.sumNumber().doubleValue(), 1e-4, "a softmax over the classes");
    }

    private static org.deeplearning4j.nn.api.Layer[] layers(Model m) {
        return m instanceof MultiLayerNetwork n ? n.getLayers() : ((ComputationGraph) m).getLayers();
    }

    private static INDArray output(Model m, INDArray x) {
        return m instanceof MultiLayerNetwork n ? n.output(x) : ((ComputationGraph) m).outputSingle(x);
    }
}
