package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.smartdeal.codec.EncodedLayer;
import org.smartdeal.codec.SdLayerCodec;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.layers.impl.SdWeights;
import org.smartdeal.layers.params.SdParamInitializer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.UnaryOperator;

/**
 * Extracts the cost model's workload from a DL4J network: one {@link LayerSpec} and {@link WeightRep}
 * per priced layer, in execution order (MultiLayerNetwork layer order; ComputationGraph topological
 * order). Shapes come from the configuration's input types ({@code conf.getLayerActivationTypes}).
 *
 * <p>Priced layers (HWMODEL.md 1.1):
 * <ul>
 * <li>{@link ConvolutionLayer} (incl. {@code SdConvolutionLayer}): CONV with G = 1;</li>
 * <li>{@link DepthwiseConvolution2D} (incl. {@code SdDepthwiseConvolutionLayer}): DWCONV (G = C = M) when
 *     depthMultiplier = 1, else CONV with G = C, M = C x depthMultiplier (grouped; the cost model's DWCONV needs G = C = M);</li>
 * <li>{@link SeparableConvolution2D}: two layers, {@code NAME/dw} (as a DepthwiseConvolution2D of its kernel and
 *     depth multiplier) and {@code NAME/pw} (a 1 x 1 CONV), the second reading the first's output, which is computed
 *     for the statistics ({@link NetLayer#prep});</li>
 * <li>{@link Convolution1DLayer}: the CONV of one input row, kernel 1 x k ({@code oneDimensional});</li>
 * <li>{@link Deconvolution2D}: the CONV of stride 1 over its zero-inserted input that it equals
 *     ({@code transposed}, an [A] mapping that counts the inserted zeros);</li>
 * <li>{@link DenseLayer}, {@link BaseOutputLayer} and the SD dense/output layers: FC; run once per time step of a
 *     sequence (an RnnOutputLayer, a TimeDistributed dense layer, a dense layer behind RnnToFeedForwardPreProcessor,
 *     also where the sequence is made inside the network by a RepeatVector or EmbeddingSequenceLayer), the 1 x 1 CONV
 *     over one row of T columns ({@code perTimeStep}).</li>
 * </ul>
 * Every priced layer has {@code inBenchmark = true}: for real networks the totals cover all layers
 * (the paper's exclusion of classifier FC layers applies to its seven models only). Layers with
 * parameters of other kinds (BatchNorm, ...) are not priced and are listed in
 * {@link Extracted#skipped()}; parameter-free layers (pooling, activations) are free [A, HWMODEL 1.1]. Layers of a
 * priced class that the cost model cannot describe are listed there too, with the reason ({@link #notModelled}): an
 * OCNNOutputLayer (parameters v, w, r; not a fully connected layer) and a 2-D convolution of more than 15 kernel rows
 * ({@link LayerSpec}'s {@code r <= 15}, its row masks being 15 bits).
 *
 * <p>Weights (HWMODEL.md 1.2) are the executed 8-bit weights: symmetric per-tensor int8 of the layer's
 * W, {@code s = max|W|/127}, {@code q = round-half-away(W/s)}, and nnzW / row masks counted on q.
 * Dense layers give kind DENSE8. SD layers give kind SD measured from the effective
 * {@code Ce = P(C) .* M} and B: W is the rebuilt {@code Ce B} (via {@link SdWeights}, the layers' own
 * rebuild), ceNnz the non-zeros of Ce, ceBytes and bBytes the exact encoded sizes from
 * {@link SdLayerCodec} (Huffman payload + code table + index, and int8 B with its scale), numB = K.
 * Channels-last (NHWC) convolutions are priced as their NCHW twins: the shapes and DL4J's weight layout do not
 * depend on the data format, and {@link NetLayer#prep} hands the statistics the input in NCHW order.
 * Rows and columns may be padded differently (a 1 x 7 kernel). Unsupported:
 * 3-D convolutions, a Deconvolution2D that crops its output, unequal strides or dilations per axis (each rejected with a message
 * naming the layer). Same-mode padding is DL4J's own ({@link #axis}): of {@code need = (out - 1) U + keff - in},
 * floor(need / 2) before the input and the rest after, so one row (column) more after than before when need is odd
 * (a 3 x 3 stride-2 layer on 28 rows: 0 before, 1 after; U-Net's 2 x 2 at stride 1: 0 and 1). The spec's
 * {@code pad} / {@code padW} are the padding before; {@link LayerSpec} accepts that odd split. The windows are
 * DL4J's (output row o reads from input row {@code o U - pad}), and the padding on either side is made on chip:
 * the input traffic ({@code TilingSearch.realRows}) and the statistics ({@link ActStatsAccumulator}) read the real
 * input only, so per-value statistics (dA, bit and Booth densities) are over the real input's values. Until
 * session 40 an odd split was priced with a symmetric padding of the same output size (3 x 3 stride 2 on 28 rows:
 * 1 and 1, every window one row and column early), or, where none exists, with the extra row appended to the
 * input as zeros (counted in the input traffic and in the statistics' sizes).
 */
public final class Workloads {
    private Workloads() {
    }

    /**
     * One priced layer of a network and where its input activation lives.
     *
     * @param spec     the layer (batch 1)
     * @param weights  its executed 8-bit weights
     * @param mlnIndex MultiLayerNetwork layer index (its input is {@code feedForward(...).get(mlnIndex)}), -1 for graphs
     * @param cgInput  ComputationGraph vertex whose output is this layer's input, null for MLN
     * @param output   the DL4J layer (vertex) whose activation is this layer's output, or null when DL4J holds none (the
     *                 depthwise half of a separable convolution, whose output only the pointwise half reads)
     * @param toNchw   what turns the raw input activation into the values the statistics read ({@link #prep})
     */
    public record NetLayer(LayerSpec spec, WeightRep weights, int mlnIndex, String cgInput, String output,
                           UnaryOperator<INDArray> toNchw) {

        /** Checks the transform. */
        public NetLayer {
            if (toNchw == null) throw new IllegalArgumentException("Workloads: layer " + spec.id() + " needs an input transform");
        }

        /** This layer's input from a MultiLayerNetwork activation list (index 0 = network input), preprocessed. */
        public INDArray input(List<INDArray> acts) {
            return mlnIndex < acts.size() ? prep(acts.get(mlnIndex)) : null;
        }

        /** This layer's input from a ComputationGraph activation map (vertex name to output), preprocessed. */
        public INDArray input(Map<String, INDArray> acts) {
            INDArray x = acts.get(cgInput);
            return x == null ? null : prep(x);
        }

        /**
         * The values this layer reads, from the raw input activation: the layer's input preprocessor (if any) applied;
         * for the pointwise half of a separable convolution, its depthwise half computed; for a channels-last
         * convolution, permuted from [N, H, W, C] to the [N, C, H, W] of {@link ActStatsAccumulator}; and the zero rows
         * and columns the spec counts as input: a transposed convolution's inserted zeros and border
         * ({@code Workloads.transposed}), a causal 1-D convolution's leading columns. Padding that the spec's
         * {@code pad} / {@code padW} describe (Same mode's included) is not added: the windows are clipped to the input.
         */
        public INDArray prep(INDArray x) {
            return toNchw.apply(x);
        }
    }

    /**
     * The transform of {@link NetLayer#prep}: preprocessor, then {@code inner} (or null), then the permutation of a
     * channels-last layer, then, for a transposed convolution, {@code insert - 1} zero rows (columns) between the rows
     * (columns), then {@code border} = {top, bottom, left, right} zero rows and columns around.
     */
    private static UnaryOperator<INDArray> toNchw(InputPreProcessor pre, UnaryOperator<INDArray> inner, CNN2DFormat format,
                                                  int insert, int[] border) {
        return x -> {
            INDArray y = pre == null ? x : pre.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
            if (inner != null) y = inner.apply(y);
            if (format == CNN2DFormat.NHWC && y.rank() == 4) y = y.permute(0, 3, 1, 2);
            if (insert == 1 && border[0] + border[1] + border[2] + border[3] == 0 || y.rank() != 4) return y;
            long[] sh = y.shape();
            long h = (sh[2] - 1) * insert + 1, w = (sh[3] - 1) * insert + 1;
            INDArray z = Nd4j.zeros(y.dataType(), sh[0], sh[1], h + border[0] + border[1], w + border[2] + border[3]);
            z.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(border[0], insert, border[0] + h),
                NDArrayIndex.interval(border[2], insert, border[2] + w)).assign(y);
            return z;
        };
    }

    /** No zero insertion and no border: the input as DL4J gives it. */
    private static final int[] NO_BORDER = {0, 0, 0, 0};

    /**
     * The priced layers of a network and the layers left out.
     *
     * @param layers  priced layers in execution order
     * @param skipped "name (Type)" of layers with parameters that are not priced
     */
    public record Extracted(List<NetLayer> layers, List<String> skipped) {
        /** Copies the lists; rejects networks without any priced layer. */
        public Extracted {
            layers = List.copyOf(layers);
            skipped = List.copyOf(skipped);
            if (layers.isEmpty()) throw new IllegalArgumentException("Workloads: the network has no conv or dense layer to price");
        }

        /** The layer specs in execution order. */
        public List<LayerSpec> specs() {
            return layers.stream().map(NetLayer::spec).toList();
        }
    }

    /**
     * The workload of a network with the paper's default activation statistics (no data):
     * {@link #paperDefaultStats} per layer, the dense-pixel ones for every layer that reads the network's input
     * ({@link #readsNetworkInput}) and for the first priced layer.
     *
     * @param net        a MultiLayerNetwork or ComputationGraph (initialised)
     * @param name       model name for reports
     * @param knobs      knobs (rowZeroDefault is used)
     * @param arch       architecture (dim_F, PRA brick)
     * @param inputTypes the network input type(s), e.g. {@code InputType.convolutionalFlat(28, 28, 1)}
     */
    public static Workload of(Model net, String name, Knobs knobs, ArchSpec arch, InputType... inputTypes) {
        Extracted x = extract(net, inputTypes);
        List<String> inputs = net instanceof ComputationGraph g ? g.getConfiguration().getNetworkInputs() : List.of();
        List<Workload.Entry> out = new ArrayList<>();
        for (int i = 0; i < x.layers().size(); i++) {
            NetLayer l = x.layers().get(i);
            out.add(new Workload.Entry(l.spec(), l.weights(), paperDefaultStats(i == 0 || readsNetworkInput(x, i, inputs),
                knobs, arch)));
        }
        return new Workload(name, out, PAPER_STATS_NOTE + skippedNote(x));
    }

    /**
     * Whether priced layer {@code i} reads the network's input: a MultiLayerNetwork's layer 0, or a graph layer whose
     * input is one of the graph's network inputs ({@code inputs}), as every branch of an Inception-style stem or a
     * shortcut reading the image does. The pointwise half of a separable convolution reads its depthwise half's
     * output ({@link #separable}: listed right after that half, which has no DL4J output), not the input. Until this
     * was checked, only priced layer 0 had the dense-pixel defaults, and a second layer reading the image the
     * post-ReLU model.
     */
    static boolean readsNetworkInput(Extracted x, int i, List<String> inputs) {
        NetLayer l = x.layers().get(i);
        if (!(l.mlnIndex() == 0 || l.cgInput() != null && inputs.contains(l.cgInput()))) return false;
        if (i == 0) return true;
        NetLayer before = x.layers().get(i - 1);
        return !(before.output() == null && before.mlnIndex() == l.mlnIndex() && java.util.Objects.equals(before.cgInput(),
            l.cgInput()));
    }

    /**
     * Where measured statistics come from (echoed in every report that uses them).
     *
     * @param images  how many input examples the statistics were measured on
     * @param dataset the data's name, e.g. {@code Fashion-MNIST test}, or null
     * @return one phrase
     */
    public static String measuredStatsNote(long images, String dataset) {
        return "activation statistics measured on " + images + (dataset == null ? "" : " " + dataset)
            + " examples (quantised to int8 with one scale per minibatch)";
    }

    /**
     * Where the default statistics come from (echoed in every report that uses them). The Booth sparsity named is
     * the one the statistics have: the i.i.d. model cannot reach Fig. 3's 66.0% together with its 79.8% bit
     * sparsity and stops at 64.5% ({@code ActStats.fitted}; SpecEdgesTest), which the note used to leave out.
     */
    public static final String PAPER_STATS_NOTE = "activation statistics: paper defaults (no data given): the i.i.d. model "
        + "fitted to Fig. 3 MBV2 (79.8% bit sparsity; 64.5% Booth sparsity, the nearest the model reaches to the paper's "
        + "66.0%), rowZero = knob rowZeroDefault; the first layer and every layer reading the network's input dense pixels "
        + "(dA = 1), as PaperModels' first layer";

    /**
     * The paper-default activation statistics of {@link PaperModels}: the first layer sees dense image
     * pixels (i.i.d., dA = 1, lambda 40); the others the i.i.d. model fitted to Fig. 3's MBV2 bit and Booth
     * sparsity with rowZero = {@code knobs.rowZeroDefault()}.
     */
    public static ActStats paperDefaultStats(boolean firstLayer, Knobs knobs, ArchSpec a) {
        ActStats act = ActStats.fitted(8 * (1 - PaperModels.BIT_SPARSITY), 4 * (1 - PaperModels.BOOTH_SPARSITY),
            knobs.rowZeroDefault(), a.sdDimF(), a.praBrick());
        return firstLayer ? ActStats.iid(1.0, 40, 0, act.dA(), a.sdDimF(), a.praBrick()) : act;
    }

    /** Up to this many unpriced layers are named one by one in {@link #skippedNote}; more are grouped by kind. */
    static final int SKIPPED_LISTED = 8;

    /**
     * The note naming the network's layers with parameters that are not priced, to append to a workload's notes;
     * empty when there are none. Up to {@value #SKIPPED_LISTED} layers: "; not priced (parameters of other layer
     * kinds): bn1 (BatchNormalization), ...". More (ResNet-50's 53 BatchNormalization layers) are counted by kind,
     * each kind naming its first three: "; not priced (parameters of other layer kinds), 53 layers:
     * BatchNormalization x 53 (bn1, layer1.0.bn1, layer1.0.bn2 and 50 more)". {@link Extracted#skipped()} has them all.
     */
    public static String skippedNote(Extracted x) {
        List<String> s = x.skipped();
        if (s.isEmpty()) return "";
        String head = "; not priced (parameters of other layer kinds)";
        if (s.size() <= SKIPPED_LISTED) return head + ": " + String.join(", ", s);
        Map<String, List<String>> byKind = new LinkedHashMap<>(); // extract's entries are "name (Kind)", in layer order
        for (String e : s) {
            int k = e.endsWith(")") ? e.lastIndexOf(" (") : -1;
            byKind.computeIfAbsent(k < 0 ? "other" : e.substring(k + 2, e.length() - 1), u -> new ArrayList<>())
                .add(k < 0 ? e : e.substring(0, k));
        }
        StringJoiner j = new StringJoiner(", ", head + ", " + s.size() + " layers: ", "");
        byKind.forEach((kind, names) -> j.add(kind + " x " + names.size() + " (" + String.join(", ",
            names.subList(0, Math.min(3, names.size()))) + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "")
            + ")"));
        return j.toString();
    }

    /**
     * Priced layers of a MultiLayerNetwork or ComputationGraph, with their weights measured now.
     *
     * @throws IllegalArgumentException for unsupported networks or layers, naming the layer
     */
    public static Extracted extract(Model net, InputType... inputTypes) {
        if (inputTypes == null || inputTypes.length == 0) throw new IllegalArgumentException("Workloads: at least one InputType is needed");
        if (net instanceof MultiLayerNetwork m) return extractMln(m, inputTypes[0]);
        if (net instanceof ComputationGraph g) return extractCg(g, inputTypes);
        throw new IllegalArgumentException("Workloads: network must be a MultiLayerNetwork or ComputationGraph, got "
            + (net == null ? null : net.getClass().getName()));
    }

    private static Extracted extractMln(MultiLayerNetwork net, InputType in) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        List<InputType> outs = conf.getLayerActivationTypes(in);
        List<NetLayer> layers = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<INDArray> probe = hasSequence(in) || hasSequence(outs.toArray(InputType[]::new)) ? probe(net, in) : null;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer lc = conf.getConf(i).getLayer();
            String name = lc.getLayerName() != null ? lc.getLayerName() : "layer" + i;
            InputPreProcessor pre = conf.getInputPreProcess(i);
            InputType raw = i == 0 ? in : outs.get(i - 1), t = pre == null ? raw : pre.getOutputType(raw);
            Steps steps = probe == null ? Steps.ONE : Steps.of(probe.get(i), lc, pre, knownLength(in));
            String why = notModelled(lc);
            List<NetLayer> l = why != null ? List.of()
                : layer(name, lc, raw, t, outs.get(i), net.getLayer(i).paramTable(), i, null, pre, steps);
            layers.addAll(l);
            if (l.isEmpty() && lc.initializer().numParams(lc) > 0) skipped.add(skippedEntry(name, lc, why));
        }
        return new Extracted(layers, skipped);
    }

    /**
     * A layer's class name for the list of layers not priced; a frozen or time-distributed one's as the layer it wraps,
     * marked so.
     */
    private static String kind(Layer lc) {
        Layer inner = unwrap(lc);
        if (inner == null || inner == lc) return lc.getClass().getSimpleName();
        return inner.getClass().getSimpleName() + (Networks.unwrapFrozen(lc) instanceof TimeDistributed ? ", time-distributed"
            : ", frozen");
    }

    /**
     * The layer that runs: a frozen layer (FrozenLayer, FrozenLayerWithBackprop) as the layer it wraps, and a
     * TimeDistributed one (what Keras import makes of TimeDistributed(Dense)) as the layer it runs once per time step
     * ({@link Steps#of} reads the steps from the wrapper's own format).
     */
    static Layer unwrap(Layer layer) {
        Layer l = Networks.unwrapFrozen(layer);
        while (l instanceof TimeDistributed td) l = Networks.unwrapFrozen(td.getUnderlying());
        return l;
    }

    private static Extracted extractCg(ComputationGraph g, InputType... in) {
        ComputationGraphConfiguration conf = g.getConfiguration();
        List<String> inputs = conf.getNetworkInputs();
        if (in.length != inputs.size())
            throw new IllegalArgumentException("Workloads: the graph has " + inputs.size() + " inputs " + inputs + ", got "
                + in.length + " InputTypes");
        Map<String, InputType> types = new LinkedHashMap<>(conf.getLayerActivationTypes(in));
        for (int k = 0; k < inputs.size(); k++) types.put(inputs.get(k), in[k]);
        List<NetLayer> layers = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, INDArray> probe = hasSequence(in) || hasSequence(types.values().toArray(InputType[]::new))
            ? probe(g, in) : null;
        boolean known = knownLength(in);
        var vertices = g.getVertices();
        for (int idx : g.topologicalSortOrder()) {
            String name = vertices[idx].getVertexName();
            if (!(conf.getVertices().get(name) instanceof LayerVertex lv)) continue;
            Layer lc = lv.getLayerConf().getLayer();
            List<String> srcs = conf.getVertexInputs().get(name);
            String src = srcs == null || srcs.isEmpty() ? null : srcs.get(0);
            InputType raw = src == null ? null : types.get(src), t = raw;
            InputPreProcessor pre = lv.getPreProcessor();
            if (pre != null && t != null) t = pre.getOutputType(t);
            Steps steps = probe == null || src == null ? Steps.ONE : Steps.of(probe.get(src), lc, pre, known);
            String why = notModelled(lc);
            List<NetLayer> l = t == null || why != null ? List.of() : layer(name, lc, raw, t, types.get(name),
                g.getLayer(name).paramTable(), -1, src, pre, steps);
            if (!l.isEmpty() && srcs.size() != 1)
                throw new IllegalArgumentException("Workloads: layer " + name + " has " + srcs.size() + " inputs " + srcs + "; need 1");
            layers.addAll(l);
            if (l.isEmpty() && lc.initializer().numParams(lc) > 0) skipped.add(skippedEntry(name, lc, why));
        }
        return new Extracted(layers, skipped);
    }

    /**
     * Why a layer of a priced class is nonetheless not priced, or null: an OCNNOutputLayer (DL4J's one-class
     * network output, a BaseOutputLayer) computes {@code w . g(V x) - r} with parameters v (V), w and r, not the
     * {@code W x + b} of a fully connected layer; a 2-D convolution (depthwise, separable, transposed, SD) of more
     * than {@value #MAX_KERNEL_ROWS} kernel rows, which {@link LayerSpec} refuses (its row masks are 15 bits; a
     * 16 x 1 kernel over a spectrogram's frequency axis is legal DL4J), or of more than
     * {@link LayerSpec#MAX_KERNEL_WEIGHTS} weights per kernel (a 1 x 40000 kernel over a raw signal), whose non-zeros
     * a {@link org.smartdeal.hw.spec.WeightRep} cannot count. Such a layer is listed in
     * {@link Extracted#skipped()} with the reason.
     */
    static String notModelled(Layer frozenOrNot) {
        Layer lc = unwrap(frozenOrNot);
        if (lc instanceof org.deeplearning4j.nn.conf.ocnn.OCNNOutputLayer)
            return "a one-class output layer with parameters v, w, r, not a fully connected layer; not modelled";
        // LayerSpec.r <= 15: a kernel's non-zero rows are a 15-bit mask (WeightRep.rowMask, a short per kernel)
        if (lc instanceof ConvolutionLayer cl && !(lc instanceof Convolution1DLayer) && cl.getKernelSize() != null
            && cl.getKernelSize().length == 2 && cl.getKernelSize()[0] > MAX_KERNEL_ROWS)
            return cl.getKernelSize()[0] + " kernel rows; kernels of more than " + MAX_KERNEL_ROWS + " rows are not modelled";
        // LayerSpec.r x s <= 32767: a kernel's non-zeros are counted in a short (WeightRep.nnzW)
        if (lc instanceof ConvolutionLayer cl && cl.getKernelSize() != null && cl.getKernelSize().length == 2
            && (long) cl.getKernelSize()[0] * cl.getKernelSize()[1] > LayerSpec.MAX_KERNEL_WEIGHTS)
            return cl.getKernelSize()[0] + " x " + cl.getKernelSize()[1] + " kernel, "
                + (long) cl.getKernelSize()[0] * cl.getKernelSize()[1] + " weights each; kernels of more than "
                + LayerSpec.MAX_KERNEL_WEIGHTS + " weights are not modelled";
        return null;
    }

    /** The most kernel rows a convolution's {@link LayerSpec} takes ({@code r}; its row masks are 15 bits). */
    static final int MAX_KERNEL_ROWS = 15;

    /** An entry of {@link Extracted#skipped()}: "name (Kind)", or "name (Kind: reason)" (no parentheses in the reason). */
    private static String skippedEntry(String name, Layer lc, String why) {
        return name + " (" + kind(lc) + (why == null ? "" : ": " + why) + ")";
    }

    /**
     * Whether one of these types (the network's inputs, or its layers' activations) is a sequence: only then are
     * layers probed for the time steps they run. A sequence made inside a network of feed-forward input (RepeatVector,
     * EmbeddingSequenceLayer) counts: a layer reading it runs once per step (it was priced as one step).
     */
    private static boolean hasSequence(InputType... in) {
        return java.util.Arrays.stream(in).anyMatch(t -> t instanceof InputType.InputTypeRecurrent);
    }

    /** Whether every sequence input states its length. */
    private static boolean knownLength(InputType... in) {
        return java.util.Arrays.stream(in).allMatch(t -> !(t instanceof InputType.InputTypeRecurrent r) || r.getTimeSeriesLength() > 0);
    }

    /**
     * Length given to a sequence of unstated length in the probe: long enough for the usual kernels and poolings over
     * time, and above 1, so that a layer run per step shows its steps (whose number is then unknown: refused).
     */
    private static final long PROBE_LENGTH = 64;

    /** One example of zeros of an input type (a sequence of unstated length: {@value #PROBE_LENGTH} steps). */
    private static INDArray zeros(InputType t) {
        long[] shape = t.getShape(true);
        shape[0] = 1;
        if (t instanceof InputType.InputTypeRecurrent r && r.getTimeSeriesLength() < 1)
            shape[r.getFormat() == RNNFormat.NWC ? 1 : 2] = PROBE_LENGTH;
        return Nd4j.zeros(DataType.FLOAT, shape);
    }

    /**
     * The activations of an inference pass of one example of zeros ({@link ActStatsCollector#forward}), index 0 = the
     * input: DL4J's input types do not say which feed-forward rows are time steps (RnnToFeedForwardPreProcessor
     * makes one row of each step) and misstate some (a GlobalPoolingLayer over time is typed a sequence), the
     * arrays' shapes do.
     */
    private static List<INDArray> probe(MultiLayerNetwork net, InputType in) {
        try {
            return ActStatsCollector.forward(net, zeros(in).castTo(net.params().dataType()));
        } catch (RuntimeException e) {
            throw probeFailed(e, in);
        }
    }

    /** As {@link #probe(MultiLayerNetwork, InputType)} for a graph: the activations by vertex name, inputs included. */
    private static Map<String, INDArray> probe(ComputationGraph g, InputType... in) {
        INDArray[] x = new INDArray[in.length];
        for (int k = 0; k < in.length; k++) x[k] = zeros(in[k]).castTo(g.params().dataType());
        try {
            return ActStatsCollector.forward(g, x);
        } catch (RuntimeException e) {
            throw probeFailed(e, in);
        }
    }

    private static IllegalArgumentException probeFailed(RuntimeException e, InputType... in) {
        String unstated = knownLength(in) ? "" : " (a sequence of unstated length was given " + PROBE_LENGTH + " steps; "
            + "give InputType.recurrent(size, length))";
        return new IllegalArgumentException("Workloads: a sequence network is priced after a forward pass of one example "
            + "of zeros of its input type " + java.util.Arrays.toString(in) + ", which failed" + unstated + ": " + e.getMessage(), e);
    }

    /**
     * How often a layer runs per example and on what: once (ONE), or once per time step, reading a sequence
     * ([N, C, T] or, {@code nwc}, [N, T, C]) or feed-forward rows split from one ([N T, C], {@code split}).
     *
     * @param count the steps per example; below 1 when the sequence's length is not stated
     */
    record Steps(long count, boolean sequence, boolean split, boolean nwc) {
        static final Steps ONE = new Steps(1, false, false, false);

        /** Whether the layer runs once per time step. */
        boolean perStep() {
            return sequence || split;
        }

        /**
         * From the activation a layer reads in the probe (one example) and its preprocessor. A sequence [1, C, T] is
         * read per step by a layer without a preprocessor (an RnnOutputLayer) or behind RnnToFeedForwardPreProcessor,
         * in the layout they state (a convolution behind RnnToCnnPreProcessor too, which is then refused); behind
         * another preprocessor (a Keras flatten, a reshape) the layer runs once on what it makes. Feed-forward rows
         * of one example (more than one) are steps split from a sequence. A single step runs once (ONE): a sequence
         * of length 1 is priced as the dense layer it is.
         */
        static Steps of(INDArray a, Layer lc, InputPreProcessor pre, boolean knownLength) {
            if (a == null) return ONE;
            Layer outer = Networks.unwrapFrozen(lc), l = unwrap(lc);
            if (a.rank() == 3) {
                if (!(pre == null || pre instanceof RnnToFeedForwardPreProcessor
                    || pre instanceof org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor)) return ONE;
                RNNFormat f = pre instanceof RnnToFeedForwardPreProcessor p ? p.getRnnDataFormat()
                    : outer instanceof TimeDistributed td ? td.getRnnDataFormat()
                    : l instanceof org.deeplearning4j.nn.conf.layers.RnnOutputLayer r ? r.getRnnDataFormat() : RNNFormat.NCW;
                boolean nwc = f == RNNFormat.NWC;
                long t = nwc ? a.size(1) : a.size(2);
                return t == 1 && knownLength ? ONE : new Steps(knownLength ? t : -1, true, false, nwc);
            }
            long rows = a.size(0);
            return rows == 1 ? ONE : new Steps(knownLength ? rows : -1, false, true, false);
        }
    }

    /**
     * The priced layers of one DL4J layer (two for a separable convolution), or none when its kind is not priced. A
     * frozen layer (FrozenLayer, FrozenLayerWithBackprop) is priced as the layer it wraps: it runs the same; a
     * TimeDistributed one as the layer it wraps run once per time step ({@link #unwrap}).
     *
     * @param raw   the type of the activation the layer reads, before its preprocessor; {@code in} after it
     * @param steps how often the layer runs per example ({@link Steps#ONE} outside sequence networks)
     */
    static List<NetLayer> layer(String name, Layer frozenOrNot, InputType raw, InputType in, InputType out,
                                Map<String, INDArray> params, int mlnIndex, String cgInput, InputPreProcessor pre, Steps steps) {
        Layer lc = unwrap(frozenOrNot);
        if (lc == null) return List.of();
        String cls = lc.getClass().getSimpleName();
        if (cls.equals("Convolution3D") || cls.equals("Deconvolution3D"))
            throw new IllegalArgumentException("Workloads: layer " + name + " (" + cls + ") is not supported; supported: "
                + "ConvolutionLayer, DepthwiseConvolution2D, SeparableConvolution2D, Deconvolution2D, Convolution1DLayer, "
                + "DenseLayer, OutputLayer and the SD layers");
        if (lc instanceof Convolution1DLayer c1) return List.of(oneDimensional(name, c1, in, out, params, mlnIndex, cgInput, pre));
        if (steps.perStep() && lc instanceof ConvolutionLayer)
            throw new IllegalArgumentException("Workloads: layer " + name + " (" + cls + ") runs once per time step of a "
                + "sequence (its images are the steps of " + raw + "); not supported");
        if (lc instanceof SeparableConvolution2D sc) return separable(name, sc, in, out, params, mlnIndex, cgInput, pre);
        if (lc instanceof Deconvolution2D dc) return List.of(transposed(name, dc, in, out, params, mlnIndex, cgInput, pre));
        LayerSpec spec;
        if (lc instanceof ConvolutionLayer cl) spec = convSpec(name, cl, in, out);
        else if (lc instanceof DenseLayer || lc instanceof BaseOutputLayer || lc instanceof SdDenseLayer) {
            var ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) lc;
            if (steps.perStep()) return List.of(perTimeStep(name, ff, raw, steps, params, mlnIndex, cgInput));
            // DL4J does not check a feed-forward input type against nIn; a wrong one would price the wrong input
            if (in.getType() == InputType.Type.FF && in.arrayElementsPerExample() != ff.getNIn())
                throw new IllegalArgumentException("Workloads: layer " + name + " (" + cls + ") has nIn " + ff.getNIn()
                    + " but the input type gives it " + in + " (" + in.arrayElementsPerExample() + " values)");
            spec = LayerSpec.fc(name, LayerType.FC, Math.toIntExact(ff.getNOut()), Math.toIntExact(ff.getNIn()), true);
        } else if (lc instanceof SdLayer)
            // an SD layer kind this method has no LayerSpec for would otherwise be left out of the totals unseen
            throw new IllegalArgumentException("Workloads: layer " + name + " (" + cls + ") is an SD layer with no "
                + "hardware model; supported: SdDenseLayer, SdOutputLayer, SdConvolutionLayer, SdDepthwiseConvolutionLayer");
        else return List.of();
        WeightRep w = lc instanceof SdLayer sd ? sdWeights(spec, sd, params)
            : denseWeights(spec, lc instanceof DepthwiseConvolution2D, params.get("W"));
        // DL4J keeps a convolution's weights in one layout whatever the data format; only the input is permuted
        CNN2DFormat format = lc instanceof ConvolutionLayer cl ? formatOf(cl) : CNN2DFormat.NCHW;
        return List.of(new NetLayer(spec, w, mlnIndex, cgInput, name, toNchw(pre, null, format, 1, NO_BORDER)));
    }

    /**
     * Whether the network's first layer that reads its input (MultiLayerNetwork layer 0; a graph's layers fed by its
     * first input) is a channels-last convolution or pooling layer: its images come as [n, h, w, c].
     *
     * @param net a MultiLayerNetwork or ComputationGraph
     * @return true for NHWC, false otherwise (NCHW, or a first layer that states no layout)
     */
    public static boolean readsChannelsLast(Model net) {
        List<Layer> first = new ArrayList<>();
        if (net instanceof MultiLayerNetwork m && m.getnLayers() > 0) {
            first.add(m.getLayerWiseConfigurations().getConf(0).getLayer());
        } else if (net instanceof ComputationGraph g) {
            String in = g.getConfiguration().getNetworkInputs().get(0);
            g.getConfiguration().getVertexInputs().forEach((name, from) -> {
                if (from.contains(in) && g.getConfiguration().getVertices().get(name) instanceof LayerVertex lv)
                    first.add(lv.getLayerConf().getLayer());
            });
        }
        for (Layer l : first) {
            if (l instanceof ConvolutionLayer c) return formatOf(c) == CNN2DFormat.NHWC;
            if (l instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer p) return p.getCnn2dDataFormat() == CNN2DFormat.NHWC;
        }
        return false;
    }

    private static CNN2DFormat formatOf(ConvolutionLayer cl) {
        return cl.getCnn2dDataFormat() == null ? CNN2DFormat.NCHW : cl.getCnn2dDataFormat();
    }

    /**
     * A SeparableConvolution2D as the two layers it runs: {@code NAME/dw}, the depthwise convolution of its kernel,
     * stride, padding and dilation (DWCONV, or at depth multiplier d > 1 a grouped CONV of C groups and C x d outputs,
     * output channel c d + j for input channel c and multiplier j), and {@code NAME/pw}, the 1 x 1 convolution of its
     * pointwise weights {@code pW}. The pointwise half reads the depthwise output, which DL4J computes inside the
     * layer and never returns: {@link NetLayer#prep} computes it with DL4J's DepthwiseConvolution2D on the layer's
     * depthwise weights (no bias and no activation come between the halves). Each half's weights are quantised with
     * their own scale.
     */
    private static List<NetLayer> separable(String name, SeparableConvolution2D sc, InputType in, InputType out,
                                            Map<String, INDArray> params, int mlnIndex, String cgInput, InputPreProcessor pre) {
        InputType.InputTypeConvolutional[] io = imageTypes(name, sc, in, out);
        InputType.InputTypeConvolutional ci = io[0], co = io[1];
        INDArray dwW = params.get("W"), pwW = params.get("pW");
        if (dwW == null || pwW == null)
            throw new IllegalArgumentException("Workloads: layer " + name + " (SeparableConvolution2D) lacks its depthwise "
                + "weights \"W\" or its pointwise weights \"pW\"");
        int dm = sc.getDepthMultiplier(), c = (int) ci.getChannels(), mid = c * dm;
        CNN2DFormat format = formatOf(sc);
        // DL4J's SeparableConvolution2D holds W as [d, C, kh, kw]; DepthwiseConvolution2D's layout is [kh, kw, C, d]
        INDArray depthwise = dwW.permute(2, 3, 1, 0).dup('c');
        DepthwiseConvolution2D dwConf = new DepthwiseConvolution2D.Builder(sc.getKernelSize()).stride(sc.getStride())
            .padding(sc.getPadding()).dilation(sc.getDilation()).convolutionMode(sc.getConvolutionMode()).depthMultiplier(dm)
            .nIn(c).nOut(mid).hasBias(false).activation(Activation.IDENTITY).dataFormat(format).name(name + "/dw").build();
        InputType midType = InputType.convolutional(co.getHeight(), co.getWidth(), mid, format);
        LayerSpec dw = convSpec(name + "/dw", dwConf, in, midType);
        LayerSpec pw = new LayerSpec(name + "/pw", LayerType.CONV, 1, (int) co.getChannels(), mid, 1, 1, 1,
            (int) co.getHeight(), (int) co.getWidth(), (int) co.getHeight(), (int) co.getWidth(), 1, 0, 1, true);
        MultiLayerNetwork half = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(dwW.dataType()).list()
            .layer(dwConf).build());
        half.init();
        UnaryOperator<INDArray> depthwiseOutput = x -> {
            // the weights as they are now: an EnergyListener measures a network that trains
            half.getLayer(0).setParam("W", dwW.permute(2, 3, 1, 0));
            return half.output(x);
        };
        return List.of(
            new NetLayer(dw, denseWeights(dw, true, depthwise), mlnIndex, cgInput, null, toNchw(pre, null, format, 1, NO_BORDER)),
            new NetLayer(pw, denseWeights(pw, false, pwW), mlnIndex, cgInput, name, toNchw(pre, depthwiseOutput, format, 1,
                NO_BORDER)));
    }

    /**
     * A Deconvolution2D (transposed convolution) as the convolution accelerators without a transposed dataflow run
     * [A]: stride 1 over the input with {@code U - 1} zero rows and columns inserted between its rows and columns,
     * padded so that the output is DL4J's (Truncate: {@code keff - 1 - p} on each side; Same: {@code keff + U - 2} in
     * all, {@code keff - 1 - (keff - U) / 2} before with the division rounded toward zero, which reproduces DL4J's
     * output exactly, checked), with the kernel flipped and
     * DL4J's W [C, M, kh, kw] read as [M, C, kh, kw]. The MACs so count the inserted zeros, which DianNao and
     * Cambricon-X multiply and the designs that skip zero activations (SCNN, Bit-pragmatic, SmartDeal's Booth
     * terms) partly skip; the input tile traffic counts them too, as if the zero-inserted map were what DRAM holds.
     * The statistics read the zero-inserted input. Where before and after differ, the spec pads the smaller on each
     * side and counts the rest as zero rows of the input ({@link NetLayer#prep} adds them).
     */
    private static NetLayer transposed(String name, Deconvolution2D dc, InputType in, InputType out, Map<String, INDArray> params,
                                       int mlnIndex, String cgInput, InputPreProcessor pre) {
        InputType.InputTypeConvolutional[] io = imageTypes(name, dc, in, out);
        InputType.InputTypeConvolutional ci = io[0], co = io[1];
        int[] k = dc.getKernelSize(), st = dc.getStride(), dl = dc.getDilation(), p = dc.getPadding();
        if (st[0] != st[1] || dl[0] != dl[1])
            throw new IllegalArgumentException("Workloads: layer " + name + " needs equal strides and dilations per axis, got stride "
                + st[0] + "x" + st[1] + ", dilation " + dl[0] + "x" + dl[1]);
        boolean same = dc.getConvolutionMode() == ConvolutionMode.Same;
        int[] rows = transposedAxis(name, (int) ci.getHeight(), (int) co.getHeight(), k[0], st[0], dl[0], same, p[0]);
        int[] cols = transposedAxis(name, (int) ci.getWidth(), (int) co.getWidth(), k[1], st[1], dl[1], same, p[1]);
        int pad = Math.min(rows[0], rows[1]), padW = Math.min(cols[0], cols[1]);
        int[] border = {rows[0] - pad, rows[1] - pad, cols[0] - padW, cols[1] - padW};
        int c = (int) ci.getChannels(), m = (int) co.getChannels();
        int h = ((int) ci.getHeight() - 1) * st[0] + 1 + border[0] + border[1];
        int w = ((int) ci.getWidth() - 1) * st[0] + 1 + border[2] + border[3];
        LayerSpec spec = new LayerSpec(name, LayerType.CONV, 1, m, c, 1, k[0], k[1], h, w, (int) co.getHeight(),
            (int) co.getWidth(), 1, pad, dl[0], true, padW);
        INDArray wt = params.get("W");
        if (wt == null) throw new IllegalArgumentException("Workloads: layer " + name + " has no weight parameter \"W\"");
        float[] src = wt.castTo(DataType.FLOAT).dup('c').data().asFloat(), flipped = new float[src.length];
        for (int mo = 0; mo < m; mo++) for (int ci2 = 0; ci2 < c; ci2++) for (int y = 0; y < k[0]; y++) for (int x = 0; x < k[1]; x++)
            flipped[((mo * c + ci2) * k[0] + y) * k[1] + x] = src[((ci2 * m + mo) * k[0] + (k[0] - 1 - y)) * k[1] + (k[1] - 1 - x)];
        WeightRep weights = WeightRep.fromWeights(spec, WeightRep.Kind.DENSE8, int8(name, flipped), 0, 0, 0, 0);
        return new NetLayer(spec, weights, mlnIndex, cgInput, name, toNchw(pre, null, formatOf(dc), st[0], border));
    }

    /** One axis of a transposed convolution as {zero rows before, after} the zero-inserted input; errors name the layer. */
    private static int[] transposedAxis(String name, int in, int out, int k, int stride, int dil, boolean same, int pad) {
        int keff = (k - 1) * dil + 1, up = (in - 1) * stride + 1, total = out + keff - 1 - up;
        // Same: DL4J pads its output (keff - U) / 2 before, rounded toward zero and negative when U > keff; found
        // against DL4J's output for every kernel 1-5, stride 1-3 and dilation 1-2 (a probe), and by a fuzzing round
        int before = same ? keff - 1 - (keff - stride) / 2 : keff - 1 - pad;
        if (out < 1)
            throw new IllegalArgumentException("Workloads: layer " + name + " (Deconvolution2D) has an output of " + out
                + " rows or columns from " + in + " (padding " + pad + " with kernel " + k + " and stride " + stride + ")");
        if (total < 0 || before < 0 || before > total)
            throw new IllegalArgumentException("Workloads: layer " + name + " (Deconvolution2D) crops its output (padding " + pad
                + " with kernel " + k + " and stride " + stride + " gives " + out + " from " + in + "); not supported");
        return new int[] {before, total - before};
    }

    /**
     * A Convolution1DLayer as the CONV of one input row: C channels of length L, kernel 1 x k along the row, so the
     * L outputs are the row's columns (SmartDeal's dim_F segments run along them). Causal mode pads (k - 1) dil before
     * the sequence, counted as zero columns of the input; Same and Truncate as the 2-D layers ({@link #axis}). DL4J
     * M2.1 states W as [M, C, k, 1] but computes with its values in [k, C, M] order, which is reordered to the
     * [M][C][1][k] of {@link WeightRep#fromWeights}; the statistics read [N, C, L] (or [N, L, C]) as [N, C, 1, L].
     */
    private static NetLayer oneDimensional(String name, Convolution1DLayer c, InputType in, InputType out,
                                           Map<String, INDArray> params, int mlnIndex, String cgInput, InputPreProcessor pre) {
        if (!(in instanceof InputType.InputTypeRecurrent ri) || !(out instanceof InputType.InputTypeRecurrent ro)
            || ri.getTimeSeriesLength() < 1 || ro.getTimeSeriesLength() < 1)
            throw new IllegalArgumentException("Workloads: layer " + name + " (Convolution1DLayer) needs sequence input and output "
                + "types of a fixed length, got " + in + " -> " + out + "; give InputType.recurrent(channels, length)");
        int k = c.getKernelSize()[0], st = c.getStride()[0], dil = c.getDilation()[0];
        int len = (int) ri.getTimeSeriesLength(), outLen = (int) ro.getTimeSeriesLength();
        boolean causal = c.getConvolutionMode() == ConvolutionMode.Causal;
        int padW = causal ? 0 : axis(name, len, outLen, k, st, dil, c.getConvolutionMode() == ConvolutionMode.Same,
            c.getPadding()[0]);
        int before = causal ? (k - 1) * dil : 0;
        int[] border = {0, 0, before, 0};
        LayerSpec spec = new LayerSpec(name, LayerType.CONV, 1, (int) ro.getSize(), (int) ri.getSize(), 1, 1, k, 1,
            len + before, 1, outLen, st, 0, dil, true, padW);
        INDArray wt = params.get("W");
        if (wt == null) throw new IllegalArgumentException("Workloads: layer " + name + " has no weight parameter \"W\"");
        // DL4J M2.1's Convolution1DLayer states W as [M, C, k, 1] but computes with its values read as [k, C, M] (found
        // against the layer's output; WorkloadsTest checks it through a 2-D twin)
        int m = (int) ro.getSize(), ch = (int) ri.getSize();
        float[] flat = wt.castTo(DataType.FLOAT).dup('c').data().asFloat(), kernels = new float[flat.length];
        for (int o = 0; o < m; o++) for (int ci = 0; ci < ch; ci++) for (int j = 0; j < k; j++)
            kernels[(o * ch + ci) * k + j] = flat[(j * ch + ci) * m + o];
        WeightRep w = WeightRep.fromWeights(spec, WeightRep.Kind.DENSE8, int8(name, kernels), 0, 0, 0, 0);
        boolean nwc = c.getRnnDataFormat() == RNNFormat.NWC;
        return new NetLayer(spec, w, mlnIndex, cgInput, name, toNchw(pre, x -> sequenceAsImage(x, nwc), CNN2DFormat.NCHW, 1,
            border));
    }

    /** A sequence [N, C, L] (channels-last {@code nwc}: [N, L, C]) as the image [N, C, 1, L] of one row. */
    private static INDArray sequenceAsImage(INDArray x, boolean nwc) {
        INDArray y = nwc ? x.permute(0, 2, 1) : x;
        return y.dup('c').reshape('c', y.size(0), y.size(1), 1, y.size(2));
    }

    /**
     * A dense or output layer that runs once per time step of a sequence (an RnnOutputLayer, a dense layer behind
     * DL4J's RnnToFeedForwardPreProcessor, and the dense layers after it, whose rows are the steps): the CONV of a
     * 1 x 1 kernel over one input row of T columns, C = nIn channels, M = nOut outputs, so its MACs are
     * T x nIn x nOut per example. Its weights W [nIn, nOut] are read as [M][C]; the statistics read the sequence as
     * [N, C, 1, T]: from [N, C, T] (or [N, T, C]) as the layer's input, or, from rows split from a sequence
     * ([N T, C]), put back together as DL4J's FeedForwardToRnnPreProcessor does. SD layers per step have no
     * hardware model here and are refused.
     */
    private static NetLayer perTimeStep(String name, org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff, InputType raw,
                                        Steps steps, Map<String, INDArray> params, int mlnIndex, String cgInput) {
        String cls = ff.getClass().getSimpleName();
        if (ff instanceof SdLayer)
            throw new IllegalArgumentException("Workloads: layer " + name + " (" + cls + ") runs once per time step of a "
                + "sequence; SD layers are priced on feed-forward and image inputs only (per step: not modelled)");
        if (steps.count() < 1)
            throw new IllegalArgumentException("Workloads: layer " + name + " (" + cls + ") runs once per time step of a "
                + "sequence of unstated length (" + raw + "); give the network's input as InputType.recurrent(size, length)");
        int t = Math.toIntExact(steps.count()), m = Math.toIntExact(ff.getNOut()), c = Math.toIntExact(ff.getNIn());
        LayerSpec spec = new LayerSpec(name, LayerType.CONV, 1, m, c, 1, 1, 1, 1, t, 1, t, 1, 0, 1, true);
        INDArray w = params.get("W");
        // W [nIn, nOut] transposed is the [M][C][1][1] kernel order of a convolution
        WeightRep weights = denseWeights(spec, false, w == null ? null : w.transpose());
        boolean split = steps.split();
        UnaryOperator<INDArray> asImage = x -> {
            if (!split) return sequenceAsImage(x, steps.nwc());
            if (x.size(0) % t != 0)
                throw new IllegalArgumentException("Workloads: layer " + name + " reads " + x.size(0) + " rows, not a whole "
                    + "number of sequences of the " + t + " steps of the input type; measure on sequences of that length");
            return sequenceAsImage(new FeedForwardToRnnPreProcessor(RNNFormat.NCW).preProcess(x, (int) (x.size(0) / t),
                LayerWorkspaceMgr.noWorkspaces()), false);
        };
        return new NetLayer(spec, weights, mlnIndex, cgInput, name, toNchw(null, asImage, CNN2DFormat.NCHW, 1, NO_BORDER));
    }

    /**
     * A 2-D convolution's input and output types, checked: both images, and the input in the layout the layer reads
     * (a channels-last layer given a channels-first type would be priced on values read in the wrong order).
     */
    private static InputType.InputTypeConvolutional[] imageTypes(String name, ConvolutionLayer cl, InputType in, InputType out) {
        if (!(in instanceof InputType.InputTypeConvolutional ci) || !(out instanceof InputType.InputTypeConvolutional co))
            throw new IllegalArgumentException("Workloads: layer " + name + " needs convolutional input and output types, got "
                + in + " -> " + out);
        if (ci.getFormat() != formatOf(cl))
            throw new IllegalArgumentException("Workloads: layer " + name + " reads " + formatOf(cl) + " images but its input "
                + "type is " + ci + "; give the network's input type in " + formatOf(cl) + ", e.g. InputType.convolutional("
                + ci.getHeight() + ", " + ci.getWidth() + ", " + ci.getChannels() + ", CNN2DFormat." + formatOf(cl) + ")");
        return new InputType.InputTypeConvolutional[] {ci, co};
    }

    private static LayerSpec convSpec(String name, ConvolutionLayer cl, InputType in, InputType out) {
        InputType.InputTypeConvolutional[] io = imageTypes(name, cl, in, out);
        InputType.InputTypeConvolutional ci = io[0], co = io[1];
        int[] k = cl.getKernelSize(), st = cl.getStride(), dl = cl.getDilation();
        // a dilation along an axis the kernel spans once changes nothing: a 1 x k kernel's row dilation
        int dil = k[0] == 1 ? dl[1] : dl[0];
        if (st[0] != st[1] || dl[0] != dl[1] && k[0] > 1 && k[1] > 1)
            throw new IllegalArgumentException("Workloads: layer " + name + " needs equal strides and dilations per axis, got stride "
                + st[0] + "x" + st[1] + ", dilation " + dl[0] + "x" + dl[1]);
        int h = (int) ci.getHeight(), w = (int) ci.getWidth(), c = (int) ci.getChannels();
        int e = (int) co.getHeight(), f = (int) co.getWidth(), m = (int) co.getChannels();
        boolean same = cl.getConvolutionMode() == ConvolutionMode.Same;
        int[] p = cl.getPadding();
        int padH = axis(name, h, e, k[0], st[0], dil, same, p[0]), padW = axis(name, w, f, k[1], st[1], dil, same, p[1]);
        boolean dw = cl instanceof DepthwiseConvolution2D;
        int groups = dw ? c : 1;
        LayerType type = dw && m == c ? LayerType.DWCONV : LayerType.CONV;
        return new LayerSpec(name, type, 1, m, c, groups, k[0], k[1], h, w, e, f, st[0], padH, dil, true, padW);
    }

    /**
     * The padding before one axis (rows or columns) of a convolution, the spec's {@code pad} or {@code padW}. Outside
     * Same mode, the layer's own padding {@code configured}, which DL4J pads on each side (several paddings can give
     * one output size at stride > 1, and the windows differ), else the symmetric padding of {@link #pad}. In Same
     * mode, DL4J's own split (ConvolutionUtils.getSameModeTopLeftPadding): of {@code need = (out - 1) U + keff - in},
     * at least 0, floor(need / 2) before and the rest after, which is one row more after than before when need is
     * odd ({@link LayerSpec} reads that split from the padding before): a 3 x 3 stride-2 layer on 28 rows pads 0 before
     * and 1 after, U-Net's 2 x 2 Same convolutions at stride 1 likewise. Nothing is appended to the input: the
     * padding after is made on chip as the padding before is, and the windows are clipped to the real input.
     */
    static int axis(String name, int in, int out, int k, int stride, int dil, boolean same, int configured) {
        if (same) return Math.max(0, (out - 1) * stride + (k - 1) * dil + 1 - in) / 2;
        if (configured >= 0 && (in + 2 * configured - ((k - 1) * dil + 1)) / stride + 1 == out) return configured;
        return pad(name, in, out, k, stride, dil);
    }

    /** The symmetric padding that makes the conv arithmetic give {@code out}; errors name the layer. */
    static int pad(String name, int in, int out, int k, int stride, int dil) {
        int keff = (k - 1) * dil + 1, need = (out - 1) * stride + keff - in;
        for (int p = Math.max(0, need / 2); p <= Math.max(0, (need + 1) / 2) + 1; p++)
            if ((in + 2 * p - keff) / stride + 1 == out) return p;
        throw new IllegalArgumentException("Workloads: layer " + name + ": no symmetric padding maps input " + in + " to output "
            + out + " with kernel " + k + ", stride " + stride + ", dilation " + dil);
    }

    /**
     * Symmetric per-tensor int8 (round half away from zero) of layer {@code name}'s weights; s = max|w|/127. A NaN
     * or infinite weight is refused, naming the layer.
     */
    static int[] int8(String name, float[] w) {
        float s = ActStatsAccumulator.scale(w, "Workloads: weights of layer " + name);
        int[] q = new int[w.length];
        for (int i = 0; i < w.length; i++) q[i] = ActStatsAccumulator.quantise(w[i], s);
        return q;
    }

    /** W in the [M][C/G][R][S] C order of {@link WeightRep#fromWeights}. */
    static float[] kernelOrder(LayerSpec l, boolean depthwiseLayout, INDArray w) {
        INDArray x = w.castTo(DataType.FLOAT);
        if (l.type() == LayerType.FC) return x.transpose().dup('c').data().asFloat();
        if (depthwiseLayout) {
            // DL4J M2.1 depthwise W is [kh, kw, nIn, depthMultiplier]; output channel m = ci*dm + d
            float[] src = x.dup('c').data().asFloat();
            long[] sh = x.shape();
            int kh = (int) sh[0], kw = (int) sh[1], cin = (int) sh[2], dm = (int) sh[3];
            float[] out = new float[src.length];
            for (int y = 0; y < kh; y++) for (int xx = 0; xx < kw; xx++) for (int ci = 0; ci < cin; ci++) for (int d = 0; d < dm; d++)
                out[((ci * dm + d) * kh + y) * kw + xx] = src[((y * kw + xx) * cin + ci) * dm + d];
            return out;
        }
        return x.dup('c').data().asFloat();
    }

    private static WeightRep denseWeights(LayerSpec l, boolean depthwiseLayout, INDArray w) {
        if (w == null) throw new IllegalArgumentException("Workloads: layer " + l.id() + " has no weight parameter \"W\"");
        return WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, int8(l.id(), kernelOrder(l, depthwiseLayout, w)), 0, 0, 0, 0);
    }

    private static WeightRep sdWeights(LayerSpec l, SdLayer sd, Map<String, INDArray> p) {
        INDArray c = p.get(SdParamInitializer.C_KEY), b = p.get(SdParamInitializer.B_KEY), mk = p.get(SdParamInitializer.MASK_KEY);
        if (c == null || b == null || mk == null)
            throw new IllegalArgumentException("Workloads: SD layer " + l.id() + " lacks one of the parameters C, B, M");
        SdWeights sw = SdWeights.of(sd);
        INDArray w = sw.rebuild(c, b, mk).dup();
        double[] ce = sw.effectiveC().castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] bb = b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        SdSliceShape sh = sd.sliceShape();
        long nnz = 0;
        for (double v : ce) if (v != 0) nnz++;
        double ceBytes, bBytes;
        try {
            EncodedLayer enc = SdLayerCodec.encode(ce, (int) sh.numSlices(), (int) sh.sliceHeight(), sh.basisWidth(),
                    (int) sh.rows(), bb);
            var br = enc.breakdown();
            ceBytes = (br.indexBits() + br.cBits() + br.tableBits()) / 8.0;
            bBytes = br.bBits() / 8.0;
        } catch (IllegalArgumentException ex) {
            // C outside the power-of-two domain (projection off): HWMODEL.md 1.2 fallback
            // VECTOR_ELEM index: 1 bit per vector (real C_e row of n entries; the rows that pad a unit's
            // last slice are not stored, as in format 2.3) + n bits per non-zero vector
            long packedRows = sh.numSlices() * sh.sliceHeight(), vectors = sh.units() * sh.rows(), nzVectors = 0;
            int n = sh.basisWidth();
            for (int v = 0; v < packedRows; v++)
                for (int j = 0; j < n; j++)
                    if (ce[v * n + j] != 0) { nzVectors++; break; }
            ceBytes = (nnz * PaperModels.HUFF_BITS + vectors + (double) n * nzVectors) / 8;
            bBytes = (double) sh.basisLength();
        }
        int[] q = int8(l.id(), kernelOrder(l, sd.weightOrder() == SdLayer.WeightOrder.UNITS_LAST, w));
        WeightRep r = WeightRep.fromWeights(l, WeightRep.Kind.SD, q, nnz, ceBytes, bBytes, Math.toIntExact(sh.numSlices()));
        return new WeightRep(r.kind(), r.nnzW(), r.rowMask(), sh.basisWidth(), r.ceNnz(), r.ceBytes(), r.bBytes(), r.numB());
    }
}
