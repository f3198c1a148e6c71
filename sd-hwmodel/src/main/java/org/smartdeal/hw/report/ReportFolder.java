package org.smartdeal.hw.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes a report's files into a folder as one consistent set, so that a folder written again (a
 * smaller accelerator list, {@code --no-sweep}) never mixes the files of two reports.
 * <ol>
 *   <li>The report writes its whole set into a fresh temporary sibling folder
 *       ({@code .<name>.partial-<random>}). If that fails, the target folder is not touched.</li>
 *   <li>Before the first change, every path of the new set is checked against the target folder: a file
 *       where the set needs a folder, or a folder where it needs a file, fails here, the folder unchanged.</li>
 *   <li>The files the previous report listed in {@value #MANIFEST} and this one does not write are removed
 *       (with the folders that become empty), the new files are moved in, and {@value #MANIFEST} lists them.</li>
 * </ol>
 * Files that no report wrote (not in the previous {@value #MANIFEST}) are never removed or changed, unless the
 * new set writes a file of the same name. A folder written before reports kept a manifest has none: its
 * old files stay until they are overwritten.
 */
public final class ReportFolder {

    /** The list of the files of the last report written into a folder, one relative path a line. */
    public static final String MANIFEST = "report-files.txt";

    /** Writes a report's files under a folder. */
    @FunctionalInterface
    public interface Body {
        /** Writes every file of the report under {@code dir} (an empty folder). */
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
     *                              path for a conflict found before any change
     */
    public static void write(Path dir, Body body) {
        try {
            Path target = dir.toAbsolutePath().normalize();
            if (Files.exists(target) && !Files.isDirectory(target))
                throw new FileSystemException(target.toString(), null, "exists and is not a folder; the report needs a folder");
            Path parent = target.getParent();
            if (parent == null) throw new FileSystemException(target.toString(), null, "a report needs a folder with a parent folder");
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
            try {
                body.writeInto(staging);
                commit(target, staging);
            } catch (Throwable t) {
                try {
                    deleteTree(staging);
                } catch (IOException suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            }
            deleteTree(staging);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void commit(Path target, Path staging) throws IOException {
        TreeSet<String> fresh = files(staging);
        if (fresh.contains(MANIFEST))
            throw new IllegalArgumentException("a report may not write a file named " + MANIFEST + " (ReportFolder keeps it)");
        Files.createDirectories(target);
        TreeSet<String> old = manifest(target);
        TreeSet<String> stale = new TreeSet<>(old);
        stale.removeAll(fresh);
        for (String f : fresh) checkPlace(target, f, stale);
        // List old and new first: a failure while moving leaves every file a report wrote in the manifest.
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
    }

    /** A file of the new set may go to {@code f}: no file on its folder path (unless it is stale) and no folder at it. */
    private static void checkPlace(Path target, String f, TreeSet<String> stale) throws FileSystemException {
        Path to = target.resolve(f);
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
        Path tmp = Files.createTempFile(target, "." + MANIFEST + ".", ".tmp");
        try {
            Files.writeString(tmp, b);
            move(tmp, target.resolve(MANIFEST));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The previous manifest's entries (relative paths inside the folder only); empty without one. */
    private static TreeSet<String> manifest(Path target) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        Path m = target.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) return out;
        for (String line : Files.readAllLines(m)) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
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

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) Files.deleteIfExists(p);
    }
}
