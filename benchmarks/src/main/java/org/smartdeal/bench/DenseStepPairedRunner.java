package org.smartdeal.bench;

import static org.smartdeal.bench.Quantiles.median;
import static org.smartdeal.bench.Quantiles.quantile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training step of {@link SdLayerStepBenchmarkDense} (the same networks and minibatch: DL4J's DenseLayer
 * against {@code SdDenseLayer}, {@code fit} on 128 rows) timed as a paired comparison in one JVM: rounds of steps
 * alternate between the two networks (the first of each pair alternates too), so a drift of the machine's speed,
 * which on a shared virtual machine moves JMH runs minutes apart by tens of percent, hits both sides of a pair
 * alike. Reported per shape: the median round of each side, per step; the ratio of the two medians; and the median
 * and quartiles of the paired ratios (each SD round over the DL4J round next to it), which say how far the ratio
 * itself is resolved. {@code System.gc()} runs after every round, as the JMH benchmark's teardown does after every
 * iteration.
 *
 * <p>A round is {@code --steps} steps, by default as many as DL4J's network ran in its last warmup round, each
 * warmup round then lasting {@code --round-ms} (1000) milliseconds (the recorded rounds, timed without the
 * clock checks, can come out shorter); both sides run the same number of steps.
 *
 * <p>Usage: {@code DenseStepPairedRunner [SHAPE ...] [--warmup 5] [--rounds 21] [--round-ms 1000] [--steps N]};
 * default shapes {@code 512x512 512x10}. Output: CSV on stdout. Run it on one pinned core for the issue-3 figure:
 * {@code OMP_NUM_THREADS=1 taskset -c 0 java -cp $CP org.smartdeal.bench.DenseStepPairedRunner}.
 */
public final class DenseStepPairedRunner {

    /** CSV header of {@link #main}'s output. */
    static final String HEADER = "shape,steps_per_round,dl4j_ms,sd_ms,sd_over_dl4j,paired_median,paired_q1,paired_q3";

    private DenseStepPairedRunner() {
    }

    /** One shape's result: steps per round, medians per step (ms) and the paired ratios' median and quartiles. */
    record Result(String shape, int steps, double dl4jMs, double sdMs, double pairedMedian, double pairedQ1,
            double pairedQ3) {

        /** The ratio of the two medians. */
        double ratio() {
            return sdMs / dl4jMs;
        }

        /** One CSV row under {@link #HEADER}. */
        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%.4f,%.4f,%.3f,%.3f,%.3f,%.3f", shape, steps, dl4jMs, sdMs,
                    ratio(), pairedMedian, pairedQ1, pairedQ3);
        }
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) {
        List<String> shapes = new ArrayList<>();
        int warmup = 5;
        int rounds = 21;
        int roundMs = 1000;
        int steps = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = RunnerArgs.integer("--warmup", args, ++i, 0);
                case "--rounds" -> rounds = RunnerArgs.integer("--rounds", args, ++i, 1);
                case "--steps" -> steps = RunnerArgs.integer("--steps", args, ++i, 1);
                case "--round-ms" -> roundMs = RunnerArgs.integer("--round-ms", args, ++i, 1);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + "; the options are --warmup, --rounds, --round-ms and --steps");
                    }
                    SdLayerStepBenchmarkDense.parseShape(args[i]);
                    shapes.add(args[i]);
                }
            }
        }
        if (shapes.isEmpty()) {
            shapes = List.of("512x512", "512x10");
        }
        System.out.printf(Locale.ROOT, "# cores %d, JDK %s, OMP_NUM_THREADS %s, warmup pairs %d, rounds %d, %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"), steps > 0 ? warmup : Math.max(warmup, 1),
                rounds, steps > 0 ? steps + " steps per round"
                        : "steps per round calibrated on a " + roundMs + " ms warmup round of DL4J's network");
        System.out.println(HEADER);
        for (String shape : shapes) {
            System.out.println(run(shape, warmup, rounds, steps, roundMs).csv());
        }
    }

    /**
     * Times one shape: {@code warmup} unrecorded pairs of rounds (at least one when calibrating), then
     * {@code rounds} recorded pairs.
     *
     * @param steps   fit calls per round if positive; 0 to calibrate them on DL4J's last warmup round
     * @param roundMs the duration of a warmup round when calibrating (ignored otherwise)
     */
    static Result run(String shape, int warmup, int rounds, int steps, int roundMs) {
        MultiLayerNetwork[] nets = {SdLayerStepBenchmarkDense.network(shape, "dl4j"),
            SdLayerStepBenchmarkDense.network(shape, "sd")};
        INDArray[] xy = SdLayerStepBenchmarkDense.minibatch(shape);
        boolean calibrate = steps <= 0;
        int warmupPairs = calibrate ? Math.max(warmup, 1) : warmup;
        int dl4jDone = 0;
        long dl4jNanos = 0;
        for (int w = 0; w < warmupPairs; w++) {
            for (int k = 0; k < 2; k++) {
                if (calibrate) {
                    // a warmup round runs for roundMs; DL4J's last one calibrates the recorded rounds
                    int done = 0;
                    long t0 = System.nanoTime();
                    do {
                        nets[k].fit(xy[0], xy[1]);
                        done++;
                    } while (System.nanoTime() - t0 < roundMs * 1_000_000L);
                    if (k == 0) {
                        dl4jDone = done;
                        dl4jNanos = System.nanoTime() - t0;
                    }
                } else {
                    timeSteps(nets[k], xy, steps);
                }
                System.gc();
            }
        }
        if (calibrate) {
            steps = calibratedSteps(dl4jDone, dl4jNanos, roundMs);
        }
        double[][] perStep = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k : order(r)) {
                perStep[k][r] = timeSteps(nets[k], xy, steps);
                System.gc();
            }
        }
        double[] paired = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            paired[r] = perStep[1][r] / perStep[0][r];
        }
        return new Result(shape, steps, median(perStep[0]), median(perStep[1]), median(paired), quantile(paired, 0.25),
                quantile(paired, 0.75));
    }

    /** The networks of recorded round {@code r} in the order they run (0 = DL4J, 1 = SD): DL4J first in even rounds. */
    static int[] order(int r) {
        return new int[] {r % 2, (r + 1) % 2};
    }

    /**
     * The steps of a round of {@code roundMs} at the rate of a warmup round that ran {@code done} steps in
     * {@code elapsedNanos}; at least 1.
     */
    static int calibratedSteps(int done, long elapsedNanos, int roundMs) {
        double perStepNanos = (double) elapsedNanos / done;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(roundMs * 1e6 / perStepNanos)));
    }

    /** Runs {@code steps} fit calls; returns ms per step. */
    private static double timeSteps(MultiLayerNetwork net, INDArray[] xy, int steps) {
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            net.fit(xy[0], xy[1]);
        }
        return (System.nanoTime() - t0) / 1e6 / steps;
    }
}
