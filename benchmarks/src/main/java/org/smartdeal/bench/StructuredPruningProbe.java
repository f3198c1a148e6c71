package org.smartdeal.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.recipes.RecipeListener;
import org.smartdeal.zoo.recipes.SdTrainingRecipe;
import org.smartdeal.zoo.recipes.TrainingSettings;
import org.smartdeal.zoo.recipes.Variant;

/**
 * What SS's vector-wise pruning costs before any training, layer by layer: pre-trains (or reads from
 * the cache) the dense network of one task exactly as {@link SdTrainingRunner} does, then decomposes it
 * with the recipe's SS plan for each list of per-layer ratios given and prints the paper CR and the
 * test accuracy right after the decomposition. Used to choose per-layer SS ratios
 * ({@code --layer-ratios} of the runner and of {@code smartdeal train}).
 *
 * <pre>
 * java -cp $CP org.smartdeal.bench.StructuredPruningProbe --arch cnn --task finetune --theta 0.045 \
 *     --pretrain-epochs 3 [--pretrained-cache DIR] [--seed 42] none conv1=0.3 conv2=0.1,conv3=0.2,fc1=0.3 ...
 * </pre>
 * Each positional argument is one plan: {@code name=ratio} pairs (layers not named: 0), or {@code none}
 * (the SD decomposition alone).
 */
public final class StructuredPruningProbe {

    private StructuredPruningProbe() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws IOException {
        Nd4j.getMemoryManager().setAutoGcWindow(10_000);
        String arch = "cnn";
        String task = "finetune";
        double theta = TrainingSettings.DEFAULT_THETA;
        Integer pretrainEpochs = null;
        Path cache = null;
        long seed = TaskSplits.DEFAULT_SEED;
        List<String> plans = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                plans.add(a);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--arch" -> arch = v;
                case "--task" -> task = v;
                case "--theta" -> theta = Double.parseDouble(v);
                case "--pretrain-epochs" -> pretrainEpochs = Integer.parseInt(v);
                case "--pretrained-cache" -> cache = Path.of(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + "; known: --arch --task --theta --pretrain-epochs --pretrained-cache --seed");
            }
        }
        if (plans.isEmpty()) {
            plans.add("none");
        }
        TaskSplits.Task t = TaskSplits.Task.byName(task);
        ZooModel model = ZooModel.byName(arch);
        FashionMnist train = FashionMnist.load(FashionMnist.resolveDir(null), true);
        FashionMnist test = FashionMnist.load(FashionMnist.resolveDir(null), false);
        TaskSplits.TaskData data = TaskSplits.split(t, train, test, seed);
        TrainingSettings.Builder b = TrainingSettings.builder(t, Variant.SS, model).seed(seed).theta(theta)
                .structuredRatio(0);
        if (pretrainEpochs != null) {
            b.pretrainEpochs(pretrainEpochs);
        }
        RecipeListener log = new RecipeListener() {
            @Override
            public void log(String line) {
                System.out.println("  " + line);
            }
        };
        MultiLayerNetwork dense = SdTrainingRunner.pretrained(b.build(), data, null, cache, log);
        InMemoryDataSetIterator testIt = data.test().iterator(1000, false, seed);
        System.out.printf(Locale.ROOT, "%s %s, theta %g: dense test accuracy %.2f%%%n%n", arch, task, theta,
                100 * ModelScore.of(dense, testIt).accuracy());
        System.out.println("| per-layer ratios | paper CR | test accuracy after decomposition |");
        System.out.println("|---|---|---|");
        for (String p : plans) {
            Map<String, Double> ratios = p.equals("none") ? Map.of() : TrainingSettings.parseLayerRatios(p);
            TrainingSettings s = b.layerRatios(ratios).build();
            SdConverter.Result r = SdConverter.convert(dense, SdTrainingRecipe.plan(s, dense));
            System.out.printf(Locale.ROOT, "| %s | %.1fx | %.2f%% |%n", p, r.report().paperCR(),
                    100 * ModelScore.of(r.network(), testIt).accuracy());
        }
    }
}
