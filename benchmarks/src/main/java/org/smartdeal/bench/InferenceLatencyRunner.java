package org.smartdeal.bench;

import static org.smartdeal.bench.Quantiles.median;
import static org.smartdeal.bench.Quantiles.quantile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.SdInferenceCache;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooModel;

/**
 * Inference latency of a converted SD network against its dense original, in one run so the result
 * is a ratio: for each model and batch size, the dense network, the SD network rebuilding W on every
 * pass (the default) and the SD network with {@link SdInferenceCache} on are timed in interleaved
 * rounds (dense, SD, SD cached, dense, ...), so machine load drifts hit all three alike. Each round
 * times {@code --iters} calls of {@code output(x)}; the figure is the median round, per call. The
 * starting network rotates from round to round, so none always runs first after the others. Besides
 * the ratio of the medians, the paired ratios (each SD round over the dense round next to it) are
 * summarised by their median and quartiles: a drift in machine load moves both sides of a pair alike,
 * so the quartiles show how far the ratio itself is resolved.
 *
 * <p>Usage: {@code InferenceLatencyRunner [MODEL ...] [--batches 1,32] [--warmup 3] [--rounds 7]
 * [--iters 5] [--convert-depthwise]}; MODEL is a zoo model (random inputs of its default input shape, flat for an
 * MLP such as lenet300, see {@link #inputShape}); default models {@code resnet18-cifar mobilenetv2-cifar}; with
 * {@code --convert-depthwise} the depthwise layers are converted too (the plan's {@code convertDepthwise}). The
 * batch sizes, rounds and iterations must be positive, the warmup at least 0; a bad value or an unknown option is
 * refused by name before any network is built. Output: CSV on stdout.
 */
public final class InferenceLatencyRunner {

    private InferenceLatencyRunner() {
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) {
        List<String> models = new ArrayList<>();
        int[] batches = {1, 32};
        int warmup = 3;
        int rounds = 7;
        int iters = 5;
        boolean depthwise = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--convert-depthwise" -> depthwise = true;
                case "--batches" -> batches = batchSizes(args, ++i);
                case "--warmup" -> warmup = RunnerArgs.integer("--warmup", args, ++i, 0);
                case "--rounds" -> rounds = RunnerArgs.integer("--rounds", args, ++i, 1);
                case "--iters" -> iters = RunnerArgs.integer("--iters", args, ++i, 1);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + "; the options are --batches, --warmup, --rounds, --iters and --convert-depthwise");
                    }
                    models.add(args[i]);
                }
            }
        }
        if (models.isEmpty()) {
            models = List.of("resnet18-cifar", "mobilenetv2-cifar");
        }
        System.out.printf(Locale.ROOT, "# cores %d, JDK %s, warmup %d, rounds %d, iters %d, depthwise layers %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), warmup, rounds, iters,
                depthwise ? "converted" : "kept dense");
        ConversionPlan plan = ConversionPlan.defaultPlan().withConvertDepthwise(depthwise);
        System.out.println("model,batch,dense_ms,sd_ms,sd_cached_ms,sd_over_dense,sd_cached_over_dense,"
                + "paired_sd_median,paired_sd_q1,paired_sd_q3,paired_cached_median,paired_cached_q1,paired_cached_q3");
        for (String id : models) {
            ZooModel zm = ZooModel.byName(id);
            Model dense = zm.defaultConfiguration().init();
            Model sd = SdConverter.convert(dense, plan).network();
            Model cached = copy(sd);
            SdInferenceCache.enable(cached);
            for (int batch : batches) {
                InputShape s = zm.defaultInputShape();
                Nd4j.getRandom().setSeed(batch);
                INDArray x = Nd4j.rand(DataType.FLOAT, inputShape(dense, s, batch));
                Model[] nets = {dense, sd, cached};
                for (int w = 0; w < warmup; w++) {
                    for (Model m : nets) {
                        output(m, x);
                    }
                }
                double[][] perCall = new double[3][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int j = 0; j < 3; j++) {
                        int k = (r + j) % 3;
                        long t0 = System.nanoTime();
                        for (int i = 0; i < iters; i++) {
                            output(nets[k], x);
                        }
                        perCall[k][r] = (System.nanoTime() - t0) / 1e6 / iters;
                    }
                }
                double d = median(perCall[0]);
                double s1 = median(perCall[1]);
                double s2 = median(perCall[2]);
                double[] pSd = new double[rounds];
                double[] pCached = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    pSd[r] = perCall[1][r] / perCall[0][r];
                    pCached[r] = perCall[2][r] / perCall[0][r];
                }
                System.out.printf(Locale.ROOT, "%s,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f%n", id,
                        batch, d, s1, s2, s1 / d, s2 / d, median(pSd), quantile(pSd, 0.25), quantile(pSd, 0.75),
                        median(pCached), quantile(pCached, 0.25), quantile(pCached, 0.75));
            }
        }
    }

    /**
     * The batch sizes of {@code --batches} at {@code args[i]}: a comma-separated list of positive integers.
     *
     * @throws IllegalArgumentException naming --batches when the value is missing or an entry is not a positive
     *     integer
     */
    static int[] batchSizes(String[] args, int i) {
        String[] parts = RunnerArgs.value("--batches", args, i).split(",", -1);
        int[] out = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            out[k] = RunnerArgs.integer("--batches", parts, k, 1);
        }
        return out;
    }

    /**
     * The shape of a minibatch of {@code batch} inputs for {@code net}: {@code [batch, C*H*W]} when its first layer is
     * a dense layer that takes flat input (the zoo's lenet300, {@code InputType.feedForward}), otherwise the image
     * shape {@code [batch, C, H, W]} (convolutional networks, including those configured for flat input, whose
     * preprocessor also takes images).
     */
    static long[] inputShape(Model net, InputShape s, int batch) {
        if (net instanceof MultiLayerNetwork n && n.getLayerWiseConfigurations().getInputPreProcess(0) == null
                && n.getLayerWiseConfigurations().getConf(0).getLayer() instanceof DenseLayer) {
            return new long[] {batch, s.size()};
        }
        return s.batchShape(batch);
    }

    private static Model copy(Model m) {
        return m instanceof MultiLayerNetwork n ? n.clone() : ((ComputationGraph) m).clone();
    }

    private static INDArray output(Model m, INDArray x) {
        return m instanceof MultiLayerNetwork n ? n.output(x) : ((ComputationGraph) m).outputSingle(x);
    }
}
