package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.ZooModel;

/** Defaults of {@link TrainingSettings} against the paper's Appendix E (PAPER-TABLES.md "Settings"). */
class TrainingSettingsTest {

    @Test
    void defaultsFollowAppendixE() {
        TrainingSettings ft = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).build();
        assertEquals(80, ft.epochs());
        assertEquals(40, ft.swaStart());
        assertEquals(1e-2, ft.lr());
        assertEquals(2e-3, ft.swaLr());
        assertEquals(7e-3, ft.theta());
        assertEquals(7, ft.thetaC());
        assertEquals(5e-3, ft.thetaG());
        assertEquals(0x1p-7, ft.minCoeff()); // smallest 2^i >= 7e-3 (ALGORITHMS.md 6.2)
        assertEquals(0, ft.validationExamples(), "no hold-out unless asked for");
        assertEquals(false, ft.perLayerSwitch(), "one bucket switch unless asked for (as every recorded run)");
        TrainingSettings ad = TrainingSettings.builder(Task.ADAPT, Variant.VA, ZooModel.CNN).build();
        assertEquals(1e-1, ad.lr());
        assertEquals(5e-3, ad.swaLr());
        assertEquals(0.0, ad.effectiveStructuredRatio());
    }

    @Test
    void swaStartAndSwaLrFollowTheirPrimarySettings() {
        TrainingSettings s = TrainingSettings.builder(Task.ADAPT, Variant.SS, ZooModel.CNN).epochs(10).lr(0.2).build();
        assertEquals(5, s.swaStart());
        assertEquals(0.2 * 0.05, s.swaLr(), 1e-15);
        assertEquals(0.3, s.effectiveStructuredRatio());
    }

    @Test
    void invalidSettingsNameTheFieldRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).epochs(4).swaStart(5)
                        .build());
        assertTrue(e.getMessage().contains("TrainingSettings.swaStart must be in [1, 4], got 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.RESNET18).build());
        assertTrue(e.getMessage().contains("arch must be one of [lenet300, cnn], got 'resnet18'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).validationExamples(-1)
                        .build());
        assertTrue(e.getMessage().contains("TrainingSettings.validationExamples must be in [0, 1000000], got -1"),
                e.getMessage());
    }

    @Test
    void layerThetasAreCheckedByRangeAndLayerName() {
        assertEquals(java.util.Map.of("fc1", 0.05), TrainingSettings.parseLayerThetas("fc1=0.05"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.parseLayerThetas("fc1=0"));
        assertTrue(e.getMessage().contains("layer theta 'fc1=0' must be in [0.0009765625, 1], got 0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingSettings.parseLayerThetas("fc1:0.1"));
        assertTrue(e.getMessage().contains("layer theta 'fc1:0.1' is not of the form name=theta"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.CNN)
                        .layerThetas(java.util.Map.of("fc1", 2.0)).build());
        assertTrue(e.getMessage().contains("TrainingSettings.layerThetas['fc1'] must be in [0.0009765625, 1], got 2"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.CNN)
                        .layerThetas(java.util.Map.of("fc9", 0.05)).build());
        assertTrue(e.getMessage().contains("TrainingSettings.layerThetas names layer 'fc9', which cnn does not have"),
                e.getMessage());
        TrainingSettings s = TrainingSettings.builder(Task.ADAPT, Variant.SD, ZooModel.CNN).theta(0.06)
                .layerThetas(java.util.Map.of("fc1", 0.05)).build();
        assertEquals(0.05, s.thetaFor("fc1"));
        assertEquals(0.06, s.thetaFor("conv1"));
        assertEquals(0.06, s.maxTheta());
    }

    /**
     * The threshold each layer's bucket switch derives its minCoeff from: the largest by default (0.05 here, the
     * default theta 7e-3 being smaller), the layer's own with perLayerSwitch, which describe() then names.
     */
    @Test
    void perLayerSwitchTakesEachLayersOwnThreshold() {
        TrainingSettings.Builder b = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300)
                .layerThetas(java.util.Map.of("fc1", 0.05, "fc2", 0.02));
        TrainingSettings one = b.build();
        TrainingSettings own = b.perLayerSwitch(true).build();
        for (String layer : java.util.List.of("fc1", "fc2", "fc3")) {
            assertEquals(0.05, one.switchTheta(layer), layer);
            assertEquals(own.thetaFor(layer), own.switchTheta(layer), layer);
        }
        assertEquals(7e-3, own.switchTheta("fc3"));
        assertTrue(own.describe().contains(", a bucket switch per layer"), own.describe());
        assertTrue(!one.describe().contains("bucket switch"), one.describe());
        assertTrue(!TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300).perLayerSwitch(true).build()
                .describe().contains("bucket switch"), "VA has no bucket switch");
    }

    @Test
    void layerRatiosParseInOrderAndTheSettingsCopyThem() {
        java.util.Map<String, Double> r = TrainingSettings.parseLayerRatios(" conv2=0.1, conv3 = 0.2,fc1=0 ");
        assertEquals(java.util.List.of("conv2", "conv3", "fc1"), java.util.List.copyOf(r.keySet()));
        assertEquals(0.2, r.get("conv3"));
        assertTrue(TrainingSettings.parseLayerRatios("  ").isEmpty());
        java.util.Map<String, Double> mutable = new java.util.HashMap<>(java.util.Map.of("conv2", 0.1));
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.CNN).layerRatios(mutable)
                .build();
        mutable.put("conv3", 0.5);
        assertEquals(java.util.Map.of("conv2", 0.1), s.layerRatios());
        assertEquals(0.1, s.ratioFor("conv2", false));
        assertEquals(0.3, s.ratioFor("conv3", false));
        assertEquals(0.0, s.ratioFor("fc2", true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.CNN)
                        .layerRatios(java.util.Map.of("conv2", 1.0)).build());
        assertTrue(e.getMessage().contains("TrainingSettings.layerRatios['conv2'] must be in [0, 1), got 1"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.CNN)
                        .denseLayers(java.util.Set.of("fc3")).build());
        assertTrue(e.getMessage().contains("TrainingSettings.denseLayers names layer 'fc3', which cnn does not have;"
                + " its layers are [conv1, pool1, conv2, pool2, conv3, pool3, fc1, fc2]"), e.getMessage());
    }
}
