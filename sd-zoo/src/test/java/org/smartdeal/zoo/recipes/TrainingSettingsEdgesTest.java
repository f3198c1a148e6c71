package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.ZooModel;

/**
 * {@link TrainingSettings} at the ends of every documented range (the record's Javadoc: "@param epochs ... in
 * [1, 10000]" and so on): each end accepted, the value one step outside refused with a message naming the field,
 * the range and the value (STYLE.md "Errors name the field, the allowed range, the value"). Found by mutation
 * testing: before, only swaStart and validationExamples were tried out of range, and no end was tried at all.
 */
class TrainingSettingsEdgesTest {

    private static TrainingSettings.Builder sd() {
        return TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300);
    }

    private static String refused(UnaryOperator<TrainingSettings.Builder> set) {
        return assertThrows(IllegalArgumentException.class, () -> set.apply(sd()).build()).getMessage();
    }

    /** Integer fields: [lo, hi] as the record's Javadoc gives them. Messages print the ints as written. */
    @Test
    void integerFieldsAcceptTheirEndsAndRefuseOneBeyond() {
        // epochs in [1, 10000]; swaStart in [1, epochs]
        assertEquals(1, sd().epochs(1).build().epochs());
        assertEquals(10_000, sd().epochs(10_000).build().epochs());
        assertEquals("TrainingSettings.epochs must be in [1, 10000], got 0", refused(b -> b.epochs(0)));
        assertEquals("TrainingSettings.epochs must be in [1, 10000], got 10001", refused(b -> b.epochs(10_001)));
        assertEquals(1, sd().swaStart(1).build().swaStart());
        assertEquals(80, sd().swaStart(80).build().swaStart(), "swaStart = epochs (80, the default)");
        assertEquals("TrainingSettings.swaStart must be in [1, 80], got 0", refused(b -> b.swaStart(0)));
        assertEquals("TrainingSettings.swaStart must be in [1, 80], got 81", refused(b -> b.swaStart(81)));
        // thetaC in [1, 127]
        assertEquals(1, sd().thetaC(1).build().thetaC());
        assertEquals(127, sd().thetaC(127).build().thetaC());
        assertEquals("TrainingSettings.thetaC must be in [1, 127], got 0", refused(b -> b.thetaC(0)));
        assertEquals("TrainingSettings.thetaC must be in [1, 127], got 128", refused(b -> b.thetaC(128)));
        // pretrainEpochs in [1, 10000]
        assertEquals(1, sd().pretrainEpochs(1).build().pretrainEpochs());
        assertEquals(10_000, sd().pretrainEpochs(10_000).build().pretrainEpochs());
        assertEquals("TrainingSettings.pretrainEpochs must be in [1, 10000], got 0", refused(b -> b.pretrainEpochs(0)));
        assertEquals("TrainingSettings.pretrainEpochs must be in [1, 10000], got 10001",
                refused(b -> b.pretrainEpochs(10_001)));
        // batchSize in [1, 65536]
        assertEquals(1, sd().batchSize(1).build().batchSize());
        assertEquals(65_536, sd().batchSize(65_536).build().batchSize());
        assertEquals("TrainingSettings.batchSize must be in [1, 65536], got 0", refused(b -> b.batchSize(0)));
        assertEquals("TrainingSettings.batchSize must be in [1, 65536], got 65537", refused(b -> b.batchSize(65_537)));
        // validationExamples in [0, 1,000,000]
        assertEquals(0, sd().validationExamples(0).build().validationExamples());
        assertEquals(1_000_000, sd().validationExamples(1_000_000).build().validationExamples());
        assertEquals("TrainingSettings.validationExamples must be in [0, 1000000], got 1000001",
                refused(b -> b.validationExamples(1_000_001)));
    }

    /**
     * Real fields: ranges and values are written as a person writes them ("[0, 1]", "(0, 10]", 2^-10 as
     * 0.0009765625; {@code Numbers.plain}), as the command line's options are. NaN fails every range (the checks
     * are written as "not inside").
     */
    @Test
    void realFieldsAcceptTheirEndsAndRefuseOneBeyond() {
        // lr and swaLr in (0, 10]
        assertEquals(10.0, sd().lr(10).build().lr());
        assertEquals(10.0, sd().swaLr(10).build().swaLr());
        // the smallest positive lr (its SWA lr set too: 0.2 x Double.MIN_VALUE rounds to 0, which is refused)
        assertEquals(Double.MIN_VALUE, sd().lr(Double.MIN_VALUE).swaLr(Double.MIN_VALUE).build().lr());
        assertEquals("TrainingSettings.lr must be in (0, 10], got 0", refused(b -> b.lr(0)));
        assertEquals("TrainingSettings.lr must be in (0, 10], got 10.5", refused(b -> b.lr(10.5)));
        assertEquals("TrainingSettings.lr must be in (0, 10], got NaN", refused(b -> b.lr(Double.NaN)));
        assertEquals("TrainingSettings.swaLr must be in (0, 10], got 0", refused(b -> b.swaLr(0)));
        assertEquals("TrainingSettings.swaLr must be in (0, 10], got 10.5", refused(b -> b.swaLr(10.5)));
        // pretrainLr in (0, 1]
        assertEquals(1.0, sd().pretrainLr(1).build().pretrainLr());
        assertEquals("TrainingSettings.pretrainLr must be in (0, 1], got 0", refused(b -> b.pretrainLr(0)));
        assertEquals("TrainingSettings.pretrainLr must be in (0, 1], got 1.5", refused(b -> b.pretrainLr(1.5)));
        // thetaG and weightDecay in [0, 1]
        for (double end : new double[] {0, 1}) {
            assertEquals(end, sd().thetaG(end).build().thetaG());
            assertEquals(end, sd().weightDecay(end).build().weightDecay());
        }
        assertEquals("TrainingSettings.thetaG must be in [0, 1], got -0.5", refused(b -> b.thetaG(-0.5)));
        assertEquals("TrainingSettings.thetaG must be in [0, 1], got 1.5", refused(b -> b.thetaG(1.5)));
        assertEquals("TrainingSettings.weightDecay must be in [0, 1], got -0.5", refused(b -> b.weightDecay(-0.5)));
        assertEquals("TrainingSettings.weightDecay must be in [0, 1], got 1.5", refused(b -> b.weightDecay(1.5)));
        // theta in [2^-10, 1] (2^-10 = 0.0009765625; the next double below it is 0.0009765624999999999)
        assertEquals(0x1p-10, sd().theta(0x1p-10).build().theta());
        assertEquals(1.0, sd().theta(1).build().theta());
        assertEquals("TrainingSettings.theta must be in [0.0009765625, 1], got 0.0009765624999999999",
                refused(b -> b.theta(Math.nextDown(0x1p-10))));
        assertEquals("TrainingSettings.theta must be in [0.0009765625, 1], got 1.0000000000000002",
                refused(b -> b.theta(Math.nextUp(1.0))));
        // structuredRatio in [0, 1)
        assertEquals(0.0, sd().structuredRatio(0).build().structuredRatio());
        assertEquals("TrainingSettings.structuredRatio must be in [0, 1), got 1", refused(b -> b.structuredRatio(1)));
        assertEquals("TrainingSettings.structuredRatio must be in [0, 1), got -0.1",
                refused(b -> b.structuredRatio(-0.1)));
        assertEquals("TrainingSettings.structuredRatio must be in [0, 1), got NaN",
                refused(b -> b.structuredRatio(Double.NaN)));
    }

    /** Per-layer ratios in [0, 1) and thresholds in [2^-10, 1], in the settings and in the option parser. */
    @Test
    void perLayerValuesAcceptTheirEndsAndRefuseOneBeyond() {
        assertEquals(Map.of("fc1", 0.0), sd().layerRatios(Map.of("fc1", 0.0)).build().layerRatios());
        assertEquals("TrainingSettings.layerRatios['fc1'] must be in [0, 1), got -0.1",
                refused(b -> b.layerRatios(Map.of("fc1", -0.1))));
        assertEquals(Map.of("fc1", 0x1p-10, "fc2", 1.0),
                sd().layerThetas(Map.of("fc1", 0x1p-10, "fc2", 1.0)).build().layerThetas());
        assertEquals("TrainingSettings.layerThetas['fc1'] must be in [0.0009765625, 1], got 0.0009765624999999999",
                refused(b -> b.layerThetas(Map.of("fc1", Math.nextDown(0x1p-10)))));
        Map<String, Double> nullValue = new HashMap<>();
        nullValue.put("fc1", null);
        assertEquals("TrainingSettings.layerRatios['fc1'] must be in [0, 1), got null",
                refused(b -> b.layerRatios(nullValue)));
        assertEquals("TrainingSettings.layerThetas: a layer name is blank", refused(b -> b.layerThetas(Map.of(" ", 0.1))));
        Map<String, Double> nullKey = new HashMap<>();
        nullKey.put(null, 0.1);
        assertEquals("TrainingSettings.layerRatios: a layer name is blank", refused(b -> b.layerRatios(nullKey)));
        // the parser: the same ranges
        assertEquals(Map.of("fc1", 0x1p-10, "fc2", 1.0), TrainingSettings.parseLayerThetas("fc1=0.0009765625,fc2=1"));
        assertEquals(Map.of("fc1", 0.0), TrainingSettings.parseLayerRatios("fc1=0"));
        assertEquals("layer ratio 'fc1=1' must be in [0, 1), got 1", assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.parseLayerRatios("fc1=1")).getMessage());
        assertEquals("layer ratio 'fc1=-0.1' must be in [0, 1), got -0.1", assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.parseLayerRatios("fc1=-0.1")).getMessage());
        assertEquals("layer theta 'fc1=1.5' must be in [0.0009765625, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> TrainingSettings.parseLayerThetas("fc1=1.5")).getMessage());
    }

    /** The parser's other messages: the item, the rule and the value (TrainingSettings.parseLayerRatios Javadoc). */
    @Test
    void layerListsThatAreNotNameEqualsNumberNameTheItem() {
        // "=0.1": no name (the '=' at position 0); "fc1=": no number (the '=' last)
        assertEquals("layer ratio '=0.1' is not of the form name=ratio", assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.parseLayerRatios("=0.1")).getMessage());
        assertEquals("layer ratio 'fc1=' is not of the form name=ratio", assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.parseLayerRatios("conv2=0.1, fc1=")).getMessage());
        assertEquals("layer ratio 'fc1=x': 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> TrainingSettings.parseLayerRatios("fc1=x")).getMessage());
        assertEquals("layer theta for 'fc1' is given twice", assertThrows(IllegalArgumentException.class,
                () -> TrainingSettings.parseLayerThetas("fc1=0.1,fc1 = 0.2")).getMessage());
        // a one-character name and a one-character number are the shortest items
        assertEquals(Map.of("a", 0.5), TrainingSettings.parseLayerRatios("a=.5"));
        assertTrue(TrainingSettings.parseLayerThetas(null).isEmpty(), "null is blank: an empty map (Javadoc)");
    }

    /**
     * A per-layer name must be a layer that is decomposed: the CNN's layers are conv1, pool1, conv2, pool2, conv3,
     * pool3, fc1, fc2 (SmallCnn), of which the pooling layers are not (SdConverter converts dense, output and
     * convolution layers). Each of the three lists is checked, each alone.
     */
    @Test
    void everyPerLayerListNamesADecomposedLayer() {
        String pool = "names layer 'pool1', a SubsamplingLayer, which is not decomposed; the decomposed layers are"
                + " [conv1, conv2, conv3, fc1, fc2]";
        TrainingSettings.Builder cnn = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.CNN);
        assertEquals("TrainingSettings.layerRatios " + pool, assertThrows(IllegalArgumentException.class,
                () -> cnn.layerRatios(Map.of("pool1", 0.1)).build()).getMessage());
        TrainingSettings.Builder cnn2 = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.CNN);
        assertEquals("TrainingSettings.layerThetas " + pool, assertThrows(IllegalArgumentException.class,
                () -> cnn2.layerThetas(Map.of("pool1", 0.1)).build()).getMessage());
        TrainingSettings.Builder cnn3 = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.CNN);
        assertEquals("TrainingSettings.denseLayers " + pool, assertThrows(IllegalArgumentException.class,
                () -> cnn3.denseLayers(Set.of("pool1")).build()).getMessage());
        // LeNet-300-100's layers are fc1, fc2, fc3 (LeNet300): a ratio alone is checked too
        assertEquals("TrainingSettings.layerRatios names layer 'fc4', which lenet300 does not have; its layers are"
                + " [fc1, fc2, fc3]", refused(b -> b.layerRatios(Map.of("fc4", 0.1))));
        // the per-layer maps are copies that cannot be changed (STYLE.md: configuration records, not mutable configs)
        Map<String, Double> thetas = new LinkedHashMap<>(Map.of("fc1", 0.05));
        Set<String> dense = new java.util.HashSet<>(Set.of("fc3"));
        TrainingSettings s = sd().layerThetas(thetas).denseLayers(dense).build();
        thetas.put("fc2", 0.5);
        dense.add("fc2");
        assertEquals(Map.of("fc1", 0.05), s.layerThetas());
        assertEquals(Set.of("fc3"), s.denseLayers());
        assertThrows(UnsupportedOperationException.class, () -> s.layerThetas().put("fc2", 0.1));
        assertThrows(UnsupportedOperationException.class, () -> s.denseLayers().add("fc2"));
        assertThrows(UnsupportedOperationException.class, () -> s.layerRatios().put("fc2", 0.1));
    }

    /**
     * SD and SS with every decomposed layer left dense would train nothing in SD form (an "sd" file without an SD
     * layer): refused, in any order; VA ignores denseLayers. The decomposed layers are those SdConverter converts:
     * LeNet300's fc1..fc3, SmallCnn's conv1..3, fc1 and fc2 (not the pooling layers).
     */
    @Test
    void denseLayersMayNotNameEveryDecomposedLayer() {
        assertEquals(List.of("fc1", "fc2", "fc3"), TrainingSettings.decomposedLayers(ZooModel.LENET300));
        assertEquals(List.of("conv1", "conv2", "conv3", "fc1", "fc2"), TrainingSettings.decomposedLayers(ZooModel.CNN));
        assertEquals("TrainingSettings.denseLayers names every layer lenet300 decomposes (fc1, fc2, fc3): nothing would"
                + " be trained in SD form; variant va trains it dense, got variant sd",
                refused(b -> b.denseLayers(Set.of("fc3", "fc1", "fc2"))));
        TrainingSettings.Builder cnn = TrainingSettings.builder(Task.ADAPT, Variant.SS, ZooModel.CNN)
                .denseLayers(Set.of("fc2", "fc1", "conv3", "conv2", "conv1"));
        assertTrue(assertThrows(IllegalArgumentException.class, cnn::build).getMessage().startsWith(
                "TrainingSettings.denseLayers names every layer cnn decomposes (conv1, conv2, conv3, fc1, fc2)"));
        assertEquals(Set.of("fc1", "fc2"), sd().denseLayers(Set.of("fc1", "fc2")).build().denseLayers());
        assertEquals(3, TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300)
                .denseLayers(Set.of("fc1", "fc2", "fc3")).build().denseLayers().size());
    }

    /**
     * ratioFor, thetaFor and maxTheta as their Javadoc states them: SS alone applies ratios and never to a dense
     * layer; maxTheta is the largest of theta and the thresholds of layers that are decomposed.
     */
    @Test
    void perLayerLookupsFollowTheirJavadoc() {
        Map<String, Double> ratios = Map.of("fc2", 0.2, "fc3", 0.4);
        TrainingSettings ss = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300)
                .layerRatios(ratios).denseLayers(Set.of("fc2")).build();
        assertEquals(0.0, ss.ratioFor("fc2", false), "a dense layer has no ratio, its own entry notwithstanding");
        assertEquals(0.4, ss.ratioFor("fc3", true), "an entry overrides the classifier's 0");
        assertEquals(0.3, ss.ratioFor("fc1", false), "the default structured ratio");
        TrainingSettings sdRatios = TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300)
                .layerRatios(ratios).build();
        assertEquals(0.0, sdRatios.ratioFor("fc3", true), "SD applies no ratio");
        assertEquals(0.0, sdRatios.ratioFor("fc1", false), "SD applies no ratio");
        assertEquals(0.0, sdRatios.effectiveStructuredRatio(), "SD: 0, not the 0.3 set");
        // maxTheta: fc3 (0.5) is dense so does not count; fc1's 0.05 is above theta 7e-3
        TrainingSettings m = sd().layerThetas(Map.of("fc1", 0.05, "fc3", 0.5)).denseLayers(Set.of("fc3")).build();
        assertEquals(0.05, m.maxTheta());
        // minCoeff: the smallest 2^i at or above 0.05 is 2^-4 = 0.0625 (ALGORITHMS.md 6.2)
        assertEquals(0.0625, m.minCoeff());
        // with thresholds all below theta, theta is the largest
        assertEquals(7e-3, sd().layerThetas(Map.of("fc1", 0x1p-10)).build().maxTheta());
    }

    /** Builder defaults that depend on other settings (the Builder's Javadoc). */
    @Test
    void builderDefaultsFollowThePrimarySettings() {
        // swaStart: half the epochs, at least 1 (1 / 2 = 0 in integers, raised to 1); 3 epochs: 1
        assertEquals(1, sd().epochs(1).build().swaStart());
        assertEquals(1, sd().epochs(3).build().swaStart());
        assertEquals(2, sd().epochs(5).build().swaStart());
        // fine-tuning keeps the paper's ratio 2e-3 / 1e-2 = 0.2 when only lr is set: 0.5 -> 0.1
        assertEquals(0.1, sd().lr(0.5).build().swaLr(), 1e-15);
        // an explicit SWA lr wins over the ratio
        assertEquals(0.3, sd().lr(0.5).swaLr(0.3).build().swaLr());
        assertEquals(0.3, sd().swaLr(0.3).build().swaLr());
        assertEquals(1e-2, sd().swaLr(0.3).build().lr(), "the default fine-tuning lr (Appendix E)");
        // seed, perLayerSwitch and validationExamples are passed through
        TrainingSettings s = sd().seed(7).perLayerSwitch(true).validationExamples(5).build();
        assertEquals(7L, s.seed());
        assertTrue(s.perLayerSwitch());
        assertEquals(5, s.validationExamples());
    }

    /**
     * describe(): one line naming every setting that means something for the variant. %g prints six significant
     * digits (java.util.Formatter), so 1e-2 is "0.0100000"; counts say "1 epoch" but "2 epochs".
     */
    @Test
    void describeNamesTheSettingsOfItsVariant() {
        assertEquals("lenet300 finetune sd: 80 epochs (SWA from 40), lr 0.0100000 -> 0.00200000, theta 0.00700000,"
                + " theta_g 0.00500000, theta_c 7, pre-train 10 epochs, batch 128, seed 42", sd().build().describe());
        assertEquals("lenet300 finetune va: 1 epoch (SWA from 1), lr 0.0100000 -> 0.00200000, pre-train 1 epoch,"
                + " batch 128, seed 42, 100 target examples held out for validation",
                TrainingSettings.builder(Task.FINETUNE, Variant.VA, ZooModel.LENET300).epochs(1).pretrainEpochs(1)
                        .validationExamples(100).denseLayers(Set.of("fc3")).build().describe());
        assertEquals("cnn adapt ss: 2 epochs (SWA from 1), lr 0.100000 -> 0.00500000, theta 0.0600000 (fc1=0.0500000),"
                + " theta_g 0.00500000, theta_c 7, structured ratio 0.300000 (conv2=0.100000), dense layers [fc2],"
                + " pre-train 10 epochs, batch 128, seed 42",
                TrainingSettings.builder(Task.ADAPT, Variant.SS, ZooModel.CNN).epochs(2).theta(0.06)
                        .layerThetas(Map.of("fc1", 0.05)).layerRatios(Map.of("conv2", 0.1))
                        .denseLayers(Set.of("fc2")).build().describe());
        assertEquals(List.of("0.300000", "0.00700000"), List.of(sd().build().ratioText(), sd().build().thetaText()),
                "no overrides: the default alone");
    }
}
