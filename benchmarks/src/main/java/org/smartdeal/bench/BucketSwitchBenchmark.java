package org.smartdeal.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.smartdeal.optim.BucketSwitch;

/**
 * One optimizer step over a flat float32 parameter block: the bucket switch (updater + POST_UPDATER
 * step, ALGORITHMS.md 6.2) against DL4J's Nesterovs and Adam {@code GradientUpdater.applyUpdater} on the
 * same parameter count. Every benchmark first restores the gradient (the updaters overwrite it), so
 * {@link #copyGradientOnly} is the common baseline. DL4J's final {@code params -= update} is the same for
 * all and is left out.
 *
 * <p>Sizes: 1M parameters, and 11,173,962 (ResNet-18 for CIFAR-10, the paper's largest CIFAR model).
 * Run with {@code -prof gc}: the target is no allocation per step ({@code gc.alloc.rate.norm} near 0 B/op
 * for the bucket switch) and a time no worse than Adam.
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.openjdk.jmh.Main BucketSwitchBenchmark -prof gc
 * </pre>
 * The bucket switch runs its chunks on {@code smartdeal.bucketSwitch.threads} threads (default: available
 * processors); add e.g. {@code -jvmArgsAppend -Dsmartdeal.bucketSwitch.threads=1} to measure one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class BucketSwitchBenchmark {

    /** Parameter count of the block. */
    @Param({"1000000", "11173962"})
    public int numParams;

    private INDArray param;
    private INDArray gradient;
    private INDArray work;
    private GradientUpdater<?> bucketSwitch;
    private Regularization bucketStep;
    private GradientUpdater<?> nesterovs;
    private GradientUpdater<?> adam;
    private int iteration;

    /** Seeded parameters in {0, +-2^-7 .. +-2^0} and Gaussian gradients of scale 1e-2. */
    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(2101_01163L);
        float[] c = new float[numParams];
        float[] g = new float[numParams];
        for (int i = 0; i < numParams; i++) {
            c[i] = rnd.nextInt(3) == 0 ? 0f : (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1f, rnd.nextInt(8) - 7);
            g[i] = (float) (rnd.nextGaussian() * 1e-2);
        }
        param = Nd4j.createFromArray(c);
        gradient = Nd4j.createFromArray(g);
        work = gradient.dup();
        BucketSwitch bs = BucketSwitch.builder(0.1).build(); // defaults of ALGORITHMS.md 6.2, adaptation lr
        bucketSwitch = instantiate(bs);
        bucketStep = bs.regularization().get(bs.regularization().size() - 1);
        nesterovs = instantiate(new Nesterovs(0.01, 0.9));
        adam = instantiate(new Adam(1e-3));
    }

    private GradientUpdater<?> instantiate(IUpdater u) {
        INDArray state = Nd4j.create(DataType.FLOAT, u.stateSize(numParams));
        return u.instantiate(state, true);
    }

    /** Baseline: restoring the gradient only. */
    @Benchmark
    public INDArray copyGradientOnly() {
        return work.assign(gradient);
    }

    /** Bucket switch: updater (momentum, dead zone, counters) + exact pow2 step. */
    @Benchmark
    public INDArray bucketSwitch() {
        work.assign(gradient);
        int it = iteration++;
        bucketSwitch.applyUpdater(work, it, 0);
        bucketStep.apply(param, work, 0.1, it, 0);
        return work;
    }

    /** DL4J Nesterovs (momentum 0.9). */
    @Benchmark
    public INDArray nesterovs() {
        work.assign(gradient);
        nesterovs.applyUpdater(work, iteration++, 0);
        return work;
    }

    /** DL4J Adam. */
    @Benchmark
    public INDArray adam() {
        work.assign(gradient);
        adam.applyUpdater(work, iteration++, 0);
        return work;
    }
}
