package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.smartdeal.codec.AtomicFiles;

/**
 * Checks on output paths shared by the commands, made before any work so that nothing is lost: a command
 * that would fail to write its outputs at the end fails at the start instead, with a message naming the
 * option, the user's path and the reason in words. Also turns file-system exceptions into such words.
 */
final class OutputPaths {

    /**
     * The temporary names the writers use next to a target: {@code .NAME.<pid>-<digits>.tmp}
     * ({@code AtomicFiles}; {@code .NAME.<digits>.tmp} in earlier versions), {@code .NAME.partial-<pid>-<digits>} and
     * {@code .NAME.previous} ({@code ReportFolder}).
     */
    private static final Pattern TEMP_NAME = Pattern.compile(
            "^\\.(.+?)(?:\\.(?:\\d+-)?-?\\d+\\.tmp|\\.partial-[-\\d]+|\\.previous)$");

    private OutputPaths() {
    }

    /**
     * Requires an output folder that exists and can be written to, or that does not exist and can be
     * created. Probes by creating and deleting a temporary entry; leaves nothing behind.
     *
     * @param option the option naming it, e.g. {@code --out}
     * @param dir the folder
     * @throws BadInputException naming the option, the folder and the reason
     */
    static void requireFolder(String option, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new BadInputException(option + " " + dir + " exists and is not a folder; give a folder (created if missing)");
            }
            probeFile(abs, why -> option + " " + dir + ": the folder cannot be written to (" + why + ")");
            return;
        }
        requireCreatable(abs, why -> option + " " + dir + ": the folder does not exist and cannot be created (" + why + ")");
    }

    /**
     * Requires the parent of an output folder to accept new entries when it exists (a writer that stages
     * the folder's content beside it needs that); a missing parent is covered by {@link #requireFolder}.
     *
     * @param option the option naming the folder, e.g. {@code --out}
     * @param dir the output folder
     * @param why why the parent is written to, for the message
     * @throws BadInputException naming the option, the folder, its parent and the reason
     */
    static void requireParentFolder(String option, Path dir, String why) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            throw new BadInputException(option + " " + dir + ": a folder with a parent folder is needed (" + why + ")");
        }
        if (Files.isDirectory(parent)) {
            probeFile(parent, r -> option + " " + dir + ": its parent folder " + parent + " cannot be written to, and "
                    + why + " (" + r + ")");
        }
    }

    /**
     * Requires an output file that can be written atomically: not an existing folder, not a file of an energy
     * report ({@link #requireNotReportFile}), in a parent folder that exists and can be written to, or can be
     * created.
     *
     * @param option the option naming it, e.g. {@code --report}
     * @param file the file
     * @throws BadInputException naming the option, the file and the reason
     */
    static void requireFile(String option, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new BadInputException(option + " " + file + ": is a directory, expected a file");
        }
        requireNotReportFile(option, file);
        Path parent = abs.getParent();
        if (parent == null) {
            throw new BadInputException(option + " " + file + ": names no file (it has no parent folder)");
        }
        if (Files.exists(parent)) {
            if (!Files.isDirectory(parent)) {
                throw new BadInputException(option + " " + file + ": its parent " + parent + " is a file, not a folder");
            }
            probeFile(parent, why -> option + " " + file + ": its parent folder " + parent + " cannot be written to (" + why + ")");
            return;
        }
        requireCreatable(parent, why -> option + " " + file + ": parent folder " + parent
                + " does not exist and cannot be created (" + why + ")");
    }

    /**
     * Refuses an output that is a file of an energy report ({@code smartdeal energy} lists its files in
     * report-files.txt): writing it would replace one file of the report's set, and the next report written there
     * would replace it in turn as its own.
     *
     * @throws BadInputException naming the option, the file and the report's folder
     */
    static void requireNotReportFile(String option, Path file) {
        Path report = org.smartdeal.hw.report.ReportFolder.reportListing(file);
        if (report != null) {
            throw new BadInputException(option + " " + file + ": is a file of the energy report in " + report + " (listed in "
                    + "its " + org.smartdeal.hw.report.ReportFolder.MANIFEST + "); write to another folder, or move the "
                    + "report away");
        }
    }

    /**
     * A missing folder can be created: no part of its path is a symbolic link to nothing (creating the folder would
     * fail there, after the work), and its nearest existing ancestor is a folder that accepts a new folder.
     */
    private static void requireCreatable(Path abs, java.util.function.UnaryOperator<String> message) {
        for (Path d = abs; d != null && !Files.exists(d); d = d.getParent()) {
            if (Files.isSymbolicLink(d)) {
                String to;
                try {
                    to = String.valueOf(Files.readSymbolicLink(d));
                } catch (IOException e) {
                    to = "a path that cannot be read";
                }
                throw new BadInputException(message.apply(d + " is a symbolic link to " + to + ", which does not exist; "
                        + "create that folder first"));
            }
        }
        Path a = abs.getParent();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        if (a == null) {
            throw new BadInputException(message.apply("no part of the path exists"));
        }
        if (!Files.isDirectory(a)) {
            throw new BadInputException(message.apply(a + " is a file, not a folder"));
        }
        try {
            Files.delete(Files.createTempDirectory(a, ".smartdeal-probe-"));
        } catch (IOException e) {
            // ENOENT from a folder that exists: a virtual file system (e.g. /proc) that takes no new entries
            throw new BadInputException(message.apply(a + " does not accept new folders"
                    + (e instanceof NoSuchFileException ? "" : ": " + reason(e))), e);
        }
    }

    private static void probeFile(Path dir, java.util.function.UnaryOperator<String> message) {
        try {
            Files.delete(Files.createTempFile(dir, ".smartdeal-probe-", ".tmp"));
        } catch (NoSuchFileException e) {
            // the folder exists (checked by the callers), yet creating a file in it reports a missing file: a
            // pseudo file system such as /proc, which refuses new files with ENOENT
            throw new BadInputException(message.apply(Files.isDirectory(dir) ? "the folder does not accept new files"
                    : reason(e)), e);
        } catch (IOException e) {
            throw new BadInputException(message.apply(reason(e)), e);
        }
    }

    /**
     * A file-system exception in words: {@code "<the user's path>: <reason>"}, where a writer's temporary
     * file is named by the file it stands for.
     *
     * @param e the exception
     * @return the message
     */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String other = f.getOtherFile() != null ? " (" + userPath(f.getOtherFile()) + ")" : "";
            return userPath(f.getFile()) + ": " + reason(e) + other;
        }
        return reason(e);
    }

    /**
     * Why a file operation failed, in words: "no such file or folder", "permission denied", "is a
     * directory, expected a file", or the system's reason.
     *
     * @param e the exception
     * @return the reason, without the path
     */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "a part of the path is not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "the folder is not empty";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof FileSystemException f) {
            String r = f.getReason();
            if (r == null) {
                return "file system error (" + e.getClass().getSimpleName() + ")";
            }
            return switch (r) {
                case "Is a directory" -> "is a directory, expected a file";
                case "Not a directory" -> "a part of the path is not a folder";
                case "Read-only file system" -> "read-only file system";
                default -> r;
            };
        }
        String m = e.getMessage();
        if ("Is a directory".equals(m)) {
            return "is a directory, expected a file";
        }
        return m != null ? m : e.getClass().getSimpleName();
    }

    /**
     * The path a user gave for a writer's temporary file or a file inside a staged folder (each part matching
     * {@link #TEMP_NAME} replaced by the name it stands for); any other path unchanged.
     */
    static String userPath(String file) {
        Path p = Path.of(file);
        if (p.getNameCount() == 0) {
            return file;
        }
        // any part of the path may be a temporary name: a file inside a staged report folder too
        Path out = p.getRoot();
        boolean changed = false;
        for (Path part : p) {
            Matcher m = TEMP_NAME.matcher(part.toString());
            String name = m.matches() ? m.group(1) : part.toString();
            changed |= m.matches();
            out = out == null ? Path.of(name) : out.resolve(name);
        }
        return changed ? out.toString() : file;
    }

    /**
     * Writes several files as one step ({@link AtomicFiles#writeAll}): each to a temporary file beside its
     * target first, then, once all are written, each renamed onto its target. A failure while writing leaves
     * every target as it was; the folders are created first.
     *
     * @param files target and content, in the order to write them
     * @throws BadInputException naming the target (not a temporary file) and the reason
     */
    static void writeTogether(Map<Path, byte[]> files) {
        for (Path p : files.keySet()) {
            requireNotReportFile("output", p);
        }
        java.util.List<Path> made = new java.util.ArrayList<>();
        try {
            for (Path p : files.keySet()) {
                createFolders(p.toAbsolutePath().normalize().getParent(), made);
            }
            AtomicFiles.writeAll(files);
        } catch (IOException e) {
            removeEmpty(made);
            if (e instanceof FileSystemException f && f.getFile() != null) {
                throw new BadInputException(describe(e), e);
            }
            // an error of the write itself (e.g. "No space left on device") names no file: name the outputs
            throw new BadInputException("writing " + names(files.keySet()) + ": " + reason(e)
                    + "; no output was changed", e);
        }
    }

    /** The outputs of a write, for a message: the one file, or the folder and the file names. */
    private static String names(java.util.Collection<Path> files) {
        if (files.size() == 1) {
            return files.iterator().next().toString();
        }
        java.util.Set<Path> parents = new java.util.LinkedHashSet<>();
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Path p : files) {
            parents.add(p.toAbsolutePath().normalize().getParent());
            names.add(String.valueOf(p.getFileName()));
        }
        return parents.size() == 1 ? String.join(", ", names) + " in " + parents.iterator().next() : files.toString();
    }

    /**
     * Creates a folder and its missing parents, recording the ones it made (outermost first); a part of the path
     * that exists and is not a folder (a file, or a link to nothing) is named.
     */
    private static void createFolders(Path dir, java.util.List<Path> made) throws IOException {
        java.util.Deque<Path> missing = new java.util.ArrayDeque<>();
        for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
            missing.push(d);
        }
        for (Path d : missing) {
            try {
                Files.createDirectory(d);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (Files.isDirectory(d)) {
                    continue; // made meanwhile by another process
                }
                throw new FileSystemException(d.toString(), null, Files.isSymbolicLink(d)
                        ? "is a symbolic link to nothing, where a folder is needed" : "exists and is not a folder");
            }
            made.add(d);
        }
    }

    /** Removes the folders a failed write created, innermost first, while they are empty. */
    private static void removeEmpty(java.util.List<Path> made) {
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(made.get(i));
            } catch (IOException e) {
                return; // not empty (or not ours any more): leave it and its parents
            }
        }
    }

    /**
     * Refuses an output that is an input file (inputs are never modified); one wording for every command.
     *
     * @param inputName    how the command line names the input ("--plan", "IN.zip")
     * @param input        the input file, or null (nothing to check)
     * @param outputOption the option that chose the outputs, named in the advice
     * @param outputs      the files the command would write
     * @throws BadInputException naming the input, the output file and the option to change
     * @throws IOException       if the file system cannot compare the paths
     */
    static void requireNotInput(String inputName, Path input, String outputOption, java.util.Collection<Path> outputs)
            throws IOException {
        if (input == null) {
            return;
        }
        for (Path p : outputs) {
            if (sameFile(input, p)) {
                throw new BadInputException(inputName + " " + input + " is the output file " + p
                        + "; inputs are never overwritten: choose another " + outputOption);
            }
        }
    }

    /**
     * Whether two paths name the same file: equal once absolute and normalised, or, when both exist,
     * the same file by {@link Files#isSameFile} (links, other spellings).
     */
    static boolean sameFile(Path a, Path b) throws IOException {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    }
}
