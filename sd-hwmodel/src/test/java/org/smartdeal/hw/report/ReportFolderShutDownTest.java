package org.smartdeal.hw.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smartdeal.hw.report.ReportFolderFixtures.put;
import static org.smartdeal.hw.report.ReportFolderFixtures.report;
import static org.smartdeal.hw.report.ReportFolderFixtures.tree;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.codec.AtomicFiles;
import org.smartdeal.codec.AtomicFilesShutDowns;

/**
 * {@link ReportFolder} and the JVM's shutdown ({@link AtomicFiles#shutDown}, which the {@code smartdeal} command line's
 * hook calls on Ctrl-C or SIGTERM) while a report is staged: the staged folder {@code .<name>.partial-<pid>-<n>} is
 * deleted, the previous report is left as it was, and the writes still running fail without making anything again
 * (the folder used to stay until the next report into the same folder).
 */
class ReportFolderShutDownTest {

    @TempDir
    Path tmp;

    @AfterEach
    void resume() {
        ReportFolder.trace = (event, path) -> { };
        AtomicFilesShutDowns.resume();
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aShutdownWhileTheReportIsWrittenDeletesTheStagedFolderAndRefusesTheWritesAfterIt() throws Exception {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "models/a.json", "a1");
        Map<String, String> before = tree(out);
        CountDownLatch staged = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<List<String>> afterRefusal = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                ReportFolder.write(out, d -> {
                    Reports.write(d.resolve("summary.txt"), "second");
                    Reports.write(d.resolve("models/a.json"), "a2");
                    staged.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException();
                    }
                    try {
                        Reports.write(d.resolve("charts/x.png"), "x"); // its folder, and the staged one, are gone
                    } finally {
                        afterRefusal.set(names());
                    }
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        assertTrue(staged.await(30, TimeUnit.SECONDS), "the writer reached its body: " + failure.get());
        assertEquals(1, names().stream().filter(n -> n.startsWith(".out.partial-")).count(), names().toString());
        AtomicFiles.shutDown();
        assertEquals(List.of("out"), names(), "the staged folder is deleted by the shutdown");
        release.countDown();
        writer.join(30_000);
        assertFalse(writer.isAlive(), "the writer ended");
        UncheckedIOException e = assertInstanceOf(UncheckedIOException.class, failure.get());
        assertInstanceOf(InterruptedIOException.class, e.getCause(), "the write after the shutdown is refused");
        assertEquals(List.of("out"), afterRefusal.get(), "the refused write made nothing again");
        assertEquals(before, tree(out), "the previous report is as it was");

        // a report begun after the shutdown makes nothing, not even its missing parent folder
        e = assertThrows(UncheckedIOException.class, () -> report(out, "summary.txt", "third"));
        assertInstanceOf(InterruptedIOException.class, e.getCause());
        e = assertThrows(UncheckedIOException.class, () -> report(tmp.resolve("new").resolve("out"), "summary.txt", "s"));
        assertInstanceOf(InterruptedIOException.class, e.getCause());
        assertEquals(List.of("out"), names());
        assertEquals(before, tree(out));
    }

    /**
     * A body writing with plain NIO after the shutdown deleted its folder meets a {@link java.nio.file.NoSuchFileException};
     * {@link ReportFolder#write} reports it as the interruption it is, the NIO failure as its cause, whether the body
     * threw it as it is or wrapped in an {@link UncheckedIOException} (found by a review: it came through as a missing
     * file). A failure of the body's own before any shutdown keeps its type.
     */
    @Test
    void aBodyWritingWithPlainNioAfterTheShutdownReportsTheInterruption() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        Map<String, String> before = tree(out);
        var e = assertThrows(UncheckedIOException.class, () -> ReportFolder.write(out, d -> {
            throw new java.nio.file.NoSuchFileException(d.resolve("mine").toString());
        }));
        assertInstanceOf(java.nio.file.NoSuchFileException.class, e.getCause(), "no shutdown: the body's own failure");
        for (boolean wrapped : new boolean[] {false, true}) {
            e = assertThrows(UncheckedIOException.class, () -> ReportFolder.write(out, d -> {
                AtomicFiles.shutDown(); // as the hook would, on another thread, while the body writes
                if (wrapped) {
                    try {
                        Files.writeString(d.resolve("summary.txt"), "second");
                    } catch (IOException x) {
                        throw new UncheckedIOException(x);
                    }
                } else {
                    Files.writeString(d.resolve("summary.txt"), "second");
                }
            }), "wrapped " + wrapped);
            assertInstanceOf(InterruptedIOException.class, e.getCause(), "wrapped " + wrapped + ": " + e.getCause());
            assertInstanceOf(java.nio.file.NoSuchFileException.class, e.getCause().getCause(), "wrapped " + wrapped);
            AtomicFilesShutDowns.resume();
        }
        // an interruption the body reports itself is passed on as it is, not wrapped in another
        java.io.InterruptedIOException own = new java.io.InterruptedIOException("the body's own");
        e = assertThrows(UncheckedIOException.class, () -> ReportFolder.write(out, d -> {
            AtomicFiles.shutDown();
            throw own;
        }));
        assertTrue(e.getCause() == own, "the body's InterruptedIOException itself: " + e.getCause());
        AtomicFilesShutDowns.resume();
        assertEquals(List.of("out"), names());
        assertEquals(before, tree(out), "the previous report is as it was");
    }

    /**
     * A shutdown while the user's files are carried into the staged folder (step 3 of {@link ReportFolder}): the folder
     * is deleted and the next user's folder is not made in it again (the carry stops).
     */
    @Test
    void aShutdownWhileTheUsersFilesAreCarriedStopsTheCarry() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        put(out, "u1/f", "mine");
        put(out, "u2/g", "mine too");
        Map<String, String> before = tree(out);
        List<String> carried = new ArrayList<>();
        ReportFolder.trace = (event, path) -> {
            if (event.equals("carried")) {
                carried.add(path.getFileName().toString());
                AtomicFiles.shutDown(); // on the writing thread: the lock is its own
            }
        };
        var e = assertThrows(UncheckedIOException.class, () -> report(out, "summary.txt", "second"));
        assertInstanceOf(InterruptedIOException.class, e.getCause(), String.valueOf(e.getCause()));
        assertEquals(1, carried.size(), "the second user's folder is not made in the deleted staged folder: " + carried);
        assertEquals(List.of("out"), names());
        assertEquals(before, tree(out));
    }
    /**
     * The shutdown deletes a staged folder without following links: a link inside it to a read-only folder outside,
     * a link to a file there, and a registered staging path that was replaced by a link, leave the outside folder,
     * its file and its permissions as they were (found by a review, by mutating the deletion to follow links).
     */
    @Test
    void aShutdownDeletesAStagedFolderWithoutFollowingItsLinks() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectory(outside.resolve("sub"));
        Files.writeString(outside.resolve("keep"), "k");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("r-x------"));
        try {
            Path staged = AtomicFiles.createStagingFolder(tmp.resolve(".r.partial-1-1"));
            Files.createSymbolicLink(staged.resolve("link"), outside);
            Files.createSymbolicLink(staged.resolve("flink"), outside.resolve("keep"));
            Path replaced = AtomicFiles.createStagingFolder(tmp.resolve(".r.partial-1-2"));
            Files.delete(replaced);
            Files.createSymbolicLink(replaced, outside);
            AtomicFiles.shutDown();
            assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)));
            assertEquals("k", Files.readString(outside.resolve("keep")));
            assertTrue(Files.isDirectory(outside.resolve("sub")));
            assertFalse(Files.exists(staged, LinkOption.NOFOLLOW_LINKS), "the staged folder is deleted");
        } finally {
            Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
