package org.smartdeal.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
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
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.recipes.SdTrainingRecipe;
import org.smartdeal.zoo.recipes.TrainingSettings;
import org.smartdeal.zoo.recipes.Variant;

/**
 * One whole-network training step ({@code fit} on one minibatch of 128) of the networks {@code smartdeal train}
 * trains, set up as a DL4J user does with the public API: VA is the dense network routed by
 * {@link SdTraining#configure} without switches (SGD with Nesterov momentum 0.9 and L2 weight decay, the recipe's VA),
 * SD the same network converted with the recipe's SD plan ({@link SdTrainingRecipe#plan}) and routed with one bucket
 * switch per layer ({@link SdTraining#perLayerSwitches}), and {@code adam} the dense network with DL4J's Adam, for
 * scale. Fine-tuning settings (lr 1e-2, weight decay, theta_g, theta_c of {@link TrainingSettings}); random
 * Fashion-MNIST-shaped inputs and one-hot labels, seeded.
 *
 * <p>Unlike {@link BucketSwitchBenchmark} (one updater on a flat block) and the layer benchmarks (one layer), this
 * times everything an SD-T step adds to a dense step: W rebuilt from C and B in every SD layer's forward pass, the
 * chain rule into C and B, the routing of parameters to per-layer switches and the bucket steps. No target: it reports
 * what SD-T training costs per step against the dense network it replaces.
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     org.openjdk.jmh.Main SdTrainingStepBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SdTrainingStepBenchmark {

    /** Minibatch size of {@code smartdeal train}. */
    static final int BATCH = TrainingSettings.DEFAULT_BATCH_SIZE;

    /** lenet300 or cnn (the architectures of {@code smartdeal train}). */
    @Param({"lenet300", "cnn"})
    public String arch;

    /** va (dense, the recipe's SGD momentum), sd (SD-T, per-layer bucket switches) or adam (dense, DL4J's Adam). */
    @Param({"va", "sd", "adam"})
    public String variant;

    private MultiLayerNetwork net;
    private INDArray x;
    private INDArray y;

    /** Builds and routes the network, and a seeded minibatch. */
    @Setup(Level.Trial)
    public void setUp() {
        net = network(ZooModel.byName(arch), variant);
        INDArray[] xy = minibatch();
        x = xy[0];
        y = xy[1];
    }

    /**
     * The seeded minibatch every step trains on: uniform random Fashion-MNIST-shaped rows and one-hot labels cycling
     * through the classes.
     *
     * @return {features [BATCH, 784], labels [BATCH, 10]}
     */
    static INDArray[] minibatch() {
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.rand(DataType.FLOAT, BATCH, 28 * 28);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, FashionMnist.CLASSES);
        for (int i = 0; i < BATCH; i++) {
            labels.putScalar(i, (i * 7) % FashionMnist.CLASSES, 1.0);
        }
        return new INDArray[] {features, labels};
    }

    /**
     * The network of one variant, ready to fit.
     *
     * @param arch    lenet300 or cnn
     * @param variant va, sd or adam
     * @return the initialised, routed network
     */
    static MultiLayerNetwork network(ZooModel arch, String variant) {
        TrainingSettings s = TrainingSettings.builder(Task.FINETUNE, "sd".equals(variant) ? Variant.SD : Variant.VA,
                arch).build();
        if ("adam".equals(variant)) {
            return (MultiLayerNetwork) arch.configuration(InputShape.MNIST, FashionMnist.CLASSES, s.seed(),
                    new Adam(1e-3)).init();
        }
        MultiLayerNetwork dense = (MultiLayerNetwork) arch.configuration(InputShape.MNIST, FashionMnist.CLASSES,
                s.seed()).init();
        MultiLayerNetwork out;
        Map<ParamRef, BucketSwitch> switches;
        switch (variant) {
            case "va" -> {
                out = dense;
                switches = Map.of();
            }
            case "sd" -> {
                out = (MultiLayerNetwork) SdConverter.convert(dense, SdTrainingRecipe.plan(s, dense)).network();
                BucketSwitch template = BucketSwitch.builder(s.lr()).thetaG(s.thetaG()).thetaC(s.thetaC())
                        .weightDecay(s.weightDecay()).build();
                switches = SdTraining.perLayerSwitches(out, template);
            }
            default -> throw new IllegalArgumentException("SdTrainingStepBenchmark.variant must be va, sd or adam, "
                    + "got '" + variant + "'");
        }
        return SdTraining.configure(out, switches, SdUpdaterRouting.sgdMomentum(s.lr()), s.weightDecay());
    }

    /** One training step. */
    @Benchmark
    public void fitStep() {
        net.fit(x, y);
    }

    /** @return the network the benchmark trains (after {@link #setUp}) */
    MultiLayerNetwork network() {
        return net;
    }

    /** Frees native buffers between iterations (DL4J-NOTES: off-heap memory grows without GC). */
    @TearDown(Level.Iteration)
    public void gc() {
        System.gc();
    }
}
