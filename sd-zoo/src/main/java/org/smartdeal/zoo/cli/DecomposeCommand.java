package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.EncodedLayer;
import org.smartdeal.codec.NpyArray;
import org.smartdeal.codec.NpyFile;
import org.smartdeal.codec.SdLayerCodec;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.core.DecompositionBatch;
import org.smartdeal.core.DecompositionConfig;
import org.smartdeal.core.DecompositionStats;
import org.smartdeal.core.Decomposer;
import org.smartdeal.core.LayerDecomposition;
import org.smartdeal.core.LayerInput;
import org.smartdeal.core.SliceLayout;
import org.smartdeal.zoo.convert.LayerPlan;
import org.smartdeal.zoo.text.Numbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal decompose}: .npy weights in, SD form out (ALGORITHMS.md 1-4), for numpy and
 * PyTorch users. All inputs are read and validated before anything is written, and every output
 * file is written atomically, so outputs appear complete or not at all.
 */
@Command(name = "decompose", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decompose weight tensors (.npy) into C*B: per slice, a small dense basis B and a sparse C whose non-zeros are signed powers of two.",
            "Writes NAME.c.npy [K,m,n], NAME.b.npy [K,n,n], NAME.w.npy (rebuilt weight, input layout, float32) "
            + "and report.json into --out."})
public final class DecomposeCommand implements Callable<Integer> {

    /** How input arrays are laid out. */
    enum Kind {
        /** [nOut, nIn, kh, kw]. */
        conv,
        /** DL4J dense [nIn, nOut]. */
        dense,
        /** DL4J M2.1 depthwise [kh, kw, nIn, depthMultiplier]: one kh x kw matrix per output channel, n = kw. */
        depthwise,
        /** Raw slices [K, m, n]. */
        slices
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--kind", paramLabel = "conv|dense|depthwise|slices",
            description = "conv ([nOut,nIn,kh,kw]), dense ([nIn,nOut]), depthwise ([kh,kw,nIn,depthMultiplier]) or "
            + "slices ([K,m,n]); default ${DEFAULT-VALUE}")
    Kind kind = Kind.conv;

    @Option(names = "--theta", paramLabel = "T", description = "sparsity threshold, in [0, 1] (as in plans); default ${DEFAULT-VALUE}")
    double theta = DecompositionConfig.DEFAULT_THETA;

    @Option(names = "--max-iter", paramLabel = "N", description = "iterations, in [1, 10000]; default ${DEFAULT-VALUE}")
    int maxIter = DecompositionConfig.DEFAULT_MAX_ITER;

    @Option(names = "--tol", paramLabel = "X",
            description = "per-slice early-stop tolerance, >= 0; default ${DEFAULT-VALUE}")
    double tol = DecompositionConfig.DEFAULT_TOL;

    @Option(names = "--slice-rows", paramLabel = "R",
            description = "rows per slice, in [n, 1048576] (n: the basis width, or kw for "
            + "kernels wider than 1 and depthwise kernels); conv, dense and depthwise only; default ${DEFAULT-VALUE}")
    int sliceRows = SliceLayout.DEFAULT_SLICE_ROWS;

    @Option(names = "--basis-width", paramLabel = "n",
            description = "n for 1x1 convs and dense layers, in [1, 16] (as in plans); conv and dense only, not for kernels wider "
            + "than 1 (their n is the kernel width); default ${DEFAULT-VALUE}")
    int basisWidth = SliceLayout.DEFAULT_BASIS_WIDTH;

    @Option(names = "--max-coeff", paramLabel = "X",
            description = "largest |C|, in [2^-149, 2^127]; default ${DEFAULT-VALUE}")
    double maxCoeff = DecompositionConfig.DEFAULT_MAX_COEFF;

    @Option(names = "--threads", paramLabel = "K",
            description = "worker threads, in [1, 1024]; default: available processors")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output folder (created if missing)")
    Path out;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Parameters(arity = "1..*", paramLabel = "IN.npy", description = "weight tensors to decompose")
    List<Path> inputs;

    /** The report's name in --out. */
    static final String REPORT = "report.json";

    /** The suffixes of the three files written per input. */
    private static final List<String> SUFFIXES = List.of(".c.npy", ".b.npy", ".w.npy");

    /**
     * Before anything is computed or written: --out must be a folder that can be written to (or be
     * creatable), no output may be an existing folder, and no output file may be one of the inputs
     * (inputs are never modified).
     */
    private void checkOutputs(List<Input> loaded) throws IOException {
        OutputPaths.requireFolder("--out", out);
        List<Path> targets = new ArrayList<>();
        for (Input in : loaded) {
            for (String suffix : SUFFIXES) {
                Path target = out.resolve(in.name() + suffix).toAbsolutePath().normalize();
                for (Input other : loaded) {
                    if (OutputPaths.sameFile(other.file(), target)) {
                        throw new BadInputException(in.file() + ": its output " + target + " would overwrite an input file; "
                                + "choose another --out or rename the input");
                    }
                }
                targets.add(target);
            }
        }
        targets.add(out.resolve(REPORT));
        for (Path t : targets) {
            if (Files.isDirectory(t)) {
                throw new BadInputException("--out " + out + ": the output " + t + " is a directory, expected a file (or "
                        + "nothing); move it away or choose another --out");
            }
        }
    }

    /** One validated input. */
    private record Input(Path file, String name, int[] shape, SliceLayout layout, double[] data) {
    }

    @Override
    public Integer call() throws IOException {
        // option values first (exit 2), before any input is read
        checkLayoutOptions();
        DecompositionConfig config = config();
        PrintWriter o = spec.commandLine().getOut();
        List<Input> loaded = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path f : inputs) {
            Input in = load(f);
            if (!names.add(in.name())) {
                throw new BadInputException(f + ": output name '" + in.name() + "' is used by two inputs; names must be unique");
            }
            loaded.add(in);
        }
        checkOutputs(loaded);
        List<LayerInput> batch = new ArrayList<>();
        for (Input in : loaded) {
            batch.add(kind == Kind.slices ? LayerInput.ofSlices(in.name(), in.layout(), in.data())
                    : LayerInput.ofWeight(in.name(), in.layout(), in.data()));
        }
        DecompositionBatch result;
        try (Decomposer d = new Decomposer(config); Progress p = Progress.start("decompose", batch.size(), quiet)) {
            result = d.decompose(batch, (index, name) -> p.step());
        }
        // every output is staged and moved into --out only once all are ready (OutputPaths.writeTogether)
        Map<Path, byte[]> files = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode report = mapper.createObjectNode();
        report.put("seconds", result.wallSeconds());
        ObjectNode settings = report.putObject("settings");
        settings.put("kind", kind.name()).put("theta", theta).put("maxIter", maxIter).put("tol", tol)
                .put("sliceRows", sliceRows).put("basisWidth", basisWidth).put("maxCoeff", maxCoeff)
                .put("threads", config.threads());
        ArrayNode items = report.putArray("inputs");
        List<String> zeroC = new ArrayList<>();
        for (int i = 0; i < loaded.size(); i++) {
            Input in = loaded.get(i);
            LayerDecomposition dec = result.layers().get(i);
            SliceLayout lay = dec.layout();
            EncodedLayer enc = SdLayerCodec.encode(dec.c(), lay.numSlices(), lay.rows(), lay.width(), lay.unitRows(),
                    dec.bAsFloat());
            StorageBreakdown sb = enc.breakdown();
            long weights = in.data().length;
            files.put(out.resolve(in.name() + ".c.npy"), NpyFile.toBytes(new long[] {lay.numSlices(), lay.rows(), lay.width()}, dec.c()));
            files.put(out.resolve(in.name() + ".b.npy"),
                    NpyFile.toBytes(new long[] {lay.numSlices(), lay.width(), lay.width()}, dec.bAsFloat()));
            float[] w = new float[lay.weightLength()];
            dec.rebuildWeight(w);
            files.put(out.resolve(in.name() + ".w.npy"), NpyFile.toBytes(Arrays.stream(in.shape()).asLongStream().toArray(), w));
            DecompositionStats s = dec.stats();
            if (s.cDensity() == 0) {
                zeroC.add(in.name());
            }
            ObjectNode n = items.addObject();
            n.put("name", in.name()).put("file", in.file().toString());
            ArrayNode shape = n.putArray("shape");
            Arrays.stream(in.shape()).forEach(shape::add);
            n.put("slices", lay.numSlices()).put("sliceRows", lay.rows()).put("width", lay.width())
                    .put("meanIterations", s.meanIterations()).put("cDensity", s.cDensity())
                    .put("wDensity", s.weightDensity()).put("relativeError", s.relativeError())
                    .put("distinctExponents", s.distinctExponents()).put("indexMode", enc.indexMode().name());
            ObjectNode st = n.putObject("storageBits");
            st.put("index", sb.indexBits()).put("c", sb.cBits()).put("tables", sb.tableBits()).put("b", sb.bBits())
                    .put("other", sb.otherBits()).put("total", sb.totalBits());
            n.put("paperCR", StorageBreakdown.paperCR(weights, sb)).put("seconds", s.seconds());
            o.printf(Locale.ROOT, "%-24s slices %7d  iters %5.2f  C density %.4f  rel err %.3e  CR %6.2fx  %.3fs%n",
                    in.name(), lay.numSlices(), s.meanIterations(), s.cDensity(), s.relativeError(),
                    StorageBreakdown.paperCR(weights, sb), s.seconds());
        }
        files.put(out.resolve(REPORT),
                mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report).getBytes(StandardCharsets.UTF_8));
        OutputPaths.writeTogether(files);
        // a --max-coeff below --theta caps every coefficient below the threshold the next refit applies, so the
        // iterations drive C to zero: name that cause first
        ConvertCommand.warnZeroC(spec.commandLine().getErr(), zeroC, maxCoeff < theta
                ? "--max-coeff " + Numbers.plain(maxCoeff) + " is below --theta " + Numbers.plain(theta) + ", so every "
                        + "coefficient is capped below the threshold; a --max-coeff of at least --theta keeps weights"
                : "a lower --theta (got " + Numbers.plain(theta) + ") keeps weights");
        // NAME.c.npy, NAME.b.npy, NAME.w.npy per input, and the report
        o.printf(Locale.ROOT, "decomposed %d input(s) in %.3f s; wrote into %s: %s.{c,b,w}.npy and %s%n", loaded.size(),
                result.wallSeconds(), out, loaded.size() == 1 ? loaded.get(0).name() : "NAME", REPORT);
        return SmartDeal.EXIT_OK;
    }

    /**
     * --theta, --slice-rows and --basis-width within their ranges (theta and the basis width as in a plan,
     * {@link LayerPlan}), and given only where they apply (not with
     * --kind slices, whose arrays are the slices); the rule that needs an input's shape (slice rows at
     * least the basis width n, n = kw for kernels wider than 1, where --basis-width does not apply) is checked per
     * input ({@link #checkLayoutOptionsFor}).
     */
    private void checkLayoutOptions() {
        var parsed = spec.commandLine().getParseResult();
        if (kind == Kind.slices) {
            for (String o : List.of("--slice-rows", "--basis-width")) {
                if (parsed.hasMatchedOption(o)) {
                    throw new ParameterException(spec.commandLine(), o + " applies to --kind "
                            + (o.equals("--slice-rows") ? "conv, dense and depthwise" : "conv and dense")
                            + " only; --kind slices takes the "
                            + "slices [K, m, n] as they are");
                }
            }
        }
        if (kind == Kind.depthwise && parsed.hasMatchedOption("--basis-width")) {
            throw new ParameterException(spec.commandLine(), "--basis-width does not apply to --kind depthwise: a "
                    + "depthwise kernel is sliced in rows of its own width kw; leave it out");
        }
        // the ranges of a conversion plan (LayerPlan), so that decompose's layers are ones a plan can make
        if (basisWidth < 1 || basisWidth > LayerPlan.MAX_BASIS_WIDTH) {
            throw new ParameterException(spec.commandLine(), "--basis-width must be in [1, " + LayerPlan.MAX_BASIS_WIDTH
                    + "] (as in plans), got " + basisWidth);
        }
        if (!(theta >= 0 && theta <= LayerPlan.MAX_THETA)) {
            throw new ParameterException(spec.commandLine(), "--theta must be in [0, " + (int) LayerPlan.MAX_THETA
                    + "] (as in plans), got " + Numbers.plain(theta));
        }
        if (sliceRows < 1 || sliceRows > SliceLayout.MAX_SLICE_ROWS) {
            throw new ParameterException(spec.commandLine(), "--slice-rows must be in [1, " + SliceLayout.MAX_SLICE_ROWS
                    + "] (and at least the basis width n), got " + sliceRows);
        }
        if (kind == Kind.dense && sliceRows < basisWidth) {
            // a dense layout's n is --basis-width itself, so this needs no input's shape (a conv's n can be kw)
            throw new ParameterException(spec.commandLine(), "--slice-rows must be at least --basis-width " + basisWidth
                    + " with --kind dense, got " + sliceRows);
        }
    }

    /**
     * The rules of --basis-width and --slice-rows that need a conv or depthwise input's kernel width kw (usage errors,
     * exit 2, naming the option, the input and its kernel width): a depthwise kernel, and a kernel wider than 1, is
     * sliced in rows of its own width,
     * so an explicit --basis-width does not apply to it, and the slice rows must be at least that width; a kernel of
     * width 1 is sliced in rows of --basis-width, which the slice rows must reach.
     */
    private void checkLayoutOptionsFor(Path f, int[] shape) {
        int kw = kind == Kind.depthwise ? shape[1] : shape[3];
        if (kw > SliceLayout.MAX_WIDTH) {
            return; // the input's fault, not the options': SliceLayout's message, exit 3
        }
        String where = f + " (shape " + Arrays.toString(shape) + ")";
        if (kw == 1 && kind == Kind.conv) {
            if (sliceRows < basisWidth) {
                throw new ParameterException(spec.commandLine(), "--slice-rows must be at least --basis-width "
                        + basisWidth + " for " + where + ", a kernel of width 1, got " + sliceRows);
            }
            return;
        }
        if (kind == Kind.conv && spec.commandLine().getParseResult().hasMatchedOption("--basis-width")) {
            throw new ParameterException(spec.commandLine(), "--basis-width applies to kernels of width 1 and to dense "
                    + "layers only; a kernel wider than 1 is sliced in rows of its own width, and " + where
                    + " has kernel width " + kw + ": leave --basis-width out, or decompose this input in a run of its own");
        }
        if (sliceRows < kw) {
            throw new ParameterException(spec.commandLine(), "--slice-rows must be in [n=" + kw + ", "
                    + SliceLayout.MAX_SLICE_ROWS + "] for " + where + ", whose basis width n is its kernel width " + kw
                    + ", got " + sliceRows);
        }
    }

    private DecompositionConfig config() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        try {
            return new DecompositionConfig(theta, tol, maxIter, maxCoeff, null, false, t);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), optionMessage(e.getMessage()));
        }
    }

    private static String optionMessage(String msg) {
        return msg.replace("DecompositionConfig.theta", "--theta").replace("DecompositionConfig.tol", "--tol")
                .replace("DecompositionConfig.maxIter", "--max-iter").replace("DecompositionConfig.maxCoeff", "--max-coeff")
                .replace("DecompositionConfig.threads", "--threads");
    }

    private Input load(Path f) {
        String file = f.getFileName().toString();
        if (!ModelFiles.named(f, ".npy")) {
            throw new BadInputException(f + ": input must be a .npy file, got name '" + file + "'");
        }
        String name = file.substring(0, file.length() - 4);
        InputPaths.requireFile(null, f, "a .npy file");
        NpyArray arr;
        try {
            arr = NpyFile.read(f);
        } catch (java.nio.file.NoSuchFileException e) {
            throw InputPaths.noSuchFile(f.toString(), e);
        } catch (IOException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        int[] shape = new int[arr.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = Math.toIntExact(arr.shape()[i]);
        }
        int rank = switch (kind) {
            case conv, depthwise -> 4;
            case dense -> 2;
            case slices -> 3;
        };
        if (shape.length != rank) {
            throw new BadInputException(f + ": --kind " + kind + " needs a rank-" + rank + " array "
                    + expectedShape() + ", got shape " + Arrays.toString(shape));
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                throw new BadInputException(f + ": arrays must not be empty, got shape " + Arrays.toString(shape));
            }
        }
        double[] data = arr.data();
        for (int i = 0; i < data.length; i++) {
            if (!Double.isFinite(data[i])) {
                throw new BadInputException(f + ": weights must be finite, got " + data[i] + " at flat index " + i
                        + " (shape " + Arrays.toString(shape) + ")");
            }
            // a float64 weight beyond float32's range has no float32 C * B or rebuilt weight (it became 0 and NaN)
            if (Math.abs(data[i]) > Float.MAX_VALUE) {
                throw new BadInputException(f + ": weights must be within float32's range (|w| <= " + Float.MAX_VALUE
                        + ": C, B and the rebuilt weight are float32), got " + data[i] + " at flat index " + i
                        + " (shape " + Arrays.toString(shape) + ")");
            }
        }
        if (kind == Kind.conv || kind == Kind.depthwise) {
            checkLayoutOptionsFor(f, shape);
        }
        SliceLayout layout;
        try {
            layout = switch (kind) {
                case conv -> SliceLayout.conv(shape[0], shape[1], shape[2], shape[3], sliceRows, basisWidth);
                case dense -> SliceLayout.dense(shape[0], shape[1], sliceRows, basisWidth);
                case depthwise -> SliceLayout.depthwise(shape[0], shape[1], shape[2], shape[3], sliceRows);
                case slices -> SliceLayout.rawSlices(shape[0], shape[1], shape[2]);
            };
        } catch (IllegalArgumentException e) {
            String m = e.getMessage().replaceAll("SliceLayout\\.\\w+\\.sliceRows", "--slice-rows")
                    .replaceAll("SliceLayout\\.\\w+\\.basisWidth", "--basis-width");
            throw new BadInputException(f + ": " + m);
        }
        return new Input(f, name, shape, layout, data);
    }

    private String expectedShape() {
        return switch (kind) {
            case conv -> "[nOut, nIn, kh, kw]";
            case dense -> "[nIn, nOut]";
            case depthwise -> "[kh, kw, nIn, depthMultiplier]";
            case slices -> "[K, m, n]";
        };
    }
}
