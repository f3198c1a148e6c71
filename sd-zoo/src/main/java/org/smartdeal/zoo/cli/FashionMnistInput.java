package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.text.Numbers;

/**
 * Feeding Fashion-MNIST's 1x28x28 images to a network, shared by {@code energy --data} and {@code evaluate}:
 * the network's input type, the check that it takes these images (a clear error naming the network and
 * what it takes, instead of DL4J's exception from the forward pass) and the iterator's layout.
 */
final class FashionMnistInput {

    /** The help text of every command's {@code --data-dir}. */
    static final String DATA_DIR_DESCRIPTION = "folder with the Fashion-MNIST IDX files; default: $" + FashionMnist.DIR_ENV
            + " or " + FashionMnist.DEFAULT_DIR;

    private FashionMnistInput() {
    }

    /** How the images are given to the network. */
    enum Layout {
        /** Rows of 784 values, [N, 784]: dense first layers and flat-input CNN preprocessors. */
        FLAT,
        /** Images [N, 1, 28, 28]: a convolution first layer without a flat-input preprocessor. */
        IMAGE,
        /** Images [N, 28, 28, 1]: the same, for a network in DL4J's channels-last format (NHWC). */
        IMAGE_NHWC
    }

    /** The first layer of a network and the preprocessor before it. */
    private record First(Layer layer, InputPreProcessor pre) {
    }

    /**
     * Loads one Fashion-MNIST split for a command: a missing, unreadable or corrupt file (a damaged gzip
     * stream, a header that does not match the data) is bad input, exit 3, with the reader's message,
     * which names the file.
     *
     * @param dataDir the user's {@code --data-dir}, or null for the default location
     * @param train   the training split, else the test split
     * @return the split
     * @throws BadInputException naming the file and what is wrong with it
     */
    static FashionMnist load(Path dataDir, boolean train) {
        try {
            return FashionMnist.load(FashionMnist.resolveDir(dataDir), train);
        } catch (IOException e) {
            throw new BadInputException(e.getMessage() != null ? e.getMessage()
                    : "Fashion-MNIST: " + OutputPaths.reason(e), e);
        }
    }

    private static First first(Model net) {
        // a frozen first layer states its input through the layer it wraps
        if (net instanceof MultiLayerNetwork m) {
            return new First(org.smartdeal.layers.Networks.unwrapFrozen(
                    m.getLayerWiseConfigurations().getConf(0).getLayer()),
                    m.getLayerWiseConfigurations().getInputPreProcess(0));
        }
        var conf = ((ComputationGraph) net).getConfiguration();
        String in = conf.getNetworkInputs().get(0);
        for (var e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(in) && conf.getVertices().get(e.getKey()) instanceof LayerVertex lv) {
                return new First(org.smartdeal.layers.Networks.unwrapFrozen(lv.getLayerConf().getLayer()),
                        lv.getPreProcessor());
            }
        }
        return new First(null, null);
    }

    /**
     * An example of {@code --input} for a network that does not state its input shape, for messages: with the
     * channels its first convolution takes ("e.g. --input 3x32x32 (3 channels, as its first convolution takes;
     * height and width those of your images)"; 1x28x28 for one channel), or Fashion-MNIST's 1x28x28 when no layer
     * states them.
     */
    static String inputExample(Model net) {
        return inputExample(firstChannels(deciding(net)));
    }

    private static String inputExample(long channels) {
        if (channels <= 0) {
            return "e.g. --input 1x28x28";
        }
        return "e.g. --input " + channels + (channels == 1 ? "x28x28 (1 channel" : "x32x32 (" + channels + " channels")
                + ", as its first convolution takes; height and width those of your images)";
    }

    /** The channels the deciding layer takes when it is a convolution, else 0 (it states none). */
    private static long firstChannels(First f) {
        return f.layer() instanceof ConvolutionLayer c ? c.getNIn() : 0;
    }

    /**
     * The layer that decides whether a network takes rows or images: its first layer or, past first layers that take
     * either (batch normalization, activation, dropout, PReLU) without a preprocessor, the next one; in a graph, the
     * layers (or reshaping vertices) the input reaches through such layers and through vertices that are not layers,
     * a layer that takes images deciding for images. A batch normalization
     * first states only its channels, and taken as deciding, a CNN starting with one was read as taking rows.
     */
    private static First deciding(Model net) {
        First f = first(net);
        if (net instanceof MultiLayerNetwork m) {
            if (f.pre() != null || !eitherKind(f.layer())) {
                return f;
            }
            var conf = m.getLayerWiseConfigurations();
            for (int i = 1; i < conf.getConfs().size(); i++) {
                if (conf.getInputPreProcess(i) != null) {
                    return f;
                }
                Layer l = org.smartdeal.layers.Networks.unwrapFrozen(conf.getConf(i).getLayer());
                if (!eitherKind(l)) {
                    return new First(l, null);
                }
            }
            return f;
        }
        // a graph: breadth first from the input, through vertices that are not layers (scale, shift, merge, ...) and
        // layers that take either, to the layers that decide; one that takes images decides for images
        var conf = ((ComputationGraph) net).getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            return f;
        }
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(conf.getNetworkInputs().get(0)));
        java.util.Set<String> seen = new java.util.HashSet<>(queue);
        First found = null;
        while (!queue.isEmpty()) {
            String at = queue.poll();
            for (var e : conf.getVertexInputs().entrySet()) {
                if (!e.getValue().contains(at) || !seen.add(e.getKey())) {
                    continue;
                }
                var vertex = conf.getVertices().get(e.getKey());
                if (vertex instanceof org.deeplearning4j.nn.conf.graph.PreprocessorVertex pv) {
                    // a reshaping vertex decides as a layer's preprocessor would
                    if (found == null) {
                        found = new First(null, pv.getPreProcessor());
                    }
                    continue;
                }
                if (!(vertex instanceof LayerVertex lv)) {
                    queue.add(e.getKey());
                    continue;
                }
                Layer l = org.smartdeal.layers.Networks.unwrapFrozen(lv.getLayerConf().getLayer());
                if (lv.getPreProcessor() == null && eitherKind(l)) {
                    queue.add(e.getKey());
                } else if (lv.getPreProcessor() == null && takesImages(l)) {
                    return new First(l, null);
                } else if (found == null) {
                    found = new First(l, lv.getPreProcessor());
                }
            }
        }
        return found != null ? found : f;
    }

    /**
     * Why a network takes sequences, which no {@code --input CxHxW} and no image data can give: its deciding layer is a
     * 1-D convolution or pooling (subclasses of the 2-D layers, whose channels it states as they do), without a
     * preprocessor.
     *
     * @param net  the network
     * @param file the model file, for the message
     * @return "FILE: the network takes sequences: its first layer, conv (Convolution1DLayer), reads [examples, 2
     *     channels, steps], a shape --input CxHxW cannot give", or null when it does not read sequences so
     */
    static String sequences(Model net, Path file) {
        return sequences(deciding(net), file);
    }

    private static String sequences(First f, Path file) {
        if (f.pre() != null || !(f.layer() instanceof org.deeplearning4j.nn.conf.layers.Convolution1DLayer
                || f.layer() instanceof org.deeplearning4j.nn.conf.layers.Subsampling1DLayer)) {
            return null;
        }
        long channels = firstChannels(f);
        return file + ": the network takes sequences: its first layer, " + (f.layer().getLayerName() != null
                ? f.layer().getLayerName() + " (" + f.layer().getClass().getSimpleName() + ")"
                : "a " + f.layer().getClass().getSimpleName()) + ", reads [examples, "
                + (channels > 0 ? channels + (channels == 1 ? " channel" : " channels") : "channels")
                + ", steps], a shape --input CxHxW cannot give";
    }

    /** Layers that take rows and images alike. */
    private static boolean eitherKind(Layer l) {
        return l instanceof BatchNormalization || l instanceof ActivationLayer || l instanceof DropoutLayer
                || l instanceof org.deeplearning4j.nn.conf.layers.PReLULayer;
    }

    /** Layers that take images only (a convolution states its channels; the others state nothing). */
    private static boolean takesImages(Layer l) {
        return l instanceof ConvolutionLayer || l instanceof SubsamplingLayer || l instanceof Upsampling2D
                || l instanceof ZeroPaddingLayer || l instanceof Cropping2D || l instanceof SpaceToDepthLayer
                || l instanceof SpaceToBatchLayer || l instanceof LocalResponseNormalization
                || l instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
    }

    /** The image format a layer expects: NHWC where its configuration says so, else DL4J's default NCHW. */
    private static CNN2DFormat format(Layer l) {
        CNN2DFormat f = l instanceof ConvolutionLayer c ? c.getCnn2dDataFormat()
                : l instanceof SubsamplingLayer p ? p.getCnn2dDataFormat()
                : l instanceof Upsampling2D u ? u.getFormat()
                : l instanceof ZeroPaddingLayer z ? z.getDataFormat()
                : l instanceof Cropping2D c2 ? c2.getDataFormat()
                : l instanceof SpaceToDepthLayer d ? d.getDataFormat() : null;
        return f == null ? CNN2DFormat.NCHW : f;
    }

    /**
     * The number of indices a network's first layer knows when it reads word indices (an embedding layer, or an
     * embedding-sequence layer, without a preprocessor before it): its nIn; else 0. Random inputs for such a network
     * must be indices in [0, nIn), not values in [0, 1), which all read as index 0.
     */
    static long embeddingIndices(Model net) {
        First f = deciding(net);
        return f.pre() == null && (f.layer() instanceof EmbeddingLayer || f.layer() instanceof EmbeddingSequenceLayer)
                ? ((FeedForwardLayer) f.layer()).getNIn() : 0;
    }

    /**
     * The input type of a loaded network: from its flat-input preprocessor or its first layer's nIn (an embedding
     * layer's: one index per example; an embedding-sequence layer's: its inputLength indices).
     *
     * @param net the network
     * @param shape {@code [C, H, W]} the user gave ({@code --input} of energy and convert), or null; a first layer
     *     that takes rows (a dense one, without a preprocessor) takes it as C*H*W values
     * @param dataSize true to take a convolution first layer without a preprocessor at Fashion-MNIST's 28x28
     *     (a convolution takes any size; its channels are what must match) and a first layer of no stated size
     *     as taking rows of 784 values, false to require {@code shape} in those cases
     * @param file the model file, for messages
     * @return the type
     * @throws BadInputException when the type cannot be inferred, or {@code shape}'s channels are not the
     *     first convolution's
     */
    static InputType inputType(Model net, int[] shape, boolean dataSize, Path file) {
        First f = deciding(net);
        String sequences = sequences(f, file);
        if (sequences != null) {
            throw new BadInputException(sequences);
        }
        if (f.pre() instanceof FeedForwardToCnnPreProcessor p) {
            return shape != null ? InputType.convolutionalFlat(shape[1], shape[2], shape[0])
                    : InputType.convolutionalFlat(p.getInputHeight(), p.getInputWidth(), p.getNumChannels());
        }
        if (f.pre() instanceof CnnToFeedForwardPreProcessor p && p.getInputHeight() > 0 && p.getInputWidth() > 0
                && p.getNumChannels() > 0) {
            // a first layer that takes rows behind a reshaping preprocessor (setInputType(convolutional(...)) puts one
            // before a dense first layer): the network takes the images the preprocessor states
            if (shape != null) {
                return InputType.convolutional(shape[1], shape[2], shape[0], p.getFormat());
            }
            return InputType.convolutional(p.getInputHeight(), p.getInputWidth(), p.getNumChannels(), p.getFormat());
        }
        if (f.pre() == null && takesImages(f.layer())) {
            CNN2DFormat format = format(f.layer());
            long channels = firstChannels(f);
            if (shape != null && channels > 0 && channels != shape[0]) {
                throw new BadInputException("--input " + shape[0] + "x" + shape[1] + "x" + shape[2] + " gives " + shape[0]
                        + (shape[0] == 1 ? " channel" : " channels") + ", but the first layer of " + file
                        + " (a convolution) takes " + channels);
            }
            if (shape != null) {
                return InputType.convolutional(shape[1], shape[2], shape[0], format);
            }
            if (dataSize) {
                // a layer that states no channels (pooling, upsampling, padding) takes Fashion-MNIST's one
                return InputType.convolutional(28, 28, channels > 0 ? channels : 1, format);
            }
            throw new BadInputException(file + ": the network takes images of a size it does not state (its first "
                    + "layer that takes them, " + (f.layer() instanceof ConvolutionLayer ? "a convolution"
                    : "a " + f.layer().getClass().getSimpleName()) + ", has no flat-input preprocessor); give the input "
                    + "shape with --input CxHxW, " + inputExample(channels));
        }
        if (shape != null) {
            InputType image = InputType.convolutional(shape[1], shape[2], shape[0]);
            return takesRows(f, image) ? InputType.feedForward((long) shape[0] * shape[1] * shape[2]) : image;
        }
        if (f.layer() instanceof EmbeddingLayer && f.pre() == null) {
            // one index per example, not a row of nIn values (nIn is the number of indices it knows)
            return InputType.feedForward(1);
        }
        if (f.layer() instanceof EmbeddingSequenceLayer e && f.pre() == null) {
            // a row of inputLength indices per example (its nIn is the number of indices it knows, which was taken
            // as the sequence's length)
            return InputType.feedForward(e.getInputLength());
        }
        if (f.layer() instanceof FeedForwardLayer ff) {
            return InputType.feedForward(ff.getNIn());
        }
        if (dataSize) {
            // a first layer that names no input size (e.g. an activation or dropout layer, or a vertex first in a
            // graph): the data goes in as rows of 784 values, and the network's own check decides
            return InputType.feedForward(FashionMnist.PIXELS);
        }
        throw new BadInputException(file + ": cannot infer the input type from the first layer ("
                + (f.layer() == null ? "none" : f.layer().getClass().getSimpleName()) + "); give --input CxHxW");
    }

    /**
     * Whether a network's first layer takes an image of this shape as rows of C*H*W values: it takes rows (DL4J would
     * put a CnnToFeedForward preprocessor before it, as before a dense or output layer) and the network has no
     * preprocessor there, so its data comes flat.
     */
    private static boolean takesRows(First f, InputType image) {
        if (f.layer() == null || f.pre() != null) {
            return false;
        }
        try {
            return f.layer().getPreProcessorForInputType(image) instanceof CnnToFeedForwardPreProcessor;
        } catch (RuntimeException e) {
            return false; // the layer refuses the image: the checks that follow name the problem
        }
    }

    /**
     * The value of a command's {@code --input CxHxW} option (energy and convert), or null when it is not given.
     *
     * @param cl    the command, for the usage error
     * @param input the option's value, or null
     * @return {C, H, W}, or null
     * @throws picocli.CommandLine.ParameterException (exit 2) when the value is not three positive integers
     */
    static int[] parseShape(picocli.CommandLine cl, String input) {
        if (input == null) {
            return null;
        }
        int[] v = parseShape(input);
        if (v == null) {
            throw new picocli.CommandLine.ParameterException(cl,
                    "--input must be CxHxW with positive integers, e.g. 1x28x28, got '" + input + "'");
        }
        return v;
    }

    /**
     * The value of an {@code --input CxHxW} option.
     *
     * @param input the option's value, e.g. {@code 1x28x28} (an upper-case X is taken too)
     * @return {C, H, W}, or null when the value is not three positive integers joined by x
     */
    static int[] parseShape(String input) {
        String[] p = input.toLowerCase(Locale.ROOT).split("x", -1);
        if (p.length != 3) {
            return null;
        }
        try {
            int[] v = {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
            return v[0] >= 1 && v[1] >= 1 && v[2] >= 1 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The input type a network states by itself, for checks that need one (convert's layer sizes): from a flat-input
     * preprocessor or a first layer's nIn ({@link #inputType} without a shape), where the first layer takes it.
     *
     * @param net  the network
     * @param file the model file
     * @return the type, or null when the network does not state it: a convolution first layer without a flat-input
     *     preprocessor, a first layer of no stated size, a graph of several inputs, or a first layer that does not
     *     take feed-forward rows of its nIn (a recurrent one: its nIn is the width of each time step)
     */
    static InputType statedInputType(Model net, Path file) {
        if (net instanceof ComputationGraph g && g.getConfiguration().getNetworkInputs().size() != 1) {
            return null;
        }
        InputType type;
        try {
            type = inputType(net, null, false, file);
        } catch (BadInputException e) {
            return null;
        }
        First f = first(net);
        try {
            f.layer().getOutputType(0, f.pre() == null ? type : f.pre().getOutputType(type));
            return type;
        } catch (RuntimeException e) {
            // DL4J's usual exceptions, and on a crafted file any other (ConfigurationCheck.describe): not stated
            return null;
        }
    }

    /**
     * Checks that a network of input type {@code type} takes Fashion-MNIST's images, and says how.
     *
     * @param type the network's input type
     * @param name the network's name, for the message
     * @return the layout to feed
     * @throws BadInputException "--data fashion-mnist gives 1x28x28 images (784 values), but NAME takes ..."
     */
    static Layout layout(InputType type, String name) {
        return layout(type, name, null);
    }

    /**
     * {@link #layout(InputType, String)} for a network whose input shape a .sdm file records: a refusal names it.
     *
     * @param recorded the recorded {@code [channels, height, width]}, or null
     */
    static Layout layout(InputType type, String name, int[] recorded) {
        if (type instanceof InputType.InputTypeConvolutionalFlat cf && cf.getHeight() == 28 && cf.getWidth() == 28
                && cf.getDepth() == 1 || type instanceof InputType.InputTypeFeedForward ff && ff.getSize() == FashionMnist.PIXELS) {
            return Layout.FLAT;
        }
        if (type instanceof InputType.InputTypeConvolutional ci && ci.getHeight() == 28 && ci.getWidth() == 28
                && ci.getChannels() == 1) {
            return ci.getFormat() == CNN2DFormat.NHWC ? Layout.IMAGE_NHWC : Layout.IMAGE;
        }
        // a convolution first layer states its channels, not its image size: name only what is known
        String takes = recorded != null && recorded.length == 3
                ? recorded[0] + "x" + recorded[1] + "x" + recorded[2] + " images (the input shape the file records)"
                : type instanceof InputType.InputTypeConvolutional ci && ci.getChannels() != 1
                ? "images of " + ci.getChannels() + " channels" : describe(type);
        throw new BadInputException("--data fashion-mnist gives 1x28x28 images (784 values), but " + name + " takes "
                + takes);
    }

    /**
     * Requires a network with one output of Fashion-MNIST's 10 classes, from an output layer (one with a loss
     * function), before any data goes through it.
     *
     * @param net  the network
     * @param file the model file, for the message
     * @throws BadInputException "FILE: the network has 5 outputs, but Fashion-MNIST has 10 classes"
     */
    static void requireTenClasses(Model net, Path file) {
        List<Layer> outputs = new ArrayList<>();
        if (net instanceof MultiLayerNetwork m) {
            var conf = m.getLayerWiseConfigurations();
            outputs.add(conf.getConf(conf.getConfs().size() - 1).getLayer());
        } else if (net instanceof ComputationGraph g) {
            var conf = g.getConfiguration();
            for (String o : conf.getNetworkOutputs()) {
                outputs.add(conf.getVertices().get(o) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null);
            }
        }
        if (outputs.size() != 1) {
            throw new BadInputException(file + ": the network has " + outputs.size() + " outputs; Fashion-MNIST needs one, "
                    + "of its " + FashionMnist.CLASSES + " classes");
        }
        org.deeplearning4j.nn.api.Layer last = net instanceof MultiLayerNetwork m ? m.getOutputLayer()
                : ((ComputationGraph) net).getOutputLayer(0);
        if (!(last instanceof org.deeplearning4j.nn.api.layers.IOutputLayer)) {
            // DL4J fails only when it scores the first minibatch ("Cannot calculate score ... without an OutputLayer")
            throw new BadInputException(file + ": the network's last layer"
                    + (last == null ? "" : ", " + last.conf().getLayer().getClass().getSimpleName() + ",")
                    + " is not an output layer (one with a loss function, such as OutputLayer), so it has no loss or "
                    + "classes to score on Fashion-MNIST");
        }
        // a LossLayer passes its input on and states no classes (nOut 0); the forward check reads its width
        if (outputs.get(0) instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer ff
                && ff.getNOut() != FashionMnist.CLASSES) {
            throw new BadInputException(file + ": the network's output layer has " + ff.getNOut() + " units, but "
                    + "Fashion-MNIST has " + FashionMnist.CLASSES + " classes");
        }
    }

    /**
     * Requires the output a forward pass gave ({@link ForwardCheck#requireRuns}) to be one row of Fashion-MNIST's 10
     * class scores per example: the output layer's stated nOut is not always what it gives (a LossLayer passes its
     * input on whatever nOut its file states, a fuzzing audit found one stating 10 and giving 12).
     *
     * @param shape the output's shape, or null when the forward pass was not run
     * @param file  the model file, for the message
     * @throws BadInputException "FILE: the network's output has shape [2, 12] for 2 examples, but Fashion-MNIST needs
     *     one row of 10 class scores per example"
     */
    static void requireTenClassOutput(long[] shape, Path file) {
        if (shape != null && (shape.length != 2 || shape[1] != FashionMnist.CLASSES)) {
            throw new BadInputException(file + ": the network's output has shape " + java.util.Arrays.toString(shape)
                    + " for " + ForwardCheck.EXAMPLES + " examples, but Fashion-MNIST needs one row of "
                    + FashionMnist.CLASSES + " class scores per example");
        }
    }

    /** An input type in words: {@code 3x32x32 images}, {@code rows of 100 values}. */
    static String describe(InputType type) {
        if (type instanceof InputType.InputTypeConvolutionalFlat cf) {
            return String.format(Locale.ROOT, "%dx%dx%d images given flat (%d values)", cf.getDepth(), cf.getHeight(),
                    cf.getWidth(), cf.getDepth() * cf.getHeight() * cf.getWidth());
        }
        if (type instanceof InputType.InputTypeConvolutional ci) {
            return String.format(Locale.ROOT, "%dx%dx%d images", ci.getChannels(), ci.getHeight(), ci.getWidth());
        }
        if (type instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize() == 1 ? "one value per example (an embedding layer's index, say)"
                    : "rows of " + ff.getSize() + " values";
        }
        return type.toString();
    }

    /**
     * Makes an iterator over Fashion-MNIST give what the network takes.
     *
     * @param it the iterator (rows of 784 values)
     * @param layout from {@link #layout}
     */
    static void apply(InMemoryDataSetIterator it, Layout layout) {
        if (layout == Layout.IMAGE) {
            FashionMnist.asImages(it);
        } else if (layout == Layout.IMAGE_NHWC) {
            // one channel: the rows' pixel order is already height, width, channel
            it.setPreProcessor(ds -> ds.setFeatures(ds.getFeatures().reshape(ds.getFeatures().size(0), 28, 28, 1)));
        }
    }

    /**
     * For a command that gives a DL4J zip Fashion-MNIST pixels scaled to [0, 1] and writes a .sdm (which carries no
     * normaliser): a zip saved with a data normaliser expects its inputs processed by it ({@code evaluate} applies
     * it), so it is refused (exit 3) unless it is an ImagePreProcessingScaler of 0-255 bytes to [0, 1], which gives
     * exactly those pixels.
     *
     * @param what    the file as the command names it ("--dense net.zip", "net.zip")
     * @param file    the zip
     * @param command the command's name ("demo")
     * @param does    what it does with the pixels ("trains and scores")
     * @throws BadInputException "--dense net.zip: holds a data normaliser (NormalizerStandardize, ...), which demo does
     *     not apply: demo trains and scores on Fashion-MNIST pixels scaled to [0, 1], ..."
     */
    static void requireNoNormaliserBeyondUnitPixels(String what, Path file, String command, String does) {
        org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> n = ModelFiles.normalizer(file);
        if (n == null || n instanceof org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler s
                && s.getMinRange() == 0 && s.getMaxRange() == 1 && s.getMaxPixelVal() == 255) {
            return;
        }
        String kind = n.getClass().getSimpleName()
                + (n instanceof org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler s
                ? " to [" + Numbers.plain(s.getMinRange()) + ", " + Numbers.plain(s.getMaxRange()) + "] of 0-"
                + Numbers.plain(s.getMaxPixelVal()) : "");
        throw new BadInputException(what + ": holds a data normaliser (" + kind + ", ModelSerializer."
                + "addNormalizerToModel), which " + command + " does not apply: " + command + " " + does
                + " on Fashion-MNIST pixels "
                + "scaled to [0, 1], and its .sdm carries no normaliser; give a network trained on those pixels");
    }

    /**
     * Feeds the network what it was trained on: the images in its layout, then processed by the zip's normaliser, as
     * DL4J's own evaluation of a network restored with its normaliser does. The normaliser gets the pixels scaled to
     * [0, 1], as DL4J's MNIST iterators give them, except an ImagePreProcessingScaler, which gets the 0-255 bytes it
     * is made to scale. {@code evaluate} and {@code energy --data} use it.
     *
     * @param it         the test images, already laid out for the network; its preprocessor is extended
     * @param normalizer the zip's normaliser ({@link ModelFiles#normalizer})
     * @param file       the model file, for the message
     * @throws BadInputException for a normaliser of a kind that cannot be applied to one input
     */
    static void normalise(InMemoryDataSetIterator it, org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer,
            Path file) {
        org.nd4j.linalg.dataset.api.DataSetPreProcessor layoutStep = it.getPreProcessor();
        org.nd4j.linalg.dataset.api.DataSetPreProcessor step;
        if (normalizer instanceof org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler scaler) {
            // it scales image bytes, 0-255, which FashionMnist has already divided by 255: give it the bytes
            step = ds -> {
                ds.setFeatures(ds.getFeatures().mul(255));
                scaler.preProcess(ds);
            };
        } else if (normalizer instanceof org.nd4j.linalg.dataset.api.preprocessor.DataNormalization n) {
            step = n;
        } else if (normalizer instanceof org.nd4j.linalg.dataset.api.preprocessor.MultiDataNormalization n) {
            // a graph's normaliser: its one input and output
            step = ds -> {
                org.nd4j.linalg.dataset.MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(ds.getFeatures(),
                        ds.getLabels());
                n.preProcess(m);
                ds.setFeatures(m.getFeatures(0));
                ds.setLabels(m.getLabels(0));
            };
        } else {
            throw new BadInputException(file + ": holds a data normaliser of a kind that cannot be applied to the test "
                    + "images (" + normalizer.getClass().getName() + "; DataNormalization and MultiDataNormalization are "
                    + "applied)");
        }
        it.setPreProcessor(ds -> {
            if (layoutStep != null) {
                layoutStep.preProcess(ds);
            }
            step.preProcess(ds);
        });
    }
}
