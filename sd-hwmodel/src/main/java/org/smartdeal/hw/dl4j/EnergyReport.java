package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.AcceleratorRegistry;
import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.report.Charts;
import org.smartdeal.hw.report.ReportFolder;
import org.smartdeal.hw.report.Reports;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A network priced on a set of accelerators (HWMODEL.md 2-3) with the statistics it was priced with.
 * Totals are over the {@code inBenchmark} layers: every layer of a DL4J network ({@link Workloads}), the
 * non-classifier layers of a paper workload. SCNN has no FC model [P], so on networks with benchmark FC
 * layers its totals cover the conv layers only ({@link #coverage} PARTIAL, or NONE on an all-FC network) and
 * its ratios are NaN; every output says so.
 *
 * @param workload    the priced workload (layers, weights, activation statistics)
 * @param results     accelerator name to priced result, in the requested order
 * @param arch        architecture with the knobs used
 * @param table       energy table
 * @param statsSource where the activation statistics come from (data and sample count, or paper defaults)
 */
public record EnergyReport(Workload workload, Map<String, ModelResult> results, ArchSpec arch, EnergyTable table,
                           String statsSource) {

    /**
     * The built-in accelerators' names in report order: smartdeal, then the others of {@link AcceleratorModel#all()}
     * in its order. {@link #accelerators} accepts these and the names of registered models ({@link #names()}).
     * DianNao-normalised reports need "diannao".
     */
    public static final List<String> NAMES = reportOrder(AcceleratorModel.all());

    /**
     * An accelerator model that could not price a layer of the workload: no tiling of the layer fits the
     * architecture's buffers ({@link org.smartdeal.hw.model.TilingSearch.NoFeasibleTilingException} as the cause), the
     * model refused the layer or the architecture (an IllegalArgumentException of its own as the cause), or it failed
     * (a defect: a registered model of the user's, say, whose class {@link #modelClass} names). The message starts
     * with the accelerator's name.
     */
    public static final class PricingException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final String accelerator;
        private final transient Class<?> modelClass;

        PricingException(AcceleratorModel model, RuntimeException cause) {
            super(prefixed(model.name(), cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
            this.accelerator = model.name();
            this.modelClass = model.getClass();
        }

        private static String prefixed(String name, String m) {
            return m.startsWith(name + " ") || m.startsWith(name + ":") ? m : name + ": " + m;
        }

        /** @return the name of the accelerator model that failed */
        public String accelerator() {
            return accelerator;
        }

        /** @return the model's class (null after deserialisation) */
        public Class<?> modelClass() {
            return modelClass;
        }
    }

    private static List<String> reportOrder(List<AcceleratorModel> models) {
        List<String> names = new ArrayList<>(List.of("smartdeal"));
        for (AcceleratorModel a : models) if (!names.contains(a.name())) names.add(a.name());
        return List.copyOf(names);
    }

    /**
     * Every name {@link #accelerators} accepts, in the order {@code all} prices them: {@link #NAMES}, then the models
     * registered on the class path ({@link AcceleratorRegistry}) in the order they are found.
     *
     * @throws AcceleratorRegistry.RegistrationException when a registered model is broken (its class, name or loading)
     */
    public static List<String> names() {
        return reportOrder(AcceleratorRegistry.models());
    }

    /** How many of the workload's benchmark layers an accelerator's totals cover. */
    public enum Coverage {
        /** Every benchmark layer. */
        FULL,
        /** Some: the accelerator has no model for the others (SCNN: FC); its ratios are NaN. */
        PARTIAL,
        /** None: the accelerator has no model for any benchmark layer; its totals are NaN ("not modelled"). */
        NONE
    }

    /** Copies the map. */
    public EnergyReport {
        results = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(results));
    }

    /** The list entry that means every model. */
    private static final String ALL = "all";

    /** An entry of an accelerator list as {@link #accelerators} compares it: trimmed, in lower case. */
    private static String acceleratorName(String entry) {
        return entry.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether an accelerator list (entries, each possibly comma-separated) names {@code all}, in any case and
     * anywhere in the list, which {@link #accelerators} reads as every model.
     */
    public static boolean namesAll(List<String> names) {
        return names.stream().flatMap(n -> java.util.Arrays.stream(n.split(",", -1))).map(EnergyReport::acceleratorName)
            .anyMatch(ALL::equals);
    }

    /**
     * Parses an accelerator list: {@code all} (every name of {@link #names()}) or names from it, comma-separated.
     *
     * @throws IllegalArgumentException naming the bad entry and the allowed names; also for an empty list or an
     *                                  empty name (e.g. {@code "smartdeal,,scnn"})
     * @throws AcceleratorRegistry.RegistrationException when a model registered on the class path is broken
     */
    public static List<AcceleratorModel> accelerators(List<String> names) {
        List<AcceleratorModel> known = AcceleratorRegistry.models();
        List<String> allNames = reportOrder(known);
        String given = String.join(",", names), rule = "the accelerator list must be all or a comma list of " + allNames + ", got ";
        if (given.isBlank()) throw new IllegalArgumentException(rule + "an empty list");
        List<String> want = new ArrayList<>();
        for (String n : names)
            for (String p : n.split(",", -1)) {
                if (p.isBlank()) throw new IllegalArgumentException(rule + "an empty name in '" + given + "'");
                want.add(acceleratorName(p));
            }
        if (want.contains(ALL)) want = allNames;
        List<AcceleratorModel> out = new ArrayList<>();
        for (String n : want) {
            AcceleratorModel a = known.stream().filter(x -> x.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("accelerator must be all or one of " + allNames + ", got '" + n + "'"));
            if (out.stream().noneMatch(x -> x.name().equals(n))) out.add(a);
        }
        return out;
    }

    /**
     * Prices a DL4J network. With {@code data} (non-null) the activation statistics are measured on the
     * first {@code samples} examples ({@link ActStatsCollector}); without, the paper defaults
     * ({@link Workloads#paperDefaultStats}) are used and the report says so.
     *
     * @param net          MultiLayerNetwork or ComputationGraph
     * @param name         model name for the reports
     * @param inputType    the network's input type (e.g. {@code InputType.convolutionalFlat(28, 28, 1)})
     * @param data         data for the statistics, or null
     * @param samples      examples to measure (>= 1 when data is given)
     * @param accelerators accelerator names ({@link #accelerators})
     * @param knobs        the [A] knobs
     */
    public static EnergyReport of(Model net, String name, InputType inputType, DataSetIterator data, int samples,
                                  List<String> accelerators, Knobs knobs) {
        return of(net, name, inputType, data, samples, accelerators, knobs, EnergyTable.paper28nm());
    }

    /**
     * As {@link #of(Model, String, InputType, DataSetIterator, int, List, Knobs)}, pricing the action counts with
     * an energy table of the caller's own (for example another technology node, read with
     * {@link Specs#read}) instead of the paper's Table I.
     *
     * @param table the energy per action; the report echoes it
     */
    public static EnergyReport of(Model net, String name, InputType inputType, DataSetIterator data, int samples,
                                  List<String> accelerators, Knobs knobs, EnergyTable table) {
        return of(net, name, inputType, data, samples, accelerators, ArchSpec.paper().withKnobs(knobs), table);
    }

    /**
     * As {@link #of(Model, String, InputType, DataSetIterator, int, List, Knobs, EnergyTable)} on an architecture of the
     * caller's own (buffer sizes, array dimensions, ..., read with {@code Specs.read(ArchSpec.class, file)} from a file
     * in the form of the shipped {@code arch-v1.json}) instead of the paper's Table IX; its knobs are the ones used.
     *
     * @param arch  the five accelerators' resources and the knobs; the report echoes it
     * @param table the energy per action; the report echoes it
     */
    public static EnergyReport of(Model net, String name, InputType inputType, DataSetIterator data, int samples,
                                  List<String> accelerators, ArchSpec arch, EnergyTable table) {
        java.util.Objects.requireNonNull(arch, "arch");
        java.util.Objects.requireNonNull(table, "table");
        Workload w;
        String src;
        if (data == null) {
            w = Workloads.of(net, name, arch.knobs(), arch, inputType);
            src = Workloads.PAPER_STATS_NOTE;
        } else {
            Workloads.Extracted x = Workloads.extract(net, inputType);
            ActStatsCollector c = ActStatsCollector.collect(net, x, data, samples, arch);
            src = Workloads.measuredStatsNote(c.images(), null);
            w = c.workload(name, src + Workloads.skippedNote(x));
        }
        return of(w, src, accelerators, arch, table);
    }

    /** Examples the statistics of {@link #of(Model, DataSetIterator, List)} are measured on, at most. */
    public static final int DEFAULT_SAMPLES = 256;

    /**
     * Prices a DL4J network with the defaults: activation statistics measured on up to {@value #DEFAULT_SAMPLES}
     * examples of {@code data}, the default knobs, the model named "network", and the input type read from the
     * first minibatch: features [n, f] give {@code InputType.feedForward(f)} (DL4J's preprocessors then reshape it
     * for a network configured with {@code convolutionalFlat}), [n, c, h, w] give
     * {@code InputType.convolutional(h, w, c)}, and [n, h, w, c] the channels-last type when the network's first
     * layer that reads the input is a channels-last convolution or pooling ({@link Workloads#readsChannelsLast}).
     * Other shapes need
     * {@link #of(Model, String, InputType, DataSetIterator, int, List, Knobs)}.
     * <pre>
     * EnergyReport report = EnergyReport.of(net, testData, List.of("all"));
     * System.out.print(report.summaryText());
     * </pre>
     *
     * @param net          MultiLayerNetwork or ComputationGraph
     * @param data         data for the statistics (reset before and after reading its first minibatch when it
     *                     supports reset)
     * @param accelerators accelerator names ({@link #accelerators}), e.g. {@code List.of("all")}
     * @throws IllegalArgumentException if data is empty or its features are neither rank 2 nor rank 4
     */
    public static EnergyReport of(Model net, DataSetIterator data, List<String> accelerators) {
        java.util.Objects.requireNonNull(data, "data");
        if (data.resetSupported()) data.reset();
        if (!data.hasNext()) throw new IllegalArgumentException("EnergyReport.of: data has no examples");
        long[] shape = data.next().getFeatures().shape();
        if (data.resetSupported()) data.reset();
        InputType in;
        if (shape.length == 2) {
            in = InputType.feedForward(shape[1]);
        } else if (shape.length == 4) {
            in = Workloads.readsChannelsLast(net) ? InputType.convolutional(shape[1], shape[2], shape[3], CNN2DFormat.NHWC)
                : InputType.convolutional(shape[2], shape[3], shape[1]);
        } else {
            throw new IllegalArgumentException("EnergyReport.of: features must be [n, f] or [n, c, h, w] to infer the "
                + "input type, got shape " + java.util.Arrays.toString(shape) + "; pass the InputType explicitly");
        }
        return of(net, "network", in, data, DEFAULT_SAMPLES, accelerators, Knobs.defaults());
    }

    /** Prices a ready workload (e.g. a paper model) on the named accelerators ({@link #names()}). */
    public static EnergyReport of(Workload w, String statsSource, List<String> accelerators, Knobs knobs) {
        return price(w, statsSource, accelerators(accelerators), knobs);
    }

    /**
     * Prices a ready workload on the named accelerators with an energy table of the user's own (e.g. another
     * technology node, read with {@code Specs.read(EnergyTable.class, file)}): the same action counts, each priced by
     * the given table's entry; every output echoes the table's values.
     */
    public static EnergyReport of(Workload w, String statsSource, List<String> accelerators, Knobs knobs,
                                  EnergyTable table) {
        return price(w, statsSource, accelerators(accelerators), knobs, table);
    }

    /**
     * Prices a ready workload on the named accelerators with an architecture and an energy table of the user's own
     * (e.g. {@code Specs.read(ArchSpec.class, file)}); the architecture's knobs are the ones used. Build the workload with
     * the same architecture ({@link Workloads#of}, {@link ActStatsCollector}, {@code PaperModels.workload} take it): its
     * activation statistics depend on sdDimF, praBrick, scnnPeGrid and scnnI. Only SCNN notices statistics of another
     * grid or I and refuses them; the others price what they are given.
     */
    public static EnergyReport of(Workload w, String statsSource, List<String> accelerators, ArchSpec arch,
                                  EnergyTable table) {
        return price(w, statsSource, accelerators(accelerators), arch, table);
    }

    /**
     * Prices a ready workload on accelerator models given as objects: the ones of {@link AcceleratorModel#all()} or
     * models of your own, which then appear in every output ({@link #write}, {@link #summaryText}) like the five.
     * A network's workload comes from {@link Workloads#of} or {@link ActStatsCollector#workload}. Every model is
     * priced with the paper's energy table ({@link EnergyTable#paper28nm()}) and {@link ArchSpec#paper()} with the
     * knobs (the five-argument forms take a table, and an architecture, of the caller's own); ratios to DianNao need
     * a model named "diannao" among them.
     *
     * @param w            the workload
     * @param statsSource  where its activation statistics come from (written into the reports)
     * @param accelerators the models, in report order, with distinct names
     * @param knobs        the [A] knobs
     * @throws IllegalArgumentException for an empty list, two models with one name, or a name that is not lower-case
     *                                  letters, digits, '.', '_' and '-'
     * @throws PricingException         when a model cannot price a layer (no tiling fits the buffers, an architecture
     *                                  it cannot run, as SCNN's accumulators filling the input buffer, or a defect of
     *                                  the model's), naming the accelerator, with the model's failure as its cause
     */
    public static EnergyReport price(Workload w, String statsSource, List<? extends AcceleratorModel> accelerators,
                                     Knobs knobs) {
        return price(w, statsSource, accelerators, knobs, EnergyTable.paper28nm());
    }

    /**
     * {@link #price(Workload, String, List, Knobs)} with an energy table of the user's own instead of the paper's.
     *
     * @param table the energy per action (pJ), e.g. from {@code Specs.read(EnergyTable.class, file)}
     */
    public static EnergyReport price(Workload w, String statsSource, List<? extends AcceleratorModel> accelerators,
                                     Knobs knobs, EnergyTable table) {
        return price(w, statsSource, accelerators, ArchSpec.paper().withKnobs(knobs), table);
    }

    /**
     * {@link #price(Workload, String, List, Knobs, EnergyTable)} on an architecture of the user's own instead of
     * {@link ArchSpec#paper()}; its knobs are the ones used.
     *
     * @param arch the accelerators' resources and the knobs, e.g. from {@code Specs.read(ArchSpec.class, file)}
     */
    public static EnergyReport price(Workload w, String statsSource, List<? extends AcceleratorModel> accelerators,
                                     ArchSpec arch, EnergyTable table) {
        java.util.Objects.requireNonNull(arch, "arch");
        java.util.Objects.requireNonNull(table, "table");
        if (accelerators.isEmpty()) throw new IllegalArgumentException("EnergyReport.price: no accelerator models given");
        Map<String, ModelResult> res = new LinkedHashMap<>();
        for (AcceleratorModel acc : accelerators) {
            // names become file names (models/NAME.json) and CSV fields
            if (acc.name() == null || !acc.name().matches(AcceleratorRegistry.NAME_RULE))
                throw new IllegalArgumentException("EnergyReport.price: an accelerator model's name must be lower-case "
                    + "letters, digits, '.', '_' or '-' (it names files and CSV fields), got '" + acc.name() + "'");
            if (res.containsKey(acc.name()))
                throw new IllegalArgumentException("EnergyReport.price: two accelerator models are named '" + acc.name()
                    + "'; each needs its own name");
            try {
                res.put(acc.name(), CostModel.price(acc, w, arch, table, false));
            } catch (RuntimeException ex) {
                // e.g. no tiling fits the architecture's buffers: say on which accelerator, unless the message does
                throw new PricingException(acc, ex);
            }
        }
        return new EnergyReport(w, res, arch, table, statsSource);
    }

    /**
     * An accelerator's total energy over the benchmark layers, pJ; NaN when its coverage is {@link Coverage#NONE}
     * (SCNN on an all-FC network: nothing priced, which {@code results().get(a).energyPj()} would give as 0).
     *
     * @throws IllegalArgumentException when the accelerator is not in this report
     */
    public double energyPj(String accelerator) {
        return total(accelerator, ModelResult::energyPj);
    }

    /** An accelerator's total cycles over the benchmark layers; NaN when not modelled (as {@link #energyPj}). */
    public double cycles(String accelerator) {
        return total(accelerator, ModelResult::cycles);
    }

    /** An accelerator's total DRAM bytes over the benchmark layers; NaN when not modelled (as {@link #energyPj}). */
    public double dramBytes(String accelerator) {
        return total(accelerator, ModelResult::dramBytes);
    }

    private double total(String accelerator, java.util.function.ToDoubleFunction<ModelResult> f) {
        ModelResult r = results.get(accelerator);
        if (r == null)
            throw new IllegalArgumentException("EnergyReport: accelerator " + accelerator + " is not in the report "
                + results.keySet());
        return coverage(accelerator) == Coverage.NONE ? Double.NaN : f.applyAsDouble(r);
    }

    /** Number of layers an accelerator priced (SCNN skips FC layers), benchmark or not. */
    public int layersPriced(String accelerator) {
        ModelResult r = results.get(accelerator);
        return r == null ? 0 : r.layers().size();
    }

    /** Number of an accelerator's priced layers that its totals sum ({@code inBenchmark}). */
    public int layersInTotals(String accelerator) {
        ModelResult r = results.get(accelerator);
        return r == null ? 0 : r.benchmarkLayersPriced();
    }

    /** Number of the workload's layers that totals sum ({@code inBenchmark}). */
    public int benchmarkLayers() {
        return (int) workload.layers().stream().filter(e -> e.layer().inBenchmark()).count();
    }

    /** How many benchmark layers an accelerator's totals cover. */
    public Coverage coverage(String accelerator) {
        int in = layersInTotals(accelerator);
        return in == benchmarkLayers() ? Coverage.FULL : in == 0 ? Coverage.NONE : Coverage.PARTIAL;
    }

    /**
     * The coverage in words, e.g. "conv layers only: 3 of 5 benchmark layers (no model for FC layers)" or
     * "not modelled: no model for FC layers"; empty for FULL.
     */
    public String coverageText(String accelerator) {
        return switch (coverage(accelerator)) {
            case FULL -> "";
            case PARTIAL -> covered(accelerator) + " benchmark layers (" + missing(accelerator) + ")";
            case NONE -> "not modelled: " + missing(accelerator);
        };
    }

    /** The accelerator's name for charts: with its coverage when not FULL, e.g. "scnn (conv layers only: 3 of 5)". */
    String chartLabel(String accelerator) {
        return switch (coverage(accelerator)) {
            case FULL -> accelerator;
            case PARTIAL -> accelerator + " (" + covered(accelerator) + ")";
            case NONE -> accelerator + " (not modelled)";
        };
    }

    /** "conv layers only: 3 of 5" (or "3 of 5" when the priced benchmark layers are not all convolutions). */
    private String covered(String accelerator) {
        boolean conv = results.get(accelerator).layers().stream().filter(r -> r.layer().inBenchmark())
            .allMatch(r -> r.layer().type() == LayerType.CONV || r.layer().type() == LayerType.DWCONV);
        return (conv ? "conv layers only: " : "") + layersInTotals(accelerator) + " of " + benchmarkLayers();
    }

    /** "no model for FC layers": the types of the benchmark layers the accelerator did not price. */
    private String missing(String accelerator) {
        Set<String> types = new TreeSet<>();
        for (LayerSpec l : Reports.unpriced(results.get(accelerator), workload))
            if (l.inBenchmark()) types.add(l.type().name());
        return "no model for " + String.join("/", types) + " layers";
    }

    /**
     * E_DianNao / E_x ("ee"), cycles_DianNao / cycles_x ("speedup") or DRAM_x / DRAM_SmartDeal ("dram") over the
     * benchmark layers; NaN when a side is missing or the accelerator could not price every benchmark layer.
     */
    public double ratio(String accelerator, String kind) {
        ModelResult x = results.get(accelerator), dn = results.get("diannao"), sd = results.get("smartdeal");
        if (x == null || coverage(accelerator) != Coverage.FULL) return Double.NaN;
        return switch (kind) {
            case "ee" -> dn == null || dn.energyPj() == 0 || x.energyPj() == 0 ? Double.NaN : dn.energyPj() / x.energyPj();
            case "speedup" -> dn == null ? Double.NaN : dn.cycles() / x.cycles();
            case "dram" -> sd == null ? Double.NaN : x.dramBytes() / sd.dramBytes();
            default -> throw new IllegalArgumentException("ratio kind must be ee, speedup or dram, got " + kind);
        };
    }

    /**
     * Why ratios are absent, one line each: partial or no coverage, DianNao or SmartDeal not priced, an energy of
     * 0 pJ (an energy table of zeros, whose energy ratio would be 0/0 or infinite).
     */
    public List<String> ratioNotes() {
        List<String> out = new ArrayList<>();
        for (String acc : results.keySet())
            switch (coverage(acc)) {
                case PARTIAL -> out.add(acc + ": " + coverageText(acc) + "; its totals cover "
                    + (layersInTotals(acc) == 1 ? "that layer" : "those " + layersInTotals(acc) + " layers")
                    + " only, so it has no ratios");
                case NONE -> out.add(acc + ": " + coverageText(acc) + "; no totals, no ratios");
                case FULL -> { }
            }
        if (!results.containsKey("diannao"))
            out.add("EE/DN and SU/DN: diannao is not among the accelerators priced (add it to get them)");
        else {
            List<String> zero = results.keySet().stream()
                .filter(a -> coverage(a) == Coverage.FULL && results.get(a).energyPj() == 0).toList();
            if (zero.contains("diannao"))
                out.add("EE/DN: diannao's energy is 0 pJ (the energy table prices every action it counts at 0), so no "
                    + "accelerator has an energy ratio");
            else if (!zero.isEmpty())
                out.add("EE/DN: the energy of " + String.join(", ", zero) + " is 0 pJ (the energy table prices every "
                    + "action counted at 0), so " + (zero.size() == 1 ? "it has" : "they have") + " no energy ratio");
        }
        if (!results.containsKey("smartdeal"))
            out.add("DRAM/SD: smartdeal is not among the accelerators priced (add it to get it)");
        return out;
    }

    /**
     * What the workload's notes say beyond {@link #statsSource}, e.g. the network's layers that are not priced
     * ({@link Workloads#skippedNote}); empty when nothing.
     */
    public String otherNotes() {
        String n = workload.notes();
        if (n == null || statsSource.contains(n)) return "";
        String extra = n.startsWith(statsSource) ? n.substring(statsSource.length()) : n;
        return extra.replaceFirst("^[;\\s]+", "");
    }

    /** The summary map written as summary.json. */
    public Map<String, Object> summary() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", workload.name());
        o.put("statsSource", statsSource);
        o.put("notes", workload.notes());
        o.put("layers", workload.layers().size());
        o.put("benchmarkLayers", benchmarkLayers());
        o.put("scope", "totals " + Reports.benchmarkScope(workload) + "; per accelerator, coverage says how many of them its "
            + "totals cover (SCNN has no FC model: partial, or none with null totals) and ratios are null unless full");
        Map<String, Object> acc = new LinkedHashMap<>();
        for (ModelResult r : results.values()) {
            String a = r.accelerator();
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("energyPj", energyPj(a));
            t.put("cycles", cycles(a));
            t.put("dramBytes", dramBytes(a));
            t.put("layersPriced", r.layers().size());
            t.put("layersInTotals", layersInTotals(a));
            t.put("coverage", coverage(a).name().toLowerCase(Locale.ROOT));
            t.put("scope", Reports.scope(r, workload));
            t.put("energyEfficiencyVsDiannao", ratio(a, "ee"));
            t.put("speedupVsDiannao", ratio(a, "speedup"));
            t.put("dramVsSmartdeal", ratio(a, "dram"));
            acc.put(a, t);
        }
        o.put("accelerators", acc);
        o.put("knobs", Specs.toMap(arch.knobs()));
        o.put("arch", Specs.toMap(arch));
        o.put("energyTable", Specs.toMap(table));
        o.put("sourcesOfDefaults", Reports.sourcesOfDefaults(arch, table));
        return o;
    }

    /** Per-layer workload description: shape, weight representation and activation statistics. */
    public List<Map<String, Object>> workloadMaps() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Workload.Entry x : workload.layers()) {
            Map<String, Object> m = new LinkedHashMap<>(x.layer().toMap());
            WeightRep w = x.weights();
            Map<String, Object> wm = new LinkedHashMap<>();
            wm.put("kind", w.kind().name()); wm.put("weights", x.layer().wSize()); wm.put("nnzW", w.nnzTotal());
            wm.put("basisDim", w.n()); wm.put("ceNnz", w.ceNnz()); wm.put("ceBytes", w.ceBytes()); wm.put("bBytes", w.bBytes());
            wm.put("numB", w.numB());
            m.put("weightRep", wm);
            ActStats a = x.act();
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("dA", a.dA()); am.put("bitsRaw", a.bitsRaw()); am.put("boothDig", a.boothDig()); am.put("rowZero", a.rowZero());
            am.put("tSD", a.tSD()); am.put("tPRA", a.tPRA()); am.put("praTerms", a.praTerms()); am.put("dOut", a.dOut());
            am.put("bitSparsity", 1 - a.bitsRaw() / 8); am.put("boothSparsity", 1 - a.boothDig() / 4);
            if (a.scnn() != null) {
                am.put("scnnMeanNnz", java.util.Arrays.stream(a.scnn().meanNnz()).boxed().toList());
                am.put("scnnMeanMaxSteps", java.util.Arrays.stream(a.scnn().meanMaxSteps()).boxed().toList());
            }
            m.put("actStats", am);
            out.add(m);
        }
        return out;
    }

    /**
     * A per-accelerator text table: layers priced and in the totals, energy (uJ), cycles, DRAM (MB) and the
     * DianNao-normalised ratios ("-" when absent), then why ratios are absent, the layers not priced and what the
     * totals sum.
     */
    public String summaryText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %d layers, %d in the totals; %s%n", workload.name(), workload.layers().size(),
            benchmarkLayers(), statsSource));
        String other = otherNotes();
        if (!other.isEmpty()) b.append("note: ").append(other).append('\n');
        b.append(String.format(Locale.ROOT, "knobs: %s%n", Specs.toMap(arch.knobs())));
        b.append(String.format(Locale.ROOT, "%-13s %6s %9s %14s %14s %12s %9s %9s %9s%n", "accelerator", "priced", "in_totals",
            "energy_uJ", "cycles", "DRAM_MB", "EE/DN", "SU/DN", "DRAM/SD"));
        for (ModelResult r : results.values()) {
            String a = r.accelerator();
            b.append(String.format(Locale.ROOT, "%-13s %6d %9d ", a, r.layers().size(), layersInTotals(a)));
            if (coverage(a) == Coverage.NONE) {
                b.append(coverageText(a)).append('\n');
                continue;
            }
            b.append(String.format(Locale.ROOT, "%14.4f %14.0f %12.4f %9s %9s %9s%n", r.energyPj() / 1e6, r.cycles(),
                r.dramBytes() / 1e6, f2(ratio(a, "ee")), f2(ratio(a, "speedup")), f2(ratio(a, "dram"))));
        }
        for (String n : ratioNotes()) b.append(n).append('\n');
        b.append("totals: ").append(Reports.benchmarkScope(workload)).append('\n');
        return b.toString();
    }

    private static String f2(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * Writes into {@code dir}, replacing the files of the report written there before as one set
     * ({@link ReportFolder}: a failure leaves the folder as it was; other files are never removed, and one that
     * has the name of a file this report writes is refused, an {@link java.io.UncheckedIOException} whose cause
     * names it):
     * {@code summary.json}, {@code summary.txt}, {@code models.csv} (per model and accelerator),
     * {@code layers.csv} (per layer and accelerator: counts, tiling, energy matrix), {@code actions.csv}
     * (every count x unit energy), {@code workload.json} (shapes, weights, ActStats),
     * {@code models/<accelerator>.json} (full per-layer JSON with knobs, arch, energy table), PNG charts in
     * {@code charts/} (energy by level, speedup and energy efficiency vs DianNao, DRAM per tensor) and
     * {@link ReportFolder#MANIFEST}. Columns: docs/HWMODEL-RESULTS.md "Output files".
     */
    public void write(Path dir) {
        ReportFolder.write(dir, this::writeInto);
    }

    private static final String LAYERS_CSV = "layers.csv", ACTIONS_CSV = "actions.csv", MODELS_CSV = "models.csv",
        SUMMARY_JSON = "summary.json", SUMMARY_TXT = "summary.txt", WORKLOAD_JSON = "workload.json",
        CHART_ENERGY = "charts/energy-by-level.png", CHART_DRAM = "charts/dram-per-tensor.png",
        CHART_RATIOS = "charts/speedup-and-efficiency-vs-diannao.png";

    private static String modelFile(String accelerator) {
        return "models/" + accelerator + ".json";
    }

    /**
     * The files {@link #write} writes for a report on these accelerators (names as {@link AcceleratorModel#name()}),
     * {@link ReportFolder#MANIFEST} aside: known before pricing, so that a caller can check the folder first
     * ({@link ReportFolder#check}).
     */
    public static List<String> fileNames(Collection<String> accelerators) {
        List<String> out = new ArrayList<>(List.of(LAYERS_CSV, ACTIONS_CSV, MODELS_CSV, SUMMARY_JSON, SUMMARY_TXT, WORKLOAD_JSON,
            CHART_ENERGY, CHART_DRAM));
        if (accelerators.contains("diannao")) out.add(CHART_RATIOS);
        for (String a : accelerators) out.add(modelFile(a));
        return out;
    }

    private void writeInto(Path dir) {
        StringBuilder layers = new StringBuilder(Reports.layerCsvHeader()), actions = new StringBuilder(Reports.actionsCsvHeader());
        StringBuilder models = new StringBuilder("model,accelerator,layers_priced,layers_in_totals,benchmark_layers,coverage,"
            + "energy_pJ,cycles,dram_bytes,dramW_bytes,dramI_bytes,dramO_bytes,dramPsum_bytes,ee_vs_diannao,speedup_vs_diannao,"
            + "dram_vs_smartdeal\n");
        for (ModelResult r : results.values()) {
            String a = r.accelerator();
            layers.append(Reports.layerCsvRows(r));
            actions.append(Reports.actionsCsvRows(r, table));
            Reports.write(dir.resolve(modelFile(a)), Json.write(Reports.modelJson(r, workload, arch, table)));
            boolean none = coverage(a) == Coverage.NONE;
            List<String> row = new ArrayList<>(List.of(Reports.csv(r.model()), Reports.csv(a), Integer.toString(r.layers().size()),
                Integer.toString(layersInTotals(a)), Integer.toString(benchmarkLayers()), coverage(a).name().toLowerCase(Locale.ROOT)));
            for (double v : new double[] {r.energyPj(), r.cycles(), r.dramBytes(), r.dramBytes("W"), r.dramBytes("I"),
                r.dramBytes("O"), r.dramBytes("psum")})
                row.add(Reports.g(none ? Double.NaN : v));
            for (String kind : List.of("ee", "speedup", "dram")) row.add(Reports.g(ratio(a, kind)));
            models.append(String.join(",", row)).append('\n');
        }
        Reports.write(dir.resolve(LAYERS_CSV), layers.toString());
        Reports.write(dir.resolve(ACTIONS_CSV), actions.toString());
        Reports.write(dir.resolve(MODELS_CSV), models.toString());
        Reports.write(dir.resolve(SUMMARY_JSON), Json.write(summary()));
        Reports.write(dir.resolve(SUMMARY_TXT), summaryText());
        Map<String, Object> wl = new LinkedHashMap<>();
        wl.put("model", workload.name());
        wl.put("statsSource", statsSource);
        wl.put("layers", workloadMaps());
        Reports.write(dir.resolve(WORKLOAD_JSON), Json.write(wl));
        charts(dir);
    }

    private void charts(Path dir) {
        List<String> accs = new ArrayList<>(results.keySet());
        List<String> labels = accs.stream().map(this::chartLabel).toList();
        String m = workload.name();
        Map<String, List<Double>> lv = new LinkedHashMap<>(), tn = new LinkedHashMap<>(), rat = new LinkedHashMap<>();
        for (Action.Level l : Action.Level.values()) {
            List<Double> v = new ArrayList<>();
            for (String acc : accs) {
                double s = 0;
                for (Action.Data d : Action.Data.values()) s += results.get(acc).energyPj(l, d);
                v.add(s / 1e6);
            }
            lv.put(l.name(), v);
        }
        for (String t : List.of("W", "I", "O", "psum")) {
            List<Double> v = new ArrayList<>();
            for (String acc : accs) v.add(results.get(acc).dramBytes(t) / 1e6);
            tn.put(t, v);
        }
        boolean allFull = accs.stream().allMatch(a -> coverage(a) == Coverage.FULL);
        String cover = allFull ? "" : " (not every accelerator prices every layer: see the labels)";
        Charts.bars(dir.resolve(CHART_ENERGY), m + ": energy by level" + cover, "accelerator", "energy (uJ)", labels, lv, true);
        Charts.bars(dir.resolve(CHART_DRAM), m + ": DRAM traffic per tensor" + cover, "accelerator",
            "DRAM (MB, 10^6 bytes)", labels, tn, true);
        if (results.containsKey("diannao")) {
            List<Double> ee = new ArrayList<>(), su = new ArrayList<>();
            for (String acc : accs) {
                double e = ratio(acc, "ee"), s = ratio(acc, "speedup");
                ee.add(Double.isNaN(e) ? 0 : e);
                su.add(Double.isNaN(s) ? 0 : s);
            }
            rat.put("energy efficiency (E_DN / E_x)", ee);
            rat.put("speedup (cycles_DN / cycles_x)", su);
            Charts.bars(dir.resolve(CHART_RATIOS), m + ": normalised to DianNao (0 = no ratio: "
                + "not every benchmark layer priced)", "accelerator", "ratio to DianNao (x)", labels, rat, false);
        }
    }
}
