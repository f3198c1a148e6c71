package org.smartdeal.zoo.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.task.TaskListener;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
 * switch must stay at or below its layer's). The other bucket-switch settings (lr, thetaC, thetaG) are fixed
 * per listener: they are not part of the Arbiter search space. The global updater of the MultiLayerSpace is
 * overridden for every layer.
 */
@SuppressWarnings("rawtypes") // Arbiter's TaskListener takes a raw Candidate
public final class SdTrainingTaskListener implements TaskListener {

    private static final long serialVersionUID = 1L;

    private final double learningRate;
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
        this.thetaC = thetaC;
        this.thetaG = thetaG;
    }

    /**
     * The bucket switches this listener gives a network, one per SD layer's C: minCoeff from the layer's theta,
     * maxCoeff the smallest of the layers' clamps.
     *
     * @param net a MultiLayerNetwork or ComputationGraph, initialised
     * @throws IllegalArgumentException for another kind of model, or an SD layer whose theta gives no minCoeff
     */
    public Map<ParamRef, BucketSwitch> bucketSwitchesFor(Model net) {
        double minMaxCoeff = Double.MAX_VALUE;
        for (Layer l : layers(net)) {
            if (l instanceof SdLayer sd) {
                minMaxCoeff = Math.min(minMaxCoeff, sd.getMaxCoeff());
            }
        }
        BucketSwitch.Builder b = BucketSwitch.builder(learningRate).thetaC(thetaC).thetaG(thetaG);
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
        return SdTraining.configure(model, bucketSwitchesFor(model), SdUpdaterRouting.sgdMomentum(learningRate),
                SdUpdaterRouting.DEFAULT_WEIGHT_DECAY);
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
