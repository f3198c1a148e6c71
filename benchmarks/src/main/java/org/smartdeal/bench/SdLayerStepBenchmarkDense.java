package org.smartdeal.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
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
import org.smartdeal.layers.SdDenseLayer;

/**
 * Training step time (forward + backward + update: {@code fit} on one minibatch of 128) of
 * {@link SdDenseLayer} paired with DL4J's DenseLayer in the same run ({@code impl} = dl4j | sd),
 * followed by a parameter-free MSE loss layer. Shapes: the ResNet-18-CIFAR classifier 512x10 and
 * a 512x512 hidden layer. Target: sd at most 1.3x dl4j.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class SdLayerStepBenchmarkDense {

    /** nIn x nOut. */
    @Param({"512x512", "512x10"})
    public String shape;

    /** dl4j (DenseLayer) or sd (SdDenseLayer). */
    @Param({"dl4j", "sd"})
    public String impl;

    private MultiLayerNetwork net;
    private INDArray x;
    private INDArray y;

    /** Builds the one-layer network and a seeded minibatch. */
    @Setup
    public void setUp() {
        net = network(shape, impl);
        INDArray[] xy = minibatch(shape);
        x = xy[0];
        y = xy[1];
    }

    /**
     * The benchmarked network: one dense layer of the shape (nIn x nOut, ReLU), DL4J's ({@code impl} dl4j) or
     * {@link SdDenseLayer} ({@code sd}), then a parameter-free MSE loss layer; Nesterovs(0.01, 0.9), seed 42.
     */
    static MultiLayerNetwork network(String shape, String impl) {
        long[] io = parseShape(shape);
        int nIn = Math.toIntExact(io[0]);
        int nOut = Math.toIntExact(io[1]);
        Layer layer = switch (impl) {
            case "sd" -> new SdDenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build();
            case "dl4j" -> new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build();
            default -> throw new IllegalArgumentException("impl must be dl4j or sd, got " + impl);
        };
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.01, 0.9)).weightInit(WeightInit.XAVIER).list()
                .layer(layer)
                .layer(new LossLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /** The benchmarked minibatch of 128: inputs and targets uniform in [0, 1), seed 7. */
    static INDArray[] minibatch(String shape) {
        long[] io = parseShape(shape);
        Nd4j.getRandom().setSeed(7);
        INDArray in = Nd4j.rand(DataType.FLOAT, 128, io[0]);
        INDArray out = Nd4j.rand(DataType.FLOAT, 128, io[1]);
        return new INDArray[] {in, out};
    }

    /** "nInxnOut" as {nIn, nOut}, both positive. */
    static long[] parseShape(String shape) {
        String[] p = shape.split("x");
        try {
            if (p.length == 2) {
                long[] io = {Long.parseLong(p[0]), Long.parseLong(p[1])};
                if (io[0] > 0 && io[1] > 0) {
                    return io;
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("a shape is nInxnOut with both positive, e.g. 512x10; got " + shape);
    }

    /** One training step. */
    @Benchmark
    public void fitStep() {
        net.fit(x, y);
    }

    /** Frees native buffers between iterations (DL4J-NOTES: off-heap memory grows without GC). */
    @TearDown(Level.Iteration)
    public void gc() {
        System.gc();
    }
}
