package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdDepthwiseConvolutionLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * The README's guarantees for SD training with DL4J's own machinery, on all four SD layers (a convolution, a
 * depthwise convolution, a dense and an output layer), as a MultiLayerNetwork and as a ComputationGraph, in float32
 * and float64 (Dl4jFeaturesOnSdTest checks them on dense networks): WorkspaceMode.NONE trains and infers as ENABLED,
 * and a network saved by ModelSerializer with its updater between epochs, after SdTraining.setLearningRate gave it a
 * new schedule, continues exactly as the uninterrupted run (the bucket switch's counters, the momentum, the epoch
 * count its schedules read and the new rates all travel in the zip; SdTraining.setLearningRate's Javadoc). The
 * reference in each case is the same network run without the feature, so equality is exact.
 */
class SdNetworkRoundTripTest {

    private static final InputType INPUT = InputType.convolutional(6, 6, 2);

    /** lr 0.5 then SWA's 0.1 from epoch 2, thetaC 2 and a tiny thetaG so that the tiny network switches often. */
    private static Model network(boolean graph, DataType dt, WorkspaceMode ws) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(5).dataType(dt)
                .updater(new Sgd(0.1)).trainingWorkspaceMode(ws).inferenceWorkspaceMode(ws);
        Model net;
        if (graph) {
            ComputationGraph g = new ComputationGraph(b.graphBuilder().addInputs("in")
                    .addLayer("c1", new SdConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(),
                            "in")
                    .addLayer("dw", new SdDepthwiseConvolutionLayer.Builder(3, 3).depthMultiplier(1)
                            .activation(Activation.TANH).build(), "c1")
                    .addLayer("fc", new SdDenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "dw")
                    .addLayer("out", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build(), "fc")
                    .setOutputs("out").setInputTypes(INPUT).build());
            g.init();
            net = g;
        } else {
            MultiLayerNetwork m = new MultiLayerNetwork(b.list()
                    .layer(new SdConvolutionLayer.Builder(3, 3).name("c1").nOut(4).activation(Activation.TANH).build())
                    .layer(new SdDepthwiseConvolutionLayer.Builder(3, 3).name("dw").depthMultiplier(1)
                            .activation(Activation.TANH).build())
                    .layer(new SdDenseLayer.Builder().name("fc").nOut(6).activation(Activation.TANH).build())
                    .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(INPUT).build());
            m.init();
            net = m;
        }
        ISchedule lr = new SwaLrSchedule(0.5, 0.1, 2);
        BucketSwitch template = BucketSwitch.builder(0.5).learningRateSchedule(lr).thetaC(2).thetaG(1e-6).build();
        return SdTraining.configure(net, SdTraining.perLayerSwitches(net, template), SdUpdaterRouting.sgdMomentum(lr),
                5e-4);
    }

    /** Three minibatches of 8 images 2 x 6 x 6, uniform in [-2, 2), three classes in turn. */
    private static List<DataSet> data(DataType dt) {
        Nd4j.getRandom().setSeed(11);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            INDArray x = Nd4j.rand(dt, 8, 2, 6, 6).subi(0.5).muli(4);
            INDArray y = Nd4j.zeros(dt, 8, 3);
            for (int r = 0; r < 8; r++) {
                y.putScalar(r, (r + i) % 3, 1);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    private static void fit(Model net, List<DataSet> data, int epochs) {
        ListDataSetIterator<DataSet> it = new ListDataSetIterator<>(data, 8);
        if (net instanceof MultiLayerNetwork m) {
            m.fit(it, epochs);
        } else {
            ((ComputationGraph) net).fit(it, epochs);
        }
    }

    private static INDArray output(Model net, INDArray x) {
        return net instanceof MultiLayerNetwork m ? m.output(x) : ((ComputationGraph) net).outputSingle(x);
    }

    private static INDArray updaterState(Model net) {
        return net instanceof MultiLayerNetwork m ? m.getUpdater().getStateViewArray()
                : ((ComputationGraph) net).getUpdater().getStateViewArray();
    }

    @Test
    void workspaceModeNoneTrainsAndInfersAsEnabled() {
        for (boolean graph : new boolean[] {false, true}) {
            for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                String where = (graph ? "graph " : "network ") + dt;
                Model on = network(graph, dt, WorkspaceMode.ENABLED);
                Model off = network(graph, dt, WorkspaceMode.NONE);
                List<DataSet> data = data(dt);
                INDArray x = data.get(0).getFeatures();
                INDArray before = on.params().dup();
                assertEquals(output(on, x), output(off, x), where);
                fit(on, data, 2);
                fit(off, data, 2);
                assertNotEquals(before, on.params(), where + ": nothing trained, the test would be vacuous");
                assertEquals(on.params(), off.params(), where);
                assertEquals(updaterState(on), updaterState(off), where);
                assertEquals(output(on, x), output(off, x), where);
            }
        }
    }

    @Test
    void savedWithItsUpdaterAfterANewScheduleItContinuesAsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        for (boolean graph : new boolean[] {false, true}) {
            for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                String where = (graph ? "graph " : "network ") + dt;
                List<DataSet> data = data(dt);
                Model ref = network(graph, dt, WorkspaceMode.ENABLED);
                fit(ref, data, 2);
                SdTraining.setLearningRate(ref, new SwaLrSchedule(0.3, 0.05, 4));
                fit(ref, data, 3);

                Model run = network(graph, dt, WorkspaceMode.ENABLED);
                fit(run, data, 2);
                SdTraining.setLearningRate(run, new SwaLrSchedule(0.3, 0.05, 4));
                fit(run, data, 1);
                File zip = dir.resolve(where.replace(' ', '-') + ".zip").toFile();
                ModelSerializer.writeModel(run, zip, true);
                Model back = graph ? ModelSerializer.restoreComputationGraph(zip, true)
                        : ModelSerializer.restoreMultiLayerNetwork(zip, true);
                assertEquals(dt, back.params().dataType(), where);
                fit(back, data, 2);
                assertEquals(ref.params(), back.params(), where);
                assertEquals(updaterState(ref), updaterState(back), where);
            }
        }
    }
}
