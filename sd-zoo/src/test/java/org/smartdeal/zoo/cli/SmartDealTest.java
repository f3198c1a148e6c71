package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The top-level command line: help, versions, and file-system errors in words. */
class SmartDealTest {

    /**
     * An empty path is a usage error naming the option (it would be the working folder, and the messages that name the
     * file would name nothing: "error: : is a directory" from inspect, "got " from convert).
     */
    @Test
    void anEmptyPathIsAUsageError() {
        CliRun.of("inspect", "").assertUserError(SmartDeal.EXIT_USAGE, "an empty path names no file or folder");
        CliRun.of("convert", "--zoo", "lenet300", "--out", "")
                .assertUserError(SmartDeal.EXIT_USAGE, "'--out'", "an empty path names no file or folder");
    }

    /** The subcommand list shows each command's whole first sentence, not the text up to a line break. */
    @Test
    void topLevelHelpShowsWholeSentences() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exit(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("demo The embedded default: LeNet-300-100 on Fashion-MNIST, dense training, SD conversion, "
                + "re-training (RT), .sdm file, reload, evaluation."), r.out());
        assertTrue(help.contains("train Transfer training in SD form (SD-T) on Fashion-MNIST: pre-train dense on the source "
                + "split, decompose once (sd, ss), train on the target split with the bucket switch, SWA lr schedule and SWA, "
                + "evaluate on the task's test set."), r.out());
    }

    /**
     * Help and version requests run without loading ND4J (its native backend costs about 2 s of every start);
     * every command that does work sets ND4J's collection window first. The parse results are picocli's for each line.
     */
    @Test
    void onlyHelpAndVersionRequestsSkipND4J() {
        for (String[] args : new String[][]{{"--help"}, {"-V"}, {"energy", "--help"}, {"demo", "-V"}, {"help", "energy"},
                {"zoo", "list", "--help"}}) {
            assertTrue(SmartDeal.onlyHelp(commandLine().parseArgs(args)), String.join(" ", args));
        }
        for (String[] args : new String[][]{{"zoo", "list"}, {"energy", "--paper-model", "resnet50"}, {"inspect", "x.sdm"}}) {
            assertFalse(SmartDeal.onlyHelp(commandLine().parseArgs(args)), String.join(" ", args));
        }
        // a command that does work sets the window (set to 100 ms first, so that the check can fail)
        org.nd4j.linalg.factory.Nd4j.getMemoryManager().setAutoGcWindow(100);
        assertEquals(0, CliRun.of("zoo", "list").exit());
        assertEquals(10_000, org.nd4j.linalg.factory.Nd4j.getMemoryManager().getAutoGcWindow());
    }

    private static picocli.CommandLine commandLine() {
        java.io.PrintWriter sink = new java.io.PrintWriter(java.io.Writer.nullWriter());
        return SmartDeal.commandLine(sink, sink);
    }

    /**
     * The names the help offers for {@code energy --accelerators} and {@code convert --plan} are the registries'
     * ({@link org.smartdeal.hw.dl4j.EnergyReport#names()}, {@link org.smartdeal.zoo.convert.ConversionPlans#names()}),
     * in their order, so a model or plan added there is offered without editing the option's text.
     */
    @Test
    void optionHelpListsTheRegisteredNames() {
        CliRun energy = CliRun.of("energy", "--help");
        assertEquals(0, energy.exit(), energy.err());
        assertTrue(energy.out().replaceAll("\\s+", " ").contains("all, or a comma list of "
                + String.join(", ", org.smartdeal.hw.dl4j.EnergyReport.NAMES) + " (not with --paper"), energy.out());
        CliRun convert = CliRun.of("convert", "--help");
        assertEquals(0, convert.exit(), convert.err());
        assertTrue(convert.out().replaceAll("\\s+", " ").contains("a shipped plan: "
                + String.join(", ", org.smartdeal.zoo.convert.ConversionPlans.names()) + " (the resnet18 plans"),
                convert.out());
    }

    /** Every command's -V prints the one version (the jar manifest's, else the fallback). */
    @ParameterizedTest
    @ValueSource(strings = {"-V", "demo -V", "convert -V", "energy -V", "train --version", "zoo list -V"})
    void everyCommandPrintsTheVersion(String args) {
        CliRun r = CliRun.of(args.split(" "));
        assertEquals(0, r.exit(), r.err());
        assertEquals("smartdeal " + SmartDeal.version(), r.out().strip());
        assertTrue(SmartDeal.version().equals(SmartDeal.FALLBACK_VERSION)
                || SmartDeal.class.getPackage().getImplementationVersion() != null, SmartDeal.version());
    }

    /** A writer's temporary file is reported as the file the user named; exception class names become words. */
    @Test
    void fileProblemsNameTheUsersPathInWords() {
        assertEquals("/proc/x/y.sdm: no such file or folder",
                SmartDeal.fileProblem(new NoSuchFileException("/proc/x/.y.sdm.1830123456789.tmp")));
        assertEquals("/proc/x: no such file or folder",
                SmartDeal.fileProblem(new UncheckedIOException(new NoSuchFileException("/proc/.x.partial-1415926535"))));
        // ReportFolder's names since its commit swaps folders: .NAME.partial-<pid>-<n> and .NAME.previous
        assertEquals("/out/rep: no such file or folder",
                SmartDeal.fileProblem(new NoSuchFileException("/out/.rep.partial-4242-8075531112458")));
        assertEquals("/out/rep: permission denied", SmartDeal.fileProblem(new AccessDeniedException("/out/.rep.previous")));
        assertEquals("/out/rep/notes/readme.txt: permission denied", SmartDeal.fileProblem(
                new AccessDeniedException("/out/.rep.partial-4242-8075531112458/notes/readme.txt")));
        assertEquals("rep/a.csv: no such file or folder",
                SmartDeal.fileProblem(new NoSuchFileException(".rep.partial-1-2/a.csv")));
        assertEquals("/a/b.json: permission denied", SmartDeal.fileProblem(new AccessDeniedException("/a/b.json")));
        assertEquals("/a/dir.sdm: is a directory, expected a file",
                SmartDeal.fileProblem(new FileSystemException("/a/dir.sdm", null, "Is a directory")));
        assertEquals("cannot read or write a file: is a directory, expected a file",
                SmartDeal.fileProblem(new IOException("Is a directory")));
        assertEquals(null, SmartDeal.fileProblem(new IllegalStateException("a bug")));
        // a name that merely looks alike is left alone
        assertEquals("/a/.profile: no such file or folder", SmartDeal.fileProblem(new NoSuchFileException("/a/.profile")));
    }

    @Test
    void usageErrorsCarryOnePrefix() {
        CliRun r = CliRun.of("inspect");
        assertEquals(SmartDeal.EXIT_USAGE, r.exit());
        assertTrue(r.err().startsWith("error: Missing required parameter"), r.err());
        assertFalse(r.err().contains("Error:"), r.err());
    }

    /**
     * Running out of memory is the JVM's limit, not a defect: exit 3 with both limits and how to raise them, no stack
     * trace, nothing written. A walk-through found `SMARTDEAL_JAVA_OPTS=-Xmx1g smartdeal convert --zoo vgg11` printing
     * "Exception in thread main java.lang.OutOfMemoryError" and 27 frames (picocli lets errors through its handler).
     * Here a child JVM with a 64 MB heap (and so 64 MB for ND4J's arrays) builds VGG-11 (133 M weights).
     */
    @Test
    void runningOutOfMemoryIsNamedWithTheLimitsAndHowToRaiseThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException, InterruptedException {
        java.nio.file.Path sdm = dir.resolve("vgg11.sdm");
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), SmartDeal.class.getName(), "convert", "--zoo",
                "vgg11", "--out", sdm.toString(), "--quiet").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), output);
        assertEquals(SmartDeal.EXIT_BAD_INPUT, p.exitValue(), output);
        assertTrue(output.contains("error: out of memory (") && output.contains("MB of Java heap and ")
                && output.contains("SMARTDEAL_JAVA_OPTS=-Xmx16g"), output);
        assertFalse(output.contains("\tat ") || output.contains("Exception in thread"), output);
        assertFalse(java.nio.file.Files.exists(sdm), "nothing written");
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left");
        }
        // the handler's form: an OutOfMemoryError wrapped by ND4J
        String m = SmartDeal.outOfMemory(new IllegalStateException(new OutOfMemoryError("Cannot allocate 4 MB")));
        assertTrue(m.startsWith("out of memory (Cannot allocate 4 MB): this JVM may use "), m);
        assertEquals(null, SmartDeal.outOfMemory(new IllegalStateException("no memory problem")));
    }

    /**
     * Out of memory inside a network's fit, DL4J writes a memory crash dump into the working folder and logs three
     * lines about it (CrashReportingUtil) before the command's own message: `SMARTDEAL_JAVA_OPTS=-Xmx512m smartdeal
     * train --arch cnn --batch 65536 --limit 20000 ...` left dl4j-memory-crash-dump-*.txt (9 kB) in the folder it was
     * started from, an output of a failed run outside --out. Once a command runs, DL4J's dumps are off: its dump
     * call, pointed at a folder of the test's, writes nothing there.
     */
    @Test
    void aCommandLeavesNoDl4jCrashDumpBehind(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        boolean enabled = org.deeplearning4j.util.CrashReportingUtil.isCrashDumpsEnabled();
        java.io.File root = org.deeplearning4j.util.CrashReportingUtil.getCrashDumpRootDirectory();
        try {
            org.deeplearning4j.util.CrashReportingUtil.crashDumpsEnabled(true);
            org.deeplearning4j.util.CrashReportingUtil.crashDumpOutputDirectory(dir.toFile());
            CliRun r = CliRun.of("zoo", "list");
            assertEquals(0, r.exit(), r.err());
            org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = org.smartdeal.zoo.models.LeNet300.build(
                    org.smartdeal.zoo.models.InputShape.MNIST, 10, 1, new org.nd4j.linalg.learning.config.Adam(1e-3))
                    .init();
            org.deeplearning4j.util.CrashReportingUtil.writeMemoryCrashDump(net, new OutOfMemoryError("test"));
            try (var files = java.nio.file.Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "no crash dump");
            }
        } finally {
            org.deeplearning4j.util.CrashReportingUtil.crashDumpOutputDirectory(root);
            org.deeplearning4j.util.CrashReportingUtil.crashDumpsEnabled(enabled);
        }
    }
}
