package org.smartdeal.codec;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
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
     * Every rule of this class over a MultiLayerNetwork configuration: its data type, and each layer's windows (a
     * frozen layer's inner layer's) and input preprocessor.
     *
     * @param conf the configuration
     * @throws IllegalArgumentException naming the layer as {@code Class(name=..., index=i)}, the rule and the value
     */
    public static void network(MultiLayerConfiguration conf) {
        dataType(conf.getDataType());
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = conf.getConf(i) == null ? null : conf.getConf(i).getLayer();
            if (l != null) {
                layer(l, conf.getInputPreProcess(i), l.getClass().getSimpleName() + "(name=" + l.getLayerName()
                        + ", index=" + i + ")");
            }
        }
    }

    /**
     * Every rule of this class over a ComputationGraph configuration: its data type, no cycle, and each layer
     * vertex's windows (a frozen layer's inner layer's) and input preprocessor.
     *
     * @param conf the configuration
     * @throws IllegalArgumentException naming the layer as {@code Class(name=...)} (the vertex name when the layer
     *                                  has none), the rule and the value
     */
    public static void network(ComputationGraphConfiguration conf) {
        dataType(conf.getDataType());
        acyclic(conf);
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            if (v.getValue() instanceof LayerVertex lv && lv.getLayerConf() != null
                    && lv.getLayerConf().getLayer() != null) {
                Layer l = lv.getLayerConf().getLayer();
                String name = l.getLayerName() != null ? l.getLayerName() : v.getKey();
                layer(l, lv.getPreProcessor(), l.getClass().getSimpleName() + "(name=" + name + ")");
            }
        }
    }

    /** One layer's windows and preprocessor, the message prefixed with {@code where}. */
    private static void layer(Layer layer, InputPreProcessor preProcessor, String where) {
        try {
            windows(Networks.unwrapFrozen(layer));
            preProcessor(preProcessor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
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
}
