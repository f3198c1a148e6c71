package org.smartdeal.hw.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON reader and writer and the record binding of {@link Specs} at their edges (found by mutation testing,
 * docs/RESULTS.md 8): the writer's exact layout, every escape, the nesting limit at its bound, and each binding error
 * naming the field, what it must be and the value.
 */
class JsonSpecsEdgesTest {
    /** The message of the IllegalArgumentException that {@code x} throws. */
    private static String message(org.junit.jupiter.api.function.Executable x) {
        return assertThrows(IllegalArgumentException.class, x).getMessage();
    }

    @Test
    void writerLayout() {
        // Json.write: two-space indentation per level, "key": value, a newline at the end; lists on one line
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", 1);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", inner);
        m.put("l", Arrays.asList(1, 2.5, null, true, "x"));
        m.put("e", Map.of());
        assertEquals("{\n  \"a\": {\n    \"b\": 1\n  },\n  \"l\": [1, 2.5, null, true, \"x\"],\n  \"e\": {}\n}\n", Json.write(m));
        assertEquals("[]\n", Json.write(List.of()));
        // an object inside a list is indented one level deeper than the list
        assertEquals("[{\n    \"a\": 1\n  }]\n", Json.write(List.of(Map.of("a", 1))));
        assertEquals("{\n  \"1\": \"x\"\n}\n", Json.write(Map.of(1, "x")), "a non-string key is written as its text");
        assertEquals("\"SAME\"\n", Json.write(Knobs.BaselineWeights.SAME), "any other object as its quoted text");
    }

    @Test
    void writerNumbers() {
        // whole numbers below 1e15 in magnitude without a fraction; others as Double.toString; NaN and infinities null
        assertEquals("[-3, 0, 999999999999999, 1.0E15, -1.0E15, 0.5, null, null, null]\n", Json.write(List.of(-3.0, 0.0,
            999999999999999.0, 1e15, -1e15, 0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
        assertEquals("[7, 2.5]\n", Json.write(List.of(7, 2.5f)), "an Integer and a Float are numbers too");
    }

    @Test
    void writerEscapesAndReaderReadsThemBack() {
        // RFC 8259 section 7: quote and backslash escaped, control characters as \\uXXXX (newline as \\n)
        String t = "a\"b\\c\nd\u0001e\tf\u001fg\u0020h";
        String w = Json.write(List.of(t));
        assertEquals("[\"a\\\"b\\\\c\\nd\\u0001e\\u0009f\\u001fg h\"]\n", w);
        assertEquals(List.of(t), Json.parse(w));
        // every escape the reader knows, and \\u in upper and lower case hex
        assertEquals(List.of("\n\t\r\b\f\"\\/A\u00e9\u00E9\uffff"),
            Json.parse("[\"\\n\\t\\r\\b\\f\\\"\\\\\\/\\u0041\\u00e9\\u00E9\\uFFFF\"]"));
        assertEquals("JSON malformed \\u escape at offset 3", message(() -> Json.parse("\"\\u00g1\"")));
        assertEquals("JSON unexpected end at offset 3", message(() -> Json.parse("\"\\u004")));
        // four hex digits that end the text are read; then the closing quote is missing
        assertEquals("JSON unexpected end at offset 7", message(() -> Json.parse("\"\\u0041")));
        assertEquals("JSON control character U+001F inside a string (write it as an escape) at offset 3",
            message(() -> Json.parse("\"a\u001f\"")));
        assertEquals("JSON unknown escape '\\x' in a string at offset 3", message(() -> Json.parse("\"\\x\"")));
        assertEquals("", Json.parse("\"\""));
        assertEquals(" ", Json.parse("\" \""), "a space (0x20) is not a control character");
    }

    @Test
    void readerStructureAndOffsets() {
        assertEquals(List.of(1.0, List.of(), Map.of()), Json.parse(" \n[ 1 ,\t[ ] , { } ] \r\n"));
        assertEquals(Map.of("a", true, "b", false), Json.parse("{\"a\":true,\"b\":false}"));
        assertEquals(Map.of("a", 1.0), Json.parse("{ \"a\" : 1 }"), "blanks around the key, the colon and the value");
        assertEquals(List.of(1.0), Json.parse("[ 1 ]"));
        // the class's contract: objects are LinkedHashMaps and arrays ArrayLists, also when empty
        assertTrue(Json.parse("{ }") instanceof LinkedHashMap);
        assertTrue(Json.parse("[ ]") instanceof java.util.ArrayList);
        assertEquals(Arrays.asList((Object) null), Json.parse("[null]"));
        assertEquals("JSON trailing characters at offset 2", message(() -> Json.parse("1 2")));
        assertEquals("JSON unexpected character ']' at offset 3", message(() -> Json.parse("[1,]")));
        assertEquals("JSON unexpected character 'n' at offset 0", message(() -> Json.parse("nul")));
        assertEquals("JSON expected string at offset 1", message(() -> Json.parse("{1:2}")));
        // the error is found after reading the offending character: offset just past it
        assertEquals("JSON expected ':' at offset 6", message(() -> Json.parse("{\"a\" 1}")));
        assertEquals("JSON expected ',' or '}' at offset 8", message(() -> Json.parse("{\"a\":1 ]")));
        assertEquals("JSON expected ',' or ']' at offset 4", message(() -> Json.parse("[1 }")));
        assertEquals("JSON duplicate key 'a' at offset 8", message(() -> Json.parse("{\"a\":1, \"a\":2}")), "offset of the key");
        assertTrue(message(() -> Json.parse("[01]")).startsWith("JSON malformed number '01' (JSON numbers: "));
        assertEquals("JSON unexpected end at offset 0", message(() -> Json.parse("")));
    }

    @Test
    void nestingLimitIsTwoHundredFiftySix() {
        // Json.MAX_DEPTH: 256 levels are read, 257 refused; siblings do not add up (the depth is restored on return)
        Object deep = Json.parse("[".repeat(256) + "]".repeat(256));
        int levels = 0;
        for (Object o = deep; o instanceof List<?> l; o = l.isEmpty() ? null : l.get(0)) levels++;
        assertEquals(256, levels);
        // the offset is that of the bracket that opens level 257: 256 for arrays, 5 x 256 after 256 '{"a":'
        assertEquals("JSON nesting deeper than 256 at offset 256", message(() -> Json.parse("[".repeat(257) + "]".repeat(257))));
        assertEquals("JSON nesting deeper than 256 at offset 1280", message(() -> Json.parse("{\"a\":".repeat(256) + "[]"
            + "}".repeat(256))));
        String siblings = "[" + "[[]],".repeat(300) + "[]]";
        assertEquals(301, ((List<?>) Json.parse(siblings)).size());
    }

    @Test
    void typedReaders() {
        assertEquals("JSON text must be an object, got [1.0]", message(() -> Json.parseObject("[1]")));
        assertEquals(Map.of("a", 2.0), Json.parseObject("{\"a\": 2}"));
        Map<String, Object> o = Json.parseObject("{\"a\": 2, \"s\": \"x\"}");
        assertEquals(2, Json.num(o, "a"));
        assertEquals("JSON key 's' must be a number, got x", message(() -> Json.num(o, "s")));
        assertEquals("JSON key 'z' must be a number, got null", message(() -> Json.num(o, "z")));
        assertEquals("resource org/smartdeal/hw/none-v1.json not found", message(() -> Json.resource("none-v1.json")));
        assertEquals(1.0, Json.resource("knobs-v1.json").get("version"));
    }

    @Test
    void bindingErrorsNameFieldRuleAndValue() {
        Map<String, Object> k = knobs();
        assertEquals(Knobs.defaults(), Specs.bind(Knobs.class, k, "here"));
        assertEquals("here: Knobs values missing", message(() -> Specs.bind(Knobs.class, null, "here")));
        k.put("batch", 1.5);
        assertEquals("here: Knobs.batch must be a whole number, got 1.5", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("batch", 3e9);
        assertEquals("here: Knobs.batch must be a whole number, got 3000000000", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("batch", -3e9);
        assertEquals("here: Knobs.batch must be a whole number, got -3000000000", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("batch", "1");
        assertEquals("here: Knobs.batch must be a whole number, got 1", message(() -> Specs.bind(Knobs.class, k, "here")));
        // Integer.MAX_VALUE is a whole number in range: bound, then refused by Knobs' own range [1, 4096]
        k.put("batch", (double) Integer.MAX_VALUE);
        assertEquals("here: Knobs.batch must be in [1, 4096], got 2147483647", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("batch", (double) Integer.MIN_VALUE);
        assertEquals("here: Knobs.batch must be in [1, 4096], got -2147483648", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("batch", 2.0);
        assertEquals(2, Specs.bind(Knobs.class, k, "here").batch());
        k.put("baselineWeights", "SOME");
        assertEquals("here: Knobs.baselineWeights must be one of [SAME, DENSE], got 'SOME'",
            message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("baselineWeights", 1.0);
        assertEquals("here: Knobs.baselineWeights must be one of [SAME, DENSE], got 1",
            message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("baselineWeights", "DENSE");
        k.put("fuseOnChip", "yes");
        assertEquals("here: Knobs.fuseOnChip must be true or false, got yes", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("fuseOnChip", true);
        k.remove("rowZeroDefault");
        assertEquals("here: Knobs.rowZeroDefault missing", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("rowZeroDefault", null);
        assertEquals("here: Knobs.rowZeroDefault must be in [0, 0.99], got Infinity (null, which reads as Infinity, in "
            + "Knobs.rowZeroDefault)", message(() -> Specs.bind(Knobs.class, k, "here")));
        k.put("rowZeroDefault", 0.0);
        k.put("dramBwBytesPerCycle", null);
        assertEquals(Double.POSITIVE_INFINITY, Specs.bind(Knobs.class, k, "here").dramBwBytesPerCycle(), "null is unlimited");
        k.put("batch", 0.0);
        assertEquals("here: Knobs.batch must be in [1, 4096], got 0 (null, which reads as Infinity, in "
            + "Knobs.dramBwBytesPerCycle)", message(() -> Specs.bind(Knobs.class, k, "here")), "the note names every null");
        // a string component, a nested record that is not an object, a component type JSON cannot hold
        Map<String, Object> l = new LinkedHashMap<>(LayerSpec.fc("x", LayerType.FC, 1, 1, true).toMap());
        assertEquals("at: LayerSpec.id missing", message(() -> Specs.bind(LayerSpec.class, Map.of(), "at")));
        Map<String, Object> lv = new LinkedHashMap<>();
        lv.put("id", 5.0);
        assertEquals("at: LayerSpec.id must be a string, got 5", message(() -> Specs.bind(LayerSpec.class, lv, "at")));
        Map<String, Object> arch = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
        arch.put("knobs", 1.0);
        assertEquals("at: ArchSpec.knobs must be an object, got 1", message(() -> Specs.bind(ArchSpec.class, arch, "at")));
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("kind", "SD");
        w.put("nnzW", List.of());
        assertEquals("at: unsupported component type class [S for nnzW", message(() -> Specs.bind(WeightRep.class, w, "at")));
        assertEquals(17, l.size());
    }

    /** A record whose constructor fails other than by IllegalArgumentException. */
    record Boom(double x) {
        Boom {
            if (x == 1) throw new IllegalStateException("boom");
            if (x == 2) throw new AssertionError("bang");
        }
    }

    @Test
    void otherFailuresOfARecordConstructorPassThrough() {
        // Specs.bind adds the source only to the records' range checks (IllegalArgumentException); another runtime
        // exception is rethrown as it is, and an error is wrapped in an IllegalStateException
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> Specs.bind(Boom.class, Map.of("x", 1.0), "at"));
        assertEquals("boom", s.getMessage());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Specs.bind(Boom.class, Map.of("x", 2.0), "at"));
        assertTrue(e.getCause() instanceof AssertionError && e.getCause().getMessage().equals("bang"), String.valueOf(e.getCause()));
        assertEquals(new Boom(3), Specs.bind(Boom.class, Map.of("x", 3.0), "at"));
    }

    private static Map<String, Object> knobs() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("batch", 1.0);
        k.put("dramBwBytesPerCycle", 25.6);
        k.put("baselineWeights", "SAME");
        k.put("kappaPerSliceFetch", false);
        k.put("fuseOnChip", false);
        k.put("rowZeroDefault", 0.0);
        return k;
    }

    @Test
    void toMapAndSources() {
        Map<String, Object> a = Specs.toMap(ArchSpec.paper());
        // nested records as maps, enums by name (Specs.toMap); arch-v1.json's values
        assertEquals("SAME", ((Map<?, ?>) a.get("knobs")).get("baselineWeights"));
        assertEquals(16384.0, a.get("inputBankBytes"));
        assertEquals(64, a.get("sdDimM"));
        Map<String, Object> s = Specs.sources("knobs-v1.json");
        assertEquals(List.of("batch", "dramBwBytesPerCycle", "baselineWeights", "kappaPerSliceFetch", "fuseOnChip", "rowZeroDefault"),
            List.copyOf(s.keySet()));
        assertTrue(((String) s.get("batch")).startsWith("[A]"));
    }

    @Test
    void specFilesAtTheirLimits(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("k.json");
        String knobs = "{\"version\": 1, \"values\": " + Json.write(Specs.toMap(Knobs.defaults())).strip() + "}";
        // exactly Specs.MAX_FILE_BYTES bytes (padded with spaces) is read; one more is refused
        Files.writeString(f, knobs + " ".repeat((int) Specs.MAX_FILE_BYTES - knobs.length()));
        assertEquals(Specs.MAX_FILE_BYTES, Files.size(f));
        assertEquals(Knobs.defaults(), Specs.read(Knobs.class, f));
        Files.writeString(f, knobs + " ".repeat((int) Specs.MAX_FILE_BYTES + 1 - knobs.length()));
        assertEquals(f + ": more than a spec file's 1048576 bytes (a Knobs is a few KB)", message(() -> Specs.read(Knobs.class, f)));
        // "an" before a vowel: an ArchSpec, an EnergyTable
        Files.writeString(f, "[]");
        assertEquals(f + ": not an ArchSpec JSON file: JSON text must be an object, got []",
            message(() -> Specs.read(ArchSpec.class, f)));
        assertEquals(f + ": not a Knobs JSON file: JSON text must be an object, got []", message(() -> Specs.read(Knobs.class, f)));
        Files.writeString(f, "{\"version\": 1, \"values\": 3}");
        assertEquals(f + ": 'values' must be an object of Knobs fields, got 3", message(() -> Specs.read(Knobs.class, f)));
        Files.writeString(f, "{\"values\": {}}");
        assertEquals(f + ": version must be 1, got null", message(() -> Specs.read(Knobs.class, f)));
        Files.writeString(f, "{\"version\": 1, \"name\": \"mine\", \"values\": " + Json.write(Specs.toMap(Knobs.defaults())).strip()
            + ", \"sources\": {}}");
        assertEquals(Knobs.defaults(), Specs.read(Knobs.class, f), "name and sources are allowed");
        Files.writeString(f, "{\"version\": 1, \"values\": {\"batch\": 1, \"speed\": 2}}");
        assertEquals(f + ": values: Knobs has no field 'speed' (fields: batch, dramBwBytesPerCycle, baselineWeights, "
            + "kappaPerSliceFetch, fuseOnChip, rowZeroDefault)", message(() -> Specs.read(Knobs.class, f)));
    }
}
