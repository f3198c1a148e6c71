package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.smartdeal.zoo.models.PaperLayerNames;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;

/**
 * The shipped plans against the paper's Tables X and XI (SmartDeal, arXiv 2101.01163; the numbers
 * below are hand-copied from the paper via docs PAPER-TABLES.md) and against the zoo's layer names.
 */
class ConversionPlansTest {

    private static final ComputationGraphConfiguration RESNET18 =
            ((ZooConfiguration.Graph) ZooModel.RESNET18_CIFAR.defaultConfiguration()).conf();
    private static final ComputationGraphConfiguration MBV2 =
            ((ZooConfiguration.Graph) ZooModel.MOBILENETV2_CIFAR.defaultConfiguration()).conf();

    /** Table X: row, shape (out x in x kh x kw), C-10, C-10 Delta, C-100. */
    @ParameterizedTest(name = "Table X {0}")
    @CsvSource({
        "CONV1, 64x3x3x3, 0.2, 0.4, 0.2",
        "L1-0-C1, 64x64x3x3, 0.2, 0.6, 0.2",
        "L1-0-C2, 64x64x3x3, 0.2, 0.4, 0.2",
        "L1-1-C1, 64x64x3x3, 0.2, 0.4, 0.2",
        "L1-1-C2, 64x64x3x3, 0.2, 0.4, 0.2",
        "L2-0-C1, 128x64x3x3, 0.2, 0.2, 0.2",
        "L2-0-C2, 128x128x3x3, 0.3, 0.3, 0.2",
        "L2-0-SC, 128x64x1x1, 0.1, 0.1, 0.1",
        "L2-1-C1, 128x128x3x3, 0.4, 0.4, 0.2",
        "L2-1-C2, 128x128x3x3, 0.4, 0.4, 0.2",
        "L3-0-C1, 256x128x3x3, 0.3, 0.3, 0.2",
        "L3-0-C2, 256x256x3x3, 0.3, 0.3, 0.2",
        "L3-0-SC, 256x128x1x1, 0.2, 0.2, 0.2",
        "L3-1-C1, 256x256x3x3, 0.4, 0.4, 0.2",
        "L3-1-C2, 256x256x3x3, 0.5, 0.6, 0.2",
        "L4-0-C1, 512x256x3x3, 0.5, 0.8, 0.4",
        "L4-0-C2, 512x512x3x3, 0.5, 0.9, 0.4",
        "L4-0-SC, 512x256x1x1, 0.5, 0.6, 0.4",
        "L4-1-C1, 512x512x3x3, 0.5, 0.9, 0.4",
        "L4-1-C2, 512x512x3x3, 0.5, 0.9, 0.4",
        "LINEAR, d_outx512, 0.0, 0.0, 0.0"
    })
    void resnet18PlansCarryTableX(String row, String shape, double c10, double c10Delta, double c100) {
        String name = PaperLayerNames.resnet18(row);
        if (!row.equals("LINEAR")) {
            assertEquals(shape, weightShape(RESNET18, name), "zoo layer " + name + " has the paper's shape");
        }
        assertEquals(c10, ConversionPlans.named("resnet18-cifar10").settingsFor(name).structuredRatio());
        assertEquals(c10Delta, ConversionPlans.named("resnet18-cifar10-delta").settingsFor(name).structuredRatio());
        assertEquals(c100, ConversionPlans.named("resnet18-cifar100").settingsFor(name).structuredRatio());
    }

    /** Table XI: row, shape, C-10, C-100. The row "L15.C2 1280x320x1x1" is conv2 (see PaperLayerNames). */
    @ParameterizedTest(name = "Table XI {0}")
    @CsvSource({
        "CONV1, 32x3x3x3, 0.1, 0.1",
        "L0.C1, 32x32x1x1, 0.4, 0.2",
        "L0.C2, 32x1x3x3, 0, 0",
        "L0.C3, 16x32x1x1, 0.8, 0.4",
        "L0.SC, 16x32x1x1, 0.2, 0.2",
        "L1.C1, 96x16x1x1, 0.2, 0.2",
        "L1.C2, 96x1x3x3, 0, 0",
        "L1.C3, 24x96x1x1, 0.5, 0.4",
        "L1.SC, 24x16x1x1, 0.05, 0.05",
        "L2.C1, 144x24x1x1, 0.2, 0.2",
        "L2.C2, 144x1x3x3, 0, 0",
        "L2.C3, 24x144x1x1, 0.4, 0.2",
        "L3.C1, 144x24x1x1, 0.1, 0.1",
        "L3.C2, 144x1x3x3, 0, 0",
        "L3.C3, 32x144x1x1, 0.1, 0.1",
        "L4.C1, 192x32x1x1, 0.2, 0.2",
        "L4.C2, 192x1x3x3, 0, 0",
        "L4.C3, 32x192x1x1, 0.4, 0.4",
        "L5.C1, 192x32x1x1, 0.2, 0.2",
        "L5.C2, 192x1x3x3, 0, 0",
        "L5.C3, 32x192x1x1, 0.4, 0.4",
        "L6.C1, 192x32x1x1, 0.2, 0.2",
        "L6.C2, 192x1x3x3, 0, 0",
        "L6.C3, 64x192x1x1, 0.4, 0.4",
        "L7.C1, 384x64x1x1, 0.2, 0.2",
        "L7.C2, 384x1x3x3, 0, 0",
        "L7.C3, 64x384x1x1, 0.4, 0.4",
        "L8.C1, 384x64x1x1, 0.3, 0.2",
        "L8.C2, 384x1x3x3, 0, 0",
        "L8.C3, 64x384x1x1, 0.5, 0.4",
        "L9.C1, 384x64x1x1, 0.5, 0.4",
        "L9.C2, 384x1x3x3, 0, 0",
        "L9.C3, 64x384x1x1, 0.6, 0.4",
        "L10.C1, 384x64x1x1, 0.6, 0.4",
        "L10.C2, 384x1x3x3, 0, 0",
        "L10.C3, 96x384x1x1, 0.6, 0.4",
        "L10.SC, 96x64x1x1, 0.1, 0.1",
        "L11.C1, 576x96x1x1, 0.5, 0.4",
        "L11.C2, 576x1x3x3, 0, 0",
        "L11.C3, 96x576x1x1, 0.6, 0.4",
        "L12.C1, 576x96x1x1, 0.6, 0.4",
        "L12.C2, 576x1x3x3, 0, 0",
        "L12.C3, 96x576x1x1, 0.6, 0.4",
        "L13.C1, 576x96x1x1, 0.4, 0.4",
        "L13.C2, 576x1x3x3, 0, 0",
        "L13.C3, 160x576x1x1, 0.6, 0.4",
        "L14.C1, 960x160x1x1, 0.6, 0.4",
        "L14.C2, 960x1x3x3, 0, 0",
        "L14.C3, 160x960x1x1, 0.8, 0.4",
        "L15.C1, 960x160x1x1, 0.8, 0.4",
        "L15.C2, 1280x320x1x1, 0.8, 0.4"
    })
    void mobileNetV2PlansCarryTableXI(String row, String shape, double c10, double c100) {
        String name = shape.equals("1280x320x1x1") ? "conv2" : PaperLayerNames.mobileNetV2(row);
        assertEquals(shape, weightShape(MBV2, name), "zoo layer " + name + " has the paper's shape");
        ConversionPlan p10 = ConversionPlans.named("mobilenetv2-cifar10");
        ConversionPlan p100 = ConversionPlans.named("mobilenetv2-cifar100");
        assertEquals(c10, p10.settingsFor(name).structuredRatio());
        assertEquals(c100, p100.settingsFor(name).structuredRatio());
        if (layer(MBV2, name) instanceof DepthwiseConvolution2D) {
            assertFalse(p10.overrides().containsKey(name), "depthwise layers are not planned");
            assertFalse(p10.convertDepthwise());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18-cifar10", "resnet18-cifar10-delta", "resnet18-cifar100", "mobilenetv2-cifar10",
        "mobilenetv2-cifar100"})
    void everyPlannedLayerExistsAndOtherSettingsAreDefaults(String planName) {
        ConversionPlan plan = ConversionPlan.resource(planName);
        ComputationGraphConfiguration conf = planName.startsWith("resnet18") ? RESNET18 : MBV2;
        Set<String> layers = conf.getVertices().entrySet().stream().filter(e -> e.getValue() instanceof LayerVertex)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        plan.checkLayersExist(layers);
        assertEquals(planName.startsWith("resnet18") ? 21 : 36, plan.overrides().size(), "one override per table row");
        assertEquals(LayerPlan.DEFAULTS, plan.defaults());
        for (LayerPlan lp : plan.overrides().values()) {
            assertEquals(LayerPlan.DEFAULTS.forLayer(lp.layer()).theta(), lp.theta());
            assertEquals(192, lp.sliceRows());
            assertFalse(lp.skip());
        }
    }

    @Test
    void unlistedMobileNetV2LayersGetRatioZero() {
        ConversionPlan p = ConversionPlans.named("mobilenetv2-cifar10");
        for (String n : new String[] {"layers.15.conv3", "layers.16.conv1", "layers.16.conv3", "linear"}) {
            assertEquals(0.0, p.settingsFor(n).structuredRatio(), n);
        }
    }

    @Test
    void resolvePrefersAnExistingFileThenAShippedName(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("resnet18-cifar10");
        Files.writeString(f, "{\"defaults\": {\"theta\": 0.008}}");
        assertEquals(0.008, ConversionPlans.resolve(f.toString()).defaults().theta());
        assertEquals(0.2, ConversionPlans.resolve("resnet18-cifar10").settingsFor("conv1").structuredRatio());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConversionPlans.resolve("resnet99"));
        assertTrue(e.getMessage().contains("resnet18-cifar10-delta"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConversionPlans.named("nope"));
        assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("{\"description\": 3}"));
    }

    private static Layer layer(ComputationGraphConfiguration conf, String name) {
        GraphVertex v = conf.getVertices().get(name);
        return assertInstanceOf(LayerVertex.class, v, "no layer named " + name).getLayerConf().getLayer();
    }

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

    /**
     * Table X / XI are held twice: as sd-zoo's shipped plans (JSON, by layer name) and as sd-hwmodel's rows for
     * the SS training-energy model ({@code PaperModels}, by shape), which cannot read sd-zoo's resources. The C-10
     * ratios must agree, row by row in the paper's order (the plans list no depthwise rows: those are kept dense).
     */
    @ParameterizedTest
    @CsvSource({"resnet18-cifar10, resnet18-cifar", "mobilenetv2-cifar10, mobilenetv2-cifar"})
    void theShippedC10PlansHoldTheHardwareModelsRatios(String plan, String model) throws IOException {
        java.util.List<Double> fromPlan = new java.util.ArrayList<>();
        try (java.io.InputStream in = ConversionPlans.class.getResourceAsStream(
                "/org/smartdeal/zoo/plans/" + plan + ".json")) {
            org.nd4j.shade.jackson.databind.JsonNode layers = new org.nd4j.shade.jackson.databind.ObjectMapper()
                    .readTree(in).get("layers");
            layers.fields().forEachRemaining(e -> fromPlan.add(e.getValue().get("structuredRatio").asDouble()));
        }
        java.util.List<Double> fromTable = new java.util.ArrayList<>();
        for (int[] row : org.smartdeal.hw.spec.PaperModels.structuralRatioRows(model)) {
            boolean depthwise = row[1] == 1 && row[2] == 3;
            if (!depthwise) {
                fromTable.add(row[3] / 100.0);
            }
        }
        assertEquals(fromTable, fromPlan);
    }
}
