package org.smartdeal.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.ConversionReport;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.ZooModel;

/**
 * The storage of B and of C (with its index and Huffman tables) that conversion produces for the
 * models of the paper's Tables III and IV (SmartDeal, arXiv 2101.01163), next to the paper's B column.
 * Weights are the zoo's random (He-scaled) initial weights: B's bytes depend only on the slice layout
 * (int8, K*n*n per layer plus a scale), so they are comparable with the paper; C's bytes depend on the
 * weights (the paper's are after re-training and sparsification) and are shown for completeness.
 *
 * <p>To explain differences the runner also prints B split by layer kind (first conv, k x k convs with
 * k &gt; 1, 1x1 convs, FC) and what B would be under other slicings, computed from the same layouts:
 * without the FC layers, without the first conv, without 1x1 convs, with depthwise layers converted,
 * and with "flat" slicing (each tensor reshaped to (-1, n) and cut into 192-row slices, ignoring
 * output-unit boundaries). MB = 2^20 bytes.
 *
 * <p>Usage: {@code ZooStorageRunner [MODEL ...] [--theta T]}; default models
 * {@code vgg11 resnet50 vgg19-cifar resnet164 mobilenetv2}, theta 4e-3.
 */
public final class ZooStorageRunner {

    /** The paper's B column in MB: Table III (VGG11, ResNet50, VGG19, ResNet164) and Table IV (MBV2). */
    private static final Map<String, Double> PAPER_B_MB = Map.of("vgg11", 1.67, "resnet50", 1.40, "vgg19-cifar", 0.27,
            "resnet164", 0.25, "mobilenetv2", 0.37);
    /** The paper's C_e column in MB (the first SD row of each model). */
    private static final Map<String, Double> PAPER_C_MB = Map.of("vgg11", 7.46, "resnet50", 4.40, "vgg19-cifar", 0.37,
            "resnet164", 0.34, "mobilenetv2", 1.44);
    private static final double MB = 1 << 20;

    private ZooStorageRunner() {
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) {
        List<String> models = new ArrayList<>();
        double theta = 4e-3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--theta")) {
                theta = Double.parseDouble(args[++i]);
            } else {
                models.add(args[i]);
            }
        }
        if (models.isEmpty()) {
            models = List.of("vgg11", "resnet50", "vgg19-cifar", "resnet164", "mobilenetv2");
        }
        ConversionPlan plan = ConversionPlan.defaultPlan().withTheta(theta);
        System.out.printf(Locale.ROOT, "# theta %s, sliceRows 192, n = kw (3x3) or 3 (1x1, FC); MB = 2^20 bytes%n", theta);
        System.out.println("model,B_MB,paper_B_MB,C_MB,paper_C_MB,C_density,B_firstConv_MB,B_kxk_MB,B_1x1_MB,B_fc_MB,"
                + "B_noFC_MB,B_noFirstConv_MB,B_no1x1_MB,B_plusDepthwise_MB,B_flat_MB,B_flat_noFC_MB");
        for (String id : models) {
            Model dense = ZooModel.byName(id).defaultConfiguration().init();
            ConversionReport rep = SdConverter.decompose(dense, plan).report();
            long bBits = 0;
            long cBits = 0;
            long cEntries = 0;
            double cNonZeros = 0;
            double first = 0;
            double kxk = 0;
            double oneByOne = 0;
            double fc = 0;
            double depthwise = 0;
            double flat = 0;
            double flatFc = 0;
            boolean firstSeen = false;
            for (ConversionReport.Row r : rep.layers()) {
                long[] s = shape(r.shape());
                if (!r.converted()) {
                    if (r.type().startsWith("DepthwiseConvolution2D") && s.length == 4) {
                        // [kh, kw, nIn, depthMultiplier]: one (kh, kw) slice per output channel.
                        depthwise += s[1] * s[1] * s[2] * s[3];
                    }
                    continue;
                }
                bBits += r.bBits();
                cBits += r.indexBits() + r.cBits() + r.tableBits();
                long entries = r.weights();
                cEntries += entries;
                cNonZeros += r.cDensity() * entries;
                double b = r.bBits() / 8.0;
                boolean isFc = s.length == 2;
                int n = isFc || s[3] == 1 ? 3 : (int) s[3];
                double flatB = Math.ceil(Math.ceil((double) r.weights() / n) / 192.0) * n * n;
                flat += flatB;
                if (isFc) {
                    fc += b;
                    flatFc += flatB;
                } else if (!firstSeen) {
                    first += b;
                } else if (s[2] == 1 && s[3] == 1) {
                    oneByOne += b;
                } else {
                    kxk += b;
                }
                firstSeen = true;
            }
            double bMb = bBits / 8.0 / MB;
            System.out.printf(Locale.ROOT, "%s,%.3f,%.2f,%.3f,%.2f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f%n",
                    id, bMb, PAPER_B_MB.getOrDefault(id, Double.NaN), cBits / 8.0 / MB,
                    PAPER_C_MB.getOrDefault(id, Double.NaN), cNonZeros / cEntries, first / MB, kxk / MB, oneByOne / MB,
                    fc / MB, bMb - fc / MB, bMb - first / MB, bMb - oneByOne / MB, bMb + depthwise / MB, flat / MB,
                    (flat - flatFc) / MB);
        }
    }

    private static long[] shape(String s) {
        String t = s.replace("[", "").replace("]", "").trim();
        return t.isEmpty() ? new long[0] : Arrays.stream(t.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    }
}
