package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.hw.dl4j.EnergyReport;
import org.smartdeal.hw.dl4j.Workloads;
import org.smartdeal.hw.spec.Knobs;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmFormatException;
import org.smartdeal.codec.SdmReader;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.sweep.CompressionScoreFunction;
import org.smartdeal.zoo.sweep.ConversionCandidate;
import org.smartdeal.zoo.sweep.ConversionPlanSpace;
import org.smartdeal.zoo.sweep.ConversionTaskCreator;
import org.smartdeal.zoo.sweep.ConversionSweep;
import org.smartdeal.zoo.sweep.SdHyperparameterSpace;
import org.smartdeal.zoo.text.Numbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal sweep}: searches the conversion settings of a trained network with Arbiter (grid or random
 * search over theta, slice rows and basis width; {@link ConversionSweep}) and keeps the most compressed candidate
 * whose accuracy drop on held-out validation data stays within a bound. Every candidate is scored on its
 * {@code .sdm} read back from bytes; the Fashion-MNIST test set is used once, for the final figures of the dense
 * network and of the chosen candidate. A network fed images records their shape in every candidate's {@code .sdm}
 * ({@link RecordedInput}), so the sizes reported are those of the {@code best.sdm} written.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Search the conversion settings of a trained DL4J network (.zip) with Arbiter: convert with each "
            + "candidate's theta (or C density), slice rows and basis width, optionally re-train it (--rt-epochs), "
            + "score the reloaded .sdm on validation examples held out of "
            + "the Fashion-MNIST training set, and keep the candidate with the largest gain (paper CR, or energy with "
            + "--objective energy) whose accuracy drop is at most --max-drop.",
            "Writes sweep.json, candidates.csv, best.sdm and best-plan.json (a plan for `convert --plan`, "
            + "`sweep --plan` and `demo --plan`) into --out, all at the end of the run. When every candidate fails, "
            + "nothing is written and the "
            + "exit code is 3; when any candidate fails on a defect, nothing is written and the exit code is 1."})
public final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.zip", description = "a trained dense DL4J ModelSerializer zip that takes "
            + "Fashion-MNIST images (e.g. a demo's lenet300-dense.zip)")
    Path input;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder; default ${DEFAULT-VALUE}")
    Path out = Path.of("smartdeal-out", "sweep");

    @Option(names = "--plan", paramLabel = "plan.json|NAME", description = "the plan the sampled settings go into "
            + "(defaults and per-layer overrides; a sampled setting replaces that field everywhere); default: the "
            + "default plan")
    String planFile;

    /** The thresholds searched when neither --theta nor --density is given. */
    static final String DEFAULT_THETA = "0.001:0.016";

    @Option(names = "--theta", paramLabel = "LO:HI|T[,T...]", description = "thresholds to search: a range LO:HI "
            + "(0 < LO < HI <= 1, sampled log-uniformly; a grid takes --points values, e.g. 0.001:0.016 with 5 points "
            + "gives 0.001, 0.002, 0.004, 0.008, 0.016) or a list of values in [0, 1]; default " + DEFAULT_THETA
            + " unless --density is given")
    String theta;

    @Option(names = "--density", paramLabel = "LO:HI|D[,D...]", description = "C density targets to search instead of "
            + "thresholds (the converter finds each layer's threshold for the target), as a range or a list like "
            + "--theta's, in [0, 1]")
    String density;

    @Option(names = "--layer-theta", paramLabel = "NAME=LO:HI|NAME=T[,T...]", description = "a layer's own thresholds "
            + "to search, as --theta's (repeat for more layers): searched beside the others, so a grid multiplies")
    Map<String, String> layerTheta = new LinkedHashMap<>();

    @Option(names = "--layer-density", paramLabel = "NAME=LO:HI|NAME=D[,D...]", description = "a layer's own C density "
            + "targets to search, as --density's (repeat for more layers)")
    Map<String, String> layerDensity = new LinkedHashMap<>();

    @Option(names = "--slice-rows", paramLabel = "M[,M...]",
            description = "slice heights to search, each in [1, 4096]; default: the plan's")
    String sliceRows;

    @Option(names = "--basis-width", paramLabel = "N[,N...]", description = "basis widths to search (dense layers and "
            + "1x1 convolutions), each in [1, 16]; default: the plan's")
    String basisWidth;

    @Option(names = "--search", paramLabel = "grid|random", description = "Arbiter's grid search or random search; "
            + "default ${DEFAULT-VALUE}")
    String search = "grid";

    @Option(names = "--points", paramLabel = "K",
            description = "grid values of a LO:HI range, in [2, 100]; default ${DEFAULT-VALUE}")
    int points = 5;

    @Option(names = "--candidates", paramLabel = "N",
            description = "the most candidates to run, in [1, 1000]; default: the whole grid, "
            + "or 10 for a random search (distinct settings: a repeated draw is skipped)")
    Integer candidates;

    @Option(names = "--max-drop", paramLabel = "POINTS",
            description = "the accuracy drop allowed, in percentage points in [0, 100]; default ${DEFAULT-VALUE}")
    double maxDrop = 1.0;

    @Option(names = "--validation", paramLabel = "N",
            description = "validation examples held out of the training set, in [1, 59999]; default ${DEFAULT-VALUE}")
    int validation = 5000;

    @Option(names = "--rt-epochs", paramLabel = "N",
            description = "re-training (RT, as in demo) epochs of each candidate before it is "
            + "scored, in [0, 1000]; 0 converts only; default ${DEFAULT-VALUE}")
    int rtEpochs = 0;

    @Option(names = "--ramp-epochs", paramLabel = "N",
            description = "RT epochs over which the sparsity rises to the candidate's, in "
            + "[0, --rt-epochs]; default " + DemoCommand.DEFAULT_RAMP_EPOCHS + " (or --rt-epochs if smaller)")
    Integer rampEpochs;

    @Option(names = "--rt-lr", paramLabel = "X",
            description = "RT learning rate (SGD, momentum 0.9), > 0; default ${DEFAULT-VALUE}")
    double rtLr = 0.05;

    @Option(names = "--keep-zeros", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "hold the weights each RT decomposition zeroed at zero through the next epoch; default "
                    + "${DEFAULT-VALUE}")
    boolean keepZeros = true;

    @Option(names = "--rt-examples", paramLabel = "N",
            description = "RT training examples (the training set less the validation "
            + "hold-out; the first N of it in a seeded random order), at least 1; default: all")
    Integer rtExamples;

    @Option(names = "--objective", paramLabel = "paper-cr|energy", description = "what the chosen candidate maximises "
            + "within --max-drop: paper-cr, the paper's compression ratio, or energy, the dense network's energy per "
            + "inference on the simulated SmartDeal accelerator over the candidate's (each candidate is then priced, "
            + "with activation statistics measured on --energy-samples validation examples); default ${DEFAULT-VALUE}")
    String objective = "paper-cr";

    @Option(names = "--energy-samples", paramLabel = "N",
            description = "with --objective energy: validation examples the activation "
            + "statistics are measured on, in [1, --validation]; default ${DEFAULT-VALUE} (or --validation if smaller)")
    int energySamples = 256;

    @Option(names = "--data", paramLabel = "NAME", description = "the dataset; only ${DEFAULT-VALUE}")
    String data = "fashion-mnist";

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = FashionMnistInput.DATA_DIR_DESCRIPTION)
    Path dataDir;

    @Option(names = "--seed", paramLabel = "N",
            description = "seed of a random search and of the re-training shuffles; default ${DEFAULT-VALUE}")
    long seed = 42;

    /**
     * Seed of the validation hold-out, apart from {@link #seed}: the hold-out must be examples IN.zip was not trained
     * on, and {@code demo --seed S} and {@code train} hold out the first examples of the seed-S order; changing the
     * search's seed must not move the hold-out onto the network's training examples.
     */
    @Option(names = "--split-seed", paramLabel = "N",
            description = "seed of the validation hold-out (the first --validation examples of this seed's order of "
            + "the training set): the seed IN.zip's training held its validation out with (demo's --seed); "
            + "default ${DEFAULT-VALUE}")
    long splitSeed = 42;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    /** The output files, written together at the end. */
    static final String SUMMARY = "sweep.json";
    /** One line per candidate. */
    static final String CANDIDATES = "candidates.csv";
    /** The chosen candidate's model. */
    static final String BEST_SDM = "best.sdm";
    /** The chosen candidate's plan. */
    static final String BEST_PLAN = "best-plan.json";

    /** The most candidates one sweep runs (the bound of --candidates and of a grid's size). */
    static final int MAX_CANDIDATES = 1000;

    /** Random-search candidates when {@code --candidates} is not given. */
    static final int DEFAULT_RANDOM_CANDIDATES = 10;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Setup setup = setup();
        ConversionPlan base = setup.base();
        CandidateGenerator generator = setup.search().generator();
        int max = setup.search().max();
        boolean byEnergy = "energy".equals(objective);
        int ramp = DemoCommand.rampEpochs(rampEpochs, rtEpochs);
        Model dense = network(base, setup.space());
        String name = input.getFileName().toString().replaceFirst("\\.zip$", "");
        InputType inputType = FashionMnistInput.inputType(dense, null, true, input);
        FashionMnistInput.Layout layout = FashionMnistInput.layout(inputType, input.toString());
        // a network that cannot run failed inside the first candidate's scoring as an internal error
        FashionMnistInput.requireTenClassOutput(ForwardCheck.requireRuns(dense, inputType, input), input);
        if (byEnergy) {
            try {
                Workloads.extract(dense, inputType);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new BadInputException(input + ": cannot price this network (--objective energy): " + e.getMessage(), e);
            }
        }

        Path dir = FashionMnist.resolveDir(dataDir);
        FashionMnist train = FashionMnistInput.load(dir, true);
        FashionMnist test = FashionMnistInput.load(dir, false);
        if (validation >= train.size()) {
            throw usage("--validation must be below the training set's " + train.size() + " examples, got " + validation);
        }
        TaskSplits.HoldOut cut = TaskSplits.holdOut(train, validation, splitSeed);
        FashionMnist val = cut.validation();
        FashionMnist fit = rtExamples == null ? cut.fit() : cut.fit().limit(Math.min(rtExamples, cut.fit().size()));
        InMemoryDataSetIterator valIt = val.iterator(512, false, seed);
        InMemoryDataSetIterator testIt = test.iterator(512, false, seed);
        FashionMnistInput.apply(valIt, layout);
        FashionMnistInput.apply(testIt, layout);
        ConversionTaskCreator.Pricing pricing = null;
        if (byEnergy) {
            InMemoryDataSetIterator statsIt = val.limit(energySamples).iterator(256, false, seed);
            FashionMnistInput.apply(statsIt, layout);
            pricing = net -> {
                statsIt.reset();
                return EnergyReport.of(net, name, inputType, statsIt, energySamples, List.of("smartdeal"),
                        Knobs.defaults()).results().get("smartdeal").energyPj();
            };
        }
        ConversionTaskCreator.Retrain retrain = null;
        if (rtEpochs > 0) {
            // a fresh iterator per candidate: every candidate re-trains on the same shuffles
            retrain = new ConversionTaskCreator.Retrain(() -> {
                InMemoryDataSetIterator fitIt = fit.iterator(128, true, seed);
                FashionMnistInput.apply(fitIt, layout);
                return fitIt;
            }, rtEpochs, ramp, keepZeros, rtLr);
        }

        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "Fashion-MNIST from %s: %s held out of the training set (split seed %d; the network "
                + "must not have been trained on them); the %d test examples score the dense network and the chosen "
                + "candidate only%n", dir, plural(val.size(), "validation example"), splitSeed, test.size());
        o.printf(Locale.ROOT, "%s search over %s: up to %s, accuracy drop at most %s%n", search,
                describe(), plural(max, "candidate"), points(maxDrop));
        if (byEnergy) {
            o.printf(Locale.ROOT, "objective: energy per inference on the simulated SmartDeal accelerator (batch 1, default "
                    + "knobs; activation statistics of %d validation examples), the dense network's over the "
                    + "candidate's%n", energySamples);
        }
        if (retrain != null) {
            o.printf(Locale.ROOT, "each candidate re-trained (RT) for %s on %s (ramp %d, lr %s, keep zeros %s), "
                    + "its epoch chosen on the validation examples%n", DemoCommand.epochs(rtEpochs),
                    plural(fit.size(), "example"), ramp,
                    fmt(rtLr), keepZeros);
        }
        ConversionSweep.Result r;
        try (Progress p = Progress.start("sweep", max, quiet)) {
            // the image shape the sweep feeds, recorded in every candidate's bytes (RecordedInput), so the sizes the
            // sweep reports are best.sdm's; rows record none
            String recorded = RecordedInput.of(inputType);
            ConversionSweep.Options options = new ConversionSweep.Options(retrain, pricing,
                    byEnergy ? CompressionScoreFunction.Objective.ENERGY : CompressionScoreFunction.Objective.PAPER_CR,
                    recorded == null ? Map.of() : Map.of(RecordedInput.KEY, recorded));
            r = ConversionSweep.run(dense, generator, max, valIt, maxDrop / 100, options, (c, done, total) -> {
                p.step();
                p.message(c.ok() ? String.format(Locale.ROOT, "#%d: CR %.1fx, accuracy %.4f", c.index(), c.paperCR(),
                        c.accuracy()) : "#" + c.index() + " failed");
            });
        }
        o.printf(Locale.ROOT, "dense network: validation accuracy %.4f%s%n", r.baseline().accuracy(), byEnergy
                ? String.format(Locale.ROOT, ", %.3f uJ per inference on the SmartDeal accelerator",
                        r.score().baselineEnergyPj() / 1e6) : "");
        o.print(r.toTable());
        printWhyStopped(o, r, max);

        ObjectMapper m = new ObjectMapper();
        ObjectNode summary = m.createObjectNode();
        summary.put("input", input.toString()).put("dataset", "fashion-mnist").put("search", search)
                .put("space", describe()).put("seed", seed).put("splitSeed", splitSeed)
                .put("validationExamples", val.size()).put("testExamples", test.size()).put("rtEpochs", rtEpochs);
        if (pointsApply()) {
            summary.put("points", points);
        }
        if (byEnergy) {
            summary.put("energySamples", energySamples).put("energyModel", "SmartDeal accelerator, batch 1, default knobs, "
                    + "activation statistics measured on the first energySamples validation examples");
        }
        if (retrain != null) {
            summary.put("rampEpochs", ramp).put("rtLearningRate", rtLr).put("keepZeros", keepZeros)
                    .put("rtExamples", fit.size());
        }
        summary.setAll(r.toJsonNode());
        ConversionCandidate best = r.best().orElse(null);
        if (r.candidates().stream().anyMatch(ConversionCandidate::internalError)) {
            // a defect may have cost the true best: no result is chosen from the others; --out is left as it was
            throw new IllegalStateException("a candidate failed on a defect (its error is in the table above); nothing "
                    + "was written");
        }
        if (best == null) {
            // --out is left as it was: a set without best.sdm beside an earlier run's would mislead
            boolean diverged = r.candidates().stream().anyMatch(
                    c -> c.failure() == ConversionCandidate.Failure.DIVERGED);
            throw new BadInputException("every candidate failed (their errors are in the table above)"
                    + (diverged ? "; re-training diverged: --rt-lr " + fmt(rtLr) + " is too large for this network" : "")
                    + "; nothing was written into " + out);
        }
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(out.resolve(CANDIDATES), r.toCsv().getBytes(StandardCharsets.UTF_8));
        {
            ModelScore denseTest;
            ModelScore bestTest;
            String bestBits;
            try (Progress p = Progress.start("test set", 2, quiet)) {
                denseTest = ModelScore.of(dense, testIt);
                p.step();
                SdmReader.Result read = SdmReader.read(best.sdm(), BEST_SDM);
                bestTest = ModelScore.of(SdModelFile.build(read.file(), BEST_SDM, read.formatMinor()), testIt);
                bestBits = read.layout().totalBreakdown().describe();
                p.step();
            } catch (SdmFormatException e) {
                throw new IllegalStateException("the sweep's own .sdm bytes did not read back", e);
            }
            summary.putObject("test").put("denseAccuracy", denseTest.accuracy())
                    .put("bestAccuracy", bestTest.accuracy())
                    .put("dropPoints", ModelScore.points(denseTest.accuracy() - bestTest.accuracy()))
                    .put("examples", bestTest.examples());
            files.put(out.resolve(BEST_SDM), best.sdm());
            files.put(out.resolve(BEST_PLAN), best.plan().toJson().getBytes(StandardCharsets.UTF_8));
            if (retrain != null) {
                summary.put("bestPlanNote", "best.sdm is the chosen plan after " + DemoCommand.epochs(rtEpochs)
                        + " of re-training (RT epoch " + best.rtBestEpoch() + " kept); converting with best-plan.json "
                        + "alone gives the decomposition before re-training");
            }
            o.printf(Locale.ROOT, "best: candidate %d (%s) | paper CR %.2fx | file CR %.2fx%s | validation drop %.2f "
                            + "points%s%n", best.index(), settings(best.plan()), best.paperCR(), best.fileCR(),
                    byEnergy ? String.format(Locale.ROOT, " | %.2fx less energy", r.score().gain(best)) : "",
                    100 * r.score().drop(best), r.bestWithinDrop() ? "" : " (no candidate met --max-drop " + fmt(maxDrop)
                            + ": this one has the smallest drop)");
            o.printf(Locale.ROOT, "test accuracy: dense %.4f | best.sdm %.4f | drop %.2f points (%d examples)%n",
                    denseTest.accuracy(), bestTest.accuracy(), ModelScore.points(denseTest.accuracy() - bestTest.accuracy()),
                    bestTest.examples());
            o.println("best.sdm bits: " + bestBits);
            if (retrain != null) {
                o.printf(Locale.ROOT, "best.sdm is re-trained (RT epoch %d kept); best-plan.json alone, as in `convert "
                        + "--plan`, gives the decomposition before re-training%n", best.rtBestEpoch());
            }
        }
        summary.put("seconds", (System.nanoTime() - t0) / 1e9);
        files.put(out.resolve(SUMMARY), m.writerWithDefaultPrettyPrinter().writeValueAsString(summary)
                .getBytes(StandardCharsets.UTF_8));
        OutputPaths.writeTogether(files);
        List<String> names = new ArrayList<>();
        files.keySet().forEach(f -> names.add(f.getFileName().toString()));
        o.printf(Locale.ROOT, "wrote %s into %s (%.1f s)%n", String.join(", ", names), out,
                (System.nanoTime() - t0) / 1e9);
        return SmartDeal.EXIT_OK;
    }

    /** Says why the search ran fewer candidates than asked for, when it did: repeated draws, or every setting run. */
    private static void printWhyStopped(PrintWriter o, ConversionSweep.Result r, int max) {
        String allRun = String.format(Locale.ROOT, "the lists hold %d settings, all run", r.candidates().size());
        if (r.repeatsSkipped() > 0) {
            // Arbiter's random search draws list values with replacement: a repeated setting would give the same result
            o.printf(Locale.ROOT, "%d %s drawn again and skipped (each setting runs once)%s%n", r.repeatsSkipped(),
                    r.repeatsSkipped() == 1 ? "setting already run was" : "settings already run were",
                    switch (r.stop()) {
                        case ALL_SETTINGS_RUN -> "; " + allRun;
                        case REPEAT_LIMIT -> String.format(Locale.ROOT, "; stopped after %d draws in a row repeated one",
                                ConversionSweep.MAX_REPEATS_IN_A_ROW);
                        default -> "";
                    });
        } else if (r.stop() == ConversionSweep.Stop.ALL_SETTINGS_RUN) {
            // no draw repeated, yet fewer candidates than asked for may have run: say why the search stopped
            o.printf(Locale.ROOT, "%s run (up to %d asked for): %s%n", plural(r.candidates().size(), "candidate"), max,
                    allRun);
        }
    }

    /** What the options set, checked (exit 2; files exit 3) before any work. */
    private record Setup(ConversionPlan base, ConversionPlanSpace space, Search search) {
    }

    /**
     * Checks the options and output paths and builds the search: the base plan, the space over it and the grid or
     * random search (exit 2 for an option, 3 for a file).
     */
    private Setup setup() throws IOException {
        // option values first (exit 2), then files (exit 3), all before any work
        if (theta != null && density != null) {
            throw usage("--theta and --density both set the sparsity: give one (a density target replaces the "
                    + "threshold), got --theta " + theta + " and --density " + density);
        }
        for (String option : List.of("--layer-theta", "--layer-density")) {
            // picocli keeps the last value of a repeated map key; a layer given twice is a mistake to name
            picocli.CommandLine.Model.OptionSpec given = spec.commandLine().getParseResult().matchedOption(option);
            java.util.Set<String> layers = new java.util.HashSet<>();
            for (String v : given == null ? List.<String>of() : given.originalStringValues()) {
                String layer = v.split("=", 2)[0].trim();
                if (layer.isEmpty()) {
                    // picocli reads "=0.01" as an empty key, which ConversionPlanSpace would refuse as an internal error
                    throw usage(option + " needs a layer name before '=' (NAME=values), got '" + v + "'");
                }
                if (!layers.add(layer)) {
                    throw usage(option + " gives layer " + layer + " twice: give its values once, as a list (NAME=A,B) "
                            + "or a range (NAME=LO:HI)");
                }
            }
        }
        SdHyperparameterSpace sd = space();
        Map<String, SdHyperparameterSpace> perLayerTheta = new LinkedHashMap<>();
        layerTheta.forEach((layer, text) -> perLayerTheta.put(layer,
                new SdHyperparameterSpace.Builder().theta(values("--layer-theta " + layer, text)).build()));
        Map<String, org.deeplearning4j.arbiter.optimize.api.ParameterSpace<Double>> perLayerDensity = new LinkedHashMap<>();
        layerDensity.forEach((layer, text) -> perLayerDensity.put(layer, values("--layer-density " + layer, text)));
        for (String layer : layerTheta.keySet()) {
            if (layerDensity.containsKey(layer)) {
                throw usage("layer " + layer + " is in both --layer-theta and --layer-density: give one (a density "
                        + "target replaces the threshold)");
            }
        }
        checkOptions();
        OutputPaths.requireFolder("--out", out);
        List<Path> outputs = List.of(out.resolve(SUMMARY), out.resolve(CANDIDATES), out.resolve(BEST_SDM),
                out.resolve(BEST_PLAN));
        for (Path p : outputs) {
            OutputPaths.requireFile("--out", p);
        }
        OutputPaths.requireNotInput("IN.zip", input, "--out", outputs);
        if (planFile != null && Files.isRegularFile(Path.of(planFile))) {
            OutputPaths.requireNotInput("--plan", Path.of(planFile), "--out", outputs);
        }
        ConversionPlan base = planFile == null ? ConversionPlan.defaultPlan() : ConvertCommand.resolvePlan(planFile);
        if (theta == null && density == null && (base.defaults().density() > 0
                || base.overrides().values().stream().anyMatch(l -> l.density() > 0))) {
            throw usage("--plan " + planFile + " sets C density targets, which the default threshold search (--theta "
                    + DEFAULT_THETA + ") would replace: give --density to search densities, or --theta to replace them");
        }
        if (sliceRows != null) {
            int smallest = integers("--slice-rows", sliceRows, 1, LayerPlan.MAX_SLICE_ROWS).stream().min(Integer::compare).orElseThrow();
            int widest = basisWidth != null
                    ? integers("--basis-width", basisWidth, 1, LayerPlan.MAX_BASIS_WIDTH).stream().max(Integer::compare).orElseThrow()
                    : base.defaults().basisWidth();
            if (smallest < widest) {
                throw usage("--slice-rows " + smallest + " is below the basis width " + widest + ": a slice holds at least "
                        + "as many rows as the basis is wide (the converter would use " + widest + "), so give slice rows "
                        + "of at least " + widest);
            }
        }
        ConversionPlanSpace.Builder sb = new ConversionPlanSpace.Builder(base).defaults(sd);
        if (density != null) {
            sb.density(values("--density", density));
        }
        perLayerTheta.forEach(sb::layer);
        perLayerDensity.forEach(sb::layerDensity);
        ConversionPlanSpace space = sb.build();
        return new Setup(base, space, search(space));
    }

    /**
     * Reads the dense network and checks it against the options: ten classes, the plan's and the per-layer options'
     * layer names, and what every candidate shares (exit 2 or 3 before any candidate runs).
     */
    private Model network(ConversionPlan base, ConversionPlanSpace space) throws IOException {
        Model dense = ConvertCommand.requireDense(input, null, "sweep");
        FashionMnistInput.requireNoNormaliserBeyondUnitPixels(input.toString(), input, "sweep",
                "scores and re-trains candidates");
        FashionMnistInput.requireTenClasses(dense, input);
        ConvertCommand.checkPlanLayers(planFile, base, dense);
        List<String> layerNames = SdConverter.layerNames(dense);
        List<String> convertible = SdConverter.convertibleLayerNames(dense, base);
        List<String> frozen = SdConverter.frozenLayerNames(dense);
        for (String option : List.of("--layer-theta", "--layer-density")) {
            for (String layer : (option.equals("--layer-theta") ? layerTheta : layerDensity).keySet()) {
                if (!layerNames.contains(layer)) {
                    throw usage(option + " names layer '" + layer + "', which " + input + " does not have; its layers are "
                            + layerNames);
                }
                if (!convertible.contains(layer)) {
                    throw usage(option + " names layer '" + layer + "', which is not converted ("
                            + (frozen.contains(layer) ? SdConverter.FROZEN_RULE : "not a " + SdConverter.CONVERTED_KINDS)
                            + "); the layers converted are " + convertible);
                }
                if (base.settingsFor(layer).skip()) {
                    // no sample changes skip: the layer would stay dense in every candidate
                    throw usage(option + " names layer '" + layer + "', which --plan " + planFile + " skips (\"skip\": "
                            + "true, kept dense in every candidate): its values would change nothing");
                }
            }
        }
        if (!convertible.isEmpty() && convertible.stream().allMatch(layer -> base.settingsFor(layer).skip())) {
            throw usage("--plan " + planFile + " skips (\"skip\": true) every layer " + input + " converts, "
                    + convertible + ": every candidate would be the dense network");
        }
        try {
            // what every candidate shares, against this network (a --slice-rows below a basis width the plan gives
            // one layer, for example): an error here would otherwise fail every candidate
            space.checkAgainst(dense);
        } catch (IllegalArgumentException e) {
            throw usage("the search fails on " + input + " whatever is drawn: " + e.getMessage());
        }
        return dense;
    }

    /** Every option value and combination that needs no file (exit 2), before any work. */
    private void checkOptions() {
        if (!"grid".equals(search) && !"random".equals(search)) {
            throw usage("--search must be grid or random, got '" + search + "'");
        }
        if (points < 2 || points > 100) {
            throw usage("--points must be in [2, 100], got " + points);
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--points") && !pointsApply()) {
            throw usage("--points applies to a grid search over a LO:HI range (--theta, --density, --layer-theta or "
                    + "--layer-density); " + ("grid".equals(search) ? "this space has no range"
                    : "a random search samples ranges log-uniformly") + ", got --points " + points);
        }
        if (candidates != null && (candidates < 1 || candidates > MAX_CANDIDATES)) {
            throw usage("--candidates must be in [1, " + MAX_CANDIDATES + "], got " + candidates);
        }
        if (!(maxDrop >= 0 && maxDrop <= 100)) {
            throw usage("--max-drop must be in [0, 100] percentage points, got " + Numbers.plain(maxDrop));
        }
        if (validation < 1 || validation > 59_999) {
            throw usage("--validation must be in [1, 59999], got " + validation);
        }
        if (!"fashion-mnist".equals(data)) {
            throw usage("--data must be fashion-mnist, got '" + data + "'");
        }
        if (!"paper-cr".equals(objective) && !"energy".equals(objective)) {
            throw usage("--objective must be paper-cr or energy, got '" + objective + "'");
        }
        if (!"energy".equals(objective) && spec.commandLine().getParseResult().hasMatchedOption("--energy-samples")) {
            throw usage("--energy-samples applies with --objective energy only");
        }
        if ("energy".equals(objective) && spec.commandLine().getParseResult().hasMatchedOption("--energy-samples")
                && (energySamples < 1 || energySamples > validation)) {
            throw usage("--energy-samples must be in [1, --validation = " + validation + "], got " + energySamples);
        }
        // the default, 256, is cut to the validation examples there are
        energySamples = Math.min(energySamples, validation);
        DemoCommand.rtOnlyOptionGiven(spec, rtEpochs, "give --rt-epochs N (N >= 1) too", "--rt-examples");
        DemoCommand.checkRtOptions(spec, rtEpochs, rampEpochs, rtLr);
        if (rtExamples != null && rtExamples < 1) {
            throw usage("--rt-examples must be at least 1, got " + rtExamples);
        }
    }

    /** Arbiter's candidate generator and the most candidates it will give. */
    private record Search(CandidateGenerator generator, int max) {
    }

    /** The grid or random search over the space, its size checked (exit 2) before Arbiter builds a grid. */
    private Search search(ConversionPlanSpace space) {
        if ("grid".equals(search)) {
            // counted before Arbiter builds the grid, which holds every candidate number in memory
            double size = gridSize(space);
            if (candidates != null && size > candidates) {
                throw usage("the grid has " + count(size) + " candidates, more than --candidates " + candidates
                        + ": raise --candidates, narrow the grid, or use --search random");
            }
            if (size > MAX_CANDIDATES) {
                throw usage("the grid has " + count(size) + " candidates, more than the " + MAX_CANDIDATES + " one sweep "
                        + "runs: narrow the grid (fewer values or --points) or use --search random");
            }
            GridSearchCandidateGenerator g = new GridSearchCandidateGenerator(space, points,
                    GridSearchCandidateGenerator.Mode.Sequential, null);
            return new Search(g, g.getTotalNumCandidates());
        } else {
            if (space.numParameters() == 0) {
                throw usage("--search random needs a searched setting (a range or several values), but every setting "
                        + "given is a single value: use --search grid, which runs it once");
            }
            RandomSearchGenerator g = new RandomSearchGenerator(space, null);
            // java.util.Random (Arbiter's generator) gives nearly the same first draw for nearby seeds: mix first
            g.setRngSeed(new java.util.SplittableRandom(seed).nextLong());
            return new Search(g, candidates != null ? candidates : DEFAULT_RANDOM_CANDIDATES);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The searched SD settings from --theta, --slice-rows and --basis-width (exit 2 on a bad value). */
    private SdHyperparameterSpace space() {
        SdHyperparameterSpace.Builder b = new SdHyperparameterSpace.Builder();
        if (thetaText() != null) {
            b.theta(values("--theta", thetaText()));
        }
        if (sliceRows != null) {
            b.sliceRows(searched(integers("--slice-rows", sliceRows, 1, LayerPlan.MAX_SLICE_ROWS)));
        }
        if (basisWidth != null) {
            b.basisWidth(searched(integers("--basis-width", basisWidth, 1, LayerPlan.MAX_BASIS_WIDTH)));
        }
        return b.build();
    }

    /** The threshold values searched: --theta, or the default when --density is not given either. */
    private String thetaText() {
        return theta != null ? theta : density == null ? DEFAULT_THETA : null;
    }

    /**
     * A range {@code LO:HI} (0 &lt; LO &lt; HI &lt;= 1) as a log-uniform space, or a list of values in [0, 1] as a
     * discrete one.
     */
    private org.deeplearning4j.arbiter.optimize.api.ParameterSpace<Double> values(String option, String text) {
        String t = text.trim();
        if (t.contains(":")) {
            String[] lohi = t.split(":", -1);
            double lo = number(option, lohi[0]);
            double hi = lohi.length == 2 ? number(option, lohi[1]) : Double.NaN;
            if (lohi.length != 2 || !(lo > 0 && lo < hi && hi <= 1)) {
                throw usage(option + " LO:HI needs 0 < LO < HI <= 1, got '" + text + "'");
            }
            return new ContinuousParameterSpace(new LogUniformDistribution(lo, hi));
        }
        List<Double> out = new ArrayList<>();
        for (String v : list(option, t)) {
            double d = number(option, v);
            if (!(d >= 0 && d <= 1)) {
                throw usage(option + " values must be in [0, 1], got " + v);
            }
            if (out.contains(d)) {
                throw usage(option + " lists " + v + " twice: give each value once");
            }
            out.add(d);
        }
        return searched(out);
    }

    /** One value as a fixed value (not searched), several as a discrete space (see SdHyperparameterSpace.gridSafe). */
    private static <T> org.deeplearning4j.arbiter.optimize.api.ParameterSpace<T> searched(List<T> values) {
        return values.size() == 1 ? new FixedValue<>(values.get(0)) : new DiscreteParameterSpace<>(values);
    }

    private List<String> list(String option, String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",", -1)) {
            if (s.isBlank()) {
                throw usage(option + " takes comma-separated values without empty entries, got '" + text + "'");
            }
            out.add(s.trim());
        }
        return out;
    }

    /** Decimal numbers only (no hex, no type suffix); -0 is 0. */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private double number(String option, String text) {
        String t = text.trim();
        if (!DECIMAL.matcher(t).matches()) {
            throw usage(option + ": '" + text + "' is not a decimal number");
        }
        return Double.parseDouble(t) + 0.0;
    }

    private List<Integer> integers(String option, String text, int lo, int hi) {
        List<Integer> out = new ArrayList<>();
        for (String s : list(option, text)) {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw usage(option + ": '" + s + "' is not a whole number");
            }
            if (v < lo || v > hi) {
                throw usage(option + " values must be in [" + lo + ", " + hi + "], got " + v);
            }
            if (out.contains(v)) {
                throw usage(option + " lists " + v + " twice: give each value once");
            }
            out.add(v);
        }
        return out;
    }

    /** The searched settings in words, e.g. {@code theta 0.001:0.016 (log-uniform), slice rows 96,192}. */
    private String describe() {
        StringBuilder sb = new StringBuilder();
        String t = thetaText();
        if (t != null) {
            sb.append("theta ").append(t.trim()).append(t.contains(":") ? " (log-uniform)" : "");
        } else {
            sb.append("C density ").append(density.trim()).append(density.contains(":") ? " (log-uniform)" : "");
        }
        if (sliceRows != null) {
            sb.append(", slice rows ").append(sliceRows.trim());
        }
        if (basisWidth != null) {
            sb.append(", basis width ").append(basisWidth.trim());
        }
        layerTheta.forEach((layer, text) -> sb.append(", ").append(layer).append(" theta ").append(text.trim()));
        layerDensity.forEach((layer, text) -> sb.append(", ").append(layer).append(" C density ").append(text.trim()));
        return sb.toString();
    }

    /**
     * A candidate's settings in words: the plan's defaults and, when it has any, its per-layer overrides as the table
     * words them ({@code theta 0.001, slice rows 192, basis width 3, layers fc1 d=0.1}), which may be all that tells
     * candidates apart.
     */
    static String settings(ConversionPlan p) {
        String overrides = ConversionSweep.Result.overrides(p);
        return String.format(Locale.ROOT, "%s, slice rows %d, basis width %d%s", p.defaults().density() > 0
                        ? "C density target " + ConversionSweep.shortNumber(p.defaults().density())
                        : "theta " + ConversionSweep.shortNumber(p.defaults().theta()),
                p.defaults().sliceRows(), p.defaults().basisWidth(), overrides.isEmpty() ? "" : ", layers " + overrides);
    }

    /** {@code "1 candidate"}, {@code "5 candidates"}. */
    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** A grid size in words: exact up to 2^53, else in E notation. */
    private static String count(double n) {
        return n < 0x1p53 ? Long.toString((long) n) : String.format(Locale.ROOT, "%.3g", n);
    }

    /** Whether --points matters: a grid search over at least one LO:HI range, which it cuts into that many values. */
    private boolean pointsApply() {
        return "grid".equals(search) && searchesRange();
    }

    /** Whether a LO:HI range is searched (in a grid search, then --points matters). */
    private boolean searchesRange() {
        java.util.stream.Stream<String> specs = java.util.stream.Stream.concat(
                java.util.stream.Stream.of(thetaText(), density),
                java.util.stream.Stream.concat(layerTheta.values().stream(), layerDensity.values().stream()));
        return specs.anyMatch(t -> t != null && t.contains(":"));
    }

    /**
     * The number of grid candidates: the product over the space's leaves of their values (a list its size, a range
     * --points, a single value 1), as Arbiter's grid counts them; a double, so a huge grid does not overflow.
     */
    private double gridSize(ConversionPlanSpace space) {
        double n = 1;
        for (Object leaf : org.deeplearning4j.arbiter.util.LeafUtils.getUniqueObjects(space.collectLeaves())) {
            n *= leaf instanceof DiscreteParameterSpace<?> d ? d.numValues() : leaf instanceof FixedValue<?> ? 1 : points;
        }
        return n;
    }

    /** {@code "1 point"}, {@code "0.5 points"}. */
    private static String points(double v) {
        return fmt(v) + (v == 1 ? " point" : " points");
    }

    private static String fmt(double v) {
        return ConversionSweep.shortNumber(v);
    }
}
