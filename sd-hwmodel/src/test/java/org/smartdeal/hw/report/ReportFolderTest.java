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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.smartdeal.hw.report.ReportFolderFixtures.manifest;
import static org.smartdeal.hw.report.ReportFolderFixtures.put;
import static org.smartdeal.hw.report.ReportFolderFixtures.report;
import static org.smartdeal.hw.report.ReportFolderFixtures.tree;
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
        assertEquals(List.of("models/a.json", "summary.txt"), manifest(out));
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

    /**
     * A file no report listed, of a name the report writes (another command's summary.json in the same folder), is
     * refused before any change, where it used to be replaced; a file the previous report listed is replaced.
     */
    @Test
    void aFileOfTheUsersThatTheReportWouldReplaceFailsBeforeAnyChange() throws IOException {
        Path out = tmp.resolve("out");
        put(out, "summary.json", "the demo's");
        Map<String, String> before = tree(out);
        var e = assertThrows(UncheckedIOException.class, () -> report(out, "summary.json", "energy", "models.csv", "m"));
        FileSystemException f = assertInstanceOf(FileSystemException.class, e.getCause());
        assertEquals(out.resolve("summary.json").toString(), f.getFile());
        assertEquals("exists and is not a file of an earlier report (not listed in report-files.txt), and the report "
            + "writes a file of that name; move it away or write the report to another folder", f.getReason());
        assertEquals(before, tree(out));
        Files.delete(out.resolve("summary.json"));
        report(out, "summary.json", "energy 1");
        report(out, "summary.json", "energy 2");
        assertEquals("energy 2", Files.readString(out.resolve("summary.json")), "a report's own file is replaced");
    }

    /** The manifest gets the permissions every other file of the report gets (not a temporary file's rw-------). */
    @Test
    void theManifestHasTheReportFilesPermissions() throws IOException {
        Path probe = Files.createFile(tmp.resolve("probe"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getPosixFilePermissions(probe).contains(
            java.nio.file.attribute.PosixFilePermission.OTHERS_READ), "the umask gives new files no read for others, as "
            + "a temporary file: this test could not tell them apart");
        Files.delete(probe);
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        report(out, "summary.txt", "second");
        assertEquals(Files.getPosixFilePermissions(out.resolve("summary.txt")),
            Files.getPosixFilePermissions(out.resolve(ReportFolder.MANIFEST)));
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

    /**
     * A manifest line that is not UTF-8 (a hand edit in Latin-1, say) names no file a report wrote (the manifest is
     * written in UTF-8), so it is ignored like an entry outside the folder (found by a bug hunt: the manifest was read strictly,
     * and `smartdeal energy` into such a folder failed before pricing with "cannot read or write a file: Input length
     * = 1", naming neither the file nor the fault). The lines that are UTF-8 still count: summary.txt is replaced.
     */
    @Test
    void manifestLinesThatAreNotUtf8NameNoReportFile() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        put(out, "notes.txt", "mine");
        Files.write(out.resolve(ReportFolder.MANIFEST), new byte[] {'s', 'u', 'm', 'm', 'a', 'r', 'y', '.', 't', 'x', 't',
            '\n', (byte) 0xff, (byte) 0xfe, 'x', '\n'});
        ReportFolder.check(out, List.of("summary.txt"));
        report(out, "summary.txt", "second");
        assertEquals(Map.of("summary.txt", "second", "notes.txt", "mine", ReportFolder.MANIFEST,
            Files.readString(out.resolve(ReportFolder.MANIFEST))), tree(out));
        assertEquals(List.of("summary.txt"), manifest(out));
    }

    /**
     * check, before a report is computed: the conflicts write finds among the names given (another command's
     * file, a folder where a file goes, a file where a folder goes) are refused naming the path, and nothing on
     * disk changes; the earlier report's own files, a missing folder and unrelated files of the user's pass.
     */
    @Test
    void checkFindsTheConflictsOfTheNamesGivenAndChangesNothing() throws IOException {
        Path out = tmp.resolve("checked");
        ReportFolder.check(out, List.of("summary.json"));
        assertFalse(Files.exists(out), "a missing folder passes and is not created");
        report(out, "summary.json", "old", "models/a.json", "a");
        put(out, "notes.txt", "mine");
        Map<String, String> before = tree(out);
        ReportFolder.check(out, List.of("summary.json", "models/a.json", "models/b.json", "charts/x.png"));
        var e = assertThrows(UncheckedIOException.class, () -> ReportFolder.check(out, List.of("summary.json", "notes.txt")));
        assertTrue(e.getMessage().contains(out.resolve("notes.txt") + ": exists and is not a file of an earlier report"),
            e.getMessage());
        e = assertThrows(UncheckedIOException.class, () -> ReportFolder.check(out, List.of("models")));
        assertTrue(e.getMessage().contains("is a folder, but the report writes a file of that name"), e.getMessage());
        e = assertThrows(UncheckedIOException.class, () -> ReportFolder.check(out, List.of("notes.txt/x.json")));
        assertTrue(e.getMessage().contains("is a file, but the report writes notes.txt/x.json into a folder"), e.getMessage());
        ReportFolder.check(out, List.of("summary.json/x.json")); // the earlier report's file, removed by the new set
        assertEquals(before, tree(out), "nothing changed");
        // a folder a killed commit left as .<name>.previous, which write would restore first, is the one checked
        Path gone = tmp.resolve("gone");
        Files.move(out, ReportFolder.backupOf(gone));
        e = assertThrows(UncheckedIOException.class, () -> ReportFolder.check(gone, List.of("notes.txt")));
        assertTrue(e.getMessage().contains("notes.txt: exists and is not a file of an earlier report"), e.getMessage());
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        e = assertThrows(UncheckedIOException.class, () -> ReportFolder.check(file, List.of("summary.json")));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
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
        java.util.List<String> steps = new java.util.ArrayList<>();
        Map<String, Object> summary = PaperStudy.run(out, Knobs.defaults(), false, steps::add);
        assertEquals(java.util.List.of("priced 7 models", "wrote tables and charts", "band analysis", "training study"),
                steps);
        assertEquals(PaperStudy.steps(false), steps.size());
        assertFalse(Files.exists(out.resolve("sweep.csv")));
        assertFalse(Files.exists(out.resolve("sweep-summary.md")));
        assertEquals("mine", Files.readString(out.resolve("mine.md")));
        assertTrue(Files.size(out.resolve("paper-summary.json")) > 0);
        assertTrue(Files.readString(out.resolve(ReportFolder.MANIFEST)).contains("\nfig9-dram.png\n"));
        // the names the CLI checks the folder against before the study are the files written
        java.util.TreeSet<String> listed = new java.util.TreeSet<>(Files.readAllLines(out.resolve(ReportFolder.MANIFEST)));
        listed.removeIf(l -> l.startsWith("#") || l.isBlank());
        assertEquals(new java.util.TreeSet<>(PaperStudy.fileNames(false)), listed);
        java.util.List<String> withSweep = new java.util.ArrayList<>(PaperStudy.fileNames(true));
        withSweep.removeAll(PaperStudy.fileNames(false));
        assertEquals(java.util.List.of("sweep.csv", "sweep-summary.md"), withSweep);
        // every file PaperStudy's Javadoc lists; the summary returned is paper-summary.json
        for (String f : List.of("layers.csv", "actions.csv", "knobs.json", "paper-comparison.md", "band-analysis.md",
            TrainingStudy.ACTIONS_CSV, TrainingStudy.SUMMARY_JSON, "workloads/resnet164.json", "models/resnet164-scnn.json",
            "models/efficientnetb0-smartdeal.json"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertFalse(Files.exists(out.resolve("models/efficientnetb0-scnn.json")), "SCNN is not run on EfficientNet-B0 [P]");
        for (String fig : List.of("fig8-energy-efficiency-vs-diannao.csv", "fig9-dram-vs-smartdeal.csv", "fig10-speedup-vs-diannao.csv"))
            assertEquals(8, Files.readAllLines(out.resolve(fig)).size(), fig + ": a header and the seven models");
        assertEquals(7, summary.size());
        assertEquals(org.smartdeal.hw.spec.Json.parse(Files.readString(out.resolve("paper-summary.json"))).toString(),
            org.smartdeal.hw.spec.Json.parse(org.smartdeal.hw.spec.Json.write(summary)).toString());
    }

    /** A copy of a folder tree (links copied as links), as a process killed at this instant leaves the disk. */
    private static void snapshot(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) Files.createSymbolicLink(q, Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
    }

    /** The report files, the user's files and the manifest of a complete set (manifest lines without comments). */
    private static Map<String, String> set(Path out) throws IOException {
        Map<String, String> t = tree(out);
        if (t.containsKey(ReportFolder.MANIFEST))
            t.put(ReportFolder.MANIFEST, String.join(",", Files.readAllLines(out.resolve(ReportFolder.MANIFEST)).stream()
                .filter(l -> !l.startsWith("#")).toList()));
        return t;
    }

    @Test
    void aProcessKilledAtAnyStepOfTheCommitLeavesTheOldOrTheNewCompleteSet() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path out = work.resolve("out");
        report(out, "summary.txt", "first", "models/a.json", "a1", "models/b.json", "b1", "sweep.csv", "s1");
        put(out, "notes.txt", "mine");
        Map<String, String> oldSet = set(out);
        Map<String, String> snapshots = new TreeMap<>();
        ReportFolder.afterStep = step -> {
            try {
                Path snap = tmp.resolve("killed-" + snapshots.size());
                snapshot(work, snap);
                snapshots.put(step, snap.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try {
            report(out, "summary.txt", "second", "models/a.json", "a2");
        } finally {
            ReportFolder.afterStep = step -> { };
        }
        Map<String, String> newSet = set(out);
        assertEquals(Map.of("summary.txt", "second", "models/a.json", "a2", "notes.txt", "mine",
            ReportFolder.MANIFEST, "models/a.json,summary.txt"), newSet);
        assertEquals(List.of("new set in place", "previous moved aside", "staged", "written"), List.copyOf(snapshots.keySet()));
        for (Map.Entry<String, String> k : snapshots.entrySet()) {
            Path killedOut = Path.of(k.getValue()).resolve("out");
            // as the kill left it: the old set, the new set, or (between the renames) the old set aside
            if (Files.exists(killedOut)) {
                Map<String, String> now = set(killedOut);
                assertTrue(now.equals(oldSet) || now.equals(newSet), k.getKey() + ": a mix " + now);
            } else {
                assertEquals(oldSet, set(ReportFolder.backupOf(killedOut)), k.getKey());
            }
            // the next write's recovery makes it one complete set and removes the leftovers
            ReportFolder.recover(killedOut);
            Map<String, String> recovered = set(killedOut);
            assertTrue(recovered.equals(oldSet) || recovered.equals(newSet), k.getKey() + ": a mix " + recovered);
            try (Stream<Path> s = Files.list(killedOut.getParent())) {
                assertEquals(List.of(killedOut), s.toList(), k.getKey() + ": leftovers");
            }
        }
    }

    @Test
    void staleTemporaryFoldersOfThisFolderAreRemovedButNotThoseOfARunningProcess() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        Path running = Files.createDirectory(tmp.resolve(".out.partial-" + live + "-1"));
        Path dead = Files.createDirectory(tmp.resolve(".out.partial-" + Integer.MAX_VALUE + "-2"));
        put(dead, "summary.txt", "half");
        Path olderVersion = Files.createDirectory(tmp.resolve(".out.partial-123456789"));
        Path otherFolder = Files.createDirectory(tmp.resolve(".other.partial-1-1"));
        report(out, "summary.txt", "second");
        assertTrue(Files.exists(running) && Files.exists(otherFolder));
        assertFalse(Files.exists(dead) || Files.exists(olderVersion));
        assertEquals("second", Files.readString(out.resolve("summary.txt")));
    }

    @Test
    void theUsersFilesLinksFoldersAndPermissionsSurviveTheSwap() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "charts/x.png", "x");
        put(out, "data/big.bin", "user data");
        Path before = out.resolve("data/big.bin");
        Object inode = Files.readAttributes(before, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        Files.createDirectories(out.resolve("empty"));
        Files.createSymbolicLink(out.resolve("elsewhere"), tmp);
        boolean posix = Files.getFileAttributeView(out, java.nio.file.attribute.PosixFileAttributeView.class) != null;
        if (posix) Files.setPosixFilePermissions(out, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        report(out, "summary.txt", "second");
        assertEquals("user data", Files.readString(out.resolve("data/big.bin")));
        if (inode != null) {
            assertEquals(inode, Files.readAttributes(out.resolve("data/big.bin"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "the same file, linked, not copied");
        }
        assertTrue(Files.isDirectory(out.resolve("empty")));
        assertEquals(tmp, Files.readSymbolicLink(out.resolve("elsewhere")));
        assertFalse(Files.exists(out.resolve("charts")), "the folder the report emptied is gone");
        if (posix) assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(out)));
        // a link to the report folder is followed: the folder it points to is replaced, the link kept
        Path link = Files.createSymbolicLink(tmp.resolve("current"), out);
        report(link, "summary.txt", "third");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("third", Files.readString(out.resolve("summary.txt")));
    }

    @Test
    void aReadOnlyFolderOfTheUsersGetsItsPermissionsOnlyAfterItsEntriesAreCarried() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        put(out, "notes/deep/readme.txt", "mine");
        put(out, "notes/top.txt", "mine too");
        boolean posix = Files.getFileAttributeView(out, java.nio.file.attribute.PosixFileAttributeView.class) != null;
        if (posix) {
            Files.setPosixFilePermissions(out.resolve("notes/deep"), java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.setPosixFilePermissions(out.resolve("notes"), java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        List<String> events = new java.util.ArrayList<>();
        ReportFolder.trace = (event, path) -> events.add(event + " "
            + (path.getFileName().toString().startsWith(".out.partial-") ? "<staged>" : path.getFileName()));
        try {
            report(out, "summary.txt", "second");
            report(out, "summary.txt", "third"); // every later report too
        } finally {
            ReportFolder.trace = (event, path) -> { };
        }
        assertEquals("mine", Files.readString(out.resolve("notes/deep/readme.txt")));
        assertEquals("mine too", Files.readString(out.resolve("notes/top.txt")));
        assertEquals("third", Files.readString(out.resolve("summary.txt")));
        if (posix) assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(out.resolve("notes"))));
        // per report: both files carried, then the folders' permissions, deepest first
        List<String> one = events.subList(0, events.size() / 2);
        assertEquals(one, events.subList(events.size() / 2, events.size()));
        int deep = one.indexOf("permissions deep"), notes = one.indexOf("permissions notes");
        assertTrue(deep > one.indexOf("carried readme.txt") && deep > one.indexOf("carried top.txt") && notes > deep, one.toString());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "the previous folder, read-only folders and all, is deleted");
        }
    }

    @Test
    void filesTheUserMakesWhileTheReportIsStagedAreMovedIntoTheNewFolder() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        put(out, "notes.txt", "mine");
        ReportFolder.afterStep = step -> {
            if (!step.equals("staged")) return;
            try {
                put(out, "late.txt", "written meanwhile");
                put(out, "late/dir/x.txt", "x");
                Files.createDirectories(out.resolve("late-empty"));
                Files.writeString(out.resolve("notes.txt"), "replaced meanwhile"); // same file: linked
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try {
            report(out, "summary.txt", "second");
        } finally {
            ReportFolder.afterStep = step -> { };
        }
        assertEquals(Map.of("summary.txt", "second", "notes.txt", "replaced meanwhile", "late.txt", "written meanwhile",
            "late/dir/x.txt", "x", ReportFolder.MANIFEST, "summary.txt"), set(out));
        assertTrue(Files.isDirectory(out.resolve("late-empty")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "the previous folder is deleted once nothing of the user's is in it");
        }
    }

    @Test
    void aPreviousFolderLeftByAKilledProcessGivesBackTheUsersFilesBeforeItIsDeleted() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        Path previous = ReportFolder.backupOf(out);
        snapshot(out, previous);
        put(previous, "late.txt", "written meanwhile");
        ReportFolder.recover(out);
        assertEquals("written meanwhile", Files.readString(out.resolve("late.txt")));
        assertFalse(Files.exists(previous));
    }

    @Test
    void aWorkingFolderReachedThroughALinkedParentIsUpdatedInPlace() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        Path out = link.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        Object folder = Files.readAttributes(real.resolve("out"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        ReportFolder.workingFolder = () -> real.resolve("out");
        try {
            report(out, "summary.txt", "second");
        } finally {
            ReportFolder.workingFolder = () -> Path.of("").toAbsolutePath();
        }
        assertEquals(Map.of("summary.txt", "second", ReportFolder.MANIFEST, "summary.txt"), set(real.resolve("out")));
        if (folder != null) assertEquals(folder, Files.readAttributes(real.resolve("out"),
            java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "the working folder itself, not a new one");
    }

    @Test
    void temporaryFoldersNamedWithoutAProcessNumberAreStale() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        Path letters = Files.createDirectory(tmp.resolve(".out.partial-abc-1")), dash = Files.createDirectory(tmp.resolve(".out.partial--7"));
        put(letters, "summary.txt", "half");
        report(out, "summary.txt", "second");
        assertFalse(Files.exists(letters) || Files.exists(dash));
    }

    @Test
    void aWorkingFolderThatNoLongerExistsDoesNotStopTheSwap() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        ReportFolder.workingFolder = () -> tmp.resolve("gone").resolve("deeper");
        try {
            report(out, "summary.txt", "second");
        } finally {
            ReportFolder.workingFolder = () -> Path.of("").toAbsolutePath();
        }
        assertEquals(Map.of("summary.txt", "second", ReportFolder.MANIFEST, "summary.txt"), set(out));
    }

    @Test
    void anUpdateInPlaceLeavesNoTemporaryFolderAndKeepsTheUsersEmptyFolder() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        Files.createDirectories(out.resolve("empty"));
        ReportFolder.workingFolder = () -> out;
        try {
            report(out, "summary.txt", "second");
        } finally {
            ReportFolder.workingFolder = () -> Path.of("").toAbsolutePath();
        }
        assertEquals(Map.of("summary.txt", "second", ReportFolder.MANIFEST, "summary.txt"), set(out));
        assertTrue(Files.isDirectory(out.resolve("empty")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary folder is left next to the report");
        }
        // swapped, not in place: the user's empty folder is carried into the new folder
        report(out, "summary.txt", "third");
        assertTrue(Files.isDirectory(out.resolve("empty")), "an empty folder of the user's is carried");
    }

    /**
     * A file the user makes while the report is staged, where the new set now has a folder of that name, cannot be moved
     * into the new folder: the previous folder is kept (renamed .out.kept-TIME) with the file in it, not deleted; a
     * folder the user makes meanwhile gets the permissions it was made with.
     */
    @Test
    void aLateFileThatCannotBeMovedBackKeepsThePreviousFolder() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        java.util.Set<java.nio.file.attribute.PosixFilePermission> own = java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        ReportFolder.afterStep = step -> {
            if (!step.equals("staged")) return;
            try {
                put(out, "u", "mine");
                put(out, "late/dir/x.txt", "x");
                Files.setPosixFilePermissions(out.resolve("late"), own);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream warning = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warning, true));
        try {
            report(out, "summary.txt", "second", "u/f.txt", "new");
        } finally {
            ReportFolder.afterStep = step -> { };
            System.setErr(err);
        }
        assertEquals("new", Files.readString(out.resolve("u/f.txt")));
        assertEquals("x", Files.readString(out.resolve("late/dir/x.txt")));
        assertEquals(own, Files.getPosixFilePermissions(out.resolve("late")));
        List<Path> kept;
        try (Stream<Path> s = Files.list(tmp)) {
            kept = s.filter(p -> p.getFileName().toString().startsWith(".out.kept-")).toList();
        }
        assertEquals(1, kept.size(), "the previous folder is kept");
        assertEquals("mine", Files.readString(kept.get(0).resolve("u")));
        assertTrue(warning.toString().contains(kept.get(0).toString()), warning.toString());
    }
    /**
     * Two threads of one JVM writing reports into one folder (a library user's): the second's clean-up of leftovers
     * must not take the first's staged folder for a dead process's (its pid is the same). It did: the first then
     * committed the one file it wrote after the deletion, its earlier file lost, with no error (found by a review).
     * Each report is complete; the last committed wins.
     */
    @Test
    void aSecondThreadWritingTheSameFolderLeavesTheFirstThreadsStagedReportAlone() throws Exception {
        Path out = tmp.resolve("out");
        report(out, "a.txt", "1", "b.txt", "1");
        CountDownLatch inBody = new CountDownLatch(1), go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                ReportFolder.write(out, d -> {
                    Reports.write(d.resolve("a.txt"), "A");
                    inBody.countDown();
                    try {
                        go.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    Reports.write(d.resolve("b.txt"), "A");
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        first.start();
        try {
            assertTrue(inBody.await(30, TimeUnit.SECONDS), "the first report reached its body");
            report(out, "a.txt", "B", "b.txt", "B");
            assertEquals("B", tree(out).get("b.txt"), "the second report is in place, whole");
            assertEquals("B", tree(out).get("a.txt"));
        } finally {
            go.countDown();
            first.join(30_000);
        }
        assertEquals(null, failure.get());
        Map<String, String> last = tree(out);
        assertEquals("A", last.get("a.txt"), "the first report's earlier file is kept: " + last);
        assertEquals("A", last.get("b.txt"));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("out"), left.map(p -> p.getFileName().toString()).toList(), "nothing staged is left");
        }
    }
}
