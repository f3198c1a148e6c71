package org.smartdeal.optim;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Bucket-switch updater configuration for power-of-two coefficient parameters ("C"): SmartDeal SD
 * training, Chen, Zhao et al., arXiv 2101.01163, Sec. IV, as specified normatively in ALGORITHMS.md 6.2.
 *
 * <p>The rule is split over three pieces of DL4J's update pipeline ({@code UpdaterBlock}), because a
 * {@code GradientUpdater} never sees parameter values:
 * <ol>
 *   <li>BEFORE_UPDATER {@link L2Regularization}{@code (weightDecay)}: {@code g + wd * C};</li>
 *   <li>this updater ({@link BucketSwitchUpdater}): momentum {@code v = mu*v + (g + wd*C)}, descent step
 *       {@code d = -lr*v}, dead zone {@code |d| <= thetaG}, signed counter; it writes a switch direction
 *       {@code s} in {-1, 0, +1} into the gradient view;</li>
 *   <li>POST_UPDATER {@link BucketSwitchStep}: turns {@code s} into the exact update
 *       {@code C - C_new}, so that DL4J's {@code params -= update} lands exactly on the neighbouring
 *       bucket.</li>
 * </ol>
 * {@link #regularization()} returns the two regularizations built from this configuration; route
 * both, in that order, together with this updater ({@link SdUpdaterRouting} does).
 *
 * <p><b>Direction of a switch.</b> The switch follows the descent step {@code d = -lr*v} (what the
 * authors' reference implementation runs and what converges): a positive gradient pushes C towards
 * minus infinity (a positive C halves, a negative C doubles in magnitude). The paper's text says "a
 * positive gradient switches up", which would be an ascent step; we deliberately do not follow it.
 *
 * <p><b>Mask.</b> Entries outside the mask M never change; a zero inside the mask may revive. Two
 * sources are supported, chosen with {@link Builder#maskInState(boolean)}:
 * <ul>
 *   <li>{@code false} (default, for SD layers): the mask is carried by the gradient. An SD layer's
 *       straight-through backward gives {@code dC = M .* (...)} and C is 0 outside M, so outside M
 *       {@code g + wd*C} is exactly 0, v and the counter stay exactly 0 and no switch ever happens
 *       there. This is equivalent to the spec's "else if M == 1" at no extra state.</li>
 *   <li>{@code true} (for layers whose backward is not masked, e.g. a plain {@code DenseLayer}): the
 *       updater state carries one "masked out" flag per entry (initialised to 0 = inside), installed
 *       with {@link BucketSwitchMasks}; the updater zeroes the gradient of masked-out entries.</li>
 * </ul>
 *
 * <p><b>State</b> (saved in the model zip, restored bit-exactly): per updater block of N parameters,
 * entry 0 holds the epoch of the last update (for the counter reset at every epoch start, kept in
 * the state so that a model restored mid-epoch does not reset), then v [N], then the counters [N]
 * (small integers, exact in float), then, if {@code maskInState}, the masked-out flags [N].
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class BucketSwitch implements IUpdater {

    private static final long serialVersionUID = 1L;

    /** Default momentum mu (ALGORITHMS.md 6.2). */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** Default weight decay wd (ALGORITHMS.md 6.2). */
    public static final double DEFAULT_WEIGHT_DECAY = 5e-4;
    /** Default dead zone theta_g on |d| (ALGORITHMS.md 6.2). */
    public static final double DEFAULT_THETA_G = 5e-3;
    /** Default counter threshold theta_c (ALGORITHMS.md 6.2). */
    public static final int DEFAULT_THETA_C = 7;
    /** Default sparsity threshold theta (ALGORITHMS.md 1.1), from which minCoeff derives. */
    public static final double DEFAULT_THETA = 4e-3;
    /** Default largest magnitude of C (ALGORITHMS.md 6.2). */
    public static final double DEFAULT_MAX_COEFF = 32.0;

    private double learningRate;
    private ISchedule learningRateSchedule;
    private final double momentum;
    private final double weightDecay;
    private final double thetaG;
    private final int thetaC;
    private final double minCoeff;
    private final double maxCoeff;
    private final boolean maskInState;

    @JsonCreator
    private BucketSwitch(@JsonProperty("learningRate") double learningRate,
            @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
            @JsonProperty("momentum") double momentum,
            @JsonProperty("weightDecay") double weightDecay,
            @JsonProperty("thetaG") double thetaG,
            @JsonProperty("thetaC") int thetaC,
            @JsonProperty("minCoeff") double minCoeff,
            @JsonProperty("maxCoeff") double maxCoeff,
            @JsonProperty("maskInState") boolean maskInState) {
        checkLearningRate(learningRate, learningRateSchedule);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("BucketSwitch.momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("BucketSwitch.weightDecay must be finite and >= 0, got " + weightDecay);
        }
        if (!(thetaG >= 0 && Double.isFinite(thetaG))) {
            throw new IllegalArgumentException("BucketSwitch.thetaG must be finite and >= 0, got " + thetaG);
        }
        if (thetaC < 1 || thetaC > 1 << 20) {
            throw new IllegalArgumentException("BucketSwitch.thetaC must be in [1, 1048576], got " + thetaC);
        }
        if (!Pow2.isPowerOfTwo(minCoeff) || minCoeff < Pow2.MIN_COEFF_LOWEST || minCoeff > 1.0) {
            throw new IllegalArgumentException(
                    "BucketSwitch.minCoeff must be a power of two in [2^-10, 1], got " + minCoeff);
        }
        if (!Pow2.isPowerOfTwo(maxCoeff) || maxCoeff < minCoeff || maxCoeff > 1 << 20) {
            throw new IllegalArgumentException("BucketSwitch.maxCoeff must be a power of two in [minCoeff="
                    + minCoeff + ", 2^20], got " + maxCoeff);
        }
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.thetaG = thetaG;
        this.thetaC = thetaC;
        this.minCoeff = minCoeff;
        this.maxCoeff = maxCoeff;
        this.maskInState = maskInState;
    }

    private static void checkLearningRate(double learningRate, ISchedule schedule) {
        if (schedule == null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("BucketSwitch.learningRate must be finite and > 0, got " + learningRate);
        }
    }

    /**
     * A builder with the defaults of ALGORITHMS.md 6.2 and a fixed learning rate.
     *
     * @param learningRate lr, finite and > 0 (replaced by {@link Builder#learningRateSchedule} if set)
     */
    public static Builder builder(double learningRate) {
        return new Builder(learningRate);
    }

    /**
     * minCoeff of ALGORITHMS.md 6.2: the smallest 2^i, i in [-10, 0], with 2^i >= theta.
     *
     * @param theta the sparsity threshold, in (0, 1]
     * @return e.g. 2^-7 = 0.0078125 for the default theta 4e-3 (2^-8 = 0.00390625 is below it)
     */
    public static double minCoeffFor(double theta) {
        if (!(theta > 0 && theta <= 1.0)) {
            throw new IllegalArgumentException("theta must be in (0, 1] to derive minCoeff, got " + theta);
        }
        for (int i = -10; i <= 0; i++) {
            double c = Math.scalb(1.0, i);
            if (c >= theta) {
                return c;
            }
        }
        throw new AssertionError("unreachable: 2^0 = 1 >= theta = " + theta);
    }

    /**
     * A copy of this configuration whose minCoeff is derived from {@code theta} as {@link Builder#theta}
     * derives it ({@link #minCoeffFor}); every other setting (learning rate and schedule, momentum, weight
     * decay, theta_g, theta_c, maxCoeff, maskInState) is kept. Used to give each SD layer a switch of its
     * own from one template ({@code SdTraining.perLayerSwitches}).
     *
     * @param theta the sparsity threshold, in (0, 1]
     * @return the copy
     */
    public BucketSwitch withTheta(double theta) {
        return new BucketSwitch(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                momentum, weightDecay, thetaG, thetaC, minCoeffFor(theta), maxCoeff, maskInState);
    }

    /**
     * The two regularizations that must be routed, in this order, to every parameter that uses this
     * updater: BEFORE_UPDATER {@code L2Regularization(weightDecay)} (adds {@code wd*C} to the
     * gradient, which the momentum buffer then accumulates) and the POST_UPDATER
     * {@link BucketSwitchStep}. With weightDecay 0 only the step is returned.
     */
    public List<Regularization> regularization() {
        BucketSwitchStep step = new BucketSwitchStep(minCoeff, maxCoeff);
        return weightDecay > 0 ? List.of(new L2Regularization(weightDecay), step) : List.of(step);
    }

    @Override
    public long stateSize(long numParams) {
        return (maskInState ? 3 : 2) * numParams + 1;
    }

    @Override
    public GradientUpdater<BucketSwitch> instantiate(INDArray viewArray, boolean initializeViewArray) {
        BucketSwitchUpdater u = new BucketSwitchUpdater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    /**
     * From a state map holding {@link BucketSwitchUpdater#STATE_KEY} (the form SameDiff's own training
     * loop uses); the array has the layout of {@link #stateSize(long)}.
     */
    @Override
    public GradientUpdater<BucketSwitch> instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        BucketSwitchUpdater u = new BucketSwitchUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public BucketSwitch clone() {
        return new BucketSwitch(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                momentum, weightDecay, thetaG, thetaC, minCoeff, maxCoeff, maskInState);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /** Used by DL4J's fine-tune/learning-rate setters; a non-null schedule takes precedence over lr. */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        checkLearningRate(lr, lrSchedule);
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    /** The fixed learning rate (ignored while a schedule is set). */
    public double getLearningRate() {
        return learningRate;
    }

    /** The learning-rate schedule, or null. */
    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    /** Momentum mu. */
    public double getMomentum() {
        return momentum;
    }

    /** Weight decay wd, applied as {@code g + wd*C} by the regularization of {@link #regularization()}. */
    public double getWeightDecay() {
        return weightDecay;
    }

    /** Dead zone: a step with {@code |lr*v| <= thetaG} does not count. */
    public double getThetaG() {
        return thetaG;
    }

    /** Counter threshold: a switch happens when {@code |counter| >= thetaC}. */
    public int getThetaC() {
        return thetaC;
    }

    /** Smallest non-zero magnitude of C; smaller results flush to 0, revived zeros start here. */
    public double getMinCoeff() {
        return minCoeff;
    }

    /** Largest magnitude of C. */
    public double getMaxCoeff() {
        return maxCoeff;
    }

    /** Whether the updater state carries the mask (see the class comment). */
    public boolean isMaskInState() {
        return maskInState;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BucketSwitch)) {
            return false;
        }
        BucketSwitch b = (BucketSwitch) o;
        return Double.compare(learningRate, b.learningRate) == 0
                && Objects.equals(learningRateSchedule, b.learningRateSchedule)
                && Double.compare(momentum, b.momentum) == 0 && Double.compare(weightDecay, b.weightDecay) == 0
                && Double.compare(thetaG, b.thetaG) == 0 && thetaC == b.thetaC
                && Double.compare(minCoeff, b.minCoeff) == 0 && Double.compare(maxCoeff, b.maxCoeff) == 0
                && maskInState == b.maskInState;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum, weightDecay, thetaG, thetaC, minCoeff,
                maxCoeff, maskInState);
    }

    @Override
    public String toString() {
        return "BucketSwitch(lr=" + learningRate + ", schedule=" + learningRateSchedule + ", momentum=" + momentum
                + ", weightDecay=" + weightDecay + ", thetaG=" + thetaG + ", thetaC=" + thetaC + ", minCoeff="
                + minCoeff + ", maxCoeff=" + maxCoeff + ", maskInState=" + maskInState + ")";
    }

    /**
     * Builder for {@link BucketSwitch}. The learning rate is required (constructor argument); all other
     * settings are optional with the defaults of ALGORITHMS.md 6.2.
     */
    public static final class Builder {
        private final double learningRate;
        private ISchedule learningRateSchedule;
        private double momentum = DEFAULT_MOMENTUM;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private double thetaG = DEFAULT_THETA_G;
        private int thetaC = DEFAULT_THETA_C;
        private double minCoeff = minCoeffFor(DEFAULT_THETA);
        private double maxCoeff = DEFAULT_MAX_COEFF;
        private boolean maskInState;

        private Builder(double learningRate) {
            this.learningRate = learningRate;
        }

        /** Optional learning-rate schedule (e.g. {@link SwaLrSchedule}); it takes precedence over lr. */
        public Builder learningRateSchedule(ISchedule schedule) {
            this.learningRateSchedule = schedule;
            return this;
        }

        /** Momentum mu, default 0.9. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Weight decay wd, default 5e-4. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Dead zone theta_g, default 5e-3. */
        public Builder thetaG(double thetaG) {
            this.thetaG = thetaG;
            return this;
        }

        /** Counter threshold theta_c, default 7. */
        public Builder thetaC(int thetaC) {
            this.thetaC = thetaC;
            return this;
        }

        /** Sets minCoeff from the sparsity threshold theta with {@link #minCoeffFor(double)}. */
        public Builder theta(double theta) {
            this.minCoeff = minCoeffFor(theta);
            return this;
        }

        /** Sets minCoeff directly (a power of two in [2^-10, 1]); default minCoeffFor(4e-3) = 2^-7. */
        public Builder minCoeff(double minCoeff) {
            this.minCoeff = minCoeff;
            return this;
        }

        /** Largest magnitude of C (a power of two), default 32. */
        public Builder maxCoeff(double maxCoeff) {
            this.maxCoeff = maxCoeff;
            return this;
        }

        /** Keep the mask in the updater state (for layers whose backward is not masked); default false. */
        public Builder maskInState(boolean maskInState) {
            this.maskInState = maskInState;
            return this;
        }

        /** Validates and builds. */
        public BucketSwitch build() {
            return new BucketSwitch(learningRate, learningRateSchedule, momentum, weightDecay, thetaG, thetaC,
                    minCoeff, maxCoeff, maskInState);
        }
    }
}
