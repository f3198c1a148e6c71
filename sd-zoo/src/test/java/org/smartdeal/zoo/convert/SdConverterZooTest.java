package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.codec.ConfigurationCheck;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooModel;

/**
 * SdConverter on the zoo's small and CIFAR-sized architectures (residual vertices, strided and 1x1
 * convolutions, depthwise convolutions kept dense or, with convertDepthwise, in SD form, BatchNorm, the
 * classifier). Reference: the dense network itself with each planned W overwritten by C*B
 * ({@link SdConverter#overwriteWithCB}), which rebuilds W in core code, independently of the SD layers' rebuild.
 * The large ImageNet models are spot-checked in src-it ({@code LargeZooConversionTest}).
 */
class SdConverterZooTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet300", "cnn", "resnet20", "resnet18-cifar", "mobilenetv2-cifar", "vgg11-cifar",
        "mobilenetv2-cifar+depthwise"})
    void convertedOutputEqualsDenseWithCBAndTrains(String id) {
        // "+depthwise": the plan converts the depthwise layers too (convertDepthwise)
        boolean depthwise = id.endsWith("+depthwise");
        ZooModel zm = ZooModel.byName(id.replace("+depthwise", ""));
        Model dense = zm.defaultConfiguration().init();
        INDArray before = dense.params().dup();
        ConversionPlan plan = depthwise ? ConversionPlan.fromJson("{\"convertDepthwise\": true}")
                : ConversionPlan.defaultPlan();
        SdConverter.Result r = SdConverter.convert(dense, plan);
        assertEquals(before, dense.params(), "the input network is not modified");
        Model sd = r.network();
        assertEquals(dense.getClass(), sd.getClass());
        // the SD layers state the sizes DL4J's layers did (ConfigurationCheck compares them with their inputs)
        assertDoesNotThrow(() -> ConfigurationCheck.inputSizes(sd, zm.defaultConfiguration().inputType()), id);
        assertEquals(dense.numParams() - plannedWeights(r.decomposition()) + sdParams(sd, r.decomposition()), sd.numParams(),
                "every planned W became C, B, M; all other parameters are carried over");

        // Every weight-carrying Dense/Output/Conv layer was converted; depthwise ones were kept unless the plan asked.
        Layer[] dl = layers(dense);
        Layer[] sl = layers(sd);
        int planned = 0;
        for (int i = 0; i < dl.length; i++) {
            Class<?> c = dl[i].conf().getLayer().getClass();
            boolean convertible = c == DenseLayer.class || c == OutputLayer.class || c == ConvolutionLayer.class
                    || depthwise && c == DepthwiseConvolution2D.class;
            if (convertible) {
                planned++;
                assertInstanceOf(SdLayer.class, sl[i].conf().getLayer(), "layer " + i + " converted");
            } else {
                assertEquals(c, sl[i].conf().getLayer().getClass(), "layer " + i + " kept");
            }
            if (c == DepthwiseConvolution2D.class && !depthwise) {
                assertEquals(dl[i].getParam("W"), sl[i].getParam("W"), "depthwise weights copied");
            }
        }
        assertEquals(planned, r.decomposition().layers().size());

        Model ref = clone(dense);
        SdConverter.overwriteWithCB(ref, r.decomposition());
        InputShape in = zm.defaultInputShape();
        Nd4j.getRandom().setSeed(7);
        boolean flat = zm == ZooModel.LENET300 || zm == ZooModel.CNN;
        INDArray x = flat ? Nd4j.rand(DataType.FLOAT, 2, (int) in.size()) : Nd4j.rand(DataType.FLOAT, in.batchShape(2));
        // Every activation (not only the possibly saturated softmax) agrees, relative to its scale.
        Map<String, INDArray> expected = activations(ref, x);
        Map<String, INDArray> actual = activations(sd, x);
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray a = actual.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), a.shape());
            double scale = Math.max(1.0, e.getValue().amaxNumber().doubleValue());
            double maxDiff = e.getValue().sub(a).amaxNumber().doubleValue();
            assertTrue(maxDiff <= 1e-4 * scale, id + " activation " + e.getKey() + ": max |SD - dense(C*B)| = " + maxDiff
                    + " at scale " + scale);
        }
        // C*B differs from the original W: the comparison is not vacuous.
        assertNotEquals(dense.params(), ref.params());

        // A training step runs and changes the SD parameters.
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, zm.defaultNumClasses());
        y.putScalar(0, 1, 1f).putScalar(1, 3, 1f);
        INDArray p0 = sd.params().dup();
        if (sd instanceof MultiLayerNetwork m) {
            m.fit(new DataSet(x, y));
        } else {
            ((ComputationGraph) sd).fit(new DataSet(x, y));
        }
        assertTrue(Double.isFinite(sd.score()), "finite loss");
        assertNotEquals(p0, sd.params(), "the step updated parameters");
    }

    private static void assertArrayEquals(long[] a, long[] b) {
        assertEquals(Arrays.toString(a), Arrays.toString(b));
    }

    private static long plannedWeights(NetworkDecomposition d) {
        return d.layers().stream().mapToLong(p -> p.decomposition().layout().weightLength()).sum();
    }

    private static long sdParams(Model sd, NetworkDecomposition d) {
        return d.layers().stream().mapToLong(p -> 2L * p.decomposition().layout().packedLength()
                + p.decomposition().layout().basisLength()).sum();
    }

    private static Layer[] layers(Model m) {
        return m instanceof MultiLayerNetwork n ? n.getLayers() : ((ComputationGraph) m).getLayers();
    }

    private static Model clone(Model m) {
        return m instanceof MultiLayerNetwork n ? n.clone() : ((ComputationGraph) m).clone();
    }

    private static Map<String, INDArray> activations(Model m, INDArray x) {
        Map<String, INDArray> out = new TreeMap<>();
        if (m instanceof MultiLayerNetwork n) {
            List<INDArray> acts = n.feedForward(x, false);
            for (int i = 0; i < acts.size(); i++) {
                out.put(String.format("%03d", i), acts.get(i));
            }
        } else {
            out.putAll(((ComputationGraph) m).feedForward(x, false));
        }
        return out;
    }
}
