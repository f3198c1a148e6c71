package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code smartdeal} command line. Exit codes: {@value #EXIT_OK} ok, {@value #EXIT_USAGE}
 * usage error, {@value #EXIT_BAD_INPUT} bad input (a file, its path or contents), {@value #EXIT_INTERNAL}
 * internal error. Every error message names what was wrong and what is allowed.
 */
@Command(name = "smartdeal", mixinStandardHelpOptions = true, versionProvider = SmartDeal.Version.class,
        description = "SmartDeal (W = C*B, C sparse powers of two) for Deeplearning4j.",
        subcommands = {DemoCommand.class, ConvertCommand.class, InspectCommand.class, EvaluateCommand.class,
            ExportCommand.class, DecomposeCommand.class, ZooCommand.class, EnergyCommand.class, TrainCommand.class,
            SweepCommand.class, CommandLine.HelpCommand.class})
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

    /** The version when the jar's manifest carries no Implementation-Version (e.g. classes run from target/classes). */
    static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

    private SmartDeal() {
    }

    /**
     * The version every command's {@code -V} prints: the jar manifest's Implementation-Version if present,
     * else {@link #FALLBACK_VERSION}.
     */
    public static final class Version implements CommandLine.IVersionProvider {
        /** Creates the provider (picocli also instantiates it from the annotation). */
        public Version() {
        }

        /** @return one line, {@code smartdeal <version>} */
        @Override
        public String[] getVersion() {
            return new String[] {"smartdeal " + version()};
        }
    }

    /** @return the jar manifest's Implementation-Version, or {@link #FALLBACK_VERSION} */
    static String version() {
        String v = SmartDeal.class.getPackage() == null ? null : SmartDeal.class.getPackage().getImplementationVersion();
        return v != null && !v.isBlank() ? v : FALLBACK_VERSION;
    }

    /** Gives {@code c} and all its subcommands the one version provider, so that {@code smartdeal demo -V} prints it too. */
    private static void installVersion(CommandLine c) {
        c.getCommandSpec().versionProvider(new Version());
        c.getSubcommands().values().forEach(SmartDeal::installVersion);
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
        installVersion(cl);
        // names are case-insensitive everywhere (--zoo, --variant, --arch); enum-valued options (--kind) too
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // "" would be the working folder, and messages would name it as nothing: an empty path is a usage error
        cl.registerConverter(java.nio.file.Path.class, s -> {
            if (s.isEmpty()) {
                throw new CommandLine.TypeConversionException("an empty path names no file or folder");
            }
            return java.nio.file.Path.of(s);
        });
        // A usage error names what was wrong and how to see the options, without a subcommand's whole option list.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter e = c.getErr();
            // picocli words a bad map value "Value for option option '--x' ..."
            String msg = ex.getMessage() == null ? "" : ex.getMessage().replace("option option '", "option '");
            // picocli's own messages start with "Error: "; the handler adds "error: " itself
            e.println("error: " + (msg.startsWith("Error: ") ? msg.substring("Error: ".length()) : msg));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
            if (!c.getSubcommands().isEmpty()) {
                c.usage(e); // a command of commands: its short list of subcommands is the help wanted
            } else {
                e.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            }
            e.flush();
            return EXIT_USAGE;
        });
        cl.setExecutionStrategy(parseResult -> {
            // ND4J frees native buffers only when their Java objects are collected; with little heap pressure, long
            // runs grow off-heap memory without bound (DL4J-NOTES.md): collect every 10 s. Not for help and version
            // requests, which need no ND4J (loading its native backend takes about 2 s).
            if (!onlyHelp(parseResult)) {
                org.nd4j.linalg.factory.Nd4j.getMemoryManager().setAutoGcWindow(10_000);
                // out of memory in a fit, DL4J writes a crash dump into the working folder (a file outside --out
                // that a failed run would leave behind) and logs about it; the command's own message says what to do
                org.deeplearning4j.util.CrashReportingUtil.crashDumpsEnabled(false);
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            // what the command printed before it failed (a table of failed candidates, say) comes first
            line.getOut().flush();
            PrintWriter e = line.getErr();
            if (ex instanceof BadInputException) {
                e.println("error: " + ex.getMessage());
                e.flush();
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof org.smartdeal.optim.TrainingDivergedException) {
                // the learning rate (or data) the user gave, not a defect
                e.println("error: " + ex.getMessage());
                e.flush();
                return EXIT_BAD_INPUT;
            }
            String memory = outOfMemory(ex);
            if (memory != null) {
                e.println("error: " + memory);
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

    /** Whether the command line only asks for help or the version: {@code --help}, {@code -V}, {@code help}, no command. */
    static boolean onlyHelp(CommandLine.ParseResult top) {
        if (!top.hasSubcommand()) return true;
        for (CommandLine.ParseResult p = top; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()
                    || p.commandSpec().userObject() instanceof CommandLine.HelpCommand) return true;
        }
        return false;
    }

    /**
     * Running out of memory (Java's heap, or the off-heap memory of ND4J's arrays, which JavaCPP reports as an
     * OutOfMemoryError too, sometimes wrapped) is the JVM's limit being too small for the model or data, not a
     * defect: the message gives both limits and how to raise them. Null when no OutOfMemoryError is in the chain.
     */
    static String outOfMemory(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return "out of memory (" + oom.getMessage() + "): this JVM may use "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB of Java heap and "
                        + org.bytedeco.javacpp.Pointer.maxBytes() / (1 << 20) + " MB of off-heap memory for ND4J's "
                        + "arrays; raise the limits with SMARTDEAL_JAVA_OPTS (the launcher's default is -Xmx8g), e.g. "
                        + "SMARTDEAL_JAVA_OPTS=-Xmx16g, or give a smaller model or fewer examples";
            }
        }
        return null;
    }

    /**
     * A file-system problem (a path that exists as a file where a folder is needed, a missing or
     * unwritable folder, a read error) is bad input, not an internal error: its message names the path
     * the user gave (never a writer's temporary file) and the reason in words. Null for anything else.
     */
    static String fileProblem(Throwable ex) {
        Throwable t = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
        if (t instanceof java.nio.file.FileAlreadyExistsException f) {
            return OutputPaths.userPath(f.getFile()) + ": exists and is not a folder (or cannot be replaced); give another path";
        }
        if (t instanceof java.io.IOException io) {
            return io instanceof java.nio.file.FileSystemException fs && fs.getFile() != null ? OutputPaths.describe(io)
                    : "cannot read or write a file: " + OutputPaths.describe(io);
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
        return run(commandLine(out, err), out, err, args);
    }

    /** {@link #run(PrintWriter, PrintWriter, String...)} on a command line already built. */
    static int run(CommandLine cl, PrintWriter out, PrintWriter err, String... args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError oom) {
            // picocli hands exceptions to the handler above but lets errors through; the arrays that filled the
            // heap are unreachable once the command has unwound, so the message can be printed
            err.println("error: " + outOfMemory(oom));
            return EXIT_BAD_INPUT;
        } finally {
            // print(String) does not flush even an auto-flushing writer: nothing a command printed may be lost
            out.flush();
            err.flush();
        }
    }

    /**
     * Entry point of the {@code smartdeal} launcher.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(runUntilInterrupted(commandLine(out, err), out, err, args));
    }

    /**
     * {@link #run} with a notice when the JVM is stopped by a signal (Ctrl-C's SIGINT, SIGTERM) before the command
     * ends: the write in progress completes first ({@code AtomicFiles.shutDown}, which also deletes the temporary files
     * and an energy report's staged folder of a write not yet made visible), then one line on standard error says
     * whether the run's outputs had been written or nothing of it was. The JVM's exit code is then the signal's
     * (130 for SIGINT, 143 for SIGTERM).
     *
     * @param cl   the command line ({@link #commandLine})
     * @param out  standard output
     * @param err  standard error
     * @param args the arguments
     * @return the exit code, when the command ends
     */
    static int runUntilInterrupted(CommandLine cl, PrintWriter out, PrintWriter err, String... args) {
        long before = org.smartdeal.codec.AtomicFiles.completedWrites();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        Thread notice = new Thread(() -> {
            if (ended.get()) {
                return;
            }
            long written = org.smartdeal.codec.AtomicFiles.shutDown() - before;
            err.println(written > 0
                    ? "smartdeal: interrupted after writing its outputs (they are complete)"
                    : "smartdeal: interrupted before writing its outputs: nothing was written, earlier files are as they were");
            err.flush();
        }, "smartdeal-interrupt-notice");
        Runtime.getRuntime().addShutdownHook(notice);
        try {
            return run(cl, out, err, args);
        } finally {
            ended.set(true);
        }
    }
}
