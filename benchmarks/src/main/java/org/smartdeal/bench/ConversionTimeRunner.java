package org.smartdeal.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.NetworkDecomposition;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.ZooModel;

/**
 * Whole-model conversion time: a zoo network with its random (He-scaled) initial weights is
 * decomposed ({@link SdConverter#decompose}) and the SD network is built ({@link SdConverter#build}),
 * end to end, at the default plan (theta 4e-3, 192 rows, n = 3 for 1x1 and dense). Prints the two
 * phases, their sum, the peak Java heap (sum of the heap pools' peaks, reset after the dense
 * network is built, so it counts what conversion adds on top of the dense network) and the process'
 * resident memory after the conversion (Java heap plus ND4J's off-heap arrays) and the process CPU
 * seconds of the conversion (on a loaded machine the wall time overstates the cost).
 *
 * <p>Usage: {@code ConversionTimeRunner [MODEL ...] [--repeat R]}, default models {@code resnet50 vgg16},
 * R = 2, at least 1 (the first repetition includes JIT warm-up; the last is the figure to quote). A bad value or an
 * unknown option is refused by name before any network is built.
 */
public final class ConversionTimeRunner {

    private ConversionTimeRunner() {
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) {
        List<String> models = new ArrayList<>();
        int repeat = 2;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repeat")) {
                repeat = RunnerArgs.integer("--repeat", args, ++i, 1);
            } else if (args[i].startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; the only option is --repeat");
            } else {
                models.add(args[i]);
            }
        }
        if (models.isEmpty()) {
            models = List.of("resnet50", "vgg16");
        }
        System.out.printf(Locale.ROOT, "cores %d, max heap %.0f MB, JDK %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / 1048576.0, System.getProperty("java.version"));
        System.out.println("model,rep,weights,decompose_s,build_s,total_s,peak_heap_MB,rss_MB,cpu_s");
        for (String id : models) {
            ZooModel zm = ZooModel.byName(id);
            for (int r = 0; r < repeat; r++) {
                Model dense = zm.defaultConfiguration().init();
                System.gc();
                resetPeaks();
                long cpu0 = cpuNanos();
                long t0 = System.nanoTime();
                NetworkDecomposition d = SdConverter.decompose(dense, ConversionPlan.defaultPlan(),
                        System.getProperty("progress") != null
                                ? (done, total, what) -> System.out.printf(Locale.ROOT, "  %6.2f s %s%n",
                                        (System.nanoTime() - t0) / 1e9, what)
                                : null);
                long t1 = System.nanoTime();
                Model sd = SdConverter.build(dense, d);
                long t2 = System.nanoTime();
                long weights = d.layers().stream().mapToLong(p -> p.decomposition().layout().weightLength()).sum();
                System.out.printf(Locale.ROOT, "%s,%d,%d,%.2f,%.2f,%.2f,%.0f,%.0f,%.2f%n", id, r, weights, (t1 - t0) / 1e9,
                        (t2 - t1) / 1e9, (t2 - t0) / 1e9, peakHeap() / 1048576.0, Pointer.physicalBytes() / 1048576.0,
                        (cpuNanos() - cpu0) / 1e9);
                if (sd.numParams() <= 0) {
                    throw new IllegalStateException("empty SD network");
                }
                dense = null;
                sd = null;
                d = null;
                System.gc();
            }
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
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
