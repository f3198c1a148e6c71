package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmLayout;
import org.smartdeal.codec.SdmWriter;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.optim.Retraining;
import org.smartdeal.optim.TrainingDivergedException;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.NetworkDecomposition;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;
import org.smartdeal.zoo.text.Numbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal demo}, the embedded default: trains LeNet-300-100 on Fashion-MNIST, converts it
 * to SD form, re-trains (RT, ALGORITHMS.md 5, with the sparsity ramp and zero-keeping extensions of
 * {@link org.smartdeal.optim.Retraining}), writes the {@code .sdm} file, loads it back,
 * evaluates the loaded model on the test set and reports per layer and in total.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The embedded default: LeNet-300-100 on Fashion-MNIST, dense training, SD conversion, "
            + "re-training (RT), .sdm file, reload, evaluation.",
            "Writes summary.json, report.json, the .sdm and the dense baseline .zip into --out, all at the end of the run "
            + "(a failed run leaves --out as it was)."})
public final class DemoCommand implements Callable<Integer> {

    /**
     * The default plan: one slice per output unit (R = 262, 100, 34 rows, so one B per unit) and
     * per-layer C density targets. fc1 holds 88% of the weights, so it is pruned hardest; the
     * 1,000-weight classifier least. Chosen on the validation split to reach a paper CR above 60x
     * (docs/RESULTS.md section 3).
     */
    static final String DEFAULT_PLAN = "{\"defaults\": {\"sliceRows\": 512}, \"layers\": "
            + "{\"fc1\": {\"density\": 0.045}, \"fc2\": {\"density\": 0.08}, \"fc3\": {\"density\": 0.3}}}";

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder; default ${DEFAULT-VALUE}")
    Path out = Path.of("smartdeal-out", "demo");

    @Option(names = "--epochs", paramLabel = "N",
            description = "dense training epochs (Adam 1e-3, batch 128), in [1, 1000]; default ${DEFAULT-VALUE}")
    int epochs = 10;

    @Option(names = "--rt-epochs", paramLabel = "N",
            description = "re-training epochs, in [0, 1000]; default ${DEFAULT-VALUE}")
    int rtEpochs = 24;

    /** Ramp length when {@code --ramp-epochs} is not given (capped at {@code --rt-epochs}). */
    static final int DEFAULT_RAMP_EPOCHS = 6;

    @Option(names = "--ramp-epochs", paramLabel = "N",
            description = "RT epochs over which the sparsity rises to the planned one (thresholds "
            + "linearly, density targets geometrically), in [0, --rt-epochs]; default " + DEFAULT_RAMP_EPOCHS
            + " (or --rt-epochs if smaller)")
    Integer rampEpochs;

    @Option(names = "--keep-zeros", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "hold the weights each decomposition zeroed at zero through the next RT epoch; default ${DEFAULT-VALUE}")
    boolean keepZeros = true;

    @Option(names = "--rt-lr", paramLabel = "X",
            description = "RT learning rate (SGD, momentum 0.9), > 0; default ${DEFAULT-VALUE}")
    double rtLr = 0.05;

    @Option(names = "--theta", paramLabel = "T",
            description = "one sparsity threshold theta for every layer, in [0, 1], instead of the "
            + "default plan's per-layer C densities")
    Double theta;

    @Option(names = "--plan", paramLabel = "plan.json|NAME",
            description = "conversion plan (defaults and per-layer overrides: fc1, fc2, fc3): a JSON file or, when no "
            + "such file exists, a shipped plan's name naming those layers; --theta replaces its thresholds; default: "
            + DEFAULT_PLAN)
    Path planFile;

    @Option(names = "--dense", paramLabel = "FILE.zip",
            description = "start from this trained LeNet-300-100 (DL4J zip, e.g. a previous demo's lenet300-dense.zip) instead of training one")
    Path denseFile;

    @Option(names = "--quick", description = "a small subset (6,000 training images, of which 600 are held out for "
            + "RT's model selection, and 2,000 test images) and 1 + 1 epochs unless --epochs or --rt-epochs are given "
            + "(under a minute, for tests)")
    boolean quick;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = FashionMnistInput.DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--seed", paramLabel = "N", description = "random seed; default ${DEFAULT-VALUE}")
    long seed = 42;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    /** The output files, all written together at the end of a run ({@link OutputPaths#writeTogether}). */
    static final String SDM = "lenet300.sdm";
    /** The dense baseline. */
    static final String DENSE_ZIP = "lenet300-dense.zip";
    /** The run's figures. */
    static final String SUMMARY = "summary.json";
    /** The per-layer report. */
    static final String REPORT = "report.json";

    /** The plan {@code --theta} alone starts from: one slice per output unit, the threshold everywhere. */
    static final String THETA_PLAN = "{\"defaults\": {\"sliceRows\": 512}}";

    /** LeNet-300-100's parameter count (ModelStatsTest). */
    private static final long LENET300_PARAMS = 266_610;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        PrintWriter o = spec.commandLine().getOut();
        if (quick) {
            // --quick's epoch counts are defaults: the ones given explicitly are honoured (and checked as given)
            picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
            if (!given.hasMatchedOption("--epochs")) {
                epochs = 1;
            }
            if (!given.hasMatchedOption("--rt-epochs")) {
                rtEpochs = 1;
            }
        }
        validate();
        // Everything the user gave is checked before any training, so that a mistake costs no time and
        // --out is left as it was: the output folder and files, the plan (and its layer names), --dense.
        OutputPaths.requireFolder("--out", out);
        Path zip = out.resolve(DENSE_ZIP);
        Path sdm = out.resolve(SDM);
        Path summaryFile = out.resolve(SUMMARY);
        Path reportFile = out.resolve(REPORT);
        for (Path p : List.of(sdm, zip, summaryFile, reportFile)) {
            OutputPaths.requireFile("--out", p);
        }
        MultiLayerNetwork dense = denseFile != null ? loadDense(denseFile)
                : LeNet300.build(InputShape.MNIST, FashionMnist.CLASSES, seed, new Adam(1e-3)).init();
        // --dense may be this folder's own baseline: an input, never rewritten
        boolean writeZip = denseFile == null || !OutputPaths.sameFile(denseFile, zip);
        OutputPaths.requireNotInput("--dense", denseFile, "--out", List.of(sdm, summaryFile, reportFile));
        OutputPaths.requireNotInput("--plan", planFile, "--out", List.of(sdm, zip, summaryFile, reportFile));
        ConversionPlan plan = loadPlan(dense);

        int ramp = rampEpochs(rampEpochs, rtEpochs);
        Path dir = FashionMnist.resolveDir(dataDir);
        FashionMnist train;
        FashionMnist test;
        train = FashionMnistInput.load(dir, true);
        test = FashionMnistInput.load(dir, false);
        if (quick) {
            train = train.limit(6000);
            test = test.limit(2000);
        }
        // Hold out a tenth of the training set, chosen at random, for RT's model selection.
        TaskSplits.HoldOut cut = TaskSplits.holdOut(train, train.size() / 10, seed);
        FashionMnist fit = cut.fit();
        FashionMnist val = cut.validation();
        InMemoryDataSetIterator trainIt = fit.iterator(128, true, seed);
        InMemoryDataSetIterator valIt = val.iterator(512, false, seed);
        InMemoryDataSetIterator testIt = test.iterator(512, false, seed);
        o.printf(Locale.ROOT, "Fashion-MNIST from %s: %d train, %d validation, %d test examples%n",
                dir, fit.size(), val.size(), test.size());

        int itersPerEpoch = (fit.size() + 127) / 128;
        int trainEpochs = denseFile != null ? 0 : epochs;
        try (Progress p = Progress.start("dense training", (long) trainEpochs * itersPerEpoch, quiet)) {
            for (int e = 0; e < trainEpochs; e++) {
                trainIt.reset();
                while (trainIt.hasNext()) {
                    dense.fit(trainIt.next());
                    p.step();
                }
                dense.incrementEpochCount();
                p.message(String.format(Locale.ROOT, "epoch %d loss %.4f", e + 1, dense.score()));
            }
        }
        if (denseFile != null) {
            // the loaded network's epochs stand for the training loop above: RT then sees the shuffles it would have
            // seen after training them here, so a previous demo's baseline repeats that demo's RT
            trainIt.skipEpochs(dense.getEpochCount());
        }
        ModelScore baseline = ModelScore.of(dense, testIt);
        o.printf(Locale.ROOT, "dense LeNet-300-100: test accuracy %.4f, loss %.4f (%s)%n", baseline.accuracy(),
                baseline.loss(), denseFile != null ? "loaded from " + denseFile : epochs(trainEpochs));
        // the baseline as it is now: RT below trains this network further
        java.io.ByteArrayOutputStream zipBytes = new java.io.ByteArrayOutputStream();
        if (writeZip) {
            ModelSerializer.writeModel(dense, zipBytes, false);
        }
        long denseParams = dense.numParams();

        Retraining.useRtOptimizer(dense, rtLr, itersPerEpoch);
        Retraining.Result<NetworkDecomposition> result;
        try (Progress p = Progress.start("re-training", rtEpochs + 1L, quiet)) {
            result = Retraining.run(dense, trainIt, valIt, rtEpochs, ramp, keepZeros, SdConverter.redecomposer(plan), e -> {
                o.println(e.line());
                p.step();
            });
        } catch (TrainingDivergedException e) {
            throw new BadInputException(e.getMessage() + ": --rt-lr " + Numbers.plain(rtLr)
                    + " is too large for this network", e);
        }
        Model sd = SdConverter.build(dense, result.bestState());
        // The .sdm is serialised in memory and read back from those bytes (the reader the file will meet);
        // --out changes only once everything is ready.
        SdmWriter.Serialized serialized = SdmWriter.serialize(SdModelFile.toSdm(sd));
        byte[] sdmBytes = serialized.bytes();
        SdmLayout layout = serialized.layout();
        ModelScore sdScore = ModelScore.of(SdModelFile.read(sdmBytes, sdm.toString()), testIt);

        var report = result.bestState().report();
        o.println();
        o.print(report.toTable(layout.totalBreakdown()));
        // as convert, decompose and train warn: a layer left with W = C*B zero passes on its bias alone
        ConvertCommand.warnZeroC(spec.commandLine().getErr(), report.zeroCoefficientLayers(), "a lower --theta (or, in "
                + "--plan, a lower theta, bnGammaThreshold or structuredRatio) keeps weights");
        double fileCR = StorageBreakdown.fileCR(denseParams, sdmBytes.length);
        double seconds = (System.nanoTime() - t0) / 1e9;
        o.printf(Locale.ROOT, "%nbaseline accuracy %.4f | SD accuracy (reloaded .sdm) %.4f | drop %.2f points%n",
                baseline.accuracy(), sdScore.accuracy(), ModelScore.points(baseline.accuracy() - sdScore.accuracy()));
        o.printf(Locale.ROOT, "paper CR %.1fx | file CR %.1fx | %s: %d bytes (dense params %d bytes) | %s | %.1f s%n",
                report.paperCR(), fileCR, sdm.getFileName(), sdmBytes.length, denseParams * 4,
                rtEpochs > 0 ? "RT best epoch " + result.bestEpoch() : "no RT", seconds);

        ObjectMapper m = new ObjectMapper();
        ObjectNode s = m.createObjectNode();
        s.put("model", "lenet300").put("dataset", "fashion-mnist").put("quick", quick)
                .put("baselineAccuracy", baseline.accuracy()).put("sdAccuracy", sdScore.accuracy())
                .put("accuracyDropPoints", ModelScore.points(baseline.accuracy() - sdScore.accuracy()))
                .put("paperCR", report.paperCR()).put("fileCR", fileCR).put("sdmBytes", sdmBytes.length)
                .put("sdmAccountedBytes", layout.fileBytes()).put("denseParamBytes", denseParams * 4)
                .put("planFile", planFile != null ? planFile.toString() : null);
        // the plan the run converted with (--plan or the default, with --theta applied), as JSON
        s.set("plan", m.readTree(plan.toJson()));
        if (theta != null) {
            s.put("theta", theta);
        } else {
            s.putNull("theta");
        }
        s.put("dense", denseFile != null ? denseFile.toString() : null)
                .put("epochs", trainEpochs).put("rtEpochs", rtEpochs);
        if (rtEpochs > 0) {
            s.put("rampEpochs", ramp).put("keepZeros", keepZeros).put("rtBestEpoch", result.bestEpoch())
                    .put("rtLearningRate", rtLr);
        } else {
            // settings of a re-training that did not run: null, as train writes what does not apply
            s.putNull("rampEpochs").putNull("keepZeros").putNull("rtBestEpoch").putNull("rtLearningRate");
        }
        s.put("trainExamples", fit.size()).put("validationExamples", val.size())
                .put("testExamples", test.size()).put("seed", seed).put("seconds", seconds);
        byte[] summaryBytes = m.writerWithDefaultPrettyPrinter().writeValueAsString(s).getBytes(StandardCharsets.UTF_8);
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(sdm, sdmBytes);
        files.put(reportFile, report.toJson().getBytes(StandardCharsets.UTF_8));
        if (writeZip) {
            files.put(zip, zipBytes.toByteArray());
        }
        files.put(summaryFile, summaryBytes);
        OutputPaths.writeTogether(files);
        o.printf("wrote %s, %s, %s%s%n", summaryFile, reportFile, sdm,
                writeZip ? ", " + zip : " (" + zip + " is the --dense input, left as it was)");
        return SmartDeal.EXIT_OK;
    }

    /** {@code "1 epoch"}, {@code "10 epochs"}. */
    static String epochs(int n) {
        return n + (n == 1 ? " epoch" : " epochs");
    }

    private static MultiLayerNetwork loadDense(Path file) {
        String expected = "a DL4J ModelSerializer .zip of LeNet-300-100 (e.g. an earlier demo's " + DENSE_ZIP + ")";
        InputPaths.requireFile("--dense", file, expected);
        if (!ModelFiles.named(file, ".zip")) {
            throw new BadInputException("--dense " + file + ": not " + expected
                    + (ModelFiles.named(file, SdModelFile.EXTENSION) ? "; a .sdm file is an SD model" : ""));
        }
        Model m = ModelFiles.load(file);
        if (!(m instanceof MultiLayerNetwork mln) || mln.numParams() != LENET300_PARAMS
                || ModelFiles.hasSdLayers(m)) {
            throw new BadInputException("--dense " + file + ": not LeNet-300-100 (a dense MultiLayerNetwork with 266,610 "
                    + "parameters): it holds a " + (ModelFiles.hasSdLayers(m) ? "SD " : "") + m.getClass().getSimpleName()
                    + String.format(java.util.Locale.ROOT, " with %,d parameters", m.numParams()));
        }
        // the same parameter count is not the same network (a 784-284-148-10 MLP has LeNet-300-100's 266,610)
        String difference = ConvertCommand.architectureDifference(m,
                LeNet300.build(InputShape.MNIST, FashionMnist.CLASSES, 1, new Adam(1e-3)).init());
        if (difference != null) {
            throw new BadInputException("--dense " + file + ": not LeNet-300-100: " + difference);
        }
        FashionMnistInput.requireNoNormaliserBeyondUnitPixels("--dense " + file, file, "demo", "trains and scores");
        ModelFiles.requireFiniteParameters(m, "--dense " + file, "converted");
        ForwardCheck.requireRuns(mln, InputType.feedForward(FashionMnist.PIXELS), file);
        return mln;
    }

    /**
     * The plan: --plan (a readable JSON file, or a shipped plan's name, naming only LeNet-300-100's layers) or the
     * default, with --theta applied.
     */
    private ConversionPlan loadPlan(MultiLayerNetwork net) {
        ConversionPlan plan;
        if (planFile == null) {
            plan = ConversionPlan.fromJson(theta == null ? DEFAULT_PLAN : THETA_PLAN);
        } else {
            if (!Files.exists(planFile)) {
                // a shipped plan's name, as convert and sweep take it (an existing file of that name wins), or a
                // missing file, refused as convert refuses it, listing the shipped plans; the check below refuses a
                // plan whose layers are another network's
                plan = ConvertCommand.resolvePlan(planFile.toString());
            } else {
                InputPaths.requireFile("--plan", planFile, "a plan JSON file");
                try {
                    plan = ConversionPlan.load(planFile);
                } catch (IOException e) {
                    throw new BadInputException("--plan " + planFile + ": cannot be read: " + OutputPaths.reason(e), e);
                } catch (IllegalArgumentException e) {
                    // the message starts with the file name
                    throw new BadInputException("--plan " + e.getMessage(), e);
                }
            }
            ConvertCommand.checkPlanLayers(planFile.toString(), plan, net);
        }
        // --theta: one threshold everywhere, density targets off.
        return theta == null ? plan : plan.withThetaEverywhere(theta);
    }

    /**
     * The re-training options demo and sweep share (exit 2): --rt-epochs in [0, 1000], --ramp-epochs in
     * [0, --rt-epochs], --rt-lr finite and &gt; 0.
     */
    static void checkRtOptions(CommandSpec spec, int rtEpochs, Integer rampEpochs, double rtLr) {
        if (rtEpochs < 0 || rtEpochs > 1000) {
            throw new ParameterException(spec.commandLine(), "--rt-epochs must be in [0, 1000], got " + rtEpochs);
        }
        if (rampEpochs != null && (rampEpochs < 0 || rampEpochs > rtEpochs)) {
            throw new ParameterException(spec.commandLine(), "--ramp-epochs must be in [0, --rt-epochs = " + rtEpochs
                    + "], got " + rampEpochs);
        }
        if (!(rtLr > 0) || Double.isInfinite(rtLr)) {
            throw new ParameterException(spec.commandLine(), "--rt-lr must be finite and > 0, got " + Numbers.plain(rtLr));
        }
    }

    /** The options that act on re-training only, refused with {@code --rt-epochs 0} ({@link #rtOnlyOptionGiven}). */
    static final List<String> RT_ONLY_OPTIONS = List.of("--ramp-epochs", "--rt-lr", "--keep-zeros");

    /**
     * The first of {@code options} given on the command line, named as the user typed it: a negatable option as
     * {@code --no-NAME} or {@code --NAME}, or {@code --[no-]NAME} when the form cannot be told (both typed).
     *
     * @param spec the command
     * @param options option names (a negatable one by its positive name)
     * @return the option as typed, or null when none of them was given
     */
    static String givenOption(CommandSpec spec, List<String> options) {
        picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String name : options) {
            // a negatable option matches by its positive name in either form
            if (!parsed.hasMatchedOption(name)) {
                continue;
            }
            picocli.CommandLine.Model.OptionSpec option = parsed.matchedOption(name);
            if (!option.negatable()) {
                return name;
            }
            String negated = "--no-" + name.substring(2);
            boolean positive = false;
            boolean negative = false;
            for (String arg : parsed.originalArgs()) {
                positive |= arg.equals(name) || arg.startsWith(name + "=");
                negative |= arg.equals(negated) || arg.startsWith(negated + "=");
            }
            return positive == negative ? "--[no-]" + name.substring(2) : negative ? negated : name;
        }
        return null;
    }

    /**
     * Refuses (exit 2) an option of {@link #RT_ONLY_OPTIONS}, or one of {@code more}, given with {@code --rt-epochs 0},
     * where it would have no effect: no epoch is trained, so neither the ramp, the learning rate nor the zeros held
     * through an epoch play any part.
     *
     * @param spec the command
     * @param rtEpochs the RT epochs
     * @param hint what the user can do, after "applies to re-training only: "
     * @param more further options that act on re-training only
     */
    static void rtOnlyOptionGiven(CommandSpec spec, int rtEpochs, String hint, String... more) {
        if (rtEpochs != 0) {
            return;
        }
        List<String> options = new java.util.ArrayList<>(RT_ONLY_OPTIONS);
        options.addAll(List.of(more));
        String given = givenOption(spec, options);
        if (given != null) {
            throw new ParameterException(spec.commandLine(), given + " applies to re-training only: " + hint);
        }
    }

    /** The ramp length: --ramp-epochs if given, else {@value #DEFAULT_RAMP_EPOCHS}, at most {@code rt}. */
    static int rampEpochs(Integer given, int rt) {
        return Math.min(given != null ? given : DEFAULT_RAMP_EPOCHS, rt);
    }

    private void validate() {
        if (epochs < 1 || epochs > 1000) {
            throw new ParameterException(spec.commandLine(), "--epochs must be in [1, 1000], got " + epochs);
        }
        if (denseFile != null && spec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
            throw new ParameterException(spec.commandLine(), "--epochs applies to dense training only, and --dense "
                    + denseFile + " gives the trained network: leave out --epochs " + epochs + " or --dense");
        }
        rtOnlyOptionGiven(spec, rtEpochs, "--rt-epochs 0 trains no epoch, so leave it out or give --rt-epochs N "
                + "(N >= 1)");
        checkRtOptions(spec, rtEpochs, rampEpochs, rtLr);
        if (theta != null && !(theta >= 0 && theta <= 1)) {
            throw new ParameterException(spec.commandLine(), "--theta must be in [0, 1], got " + Numbers.plain(theta));
        }
    }
}
