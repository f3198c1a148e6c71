package org.smartdeal.zoo.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.codec.ConfigurationCheck;

/**
 * The last check on a model file before long work: one inference forward pass of {@value #EXAMPLES} all-zero
 * examples of the network's input type. The configuration checks ({@link ConfigurationCheck}) compare what DL4J's
 * type derivations see; some settings DL4J meets only when it runs (a graph's merge axis, a loss layer where the
 * output layer was, a convolution whose channels differ from what it is given when the input type is not stated),
 * and a file with them was priced or converted, exit 0, to fail in {@code evaluate} (a fuzzing audit, 2026-12-05).
 * Two examples, not one, and an output of one row per example: at batch 1 an embedding layer reads a row of N values
 * as N indices, and a reshape to [1, ...] or a stack of examples passes (the audit's second round). The output must
 * be finite too: a half-precision network whose activations overflow gives NaN predictions. Before the pass, the
 * largest layer output of the two examples must fit into the off-heap memory ND4J may use (a 1.6 KB file that
 * upsamples by 3000 needs tens of GB). The pass costs about two inferences: a fraction of a second for ResNet-50
 * at 224 x 224.
 */
final class ForwardCheck {

    /** Examples in the check's forward pass: two, so that a layer that mixes examples shows. */
    static final int EXAMPLES = 2;

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
     * @return {@link #require}'s
     * @throws BadInputException "FILE: the layers' sizes do not fit together: DenseLayer(name=fc2, index=1) takes
     *     nIn=50 but its input has 100 values (from layer fc1's nOut)", or {@link #require}'s
     */
    static long[] requireRuns(Model net, InputType type, Path file) {
        return requireRuns(net, type, file, true);
    }

    /**
     * As {@link #requireRuns(Model, InputType, Path)}, with a progress bar on a terminal unless {@code quiet}: the pass
     * of a large network takes a while (DL4J's U-Net at 512 x 512: 55 s on 2 cores).
     */
    static long[] requireRuns(Model net, InputType type, Path file, boolean quiet) {
        try {
            ConfigurationCheck.inputSizes(net, type);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": the layers' sizes do not fit together: " + e.getMessage(), e);
        }
        return require(net, type, file, quiet);
    }

    /**
     * Runs the network once on {@value #EXAMPLES} all-zero examples of {@code type} and checks its outputs: one row per
     * example, finite values.
     *
     * @param net  the network (a MultiLayerNetwork, or a ComputationGraph of one input)
     * @param type its input type; a type whose shape is not fixed apart from the batch (a recurrent one of unknown
     *             length) is not checked
     * @param file the model file, for the message
     * @return the shape of the (first) output for the {@value #EXAMPLES} examples, or null when the type is not checked
     * @throws BadInputException "FILE: the network fails a forward pass of 2 all-zero inputs of shape [2, 784] (its
     *     layers' shapes or settings do not fit together): ...", or names the output that has another number of rows
     *     or non-finite values, or a layer whose output is empty, or the memory the largest layer output needs
     */
    static long[] require(Model net, InputType type, Path file) {
        return require(net, type, file, true);
    }

    /**
     * As {@link #require(Model, InputType, Path)}, with a progress bar ("checking that the network runs") on a terminal
     * unless {@code quiet}.
     */
    static long[] require(Model net, InputType type, Path file, boolean quiet) {
        long[] shape = type.getShape(true);
        shape[0] = EXAMPLES;
        for (long d : shape) {
            if (d <= 0) {
                return null;
            }
        }
        if (net instanceof ComputationGraph g && g.getConfiguration().getNetworkInputs().size() != 1) {
            return null;
        }
        // the configuration's type (a network without parameters has no parameter array to ask)
        DataType dataType = net instanceof MultiLayerNetwork m ? m.getLayerWiseConfigurations().getDataType()
                : ((ComputationGraph) net).getConfiguration().getDataType();
        Map<String, InputType> types = outputTypes(net, type);
        if (types != null) {
            requireNonEmpty(types, file);
        }
        requireMemory(types, dataType, file);
        INDArray x = Nd4j.zeros(dataType, shape);
        INDArray[] outputs;
        try (Progress p = Progress.start("checking that the network runs (" + EXAMPLES + " examples)", 1, quiet)) {
            outputs = net instanceof MultiLayerNetwork m ? new INDArray[] {m.output(x, false)}
                    : ((ComputationGraph) net).output(false, x);
            p.step();
        } catch (RuntimeException e) {
            throw new BadInputException(file + ": the network fails a forward pass of " + EXAMPLES + " all-zero inputs of "
                    + "shape " + Arrays.toString(shape) + " (its layers' shapes or settings do not fit together): "
                    + ConfigurationCheck.describe(e), e);
        }
        if (outputs == null || outputs.length == 0) {
            throw new BadInputException(file + ": the network gives no output");
        }
        for (int i = 0; i < outputs.length; i++) {
            INDArray o = outputs[i];
            String which = outputs.length == 1 ? "its output" : "its output " + i;
            if (o == null) {
                throw new BadInputException(file + ": the network gives no array for " + which + " (a graph naming an "
                        + "output twice, say)");
            }
            if (o.rank() == 0 || o.size(0) != EXAMPLES) {
                throw new BadInputException(file + ": the network mixes examples: for " + EXAMPLES + " inputs of shape "
                        + Arrays.toString(shape) + " " + which + " has shape " + Arrays.toString(o.shape())
                        + ", not one row per example (a layer or vertex reshapes or stacks across the examples)");
            }
            if (o.isNaN().any() || o.isInfinite().any()) {
                throw new BadInputException(file + ": the network's output on all-zero inputs holds NaN or infinite values"
                        + " (" + which + ", data type " + dataType + "): its activations overflow, or a layer divides by "
                        + "zero");
            }
        }
        return outputs[0].shape();
    }

    /**
     * A lower bound of the memory the pass needs, the largest layer output of the {@value #EXAMPLES} examples, must
     * fit into the off-heap memory ND4J may still take; where it does not, the pass would run out of memory, or run
     * for minutes past the limit (ND4J's native operations are not all counted against it), and DL4J's type
     * derivations, which give the sizes, ran without allocating anything.
     */
    /** Each layer's (vertex's) output type, by "layer 3 (conv2)" or "vertex NAME"; null when DL4J cannot derive them. */
    private static Map<String, InputType> outputTypes(Model net, InputType type) {
        try {
            Map<String, InputType> types = new LinkedHashMap<>();
            if (net instanceof MultiLayerNetwork m) {
                List<InputType> list = m.getLayerWiseConfigurations().getLayerActivationTypes(type);
                for (int i = 0; i < list.size(); i++) {
                    types.put("layer " + i + " (" + m.getLayer(i).conf().getLayer().getLayerName() + ")", list.get(i));
                }
            } else {
                ((ComputationGraph) net).getConfiguration().getLayerActivationTypes(type)
                        .forEach((name, t) -> types.put("vertex " + name, t));
            }
            return types;
        } catch (RuntimeException e) {
            return null; // the pass itself names what does not fit
        }
    }

    /**
     * Refuses a network whose layer gives an empty image (a height, width or channel count below 1), naming the layer,
     * before DL4J runs it: DL4J's native operation can abort the JVM on one rather than throw (a transposed convolution
     * whose padding leaves no output row did, called directly, in session 25; the CLI's pass on such files gave a
     * Java exception, "Length must be >= 1", naming no layer).
     */
    private static void requireNonEmpty(Map<String, InputType> types, Path file) {
        for (Map.Entry<String, InputType> e : types.entrySet()) {
            if (e.getValue() instanceof InputType.InputTypeConvolutional c
                    && (c.getHeight() < 1 || c.getWidth() < 1 || c.getChannels() < 1)) {
                throw new BadInputException(file + ": the output of " + e.getKey() + " is empty, " + c
                        + ": its layers' shapes or settings do not fit together");
            }
        }
    }

    private static void requireMemory(Map<String, InputType> types, DataType dataType, Path file) {
        long limit = Pointer.maxBytes();
        if (limit <= 0 || types == null) {
            return;
        }
        String largest = null;
        double elements = 0;
        for (Map.Entry<String, InputType> e : types.entrySet()) {
            // in doubles: DL4J's own long product overflows on a crafted size (an upsampling by 2^30)
            double n = 1;
            for (long d : e.getValue().getShape(false)) {
                n *= Math.max(d, 1);
            }
            if (n > elements) {
                elements = n;
                largest = e.getKey() + ", " + e.getValue();
            }
        }
        double bytes = elements * EXAMPLES * dataType.width();
        double free = limit - Pointer.totalBytes();
        if (bytes > free) {
            throw new BadInputException(String.format(Locale.ROOT, "%s: running the network on %d examples needs at "
                    + "least %.0f MB for the output of %s (%.0f values per example), more than the %.0f MB of off-heap "
                    + "memory left of this JVM's %d MB for ND4J's arrays; raise the limits with SMARTDEAL_JAVA_OPTS "
                    + "(e.g. SMARTDEAL_JAVA_OPTS=-Xmx16g), or give a smaller model", file, EXAMPLES, bytes / (1 << 20),
                    largest, elements, Math.max(free, 0) / (1 << 20), limit / (1 << 20)));
        }
    }
}
