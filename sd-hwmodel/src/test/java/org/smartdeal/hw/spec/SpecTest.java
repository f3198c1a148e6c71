package org.smartdeal.hw.spec;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec records: resource loading, validation messages, Table I/IX values, paper model shapes. */
class SpecTest {
    @Test
    void resourcesCarryPaperValues() {
        EnergyTable e = EnergyTable.paper28nm();
        assertEquals(100, e.pj("dram"));
        assertEquals(0.143, e.pj("mac"));
        assertEquals(1.36, e.pj("sram2048"), 1e-12, "2 KB bank, Table I low end");
        assertEquals(2.45, e.pj("sram16384"), 1e-12, "16 KB bank, Table I high end");
        assertEquals(1.36 + 1.09 / 3, e.pj("sram4096"), 1e-12, "4 KB bank, HWMODEL.md 1.4 gives 1.72");
        ArchSpec a = ArchSpec.paper();
        assertEquals(64 * 16 * 8, a.sdDimM() * a.sdDimC() * a.sdDimF(), "8K bit-serial multipliers [P T.IX]");
        assertEquals(1024, a.dnTn() * a.dnTi(), "1K 8-bit MACs");
        assertEquals(25.6, Knobs.defaults().dramBwBytesPerCycle());
        assertEquals(Knobs.defaults(), a.knobs(), "arch-v1.json and knobs-v1.json defaults agree");
    }

    @Test
    void validationNamesFieldRangeAndValue() {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
            () -> new Knobs(0, 25.6, Knobs.BaselineWeights.SAME, false, false, 0));
        assertTrue(x.getMessage().contains("Knobs.batch") && x.getMessage().contains("got 0"), x.getMessage());
        x = assertThrows(IllegalArgumentException.class,
            () -> new LayerSpec("l3", LayerType.CONV, 1, 8, 8, 1, 3, 3, 8, 8, 9, 8, 1, 1, 1, true));
        assertTrue(x.getMessage().contains("l3") && x.getMessage().contains("9x8"), x.getMessage());
        x = assertThrows(IllegalArgumentException.class, () -> new ActStats(1.2, 1, 1, 0, 1, 1, 1, 1, null));
        assertTrue(x.getMessage().contains("ActStats.dA must be in [0, 1], got 1.2"), x.getMessage());
        x = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": [1, 2}"));
        assertTrue(x.getMessage().contains("offset"), x.getMessage());
    }

    @Test
    void jsonRoundTrip() {
        Object v = Json.parse(Json.write(Map.of("k", List.of(1.5, "x\"y", true))));
        assertEquals(Map.of("k", List.of(1.5, "x\"y", true)), v);
    }

    /** Malformed JSON is an IllegalArgumentException naming the offset, never an exception from String or the stack. */
    @Test
    void malformedJsonIsNamedNotThrownThroughTheParser() {
        for (String bad : new String[] {"{", "{\"a\"", "{\"a\":", "[1,", "\"abc", "{\"a\":1,\"a\":2}", "-", "[1e]",
            "\"\\u12\"", "\"\\u-001\"", "\"\\u+041\"", "[".repeat(100_000)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad),
                bad.length() > 20 ? "deep nesting" : bad);
            assertTrue(e.getMessage().startsWith("JSON ") && e.getMessage().contains(" at offset "), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage()
            .contains("duplicate key 'a'"));
        assertEquals(List.of("a\tb\r"), Json.parse("[\"a\\tb\\r\"]"));
        // JSON's own grammar, not Java's: 0124 (a typo for 0.124) was read as 124; +1, .5, 5., a raw control
        // character and an unknown escape were accepted (a fuzzing audit, 2026-12-05)
        for (String bad : new String[] {"[0124]", "[+1]", "[.5]", "[5.]", "[-.5]", "[\"a\u0001b\"]", "[\"a\\qb\"]"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains(" at offset "), e.getMessage());
        }
        assertEquals(List.of(0.124, -0.0, 1e-5, 120.0, 7.0), Json.parse("[0.124, -0, 1e-5, 1.2E+2, 7]"));
        assertEquals(List.of("q\"/\\"), Json.parse("[\"q\\\"\\/\\\\\"]"));
    }

    /** A spec file of the user's own: the shipped table read from a file is the shipped table; mistakes are named. */
    @Test
    void aSpecFileIsReadStrictly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        String shipped;
        try (var in = Json.class.getResourceAsStream("/org/smartdeal/hw/energy-table-v1.json")) {
            shipped = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("t.json"), shipped);
        assertEquals(EnergyTable.paper28nm(), Specs.read(EnergyTable.class, f));
        String[][] cases = {
            {shipped.replace("\"dramPjPer8Bit\": 100", "\"dramPJPer8Bit\": 100"), "EnergyTable has no field 'dramPJPer8Bit'"},
            {shipped.replace("\"staticMw\": 0", "\"staticMw\": \"0\""), "EnergyTable.staticMw must be a number, got 0"},
            {shipped.replace("\"macPjPer8Bit\": 0.143", "\"macPjPer8Bit\": -1"), "EnergyTable.macPjPer8Bit must be in"},
            {shipped.replace("\"version\": 1", "\"version\": 2"), "version must be 1, got 2"},
            // JSON null reads as Infinity (the writer's form of an unlimited knob); where that breaks a range the
            // message says where the Infinity came from
            {shipped.replace("\"macPjPer8Bit\": 0.143", "\"macPjPer8Bit\": null"),
                "got Infinity (null, which reads as Infinity, in EnergyTable.macPjPer8Bit)"},
            {shipped.replace("\"values\"", "\"valuez\""), "unknown top-level key 'valuez'"},
            {"{\"version\": 1, \"values\": {}}", "EnergyTable.dramPjPer8Bit missing"},
            {shipped.substring(0, 200), "not an EnergyTable JSON file: JSON unexpected end"},
            // name and sources are not read, but their types were not checked either: a file whose notes were
            // misplaced (a number for the name, a list for the sources) was taken without a word (session 42's list)
            {shipped.replaceFirst("\"name\": \"[^\"]*\"", "\"name\": 28"), "'name' must be a string, got 28"},
            {shipped.replace("\"sources\": {", "\"sources\": [{").replaceFirst("}\\s*}\\s*$", "}]}"),
                "'sources' must be an object of notes"},
            {shipped.replace("\"sources\": {", "\"sources\": {\"note\": 100, "),
                "sources.note must be a string (a note on where the value comes from), got 100"},
        };
        for (String[] c : cases) {
            java.nio.file.Files.writeString(f, c[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Specs.read(EnergyTable.class, f));
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(c[1]), e.getMessage());
        }
        // a byte-order mark is read past; text that is not UTF-8 is named as such
        java.nio.file.Files.writeString(f, "\uFEFF" + shipped);
        assertEquals(EnergyTable.paper28nm(), Specs.read(EnergyTable.class, f));
        byte[] latin1 = shipped.replace("28 nm", "28 \u00b5m").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.nio.file.Files.write(f, latin1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Specs.read(EnergyTable.class, f)).getMessage()
            .contains(": not UTF-8 text"));
        java.nio.file.Files.write(f, new byte[(int) Specs.MAX_FILE_BYTES + 1]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Specs.read(EnergyTable.class, f)).getMessage()
            .contains("more than a spec file's"));
        // a nested record (the knobs inside an architecture) is checked field by field too
        String arch;
        try (var in = Json.class.getResourceAsStream("/org/smartdeal/hw/arch-v1.json")) {
            arch = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        java.nio.file.Files.writeString(f, arch);
        assertEquals(ArchSpec.paper(), Specs.read(ArchSpec.class, f));
        java.nio.file.Files.writeString(f, arch.replace("\"batch\"", "\"batchSize\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Specs.read(ArchSpec.class, f)).getMessage()
            .contains(".knobs: Knobs has no field 'batchSize'"));
    }

    @Test
    void boothDigitsFollowRadix4Definition() {
        assertEquals(0, ActStats.boothDigits(0));
        assertEquals(2, ActStats.boothDigits(3), "3 = 4 - 1");
        assertEquals(2, ActStats.boothDigits(7), "7 = 8 - 1");
        assertEquals(1, ActStats.boothDigits(64));
        assertEquals(2, ActStats.boothDigits(127), "127 = 128 - 1");
    }

    /**
     * Bit-pragmatic's oneffsets (DNNsim's BOOTH_ENCODING), by hand: bits read from the top with the bit and the two
     * below it; outside a run 111 gives +2^(i+1) and opens a run, any other 1 gives +2^i; inside a run 010/011 give
     * -2^i and 100 gives -2^i and closes the run.
     */
    @Test
    void oneffsetsRecodeRunsOfOnes() {
        assertEquals(0, ActStats.oneffsets(0));
        assertEquals(1, ActStats.oneffsets(1));
        // 11: window 110 at bit 1 is not a run, so +2 and then +1
        assertEquals(2, ActStats.oneffsets(3), "3 = 2 + 1");
        assertEquals(2, ActStats.oneffsets(5), "5 = 4 + 1");
        // 111: +8 at bit 2 (window 111), nothing at bit 1 (110), -1 at bit 0 (100, closes)
        assertEquals(2, ActStats.oneffsets(7), "7 = 8 - 1");
        assertEquals(2, ActStats.oneffsets(127), "127 = 128 - 1");
        // 1110111: +128 at bit 6, -8 at bit 3 (window 011), -1 at bit 0 (100)
        assertEquals(3, ActStats.oneffsets(119), "119 = 128 - 8 - 1");
        assertArrayEquals(new int[] {-1, 0, 0, -1, 0, 0, 0, 1, 0}, ActStats.oneffsetDigits(119));
        // 1110101: +128 at bit 6, -8 at bit 3 (010), -2 at bit 1 (010), -1 at bit 0 (100)
        assertEquals(4, ActStats.oneffsets(117), "117 = 128 - 8 - 2 - 1");
        assertArrayEquals(new int[] {-1, -1, 0, -1, 0, 0, 0, 1, 0}, ActStats.oneffsetDigits(117));
        // 11100: +32 at bit 4, -4 at bit 2 (100)
        assertEquals(2, ActStats.oneffsets(28), "28 = 32 - 4");
        // 11111111: +256 at bit 7, -1 at bit 0: the digit above the 8 bits
        assertArrayEquals(new int[] {-1, 0, 0, 0, 0, 0, 0, 0, 1}, ActStats.oneffsetDigits(255));
        assertEquals("ActStats.oneffsetDigits: magnitude must be in [0, 255], got 256",
            assertThrows(IllegalArgumentException.class, () -> ActStats.oneffsetDigits(256)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ActStats.oneffsets(-1));
    }

    /** The recoded digits are a signed-digit representation of every 8-bit magnitude that never needs more terms. */
    @Test
    void oneffsetDigitsSumToTheMagnitudeWithNoMoreTermsThanSetBits() {
        for (int v = 0; v < 256; v++) {
            int[] d = ActStats.oneffsetDigits(v);
            assertEquals(9, d.length);
            long sum = 0;
            int terms = 0;
            for (int i = 0; i < d.length; i++) {
                assertTrue(d[i] >= -1 && d[i] <= 1, v + ": digit " + i + " = " + d[i]);
                sum += (long) d[i] << i;
                if (d[i] != 0) terms++;
            }
            assertEquals(v, sum, "digits of " + v);
            assertEquals(terms, ActStats.oneffsets(v), "oneffsets of " + v);
            assertTrue(terms <= Integer.bitCount(v), v + ": " + terms + " terms > popcount " + Integer.bitCount(v));
        }
    }

    @Test
    void fittedActivationsReproduceFig3WithinThreePoints() {
        ActStats a = ActStats.fitted(8 * 0.202, 4 * 0.34, 0.271, 8, 16);
        assertEquals(0.798, 1 - a.bitsRaw() / 8, 0.03, "MBV2 bit sparsity [P Fig. 3]");
        assertEquals(0.660, 1 - a.boothDig() / 4, 0.03, "MBV2 Booth sparsity [P Fig. 3]");
        assertTrue(a.tSD() >= 1 && a.tSD() <= 4 && a.tPRA() >= 1 && a.tPRA() <= 8);
        assertTrue(a.praTerms() > 0 && a.praTerms() <= a.bitsRaw(), "recoding never adds terms: " + a.describe());
    }

    @Test
    void vectorDensityFitsTableTwoBetterThanTheConstantRatio() {
        double sseFit = 0, sseRatio = 0;
        for (double[] p : PaperModels.TABLE2_CE_W) {
            double fit = PaperModels.vectorDensity(p[0]), ratio = Math.min(1, 22.12 / 12.77 * p[0]);
            // every Table II (C_e, W) pair within 0.05 (worst: SD-, C_e 36.36% -> W 48.27%, fit 0.532)
            assertEquals(p[1], fit, 0.05, "W density at C_e density " + p[0]);
            sseFit += (fit - p[1]) * (fit - p[1]);
            sseRatio += (ratio - p[1]) * (ratio - p[1]);
        }
        // sum of squared errors: 0.0063 for the fit, 0.048 for min(1, 1.732 d) (exp. 7: 0.804 vs 0.672)
        assertEquals(0.0063, sseFit, 0.0005);
        assertTrue(sseRatio > 7 * sseFit, "constant-ratio SSE " + sseRatio);
        // Table III/IV C_e densities: ResNet-50 0.55 -> 0.738, ResNet-164 0.624 -> 0.806, MBV2 1 -> 1
        assertEquals(0.738, PaperModels.vectorDensity(0.55), 0.001);
        assertEquals(0.806, PaperModels.vectorDensity(0.624), 0.001);
        assertEquals(1.0, PaperModels.vectorDensity(1.0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PaperModels.vectorDensity(1.5));
    }

    @Test
    void paperModelShapesMatchPublishedMacCounts() {
        // published dense MACs (conv + FC): VGG-11 7.6 G, ResNet-50 4.1 G, MobileNetV2 0.30 G, EfficientNet-B0 0.39 G
        assertEquals(7.6e9, macs("vgg11"), 0.05 * 7.6e9);
        assertEquals(4.1e9, macs("resnet50"), 0.05 * 4.1e9);
        assertEquals(0.30e9, macs("mobilenetv2"), 0.05 * 0.30e9);
        assertEquals(0.39e9, macs("efficientnetb0"), 0.05 * 0.39e9);
        assertEquals(164, PaperModels.layers("resnet164").stream().filter(l -> !l.id().endsWith("_down")).count(),
            "ResNet-164 depth: 1 stem + 54 blocks x 3 convs + FC (shortcuts not counted)");
        assertTrue(PaperModels.layers("vgg11").stream().filter(l -> l.type() == LayerType.FC).noneMatch(LayerSpec::inBenchmark));
    }

    private static double macs(String m) {
        return PaperModels.layers(m).stream().mapToDouble(LayerSpec::macs).sum();
    }
}
