package org.smartdeal.hw.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.hw.spec.Knobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReportFolder}: a report written again into the same folder replaces the previous report's files as
 * one set, removes those it no longer writes, keeps every file no report wrote, and leaves the folder as it
 * was when writing fails.
 */
class ReportFolderTest {

    @TempDir
    Path tmp;

    /** Every file under a folder with its content, relative paths with '/'. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator)
                if (Files.isRegularFile(p)) out.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p));
        }
        return out;
    }

    private static void put(Path dir, String rel, String text) throws IOException {
        Files.createDirectories(dir.resolve(rel).getParent());
        Files.writeString(dir.resolve(rel), text);
    }

    /** Writes a report of the given files (relative path, text, relative path, text, ...) with ReportFolder. */
    private static void report(Path out, String... files) {
        ReportFolder.write(out, d -> {
            for (int i = 0; i < files.length; i += 2) put(d, files[i], files[i + 1]);
        });
    }

    @Test
    void secondReportRemovesTheFilesItNoLongerWritesAndKeepsTheUsersFiles() throws IOException {
        Path out = tmp.resolve("out");
        put(out, "notes.txt", "mine");
        report(out, "summary.txt", "first", "models/a.json", "a1", "models/b.json", "b1", "charts/x.png", "x1");
        put(out, "models/mine.json", "mine too");
        report(out, "summary.txt", "second", "models/a.json", "a2");
        assertEquals(Map.of("notes.txt", "mine", "models/mine.json", "mine too", "summary.txt", "second", "models/a.json", "a2",
            ReportFolder.MANIFEST, Files.readString(out.resolve(ReportFolder.MANIFEST))), tree(out));
        assertFalse(Files.exists(out.resolve("charts")), "a folder the report emptied is removed");
        List<String> listed = Files.readAllLines(out.resolve(ReportFolder.MANIFEST)).stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of("models/a.json", "summary.txt"), listed);
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary folder is left next to the report");
        }
    }

    @Test
    void failureWhileWritingLeavesThePreviousSetUntouched() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "models/a.json", "a1");
        Map<String, String> before = tree(out);
        var e = assertThrows(IllegalStateException.class, () -> ReportFolder.write(out, d -> {
            put(d, "summary.txt", "second");
            throw new IllegalStateException("chart failed");
        }));
        assertEquals("chart failed", e.getMessage());
        assertEquals(before, tree(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList());
        }
    }

    @Test
    void aFileWhereTheReportNeedsAFolderFailsBeforeAnyChange() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        Files.writeString(out.resolve("charts"), "a file of the user's");
        Map<String, String> before = tree(out);
        var e = assertThrows(UncheckedIOException.class, () -> report(out, "summary.txt", "second", "charts/x.png", "x"));
        FileSystemException f = assertInstanceOf(FileSystemException.class, e.getCause());
        assertEquals(out.resolve("charts").toString(), f.getFile());
        assertTrue(f.getReason().contains("charts/x.png"), f.getReason());
        assertEquals(before, tree(out));
    }

    @Test
    void aFolderWhereTheReportWritesAFileFailsBeforeAnyChange() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        Files.createDirectories(out.resolve("models.csv"));
        Map<String, String> before = tree(out);
        var e = assertThrows(UncheckedIOException.class, () -> report(out, "summary.txt", "second", "models.csv", "m"));
        assertEquals(out.resolve("models.csv").toString(), ((FileSystemException) e.getCause()).getFile());
        assertEquals(before, tree(out));
    }

    @Test
    void manifestEntriesOutsideTheFolderAreNeverRemoved() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path outside = Files.writeString(tmp.resolve("precious.txt"), "keep");
        Files.writeString(out.resolve(ReportFolder.MANIFEST), "../precious.txt\n" + outside + "\n");
        report(out, "summary.txt", "s");
        assertEquals("keep", Files.readString(outside));
        assertEquals("s", Files.readString(out.resolve("summary.txt")));
    }

    @Test
    void aTargetThatIsAFileIsRejected() throws IOException {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        var e = assertThrows(UncheckedIOException.class, () -> report(file, "summary.txt", "s"));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void paperStudyWithoutSweepRemovesTheSweepFilesOfTheRunBefore() throws IOException {
        Path out = tmp.resolve("paper");
        // the files a run with the sweep wrote (sweep.csv, sweep-summary.md), and a file of the user's
        report(out, "sweep.csv", "config,model\n", "sweep-summary.md", "| config |\n");
        put(out, "mine.md", "mine");
        PaperStudy.run(out, Knobs.defaults(), false);
        assertFalse(Files.exists(out.resolve("sweep.csv")));
        assertFalse(Files.exists(out.resolve("sweep-summary.md")));
        assertEquals("mine", Files.readString(out.resolve("mine.md")));
        assertTrue(Files.size(out.resolve("paper-summary.json")) > 0);
        assertTrue(Files.readString(out.resolve(ReportFolder.MANIFEST)).contains("\nfig9-dram.png\n"));
    }
}
