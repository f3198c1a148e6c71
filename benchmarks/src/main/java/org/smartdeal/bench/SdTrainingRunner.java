package org.smartdeal.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;
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
 * a Markdown table (accuracy, model file bytes and size relative to VA, trainable-state bytes, seconds) and
 * writes it as CSV.
 *
 * <p>Usage (defaults in brackets: the paper's schedule; a full run is hours of CPU on 2 cores):
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -Xmx4g -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.smartdeal.bench.SdTrainingRunner [--archs lenet300,cnn] [--tasks finetune,adapt] \
 *     [--variants va,sd,ss] [--epochs 80] [--swa-start epochs/2] [--pretrain-epochs 10] [--limit N] \
 *     [--out smartdeal-out/sd-training] [--seed 42]
 * </pre>
 * Writes {@code <out>/results.csv} and {@code <out>/results.md}, and each model file under {@code <out>}.
 */
public final class SdTrainingRunner {

    private SdTrainingRunner() {
    }

    /** One row of the table. */
    private record Row(String arch, String task, String variant, double accuracy, double fileAccuracy,
                       long modelBytes, long stateBytes, double seconds) {
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
        long seed = TrainingSettings.DEFAULT_SEED;
        Path out = Path.of("smartdeal-out", "sd-training");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
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
                case "--seed" -> seed = Long.parseLong(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + "; known: --archs --tasks --variants --epochs --swa-start --pretrain-epochs --limit --seed --out");
            }
        }
        FashionMnist train = FashionMnist.load(FashionMnist.resolveDir(null), true);
        FashionMnist test = FashionMnist.load(FashionMnist.resolveDir(null), false);
        if (limit != null) {
            train = train.limit(limit);
            test = test.limit(limit);
        }
        System.out.printf(Locale.ROOT, "SD training runner: JDK %s, %d cores, archs %s, tasks %s, variants %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), archs, tasks, variants);
        RecipeListener log = new RecipeListener() {
            @Override
            public void log(String line) {
                System.out.println("  " + line);
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
                    TrainingSettings s = b.build();
                    if (pretrained == null) {
                        pretrained = SdTrainingRecipe.pretrain(s, data.source(), log);
                    }
                    RecipeResult r = SdTrainingRecipe.run(s, data, pretrained, out, log);
                    rows.add(new Row(arch, task, variant, r.accuracy(), r.fileAccuracy(), r.modelBytes(),
                            r.trainableStateBytes(), r.seconds()));
                }
            }
        }
        String md = markdown(rows);
        System.out.println();
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), md, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.csv"), csv(rows), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.resolve("results.md") + " and " + out.resolve("results.csv"));
    }

    private static long vaBytes(List<Row> rows, Row r) {
        return rows.stream().filter(x -> x.arch().equals(r.arch()) && x.task().equals(r.task())
                && x.variant().equals("va")).mapToLong(Row::modelBytes).findFirst().orElse(0);
    }

    private static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| arch | task | variant | accuracy | file accuracy | model bytes | VA size / size | "
                + "trainable state bytes | seconds |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            long va = vaBytes(rows, r);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f%% | %.2f%% | %d | %s | %d | %.0f |%n",
                    r.arch(), r.task(), r.variant(), 100 * r.accuracy(), 100 * r.fileAccuracy(), r.modelBytes(),
                    va > 0 ? String.format(Locale.ROOT, "%.1fx", (double) va / r.modelBytes()) : "-",
                    r.stateBytes(), r.seconds()));
        }
        return sb.toString();
    }

    private static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(
                "arch,task,variant,accuracy,fileAccuracy,modelBytes,trainableStateBytes,seconds\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f,%d,%d,%.1f%n", r.arch(), r.task(), r.variant(),
                    r.accuracy(), r.fileAccuracy(), r.modelBytes(), r.stateBytes(), r.seconds()));
        }
        return sb.toString();
    }
}
