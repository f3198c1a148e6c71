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
        String[] p = shape.split("x");
        int nIn = Integer.parseInt(p[0]);
        int nOut = Integer.parseInt(p[1]);
        Layer layer = "sd".equals(impl)
                ? new SdDenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build()
                : new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.RELU).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.01, 0.9)).weightInit(WeightInit.XAVIER).list()
                .layer(layer)
                .layer(new LossLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(7);
        x = Nd4j.rand(DataType.FLOAT, 128, nIn);
        y = Nd4j.rand(DataType.FLOAT, 128, nOut);
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
