package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Run by {@link InterruptNoticeTest} in a JVM of its own: the {@code smartdeal} command line with one more command,
 * {@code wait [FILE]}, that writes FILE through the commands' own writer when given, prints {@code started} and
 * sleeps until the JVM is stopped, through the same entry as {@code SmartDeal.main}.
 */
public final class InterruptProbe {

    private InterruptProbe() {
    }

    @Command(name = "wait")
    static final class Wait implements Callable<Integer> {
        @Parameters(arity = "0..1")
        Path file;

        @Override
        public Integer call() throws InterruptedException {
            if (file != null) {
                OutputPaths.writeTogether(Map.of(file, "written".getBytes(StandardCharsets.UTF_8)));
            }
            System.out.println("started");
            System.out.flush();
            Thread.sleep(120_000);
            return 0;
        }
    }

    /**
     * @param args the arguments of {@code smartdeal}
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = SmartDeal.commandLine(out, err);
        cl.addSubcommand("wait", new Wait());
        System.exit(SmartDeal.runUntilInterrupted(cl, out, err, args));
    }
}
