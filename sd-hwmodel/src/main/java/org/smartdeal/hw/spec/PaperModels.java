package org.smartdeal.hw.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seven workloads of the paper's Figs. 8-10 as data (layer shapes generated from the published
 * architectures; FC layers, the classifiers and EfficientNet-B0's squeeze-excitation FCs, have
 * {@code inBenchmark=false}: "FC layers are excluded" [P VI-D], fix 15), with default weight
 * and activation statistics taken from the paper where it states them:
 * <ul>
 * <li>C_e density = 1 - "spar." of Tables III/IV (DeepLabV3+: ResNet-50's 45% [A]); vector (row)
 *     density, which is the rebuilt-W density, = {@link #vectorDensity}: 1 - (1 - C_e density)^1.678,
 *     least-squares fit to the seven (C_e, W) non-zero ratio pairs of Table II [P] (fix 8 of
 *     docs/HWMODEL-RESULTS.md; it replaced min(1, 1.732 x C_e density), which Table II's own
 *     denser rows contradict);
 *     depthwise layers dense [P Table XI]; Huffman 2.3 bits per non-zero [P App. B];
 *     VECTOR_ELEM index; sliceRows 192.</li>
 * <li>Activations: the i.i.d. model {@link ActStats#fitted} matched to MBV2's Fig. 3 bit sparsity
 *     (79.8% raw, 66.0% Booth) for every model [A: the paper prints only MBV2's values]; row
 *     sparsity 27.1% (MBV2) and 32.4% (ResNet164) [P V-A, stated maxima used as means], else the
 *     {@code rowZeroDefault} knob; the first layer sees dense image pixels (dA=1) [A]. Every later layer gets the
 *     post-ReLU statistics, also where its input is not a ReLU output (MobileNetV2's linear bottlenecks, feeding
 *     its expand layers and last 1 x 1 conv; EfficientNet-B0's swish) [A].</li>
 * <li>DeepLabV3+ [A: the paper names no implementation]: a ResNet-50 backbone at output stride 16 (stage 4
 *     dilated 2 instead of strided), ASPP with regular (not separable) 3 x 3 convolutions at dilations 6, 12 and
 *     18, and a decoder of regular 3 x 3 convolutions, as in the widely used PyTorch implementation
 *     (jfzhang95/pytorch-deeplab-xception), on a 360 x 480 CamVid image: 46.2 GMACs, about half of them in those
 *     3 x 3 convolutions (separable ASPP and decoder convolutions, the TensorFlow reference's option, would give
 *     about 25 GMACs).</li>
 * </ul>
 */
public final class PaperModels {
    /** The seven model names used in reports and {@code paper-summary.json}. */
    public static final List<String> NAMES = List.of("vgg11", "resnet50", "mobilenetv2", "efficientnetb0", "vgg19-cifar",
        "resnet164", "deeplabv3plus");

    private static final Map<String, Double> CE_DENSITY = Map.of("vgg11", 0.14, "resnet50", 0.55, "mobilenetv2", 1.0,
        "efficientnetb0", 1.0, "vgg19-cifar", 0.072, "resnet164", 0.624, "deeplabv3plus", 0.55);
    /**
     * Table II's decomposed rows as (C_e, W) non-zero ratios: exp. 5, 7, 8, SD, SD-, SD-dagger,
     * SD_Delta-dagger. W counts the rebuilt weights, so its density is the non-zero C_e row density.
     */
    public static final double[][] TABLE2_CE_W = {{0.2060, 0.3709}, {0.4644, 0.6722}, {0.2919, 0.4147}, {0.1277, 0.2212},
        {0.3636, 0.4827}, {0.1053, 0.1716}, {0.0775, 0.1314}};
    /**
     * Exponent k of the row-density model 1 - (1 - d_Ce)^k, least-squares fit (grid step 0.001) to
     * {@link #TABLE2_CE_W}: non-zeros cluster within rows as if a 3-wide row had 1.678 independent entries.
     */
    public static final double VECTOR_EXPONENT = 1.678;
    /** Huffman bits per C_e non-zero [P App. B]. */
    public static final double HUFF_BITS = 2.3;
    /** Rows per slice of the paper workloads' synthetic SD weights (one n x n basis per slice) [A]. */
    public static final int SLICE_ROWS = 192;
    /** Index layout of the paper workloads' C_e [P App. B]. */
    public static final WeightRep.IdxMode CE_INDEX = WeightRep.IdxMode.VECTOR_ELEM;
    /** Fig. 3 MBV2 bit sparsity (raw) and Booth sparsity. */
    public static final double BIT_SPARSITY = 0.798, BOOTH_SPARSITY = 0.660;
    /** Magnitude scale of the first layer's dense image pixels, i.i.d. with P(v) ~ exp(-v / lambda) [A]. */
    static final int IMAGE_LAMBDA = 40;

    private PaperModels() {
    }

    /** Whether the paper ran SCNN on this model (not on EfficientNet-B0 [P]). */
    public static boolean scnnRuns(String model) {
        return !model.equals("efficientnetb0");
    }

    /** C_e density default of a model and its source. */
    public static double ceDensity(String model) {
        Double d = CE_DENSITY.get(model);
        if (d == null) throw new IllegalArgumentException("paper model must be one of " + NAMES + ", got " + model);
        return d;
    }

    /** Non-zero C_e row (vector) density, i.e. rebuilt-W density, for a C_e density (see {@link #VECTOR_EXPONENT}). */
    public static double vectorDensity(double ceDensity) {
        Specs.range("PaperModels.vectorDensity", "ceDensity", ceDensity, 0, 1);
        return Math.max(ceDensity, 1 - Math.pow(1 - ceDensity, VECTOR_EXPONENT));
    }

    /** Stated zero-row fraction (MBV2, ResNet164), else the knob default. */
    public static double rowZero(String model, Knobs k) {
        return switch (model) {
            case "mobilenetv2" -> 0.271;
            case "resnet164" -> 0.324;
            default -> k.rowZeroDefault();
        };
    }

    /**
     * The assumptions every paper workload is built with, with their sources, for the reports (knobs.json of
     * {@code PaperStudy}): they are constants here, not knobs.
     */
    public static Map<String, Object> assumptions() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("huffmanBitsPerCeNonZero", List.of(HUFF_BITS, "[P App. B]"));
        o.put("ceIndex", List.of(CE_INDEX.name(), "[P App. B] 1 bit per vector + n bits per "
            + "non-zero vector (HWMODEL.md 1.2)"));
        o.put("sliceRows", List.of(SLICE_ROWS, "[A] ALGORITHMS.md default: one n x n basis per slice of this many rows"));
        o.put("vectorDensityExponent", List.of(VECTOR_EXPONENT, "[A] rebuilt-W row density 1 - (1 - d_Ce)^k, "
            + "least-squares fit to Table II's seven (C_e, W) pairs (fix 8)"));
        o.put("activationBitSparsity", List.of(BIT_SPARSITY, "[P Fig. 3] MobileNetV2; used for every model [A]"));
        o.put("activationBoothSparsity", List.of(BOOTH_SPARSITY, "[P Fig. 3] MobileNetV2, the target of the fit; the "
            + "fitted i.i.d. model delivers 64.5% (within the accepted 3 points); used for every model [A]"));
        o.put("firstLayerActivations", List.of("dense image pixels: dA 1, magnitudes i.i.d. with lambda "
            + IMAGE_LAMBDA,
            "[A] the first layer of every model sees every pixel non-zero"));
        o.put("ceDensity", List.of("1 - spar. of Tables III/IV per model", "[P Tables III/IV], one density for every "
            + "layer of a model [A]; DeepLabV3+: ResNet-50's 45% sparsity [A], the paper giving only its CR"));
        Knobs k = Knobs.defaults(); // the two stated values do not depend on the knobs
        o.put("rowZero", List.of("MobileNetV2 " + rowZero("mobilenetv2", k) + ", ResNet-164 " + rowZero("resnet164", k)
            + ", else knobs.rowZeroDefault", "[P V-A] the stated maxima, used as the mean of every layer of the two "
            + "models [A]; the other five get the knob (0 by default)"));
        return o;
    }

    /** The workload of one paper model with the default statistics described above. */
    public static Workload workload(String model, Knobs k, ArchSpec a) {
        return workload(model, a, rowZero(model, k));
    }

    /**
     * The workload of one paper model with the default statistics described above except the zero-row fraction,
     * given here for every layer but the first (which sees dense pixels): the knob sweep's rows that change the
     * {@link #rowZero} rule use it.
     *
     * @param model   one of {@link #NAMES}
     * @param a       the architecture whose dim_F and PRA brick the activation statistics are built for
     * @param rowZero zero-row fraction, in [0, 0.99]
     * @return the workload, its layers in {@link #layers} order
     * @throws IllegalArgumentException for an unknown model or a fraction outside [0, 0.99]
     */
    public static Workload workload(String model, ArchSpec a, double rowZero) {
        Specs.range("PaperModels.workload", "rowZero", rowZero, 0, 0.99);
        List<LayerSpec> ls = layers(model);
        double dCe = ceDensity(model), dV = vectorDensity(dCe);
        ActStats act = ActStats.fitted(8 * (1 - BIT_SPARSITY), 4 * (1 - BOOTH_SPARSITY), rowZero, a.sdDimF(), a.praBrick());
        ActStats image = ActStats.iid(1.0, IMAGE_LAMBDA, 0, act.dA(), a.sdDimF(), a.praBrick());
        List<Workload.Entry> out = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
            LayerSpec l = ls.get(i);
            boolean dw = l.type() == LayerType.DWCONV;
            WeightRep w = WeightRep.syntheticSd(l, dw ? 1 : dV, dw ? 1 : dCe, HUFF_BITS, CE_INDEX, SLICE_ROWS,
                31L * i + model.hashCode());
            out.add(new Workload.Entry(l, w, i == 0 ? image : act));
        }
        return new Workload(model, out, String.format(java.util.Locale.ROOT,
            "C_e density %.4g (Table III/IV), vector density %.4g, activations fitted to Fig. 3 MBV2: %s", dCe, dV,
            act.describe()));
    }

    /**
     * Table X, ResNet-18 C-10 column, and Table XI, MobileNetV2 C-10 column [P]: {M, C/G, kernel, ratio x 100}
     * per row in the paper's order (depthwise rows as C/G = 1). Table XI is for a CIFAR MobileNetV2 with
     * an expansion conv in block 0 and 1x1 shortcut convs, which {@link #layers} does not have.
     */
    private static final Map<String, int[][]> STRUCTURAL_RATIOS = Map.of(
        "resnet18-cifar", new int[][] {{64, 3, 3, 20}, {64, 64, 3, 20}, {64, 64, 3, 20}, {64, 64, 3, 20}, {64, 64, 3, 20},
            {128, 64, 3, 20}, {128, 128, 3, 30}, {128, 64, 1, 10}, {128, 128, 3, 40}, {128, 128, 3, 40}, {256, 128, 3, 30},
            {256, 256, 3, 30}, {256, 128, 1, 20}, {256, 256, 3, 40}, {256, 256, 3, 50}, {512, 256, 3, 50}, {512, 512, 3, 50},
            {512, 256, 1, 50}, {512, 512, 3, 50}, {512, 512, 3, 50}, {10, 512, 1, 0}},
        "mobilenetv2-cifar", new int[][] {{32, 3, 3, 10}, {32, 32, 1, 40}, {32, 1, 3, 0}, {16, 32, 1, 80}, {16, 32, 1, 20},
            {96, 16, 1, 20}, {96, 1, 3, 0}, {24, 96, 1, 50}, {24, 16, 1, 5}, {144, 24, 1, 20}, {144, 1, 3, 0}, {24, 144, 1, 40},
            {144, 24, 1, 10}, {144, 1, 3, 0}, {32, 144, 1, 10}, {192, 32, 1, 20}, {192, 1, 3, 0}, {32, 192, 1, 40},
            {192, 32, 1, 20}, {192, 1, 3, 0}, {32, 192, 1, 40}, {192, 32, 1, 20}, {192, 1, 3, 0}, {64, 192, 1, 40},
            {384, 64, 1, 20}, {384, 1, 3, 0}, {64, 384, 1, 40}, {384, 64, 1, 30}, {384, 1, 3, 0}, {64, 384, 1, 50},
            {384, 64, 1, 50}, {384, 1, 3, 0}, {64, 384, 1, 60}, {384, 64, 1, 60}, {384, 1, 3, 0}, {96, 384, 1, 60},
            {96, 64, 1, 10}, {576, 96, 1, 50}, {576, 1, 3, 0}, {96, 576, 1, 60}, {576, 96, 1, 60}, {576, 1, 3, 0},
            {96, 576, 1, 60}, {576, 96, 1, 40}, {576, 1, 3, 0}, {160, 576, 1, 60}, {960, 160, 1, 60}, {960, 1, 3, 0},
            {160, 960, 1, 80}, {960, 160, 1, 80}, {1280, 320, 1, 80}});

    /**
     * The rows of Table X (resnet18-cifar) or Table XI (mobilenetv2-cifar), C-10 column, as this class holds them:
     * {M, C/G, kernel, ratio x 100} in the paper's order, depthwise rows as C/G = 1. sd-zoo's shipped plans
     * {@code resnet18-cifar10} and {@code mobilenetv2-cifar10} hold the same ratios (a test there compares them).
     *
     * @param model {@code resnet18-cifar} or {@code mobilenetv2-cifar}
     * @return a copy of the rows
     * @throws IllegalArgumentException for a model without a table
     */
    public static int[][] structuralRatioRows(String model) {
        int[][] rows = STRUCTURAL_RATIOS.get(model);
        if (rows == null)
            throw new IllegalArgumentException("PaperModels.structuralRatioRows: no structural ratio table for '" + model
                + "'; known: " + STRUCTURAL_RATIOS.keySet());
        int[][] out = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) out[i] = rows[i].clone();
        return out;
    }

    /**
     * Per-layer structural keep ratio (1 - pruning ratio) of Table X (resnet18-cifar) or Table XI
     * (mobilenetv2-cifar), C-10 column, for SS training energy (fix 19). Rows are matched to
     * {@link #layers} in order by shape (M, C/G, kernel): each row takes the first later layer of its
     * shape. Table rows without a counterpart (MobileNetV2: L0.C1, L0.SC, L1.SC, L10.SC) are skipped;
     * Table XI's last row, "L15.C2 1280x320x1x1", has the final 1x1 conv's shape and takes it; layers no
     * row matches keep everything (ratio 0, as PAPER-TABLES.md says for the rows Table XI leaves out).
     *
     * @return layer id to keep ratio, for every layer of the model
     * @throws IllegalArgumentException for a model without a table
     */
    public static Map<String, Double> structuralKeep(String model) {
        int[][] rows = STRUCTURAL_RATIOS.get(model);
        if (rows == null)
            throw new IllegalArgumentException("PaperModels.structuralKeep: no structural ratio table for '" + model
                + "'; known: " + STRUCTURAL_RATIOS.keySet());
        List<LayerSpec> ls = layers(model);
        Map<String, Double> keep = new LinkedHashMap<>();
        for (LayerSpec l : ls) keep.put(l.id(), 1.0);
        int next = 0;
        for (int[] row : rows) {
            for (int j = next; j < ls.size(); j++) {
                LayerSpec l = ls.get(j);
                if (l.m() == row[0] && l.cg() == row[1] && l.r() == row[2]) {
                    keep.put(l.id(), 1 - row[3] / 100.0);
                    next = j + 1;
                    break;
                }
            }
        }
        return keep;
    }

    /**
     * Layer shapes (batch 1) of one paper model; also {@code resnet18-cifar} and
     * {@code mobilenetv2-cifar}, the training workloads of Tables V/VI.
     */
    public static List<LayerSpec> layers(String model) {
        B b = new B();
        switch (model) {
            case "vgg11" -> { b.at(3, 224, 224); b.vgg(new int[] {64, -1, 128, -1, 256, 256, -1, 512, 512, -1, 512, 512, -1});
                b.fc(4096, 25088); b.fc(4096, 4096); b.fc(1000, 4096); }
            case "vgg19-cifar" -> { b.at(3, 32, 32);
                b.vgg(new int[] {64, 64, -1, 128, 128, -1, 256, 256, 256, 256, -1, 512, 512, 512, 512, -1, 512, 512, 512, 512, -1});
                b.fc(10, 512); }
            case "resnet50" -> { b.at(3, 224, 224); b.conv("conv1", 64, 7, 2, 3, 1); b.pool(3, 2, 1);
                b.resnet(new int[] {64, 128, 256, 512}, new int[] {3, 4, 6, 3}, new int[] {1, 2, 2, 2}, 1); b.fc(1000, 2048); }
            case "resnet164" -> { b.at(3, 32, 32); b.conv("conv1", 16, 3, 1, 1, 1);
                b.resnet(new int[] {16, 32, 64}, new int[] {18, 18, 18}, new int[] {1, 2, 2}, 1); b.fc(10, 256); }
            case "mobilenetv2" -> { b.at(3, 224, 224); b.conv("conv1", 32, 3, 2, 1, 1);
                int[][] cfg = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
                int blk = 0;
                for (int[] r : cfg) for (int j = 0; j < r[2]; j++) b.mbconv("b" + blk++, r[0], 3, j == 0 ? r[3] : 1, r[1], false);
                b.conv("conv_last", 1280, 1, 1, 0, 1); b.fc(1000, 1280); }
            case "efficientnetb0" -> { b.at(3, 224, 224); b.conv("stem", 32, 3, 2, 1, 1);
                int[][] cfg = {{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3}, {6, 5, 1, 112, 3},
                    {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}};
                int blk = 0;
                for (int[] r : cfg) for (int j = 0; j < r[4]; j++) b.mbconv("b" + blk++, r[0], r[1], j == 0 ? r[2] : 1, r[3], true);
                b.conv("head", 1280, 1, 1, 0, 1); b.fc(1000, 1280); }
            case "deeplabv3plus" -> { b.at(3, 360, 480); b.conv("conv1", 64, 7, 2, 3, 1); b.pool(3, 2, 1);
                b.resnet(new int[] {64, 128, 256, 512}, new int[] {3, 4, 6, 3}, new int[] {1, 2, 2, 1}, 2);
                int hh = b.h, ww = b.w;
                b.branch("aspp_1x1", 256, 1, 1, 0, 1);
                for (int d : new int[] {6, 12, 18}) b.branch("aspp_d" + d, 256, 3, 1, d, d);
                b.out.add(new LayerSpec("aspp_pool", LayerType.CONV, 1, 256, 2048, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, true));
                b.c = 1280; b.conv("aspp_proj", 256, 1, 1, 0, 1);
                b.at(256, 90, 120); b.conv("dec_low", 48, 1, 1, 0, 1);
                b.c = 304; b.conv("dec_conv1", 256, 3, 1, 1, 1); b.conv("dec_conv2", 256, 3, 1, 1, 1);
                b.conv("classifier", 11, 1, 1, 0, 1);
                if (hh != 23 || ww != 30) throw new IllegalStateException("DeepLabV3+ backbone output " + hh + "x" + ww); }
            case "resnet18-cifar" -> { b.at(3, 32, 32); b.conv("conv1", 64, 3, 1, 1, 1);
                int[] wd = {64, 128, 256, 512};
                for (int st = 0; st < 4; st++) for (int j = 0; j < 2; j++) {
                    int s = j == 0 && st > 0 ? 2 : 1, in = b.c, hh = b.h, ww = b.w;
                    b.conv("l" + (st + 1) + "_" + j + "_c1", wd[st], 3, s, 1, 1);
                    b.conv("l" + (st + 1) + "_" + j + "_c2", wd[st], 3, 1, 1, 1);
                    if (s != 1 || in != wd[st]) b.out.add(LayerSpec.conv("l" + (st + 1) + "_" + j + "_sc", LayerType.CONV, wd[st], in, 1, hh, ww, s, 0, 1));
                }
                b.fc(10, 512); }
            case "mobilenetv2-cifar" -> { b.at(3, 32, 32); b.conv("conv1", 32, 3, 1, 1, 1);
                int[][] cfg = {{1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
                int blk = 0;
                for (int[] r : cfg) for (int j = 0; j < r[2]; j++) b.mbconv("b" + blk++, r[0], 3, j == 0 ? r[3] : 1, r[1], false);
                b.conv("conv_last", 1280, 1, 1, 0, 1); b.fc(10, 1280); }
            default -> throw new IllegalArgumentException("paper model must be one of " + NAMES + " or resnet18-cifar, mobilenetv2-cifar, got " + model);
        }
        return List.copyOf(b.out);
    }

    /** Shapes as maps (for JSON export). */
    public static List<Map<String, Object>> layersAsMaps(String model) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LayerSpec l : layers(model)) out.add(new LinkedHashMap<>(l.toMap()));
        return out;
    }

    /** Running-shape layer builder. */
    private static final class B {
        final List<LayerSpec> out = new ArrayList<>();
        int c, h, w, n;

        void at(int c0, int h0, int w0) { c = c0; h = h0; w = w0; }

        void conv(String id, int m, int k, int s, int pad, int dil) {
            LayerSpec l = LayerSpec.conv(id, LayerType.CONV, m, c, k, h, w, s, pad, dil);
            out.add(l); c = m; h = l.e(); w = l.f();
        }

        void branch(String id, int m, int k, int s, int pad, int dil) {
            out.add(LayerSpec.conv(id, LayerType.CONV, m, c, k, h, w, s, pad, dil));
        }

        void dw(String id, int k, int s) {
            LayerSpec l = LayerSpec.conv(id, LayerType.DWCONV, c, c, k, h, w, s, k / 2, 1);
            out.add(l); h = l.e(); w = l.f();
        }

        void pool(int k, int s, int pad) { h = (h + 2 * pad - k) / s + 1; w = (w + 2 * pad - k) / s + 1; }

        void fc(int m, int cin) { out.add(LayerSpec.fc("fc" + n++, LayerType.FC, m, cin, false)); }

        void vgg(int[] cfg) {
            int i = 0;
            for (int v : cfg) if (v < 0) pool(2, 2, 0); else conv("conv" + i++, v, 3, 1, 1, 1);
        }

        void resnet(int[] widths, int[] blocks, int[] strides, int lastDil) {
            for (int st = 0; st < widths.length; st++) {
                for (int j = 0; j < blocks[st]; j++) {
                    int s = j == 0 ? strides[st] : 1, in = c, hh = h, ww = w, wd = widths[st];
                    int dil = st == widths.length - 1 ? lastDil : 1;
                    String p = "s" + (st + 1) + "b" + j;
                    conv(p + "_a", wd, 1, 1, 0, 1);
                    conv(p + "_b", wd, 3, s, dil, dil);
                    conv(p + "_c", 4 * wd, 1, 1, 0, 1);
                    if (j == 0) out.add(LayerSpec.conv(p + "_down", LayerType.CONV, 4 * wd, in, 1, hh, ww, s, 0, 1));
                }
            }
        }

        void mbconv(String id, int t, int k, int s, int cout, boolean se) {
            int in = c;
            if (t != 1) conv(id + "_expand", in * t, 1, 1, 0, 1);
            dw(id + "_dw", k, s);
            if (se) {
                int sq = Math.max(1, in / 4);
                // fix 15: Figs. 8-10 exclude FC layers [P VI-D], the SE FCs too (they are still priced)
                out.add(LayerSpec.fc(id + "_se1", LayerType.SE_FC, sq, c, false));
                out.add(LayerSpec.fc(id + "_se2", LayerType.SE_FC, c, sq, false));
            }
            conv(id + "_project", cout, 1, 1, 0, 1);
        }
    }
}
