package org.smartdeal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Spot check of SdConverter on the large ImageNet zoo models at 224x224 (one image): every
 * activation of the converted network equals the dense network's with every planned W overwritten by C*B (rebuilt in
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
        Map<String, INDArray> original = activations(dense, x);
        // The dense network becomes the reference: the converter does not need it any more.
        SdConverter.overwriteWithCB(dense, d);
        Map<String, INDArray> expected = activations(dense, x);
        Map<String, INDArray> actual = activations(sd, x);
        assertEquals(expected.keySet(), actual.keySet());
        boolean anyDiffersFromW = false;
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray a = actual.get(e.getKey());
            assertEquals(Arrays.toString(e.getValue().shape()), Arrays.toString(a.shape()), e.getKey());
            double scale = Math.max(1e-6, e.getValue().amaxNumber().doubleValue());
            double maxDiff = e.getValue().sub(a).amaxNumber().doubleValue();
            assertTrue(maxDiff <= 1e-3 * scale, id + " activation " + e.getKey() + ": max |SD - dense(C*B)| = " + maxDiff
                    + " at scale " + scale);
            anyDiffersFromW |= !original.get(e.getKey()).equals(a);
        }
        // (Random-weight MobileNetV2 gives an exactly uniform softmax, so the comparison covers every activation.)
        assertTrue(anyDiffersFromW, "C*B is not W: some activation must differ from the original network's");
    }

    private static Map<String, INDArray> activations(Model m, INDArray x) {
        Map<String, INDArray> out = new TreeMap<>();
        if (m instanceof MultiLayerNetwork n) {
            List<INDArray> acts = n.feedForward(x, false);
            for (int i = 0; i < acts.size(); i++) {
                out.put(String.format("%03d", i), acts.get(i).dup());
            }
        } else {
            ((ComputationGraph) m).feedForward(x, false).forEach((k, v) -> out.put(k, v.dup()));
        }
        return out;
    }

    private static org.deeplearning4j.nn.api.Layer[] layers(Model m) {
        return m instanceof MultiLayerNetwork n ? n.getLayers() : ((ComputationGraph) m).getLayers();
    }

}
