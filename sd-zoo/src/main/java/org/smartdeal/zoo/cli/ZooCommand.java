package org.smartdeal.zoo.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.smartdeal.zoo.models.ModelStats;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal zoo}: the model zoo. Subcommand {@code list} prints one row per
 * {@link ZooModel}: name, default input shape, default class count, trainable parameters and MACs
 * per example (counted from the configuration by {@link ModelStats}, nothing is allocated).
 * Output goes to the command line's {@code getOut()} writer, so tests can capture it.
 *
 * <p>Like the top-level {@code smartdeal}, {@code zoo} does nothing on its own: without a
 * subcommand picocli reports "Missing required subcommand" with the usage (which lists the
 * subcommands) on stderr, and the exit code is {@link SmartDeal#EXIT_USAGE}.
 */
@Command(name = "zoo", mixinStandardHelpOptions = true,
        description = "The model zoo: VGG, ResNet, MobileNetV2, LeNet and a small CNN.",
        subcommands = {ZooCommand.ListModels.class})
public final class ZooCommand {

    /** {@code smartdeal zoo list}: the table of zoo models. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List zoo models: name, input shape, classes, trainable parameters, MACs per example.")
    public static final class ListModels implements Callable<Integer> {

        private static final String ROW = "%-18s %-10s %7s %14s %17s  %s%n";

        @Spec
        private CommandSpec spec;

        /** Prints the table; returns exit code 0. */
        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, ROW, "NAME", "INPUT", "CLASSES", "PARAMS", "MACS", "DESCRIPTION");
            for (ZooModel model : ZooModel.values()) {
                ZooConfiguration conf = model.defaultConfiguration();
                out.printf(Locale.ROOT, ROW, model.id(), model.defaultInputShape(), model.defaultNumClasses(),
                        String.format(Locale.ROOT, "%,d", ModelStats.trainableParams(conf)),
                        String.format(Locale.ROOT, "%,d", ModelStats.macs(conf)), model.description());
            }
            out.flush();
            return 0;
        }
    }
}
