package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.Workload;

import java.util.List;
import java.util.Map;

/**
 * A DL4J {@link org.deeplearning4j.optimize.api.TrainingListener} that attaches per-layer accelerator
 * accounting to a network while it trains ({@code fit}) or is scored with listeners.
 *
 * <p>What it counts, exactly:
 * <ul>
 * <li>every {@code onForwardPass} (one per minibatch; DL4J calls it from
 *     {@code computeGradientAndScore}, i.e. in training mode, dropout included): the minibatch size (the rows of
 *     the network's input; a graph's first network input) is added to {@link #examplesSeen()};</li>
 * <li>every {@code every}-th forward pass (the 1st, (every+1)-th, ...) is <em>sampled</em>: each priced
 *     layer's input activation is measured into the layer's {@link ActStatsAccumulator} (HWMODEL.md 1.3
 *     statistics, per-minibatch int8 scale). The cost is one pass over the activations in Java per
 *     sampled minibatch; nothing else is done per iteration. A sampled minibatch whose activations hold a NaN
 *     or an infinity (a diverged step) is skipped whole and counted in {@link #skippedNonFinite()}, and the
 *     report's statistics source says so: the listener never stops the training it watches;</li>
 * <li>{@code iterationDone} counts iterations.</li>
 * </ul>
 * Pricing happens only on request ({@link #report}): the weights are read from the network at that
 * moment (so they reflect training so far) and the accumulated statistics of all sampled minibatches are
 * used; the report prices the <em>inference</em> (forward) pass per image on each accelerator, and
 * {@link #forwardEnergyPj} scales it to the examples seen. The training backward pass is not priced here
 * (HWMODEL.md 5, {@code hw.train}, covers training energy). The MultiLayerNetwork training forward pass
 * stops at the output layer's input, so the last layer's dOut is taken as 1.
 */
public final class EnergyListener extends BaseTrainingListener {
    private final Model net;
    private final InputType[] inputTypes;
    private final ArchSpec arch;
    private final int every;
    private final ActStatsCollector collector;
    private long forwardPasses, sampled, examples, iterations, skippedNonFinite;
    private String lastNonFinite;

    /**
     * @param net        the network the listener is attached to
     * @param arch       architecture (dim_F, PRA brick, SCNN grid for the statistics)
     * @param every      sample one forward pass in {@code every} (>= 1)
     * @param inputTypes the network's input type(s)
     */
    public EnergyListener(Model net, ArchSpec arch, int every, InputType... inputTypes) {
        if (every < 1) throw new IllegalArgumentException("EnergyListener.every must be >= 1, got " + every);
        java.util.Objects.requireNonNull(net, "EnergyListener.net must not be null");
        java.util.Objects.requireNonNull(arch, "EnergyListener.arch must not be null (ArchSpec.paper() is the paper's)");
        this.net = net;
        this.arch = arch;
        this.every = every;
        this.inputTypes = inputTypes.clone();
        this.collector = new ActStatsCollector(net, Workloads.extract(net, inputTypes), arch);
    }

    /** {@inheritDoc} */
    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        // index 0 is the network's input: a layer's output may hold one row per time step ([N T, C])
        examples += activations.get(0).size(0);
        if (forwardPasses++ % every == 0) sample(() -> collector.addMln(activations));
    }

    /** {@inheritDoc} */
    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        examples += graphExamples(model, activations);
        if (forwardPasses++ % every == 0) sample(() -> collector.addCg(activations));
    }

    /**
     * The examples of a graph's forward pass, from its network input: the map's entries are vertex outputs in no set
     * order, and a layer's output may hold one row per time step ([N T, C] behind RnnToFeedForwardPreProcessor), which
     * counted T times the examples when its entry came first. The training-time map may leave the inputs out; they
     * are then read from the graph.
     */
    private long graphExamples(Model model, Map<String, INDArray> activations) {
        Model m = model != null ? model : net;
        if (m instanceof org.deeplearning4j.nn.graph.ComputationGraph g) {
            List<String> inputs = g.getConfiguration().getNetworkInputs();
            for (String in : inputs) if (activations.get(in) != null) return activations.get(in).size(0);
            for (int k = 0; k < inputs.size(); k++) {
                INDArray x = g.getInputs() == null ? null : g.getInput(k);
                if (x != null) return x.size(0);
            }
        }
        throw new IllegalStateException("EnergyListener: the forward pass of " + (m == null ? null : m.getClass().getSimpleName())
            + " gave no network input to count its examples from");
    }

    /**
     * Measures a sampled pass; one whose activations hold a NaN or an infinity (a diverged step) is skipped and
     * counted ({@link #skippedNonFinite()}): the listener measures, it does not stop the training it watches.
     */
    private void sample(Runnable add) {
        try {
            add.run();
            sampled++;
        } catch (NonFiniteValuesException e) {
            skippedNonFinite++;
            lastNonFinite = e.getMessage();
        }
    }

    /** Sampled passes skipped because their activations held a NaN or an infinity. */
    public long skippedNonFinite() {
        return skippedNonFinite;
    }

    /** {@inheritDoc} */
    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        iterations++;
    }

    /** Forward passes seen. */
    public long forwardPasses() {
        return forwardPasses;
    }

    /** Forward passes whose activations were measured. */
    public long sampledPasses() {
        return sampled;
    }

    /** Examples in all forward passes seen. */
    public long examplesSeen() {
        return examples;
    }

    /** Images whose activations were measured. */
    public long examplesSampled() {
        return collector.images();
    }

    /** Iterations completed. */
    public long iterations() {
        return iterations;
    }

    /**
     * The workload now: current weights and the statistics of all sampled minibatches.
     *
     * @throws IllegalStateException before any forward pass was sampled
     */
    public Workload workload(String name) {
        if (sampled == 0)
            throw new IllegalStateException("EnergyListener: no forward pass sampled yet" + (skippedNonFinite == 0 ? ""
                : " (" + skippedNonFinite + " skipped for non-finite activations, the last: " + lastNonFinite + ")"));
        Workloads.Extracted now = Workloads.extract(net, inputTypes);
        var stats = collector.stats();
        List<Workload.Entry> e = new java.util.ArrayList<>();
        for (int i = 0; i < stats.size(); i++) e.add(new Workload.Entry(now.layers().get(i).spec(), now.layers().get(i).weights(), stats.get(i)));
        return new Workload(name, e, statsSource() + Workloads.skippedNote(now));
    }

    private String statsSource() {
        return "activation statistics measured by EnergyListener on " + collector.images() + " training examples ("
            + sampled + " of " + forwardPasses + " forward passes sampled, every " + every + ")"
            + (skippedNonFinite == 0 ? "" : "; " + skippedNonFinite + " sampled passes skipped for non-finite "
                + "activations, the last: " + lastNonFinite);
    }

    /**
     * Prices the current workload (one inference pass per {@code knobs.batch()} images) on the named accelerators, on
     * the listener's architecture with these knobs.
     */
    public EnergyReport report(String name, List<String> accelerators, Knobs knobs) {
        return report(name, accelerators, knobs, org.smartdeal.hw.spec.EnergyTable.paper28nm());
    }

    /** {@link #report(String, List, Knobs)} with an energy table of the user's own instead of the paper's. */
    public EnergyReport report(String name, List<String> accelerators, Knobs knobs,
                               org.smartdeal.hw.spec.EnergyTable table) {
        // the architecture the statistics were measured for (dim_F, PRA brick, SCNN grid) is the one priced
        return EnergyReport.of(workload(name), statsSource(), accelerators, arch.withKnobs(knobs), table);
    }

    /**
     * Forward-pass energy of all examples seen on one accelerator, pJ:
     * ({@link EnergyReport#energyPj priced energy} / knobs.batch) x {@link #examplesSeen()}; NaN when the accelerator
     * priced none of the benchmark layers (SCNN on an all-FC network).
     *
     * @throws IllegalArgumentException when the accelerator is not in the report
     */
    public double forwardEnergyPj(EnergyReport r, String accelerator) {
        return r.energyPj(accelerator) / r.arch().knobs().batch() * examples;
    }
}
