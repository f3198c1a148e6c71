package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The {@code smartdeal} launcher script at the project root: an entry of SMARTDEAL_CLASSPATH that does not exist
 * is refused before anything is built or run (java would skip it without a word, and an accelerator model in it
 * would then be reported as an unknown name).
 */
class LauncherTest {

    /** The launcher, found from the module's working directory (sd-zoo/) upwards. */
    private static Path launcher() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("smartdeal")) && Files.isDirectory(d.resolve("sd-zoo"))) {
                return d.resolve("smartdeal");
            }
        }
        throw new IllegalStateException("no smartdeal launcher above " + Path.of("").toAbsolutePath());
    }

    @Test
    void aMissingClasspathEntryIsRefusedBeforeAnyBuild() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", launcher().toString(), "zoo", "list");
        pb.environment().put("SMARTDEAL_CLASSPATH", "/no/such/models.jar");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, p.waitFor(), out);
        assertTrue(out.contains("error: SMARTDEAL_CLASSPATH entry /no/such/models.jar does not exist"), out);
        assertTrue(!out.contains("building the command line"), "refused before the build: " + out);
        // java's "folder/*" (every jar in it) is checked as the folder
        pb.environment().put("SMARTDEAL_CLASSPATH", "/no/such/folder/*");
        p = pb.start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, p.waitFor(), out);
        assertTrue(out.contains("entry /no/such/folder/* does not exist"), out);
    }
}
