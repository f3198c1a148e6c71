package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.codec.ConfigurationCheck;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmLayout;
import org.smartdeal.codec.SdmWriter;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.layers.Networks;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.ConversionPlans;
import org.smartdeal.zoo.convert.ConversionReport;
import org.smartdeal.zoo.convert.NetworkDecomposition;
import org.smartdeal.zoo.convert.SdConverter;
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
 * {@code smartdeal convert}: a trained DL4J network (a ModelSerializer {@code .zip}, or a zoo model)
 * to a compact {@code .sdm} file, with a per-layer report. A {@code .zip} whose layers' sizes do not fit together is
 * refused before anything is written, where the network states its input type by itself
 * ({@link #checkRuns}) or {@code --input} gives it; one whose first layer is a convolution without a flat-input
 * preprocessor is not checked without {@code --input}. The image input shape it knows ({@code --input}, or a zoo
 * model's) is recorded in the file ({@link RecordedInput}).
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a DL4J network (.zip) or a zoo model to SD form and write a .sdm file.",
            "Prints the per-layer table; --report writes it as JSON (or CSV when the name ends in .csv)."})
public final class ConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Where the network comes from: a file or a zoo model. */
    static final class Source {
        @Parameters(index = "0", paramLabel = "IN.zip", description = "a DL4J ModelSerializer zip")
        Path input;

        @Option(names = "--zoo", paramLabel = "NAME", description = "a zoo model (see `smartdeal zoo list`)")
        String zoo;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--weights", paramLabel = "random|FILE.zip",
            description = "with --zoo: random (He) weights, the same in every run (the zoo's seed 42), or a ModelSerializer zip of the same architecture; default ${DEFAULT-VALUE}")
    String weights = "random";

    @Option(names = "--out", required = true, paramLabel = "OUT.sdm", description = "the .sdm file to write (atomically)")
    Path out;

    @Option(names = "--plan", paramLabel = "plan.json|NAME", completionCandidates = PlanNames.class,
            description = "conversion plan (defaults and per-layer overrides): a JSON file or, when no such file "
                + "exists, a shipped plan: ${COMPLETION-CANDIDATES} (the resnet18 plans from paper Table X for --zoo "
                + "resnet18-cifar, the mobilenetv2 plans from Table XI for --zoo mobilenetv2-cifar)")
    String planFile;

    /** The shipped plans' names, for {@code --plan}'s help text: {@link ConversionPlans#names()}. */
    static final class PlanNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ConversionPlans.names().iterator();
        }
    }

    @Option(names = "--theta", paramLabel = "T", description = "sparsity threshold for the plan's defaults and the layers that set none of their own, in [0, 1]")
    Double theta;

    @Option(names = "--convert-depthwise",
            description = "also convert depthwise convolutions (DepthwiseConvolution2D, and the depthwise half NAME_dw "
                + "of each SeparableConvolution2D) to SD form, as a plan's \"convertDepthwise\": true does; by default "
                + "they are kept dense (a 3 x 3 depthwise kernel is one slice with its own 3 x 3 basis: little to gain)")
    boolean convertDepthwise;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "with IN.zip: the network's input shape, for the checks that the layers' sizes fit together and "
            + "that it runs, which otherwise need a first layer stating its input (a dense layer or a flat-input "
            + "preprocessor), e.g. 1x28x28 for a convolution first layer; recorded in the .sdm (META property input), "
            + "where energy, export and evaluate find it (a zoo model's image input is recorded too)")
    String input;

    @Option(names = "--report", paramLabel = "report.json|report.csv",
            description = "write the report (JSON, or CSV for *.csv)")
    Path report;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        // option values and combinations first (exit 2), then paths and files (exit 3), all before any work
        if (theta != null && !(theta >= 0 && theta <= 1)) {
            throw usage("--theta must be in [0, 1], got " + Numbers.plain(theta));
        }
        if (source.input != null && spec.commandLine().getParseResult().hasMatchedOption("--weights")) {
            throw usage("--weights applies with --zoo only (an IN.zip carries its own weights), got --weights " + weights);
        }
        if (input != null && source.zoo != null) {
            throw usage("--input applies to IN.zip only (a zoo model knows its input shape), got --input " + input);
        }
        int[] shape = FashionMnistInput.parseShape(spec.commandLine(), input);
        ZooModel zoo = source.zoo != null ? zoo() : null;
        if (!ModelFiles.named(out, SdModelFile.EXTENSION)) {
            throw new BadInputException("--out must name a " + SdModelFile.EXTENSION + " file, got " + out);
        }
        checkOutputs();
        ConversionPlan plan = plan();
        Model dense = load(zoo);
        org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer =
                zoo == null ? ModelFiles.normalizer(source.input) : null;
        boolean unchecked = zoo == null && !checkRuns(dense, source.input, shape, quiet);
        if (planFile != null) {
            checkPlanLayers(planFile, plan, dense);
        }
        NetworkDecomposition d;
        // the layers to decompose are known once the plan is applied: the converter's first call gives their count
        try (Progress p = Progress.start("decompose", layerCount(dense), quiet)) {
            d = SdConverter.decompose(dense, plan, (done, total, what) -> {
                p.stepTo(done, total);
                p.message(what);
            });
        } catch (IllegalArgumentException e) {
            throw new BadInputException(what() + ": " + e.getMessage(), e);
        }
        Model sd;
        try (Progress p = Progress.start("build", layerCount(dense), quiet)) {
            sd = SdConverter.build(dense, d, (done, total, what) -> {
                p.step();
                p.message(what);
            });
        } catch (IllegalArgumentException e) {
            // a setting the SD layer's builder refuses, which DL4J's loader let through
            throw new BadInputException(what() + ": " + e.getMessage(), e);
        }
        // the input shape DL4J's configuration may not state, for the commands that read the file (RecordedInput)
        String recorded = shape != null ? RecordedInput.format(shape)
                : zoo != null ? RecordedInput.of(zoo.defaultConfiguration().inputType()) : null;
        SdmWriter.Serialized file = SdmWriter.serialize(RecordedInput.record(SdModelFile.toSdm(sd), recorded));
        SdmLayout layout = file.layout();
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(out, file.bytes());
        if (report != null) {
            String text = ModelFiles.named(report, ".csv") ? d.report().toCsv() : d.report().toJson();
            files.put(report, text.getBytes(StandardCharsets.UTF_8));
        }
        // the .sdm and the report appear together or not at all
        OutputPaths.writeTogether(files);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter o = spec.commandLine().getOut();
        o.print(d.report().toTable(layout.totalBreakdown()));
        warnZeroC(spec.commandLine().getErr(), d.report().zeroCoefficientLayers());
        noteDensityMisses(spec.commandLine().getErr(), plan, d.report());
        if (unchecked) {
            PrintWriter err = spec.commandLine().getErr();
            List<String> inputs = graphInputs(dense);
            String sequences = FashionMnistInput.sequences(dense, source.input);
            err.println(inputs.size() > 1 ? "note: " + source.input + " is a graph of " + inputs.size() + " inputs "
                    + inputs + ", so whether its layers fit together and run was not checked"
                    : sequences != null ? "note: " + sequences + ", so whether its layers fit together and run was not "
                    + "checked"
                    : "note: " + source.input + " does not state its input shape (its first layer is a convolution "
                    + "without a flat-input preprocessor, or takes no stated size), so whether its layers fit together "
                    + "and run was not checked; give --input CxHxW to check it, " + FashionMnistInput.inputExample(dense));
            err.flush();
        }
        if (normalizer != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("note: " + source.input + " holds a data normaliser (" + normalizer.getClass().getSimpleName()
                    + ", ModelSerializer.addNormalizerToModel), which a .sdm does not carry: the network still expects "
                    + "its inputs normalised by it, so feed " + out + " normalised data (smartdeal evaluate scores the "
                    + ".sdm on raw pixels)");
            err.flush();
        }
        long params = dense.numParams();
        o.printf(Locale.ROOT, "wrote %s: %d bytes | paper CR %.2fx | file CR %.2fx | %.2f s%n", out, layout.fileBytes(),
                d.report().paperCR(), StorageBreakdown.fileCR(params, layout.fileBytes()), seconds);
        if (report != null) {
            o.printf(Locale.ROOT, "wrote %s%n", report);
        }
        return SmartDeal.EXIT_OK;
    }

    /** What is converted, for messages: the input file, or "zoo model NAME". */
    private String what() {
        return source.input != null ? source.input.toString() : "zoo model " + source.zoo;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * The outputs can be written (their folders exist or can be created and accept files) and are not the
     * input model, the weights or the plan file, nor each other (inputs are never modified).
     */
    private void checkOutputs() throws IOException {
        OutputPaths.requireFile("--out", out);
        if (report != null) {
            if (!ModelFiles.named(report, ".json") && !ModelFiles.named(report, ".csv")) {
                throw new BadInputException("--report must name a .json or .csv file, got " + report);
            }
            if (OutputPaths.sameFile(report, out)) {
                throw new BadInputException("--report " + report + " is the same file as --out");
            }
            OutputPaths.requireFile("--report", report);
        }
        Path plan = planFile != null && Files.isRegularFile(Path.of(planFile)) ? Path.of(planFile) : null;
        Path weightsFile = source.zoo != null && !"random".equals(weights) ? Path.of(weights) : null;
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("--out", out);
        if (report != null) {
            outputs.put("--report", report);
        }
        for (Map.Entry<String, Path> o : outputs.entrySet()) {
            java.util.List<Path> written = java.util.List.of(o.getValue());
            OutputPaths.requireNotInput("IN.zip", source.input, o.getKey(), written);
            OutputPaths.requireNotInput("--weights", weightsFile, o.getKey(), written);
            OutputPaths.requireNotInput("--plan", plan, o.getKey(), written);
        }
    }

    private ConversionPlan plan() {
        ConversionPlan p = planFile == null ? ConversionPlan.defaultPlan() : resolvePlan(planFile);
        if (convertDepthwise) {
            p = p.withConvertDepthwise(true);
        }
        // --theta is range-checked above, so this cannot fail
        return theta == null ? p : p.withTheta(theta);
    }

    /**
     * The plan a {@code --plan} value names: a JSON file or, when no such file exists, a shipped plan's name.
     *
     * @param planFile the option's value
     * @return the plan
     * @throws BadInputException naming {@code --plan}, the value and what is wrong
     */
    static ConversionPlan resolvePlan(String planFile) {
        if (Files.isDirectory(Path.of(planFile))) {
            throw new BadInputException("--plan " + planFile + ": is a directory, expected a plan JSON file or a shipped "
                    + "plan's name");
        }
        try {
            return ConversionPlans.resolve(planFile);
        } catch (IOException e) {
            throw new BadInputException("--plan " + planFile + ": cannot be read: " + OutputPaths.reason(e), e);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--plan " + e.getMessage(), e);
        }
    }

    /**
     * Checks a plan against the network as the converter does ({@link SdConverter#checkPlan}: the layers it names
     * exist, its dense slices are at least the basis width), with a message naming the plan too.
     *
     * @param planArg the {@code --plan} value: the plan file or a shipped plan's name
     * @param plan the plan it gave
     * @param net the network to convert
     * @throws BadInputException "--plan PLAN: plan.layers names layers the network does not have: ..."
     */
    static void checkPlanLayers(String planArg, ConversionPlan plan, Model net) {
        try {
            SdConverter.checkPlan(net, plan);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--plan " + planArg + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a network whose layers' sizes do not fit together ({@link ConfigurationCheck#inputSizes}), or that fails
     * a forward pass of two all-zero examples ({@link ForwardCheck}), which DL4J loads and fails on only at its first
     * forward pass, where the network states its input type by itself ({@link FashionMnistInput#statedInputType}: a
     * flat-input preprocessor or a first layer's nIn) or {@code --input} gives it; a network that does not (a
     * convolution first layer without a flat-input preprocessor, a first layer of no stated size, a recurrent first
     * layer, a graph of several inputs) is not checked without {@code --input}; a graph of several inputs is refused
     * with it, as {@code --input} gives one input's shape.
     *
     * @param net   the network to convert
     * @param file  its file, for the message
     * @param shape {@code --input}'s {C, H, W}, or null
     * @param quiet no progress bar for the forward pass
     * @return whether the network was checked: false when its input type is neither stated nor given
     * @throws BadInputException "FILE: the layers' sizes do not fit together: DenseLayer(name=fc2, index=1) takes
     *     nIn=50 but its input has 100 values (from layer fc1's nOut)", or "FILE: the network fails a forward pass
     *     of 2 all-zero inputs of shape [2, 784] (...): ..."
     */
    static boolean checkRuns(Model net, Path file, int[] shape, boolean quiet) {
        List<String> inputs = graphInputs(net);
        if (shape != null && inputs.size() > 1) {
            throw new BadInputException("--input " + RecordedInput.format(shape) + " gives one input's shape, but " + file
                    + " is a graph of " + inputs.size() + " inputs " + inputs + "; convert it without --input (its sizes "
                    + "and forward pass are then not checked, as a note says)");
        }
        InputType type = shape == null ? FashionMnistInput.statedInputType(net, file)
                : FashionMnistInput.inputType(net, shape, false, file);
        if (type == null) {
            return false;
        }
        ForwardCheck.requireRuns(net, type, file, quiet);
        return true;
    }

    /** A graph's network inputs; empty for a MultiLayerNetwork. */
    private static List<String> graphInputs(Model net) {
        return net instanceof org.deeplearning4j.nn.graph.ComputationGraph g ? g.getConfiguration().getNetworkInputs()
                : List.of();
    }

    private static int layerCount(Model m) {
        return m instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork n ? n.getLayers().length
                : ((org.deeplearning4j.nn.graph.ComputationGraph) m).getLayers().length;
    }

    /**
     * A note naming the converted layers whose C density is more than 10% off the plan's density target: a layer's
     * density can jump across the target between two nearby thresholds (an audit's dense layer: 0.380 at theta 0.222,
     * 0.128 at 0.278, target 0.25), and the search keeps the smallest threshold that meets it, so the report alone
     * looked like a missed setting. The depthwise half of a separable layer with settings of its own is not checked
     * (its target is its layer's, not the one the plan gives its name).
     *
     * @param err    where notes go
     * @param plan   the plan converted with
     * @param report the conversion's report
     */
    static void noteDensityMisses(PrintWriter err, ConversionPlan plan, ConversionReport report) {
        List<String> misses = new ArrayList<>();
        for (ConversionReport.Row r : report.layers()) {
            String n = r.name();
            if (!r.converted() || n.endsWith("_dw") && !plan.ownSettings(n.substring(0, n.length() - 3)).isEmpty()) {
                continue;
            }
            double target = plan.settingsFor(n).density();
            if (target > 0 && Math.abs(r.cDensity() - target) > 0.1 * target) {
                misses.add(String.format(Locale.ROOT, "%s %.3f (target %s)", n, r.cDensity(), Numbers.plain(target)));
            }
        }
        if (!misses.isEmpty()) {
            err.println("note: C density more than 10% off the plan's target in " + String.join(", ", misses) + ": the "
                    + "density can jump across a target between two nearby thresholds, and the converter keeps the "
                    + "smallest threshold whose density is at most the target; a layer's own theta chooses otherwise");
            err.flush();
        }
    }

    /**
     * Warns (on standard error; the run still succeeds) about layers whose C kept no non-zero entry: their W = C*B
     * is zero, so the layer passes on its bias alone, which is rarely what a threshold was meant to give.
     *
     * @param err    where warnings go
     * @param layers the names of such layers (nothing is printed when empty)
     */
    static void warnZeroC(PrintWriter err, List<String> layers) {
        warnZeroC(err, layers, "a lower --theta or a --density target keeps weights (where the plan's "
                + "bnGammaThreshold or structuredRatio is set, a lower one may be what is needed)");
    }

    /**
     * The warning of {@link #warnZeroC(PrintWriter, List)} with the remedy in the options of the command that
     * decomposed ({@code train} has no {@code --density}, for example).
     *
     * @param err    where warnings go
     * @param layers the names of such layers (nothing is printed when empty)
     * @param remedy what keeps weights, in the command's options, e.g. "a lower --theta keeps weights"
     */
    static void warnZeroC(PrintWriter err, List<String> layers, String remedy) {
        if (!layers.isEmpty()) {
            err.println("warning: C keeps no non-zero coefficient in " + String.join(", ", layers) + " (C density 0): "
                    + "W = C*B is zero there; " + remedy);
            err.flush();
        }
    }

    private ZooModel zoo() {
        try {
            return ZooModel.byName(source.zoo);
        } catch (IllegalArgumentException e) {
            // an unknown name given as an option value is a usage error, as in energy and train
            throw usage("--zoo must be a zoo model name (" + String.join(", ", ZooModel.names()) + "), got '"
                    + source.zoo + "'");
        }
    }

    private Model load(ZooModel z) {
        if (z == null) {
            return requireDense(source.input, null, "convert");
        }
        Model m = z.defaultConfiguration().init();
        if ("random".equals(weights)) {
            return m;
        }
        if (!Files.exists(Path.of(weights))) {
            // ModelFiles would say "WEIGHTS: no such file", naming neither the option nor its keyword
            throw new BadInputException("--weights " + weights + ": no such file, and not the keyword random"
                    + (weights.equalsIgnoreCase("random") ? " (lower case)" : "") + "; give random for the zoo's seeded "
                    + "random weights or a ModelSerializer .zip of zoo model " + z.id());
        }
        Model w = requireDense(Path.of(weights), "--weights", "convert");
        if (w.numParams() != m.numParams()) {
            throw new BadInputException("--weights " + weights + " has " + w.numParams() + " parameters but zoo model "
                    + z.id() + " has " + m.numParams());
        }
        String difference = architectureDifference(w, m);
        if (difference != null) {
            // the same parameter count is not the same network (a 784-284-148-10 MLP has LeNet-300-100's 266,610)
            throw new BadInputException("--weights " + weights + " is not zoo model " + z.id() + "'s architecture: "
                    + difference);
        }
        return w;
    }

    /**
     * The first difference between two networks' layer sequences (kind of network, layer count, layer class,
     * parameter shapes), or null when they match.
     */
    static String architectureDifference(Model given, Model expected) {
        if (given.getClass() != expected.getClass()) {
            return "it holds a " + given.getClass().getSimpleName() + ", the zoo model is a "
                    + expected.getClass().getSimpleName();
        }
        org.deeplearning4j.nn.api.Layer[] a = Networks.layers(given);
        org.deeplearning4j.nn.api.Layer[] b = Networks.layers(expected);
        if (a.length != b.length) {
            return "it has " + a.length + " layers, the zoo model " + b.length;
        }
        for (int i = 0; i < a.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer ca = a[i].conf().getLayer();
            org.deeplearning4j.nn.conf.layers.Layer cb = b[i].conf().getLayer();
            String where = "layer " + i + " (" + ca.getLayerName() + ")";
            if (ca.getClass() != cb.getClass()) {
                return where + " is a " + ca.getClass().getSimpleName() + ", the zoo model's a "
                        + cb.getClass().getSimpleName();
            }
            Map<String, INDArray> pa = a[i].paramTable();
            Map<String, INDArray> pb = b[i].paramTable();
            if (!pa.keySet().equals(pb.keySet())) {
                return where + " has parameters " + pa.keySet() + ", the zoo model's " + pb.keySet();
            }
            for (String k : pb.keySet()) {
                if (!Arrays.equals(pa.get(k).shape(), pb.get(k).shape())) {
                    return where + " has " + k + " " + Arrays.toString(pa.get(k).shape()) + ", the zoo model's "
                            + Arrays.toString(pb.get(k).shape());
                }
            }
        }
        return null;
    }

    /**
     * A dense DL4J ModelSerializer .zip with finite parameters: a .sdm file or a network with SD layers is already
     * converted.
     *
     * @param file    the file
     * @param option  the option that named it, or null for a positional argument
     * @param command the command, for the message ({@code convert}, {@code sweep})
     * @return the network
     * @throws BadInputException naming the file, the rule and what it holds
     */
    static Model requireDense(Path file, String option, String command) {
        String who = (option == null ? "" : option + " ") + file;
        String rule = command + " takes a dense DL4J ModelSerializer .zip (a trained network before conversion)";
        if (ModelFiles.named(file, SdModelFile.EXTENSION) && Files.isRegularFile(file)
                && ModelFiles.content(file) == ModelFiles.Content.SDM) {
            throw new BadInputException(who + ": is a .sdm file, already in SD form; " + rule);
        }
        Model m = ModelFiles.load(file);
        if (ModelFiles.hasSdLayers(m)) {
            throw new BadInputException(who + ": holds SD layers, already converted; " + rule);
        }
        ModelFiles.requireFiniteParameters(m, who, "converted");
        return m;
    }
}
