package org.smartdeal.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.smartdeal.core.Pow2Quantizer;

/**
 * The power-of-two quantizer Q on IEEE bits against the textbook log/pow formulation
 * (ALGORITHMS.md 1.2), over the weights of one real layer (VGG/ResNet 512x512x3x3 = 2.36M values,
 * He-scaled Gaussian, fixed seed). Scores are microseconds per array ({@code OutputTimeUnit}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QuantizerBenchmark {

    /** Number of values: one 512x512x3x3 layer, or one 64x64x3x3 layer. */
    @Param({"2359296", "36864"})
    public int size;

    private double[] in;
    private double[] out;
    private final Pow2Quantizer q = Pow2Quantizer.decomposition(32);

    /** Seeded He-scaled Gaussian values. */
    @Setup
    public void setup() {
        Random rnd = new Random(1);
        in = new double[size];
        out = new double[size];
        double std = Math.sqrt(2.0 / (512 * 9));
        for (int i = 0; i < size; i++) {
            in[i] = rnd.nextGaussian() * std;
        }
    }

    /** The library quantizer (exponent bit manipulation). */
    @Benchmark
    public double[] bitQuantizer() {
        q.quantize(in, out);
        return out;
    }

    /** Baseline: nearest power of two through Math.log / Math.pow, clamped to 32. */
    @Benchmark
    public void logPowBaseline(Blackhole bh) {
        double ln2 = Math.log(2);
        for (int i = 0; i < size; i++) {
            double c = in[i];
            double a = Math.abs(c);
            double r = 0;
            if (a > 0) {
                double e = Math.ceil(Math.log(a) / ln2);
                double lo = Math.pow(2, e - 1);
                double hi = Math.pow(2, e);
                r = Math.min(32, a - lo <= hi - a ? lo : hi);
            }
            out[i] = Math.copySign(r, c);
        }
        bh.consume(out);
    }
}
