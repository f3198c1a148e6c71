package org.smartdeal.zoo.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.deeplearning4j.nn.api.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter and MAC counts of every zoo model, computed from configurations only.
 *
 * <p>Sources of the expected numbers:
 * <ul>
 *   <li>ImageNet models (3x224x224, 1000 classes): torchvision's
 *       {@code sum(p.numel() for p in m.parameters())}, the figures of issue 5 and torchvision's
 *       model documentation (VGG-19 143,667,240).</li>
 *   <li>CIFAR models (3x32x32, 10 classes): hand calculations in the comments below, checked with
 *       an independent Python count.</li>
 *   <li>MACs (conv + linear only): ResNet-18 1.81 G, ResNet-50 4.09 G, MobileNetV2 300 M, VGG-16
 *       15.47 G as commonly quoted; the exact integers of every model were computed by an independent
 *       layer-by-layer Python count (out_h * out_w * k * k * c_in / groups * c_out per conv),
 *       {@code src/test/resources/org/smartdeal/zoo/models/reference_counts.py}, which also
 *       reproduces every parameter count below.</li>
 * </ul>
 */
class ModelStatsTest {

    @ParameterizedTest(name = "{0} has {1} trainable parameters")
    @CsvSource({
        // torchvision, ImageNet 1000 classes
        "resnet50, 25557032",
        "resnet18, 11689512",
        "vgg16, 138357544",
        "vgg11, 132863336",
        "vgg19, 143667240",
        "mobilenetv2, 3504872",
        // CIFAR, 10 classes.
        // ResNet-164 (pre-act bottleneck, projection without BN, bearpaw preresnet):
        //   stem 432; stage1 block0 4,704 + 17 x 4,544 = 81,952; stage2 23,808 + 17 x 17,792 = 326,272;
        //   stage3 94,720 + 17 x 70,400 = 1,291,520; final BN 512; fc 2,570 -> 1,703,258 (paper: 1.70 M)
        "resnet164, 1703258",
        // VGG-19-BN CIFAR with 512-512-10 head: conv weights 20,018,880 + conv biases 5,504
        //   + BN gamma/beta 11,008 + head (262,656 + 262,656 + 5,130 = 530,442) -> 20,565,834
        "vgg19-cifar, 20565834",
        // VGG-11-BN: convs 9,220,480 + BN 5,504 + head 530,442
        "vgg11-cifar, 9756426",
        // VGG-16-BN: convs 14,714,688 + BN 8,448 + head 530,442
        "vgg16-cifar, 15253578",
        // ResNet-20 option A: stem 464; stage1 3 x 4,672; stage2 13,952 + 2 x 18,560;
        //   stage3 55,552 + 2 x 73,984; fc 650 -> 269,722 (He et al.: 0.27 M)
        "resnet20, 269722",
        // ResNet-56: 464 + 9 x 4,672 + (13,952 + 8 x 18,560) + (55,552 + 8 x 73,984) + 650 = 853,018 (0.85 M)
        "resnet56, 853018",
        // kuangliu/pytorch-cifar ResNet18 (option B projections): 11,173,962
        "resnet18-cifar, 11173962",
        // kuangliu/pytorch-cifar MobileNetV2: 2,296,922
        "mobilenetv2-cifar, 2296922",
        // LeNet-300-100: 784*300+300 + 300*100+100 + 100*10+10
        "lenet300, 266610",
        // SmallCnn: 160 + 4,640 + 18,496 + 73,856 + 1,290
        "cnn, 98442",
    })
    void trainableParamsMatchStandardDefinitions(String name, long expected) {
        assertEquals(expected, ModelStats.trainableParams(ZooModel.byName(name).defaultConfiguration()));
    }

    /**
     * {@link #trainableParamsMatchStandardDefinitions} and {@link #macsMatchIndependentCount} have a row for every zoo
     * model, so that a new entry cannot go without its independent counts (docs/EXTENDING.md 5).
     */
    @Test
    void everyZooModelHasIndependentCounts() throws NoSuchMethodException {
        for (String test : List.of("trainableParamsMatchStandardDefinitions", "macsMatchIndependentCount")) {
            CsvSource rows = getClass().getDeclaredMethod(test, String.class, long.class).getAnnotation(CsvSource.class);
            java.util.Set<String> counted = java.util.Arrays.stream(rows.value()).map(r -> r.split(",")[0].trim())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
            assertEquals(new java.util.TreeSet<>(ZooModel.names()), counted,
                test + " needs a row, from an independent count, for every zoo model");
        }
    }

    @ParameterizedTest(name = "{0} needs {1} MACs per example")
    @CsvSource({
        "resnet18, 1814073344",
        "resnet50, 4089184256",
        "mobilenetv2, 300774272",
        "vgg16, 15470264320",
        // reference_counts.py for the rest (ImageNet at 224 x 224, CIFAR at 32 x 32)
        "vgg11, 7609090048",
        "vgg19, 19632062464",
        "resnet18-cifar, 555422720",
        "mobilenetv2-cifar, 91154944",
        "vgg11-cifar, 153293824",
        "vgg16-cifar, 313725952",
        "vgg19-cifar, 398660608",
        "resnet20, 40551040",
        "resnet56, 125485696",
        "resnet164, 247646720",
        // 784*300 + 300*100 + 100*10
        "lenet300, 266200",
        // 28*28*9*16 + 14*14*9*16*32 + 7*7*9*32*64 + 576*128 + 128*10
        "cnn, 1994240",
    })
    void macsMatchIndependentCount(String name, long expected) {
        assertEquals(expected, ModelStats.macs(ZooModel.byName(name).defaultConfiguration()));
    }

    @Test
    void totalParamsEqualWhatDl4jAllocates() {
        for (ZooModel m : List.of(ZooModel.RESNET20, ZooModel.MOBILENETV2_CIFAR, ZooModel.VGG11_CIFAR, ZooModel.CNN)) {
            ZooConfiguration conf = m.defaultConfiguration();
            Model net = conf.init();
            assertEquals(net.numParams(), ModelStats.totalParams(conf), m.id());
        }
    }

    @Test
    void batchNormRunningStatisticsAreTheOnlyNonTrainableParams() {
        // ResNet-20 has 19 BN layers: 16 x 7 + 16 x 6 + ... : the difference must be exactly
        // 2 * (sum of BN channels) = 2 * (16 + 6*16 + 6*32 + 6*64) = 1,376
        ZooConfiguration conf = ZooModel.RESNET20.defaultConfiguration();
        assertEquals(1376, ModelStats.totalParams(conf) - ModelStats.trainableParams(conf));
    }

    @Test
    void depthwiseLayerCostsFollowGroupedFormula() {
        // mobilenetv2-cifar block 1 depthwise: 96 channels, 3x3, stride 1 at 32x32:
        //   params 96*9 = 864, MACs 32*32*9*96 = 884,736
        Map<String, LayerCost> costs = ModelStats.layerCosts(ZooModel.MOBILENETV2_CIFAR.defaultConfiguration())
                .stream().collect(Collectors.toMap(LayerCost::name, c -> c));
        LayerCost dw = costs.get("layers.1.conv2");
        assertEquals(864, dw.params());
        assertEquals(884_736, dw.macs());
        assertEquals(0, costs.get("layers.1.bn2").macs());
        assertEquals(4 * 96, costs.get("layers.1.bn2").params());
        assertEquals(2 * 96, costs.get("layers.1.bn2").trainableParams());
    }

    @Test
    void layerCostRejectsTrainableAboveTotal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LayerCost("x", "Dense", 1, 2, 0, ZooModel.LENET300.defaultConfiguration().inputType()));
        assertTrue(e.getMessage().contains("trainableParams=2"), e.getMessage());
    }
}
