package org.smartdeal.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;
import org.smartdeal.codec.Int8Basis;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmLayout;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.hw.dl4j.EnergyListener;
import org.smartdeal.hw.dl4j.EnergyReport;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.layers.DenseExport;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.params.SdParamInitializer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.optim.SdUpdaterRouting;
import org.smartdeal.optim.SwaListener;
import org.smartdeal.optim.SwaLrSchedule;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;

/**
 * The Java snippets of README.md's "As a library" run as written. Each test copies one snippet verbatim
 * between a {@code // README begin} and a {@code // README end} line, declares the variables the README leaves
 * to the reader ({@code trainedNet}, {@code file}, {@code net}, {@code train}, {@code data}, ...) before it and checks
 * the results after it. The network is the zoo's LeNet-300-100 (784-300-100-10) with random weights, the data
 * {@value #EXAMPLES} random examples: no dataset is needed.
 *
 * <p>{@link #everyReadmeSnippetIsRunByATest} keeps README and tests together: it extracts every
 * {@code ```java} block of README.md and every marked region of this file and of sd-zoo's
 * {@code SdLayerSpacesTest} and {@code ConversionSweepTest} (which run the Arbiter sweep snippets), removes each region's common indentation
 * and trailing blanks, and requires the two lists to be equal, so a snippet edited on one side only, a new
 * untested snippet or a region no longer in the README fails the build. What the snippets print
 * ({@code System.out}) is captured and checked, never shown.
 */
class ReadmeExamplesTest {

    private static final String BEGIN = "// README begin";
    private static final String END = "// README end";
    /** Synthetic examples (two minibatches of 32). */
    private static final int EXAMPLES = 64;

    /** LeNet-300-100 converted at theta 0.02, shared (each test trains or prices a clone). */
    private static MultiLayerNetwork converted;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private PrintStream stdout;

    @BeforeAll
    static void convertOnce() {
        converted = (MultiLayerNetwork) SdConverter.convert(lenet300(), ConversionPlan.defaultPlan().withTheta(0.02))
                .network();
    }

    @BeforeEach
    void captureStdout() {
        stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(stdout);
    }

    @Test
    void conversionAndFileRoundTrip() throws IOException {
        MultiLayerNetwork trainedNet = lenet300();
        Path file = tmp.resolve("model.sdm");
        // README begin
        ConversionPlan plan = ConversionPlan.defaultPlan().withTheta(0.02);
        SdConverter.Result r = SdConverter.convert(trainedNet, plan);     // MultiLayerNetwork or ComputationGraph
        SdmLayout layout = SdModelFile.write(r.network(), file);          // atomic; file: e.g. Path.of("model.sdm")
        System.out.print(r.report().toTable(layout.totalBreakdown()));    // per layer, and the file's bits
        Model back = SdModelFile.read(file);                              // a working DL4J network
        Model plain = DenseExport.toDense(back);                          // DL4J's own layers, W = C*B rebuilt
        // README end
        String table = printed.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("fc1") && table.contains("fc3") && table.contains("TOTAL"), table);
        assertTrue(table.contains("; total " + 8 * Files.size(file) + " bits = " + Files.size(file) + " bytes"), table);
        MultiLayerNetwork sd = assertInstanceOf(MultiLayerNetwork.class, r.network());
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(SdLayer.class, sd.getLayer(i).conf().getLayer(), "layer " + i + " converted");
        }
        INDArray x = features(8, 3);
        INDArray out = sd.output(x);
        assertArrayEquals(new long[] {8, 10}, out.shape());
        assertEquals(8.0, out.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");
        // docs/FORMAT.md: C, M and the biases come back exactly, B int8-rounded (Int8Basis), so the outputs are close.
        MultiLayerNetwork reloaded = assertInstanceOf(MultiLayerNetwork.class, back);
        for (int i = 0; i < 3; i++) {
            for (String key : List.of(SdParamInitializer.C_KEY, SdParamInitializer.MASK_KEY,
                    SdParamInitializer.BIAS_KEY)) {
                assertEquals(sd.getLayer(i).getParam(key), reloaded.getLayer(i).getParam(key),
                        "layer " + i + " " + key);
            }
            INDArray b = sd.getLayer(i).getParam(SdParamInitializer.B_KEY);
            assertArrayEquals(Int8Basis.roundTrip(doubles(b), (int) b.size(0)), // a scale per slice (format 2.4)
                    doubles(reloaded.getLayer(i).getParam(SdParamInitializer.B_KEY)), "layer " + i + " B");
        }
        assertTrue(out.equalsWithEps(reloaded.output(x), 1e-2), "outputs of the reloaded file");
        MultiLayerNetwork dense = assertInstanceOf(MultiLayerNetwork.class, plain);
        assertEquals(org.deeplearning4j.nn.conf.layers.DenseLayer.class, dense.getLayer(0).conf().getLayer().getClass());
        assertTrue(reloaded.output(x).equalsWithEps(dense.output(x), 1e-6), "the plain network computes the reloaded one");
        assertTrue(r.report().paperCR() > 1, "paper CR " + r.report().paperCR());
        // ALGORITHMS.md 4.3: paper CR = FP32 bits of the conv and FC weights / (index + C + tables + B bits, plus 32 per
        // weight of a layer left dense). LeNet-300-100 has 784 x 300 + 300 x 100 + 100 x 10 = 266,200 weights (hand
        // count), all in SD layers; the denominator is taken from the file as written (SdmLayout), so the CR the
        // conversion reports is the one the file on disk achieves.
        StorageBreakdown stored = layout.totalBreakdown();
        assertEquals(0, stored.denseWeightBits(), "no layer left dense");
        assertEquals(266_200, r.report().totalWeights(), "784 x 300 + 300 x 100 + 100 x 10");
        assertEquals(32.0 * 266_200 / stored.paperBits(), r.report().paperCR(), 1e-12 * r.report().paperCR(),
                "paper CR from the file's bits: " + stored.describe());
    }

    @Test
    void trainingInSdForm() {
        MultiLayerNetwork net = converted.clone();
        int swaStart = 4;
        int epochs = 6;
        DataSetIterator train = data(5);
        double[] before = doubles(net.params());
        double lossBefore = ModelScore.of(net, train).loss();
        // README begin
        ISchedule lr = new SwaLrSchedule(0.01, 0.002, swaStart);          // smartdeal train's fine-tuning defaults
        BucketSwitch template = BucketSwitch.builder(0.01).learningRateSchedule(lr).build();
        SdTraining.configure(net, SdTraining.perLayerSwitches(net, template), // each C's minCoeff from its layer's
                SdUpdaterRouting.sgdMomentum(lr), 5e-4);                  // threshold, whatever the plan's theta
        SwaListener swa = SdTraining.swaListener(net, swaStart);          // projects C at each layer's threshold
        net.setListeners(swa);
        net.fit(train, epochs);
        swa.finish(net, train);                                           // writes the average: C on 0 and +-2^p
        // README end
        // "each C's minCoeff from its layer's threshold": a converted layer's theta is a power of two, at most 2^-6 (the
        // largest power of two not above the plan's 0.02, SdConverter; lower where C holds a smaller coefficient), and
        // the smallest 2^i >= a power of two is itself (ALGORITHMS.md 6.2), so each minCoeff is its layer's theta, not
        // the template's own (from BucketSwitch.DEFAULT_THETA 4e-3: 2^-8 = 0.0039 < 4e-3 <= 2^-7)
        assertEquals(0x1p-7, template.getMinCoeff(), "the template's minCoeff");
        for (int i = 0; i < 3; i++) {
            org.deeplearning4j.nn.conf.layers.BaseLayer conf = (org.deeplearning4j.nn.conf.layers.BaseLayer) net
                    .getLayer(i).conf().getLayer();
            double theta = ((SdLayer) conf).getTheta();
            assertTrue(theta > 0 && theta <= 0x1p-6 && theta == Math.scalb(1.0, Math.getExponent(theta)),
                    "layer " + i + " theta " + theta);
            BucketSwitch bs = assertInstanceOf(BucketSwitch.class, conf.getUpdaterByParam(SdParamInitializer.C_KEY),
                    "layer " + i + " C's updater");
            assertEquals(theta, bs.getMinCoeff(), "layer " + i + " minCoeff");
        }
        assertEquals(epochs, net.getEpochCount(), "fit(iterator, epochs) counts epochs");
        assertEquals(epochs - swaStart + 1, swa.samples(), "one SWA sample per epoch from epoch swaStart");
        assertFalse(Arrays.equals(before, doubles(net.params())), "training moved parameters");
        double lossAfter = ModelScore.of(net, train).loss();
        assertTrue(lossAfter < lossBefore, "loss on the training data (no weight decay) " + lossBefore + " -> "
                + lossAfter);
        long nonZero = 0;
        for (int i = 0; i < 3; i++) {
            double[] c = doubles(net.getLayer(i).getParam(SdParamInitializer.C_KEY));
            double[] m = doubles(net.getLayer(i).getParam(SdParamInitializer.MASK_KEY));
            for (int k = 0; k < c.length; k++) {
                assertTrue(isZeroOrSignedPowerOfTwo(c[k]), "layer " + i + " C[" + k + "] = " + c[k]);
                assertTrue(m[k] != 0 || c[k] == 0, "layer " + i + " C[" + k + "] = " + c[k] + " outside the mask");
                nonZero += c[k] != 0 ? 1 : 0;
            }
        }
        assertTrue(nonZero > 0, "C is not all zero");
    }

    @Test
    void pricingOnTheAccelerators() throws IOException {
        MultiLayerNetwork net = converted.clone();
        DataSetIterator data = data(7);
        Path outDir = tmp.resolve("energy");
        // README begin
        EnergyReport report = EnergyReport.of(net, "lenet300", InputType.feedForward(784), data, 256,
                List.of("all"), Knobs.defaults());                        // or List.of("smartdeal,diannao")
        System.out.print(report.summaryText());
        double smartdealUj = report.energyPj("smartdeal") / 1e6;         // NaN if an accelerator priced nothing
        report.write(outDir);                                             // summary.json, CSVs, charts/*.png
        // README end
        assertEquals(EnergyReport.NAMES, new ArrayList<>(report.results().keySet()));
        assertTrue(Double.isFinite(smartdealUj) && smartdealUj > 0, "SmartDeal energy " + smartdealUj + " uJ");
        double diannaoUj = report.results().get("diannao").energyPj() / 1e6;
        // The paper's Fig. 8: SmartDeal needs less energy than DianNao on every model.
        assertTrue(smartdealUj < diannaoUj, "SmartDeal " + smartdealUj + " uJ, DianNao " + diannaoUj + " uJ");
        assertTrue(report.statsSource().contains("measured on " + EXAMPLES + " examples"), report.statsSource());
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("smartdeal"));
        for (String f : List.of("summary.json", "summary.txt", "models.csv", "layers.csv", "models/smartdeal.json")) {
            assertTrue(Files.size(outDir.resolve(f)) > 0, f);
        }
        // What the snippet prints is what the folder keeps, and models.csv holds the report's own totals: its header
        // names energy_pJ (column 7) and ee_vs_diannao (column 14), the energy efficiency E_DN / E_x of the ratio chart.
        assertEquals(printed.toString(StandardCharsets.UTF_8), Files.readString(outDir.resolve("summary.txt")));
        List<String> models = Files.readAllLines(outDir.resolve("models.csv"));
        assertEquals(1 + EnergyReport.NAMES.size(), models.size(), "a header and one row per accelerator");
        List<String> header = List.of(models.get(0).split(","));
        int energy = header.indexOf("energy_pJ");
        int ee = header.indexOf("ee_vs_diannao");
        assertEquals(List.of(6, 13), List.of(energy, ee), models.get(0));
        String[] sd = models.stream().filter(l -> l.startsWith("lenet300,smartdeal,")).findFirst().orElseThrow()
                .split(",");
        assertEquals(report.energyPj("smartdeal"), Double.parseDouble(sd[energy]), 0, "smartdeal energy_pJ");
        assertEquals(diannaoUj / smartdealUj, Double.parseDouble(sd[ee]), 1e-12 * diannaoUj / smartdealUj,
                "smartdeal ee_vs_diannao = E_DN / E_SD");
        // README: "summary.json, CSVs, charts/*.png"
        for (String chart : List.of("energy-by-level", "dram-per-tensor", "speedup-and-efficiency-vs-diannao")) {
            byte[] png = Files.readAllBytes(outDir.resolve("charts").resolve(chart + ".png"));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), chart + ".png is a PNG");
        }
    }

    /**
     * Three epochs of two minibatches of 32 are six forward passes and 192 examples; sampling every 4th pass measures
     * passes 1 and 5 (64 examples). At the default batch of 1 the listener's total is the report's energy per image
     * times the examples seen; the report prices the network as it is after training, as {@link EnergyReport#of}
     * prices it with the same statistics source.
     */
    @Test
    void pricingWhileTraining() {
        MultiLayerNetwork net = converted.clone();
        int epochs = 3;
        DataSetIterator train = data(9);
        // README begin
        EnergyListener meter = new EnergyListener(net, ArchSpec.paper(), 4,   // measures one minibatch in 4
                InputType.feedForward(784));
        net.addListeners(meter);
        net.fit(train, epochs);
        EnergyReport now = meter.report("lenet300", List.of("smartdeal,diannao"), Knobs.defaults()); // weights as now
        double seenUj = meter.forwardEnergyPj(now, "smartdeal") / 1e6;        // forward passes of every example seen
        // README end
        assertEquals(6, meter.forwardPasses());
        assertEquals(2, meter.sampledPasses());
        assertEquals(3L * EXAMPLES, meter.examplesSeen());
        assertEquals(List.of("smartdeal", "diannao"), new ArrayList<>(now.results().keySet()));
        assertTrue(now.statsSource().contains("on " + EXAMPLES + " training examples (2 of 6 forward passes sampled, "
                + "every 4)"), now.statsSource());
        double perImagePj = now.results().get("smartdeal").energyPj();
        assertEquals(perImagePj * 3 * EXAMPLES / 1e6, seenUj, 1e-9 * seenUj, "batch 1: energy per image x examples");
        assertTrue(perImagePj < now.results().get("diannao").energyPj(), "SmartDeal below DianNao (Fig. 8)");
    }

    @Test
    void everyReadmeSnippetIsRunByATest() throws IOException {
        Path root = projectRoot();
        List<String> readme = javaBlocks(Files.readAllLines(root.resolve("README.md")));
        List<String> tested = new ArrayList<>(markedRegions(Files.readAllLines(
                root.resolve("src-it/src/test/java/org/smartdeal/it/ReadmeExamplesTest.java"))));
        tested.addAll(markedRegions(Files.readAllLines(
                root.resolve("sd-zoo/src/test/java/org/smartdeal/zoo/sweep/SdLayerSpacesTest.java"))));
        tested.addAll(markedRegions(Files.readAllLines(
                root.resolve("sd-zoo/src/test/java/org/smartdeal/zoo/sweep/ConversionSweepTest.java"))));
        assertEquals(6, readme.size(), "README 'As a library' has six Java snippets");
        assertEquals(readme.stream().sorted().toList(), tested.stream().sorted().toList(),
                "README ```java blocks and the tests' README regions differ");
    }

    /**
     * "As a library" names the coordinates and, per package, the classes the examples use: the version is the
     * project's (the parent pom's first {@code <version>}), each module named exists, and every class named in the
     * package table is a class of that package, so a rename or a move fails here.
     */
    @Test
    void theLibraryTableNamesRealPackagesAndClasses() throws Exception {
        Path root = projectRoot();
        List<String> lines = Files.readAllLines(root.resolve("README.md"));
        String pom = Files.readString(root.resolve("pom.xml"));
        java.util.regex.Matcher v = java.util.regex.Pattern.compile("<version>([^<]+)</version>").matcher(pom);
        assertTrue(v.find(), "pom.xml has a version");
        assertTrue(lines.contains("  <version>" + v.group(1) + "</version>"), "README gives version " + v.group(1));
        java.util.regex.Pattern row = java.util.regex.Pattern.compile(
                "^\\|\\s*([a-z-]*)\\s*\\| `(org\\.smartdeal[a-z0-9.]*)`(, `[a-z0-9.]+`)? \\| (.*) \\|$");
        java.util.regex.Pattern type = java.util.regex.Pattern.compile("`([A-Z][A-Za-z0-9]*)`");
        int rows = 0, classes = 0;
        String module = null;
        for (String l : lines) {
            java.util.regex.Matcher m = row.matcher(l);
            if (!m.matches()) {
                continue;
            }
            rows++;
            if (!m.group(1).isEmpty()) {
                module = m.group(1);
                assertTrue(Files.isDirectory(root.resolve(module).resolve("src/main/java")), "module " + module);
            }
            String pkg = m.group(2);
            assertTrue(Files.isDirectory(root.resolve(module).resolve("src/main/java")
                    .resolve(pkg.replace('.', '/'))), pkg + " is a package of " + module);
            java.util.regex.Matcher t = type.matcher(m.group(4));
            while (t.find()) {
                Class.forName(pkg + "." + t.group(1)); // throws, naming it, if it is not there
                classes++;
            }
        }
        assertEquals(10, rows, "the package table's rows");
        assertTrue(classes >= 20, "classes named in the table: " + classes);
    }

    /** The directory holding README.md and src-it, searched upwards from the working directory (src-it/). */
    private static Path projectRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("src-it"))) {
                return d;
            }
        }
        throw new IllegalStateException("no README.md beside src-it/ above " + Path.of("").toAbsolutePath());
    }

    /** The bodies of the {@code ```java} blocks, in order. */
    private static List<String> javaBlocks(List<String> lines) {
        List<String> out = new ArrayList<>();
        List<String> block = null;
        for (String l : lines) {
            if (block == null && l.strip().equals("```java")) {
                block = new ArrayList<>();
            } else if (block != null && l.strip().equals("```")) {
                out.add(normalised(block));
                block = null;
            } else if (block != null) {
                block.add(l);
            }
        }
        return out;
    }

    /** The lines between each {@value #BEGIN} and {@value #END}, in order. */
    private static List<String> markedRegions(List<String> lines) {
        List<String> out = new ArrayList<>();
        List<String> region = null;
        for (String l : lines) {
            if (l.strip().equals(BEGIN)) {
                region = new ArrayList<>();
            } else if (l.strip().equals(END)) {
                out.add(normalised(region));
                region = null;
            } else if (region != null) {
                region.add(l);
            }
        }
        return out;
    }

    /** Lines without trailing blanks and without the indentation they all share, joined by '\n'. */
    private static String normalised(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing())
                .toList());
    }

    /** A copy of {@code a}'s values in C order, widened to double. */
    private static double[] doubles(INDArray a) {
        return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    private static boolean isZeroOrSignedPowerOfTwo(double v) {
        double a = Math.abs(v);
        return v == 0 || a == Math.scalb(1.0, Math.getExponent(a));
    }

    /** LeNet-300-100 with its random initial weights (seed 42). */
    private static MultiLayerNetwork lenet300() {
        return LeNet300.build(InputShape.MNIST, 10, 42, new Adam(1e-3)).init();
    }

    /** {@code n} examples of 784 uniform [0, 1) values, float32. */
    private static INDArray features(int n, long seed) {
        return Nd4j.rand(seed, new long[] {n, 784}).castTo(DataType.FLOAT);
    }

    /**
     * {@value #EXAMPLES} examples of random features (from {@code seed}), labelled with the index of the largest
     * of their first 10 features (a rule the network can learn).
     */
    private static DataSet mergedData(long seed) {
        INDArray x = features(EXAMPLES, seed);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, EXAMPLES, 10);
        INDArray classes = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10)).argMax(1);
        for (int i = 0; i < EXAMPLES; i++) {
            labels.putScalar(i, classes.getInt(i), 1.0);
        }
        return new DataSet(x, labels);
    }

    /** {@link #mergedData} in minibatches of 32. */
    private static DataSetIterator data(long seed) {
        return new ListDataSetIterator<>(mergedData(seed).asList(), 32);
    }
}
