package org.smartdeal.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.smartdeal.core.DecompositionBatch;
import org.smartdeal.core.DecompositionConfig;
import org.smartdeal.core.DecompositionStats;
import org.smartdeal.core.Decomposer;
import org.smartdeal.core.LayerDecomposition;
import org.smartdeal.core.LayerInput;

/**
 * Times the decomposition of every layer of a workload model with He-scaled Gaussian weights and
 * prints per-layer seconds, slices, density and error plus totals and memory.
 *
 * <p>Usage: {@code DecomposeRunner [vgg19-cifar|resnet50] [--threads N] [--repeat R]
 * [--seed S] [--csv FILE]} (N and R at least 1; a bad value, a missing value or an unknown option is refused by
 * name). The first run includes JIT warm-up; later runs show steady state.
 * Memory: the exact bytes of the result arrays, and the heap in use with weights and results
 * held, after GC, minus the heap in use before the weights were generated (G1 rounds large arrays
 * up to whole regions, so this over-counts), both compared to the weights' float32 bytes.
 */
public final class DecomposeRunner {

    private DecomposeRunner() {
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) throws IOException {
        String model = "vgg19-cifar";
        int threads = Runtime.getRuntime().availableProcessors();
        int repeat = 3;
        long seed = 42;
        Path csv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = RunnerArgs.integer("--threads", args, ++i, 1);
                case "--repeat" -> repeat = RunnerArgs.integer("--repeat", args, ++i, 1);
                case "--seed" -> seed = seed(RunnerArgs.value("--seed", args, ++i));
                case "--csv" -> csv = Path.of(RunnerArgs.value("--csv", args, ++i));
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + "; the options are --threads, --repeat, --seed and --csv");
                    }
                    model = args[i];
                }
            }
        }
        List<ModelShapes.Shape> shapes = ModelShapes.byName(model);
        System.gc();
        long baseline = usedHeap();
        List<LayerInput> inputs = ModelShapes.heWeights(shapes, seed);
        long weightBytes = 0;
        for (LayerInput in : inputs) {
            weightBytes += 4L * in.layout().weightLength();
        }
        DecompositionConfig cfg = DecompositionConfig.defaults().withThreads(threads);
        System.out.printf(Locale.ROOT, "model %s, %d layers, %.2f M weights, threads %d, seed %d, "
                + "JDK %s, %d cores%n", model, inputs.size(), weightBytes / 4e6, threads, seed,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        DecompositionBatch batch = null;
        double best = Double.MAX_VALUE;
        long retained = 0;
        try (Decomposer dec = new Decomposer(cfg)) {
            for (int r = 0; r < repeat; r++) {
                batch = null;
                resetPeaks();
                long cpu0 = processCpuNanos();
                batch = dec.decompose(inputs);
                double cpu = (processCpuNanos() - cpu0) / 1e9;
                best = Math.min(best, batch.wallSeconds());
                System.gc();
                retained = usedHeap() - baseline;
                System.out.printf(Locale.ROOT, "run %d: %.3f s wall, %.3f s process CPU%s%n", r + 1,
                        batch.wallSeconds(), cpu, r == 0 ? " (includes JIT warm-up)" : "");
            }
        }
        System.out.printf(Locale.ROOT, "%-24s %-18s %7s %8s %6s %8s %8s %9s %4s%n", "layer",
                "shape", "slices", "seconds", "iters", "Cdens", "Wdens", "relErr", "exps");
        for (LayerDecomposition d : batch.layers()) {
            DecompositionStats s = d.stats();
            System.out.printf(Locale.ROOT, "%-24s %-18s %7d %8.4f %6.2f %8.4f %8.4f %9.5f %4d%n",
                    d.name(), shape(d.layout().weightShape()), s.slices(), s.seconds(),
                    s.meanIterations(), s.cDensity(), s.weightDensity(), s.relativeError(),
                    s.distinctExponents());
        }
        DecompositionStats t = batch.totals();
        System.out.printf(Locale.ROOT, "%-24s %-18s %7d %8.4f %6.2f %8.4f %8.4f %9.5f %4d%n",
                "TOTAL", "", t.slices(), t.seconds(), t.meanIterations(), t.cDensity(),
                t.weightDensity(), t.relativeError(), t.distinctExponents());
        System.out.printf(Locale.ROOT, "wall seconds: last %.3f, best %.3f over %d run(s)%n",
                batch.wallSeconds(), best, repeat);
        long resultBytes = 0;
        for (LayerDecomposition d : batch.layers()) {
            resultBytes += 4L * d.c().length + 8L * d.b().length + 4L * d.iterations().length;
        }
        System.out.printf(Locale.ROOT, "result arrays (C float32, B float64, iterations): %.1f MB"
                + " = %.2f x float32 weight bytes%n", resultBytes / 1e6,
                resultBytes / (double) weightBytes);
        System.out.printf(Locale.ROOT, "measured heap after GC beyond baseline (under G1 large "
                + "arrays round up to whole regions; -XX:+UseParallelGC gives a tight figure) with weights and results held: "
                + "%.1f MB = %.2f x float32 weight bytes (%.1f MB); heap peak %.1f MB%n",
                retained / 1e6, retained / (double) weightBytes, weightBytes / 1e6,
                peakHeap() / 1e6);
        if (csv != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv,
                    StandardCharsets.UTF_8))) {
                w.println("layer,shape,slices,seconds,meanIterations,cDensity,weightDensity,"
                        + "relativeError,distinctExponents");
                for (LayerDecomposition d : batch.layers()) {
                    DecompositionStats s = d.stats();
                    w.printf(Locale.ROOT, "%s,%s,%d,%.6f,%.4f,%.6f,%.6f,%.6g,%d%n", d.name(),
                            shape(d.layout().weightShape()), s.slices(), s.seconds(),
                            s.meanIterations(), s.cDensity(), s.weightDensity(),
                            s.relativeError(), s.distinctExponents());
                }
            }
        }
    }

    private static long seed(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed must be an integer, got '" + v + "'", e);
        }
    }

    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : "x").append(s[i]);
        }
        return b.toString();
    }

    /** Process CPU time (all threads, including GC and JIT), or -1 when unavailable. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
