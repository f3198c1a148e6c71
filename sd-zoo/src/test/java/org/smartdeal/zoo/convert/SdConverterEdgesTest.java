package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * {@link SdConverter} at the places mutation testing found unchecked: the training settings an SD layer takes over
 * from the dense one, the threshold an SD layer is built with, a density target of 1, the report rows of layers kept
 * dense, a double-precision network and a graph's counters.
 */
class SdConverterEdgesTest {

    /**
     * 6 -> fc (5) -> out (3), fc with every training setting copyTrainingSettings names set away from its default but
     * weight noise, which SD layers refuse (test below).
     */
    private static MultiLayerNetwork mlp(DataType type) {
        return mlp(type, null);
    }

    private static MultiLayerNetwork mlp(DataType type, org.deeplearning4j.nn.conf.weightnoise.IWeightNoise noise) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).dataType(type).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(6).nOut(5).activation(Activation.TANH)
                        .updater(new Adam(0.01)).biasUpdater(new Sgd(0.1)).l2(1e-3).l1Bias(2e-3).biasInit(0.5)
                        .gainInit(0.75).gradientNormalization(GradientNormalization.ClipL2PerLayer)
                        .gradientNormalizationThreshold(2.5).dropOut(0.8).weightNoise(noise)
                        .constrainBias(new MaxNormConstraint(0.5, 0)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    /**
     * The report's total relative error is the model's ||W - C*B||_F / ||W||_F (ALGORITHMS.md 1.3) over every layer
     * listed: with fc converted and out skipped, relError(fc) * ||W_fc|| / sqrt(||W_fc||^2 + ||W_out||^2), the norms
     * summed here from the dense network's weights (the weight-count mean of earlier reports gave relError(fc) * 30 /
     * 45 instead).
     */
    @Test
    void theTotalRelativeErrorIsTheModelsOverAllItsWeights() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        double[] sq = new double[2];
        for (int i = 0; i < 2; i++) {
            for (double v : dense.getLayer(i).getParam("W").castTo(DataType.DOUBLE).data().asDouble()) {
                sq[i] += v * v;
            }
        }
        ConversionReport r = SdConverter.convert(dense,
                ConversionPlan.fromJson("{\"layers\": {\"out\": {\"skip\": true}}}")).report();
        double fc = r.layers().get(0).relError();
        assertTrue(fc > 0, "fc's decomposition error: " + fc);
        assertEquals(fc * Math.sqrt(sq[0] / (sq[0] + sq[1])), r.relError(), 1e-9 * fc);
        assertEquals(fc * 30 / 45, r.meanRelError(), 1e-12, "the weight-count mean, still in the JSON");
    }

    /** A network whose init() was not called has no layers yet: refused by name, not a NullPointerException. */
    @Test
    void aNetworkWithoutInitIsRefused() {
        MultiLayerNetwork n = new MultiLayerNetwork(mlp(DataType.FLOAT).getLayerWiseConfigurations().clone());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SdConverter.convert(n, ConversionPlan.defaultPlan()));
        assertEquals("the MultiLayerNetwork is not initialised (call init() first)", e.getMessage());
        ComputationGraph g = new ComputationGraph(mlp(DataType.FLOAT).toComputationGraph().getConfiguration().clone());
        e = assertThrows(IllegalStateException.class, () -> SdConverter.convert(g, ConversionPlan.defaultPlan()));
        assertEquals("the ComputationGraph is not initialised (call init() first)", e.getMessage());
    }

    /** copyTrainingSettings' Javadoc: updaters, regularization, initialisation, normalisation, dropout, noise, constraints. */
    @Test
    void theSdLayerKeepsTheDenseLayersTrainingSettings() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        BaseLayer d = (BaseLayer) dense.getLayer(0).conf().getLayer();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(dense, ConversionPlan.defaultPlan()).network();
        BaseLayer s = assertInstanceOf(SdDenseLayer.class, sd.getLayer(0).conf().getLayer());
        assertEquals(new Adam(0.01), s.getIUpdater());
        assertEquals(new Sgd(0.1), s.getBiasUpdater());
        assertEquals(d.getRegularization(), s.getRegularization());
        assertEquals(d.getRegularizationBias(), s.getRegularizationBias());
        assertEquals(1, s.getRegularization().size(), "l2");
        assertEquals(1, s.getRegularizationBias().size(), "l1 on the bias");
        assertEquals(0.5, s.getBiasInit());
        assertEquals(0.75, s.getGainInit());
        assertEquals(GradientNormalization.ClipL2PerLayer, s.getGradientNormalization());
        assertEquals(2.5, s.getGradientNormalizationThreshold());
        assertEquals(d.getIDropout(), s.getIDropout());
        // the bias constraint is taken as it is (DL4J's bias is a vector [nOut] too: dimension 0 in both)
        assertEquals(d.getConstraints(), s.getConstraints());
        assertEquals(1, s.getConstraints().size());
        // and it holds: the bias starts at 0.5 in each of its 5 entries (norm 1.118), and after one step its norm is at
        // most 0.5 (without the constraint it stays near 1.07: a step of the bias's SGD(0.1)); so does the dense
        // network's, and that of the network exported back to DL4J's layers
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(1);
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 8, 6);
        org.nd4j.linalg.api.ndarray.INDArray labels = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 8, 3);
        labels.getColumn(0).assign(1);
        MultiLayerNetwork back = (MultiLayerNetwork) org.smartdeal.layers.DenseExport.toDense(sd);
        assertEquals(s.getConstraints(), ((BaseLayer) back.getLayer(0).conf().getLayer()).getConstraints());
        for (MultiLayerNetwork n : List.of(dense, sd, back)) {
            assertEquals(Math.sqrt(5 * 0.25), n.getLayer(0).getParam("b").norm2Number().doubleValue(), 1e-6);
            n.fit(x, labels);
            assertTrue(n.getLayer(0).getParam("b").norm2Number().doubleValue() <= 0.5 + 1e-5,
                    n.getLayer(0).conf().getLayer().getClass().getSimpleName() + " " + n.getLayer(0).getParam("b"));
        }
    }

    /**
     * A weight constraint is not carried over into an SD layer, where it would name W, which the layer does not have,
     * and do nothing (it did, silently, before a review found it): the conversion is refused, naming the layer, the
     * constraint and what to do. (The bias constraint of {@link #mlp} is kept: test above.)
     */
    @Test
    void aDenseLayerWithAWeightConstraintIsNotConvertedWithoutIt() {
        MultiLayerNetwork dense = withFc(new DenseLayer.Builder().constrainWeights(new MaxNormConstraint(2, 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdConverter.convert(dense, ConversionPlan.defaultPlan()));
        assertEquals("layer fc (DenseLayer) has the constraint MaxNormConstraint on [W], which has no SD form (an SD "
                + "layer holds C and B, not W, and a constraint on them would not hold on W = C*B); remove it before "
                + "converting, or keep the layer dense with \"skip\": true in the plan's layers", e.getMessage());
        // refused before any layer is decomposed
        java.util.List<String> steps = new java.util.ArrayList<>();
        assertThrows(IllegalArgumentException.class, () -> SdConverter.decompose(dense, ConversionPlan.defaultPlan(),
                (done, total, what) -> steps.add(what)));
        assertEquals(java.util.List.of(), steps, "nothing decomposed");
        // kept dense by the plan, the layer keeps its constraint and converts the rest
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(dense,
                ConversionPlan.fromJson("{\"layers\": {\"fc\": {\"skip\": true}}}")).network();
        assertEquals(1, ((BaseLayer) sd.getLayer(0).conf().getLayer()).getConstraints().size());
    }

    /** 6 -> fc (5, the builder's other settings) -> out (3, softmax). */
    private static MultiLayerNetwork withFc(DenseLayer.Builder fc) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(fc.name("fc").nIn(6).nOut(5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    /**
     * The weight noise is carried over too, and the SD layer refuses it: a dense layer with DropConnect is not
     * converted with its noise silently dropped.
     */
    @Test
    void aDenseLayerWithWeightNoiseIsNotConvertedWithoutIt() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT, new DropConnect(0.9));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdConverter.convert(dense, ConversionPlan.defaultPlan()));
        assertTrue(e.getMessage().startsWith("layer fc (DenseLayer) has weight noise (DropConnect("), e.getMessage());
        assertTrue(e.getMessage().endsWith("), which SD layers do not support; remove it before converting, or keep the "
                + "layer dense with \"skip\": true in the plan's layers"), e.getMessage());
    }

    /**
     * theta(LayerPlan): an SD layer's theta is the largest power of two not above the plan's, 0 staying 0. By hand: 2^-8
     * = 0.00390625 <= 0.005 < 2^-7 = 0.0078125; 0.25 is a power of two itself.
     */
    @Test
    void anSdLayersThetaIsThePlansRoundedDownToAPowerOfTwo() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        assertEquals(0x1p-8, sdTheta(dense, "{\"defaults\": {\"theta\": 0.005}}"));
        assertEquals(0.25, sdTheta(dense, "{\"defaults\": {\"theta\": 0.25}}"));
        assertEquals(0.0, sdTheta(dense, "{\"defaults\": {\"theta\": 0}}"));
    }

    private static double sdTheta(Model dense, String plan) {
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(dense, ConversionPlan.fromJson(plan)).network();
        return ((SdDenseLayer) sd.getLayer(0).conf().getLayer()).getTheta();
    }

    /**
     * The class Javadoc: the converted network computes exactly what the dense network computes with each planned W
     * replaced by C*B, because its SD layers' projection P (ALGORITHMS.md 6.1, "a guard: C is already in the domain")
     * keeps every coefficient the decomposition produced. A plan with maxIter 1 broke it: the decomposition is then
     * C = Q(W) with no threshold (ALGORITHMS.md 1.1, the loop never runs), so fc's weights 0.001 and 0.002 (below
     * 1.5 x 2^-9) give C entries 2^-10 and 2^-9 (by hand), below the SD layer's theta 2^-8 (the plan's 4e-3 rounded
     * down), and P zeroed them: fc passed on tanh(bias) alone. Expected: the outputs of the dense network with W = C*B
     * written in ({@link SdConverter#overwriteWithCB}).
     */
    @Test
    void theSdLayersComputeCTimesBAlsoWithOneIterationThatKeepsCoefficientsBelowTheta() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        org.nd4j.linalg.api.ndarray.INDArray w = dense.getLayer(0).getParam("W");
        for (int i = 0; i < w.length(); i++) {
            w.putScalar(i, (i % 2 == 0 ? 1 : -1) * (i % 3 == 0 ? 0.002 : 0.001));
        }
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(3);
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 4, 6);
        SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.fromJson("{\"defaults\": {\"maxIter\": 1}}"));
        MultiLayerNetwork sd = (MultiLayerNetwork) r.network();
        MultiLayerNetwork cb = dense.clone();
        SdConverter.overwriteWithCB(cb, r.decomposition());
        org.nd4j.linalg.api.ndarray.INDArray expected = cb.output(x);
        org.nd4j.linalg.api.ndarray.INDArray actual = sd.output(x);
        for (int i = 0; i < expected.length(); i++) {
            assertEquals(expected.getDouble(i), actual.getDouble(i), 1e-6, "output " + i);
        }
        // the layer takes C's smallest magnitude, 2^-10, as its theta
        assertEquals(0x1p-10, ((SdDenseLayer) sd.getLayer(0).conf().getLayer()).getTheta());
    }

    /** LayerPlan's density: "the threshold that gives at most this density"; every density is at most 1, so theta 0. */
    @Test
    void aDensityTargetOfOneNeedsNoThreshold() {
        NetworkDecomposition d = SdConverter.decompose(mlp(DataType.FLOAT),
                ConversionPlan.fromJson("{\"layers\": {\"fc\": {\"density\": 1}}}"));
        assertEquals(0.0, d.layers().get(0).settings().theta());
    }

    /**
     * A layer kept dense is reported with its weights at 32 bits each and the density of its own W: fc's 6 x 5 = 30
     * weights with 6 set to 0 give a W density of 24 / 30 and 960 bits.
     */
    @Test
    void aKeptLayersRowCountsItsWeightsAndTheirNonZeros() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        org.nd4j.linalg.api.ndarray.INDArray w = dense.getLayer(0).getParam("W");
        for (int j = 0; j < 5; j++) {
            w.putScalar(0, j, 0);
        }
        w.putScalar(1, 0, 0);
        ConversionReport r = SdConverter.convert(dense, ConversionPlan.fromJson("{\"layers\": {\"fc\": {\"skip\": true}}}"))
                .report();
        ConversionReport.Row fc = r.layers().get(0);
        double sq = 0; // ||W||^2 of fc's weights as given, summed here entry by entry
        for (double v : w.castTo(DataType.DOUBLE).data().asDouble()) {
            sq += v * v;
        }
        assertEquals(sq, fc.weightSq(), 1e-12 * sq);
        assertEquals(new ConversionReport.Row("fc", "DenseLayer (skipped)", "[6, 5]", false, 30, 0, 1, 24.0 / 30, 0, 0,
                0, 0, 0, 0, 0, 0, 32 * 30, 0, fc.weightSq()), fc);
        assertTrue(r.keptLine().contains("DenseLayer x 1 skipped by the plan"), r.keptLine());
        assertFalse(r.keptLine().contains("no SD form"), r.keptLine());
    }

    /**
     * A separable convolution's depthwise half kept dense: DL4J's [d, C, kh, kw] = [1, 2, 3, 3] shown as the
     * DepthwiseConvolution2D's [kh, kw, C, d] = [3, 3, 2, 1]; 18 weights, 3 set to 0: density 15 / 18, 576 bits.
     */
    @Test
    void aKeptDepthwiseHalfIsReportedWithItsOwnDensity() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(8).list()
                .layer(new SeparableConvolution2D.Builder(3, 3).name("sep").nOut(4).depthMultiplier(1)
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2)).build());
        dense.init();
        org.nd4j.linalg.api.ndarray.INDArray w = dense.getLayer(0).getParam(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY);
        for (int k = 0; k < 3; k++) {
            w.putScalar(new long[] {0, 1, 2, k}, 0);
        }
        ConversionReport r = SdConverter.convert(dense, ConversionPlan.defaultPlan()).report();
        List<ConversionReport.Row> kept = r.layers().stream().filter(x -> !x.converted()).toList();
        assertEquals(1, kept.size(), r.toTable());
        ConversionReport.Row dw = kept.get(0);
        assertEquals("DepthwiseConvolution2D (kept)", dw.type());
        assertEquals("[3, 3, 2, 1]", dw.shape());
        assertEquals(18, dw.weights());
        assertEquals(15.0 / 18, dw.wDensity());
        assertEquals(32 * 18, dw.denseBits());
    }

    /** flatParams: the SD network's parameters take the dense network's data type, not ND4J's default. */
    @Test
    void aDoublePrecisionNetworkConvertsToADoublePrecisionOne() {
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(mlp(DataType.DOUBLE), ConversionPlan.defaultPlan())
                .network();
        assertEquals(DataType.DOUBLE, sd.params().dataType());
    }

    /**
     * build(): a new network, for a graph as for a MultiLayerNetwork: epoch and iteration counts start again at 0 (for a
     * graph DL4J's configuration clone already starts them there, so build()'s own two resets are not what this pins).
     */
    @Test
    void aConvertedGraphStartsItsCountersAtZero() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(6).graphBuilder().addInputs("in")
                .addLayer("fc", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").build());
        g.init();
        g.getConfiguration().setEpochCount(4);
        g.getConfiguration().setIterationCount(17);
        ComputationGraph sd = (ComputationGraph) SdConverter.convert(g, ConversionPlan.defaultPlan()).network();
        assertEquals(0, sd.getConfiguration().getEpochCount());
        assertEquals(0, sd.getConfiguration().getIterationCount());
        assertEquals(4, g.getConfiguration().getEpochCount(), "the dense graph is not modified");
    }

    /** build(): a converted layer keeps the dense layer's bias (biasInit 0.5 here), and reports one step per layer. */
    @Test
    void aConvertedLayerKeepsItsBiasAndEachLayerIsReported() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        dense.getLayer(0).getParam("b").putScalar(3, -2);
        NetworkDecomposition d = SdConverter.decompose(dense, ConversionPlan.defaultPlan());
        List<String> steps = new java.util.ArrayList<>();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.build(dense, d,
                (done, total, what) -> steps.add(done + "/" + total + " " + what));
        assertEquals(dense.getLayer(0).getParam("b"), sd.getLayer(0).getParam(SdParamInitializer.BIAS_KEY));
        assertEquals(-2.0, sd.getLayer(0).getParam(SdParamInitializer.BIAS_KEY).getDouble(3));
        assertEquals(List.of("1/2 built layer fc", "2/2 built layer out"), steps);
    }

    /** depthwiseName: NAME_dw, or NAME_dw2 when the network has a layer of that name already. */
    @Test
    void aDepthwiseHalfTakesTheNextFreeName() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(8).list()
                .layer(new SeparableConvolution2D.Builder(3, 3).name("sep").nOut(4).depthMultiplier(1)
                        .activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("sep_dw").nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2)).build());
        dense.init();
        MultiLayerNetwork sd = (MultiLayerNetwork) SdConverter.convert(dense, ConversionPlan.defaultPlan()).network();
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < sd.getnLayers(); i++) {
            names.add(sd.getLayer(i).conf().getLayer().getLayerName());
        }
        assertEquals(List.of("sep_dw2", "sep", "sep_dw", "out"), names);
    }

    /** converts(): the four classes of its Javadoc, not a layer without an SD form. */
    @Test
    void theFourConvertedClassesAreNamed() {
        assertTrue(SdConverter.converts(new DenseLayer.Builder().nIn(2).nOut(2).build()));
        assertTrue(SdConverter.converts(new SeparableConvolution2D.Builder(3, 3).nIn(2).nOut(2).build()));
        assertFalse(SdConverter.converts(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build()));
        assertFalse(SdConverter.converts(new org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.Builder(3, 3).build()));
    }

    /**
     * checkPlan refuses a layer's own bnGammaThreshold "that would have no effect" (no BatchNormalization after the
     * layer); a threshold of 0 is off, so a layer may turn the plan's default off without one (a layer's own settings
     * are those that differ from the defaults, so the default here is not 0).
     */
    @Test
    void aBnGammaThresholdOfZeroNeedsNoBatchNorm() {
        MultiLayerNetwork dense = mlp(DataType.FLOAT);
        SdConverter.checkPlan(dense, ConversionPlan.fromJson(
                "{\"defaults\": {\"bnGammaThreshold\": 0.01}, \"layers\": {\"fc\": {\"bnGammaThreshold\": 0}}}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdConverter.checkPlan(dense,
                ConversionPlan.fromJson("{\"layers\": {\"fc\": {\"bnGammaThreshold\": 0.01}}}")));
        assertEquals("plan.layers[fc] sets bnGammaThreshold, but no BatchNormalization follows the DenseLayer; the setting "
                + "would have no effect", e.getMessage());
    }

    /**
     * A pruned layer's reported relative error is ||W - C*B||_F / ||W||_F against its weights before pruning
     * (SdConverter computes it without rebuilding C*B, from the pruned entries' energy and the decomposition's own
     * error): checked by plain sums over the dense W and the twin network holding C*B. fc is 12 -> 8; at basis width 3
     * a unit's 12 weights are 4 rows of 3, and structuredRatio 0.5 zeroes 2 rows of each unit: 8 x 2 x 3 = 48 zeros.
     */
    @Test
    void aPrunedLayersRelativeErrorIsAgainstTheWeightsBeforePruning() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(11).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(12).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        SdConverter.Result r = SdConverter.convert(dense, ConversionPlan.fromJson("{\"defaults\": {\"basisWidth\": 3}, "
                + "\"layers\": {\"fc\": {\"structuredRatio\": 0.5}, \"out\": {\"skip\": true}}}"));
        MultiLayerNetwork twin = dense.clone();
        SdConverter.overwriteWithCB(twin, r.decomposition());
        float[] w = dense.getLayer("fc").getParam("W").dup('c').data().asFloat();
        float[] cb = twin.getLayer("fc").getParam("W").dup('c').data().asFloat();
        double diff = 0;
        double norm = 0;
        int zeros = 0;
        for (int k = 0; k < w.length; k++) {
            diff += ((double) w[k] - cb[k]) * ((double) w[k] - cb[k]);
            norm += (double) w[k] * w[k];
            zeros += cb[k] == 0 ? 1 : 0;
        }
        assertTrue(zeros >= 48, zeros + " zeros in C*B");
        ConversionReport.Row fc = r.report().layers().get(0);
        assertEquals(Math.sqrt(diff / norm), fc.relError(), 1e-5);
    }
}
