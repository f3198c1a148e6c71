package org.smartdeal.codec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Atomic file replacement: the content goes to a temporary file in the target's directory
 * (named {@code .<target name>.<pid>-<random>.tmp}, pid the writing process's), is flushed and fsync'ed, then
 * renamed onto the target with {@link StandardCopyOption#ATOMIC_MOVE}; finally the directory is fsync'ed where the
 * platform allows it. Readers therefore see the old file or the complete new one, never a part.
 * On any failure the temporary file is deleted and an existing target is left untouched. A file
 * system without atomic rename makes the write fail
 * ({@link java.nio.file.AtomicMoveNotSupportedException}) rather than silently lose atomicity.
 * New files get permissions rw-r--r-- on POSIX systems.
 *
 * <p><b>Interruption.</b> The renames of a write (all of {@link #writeAll}'s) run under one lock that a shutdown
 * hook takes too: a JVM stopped by Ctrl-C (SIGINT) or SIGTERM while they run first completes them, so such a
 * signal leaves every target of a write old or every one new; the hook then deletes the temporary files still
 * being written, and a write that had not reached its renames fails without replacing anything. A process killed
 * outright (SIGKILL, a power cut) can leave its temporary files, and, within the milliseconds of a
 * {@link #writeAll}'s renames, some targets new and some old. Each write of a target first deletes the temporary
 * files of that target left by processes that no longer run.
 */
public final class AtomicFiles {

    /** Writes content to a stream; the stream is closed by {@link AtomicFiles}, not by the body. */
    @FunctionalInterface
    public interface Body {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Held by the renames of a write and by {@link #shutDown}; guards the three fields below. */
    private static final Object COMMIT = new Object();
    /** Set by {@link #shutDown}: no rename starts after it. */
    private static boolean shuttingDown;
    /** Temporary files being written or waiting for their rename. */
    private static final java.util.Set<Path> STAGED = new java.util.HashSet<>();
    /** Writes whose renames all completed, in this JVM. */
    private static long completed;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::shutDown, "smartdeal-atomic-files"));
        } catch (IllegalStateException alreadyShuttingDown) {
            // the class was first used during shutdown: nothing of it can be in progress
        }
    }

    /** Called after each rename of a write; tests replace it to act between two renames. */
    static volatile java.util.function.Consumer<Path> afterMove = target -> { };

    /**
     * Stops writes for the JVM's shutdown: waits for the renames in progress to complete, then deletes the temporary
     * files still being written (their writes fail without replacing a target); no rename starts afterwards. Run by a
     * shutdown hook of this class; a program that reports the interruption calls it first to know what was written.
     *
     * @return the writes whose renames had all completed in this JVM ({@link #completedWrites})
     */
    public static long shutDown() {
        synchronized (COMMIT) {
            shuttingDown = true;
            for (Path tmp : STAGED) {
                deleteQuietly(tmp);
            }
            STAGED.clear();
            return completed;
        }
    }

    /** @return the writes ({@link #write} or {@link #writeAll} calls, {@link #exclusive} blocks) completed in this JVM */
    public static long completedWrites() {
        synchronized (COMMIT) {
            return completed;
        }
    }

    /** A step that changes files and may throw an IOException. */
    @FunctionalInterface
    public interface IoAction {
        /** Runs the step. */
        void run() throws IOException;
    }

    /**
     * Runs the step that makes a set of files visible (renames of folders, say) under the lock the renames of
     * {@link #writeAll} take, so that a JVM shutting down on a signal waits for it to complete; counted as one
     * completed write.
     *
     * @param action the step
     * @throws IOException from the step, or when the JVM is shutting down (the step is then not started)
     */
    public static void exclusive(IoAction action) throws IOException {
        synchronized (COMMIT) {
            requireRunning();
            action.run();
            completed++;
        }
    }

    /** For tests: forgets a {@link #shutDown} (the JVM goes on). */
    static void resumeAfterShutDownForTest() {
        synchronized (COMMIT) {
            shuttingDown = false;
        }
    }

    private static void requireRunning() throws IOException {
        if (shuttingDown) {
            throw new java.io.InterruptedIOException("interrupted: the JVM is shutting down; nothing was replaced");
        }
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Atomically replaces {@code target} with what {@code body} writes.
     *
     * @throws IOException from the body, the file system, or the rename; the target is unchanged
     */
    public static void write(Path target, Body body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = stage(abs, body);
        boolean moved = false;
        try {
            synchronized (COMMIT) {
                requireRunning();
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                afterMove.accept(abs);
                STAGED.remove(tmp);
                completed++;
            }
            moved = true;
        } finally {
            if (!moved) {
                unstage(tmp);
            }
        }
        syncDirectory(abs.getParent());
    }

    /**
     * Writes several files as one step: every content to its temporary file first, and only when all are
     * written and fsync'ed, each renamed onto its target in the map's order. A failure while writing leaves
     * every target untouched (the temporary files are deleted); only a failing rename, after the others
     * succeeded, or a process killed outright while they run, can leave some targets new and some old (a JVM
     * shutting down on a signal waits for them: class comment). The parent folders must exist.
     *
     * @param files target and content
     * @throws IOException from the file system; the exception names the temporary file or the target
     */
    public static void writeAll(Map<Path, byte[]> files) throws IOException {
        Map<Path, Path> staged = new LinkedHashMap<>();
        boolean moved = false;
        try {
            for (Map.Entry<Path, byte[]> e : files.entrySet()) {
                byte[] bytes = e.getValue();
                Path abs = e.getKey().toAbsolutePath();
                staged.put(abs, stage(abs, out -> out.write(bytes)));
            }
            synchronized (COMMIT) {
                requireRunning();
                for (Map.Entry<Path, Path> e : staged.entrySet()) {
                    Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    STAGED.remove(e.getValue());
                    afterMove.accept(e.getKey());
                }
                completed++;
            }
            moved = true;
        } finally {
            if (!moved) {
                for (Path tmp : staged.values()) {
                    unstage(tmp);
                }
            }
        }
        for (Path target : staged.keySet()) {
            syncDirectory(target.getParent());
        }
    }

    /** Writes {@code body} to a new temporary file beside {@code abs}, fsync'ed, rw-r--r--; deleted on failure. */
    private static Path stage(Path abs, Body body) throws IOException {
        Path dir = abs.getParent();
        if (dir == null) {
            throw new IOException("cannot write " + abs + ": it has no parent directory");
        }
        if (!Files.isDirectory(dir)) {
            // createTempFile would name its hidden temporary file, not the file asked for
            throw new java.nio.file.NoSuchFileException(abs.toString(), null, "its folder " + dir
                    + (Files.exists(dir) ? " is not a folder" : " does not exist") + "; nothing was written");
        }
        try {
            removeStale(abs);
        } catch (IOException | RuntimeException e) {
            // a folder that can be written but not listed: the leftovers stay, the write goes on
        }
        Path tmp = Files.createTempFile(dir, tempPrefix(abs) + ProcessHandle.current().pid() + "-", ".tmp");
        synchronized (COMMIT) {
            if (shuttingDown) {
                deleteQuietly(tmp);
                requireRunning();
            }
            STAGED.add(tmp);
        }
        boolean written = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            synchronized (COMMIT) {
                requireRunning(); // the shutdown deleted the file meanwhile: say so, not "no such file"
            }
            PosixFileAttributeView posix = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (posix != null) {
                posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
            }
            written = true;
            return tmp;
        } finally {
            if (!written) {
                unstage(tmp);
            }
        }
    }

    private static String tempPrefix(Path abs) {
        return "." + abs.getFileName() + ".";
    }

    /**
     * Deletes the temporary files of {@code abs} ({@code .<name>.<pid>-<random>.tmp} beside it) whose process no
     * longer runs: what a process killed while writing it left. Those of running processes (a concurrent write)
     * and of this one are kept; so is anything else.
     */
    static void removeStale(Path abs) throws IOException {
        String prefix = tempPrefix(abs);
        java.util.List<Path> stale = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(abs.getParent(), p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.length() > prefix.length() + 4;
        })) {
            for (Path p : s) {
                String mid = p.getFileName().toString();
                mid = mid.substring(prefix.length(), mid.length() - ".tmp".length());
                int dash = mid.indexOf('-');
                if (dash <= 0 || !mid.substring(0, dash).chars().allMatch(Character::isDigit)
                        || !mid.substring(dash + 1).chars().allMatch(Character::isDigit) || dash == mid.length() - 1) {
                    continue; // not a name this class gives (an older version's .<name>.<random>.tmp: owner unknown)
                }
                long pid;
                try {
                    pid = Long.parseLong(mid.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != ProcessHandle.current().pid() && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    stale.add(p);
                }
            }
        }
        for (Path p : stale) {
            deleteQuietly(p);
        }
    }

    private static void unstage(Path tmp) {
        synchronized (COMMIT) {
            STAGED.remove(tmp);
        }
        deleteQuietly(tmp);
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException suppressed) {
            // the original failure is what the caller needs to see
        }
    }

    /**
     * Throws an IOException if a file of {@code bytes} bytes plus its decoded form (assumed at
     * most twice as large) would not fit in the free heap, so that readers fail with a clear
     * message instead of an OutOfMemoryError.
     */
    static void checkHeapFor(long bytes, Path path) throws IOException {
        HeapCheck.require(3 * bytes, free -> new IOException("file " + path + ": reading " + bytes
                + " bytes needs about " + 3 * bytes + " bytes of heap but only " + free + " are free; " + HeapCheck.ADVICE));
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can fsync a directory; the rename itself has happened
        }
    }
}
