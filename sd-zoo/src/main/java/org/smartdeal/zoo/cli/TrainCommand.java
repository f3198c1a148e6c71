package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmFormatException;
import org.smartdeal.codec.SdmReader;
import org.smartdeal.optim.TrainingDivergedException;
import org.smartdeal.zoo.convert.ConversionReport;
import org.smartdeal.zoo.convert.StructuredRatioTooLargeException;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.recipes.RecipeListener;
import org.smartdeal.zoo.recipes.RecipeResult;
import org.smartdeal.zoo.recipes.SdTrainingRecipe;
import org.smartdeal.zoo.recipes.TrainingSettings;
import org.smartdeal.zoo.recipes.Variant;
import org.smartdeal.zoo.text.Numbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal train}: transfer training on Fashion-MNIST as vanilla dense (va), SD-T (sd) or SD-T
 * with structured sparsity (ss), for the fine-tuning or the adaptation task (ALGORITHMS.md 6.5), with
 * {@link SdTrainingRecipe}. Writes {@code summary.json} and the trained model ({@code .sdm} for sd/ss,
 * DL4J {@code .zip} for va) into {@code --out}, together (and {@code sealed-test.json} under
 * {@code --seal-test}). Option errors exit with 2, a missing dataset with 3.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Transfer training in SD form (SD-T) on Fashion-MNIST: pre-train dense on the source split, "
            + "decompose once (sd, ss), train on the target split with the bucket switch, SWA lr schedule and SWA, "
            + "evaluate on the task's test set.",
            "Writes summary.json and the model (.sdm for sd/ss, .zip for va)."})
public final class TrainCommand implements Callable<Integer> {

    /** Where {@code --seal-test} puts the test figures. */
    static final String SEALED_FILE = "sealed-test.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--task", paramLabel = "finetune|adapt", required = true,
            description = "finetune (random halves) or adapt (classes 0-4 -> 5-9)")
    String task;

    @Option(names = "--variant", paramLabel = "va|sd|ss", required = true,
            description = "va (dense), sd (SD-T) or ss (SD-T with structured sparsity)")
    String variant;

    @Option(names = "--arch", paramLabel = "lenet300|cnn", required = true, description = "lenet300 or cnn")
    String arch;

    @Option(names = "--epochs", paramLabel = "N", description = "transfer-training epochs, in [1, 10000]; default 80")
    Integer epochs;

    @Option(names = "--swa-start", paramLabel = "N",
            description = "epoch from which SWA averages, in [1, epochs]; default half the epochs, rounded down, at least 1")
    Integer swaStart;

    @Option(names = "--lr", paramLabel = "X",
            description = "initial learning rate, in (0, 10]; default 0.01 (finetune) or 0.1 (adapt)")
    Double lr;

    @Option(names = "--swa-lr", paramLabel = "X",
            description = "SWA learning rate, in (0, 10]; default lr*0.2 (finetune) or lr*0.05 (adapt)")
    Double swaLr;

    @Option(names = "--theta-g", paramLabel = "X",
            description = "sd and ss: bucket-switch dead zone theta_g, in [0, 1]; default 0.005")
    Double thetaG;

    @Option(names = "--theta-c", paramLabel = "N",
            description = "sd and ss: bucket-switch counter threshold theta_c, in [1, 127]; default 7")
    Integer thetaC;

    @Option(names = "--theta", paramLabel = "X",
            description = "sd and ss: decomposition threshold theta, in [2^-10, 1]; default 0.007")
    Double theta;

    @Option(names = "--structured-ratio", paramLabel = "X",
            description = "ss only: vector-wise pruning ratio, in [0, 1); default 0.3")
    Double structuredRatio;

    @Option(names = "--layer-ratios", paramLabel = "NAME=X[,NAME=X...]", description = "ss only: per-layer "
            + "vector-wise pruning ratios overriding --structured-ratio (the classifier, 0 otherwise, included), "
            + "e.g. conv2=0.1,conv3=0.2,fc1=0.3")
    String layerRatios;

    @Option(names = "--layer-thetas", paramLabel = "NAME=X[,NAME=X...]", description = "sd and ss: per-layer "
            + "decomposition thresholds overriding --theta, each in [2^-10, 1], e.g. conv3=0.07,fc1=0.05")
    String layerThetas;

    @Option(names = "--dense-layers", split = ",", paramLabel = "NAME[,NAME...]", hideParamSyntax = true, description = "sd and ss: layers "
            + "left dense (trained with SGD), for example fc2, the classifier adaptation re-initialises; default none")
    List<String> denseLayers;

    @Option(names = "--per-layer-switch", description = "sd and ss: give each SD layer's C its own bucket switch, "
            + "whose smallest magnitude (minCoeff, where revived coefficients start) comes from that layer's "
            + "threshold (--layer-thetas, else --theta); default off: one switch, minCoeff from the largest threshold")
    boolean perLayerSwitch;

    @Option(names = "--pretrain-epochs", paramLabel = "N",
            description = "dense pre-training epochs (Adam 1e-3), in [1, 10000]; default 10")
    Integer pretrainEpochs;

    @Option(names = "--batch", paramLabel = "N", description = "minibatch size, in [1, 65536]; default 128")
    Integer batch;

    @Option(names = "--limit", paramLabel = "N",
            description = "keep only the first N training and the first N test examples, in [2, 60000]")
    Integer limit;

    @Option(names = "--validation", paramLabel = "N", description = "hold N random examples of the target split "
            + "out for validation (not trained on; reported as validationAccuracy), to choose settings without "
            + "the test set; at least 1 and below the target split's size; default none")
    Integer validation;

    @Option(names = "--seal-test", description = "with --validation: keep the test figures out of the log and of "
            + "summary.json and write them to sealed-test.json only, to be read once the settings are chosen")
    boolean sealTest;

    @Option(names = "--out", paramLabel = "DIR",
            description = "output folder; default smartdeal-out/train-<arch>-<task>-<variant>")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = FashionMnistInput.DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--seed", paramLabel = "N",
            description = "seed of the split, initialisation and shuffling; default ${DEFAULT-VALUE}")
    long seed = TrainingSettings.DEFAULT_SEED;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        TrainingSettings settings = settings();
        Path outDir = out != null ? out
                : Path.of("smartdeal-out", "train-" + settings.arch().id() + "-" + settings.task().id() + "-"
                        + settings.variant().id());
        // the folder and the files this command writes itself, before any work
        OutputPaths.requireFolder("--out", outDir);
        OutputPaths.requireFile("--out", outDir.resolve("summary.json"));
        OutputPaths.requireFile("--out", SdTrainingRecipe.modelFile(settings, outDir));
        if (sealTest) {
            OutputPaths.requireFile("--out", outDir.resolve(SEALED_FILE));
        }
        Path dir = FashionMnist.resolveDir(dataDir);
        FashionMnist train;
        FashionMnist test;
        train = FashionMnistInput.load(dir, true);
        test = FashionMnistInput.load(dir, false);
        if (limit != null) {
            train = train.limit(limit);
            test = test.limit(limit);
        }
        TaskSplits.TaskData data;
        try {
            data = TaskSplits.split(settings.task(), train, test, seed);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--limit " + limit + " leaves too little data: " + e.getMessage(), e);
        }
        if (validation != null && validation >= data.target().size()) {
            throw usage("--validation must be below the " + data.target().size() + " examples of the target split"
                    + (limit != null ? " (after --limit " + limit + ")" : "") + ", got " + validation);
        }
        Map<Path, byte[]> files = new LinkedHashMap<>();
        RecipeResult r;
        try {
            r = SdTrainingRecipe.run(settings, data, null, outDir,
                    new CliListener(o, spec.commandLine().getErr(), quiet, sealTest, settings.variant()), files::put);
        } catch (TrainingDivergedException e) {
            // the transfer training runs at --lr, and at --swa-lr from SWA on; the pre-training's Adam rate is fixed
            boolean transfer = e.phase() != TrainingDivergedException.Phase.PRE_TRAINING;
            throw new BadInputException(e.getMessage() + (transfer ? " (--lr " + Numbers.plain(settings.lr())
                    + ", --swa-lr " + (swaLr != null ? Numbers.plain(settings.swaLr()) : Numbers.derived(settings.swaLr()))
                    + ")" : ""), e);
        }
        if (sealTest) {
            files.put(outDir.resolve(SEALED_FILE), sealed(r));
        }
        files.put(outDir.resolve("summary.json"), summary(r, data));
        // the model, sealed-test.json and summary.json appear together or not at all
        OutputPaths.writeTogether(files);
        o.printf(Locale.ROOT, "wrote %s and %s%n", outDir.resolve("summary.json"), r.modelFile());
        byte[] model = files.get(r.modelFile());
        if (model != null && r.modelFile().getFileName().toString().endsWith(SdModelFile.EXTENSION)) {
            try {
                o.println("model bits: " + SdmReader.read(model, r.modelFile().toString()).layout().totalBreakdown()
                        .describe());
            } catch (SdmFormatException e) {
                throw new IllegalStateException("the run's own .sdm bytes did not read back", e);
            }
        }
        if (sealTest) {
            o.printf(Locale.ROOT, "test figures sealed in %s%n", outDir.resolve(SEALED_FILE));
        } else if (java.nio.file.Files.exists(outDir.resolve(SEALED_FILE))) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("note: " + outDir.resolve(SEALED_FILE) + " is an earlier sealed run's; this run's test figures "
                    + "are in summary.json");
            err.flush();
        }
        return SmartDeal.EXIT_OK;
    }

    /** Validates the options (errors name the option, the rule and the value: exit 2) and builds the settings. */
    private TrainingSettings settings() {
        TaskSplits.Task t;
        Variant v;
        ZooModel a;
        try {
            t = TaskSplits.Task.byName(task);
        } catch (IllegalArgumentException e) {
            throw usage("--task must be one of [finetune, adapt], got '" + task + "'");
        }
        try {
            v = Variant.byName(variant);
        } catch (IllegalArgumentException e) {
            throw usage("--variant must be one of [va, sd, ss], got '" + variant + "'");
        }
        if ("lenet300".equalsIgnoreCase(arch.trim())) {
            a = ZooModel.LENET300;
        } else if ("cnn".equalsIgnoreCase(arch.trim())) {
            a = ZooModel.CNN;
        } else {
            throw usage("--arch must be one of [lenet300, cnn], got '" + arch + "'");
        }
        checkInt("--epochs", epochs, 1, 10_000);
        int effectiveEpochs = epochs != null ? epochs : TrainingSettings.DEFAULT_EPOCHS;
        checkInt("--swa-start", swaStart, 1, effectiveEpochs);
        checkOpen("--lr", lr, 10);
        checkOpen("--swa-lr", swaLr, 10);
        check("--theta-g", thetaG, 0, 1);
        checkInt("--theta-c", thetaC, 1, 127);
        check("--theta", theta, 0x1p-10, 1);
        if (structuredRatio != null && !(structuredRatio >= 0 && structuredRatio < 1)) {
            throw usage("--structured-ratio must be in [0, 1), got " + Numbers.plain(structuredRatio));
        }
        Map<String, Double> ratios;
        try {
            ratios = TrainingSettings.parseLayerRatios(layerRatios);
        } catch (IllegalArgumentException e) {
            throw usage("--layer-ratios: " + e.getMessage());
        }
        Map<String, Double> thetas;
        try {
            thetas = TrainingSettings.parseLayerThetas(layerThetas);
        } catch (IllegalArgumentException e) {
            throw usage("--layer-thetas: " + e.getMessage());
        }
        checkInt("--pretrain-epochs", pretrainEpochs, 1, 10_000);
        checkInt("--batch", batch, 1, 65_536);
        checkInt("--limit", limit, 2, 60_000);
        checkInt("--validation", validation, 1, 60_000);
        if (sealTest && validation == null) {
            throw usage("--seal-test needs --validation N: without a hold-out there is nothing but the test set"
                    + " to read");
        }

        TrainingSettings.Builder b = TrainingSettings.builder(t, v, a).seed(seed);
        if (epochs != null) {
            b.epochs(epochs);
        }
        if (swaStart != null) {
            b.swaStart(swaStart);
        }
        if (lr != null) {
            b.lr(lr);
        }
        if (swaLr != null) {
            b.swaLr(swaLr);
        }
        if (thetaG != null) {
            b.thetaG(thetaG);
        }
        if (thetaC != null) {
            b.thetaC(thetaC);
        }
        if (theta != null) {
            b.theta(theta);
        }
        if (structuredRatio != null) {
            b.structuredRatio(structuredRatio);
        }
        b.layerRatios(ratios).layerThetas(thetas);
        if (denseLayers != null) {
            b.denseLayers(new LinkedHashSet<>(denseLayers));
        }
        b.perLayerSwitch(perLayerSwitch);
        if (pretrainEpochs != null) {
            b.pretrainEpochs(pretrainEpochs);
        }
        if (batch != null) {
            b.batchSize(batch);
        }
        if (validation != null) {
            b.validationExamples(validation);
        }
        if (v.isSd() && denseLayers != null) {
            List<String> decomposed = TrainingSettings.decomposedLayers(a);
            // with a name the arch lacks among them, the sets differ and build() names that one
            if (new LinkedHashSet<>(denseLayers).equals(new LinkedHashSet<>(decomposed))) {
                throw usage("--dense-layers names every layer of " + a.id() + " that SD decomposes ("
                        + String.join(", ", decomposed) + "): nothing would be trained in SD form; use --variant va"
                        + " to train it dense, got --variant " + v.id());
            }
        }
        TrainingSettings built;
        try {
            built = b.build();
        } catch (IllegalArgumentException e) {
            // every other field is checked above; what is left is a layer name the arch lacks
            throw usage(e.getMessage().replace("TrainingSettings.layerRatios", "--layer-ratios")
                    .replace("TrainingSettings.layerThetas", "--layer-thetas")
                    .replace("TrainingSettings.denseLayers", "--dense-layers"));
        }
        // valid values given to a variant that does not use them are a usage error too, not silently ignored
        if (v != Variant.SS && (structuredRatio != null || layerRatios != null)) {
            throw usage((structuredRatio != null ? "--structured-ratio" : "--layer-ratios")
                    + " applies to --variant ss only, got --variant " + v.id());
        }
        // a layer left dense is not decomposed: a ratio or a threshold for it would be silently ignored
        if (v.isSd() && denseLayers != null) {
            for (var named : Map.of("--layer-ratios", ratios.keySet(), "--layer-thetas", thetas.keySet()).entrySet()) {
                for (String layer : named.getValue()) {
                    if (denseLayers.contains(layer)) {
                        throw usage(named.getKey() + " names layer '" + layer + "', which --dense-layers leaves dense "
                                + "(not decomposed, so " + (named.getKey().equals("--layer-ratios") ? "not pruned" : "with no "
                                + "threshold") + "); drop it from one of the two");
                    }
                }
            }
        }
        if (v == Variant.SS && structuredRatio != null) {
            requireALayerTakes(a, built);
        }
        if (!v.isSd()) {
            String sdOnly = theta != null ? "--theta" : layerThetas != null ? "--layer-thetas"
                    : denseLayers != null ? "--dense-layers" : thetaG != null ? "--theta-g"
                    : thetaC != null ? "--theta-c" : perLayerSwitch ? "--per-layer-switch" : null;
            if (sdOnly != null) {
                throw usage(sdOnly + " applies to --variant sd and ss only (va is trained dense, with no decomposition"
                        + " and no bucket switch), got --variant " + v.id());
            }
        }
        checkPlan(built, ratios);
        return built;
    }

    /**
     * --structured-ratio prunes the decomposed layers that have no --layer-ratios entry, the classifier (the last layer,
     * pruned only by an entry of its own) and the --dense-layers excepted ({@link TrainingSettings#takesStructuredRatio}):
     * a usage error when that leaves none, since the ratio given would prune nothing.
     */
    private void requireALayerTakes(ZooModel a, TrainingSettings built) {
        List<String> decomposed = TrainingSettings.decomposedLayers(a);
        String classifier = decomposed.get(decomposed.size() - 1);
        if (decomposed.stream().anyMatch(layer -> built.takesStructuredRatio(layer, layer.equals(classifier)))) {
            return;
        }
        Set<String> dense = built.denseLayers();
        // none takes it: every other layer has a ratio of its own or is left dense
        List<String> own = decomposed.stream().filter(l -> !l.equals(classifier) && !dense.contains(l)).toList();
        List<String> left = decomposed.stream().filter(dense::contains).toList();
        String given = "--structured-ratio " + Numbers.plain(structuredRatio) + " applies to no layer: ";
        if (own.isEmpty()) {
            throw usage(given + "--dense-layers leaves every layer it would prune dense (" + String.join(", ", left)
                    + "), and the classifier " + classifier + " takes a ratio from --layer-ratios only; leave out "
                    + "--structured-ratio");
        }
        throw usage(given + "--layer-ratios gives every layer it would prune (" + String.join(", ", own)
                + "; not the classifier " + classifier
                + (left.isEmpty() ? "" : ", nor " + String.join(", ", left) + ", which --dense-layers leaves dense")
                + ") a ratio of its own; leave out --structured-ratio or one of those entries");
    }

    /**
     * Checks the plan SD and SS will decompose with before any work, with the converter's own rules
     * ({@link SdTrainingRecipe#checkPlan}): a structured ratio that would zero every row of a layer's units is refused
     * in terms of the option that gave it, {@code --layer-ratios NAME=X} or {@code --structured-ratio X}.
     */
    private void checkPlan(TrainingSettings s, Map<String, Double> ratios) {
        try {
            SdTrainingRecipe.checkPlan(s);
        } catch (StructuredRatioTooLargeException e) {
            Double own = ratios.get(e.layer());
            String given = own != null ? "--layer-ratios " + e.layer() + "=" + own
                    : structuredRatio != null ? "--structured-ratio " + structuredRatio
                    : "the default --structured-ratio " + s.structuredRatio();
            // the other layers the same option would empty, so that one correction is enough: those without an entry
            // of their own for --structured-ratio, the other entries for --layer-ratios
            List<String> also = new java.util.ArrayList<>();
            for (StructuredRatioTooLargeException m : e.more()) {
                Double mine = ratios.get(m.layer());
                if ((own == null) == (mine == null)) {
                    also.add((mine == null ? m.layer() : "--layer-ratios " + m.layer() + "=" + mine) + " (" + m.unitRows()
                            + " row" + (m.unitRows() == 1 ? "" : "s") + " each, at most " + m.largestAllowed() + ")");
                }
            }
            throw usage(given + " would zero every row of " + e.layer() + "'s units (" + e.unitRows() + " row"
                    + (e.unitRows() == 1 ? "" : "s") + " each, of which a ratio r prunes ceil(r x " + e.unitRows()
                    + ")); at most " + e.largestAllowed() + " there" + (also.isEmpty() ? ""
                    : "; so would " + (own == null ? "it in " : "") + String.join(", ", also)));
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void checkInt(String option, Integer v, int lo, int hi) {
        if (v != null && (v < lo || v > hi)) {
            throw usage(option + " must be in [" + lo + ", " + hi + "], got " + v);
        }
    }

    private void check(String option, Double v, double lo, double hi) {
        if (v != null && !(v >= lo && v <= hi)) {
            throw usage(option + " must be in [" + Numbers.plain(lo) + ", " + Numbers.plain(hi) + "], got "
                    + Numbers.plain(v));
        }
    }

    private void checkOpen(String option, Double v, double hi) {
        if (v != null && !(v > 0 && v <= hi)) {
            throw usage(option + " must be in (0, " + Numbers.plain(hi) + "], got " + Numbers.plain(v));
        }
    }

    /** The content of summary.json. */
    private byte[] summary(RecipeResult r, TaskSplits.TaskData data) throws IOException {
        TrainingSettings s = r.settings();
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode();
        n.put("task", s.task().id()).put("variant", s.variant().id()).put("arch", s.arch().id())
                .put("dataset", "fashion-mnist");
        if (sealTest) {
            n.put("testSealed", SEALED_FILE);
        } else {
            putNumber(n, "accuracy", r.accuracy());
            putNumber(n, "fileAccuracy", r.fileAccuracy());
            putNumber(n, "loss", r.loss());
        }
        putNumber(n, "pretrainAccuracy", r.pretrainAccuracy());
        putNumber(n, "decomposedAccuracy", r.decomposedAccuracy());
        putNumber(n, "validationAccuracy", r.validationAccuracy());
        n.put("trainableStateBytes", r.trainableStateBytes())
                .put("trainableStateBytesAsHeld", r.trainableStateBytesAsHeld())
                .put("modelBytes", r.modelBytes())
                .put("modelFile", r.modelFile().getFileName().toString());
        putNumber(n, "coefficientDensity", r.coefficientDensity());
        // settings a variant does not use are null: thetaG, thetaC, theta, perLayerSwitch, layerThetas and
        // denseLayers are SD and SS only; structuredRatio and layerRatios SS only
        boolean sd = s.variant().isSd();
        boolean ss = s.variant() == Variant.SS;
        n.put("epochs", s.epochs()).put("swaStart", s.swaStart()).put("lr", s.lr()).put("swaLr", s.swaLr());
        n.put("thetaG", sd ? s.thetaG() : null).put("thetaC", sd ? s.thetaC() : null).put("theta", sd ? s.theta() : null)
                .put("structuredRatio", ss ? s.effectiveStructuredRatio() : null)
                .put("perLayerSwitch", sd ? s.perLayerSwitch() : null)
                .put("pretrainEpochs", s.pretrainEpochs())
                .put("pretrainLr", s.pretrainLr()).put("weightDecay", s.weightDecay()).put("batchSize", s.batchSize())
                .put("seed", s.seed());
        if (ss) {
            s.layerRatios().forEach(n.putObject("layerRatios")::put);
        } else {
            n.putNull("layerRatios");
        }
        if (sd) {
            s.layerThetas().forEach(n.putObject("layerThetas")::put);
            ArrayNode dense = n.putArray("denseLayers");
            s.denseLayers().forEach(dense::add);
        } else {
            n.putNull("layerThetas");
            n.putNull("denseLayers");
        }
        if (limit != null) {
            n.put("limit", limit);
        } else {
            n.putNull("limit");
        }
        int held = s.validationExamples();
        n.put("sourceExamples", data.source().size()).put("targetExamples", data.target().size() - held)
                .put("validationExamples", held).put("testExamples", data.test().size()).put("seconds", r.seconds());
        ArrayNode log = n.putArray("epochLog");
        for (RecipeListener.EpochResult e : r.epochs()) {
            ObjectNode x = log.addObject();
            x.put("epoch", e.epoch()).put("lr", e.lr());
            putNumber(x, "loss", e.meanLoss());
            x.put("switched", e.switched()).put("seconds", e.seconds());
        }
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The content of sealed-test.json: the test figures summary.json leaves out under {@code --seal-test}, after the
     * run they belong to (task, variant, arch, seed, model file), since a later run into the same folder that does
     * not seal leaves the file where it is.
     */
    private static byte[] sealed(RecipeResult r) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode();
        TrainingSettings s = r.settings();
        n.put("task", s.task().id()).put("variant", s.variant().id()).put("arch", s.arch().id()).put("seed", s.seed())
                .put("modelFile", r.modelFile().getFileName().toString());
        putNumber(n, "accuracy", r.accuracy());
        putNumber(n, "fileAccuracy", r.fileAccuracy());
        putNumber(n, "loss", r.loss());
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /**
     * Prints log lines, drives one progress bar per phase and warns on standard error, as {@code convert} does,
     * about layers the decomposition left with no non-zero coefficient.
     */
    private static final class CliListener implements RecipeListener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final boolean quiet;
        private final boolean sealTest;
        private final Variant variant;
        private Progress bar;

        CliListener(PrintWriter out, PrintWriter err, boolean quiet, boolean sealTest, Variant variant) {
            this.out = out;
            this.err = err;
            this.quiet = quiet;
            this.sealTest = sealTest;
            this.variant = variant;
        }

        @Override
        public void decomposed(ConversionReport report) {
            ConvertCommand.warnZeroC(err, report.zeroCoefficientLayers(), "a lower --theta or --layer-thetas value "
                    + "keeps weights" + (variant == Variant.SS ? " (where --structured-ratio or --layer-ratios prunes, "
                    + "a lower ratio may be what is needed)" : ""));
        }

        @Override
        public boolean showsTestFigures() {
            return !sealTest;
        }

        @Override
        public void phaseStarted(String phase, long totalSteps) {
            bar = Progress.start(phase, totalSteps, quiet);
        }

        @Override
        public void step() {
            if (bar != null) {
                bar.step();
            }
        }

        @Override
        public void phaseEnded() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }

        @Override
        public void epoch(EpochResult epoch) {
            if (bar != null) {
                bar.message(String.format(Locale.ROOT, "epoch %d/%d loss %.4f", epoch.epoch(), epoch.epochs(),
                        epoch.meanLoss()));
            }
            log(epoch.line());
        }

        @Override
        public void log(String line) {
            out.println(line);
            out.flush();
        }
    }
}
