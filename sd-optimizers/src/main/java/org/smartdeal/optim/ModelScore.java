package org.smartdeal.optim;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Classification accuracy and mean loss of a MultiLayerNetwork or single-output ComputationGraph
 * over a dataset, in inference mode (no dropout, BatchNorm running statistics). The data is not modified.
 * Masks are used as DL4J's own {@code evaluate} uses them: the features mask in the forward pass, and an example
 * whose label mask is 0 is left out of the accuracy (a per-output label mask, the labels' shape, is refused by
 * DL4J's {@code Evaluation} as there).
 *
 * @param accuracy fraction of examples (those the label mask keeps) whose arg-max output is the labelled class
 * @param loss mean loss per example: the network's loss function only, without the L1/L2/weight
 *     decay regularization term (DL4J's {@code score(ds, false)} adds that term; the flag there is
 *     "training", not "add regularization"), averaged over all examples, so minibatches of
 *     different sizes weigh by their example count (an example the label mask leaves out scores 0 and is
 *     counted, as in DL4J's {@code score})
 * @param examples number of examples seen
 */
public record ModelScore(double accuracy, double loss, long examples) {

    /**
     * Scores a network on every example of {@code data} (the iterator is reset first). The loss is
     * the sum of DL4J's per-example scores {@code scoreExamples(ds, false)} (no regularization)
     * divided by the number of examples.
     *
     * @param net a MultiLayerNetwork or ComputationGraph with one output
     * @param data labelled examples
     * @return accuracy and mean loss
     * @throws NonFiniteOutputException when an output holds NaN (a diverged network)
     */
    public static ModelScore of(Model net, DataSetIterator data) {
        return of(net, data, null);
    }

    /**
     * As {@link #of(Model, DataSetIterator)}, reporting progress.
     *
     * @param net a MultiLayerNetwork or ComputationGraph with one output
     * @param data labelled examples
     * @param scored called after each minibatch with its number of examples (for a progress bar), may be null
     * @return accuracy and mean loss
     * @throws NonFiniteOutputException when an output holds NaN (a diverged network)
     */
    public static ModelScore of(Model net, DataSetIterator data, java.util.function.LongConsumer scored) {
        data.reset();
        Evaluation eval = new Evaluation();
        double loss = 0;
        long count = 0;
        while (data.hasNext()) {
            DataSet ds = data.next();
            // each pass on copies: in inference DL4J's ActivationLayer works in place, and as a first layer it overwrote
            // the features, so the loss read activated features and a reused iterator (a sweep's validation data)
            // drifted from one scoring to the next
            INDArray[] pass;
            if (net instanceof MultiLayerNetwork m) {
                pass = onePass(m, ds);
                if (pass == null) {
                    pass = new INDArray[] {m.output(ds.getFeatures().dup(), false, ds.getFeaturesMaskArray(),
                            ds.getLabelsMaskArray()), m.scoreExamples(copy(ds), false)};
                }
            } else if (net instanceof ComputationGraph g) {
                pass = onePass(g, ds);
                if (pass == null) {
                    pass = new INDArray[] {g.output(false, new INDArray[] {ds.getFeatures().dup()},
                            orNull(ds.getFeaturesMaskArray()), orNull(ds.getLabelsMaskArray()))[0],
                            g.scoreExamples(copy(ds), false)};
                }
            } else {
                throw new IllegalArgumentException("net must be a MultiLayerNetwork or ComputationGraph, got "
                        + (net == null ? null : net.getClass().getName()));
            }
            INDArray out = pass[0];
            INDArray perExample = pass[1];
            if (out.isNaN().any()) {
                // DL4J's Evaluation refuses NaN predictions with an IllegalStateException of its own
                throw new NonFiniteOutputException("the network's outputs hold NaN values (in the minibatch that "
                        + "starts at example " + (count + 1) + "): its parameters or activations overflowed");
            }
            // the label mask as DL4J's own evaluate passes it: an example whose mask is 0 is not counted
            eval.eval(ds.getLabels(), out, ds.getLabelsMaskArray());
            loss += perExample.sumNumber().doubleValue();
            count += ds.numExamples();
            if (scored != null) {
                scored.accept(ds.numExamples());
            }
        }
        return new ModelScore(count == 0 ? Double.NaN : eval.accuracy(), count == 0 ? Double.NaN : loss / count, count);
    }

    /**
     * The outputs and the per-example scores of a minibatch from one forward pass, or null where that pass does not
     * apply (masks, a network of one layer, or a last layer that is not an output layer: the caller then makes DL4J's
     * two calls; {@link #onePass(ComputationGraph, DataSet)} does the same for graphs). DL4J's
     * {@code output} and {@code scoreExamples} each run the whole network; both run its layers up to the output
     * layer alike (inference mode, each layer's input preprocessor first), then {@code output} activates the output
     * layer and {@code scoreExamples} scores it without regularization. This runs the layers up to the output layer
     * once and does both on its input, so it gives the same numbers as the two calls (a test compares them bit for
     * bit) in about half the time (docs/RESULTS.md 9). The price is memory: DL4J's {@code feedForwardToLayer},
     * which runs the layers here with DL4J's own handling of preprocessors and data formats, keeps every layer's
     * activations of the minibatch until it returns, where {@code output} keeps about two at a time.
     */
    static INDArray[] onePass(MultiLayerNetwork m, DataSet ds) {
        int n = m.getnLayers();
        if (n < 2 || ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null
                || !(m.getOutputLayer() instanceof IOutputLayer ol)) {
            return null;
        }
        // a copy: in inference DL4J's ActivationLayer works in place (see above)
        INDArray x = ds.getFeatures().dup();
        INDArray in = m.feedForwardToLayer(n - 2, x, false).get(n - 1);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        InputPreProcessor pre = m.getLayerWiseConfigurations().getInputPreProcess(n - 1);
        if (pre != null) {
            in = pre.preProcess(in, (int) x.size(0), mgr);
        }
        try {
            ol.setInput(in, mgr);
            INDArray out = ol.activate(false, mgr);
            ol.setLabels(ds.getLabels());
            INDArray perExample = ol.computeScoreForExamples(0, mgr);
            return new INDArray[] {out, perExample};
        } finally {
            ol.clear();
        }
    }

    /**
     * As {@link #onePass(MultiLayerNetwork, DataSet)} for a graph of one input and one output: DL4J's
     * {@code feedForward} runs every vertex once (the output layer included, whose activations are the outputs), and
     * the output vertex then scores its input as {@code scoreExamples} does (its preprocessor, then the layer's
     * per-example score without regularization). Null where that does not apply (masks, several inputs or outputs,
     * an output vertex that is not an output layer): the caller then makes DL4J's two calls.
     */
    static INDArray[] onePass(ComputationGraph g, DataSet ds) {
        ComputationGraphConfiguration conf = g.getConfiguration();
        if (ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null || conf.getNetworkInputs().size() != 1
                || conf.getNetworkOutputs().size() != 1) {
            return null;
        }
        String name = conf.getNetworkOutputs().get(0);
        List<String> inputs = conf.getVertexInputs().get(name);
        if (!(g.getVertex(name) instanceof LayerVertex v) || !(v.getLayer() instanceof IOutputLayer ol)
                || inputs == null || inputs.size() != 1) {
            return null;
        }
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        // a copy: in inference DL4J's ActivationLayer works in place (see above)
        Map<String, INDArray> acts = g.feedForward(new INDArray[] {ds.getFeatures().dup()}, false, true);
        try {
            v.setInput(0, acts.get(inputs.get(0)), mgr);
            ol.setLabels(ds.getLabels());
            INDArray perExample = v.computeScoreForExamples(0, mgr);
            return new INDArray[] {acts.get(name), perExample};
        } finally {
            g.clearLayersStates();
        }
    }

    /** A one-element array holding {@code mask}, or null when there is no mask (ComputationGraph's mask arguments). */
    private static INDArray[] orNull(INDArray mask) {
        return mask == null ? null : new INDArray[] {mask};
    }

    /** The minibatch with its features copied (labels and masks shared: DL4J does not write them). */
    private static DataSet copy(DataSet ds) {
        return new DataSet(ds.getFeatures().dup(), ds.getLabels(), ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
    }

    /**
     * A difference of two accuracies in percentage points, for reports: {@code 100 * fraction} rounded to ten
     * decimals. An accuracy is a count over at most a few million examples, so the rounding removes only the
     * binary noise of the subtraction ({@code 100 * (0.8928 - 0.8848)} is {@code 0.8000000000000007}; this gives
     * {@code 0.8}) and no real digit.
     *
     * @param fraction a difference of accuracies as fractions (0.01 = one point); NaN and infinities pass through
     * @return the difference in points
     */
    public static double points(double fraction) {
        double p = 100 * fraction;
        return Double.isFinite(p) ? Math.round(p * 1e10) / 1e10 : p;
    }

    /** A network's outputs hold NaN values: it has diverged (or was given such parameters). */
    public static final class NonFiniteOutputException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        /** @param message what was found where */
        public NonFiniteOutputException(String message) {
            super(message);
        }
    }
}
