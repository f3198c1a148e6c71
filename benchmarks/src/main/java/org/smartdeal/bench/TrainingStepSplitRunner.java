package org.smartdeal.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.zoo.models.ZooModel;

/**
 * Splits one whole-network training step of {@link SdTrainingStepBenchmark}'s networks into its two halves, VA and
 * SD in the same run: <i>gradient</i> (DL4J's {@code computeGradientAndScore}: forward pass, score with its L2 term,
 * backward pass; for SD also the rebuild of W from C and B and the chain rule into C and B) and <i>update</i> (DL4J's
 * updater and step: division by the minibatch, regularization, the updaters, for SD the bucket switch of C and the
 * frozen mask, then the subtraction from the flattened parameters). The split point is DL4J's
 * {@code onGradientCalculation} listener call, which {@code fit} makes between the two.
 *
 * <p>It answers what {@link SdTrainingStepBenchmark}'s ratio is made of; the ratio itself is the benchmark's. Rounds
 * alternate the variants so that a change of machine load hits both. Prints one CSV row per variant and round and the
 * per-variant medians.
 *
 * <p>Usage: {@code TrainingStepSplitRunner [ARCH] [--steps N] [--rounds R] [--warmup W]}, default lenet300,
 * N = 1000, R = 3, W = 300 steps before each timed round. Run with {@code OMP_NUM_THREADS=1} as {@code train} does.
 */
public final class TrainingStepSplitRunner {

    private TrainingStepSplitRunner() {
    }

    /** One timed round of one variant: mean milliseconds per step. */
    record Split(double fitMs, double gradientMs, double updateMs) {
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) {
        String arch = "lenet300";
        int steps = 1000;
        int rounds = 3;
        int warmup = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = RunnerArgs.integer("--steps", args, ++i, 1);
                case "--rounds" -> rounds = RunnerArgs.integer("--rounds", args, ++i, 1);
                case "--warmup" -> warmup = RunnerArgs.integer("--warmup", args, ++i, 1);
                default -> arch = args[i];
            }
        }
        ZooModel model = ZooModel.byName(arch);
        Map<String, MultiLayerNetwork> nets = new LinkedHashMap<>();
        for (String v : List.of("va", "sd")) {
            nets.put(v, SdTrainingStepBenchmark.network(model, v));
        }
        System.out.printf(Locale.ROOT, "%s, minibatch %d, %d steps x %d rounds, JDK %s, %d cores%n", arch,
                SdTrainingStepBenchmark.BATCH, steps, rounds, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("variant,round,params,fit_ms,gradient_ms,update_ms");
        Map<String, List<Split>> all = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, MultiLayerNetwork> e : nets.entrySet()) {
                MultiLayerNetwork net = e.getValue();
                time(net, warmup);
                Split s = time(net, steps);
                all.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(s);
                System.out.printf(Locale.ROOT, "%s,%d,%d,%.3f,%.3f,%.3f%n", e.getKey(), r, net.numParams(), s.fitMs(),
                        s.gradientMs(), s.updateMs());
            }
        }
        Split va = median(all.get("va"));
        Split sd = median(all.get("sd"));
        System.out.printf(Locale.ROOT, "median ms/step   fit   gradient   update%n");
        System.out.printf(Locale.ROOT, "va            %7.3f %9.3f %8.3f%n", va.fitMs(), va.gradientMs(), va.updateMs());
        System.out.printf(Locale.ROOT, "sd            %7.3f %9.3f %8.3f%n", sd.fitMs(), sd.gradientMs(), sd.updateMs());
        System.out.printf(Locale.ROOT, "sd - va       %7.3f %9.3f %8.3f   (sd / va fit %.2f)%n",
                sd.fitMs() - va.fitMs(), sd.gradientMs() - va.gradientMs(), sd.updateMs() - va.updateMs(),
                sd.fitMs() / va.fitMs());
    }

    /**
     * Runs {@code steps} fits on the benchmark's seeded minibatch ({@link SdTrainingStepBenchmark#minibatch}) and splits their wall time at DL4J's gradient callback.
     *
     * @param net   a routed network of {@link SdTrainingStepBenchmark#network}
     * @param steps number of steps, at least 1
     * @return the mean split per step
     */
    static Split time(MultiLayerNetwork net, int steps) {
        long[] gradientDone = new long[1];
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void onGradientCalculation(Model model) {
                gradientDone[0] = System.nanoTime();
            }
        });
        INDArray[] xy = SdTrainingStepBenchmark.minibatch();
        INDArray x = xy[0];
        INDArray y = xy[1];
        long gradient = 0;
        long update = 0;
        for (int i = 0; i < steps; i++) {
            gradientDone[0] = -1;
            long t0 = System.nanoTime();
            net.fit(x, y);
            long t1 = System.nanoTime();
            if (gradientDone[0] < t0) {
                throw new IllegalStateException("DL4J made no onGradientCalculation call during fit");
            }
            gradient += gradientDone[0] - t0;
            update += t1 - gradientDone[0];
        }
        net.setListeners();
        return new Split((gradient + update) / 1e6 / steps, gradient / 1e6 / steps, update / 1e6 / steps);
    }

    /** Component-wise median of the rounds (the upper one of an even count; the parts need not sum to the fit). */
    static Split median(List<Split> rounds) {
        double[] f = rounds.stream().mapToDouble(Split::fitMs).sorted().toArray();
        double[] g = rounds.stream().mapToDouble(Split::gradientMs).sorted().toArray();
        double[] u = rounds.stream().mapToDouble(Split::updateMs).sorted().toArray();
        int m = rounds.size() / 2;
        return new Split(f[m], g[m], u[m]);
    }
}
