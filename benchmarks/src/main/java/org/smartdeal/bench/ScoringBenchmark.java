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
 * Scoring one minibatch (accuracy and per-example loss, as {@code evaluate}, a sweep's candidates and RT's validation
 * do): {@code impl} = dl4j makes DL4J's two calls, {@code output(x, false)} and {@code scoreExamples(ds, false)}
 * ({@code outputSingle} for a graph), each a full forward pass; {@code modelscore} is {@link ModelScore#of}, which
 * since session 28 shares one forward pass between the two (same numbers, bit for bit: {@code ModelScoreTest}). The
 * zoo's lenet300 and cnn (MultiLayerNetworks, 512 Fashion-MNIST-shaped examples) and resnet20 (a ComputationGraph,
 * 64 CIFAR-shaped examples) at their fixed seed, dense or converted with the default plan ({@code form}); the weights
 * do not change the work. Random features, one-hot labels, seed 42.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class ScoringBenchmark {

    /** A zoo model: lenet300 and cnn take 1 x 28 x 28 images (or 784 values), resnet20 3 x 32 x 32. */
    @Param({"lenet300", "cnn", "resnet20"})
    public String model;

    /** dense (the zoo network) or sd (converted with the default plan). */
    @Param({"dense", "sd"})
    public String form;

    /** dl4j (output, then scoreExamples) or modelscore (ModelScore.of). */
    @Param({"dl4j", "modelscore"})
    public String impl;

    private org.deeplearning4j.nn.api.Model net;
    private DataSet batch;
    private ExistingDataSetIterator it;

    /** Builds the network and one seeded minibatch. */
    @Setup
    public void setUp() {
        org.deeplearning4j.nn.api.Model dense = ZooModel.byName(model).defaultConfiguration().init();
        net = "sd".equals(form) ? SdConverter.convert(dense, ConversionPlan.defaultPlan()).network() : dense;
        Nd4j.getRandom().setSeed(42);
        int n = "resnet20".equals(model) ? 64 : 512;
        INDArray x = switch (model) {
            case "lenet300" -> Nd4j.rand(DataType.FLOAT, n, 784);
            case "cnn" -> Nd4j.rand(DataType.FLOAT, n, 1, 28, 28);
            default -> Nd4j.rand(DataType.FLOAT, n, 3, 32, 32);
        };
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 10, 1);
        }
        batch = new DataSet(x, y);
        it = new ExistingDataSetIterator(List.of(batch));
    }

    /** @return the mean loss (consumed so the work is not eliminated) */
    @Benchmark
    public double score() {
        if ("dl4j".equals(impl)) {
            DataSet copy = new DataSet(batch.getFeatures().dup(), batch.getLabels());
            INDArray out;
            INDArray perExample;
            if (net instanceof MultiLayerNetwork m) {
                out = m.output(batch.getFeatures().dup(), false);
                perExample = m.scoreExamples(copy, false);
            } else {
                org.deeplearning4j.nn.graph.ComputationGraph g = (org.deeplearning4j.nn.graph.ComputationGraph) net;
                out = g.outputSingle(false, batch.getFeatures().dup());
                perExample = g.scoreExamples(copy, false);
            }
            return out.getDouble(0) + perExample.sumNumber().doubleValue() / batch.numExamples();
        }
        return ModelScore.of(net, it).loss();
    }
}
