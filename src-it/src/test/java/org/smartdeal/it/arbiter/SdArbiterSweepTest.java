package org.smartdeal.it.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.arbiter.DL4JConfiguration;
import org.deeplearning4j.arbiter.MultiLayerSpace;
import org.deeplearning4j.arbiter.conf.updater.AdamSpace;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.saving.InMemoryResultSaver;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.scoring.impl.TestSetLossScoreFunction;
import org.deeplearning4j.arbiter.task.MultiLayerNetworkTaskCreator;
import org.deeplearning4j.arbiter.task.TaskListener;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.codec.Int8Basis;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.Pow2;
import org.smartdeal.zoo.sweep.SdConvolutionLayerSpace;
import org.smartdeal.zoo.sweep.SdDenseLayerSpace;
import org.smartdeal.zoo.sweep.SdHyperparameterSpace;
import org.smartdeal.zoo.sweep.SdOutputLayerSpace;
import org.smartdeal.zoo.sweep.SdTrainingTaskListener;

/**
 * Arbiter 1.0.0-beta7 sweeps over SD networks on DL4J M2.1: the SD layer spaces of sd-zoo's
 * {@code org.smartdeal.zoo.sweep} inside a {@link MultiLayerSpace}, run by Arbiter's
 * {@link LocalOptimizationRunner} with random search on {@link SyntheticBlobs}. Each candidate sleeps 2 s in Arbiter's task (MultiLayerNetworkTaskCreator), so a
 * sweep of n candidates takes at least 2n seconds.
 */
class SdArbiterSweepTest {

    private static final double THETA_LO = 1e-3;
    private static final double THETA_HI = 1e-2;
    private static final List<Integer> SLICE_ROWS = List.of(6, 12);

    @TempDir
    Path dir;

    /** The searched leaves, kept to read each candidate's sampled values back from its flat vector. */
    private record Leaves(ParameterSpace<Double> theta, ParameterSpace<Integer> sliceRows, ParameterSpace<Double> lr,
            ParameterSpace<Double> outTheta) {
    }

    private static Leaves leaves() {
        return new Leaves(new ContinuousParameterSpace(THETA_LO, THETA_HI), new DiscreteParameterSpace<>(SLICE_ROWS),
                new ContinuousParameterSpace(5e-3, 2e-2), new ContinuousParameterSpace(THETA_LO, THETA_HI));
    }

    /**
     * Dense SD layer (12 -> 16, theta continuous, sliceRows discrete) and SD output layer (16 -> 3, its own
     * theta). Adam with beta1, beta2 and epsilon given explicitly: {@code new AdamSpace(lr)} sets all three
     * to the learning rate's space (Arbiter 1.0.0-beta7 bug, DL4J-NOTES.md).
     */
    private static MultiLayerSpace space(Leaves l) {
        return new MultiLayerSpace.Builder()
                .seed(42)
                .weightInit(WeightInit.XAVIER)
                .updater(new AdamSpace(l.lr(), new FixedValue<>(0.9), new FixedValue<>(0.999), new FixedValue<>(1e-8)))
                .addLayer(new SdDenseLayerSpace.Builder().nIn(SyntheticBlobs.FEATURES).nOut(16)
                        .activation(Activation.TANH)
                        .sd(new SdHyperparameterSpace.Builder().theta(l.theta()).sliceRows(l.sliceRows())
                                .basisWidth(3).maxCoeff(32.0).build())
                        .build())
                .addLayer(new SdOutputLayerSpace.Builder().nIn(16).nOut(SyntheticBlobs.CLASSES)
                        .activation(Activation.SOFTMAX).lossFunction(LossFunctions.LossFunction.MCXENT)
                        .sd(new SdHyperparameterSpace.Builder().theta(l.outTheta()).build())
                        .build())
                .numEpochs(2)
                .build();
    }

    private static LocalOptimizationRunner run(MultiLayerSpace space, int candidates, TaskListener listener) {
        RandomSearchGenerator generator = new RandomSearchGenerator(space, null);
        generator.setRngSeed(7);
        OptimizationConfiguration conf = new OptimizationConfiguration.Builder()
                .candidateGenerator(generator)
                .dataSource(SyntheticBlobs.class, null)
                .modelSaver(new InMemoryResultSaver())
                .scoreFunction(new TestSetLossScoreFunction(true))
                .terminationConditions(new MaxCandidatesCondition(candidates))
                .build();
        LocalOptimizationRunner runner = new LocalOptimizationRunner(conf, new MultiLayerNetworkTaskCreator(null, listener));
        runner.execute();
        return runner;
    }

    private record Trained(OptimizationResult result, MultiLayerNetwork net) {
    }

    private static List<Trained> trained(LocalOptimizationRunner runner) throws IOException {
        List<Trained> out = new ArrayList<>();
        for (ResultReference r : runner.getResults()) {
            out.add(new Trained(r.getResult(), assertInstanceOf(MultiLayerNetwork.class, r.getResultModel())));
        }
        return out;
    }

    @Test
    void randomSearchTrainsSdCandidatesWithTheirSampledSettingsAndTheBestRoundTripsThroughSdm() throws IOException {
        Leaves l = leaves();
        LocalOptimizationRunner runner = run(space(l), 3, null);

        assertEquals(3, runner.numCandidatesCompleted(), "completed candidates");
        assertEquals(0, runner.numCandidatesFailed(), "failed candidates");
        List<Trained> all = trained(runner);
        assertEquals(3, all.size());
        Set<Double> thetas = new HashSet<>();
        double bestScore = Double.POSITIVE_INFINITY;
        for (Trained t : all) {
            double[] flat = t.result().getCandidate().getFlatParameters();
            String c = "candidate " + t.result().getIndex();
            Double score = t.result().getScore();
            assertNotNull(score, c + " score");
            assertTrue(Double.isFinite(score), c + " score " + score);
            bestScore = Math.min(bestScore, score);

            SdDenseLayer fc = assertInstanceOf(SdDenseLayer.class, t.net().getLayer(0).conf().getLayer(), c);
            SdOutputLayer out = assertInstanceOf(SdOutputLayer.class, t.net().getLayer(1).conf().getLayer(), c);
            assertEquals(l.theta().getValue(flat), fc.getTheta(), c + " dense theta");
            assertEquals(l.sliceRows().getValue(flat), fc.getSliceRows(), c + " dense sliceRows");
            assertEquals(l.outTheta().getValue(flat), out.getTheta(), c + " output theta");
            assertTrue(fc.getTheta() >= THETA_LO && fc.getTheta() <= THETA_HI, c + " dense theta " + fc.getTheta());
            assertTrue(out.getTheta() >= THETA_LO && out.getTheta() <= THETA_HI, c + " output theta " + out.getTheta());
            assertTrue(SLICE_ROWS.contains(fc.getSliceRows()), c + " sliceRows " + fc.getSliceRows());
            assertEquals(3, fc.getBasisWidth(), c + " fixed basisWidth");
            thetas.add(fc.getTheta());

            Adam adam = assertInstanceOf(Adam.class, fc.getIUpdater(), c + " updater");
            assertEquals(l.lr().getValue(flat), adam.getLearningRate(), c + " lr");
            assertEquals(0.9, adam.getBeta1(), c + " beta1 (AdamSpace bug guard)");
            assertEquals(0.999, adam.getBeta2(), c + " beta2");
            assertEquals(1e-8, adam.getEpsilon(), c + " epsilon");
        }
        assertEquals(3, thetas.size(), "random search samples a new theta for every candidate: " + thetas);
        assertEquals(bestScore, runner.bestScore(), "best score is the lowest test loss");

        MultiLayerNetwork best = all.stream().filter(t -> t.result().getIndex() == runner.bestScoreCandidateIndex())
                .findFirst().orElseThrow().net();
        Path file = dir.resolve("best.sdm");
        SdModelFile.write(best, file);
        MultiLayerNetwork back = SdModelFile.readMultiLayerNetwork(file);
        // The file keeps P(C).*M exactly and B as int8 (SdModelFile): the reference is the best network with B
        // rounded the same way.
        MultiLayerNetwork expected = best.clone();
        roundBasesToInt8(expected);
        INDArray x = SyntheticBlobs.examples(8, 99).getFeatures();
        assertEquals(expected.output(x), back.output(x), "outputs after the .sdm round trip");
        assertEquals(best.getLayerWiseConfigurations(), back.getLayerWiseConfigurations(), "configuration");
    }

    private static void roundBasesToInt8(MultiLayerNetwork net) {
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof SdLayer) {
                INDArray b = layer.getParam(SdParamInitializer.B_KEY);
                double[] v = b.dup('c').castTo(DataType.DOUBLE).data().asDouble();
                b.assign(Nd4j.create(Int8Basis.roundTrip(v, (int) b.size(0)), b.shape(), 'c').castTo(b.dataType()));
            }
        }
    }

    @Test
    void multiLayerSpaceRoundTripsThroughArbiterJson() {
        Leaves l = leaves();
        MultiLayerSpace space = space(l);
        String json = space.toJson();
        MultiLayerSpace back = MultiLayerSpace.fromJson(json);
        assertEquals(space, back);
        assertEquals(json, back.toJson());
        assertEquals(space.numParameters(), back.numParameters());
        assertEquals(4, space.numParameters(), "searched leaves: lr, theta, sliceRows, output theta");
        // Arbiter gives the leaves their positions in the candidate vector when a generator is created
        // (BaseCandidateGenerator.initialize), not when a space is built or read from JSON.
        new RandomSearchGenerator(space);
        new RandomSearchGenerator(back);
        double[] flat = {0.1, 0.7, 0.4, 0.9};
        DL4JConfiguration a = space.getValue(flat);
        DL4JConfiguration b = back.getValue(flat);
        assertEquals(a.getMultiLayerConfiguration(), b.getMultiLayerConfiguration(),
                "the same candidate vector gives the same network configuration");
        SdDenseLayer fc = (SdDenseLayer) a.getMultiLayerConfiguration().getConf(0).getLayer();
        assertEquals(l.theta().getValue(flat), fc.getTheta());
        assertEquals(l.sliceRows().getValue(flat), fc.getSliceRows());
    }

    @Test
    void convolutionSpaceBuildsSdConvolutionLayersAndRoundTripsThroughJson() {
        ParameterSpace<Double> theta = new ContinuousParameterSpace(THETA_LO, THETA_HI);
        ParameterSpace<Integer> nOut = new DiscreteParameterSpace<>(4, 8);
        MultiLayerSpace space = new MultiLayerSpace.Builder()
                .seed(3)
                .addLayer(new SdConvolutionLayerSpace.Builder().kernelSize(3, 3).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).nOut(nOut).activation(Activation.RELU)
                        .sd(new SdHyperparameterSpace.Builder().theta(theta).sliceRows(9).build())
                        .build())
                .addLayer(new SdOutputLayerSpace.Builder().nOut(2).activation(Activation.SOFTMAX)
                        .lossFunction(LossFunctions.LossFunction.MCXENT).build())
                .setInputType(InputType.convolutional(6, 6, 1))
                .build();
        // Compared as JSON: Arbiter's FixedValue<int[]> (kernel size, stride) compares arrays by identity, so no
        // convolution space (Arbiter's own ConvolutionLayerSpace included) equals its JSON copy.
        String json = space.toJson();
        assertEquals(json, MultiLayerSpace.fromJson(json).toJson());

        new RandomSearchGenerator(space);
        double[] flat = {0.25, 0.9};
        MultiLayerConfiguration conf = space.getValue(flat).getMultiLayerConfiguration();
        SdConvolutionLayer conv = assertInstanceOf(SdConvolutionLayer.class, conf.getConf(0).getLayer());
        assertEquals(theta.getValue(flat), conv.getTheta());
        assertEquals(nOut.getValue(flat), (int) conv.getNOut());
        assertEquals(9, conv.getSliceRows());
        assertEquals(3, conv.effectiveBasisWidth(), "n = kw for a 3x3 kernel");
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray y = net.output(Nd4j.rand(DataType.FLOAT, 2, 1, 6, 6));
        assertEquals(List.of(2L, 2L), List.of(y.size(0), y.size(1)));
    }

    /**
     * The listener gives each SD layer's C its own bucket switch, minCoeff from the layer's sampled theta. The
     * output layer's theta is searched in [0.02, 0.05] here, so its minCoeff is at least 2^-5 (the smallest
     * 2^i &gt;= 0.02) while the dense layer's, from a theta of at most 0.01, is at most 2^-6: the layers differ
     * in every candidate (one switch for both would have to take the output layer's).
     */
    @Test
    void bucketSwitchTrainingIsDrivenPerCandidateByATaskListener() throws IOException {
        Leaves l = new Leaves(new ContinuousParameterSpace(THETA_LO, THETA_HI), new DiscreteParameterSpace<>(SLICE_ROWS),
                new ContinuousParameterSpace(5e-3, 2e-2), new ContinuousParameterSpace(2e-2, 5e-2));
        SdTrainingTaskListener listener = new SdTrainingTaskListener(0.05, 2, 0.0);
        LocalOptimizationRunner runner = run(space(l), 2, listener);

        assertEquals(2, runner.numCandidatesCompleted(), "completed candidates");
        assertEquals(0, runner.numCandidatesFailed(), "failed candidates");
        for (Trained t : trained(runner)) {
            String c = "candidate " + t.result().getIndex();
            MultiLayerNetwork net = t.net();
            int switched = 0;
            double[] minCoeff = new double[2];
            for (int i = 0; i < 2; i++) {
                SdLayer sd = (SdLayer) net.getLayer(i).conf().getLayer();
                String where = c + " layer " + i;
                BucketSwitch bs = assertInstanceOf(BucketSwitch.class,
                        ((BaseLayer) sd).getUpdaterByParam(SdParamInitializer.C_KEY), where + " C's updater");
                assertEquals(BucketSwitch.minCoeffFor(sd.getTheta()), bs.getMinCoeff(),
                        where + " minCoeff from its own theta " + sd.getTheta());
                minCoeff[i] = bs.getMinCoeff();
                double[] cs = net.getLayer(i).getParam(SdParamInitializer.C_KEY).dup().data().asDouble();
                double[] ms = net.getLayer(i).getParam(SdParamInitializer.MASK_KEY).dup().data().asDouble();
                for (int k = 0; k < cs.length; k++) {
                    assertTrue(Pow2.isZeroOrSignedPowerOfTwo(cs[k]), where + " C[" + k + "] = " + cs[k]);
                    assertTrue(ms[k] != 0 || cs[k] == 0, where + " C[" + k + "] outside the mask");
                    assertTrue(cs[k] == 0 || Math.abs(cs[k]) >= bs.getMinCoeff() && Math.abs(cs[k]) <= bs.getMaxCoeff(),
                            where + " |C[" + k + "]| = " + cs[k] + " outside [" + bs.getMinCoeff() + ", "
                            + bs.getMaxCoeff() + "]");
                    // a fresh SD layer starts with C = +-1 on its mask
                    switched += ms[k] != 0 && Math.abs(cs[k]) != 1 ? 1 : 0;
                }
            }
            assertTrue(switched > 0, c + ": no coefficient left +-1, so the bucket switch never ran");
            assertTrue(minCoeff[0] <= 0x1p-6 && minCoeff[1] >= 0x1p-5, c + " minCoeff dense " + minCoeff[0]
                    + ", output " + minCoeff[1]);
            assertTrue(Double.isFinite(t.result().getScore()), c + " score");
        }
    }
}
