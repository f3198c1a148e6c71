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
 * <p><b>Interruption.</b> The renames of a write (all of {@link #writeAll}'s) run under one lock that
 * {@link #shutDown} takes too. A program that calls it from a shutdown hook of its own (the {@code smartdeal}
 * command line does; this class installs none, so a library user's own hooks may still write) gets, on Ctrl-C
 * (SIGINT) or SIGTERM: renames in progress completed first, so every target of a write old or every one new; the
 * temporary files still being written deleted; and a write that had not reached its renames failed without
 * replacing anything. The same holds for a folder filled before one step makes it visible ({@code ReportFolder}'s
 * staged report): made with {@link #createStagingFolder}, it is deleted with what it holds, and the folders made in it
 * with {@link #createDirectories} are not made again afterwards. A process killed outright (SIGKILL, a power cut) can
 * leave its temporary files, and, within the milliseconds of a {@link #writeAll}'s renames, some targets new and some
 * old. Each write first deletes the temporary files of its targets that a process killed outright left: those not
 * modified for {@value #STALE_SECONDS} seconds whose process no longer runs, or is this one without writing them (a
 * container's pid, the same in every run). The age keeps the files of live writers on other hosts of a shared folder,
 * whose pids mean nothing here.
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

    /** Held by the renames of a write and by {@link #shutDown}; guards the four fields below. */
    private static final Object COMMIT = new Object();
    /** Set by {@link #shutDown}: no rename starts after it. */
    private static boolean shuttingDown;
    /** Temporary files being written or waiting for their rename. */
    private static final java.util.Set<Path> STAGED = new java.util.HashSet<>();
    /** Folders of {@link #createStagingFolder} not yet released (absolute, normalised). */
    private static final java.util.Set<Path> STAGED_FOLDERS = new java.util.HashSet<>();
    /** Writes whose renames all completed, in this JVM. */
    private static long completed;

    /** A temporary file not modified for this long, whose writer is not running here, is a leftover. */
    static final int STALE_SECONDS = 60;

    /** Called after each rename of a write; tests replace it to act between two renames. */
    static volatile java.util.function.Consumer<Path> afterMove = target -> { };

    /**
     * Stops writes for the JVM's shutdown: waits for the renames in progress to complete, then deletes the temporary
     * files still being written (their writes fail without replacing a target) and the folders of
     * {@link #createStagingFolder} not yet released, with what they hold; no rename starts afterwards, and no
     * {@link #createStagingFolder} or {@link #createDirectories} makes anything, in this JVM. For a program's own
     * shutdown hook (the {@code smartdeal} command line's), which can then report what was written.
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
            for (Path dir : STAGED_FOLDERS) {
                deleteFolderQuietly(dir);
            }
            STAGED_FOLDERS.clear();
            return completed;
        }
    }

    /**
     * Creates a folder that is filled before one step makes it visible (a rename onto its target under
     * {@link #exclusive}, say), and registers it so that {@link #shutDown} deletes it with what it holds, as it deletes
     * the temporary files of a write. The folder gets the default permissions (the umask's). Folders inside it are to
     * be made with {@link #createDirectories}, which a shutdown refuses: one made by {@link Files#createDirectories}
     * while the JVM stops could make the deleted folder again. Whoever fills it calls {@link #releaseStagingFolder}
     * once the folder has been moved onto its target or deleted.
     *
     * @param dir the folder; its parent must exist
     * @return {@code dir}
     * @throws java.nio.file.FileAlreadyExistsException if {@code dir} exists
     * @throws java.io.InterruptedIOException when the JVM is shutting down ({@link #shutDown}): nothing is created
     * @throws IOException from the file system
     */
    public static Path createStagingFolder(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        synchronized (COMMIT) {
            requireRunning();
            Files.createDirectory(abs);
            STAGED_FOLDERS.add(abs);
        }
        return dir;
    }

    /**
     * Forgets a folder of {@link #createStagingFolder}, which {@link #shutDown} then leaves alone: called once it has
     * been moved onto its target or deleted. A folder not registered is ignored.
     *
     * @param dir the folder, as given to {@link #createStagingFolder}
     */
    public static void releaseStagingFolder(Path dir) {
        synchronized (COMMIT) {
            STAGED_FOLDERS.remove(dir.toAbsolutePath().normalize());
        }
    }

    /**
     * Whether a folder was made by {@link #createStagingFolder} and not yet released: a staging folder of this JVM
     * still being filled, which a clean-up of leftovers (another thread's write into the same target, whose process is
     * this one) must leave alone.
     *
     * @param dir the folder
     * @return true while it is registered
     */
    public static boolean isStagingFolder(Path dir) {
        synchronized (COMMIT) {
            return STAGED_FOLDERS.contains(dir.toAbsolutePath().normalize());
        }
    }

    /**
     * {@link Files#createDirectories}, refused once {@link #shutDown} has begun: for the folders made inside a folder of
     * {@link #createStagingFolder}, which, deleted by the shutdown, must not be made again by a write still running.
     *
     * @param dir the folder to create with its missing parents
     * @return {@code dir}
     * @throws java.io.InterruptedIOException when the JVM is shutting down: nothing is created
     * @throws IOException from the file system
     */
    public static Path createDirectories(Path dir) throws IOException {
        synchronized (COMMIT) {
            requireRunning();
            return Files.createDirectories(dir);
        }
    }

    /**
     * Whether {@link #shutDown} has begun: a writer whose work failed can then tell a failure caused by the shutdown
     * (its folder deleted under it, say) from one of its own.
     *
     * @return true once {@link #shutDown} has been called in this JVM
     */
    public static boolean isShuttingDown() {
        synchronized (COMMIT) {
            return shuttingDown;
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
     * Runs the short step that makes a set of files visible (the renames that swap two folders, say) under the lock
     * the renames of {@link #writeAll} take, so that {@link #shutDown} waits for it to complete; counted as one
     * completed write. It should do no more than that: other writes wait for it.
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
        removeStaleQuietly(java.util.List.of(abs));
        Path tmp = stage(abs, body);
        boolean moved = false;
        try {
            synchronized (COMMIT) {
                requireRunning();
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                afterMove.accept(abs);
                STAGED.remove(tmp.toAbsolutePath().normalize());
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
     * succeeded, or a process killed outright while they run, can leave some targets new and some old (a
     * {@link #shutDown} waits for them: class comment). The parent folders must exist.
     *
     * @param files target and content
     * @throws IOException from the file system; the exception names the temporary file or the target
     */
    public static void writeAll(Map<Path, byte[]> files) throws IOException {
        Map<Path, Path> staged = new LinkedHashMap<>();
        boolean moved = false;
        removeStaleQuietly(files.keySet());
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
                    STAGED.remove(e.getValue().toAbsolutePath().normalize());
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
        Path tmp = Files.createTempFile(dir, tempPrefix(abs) + ProcessHandle.current().pid() + "-", ".tmp");
        synchronized (COMMIT) {
            if (shuttingDown) {
                deleteQuietly(tmp);
                requireRunning();
            }
            STAGED.add(tmp.toAbsolutePath().normalize());
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

    /** {@link #removeStale}, whose failure (a folder that can be written but not listed) leaves the leftovers. */
    private static void removeStaleQuietly(java.util.Collection<Path> targets) {
        try {
            removeStale(targets);
        } catch (IOException | RuntimeException e) {
            // the write goes on; the leftovers stay
        }
    }

    /** A temporary name of this class: {@code .<target name>.<pid>-<random>.tmp}. */
    private static final java.util.regex.Pattern TEMP = java.util.regex.Pattern.compile("^\\.(.+)\\.(\\d{1,18})-\\d+\\.tmp$");

    /**
     * Deletes the temporary files of these targets (beside each) that a process killed outright left (class comment):
     * one listing per folder. Files of other names (an older version's {@code .<name>.<random>.tmp}, owner unknown,
     * included) are kept.
     */
    static void removeStale(java.util.Collection<Path> targets) throws IOException {
        Map<Path, java.util.Set<String>> byFolder = new LinkedHashMap<>();
        for (Path t : targets) {
            Path abs = t.toAbsolutePath();
            if (abs.getParent() != null && abs.getFileName() != null) {
                byFolder.computeIfAbsent(abs.getParent(), d -> new java.util.HashSet<>()).add(abs.getFileName().toString());
            }
        }
        long self = ProcessHandle.current().pid();
        long now = System.currentTimeMillis();
        java.util.List<Path> stale = new java.util.ArrayList<>();
        for (Map.Entry<Path, java.util.Set<String>> f : byFolder.entrySet()) {
            if (!Files.isDirectory(f.getKey())) {
                continue;
            }
            try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(f.getKey(), ".*.tmp")) {
                for (Path p : s) {
                    java.util.regex.Matcher m = TEMP.matcher(p.getFileName().toString());
                    if (!m.matches() || !f.getValue().contains(m.group(1))) {
                        continue;
                    }
                    long pid = Long.parseLong(m.group(2));
                    boolean writerRuns = pid == self ? isStaged(p) : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                    long modified;
                    try {
                        modified = Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis();
                    } catch (java.nio.file.NoSuchFileException gone) {
                        continue; // renamed or deleted since the listing
                    }
                    if (!writerRuns && now - modified > STALE_SECONDS * 1000L) {
                        stale.add(p);
                    }
                }
            }
        }
        for (Path p : stale) {
            deleteQuietly(p);
        }
    }

    private static boolean isStaged(Path p) {
        synchronized (COMMIT) {
            return STAGED.contains(p.toAbsolutePath().normalize());
        }
    }

    private static void unstage(Path tmp) {
        synchronized (COMMIT) {
            STAGED.remove(tmp.toAbsolutePath().normalize());
        }
        deleteQuietly(tmp);
    }

    /**
     * Deletes a folder of {@link #createStagingFolder} with what it holds, links not followed: first renamed to
     * {@code <name>.deleting} beside it, so that no entry can be made in it meanwhile (a path into it no longer
     * resolves; {@link #createDirectories} is refused by then), then deleted there. What cannot be deleted stays.
     */
    private static void deleteFolderQuietly(Path dir) {
        Path doomed = dir.resolveSibling(dir.getFileName() + ".deleting");
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.NoSuchFileException gone) {
            return; // moved onto its target or deleted, not yet released
        } catch (IOException e) {
            doomed = dir; // delete it where it is
        }
        try {
            deleteTree(doomed);
        } catch (IOException e) {
            // what could be deleted is; the next write into the same target removes the rest
        }
    }

    /**
     * Deletes a file, or a folder with what it holds, links not followed (a link is deleted, not what it names); each
     * folder is made readable, writable and searchable by its owner first, so that a read-only folder inside goes
     * too. Every entry is tried; the first failure is thrown afterwards, any later ones suppressed in it. A path that
     * does not exist is left as it is.
     *
     * @param root the file or folder
     * @throws IOException the first entry that could not be listed, made writable or deleted
     */
    public static void deleteTree(Path root) throws IOException {
        IOException first = null;
        if (Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            java.util.List<Path> children = new java.util.ArrayList<>();
            try {
                makeOwnerWritable(root);
                try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(root)) {
                    s.forEach(children::add);
                }
            } catch (IOException e) {
                first = e; // the entries listed are still deleted; the folder then stays
            } catch (java.nio.file.DirectoryIteratorException e) {
                first = e.getCause();
            }
            for (Path c : children) {
                try {
                    deleteTree(c);
                } catch (IOException e) {
                    first = firstOf(first, e);
                }
            }
        }
        try {
            Files.deleteIfExists(root);
        } catch (IOException e) {
            first = firstOf(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    private static IOException firstOf(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /**
     * Adds read, write and search for the owner to a folder's permissions, where they lack (POSIX only; links not
     * followed; elsewhere nothing is done).
     *
     * @param dir the folder
     * @throws IOException when its permissions cannot be read or set
     */
    public static void makeOwnerWritable(Path dir) throws IOException {
        PosixFileAttributeView v = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (v == null) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> p = v.readAttributes().permissions();
        if (p.addAll(PosixFilePermissions.fromString("rwx------"))) {
            v.setPermissions(p);
        }
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
