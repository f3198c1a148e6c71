package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the HWMODEL.md 1.3 activation statistics of every priced layer's input by running real
 * data through the network in inference mode ({@code MultiLayerNetwork.feedForward(x, false)},
 * {@code ComputationGraph.feedForward(x, false)}); definitions and the int8 quantisation are those of
 * {@link ActStatsAccumulator}. dOut of a layer is the density of its own output (the layer's activation
 * after its activation function, int8 with one scale per minibatch as for dA), which is what SCNN writes
 * compressed. HWMODEL.md 1.3's "= next layer's dA" holds only in a chain without pooling: in a graph the
 * next priced layer can be a sibling branch (a residual block's downsample conv), and pooling raises the
 * density (audit of 2026-12-04). When a forward pass does not hold a layer's output (a MultiLayerNetwork
 * training pass stops at the output layer's input; the depthwise half of a separable convolution, whose output is
 * the pointwise half's input), dOut falls back to the next priced layer's dA, and to 1 for the last layer.
 */
// "try": try (MemoryWorkspace ws = ...scopeOutOfWorkspaces()) only scopes allocations out of DL4J's workspaces
@SuppressWarnings("try")
public final class ActStatsCollector {
    private final Model net;
    private final Workloads.Extracted layers;
    private final List<ActStatsAccumulator> acc = new ArrayList<>();
    private final long[] outNonZero, outValues;
    private long images;

    /** A collector for the priced layers of {@code net} on architecture {@code a}. */
    public ActStatsCollector(Model net, Workloads.Extracted layers, ArchSpec a) {
        this.net = net;
        this.layers = layers;
        for (Workloads.NetLayer l : layers.layers()) acc.add(new ActStatsAccumulator(l.spec(), a));
        outNonZero = new long[acc.size()];
        outValues = new long[acc.size()];
    }

    /** Images measured so far. */
    public long images() {
        return images;
    }

    /**
     * Runs one minibatch of network input through the network (inference mode) and measures it. Not modified:
     * features.
     *
     * <p>The pass is made layer by layer (vertex by vertex), each on a copy of its input, rather than with DL4J's
     * {@code feedForward(features, false)}: in inference DL4J's ActivationLayer applies its function in place, so the
     * array feedForward returns for the layer before it (and, for a first ActivationLayer, the caller's features)
     * held the activated values, and a layer reading the same array beside it in a graph was measured on them
     * (found by fuzzing, session 25). The outputs are the same as feedForward's.
     */
    public void add(INDArray features) {
        if (net instanceof MultiLayerNetwork m) {
            addMln(forward(m, features));
        } else if (net instanceof ComputationGraph g) {
            List<String> inputs = g.getConfiguration().getNetworkInputs();
            if (inputs.size() != 1)
                throw new IllegalArgumentException("ActStatsCollector: the graph has " + inputs.size() + " inputs " + inputs
                    + "; add(features) takes one");
            addCg(forward(g, features));
        } else {
            throw new IllegalArgumentException("ActStatsCollector: network must be a MultiLayerNetwork or ComputationGraph");
        }
    }

    /**
     * The activations of an inference pass, index 0 = the input, i + 1 = layer i's output; no array is shared. The
     * preprocessors get the minibatch size of the network input, as in DL4J's own pass (rows split from sequences,
     * e.g. [N T, C], are put back into N sequences by FeedForwardToRnnPreProcessor).
     */
    static List<INDArray> forward(MultiLayerNetwork m, INDArray features) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            List<INDArray> acts = new ArrayList<>();
            INDArray cur = features.dup();
            acts.add(cur);
            int miniBatch = (int) features.size(0);
            for (int i = 0; i < m.getnLayers(); i++) {
                InputPreProcessor pre = m.getLayerWiseConfigurations().getInputPreProcess(i);
                INDArray in = pre == null ? cur.dup() : pre.preProcess(cur.dup(), miniBatch, mgr);
                cur = m.getLayer(i).activate(in, false, mgr);
                m.getLayer(i).clear();
                acts.add(cur);
            }
            return acts;
        }
    }

    /**
     * The activations of an inference pass by vertex name, the network inputs included; no array is shared.
     *
     * @param features one array per network input, in the graph's input order
     */
    static Map<String, INDArray> forward(ComputationGraph g, INDArray... features) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            List<String> inputs = g.getConfiguration().getNetworkInputs();
            if (inputs.size() != features.length)
                throw new IllegalArgumentException("ActStatsCollector: the graph has " + inputs.size() + " inputs " + inputs
                    + ", got " + features.length + " arrays");
            Map<String, INDArray> acts = new LinkedHashMap<>();
            for (int k = 0; k < inputs.size(); k++) {
                INDArray input = features[k].dup(); // every vertex reads a copy of it, so one copy serves the map and the graph
                acts.put(inputs.get(k), input);
                g.setInput(k, input); // vertices read the minibatch size from the graph's input (PreprocessorVertex)
            }
            GraphVertex[] vertices = g.getVertices();
            for (int idx : g.topologicalSortOrder()) {
                GraphVertex v = vertices[idx];
                if (v.isInputVertex()) continue;
                VertexIndices[] from = v.getInputVertices();
                // setInput, as DL4J's own pass does: a layer vertex then applies its preprocessor and sets the layer input
                for (int k = 0; k < from.length; k++)
                    v.setInput(k, acts.get(vertices[from[k].getVertexIndex()].getVertexName()).dup(), mgr);
                acts.put(v.getVertexName(), v.doForward(false, mgr));
                v.clear();
            }
            return acts;
        }
    }

    /**
     * Adds the activations of one MLN forward pass (index 0 = network input, i+1 = layer i's output).
     *
     * @throws NonFiniteValuesException naming the first layer input or output that holds a NaN or an infinity;
     *                                  nothing of the pass is added then
     */
    public void addMln(List<INDArray> acts) {
        // out of DL4J's workspaces for the preparation too: MultiLayerNetwork calls listeners with its activation
        // workspace open, in which preparing a separable convolution's half (an output() call) would fail
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray[] in = new INDArray[acc.size()], out = new INDArray[acc.size()];
            for (int i = 0; i < acc.size(); i++) {
                in[i] = layers.layers().get(i).input(acts);
                int o = layers.layers().get(i).mlnIndex() + 1;
                out[i] = layers.layers().get(i).output() != null && o < acts.size() ? acts.get(o) : null;
            }
            add(in, out);
        }
    }

    /**
     * Adds the activations of one graph forward pass (vertex name to output, network inputs included).
     *
     * @throws NonFiniteValuesException as {@link #addMln}
     */
    public void addCg(Map<String, INDArray> acts) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray[] in = new INDArray[acc.size()], out = new INDArray[acc.size()];
            for (int i = 0; i < acc.size(); i++) {
                Workloads.NetLayer l = layers.layers().get(i);
                INDArray x = l.input(acts);
                if (x == null && net instanceof ComputationGraph g && g.getInputs() != null) {
                    // a training-time activation map may leave out the network inputs: take them from the graph
                    int k = g.getConfiguration().getNetworkInputs().indexOf(l.cgInput());
                    if (k >= 0) x = l.prep(g.getInput(k));
                }
                in[i] = x;
                out[i] = l.output() == null ? null : acts.get(l.output());
            }
            add(in, out);
        }
    }

    /**
     * Adds every layer's input and output of one pass, or none of them: the first NaN or infinity (in the order layer
     * 0's input, its output, layer 1's input, ...) is refused with its message ({@link ActStatsAccumulator#scale(float[],
     * String)}) and everything this pass added is taken back. Each array is made a float copy once, checked and added
     * (the check was a separate pass of two ND4J scans per array, about a third of energy --data's time). As before,
     * an input of the wrong size fails after the check of the whole pass, with the inputs before it added and no
     * output. Called out of DL4J's workspaces.
     */
    private void add(INDArray[] in, INDArray[] out) {
        ActStatsAccumulator[] before = new ActStatsAccumulator[acc.size()];
        for (int i = 0; i < acc.size(); i++) before[i] = acc.get(i).copy();
        long[] nonZeroBefore = outNonZero.clone(), valuesBefore = outValues.clone();
        RuntimeException wrongInput = null;
        int n = -1;
        try {
            for (int i = 0; i < acc.size(); i++) {
                String id = layers.layers().get(i).spec().id();
                if (in[i] != null) {
                    float[] x = floats(in[i]);
                    ActStatsAccumulator.scale(x, "ActStatsAccumulator(" + id + "): input"); // refuses a non-finite value
                    if (wrongInput == null) {
                        try {
                            int size = (int) in[i].size(0);
                            acc.get(i).add(x, size);
                            n = size;
                        } catch (IllegalArgumentException e) {
                            wrongInput = e; // thrown once the whole pass is checked; no output is added then
                        }
                    }
                }
                if (out[i] != null) {
                    float[] x = floats(out[i]);
                    ActStatsAccumulator.scale(x, "ActStatsCollector: output of layer " + id);
                    if (wrongInput == null) addOut(i, x);
                }
            }
        } catch (NonFiniteValuesException e) {
            for (int i = 0; i < acc.size(); i++) acc.get(i).restore(before[i]);
            System.arraycopy(nonZeroBefore, 0, outNonZero, 0, outNonZero.length);
            System.arraycopy(valuesBefore, 0, outValues, 0, outValues.length);
            throw e;
        }
        if (wrongInput != null) {
            System.arraycopy(nonZeroBefore, 0, outNonZero, 0, outNonZero.length);
            System.arraycopy(valuesBefore, 0, outValues, 0, outValues.length);
            throw wrongInput;
        }
        if (n > 0) images += n;
    }

    /** The float values of x in C order (a copy), as the int8 quantisation reads them. */
    private static float[] floats(INDArray x) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        }
    }

    /** Counts the int8 non-zeros of layer i's output x (one scale per minibatch, as for the inputs); x is finite. */
    private void addOut(int i, float[] x) {
        float s = ActStatsAccumulator.scale(x, "ActStatsCollector: output of layer " + layers.layers().get(i).spec().id());
        long nz = 0;
        for (float v : x) if (ActStatsAccumulator.quantise(v, s) != 0) nz++;
        outNonZero[i] += nz;
        outValues[i] += x.length;
    }

    /** Per-layer statistics, in layer order. */
    public List<ActStats> stats() {
        List<ActStats> out = new ArrayList<>();
        for (int i = 0; i < acc.size(); i++) {
            double dOut = outValues[i] > 0 ? (double) outNonZero[i] / outValues[i]
                : i + 1 < acc.size() ? acc.get(i + 1).density() : 1;
            out.add(acc.get(i).stats(dOut));
        }
        return out;
    }

    /** The workload with measured statistics. */
    public Workload workload(String name, String notes) {
        List<ActStats> st = stats();
        List<Workload.Entry> e = new ArrayList<>();
        for (int i = 0; i < st.size(); i++) e.add(new Workload.Entry(layers.layers().get(i).spec(), layers.layers().get(i).weights(), st.get(i)));
        return new Workload(name, e, notes);
    }

    /**
     * Measures up to {@code samples} examples from {@code data} (from its current position; the
     * iterator is reset first when it supports it) and returns the collector.
     *
     * @throws IllegalArgumentException when samples &lt; 1 or the iterator gives no data
     */
    public static ActStatsCollector collect(Model net, Workloads.Extracted layers, DataSetIterator data, int samples, ArchSpec a) {
        if (samples < 1) throw new IllegalArgumentException("ActStatsCollector: samples must be >= 1, got " + samples);
        ActStatsCollector c = new ActStatsCollector(net, layers, a);
        if (data.resetSupported()) data.reset();
        long left = samples;
        while (left > 0 && data.hasNext()) {
            DataSet ds = data.next();
            INDArray f = ds.getFeatures();
            if (f.size(0) > left) f = f.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, left));
            c.add(f);
            left -= f.size(0);
        }
        if (c.images == 0) throw new IllegalArgumentException("ActStatsCollector: the data iterator gave no examples");
        return c;
    }
}
