package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConversionPlanTest {

    @Test
    void convertDepthwiseIsReadWrittenAndOffByDefault() {
        org.junit.jupiter.api.Assertions.assertFalse(ConversionPlan.defaultPlan().convertDepthwise());
        org.junit.jupiter.api.Assertions.assertFalse(ConversionPlan.fromJson("{\"convertDepthwise\": false}").convertDepthwise());
        ConversionPlan on = ConversionPlan.fromJson("{\"convertDepthwise\": true}");
        org.junit.jupiter.api.Assertions.assertTrue(on.convertDepthwise());
        org.junit.jupiter.api.Assertions.assertTrue(ConversionPlan.fromJson(on.toJson()).convertDepthwise());
        org.junit.jupiter.api.Assertions.assertTrue(on.withTheta(0.01).convertDepthwise());
        ConversionPlan off = on.withConvertDepthwise(false);
        org.junit.jupiter.api.Assertions.assertFalse(off.convertDepthwise());
        org.junit.jupiter.api.Assertions.assertEquals(on.defaults(), off.defaults());
        org.junit.jupiter.api.Assertions.assertEquals(on, off.withConvertDepthwise(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConversionPlan.fromJson("{\"convertDepthwise\": 1}"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("plan.convertDepthwise"), e.getMessage());
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
        assertEquals("ramp factor must be in (0, 1], got 0", e.getMessage());
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

    /**
     * withTheta reaches the overrides that inherit the default threshold (a layer listed for its structured ratio
     * only, as in the shipped plans) and leaves those with a threshold or density of their own (a zoo audit found
     * convert --theta changed nothing with a shipped plan).
     */
    @Test
    void withThetaReachesOverridesThatInheritTheDefaultThreshold() {
        ConversionPlan p = ConversionPlan.fromJson("{\"defaults\": {\"theta\": 0.004}, \"layers\": {\"a\": {\"structuredRatio\": 0.2},"
                + " \"b\": {\"theta\": 0.01}, \"c\": {\"density\": 0.1}, \"d\": {\"skip\": true}}}");
        ConversionPlan q = p.withTheta(0.05);
        assertEquals(0.05, q.defaults().theta());
        assertEquals(0.05, q.settingsFor("a").theta());
        assertEquals(0.2, q.settingsFor("a").structuredRatio());
        assertEquals(0.01, q.settingsFor("b").theta());
        assertEquals(0.004, q.settingsFor("c").theta());
        assertEquals(0.1, q.settingsFor("c").density());
        assertEquals(0.05, q.settingsFor("zzz").theta(), "a layer without an override");
        assertEquals(List.of("structuredRatio"), p.ownSettings("a"));
        assertEquals(List.of("theta"), p.ownSettings("b"));
        assertEquals(List.of("skip"), p.ownSettings("d"));
        assertEquals(List.of(), p.ownSettings("zzz"));
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
        assertEquals("plan.defaults.maxCoeff must be a power of two, got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("{\"defaults\": {\"theta\": \"x\"}}"));
        assertTrue(e.getMessage().contains("plan.defaults.theta must be a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson("[1"));
        assertTrue(e.getMessage().startsWith("plan is not valid JSON"), e.getMessage());
    }

    private static String message(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson(json)).getMessage();
    }

    @Test
    void nullTextIsNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> ConversionPlan.fromJson(null));
        assertEquals("ConversionPlan.fromJson: the JSON text must not be null", e.getMessage());
    }

    @Test
    void trailingContentAndDuplicateKeysAreErrorsNotIgnored() {
        assertEquals("plan has content after its JSON value, which ends at line 1, column 27; a plan is one JSON object",
                message("{\"defaults\":{\"theta\":0.01}} xyz"));
        assertEquals("plan has content after its JSON value, which ends at line 1, column 27; a plan is one JSON object",
                message("{\"defaults\":{\"theta\":0.01}} {\"defaults\":{\"theta\":0.9}}"));
        assertEquals("plan has key 'theta' twice in plan.defaults (line 1, column 27); each key may appear once",
                message("{\"defaults\":{\"theta\":0.01,\"theta\":0.9}}"));
        assertEquals("plan has key 'layers' twice in plan (line 1, column 14); each key may appear once",
                message("{\"layers\":{},\"layers\":{}}"));
        // the same key in two objects is fine
        ConversionPlan p = ConversionPlan.fromJson("{\"defaults\":{\"theta\":0.01},\"layers\":{\"fc\":{\"theta\":0.02}}}");
        assertEquals(0.02, p.settingsFor("fc").theta());
    }

    @Test
    void deepNestingAndHugeValuesGiveShortMessages() {
        // 200,000 levels used to overflow the stack, and the message printed the whole value
        String deep = "{\"description\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        String m = message(deep);
        assertTrue(m.startsWith("plan nests deeper than 64 levels (line 1, column 79) under plan.description[0][0]"), m);
        assertTrue(m.length() < 300, m);
        String huge = "{\"description\":[" + "1,".repeat(3_000_000) + "1]}";
        assertEquals("plan.description must be a string, got an array of 3000001 elements", message(huge));
        assertEquals("plan is empty: it must be a JSON object", message("  \n"));
        String longString = "{\"defaults\":{\"theta\":\"" + "x".repeat(100_000) + "\"}}";
        m = message(longString);
        assertTrue(m.startsWith("plan.defaults.theta must be a number, got \"xxx") && m.endsWith("... (100002 characters)"), m);
        assertTrue(m.length() < 200, m);
    }

    @Test
    void aPlanFileIsAtMost16MiBOfUtf8(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path big = dir.resolve("big.json");
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(big)) {
            out.write('{');
            out.write(new byte[ConversionPlan.MAX_PLAN_BYTES]); // NULs: never parsed
            out.write('}');
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.load(big));
        assertEquals(big + ": a plan may have at most 16777216 bytes (16 MiB; plans are a few KB of JSON), this file"
                + " has 16777218", e.getMessage());
        java.nio.file.Path latin1 = dir.resolve("latin1.json");
        java.nio.file.Files.write(latin1, new byte[] {'{', '"', 'd', 'e', 's', 'c', 'r', 'i', 'p', 't', 'i', 'o', 'n',
            '"', ':', '"', (byte) 0xE9, '"', '}'});
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.load(latin1));
        assertEquals(latin1 + ": a plan must be UTF-8 JSON text, but the file holds bytes that are not UTF-8", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.load(dir));
        assertTrue(e.getMessage().startsWith(dir + ": not a regular file (a folder)"), e.getMessage());
        java.nio.file.Path dup = dir.resolve("dup.json");
        java.nio.file.Files.writeString(dup, "{\"defaults\":{\"theta\":0.01,\"theta\":0.9}}");
        e = assertThrows(IllegalArgumentException.class, () -> ConversionPlan.load(dup));
        assertTrue(e.getMessage().startsWith(dup + ": plan has key 'theta' twice in plan.defaults"), e.getMessage());
    }
}
