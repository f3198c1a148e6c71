package org.smartdeal.bench;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.smartdeal.core.DecompositionConfig;
import org.smartdeal.core.Decomposer;
import org.smartdeal.core.LayerDecomposition;
import org.smartdeal.core.LayerInput;
import org.smartdeal.core.SliceLayout;

/**
 * Decomposition of one real layer (ALGORITHMS.md 1.1) with He-scaled Gaussian weights (fixed
 * seed): VGG/ResNet 256x256x3x3, a ResNet-50 1x1 conv 1024x256x1x1 and the ResNet-50 FC
 * 2048x1000, on 1 and 2 threads. The paired baseline {@code quantizeOnly} is one pass of the
 * quantizer over the same weights, the floor of any per-iteration cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LayerDecompositionBenchmark {

    /** Layer: conv nOut x nIn x kh x kw, or dense nIn x nOut. */
    @Param({"conv256x256x3x3", "conv1024x256x1x1", "dense2048x1000"})
    public String layer;

    /** Worker threads. */
    @Param({"1", "2"})
    public int threads;

    private Decomposer decomposer;
    private List<LayerInput> input;
    private float[] weight;

    /** Builds the layout, seeded weights and the decomposer. */
    @Setup(Level.Trial)
    public void setup() {
        SliceLayout layout;
        int fanIn;
        if (layer.startsWith("conv")) {
            String[] d = layer.substring(4).split("x");
            int nOut = Integer.parseInt(d[0]);
            int nIn = Integer.parseInt(d[1]);
            int k = Integer.parseInt(d[2]);
            layout = SliceLayout.conv(nOut, nIn, k, k);
            fanIn = nIn * k * k;
        } else {
            String[] d = layer.substring(5).split("x");
            layout = SliceLayout.dense(Integer.parseInt(d[0]), Integer.parseInt(d[1]));
            fanIn = Integer.parseInt(d[0]);
        }
        Random rnd = new Random(7);
        weight = new float[layout.weightLength()];
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (rnd.nextGaussian() * std);
        }
        input = List.of(LayerInput.ofWeight(layer, layout, weight));
        decomposer = new Decomposer(DecompositionConfig.defaults().withThreads(threads));
    }

    /** Releases the decomposer's pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        decomposer.close();
    }

    /** Full decomposition of the layer. */
    @Benchmark
    public LayerDecomposition decompose() {
        return decomposer.decompose(input).layers().get(0);
    }

    /** Baseline: a single quantizer pass over the same weights. */
    @Benchmark
    public float[] quantizeOnly() {
        float[] out = new float[weight.length];
        org.smartdeal.core.Pow2Quantizer q = decomposer.config().quantizer();
        for (int i = 0; i < weight.length; i++) {
            out[i] = q.quantize(weight[i]);
        }
        return out;
    }
}
