package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Routing, training with BucketSwitch and the SWA BatchNorm pass on a ComputationGraph. */
class ComputationGraphTest {

    private static ComputationGraphConfiguration conf() {
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).updater(new Sgd(0.1)).graphBuilder()
                .addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(3).nOut(3).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(3).build(), "d")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(1)
                        .activation(Activation.IDENTITY).build(), "bn")
                .setOutputs("out").setInputTypes(InputType.feedForward(3)).build();
    }

    private static List<DataSet> data() {
        // same numbers as SwaListenerTest: BN input column 0 has weighted mean 16/3 over the two batches
        return List.of(
                new DataSet(Nd4j.createFromArray(new double[][] {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 6}}),
                        Nd4j.zeros(DataType.DOUBLE, 4, 1)),
                new DataSet(Nd4j.createFromArray(new double[][] {{10, 11, 12}, {12, 13, 14}}),
                        Nd4j.zeros(DataType.DOUBLE, 2, 1)));
    }

    @Test
    void routesTrainsAndRecomputesBatchNorm() {
        ParamRef w = ParamRef.of("d", "W");
        ComputationGraphConfiguration conf = SdUpdaterRouting.route(conf(), Set.of(w),
                BucketSwitch.builder(0.5).thetaC(1).build(), SdUpdaterRouting.sgdMomentum(0.01), 5e-4);
        BaseLayer dense = (BaseLayer) ((LayerVertex) conf.getVertices().get("d")).getLayerConf().getLayer();
        assertInstanceOf(BucketSwitch.class, dense.getUpdaterByParam("W"));
        assertInstanceOf(Nesterovs.class, dense.getUpdaterByParam("b"));

        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        g.getLayer("d").getParam("W").assign(Nd4j.eye(3));
        g.getLayer("d").getParam("b").assign(0);
        SwaListener swa = new SwaListener(1, 4e-3, List.of(CoefficientParam.nonZeroAtStart(w)));
        g.setListeners(swa);
        g.fit(new ExistingDataSetIterator(data()));
        double[] wAfter = g.getLayer("d").getParam("W").dup().reshape(9).toDoubleVector();
        for (double v : wAfter) {
            assertTrue(Pow2.isZeroOrSignedPowerOfTwo(v), "W entry " + v);
        }

        // reset W to the identity so that the BN input is the raw features, then end SWA
        g.getLayer("d").getParam("W").assign(Nd4j.eye(3));
        g.getLayer("d").getParam("b").assign(0);
        swa.addSample(g);
        swa.finish(g, new ExistingDataSetIterator(data()));
        // mean of the two samples is (W_trained + I)/2, projected with P inside the identity mask:
        // the off-diagonal entries are outside the mask and must be 0
        double[] wFinal = g.getLayer("d").getParam("W").dup().reshape(9).toDoubleVector();
        for (int i = 0; i < 9; i++) {
            if (i % 4 != 0) {
                assertTrue(wFinal[i] == 0.0, "off-diagonal entry " + i + " = " + wFinal[i]);
            }
        }
        assertTrue(Pow2.isZeroOrSignedPowerOfTwo(wFinal[0]));
        // BN statistics of the final network: its input is x W + b, recomputed in one pass
        double[][] x = {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {4, 5, 6}, {10, 11, 12}, {12, 13, 14}};
        double[] expectedMean = new double[3];
        double[] bias = g.getLayer("d").getParam("b").dup().reshape(3).toDoubleVector();
        for (int c = 0; c < 3; c++) {
            double s1 = 0;
            double s2 = 0;
            for (int r = 0; r < 6; r++) {
                double in = bias[c];
                for (int k = 0; k < 3; k++) {
                    in += x[r][k] * wFinal[k * 3 + c];
                }
                if (r < 4) {
                    s1 += in;
                } else {
                    s2 += in;
                }
            }
            expectedMean[c] = (s1 + s2) / 6; // batch-size-weighted mean of batch means = overall mean
        }
        assertArrayEquals(expectedMean, g.getLayer("bn").getParam("mean").dup().reshape(3).toDoubleVector(), 1e-9);
    }
}
