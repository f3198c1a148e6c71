package org.smartdeal.zoo.models;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the layer rows of the SmartDeal paper's tables (Chen et al., arXiv 2101.01163, Tables X and
 * XI) to DL4J layer names of the zoo, so a conversion plan can carry the paper's per-layer ratios.
 *
 * <p>Table X (CIFAR ResNet-18, {@code resnet18-cifar}, also valid for {@code resnet18}):
 * CONV1 &rarr; {@code conv1}; L{S}-{B}-C{J} &rarr; {@code layer{S}.{B}.conv{J}};
 * L{S}-{B}-SC &rarr; {@code layer{S}.{B}.downsample.0}; LINEAR &rarr; {@code fc}.
 *
 * <p>Table XI (CIFAR MobileNetV2, {@code mobilenetv2-cifar}): CONV1 &rarr; {@code conv1};
 * L{i}.C{J} &rarr; {@code layers.{i}.conv{J}} (J = 1 expansion, 2 depthwise, 3 projection);
 * L{i}.SC &rarr; {@code layers.{i}.shortcut.0}; CONV2 &rarr; {@code conv2}; LINEAR &rarr;
 * {@code linear}. Caveat: the paper's last row "L15.C2" has shape 1280x320x1x1, which is not
 * block 15's depthwise convolution (960x1x3x3) but the final {@code conv2}; the rule here maps
 * the row text, so a plan that wants the paper's intent must map that row by its shape.
 */
public final class PaperLayerNames {

    private static final Pattern RESNET_ROW = Pattern.compile("L([1-4])-(\\d+)-(C[1-3]|SC)");
    private static final Pattern MBV2_ROW = Pattern.compile("L(\\d+)\\.(C[1-3]|SC)");

    private PaperLayerNames() {
    }

    /** DL4J layer name of a Table X (ResNet-18) row, e.g. {@code L2-0-SC} to {@code layer2.0.downsample.0}. */
    public static String resnet18(String row) {
        Objects.requireNonNull(row, "PaperLayerNames.resnet18 row");
        switch (row) {
            case "CONV1":
                return "conv1";
            case "LINEAR":
                return "fc";
            default:
                break;
        }
        Matcher m = RESNET_ROW.matcher(row);
        if (!m.matches()) {
            throw new IllegalArgumentException("PaperLayerNames.resnet18: row must be CONV1, LINEAR or "
                    + "L{1-4}-{block}-{C1|C2|C3|SC}, got '" + row + "'");
        }
        String prefix = "layer" + m.group(1) + "." + Integer.parseInt(m.group(2));
        return m.group(3).equals("SC") ? prefix + ".downsample.0" : prefix + ".conv" + m.group(3).substring(1);
    }

    /** DL4J layer name of a Table XI (MobileNetV2) row, e.g. {@code L10.SC} to {@code layers.10.shortcut.0}. */
    public static String mobileNetV2(String row) {
        Objects.requireNonNull(row, "PaperLayerNames.mobileNetV2 row");
        switch (row) {
            case "CONV1":
                return "conv1";
            case "CONV2":
                return "conv2";
            case "LINEAR":
                return "linear";
            default:
                break;
        }
        Matcher m = MBV2_ROW.matcher(row);
        if (!m.matches() || Integer.parseInt(m.group(1)) > 16) {
            throw new IllegalArgumentException("PaperLayerNames.mobileNetV2: row must be CONV1, CONV2, LINEAR or "
                    + "L{0-16}.{C1|C2|C3|SC}, got '" + row + "'");
        }
        String prefix = "layers." + Integer.parseInt(m.group(1));
        return m.group(2).equals("SC") ? prefix + ".shortcut.0" : prefix + ".conv" + m.group(2).substring(1);
    }
}
