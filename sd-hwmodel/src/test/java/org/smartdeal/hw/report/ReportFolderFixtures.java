package org.smartdeal.hw.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the {@link ReportFolder} tests write and read: files of a report, the folder's tree, the manifest. */
final class ReportFolderFixtures {

    private ReportFolderFixtures() {
    }

    /** Every file under a folder with its content, relative paths with '/'. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator)
                if (Files.isRegularFile(p)) out.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p));
        }
        return out;
    }

    /** Writes {@code text} to {@code dir/rel}, its folders created. */
    static void put(Path dir, String rel, String text) throws IOException {
        Files.createDirectories(dir.resolve(rel).getParent());
        Files.writeString(dir.resolve(rel), text);
    }

    /** Writes a report of the given files (relative path, text, relative path, text, ...) with ReportFolder. */
    static void report(Path out, String... files) {
        ReportFolder.write(out, d -> {
            for (int i = 0; i < files.length; i += 2) put(d, files[i], files[i + 1]);
        });
    }

    /** The paths the folder's {@value ReportFolder#MANIFEST} lists, comment lines left out. */
    static List<String> manifest(Path out) throws IOException {
        return Files.readAllLines(out.resolve(ReportFolder.MANIFEST)).stream().filter(l -> !l.startsWith("#")).toList();
    }
}
