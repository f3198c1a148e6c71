package org.smartdeal.hw.report;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.smartdeal.hw.report.ReportFolderFixtures.manifest;
import static org.smartdeal.hw.report.ReportFolderFixtures.put;
import static org.smartdeal.hw.report.ReportFolderFixtures.report;

/**
 * {@link ReportFolder}: entries of the user's that a swap could not carry as they are (a name that is not valid
 * UTF-8, a mount point inside the folder) make the report update the folder in place, leaving them exactly where
 * and as they were. Names that are not valid UTF-8 are made by {@code sh}, as Java cannot name them; the tests
 * skip, saying why, where that is not possible. A mount needs root: the tests stand for it by replacing
 * {@link ReportFolder#device}.
 */
class ReportFolderCarryTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restoreHooks() {
        ReportFolder.device = ReportFolder::deviceOf;
        ReportFolder.trace = (event, path) -> { };
        ReportFolder.afterStep = step -> { };
    }

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Runs {@code sh -c script sh dir}; its exit status and standard output, bytes as ISO-8859-1 characters. */
    private static String[] sh(String script, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script, "sh", dir.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        return new String[] {Integer.toString(p.waitFor()), new String(out, StandardCharsets.ISO_8859_1)};
    }

    /**
     * Makes files (and folders) of names that are not valid UTF-8 in {@code dir} with {@code sh}, or skips the test
     * saying why: no {@code sh}, a file system that refuses such names, or a JVM whose file-name encoding keeps them.
     */
    private static void makeOrSkip(Path dir, String script) throws IOException, InterruptedException {
        String[] r;
        try {
            r = sh(script, dir);
        } catch (IOException e) {
            r = new String[] {"-1", e.toString()};
        }
        assumeTrue(r[0].equals("0"), "could not make a file whose name is not UTF-8 with sh (the file system may refuse "
            + "such names): " + r[1]);
        boolean replaced;
        try (Stream<Path> s = Files.list(dir)) {
            replaced = s.anyMatch(p -> p.getFileName().toString().indexOf('\uFFFD') >= 0);
        }
        assumeTrue(replaced, "this JVM decodes file names as " + System.getProperty("sun.jnu.encoding")
            + ", which lists these names without U+FFFD: the case needs a UTF-8 file-name encoding");
    }

    /** The names directly in {@code dir}, as bytes (ISO-8859-1 characters), as {@code sh} sees them. */
    private static Set<String> rawNames(Path dir) throws IOException, InterruptedException {
        String[] r = sh("for f in \"$1\"/* \"$1\"/.[!.]*; do [ -e \"$f\" ] && printf '%s\\n' \"${f##*/}\"; done; true", dir);
        assertEquals("0", r[0], r[1]);
        return new TreeSet<>(Arrays.asList(r[1].split("\n")));
    }

    private void assertNoLeftovers(Path out) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no .partial-, .previous or .kept- folder is left next to the report");
        }
    }

    /**
     * A file and a folder named caf\xe9 (Latin-1, not UTF-8), which Java lists as caf\uFFFD: the swap carried them
     * as caf\xef\xbf\xbd (U+FFFD in UTF-8), renaming the user's entries. The folder is now updated in place and they
     * keep their exact names and contents.
     */
    @Test
    void entriesWhoseNamesAreNotUtf8KeepTheirExactNames() throws Exception {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        makeOrSkip(out, "n=$(printf 'caf\\351'); printf x > \"$1/$n.txt\" && mkdir \"$1/$n\" && printf z > \"$1/$n/in.txt\"");
        Object folder = key(out);
        report(out, "summary.txt", "second");
        assertEquals(new TreeSet<>(Set.of("caf\u00e9.txt", "caf\u00e9", "summary.txt", ReportFolder.MANIFEST)), rawNames(out));
        String[] r = sh("n=$(printf 'caf\\351'); cat \"$1/$n.txt\" && printf '|' && cat \"$1/$n/in.txt\"", out);
        assertEquals(List.of("0", "x|z"), List.of(r));
        assertEquals("second", Files.readString(out.resolve("summary.txt")));
        assertFalse(Files.exists(out.resolve("old.csv")), "the previous report's file is removed");
        assertEquals(List.of("summary.txt"), manifest(out));
        assertEquals(folder, key(out), "updated in place, not swapped");
        assertNoLeftovers(out);
    }

    /**
     * Two names that differ only in a byte that is not UTF-8 (a\xe8.txt, a\xe9.txt) are both listed as a\uFFFD.txt:
     * the swap failed after all the work, as the second could not be carried under the name of the first. Both are
     * now left as they are.
     */
    @Test
    void twoNamesThatJavaListsAlikeAreBothKept() throws Exception {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        makeOrSkip(out, "printf one > \"$1/$(printf 'a\\350.txt')\" && printf two > \"$1/$(printf 'a\\351.txt')\"");
        report(out, "summary.txt", "second", "models/a.json", "a");
        assertEquals(new TreeSet<>(Set.of("a\u00e8.txt", "a\u00e9.txt", "models", "summary.txt", ReportFolder.MANIFEST)),
            rawNames(out));
        String[] r = sh("cat \"$1/$(printf 'a\\350.txt')\" && printf '|' && cat \"$1/$(printf 'a\\351.txt')\"", out);
        assertEquals(List.of("0", "one|two"), List.of(r));
        assertEquals("second", Files.readString(out.resolve("summary.txt")));
        assertEquals("a", Files.readString(out.resolve("models/a.json")));
        assertEquals(List.of("models/a.json", "summary.txt"), manifest(out));
        assertNoLeftovers(out);
    }

    /**
     * A name that is not UTF-8 made while the report is staged (after the check, so it is not carried) cannot be
     * moved into the new folder under its name: the previous folder is kept with it, with a warning, where it was
     * moved in renamed.
     */
    @Test
    void aNameThatIsNotUtf8MadeWhileStagedKeepsThePreviousFolder() throws Exception {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        makeOrSkip(tmp, "printf probe > \"$1/$(printf 'p\\351')\"");
        Files.delete(onlyReplaced(tmp)); // the probe: the listed path keeps the name's bytes
        List<String> made = new ArrayList<>();
        ReportFolder.afterStep = step -> {
            if (!step.equals("staged")) return;
            try {
                made.add(sh("printf late > \"$1/$(printf 'l\\351.txt')\"", out)[0]);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream warning = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(warning, true));
        try {
            report(out, "summary.txt", "second");
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of("0"), made);
        assertEquals(new TreeSet<>(Set.of("summary.txt", ReportFolder.MANIFEST)), rawNames(out), "nothing renamed moved in");
        List<Path> kept;
        try (Stream<Path> s = Files.list(tmp)) {
            kept = s.filter(p -> p.getFileName().toString().startsWith(".out.kept-")).toList();
        }
        assertEquals(1, kept.size(), "the previous folder is kept");
        assertTrue(rawNames(kept.get(0)).contains("l\u00e9.txt"), rawNames(kept.get(0)).toString());
        assertTrue(warning.toString().contains(kept.get(0).toString()), warning.toString());
    }

    /** The one entry of {@code dir} whose listed name has U+FFFD. */
    private static Path onlyReplaced(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().indexOf('\uFFFD') >= 0).findFirst().orElseThrow();
        }
    }

    /** Names outside ASCII that are valid UTF-8 come back as listed: the folder is swapped and they are carried. */
    @Test
    void validUtf8NamesAreCarriedBySwap() throws IOException {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "file names are decoded as "
            + System.getProperty("sun.jnu.encoding") + ", not UTF-8: this JVM cannot name café.txt");
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        put(out, "café/ü.txt", "mine");
        Object file = key(out.resolve("café/ü.txt")), folder = key(out);
        assertEquals(null, ReportFolder.uncarriable(out.toRealPath(), tmp));
        report(out, "summary.txt", "second");
        assertEquals("mine", Files.readString(out.resolve("café/ü.txt")));
        if (folder != null) {
            assertNotEquals(folder, key(out), "swapped");
            assertEquals(file, key(out.resolve("café/ü.txt")), "carried as a link");
        }
        assertNoLeftovers(out);
    }

    /**
     * A folder on another device (a mount point, here stood for by the device hook) inside the report folder: the
     * swap copied its contents and moved the mount into a kept previous folder. The folder is now updated in place,
     * nothing is carried, and the scan does not enter the mounted folder. The same folder without the mount is
     * swapped.
     */
    @Test
    void aMountInsideTheFolderIsLeftWhereItIs() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first", "old.csv", "o");
        put(out, "data/inner/big.bin", "user data");
        put(out, "notes.txt", "mine");
        Path data = out.toRealPath().resolve("data");
        Object big = key(out.resolve("data/inner/big.bin")), folder = key(out);
        List<Path> asked = new ArrayList<>();
        ReportFolder.device = p -> {
            asked.add(p);
            return p.equals(data) ? "another device" : ReportFolder.deviceOf(p);
        };
        List<String> carried = new ArrayList<>();
        ReportFolder.trace = (event, path) -> carried.add(event);
        report(out, "summary.txt", "second");
        assertEquals(List.of(), carried, "nothing is carried");
        assertTrue(asked.contains(data), asked.toString());
        assertTrue(asked.stream().noneMatch(p -> p.startsWith(data) && !p.equals(data)), "the mount is not entered: " + asked);
        assertEquals("second", Files.readString(out.resolve("summary.txt")));
        assertFalse(Files.exists(out.resolve("old.csv")));
        assertEquals(List.of("summary.txt"), manifest(out));
        assertEquals("user data", Files.readString(out.resolve("data/inner/big.bin")));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        if (folder != null) {
            assertEquals(folder, key(out), "updated in place, not swapped");
            assertEquals(big, key(out.resolve("data/inner/big.bin")), "the same file, not a copy");
        }
        assertNoLeftovers(out);
        // without the mount the same folder is swapped, its entries carried
        ReportFolder.device = ReportFolder::deviceOf;
        report(out, "summary.txt", "third");
        assertTrue(carried.contains("carried"), carried.toString());
        if (folder != null) assertNotEquals(folder, key(out), "swapped");
        assertEquals("user data", Files.readString(out.resolve("data/inner/big.bin")));
        assertNoLeftovers(out);
    }

    /**
     * A report folder that is itself a mount point (on another device than its temporary sibling) is updated in place
     * without carrying (and so copying) the user's files first, as the rename that would fail is not tried.
     */
    @Test
    void aFolderOnAnotherDeviceThanItsSiblingIsUpdatedInPlaceWithoutCarrying() throws IOException {
        Path out = tmp.resolve("out");
        report(out, "summary.txt", "first");
        put(out, "notes.txt", "mine");
        Path real = out.toRealPath();
        Object folder = key(out);
        ReportFolder.device = p -> p.equals(real) ? "mounted" : ReportFolder.deviceOf(p);
        List<String> carried = new ArrayList<>();
        ReportFolder.trace = (event, path) -> carried.add(event);
        report(out, "summary.txt", "second");
        assertEquals(List.of(), carried, "nothing is carried");
        assertEquals("second", Files.readString(out.resolve("summary.txt")));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        if (folder != null) assertEquals(folder, key(out), "updated in place, not swapped");
        assertNoLeftovers(out);
    }

    /**
     * The mount points at or inside a folder, from lines of Linux's /proc/self/mountinfo (format of proc(5): the
     * fifth field, spaces escaped as \040): a bind mount of the same file system has the same device, so only this
     * list finds it. A sibling whose name starts with the folder's is not inside it.
     */
    @Test
    void mountPointsInsideTheFolderAreReadFromMountinfo() {
        List<String> lines = List.of(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "35 22 0:30 / /srv/out/data rw,relatime shared:20 - tmpfs tmpfs rw",
            "36 22 8:1 /src /srv/out/my\\040files rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "37 22 0:31 / /srv/out2 rw,relatime shared:21 - tmpfs tmpfs rw",
            "38 22 0:32 / /srv/out rw,relatime shared:22 - tmpfs tmpfs rw",
            "malformed");
        Path out = Path.of("/srv/out");
        assertEquals(List.of(Path.of("/srv/out/data"), Path.of("/srv/out/my files"), out),
            ReportFolder.mountsAtOrUnder(out, lines));
        assertEquals(List.of(), ReportFolder.mountsAtOrUnder(Path.of("/srv/other"), lines));
    }
}
