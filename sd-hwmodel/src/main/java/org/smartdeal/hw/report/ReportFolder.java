package org.smartdeal.hw.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.smartdeal.codec.AtomicFiles;

/**
 * Writes a report's files into a folder as one consistent set, so that a folder written again (a
 * smaller accelerator list, {@code --no-sweep}) never mixes the files of two reports, not even when the
 * process is killed while it commits.
 * <ol>
 *   <li>The report writes its whole set into a fresh temporary sibling folder
 *       ({@code .<name>.partial-<pid>-<random>}). If that fails, the target folder is not touched and the
 *       temporary folder is deleted. It is registered with {@link AtomicFiles#createStagingFolder} until the swap of
 *       step 4, so that a program stopping through {@link AtomicFiles#shutDown} (the {@code smartdeal} command line
 *       on Ctrl-C or SIGTERM) deletes it and the write fails, the target folder untouched.</li>
 *   <li>Before the first change, every path of the new set is checked against the target folder: a file
 *       where the set needs a folder, a folder where it needs a file, or a file of a name the set writes that
 *       the previous report did not list in {@value #MANIFEST} (the user's, or another command's, e.g. a demo's
 *       {@code summary.json}) fails here, the folder unchanged.</li>
 *   <li>The files of the target folder that the previous report did not list in {@value #MANIFEST} (the
 *       user's files) and the new set does not replace are hard-linked (copied where links are not
 *       possible) into the temporary folder, with their folders; {@value #MANIFEST} there lists the new
 *       set. The previous report's files that the new one does not write, and folders left empty by them,
 *       are thereby dropped. The temporary folders are made owner-writable while entries are linked into
 *       them and get the permissions of their target folders only afterwards, deepest first, so that a
 *       read-only folder of the user's does not stop the report.</li>
 *   <li>The folders are swapped by two renames: the target to {@code .<name>.previous}, the temporary
 *       folder to the target. Entries of the previous folder that were not carried, not listed in its
 *       {@value #MANIFEST} and not replaced by the new set (files the user made while the report was
 *       being staged) are then moved into the new folder, and the previous folder is deleted. If such an
 *       entry cannot be moved, the previous folder is kept, renamed to {@code .<name>.kept-<time>}, and a
 *       warning naming it is printed to standard error. A process killed at any point leaves the old
 *       complete set or the new complete set: the next write first restores {@code .<name>.previous} if
 *       the target is missing (killed between the renames), else moves the user's entries out of it as
 *       above and deletes it, and deletes the temporary folders of processes that no longer run.</li>
 * </ol>
 * Files that no report wrote (not in the previous {@value #MANIFEST}) are never removed or changed: a new set that
 * writes a file of the same name is refused. A folder written before reports kept a manifest has none, so its
 * files count as the user's. A target that is a symbolic link is followed (the folder it
 * points to is replaced, the link kept). A target is updated in place instead, without carrying anything,
 * where the swap cannot keep the user's entries as they are or cannot be made:
 * <ul>
 *   <li>it cannot be renamed (a mount point: also found before the carry, as being on another device than its
 *       temporary sibling or, on Linux, as listed in {@code /proc/self/mountinfo});</li>
 *   <li>it holds the working folder (compared as real paths, so also through a symbolically linked parent: a
 *       shell in it would be left in the deleted previous folder);</li>
 *   <li>it holds, at any depth (links not followed), an entry whose name as Java lists it does not name that entry
 *       again (a name not valid in the file-name encoding, e.g. not UTF-8 under a UTF-8 locale, listed with
 *       U+FFFD): its carried copy would get another name, or two such names the same one;</li>
 *   <li>it holds a folder or file on another device (a mount point inside it, compared by {@code unix:dev} where
 *       the platform has it, else by file store, and not entered), or, on Linux, a mount point that
 *       {@code /proc/self/mountinfo} lists inside it (a bind mount of the same file system): it would be copied,
 *       not linked, and the mount itself moved into the previous folder and kept there.</li>
 * </ul>
 * In place, the previous report's files that the new set does not write are removed and the new files moved in
 * one by one, which a killed process can leave half done; the user's entries stay where they are. An entry of
 * such a name made while a report is staged is not carried and not moved back: the previous folder is kept
 * ({@code .<name>.kept-<time>}) with it. Two processes must not write the same folder at once.
 */
public final class ReportFolder {

    /** The list of the files of the last report written into a folder, one relative path a line. */
    public static final String MANIFEST = "report-files.txt";

    /** Writes a report's files under a folder. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes every file of the report under {@code dir} (an empty folder), making the folders inside it with
         * {@link AtomicFiles#createDirectories} ({@link Reports#write} does): a shutdown deletes {@code dir} and then
         * refuses those, where {@link Files#createDirectories} would make {@code dir} again while the JVM stops.
         */
        void writeInto(Path dir) throws IOException;
    }

    private ReportFolder() {
    }

    /**
     * Writes a report into {@code dir} (created if missing) as described in the class comment.
     *
     * @param dir  the report's folder
     * @param body writes the report's files into the folder it is given
     * @throws UncheckedIOException from the body or the file system: a {@link FileSystemException} naming the
     *                              path for a conflict found before any change; a {@link java.io.InterruptedIOException}
     *                              when the JVM is shutting down ({@link AtomicFiles#shutDown}), nothing replaced, also
     *                              where the body failed otherwise once the shutdown had begun (a body writing with
     *                              plain NIO finds its folder deleted), the body's exception being its cause
     */
    public static void write(Path dir, Body body) {
        try {
            writeOrFail(dir, body);
        } catch (IOException e) {
            throw new UncheckedIOException(duringShutDown(e));
        } catch (UncheckedIOException e) {
            IOException cause = duringShutDown(e.getCause());
            throw cause == e.getCause() ? e : new UncheckedIOException(cause);
        }
    }

    /**
     * A failure as {@link #write} reports it: an {@link java.io.InterruptedIOException} with {@code e} as its cause if
     * the JVM's shutdown had begun when it was caught, whatever the body's writes met (a deleted folder, usually).
     */
    private static IOException duringShutDown(IOException e) {
        if (e instanceof java.io.InterruptedIOException || !AtomicFiles.isShuttingDown()) {
            return e;
        }
        var i = new java.io.InterruptedIOException("interrupted: the JVM is shutting down; nothing was replaced");
        i.initCause(e);
        return i;
    }

    private static void writeOrFail(Path dir, Body body) throws IOException {
        Path target = target(dir);
        AtomicFiles.createDirectories(target.getParent()); // nothing is made once the JVM is shutting down
        recover(target);
        Path staging = createStaging(target);
        try {
            body.writeInto(staging);
            commit(target, staging);
        } catch (Throwable t) {
            try {
                AtomicFiles.deleteTree(staging);
            } catch (IOException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        } finally {
            AtomicFiles.releaseStagingFolder(staging); // moved onto the target or deleted
        }
    }

    /**
     * Checks, without changing anything, that a report writing files of these names into {@code dir} would not
     * be refused for a conflict of step 2 of the class comment (a file of the user's or of another command of
     * one of these names, a file where one of them needs a folder, a folder where one of them is a file). A
     * report that takes long to compute calls it first, so that such a conflict is reported before the work and
     * not after it; {@link #write} checks the set actually written again.
     *
     * @param dir   the report's folder (may be missing)
     * @param names relative paths ({@code /}-separated) of files the report will write
     * @throws UncheckedIOException a {@link FileSystemException} naming the path in conflict
     */
    public static void check(Path dir, Collection<String> names) {
        try {
            Path target = target(dir);
            // a process killed between the two renames of a commit left the folder as .<name>.previous, which
            // write restores first (recover): check that one
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(backupOf(target), LinkOption.NOFOLLOW_LINKS))
                target = backupOf(target);
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
            TreeSet<String> old = manifest(target);
            TreeSet<String> stale = new TreeSet<>(old);
            stale.removeAll(names);
            for (String f : names) checkPlace(target, f, old, stale);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The report folder whose {@value #MANIFEST} lists {@code file} (a folder above it, or its own), or null: another
     * command writing that file would replace one file of the report's set, which the next report written there
     * would then replace in turn as its own (commands that write fixed names check their outputs with it).
     * Manifests that cannot be read are passed over.
     *
     * @param file a file another command is about to write
     * @return the report folder, or null
     */
    public static Path reportListing(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        for (Path d = abs.getParent(); d != null; d = d.getParent()) {
            if (!Files.isRegularFile(d.resolve(MANIFEST))) continue;
            try {
                if (manifest(d).contains(rel(d, abs))) return d;
            } catch (IOException e) {
                // an unreadable manifest lists nothing we can see
            }
        }
        return null;
    }

    /** The folder a report into {@code dir} writes: absolute, a linked folder resolved; refused if it is a file. */
    private static Path target(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(target) && Files.isDirectory(target)) target = target.toRealPath();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))
            throw new FileSystemException(target.toString(), null, "exists and is not a folder; the report needs a folder");
        if (target.getParent() == null) throw new FileSystemException(target.toString(), null, "a report needs a folder with a parent folder");
        return target;
    }

    /**
     * A new empty sibling {@code .<name>.partial-<pid>-<random>}, made with the default permissions (the
     * umask's, as a folder the report creates gets; not the rwx------ of a temporary folder), and registered with
     * {@link AtomicFiles#createStagingFolder}: {@link AtomicFiles#shutDown} deletes it.
     */
    private static Path createStaging(Path target) throws IOException {
        String prefix = partialPrefix(target) + ProcessHandle.current().pid() + "-";
        for (int attempt = 0; ; attempt++) {
            Path p = target.resolveSibling(prefix + Long.toUnsignedString(RANDOM.nextLong()));
            try {
                return AtomicFiles.createStagingFolder(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt == 100) throw e;
            }
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * Called with a step's name after each step of a commit that changes the disk; tests replace it to see
     * the folders as a process killed at that point would leave them.
     */
    static volatile java.util.function.Consumer<String> afterStep = step -> { };

    /**
     * Called with an event ({@code "carried"} or {@code "permissions"}) and the staged path it concerns while
     * the user's entries are carried; tests replace it to check the order of the operations.
     */
    static volatile java.util.function.BiConsumer<String, Path> trace = (event, path) -> { };

    /** The working folder, whose commit must not rename it away; tests replace it. */
    static volatile java.util.function.Supplier<Path> workingFolder = () -> Path.of("").toAbsolutePath();

    private static String partialPrefix(Path target) {
        return "." + target.getFileName() + ".partial-";
    }

    /** Where the previous folder waits between the two renames of a commit. */
    static Path backupOf(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".previous");
    }

    /**
     * Brings the folder back to one complete set after a process was killed while writing it: a previous
     * folder left by a commit is restored when the target is missing (killed between the two renames: the
     * old set) and deleted otherwise (the new set is in place); temporary folders of processes that no longer
     * run (or of this one, unless another of its threads is still
     * filling it: {@link AtomicFiles#isStagingFolder}) are deleted.
     */
    static void recover(Path target) throws IOException {
        Path backup = backupOf(target);
        if (Files.isDirectory(backup, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) move(backup, target);
            else retire(backup, target);
        }
        String prefix = partialPrefix(target);
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> s = Files.list(target.getParent())) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                .filter(p -> !ownerRuns(p.getFileName().toString().substring(prefix.length())))
                // another thread of this JVM staging a report into the same folder (its pid is ours)
                .filter(p -> !AtomicFiles.isStagingFolder(p))
                .forEach(stale::add);
        }
        for (Path p : stale) AtomicFiles.deleteTree(p);
    }

    /**
     * Whether the process that made a temporary folder still runs (another process writing the same folder);
     * the name after the prefix is {@code <pid>-<random>} (older versions wrote {@code <random>}: stale).
     */
    private static boolean ownerRuns(String suffix) {
        int dash = suffix.indexOf('-');
        if (dash <= 0) return false;
        try {
            long pid = Long.parseLong(suffix.substring(0, dash));
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void commit(Path target, Path staging) throws IOException {
        TreeSet<String> fresh = files(staging);
        afterStep.accept("written");
        if (fresh.contains(MANIFEST))
            throw new IllegalArgumentException("a report may not write a file named " + MANIFEST + " (ReportFolder keeps it)");
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            writeManifest(staging, fresh);
            AtomicFiles.exclusive(() -> move(staging, target));
            syncDirectory(target.getParent());
            return;
        }
        TreeSet<String> old = manifest(target);
        TreeSet<String> stale = new TreeSet<>(old);
        stale.removeAll(fresh);
        for (String f : fresh) checkPlace(target, f, old, stale);
        // the working folder (or one inside it): renaming it would leave the shell that started us in the deleted
        // previous folder; an entry that cannot be carried would be renamed, copied or left behind by the swap
        if (realOrSelf(workingFolder.get()).startsWith(target.toRealPath()) || uncarriable(target, staging) != null) {
            AtomicFiles.exclusive(() -> commitInPlace(target, staging, old, fresh, stale));
            return;
        }
        carryUserFiles(target, staging, old, fresh);
        writeManifest(staging, fresh);
        applyPermissions(target, staging);
        afterStep.accept("staged");
        Path backup = backupOf(target);
        // the two renames (or the update in place) under AtomicFiles' lock: a program stopping on a signal through
        // AtomicFiles.shutDown (the CLI) waits for them; carrying before and retiring after need no lock
        boolean swapped = swap(target, staging, backup, old, fresh, stale);
        if (swapped) {
            syncDirectory(target.getParent());
            retire(backup, target);
        }
    }

    /** The swap of {@link #commit}: whether it swapped the folders (false: it updated the target in place). */
    private static boolean swap(Path target, Path staging, Path backup, TreeSet<String> old, TreeSet<String> fresh,
                                TreeSet<String> stale) throws IOException {
        boolean[] swapped = new boolean[1];
        AtomicFiles.exclusive(() -> {
            try {
                Files.move(target, backup, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                commitInPlace(target, staging, old, fresh, stale); // e.g. a mount point, which cannot be renamed
                return;
            }
            afterStep.accept("previous moved aside");
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                afterStep.accept("new set in place");
            } catch (IOException e) {
                try {
                    Files.move(backup, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException restore) {
                    e.addSuppressed(restore); // the next write restores it (recover)
                }
                throw e;
            }
            swapped[0] = true;
        });
        return swapped[0];
    }

    /**
     * The first entry of {@code target} (links not followed) that a swap could not carry into {@code staging} as it
     * is, or null: an entry whose name, as listed, names another entry or none (a name not valid in the file-name
     * encoding, e.g. not UTF-8, listed with U+FFFD, {@link #roundTrips}), or one on another device than the
     * temporary folder (a mount point, which a hard link cannot reach: its contents would be copied and the mount
     * moved into the previous folder), the target itself included; on Linux also a mount point that
     * {@code /proc/self/mountinfo} lists at or inside the target (a bind mount of the same file system has the
     * same device). A folder on another device is not entered. Costs two status reads per entry (its type and
     * its device); stops at the first found.
     */
    static Path uncarriable(Path target, Path staging) throws IOException {
        Object dev = device.of(staging);
        if (!dev.equals(device.of(target))) return target;
        List<Path> mounts = mountsAtOrUnder(target.toRealPath(), mountInfo());
        if (!mounts.isEmpty()) return mounts.get(0); // also a bind mount of the same file system, same device
        Deque<Path> folders = new ArrayDeque<>();
        folders.push(target);
        while (!folders.isEmpty()) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(folders.pop())) {
                for (Path p : s) {
                    if (!roundTrips(target, p)) return p;
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isSymbolicLink()) continue; // recreated, never followed
                    if (!dev.equals(device.of(p))) return p;
                    if (a.isDirectory()) folders.push(p);
                }
            }
        }
        return null;
    }

    /** The lines of {@code /proc/self/mountinfo} (Linux), bytes as ISO-8859-1 characters; none elsewhere. */
    private static List<String> mountInfo() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException | java.nio.file.InvalidPathException | SecurityException e) {
            return List.of();
        }
    }

    /**
     * The mount points of {@code mountinfo} lines (Linux's {@code /proc/self/mountinfo}: the fifth field, with
     * {@code \NNN} octal escapes, bytes as ISO-8859-1 characters) that are {@code real} or inside it.
     */
    static List<Path> mountsAtOrUnder(Path real, List<String> mountinfo) {
        List<Path> out = new ArrayList<>();
        java.nio.charset.Charset names = fileNameCharset();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            if (f.length < 5 || !f[4].startsWith("/")) continue;
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            String m = f[4];
            for (int i = 0; i < m.length(); i++) {
                char c = m.charAt(i);
                if (c == '\\' && i + 3 < m.length() && m.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    b.write(Integer.parseInt(m.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    b.write(c);
                }
            }
            try {
                Path p = real.getFileSystem().getPath(new String(b.toByteArray(), names));
                if (p.startsWith(real)) out.add(p);
            } catch (java.nio.file.InvalidPathException e) {
                // not a name of this file system: not inside the folder
            }
        }
        return out;
    }

    /** The charset the JVM decodes file names with ({@code sun.jnu.encoding}), UTF-8 if unknown. */
    private static java.nio.charset.Charset fileNameCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException | SecurityException e) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
    }

    /** Names the device (file system) a path that is not a link is on; tests replace it to stand for a mount. */
    @FunctionalInterface
    interface DeviceOf {
        /** A value equal for two paths on the same device. */
        Object of(Path p) throws IOException;
    }

    /** The device of a path, {@link #deviceOf} unless a test replaced it. */
    static volatile DeviceOf device = ReportFolder::deviceOf;

    /** {@code unix:dev} (links not followed) where the platform has it, else the {@link java.nio.file.FileStore}. */
    static Object deviceOf(Path p) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("unix"))
            return Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        return Files.getFileStore(p);
    }

    /**
     * Whether the relative name {@link #rel} gives an entry listed under {@code root}, resolved again, is that entry:
     * not so where the listed name is not valid in the file-name encoding (decoded with U+FFFD, so it names another
     * file or none). No file system access where the name comes back byte for byte (every name valid in the encoding);
     * else the entry must be found under the name and have the same file key (a name spelled otherwise, e.g.
     * normalised).
     */
    static boolean roundTrips(Path root, Path p) throws IOException {
        String r = rel(root, p);
        Path back = root.resolve(r);
        if (back.equals(p)) return true;
        if (r.indexOf('\uFFFD') >= 0) return false;
        try {
            Object a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Object b = Files.readAttributes(back, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return a == null || a.equals(b);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static Path realOrSelf(Path p) {
        Path a = p.toAbsolutePath().normalize();
        try {
            return a.toRealPath();
        } catch (IOException e) {
            return a;
        }
    }

    /**
     * Deletes the previous folder once the new set is in place, after moving into {@code target} the entries
     * that are the user's and were not carried (made during the commit): not listed in the previous
     * {@value #MANIFEST} (regular files), not in the new one and not already in the target. If one cannot be
     * moved, the previous folder is renamed to {@code .<name>.kept-<time>} and kept, with a warning.
     */
    private static void retire(Path backup, Path target) {
        boolean allMoved;
        try {
            allMoved = moveUserEntries(backup, target);
        } catch (IOException e) {
            allMoved = false;
        }
        if (allMoved) {
            try {
                AtomicFiles.deleteTree(backup);
                return;
            } catch (IOException e) {
                // the new set is in place; the next write deletes what is left of the previous folder (recover)
                return;
            }
        }
        Path kept = target.resolveSibling("." + target.getFileName() + ".kept-" + System.currentTimeMillis());
        try {
            Files.move(backup, kept, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            kept = backup;
        }
        System.err.println("warning: " + kept + " holds files that could not be moved back into " + target
            + "; it was kept: check it and delete it");
    }

    /** Moves the user's uncarried entries of {@code backup} into {@code target}; whether all could be moved. */
    private static boolean moveUserEntries(Path backup, Path target) throws IOException {
        TreeSet<String> old = manifest(backup);
        TreeSet<String> fresh = manifest(target);
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(backup)) {
            s.filter(p -> !p.equals(backup)).forEach(entries::add);
        }
        boolean all = true;
        List<Path[]> made = new ArrayList<>(); // folders created in the target, with the folder they copy
        for (Path p : entries) {
            if (!roundTrips(backup, p)) {
                all = false; // its name, as listed, names another file: keep it where it is, under its own name
                continue;
            }
            String r = rel(backup, p);
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (r.equals(MANIFEST) || fresh.contains(r) || (old.contains(r) && a.isRegularFile())) continue;
            if (a.isDirectory()) {
                boolean empty;
                try (Stream<Path> s = Files.list(p)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty) continue; // created below if an entry in it moves
            }
            Path to = target.resolve(r);
            if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                BasicFileAttributes b = Files.readAttributes(to, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory() && b.isDirectory()) continue;
                if (a.fileKey() != null && a.fileKey().equals(b.fileKey())) continue; // carried (linked)
                if (a.isSymbolicLink() && b.isSymbolicLink()
                    && Files.readSymbolicLink(p).equals(Files.readSymbolicLink(to))) continue; // carried link
                if (!(a.isRegularFile() && b.isRegularFile())) {
                    all = false; // something else stands there now: keep it
                    continue;
                }
                // a copy carried where links are not possible, or a file the user replaced meanwhile: the original
            }
            try {
                List<Path> missing = new ArrayList<>();
                for (Path d = to.getParent(); !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) missing.add(d);
                Files.createDirectories(to.getParent());
                for (Path d : missing) made.add(new Path[] {d, backup.resolve(rel(target, d))});
                if (a.isDirectory()) {
                    Files.createDirectory(to);
                    made.add(new Path[] {to, p});
                } else {
                    Files.move(p, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                all = false;
            }
        }
        made.sort((x, y) -> y[0].getNameCount() - x[0].getNameCount()); // deepest first
        for (Path[] m : made) copyPermissions(m[1], m[0]);
        return all;
    }

    /**
     * Links into {@code staging} every entry of {@code target} that is not a file of the previous report
     * ({@code old}, regular files only: a path of the manifest the user replaced by a link or a folder is
     * theirs), not the manifest and not replaced by the new set; folders that hold such entries, or are
     * empty, are recreated with their permissions. Symbolic links are recreated, never followed.
     */
    private static void carryUserFiles(Path target, Path staging, Set<String> old, Set<String> fresh) throws IOException {
        Files.walkFileTree(target, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.equals(target)) return FileVisitResult.CONTINUE;
                if (!roundTrips(target, d)) return FileVisitResult.SKIP_SUBTREE; // made since the check: left behind
                String r = rel(target, d);
                try (Stream<Path> s = Files.list(d)) {
                    if (s.findAny().isEmpty()) copyDirectory(d, staging.resolve(r)); // the user's empty folder
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (!roundTrips(target, f)) return FileVisitResult.CONTINUE; // made since the check: left behind
                String r = rel(target, f);
                if (r.equals(MANIFEST) || fresh.contains(r) || (old.contains(r) && attrs.isRegularFile())) {
                    return FileVisitResult.CONTINUE;
                }
                Path to = staging.resolve(r);
                for (Path d = f.getParent(); !d.equals(target); d = d.getParent()) {
                    copyDirectory(d, staging.resolve(rel(target, d)));
                }
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(to, Files.readSymbolicLink(f));
                } else {
                    try {
                        Files.createLink(to, f);
                    } catch (UnsupportedOperationException | FileSystemException e) {
                        Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    }
                }
                trace.accept("carried", to);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Gives the staged folders the permissions they had in the target, deepest first and only once every entry
     * is in place (a read-only folder could not take its entries afterwards).
     */
    private static void applyPermissions(Path target, Path staging) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(staging)) {
            for (Path d : (Iterable<Path>) s::iterator)
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) dirs.add(d);
        }
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : dirs) {
            Path was = target.resolve(rel(staging, d));
            if (d.equals(staging) || Files.isDirectory(was, LinkOption.NOFOLLOW_LINKS)) {
                copyPermissions(was, d);
                trace.accept("permissions", d);
            }
        }
    }

    /**
     * Creates {@code to} (and its parents) in the staged folder if missing, writable by its owner; permissions come
     * later. Through {@link AtomicFiles#createDirectories}: once a shutdown has deleted the staged folder, refused.
     */
    private static void copyDirectory(Path from, Path to) throws IOException {
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> missing = new ArrayList<>();
        for (Path d = to; !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) missing.add(d);
        AtomicFiles.createDirectories(to);
        for (Path d : missing) AtomicFiles.makeOwnerWritable(d);
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView a = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView b = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (a != null && b != null) b.setPermissions(a.readAttributes().permissions());
    }

    /**
     * The update of a folder that cannot be renamed: the previous report's files that the new set does not
     * write are removed (with the folders that become empty), the new files moved in, and {@value #MANIFEST}
     * lists them. A process killed meanwhile can leave part of each set (the manifest then lists both).
     */
    private static void commitInPlace(Path target, Path staging, TreeSet<String> old, TreeSet<String> fresh,
                                      TreeSet<String> stale) throws IOException {
        TreeSet<String> both = new TreeSet<>(old);
        both.addAll(fresh);
        writeManifest(target, both);
        for (String f : stale) removeOwn(target, f);
        for (String f : fresh) {
            Path to = target.resolve(f);
            Files.createDirectories(to.getParent());
            move(staging.resolve(f), to);
        }
        writeManifest(target, fresh);
        AtomicFiles.deleteTree(staging);
    }

    /** A file of the new set may go to {@code f}: no file on its folder path (unless it is stale) and no folder at it. */
    private static void checkPlace(Path target, String f, TreeSet<String> old, TreeSet<String> stale)
            throws FileSystemException {
        Path to = target.resolve(f);
        if (!old.contains(f) && Files.exists(to, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS))
            throw new FileSystemException(to.toString(), null, "exists and is not a file of an earlier report (not listed in "
                + MANIFEST + "), and the report writes a file of that name; move it away or write the report to another "
                + "folder");
        for (Path p = to.getParent(); !p.equals(target); p = p.getParent())
            if (Files.exists(p) && !Files.isDirectory(p) && !stale.contains(rel(target, p)))
                throw new FileSystemException(p.toString(), null, "is a file, but the report writes " + f
                    + " into a folder of that name; move the file away or write the report to another folder");
        if (Files.isDirectory(to))
            throw new FileSystemException(to.toString(), null, "is a folder, but the report writes a file of that name; "
                + "move the folder away or write the report to another folder");
    }

    /** Removes a file the previous report listed, if it is still a plain file inside the folder; then empty folders. */
    private static void removeOwn(Path target, String f) throws IOException {
        Path p = target.resolve(f).normalize();
        if (!p.startsWith(target) || p.equals(target) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (!p.getParent().toRealPath().startsWith(target.toRealPath())) return;
        Files.delete(p);
        for (Path d = p.getParent(); !d.equals(target); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeManifest(Path target, TreeSet<String> files) throws IOException {
        StringBuilder b = new StringBuilder("# Files of the last report written to this folder (smartdeal energy). The next report\n"
            + "# written here removes those it does not write again; files not listed are never removed.\n");
        for (String f : files) b.append(f).append('\n');
        // not Files.createTempFile, whose rw------- the manifest would keep: CREATE_NEW gives the umask's permissions,
        // as every other file of the report has
        Path tmp = target.resolve("." + MANIFEST + "." + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
        try {
            Files.writeString(tmp, b, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            move(tmp, target.resolve(MANIFEST));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The previous manifest's entries (relative paths inside the folder only); empty without one. A line that is not
     * UTF-8 (a hand edit in another encoding) names no file a report wrote, the manifest being written in UTF-8: it is
     * left out, as an entry outside the folder is.
     */
    private static TreeSet<String> manifest(Path target) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        Path m = target.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) return out;
        // decoded leniently: a malformed byte becomes U+FFFD, and its line is left out
        for (String line : new String(Files.readAllBytes(m), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#") || s.indexOf('\uFFFD') >= 0) continue;
            Path p = target.resolve(s).normalize();
            if (p.startsWith(target) && !p.equals(target)) out.add(rel(target, p));
        }
        return out;
    }

    private static TreeSet<String> files(Path root) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) out.add(rel(root, p));
        }
        return out;
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can fsync a folder; the rename itself has happened
        }
    }
}
