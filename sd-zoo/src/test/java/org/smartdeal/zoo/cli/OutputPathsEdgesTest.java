package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output checks of {@link OutputPaths} called directly, each refusal with its whole message (the words are
 * the class's Javadoc's), each acceptance leaving the folder as it was; the command tests reach them only through
 * whole runs. {@code /proc} stands for a folder that takes no new entries (creating one there fails with "no such
 * file"), as in the command tests.
 */
class OutputPathsEdgesTest {

    @TempDir
    Path dir;

    @Test
    void anOutputFolderThatIsAFileOrUnderAFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.requireFolder("--out", file));
        assertEquals("--out " + file + " exists and is not a folder; give a folder (created if missing)", e.getMessage());
        // a missing folder two levels under a file: the nearest existing part of the path is the file
        Path under = file.resolve("a").resolve("b");
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFolder("--out", under));
        assertEquals("--out " + under + ": the folder does not exist and cannot be created (" + file
                + " is a file, not a folder)", e.getMessage());
        assertEquals(Map.of("f", "x"), names(dir), "nothing created");
    }

    /**
     * A file an energy report lists (another command's summary.json written into the report's folder, which the
     * next report would replace as its own) is refused, before the work and again when the files are written; a
     * file the report does not list, or one in a folder without a report, is not.
     */
    @Test
    void aFileOfAnEnergyReportIsRefused() throws IOException {
        Path report = Files.createDirectories(dir.resolve("report").resolve("models"));
        Files.writeString(dir.resolve("report").resolve("report-files.txt"), "# files\nsummary.json\nmodels/diannao.json\n");
        Path summary = dir.resolve("report").resolve("summary.json");
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--out", summary));
        assertEquals("--out " + summary + ": is a file of the energy report in " + dir.resolve("report") + " (listed in its "
                + "report-files.txt); write to another folder, or move the report away", e.getMessage());
        Path model = report.resolve("diannao.json");
        assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--out", model));
        e = assertThrows(BadInputException.class, () -> OutputPaths.writeTogether(Map.of(model, new byte[] {1})));
        assertTrue(e.getMessage().startsWith("output " + model + ": is a file of the energy report"), e.getMessage());
        assertFalse(Files.exists(model), "nothing written");
        OutputPaths.requireFile("--out", dir.resolve("report").resolve("best.sdm"));
        OutputPaths.requireFile("--out", dir.resolve("summary.json"));
    }

    @Test
    void aWritableOrCreatableOutputFolderIsAcceptedAndLeftAsItWas() throws IOException {
        OutputPaths.requireFolder("--out", dir);
        Path missing = dir.resolve("a").resolve("b");
        OutputPaths.requireFolder("--out", missing);
        OutputPaths.requireParentFolder("--out", missing, "the report is staged beside it");
        OutputPaths.requireParentFolder("--out", dir.resolve("c"), "the report is staged beside it");
        OutputPaths.requireFile("--report", dir.resolve("r.json"));
        OutputPaths.requireFile("--report", dir.resolve("d").resolve("e").resolve("r.json"));
        // every probe removed its temporary entry, and no missing folder was made
        assertEquals(Map.of(), names(dir));
    }

    @Test
    void foldersThatTakeNoNewEntriesAreRefusedWithTheReason() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc: skipping the folders that take no new entries");
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.requireFolder("--out", Path.of("/proc")));
        assertEquals("--out /proc: the folder cannot be written to (the folder does not accept new files)",
                e.getMessage());
        // creating a folder in /proc fails with NoSuchFileException, which the message leaves out (no second reason)
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFolder("--out", Path.of("/proc/x/y")));
        assertEquals("--out /proc/x/y: the folder does not exist and cannot be created (/proc does not accept new "
                + "folders)", e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> OutputPaths.requireParentFolder("--out", Path.of("/proc/x"), "the report is staged beside it"));
        assertEquals("--out /proc/x: its parent folder /proc cannot be written to, and the report is staged beside it "
                + "(the folder does not accept new files)", e.getMessage());
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--report", Path.of("/proc/r.json")));
        assertEquals("--report /proc/r.json: its parent folder /proc cannot be written to (the folder does not accept "
                + "new files)", e.getMessage());
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--report", Path.of("/proc/x/r.json")));
        assertEquals("--report /proc/x/r.json: parent folder /proc/x does not exist and cannot be created (/proc does "
                + "not accept new folders)", e.getMessage());
    }

    @Test
    void theRootHasNoParentFolder() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> OutputPaths.requireParentFolder("--out", Path.of("/"), "the report is staged beside it"));
        assertEquals("--out /: a folder with a parent folder is needed (the report is staged beside it)", e.getMessage());
    }

    @Test
    void anOutputFileThatIsAFolderOrUnderAFileIsRefused() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--report", dir));
        assertEquals("--report " + dir + ": is a directory, expected a file", e.getMessage());
        Path file = Files.writeString(dir.resolve("f"), "x");
        Path inFile = file.resolve("r.json");
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--report", inFile));
        assertEquals("--report " + inFile + ": its parent " + file + " is a file, not a folder", e.getMessage());
        Path deeper = file.resolve("a").resolve("r.json");
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--report", deeper));
        assertEquals("--report " + deeper + ": parent folder " + file.resolve("a") + " does not exist and cannot be "
                + "created (" + file + " is a file, not a folder)", e.getMessage());
    }

    /** Each kind of file-system exception in the words of {@link OutputPaths#reason}'s Javadoc. */
    @Test
    void fileSystemExceptionsAreNamedInWords() {
        assertEquals("no such file or folder", OutputPaths.reason(new NoSuchFileException("/a")));
        assertEquals("permission denied", OutputPaths.reason(new AccessDeniedException("/a")));
        assertEquals("a part of the path is not a folder", OutputPaths.reason(new NotDirectoryException("/a")));
        assertEquals("the folder is not empty", OutputPaths.reason(new DirectoryNotEmptyException("/a")));
        assertEquals("file system error (FileSystemException)", OutputPaths.reason(new FileSystemException("/a")));
        assertEquals("is a directory, expected a file",
                OutputPaths.reason(new FileSystemException("/a", null, "Is a directory")));
        assertEquals("a part of the path is not a folder",
                OutputPaths.reason(new FileSystemException("/a", null, "Not a directory")));
        assertEquals("read-only file system",
                OutputPaths.reason(new FileSystemException("/a", null, "Read-only file system")));
        assertEquals("No space left on device",
                OutputPaths.reason(new FileSystemException("/a", null, "No space left on device")));
        assertEquals("is a directory, expected a file", OutputPaths.reason(new IOException("Is a directory")));
        assertEquals("Stream closed", OutputPaths.reason(new IOException("Stream closed")));
        assertEquals("IOException", OutputPaths.reason(new IOException()));
        // with the files: the user's path first, the other file after the reason; without: the reason alone
        assertEquals("/a/b.sdm: permission denied (/c/d.sdm)",
                OutputPaths.describe(new AccessDeniedException("/a/.b.sdm.17.tmp", "/c/d.sdm", null)));
        assertEquals("/a/b.sdm: no such file or folder", OutputPaths.describe(new NoSuchFileException("/a/b.sdm")));
        assertEquals("permission denied", OutputPaths.describe(new AccessDeniedException(null)));
        assertEquals("Stream closed", OutputPaths.describe(new IOException("Stream closed")));
    }

    /** The temporary names of the TEMP_NAME pattern, each replaced by the name it stands for; other names kept. */
    @Test
    void temporaryNamesAreReportedAsTheUsersPath() {
        assertEquals("/out/m.sdm", OutputPaths.userPath("/out/.m.sdm.-12.tmp"));
        assertEquals("/out/m.sdm", OutputPaths.userPath("/out/.m.sdm.4242-9876543210.tmp")); // <pid>-<random>
        assertEquals("/out/rep", OutputPaths.userPath("/out/.rep.partial--7"));
        assertEquals("out/rep/a.csv", OutputPaths.userPath("out/.rep.previous/a.csv"));
        // a path with nothing to replace comes back exactly as given, not as Path normalises it
        assertEquals("/a//b.json", OutputPaths.userPath("/a//b.json"));
        assertEquals("/", OutputPaths.userPath("/"));
        // alike but not a writer's name: no leading dot, no digits, another suffix
        assertEquals("/a/m.sdm.12.tmp", OutputPaths.userPath("/a/m.sdm.12.tmp"));
        assertEquals("/a/.m.sdm.x.tmp", OutputPaths.userPath("/a/.m.sdm.x.tmp"));
        assertEquals("/a/.m.sdm.previous2", OutputPaths.userPath("/a/.m.sdm.previous2"));
    }

    @Test
    void filesWrittenTogetherAreAllThereAndAFailureNamesTheTarget() throws IOException {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(dir.resolve("a").resolve("x.json"), "1".getBytes(StandardCharsets.UTF_8));
        files.put(dir.resolve("y.csv"), "2".getBytes(StandardCharsets.UTF_8));
        OutputPaths.writeTogether(files);
        assertArrayEquals("1".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("a").resolve("x.json")));
        assertArrayEquals("2".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("y.csv")));
        // a target under a file: its folder cannot be made
        Path file = Files.writeString(dir.resolve("f"), "x");
        Map<Path, byte[]> bad = Map.of(file.resolve("z.json"), new byte[] {1});
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.writeTogether(bad));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
    }

    @Test
    void anOutputThatIsAnInputIsRefusedUnderAnySpelling() throws IOException {
        Path in = Files.writeString(dir.resolve("plan.json"), "{}");
        Path other = dir.resolve("out.json");
        OutputPaths.requireNotInput("--plan", null, "--out", List.of(in));
        OutputPaths.requireNotInput("--plan", in, "--out", List.of(other));
        Path spelled = dir.resolve("sub").resolve("..").resolve("plan.json");
        BadInputException e = assertThrows(BadInputException.class,
                () -> OutputPaths.requireNotInput("--plan", in, "--out", List.of(other, spelled)));
        assertEquals("--plan " + in + " is the output file " + spelled + "; inputs are never overwritten: choose another "
                + "--out", e.getMessage());
        // a hard link is the same file under another name (Files.isSameFile); a missing path is no file at all
        Path link = Files.createLink(dir.resolve("link.json"), in);
        assertTrue(OutputPaths.sameFile(in, link));
        assertFalse(OutputPaths.sameFile(in, other));
        assertFalse(OutputPaths.sameFile(other, in));
        assertFalse(OutputPaths.sameFile(in, Files.writeString(dir.resolve("copy.json"), "{}")));
    }

    /**
     * A symbolic link to nothing as the output folder, or on the way to it, is refused before the work; creating the
     * folder at the end used to fail there with "file system error (FileAlreadyExistsException)".
     */
    @Test
    void aLinkToNothingOnTheOutputPathIsRefusedUpFront() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("dang"), dir.resolve("nonexist").resolve("sub"));
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.requireFolder("--out", link));
        assertEquals("--out " + link + ": the folder does not exist and cannot be created (" + link + " is a symbolic "
                + "link to " + dir.resolve("nonexist").resolve("sub") + ", which does not exist; create that folder first)",
                e.getMessage());
        Path under = link.resolve("x.sdm");
        e = assertThrows(BadInputException.class, () -> OutputPaths.requireFile("--out", under));
        assertEquals("--out " + under + ": parent folder " + link + " does not exist and cannot be created (" + link
                + " is a symbolic link to " + dir.resolve("nonexist").resolve("sub") + ", which does not exist; create "
                + "that folder first)", e.getMessage());
        // once the folder it points to exists, the link is an output folder like any other
        Files.createDirectories(dir.resolve("nonexist").resolve("sub"));
        OutputPaths.requireFolder("--out", link);
        OutputPaths.writeTogether(Map.of(link.resolve("f"), "1".getBytes(StandardCharsets.UTF_8)));
        assertEquals("1", Files.readString(dir.resolve("nonexist").resolve("sub").resolve("f")));
    }

    /**
     * A write that fails removes the folders it created for its outputs (a failed run leaves no new empty folder), and
     * a folder on an output's path that is in the way is named with the reason.
     */
    @Test
    void aFailedWriteRemovesTheFoldersItCreated() throws IOException {
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("keep"), "k");
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(busy, "x".getBytes(StandardCharsets.UTF_8)); // a non-empty folder: its rename fails
        files.put(dir.resolve("new").resolve("a").resolve("f"), "y".getBytes(StandardCharsets.UTF_8));
        BadInputException e = assertThrows(BadInputException.class, () -> OutputPaths.writeTogether(files));
        assertTrue(e.getMessage().startsWith(busy + ": "), e.getMessage());
        assertEquals(Map.of("busy", "", "busy/keep", "k"), names(dir), "new/a and new removed, busy untouched");
        Path file = Files.writeString(dir.resolve("plain"), "p");
        e = assertThrows(BadInputException.class, () -> OutputPaths.writeTogether(
                Map.of(file.resolve("f"), "z".getBytes(StandardCharsets.UTF_8))));
        assertEquals(file + ": exists and is not a folder", e.getMessage());
    }

    /** The entries under a folder and their text ("" for a folder). */
    private static Map<String, String> names(Path d) throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        try (var s = Files.walk(d)) {
            for (Path p : s.filter(p -> !p.equals(d)).toList()) {
                m.put(d.relativize(p).toString(), Files.isDirectory(p) ? "" : Files.readString(p));
            }
        }
        return m;
    }
}
