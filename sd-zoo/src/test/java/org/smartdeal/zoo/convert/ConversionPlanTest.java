package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConversionPlanTest {

    @Test
    void convertingDepthwiseLayersIsRejectedNotIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversionPlan.fromJson("{\"convertDepthwise\": true}"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("plan.convertDepthwise must be false"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertFalse(ConversionPlan.fromJson("{\"convertDepthwise\": false}").convertDepthwise());
    }

    @Test
    void defaultsAreThoseOfTheSpec() {
        LayerPlan d = ConversionPlan.defaultPlan().settingsFor("anything");
        // ALGORITHMS.md 1.1 and 2: theta 4e-3, tol 1e-10, maxIter 30, maxCoeff 32, sliceRows 192, n = 3.
        assertEquals(4e-3, d.theta());
        assertEquals(1e-10, d.tol());
        assertEquals(30, d.maxIter());
        assertEquals(32.0, d.maxCoeff());
        assertEquals(192, d.sliceRows());
        assertEquals(3, d.basisWidth());
        assertFalse(d.skip());
        assertEquals("anything", d.layer());
    }

    @Test
    void overridesMergeOverDefaultsAndRoundTripThroughJson() {
        ConversionPlan p = ConversionPlan.fromJson("""
                {"defaults": {"theta": 0.008},
                 "layers": {"conv1": {"structuredRatio": 0.2}, "fc": {"skip": true, "basisWidth": 4}}}""");
        assertEquals(0.008, p.settingsFor("conv1").theta());
        assertEquals(0.2, p.settingsFor("conv1").structuredRatio());
        assertTrue(p.settingsFor("fc").skip());
        assertEquals(4, p.settingsFor("fc").basisWidth());
        assertEquals(0.008, p.settingsFor("other").theta());
        assertEquals(0.0, p.settingsFor("other").structuredRatio());
        assertEquals(p, ConversionPlan.fromJson(p.toJson()));
    }

    @Test
    void rampScalesThresholdsLinearlyAndDensityTargetsGeometrically() {
        ConversionPlan p = ConversionPlan.fromJson("""
                {"defaults": {"theta": 0.08, "sliceRows": 512},
                 "layers": {"fc1": {"density": 0.04, "structuredRatio": 0.3}, "fc3": {"skip": true}}}""");
        ConversionPlan q = p.ramped(0.5);
        assertEquals(0.04, q.settingsFor("other").theta(), 1e-15);
        assertEquals(0.0, q.settingsFor("other").density());
        assertEquals(0.2, q.settingsFor("fc1").density(), 1e-15, "0.04^0.5");
        assertEquals(0.04, q.settingsFor("fc3").theta(), 1e-15, "fc3 inherits the ramped default");
        assertEquals(0.3, q.settingsFor("fc1").structuredRatio());
        assertTrue(q.settingsFor("fc3").skip());
        assertEquals(512, q.settingsFor("fc1").sliceRows());
        assertEquals(p, p.ramped(1.0));
        assertEquals(p, ConversionPlan.fromJson(p.toJson()), "density survives the JSON round trip");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.ramped(0));
        assertEquals("ramp factor must be in (0, 1], got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("{\"layers\": {\"fc1\": {\"density\": 1.5}}}"));
        assertEquals("plan.layers[fc1].density must be in [0, 1], got 1.5", e.getMessage());
    }

    @Test
    void thetaEverywhereReplacesEveryThresholdAndDensityTarget() {
        ConversionPlan p = ConversionPlan.fromJson("""
                {"defaults": {"density": 0.1, "sliceRows": 512},
                 "layers": {"fc1": {"density": 0.04, "structuredRatio": 0.3}, "fc2": {"theta": 0.2}}}""");
        ConversionPlan q = p.withThetaEverywhere(0.05);
        for (String layer : List.of("fc1", "fc2", "other")) {
            assertEquals(0.05, q.settingsFor(layer).theta(), layer);
            assertEquals(0.0, q.settingsFor(layer).density(), layer);
            assertEquals(512, q.settingsFor(layer).sliceRows(), layer);
        }
        assertEquals(0.3, q.settingsFor("fc1").structuredRatio());
        assertEquals(p.overrides().keySet(), q.overrides().keySet());
    }

    @Test
    void unknownLayerIsAnErrorNotIgnored() {
        ConversionPlan p = ConversionPlan.fromJson("{\"layers\": {\"conv9\": {\"skip\": true}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.checkLayersExist(List.of("conv1", "fc")));
        assertTrue(e.getMessage().contains("conv9"), e.getMessage());
        assertTrue(e.getMessage().contains("conv1"), e.getMessage());
    }

    @Test
    void badValuesNameTheLayerFieldRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversionPlan.fromJson("{\"layers\": {\"conv3\": {\"sliceRows\": 0}}}"));
        assertEquals("plan.layers[conv3].sliceRows must be in [1, 4096], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("{\"defaults\": {\"thetta\": 1}}"));
        assertTrue(e.getMessage().contains("unknown key 'thetta'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("{\"defaults\": {\"maxCoeff\": 3}}"));
        assertEquals("plan.defaults.maxCoeff must be a power of two, got 3.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("{\"defaults\": {\"theta\": \"x\"}}"));
        assertTrue(e.getMessage().contains("plan.defaults.theta must be a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("[1"));
        assertTrue(e.getMessage().startsWith("plan is not valid JSON"), e.getMessage());
    }
}
