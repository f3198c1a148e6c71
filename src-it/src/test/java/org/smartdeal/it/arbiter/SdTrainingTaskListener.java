package org.smartdeal.it.arbiter;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.task.TaskListener;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;

/**
 * Makes every Arbiter candidate train in SD form (SD-T, ALGORITHMS.md 6.2-6.3). Arbiter's
 * {@code MultiLayerNetworkTaskCreator} calls {@link #preProcess} after {@code net.init()} and before the
 * first {@code fit}; there this listener calls {@link SdTraining#configure(Model, BucketSwitch,
 * org.nd4j.linalg.learning.config.IUpdater, double)}, which routes every SD layer's C to a
 * {@link BucketSwitch} and everything else to SGD with Nesterov momentum, and installs a fresh updater.
 *
 * <p>The bucket switch depends on the candidate: SdTraining takes one BucketSwitch per network, and it
 * must satisfy every SD layer (minCoeff &gt;= theta - 1e-5, maxCoeff &lt;= the layer's maxCoeff), so
 * minCoeff is derived from the largest sampled theta and maxCoeff is the smallest sampled maxCoeff. The
 * other bucket-switch settings (lr, thetaC, thetaG) are fixed per listener: they are not part of the
 * Arbiter search space. The global updater of the MultiLayerSpace is overridden for every layer.
 */
@SuppressWarnings("rawtypes") // Arbiter's TaskListener takes a raw Candidate
public final class SdTrainingTaskListener implements TaskListener {

    private static final long serialVersionUID = 1L;

    private final double learningRate;
    private final int thetaC;
    private final double thetaG;

    /**
     * @param learningRate lr of the bucket switch and of the other parameters' SGD
     * @param thetaC       counter threshold of the bucket switch
     * @param thetaG       dead zone of the bucket switch
     */
    public SdTrainingTaskListener(double learningRate, int thetaC, double thetaG) {
        this.learningRate = learningRate;
        this.thetaC = thetaC;
        this.thetaG = thetaG;
    }

    /** The bucket switch this listener gives a network: minCoeff from the largest theta, maxCoeff the smallest clamp. */
    public BucketSwitch bucketSwitchFor(Model net) {
        double maxTheta = 0;
        double minMaxCoeff = Double.MAX_VALUE;
        for (Layer l : layers(net)) {
            if (l instanceof SdLayer sd) {
                maxTheta = Math.max(maxTheta, sd.getTheta());
                minMaxCoeff = Math.min(minMaxCoeff, sd.getMaxCoeff());
            }
        }
        BucketSwitch.Builder b = BucketSwitch.builder(learningRate).thetaC(thetaC).thetaG(thetaG);
        if (maxTheta > 0) {
            b.theta(maxTheta);
        }
        if (minMaxCoeff < Double.MAX_VALUE) {
            b.maxCoeff(minMaxCoeff);
        }
        return b.build();
    }

    @Override
    public <T extends Model> T preProcess(T model, Candidate candidate) {
        return SdTraining.configure(model, bucketSwitchFor(model), SdUpdaterRouting.sgdMomentum(learningRate),
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
