package org.smartdeal.zoo.cli;

import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.codec.ConfigurationCheck;

/**
 * The last check on a model file before long work: one inference forward pass of a single all-zero example of the
 * network's input type. The configuration checks ({@link ConfigurationCheck}) compare what DL4J's type derivations
 * see; some settings DL4J meets only when it runs (a graph's merge axis, a loss layer where the output layer was, a
 * convolution whose channels differ from what it is given when the input type is not stated), and a file with them
 * was priced or converted, exit 0, to fail in {@code evaluate} (a fuzzing audit, 2026-12-05). One example costs a
 * forward pass of the network at batch 1: a fraction of a second for ResNet-50 at 224 x 224.
 */
final class ForwardCheck {

    private ForwardCheck() {
    }

    /**
     * The checks a command makes before long work on a network of a known input type: its layers' sizes fit together
     * ({@link ConfigurationCheck#inputSizes}: DL4J loads a file without comparing each layer's nIn with its input),
     * then {@link #require}.
     *
     * @param net  the network
     * @param type its input type
     * @param file the model file, for the message
     * @throws BadInputException "FILE: the layers' sizes do not fit together: DenseLayer(name=fc2, index=1) takes
     *     nIn=50 but its input has 100 values (from layer fc1's nOut)", or {@link #require}'s
     */
    static void requireRuns(Model net, InputType type, Path file) {
        try {
            ConfigurationCheck.inputSizes(net, type);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": the layers' sizes do not fit together: " + e.getMessage(), e);
        }
        require(net, type, file);
    }

    /**
     * Runs the network once on one all-zero example of {@code type}.
     *
     * @param net  the network (a MultiLayerNetwork, or a ComputationGraph of one input)
     * @param type its input type; a type whose shape is not fixed apart from the batch (a recurrent one of unknown
     *             length) is not checked
     * @param file the model file, for the message
     * @throws BadInputException "FILE: the network fails a forward pass of one all-zero input of shape [1, 784] (its
     *     layers' shapes or settings do not fit together): ..."
     */
    static void require(Model net, InputType type, Path file) {
        long[] shape = type.getShape(true);
        shape[0] = 1;
        for (long d : shape) {
            if (d <= 0) {
                return;
            }
        }
        if (net instanceof ComputationGraph g && g.getConfiguration().getNetworkInputs().size() != 1) {
            return;
        }
        INDArray x = Nd4j.zeros(net.params().dataType(), shape);
        try {
            if (net instanceof MultiLayerNetwork m) {
                m.output(x, false);
            } else {
                ((ComputationGraph) net).output(false, x);
            }
        } catch (RuntimeException e) {
            throw new BadInputException(file + ": the network fails a forward pass of one all-zero input of shape "
                    + Arrays.toString(shape) + " (its layers' shapes or settings do not fit together): "
                    + ConfigurationCheck.describe(e), e);
        }
    }
}
