package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One in-process run of the {@code smartdeal} command line, for the CLI tests.
 *
 * @param exit the exit code
 * @param out what the command printed on standard output
 * @param err what it printed on standard error
 */
record CliRun(int exit, String out, String err) {

    /**
     * @param args the command line
     * @return its exit code and output
     */
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // buffered like the launcher's writers (SmartDeal.main: a PrintWriter over System.out), so a test sees only
        // what a user would: text printed without a flush and never flushed is lost here too
        int exit = SmartDeal.run(new PrintWriter(new java.io.BufferedWriter(out), true),
                new PrintWriter(new java.io.BufferedWriter(err), true), args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /**
     * Asserts a user error: the exit code, one "error: " message containing every fragment, and no
     * internal error or stack trace.
     *
     * @param code the expected exit code (2 or 3)
     * @param fragments texts the message must contain (option, path, rule, value)
     * @return this run
     */
    CliRun assertUserError(int code, String... fragments) {
        assertEquals(code, exit, "exit code; stderr: " + err + " stdout: " + out);
        assertTrue(err.startsWith("error: "), err);
        assertFalse(err.contains("internal error") || err.contains("\tat ") || err.contains("Exception:"),
                "no internal error, no stack trace: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
        }
        return this;
    }

    /**
     * Every file under a folder with its content, to show a failed run changed nothing: equal before and
     * after means no file changed, none appeared (no partial or temporary file) and none went away.
     *
     * @param dir the folder (may be missing: an empty map)
     * @return relative path to Base64 content, sorted
     */
    static Map<String, String> files(Path dir) {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(dir)) {
            return m;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                m.put(rel + (Files.isDirectory(p) ? "/" : ""),
                        Files.isDirectory(p) ? "" : Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }
}
