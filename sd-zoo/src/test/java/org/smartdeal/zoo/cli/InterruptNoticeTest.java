package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.hw.report.ReportFolder;

/**
 * A command stopped by SIGTERM (as by Ctrl-C's SIGINT: both run the JVM's shutdown hooks) says on standard error
 * whether its outputs had been written, and exits with the signal's code (128 + 15); used to end with no word (an
 * interruption audit). Each case runs {@link InterruptProbe} in a JVM of its own and stops it once its command has
 * started.
 */
class InterruptNoticeTest {

    @TempDir
    Path dir;

    private String stop(String... args) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", cp, InterruptProbe.class.getName()));
        cmd.addAll(List.of(args));
        // standard error to a file: Process.destroy closes the pipes
        Path errFile = dir.resolve("probe.err");
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"started".equals(line)) {
                p.waitFor(60, TimeUnit.SECONDS);
                throw new AssertionError("the probe did not start its command: " + line + "\n"
                        + Files.readString(errFile, StandardCharsets.UTF_8));
            }
            p.destroy(); // SIGTERM
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the probe did not stop in 60 s after SIGTERM");
            }
            assertEquals(143, p.exitValue(), "the JVM's exit code for SIGTERM");
            return Files.readString(errFile, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aStopBeforeTheWriteSaysNothingWasWritten() throws Exception {
        String err = stop("wait");
        assertEquals("smartdeal: interrupted before writing its outputs: nothing was written, earlier files are as they "
                + "were\n", err);
    }

    /**
     * A stop while an energy report is staged (the probe is inside {@link ReportFolder#write}'s body, one file in the
     * staged folder, when it prints {@code started}) deletes the staged folder {@code .out.partial-<pid>-<n>}, which
     * used to stay until the next report into the same folder, and leaves the previous report as it was.
     */
    @Test
    void aStopWhileAReportIsStagedLeavesNoStagedFolder() throws Exception {
        Path reports = Files.createDirectories(dir.resolve("reports"));
        Path out = reports.resolve("out");
        ReportFolder.write(out, d -> Files.writeString(d.resolve("summary.txt"), "earlier"));
        List<String> before = entries(reports);
        String err = stop("stage", out.toString());
        assertEquals("smartdeal: interrupted before writing its outputs: nothing was written, earlier files are as they "
                + "were\n", err);
        assertEquals(before, entries(reports), "no .out.partial- folder left beside the report");
        assertEquals("earlier", Files.readString(out.resolve("summary.txt")));
        assertEquals(List.of(ReportFolder.MANIFEST, "summary.txt"), entries(out));
    }

    /** The names in a folder, sorted. */
    private static List<String> entries(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStopAfterTheWriteSaysTheOutputsAreComplete() throws Exception {
        Path file = dir.resolve("out.json");
        String err = stop("wait", file.toString());
        assertEquals("smartdeal: interrupted after writing its outputs (they are complete)\n", err);
        assertEquals("written", Files.readString(file));
    }
}
