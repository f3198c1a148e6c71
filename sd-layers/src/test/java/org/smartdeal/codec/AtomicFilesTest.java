package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicFiles}: single and grouped replacement, and what a failure leaves behind. */
class AtomicFilesTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeAllReplacesEveryTarget(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a.json"), utf8("old a"));
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(dir.resolve("a.json"), utf8("new a"));
        files.put(dir.resolve("b.sdm"), utf8("new b"));
        AtomicFiles.writeAll(files);
        assertArrayEquals(utf8("new a"), Files.readAllBytes(dir.resolve("a.json")));
        assertArrayEquals(utf8("new b"), Files.readAllBytes(dir.resolve("b.sdm")));
        assertEquals(List.of("a.json", "b.sdm"), names(dir), "no temporary file left");
    }

    /** The second target's folder is missing: staging fails, and the first target keeps its old content. */
    @Test
    void aFailureWhileStagingLeavesEveryTargetAsItWas(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a.json"), utf8("old a"));
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(dir.resolve("a.json"), utf8("new a"));
        files.put(dir.resolve("missing").resolve("b.sdm"), utf8("new b"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeAll(files));
        assertArrayEquals(utf8("old a"), Files.readAllBytes(dir.resolve("a.json")));
        assertEquals(List.of("a.json"), names(dir), "the staged temporary file of a.json is deleted");
        // the message names the file asked for and its missing folder, not a hidden temporary file
        Path b = dir.resolve("missing").resolve("b.sdm");
        assertEquals(b + ": its folder " + b.getParent() + " does not exist; nothing was written", e.getMessage());
        Files.write(dir.resolve("plain"), utf8("x"));
        assertEquals(dir.resolve("plain").resolve("c.sdm") + ": its folder " + dir.resolve("plain")
                + " is not a folder; nothing was written", assertThrows(IOException.class,
                () -> AtomicFiles.write(dir.resolve("plain").resolve("c.sdm"), utf8("c"))).getMessage());
    }

    @Test
    void writeReplacesOneTargetAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("x.sdm");
        AtomicFiles.write(t, utf8("one"));
        AtomicFiles.write(t, out -> out.write(utf8("two")));
        assertArrayEquals(utf8("two"), Files.readAllBytes(t));
        assertEquals(List.of("x.sdm"), names(dir));
        assertThrows(IOException.class, () -> AtomicFiles.write(t, out -> {
            out.write(utf8("partial"));
            throw new IOException("the body fails");
        }));
        assertArrayEquals(utf8("two"), Files.readAllBytes(t), "a failing body leaves the target as it was");
        assertEquals(List.of("x.sdm"), names(dir));
    }
}
