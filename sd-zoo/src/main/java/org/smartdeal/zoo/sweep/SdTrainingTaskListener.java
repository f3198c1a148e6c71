package org.smartdeal.zoo.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.task.TaskListener;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;

/**
 * Makes every Arbiter candidate train in SD form (SD-T, ALGORITHMS.md 6.2-6.3). Arbiter's
 * {@code MultiLayerNetworkTaskCreator} calls {@link #preProcess} after {@code net.init()} and before the
 * first {@code fit}; there this listener calls {@link SdTraining#configure(Model, Map,
 * org.nd4j.linalg.learning.config.IUpdater, double)}, which routes every SD layer's C to a bucket switch of
 * its own and everything else to SGD with Nesterov momentum, and installs a fresh updater.
 *
 * <p>The bucket switches depend on the candidate: each SD layer's C gets one whose minCoeff derives from
 * that layer's sampled theta ({@link SdTraining#perLayerSwitches}), so a layer with a small theta revives
 * coefficients at its own smallest bucket. maxCoeff is shared: the smallest of the layers' clamps (every
 * switch must stay at or below its layer's). thetaC and thetaG are fixed per listener. The updater of the
 * MultiLayerSpace is replaced for every layer by SGD with Nesterov momentum (ALGORITHMS.md 6.3), and its L2 by the
 * listener's:
 * <ul>
 *   <li>{@link #SdTrainingTaskListener(double, int, double)} trains every candidate at one learning rate with L2
 *       {@link SdUpdaterRouting#DEFAULT_WEIGHT_DECAY}, whatever the candidate's updater and L2 say (a searched learning
 *       rate or L2 has no effect there);</li>
 *   <li>{@link #withCandidateRates(int, double)} takes each candidate's learning rate and L2 instead, so that they can
 *       be searched (for example an {@code AdamSpace} learning rate: SD-T then runs SGD with Nesterov momentum at that
 *       rate).</li>
 * </ul>
 */
@SuppressWarnings("rawtypes") // Arbiter's TaskListener takes a raw Candidate
public final class SdTrainingTaskListener implements TaskListener {

    private static final long serialVersionUID = 1L;

    private final double learningRate;
    private final boolean candidateRates;
    private final int thetaC;
    private final double thetaG;

    /**
     * A listener whose bucket switches use these settings (momentum and weight decay: the {@link BucketSwitch}
     * defaults); every other parameter gets SGD with Nesterov momentum at the same lr and L2
     * {@link SdUpdaterRouting#DEFAULT_WEIGHT_DECAY}.
     *
     * <pre>{@code
     * TaskListener listener = new SdTrainingTaskListener(0.05, 7, 5e-3);
     * new LocalOptimizationRunner(conf, new MultiLayerNetworkTaskCreator(null, listener)).execute();
     * }</pre>
     *
     * @param learningRate lr of the bucket switches and of the other parameters' SGD, finite and &gt; 0
     * @param thetaC       counter threshold of the bucket switches, in [1, 2^20]
     * @param thetaG       dead zone of the bucket switches, finite and &gt;= 0
     * @throws IllegalArgumentException naming the field, range and value (checked as {@link BucketSwitch} does)
     */
    public SdTrainingTaskListener(double learningRate, int thetaC, double thetaG) {
        BucketSwitch.builder(learningRate).thetaC(thetaC).thetaG(thetaG).build();
        this.learningRate = learningRate;
        this.candidateRates = false;
        this.thetaC = thetaC;
        this.thetaG = thetaG;
    }

    private SdTrainingTaskListener(int thetaC, double thetaG) {
        BucketSwitch.builder(1.0).thetaC(thetaC).thetaG(thetaG).build();
        this.learningRate = 0;
        this.candidateRates = true;
        this.thetaC = thetaC;
        this.thetaG = thetaG;
    }

    /**
     * A listener that takes each candidate's learning rate and L2: the learning rate of its updater (at iteration
     * and epoch 0; the same on every layer with parameters, as a MultiLayerSpace's updater gives) drives the bucket
     * switches and the SGD of the other parameters; its L2 coefficient (0 when it has none) is their weight decay.
     *
     * @param thetaC counter threshold of the bucket switches, in [1, 2^20]
     * @param thetaG dead zone of the bucket switches, finite and &gt;= 0
     * @return the listener
     * @throws IllegalArgumentException naming the field, range and value
     */
    public static SdTrainingTaskListener withCandidateRates(int thetaC, double thetaG) {
        return new SdTrainingTaskListener(thetaC, thetaG);
    }

    /** @return the learning rate every candidate trains at, or empty when it is each candidate's own */
    public java.util.OptionalDouble learningRate() {
        return candidateRates ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(learningRate);
    }

    /**
     * The bucket switches this listener gives a network, one per SD layer's C: minCoeff from the layer's theta,
     * maxCoeff the smallest of the layers' clamps.
     *
     * @param net a MultiLayerNetwork or ComputationGraph, initialised
     * @throws IllegalArgumentException for another kind of model, or an SD layer whose theta gives no minCoeff
     */
    public Map<ParamRef, BucketSwitch> bucketSwitchesFor(Model net) {
        return bucketSwitchesFor(net, candidateRates ? rates(net)[0] : learningRate);
    }

    private Map<ParamRef, BucketSwitch> bucketSwitchesFor(Model net, double lr) {
        double minMaxCoeff = Double.MAX_VALUE;
        for (Layer l : layers(net)) {
            if (l instanceof SdLayer sd) {
                minMaxCoeff = Math.min(minMaxCoeff, sd.getMaxCoeff());
            }
        }
        BucketSwitch.Builder b = BucketSwitch.builder(lr).thetaC(thetaC).thetaG(thetaG);
        if (minMaxCoeff < Double.MAX_VALUE) {
            b.maxCoeff(minMaxCoeff);
        }
        return SdTraining.perLayerSwitches(net, b.build());
    }

    /**
     * Routes the model for SD-T in place (see the class comment) before Arbiter's first {@code fit}.
     *
     * @return {@code model}, configured
     */
    @Override
    public <T extends Model> T preProcess(T model, Candidate candidate) {
        double[] r = candidateRates ? rates(model)
                : new double[] {learningRate, SdUpdaterRouting.DEFAULT_WEIGHT_DECAY};
        return SdTraining.configure(model, bucketSwitchesFor(model, r[0]), SdUpdaterRouting.sgdMomentum(r[0]), r[1]);
    }

    /**
     * The candidate's learning rate and L2 coefficient, read from its layers' configurations.
     *
     * @throws IllegalArgumentException when the layers disagree, an updater has no learning rate, or a layer is
     *     regularized other than by L2 (the message names the layer)
     */
    static double[] rates(Model net) {
        double lr = Double.NaN;
        double l2 = Double.NaN;
        String first = null;
        for (Layer l : layers(net)) {
            if (!(l instanceof BaseLayer b) || b.getIUpdater() == null || b.initializer().numParams(l) == 0) {
                continue;
            }
            String where = l.getClass().getSimpleName() + "(name=" + l.getLayerName() + ")";
            if (!b.getIUpdater().hasLearningRate()) {
                throw new IllegalArgumentException(where + ": the candidate's updater " + b.getIUpdater()
                        + " has no learning rate to train SD-T with");
            }
            double layerLr = b.getIUpdater().getLearningRate(0, 0);
            double layerL2 = 0;
            for (Regularization reg : b.getRegularization()) {
                if (!(reg instanceof L2Regularization l2r)) {
                    throw new IllegalArgumentException(where + ": regularization " + reg + " is not L2; SD-T's other "
                            + "parameters take an L2 coefficient only");
                }
                layerL2 += l2r.getL2().valueAt(0, 0);
            }
            if (first == null) {
                first = where;
                lr = layerLr;
                l2 = layerL2;
            } else if (layerLr != lr || layerL2 != l2) {
                throw new IllegalArgumentException(where + " has learning rate " + layerLr + " and L2 " + layerL2
                        + ", but " + first + " has " + lr + " and " + l2 + ": SD-T trains every layer at one rate");
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("the candidate has no layer with an updater to take a learning rate from");
        }
        return new double[] {lr, l2};
    }

    /** Nothing to do after training. */
    @Override
    public void postProcess(Model model, Candidate candidate) {
    }

    private static List<Layer> layers(Model net) {
        List<Layer> out = new ArrayList<>();
        if (net instanceof MultiLayerNetwork m) {
            m.getLayerWiseConfigurations().getConfs().forEach(c -> out.add(c.getLayer()));
        } else if (net instanceof ComputationGraph g) {
            for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
                out.add(l.conf().getLayer());
            }
        } else {
            throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got "
                    + (net == null ? null : net.getClass().getName()));
        }
        return out;
    }
}
