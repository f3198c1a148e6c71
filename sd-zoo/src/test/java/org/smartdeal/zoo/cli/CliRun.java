package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

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
        int exit = SmartDeal.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
