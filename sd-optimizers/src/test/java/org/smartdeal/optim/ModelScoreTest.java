package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link ModelScore}'s loss is the loss function alone: the same with and without an L2
 * regularization (which DL4J's {@code score(ds, false)} adds), equal to the mean cross-entropy
 * computed independently from the softmax outputs, weighted by example over minibatches of
 * different sizes, and the same for a MultiLayerNetwork and a ComputationGraph holding the same numbers.
 */
class ModelScoreTest {

    private static final double L2 = 0.5;

    private static NeuralNetConfiguration.Builder base(boolean l2) {
        List<Regularization> reg = l2 ? List.of(new L2Regularization(L2)) : List.of();
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new Sgd(0.1))
                .regularization(reg);
    }

    private static MultiLayerNetwork mln(boolean l2) {
        MultiLayerConfiguration conf = base(l2).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static ComputationGraph graph(boolean l2) {
        ComputationGraph g = new ComputationGraph(base(l2).graphBuilder().addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("1", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "0")
                .setOutputs("1").setInputTypes(InputType.feedForward(6)).build());
        g.init();
        return g;
    }

    /** Two minibatches, 16 and 5 examples, so a per-batch mean would weigh the 5 too much. */
    private static List<DataSet> data() {
        List<DataSet> sixteen = TestNets.data(1, 11);
        Random rnd = new Random(12);
        double[][] x = new double[5][6];
        double[][] y = new double[5][3];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 6; j++) {
                x[i][j] = 3 * rnd.nextGaussian();
            }
            y[i][i % 3] = 1;
        }
        List<DataSet> out = new ArrayList<>();
        DataSet first = sixteen.get(0);
        out.add(new DataSet(first.getFeatures().castTo(DataType.DOUBLE), first.getLabels().castTo(DataType.DOUBLE)));
        out.add(new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y)));
        return out;
    }

    /** Mean over all examples of -ln p(label), from the network's softmax output. */
    private static double meanCrossEntropy(MultiLayerNetwork net, List<DataSet> data) {
        double sum = 0;
        long n = 0;
        for (DataSet ds : data) {
            INDArray p = net.output(ds.getFeatures(), false);
            INDArray labels = ds.getLabels();
            for (int i = 0; i < labels.rows(); i++) {
                int y = labels.getRow(i).argMax().getInt(0);
                sum -= Math.log(p.getDouble(i, y));
                n++;
            }
        }
        return sum / n;
    }

    /**
     * A first ActivationLayer, which DL4J applies in place in inference, leaves the data as it was: scoring twice on
     * one iterator gives the same figures (the features were sigmoid-ed once per scoring before, and the loss of the
     * first scoring read the activated features), equal to the mean cross-entropy from the outputs.
     */
    @Test
    void scoringDoesNotModifyTheData() {
        MultiLayerNetwork net = new MultiLayerNetwork(base(false).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.SIGMOID).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        List<DataSet> data = data();
        List<INDArray> before = data.stream().map(d -> d.getFeatures().dup()).toList();
        ExistingDataSetIterator it = new ExistingDataSetIterator(data);
        ModelScore first = ModelScore.of(net, it);
        ModelScore second = ModelScore.of(net, it);
        for (int i = 0; i < data.size(); i++) {
            assertEquals(before.get(i), data.get(i).getFeatures(), "minibatch " + i);
        }
        assertEquals(first, second);
        List<DataSet> copies = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            copies.add(new DataSet(before.get(i), data.get(i).getLabels()));
        }
        // the reference reads copies itself, since DL4J's output() would overwrite them
        double ref = 0;
        for (DataSet d : copies) {
            ref += meanCrossEntropy(net, List.of(new DataSet(d.getFeatures().dup(), d.getLabels()))) * d.numExamples();
        }
        assertEquals(ref / 21, first.loss(), 1e-12);
    }

    @Test
    void lossIsMeanCrossEntropyWeightedByExample() {
        MultiLayerNetwork net = mln(false);
        List<DataSet> data = data();
        ModelScore s = ModelScore.of(net, new ExistingDataSetIterator(data));
        assertEquals(21, s.examples());
        assertEquals(meanCrossEntropy(net, data), s.loss(), 1e-12);
    }

    @Test
    void l2RegularizationDoesNotChangeTheLossButChangesDl4jScore() {
        MultiLayerNetwork plain = mln(false);
        MultiLayerNetwork withL2 = mln(true);
        withL2.setParams(plain.params().dup());
        List<DataSet> data = data();

        // DL4J's score(ds, false) adds 0.5 * l2 * sum(W^2) of the weights
        DataSet ds = data.get(0);
        double w2 = 0;
        for (int i = 0; i < 2; i++) {
            INDArray w = withL2.getLayer(i).getParam("W");
            w2 += w.mul(w).sumNumber().doubleValue();
        }
        assertEquals(0.5 * L2 * w2, withL2.score(ds, false) - plain.score(ds, false), 1e-9);
        assertTrue(0.5 * L2 * w2 > 0.1, "the L2 term must be large enough to matter: " + 0.5 * L2 * w2);

        ModelScore a = ModelScore.of(plain, new ExistingDataSetIterator(data));
        ModelScore b = ModelScore.of(withL2, new ExistingDataSetIterator(data));
        assertEquals(a.loss(), b.loss(), 1e-12);
        assertEquals(a.accuracy(), b.accuracy());
    }

    @Test
    void computationGraphScoresLikeTheSameMultiLayerNetwork() {
        MultiLayerNetwork mln = mln(false);
        ComputationGraph plain = graph(false);
        ComputationGraph withL2 = graph(true);
        plain.setParams(mln.params().dup());
        withL2.setParams(mln.params().dup());
        List<DataSet> data = data();
        double want = meanCrossEntropy(mln, data);

        assertTrue(withL2.score(data.get(0), false) > plain.score(data.get(0), false) + 0.1);
        assertEquals(want, ModelScore.of(plain, new ExistingDataSetIterator(data)).loss(), 1e-12);
        assertEquals(want, ModelScore.of(withL2, new ExistingDataSetIterator(data)).loss(), 1e-12);
    }

    /**
     * The one forward pass gives DL4J's own {@code output(x, false)} and {@code scoreExamples(ds, false)} bit for bit,
     * on networks whose output layer has an input preprocessor or none, after BatchNorm, dropout, pooling, an in-place
     * ActivationLayer, SD layers and before a LossLayer; and the scores built on it equal those built on the two calls.
     */
    @Test
    void onePassGivesDl4jsOutputsAndScoresBitForBit() {
        NeuralNetConfiguration.Builder f = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1));
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder conv =
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU);
        Map<String, MultiLayerConfiguration> nets = new java.util.LinkedHashMap<>();
        nets.put("dense, two layers", base(false).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build()).build());
        nets.put("activation layer first", base(false).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.SIGMOID).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build()).build());
        nets.put("cnn: batchnorm, pooling, dropout, dense", f.list()
                .layer(conv.build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(7).dropOut(0.5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).dropOut(0.5)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        nets.put("cnn straight into the output layer (its own preprocessor)", f.list()
                .layer(conv.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        nets.put("sd layers", f.list()
                .layer(new org.smartdeal.layers.SdConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU)
                        .build())
                .layer(new org.smartdeal.layers.SdDenseLayer.Builder().nOut(6).activation(Activation.RELU).build())
                .layer(new org.smartdeal.layers.SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        nets.put("loss layer last", f.list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(3).activation(Activation.IDENTITY).build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build()).build());
        for (Map.Entry<String, MultiLayerConfiguration> e : nets.entrySet()) {
            MultiLayerNetwork net = new MultiLayerNetwork(e.getValue());
            net.init();
            boolean image = e.getValue().getInputPreProcess(0) != null || e.getKey().startsWith("cnn")
                    || e.getKey().startsWith("sd");
            DataType type = e.getKey().startsWith("dense") || e.getKey().startsWith("activation") ? DataType.DOUBLE
                    : DataType.FLOAT;
            long[] shape = e.getKey().startsWith("loss") ? new long[] {9, 64}
                    : image ? new long[] {9, 1, 8, 8} : new long[] {9, 6};
            Nd4j.getRandom().setSeed(17);
            INDArray x = Nd4j.randn(type, shape).muli(2);
            INDArray y = Nd4j.zeros(type, 9, 3);
            for (int i = 0; i < 9; i++) {
                y.putScalar(i, (i * 7) % 3, 1);
            }
            DataSet ds = new DataSet(x, y);
            INDArray[] one = ModelScore.onePass(net, ds);
            assertTrue(one != null, e.getKey());
            double[] wantOut = net.output(x.dup(), false).castTo(DataType.DOUBLE).dup().data().asDouble();
            double[] wantScores = net.scoreExamples(new DataSet(x.dup(), y), false).castTo(DataType.DOUBLE).dup().data()
                    .asDouble();
            org.junit.jupiter.api.Assertions.assertArrayEquals(wantOut,
                    one[0].castTo(DataType.DOUBLE).dup().data().asDouble(), e.getKey() + ": outputs");
            org.junit.jupiter.api.Assertions.assertArrayEquals(wantScores,
                    one[1].castTo(DataType.DOUBLE).dup().data().asDouble(), e.getKey() + ": per-example scores");
            // the sum as ModelScore takes it, by ND4J in the scores' own type
            double sum = net.scoreExamples(new DataSet(x.dup(), y), false).sumNumber().doubleValue();
            assertEquals(sum / 9, ModelScore.of(net, new ExistingDataSetIterator(List.of(ds))).loss(), 0.0,
                    e.getKey() + ": the mean loss of DL4J's per-example scores");
        }
        // where the one pass does not apply, DL4J's two calls are made: masks, a one-layer network
        DataSet masked = new DataSet(Nd4j.ones(DataType.DOUBLE, 2, 6), Nd4j.ones(DataType.DOUBLE, 2, 3),
                null, Nd4j.ones(DataType.DOUBLE, 2, 1));
        assertEquals(null, ModelScore.onePass(mln(false), masked));
        MultiLayerNetwork single = new MultiLayerNetwork(base(false).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build()).build());
        single.init();
        assertEquals(null, ModelScore.onePass(single, data().get(0)));
        assertEquals(meanCrossEntropy(single, data()), ModelScore.of(single, new ExistingDataSetIterator(data())).loss(),
                1e-12);
    }

    /**
     * The graphs' one forward pass gives DL4J's {@code outputSingle(false, x)} and {@code scoreExamples(ds, false)} bit
     * for bit: a plain graph, two branches merged into the output layer (DL4J inserts a MergeVertex), a residual
     * block (ElementWiseVertex) with BatchNorm and pooling, SD layers with a convolution straight into the output
     * layer (a preprocessor on the output vertex), and an in-place ActivationLayer first.
     */
    @Test
    void onePassOfAGraphGivesDl4jsOutputsAndScoresBitForBit() {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder b;
        Map<String, org.deeplearning4j.nn.conf.ComputationGraphConfiguration> graphs = new java.util.LinkedHashMap<>();
        NeuralNetConfiguration.Builder f = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1));
        graphs.put("dense", base(false).graphBuilder().addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("1", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "0")
                .setOutputs("1").build());
        graphs.put("dense, two branches merged", base(false).graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(6).nOut(2).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "a", "b")
                .setOutputs("out").build());
        graphs.put("dense, activation layer first", base(false).graphBuilder().addInputs("in")
                .addLayer("act", new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                        .activation(Activation.SIGMOID).build(), "in")
                .addLayer("0", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "act")
                .addLayer("1", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "0")
                .setOutputs("1").build());
        b = f.graphBuilder().addInputs("in")
                .addLayer("c1", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.RELU)
                        .build(), "in")
                .addLayer("c2", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4)
                        .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build(), "c1")
                .addVertex("add", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "c1", "c2")
                .addLayer("bn", new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build(), "add")
                .addLayer("pool", new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().build(), "bn")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).dropOut(0.5)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 1));
        graphs.put("cnn, residual block", b.build());
        graphs.put("cnn, sd layers", f.graphBuilder().addInputs("in")
                .addLayer("c", new org.smartdeal.layers.SdConvolutionLayer.Builder(3, 3).nOut(4)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("out", new org.smartdeal.layers.SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(3).activation(Activation.SOFTMAX).build(), "c")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 1)).build());
        for (Map.Entry<String, org.deeplearning4j.nn.conf.ComputationGraphConfiguration> e : graphs.entrySet()) {
            ComputationGraph g = new ComputationGraph(e.getValue());
            g.init();
            boolean image = e.getKey().startsWith("cnn");
            DataType type = image ? DataType.FLOAT : DataType.DOUBLE;
            Nd4j.getRandom().setSeed(19);
            INDArray x = Nd4j.randn(type, image ? new long[] {9, 1, 8, 8} : new long[] {9, 6}).muli(2);
            INDArray y = Nd4j.zeros(type, 9, 3);
            for (int i = 0; i < 9; i++) {
                y.putScalar(i, (i * 5) % 3, 1);
            }
            DataSet ds = new DataSet(x, y);
            INDArray[] one = ModelScore.onePass(g, ds);
            assertTrue(one != null, e.getKey());
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    g.outputSingle(false, x.dup()).castTo(DataType.DOUBLE).dup().data().asDouble(),
                    one[0].castTo(DataType.DOUBLE).dup().data().asDouble(), e.getKey() + ": outputs");
            INDArray want = g.scoreExamples(new DataSet(x.dup(), y), false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.castTo(DataType.DOUBLE).dup().data().asDouble(),
                    one[1].castTo(DataType.DOUBLE).dup().data().asDouble(), e.getKey() + ": per-example scores");
            assertEquals(want.sumNumber().doubleValue() / 9,
                    ModelScore.of(g, new ExistingDataSetIterator(List.of(ds))).loss(), 0.0, e.getKey());
        }
        // two outputs: DL4J's calls (which refuse a graph of several outputs as ModelScore always did)
        ComputationGraph two = new ComputationGraph(base(false).graphBuilder().addInputs("in")
                .addLayer("0", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("o1", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "0")
                .addLayer("o2", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(3)
                        .activation(Activation.IDENTITY).build(), "0")
                .setOutputs("o1", "o2").build());
        two.init();
        assertEquals(null, ModelScore.onePass(two, data().get(0)));
    }

    /**
     * Around the one pass: masked data takes DL4J's two calls in a graph too (and scores as they do); the progress
     * callback gets each minibatch's size; the output layer holds no input after scoring (the pass's arrays are
     * released, as DL4J's own scoring clears its layers).
     */
    @Test
    void maskedGraphDataProgressAndReleasedInputs() {
        ComputationGraph g = graph(false);
        g.setParams(mln(false).params().dup());
        List<DataSet> data = data();
        DataSet first = data.get(0);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, first.numExamples(), 1);
        DataSet masked = new DataSet(first.getFeatures(), first.getLabels(), null, mask);
        assertEquals(null, ModelScore.onePass(g, masked));
        double want = g.scoreExamples(new DataSet(first.getFeatures().dup(), first.getLabels(), null, mask), false)
                .sumNumber().doubleValue() / first.numExamples();
        assertEquals(want, ModelScore.of(g, new ExistingDataSetIterator(List.of(masked))).loss(), 0.0);

        List<Long> sizes = new ArrayList<>();
        MultiLayerNetwork m = mln(false);
        ModelScore.of(m, new ExistingDataSetIterator(data), sizes::add);
        assertEquals(data.stream().map(d -> (long) d.numExamples()).toList(), sizes);
        assertEquals(null, ((org.deeplearning4j.nn.layers.AbstractLayer<?>) m.getOutputLayer()).getInput(),
                "the network's output layer keeps no input");
        ModelScore.of(g, new ExistingDataSetIterator(data));
        assertEquals(null, ((org.deeplearning4j.nn.layers.AbstractLayer<?>) g.getOutputLayer(0)).getInput(),
                "the graph's output layer keeps no input");
    }

    /**
     * Masks count as DL4J's own {@code evaluate} counts them (the reference here): a label mask of 0 leaves its
     * example out of the accuracy, and a features mask enters the forward pass (DL4J's dense layers zero a masked-out
     * example's pre-activations). Before, the accuracy ignored both: on 16 examples of which the label mask keeps 8,
     * it was counted over all 16. The expected label-masked accuracy is also counted by hand from the unmasked
     * outputs (arg-max equal to the labelled class among the 8 kept examples); the loss is DL4J's
     * {@code scoreExamples} summed over the minibatch's examples, as before.
     */
    @Test
    void masksCountAsInDl4jsEvaluation() {
        MultiLayerNetwork m = mln(false);
        ComputationGraph g = graph(false);
        g.setParams(m.params().dup());
        DataSet d = TestNets.data(1, 31).get(0);
        INDArray keep = Nd4j.zeros(DataType.DOUBLE, 16, 1);
        for (int i = 0; i < 16; i += 2) {
            keep.putScalar(i, 0, 1.0);
        }
        INDArray x = d.getFeatures().castTo(DataType.DOUBLE);
        INDArray y = d.getLabels().castTo(DataType.DOUBLE);
        INDArray out = m.output(x, false);
        int correct = 0;
        for (int i = 0; i < 16; i += 2) {
            correct += out.getRow(i).argMax().getInt(0) == y.getRow(i).argMax().getInt(0) ? 1 : 0;
        }
        DataSet labelMasked = new DataSet(x, y, null, keep);
        DataSet featuresMasked = new DataSet(x, y, keep, null);
        for (org.deeplearning4j.nn.api.Model net : List.of(m, g)) {
            ModelScore s = ModelScore.of(net, new ExistingDataSetIterator(List.of(labelMasked)));
            assertEquals(correct / 8.0, s.accuracy(), 0.0, net.getClass().getSimpleName() + " label mask");
            assertEquals(evaluate(net, labelMasked), s.accuracy(), 0.0);
            assertEquals(evaluate(net, featuresMasked),
                    ModelScore.of(net, new ExistingDataSetIterator(List.of(featuresMasked))).accuracy(), 0.0,
                    net.getClass().getSimpleName() + " features mask");
        }
        // the test is not vacuous: ignoring the masks gives other accuracies on this data
        assertTrue(evaluate(m, new DataSet(x, y)) != correct / 8.0);
        assertTrue(evaluate(m, new DataSet(x, y)) != evaluate(m, featuresMasked));
    }

    private static double evaluate(org.deeplearning4j.nn.api.Model net, DataSet ds) {
        ExistingDataSetIterator it = new ExistingDataSetIterator(List.of(ds));
        return net instanceof MultiLayerNetwork m ? m.evaluate(it).accuracy()
                : ((ComputationGraph) net).evaluate(it).accuracy();
    }

    @Test
    void rejectsOtherModels() {
        assertThrows(IllegalArgumentException.class,
                () -> ModelScore.of(null, new ExistingDataSetIterator(data())));
    }

    @Test
    void pointsDropOnlyTheSubtractionNoise() {
        // 0.8928 - 0.8848 is 0.008000000000000007 in doubles; 0.9 - 0.9006 is -5.999999999999339E-4 (by hand: 80 and
        // -6 examples of 10,000)
        assertEquals("0.8", Double.toString(ModelScore.points(0.8928 - 0.8848)));
        assertEquals("-0.06", Double.toString(ModelScore.points(0.9 - 0.9006)));
        // a third of a point keeps its ten decimals; NaN passes through
        assertEquals(33.3333333333, ModelScore.points(1.0 / 3), 0.0);
        assertTrue(Double.isNaN(ModelScore.points(Double.NaN)));
    }

    /**
     * NaN outputs (a diverged network) are refused with {@link ModelScore.NonFiniteOutputException}, which the training
     * loops turn into a divergence naming the epoch; DL4J's Evaluation would throw its own IllegalStateException.
     */
    @Test
    void nanOutputsAreRefusedAsNonFinite() {
        MultiLayerNetwork net = mln(false);
        net.getLayer(0).getParam("W").putScalar(0, Double.NaN);
        ModelScore.NonFiniteOutputException e = assertThrows(ModelScore.NonFiniteOutputException.class,
                () -> ModelScore.of(net, new ExistingDataSetIterator(data())));
        assertEquals("the network's outputs hold NaN values (in the minibatch that starts at example 1): its parameters "
                + "or activations overflowed",
                e.getMessage());
    }

    /** The parameter check of the epoch loops: NaN or infinite values end the run, finite ones pass. */
    @Test
    void nonFiniteParametersAreADivergence() {
        TrainingDivergedException.requireFiniteParameters(Nd4j.createFromArray(1f, -3e38f),
                TrainingDivergedException.Phase.TRAINING, 1, 2, 0.1);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> TrainingDivergedException.requireFiniteParameters(Nd4j.createFromArray(1f, Float.POSITIVE_INFINITY),
                        TrainingDivergedException.Phase.TRAINING, 2, 3, 0.1));
        assertEquals("training epoch 2 of 3 diverged: the parameters hold NaN or infinite values after it at learning "
                + "rate 0.1; lower the learning rate", e.getMessage());
        assertThrows(TrainingDivergedException.class, () -> TrainingDivergedException.requireFiniteParameters(
                Nd4j.createFromArray(Float.NaN), TrainingDivergedException.Phase.PRE_TRAINING, 1, 1, Double.NaN));
    }
}
