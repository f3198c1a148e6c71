package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.smartdeal.hw.report.ReportFolder;
import org.smartdeal.hw.report.Reports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Run by {@link InterruptNoticeTest} in a JVM of its own: the {@code smartdeal} command line with two more commands,
 * through the same entry as {@code SmartDeal.main}. {@code wait [FILE]} writes FILE through the commands' own writer
 * when given, prints {@code started} and sleeps until the JVM is stopped. {@code stage DIR} writes a report into DIR
 * as {@code energy} does ({@link ReportFolder}), and, once one file of it is in the staged folder, prints
 * {@code started} and sleeps there until the JVM is stopped.
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

    @Command(name = "stage")
    static final class Stage implements Callable<Integer> {
        @Parameters(arity = "1")
        Path dir;

        @Override
        public Integer call() {
            ReportFolder.write(dir, staged -> {
                Reports.write(staged.resolve("summary.txt"), "staged");
                System.out.println("started");
                System.out.flush();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            });
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
        cl.addSubcommand("stage", new Stage());
        System.exit(SmartDeal.runUntilInterrupted(cl, out, err, args));
    }
}
