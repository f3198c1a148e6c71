package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code smartdeal} command line. Exit codes: {@value #EXIT_OK} ok, {@value #EXIT_USAGE}
 * usage error, {@value #EXIT_BAD_INPUT} bad input (a file, its path or contents), {@value #EXIT_INTERNAL}
 * internal error. Every error message names what was wrong and what is allowed.
 */
@Command(name = "smartdeal", mixinStandardHelpOptions = true, version = "smartdeal 0.1.0-SNAPSHOT",
        description = "SmartDeal (W = C*B, C sparse powers of two) for Deeplearning4j.",
        subcommands = {DemoCommand.class, ConvertCommand.class, InspectCommand.class, EvaluateCommand.class,
            DecomposeCommand.class, ZooCommand.class, EnergyCommand.class, TrainCommand.class,
            CommandLine.HelpCommand.class})
public final class SmartDeal {

    /** Success. */
    public static final int EXIT_OK = 0;
    /** An unexpected failure inside the program. */
    public static final int EXIT_INTERNAL = 1;
    /**
     * The command line itself was wrong: an unknown or missing option, or an option value outside its allowed
     * set or range (unknown names included).
     */
    public static final int EXIT_USAGE = 2;
    /** A file given by the user (its path or its contents) was wrong. */
    public static final int EXIT_BAD_INPUT = 3;

    private SmartDeal() {
    }

    /**
     * Builds the command line with the exit-code policy installed.
     *
     * @param out standard output
     * @param err standard error
     * @return a ready {@link CommandLine}
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SmartDeal());
        cl.setOut(out);
        cl.setErr(err);
        // A usage error names what was wrong and how to see the options, without a subcommand's whole option list.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter e = c.getErr();
            e.println("error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
            if (!c.getSubcommands().isEmpty()) {
                c.usage(e); // a command of commands: its short list of subcommands is the help wanted
            } else {
                e.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            }
            e.flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            PrintWriter e = line.getErr();
            if (ex instanceof BadInputException) {
                e.println("error: " + ex.getMessage());
                e.flush();
                return EXIT_BAD_INPUT;
            }
            String io = fileProblem(ex);
            if (io != null) {
                e.println("error: " + io);
                e.flush();
                return EXIT_BAD_INPUT;
            }
            e.println("internal error: " + ex);
            ex.printStackTrace(e);
            e.flush();
            return EXIT_INTERNAL;
        });
        return cl;
    }

    /**
     * A file-system problem (a path that exists as a file where a folder is needed, a missing or
     * unwritable folder, a read error) is bad input, not an internal error: its message names the path
     * and the reason. Null for anything else.
     */
    static String fileProblem(Throwable ex) {
        Throwable t = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
        if (t instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + ": exists and is not a folder (or cannot be replaced); give another path";
        }
        if (t instanceof java.nio.file.FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason() : t.getClass().getSimpleName();
            return (f.getFile() != null ? f.getFile() + ": " : "") + reason
                    + (f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "");
        }
        if (t instanceof java.io.IOException) {
            return "cannot read or write a file: " + t.getMessage();
        }
        return null;
    }

    /**
     * Runs a command line and returns its exit code (for tests and embedding).
     *
     * @param out standard output
     * @param err standard error
     * @param args the arguments
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /**
     * Entry point of the {@code smartdeal} launcher.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // ND4J frees native buffers only when their Java objects are collected; with little heap
        // pressure, long runs grow off-heap memory without bound (DL4J-NOTES.md). Collect every 10 s.
        org.nd4j.linalg.factory.Nd4j.getMemoryManager().setAutoGcWindow(10_000);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }
}
