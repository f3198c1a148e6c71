package org.smartdeal.codec;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.exception.DL4JException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.smartdeal.layers.Networks;

/**
 * Settings of a DL4J configuration read from a file that DL4J itself checks only when it first runs the network
 * (a file whose settings break them loads, then fails at the first output: a native crash, a division by zero, an
 * allocation of terabytes, or no output at all). Both readers apply them before building: the {@code .sdm} reader
 * ({@link SdModelFile}) and the command line's DL4J {@code .zip} loader. Each method throws an
 * {@link IllegalArgumentException} whose message names the setting, the rule and the value; callers add the file
 * and the layer.
 */
public final class ConfigurationCheck {

    private ConfigurationCheck() {
    }

    /**
     * Every rule of this class over a MultiLayerNetwork configuration: its data type, and each layer's windows,
     * sizes, depth multiplier and activation function (a frozen layer's inner layer's) and input preprocessor.
     *
     * @param conf the configuration
     * @throws IllegalArgumentException naming the layer as {@code Class(name=..., index=i)}, the rule and the value
     */
    public static void network(MultiLayerConfiguration conf) {
        dataType(conf.getDataType());
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = conf.getConf(i) == null ? null : conf.getConf(i).getLayer();
            if (l != null) {
                layer(l, conf.getInputPreProcess(i), where(l, l.getLayerName(), i));
            }
        }
    }

    /**
     * Every rule of this class over a ComputationGraph configuration: its data type, its outputs (at least one, each
     * a vertex, each named once), no cycle, each layer vertex's windows, sizes, depth multiplier and activation
     * function (a frozen layer's inner layer's) and input preprocessor, and the cached vertex order.
     *
     * @param conf the configuration
     * @throws IllegalArgumentException naming the layer as {@code Class(name=...)} (the vertex name when the layer
     *                                  has none), the rule and the value
     */
    public static void network(ComputationGraphConfiguration conf) {
        dataType(conf.getDataType());
        outputs(conf);
        acyclic(conf);
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            if (v.getValue() instanceof LayerVertex lv && lv.getLayerConf() != null
                    && lv.getLayerConf().getLayer() != null) {
                Layer l = lv.getLayerConf().getLayer();
                layer(l, lv.getPreProcessor(), where(l, layerName(l, v.getKey()), -1));
            }
        }
        cachedOrder(conf);
    }

    /**
     * A graph's outputs must be vertices of the graph, at least one, each named once: DL4J's builder checks this, its
     * loader does not, and a file naming an output twice ran with a null second output; one naming none was priced
     * and converted (a fuzzing audit).
     */
    private static void outputs(ComputationGraphConfiguration conf) {
        List<String> outputs = conf.getNetworkOutputs();
        if (outputs == null || outputs.isEmpty()) {
            throw new IllegalArgumentException("networkOutputs must name at least one vertex, got " + outputs);
        }
        if (new java.util.HashSet<>(outputs).size() != outputs.size()) {
            throw new IllegalArgumentException("networkOutputs must name each vertex once, got " + outputs);
        }
        for (String o : outputs) {
            if (o == null || !conf.getVertices().containsKey(o)) {
                throw new IllegalArgumentException("networkOutputs names '" + o + "', which is not a vertex of the graph "
                        + "(its vertices: " + conf.getVertices().keySet() + ")");
            }
        }
    }

    /**
     * The vertex order a file caches ({@code topologicalOrder} and {@code topologicalOrderStr}), which DL4J uses as
     * it stands to number the vertices, lay out the parameters and run the graph, must be the order DL4J computes
     * from the graph itself (what it wrote when it saved the file): a permuted cache loaded, then ran or converted
     * the vertices on the wrong parameters (a fuzzing audit). A configuration without the cache passes.
     */
    private static void cachedOrder(ComputationGraphConfiguration conf) {
        if (conf.getTopologicalOrder() == null || conf.getTopologicalOrderStr() == null) {
            return;
        }
        ComputationGraphConfiguration fresh = conf.clone();
        fresh.setTopologicalOrder(null);
        fresh.setTopologicalOrderStr(null);
        org.deeplearning4j.nn.graph.util.GraphIndices computed;
        try {
            computed = new ComputationGraph(fresh).calculateIndices();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("DL4J cannot order the graph's vertices: " + e.getMessage(), e);
        }
        List<String> names = new java.util.ArrayList<>();
        for (int i : computed.getTopologicalSortOrder()) {
            names.add(computed.getIdxToName().get(i));
        }
        if (!Arrays.equals(computed.getTopologicalSortOrder(), conf.getTopologicalOrder())
                || !names.equals(conf.getTopologicalOrderStr())) {
            throw new IllegalArgumentException("the cached vertex order (topologicalOrder " + Arrays.toString(
                    conf.getTopologicalOrder()) + ", topologicalOrderStr " + conf.getTopologicalOrderStr() + ") is not "
                    + "the graph's (" + Arrays.toString(computed.getTopologicalSortOrder()) + ", " + names + ")");
        }
    }

    /** A layer as messages name it: {@code Class(name=..., index=i)}, without the index when {@code index < 0}. */
    private static String where(Layer layer, String name, int index) {
        return layer.getClass().getSimpleName() + "(name=" + name + (index < 0 ? "" : ", index=" + index) + ")";
    }

    /** A graph layer's name: its own, else its vertex's. */
    private static String layerName(Layer layer, String vertex) {
        return layer.getLayerName() != null ? layer.getLayerName() : vertex;
    }

    /**
     * One layer's windows, sizes and activation function (a frozen layer's inner layer's) and its preprocessor, the
     * message prefixed with {@code where}.
     */
    private static void layer(Layer layer, InputPreProcessor preProcessor, String where) {
        Layer inner = Networks.unwrapFrozen(layer);
        try {
            windows(inner);
            sizes(inner);
            int multiplier = inner instanceof org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D d
                    ? d.getDepthMultiplier() : inner instanceof org.deeplearning4j.nn.conf.layers.SeparableConvolution2D sc
                    ? sc.getDepthMultiplier() : 1;
            if (multiplier < 1) {
                // DL4J's builders refuse it; a file that holds one gave a layer of empty parameter arrays
                throw new IllegalArgumentException("depthMultiplier must be >= 1, got " + multiplier);
            }
            if (inner instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b && b.getActivationFn() == null) {
                // DL4J writes every such layer's activation; without it the first forward pass meets a null
                throw new IllegalArgumentException("activationFn is missing");
            }
            preProcessor(preProcessor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * A layer's nIn and nOut must be in [0, 2^31 - 1] and its weight count nIn x nOut (x the kernel's entries, for a
     * convolution) must not overflow: DL4J multiplies them without checking, so a crafted nIn of 2^62 counted as a
     * few parameters, loaded, and failed later with an arithmetic error (a fuzzing audit). Other layers pass.
     *
     * @param layer a layer configuration (a frozen layer's inner layer)
     */
    public static void sizes(Layer layer) {
        if (!(layer instanceof FeedForwardLayer ff)) {
            return;
        }
        for (long v : new long[] {ff.getNIn(), ff.getNOut()}) {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("nIn and nOut must be in [0, " + Integer.MAX_VALUE + "], got nIn "
                        + ff.getNIn() + ", nOut " + ff.getNOut());
            }
        }
        try {
            long n = Math.multiplyExact(ff.getNIn(), ff.getNOut());
            if (layer instanceof ConvolutionLayer c && c.getKernelSize() != null) {
                for (int k : c.getKernelSize()) {
                    n = Math.multiplyExact(n, (long) k);
                }
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the weight count nIn x nOut" + (layer instanceof ConvolutionLayer
                    ? " x kernel" : "") + " overflows a 64-bit count: nIn " + ff.getNIn() + ", nOut " + ff.getNOut(), e);
        }
    }

    /**
     * The parameters' data type must be a floating-point one (DOUBLE, FLOAT, HALF or BFLOAT16).
     *
     * @param type the configuration's data type, possibly null
     */
    public static void dataType(DataType type) {
        if (type == null || !type.isFPType()) {
            throw new IllegalArgumentException("dataType must be a floating-point type (DOUBLE, FLOAT, HALF or"
                    + " BFLOAT16), got " + type);
        }
    }

    /**
     * The windows of a convolution or pooling layer (any other layer passes): kernel size and dilation &gt;= 1,
     * stride &gt;= 1, padding &gt;= 0 and, where it pads the input (not in Same mode, not for a transposed
     * convolution), at most the kernel's extent (k - 1) d + 1 in each dimension, a convolution mode, and no
     * {@code Causal} mode on a 2-D layer. Whether the windows fit the input is not
     * checked (a configuration does not always state the input size).
     *
     * @param layer a layer configuration (a frozen layer's inner layer)
     */
    public static void windows(Layer layer) {
        int[][] windows;
        ConvolutionMode mode;
        boolean oneD;
        if (layer instanceof ConvolutionLayer c) {
            windows = new int[][] {c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation()};
            mode = c.getConvolutionMode();
            oneD = layer instanceof Convolution1DLayer;
        } else if (layer instanceof SubsamplingLayer p) {
            windows = new int[][] {p.getKernelSize(), p.getStride(), p.getPadding(), p.getDilation()};
            mode = p.getConvolutionMode();
            oneD = layer instanceof Subsampling1DLayer;
        } else {
            return;
        }
        String[] fields = {"kernelSize", "stride", "padding", "dilation"};
        int[] least = {1, 1, 0, 1};
        for (int i = 0; i < fields.length; i++) {
            window(fields[i], windows[i], least[i]);
        }
        // one entry per spatial dimension in every array: DL4J indexes them by dimension (stride [1] on a 2-D
        // convolution failed inside DL4J's shape code)
        boolean threeD = layer instanceof org.deeplearning4j.nn.conf.layers.Convolution3D
                || layer instanceof Deconvolution3D;
        int dims = windows[0].length;
        boolean rankOk = threeD ? dims == 3 : oneD ? dims == 1 || dims == 2 : dims == 2;
        for (int i = 0; i < fields.length; i++) {
            if (!rankOk || windows[i].length != dims) {
                throw new IllegalArgumentException("kernelSize, stride, padding and dilation must each have one entry "
                        + "per spatial dimension (" + (threeD ? "3" : oneD ? "1 or 2" : "2") + "), got kernelSize "
                        + Arrays.toString(windows[0]) + ", stride " + Arrays.toString(windows[1]) + ", padding "
                        + Arrays.toString(windows[2]) + ", dilation " + Arrays.toString(windows[3]));
            }
        }
        int[] k = windows[0];
        int[] pad = windows[2];
        int[] d = windows[3];
        // Same mode ignores the configured padding; a transposed convolution's padding trims its output
        boolean padded = mode != ConvolutionMode.Same && !(layer instanceof Deconvolution2D)
                && !(layer instanceof Deconvolution3D);
        if (padded && pad.length == k.length && d.length == k.length) {
            for (int i = 0; i < k.length; i++) {
                long extent = (long) (k[i] - 1) * d[i] + 1;
                if (pad[i] > extent) {
                    throw new IllegalArgumentException("padding must be at most the kernel's extent (k - 1) d + 1 in"
                            + " every dimension, got padding " + Arrays.toString(pad) + " for kernel "
                            + Arrays.toString(k) + " and dilation " + Arrays.toString(d));
                }
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("convolutionMode is missing");
        }
        if (mode == ConvolutionMode.Causal && !oneD) {
            throw new IllegalArgumentException("convolutionMode Causal applies to 1-D layers only");
        }
    }

    private static void window(String field, int[] v, int min) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException(field + " is missing");
        }
        for (int x : v) {
            if (x < min) {
                throw new IllegalArgumentException(field + " must be >= " + min + " in every dimension, got "
                        + Arrays.toString(v));
            }
        }
    }

    /**
     * The image size of a reshaping preprocessor between dense and convolutional layers (DL4J's
     * {@code FeedForwardToCnnPreProcessor} and {@code CnnToFeedForwardPreProcessor}) must be at least 1 x 1 x 1,
     * except a {@code CnnToFeedForwardPreProcessor} of 0 x 0 x 0, which takes its shape from the input; other
     * preprocessors, and null, pass.
     *
     * @param preProcessor a layer's input preprocessor, possibly null
     */
    public static void preProcessor(InputPreProcessor preProcessor) {
        long h;
        long w;
        long c;
        if (preProcessor instanceof FeedForwardToCnnPreProcessor p) {
            h = p.getInputHeight();
            w = p.getInputWidth();
            c = p.getNumChannels();
        } else if (preProcessor instanceof CnnToFeedForwardPreProcessor p) {
            h = p.getInputHeight();
            w = p.getInputWidth();
            c = p.getNumChannels();
            if (h == 0 && w == 0 && c == 0) {
                return; // DL4J's "take the shape from the input" (its no-argument constructor)
            }
        } else {
            return;
        }
        if (h < 1 || w < 1 || c < 1) {
            throw new IllegalArgumentException(preProcessor.getClass().getSimpleName() + ": height, width and channels"
                    + " must be >= 1, got " + h + " x " + w + " x " + c);
        }
    }

    /**
     * A graph's vertices must not feed themselves: every input a vertex names is a network input or a vertex, and
     * following inputs never comes back to where it started (DL4J's graph configuration from JSON admits a cycle,
     * and the network then never produces an output).
     *
     * @param conf a ComputationGraph configuration
     */
    public static void acyclic(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs() == null ? Map.of() : conf.getVertexInputs();
        List<String> networkInputs = conf.getNetworkInputs() == null ? List.of() : conf.getNetworkInputs();
        Map<String, Integer> state = new HashMap<>(); // 1: on the current path, 2: done
        for (String v : inputs.keySet()) {
            visit(v, inputs, networkInputs, state);
        }
    }

    /** Depth-first over inputs, with an explicit stack (a long chain of vertices must not overflow the JVM's). */
    private static void visit(String start, Map<String, List<String>> inputs, List<String> networkInputs,
            Map<String, Integer> state) {
        if (state.containsKey(start)) {
            return;
        }
        java.util.ArrayDeque<String> path = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<java.util.Iterator<String>> next = new java.util.ArrayDeque<>();
        state.put(start, 1);
        path.push(start);
        next.push(inputs.getOrDefault(start, List.of()).iterator());
        while (!path.isEmpty()) {
            if (!next.peek().hasNext()) {
                state.put(path.pop(), 2);
                next.pop();
                continue;
            }
            String in = next.peek().next();
            if (networkInputs.contains(in) && !inputs.containsKey(in)) {
                continue;
            }
            if (!inputs.containsKey(in)) {
                throw new IllegalArgumentException("vertex '" + path.peek() + "' takes input '" + in
                        + "', which is neither a vertex nor a network input");
            }
            Integer s = state.get(in);
            if (s != null && s == 1) {
                throw new IllegalArgumentException("vertex '" + in + "' feeds itself through '" + path.peek()
                        + "': the graph has a cycle");
            }
            if (s == null) {
                state.put(in, 1);
                path.push(in);
                next.push(inputs.getOrDefault(in, List.of()).iterator());
            }
        }
    }

    /**
     * Every layer's stated input size must be the size its input has: DL4J reads a configuration without
     * comparing them and fails only at the first forward pass (a {@code DenseLayer} of nIn=50 after one of nOut=100,
     * a convolution of nIn=8 after one of 16 channels). The input types are propagated from {@code input} with DL4J's
     * own rules (each preprocessor's and layer's {@code getOutputType}), and each layer's nIn is compared with the
     * value DL4J itself derives from its incoming type ({@code FeedForwardLayer.setNIn}, on a copy): the size of a
     * feed-forward or recurrent input, the flattened size of a flat image input to a dense-like layer, the channels of
     * a convolutional one (2-D, 3-D, depthwise, separable, transposed, and {@code BatchNormalization}, whose nIn is
     * the channels or the size), the same for the SD layers. A frozen layer's inner layer is checked. A
     * {@code CnnToFeedForwardPreProcessor} that states its shape must state its input's, a
     * {@code BatchNormalization}'s nOut must be its nIn, and an {@code ElementWiseVertex}'s inputs must have one shape
     * (DL4J's type derivation passes all three). A {@code GlobalPoolingLayer} over a sequence gives rows of the
     * sequence's size, as it does when it runs (collapsing its dimensions, the default), where DL4J's own type
     * derivation says the sequence.
     *
     * <p>Not checked (the types are still propagated through them): a layer whose nIn is 0 (not set); the embedding
     * layers, whose nIn is the vocabulary size; layers without parameters (the loss layers, {@code DropoutLayer},
     * {@code RepeatVector}), whose nIn sizes nothing; layers that are not {@code FeedForwardLayer}s (pooling,
     * activation, PReLU, SameDiff layers, the recurrent wrappers); other preprocessors than the two reshaping ones
     * beyond what their {@code getOutputType} checks.
     *
     * @param conf  the configuration
     * @param input the type of the network's input
     * @throws IllegalArgumentException naming the layer as {@code Class(name=..., index=i)}, the rule and both values,
     *                                  e.g. "DenseLayer(name=fc2, index=1) takes nIn=50 but its input has 100 values
     *                                  (from layer fc1's nOut)", or the layer where DL4J cannot derive a type
     */
    public static void inputSizes(MultiLayerConfiguration conf, InputType input) {
        InputType t = input;
        From from = new From("the network input", null, false);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = conf.getConf(i).getLayer();
            t = propagate(l, i, conf.getInputPreProcess(i), t, from, where(l, l.getLayerName(), i));
            // a frozen wrapper read from JSON may carry no name of its own: its inner layer's is the one given
            String name = l.getLayerName() != null ? l.getLayerName() : Networks.unwrapFrozen(l).getLayerName();
            from = new From("layer " + (name != null ? name : String.valueOf(i)), l, true);
        }
    }

    /**
     * {@link #inputSizes(MultiLayerConfiguration, InputType)} over a ComputationGraph: a layer vertex's input is its
     * input vertex's output type after the vertex's preprocessor; other vertices (merge, element-wise, subset, ...)
     * give the types DL4J's {@code getOutputType} gives.
     *
     * @param conf   the configuration (acyclic: {@link #acyclic})
     * @param inputs the types of the network's inputs, in {@code getNetworkInputs()} order
     * @throws IllegalArgumentException naming the layer as {@code Class(name=...)}, the rule and both values, or the
     *                                  vertex where DL4J cannot derive a type
     */
    public static void inputSizes(ComputationGraphConfiguration conf, InputType... inputs) {
        List<String> networkInputs = conf.getNetworkInputs();
        if (inputs.length != networkInputs.size()) {
            throw new IllegalArgumentException("the graph has " + networkInputs.size() + " inputs " + networkInputs
                    + ", got " + inputs.length + " input types");
        }
        acyclic(conf);
        Map<String, InputType> types = new HashMap<>();
        for (int k = 0; k < inputs.length; k++) {
            types.put(networkInputs.get(k), inputs[k]);
        }
        int index = 0;
        for (String v : topologicalOrder(conf)) {
            GraphVertex vertex = conf.getVertices().get(v);
            if (vertex == null) {
                throw new IllegalArgumentException("vertex '" + v + "' has inputs but no configuration");
            }
            List<String> in = conf.getVertexInputs().getOrDefault(v, List.of());
            InputType[] given = in.stream().map(types::get).toArray(InputType[]::new);
            int i = index;
            if (vertex instanceof LayerVertex lv && lv.getLayerConf() != null && lv.getLayerConf().getLayer() != null
                    && in.size() == 1) {
                Layer l = lv.getLayerConf().getLayer();
                String src = in.get(0);
                GraphVertex producer = conf.getVertices().get(src);
                Layer previous = producer instanceof LayerVertex p && p.getLayerConf() != null
                        ? p.getLayerConf().getLayer() : null;
                From from = producer == null ? new From("network input '" + src + "'", null, false)
                        : new From((previous != null ? "layer " : "vertex ") + src, previous, true);
                types.put(v, propagate(l, i, lv.getPreProcessor(), given[0], from, where(l, layerName(l, v), -1)));
            } else {
                if (vertex instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex) {
                    // DL4J's getOutputType takes the first input's type without comparing the others
                    for (int k = 1; k < given.length; k++) {
                        if (given[0] != null && given[k] != null
                                && !Arrays.equals(given[0].getShape(false), given[k].getShape(false))) {
                            throw new IllegalArgumentException("vertex '" + v + "' (ElementWiseVertex) combines inputs "
                                    + "of different shapes: " + in.get(0) + " gives " + given[0] + ", " + in.get(k)
                                    + " gives " + given[k]);
                        }
                    }
                }
                types.put(v, dl4j(() -> vertex.getOutputType(i, given), "vertex '" + v + "' ("
                        + vertex.getClass().getSimpleName() + ")", "its inputs " + in));
            }
            index++;
        }
    }

    /**
     * {@link #inputSizes(MultiLayerConfiguration, InputType)} over a network's configuration.
     *
     * @param net    a MultiLayerNetwork or ComputationGraph
     * @param inputs the types of its inputs (one for a MultiLayerNetwork)
     * @throws IllegalArgumentException as the configuration forms do, or naming the class when {@code net} is neither
     */
    public static void inputSizes(Model net, InputType... inputs) {
        if (net instanceof MultiLayerNetwork m && inputs.length == 1) {
            inputSizes(m.getLayerWiseConfigurations(), inputs[0]);
        } else if (net instanceof MultiLayerNetwork) {
            throw new IllegalArgumentException("a MultiLayerNetwork has one input, got " + inputs.length
                    + " input types");
        } else if (net instanceof ComputationGraph g) {
            inputSizes(g.getConfiguration(), inputs);
        } else {
            throw new IllegalArgumentException("inputSizes takes a MultiLayerNetwork or ComputationGraph, got "
                    + (net == null ? null : net.getClass().getName()));
        }
    }

    /**
     * The vertices of an acyclic graph, each after its inputs (Kahn's order, ties in the configuration's order). A
     * vertex that cannot be placed (one named like a network input, which a crafted file can hold) is refused rather
     * than looped on.
     */
    private static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        List<String> order = new java.util.ArrayList<>();
        java.util.Set<String> done = new java.util.HashSet<>(conf.getNetworkInputs());
        while (order.size() < inputs.size()) {
            int before = order.size();
            for (Map.Entry<String, List<String>> e : inputs.entrySet()) {
                if (!done.contains(e.getKey()) && (e.getValue() == null || done.containsAll(e.getValue()))) {
                    done.add(e.getKey());
                    order.add(e.getKey());
                }
            }
            if (order.size() == before) {
                List<String> left = inputs.keySet().stream().filter(v -> !order.contains(v)).toList();
                throw new IllegalArgumentException("vertices " + left + " cannot be ordered after their inputs"
                        + " (a vertex named like a network input " + conf.getNetworkInputs() + "?)");
            }
        }
        return order;
    }

    /**
     * One layer: its input type after its preprocessor, checked against the layer's nIn (and the preprocessor's
     * stated shape); returns the layer's output type.
     *
     * @param layer    the layer (possibly frozen)
     * @param index    its index, for DL4J's messages
     * @param pre      its preprocessor, or null
     * @param in       the type its input vertex or the previous layer gives
     * @param from  where the input comes from
     * @param where the layer, for the message
     */
    private static InputType propagate(Layer layer, int index, InputPreProcessor pre, InputType in, From from,
            String where) {
        String given = in + " (from " + from.text(false) + ")";
        if (pre instanceof CnnToFeedForwardPreProcessor p && in instanceof InputType.InputTypeConvolutional c
                && p.getNumChannels() > 0 && (p.getNumChannels() != c.getChannels()
                || p.getInputHeight() != c.getHeight() || p.getInputWidth() != c.getWidth())) {
            throw new IllegalArgumentException(where + ": its CnnToFeedForwardPreProcessor takes " + p.getNumChannels()
                    + " x " + p.getInputHeight() + " x " + p.getInputWidth() + " (channels x height x width) but its"
                    + " input is " + c.getChannels() + " x " + c.getHeight() + " x " + c.getWidth() + " (from "
                    + from.text(false) + ")");
        }
        InputType t = pre == null ? in : dl4j(() -> pre.getOutputType(in), where, given);
        Layer inner = Networks.unwrapFrozen(layer);
        if (inner instanceof FeedForwardLayer ff && ff.getNIn() > 0 && !(inner instanceof EmbeddingLayer)
                && !(inner instanceof EmbeddingSequenceLayer) && inner.initializer().numParams(inner) > 0) {
            long has = dl4j(() -> {
                FeedForwardLayer copy = (FeedForwardLayer) ff.clone();
                copy.setNIn(t, true);
                return copy.getNIn();
            }, where, given);
            if (has != ff.getNIn()) {
                boolean nOut = pre == null && Networks.unwrapFrozen(from.layer()) instanceof FeedForwardLayer f
                        && f.getNOut() == has;
                throw new IllegalArgumentException(where + " takes nIn=" + ff.getNIn() + " but its input has " + has
                        + unit(t, has) + " (from " + from.text(nOut) + (pre == null ? "" : " through its " + pre.getClass().getSimpleName()) + ")");
            }
        }
        if (inner instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn && bn.getNIn() > 0
                && bn.getNOut() != bn.getNIn()) {
            // DL4J's getOutputType passes the input through, so a batch norm stating another nOut went unnoticed
            throw new IllegalArgumentException(where + " takes nIn=" + bn.getNIn() + " but states nOut=" + bn.getNOut()
                    + "; a batch normalization's nOut is its nIn");
        }
        if (inner instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer gp && gp.isCollapseDimensions()
                && t instanceof InputType.InputTypeRecurrent r) {
            // DL4J 1.0.0-M2.1's getOutputType returns a sequence as it is, but the layer gives one row per example
            return InputType.feedForward(r.getSize());
        }
        return dl4j(() -> layer.getOutputType(index, t), where, given);
    }

    /** What DL4J derives an nIn of {@code n} from, in words: " values", " channels", " values per time step". */
    private static String unit(InputType in, long n) {
        boolean channels = in instanceof InputType.InputTypeConvolutional
                || in instanceof InputType.InputTypeConvolutional3D
                || in instanceof InputType.InputTypeConvolutionalFlat f && n != f.getFlattenedSize();
        if (channels) {
            return n == 1 ? " channel" : " channels";
        }
        return (n == 1 ? " value" : " values") + (in instanceof InputType.InputTypeRecurrent ? " per time step" : "");
    }

    /** One of DL4J's type derivations, its exceptions (the layer or vertex rejects its input type) named. */
    private static <T> T dl4j(java.util.function.Supplier<T> step, String where, String given) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            // whatever the exception's type (see describe), it means the same to the caller
            throw new IllegalArgumentException(where + ": DL4J cannot derive its types from " + given + ": "
                    + describe(e), e);
        }
    }

    /**
     * An exception from DL4J or ND4J meeting a configuration or an input, in words for a refusal: its message,
     * preceded by its class name unless the class is one DL4J and ND4J use for bad configurations and inputs
     * (IllegalArgumentException, IllegalStateException, InvalidInputTypeException, DL4JException,
     * ND4JException). On crafted files DL4J also fails with index, null-pointer, arithmetic and
     * unsupported-operation exceptions (a fuzzing audit); naming those keeps a defect of ours recognisable.
     *
     * @param e the exception
     * @return "its message", or "NullPointerException: its message"
     */
    public static String describe(RuntimeException e) {
        boolean usual = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof InvalidInputTypeException || e instanceof DL4JException
                || e instanceof org.nd4j.linalg.exception.ND4JException;
        return (usual ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage();
    }

    /**
     * Where a layer's input comes from.
     *
     * @param what   "layer fc1", "vertex merge", "the network input", "network input 'in'"
     * @param layer  the layer that gives it, or null
     * @param output true when a layer or vertex gives it (its output), false for a network input
     */
    private record From(String what, Layer layer, boolean output) {

        /** In words: "layer fc1's output", "layer fc1's nOut" ({@code nOut} true), "the network input". */
        String text(boolean nOut) {
            return output ? what + (nOut ? "'s nOut" : "'s output") : what;
        }
    }
}
