package org.smartdeal.bench;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import org.smartdeal.layers.SdDepthwiseConvolutionLayer;

/**
 * Training step time (fit on one minibatch of 32) of a 3x3 same-mode {@link SdDepthwiseConvolutionLayer} (depth
 * multiplier 1) paired with DL4J's DepthwiseConvolution2D in the same run ({@code impl} = dl4j | sd), followed by a
 * parameter-free CNN MSE loss; the depthwise twin of {@link SdLayerStepBenchmarkConv}. Shapes are depthwise layers of
 * the zoo's CIFAR MobileNetV2 (channels x spatial size): 96ch 32x32, 144ch 16x16, 384ch 8x8, 960ch 4x4. No target:
 * the default conversion plan keeps depthwise layers dense.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class SdLayerStepBenchmarkDepthwise {

    /** channels x spatial (in = out channels, square input). */
    @Param({"96x32", "144x16", "384x8", "960x4"})
    public String shape;

    /** dl4j (DepthwiseConvolution2D) or sd (SdDepthwiseConvolutionLayer). */
    @Param({"dl4j", "sd"})
    public String impl;

    private MultiLayerNetwork net;
    private INDArray x;
    private INDArray y;

    /** Builds the one-layer network and a seeded minibatch. */
    @Setup
    public void setUp() {
        String[] p = shape.split("x");
        int ch = Integer.parseInt(p[0]);
        int hw = Integer.parseInt(p[1]);
        Layer layer = "sd".equals(impl)
                ? new SdDepthwiseConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).depthMultiplier(1)
                        .activation(Activation.RELU).build()
                : new DepthwiseConvolution2D.Builder(3, 3).convolutionMode(ConvolutionMode.Same).depthMultiplier(1)
                        .activation(Activation.RELU).build();
        net = SdLayerStepBenchmarkConv.network(layer, ch, hw);
        x = SdLayerStepBenchmarkConv.minibatch(ch, hw);
        y = Nd4j.rand(DataType.FLOAT, 32, ch, hw, hw);
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
