package org.smartdeal.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
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
import org.smartdeal.layers.SdConvolutionLayer;

/**
 * Training step time (fit on one minibatch of 32) of a 3x3 same-mode {@link SdConvolutionLayer}
 * paired with DL4J's ConvolutionLayer in the same run ({@code impl} = dl4j | sd), followed by a
 * parameter-free CNN MSE loss. Shapes are ResNet-18-CIFAR's 3x3 convs (channels x spatial size):
 * 64ch 32x32, 128ch 16x16, 256ch 8x8, 512ch 4x4. Target: sd at most 1.15x dl4j.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class SdLayerStepBenchmarkConv {

    /** channels x spatial (in = out channels, square input). */
    @Param({"64x32", "128x16", "256x8", "512x4"})
    public String shape;

    /** dl4j (ConvolutionLayer) or sd (SdConvolutionLayer). */
    @Param({"dl4j", "sd"})
    public String impl;

    private MultiLayerNetwork net;
    private INDArray x;
    private INDArray y;

    /** Builds the one-conv network and a seeded minibatch. */
    @Setup
    public void setUp() {
        String[] p = shape.split("x");
        int ch = Integer.parseInt(p[0]);
        int hw = Integer.parseInt(p[1]);
        Layer layer = "sd".equals(impl)
                ? new SdConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(ch)
                        .activation(Activation.RELU).build()
                : new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(ch)
                        .activation(Activation.RELU).build();
        net = network(layer, ch, hw);
        x = minibatch(ch, hw);
        y = Nd4j.rand(DataType.FLOAT, 32, ch, hw, hw);
    }

    /**
     * The benchmarked network: {@code layer} (ch channels in and out, hw x hw images) followed by a parameter-free CNN
     * MSE loss, Nesterov momentum, seed 42. Shared with {@link SdLayerStepBenchmarkDepthwise}.
     */
    static MultiLayerNetwork network(Layer layer, int ch, int hw) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.01, 0.9)).weightInit(WeightInit.RELU).list()
                .layer(layer)
                .layer(new CnnLossLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(hw, hw, ch))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * The features of the benchmarked minibatch: 32 images of ch x hw x hw, uniform in [0, 1), after seeding ND4J's
     * generator with 7 (the targets are drawn next from the same stream).
     */
    static INDArray minibatch(int ch, int hw) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.rand(DataType.FLOAT, 32, ch, hw, hw);
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
