package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * A network configured for SD training ({@code SdTraining.configure}, sd-optimizers) names the bucket switch's classes
 * ({@code org.smartdeal.optim.BucketSwitch}, {@code BucketSwitchStep}) in its configuration JSON, so its {@code .sdm}
 * file loads only where sd-optimizers is on the class path. This module's tests do not have it, as a program that
 * depends on sd-layers alone to deploy a model: the file is refused naming the classes and the module to add, not
 * with DL4J's own message (for a MultiLayerNetwork: "configuration may have a custom layer, vertex or preprocessor,
 * in pre version 1.0.0-beta JSON format", which points elsewhere). The trained configuration is imitated by renaming
 * the Nesterovs updater class of an SD network's JSON, which is where SD training's classes appear.
 */
class SdModelFileMissingClassTest {

    private static final String EXPECTED = ": section CONFIG: names classes that are not on the class path:"
            + " org.smartdeal.optim.BucketSwitch, org.smartdeal.optim.BucketSwitchStep (SD training's updater"
            + " settings, from the module sd-optimizers: add the dependency org.smartdeal:sd-optimizers to load a network"
            + " configured with SdTraining)";

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Nesterovs(0.1, 0.9));
    }

    private static MultiLayerNetwork mln() {
        MultiLayerNetwork n = new MultiLayerNetwork(base().list()
                .layer(new SdDenseLayer.Builder().name("fc").nIn(6).nOut(4).activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    private static ComputationGraph graph() {
        ComputationGraph g = new ComputationGraph(base().graphBuilder().addInputs("in")
                .addLayer("fc", new SdDenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("out", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.feedForward(6)).build());
        g.init();
        return g;
    }

    /** The file of {@code net} with its updaters renamed as SD training's: Nesterovs and L2Regularization. */
    private static SdmFile asTrained(Model net) {
        SdmFile f = SdModelFile.toSdm(net);
        String json = f.configJson()
                .replace("\"org.nd4j.linalg.learning.config.Nesterovs\"", "\"org.smartdeal.optim.BucketSwitch\"");
        // a regularization list, as routing writes one for C (BucketSwitchStep), in the first layer's configuration
        json = json.replaceFirst("\"regularization\" : \\[ \\]",
                "\"regularization\" : [ { \"@class\" : \"org.smartdeal.optim.BucketSwitchStep\" } ]");
        return new SdmFile(f.networkType(), json, f.properties(), f.entries());
    }

    @Test
    void aMultiLayerNetworkNamesTheMissingClassesAndTheModule() {
        SdmFile f = asTrained(mln());
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(f, "trained.sdm"));
        assertEquals("trained.sdm" + EXPECTED, e.getMessage());
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.check(f, "trained.sdm", SdmFile.FORMAT_MINOR));
        assertEquals("trained.sdm" + EXPECTED, e.getMessage());
    }

    @Test
    void aComputationGraphNamesTheMissingClassesAndTheModule() {
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> SdModelFile.build(asTrained(graph()), "trainedg.sdm"));
        assertEquals("trainedg.sdm" + EXPECTED, e.getMessage());
    }
}
