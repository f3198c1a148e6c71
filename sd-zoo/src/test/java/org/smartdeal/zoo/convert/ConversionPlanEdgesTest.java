package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConversionPlan} and {@link ConversionPlans} at the bounds their Javadoc states (found by mutation testing:
 * each case below was a change of the code that no test noticed).
 */
class ConversionPlanEdgesTest {

    private static String message(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ConversionPlan.fromJson(json)).getMessage();
    }

    /** The record's constructor: "checks that each entry is keyed by its own layer name". */
    @Test
    void anOverrideKeyedByAnotherLayersNameIsRefused() {
        LayerPlan fc = LayerPlan.DEFAULTS.forLayer("fc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConversionPlan(LayerPlan.DEFAULTS, false, Map.of("conv1", fc)));
        assertEquals("plan.layers[conv1] holds settings for layer fc", e.getMessage());
        assertEquals(fc, new ConversionPlan(LayerPlan.DEFAULTS, false, Map.of("fc", fc)).settingsFor("fc"));
    }

    /** The class Javadoc: "unknown keys are errors", at the top level as in a layer. */
    @Test
    void anUnknownTopLevelKeyIsAnError() {
        assertEquals("plan has unknown key 'layer'; allowed: description, defaults, layers, convertDepthwise",
                message("{\"layer\": {}}"));
        assertEquals("plan has unknown key 'theta'; allowed: description, defaults, layers, convertDepthwise",
                message("{\"description\": \"x\", \"theta\": 0.01}"));
        assertEquals(ConversionPlan.defaultPlan(), ConversionPlan.fromJson("{}"), "every key is optional");
    }

    /**
     * fromJson's Javadoc: "Messages quote at most about 80 characters of any value". A key of exactly 80 characters
     * is quoted whole; one of 81 is cut to 80 and its length given.
     */
    @Test
    void aValueOfEightyCharactersIsQuotedWholeAndOneMoreIsCut() {
        String k80 = "k".repeat(80);
        assertEquals("plan has unknown key '" + k80 + "'; allowed: description, defaults, layers, convertDepthwise",
                message("{\"" + k80 + "\": 1}"));
        assertEquals("plan has unknown key '" + k80 + "... (81 characters)'; allowed: description, defaults, layers,"
                + " convertDepthwise", message("{\"" + k80 + "k\": 1}"));
    }

    /** summary(): containers are described by their size, never printed. */
    @Test
    void aContainerWhereANumberBelongsIsDescribedBySize() {
        assertEquals("plan.defaults.theta must be a number, got an object of 0 keys",
                message("{\"defaults\": {\"theta\": {}}}"));
        assertEquals("plan.layers[fc].sliceRows must be an integer, got an array of 2 elements",
                message("{\"layers\": {\"fc\": {\"sliceRows\": [1, 2]}}}"));
    }

    /**
     * JSON has one number type: an integer setting written 1E2 or 100.0 is 100 (found by a bug hunt: refused as "must
     * be an integer, got 100.0"); 100.5, 1E10 (beyond int) and a string are refused.
     */
    @Test
    void anIntegerSettingMayBeWrittenAsAnyJsonNumberOfIntegerValue() {
        assertEquals(100, ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 1E2}}").defaults().sliceRows());
        assertEquals(100, ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 100.0}}").defaults().sliceRows());
        assertEquals("plan.defaults.sliceRows must be an integer, got 100.5",
                message("{\"defaults\": {\"sliceRows\": 100.5}}"));
        assertTrue(message("{\"defaults\": {\"maxIter\": 1E10}}").startsWith("plan.defaults.maxIter must be an integer, got "));
        assertTrue(message("{\"defaults\": {\"maxIter\": \"5\"}}").startsWith("plan.defaults.maxIter must be an integer, got "));
    }

    /**
     * checkLayersExist names "at most 20" names (list(): the 21st and later are counted). 22 unknown layers, sorted
     * as strings (a TreeSet): l00 .. l19 are named, then "... 2 more".
     */
    @Test
    void moreThanTwentyUnknownLayersAreCounted() {
        StringBuilder json = new StringBuilder("{\"layers\": {");
        List<String> named = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            String name = String.format(java.util.Locale.ROOT, "l%02d", i);
            json.append(i == 0 ? "" : ",").append('"').append(name).append("\": {\"skip\": true}");
            if (i < 20) {
                named.add(name);
            }
        }
        ConversionPlan p = ConversionPlan.fromJson(json.append("}}").toString());
        named.add("... 2 more");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.checkLayersExist(List.of("fc")));
        assertEquals("plan.layers names layers the network does not have: " + named + "; the network's layers are [fc]",
                e.getMessage());
    }

    /**
     * load: "a regular file of at most MAX_PLAN_BYTES bytes" (16 MiB). A valid plan of exactly 16 MiB (a description
     * padded to the size) loads; the test of one byte more is ConversionPlanTest.aPlanFileIsAtMost16MiBOfUtf8.
     */
    @Test
    void aPlanOfExactlySixteenMiBLoads(@TempDir Path dir) throws Exception {
        byte[] head = "{\"description\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\",\"defaults\":{\"theta\":0.01}}".getBytes(StandardCharsets.US_ASCII);
        byte[] pad = new byte[ConversionPlan.MAX_PLAN_BYTES - head.length - tail.length];
        java.util.Arrays.fill(pad, (byte) 'x');
        Path exact = dir.resolve("exact.json");
        try (OutputStream out = Files.newOutputStream(exact)) {
            out.write(head);
            out.write(pad);
            out.write(tail);
        }
        assertEquals(16L << 20, Files.size(exact));
        assertEquals(0.01, ConversionPlan.load(exact).defaults().theta());
    }

    /** The five shipped plans, as README.md lists them (resnet18-cifar and mobilenetv2-cifar plans). */
    @Test
    void theShippedPlanNamesAreTheFiveOfTheReadme() {
        assertEquals(List.of("resnet18-cifar10", "resnet18-cifar10-delta", "resnet18-cifar100", "mobilenetv2-cifar10",
                "mobilenetv2-cifar100"), ConversionPlans.names());
    }
}
