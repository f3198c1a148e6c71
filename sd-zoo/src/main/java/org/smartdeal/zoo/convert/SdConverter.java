package org.smartdeal.zoo.convert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.codec.EncodedLayer;
import org.smartdeal.codec.SdLayerCodec;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.core.DecompositionBatch;
import org.smartdeal.core.DecompositionConfig;
import org.smartdeal.core.DecompositionStats;
import org.smartdeal.core.Decomposer;
import org.smartdeal.core.LayerDecomposition;
import org.smartdeal.core.LayerInput;
import org.smartdeal.core.SliceLayout;
import org.smartdeal.core.StructuredPruning;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdConvolutionLayer;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdDepthwiseConvolutionLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.Retraining;

/**
 * Converts a trained dense DL4J network into an SD network (ALGORITHMS.md 1-3): every planned
 * {@link DenseLayer}, {@link OutputLayer} and {@link ConvolutionLayer} becomes the matching SD
 * layer holding the decomposition W ~= C*B of its trained weight; everything else (BatchNorm,
 * pooling, activations, vertices, preprocessors, biases, the updater configurations) is carried over unchanged.
 * A {@link DepthwiseConvolution2D} becomes an {@link SdDepthwiseConvolutionLayer} only when the plan asks for it
 * ({@link ConversionPlan#convertDepthwise}; a layer's {@code "skip": true} still keeps it): by default it stays
 * dense (ALGORITHMS.md 2: a depthwise layer gains little).
 *
 * <p>The SD network is a new network: its updater state is fresh (the dense network's Adam moments, say, are not
 * copied), it has no listeners, and its epoch and iteration counts start at 0, whatever the dense network's were.
 * The counts matter to training: {@code SwaLrSchedule} and {@code SwaListener} read the epoch count, and a count
 * carried over from dense training would start SD training late in the schedule and average from its first epoch.
 *
 * <p>The converted network computes exactly what the dense network computes with each planned W
 * replaced by C*B. To make the SD layers' training projection P a no-op on the decomposed C, each
 * SD layer's {@code theta} is set to the largest power of two not above the plan's theta: the
 * decomposition's quantizer never produces a non-zero below it when it thresholds and maxCoeff is not below it.
 * Where C holds a smaller magnitude (a plan with maxIter 1, whose decomposition is C = Q(W) with no threshold,
 * ALGORITHMS.md 1.1; or a maxCoeff below the plan's theta, which clamps the coefficients it keeps below it), theta
 * is that smallest magnitude instead, so that P keeps it.
 *
 * <p>The input network is never modified, except by {@link #overwriteWithCB}, whose purpose it is.
 */
public final class SdConverter {

    private SdConverter() {
    }

    /**
     * The converted network and the figures of the conversion.
     *
     * @param network the SD network (same class as the input)
     * @param decomposition the SD form of each planned layer and the report
     */
    public record Result(Model network, NetworkDecomposition decomposition) {
        /** @return the per-layer report */
        public ConversionReport report() {
            return decomposition.report();
        }
    }

    /**
     * Receives progress: in {@link #decompose(Model, ConversionPlan, ProgressListener)} one call with 0 done once the
     * layers to decompose are known, then one per decomposed layer (from a decomposition worker thread, one call at a
     * time); in {@link #build(Model, NetworkDecomposition, ProgressListener)} one per built layer.
     */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * @param done steps done
         * @param total steps in all
         * @param what what is being done
         */
        void progress(int done, int total, String what);
    }

    /**
     * The names a {@link ConversionPlan} uses for a network's layers ({@link ConversionPlan#checkLayersExist}
     * takes them): each layer's configured name, else {@code layer<i>} (MultiLayerNetwork) or {@code <i>}
     * (ComputationGraph), {@code i} being the layer's index.
     *
     * @param net a MultiLayerNetwork or ComputationGraph (not modified)
     * @return the names, in layer order
     */
    public static List<String> layerNames(Model net) {
        Layer[] ls = Networks.layers(net);
        List<String> names = new ArrayList<>(ls.length);
        for (int i = 0; i < ls.length; i++) {
            names.add(nameOf(net, ls[i], i));
        }
        return names;
    }

    /**
     * Decomposes and converts in one call.
     *
     * @param dense a trained MultiLayerNetwork or ComputationGraph (not modified)
     * @param plan what to convert and how
     * @return the SD network and the report
     * @throws IllegalArgumentException as {@link #decompose(Model, ConversionPlan)}
     * @throws IllegalStateException if the network is not initialised
     */
    public static Result convert(Model dense, ConversionPlan plan) {
        NetworkDecomposition d = decompose(dense, plan);
        return new Result(build(dense, d), d);
    }

    /**
     * Decomposes every planned layer (structured pruning and BatchNorm-gamma masking first, when
     * the plan asks for them), all layers as one parallel batch per distinct decomposition setting.
     *
     * @param dense the network (not modified)
     * @param plan the plan; naming a layer the network lacks is an error
     * @return per-layer SD forms and the report
     * @throws IllegalArgumentException if the plan names a layer the network lacks, or the network has no Dense,
     *     Output or Convolution layer (an SD network, for example; the message names its SD layers)
     * @throws IllegalStateException if the network is not initialised
     */
    public static NetworkDecomposition decompose(Model dense, ConversionPlan plan) {
        return decompose(dense, plan, null);
    }

    /**
     * As {@link #decompose(Model, ConversionPlan)} with progress reporting.
     *
     * @param dense the network (not modified)
     * @param plan the plan
     * @param progress receives progress, may be null
     * @return per-layer SD forms and the report
     */
    public static NetworkDecomposition decompose(Model dense, ConversionPlan plan, ProgressListener progress) {
        Objects.requireNonNull(plan, "plan");
        List<Slot> slots = slots(dense);
        checkPlan(slots, plan);
        // Group planned layers by decomposition settings: one batch per distinct setting.
        Map<DecompositionConfig, List<Prepared>> groups = new LinkedHashMap<>();
        List<ConversionReport.Row> keptRows = new ArrayList<>();
        Map<String, Prepared> prepared = new LinkedHashMap<>();
        for (Slot s : slots) {
            LayerPlan lp = plan.settingsFor(s.name());
            if (s.kind() == Kind.OTHER) {
                continue;
            }
            if (s.kind() == Kind.KEPT || s.kind() == Kind.FROZEN || lp.skip() || !convertible(s, plan)) {
                keptRows.add(keptRow(s, s.kind() != Kind.KEPT && s.kind() != Kind.FROZEN && lp.skip()));
                continue;
            }
            requireConvertible(s);
            List<Prepared> ps = new ArrayList<>();
            ps.add(withDensityTheta(prepare(s, lp)));
            if (s.kind() == Kind.SEPARABLE && plan.convertDepthwise()) {
                // its depthwise half in SD form too, at the layer's settings; the structured ratio and the BatchNorm
                // threshold are the pointwise half's (they act on the layer's output channels)
                Slot half = new Slot(depthwiseName(dense, slots, s.name()), s.index(), s.runtime(), s.conf(),
                        Kind.SEPARABLE_DW, null);
                LayerPlan hp = new LayerPlan(half.name(), lp.theta(), lp.sliceRows(), lp.basisWidth(), lp.maxCoeff(),
                        lp.maxIter(), lp.tol(), 0, 0, false, lp.density());
                ps.add(withDensityTheta(prepare(half, hp)));
            }
            for (Prepared p : ps) {
                prepared.put(p.slot().name(), p);
                DecompositionConfig cfg = decompositionConfig(p.settings(), p.settings().theta());
                groups.computeIfAbsent(cfg, k -> new ArrayList<>()).add(p);
            }
        }
        Map<String, LayerDecomposition> results = new LinkedHashMap<>();
        AtomicInteger done = new AtomicInteger();
        Decomposer.LayerListener layerDone = progress == null ? null : (index, name) -> {
            int n = done.incrementAndGet();
            progress.progress(n, prepared.size(), "decomposed " + n + "/" + prepared.size() + " layers");
        };
        if (progress != null) {
            progress.progress(0, prepared.size(), "decomposing " + prepared.size() + " layers");
        }
        for (Map.Entry<DecompositionConfig, List<Prepared>> g : groups.entrySet()) {
            List<LayerInput> inputs = g.getValue().stream()
                    .map(p -> LayerInput.ofWeight(p.slot().name(), p.layout(), p.weight())).toList();
            try (Decomposer dec = new Decomposer(g.getKey())) {
                DecompositionBatch batch = dec.decompose(inputs, layerDone);
                for (int i = 0; i < inputs.size(); i++) {
                    results.put(g.getValue().get(i).slot().name(), batch.layers().get(i));
                }
            }
        }
        // The report's storage figures come from encoding each layer (Huffman): layers are independent,
        // so encode them in parallel; the rows are put back in network order.
        Map<String, ConversionReport.Row> sdRows = sdRows(prepared, results);
        List<NetworkDecomposition.PlannedLayer> planned = new ArrayList<>();
        List<ConversionReport.Row> rows = new ArrayList<>();
        for (Slot s : slots) {
            Prepared p = prepared.get(s.name());
            if (p != null) {
                if (s.kind() == Kind.SEPARABLE) {
                    // the depthwise half first, in the order the network computes
                    String dw = depthwiseName(dense, slots, s.name());
                    Prepared h = prepared.get(dw);
                    if (h != null) {
                        planned.add(new NetworkDecomposition.PlannedLayer(dw, s.index(), h.settings(), results.get(dw),
                                h.prunedVectors(), h.prunedChannels()));
                        rows.add(sdRows.get(dw));
                    } else {
                        rows.add(depthwiseRow(s, dw));
                    }
                }
                planned.add(new NetworkDecomposition.PlannedLayer(s.name(), s.index(), p.settings(), results.get(s.name()),
                        p.prunedVectors(), p.prunedChannels()));
                rows.add(sdRows.get(s.name()));
            } else {
                keptRows.stream().filter(r -> r.name().equals(s.name())).findFirst().ifPresent(rows::add);
            }
        }
        return new NetworkDecomposition(planned, new ConversionReport(rows));
    }

    /**
     * Builds the SD network holding a decomposition of {@code dense}.
     *
     * @param dense the dense network whose other parameters (biases, BatchNorm, kept layers) are copied (not modified)
     * @param d the decomposition of its planned layers
     * @return a new, initialised SD network of the same class
     */
    public static Model build(Model dense, NetworkDecomposition d) {
        return build(dense, d, null);
    }

    /**
     * As {@link #build(Model, NetworkDecomposition)} with progress reporting: one call per layer
     * whose parameters were filled in.
     *
     * @param dense the dense network (not modified)
     * @param d the decomposition of its planned layers
     * @param progress receives progress, may be null
     * @return a new, initialised SD network of the same class
     */
    public static Model build(Model dense, NetworkDecomposition d, ProgressListener progress) {
        Map<String, NetworkDecomposition.PlannedLayer> byName = new LinkedHashMap<>();
        d.layers().forEach(p -> byName.put(p.name(), p));
        List<Slot> slots = slots(dense);
        requireNotFrozen(slots, byName.keySet());
        // a converted separable convolution becomes two layers, its depthwise half (kept dense, or in SD form when
        // planned) before its SD 1 x 1 half
        Map<String, String> depthwise = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.kind() == Kind.SEPARABLE && byName.containsKey(s.name())) {
                depthwise.put(s.name(), depthwiseName(dense, slots, s.name()));
            }
        }
        // The configuration is deep-copied with clone() (no JSON round trip; for a graph through
        // Networks.cloneConfiguration, which keeps the merge axes DL4J's clone() resets), and the new network is
        // initialised on a zeroed flat parameter array: DL4J then skips its random initialisation,
        // which would be overwritten below anyway (every parameter of every layer is set).
        Model sd = dense instanceof MultiLayerNetwork m ? sdNetwork(m, slots, byName, depthwise)
                : sdGraph((ComputationGraph) dense, slots, byName, depthwise);
        fillParams(dense, sd, byName, depthwise, progress);
        return sd;
    }

    /** The SD network's configuration and zeroed parameters: planned layers replaced, depthwise halves inserted. */
    private static MultiLayerNetwork sdNetwork(MultiLayerNetwork m, List<Slot> slots,
            Map<String, NetworkDecomposition.PlannedLayer> byName, Map<String, String> depthwise) {
        MultiLayerConfiguration conf = m.getLayerWiseConfigurations().clone();
        conf.setEpochCount(0);
        conf.setIterationCount(0);
        if (depthwise.isEmpty()) {
            for (Slot s : slots) {
                NetworkDecomposition.PlannedLayer p = byName.get(s.name());
                if (p != null) {
                    conf.getConf(s.index()).setLayer(sdLayer(s.conf(), p));
                }
            }
        } else {
            // layers are inserted: every layer is named as the report names it, and the preprocessors move along
            List<NeuralNetConfiguration> confs = new ArrayList<>();
            Map<Integer, org.deeplearning4j.nn.conf.InputPreProcessor> pre = new LinkedHashMap<>();
            for (Slot s : slots) {
                NeuralNetConfiguration c = conf.getConf(s.index());
                c.getLayer().setLayerName(s.name());
                if (conf.getInputPreProcess(s.index()) != null) {
                    pre.put(confs.size(), conf.getInputPreProcess(s.index()));
                }
                NetworkDecomposition.PlannedLayer p = byName.get(s.name());
                if (depthwise.containsKey(s.name())) {
                    NeuralNetConfiguration half = c.clone();
                    half.setLayer(depthwiseHalf((SeparableConvolution2D) s.conf(), depthwise.get(s.name()),
                            byName.get(depthwise.get(s.name()))));
                    confs.add(half);
                }
                if (p != null) {
                    c.setLayer(sdLayer(s.conf(), p));
                    c.getLayer().setLayerName(s.name()); // an unnamed layer keeps the name of its old position
                }
                confs.add(c);
            }
            conf.setConfs(confs);
            conf.setInputPreProcessors(pre);
        }
        long n = 0;
        for (NeuralNetConfiguration c : conf.getConfs()) {
            n += c.getLayer().initializer().numParams(c);
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init(flatParams(n, m.params()), false);
        return out;
    }

    /** {@link #sdNetwork} for a graph: a depthwise half becomes a vertex of its own feeding the SD 1 x 1 half. */
    private static ComputationGraph sdGraph(ComputationGraph g, List<Slot> slots,
            Map<String, NetworkDecomposition.PlannedLayer> byName, Map<String, String> depthwise) {
        ComputationGraphConfiguration conf = Networks.cloneConfiguration(g.getConfiguration());
        conf.setEpochCount(0);
        conf.setIterationCount(0);
        for (Slot s : slots) {
            NetworkDecomposition.PlannedLayer p = byName.get(s.name());
            if (p != null) {
                LayerVertex v = (LayerVertex) conf.getVertices().get(s.name());
                String dw = depthwise.get(s.name());
                if (dw != null) {
                    // the depthwise half takes the vertex's inputs and preprocessor; the SD half reads it
                    NeuralNetConfiguration half = v.getLayerConf().clone();
                    half.setLayer(depthwiseHalf((SeparableConvolution2D) s.conf(), dw, byName.get(dw)));
                    Map<String, GraphVertex> vertices = new LinkedHashMap<>();
                    for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
                        if (e.getKey().equals(s.name())) {
                            vertices.put(dw, new LayerVertex(half, v.getPreProcessor()));
                        }
                        vertices.put(e.getKey(), e.getValue());
                    }
                    conf.getVertices().clear();
                    conf.getVertices().putAll(vertices);
                    v.setPreProcessor(null);
                    conf.getVertexInputs().put(dw, conf.getVertexInputs().get(s.name()));
                    conf.getVertexInputs().put(s.name(), new ArrayList<>(List.of(dw)));
                    conf.setTopologicalOrder(null);
                    conf.setTopologicalOrderStr(null);
                }
                v.getLayerConf().setLayer(sdLayer(s.conf(), p));
            }
        }
        long n = 0;
        for (GraphVertex v : conf.getVertices().values()) {
            n += v.numParams(false);
        }
        ComputationGraph out = new ComputationGraph(conf);
        out.init(flatParams(n, g.params()), false);
        return out;
    }

    /**
     * Sets every parameter of the new network: a planned layer's C, B, M and bias (and its depthwise half's), every
     * other layer's parameters copied from the dense network.
     */
    private static void fillParams(Model dense, Model sd, Map<String, NetworkDecomposition.PlannedLayer> byName,
            Map<String, String> depthwise, ProgressListener progress) {
        Layer[] src = Networks.layers(dense);
        Layer[] built = Networks.layers(sd);
        // layers correspond by position, or by name once a separable convolution added its depthwise half (names are
        // unique then: checkPlan)
        Map<String, Layer> dst = new LinkedHashMap<>();
        for (int i = 0; i < built.length && !depthwise.isEmpty(); i++) {
            dst.put(nameOf(sd, built[i], i), built[i]);
        }
        for (int i = 0; i < src.length; i++) {
            String name = nameOf(dense, src[i], i);
            Layer target = depthwise.isEmpty() ? built[i] : dst.get(name);
            NetworkDecomposition.PlannedLayer p = byName.get(name);
            if (p == null) {
                for (Map.Entry<String, INDArray> e : src[i].paramTable().entrySet()) {
                    target.getParam(e.getKey()).assign(e.getValue());
                }
            } else {
                setSd(target, name, p);
                INDArray bias = src[i].paramTable().get("b");
                if (bias != null) {
                    target.getParam(SdParamInitializer.BIAS_KEY).assign(bias);
                }
                String dw = depthwise.get(name);
                if (dw != null && byName.containsKey(dw)) {
                    setSd(dst.get(dw), dw, byName.get(dw));
                } else if (dw != null) {
                    // DL4J's separable layer holds [d, C, kh, kw]; its DepthwiseConvolution2D [kh, kw, C, d]
                    dst.get(dw).getParam("W").assign(separableDepthwise(src[i]));
                }
            }
            if (progress != null) {
                progress.progress(i + 1, src.length, "built layer " + name);
            }
        }
    }

    /** Fills an SD layer's C, B and M (its mask: C's non-zeros) from a planned layer's decomposition. */
    private static void setSd(Layer target, String name, NetworkDecomposition.PlannedLayer p) {
        SdLayer sdConf = (SdLayer) target.conf().getLayer();
        LayerDecomposition dec = p.decomposition();
        checkShapes(name, sdConf.sliceShape(), dec.layout());
        float[] c = dec.c();
        set(target, SdParamInitializer.C_KEY, c);
        set(target, SdParamInitializer.B_KEY, dec.bAsFloat());
        float[] mask = new float[c.length];
        for (int k = 0; k < c.length; k++) {
            mask[k] = c[k] != 0 ? 1f : 0f;
        }
        set(target, SdParamInitializer.MASK_KEY, mask);
    }

    /** A zeroed flat parameter row vector of n values with the data type of the dense network's. */
    private static INDArray flatParams(long n, INDArray denseParams) {
        DataType dt = denseParams == null ? Nd4j.defaultFloatingPointType() : denseParams.dataType();
        return Nd4j.create(dt, 1, n);
    }

    /**
     * Overwrites each planned layer's W in the dense network with its C*B (the RT step of
     * ALGORITHMS.md 5).
     *
     * @param dense the dense network (Modified)
     * @param d a decomposition of it
     */
    public static void overwriteWithCB(Model dense, NetworkDecomposition d) {
        Layer[] ls = Networks.layers(dense);
        for (NetworkDecomposition.PlannedLayer p : d.layers()) {
            INDArray w = plannedWeight(ls[p.index()], p);
            float[] rebuilt = new float[p.decomposition().layout().weightLength()];
            p.decomposition().rebuildWeight(rebuilt);
            long[] shape = Arrays.stream(p.decomposition().layout().weightShape()).asLongStream().toArray();
            w.assign(Nd4j.create(rebuilt, shape, 'c').castTo(w.dataType()));
        }
    }

    /**
     * The re-decomposition step of RT for this plan: decompose (with the plan
     * {@link ConversionPlan#ramped ramped} by the factor RT passes), then overwrite W with C*B.
     *
     * @param plan the conversion plan
     * @return a {@link Retraining.Redecomposer} whose state is the decomposition
     */
    public static Retraining.Redecomposer<NetworkDecomposition> redecomposer(ConversionPlan plan) {
        return new Retraining.Redecomposer<>() {
            @Override
            public NetworkDecomposition redecompose(Model net, double rampFactor) {
                NetworkDecomposition d = decompose(net, rampFactor == 1.0 ? plan : plan.ramped(rampFactor));
                overwriteWithCB(net, d);
                return d;
            }

            @Override
            public List<INDArray> plannedWeights(Model net, NetworkDecomposition state) {
                Layer[] ls = Networks.layers(net);
                return state.layers().stream()
                        .map(p -> plannedWeight(ls[p.index()], p)).toList();
            }

            @Override
            public double cDensity(NetworkDecomposition state) {
                return state.report().cDensity();
            }

            @Override
            public double paperCR(NetworkDecomposition state) {
                return state.report().paperCR();
            }
        };
    }

    // ---------------------------------------------------------------------------------------------

    /** Why a frozen layer is not converted, and the route that converts it. */
    public static final String FROZEN_RULE = "frozen layers (FrozenLayer, FrozenLayerWithBackprop, FrozenVertex) are kept dense "
            + "and frozen; to have them in SD form, convert the network before freezing it (TransferLearning on the SD "
            + "network keeps its frozen SD layers as they are)";

    /**
     * DEPTHWISE: a DepthwiseConvolution2D, converted only when the plan asks for it ({@link #convertible});
     * SEPARABLE_DW: the depthwise half of a SeparableConvolution2D, a slot of its own that only {@link #decompose}
     * makes, when the plan converts depthwise layers; KEPT: a layer with weights of a kind with no SD form; FROZEN: a
     * layer that would convert but is frozen (kept dense and frozen).
     */
    private enum Kind { DENSE, OUTPUT, CONV, SEPARABLE, DEPTHWISE, SEPARABLE_DW, KEPT, FROZEN, OTHER }

    /**
     * The layer classes the converter converts by default (exactly these classes: other subclasses such as
     * transposed convolutions are kept dense; a DepthwiseConvolution2D is converted when the plan asks for it, see
     * {@link #convertible}) and their kinds; the one place that rule is written. A
     * SeparableConvolution2D is converted as two layers: its depthwise half {@code NAME_dw}, kept dense as a
     * DepthwiseConvolution2D (or, when the plan converts depthwise layers, an SdDepthwiseConvolutionLayer), and its
     * 1 x 1 pointwise half, the SD layer {@code NAME} ({@link #build}).
     */
    private static final Map<Class<?>, Kind> CONVERTED = Map.of(DenseLayer.class, Kind.DENSE,
            OutputLayer.class, Kind.OUTPUT, ConvolutionLayer.class, Kind.CONV, SeparableConvolution2D.class,
            Kind.SEPARABLE);

    /** The parameter a converted layer's decomposed weight is: a separable convolution's pointwise weights. */
    private static String weightKey(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return conf instanceof SeparableConvolution2D ? SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY : "W";
    }

    /**
     * A separable convolution's depthwise weights [d, C, kh, kw] seen in DepthwiseConvolution2D's layout [kh, kw, C, d]
     * (a view: writing it writes the layer's weights).
     */
    private static INDArray separableDepthwise(Layer l) {
        return l.getParam(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY).permute(2, 3, 1, 0);
    }

    /** The weight a planned layer decomposed, in its layout's shape (a view into the layer's parameters). */
    private static INDArray plannedWeight(Layer l, NetworkDecomposition.PlannedLayer p) {
        org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
        return conf instanceof SeparableConvolution2D && p.decomposition().layout().kind() == SliceLayout.Kind.DEPTHWISE
                ? separableDepthwise(l) : l.getParam(weightKey(conf));
    }

    /** The weight a slot decomposes, in its layout's shape. */
    private static INDArray slotWeight(Slot s) {
        return s.kind() == Kind.SEPARABLE_DW ? separableDepthwise(s.runtime()) : s.runtime().getParam(weightKey(s.conf()));
    }

    /**
     * The name of a separable convolution's depthwise half in the converted network: {@code NAME_dw}, or
     * {@code NAME_dw2}, ... when the network already has a layer, a graph vertex or a graph input of that name.
     */
    private static String depthwiseName(Model net, List<Slot> slots, String name) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        slots.forEach(s -> taken.add(s.name()));
        if (net instanceof ComputationGraph g) {
            // a graph's other vertices (element-wise, merge, ...) and its inputs have names too
            taken.addAll(g.getConfiguration().getVertices().keySet());
            taken.addAll(g.getConfiguration().getNetworkInputs());
        }
        String n = name + "_dw";
        for (int k = 2; taken.contains(n); k++) {
            n = name + "_dw" + k;
        }
        return n;
    }

    /** A layer of the network with its name, position and conversion kind. */
    private record Slot(String name, int index, Layer runtime, org.deeplearning4j.nn.conf.layers.Layer conf,
                        Kind kind, Layer batchNormAfter) {
    }

    /**
     * A planned layer's weight after structured sparsity, ready to decompose; {@code originalSq} and
     * {@code weightSq} are the squared Frobenius norms of its weights before and after the structured pruning
     * (equal when nothing was pruned).
     */
    private record Prepared(Slot slot, LayerPlan settings, SliceLayout layout, float[] weight, long prunedVectors,
                            int prunedChannels, double originalSq, double weightSq) {
    }

    private static List<Slot> slots(Model net) {
        Layer[] ls = Networks.layers(net);
        List<Slot> out = new ArrayList<>();
        Map<String, Layer> bnByInput = new LinkedHashMap<>();
        if (net instanceof ComputationGraph g) {
            Map<String, List<String>> inputs = g.getConfiguration().getVertexInputs();
            for (Layer l : ls) {
                String n = l.conf().getLayer().getLayerName();
                List<String> in = inputs.get(n);
                if (l.conf().getLayer() instanceof BatchNormalization && in != null && in.size() == 1) {
                    bnByInput.put(in.get(0), l);
                }
            }
        }
        for (int i = 0; i < ls.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = ls[i].conf().getLayer();
            String name = nameOf(net, ls[i], i);
            Layer bn;
            if (net instanceof MultiLayerNetwork) {
                bn = i + 1 < ls.length && ls[i + 1].conf().getLayer() instanceof BatchNormalization ? ls[i + 1] : null;
            } else {
                bn = bnByInput.get(name);
            }
            Kind kind = kindOf(conf, ls[i]);
            if (kind != Kind.OTHER && kind != Kind.KEPT && frozen(net, ls[i], name)) {
                // a frozen layer of a kind that converts stays dense and frozen: converting it would drop the wrapper
                // (its runtime layer's configuration is the wrapped layer's), so it would train (a TransferLearning
                // feature extractor came out trainable, and a graph's could not run its backward pass); a frozen
                // layer of a kind without SD form is kept as any such layer is
                kind = Kind.FROZEN;
            }
            out.add(new Slot(name, i, ls[i], conf, kind, bn));
        }
        return out;
    }

    /**
     * Whether the default plan converts a layer of this configuration: exactly DL4J's DenseLayer, OutputLayer,
     * ConvolutionLayer or SeparableConvolution2D (its pointwise half; other subclasses, such as transposed
     * convolutions, are kept dense, and so is a DepthwiseConvolution2D unless a plan asks for it).
     *
     * @param conf a layer configuration
     * @return true for the four classes
     */
    public static boolean converts(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return CONVERTED.containsKey(conf.getClass());
    }

    /**
     * The layers the default plan converts (DL4J DenseLayer, OutputLayer, ConvolutionLayer and SeparableConvolution2D),
     * by the names {@link #layerNames} gives; depthwise convolutions are not listed, as only a plan that asks converts
     * them.
     *
     * @param net a MultiLayerNetwork or ComputationGraph (not modified)
     * @return their names, in layer order
     */
    public static List<String> convertibleLayerNames(Model net) {
        return convertibleLayerNames(net, null);
    }

    /**
     * The layers a plan can convert (its {@code skip} settings aside): those of {@link #convertibleLayerNames(Model)},
     * and the depthwise convolutions when the plan sets {@code convertDepthwise}.
     *
     * @param net a MultiLayerNetwork or ComputationGraph (not modified)
     * @param plan the plan, or null for the default plan's choice
     * @return their names, in layer order
     */
    public static List<String> convertibleLayerNames(Model net, ConversionPlan plan) {
        return slots(net).stream().filter(s -> convertible(s, plan)).map(Slot::name).toList();
    }

    /**
     * The layers that would convert but are frozen, and so stay dense and frozen ({@link #FROZEN_RULE}).
     *
     * @param net a MultiLayerNetwork or ComputationGraph (not modified)
     * @return their names, in layer order
     */
    public static List<String> frozenLayerNames(Model net) {
        return slots(net).stream().filter(s -> s.kind() == Kind.FROZEN).map(Slot::name).toList();
    }

    /** What the converter converts, for messages. */
    public static final String CONVERTED_KINDS = "DenseLayer, OutputLayer, ConvolutionLayer or SeparableConvolution2D, "
            + "and DepthwiseConvolution2D when the plan sets convertDepthwise";

    /**
     * Checks a plan against a network before any work ({@link #decompose} does too): every layer the plan names
     * exists; the network has a layer to convert (an SD network has none: the message names its SD layers, as
     * converting it would return it unchanged with an empty report); each Dense or Output layer the plan converts
     * has {@code sliceRows >= basisWidth}, as the SD layer builders require (a convolution's n can be its kernel
     * width, which a plan's defaults cannot know, so its slices are raised to n rows instead); and no override sets
     * anything but {@code skip} for a layer that is not converted, nor {@code bnGammaThreshold} for a layer no
     * BatchNormalization follows (settings that would have no effect); and no layer's {@code structuredRatio} prunes
     * every row of its units.
     *
     * @param net  a MultiLayerNetwork or ComputationGraph (not modified)
     * @param plan the plan
     * @throws StructuredRatioTooLargeException when a layer's structuredRatio would zero every row of its units
     * @throws IllegalArgumentException naming the layer, the rule and the value, for the other rules
     */
    public static void checkPlan(Model net, ConversionPlan plan) {
        checkPlan(slots(net), Objects.requireNonNull(plan, "plan"));
    }

    private static void checkPlan(List<Slot> slots, ConversionPlan plan) {
        plan.checkLayersExist(slots.stream().map(Slot::name).toList());
        // the plan and the decomposition address converted layers by name, and the split of a separable layer every
        // layer: a repeated name (a MultiLayerNetwork allows one) would give one layer's decomposition to another
        boolean splits = slots.stream().anyMatch(s -> s.kind() == Kind.SEPARABLE && !plan.settingsFor(s.name()).skip());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Slot s : slots) {
            if (!seen.add(s.name())
                    && (splits || slots.stream().anyMatch(o -> o.name().equals(s.name()) && convertible(o, plan)))) {
                throw new IllegalArgumentException("layer name " + s.name() + " is used by more than one layer; the "
                        + "converter addresses " + (splits ? "layers" : "the layers it converts") + " by name (give each "
                        + "its own name" + (s.name().matches("layer\\d+") ? "; a layer without a name is called "
                        + "layerN, N its index" : "") + ")");
            }
        }
        if (slots.stream().noneMatch(s -> convertible(s, plan))) {
            List<String> sd = slots.stream().filter(s -> s.conf() instanceof SdLayer).map(Slot::name).toList();
            List<String> frozen = slots.stream().filter(s -> s.kind() == Kind.FROZEN).map(Slot::name).toList();
            throw new IllegalArgumentException("the network has no layer to convert (" + CONVERTED_KINDS + ")"
                    + (sd.isEmpty() ? "" : "; these are already in SD form: " + String.join(", ", sd))
                    + (frozen.isEmpty() ? "" : "; these are frozen: " + String.join(", ", frozen) + " (" + FROZEN_RULE + ")"));
        }
        for (Slot s : slots) {
            LayerPlan lp = plan.settingsFor(s.name());
            String cls = s.conf().getClass().getSimpleName();
            if ((s.kind() == Kind.DENSE || s.kind() == Kind.OUTPUT) && !lp.skip() && lp.sliceRows() < lp.basisWidth()) {
                throw new IllegalArgumentException("plan for layer " + s.name() + ": sliceRows must be >= basisWidth ("
                        + lp.basisWidth() + ") for a " + cls + ", got " + lp.sliceRows());
            }
            List<String> own = new ArrayList<>(plan.ownSettings(s.name()));
            own.remove("skip");
            if (!convertible(s, plan) && !own.isEmpty()) {
                // settings for a layer that is not converted would have no effect (skip is harmless: it is kept anyway)
                throw new IllegalArgumentException("plan.layers[" + s.name() + "] sets " + String.join(", ", own)
                        + " for a " + (s.kind() == Kind.FROZEN ? "frozen " : "") + cls + ", which is not converted ("
                        + (s.kind() == Kind.FROZEN ? FROZEN_RULE : s.kind() == Kind.DEPTHWISE ? "depthwise layers are kept dense unless the plan sets "
                        + "\"convertDepthwise\": true"
                        : "only DenseLayer, OutputLayer, ConvolutionLayer and SeparableConvolution2D are, and "
                        + "DepthwiseConvolution2D when the plan asks") + "); those settings would have no effect");
            }
            StructuredRatioTooLargeException tooLarge = ratioTooLarge(s, plan);
            if (tooLarge != null) {
                // the later layers the plan's ratios would zero too, so that one refusal names them all
                List<StructuredRatioTooLargeException> more = new ArrayList<>();
                for (Slot later : slots.subList(slots.indexOf(s) + 1, slots.size())) {
                    StructuredRatioTooLargeException e = ratioTooLarge(later, plan);
                    if (e != null) {
                        more.add(e);
                    }
                }
                throw new StructuredRatioTooLargeException(s.name(), cls, tooLarge.ratio(), tooLarge.unitRows(), more);
            }
            if (convertible(s, plan) && own.contains("bnGammaThreshold") && lp.bnGammaThreshold() > 0 && s.batchNormAfter() == null) {
                throw new IllegalArgumentException("plan.layers[" + s.name() + "] sets bnGammaThreshold, but no "
                        + "BatchNormalization follows the " + cls + "; the setting would have no effect");
            }
        }
    }

    /** The refusal of a layer whose plan ratio would zero every row of its units, or null when it leaves a row. */
    private static StructuredRatioTooLargeException ratioTooLarge(Slot s, ConversionPlan plan) {
        LayerPlan lp = plan.settingsFor(s.name());
        if (!convertible(s, plan) || lp.skip() || lp.structuredRatio() <= 0) {
            return null;
        }
        int rows = layout(s, lp).unitRows();
        return StructuredPruning.rowsToPrune(lp.structuredRatio(), rows) >= rows ? new StructuredRatioTooLargeException(
                s.name(), s.conf().getClass().getSimpleName(), lp.structuredRatio(), rows, List.of()) : null;
    }

    /**
     * Whether the plan converts a layer of this kind (its {@code skip} aside): the kinds of {@link #CONVERTED}, and a
     * depthwise convolution when the plan sets {@code convertDepthwise}.
     *
     * @param plan the plan, or null for the default plan's choice (depthwise layers kept)
     */
    private static boolean convertible(Slot s, ConversionPlan plan) {
        if (s.kind() == Kind.DEPTHWISE) {
            return plan != null && plan.convertDepthwise();
        }
        return CONVERTED.containsValue(s.kind());
    }

    /**
     * Refuses a decomposition that plans a layer the network holds frozen (a decomposition of the unfrozen network
     * applied to a frozen copy): building it would drop the frozen wrapper, as conversion did before frozen layers
     * were kept.
     */
    private static void requireNotFrozen(List<Slot> slots, java.util.Collection<String> planned) {
        List<String> frozen = slots.stream().filter(s -> s.kind() == Kind.FROZEN && planned.contains(s.name()))
                .map(Slot::name).toList();
        if (!frozen.isEmpty()) {
            throw new IllegalArgumentException("the decomposition plans layers this network holds frozen: "
                    + String.join(", ", frozen) + " (" + FROZEN_RULE + ")");
        }
    }

    /**
     * Whether a layer is frozen: DL4J's runtime FrozenLayer or FrozenLayerWithBackprop (what TransferLearning's
     * feature extractor makes; their {@code conf().getLayer()} is the wrapped layer's configuration), or the layer of
     * a graph's FrozenVertex.
     */
    private static boolean frozen(Model net, Layer runtime, String name) {
        return runtime instanceof org.deeplearning4j.nn.layers.FrozenLayer
                || runtime instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop
                || net instanceof ComputationGraph g
                && g.getConfiguration().getVertices().get(name) instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex;
    }

    private static Kind kindOf(org.deeplearning4j.nn.conf.layers.Layer conf, Layer runtime) {
        if (conf instanceof SdLayer) {
            return Kind.OTHER;
        }
        Kind converted = CONVERTED.get(conf.getClass());
        if (converted != null) {
            return converted;
        }
        if (conf.getClass() == DepthwiseConvolution2D.class) {
            return Kind.DEPTHWISE;
        }
        boolean hasWeights = runtime.paramTable().keySet().stream()
                .anyMatch(k -> conf.initializer().isWeightParam(conf, k));
        return hasWeights ? Kind.KEPT : Kind.OTHER;
    }

    private static String nameOf(Model net, Layer l, int index) {
        String n = l.conf().getLayer().getLayerName();
        return n != null ? n : (net instanceof MultiLayerNetwork ? "layer" + index : String.valueOf(index));
    }

    /** The slice layout a planned layer is decomposed in (its weight's shape and the plan's slicing). */
    private static SliceLayout layout(Slot s, LayerPlan lp) {
        long[] sh = slotWeight(s).shape();
        if (s.kind() == Kind.DENSE || s.kind() == Kind.OUTPUT) {
            return SliceLayout.dense((int) sh[0], (int) sh[1], lp.sliceRows(), lp.basisWidth()); // sliceRows >= n: checkPlan
        }
        if (s.kind() == Kind.DEPTHWISE || s.kind() == Kind.SEPARABLE_DW) {
            return SliceLayout.depthwise((int) sh[0], (int) sh[1], (int) sh[2], (int) sh[3],
                    Math.max(lp.sliceRows(), (int) sh[1]));
        }
        int kw = (int) sh[3];
        int n = kw > 1 ? kw : lp.basisWidth();
        return SliceLayout.conv((int) sh[0], (int) sh[1], (int) sh[2], kw, Math.max(lp.sliceRows(), n), lp.basisWidth());
    }

    private static Prepared prepare(Slot s, LayerPlan lp) {
        INDArray wArr = slotWeight(s);
        INDArray wc = wArr.dataType() == DataType.FLOAT ? wArr.dup('c') : wArr.castTo(DataType.FLOAT).dup('c');
        float[] w = wc.data().asFloat();
        SliceLayout layout = layout(s, lp);
        // each unit's weights: a row of [nOut, perUnit]; dense W [nIn, nOut] and depthwise W [kh, kw, nIn, d] (that is
        // [kh*kw, nIn*d] in C order) hold the transpose of that view
        boolean unitsLast = s.kind() == Kind.DENSE || s.kind() == Kind.OUTPUT || s.kind() == Kind.DEPTHWISE
                || s.kind() == Kind.SEPARABLE_DW;
        int nOut = layout.units();
        int perUnit = layout.unitLength();
        long prunedVectors = 0;
        int prunedChannels = 0;
        double originalSq = sumOfSquares(w);
        if (lp.structuredRatio() > 0 || lp.bnGammaThreshold() > 0) {
            // Work on the [nOut, nIn*kh*kw] view: dense and depthwise weights are transposed to it and back.
            float[] filters = unitsLast ? transpose(w, perUnit, nOut) : w;
            if (lp.structuredRatio() > 0) {
                // a vector is a row of the slice layout, so that pruned rows are zero rows of C (ALGORITHMS.md 3.1):
                // kw weights of a kernel row when kw > 1 (vectorWise's vector); basisWidth consecutive inputs for
                // 1x1 convs and dense layers, not one
                prunedVectors = StructuredPruning.vectorWiseRows(filters, nOut, perUnit, layout.width(),
                        lp.structuredRatio(), StructuredPruning.DEFAULT_GROUP_SIZE, filters);
            }
            if (lp.bnGammaThreshold() > 0 && s.batchNormAfter() != null) {
                float[] gamma = s.batchNormAfter().getParam("gamma").dup('c').castTo(DataType.FLOAT).data().asFloat();
                StructuredPruning.ChannelMask mask = StructuredPruning.bnGammaMask(gamma, lp.bnGammaThreshold());
                prunedChannels = StructuredPruning.maskOutputChannels(filters, mask, filters);
            }
            w = unitsLast ? transpose(filters, nOut, perUnit) : filters;
        }
        return new Prepared(s, lp, layout, w, prunedVectors, prunedChannels, originalSq,
                prunedVectors > 0 || prunedChannels > 0 ? sumOfSquares(w) : originalSq);
    }

    /** ||a||_F^2 in double (a weight array of any data type as given). */
    private static double sumOfSquares(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE);
        return d.mul(d).sumNumber().doubleValue();
    }

    private static double sumOfSquares(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return s;
    }

    /** Bisection steps on log(theta) in [1e-6, 1]: 2^-14 of the 13.8-wide log range, 0.08% in theta. */
    private static final int DENSITY_SEARCH_STEPS = 14;

    /**
     * For a layer with a density target, the smallest threshold (to 0.1%) in [1e-6, 1] whose
     * decomposition has a C density at most the target, found by bisection on log(theta); the
     * settings come back with that theta. C density is not strictly monotone in theta (the
     * decomposition re-fits B after thresholding), so the search keeps the invariant "density at
     * the upper end &lt;= target" and returns that end; when even theta = 1 (the largest a plan
     * allows) leaves more, that is returned and the report shows the higher density.
     * Deterministic: same weights, same theta.
     */
    private static Prepared withDensityTheta(Prepared p) {
        LayerPlan lp = p.settings();
        double target = lp.density();
        if (target == 0) {
            return p;
        }
        double theta;
        if (target >= 1) {
            theta = 0;
        } else {
            LayerInput in = LayerInput.ofWeight(p.slot().name(), p.layout(), p.weight());
            double lo = Math.log(1e-6);
            double hi = 0;
            if (cDensity(in, lp, 1e-6) <= target) {
                hi = lo;
            } else {
                for (int i = 0; i < DENSITY_SEARCH_STEPS; i++) {
                    double mid = 0.5 * (lo + hi);
                    if (cDensity(in, lp, Math.exp(mid)) <= target) {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
            }
            theta = Math.exp(hi);
        }
        return new Prepared(p.slot(), lp.withTheta(theta), p.layout(), p.weight(), p.prunedVectors(), p.prunedChannels(),
                p.originalSq(), p.weightSq());
    }

    /** The decomposition settings of a layer's plan at threshold {@code theta}, on every core. */
    private static DecompositionConfig decompositionConfig(LayerPlan lp, double theta) {
        return new DecompositionConfig(theta, lp.tol(), lp.maxIter(), lp.maxCoeff(), null, false,
                Runtime.getRuntime().availableProcessors());
    }

    private static double cDensity(LayerInput in, LayerPlan lp, double theta) {
        try (Decomposer dec = new Decomposer(decompositionConfig(lp, theta))) {
            return dec.decompose(List.of(in)).layers().get(0).stats().cDensity();
        }
    }

    /** Transposes a row-major [rows, cols] matrix. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    /**
     * Refuses a layer with a setting the SD layers do not have, before any work: a dense layer's layer normalisation
     * (hasLayerNorm, with its gain g) was dropped, and the converted network computed something else, exit 0 (the
     * session-24 fuzzing rounds). A plan that skips the layer keeps it dense.
     */
    private static void requireConvertible(Slot s) {
        if (s.conf() instanceof DenseLayer d && d.hasLayerNorm()) {
            throw new IllegalArgumentException("layer " + s.name() + " (DenseLayer) has layer normalisation "
                    + "(hasLayerNorm), which SD layers do not support; keep it dense with \"skip\": true in the plan's "
                    + "layers");
        }
        // settings the SD layer would refuse when built, refused here before any decomposition
        if (s.conf() instanceof BaseLayer b) {
            String kind = b.getClass().getSimpleName();
            if (b.getWeightNoise() != null) {
                throw new IllegalArgumentException("layer " + s.name() + " (" + kind + ") has weight noise ("
                        + b.getWeightNoise() + "), which SD layers do not support; remove it before converting, or keep "
                        + "the layer dense with \"skip\": true in the plan's layers");
            }
            Networks.requireBiasConstraintsOnly(s.name(), b);
        }
    }

    private static org.deeplearning4j.nn.conf.layers.Layer sdLayer(org.deeplearning4j.nn.conf.layers.Layer old,
                                                                   NetworkDecomposition.PlannedLayer p) {
        LayerPlan lp = p.settings();
        double theta = theta(p);
        int sliceRows = sliceRows(p);
        BaseLayer out;
        if (old.getClass() == DenseLayer.class) {
            DenseLayer d = (DenseLayer) old;
            out = new SdDenseLayer.Builder().name(d.getLayerName()).nIn(d.getNIn()).nOut(d.getNOut())
                    .activation(d.getActivationFn()).hasBias(d.hasBias()).sliceRows(sliceRows)
                    .basisWidth(lp.basisWidth()).theta(theta).maxCoeff(lp.maxCoeff()).build();
        } else if (old.getClass() == OutputLayer.class) {
            OutputLayer o = (OutputLayer) old;
            out = new SdOutputLayer.Builder(o.getLossFn()).name(o.getLayerName()).nIn(o.getNIn()).nOut(o.getNOut())
                    .activation(o.getActivationFn()).hasBias(o.hasBias()).sliceRows(sliceRows)
                    .basisWidth(lp.basisWidth()).theta(theta).maxCoeff(lp.maxCoeff()).build();
        } else if (old.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) old;
            out = new SdConvolutionLayer.Builder(c.getKernelSize(), c.getStride(), Networks.builderPadding(c))
                    .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode()).dataFormat(c.getCnn2dDataFormat())
                    .name(c.getLayerName()).nIn(c.getNIn()).nOut(c.getNOut()).activation(c.getActivationFn())
                    .hasBias(c.hasBias()).sliceRows(sliceRows).basisWidth(lp.basisWidth()).theta(theta)
                    .maxCoeff(lp.maxCoeff()).build();
        } else if (old.getClass() == DepthwiseConvolution2D.class) {
            DepthwiseConvolution2D c = (DepthwiseConvolution2D) old;
            out = new SdDepthwiseConvolutionLayer.Builder(c.getKernelSize(), c.getStride(), Networks.builderPadding(c))
                    .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode()).dataFormat(c.getCnn2dDataFormat())
                    .depthMultiplier(c.getDepthMultiplier()).name(c.getLayerName()).nIn(c.getNIn())
                    .nOut(c.getNOut()).activation(c.getActivationFn()).hasBias(c.hasBias()).sliceRows(sliceRows)
                    .theta(theta).maxCoeff(lp.maxCoeff()).build();
        } else if (old.getClass() == SeparableConvolution2D.class) {
            // the pointwise half: a 1 x 1 convolution of the depthwise half's C x d channels, with the layer's bias
            // and activation (DL4J applies both after the pointwise product); its depthwise half is depthwiseHalf's
            SeparableConvolution2D c = (SeparableConvolution2D) old;
            out = new SdConvolutionLayer.Builder(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0})
                    .convolutionMode(ConvolutionMode.Truncate).dataFormat(c.getCnn2dDataFormat()).name(c.getLayerName())
                    .nIn(c.getNIn() * c.getDepthMultiplier()).nOut(c.getNOut()).activation(c.getActivationFn())
                    .hasBias(c.hasBias()).sliceRows(sliceRows).basisWidth(lp.basisWidth()).theta(theta)
                    .maxCoeff(lp.maxCoeff()).build();
            copyTrainingSettings(c, out);
            out.setIDropout(null); // DL4J drops the separable layer's input once: the depthwise half has it
            return out;
        } else {
            // kindOf marks only the classes above DENSE, OUTPUT, CONV, DEPTHWISE or SEPARABLE: a new kind needs its
            // branch here
            throw new IllegalStateException("SdConverter: no SD form for layer class " + old.getClass().getName()
                    + " (layer " + old.getLayerName() + ")");
        }
        copyTrainingSettings((BaseLayer) old, out);
        return out;
    }

    /**
     * A separable convolution's depthwise half: DL4J's DepthwiseConvolution2D of its kernel, stride, padding, dilation,
     * mode and depth multiplier, with no bias and no activation (DL4J applies both after the pointwise product); an
     * SdDepthwiseConvolutionLayer when the half is planned.
     *
     * @param planned the half's decomposition, or null to keep it dense
     */
    private static org.deeplearning4j.nn.conf.layers.Layer depthwiseHalf(SeparableConvolution2D c, String name,
                                                                         NetworkDecomposition.PlannedLayer planned) {
        DepthwiseConvolution2D.Builder b;
        if (planned == null) {
            b = new DepthwiseConvolution2D.Builder(c.getKernelSize(), c.getStride(), Networks.builderPadding(c));
        } else {
            b = new SdDepthwiseConvolutionLayer.Builder(c.getKernelSize(), c.getStride(), Networks.builderPadding(c))
                    .sliceRows(sliceRows(planned)).theta(theta(planned)).maxCoeff(planned.settings().maxCoeff());
        }
        BaseLayer out = b.dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                .dataFormat(c.getCnn2dDataFormat()).depthMultiplier(c.getDepthMultiplier()).nIn(c.getNIn())
                .nOut(c.getNIn() * c.getDepthMultiplier()).hasBias(false).activation(Activation.IDENTITY).name(name)
                .build();
        copyTrainingSettings(c, out);
        return out;
    }

    /**
     * An SD layer's theta (see the class Javadoc): the largest power of two not above the plan's, or the smallest
     * magnitude of the layer's C where that is below it (maxIter 1, or maxCoeff below the plan's theta), so that the
     * layer's projection P keeps every coefficient of C; 0 stays 0.
     */
    private static double theta(NetworkDecomposition.PlannedLayer p) {
        double plan = p.settings().theta();
        if (plan == 0) {
            return 0;
        }
        double theta = Math.scalb(1.0, Math.getExponent(plan));
        for (float c : p.decomposition().c()) {
            if (c != 0f && Math.abs(c) < theta) {
                theta = Math.abs(c); // a power of two: P keeps it (and every larger power of two)
            }
        }
        return theta;
    }

    /** The slice height the decomposition's layout was built with (at least n). */
    private static int sliceRows(NetworkDecomposition.PlannedLayer p) {
        return Math.max(p.settings().sliceRows(), p.decomposition().layout().width());
    }

    /** The dense layer's updaters, regularization, initialisation, normalisation, dropout, noise and constraints. */
    private static void copyTrainingSettings(BaseLayer b, BaseLayer out) {
        out.setIUpdater(b.getIUpdater());
        out.setBiasUpdater(b.getBiasUpdater());
        out.setRegularization(b.getRegularization());
        out.setRegularizationBias(b.getRegularizationBias());
        Networks.copyLayerSettings(b, out);
    }

    private static void checkShapes(String name, SdSliceShape s, SliceLayout l) {
        if (s.numSlices() != l.numSlices() || s.sliceHeight() != l.rows() || s.basisWidth() != l.width()) {
            throw new IllegalStateException("layer " + name + ": SD layer geometry [K, m, n] = [" + s.numSlices() + ", "
                    + s.sliceHeight() + ", " + s.basisWidth() + "] differs from the decomposition's [" + l.numSlices()
                    + ", " + l.rows() + ", " + l.width() + "]");
        }
    }

    /** Writes values into a parameter view: straight into its buffer when it is a contiguous float view. */
    private static void set(Layer l, String key, float[] values) {
        INDArray p = l.getParam(key);
        if (p.length() != values.length) {
            throw new IllegalStateException("layer " + l.conf().getLayer().getLayerName() + " parameter " + key + ": "
                    + p.length() + " entries (shape " + Arrays.toString(p.shape()) + ") but " + values.length + " values");
        }
        // A parameter view's buffer starts at the view's first element (ND4J M2.1 view buffers).
        if (p.dataType() == DataType.FLOAT && p.ordering() == 'c' && p.elementWiseStride() == 1
                && p.data().length() == values.length && p.data().indexer() instanceof FloatIndexer idx) {
            idx.put(0, values, 0, values.length);
        } else {
            p.assign(Nd4j.create(values, p.shape(), 'c').castTo(p.dataType()));
        }
    }

    private static Map<String, ConversionReport.Row> sdRows(Map<String, Prepared> prepared,
                                                            Map<String, LayerDecomposition> results) {
        List<Prepared> ps = new ArrayList<>(prepared.values());
        ConversionReport.Row[] rows = new ConversionReport.Row[ps.size()];
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), ps.size()));
        if (threads == 1) {
            for (int i = 0; i < rows.length; i++) {
                rows[i] = sdRow(ps.get(i).slot(), results.get(ps.get(i).slot().name()), ps.get(i));
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "sd-report");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<ConversionReport.Row>> fs = new ArrayList<>();
                for (Prepared p : ps) {
                    fs.add(pool.submit(() -> sdRow(p.slot(), results.get(p.slot().name()), p)));
                }
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = fs.get(i).get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while encoding the report", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        Map<String, ConversionReport.Row> out = new LinkedHashMap<>();
        for (int i = 0; i < rows.length; i++) {
            out.put(ps.get(i).slot().name(), rows[i]);
        }
        return out;
    }

    private static ConversionReport.Row sdRow(Slot s, LayerDecomposition d, Prepared p) {
        SliceLayout l = d.layout();
        EncodedLayer enc = SdLayerCodec.encode(d.c(), l.numSlices(), l.rows(), l.width(), l.unitRows(), d.bAsFloat());
        StorageBreakdown sb = enc.breakdown();
        DecompositionStats st = d.stats();
        String type = s.kind() == Kind.DENSE ? "SdDenseLayer" : s.kind() == Kind.OUTPUT ? "SdOutputLayer"
                : s.kind() == Kind.SEPARABLE ? "SdConvolutionLayer (1x1)"
                : s.kind() == Kind.DEPTHWISE || s.kind() == Kind.SEPARABLE_DW ? "SdDepthwiseConvolutionLayer"
                : "SdConvolutionLayer";
        // the decomposition measured its error against the pruned W; the user's W is the one before pruning
        double relError = p.prunedVectors() > 0 || p.prunedChannels() > 0 ? errorAgainstOriginal(p, st) : st.relativeError();
        return new ConversionReport.Row(s.name(), type, Arrays.toString(l.weightShape()), true, l.weightLength(),
                l.numSlices(), st.cDensity(), st.weightDensity(), relError, st.meanIterations(),
                st.distinctExponents(), p.prunedChannels(), sb.indexBits(), sb.cBits(), sb.tableBits(), sb.bBits(), 0,
                st.seconds(), p.originalSq());
    }

    /**
     * ||W - C*B||_F / ||W||_F with W the layer's weights before pruning (0 for an all-zero W), without rebuilding
     * C*B: the pruned entries are whole zero rows of the decomposed weight, which give exact zero rows of C (tested),
     * so C*B is 0 there and ||W - C*B||^2 = ||the pruned entries||^2 + ||pruned W - C*B||^2, the second term the
     * decomposition's own error times ||pruned W||^2.
     */
    private static double errorAgainstOriginal(Prepared p, DecompositionStats st) {
        if (p.originalSq() == 0) {
            return 0;
        }
        double e = st.relativeError();
        double decomposition = p.weightSq() == 0 ? 0 : e * e * p.weightSq(); // all pruned: nothing left to miss
        return Math.sqrt(((p.originalSq() - p.weightSq()) + decomposition) / p.originalSq());
    }

    /** The report row of a converted separable convolution's depthwise half kept dense: 32 bits per weight. */
    private static ConversionReport.Row depthwiseRow(Slot s, String name) {
        INDArray w = s.runtime().getParam(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY);
        long n = w.length();
        double nz = w.neq(0).castTo(DataType.DOUBLE).sumNumber().doubleValue();
        long[] sh = w.shape(); // [d, C, kh, kw] in the separable layer; the DepthwiseConvolution2D holds [kh, kw, C, d]
        return new ConversionReport.Row(name, "DepthwiseConvolution2D" + ConversionReport.KEPT_MARK,
                Arrays.toString(new long[] {sh[2], sh[3], sh[1], sh[0]}), false, n, 0, 1,
                n == 0 ? 0 : nz / n, 0, 0, 0, 0, 0, 0, 0, 0, 32 * n, 0, sumOfSquares(w));
    }

    /** The report row of a layer kept dense; {@code skipped}: because the plan skips it (it would convert). */
    private static ConversionReport.Row keptRow(Slot s, boolean skipped) {
        long weights = 0;
        double nz = 0;
        double sq = 0;
        String shape = "";
        for (Map.Entry<String, INDArray> e : s.runtime().paramTable().entrySet()) {
            if (s.conf().initializer().isWeightParam(s.conf(), e.getKey())) {
                weights += e.getValue().length();
                nz += e.getValue().neq(0).castTo(DataType.DOUBLE).sumNumber().doubleValue();
                sq += sumOfSquares(e.getValue());
                // every weight array: a separable convolution has its depthwise and its pointwise one
                shape = (shape.isEmpty() ? "" : shape + " + ") + Arrays.toString(e.getValue().shape());
            }
        }
        return new ConversionReport.Row(s.name(), s.conf().getClass().getSimpleName()
                + (s.kind() == Kind.FROZEN ? ConversionReport.FROZEN_MARK
                        : skipped ? ConversionReport.SKIPPED_MARK : ConversionReport.KEPT_MARK), shape, false, weights,
                0, 1, weights == 0 ? 0 : nz / weights, 0, 0, 0, 0, 0, 0, 0, 0, 32 * weights, 0, sq);
    }
}
