package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A few kilobytes of .sdm can describe a layer of tens of millions of entries (a RUNS index codes a row of 15
 * non-zeros or a run of zero rows in a bit or so). Each case runs {@link LoadMemoryProbe} in a JVM of its own
 * with a small heap, where the described sizes do not fit, and requires the named SdmFormatException where an
 * OutOfMemoryError came before (a fuzzing audit, 2026-12-05).
 */
class LoadMemoryLimitTest {

    private static String probe(String heap, String... args) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", cp, LoadMemoryProbe.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("probe", ".out");
        Path err = Files.createTempFile("probe", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the probe did not finish in 120 s: " + cmd);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).trim();
            assertEquals(0, p.exitValue(), text + "\n" + Files.readString(err, StandardCharsets.UTF_8));
            String[] lines = text.split("\n");
            return lines[lines.length - 1];
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void runsPositionsBeyondTheHeapAreANamedError() throws Exception {
        // 4 M rows x 15 positions = 60 M ints (240 MB) from a 0.5 MB layer, in a 96 MB heap
        String out = probe("96m", "runs", "4000000");
        assertTrue(out.startsWith(SdmFormatException.class.getName() + ": probe: RUNS index: ")
                && out.contains("bytes of heap, only") && out.contains(HeapCheck.ADVICE), out);
    }

    @Test
    void aNetworkThatCannotBeBuiltInTheHeapIsANamedError() throws Exception {
        // 40 M entries of C (320 MB as decoded) fit a 512 MB heap; building needs 13 bytes each (520 MB) more
        String out = probe("512m", "build", "40000000");
        assertTrue(out.startsWith(SdmFormatException.class.getName() + ": probe: building the network needs about "
                + 40_001_536L * SdModelFile.BUILD_HEAP_BYTES_PER_ENTRY + " bytes of heap"), out);
    }

    @Test
    void theSameFilesLoadWhereTheyFit() throws Exception {
        // the checks refuse only what does not fit: small sizes of the same shapes pass
        assertEquals("OK", probe("512m", "runs", "1000"));
        assertEquals("OK", probe("512m", "build", "100000"));
    }
}
