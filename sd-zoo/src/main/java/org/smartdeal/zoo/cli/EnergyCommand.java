package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.smartdeal.codec.ConfigurationCheck;
import org.smartdeal.hw.dl4j.ActStatsCollector;
import org.smartdeal.hw.dl4j.EnergyReport;
import org.smartdeal.hw.dl4j.Workloads;
import org.smartdeal.hw.model.AcceleratorRegistry;
import org.smartdeal.hw.model.TilingSearch;
import org.smartdeal.hw.report.PaperStudy;
import org.smartdeal.hw.report.ReportFolder;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.Workload;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.text.Numbers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal energy}: prices a network on the SmartDeal accelerator and the four baselines of the
 * paper (HWMODEL.md), and on models registered on the class path ({@link AcceleratorRegistry}), and writes per-layer and per-model CSV and JSON (every count, every energy term with
 * its unit, every knob) and PNG charts; {@code --paper} runs the paper's seven-model study
 * ({@link PaperStudy}). Activation statistics are measured on Fashion-MNIST with {@code --data}, else
 * the paper's defaults are used (the output says which).
 */
@Command(name = "energy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Energy, latency and DRAM traffic of a network on SmartDeal, DianNao, Cambricon-X, SCNN and Bit-pragmatic.",
            "Writes summary.json/.txt, models.csv, layers.csv, actions.csv, workload.json, models/*.json, charts/*.png and "
                + "report-files.txt (the list of the report's files) to --out.",
            "Without --data the activation statistics are the paper's defaults (Fig. 3 fit); the output says so.",
            "Accelerator models of your own registered on the class path (SMARTDEAL_CLASSPATH, docs/EXTENDING.md 2) are "
                + "priced too."})
public final class EnergyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** What to price: exactly one source. */
    static final class Source {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "a .sdm or DL4J .zip model")
        Path file;

        @Option(names = "--zoo", paramLabel = "NAME", description = "a zoo model with random (He) weights, the same in every run (seed 42; see `smartdeal zoo list`)")
        String zoo;

        @Option(names = "--paper-model", paramLabel = "NAME", description = "a paper workload: vgg11, resnet50, mobilenetv2, "
                + "efficientnetb0, vgg19-cifar, resnet164, deeplabv3plus")
        String paperModel;

        @Option(names = "--paper", description = "the paper's seven-model study (Figs. 8-10 tables and charts, sweep, paper-summary.json)")
        boolean paper;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--data", paramLabel = "NAME",
            description = "measure activation statistics on this dataset; only fashion-mnist")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = FashionMnistInput.DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--samples", paramLabel = "N",
            description = "test examples measured with --data, in [1, 10000]; default ${DEFAULT-VALUE}")
    int samples = 256;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "with FILE: the network's input shape, needed when its first "
            + "layer is a convolution without a flat-input preprocessor, e.g. 1x28x28, unless the .sdm records it "
            + "(convert --input does); given, it wins over the recorded shape, and a note on standard error says when "
            + "they differ")
    String input;

    @Option(names = "--accelerators", paramLabel = "LIST", completionCandidates = AcceleratorNames.class,
            description = "all, or a comma list of ${COMPLETION-CANDIDATES} (not with --paper, which prices the "
            + "paper's five); default ${DEFAULT-VALUE}")
    String accelerators = "all";

    /**
     * The names {@code --accelerators} takes, for its help text: {@link EnergyReport#names()}, the five and the models
     * registered on the class path, in report order. A broken registration leaves the help at the five and a note
     * that one is broken (listing the registrations does not say which); the command itself then refuses to run,
     * naming the class (exit 3).
     */
    static final class AcceleratorNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            try {
                return EnergyReport.names().iterator();
            } catch (AcceleratorRegistry.RegistrationException e) {
                List<String> names = new java.util.ArrayList<>(EnergyReport.NAMES);
                // on the last name: picocli joins the names with ", ", which put a comma before the note
                names.set(names.size() - 1, names.get(names.size() - 1)
                        + " (and a registered model that is broken: running energy names it)");
                return names.iterator();
            }
        }
    }

    @Option(names = "--batch", paramLabel = "N",
            description = "images per priced pass, in [1, 4096]; default from --arch-spec's knobs, else knobs-v1.json (1)")
    Integer batch;

    @Option(names = "--dram-bw", paramLabel = "X",
            description = "DRAM bandwidth in bytes per 1 GHz cycle, at least 0.000001, or inf; default from --arch-spec's "
            + "knobs, else knobs-v1.json (25.6)")
    String dramBw;

    @Option(names = "--no-sweep", description = "with --paper: skip the knob sweep")
    boolean noSweep;

    @Option(names = "--energy-table", paramLabel = "FILE.json",
            description = "energy per action (pJ) of your own, in the form of the shipped energy-table-v1.json (every "
            + "EnergyTable field; see docs/EXTENDING.md); not with --paper; default: the paper's Table I (28 nm)")
    Path energyTable;

    @Option(names = "--arch-spec", paramLabel = "FILE.json",
            description = "accelerator resources of your own (buffers, array sizes, ...) and default knobs, in the form of "
            + "the shipped arch-v1.json (every ArchSpec field; see docs/EXTENDING.md); not with --paper; default: the "
            + "paper's Table IX")
    Path archSpec;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder; default ${DEFAULT-VALUE}")
    Path out = Path.of("smartdeal-out", "energy");

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Knobs knobs = knobs(Knobs.defaults()); // the options' checks; applied to --arch-spec's knobs below
        PrintWriter o = spec.commandLine().getOut();
        List<String> accs = List.of(accelerators);
        Checked c = checkOptions(accs);
        requireOutsideOut("--energy-table", energyTable);
        requireOutsideOut("--arch-spec", archSpec);
        EnergyTable table = energyTable == null ? EnergyTable.paper28nm()
                : readSpec(EnergyTable.class, "--energy-table", energyTable, "an energy table JSON file");
        ArchSpec arch = archSpec == null ? ArchSpec.paper().withKnobs(knobs) : readArch(archSpec, accs);
        knobs = arch.knobs();
        // the report is staged beside --out and moved in at the end (ReportFolder): both must accept files
        OutputPaths.requireFolder("--out", out);
        OutputPaths.requireParentFolder("--out", out, "the report is staged there");
        // a file of another command's in --out that the report would replace is refused now, not after the pricing
        ReportFolder.check(out, source.paper ? PaperStudy.fileNames(!noSweep) : EnergyReport.fileNames(c.accelerators()));
        if (source.paper) {
            return paperStudy(o, knobs);
        }
        EnergyReport report = price(arch, accs, c.shape(), c.zoo(), table, knobs);
        writing(() -> {
            report.write(out);
            return null;
        });
        o.print(report.summaryText());
        if (energyTable != null) {
            o.printf(Locale.ROOT, "energy table: %s (its values are echoed in summary.json)%n", energyTable);
        }
        if (archSpec != null) {
            o.printf(Locale.ROOT, "architecture: %s (its values are echoed in summary.json)%n", archSpec);
        }
        o.printf(Locale.ROOT, "wrote %s: summary.json, summary.txt, models.csv, layers.csv, actions.csv, workload.json, models/, charts/, "
                + "%s%n", out, ReportFolder.MANIFEST);
        return SmartDeal.EXIT_OK;
    }

    /**
     * An input JSON inside --out may be one of the files the report replaces (summary.json, workload.json,
     * models/NAME.json) or removes (those an earlier report listed): refused, exit 3, as convert and sweep refuse an
     * output that names an input.
     */
    private void requireOutsideOut(String option, Path input) throws IOException {
        if (input == null) {
            return;
        }
        boolean inside = input.toAbsolutePath().normalize().startsWith(out.toAbsolutePath().normalize())
                || java.nio.file.Files.exists(input) && java.nio.file.Files.isDirectory(out)
                && input.toRealPath().startsWith(out.toRealPath());
        if (inside) {
            throw new BadInputException(option + " " + input + " is inside --out " + out + ", whose files the report "
                    + "replaces; inputs are never overwritten: move it or choose another --out");
        }
    }

    /** The input shape (--input) and zoo model (--zoo) the options give, each null when not given. */
    private record Checked(int[] shape, ZooModel zoo, List<String> accelerators) {
    }

    /** Every option against the others and its own range (exit 2; a broken accelerator plug-in exit 3), before any work. */
    private Checked checkOptions(List<String> accs) {
        if (data != null && !"fashion-mnist".equals(data)) {
            throw usage("--data must be fashion-mnist, got '" + data + "'");
        }
        if (samples < 1 || samples > 10_000) {
            throw usage("--samples must be in [1, 10000], got " + samples);
        }
        if (data == null && spec.commandLine().getParseResult().hasMatchedOption("--samples")) {
            throw usage("--samples applies with --data only (the examples measured); without --data the paper's "
                + "default statistics are used");
        }
        if (data == null && dataDir != null) {
            throw usage("--data-dir applies with --data only (where the examples measured are read); without --data the "
                + "paper's default statistics are used, got --data-dir " + dataDir);
        }
        if (input != null && source.file == null) {
            throw usage("--input applies to a FILE (.sdm or .zip) only: zoo models and paper workloads know their input "
                    + "shape, got --input " + input);
        }
        int[] shape = FashionMnistInput.parseShape(spec.commandLine(), input);
        if (noSweep && !source.paper) {
            throw usage("--no-sweep applies with --paper only (the sweep is part of the paper study)");
        }
        List<String> names;
        try {
            names = EnergyReport.accelerators(accs).stream().map(org.smartdeal.hw.model.AcceleratorModel::name).toList();
        } catch (AcceleratorRegistry.RegistrationException e) {
            // a plug-in on the class path (SMARTDEAL_CLASSPATH), not the command line, is wrong
            throw new BadInputException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw usage("--accelerators: " + e.getMessage());
        }
        if ((source.paper || source.paperModel != null) && data != null) {
            throw usage("--data applies to networks (FILE, --zoo); paper workloads use the paper's statistics");
        }
        if (source.paper && !EnergyReport.namesAll(accs)) {
            throw usage("--accelerators applies to networks and --paper-model; --paper always prices all five accelerators "
                + "(the figures are normalised to DianNao), got --accelerators " + accelerators);
        }
        if (source.paperModel != null && !PaperModels.NAMES.contains(source.paperModel)) {
            throw usage("--paper-model must be one of " + PaperModels.NAMES + ", got '" + source.paperModel + "'");
        }
        ZooModel zoo = zooModel();
        if (source.paper && energyTable != null) {
            throw usage("--energy-table applies to networks and --paper-model; --paper compares with the paper's figures, "
                + "which use its Table I");
        }
        if (source.paper && archSpec != null) {
            throw usage("--arch-spec applies to networks and --paper-model; --paper compares with the paper's figures, "
                + "which use its Table IX resources");
        }
        return new Checked(shape, zoo, names);
    }

    /** The zoo model --zoo names (exit 2 listing the names when it names none), or null without --zoo. */
    private ZooModel zooModel() {
        if (source.zoo != null) {
            try {
                return ZooModel.byName(source.zoo);
            } catch (IllegalArgumentException e) {
                throw usage("--zoo must be a zoo model name (" + String.join(", ", ZooModel.names()) + "), got '"
                    + source.zoo + "'");
            }
        }
        return null;
    }

    /**
     * Runs a step that writes the report into --out and returns what it returns; an error of the file system that names no file (a full disk:
     * "No space left on device") is reported naming --out. ReportFolder writes into a temporary folder first, so such
     * an error, almost always met there, leaves the folder as it was; not so in the rare update in place.
     */
    private <T> T writing(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
                throw e;
            }
            throw new BadInputException("--out " + out + ": writing the report failed (" + OutputPaths.reason(e.getCause())
                    + ")", e);
        }
    }

    /** {@code --paper}: the seven-model study into --out, its comparison printed. */
    private int paperStudy(PrintWriter o, Knobs knobs) throws IOException {
        long t0 = System.nanoTime();
        Map<String, Object> summary;
        try (Progress p = Progress.start("paper study", PaperStudy.steps(!noSweep), quiet)) {
            summary = writing(() -> PaperStudy.run(out, knobs, !noSweep, done -> {
                p.step();
                p.message(done);
            }));
        }
        o.printf(Locale.ROOT, "paper study (%d models, knobs %s): wrote %s (paper-summary.json, paper-comparison.md, fig8/9/10 CSV "
                + "and PNG, layers.csv, actions.csv, models/, charts/%s, %s) in %.1f s%n", summary.size(),
                org.smartdeal.hw.spec.Specs.toMap(knobs), out, noSweep ? "" : ", sweep.csv, sweep-summary.md", ReportFolder.MANIFEST,
                (System.nanoTime() - t0) / 1e9);
        o.print(java.nio.file.Files.readString(out.resolve("paper-comparison.md")));
        return SmartDeal.EXIT_OK;
    }

    /**
     * Prices the --paper-model workload or the network (FILE, --zoo); a layer no tile of the buffers holds is bad
     * input naming the buffers (exit 3).
     */
    private EnergyReport price(ArchSpec arch, List<String> accs, int[] shape, ZooModel zoo, EnergyTable table,
            Knobs knobs) {
        try {
            if (source.paperModel != null) {
                Workload w = PaperModels.workload(source.paperModel, knobs, arch);
                return EnergyReport.of(w, "paper defaults: " + w.notes(), accs, arch, table);
            }
            return priceNetwork(arch, accs, shape, zoo, table);
        } catch (EnergyReport.PricingException e) {
            // EnergyReport.price names the accelerator in an exception of its own, the model's as its cause
            if (!(e.getCause() instanceof TilingSearch.NoFeasibleTilingException)) throw pluginFailure(e);
            // a layer whose smallest tile overflows the buffers (an --arch-spec's small ones): the input's property
            String buffers = "(inputBufBytes " + Numbers.plain(arch.inputBufBytes()) + ", weightBufBytes "
                + Numbers.plain(arch.weightBufBytes()) + ", outputBufBytes " + Numbers.plain(arch.outputBufBytes())
                + ", tileCapFraction " + Numbers.plain(arch.tileCapFraction()) + ")";
            if (archSpec != null) {
                throw new BadInputException("--arch-spec " + archSpec + ": " + e.getMessage() + "; its buffers are too "
                    + "small for this network " + buffers, e);
            }
            String what = source.file != null ? source.file.toString()
                : source.zoo != null ? source.zoo : source.paperModel;
            throw new BadInputException(what + ": cannot price this network: " + e.getMessage() + "; the paper's "
                + "buffers (arch-v1.json) are too small for this layer " + buffers + "; give larger ones with --arch-spec",
                e);
        }
    }

    /**
     * A registered model of the user's (SMARTDEAL_CLASSPATH) that fails is bad input naming its class, where it came
     * from and, when its own code threw, the line of it that failed (exit 3), not an internal error of the command's; a
     * failure of one of the five is returned as it is.
     */
    static RuntimeException pluginFailure(EnergyReport.PricingException e) {
        Class<?> c = e.modelClass();
        if (EnergyReport.NAMES.contains(e.accelerator()) || c == null) return e;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        // the first line of the plug-in's own code in the trace; none when the cost model refused its counts
        StackTraceElement at = null;
        for (StackTraceElement f : root.getStackTrace()) {
            if (f.getClassName().equals(c.getName()) || f.getClassName().startsWith(c.getName() + "$")) {
                at = f;
                break;
            }
        }
        return new BadInputException("accelerator model '" + e.accelerator() + "' (" + c.getName() + ", "
            + AcceleratorRegistry.origin(c) + ", registered on the class path) failed: " + e.getMessage()
            + (at == null ? "" : " (at " + at + ")"), e);
    }

    private EnergyReport priceNetwork(ArchSpec arch, List<String> accs, int[] given, ZooModel z, EnergyTable table) {
        String name;
        Model net;
        InputType type;
        int[] shape = null; // a FILE's: --input, or the shape the .sdm records
        if (z != null) {
            ZooConfiguration c = z.defaultConfiguration();
            net = c.init();
            type = c.inputType();
            name = z.id();
        } else {
            ModelFiles.Loaded loaded = ModelFiles.loadWithProperties(source.file);
            net = loaded.net();
            RecordedInput.Choice input = RecordedInput.choose(given, loaded.properties(), source.file);
            input.warn(spec.commandLine().getErr());
            shape = input.shape();
            ModelFiles.requireFiniteParameters(net, source.file.toString(), "priced");
            requireFeedForward(net, source.file);
            type = null; // derived below, where DL4J's exceptions are exit 3
            String f = source.file.getFileName().toString();
            name = f.contains(".") ? f.substring(0, f.lastIndexOf('.')) : f;
        }
        Workloads.Extracted x;
        try {
            if (type == null) {
                type = FashionMnistInput.inputType(net, shape, data != null, source.file);
                // DL4J reads a file without comparing each layer's nIn with its input; the pricing would not either
                ConfigurationCheck.inputSizes(net, type);
            }
            x = Workloads.extract(net, type);
        } catch (IllegalArgumentException | IllegalStateException | org.deeplearning4j.exception.DL4JException e) {
            // a file is named by its path, as every other refusal names it; a zoo model by its name
            throw new BadInputException((z == null ? source.file.toString() : name) + ": cannot price this network: "
                    + e.getMessage(), e);
        }
        if (z == null) {
            // settings DL4J meets only when it runs (a graph's merge axis, say) would fail the measured statistics
            // and evaluate, not the pricing: a file that cannot run is refused before it is priced
            ForwardCheck.require(net, type, source.file, quiet);
        }
        if (data == null) {
            return EnergyReport.of(Workloads.of(net, name, arch.knobs(), arch, type), Workloads.PAPER_STATS_NOTE, accs,
                    arch, table);
        }
        InMemoryDataSetIterator it = fashionMnist(type, z == null ? source.file.toString() : name);
        // a zip's data normaliser: the network runs on the inputs it was trained on, as evaluate scores it
        org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer =
                z == null ? ModelFiles.normalizer(source.file) : null;
        if (normalizer != null) {
            FashionMnistInput.normalise(it, normalizer, source.file);
        }
        ActStatsCollector c = new ActStatsCollector(net, x, arch);
        try (Progress p = Progress.start("activation statistics", samples, quiet)) {
            while (it.hasNext()) {
                var f = it.next().getFeatures();
                c.add(f);
                p.stepBy(f.size(0));
            }
        }
        String src = Workloads.measuredStatsNote(c.images(), "Fashion-MNIST test" + (normalizer == null ? ""
                : ", normalised by the zip's " + normalizer.getClass().getSimpleName() + ","));
        return EnergyReport.of(c.workload(name, src + Workloads.skippedNote(x)), src, accs, arch, table);
    }

    /**
     * Refuses a network with recurrent layers up front: the hardware model prices images through convolution, dense
     * and pooling layers, and neither the input types nor {@code --input} describe a sequence, so
     * such a network failed on DL4J's "Invalid input for RNN layer" with no word of why.
     */
    private static void requireFeedForward(Model net, java.nio.file.Path file) {
        String api = "; the Java API prices sequence networks of a stated length (Workloads.of with "
                + "InputType.recurrent(size, length), then EnergyReport.of; README, As a library)";
        for (org.deeplearning4j.nn.api.Layer l : org.smartdeal.layers.Networks.layers(net)) {
            org.deeplearning4j.nn.conf.layers.Layer c = org.smartdeal.layers.Networks.unwrapFrozen(l.conf().getLayer());
            if (c instanceof org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer
                    || c instanceof org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional
                    || c instanceof org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep
                    || c instanceof org.deeplearning4j.nn.conf.layers.RnnOutputLayer
                    || c instanceof org.deeplearning4j.nn.conf.layers.Convolution1DLayer) {
                throw new BadInputException(file + ": cannot price this network: layer " + c.getLayerName() + " ("
                        + c.getClass().getSimpleName() + ") reads sequences; energy prices networks of convolution, "
                        + "dense and pooling layers on images or vectors" + api);
            }
        }
        if (net instanceof org.deeplearning4j.nn.graph.ComputationGraph g
                && g.getConfiguration().getNetworkInputs().size() > 1) {
            throw new BadInputException(file + ": cannot price this network: the graph has "
                    + g.getConfiguration().getNetworkInputs().size() + " inputs " + g.getConfiguration().getNetworkInputs()
                    + "; energy prices networks of one input (the Java API takes one InputType per input: Workloads.of("
                    + "net, name, knobs, arch, types...), then EnergyReport.of)");
        }
    }

    /**
     * A spec file of the user's (the energy table, the architecture), read strictly by {@link Specs#read}: exit 3 naming
     * the option, the file, the field and the value.
     */
    private static <T extends Record> T readSpec(Class<T> type, String option, Path file, String what) {
        InputPaths.requireFile(option, file, what);
        try {
            return Specs.read(type, file);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(option + " " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new BadInputException(option + " " + file + ": cannot be read: " + OutputPaths.reason(e), e);
        }
    }

    /**
     * The user's architecture, checked field by field, with --batch and --dram-bw applied to its knobs; SCNN's
     * accumulators must leave room in its input buffer when SCNN is priced (exit 3 naming the file, field and value).
     */
    private ArchSpec readArch(Path file, List<String> accs) {
        ArchSpec a = readSpec(ArchSpec.class, "--arch-spec", file, "an architecture JSON file");
        if (EnergyReport.accelerators(accs).stream().anyMatch(m -> m instanceof org.smartdeal.hw.model.Scnn)) {
            try {
                org.smartdeal.hw.model.Scnn.requireFits(a);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--arch-spec " + file + ": " + e.getMessage()
                    + " (or leave SCNN out with --accelerators)", e);
            }
        }
        return a.withKnobs(knobs(a.knobs()));
    }

    private InMemoryDataSetIterator fashionMnist(InputType type, String what) {
        FashionMnistInput.Layout layout = FashionMnistInput.layout(type, what);
        FashionMnist test = FashionMnistInput.load(dataDir, false);
        InMemoryDataSetIterator it = test.limit(samples).iterator(Math.min(samples, 128), false, 0);
        FashionMnistInput.apply(it, layout);
        return it;
    }

    /** {@code base} with --batch and --dram-bw applied, each checked. */
    private Knobs knobs(Knobs base) {
        Knobs k = base;
        if (batch != null) {
            if (batch < 1 || batch > 4096) {
                throw usage("--batch must be in [1, 4096], got " + batch);
            }
            k = k.withBatch(batch);
        }
        if (dramBw != null) {
            double bw;
            String rule = "--dram-bw must be a number > 0 (bytes per cycle, at least " + Numbers.plain(Knobs.MIN_DRAM_BW)
                + ") or inf, got '" + dramBw + "'";
            try {
                bw = dramBw.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(dramBw);
            } catch (NumberFormatException e) {
                throw usage(rule);
            }
            if (!(bw >= Knobs.MIN_DRAM_BW)) {
                throw usage(rule);
            }
            k = k.withBw(bw);
        }
        return k;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
