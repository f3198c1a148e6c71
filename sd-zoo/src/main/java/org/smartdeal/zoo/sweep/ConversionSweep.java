package org.smartdeal.zoo.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;

/**
 * A conversion sweep run in this thread: Arbiter's candidate generator proposes plans from a
 * {@link ConversionPlanSpace}, a {@link ConversionTaskCreator} converts and scores each on the validation data, and
 * a {@link CompressionScoreFunction} picks the candidate with the largest gain (the paper's CR, or energy when the
 * sweep prices: {@link Options}) whose accuracy drop stays within a bound.
 *
 * <pre>{@code
 * ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
 *         .defaults(new SdHyperparameterSpace.Builder()
 *                 .theta(new ContinuousParameterSpace(new LogUniformDistribution(1e-3, 1.6e-2))).build())
 *         .build();
 * ConversionSweep.Result r = ConversionSweep.run(dense,
 *         new GridSearchCandidateGenerator(space, 5, GridSearchCandidateGenerator.Mode.Sequential, null),
 *         20, validation, 0.01, null);
 * ConversionCandidate best = r.best().orElseThrow();      // best.sdm() is the .sdm file's bytes
 * }</pre>
 *
 * <p>Why not Arbiter's {@code LocalOptimizationRunner}: it polls once per second from a thread pool and loops forever
 * when a generator runs out before its termination condition; this driver runs the same task creator, score function
 * and generators sequentially, so a sweep is deterministic (the candidates, in order, follow from the generator and
 * its seed). The task creator also works under {@code LocalOptimizationRunner} for users who want its listeners.
 */
public final class ConversionSweep {

    private ConversionSweep() {
    }

    /**
     * Proposals in a row whose plan was already run after which a sweep stops: a backstop for generators over spaces
     * whose number of settings is not known ({@link ConversionPlanSpace#distinctSettings}); drawing is microseconds,
     * running a candidate seconds to minutes.
     */
    public static final int MAX_REPEATS_IN_A_ROW = 1000;

    /** Why a sweep stopped. */
    public enum Stop {
        /** It ran as many candidates as asked, and the space holds more. */
        CAP,
        /** The generator had no more candidates (a grid run to its end). */
        GENERATOR_DONE,
        /** Every setting the space holds has run (a random search over lists only: fewer settings than asked). */
        ALL_SETTINGS_RUN,
        /** The generator proposed only plans already run, {@value #MAX_REPEATS_IN_A_ROW} times in a row. */
        REPEAT_LIMIT
    }

    /** Told after every candidate. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param candidate the candidate just scored (or failed)
         * @param done      candidates done so far
         * @param total     candidates the sweep will run at most
         */
        void candidateDone(ConversionCandidate candidate, int done, int total);
    }

    /**
     * The sweep's outcome.
     *
     * @param baseline   the dense network's accuracy and loss on the validation data
     * @param score      the score function (baseline and drop bound)
     * @param candidates every candidate in the order run
     * @param bestPosition position in {@code candidates} of the best candidate by
     *                     {@link CompressionScoreFunction#ranking()} (the largest gain within the drop bound, of equal
     *                     gains the smaller drop; outside it the smallest drop, of equal drops the larger gain; the
     *                     first one run when still tied), or -1 when every candidate failed
     * @param repeatsSkipped candidates the generator proposed with a plan equal to an earlier one's, not run (a
     *                     random search over lists draws with replacement)
     * @param stop         why the sweep stopped
     */
    public record Result(ModelScore baseline, CompressionScoreFunction score, List<ConversionCandidate> candidates,
            int bestPosition, int repeatsSkipped, Stop stop) {

        /** Copies the list. */
        public Result {
            candidates = List.copyOf(candidates);
            if (repeatsSkipped < 0) {
                throw new IllegalArgumentException("ConversionSweep.Result: repeatsSkipped must be >= 0, got "
                        + repeatsSkipped);
            }
        }

        /** @return the best candidate (see {@link CompressionScoreFunction}), empty when every candidate failed */
        public Optional<ConversionCandidate> best() {
            return bestPosition < 0 ? Optional.empty() : Optional.of(candidates.get(bestPosition));
        }

        /** @return whether the best candidate keeps the accuracy drop within the bound */
        public boolean bestWithinDrop() {
            return best().map(score::withinDrop).orElse(false);
        }

        /**
         * @return a fixed-width table, one line per candidate, with the plan's default settings (theta, or the density
         *     target when there is one: the converter then searches the thresholds); the best is marked with {@code *}
         */
        public String toTable() {
            boolean anyOverrides = candidates.stream().anyMatch(c -> c.plan() != null && !c.plan().overrides().isEmpty());
            boolean priced = candidates.stream().anyMatch(c -> !Double.isNaN(c.energyPj()));
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-4s %-8s %-8s %5s %5s %8s %7s %9s %8s%s %8s %9s %6s %7s%s%n", "#",
                    "theta", "density", "rows", "width", "maxCoeff", "C dens", "paper CR", "file CR",
                    priced ? String.format(Locale.ROOT, " %10s %7s", "energy uJ", "E gain") : "", "accuracy",
                    "drop pts", "within", "seconds", anyOverrides ? "  layers (own settings)" : ""));
            for (int i = 0; i < candidates.size(); i++) {
                ConversionCandidate c = candidates.get(i);
                String mark = (i == bestPosition ? "*" : " ") + c.index();
                if (!c.ok()) {
                    sb.append(String.format(Locale.ROOT, "%-4s failed: %s%n", mark, c.error()));
                    continue;
                }
                LayerPlan d = c.plan().defaults();
                sb.append(String.format(Locale.ROOT, "%-4s %-8s %-8s %5d %5d %8s %7.4f %9.2f %8.2f%s %8.4f %9.2f %6s %7.2f%s%n",
                        mark, sparsity(d, true), sparsity(d, false), d.sliceRows(), d.basisWidth(),
                        shortNumber(d.maxCoeff()), c.report().cDensity(), c.paperCR(), c.fileCR(),
                        priced ? String.format(Locale.ROOT, " %10.3f %7.2f", c.energyPj() / 1e6,
                                score.baselineEnergyPj() / c.energyPj()) : "", c.accuracy(),
                        ModelScore.points(score.drop(c)), score.withinDrop(c) ? "yes" : "no", c.seconds(),
                        anyOverrides ? "  " + overrides(c.plan()) : ""));
            }
            return sb.toString();
        }

        /** The threshold (or "-" under a density target) or the density target (or "-"). */
        private static String sparsity(LayerPlan p, boolean theta) {
            return sparsity(p, theta, ConversionSweep::shortNumber, "-");
        }

        /**
         * The threshold or the density target as {@code number} writes it, {@code unused} for the one a plan does not
         * use: a density target (above 0) replaces the threshold.
         */
        private static String sparsity(LayerPlan p, boolean theta, java.util.function.DoubleFunction<String> number,
                String unused) {
            boolean byDensity = p.density() > 0;
            return theta == byDensity ? unused : number.apply(theta ? p.theta() : p.density());
        }

        /**
         * Each override in short, by layer name: its sparsity and the slice settings that differ from the defaults'
         * ({@code fc1 d=0.04, fc3 t=0.01 rows=8 width=2 maxC=16}).
         *
         * @param plan a candidate's plan
         * @return the overrides in words, sorted by layer name; empty when the plan has none
         */
        public static String overrides(ConversionPlan plan) {
            LayerPlan d = plan.defaults();
            List<String> parts = new ArrayList<>();
            new java.util.TreeMap<>(plan.overrides()).forEach((name, p) -> parts.add(name + (p.skip() ? " dense"
                    : (p.density() > 0 ? " d=" + shortNumber(p.density()) : " t=" + shortNumber(p.theta()))
                    + (p.sliceRows() != d.sliceRows() ? " rows=" + p.sliceRows() : "")
                    + (p.basisWidth() != d.basisWidth() ? " width=" + p.basisWidth() : "")
                    + (p.maxCoeff() != d.maxCoeff() ? " maxC=" + shortNumber(p.maxCoeff()) : ""))));
            return String.join(", ", parts);
        }

        /**
         * The overrides as {@link #overrides} words them, "; " between layers ({@code fc1 d=0.04; fc3 t=0.01}), so that
         * candidates that differ only in a layer's setting can be told apart; quoted as RFC 4180 says
         * ({@link org.smartdeal.hw.report.Reports#csv}) if a layer name holds a comma, a quote or a line break.
         */
        private static String csvOverrides(ConversionPlan plan) {
            return org.smartdeal.hw.report.Reports.csv(overrides(plan).replace(", ", "; "));
        }

        /**
         * @return one CSV line per candidate (the plan's default settings, its per-layer overrides in words, and the
         *     figures) with a header line
         */
        public String toCsv() {
            StringBuilder sb = new StringBuilder("candidate,theta,densityTarget,sliceRows,basisWidth,maxCoeff,layerOverrides,cDensity,"
                    + "wDensity,paperCR,fileCR,sdmBytes,energyPj,accuracy,loss,dropPoints,withinDrop,rtBestEpoch,best,seconds,error\n");
            for (int i = 0; i < candidates.size(); i++) {
                ConversionCandidate c = candidates.get(i);
                LayerPlan d = c.plan() == null ? null : c.plan().defaults();
                List<String> f = new ArrayList<>(List.of(Integer.toString(c.index()),
                        d == null ? "" : sparsity(d, true, Double::toString, ""),
                        d == null ? "" : sparsity(d, false, Double::toString, ""),
                        d == null ? "" : Integer.toString(d.sliceRows()),
                        d == null ? "" : Integer.toString(d.basisWidth()), d == null ? "" : Double.toString(d.maxCoeff()),
                        c.plan() == null ? "" : csvOverrides(c.plan())));
                if (c.ok()) {
                    f.addAll(List.of(Double.toString(c.report().cDensity()), Double.toString(c.report().wDensity()),
                            Double.toString(c.paperCR()), Double.toString(c.fileCR()), Long.toString(c.sdmBytes()),
                            Double.isNaN(c.energyPj()) ? "" : Double.toString(c.energyPj()),
                            Double.toString(c.accuracy()), Double.toString(c.loss()),
                            Double.toString(ModelScore.points(score.drop(c))), Boolean.toString(score.withinDrop(c)),
                            c.rtBestEpoch() < 0 ? "" : Integer.toString(c.rtBestEpoch())));
                } else {
                    f.addAll(List.of("", "", "", "", "", "", "", "", "", "false", ""));
                }
                f.addAll(List.of(Boolean.toString(i == bestPosition), Double.toString(c.seconds()),
                        c.ok() ? "" : "\"" + c.error().replace("\"", "\"\"") + "\""));
                sb.append(String.join(",", f)).append('\n');
            }
            return sb.toString();
        }

        /**
         * @return {@code baseline}, {@code maxDropPoints}, {@code best} (candidate number or null) and
         *     {@code candidates} (each with its full plan and conversion totals); failed candidates have
         *     {@code error} and no figures
         */
        public ObjectNode toJsonNode() {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.putObject("baseline").put("accuracy", baseline.accuracy()).put("loss", baseline.loss())
                    .put("examples", baseline.examples());
            root.put("maxDropPoints", ModelScore.points(score.maxDrop()));
            root.put("objective", score.objective().name());
            if (!Double.isNaN(score.baselineEnergyPj())) {
                root.with("baseline").put("energyPj", score.baselineEnergyPj());
            }
            if (bestPosition < 0) {
                root.putNull("best");
            } else {
                root.put("best", candidates.get(bestPosition).index());
            }
            root.put("bestWithinDrop", bestWithinDrop());
            root.put("repeatsSkipped", repeatsSkipped).put("stop", stop.name());
            ArrayNode arr = root.putArray("candidates");
            for (ConversionCandidate c : candidates) {
                ObjectNode n = arr.addObject();
                n.put("candidate", c.index());
                try {
                    if (c.plan() == null) {
                        n.putNull("plan");
                    } else {
                        n.set("plan", m.readTree(c.plan().toJson()));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                n.put("seconds", c.seconds());
                if (!c.ok()) {
                    n.put("error", c.error()).put("failure", c.failure().name().toLowerCase(Locale.ROOT));
                    continue;
                }
                n.put("cDensity", c.report().cDensity()).put("wDensity", c.report().wDensity())
                        .put("relError", c.report().relError()).put("meanRelError", c.report().meanRelError()).put("paperCR", c.paperCR())
                        .put("fileCR", c.fileCR()).put("sdmBytes", c.sdmBytes()).put("accuracy", c.accuracy())
                        .put("loss", c.loss()).put("dropPoints", ModelScore.points(score.drop(c)))
                        .put("withinDrop", score.withinDrop(c)).put("score", score.score(c));
                if (c.rtBestEpoch() >= 0) {
                    n.put("rtBestEpoch", c.rtBestEpoch());
                }
                if (!Double.isNaN(c.energyPj())) {
                    n.put("energyPj", c.energyPj()).put("energyGain", score.baselineEnergyPj() / c.energyPj());
                }
            }
            return root;
        }
    }

    /**
     * A number in short form: a whole number below 10^7 as it is ({@code 32}, {@code 4096}), any other in at most three
     * significant digits without trailing zeros ({@code 0.001}, {@code 0.00168}, {@code 12.3}), in E notation below
     * 10^-6 and from 10^7 up ({@code 1.5E-300}, {@code 1E+30}).
     *
     * @param v a number; NaN and infinities as {@link Double#toString}
     * @return its short form
     */
    public static String shortNumber(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            // exact: three digits would show a maxCoeff of 1024 as 1020
            return Long.toString((long) v);
        }
        java.math.BigDecimal b = new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros();
        // BigDecimal's toString writes E notation below 1e-6 (and for the whole numbers rounded here from 1e7 up)
        return Math.abs(v) >= 1 && Math.abs(v) < 1e7 ? b.toPlainString() : b.toString();
    }

    /**
     * Runs a sweep.
     *
     * @param dense         the trained network (a MultiLayerNetwork or ComputationGraph; not modified)
     * @param generator     Arbiter's candidate generator over a {@link ConversionPlanSpace} (its seed decides a random
     *                      search)
     * @param maxCandidates the most candidates to run, at least 1 (a grid stops earlier when it is exhausted; a
     *                      proposed plan equal to one already run is skipped and not counted:
     *                      {@link Result#repeatsSkipped})
     * @param validation    the data to score on: hold it out of the training data
     * @param maxDrop       the accuracy drop allowed, as a fraction in [0, 1] (0.01 = one point)
     * @param listener      told after every candidate, may be null
     * @return every candidate and the best
     * @throws IllegalArgumentException naming the argument when one is out of range
     */
    public static Result run(Model dense, CandidateGenerator generator, int maxCandidates, DataSetIterator validation,
            double maxDrop, Listener listener) {
        return run(dense, generator, maxCandidates, validation, maxDrop, Options.DEFAULT, listener);
    }

    /**
     * What a sweep does to each candidate beyond converting it, and what it maximises.
     *
     * @param retrain    re-training of every candidate before it is scored, or null to convert only
     * @param pricing    the price (pJ) of every candidate's reloaded network and of the dense network, or null
     * @param objective  the gain the best candidate maximises within the drop bound; {@code ENERGY} needs a pricing
     * @param properties META properties every candidate's {@code .sdm} records (in order; empty for none): its bytes,
     *                   size and file CR are those of the file with them ({@link ConversionTaskCreator})
     */
    public record Options(ConversionTaskCreator.Retrain retrain, ConversionTaskCreator.Pricing pricing,
            CompressionScoreFunction.Objective objective, Map<String, String> properties) {

        /** Convert only, no pricing, the paper's CR as the gain, no properties. */
        public static final Options DEFAULT = new Options(null, null, CompressionScoreFunction.Objective.PAPER_CR);

        /** Options whose candidates record no properties beyond the library's own. */
        public Options(ConversionTaskCreator.Retrain retrain, ConversionTaskCreator.Pricing pricing,
                CompressionScoreFunction.Objective objective) {
            this(retrain, pricing, objective, Map.of());
        }

        /** Checks the objective, that ENERGY has a pricing, and the properties (copied). */
        public Options {
            if (objective == null) {
                throw new IllegalArgumentException("ConversionSweep.Options.objective must be PAPER_CR or ENERGY, got null");
            }
            if (objective == CompressionScoreFunction.Objective.ENERGY && pricing == null) {
                throw new IllegalArgumentException("ConversionSweep.Options: the ENERGY objective needs a pricing, got "
                        + "none");
            }
            properties = ConversionTaskCreator.copy("ConversionSweep.Options", properties);
        }
    }

    /**
     * Runs a sweep with options: re-training, pricing, the objective.
     *
     * @param dense         the trained network (a MultiLayerNetwork or ComputationGraph; not modified)
     * @param generator     Arbiter's candidate generator over a {@link ConversionPlanSpace}
     * @param maxCandidates the most candidates to run, at least 1 (repeated plans skipped, as above)
     * @param validation    the data to score on (and to pick each candidate's RT epoch on)
     * @param maxDrop       the accuracy drop allowed, as a fraction in [0, 1]
     * @param options       what to do beyond converting ({@link Options#DEFAULT}: nothing)
     * @param listener      told after every candidate, may be null
     * @return every candidate and the best
     * @throws IllegalArgumentException naming the argument when one is out of range
     */
    @SuppressWarnings("deprecation") // Arbiter 1.0.0-M2.1's TaskCreator still takes its deprecated DataProvider
    public static Result run(Model dense, CandidateGenerator generator, int maxCandidates, DataSetIterator validation,
            double maxDrop, Options options, Listener listener) {
        if (options == null) {
            throw new IllegalArgumentException("ConversionSweep: options must be given (Options.DEFAULT for none), got null");
        }
        if (generator == null) {
            throw new IllegalArgumentException("ConversionSweep: generator must be an Arbiter CandidateGenerator, got null");
        }
        if (!(generator.getParameterSpace() instanceof ConversionPlanSpace)) {
            throw new IllegalArgumentException("ConversionSweep: the generator's space must be a ConversionPlanSpace, got "
                    + (generator.getParameterSpace() == null ? null : generator.getParameterSpace().getClass().getName()));
        }
        if (maxCandidates < 1) {
            throw new IllegalArgumentException("ConversionSweep: maxCandidates must be at least 1, got " + maxCandidates);
        }
        if (validation == null) {
            throw new IllegalArgumentException("ConversionSweep: validation data must be a DataSetIterator, got null");
        }
        if (!(maxDrop >= 0 && maxDrop <= 1)) {
            throw new IllegalArgumentException("ConversionSweep: maxDrop must be a fraction in [0, 1] (0.01 = one accuracy "
                    + "point), got " + maxDrop);
        }
        ConversionTaskCreator creator = new ConversionTaskCreator(dense, options.retrain(), options.pricing(),
                options.properties());
        ((ConversionPlanSpace) generator.getParameterSpace()).checkAgainst(dense);
        ModelScore baseline = ModelScore.of(dense, validation);
        if (!(baseline.examples() > 0)) {
            throw new IllegalArgumentException("ConversionSweep: the validation data holds no examples");
        }
        double baselineEnergy = options.pricing() == null ? Double.NaN
                : ConversionTaskCreator.price(options.pricing(), dense, "the dense network");
        CompressionScoreFunction score = new CompressionScoreFunction(baseline.accuracy(), maxDrop, options.objective(),
                baselineEnergy);
        int total = generator instanceof GridSearchCandidateGenerator g ? Math.min(g.getTotalNumCandidates(), maxCandidates)
                : maxCandidates;
        DataProvider data = new ValidationData(validation);
        List<ConversionCandidate> done = new ArrayList<>();
        // a candidate's result follows from its plan alone (ConversionTaskCreator), so a repeated plan is not run again;
        // a candidate whose plan could not be built has no plan to compare and runs (and fails) each time
        Set<ConversionPlan> run = new HashSet<>();
        long settings = ((ConversionPlanSpace) generator.getParameterSpace()).distinctSettings();
        int repeats = 0;
        int repeatsInARow = 0;
        Stop stop = Stop.CAP;
        while (done.size() < maxCandidates) {
            if (!generator.hasMoreCandidates()) {
                stop = Stop.GENERATOR_DONE;
                break;
            }
            if (settings > 0 && run.size() >= settings) {
                stop = Stop.ALL_SETTINGS_RUN;
                break;
            }
            if (repeatsInARow >= MAX_REPEATS_IN_A_ROW) {
                stop = Stop.REPEAT_LIMIT;
                break;
            }
            Candidate<?> candidate = generator.getCandidate();
            if (candidate.getException() == null && candidate.getValue() instanceof ConversionPlan plan
                    && !run.add(plan)) {
                repeats++;
                repeatsInARow++;
                continue;
            }
            repeatsInARow = 0;
            OptimizationResult r;
            try {
                r = creator.create(candidate, data, score, null, null).call();
            } catch (Exception e) {
                // the creator turns every failure into a failed candidate; this is a defect
                throw new IllegalStateException("ConversionTaskCreator threw for candidate " + candidate.getIndex(), e);
            }
            generator.reportResults(r);
            ConversionCandidate c = (ConversionCandidate) r.getModelSpecificResults();
            done.add(c);
            if (listener != null) {
                listener.candidateDone(c, done.size(), total);
            }
        }
        if (stop == Stop.CAP) {
            // the cap reached together with the end of the space (a grid as large as the cap): the space is the reason
            if (!generator.hasMoreCandidates()) {
                stop = Stop.GENERATOR_DONE;
            } else if (settings > 0 && run.size() >= settings) {
                stop = Stop.ALL_SETTINGS_RUN;
            }
        }
        return new Result(baseline, score, done, bestPosition(score, done), repeats, stop);
    }

    /**
     * The best candidate's position by {@link CompressionScoreFunction#ranking()}: the largest gain within the drop
     * bound (of equal gains, the smaller drop); when none is within it, the smallest drop (of equal drops, the larger
     * gain); of candidates still tied, the first in the list (the first run).
     *
     * @param score      the score function (baseline, drop bound, objective)
     * @param candidates the candidates in the order run
     * @return the position in {@code candidates}, or -1 when every candidate failed (or there are none)
     */
    public static int bestPosition(CompressionScoreFunction score, List<ConversionCandidate> candidates) {
        java.util.Comparator<ConversionCandidate> ranking = score.ranking();
        int best = -1;
        for (int i = 0; i < candidates.size(); i++) {
            ConversionCandidate c = candidates.get(i);
            // strictly better only: of candidates the ranking ties, the first one run stays
            if (c.ok() && (best < 0 || ranking.compare(c, candidates.get(best)) < 0)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * A validation iterator as Arbiter's data provider: its test data. It has no training data (re-training data,
     * when there is any, goes to {@link ConversionTaskCreator.Retrain}).
     */
    @SuppressWarnings("deprecation") // Arbiter 1.0.0-M2.1's TaskCreator still takes its deprecated DataProvider
    static final class ValidationData implements DataProvider {
        private static final long serialVersionUID = 1L;
        private final transient DataSetIterator validation;

        ValidationData(DataSetIterator validation) {
            this.validation = validation;
        }

        @Override
        public Object trainData(Map<String, Object> dataParameters) {
            throw new UnsupportedOperationException("a conversion sweep's data provider holds validation data only "
                    + "(re-training data goes to ConversionTaskCreator.Retrain)");
        }

        @Override
        public Object testData(Map<String, Object> dataParameters) {
            return validation;
        }

        @Override
        public Class<?> getDataType() {
            return DataSetIterator.class;
        }
    }
}
