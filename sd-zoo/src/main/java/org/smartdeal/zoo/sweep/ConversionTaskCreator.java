package org.smartdeal.zoo.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.saving.ResultReference;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmFile;
import org.smartdeal.codec.SdmFormatException;
import org.smartdeal.codec.SdmWriter;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.optim.Retraining;
import org.smartdeal.optim.TrainingDivergedException;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.NetworkDecomposition;
import org.smartdeal.zoo.convert.SdConverter;

/**
 * Arbiter {@link TaskCreator} of a conversion sweep: each candidate is a {@link ConversionPlan} (from a
 * {@link ConversionPlanSpace}) applied to one trained dense network. A task converts the network
 * ({@link SdConverter#convert}; with {@link Retrain}, re-trains a copy of it with the plan first), writes the
 * {@code .sdm} bytes (with the creator's META properties, if any), reads them back, scores the reloaded network on
 * the validation data (the data source's or provider's {@code testData}, a {@code DataSetIterator}: hold validation
 * examples out of the training set; the test set is for the final report only) and returns an
 * {@link OptimizationResult} whose model-specific result is the {@link ConversionCandidate}.
 * With {@link Retrain}, each task re-trains its own copy of the dense network on a fresh iterator from
 * {@link Retrain#train()} (whatever the data source's {@code trainData} is). A data provider's validation
 * iterator is shared by the tasks, so run them one at a time ({@link ConversionSweep} does, and so does
 * {@code LocalOptimizationRunner} with its default of one concurrent task).
 *
 * <p>The score is the score function's: a {@link CompressionScoreFunction} scores the candidate itself (no data
 * needed); any other Arbiter score function (for example {@code EvaluationScoreFunction}) is given the reloaded
 * network. The result reference is held in memory: {@code getResultModel()} rebuilds the network from the
 * candidate's {@code .sdm} bytes; a {@code ResultSaver} in the runner's configuration is not used (write the chosen
 * candidate's {@code .sdm} bytes yourself, as {@code smartdeal sweep} does).
 *
 * <p>Works with Arbiter's {@code LocalOptimizationRunner} and with {@link ConversionSweep}, which runs the
 * candidates one after the other without Arbiter's polling threads. The dense network is only read, so one creator
 * serves every candidate. A candidate whose plan cannot be applied (a sampled value out of range, a layer the
 * network lacks) fails with the plan's message; the sweep goes on.
 */
public final class ConversionTaskCreator implements TaskCreator {

    private final Model dense;
    private final long denseParams;
    private final Retrain retrain;
    private final Pricing pricing;
    private final Map<String, String> properties;
    private int retrainBatches = -1;
    private DataSource cachedSource;
    private Class<? extends DataSource> cachedClass;
    private Properties cachedProperties;

    /**
     * Re-training (RT, ALGORITHMS.md 5: dense epochs alternating with re-decomposition, the best epoch by validation
     * accuracy kept) of a copy of the dense network with each candidate's plan, before the candidate is written and
     * scored: the setting {@code smartdeal demo} uses, so aggressive plans are judged after the accuracy they can
     * win back. The epoch is chosen on the same validation data the sweep scores on.
     *
     * @param train      a fresh iterator over the training data (not the validation data) at every call: each
     *                   candidate re-trains on its own, so a shuffling iterator gives every candidate the same
     *                   shuffles and a candidate's result depends on its plan only, not on its place in the sweep
     * @param epochs     RT epochs, at least 1
     * @param rampEpochs epochs over which the sparsity rises to the plan's, in [0, epochs]
     * @param keepZeros  hold each decomposition's zeros at zero through the next dense epoch
     * @param lr         RT learning rate (SGD with momentum 0.9, weight decay 5e-4), finite and &gt; 0
     */
    public record Retrain(Supplier<DataSetIterator> train, int epochs, int rampEpochs, boolean keepZeros, double lr) {
        /** Validates every field; the messages name the field, the range and the value. */
        public Retrain {
            if (train == null) {
                throw new IllegalArgumentException("Retrain.train must supply DataSetIterators, got null");
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("Retrain.epochs must be at least 1, got " + epochs);
            }
            if (rampEpochs < 0 || rampEpochs > epochs) {
                throw new IllegalArgumentException("Retrain.rampEpochs must be in [0, epochs = " + epochs + "], got "
                        + rampEpochs);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("Retrain.lr must be finite and > 0, got " + lr);
            }
        }
    }

    /**
     * The price of a network, for example its energy per inference on the simulated SmartDeal accelerator
     * ({@code EnergyReport.of(net, ...).results().get("smartdeal").energyPj()} of sd-hwmodel), in pJ. It must be
     * finite and &gt; 0; a candidate whose price is not fails.
     */
    @FunctionalInterface
    public interface Pricing {
        /**
         * @param network the network read back from a candidate's {@code .sdm}, or the dense network (the baseline)
         * @return its price in pJ, finite and &gt; 0
         */
        double energyPj(Model network);
    }

    /**
     * A creator that converts only (no re-training).
     *
     * @param dense the trained network to convert (a MultiLayerNetwork or ComputationGraph; not modified)
     * @throws IllegalArgumentException if it is neither
     */
    public ConversionTaskCreator(Model dense) {
        this(dense, null);
    }

    /**
     * @param dense   the trained network to convert (a MultiLayerNetwork or ComputationGraph; not modified: each
     *                candidate re-trains its own copy)
     * @param retrain re-training of each candidate, or null to convert only
     * @throws IllegalArgumentException if the network is neither
     */
    public ConversionTaskCreator(Model dense, Retrain retrain) {
        this(dense, retrain, null);
    }

    /**
     * @param dense   the trained network to convert (a MultiLayerNetwork or ComputationGraph; not modified)
     * @param retrain re-training of each candidate, or null to convert only
     * @param pricing the price of each candidate's reloaded network, or null not to price
     * @throws IllegalArgumentException if the network is neither
     */
    public ConversionTaskCreator(Model dense, Retrain retrain, Pricing pricing) {
        this(dense, retrain, pricing, Map.of());
    }

    /**
     * @param dense      the trained network to convert (a MultiLayerNetwork or ComputationGraph; not modified)
     * @param retrain    re-training of each candidate, or null to convert only
     * @param pricing    the price of each candidate's reloaded network, or null not to price
     * @param properties META properties every candidate's {@code .sdm} records after the library's own (in this
     *                   order; e.g. {@code smartdeal sweep}'s input shape), so that the bytes scored, counted
     *                   ({@link ConversionCandidate#sdmBytes()}, the file CR) and kept are the file's; empty for none
     * @throws IllegalArgumentException if the network is neither, or a property's key or value is null
     */
    public ConversionTaskCreator(Model dense, Retrain retrain, Pricing pricing, Map<String, String> properties) {
        if (!(dense instanceof MultiLayerNetwork || dense instanceof ComputationGraph)) {
            throw new IllegalArgumentException("ConversionTaskCreator: the network must be an initialised "
                    + "MultiLayerNetwork or ComputationGraph, got " + (dense == null ? null : dense.getClass().getName()));
        }
        this.dense = dense;
        this.denseParams = dense.numParams();
        this.retrain = retrain;
        this.pricing = pricing;
        this.properties = copy("ConversionTaskCreator", properties);
    }

    /**
     * The properties in their order, unmodifiable, checked: a null map, key or value is refused, and so is a key the
     * library records itself ({@link SdModelFile#OWN_PROPERTIES}), which would replace its value.
     *
     * @param owner the type whose field they are, for the message
     */
    static Map<String, String> copy(String owner, Map<String, String> properties) {
        if (properties == null) {
            throw new IllegalArgumentException(owner + ".properties must be a map (empty for none), got null");
        }
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException(owner + ".properties must hold no null key or value, got " + k
                        + "=" + v);
            }
            if (SdModelFile.OWN_PROPERTIES.containsKey(k)) {
                throw new IllegalArgumentException(owner + ".properties must not hold the keys the library records "
                        + "itself, " + SdModelFile.OWN_PROPERTIES.keySet() + ", got " + k + "=" + v);
            }
            out.put(k, v);
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * Converts with one plan (re-training it first when the creator has {@link Retrain} settings) and scores the
     * reloaded network; never throws for a bad plan, a failed conversion or re-training that diverged (the candidate
     * then holds the error and its kind).
     *
     * @param index      the candidate's number
     * @param plan       the plan (null: a failed candidate saying the plan is missing)
     * @param validation the data to score on (reset first)
     * @return the candidate
     */
    public ConversionCandidate evaluate(int index, ConversionPlan plan, DataSetIterator validation) {
        long t0 = System.nanoTime();
        if (plan == null) {
            return ConversionCandidate.failed(index, null, 0, ConversionCandidate.Failure.SETTINGS,
                    "candidate " + index + " has no plan");
        }
        try {
            Model sd;
            NetworkDecomposition d;
            int bestEpoch = -1;
            if (retrain == null) {
                SdConverter.Result r = SdConverter.convert(dense, plan);
                sd = r.network();
                d = r.decomposition();
            } else {
                Model copy = dense instanceof MultiLayerNetwork m ? m.clone()
                        : org.smartdeal.layers.Networks.copy((ComputationGraph) dense);
                Retraining.useRtOptimizer(copy, retrain.lr(), retrainBatches());
                Retraining.Result<NetworkDecomposition> rt = Retraining.run(copy, trainData(), validation,
                        retrain.epochs(), retrain.rampEpochs(), retrain.keepZeros(), SdConverter.redecomposer(plan), null);
                d = rt.bestState();
                sd = SdConverter.build(copy, d);
                bestEpoch = rt.bestEpoch();
            }
            SdmFile file = SdModelFile.toSdm(sd);
            for (Map.Entry<String, String> p : properties.entrySet()) {
                file = file.withProperty(p.getKey(), p.getValue());
            }
            byte[] bytes = SdmWriter.serialize(file).bytes();
            Model reloaded = rebuild(bytes, index);
            ModelScore s = ModelScore.of(reloaded, validation);
            double energy = pricing == null ? Double.NaN : price(pricing, reloaded, "candidate " + index);
            return new ConversionCandidate(index, plan, d.report(), d.report().paperCR(),
                    StorageBreakdown.fileCR(denseParams, bytes.length), bytes, s.accuracy(), s.loss(), s.examples(),
                    bestEpoch, energy, (System.nanoTime() - t0) / 1e9, null, null);
        } catch (IllegalArgumentException | SdmFormatException | TrainingDivergedException e) {
            // re-training that diverged at this candidate's settings fails the candidate (DIVERGED), as a bad plan does
            return failed(index, plan, (System.nanoTime() - t0) / 1e9, e);
        }
    }

    /**
     * A failed candidate's error: the message of an {@link IllegalArgumentException} thrown from an
     * {@code org.smartdeal} class (a check this project makes on the candidate's settings or data) or of a
     * {@link TrainingDivergedException} (re-training that diverged at the candidate's settings); otherwise
     * {@link ConversionCandidate#INTERNAL_ERROR} and the exception, a defect. That covers an
     * {@code IllegalArgumentException} from ND4J's preconditions, DL4J or the JDK (say a
     * {@code NumberFormatException}), and an {@link SdmFormatException}: the only {@code .sdm} a candidate reads is
     * the one it has just written, so one that does not read back is a codec defect. An
     * {@code IllegalArgumentException} from a caller's own hook ({@link Pricing}, a {@link Retrain} supplier) also
     * counts as internal here, its message kept.
     */
    static String failure(Exception e) {
        return kind(e) == ConversionCandidate.Failure.INTERNAL ? ConversionCandidate.INTERNAL_ERROR + e : e.getMessage();
    }

    /**
     * The kind of a failed candidate's error, by the rule of {@link #failure}: {@code DIVERGED} for a
     * {@link TrainingDivergedException}, {@code SETTINGS} for an {@link IllegalArgumentException} thrown from an
     * {@code org.smartdeal} class, {@code INTERNAL} for anything else.
     */
    static ConversionCandidate.Failure kind(Exception e) {
        if (e instanceof TrainingDivergedException) {
            return ConversionCandidate.Failure.DIVERGED;
        }
        boolean ownCheck = e instanceof IllegalArgumentException && e.getStackTrace().length > 0
                && e.getStackTrace()[0].getClassName().startsWith("org.smartdeal.");
        return ownCheck ? ConversionCandidate.Failure.SETTINGS : ConversionCandidate.Failure.INTERNAL;
    }

    /** The failed candidate for an exception: its error ({@link #failure}) and kind ({@link #kind}). */
    private static ConversionCandidate failed(int index, ConversionPlan plan, double seconds, Exception e) {
        return ConversionCandidate.failed(index, plan, seconds, kind(e), failure(e));
    }

    /**
     * A network's price, checked.
     *
     * @throws IllegalArgumentException when the price is not finite and &gt; 0
     */
    static double price(Pricing pricing, Model net, String what) {
        double e = pricing.energyPj(net);
        if (!(e > 0) || Double.isInfinite(e)) {
            throw new IllegalArgumentException("the price of " + what + " must be finite and > 0 pJ, got " + e);
        }
        return e;
    }

    /** A fresh re-training iterator from the supplier, checked. */
    private DataSetIterator trainData() {
        DataSetIterator it = retrain.train().get();
        if (it == null) {
            throw new IllegalArgumentException("Retrain.train supplied null instead of a DataSetIterator");
        }
        return it;
    }

    /** Minibatches per epoch of the re-training data, counted once (the RT learning rate halves every 30 epochs). */
    private synchronized int retrainBatches() {
        if (retrainBatches < 0) {
            DataSetIterator it = trainData();
            int n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            it.reset();
            if (n == 0) {
                throw new IllegalArgumentException("Retrain.train holds no examples");
            }
            retrainBatches = n;
        }
        return retrainBatches;
    }

    /** The network stored in a candidate's {@code .sdm} bytes. */
    static Model rebuild(byte[] sdm, int index) throws SdmFormatException {
        return SdModelFile.read(sdm, "sweep candidate " + index);
    }

    @Override
    @SuppressWarnings({"deprecation", "rawtypes", "unchecked"}) // Arbiter's deprecated DataProvider form, raw Candidate
    public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider,
            ScoreFunction scoreFunction, List<StatusListener> statusListeners, IOptimizationRunner runner) {
        return () -> run(candidate, () -> iterator(requireData(dataProvider).testData(candidate.getDataParameters()),
                        "DataProvider"),
                scoreFunction, net -> scoreFunction.score(net, dataProvider, candidate.getDataParameters()),
                statusListeners, runner);
    }

    @Override
    @SuppressWarnings("rawtypes") // Arbiter's TaskCreator passes its generic Candidate raw
    public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource,
            Properties dataSourceProperties, ScoreFunction scoreFunction, List<StatusListener> statusListeners,
            IOptimizationRunner runner) {
        return () -> run(candidate, () -> iterator(source(requireData(dataSource), dataSourceProperties).testData(),
                        dataSource.getName()),
                scoreFunction, net -> scoreFunction.score(net, dataSource, dataSourceProperties), statusListeners, runner);
    }

    private interface Data {
        DataSetIterator get() throws Exception;
    }

    private interface NetScore {
        double score(Model net) throws Exception;
    }

    @SuppressWarnings("rawtypes") // Arbiter's Candidate is generic, its TaskCreator passes it raw
    private OptimizationResult run(Candidate candidate, Data data, ScoreFunction scoreFunction, NetScore netScore,
            List<StatusListener> listeners, IOptimizationRunner runner) {
        long start = System.currentTimeMillis();
        int index = candidate.getIndex();
        ConversionCandidate c;
        Double score = null;
        String trace = null;
        if (candidate.getException() != null) {
            // by the rule of failure(): a plan's own check (LayerPlan's range) is the sample's settings; anything else
            // (an index error of Arbiter's grid, say) is a defect, named as one
            Exception e = candidate.getException();
            ConversionCandidate.Failure kind = kind(e);
            String why = "the plan could not be made from the sample: ";
            c = ConversionCandidate.failed(index, null, 0, kind, kind == ConversionCandidate.Failure.INTERNAL
                    ? ConversionCandidate.INTERNAL_ERROR + why + e : why + e.getMessage());
        } else {
            ConversionPlan plan = null;
            try {
                Object value = candidate.getValue();
                if (!(value instanceof ConversionPlan p)) {
                    throw new IllegalArgumentException("ConversionTaskCreator: candidates must be ConversionPlans (from "
                            + "a ConversionPlanSpace), got " + (value == null ? null : value.getClass().getName()));
                }
                plan = p;
                c = evaluate(index, plan, data.get());
                if (c.ok() && scoreFunction != null) {
                    score = scoreFunction instanceof CompressionScoreFunction f ? f.score(c)
                            : netScore.score(rebuild(c.sdm(), index));
                }
            } catch (Exception e) {
                // a bad candidate value or data fails one of this project's checks; anything else is a defect
                c = failed(index, plan, (System.currentTimeMillis() - start) / 1e3, e);
                trace = ExceptionUtils.getStackTrace(e);
            }
        }
        if (!c.ok() && trace == null) {
            trace = c.error();
        }
        CandidateInfo info = new CandidateInfo(index, c.ok() ? CandidateStatus.Complete : CandidateStatus.Failed, score,
                start, start, System.currentTimeMillis(), candidate.getFlatParameters(), trace);
        OptimizationResult result = new OptimizationResult(candidate, score, index, c, info, null);
        result.setResultReference(new InMemoryReference(result, c));
        if (listeners != null) {
            for (StatusListener l : listeners) {
                l.onCandidateStatusChange(info, runner, result);
            }
        }
        return result;
    }

    private static DataSetIterator iterator(Object data, String from) {
        if (data instanceof DataSetIterator it) {
            return it;
        }
        throw new IllegalArgumentException("ConversionTaskCreator: " + from + ".testData() must be a DataSetIterator "
                + "(the validation examples), got " + (data == null ? null : data.getClass().getName()));
    }

    /** The data a candidate is scored on, named as missing when the runner's configuration gave none. */
    private static <T> T requireData(T data) {
        if (data == null) {
            throw new IllegalArgumentException("ConversionTaskCreator: no validation data: give the "
                    + "OptimizationConfiguration a dataSource(...) or a dataProvider(...)");
        }
        return data;
    }

    /** One configured data source per (class, properties), so its data is loaded once for the whole sweep. */
    private synchronized DataSource source(Class<? extends DataSource> type, Properties properties) throws Exception {
        if (cachedSource == null || cachedClass != type || !java.util.Objects.equals(cachedProperties, properties)) {
            DataSource s = type.getDeclaredConstructor().newInstance();
            s.configure(properties);
            cachedSource = s;
            cachedClass = type;
            cachedProperties = properties == null ? null : (Properties) properties.clone();
        }
        return cachedSource;
    }

    /**
     * A result held in memory; the model is rebuilt from the candidate's bytes on request. A plain class with
     * identity equality: the result refers back to it, and Arbiter's OptimizationResult hashes and prints its
     * reference, so value semantics here would recurse.
     */
    private static final class InMemoryReference implements ResultReference {
        private final OptimizationResult result;
        private final ConversionCandidate candidate;

        InMemoryReference(OptimizationResult result, ConversionCandidate candidate) {
            this.result = result;
            this.candidate = candidate;
        }

        @Override
        public OptimizationResult getResult() {
            return result;
        }

        @Override
        public Object getResultModel() throws java.io.IOException {
            return candidate.ok() ? rebuild(candidate.sdm(), candidate.index()) : null;
        }

        @Override
        public String toString() {
            return "InMemoryReference(candidate " + candidate.index() + ")";
        }
    }

    /** @return the dense network every candidate converts */
    public Model dense() {
        return dense;
    }

    /** @return the META properties every candidate's {@code .sdm} records after the library's own (unmodifiable) */
    public Map<String, String> properties() {
        return properties;
    }
}
