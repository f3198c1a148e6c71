package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * A write deletes the temporary files of its targets that a killed process left: not modified for a minute and
     * of a process that no longer runs (a pid above any the system gives) or of this one without being staged (a
     * container's pid, the same in every run). It keeps recent ones (a live writer on another host of a shared
     * folder), other targets' and other names.
     */
    @Test
    void aWriteRemovesItsTargetsTemporaryFilesOfKilledProcesses(@TempDir Path dir) throws IOException {
        long dead = 1L << 40;
        long self = ProcessHandle.current().pid();
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - (AtomicFiles.STALE_SECONDS + 60) * 1000L);
        for (String n : new String[] {".m.sdm." + dead + "-123.tmp", ".m.sdm." + self + "-5.tmp", ".m.sdm.77.tmp",
                ".other.sdm." + dead + "-1.tmp", ".m.sdm." + dead + "-x.tmp", ".x.sdm." + dead + "-9.tmp"}) {
            Files.setLastModifiedTime(Files.write(dir.resolve(n), utf8("left")), old);
        }
        Files.write(dir.resolve(".m.sdm." + dead + "-8.tmp"), utf8("recent")); // a writer elsewhere, seconds ago
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(dir.resolve("m.sdm"), utf8("new m"));
        files.put(dir.resolve("x.sdm"), utf8("new x"));
        AtomicFiles.writeAll(files);
        assertEquals(List.of(".m.sdm." + dead + "-8.tmp", ".m.sdm." + dead + "-x.tmp", ".m.sdm.77.tmp",
                ".other.sdm." + dead + "-1.tmp", "m.sdm", "x.sdm"), names(dir));
        // an old file of a process that runs (a child of this test, standing for a live writer on this host) is kept
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Path liveTmp = Files.setLastModifiedTime(Files.write(dir.resolve(".m.sdm." + live.pid() + "-6.tmp"),
                    utf8("live")), old);
            AtomicFiles.write(dir.resolve("m.sdm"), utf8("newer m"));
            assertTrue(Files.exists(liveTmp), "a running process's file is kept, however old");
            Files.delete(liveTmp);
        } finally {
            live.destroyForcibly();
        }
        // the temporary name carries the writer's pid (what the next write reads)
        java.util.List<String> seen = new java.util.ArrayList<>();
        AtomicFiles.write(dir.resolve("n.sdm"), out -> {
            seen.addAll(names(dir));
            out.write(1);
        });
        assertEquals(1, seen.stream().filter(n -> n.matches("\\.n\\.sdm\\." + self + "-\\d+\\.tmp")).count(), seen.toString());
    }

    /**
     * A temporary file of this process that a write is still staging is kept by the cleanup, however old its time
     * stamp (the cleanup counts this pid's unstaged files as a killed run's: a container's pid repeats).
     */
    @Test
    void thisProcesssFileBeingStagedIsKept(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("s.sdm");
        BlockedWrite writer = BlockedWrite.start(target, "s");
        Path tmp;
        try (Stream<Path> l = Files.list(dir)) {
            tmp = l.filter(p -> p.getFileName().toString().startsWith(".s.sdm.")).findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - (AtomicFiles.STALE_SECONDS + 60) * 1000L));
        AtomicFiles.removeStale(List.of(dir.resolve(".").resolve("s.sdm"))); // spelled otherwise: normalised
        assertTrue(Files.exists(tmp), "staged by this process: kept");
        assertEquals(null, writer.finish());
        assertArrayEquals(utf8("s"), Files.readAllBytes(target));
        // once the write is done, an old unstaged file of this pid is a leftover
        Path left = Files.setLastModifiedTime(Files.write(dir.resolve(".s.sdm." + ProcessHandle.current().pid() + "-7.tmp"),
                utf8("left")), java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - (AtomicFiles.STALE_SECONDS + 60) * 1000L));
        AtomicFiles.removeStale(List.of(target));
        assertFalse(Files.exists(left));
    }

    /**
     * A shutdown while a write stages its files deletes the temporary files and makes the write fail without
     * replacing anything; a shutdown while the renames run waits for them (every target new).
     */
    @Test
    void aShutdownCompletesTheRenamesInProgressAndStopsTheRest(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), utf8("old a"));
        try {
            BlockedWrite writer = BlockedWrite.start(dir.resolve("a"), "new a");
            long before = AtomicFiles.completedWrites();
            assertEquals(before, AtomicFiles.shutDown());
            assertEquals(List.of("a"), names(dir), "the temporary file is deleted at once");
            Throwable failure = writer.finish();
            assertEquals(java.io.InterruptedIOException.class, failure.getClass(), String.valueOf(failure));
            assertArrayEquals(utf8("old a"), Files.readAllBytes(dir.resolve("a")));
            assertEquals(List.of("a"), names(dir));
        } finally {
            AtomicFiles.resumeAfterShutDownForTest();
        }

        // the renames of a writeAll: the shutdown, asked after the first one, returns once the last is done
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(dir.resolve("a"), utf8("A"));
        files.put(dir.resolve("b"), utf8("B"));
        java.util.concurrent.atomic.AtomicReference<List<String>> seenByShutdown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread stopper = new Thread(() -> {
            AtomicFiles.shutDown();
            try {
                seenByShutdown.set(List.of(Files.readString(dir.resolve("a")), Files.readString(dir.resolve("b"))));
            } catch (IOException e) {
                seenByShutdown.set(List.of(e.toString()));
            }
        });
        try {
            AtomicFiles.afterMove = target -> {
                if (target.endsWith("a")) {
                    stopper.start();
                    // the stopper comes to wait for the lock this write holds
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (stopper.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    assertEquals(Thread.State.BLOCKED, stopper.getState());
                }
            };
            long before = AtomicFiles.completedWrites();
            AtomicFiles.writeAll(files);
            stopper.join();
            assertEquals(List.of("A", "B"), seenByShutdown.get(), "both renames done before the shutdown returned");
            assertEquals(before + 1, AtomicFiles.completedWrites());
            assertThrows(java.io.InterruptedIOException.class, () -> AtomicFiles.write(dir.resolve("c"), utf8("c")));
            assertEquals(List.of("a", "b"), names(dir));
        } finally {
            AtomicFiles.afterMove = target -> { };
            AtomicFiles.resumeAfterShutDownForTest();
        }
    }

    /**
     * A shutdown deletes a staging folder not yet released with what it holds (a read-only folder inside included) and
     * then refuses to make one, or a folder inside the deleted one, again; a released folder (one moved onto its
     * target) is left alone.
     */
    @Test
    void aShutdownDeletesTheStagingFoldersAndRefusesToMakeThemAgain(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("kept"), utf8("the user's"));
        Path staged = AtomicFiles.createStagingFolder(dir.resolve(".r.partial-1"));
        Files.write(AtomicFiles.createDirectories(staged.resolve("a").resolve("b")).resolve("f"), utf8("staged"));
        Files.setPosixFilePermissions(staged.resolve("a"), java.nio.file.attribute.PosixFilePermissions.fromString("r-x------"));
        Path released = AtomicFiles.createStagingFolder(dir.resolve(".s.partial-1"));
        Files.write(released.resolve("g"), utf8("moved onto its target"));
        AtomicFiles.releaseStagingFolder(dir.resolve("x").resolve("..").resolve(".s.partial-1")); // spelled otherwise
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> AtomicFiles.createStagingFolder(staged));
        try {
            AtomicFiles.shutDown();
            assertEquals(List.of(".s.partial-1", "kept"), names(dir), "the staging folder is gone, nothing else");
            assertThrows(java.io.InterruptedIOException.class, () -> AtomicFiles.createDirectories(staged.resolve("a")));
            assertThrows(java.io.InterruptedIOException.class, () -> AtomicFiles.createStagingFolder(dir.resolve(".t.partial-1")));
            assertEquals(List.of(".s.partial-1", "kept"), names(dir), "nothing made after the shutdown");
            assertArrayEquals(utf8("moved onto its target"), Files.readAllBytes(released.resolve("g")));
        } finally {
            AtomicFiles.resumeAfterShutDownForTest();
        }
    }

    /** A write on a thread of its own whose content waits, once written, until {@link #finish}. */
    private record BlockedWrite(Thread thread, java.util.concurrent.CountDownLatch release,
                                java.util.concurrent.atomic.AtomicReference<Throwable> failure) {

        /** Starts the write and returns once its temporary file holds the content. */
        static BlockedWrite start(Path target, String content) throws InterruptedException {
            java.util.concurrent.CountDownLatch staging = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    AtomicFiles.write(target, out -> {
                        out.write(utf8(content));
                        staging.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    });
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            staging.await();
            return new BlockedWrite(t, release, failure);
        }

        /** Lets the write go on and returns what it threw, or null. */
        Throwable finish() throws InterruptedException {
            release.countDown();
            thread.join();
            return failure.get();
        }
    }
}
