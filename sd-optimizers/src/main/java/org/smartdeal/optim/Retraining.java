package org.smartdeal.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smartdeal.layers.Networks;

/**
 * Post-training re-training (RT) of SmartDeal, paper Sec. III-C-2 and ALGORITHMS.md 5: alternate
 * one epoch of ordinary dense training with a fresh decomposition of every planned layer that
 * overwrites W with C*B, and keep the epoch with the best validation accuracy.
 *
 * <p>The decomposition is supplied by the caller as a {@link Redecomposer} (the converter in
 * {@code sd-zoo} provides one for a conversion plan), so this driver works for any
 * {@link MultiLayerNetwork} or {@link ComputationGraph}. It never prints: per-epoch results go to
 * the log and to an optional {@link EpochListener} (the CLI draws its progress bar from it).
 *
 * <p><b>Sparsity ramp (an extension of ALGORITHMS.md 5).</b> With {@code rampEpochs = R > 0} the
 * planned sparsity is not applied at full strength at once: the decomposition after epoch
 * {@code e} (0 being the initial one) uses the ramp factor {@code f = min(1, (e+1)/(R+1))}: every
 * layer's threshold times f, or, for a layer planned with a target C density d, the density d^f
 * (geometric pruning towards d). The network prunes gradually over the first R epochs and then
 * keeps the planned sparsity.
 * A one-shot threshold high enough for large compression rates removes most of each unit's
 * weights at once, which one dense epoch followed by a decomposition from scratch does not recover
 * from (docs/RESULTS.md section 3). Only epochs at the full sparsity compete for the best epoch,
 * so the result always has the requested compression. {@code R = 0} is the specification's loop.
 *
 * <p><b>Keeping zeros (an extension of ALGORITHMS.md 5).</b> With {@code keepZeros}, the entries of
 * the planned weights that the last decomposition set to zero (C*B is exactly zero where a row of
 * C is) are held at zero through the following dense epoch: after every minibatch the weights are
 * multiplied by that 0/1 mask. The dense epoch then trains only the surviving weights, and the next
 * decomposition starts from a network that already lives on its support instead of undoing the
 * epoch. Measured on LeNet-300-100 at 4% C density: docs/RESULTS.md section 3.
 *
 * <p>Not implemented: ALGORITHMS.md 5's optional SWA of the dense weights during RT (the reference's option); the
 * result is the best validation epoch's decomposition.
 */
public final class Retraining {

    private static final Logger LOG = LoggerFactory.getLogger(Retraining.class);

    private Retraining() {
    }

    /**
     * Re-decomposes the planned layers of a dense network and overwrites their W with C*B.
     *
     * @param <S> the state kept for the best epoch (e.g. the decompositions themselves)
     */
    public interface Redecomposer<S> {
        /**
         * @param net the dense network (Modified: planned weights become C*B)
         * @param rampFactor the ramp factor in (0, 1] (see the class Javadoc): 1 means the planned
         *     sparsity; below 1, thresholds times the factor and density targets d as d^factor
         * @return the state of this decomposition
         */
        S redecompose(Model net, double rampFactor);

        /**
         * The weight arrays this redecomposer overwrites with C*B, as live views into the network,
         * for RT's zero-keeping option. The default (none) disables the option's effect.
         *
         * @param net the network passed to {@link #redecompose}
         * @param state the state that call returned
         * @return views of the planned layers' weights
         */
        default List<INDArray> plannedWeights(Model net, S state) {
            return List.of();
        }

        /**
         * @param state a state returned by {@link #redecompose}
         * @return C density of that state (non-zeros / entries over SD layers)
         */
        double cDensity(S state);

        /**
         * @param state a state returned by {@link #redecompose}
         * @return paper compression rate of that state (ALGORITHMS.md 4.3)
         */
        double paperCR(S state);
    }

    /** Receives one call per finished epoch. */
    @FunctionalInterface
    public interface EpochListener {
        /** @param epoch the epoch's figures */
        void onEpoch(EpochResult epoch);
    }

    /**
     * Figures of one RT epoch, measured after the overwrite with C*B.
     *
     * @param epoch 1-based epoch number
     * @param rampFactor the ramp factor of this epoch's decomposition
     * @param trainLoss mean training loss reported by the network during the epoch (NaN for epoch 0, before any training)
     * @param valLoss mean validation loss
     * @param valAccuracy validation accuracy in [0, 1]
     * @param cDensity C density
     * @param paperCR paper compression rate
     * @param seconds wall time of the epoch including decomposition and validation
     */
    public record EpochResult(int epoch, double rampFactor, double trainLoss, double valLoss, double valAccuracy,
                              double cDensity, double paperCR, double seconds) {
        /** @return the per-epoch log line */
        public String line() {
            String loss = Double.isNaN(trainLoss) ? "     -" : String.format(Locale.ROOT, "%.4f", trainLoss);
            String ramp = rampFactor < 1 ? String.format(Locale.ROOT, "  ramp %.2f", rampFactor) : "";
            return String.format(Locale.ROOT, "RT epoch %3d  loss %s  val loss %.4f  val acc %.4f  C density %.4f  CR %.1fx  %.1fs%s",
                    epoch, loss, valLoss, valAccuracy, cDensity, paperCR, seconds, ramp);
        }
    }

    /**
     * The outcome: the network holds the parameters of the best epoch.
     *
     * @param <S> the decomposition state type
     * @param bestEpoch 1-based best epoch (0 when the initial decomposition was best); always an
     *     epoch at the full sparsity
     * @param bestAccuracy its validation accuracy
     * @param bestState its decomposition state
     * @param history every epoch, in order (epoch 0 is the initial decomposition before training)
     */
    public record Result<S>(int bestEpoch, double bestAccuracy, S bestState, List<EpochResult> history) {
    }

    /**
     * Sets the RT optimiser of ALGORITHMS.md 5 on every layer: SGD with momentum 0.9 and weight
     * decay 5e-4, learning rate {@code lr} halved every 30 epochs, and resets the updater state.
     *
     * <p>The momentum is DL4J's {@link Nesterovs} (DL4J has no classical-momentum updater).
     * The weight decay is {@link L2Regularization}: DL4J adds 5e-4 * W to the gradient before the
     * updater, so the decay enters the momentum buffer with the gradient (DL4J's Nesterovs keeps
     * v = mu*v - lr*(g + wd*W)), as in ALGORITHMS.md 6.2 and in PyTorch's SGD {@code weight_decay}, which the
     * reference used. Like that, it applies to the biases
     * too (as SD training's biases, ALGORITHMS.md 6.3; until 2026-12-05 RT left biases undecayed).
     * (DL4J's {@code WeightDecay} would instead subtract lr * wd * W after the updater, decoupled from the
     * momentum.) DL4J 1.0.0-M2.1 applies no regularization to BatchNormalization's gamma and beta (its
     * {@code getRegularizationByParam} gives none for them), so those are not decayed.
     *
     * <p>DL4J evaluates learning-rate schedules at the network's cumulative iteration count, so
     * this also resets the network's iteration and epoch counters to 0: the halving then counts
     * RT epochs only, whatever training came before (without the reset, the demo's 10 dense
     * epochs made the rate halve at RT epoch 21 instead of 31). Call it right before RT.
     *
     * @param net the network (Modified: updaters, regularization, updater state, and iteration
     *     and epoch counters reset to 0)
     * @param lr initial learning rate, &gt; 0 (the spec's default is 0.05)
     * @param iterationsPerEpoch minibatches per epoch (the halving is counted in iterations)
     */
    public static void useRtOptimizer(Model net, double lr, int iterationsPerEpoch) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("RT learning rate must be finite and > 0, got " + lr);
        }
        if (iterationsPerEpoch < 1) {
            throw new IllegalArgumentException("iterationsPerEpoch must be at least 1, got " + iterationsPerEpoch);
        }
        Nesterovs sgd = new Nesterovs(new StepSchedule(ScheduleType.ITERATION, lr, 0.5, 30.0 * iterationsPerEpoch), 0.9);
        List<Regularization> wd = List.of(new L2Regularization(5e-4));
        for (org.deeplearning4j.nn.api.Layer l : Networks.layers(net)) {
            if (l.conf().getLayer() instanceof BaseLayer bl) {
                bl.setIUpdater(sgd.clone());
                // an explicit bias updater (DenseExport writes one) would otherwise keep the biases on their old one
                bl.setBiasUpdater(null);
                bl.setRegularization(wd);
                bl.setRegularizationBias(wd);
            }
        }
        if (net instanceof MultiLayerNetwork m) {
            m.setUpdater(null);
            m.setIterationCount(0);
            m.setEpochCount(0);
        } else {
            ComputationGraph g = (ComputationGraph) net;
            g.setUpdater(null);
            g.getConfiguration().setIterationCount(0);
            g.getConfiguration().setEpochCount(0);
        }
    }

    /**
     * Runs RT as ALGORITHMS.md 5 specifies (no ramp, no zero-keeping).
     *
     * @param <S> decomposition state type
     * @param net dense network, already trained (Modified: ends with the best epoch's parameters, W = C*B)
     * @param train training data
     * @param validation validation data (model selection)
     * @param epochs number of RT epochs, &gt;= 0
     * @param redecomposer how planned layers are decomposed and overwritten
     * @param listener per-epoch callback, may be null
     * @return the best epoch and the history
     * @throws TrainingDivergedException when a dense epoch ends with a NaN or infinite mean loss, or one over
     *     {@link TrainingDivergedException#RUNAWAY_FACTOR} times the validation loss before training
     */
    public static <S> Result<S> run(Model net, DataSetIterator train, DataSetIterator validation, int epochs,
                                    Redecomposer<S> redecomposer, EpochListener listener) {
        return run(net, train, validation, epochs, 0, false, redecomposer, listener);
    }

    /**
     * The ramp factor of an epoch under a ramp of {@code rampEpochs} epochs (see the class
     * Javadoc).
     *
     * @param epoch 0 for the initial decomposition, then 1-based RT epochs
     * @param rampEpochs ramp length, &gt;= 0
     * @return {@code min(1, (epoch + 1) / (rampEpochs + 1))}
     */
    public static double rampFactor(int epoch, int rampEpochs) {
        return Math.min(1.0, (epoch + 1) / (double) (rampEpochs + 1));
    }

    /**
     * Runs RT with a sparsity ramp over the first {@code rampEpochs} epochs and, optionally, the
     * zeros of each decomposition kept through the next epoch (see the class Javadoc).
     *
     * @param <S> decomposition state type
     * @param net dense network, already trained (Modified: ends with the best epoch's parameters, W = C*B)
     * @param train training data
     * @param validation validation data (model selection)
     * @param epochs number of RT epochs, &gt;= 0
     * @param rampEpochs epochs over which the sparsity rises to the planned one, in [0, epochs]
     * @param keepZeros hold the planned weights' zeros at zero during the dense epochs
     * @param redecomposer how planned layers are decomposed and overwritten
     * @param listener per-epoch callback, may be null
     * @return the best epoch at the full sparsity and the history
     * @throws TrainingDivergedException when a dense epoch ends with a NaN or infinite mean loss, one over
     *     {@link TrainingDivergedException#RUNAWAY_FACTOR} times the validation loss before training (epoch 0's), or
     *     NaN or infinite parameters
     */
    public static <S> Result<S> run(Model net, DataSetIterator train, DataSetIterator validation, int epochs,
                                    int rampEpochs, boolean keepZeros, Redecomposer<S> redecomposer,
                                    EpochListener listener) {
        Objects.requireNonNull(redecomposer, "redecomposer");
        if (epochs < 0) {
            throw new IllegalArgumentException("RT epochs must be >= 0, got " + epochs);
        }
        if (rampEpochs < 0 || rampEpochs > epochs) {
            throw new IllegalArgumentException("RT rampEpochs must be in [0, epochs = " + epochs + "], got " + rampEpochs);
        }
        List<EpochResult> history = new ArrayList<>();
        S bestState = null;
        int bestEpoch = -1;
        double bestAcc = Double.NEGATIVE_INFINITY;
        INDArray bestParams = null;
        List<INDArray[]> masks = List.of();
        for (int e = 0; e <= epochs; e++) {
            long t = System.nanoTime();
            double trainLoss = e == 0 ? Double.NaN : fitOneEpoch(net, train, masks);
            if (e > 0) {
                // the rate is the network's updater's, which this loop does not read
                TrainingDivergedException.requireFiniteEpoch(trainLoss, net.params(),
                        TrainingDivergedException.Phase.RE_TRAINING, e, epochs, Double.NaN);
                // a finite loss can still be running away: against the validation loss of the first decomposition
                TrainingDivergedException.requireNoRunaway(trainLoss, history.get(0).valLoss(),
                        TrainingDivergedException.Phase.RE_TRAINING, e, epochs, Double.NaN);
            }
            double scale = rampFactor(e, rampEpochs);
            S state = redecomposer.redecompose(net, scale);
            if (keepZeros && e < epochs) {
                masks = zeroMasks(redecomposer.plannedWeights(net, state));
            }
            EpochResult r;
            try {
                r = measure(net, validation, e, scale, trainLoss, redecomposer, state, t);
            } catch (ModelScore.NonFiniteOutputException x) {
                if (e == 0) {
                    throw x; // before any training: the network as given
                }
                // the epoch's loss was finite (computed before each update) but its last updates overflowed
                TrainingDivergedException d = TrainingDivergedException.diverged(
                        TrainingDivergedException.Phase.RE_TRAINING, e, epochs, x.getMessage(), Double.NaN);
                d.initCause(x);
                throw d;
            }
            history.add(r);
            report(r, listener);
            if (scale == 1.0 && (bestParams == null || r.valAccuracy() > bestAcc)) {
                bestAcc = r.valAccuracy();
                bestEpoch = e;
                bestState = state;
                if (bestParams == null) {
                    bestParams = net.params().dup();
                } else {
                    bestParams.assign(net.params());
                }
            }
        }
        net.setParams(bestParams);
        LOG.debug("RT best epoch {} with validation accuracy {}", bestEpoch, String.format(Locale.ROOT, "%.4f", bestAcc));
        return new Result<>(bestEpoch, bestAcc, bestState, List.copyOf(history));
    }

    private static void report(EpochResult r, EpochListener listener) {
        LOG.debug(r.line());
        if (listener != null) {
            listener.onEpoch(r);
        }
    }

    /** Pairs {weight view, 0/1 mask of its non-zeros}. */
    private static List<INDArray[]> zeroMasks(List<INDArray> weights) {
        List<INDArray[]> out = new ArrayList<>(weights.size());
        for (INDArray w : weights) {
            out.add(new INDArray[] {w, w.neq(0).castTo(w.dataType())});
        }
        return out;
    }

    private static double fitOneEpoch(Model net, DataSetIterator train, List<INDArray[]> masks) {
        train.reset();
        double sum = 0;
        int n = 0;
        while (train.hasNext()) {
            DataSet ds = train.next();
            if (net instanceof MultiLayerNetwork m) {
                m.fit(ds);
            } else {
                ((ComputationGraph) net).fit(ds);
            }
            for (INDArray[] wm : masks) {
                wm[0].muli(wm[1]);
            }
            sum += net.score();
            n++;
        }
        if (net instanceof MultiLayerNetwork m) {
            m.incrementEpochCount();
        } else {
            ((ComputationGraph) net).incrementEpochCount();
        }
        if (n == 0) {
            throw new IllegalArgumentException("RT training data holds no minibatch: nothing to train on");
        }
        return sum / n;
    }

    private static <S> EpochResult measure(Model net, DataSetIterator validation, int epoch, double rampFactor,
                                           double trainLoss, Redecomposer<S> r, S state, long startNanos) {
        ModelScore score = ModelScore.of(net, validation);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return new EpochResult(epoch, rampFactor, trainLoss, score.loss(), score.accuracy(), r.cDensity(state), r.paperCR(state), seconds);
    }
}
