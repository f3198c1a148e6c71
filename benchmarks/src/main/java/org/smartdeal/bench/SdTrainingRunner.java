package org.smartdeal.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.codec.AtomicFiles;
import org.smartdeal.hw.dl4j.Workloads;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.train.TrainingModel;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.recipes.RecipeListener;
import org.smartdeal.zoo.recipes.RecipeResult;
import org.smartdeal.zoo.recipes.SdTrainingRecipe;
import org.smartdeal.zoo.recipes.TrainingSettings;
import org.smartdeal.zoo.recipes.Variant;

/**
 * The Fashion-MNIST analogue of the paper's Tables V and VI (SD training, Chen et al., arXiv 2101.01163,
 * Sec. VI-C): for each architecture and task, one dense pre-training on the source split, then the three
 * variants VA, SD and SS trained from that same pre-trained network with {@link SdTrainingRecipe}. Prints
 * a Markdown table (accuracy, model file bytes and size relative to VA, trainable-state bytes, seconds,
 * normalised training energy, C entries switched per epoch) and writes it as CSV.
 *
 * <p>Training energy: E_VA / E_variant per iteration from the hardware model's training part
 * ({@link TrainingModel#efficiencyOverVa}, HWMODEL.md 5; paper platform {@link ArchSpec#paper()} and
 * {@link EnergyTable#paper28nm()}, as its {@code paperTable}), on the layer shapes of the network
 * ({@link Workloads#extract}) at the training minibatch, with the densities measured on the trained network:
 * C_e density = non-zeros of C over the real (unpadded) entries, vector density = non-zero rows of C over
 * the real rows; SS keeps each layer's vectors by its own structured ratio (classifier kept; HWMODEL-RESULTS.md
 * fix 19), and the log prints the MAC-weighted keep ratio.
 * Same epochs for all variants, so the per-iteration ratio is the training-energy ratio.
 *
 * <p>Usage (defaults in brackets: the paper's schedule; a full run is hours of CPU on 2 cores):
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -Xmx4g -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.smartdeal.bench.SdTrainingRunner [--archs lenet300,cnn] [--tasks finetune,adapt] \
 *     [--variants va,sd,ss] [--epochs 80] [--swa-start epochs/2] [--pretrain-epochs 10] [--limit N] \
 *     [--test-limit N] [--out smartdeal-out/sd-training] [--seed 42] [--theta 7e-3] [--structured-ratio 0.3] \
 *     [--layer-ratios conv2=0.1,...] [--layer-thetas fc1=0.05,...] [--dense-layers fc2] [--theta-g 5e-3] \
 *     [--theta-c 7] [--lr by task] [--swa-lr by task] [--pretrain-lr 1e-3] [--batch 128] \
 *     [--pretrained-cache DIR] [--validation N] [--seal-test] [--per-layer-switch] \
 *     [--workers K [--averaging-frequency 5]]
 * </pre>
 * Every option left out keeps the {@link TrainingSettings} default. {@code --limit N} keeps the first N
 * training and the first N test examples; {@code --test-limit N} then keeps the first N test examples.
 * Writes {@code <out>/results.csv} and {@code <out>/results.md}, and each model file under {@code <out>}.
 * {@code --pretrained-cache DIR} keeps each pre-trained dense network in DIR, named by everything that
 * determines it (arch, task, seed, pre-training epochs, lr and batch, limit), and reuses it in later runs
 * instead of pre-training again (the network is the same either way: pre-training is deterministic).
 * {@code --validation N} holds N examples of the target split out
 * ({@link TrainingSettings#validationExamples}, seeded by {@code --seed}) and trains on the rest, so settings
 * can be chosen on the validation accuracy without looking at the test set: the table gives both the
 * validation accuracy and the test accuracy of the same trained network. {@code --seal-test} (needs
 * {@code --validation}) keeps the test figures out of the log and of {@code results.md}/{@code results.csv}
 * ("sealed" there) and writes them to {@code <out>/sealed-test.csv} only, so a run made to choose settings
 * shows nothing but validation figures until the choice is fixed. The column {@code switched} (C entries
 * whose value changed, per epoch) is "-" for VA, which has no C. {@code --per-layer-switch} gives SD and SS
 * a bucket switch per layer ({@link TrainingSettings#perLayerSwitch}; off in every run docs/RESULTS.md
 * records). {@code --workers K} trains each epoch as dl4j-spark's parameter averaging would on K workers,
 * averaging every {@code --averaging-frequency} minibatches per worker and restoring the SD invariants after
 * each averaging ({@link ParameterAveragingEpochs}, in this JVM; docs/ARBITER-SPARK.md "Spark").
 */
public final class SdTrainingRunner {

    private SdTrainingRunner() {
    }

    /** One row of the table. */
    record Row(String arch, String task, String variant, double accuracy, double fileAccuracy,
               long modelBytes, long stateBytes, double seconds, double energyRatio, String switched,
               double validationAccuracy) {
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) throws IOException {
        Nd4j.getMemoryManager().setAutoGcWindow(10_000);
        List<String> archs = List.of("lenet300", "cnn");
        List<String> tasks = List.of("finetune", "adapt");
        List<String> variants = List.of("va", "sd", "ss");
        Integer epochs = null;
        Integer swaStart = null;
        Integer pretrainEpochs = null;
        Integer limit = null;
        Integer testLimit = null;
        long seed = TrainingSettings.DEFAULT_SEED;
        Path out = Path.of("smartdeal-out", "sd-training");
        Path cache = null;
        Double theta = null;
        Double ssRatio = null;
        Map<String, Double> layerRatios = Map.of();
        Map<String, Double> layerThetas = Map.of();
        Set<String> denseLayers = Set.of();
        Double thetaG = null;
        Integer thetaC = null;
        Double lr = null;
        Double swaLr = null;
        Double pretrainLr = null;
        Integer batch = null;
        Integer validation = null;
        boolean sealTest = false;
        boolean perLayerSwitch = false;
        Integer workers = null;
        int averagingFrequency = 5;
        boolean averagingFrequencyGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--seal-test")) {
                sealTest = true;
                continue;
            }
            if (a.equals("--per-layer-switch")) {
                perLayerSwitch = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--archs" -> archs = List.of(v.split(","));
                case "--tasks" -> tasks = List.of(v.split(","));
                case "--variants" -> variants = List.of(v.split(","));
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--swa-start" -> swaStart = Integer.parseInt(v);
                case "--pretrain-epochs" -> pretrainEpochs = Integer.parseInt(v);
                case "--limit" -> limit = Integer.parseInt(v);
                case "--test-limit" -> testLimit = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--out" -> out = Path.of(v);
                case "--pretrained-cache" -> cache = Path.of(v);
                case "--theta" -> theta = Double.parseDouble(v);
                case "--structured-ratio" -> ssRatio = Double.parseDouble(v);
                case "--layer-ratios" -> layerRatios = TrainingSettings.parseLayerRatios(v);
                case "--layer-thetas" -> layerThetas = TrainingSettings.parseLayerThetas(v);
                case "--dense-layers" -> denseLayers = new LinkedHashSet<>(List.of(v.split(",")));
                case "--theta-g" -> thetaG = Double.parseDouble(v);
                case "--theta-c" -> thetaC = Integer.parseInt(v);
                case "--lr" -> lr = Double.parseDouble(v);
                case "--swa-lr" -> swaLr = Double.parseDouble(v);
                case "--pretrain-lr" -> pretrainLr = Double.parseDouble(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--validation" -> validation = Integer.parseInt(v);
                case "--workers" -> workers = Integer.parseInt(v);
                case "--averaging-frequency" -> {
                    averagingFrequency = Integer.parseInt(v);
                    averagingFrequencyGiven = true;
                }
                default -> throw new IllegalArgumentException("unknown option " + a
                        + "; known: --archs --tasks --variants --epochs --swa-start --pretrain-epochs --limit --test-limit --seed"
                        + " --out --pretrained-cache --theta --structured-ratio --layer-ratios --layer-thetas"
                        + " --dense-layers --theta-g --theta-c --lr --swa-lr --pretrain-lr --batch --validation"
                        + " --seal-test --per-layer-switch --workers --averaging-frequency");
            }
        }
        if (sealTest && validation == null) {
            throw new IllegalArgumentException("--seal-test needs --validation N: without a hold-out there is"
                    + " nothing but the test set to read");
        }
        if (averagingFrequencyGiven && workers == null) {
            throw new IllegalArgumentException("--averaging-frequency needs --workers K: without workers every epoch"
                    + " runs on one machine and nothing is averaged");
        }
        if (workers != null) {
            new ParameterAveragingEpochs(workers, averagingFrequency); // checks both before any data is read
        }
        FashionMnist train = FashionMnist.load(FashionMnist.resolveDir(null), true);
        FashionMnist test = FashionMnist.load(FashionMnist.resolveDir(null), false);
        if (limit != null) {
            train = train.limit(limit);
            test = test.limit(limit);
        }
        if (testLimit != null) {
            test = test.limit(testLimit);
        }
        System.out.printf(Locale.ROOT, "SD training runner: JDK %s, %d cores, archs %s, tasks %s, variants %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), archs, tasks, variants);
        boolean showTest = !sealTest;
        RecipeListener log = new RecipeListener() {
            @Override
            public void log(String line) {
                System.out.println("  " + line);
            }

            @Override
            public boolean showsTestFigures() {
                return showTest;
            }
        };
        List<Row> rows = new ArrayList<>();
        for (String arch : archs) {
            for (String task : tasks) {
                TaskSplits.Task t = TaskSplits.Task.byName(task);
                TaskSplits.TaskData data = TaskSplits.split(t, train, test, seed);
                MultiLayerNetwork pretrained = null;
                for (String variant : variants) {
                    TrainingSettings.Builder b = TrainingSettings.builder(t, Variant.byName(variant),
                            ZooModel.byName(arch)).seed(seed);
                    if (epochs != null) {
                        b.epochs(epochs);
                    }
                    if (swaStart != null) {
                        b.swaStart(swaStart);
                    }
                    if (pretrainEpochs != null) {
                        b.pretrainEpochs(pretrainEpochs);
                    }
                    if (theta != null) {
                        b.theta(theta);
                    }
                    if (ssRatio != null) {
                        b.structuredRatio(ssRatio);
                    }
                    b.layerRatios(layerRatios).layerThetas(layerThetas).denseLayers(denseLayers)
                            .perLayerSwitch(perLayerSwitch);
                    if (thetaG != null) {
                        b.thetaG(thetaG);
                    }
                    if (thetaC != null) {
                        b.thetaC(thetaC);
                    }
                    if (lr != null) {
                        b.lr(lr);
                    }
                    if (swaLr != null) {
                        b.swaLr(swaLr);
                    }
                    if (pretrainLr != null) {
                        b.pretrainLr(pretrainLr);
                    }
                    if (batch != null) {
                        b.batchSize(batch);
                    }
                    if (validation != null) {
                        b.validationExamples(validation);
                    }
                    TrainingSettings s = b.build();
                    if (pretrained == null) {
                        pretrained = pretrained(s, data, limit, cache, log);
                    }
                    ParameterAveragingEpochs averaging = workers == null ? null
                            : new ParameterAveragingEpochs(workers, averagingFrequency);
                    if (averaging != null) {
                        log.log(averaging.toString());
                    }
                    Path outDir = out;
                    RecipeResult r = SdTrainingRecipe.run(s, data, pretrained, outDir, log, (file, content) -> {
                        Files.createDirectories(outDir);
                        AtomicFiles.write(file, content);
                    }, averaging == null ? SdTrainingRecipe.EpochTrainer.LOCAL : averaging);
                    if (averaging != null) {
                        log.log(String.format(Locale.ROOT, "%d averagings; the hook moved %d coefficients back onto "
                                + "the grid and truncated %d counters", averaging.splits(),
                                averaging.coefficientsRestored(), averaging.countersRestored()));
                    }
                    double energy = energyRatio(s, pretrained, r);
                    String switched = switchedText(r.epochs());
                    System.out.printf(Locale.ROOT, "  %s %s %s: E_VA/E = %.3f, C density %.4f, C entries switched per"
                            + " epoch: %s%n", arch, task, variant, energy, r.coefficientDensity(), switched);
                    rows.add(new Row(arch, task, variant, r.accuracy(), r.fileAccuracy(), r.modelBytes(),
                            r.trainableStateBytes(), r.seconds(), energy, switched, r.validationAccuracy()));
                }
            }
        }
        String md = markdown(rows, sealTest);
        System.out.println();
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), md, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.csv"), csv(rows, sealTest), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.resolve("results.md") + " and " + out.resolve("results.csv"));
        if (sealTest) {
            Files.writeString(out.resolve("sealed-test.csv"), sealedCsv(rows), StandardCharsets.UTF_8);
            System.out.println("test figures sealed in " + out.resolve("sealed-test.csv"));
        }
    }

    /** Pre-trains, or reads the network an earlier run with the same pre-training settings left in the cache. */
    static MultiLayerNetwork pretrained(TrainingSettings s, TaskSplits.TaskData data, Integer limit, Path cache,
            RecipeListener log) throws IOException {
        if (cache == null) {
            return SdTrainingRecipe.pretrain(s, data.source(), log);
        }
        Path file = cache.resolve(String.format(Locale.ROOT, "%s-%s-seed%d-e%d-lr%s-b%d%s.zip", s.arch().id(),
                s.task().id(), s.seed(), s.pretrainEpochs(), Double.toString(s.pretrainLr()), s.batchSize(),
                limit == null ? "" : "-limit" + limit));
        if (Files.exists(file)) {
            log.log("pre-trained network read from " + file);
            return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        }
        MultiLayerNetwork net = SdTrainingRecipe.pretrain(s, data.source(), log);
        Files.createDirectories(cache);
        AtomicFiles.write(file, os -> ModelSerializer.writeModel(net, os, false));
        log.log("pre-trained network cached in " + file);
        return net;
    }

    /**
     * E_VA / E_variant per training iteration (HWMODEL.md 5) for the layer shapes of {@code dense} at the
     * training minibatch, with the C_e and vector densities measured on the trained SD network (1 for VA).
     */
    private static double energyRatio(TrainingSettings s, MultiLayerNetwork dense, RecipeResult r) {
        if (!s.variant().isSd()) {
            return 1.0;
        }
        ZooConfiguration.Sequential conf = (ZooConfiguration.Sequential) s.arch()
                .configuration(InputShape.MNIST, FashionMnist.CLASSES, s.seed());
        List<LayerSpec> specs = Workloads.extract(dense, conf.inputType()).specs();
        double[] d = coefficientDensities((MultiLayerNetwork) r.network());
        double ceDensity = d[0];
        double vecDensity = d[1];
        TrainingModel.Mode mode = s.variant() == Variant.SS ? TrainingModel.Mode.SS : TrainingModel.Mode.SDT;
        LayerSpec classifier = specs.get(specs.size() - 1);
        java.util.function.ToDoubleFunction<LayerSpec> keep = mode == TrainingModel.Mode.SS
                ? l -> 1 - s.ratioFor(l.id(), l == classifier) : l -> 1.0;
        System.out.printf(Locale.ROOT, "  energy model: C_e density %.4f, vector density %.4f, SS keep %.3f (MAC-weighted)%n",
                ceDensity, vecDensity, mode == TrainingModel.Mode.SS ? ssKeep(specs, s) : 1.0);
        // Layers left dense train as VA does (none by default, when this is TrainingModel.efficiencyOverVa).
        // Each part is priced as its own list, so a dense layer that is not the network's first gets 2
        // passes (no input gradient) instead of 3: a small undercount.
        List<LayerSpec> sdSpecs = specs.stream().filter(l -> !s.denseLayers().contains(l.id())).toList();
        List<LayerSpec> denseSpecs = specs.stream().filter(l -> s.denseLayers().contains(l.id())).toList();
        ArchSpec arch = ArchSpec.paper();
        EnergyTable table = EnergyTable.paper28nm();
        double va = TrainingModel.iteration(specs, TrainingModel.Mode.VA, 1, 1, 1, s.batchSize(), arch, table)
                .totalPj();
        double e = TrainingModel.iteration(sdSpecs, mode, ceDensity, vecDensity, keep, s.batchSize(), arch, table)
                .totalPj()
                + TrainingModel.iteration(denseSpecs, TrainingModel.Mode.VA, 1, 1, 1, s.batchSize(), arch, table)
                .totalPj();
        return va / e;
    }

    /**
     * C_e density and vector density of every SD layer of {@code net} together, over the real entries and
     * rows of C (ALGORITHMS.md 2: U * R rows of n entries per layer; the zero padding of the last slice is
     * left out of both numerator and denominator).
     *
     * @return {non-zero entries / real entries, rows with a non-zero / real rows}
     */
    static double[] coefficientDensities(MultiLayerNetwork net) {
        long nz = 0;
        long realEntries = 0;
        long nzRows = 0;
        long realRows = 0;
        for (ParamRef p : SdTraining.coefficientParams(net)) {
            Layer layer = net.getLayer(p.layerName());
            SdSliceShape shape = ((SdLayer) layer.conf().getLayer()).sliceShape();
            INDArray c = layer.getParam(p.paramKey());
            INDArray rowsNz = c.reshape('c', c.length() / shape.basisWidth(), shape.basisWidth()).neq(0)
                    .castTo(DataType.INT32);
            nz += rowsNz.sumNumber().longValue();
            nzRows += rowsNz.max(1).sumNumber().longValue();
            realRows += shape.units() * shape.rows();
            realEntries += shape.realCoefficientLength();
        }
        return new double[] {(double) nz / realEntries, (double) nzRows / realRows};
    }

    /**
     * The SS keep ratio the training-energy model applies on the whole, for the log: 1 - the MAC-weighted
     * mean of the per-layer structured ratios ({@link TrainingSettings#ratioFor}; the last layer is the
     * classifier). The model itself scales each layer's MACs by that layer's own keep ratio.
     */
    static double ssKeep(List<LayerSpec> specs, TrainingSettings s) {
        double pruned = 0;
        double total = 0;
        for (int i = 0; i < specs.size(); i++) {
            total += specs.get(i).macs();
            pruned += s.ratioFor(specs.get(i).id(), i == specs.size() - 1) * specs.get(i).macs();
        }
        return 1 - pruned / total;
    }

    /**
     * The C entries switched in each epoch, space-separated ("12 0 3"), or "-" when no epoch trained an SD
     * network (VA: there is no C to count).
     */
    static String switchedText(List<RecipeListener.EpochResult> epochs) {
        if (epochs.stream().noneMatch(RecipeListener.EpochResult::sdForm)) {
            return "-";
        }
        return String.join(" ", epochs.stream().map(e -> Long.toString(e.switched())).toList());
    }

    private static long vaBytes(List<Row> rows, Row r) {
        return rows.stream().filter(x -> x.arch().equals(r.arch()) && x.task().equals(r.task())
                && x.variant().equals("va")).mapToLong(Row::modelBytes).findFirst().orElse(0);
    }

    static String markdown(List<Row> rows, boolean sealTest) {
        StringBuilder sb = new StringBuilder();
        sb.append("| arch | task | variant | validation accuracy | accuracy | file accuracy | model bytes"
                + " | VA size / size | trainable state bytes | seconds | E_VA / E |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            long va = vaBytes(rows, r);
            String validation = Double.isNaN(r.validationAccuracy()) ? "-"
                    : String.format(Locale.ROOT, "%.2f%%", 100 * r.validationAccuracy());
            String accuracy = sealTest ? "sealed" : String.format(Locale.ROOT, "%.2f%%", 100 * r.accuracy());
            String fileAccuracy = sealTest ? "sealed" : String.format(Locale.ROOT, "%.2f%%", 100 * r.fileAccuracy());
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %d | %s | %d | %.0f | %.2f |%n",
                    r.arch(), r.task(), r.variant(), validation, accuracy, fileAccuracy,
                    r.modelBytes(),
                    va > 0 ? String.format(Locale.ROOT, "%.1fx", (double) va / r.modelBytes()) : "-",
                    r.stateBytes(), r.seconds(), r.energyRatio()));
        }
        return sb.toString();
    }

    static String csv(List<Row> rows, boolean sealTest) {
        StringBuilder sb = new StringBuilder(
                "arch,task,variant,accuracy,fileAccuracy,modelBytes,trainableStateBytes,seconds,energyRatio,switched,"
                + "validationAccuracy\n");
        for (Row r : rows) {
            String accuracies = sealTest ? "sealed,sealed"
                    : String.format(Locale.ROOT, "%.6f,%.6f", r.accuracy(), r.fileAccuracy());
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%.1f,%.4f,%s,%.6f%n", r.arch(), r.task(),
                    r.variant(), accuracies, r.modelBytes(), r.stateBytes(), r.seconds(),
                    r.energyRatio(), r.switched(), r.validationAccuracy()));
        }
        return sb.toString();
    }

    /** The test figures a {@code --seal-test} run keeps out of sight: arch, task, variant and both accuracies. */
    static String sealedCsv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("arch,task,variant,accuracy,fileAccuracy\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f%n", r.arch(), r.task(), r.variant(),
                    r.accuracy(), r.fileAccuracy()));
        }
        return sb.toString();
    }
}
