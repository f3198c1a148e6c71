package org.smartdeal.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
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
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.ZooModel;

/**
 * Scoring one minibatch of 512 Fashion-MNIST-shaped examples (accuracy and per-example loss, as {@code evaluate},
 * a sweep's candidates and RT's validation do): {@code impl} = dl4j makes DL4J's two calls, {@code output(x, false)}
 * and {@code scoreExamples(ds, false)}, each a full forward pass; {@code modelscore} is {@link ModelScore#of}, which
 * since session 28 shares one forward pass between the two (same numbers, bit for bit: {@code ModelScoreTest}). The
 * zoo's lenet300 and cnn at their fixed seed, dense or converted with the default plan ({@code form}); the weights
 * do not change the work. Random features, one-hot labels, seed 42.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class ScoringBenchmark {

    /** A zoo model taking 1 x 28 x 28 images (or 784 values). */
    @Param({"lenet300", "cnn"})
    public String model;

    /** dense (the zoo network) or sd (converted with the default plan). */
    @Param({"dense", "sd"})
    public String form;

    /** dl4j (output, then scoreExamples) or modelscore (ModelScore.of). */
    @Param({"dl4j", "modelscore"})
    public String impl;

    private MultiLayerNetwork net;
    private DataSet batch;
    private ExistingDataSetIterator it;

    /** Builds the network and one seeded minibatch. */
    @Setup
    public void setUp() {
        MultiLayerNetwork dense = (MultiLayerNetwork) ZooModel.byName(model).defaultConfiguration().init();
        net = "sd".equals(form) ? (MultiLayerNetwork) SdConverter.convert(dense, ConversionPlan.defaultPlan()).network()
                : dense;
        Nd4j.getRandom().setSeed(42);
        INDArray x = "lenet300".equals(model) ? Nd4j.rand(DataType.FLOAT, 512, 784)
                : Nd4j.rand(DataType.FLOAT, 512, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 512, 10);
        for (int i = 0; i < 512; i++) {
            y.putScalar(i, i % 10, 1);
        }
        batch = new DataSet(x, y);
        it = new ExistingDataSetIterator(List.of(batch));
    }

    /** @return the mean loss (consumed so the work is not eliminated) */
    @Benchmark
    public double score() {
        if ("dl4j".equals(impl)) {
            INDArray out = net.output(batch.getFeatures().dup(), false);
            INDArray perExample = net.scoreExamples(new DataSet(batch.getFeatures().dup(), batch.getLabels()), false);
            return out.getDouble(0) + perExample.sumNumber().doubleValue() / 512;
        }
        return ModelScore.of(net, it).loss();
    }
}
