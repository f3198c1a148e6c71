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
 * (named {@code .<target name>.<random>.tmp}), is flushed and fsync'ed, then renamed onto the
 * target with {@link StandardCopyOption#ATOMIC_MOVE}; finally the directory is fsync'ed where the
 * platform allows it. Readers therefore see the old file or the complete new one, never a part.
 * On any failure the temporary file is deleted and an existing target is left untouched. A file
 * system without atomic rename makes the write fail
 * ({@link java.nio.file.AtomicMoveNotSupportedException}) rather than silently lose atomicity.
 * New files get permissions rw-r--r-- on POSIX systems.
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
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
        syncDirectory(abs.getParent());
    }

    /**
     * Writes several files as one step: every content to its temporary file first, and only when all are
     * written and fsync'ed, each renamed onto its target in the map's order. A failure while writing leaves
     * every target untouched (the temporary files are deleted); only a failing rename, after the others
     * succeeded, can leave some targets new and some old. The parent folders must exist.
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
            for (Map.Entry<Path, Path> e : staged.entrySet()) {
                Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                for (Path tmp : staged.values()) {
                    deleteQuietly(tmp);
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
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean written = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.writeTo(out);
                out.flush();
                ch.force(true);
            }
            PosixFileAttributeView posix = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (posix != null) {
                posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
            }
            written = true;
            return tmp;
        } finally {
            if (!written) {
                deleteQuietly(tmp);
            }
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
