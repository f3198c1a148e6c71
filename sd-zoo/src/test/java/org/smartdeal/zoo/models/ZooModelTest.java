package org.smartdeal.zoo.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.learning.config.Adam;
import org.smartdeal.codec.ConfigurationCheck;

/** Registry lookup, validation, and layer names against the paper's Tables X and XI. */
class ZooModelTest {

    @Test
    void registryHasTheSixteenDocumentedNames() {
        assertEquals(List.of("lenet300", "cnn", "vgg11", "vgg16", "vgg19", "vgg11-cifar", "vgg16-cifar",
                "vgg19-cifar", "resnet18", "resnet50", "resnet18-cifar", "resnet20", "resnet56", "resnet164",
                "mobilenetv2", "mobilenetv2-cifar"), ZooModel.names());
        assertSame(ZooModel.RESNET18_CIFAR, ZooModel.byName("ResNet18-CIFAR"));
    }

    /** Every zoo network's layer sizes fit its input type; the zoo's lenet300 and cnn with one nIn changed do not. */
    @Test
    void everyZooNetworksLayerSizesFitAndAChangedNInIsNamed() {
        for (ZooModel m : ZooModel.values()) {
            ZooConfiguration c = m.defaultConfiguration();
            if (c instanceof ZooConfiguration.Sequential s) {
                assertDoesNotThrow(() -> ConfigurationCheck.inputSizes(s.conf(), s.inputType()), m.id());
            } else {
                ZooConfiguration.Graph g = (ZooConfiguration.Graph) c;
                assertDoesNotThrow(() -> ConfigurationCheck.inputSizes(g.conf(), g.inputType()), m.id());
            }
        }
        ZooConfiguration.Sequential lenet = (ZooConfiguration.Sequential) ZooModel.LENET300.defaultConfiguration();
        ((FeedForwardLayer) lenet.conf().getConf(1).getLayer()).setNIn(50);
        assertEquals("DenseLayer(name=fc2, index=1) takes nIn=50 but its input has 300 values (from layer fc1's nOut)",
                assertThrows(IllegalArgumentException.class,
                        () -> ConfigurationCheck.inputSizes(lenet.conf(), lenet.inputType())).getMessage());
        ZooConfiguration.Sequential cnn = (ZooConfiguration.Sequential) ZooModel.CNN.defaultConfiguration();
        ((FeedForwardLayer) cnn.conf().getConf(2).getLayer()).setNIn(8); // conv1, pool1, conv2 (SmallCnn)
        assertEquals("ConvolutionLayer(name=conv2, index=2) takes nIn=8 but its input has 16 channels (from layer "
                + "pool1's output)",
                assertThrows(IllegalArgumentException.class,
                        () -> ConfigurationCheck.inputSizes(cnn.conf(), cnn.inputType())).getMessage());
    }

    @Test
    void unknownNameListsKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZooModel.byName("vgg13"));
        assertTrue(e.getMessage().contains("'vgg13'") && e.getMessage().contains("mobilenetv2-cifar"), e.getMessage());
    }

    @Test
    void residualNetsAreGraphsAndStacksAreSequential() {
        for (ZooModel m : ZooModel.values()) {
            boolean residual = m.id().startsWith("resnet") || m.id().startsWith("mobilenet");
            ZooConfiguration conf = m.defaultConfiguration();
            assertEquals(residual, conf instanceof ZooConfiguration.Graph, m.id());
        }
    }

    @Test
    void invalidArgumentsAreRejectedWithFieldAndValue() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> new InputShape(3, 0, 32));
        assertEquals("InputShape.height must be >= 1, got 0", shape.getMessage());
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> ZooModel.RESNET20.configuration(InputShape.CIFAR, 1, 1L));
        assertEquals("resnet20.numClasses must be >= 2, got 1", classes.getMessage());
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class,
                () -> CifarResNet.basic(21, InputShape.CIFAR, 10, 1L, new Adam()));
        assertTrue(depth.getMessage().contains("6n+2") && depth.getMessage().endsWith("21"), depth.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vgg.cifar(13, InputShape.CIFAR, 10, 1L, new Adam()));
    }

    @Test
    void classCountAndInputShapeReachTheConfiguration() {
        ZooConfiguration conf = ZooModel.RESNET20.configuration(new InputShape(3, 64, 64), 100, 7L);
        // only the classifier depends on the class count: 64*100+100 instead of 650
        assertEquals(269_722 - 650 + 6_500, ModelStats.trainableParams(conf));
        // MACs scale with the pixel count (conv layers) while fc stays: conv part x4
        long convMacs32 = ModelStats.macs(ZooModel.RESNET20.defaultConfiguration()) - 640;
        assertEquals(4 * convMacs32 + 6_400, ModelStats.macs(conf));
    }

    /** Table X of the paper: every row's layer exists in resnet18-cifar with the listed weight shape. */
    @ParameterizedTest(name = "Table X {0} is {1}")
    @CsvSource({
        "CONV1, 64x3x3x3", "L1-0-C1, 64x64x3x3", "L1-0-C2, 64x64x3x3", "L1-1-C1, 64x64x3x3", "L1-1-C2, 64x64x3x3",
        "L2-0-C1, 128x64x3x3", "L2-0-C2, 128x128x3x3", "L2-0-SC, 128x64x1x1", "L2-1-C1, 128x128x3x3",
        "L2-1-C2, 128x128x3x3", "L3-0-C1, 256x128x3x3", "L3-0-C2, 256x256x3x3", "L3-0-SC, 256x128x1x1",
        "L3-1-C1, 256x256x3x3", "L3-1-C2, 256x256x3x3", "L4-0-C1, 512x256x3x3", "L4-0-C2, 512x512x3x3",
        "L4-0-SC, 512x256x1x1", "L4-1-C1, 512x512x3x3", "L4-1-C2, 512x512x3x3", "LINEAR, 10x512",
    })
    void tableXRowsAddressResNet18CifarLayers(String row, String shape) {
        ZooConfiguration.Graph g = (ZooConfiguration.Graph) ZooModel.RESNET18_CIFAR.defaultConfiguration();
        assertEquals(shape, weightShape(g.conf(), PaperLayerNames.resnet18(row)));
    }

    /** Table XI of the paper (all rows but L15.C2, see PaperLayerNames): mobilenetv2-cifar shapes. */
    @ParameterizedTest(name = "Table XI {0} is {1}")
    @CsvSource({
        "CONV1, 32x3x3x3", "L0.C1, 32x32x1x1", "L0.C2, 32x1x3x3", "L0.C3, 16x32x1x1", "L0.SC, 16x32x1x1",
        "L1.C1, 96x16x1x1", "L1.C2, 96x1x3x3", "L1.C3, 24x96x1x1", "L1.SC, 24x16x1x1",
        "L2.C1, 144x24x1x1", "L2.C2, 144x1x3x3", "L2.C3, 24x144x1x1",
        "L3.C1, 144x24x1x1", "L3.C2, 144x1x3x3", "L3.C3, 32x144x1x1",
        "L4.C1, 192x32x1x1", "L4.C2, 192x1x3x3", "L4.C3, 32x192x1x1",
        "L5.C1, 192x32x1x1", "L5.C2, 192x1x3x3", "L5.C3, 32x192x1x1",
        "L6.C1, 192x32x1x1", "L6.C2, 192x1x3x3", "L6.C3, 64x192x1x1",
        "L7.C1, 384x64x1x1", "L7.C2, 384x1x3x3", "L7.C3, 64x384x1x1",
        "L8.C1, 384x64x1x1", "L8.C2, 384x1x3x3", "L8.C3, 64x384x1x1",
        "L9.C1, 384x64x1x1", "L9.C2, 384x1x3x3", "L9.C3, 64x384x1x1",
        "L10.C1, 384x64x1x1", "L10.C2, 384x1x3x3", "L10.C3, 96x384x1x1", "L10.SC, 96x64x1x1",
        "L11.C1, 576x96x1x1", "L11.C2, 576x1x3x3", "L11.C3, 96x576x1x1",
        "L12.C1, 576x96x1x1", "L12.C2, 576x1x3x3", "L12.C3, 96x576x1x1",
        "L13.C1, 576x96x1x1", "L13.C2, 576x1x3x3", "L13.C3, 160x576x1x1",
        "L14.C1, 960x160x1x1", "L14.C2, 960x1x3x3", "L14.C3, 160x960x1x1",
        "L15.C1, 960x160x1x1", "CONV2, 1280x320x1x1", "LINEAR, 10x1280",
    })
    void tableXiRowsAddressMobileNetV2CifarLayers(String row, String shape) {
        ZooConfiguration.Graph g = (ZooConfiguration.Graph) ZooModel.MOBILENETV2_CIFAR.defaultConfiguration();
        assertEquals(shape, weightShape(g.conf(), PaperLayerNames.mobileNetV2(row)));
    }

    @Test
    void paperRowsOutsideTheSchemeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PaperLayerNames.resnet18("L5-0-C1"));
        assertThrows(IllegalArgumentException.class, () -> PaperLayerNames.mobileNetV2("L17.C1"));
        assertEquals("layers.15.conv2", PaperLayerNames.mobileNetV2("L15.C2"));
    }

    @Test
    void imageNetMobileNetV2HasNoExpansionInBlockZeroAndNoConvShortcuts() {
        ZooConfiguration.Graph g = (ZooConfiguration.Graph) ZooModel.MOBILENETV2.defaultConfiguration();
        Map<String, GraphVertex> v = g.conf().getVertices();
        assertFalse(v.containsKey("layers.0.conv1"));
        assertTrue(v.keySet().stream().noneMatch(n -> n.contains("shortcut")));
        assertEquals("32x1x3x3", weightShape(g.conf(), "layers.0.conv2"));
        assertEquals("1280x320x1x1", weightShape(g.conf(), "conv2"));
    }

    @Test
    void resNet50UsesBottlenecksWithStrideOnTheThreeByThree() {
        ZooConfiguration.Graph g = (ZooConfiguration.Graph) ZooModel.RESNET50.defaultConfiguration();
        assertEquals("1024x512x1x1", weightShape(g.conf(), "layer3.0.downsample.0"));
        assertEquals("2048x512x1x1", weightShape(g.conf(), "layer4.2.conv3"));
        ConvolutionLayer c2 = (ConvolutionLayer) layer(g.conf(), "layer2.0.conv2");
        assertArrayEquals(new int[] {2, 2}, c2.getStride());
        ConvolutionLayer c1 = (ConvolutionLayer) layer(g.conf(), "layer2.0.conv1");
        assertArrayEquals(new int[] {1, 1}, c1.getStride());
    }

    private static Layer layer(ComputationGraphConfiguration conf, String name) {
        GraphVertex v = conf.getVertices().get(name);
        assertTrue(v instanceof LayerVertex, "no layer named " + name);
        return ((LayerVertex) v).getLayerConf().getLayer();
    }

    /** PyTorch-style weight shape nOut x nIn/groups x kh x kw (conv) or nOut x nIn (dense). */
    private static String weightShape(ComputationGraphConfiguration conf, String name) {
        Layer l = layer(conf, name);
        if (l instanceof DepthwiseConvolution2D dw) {
            return dw.getNOut() + "x1x" + dw.getKernelSize()[0] + "x" + dw.getKernelSize()[1];
        }
        if (l instanceof ConvolutionLayer c) {
            return c.getNOut() + "x" + c.getNIn() + "x" + c.getKernelSize()[0] + "x" + c.getKernelSize()[1];
        }
        FeedForwardLayer f = (FeedForwardLayer) l;
        return f.getNOut() + "x" + f.getNIn();
    }
}
