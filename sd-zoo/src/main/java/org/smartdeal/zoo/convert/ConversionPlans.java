package org.smartdeal.zoo.convert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The conversion plans shipped with the zoo as JSON resources under
 * {@code org/smartdeal/zoo/plans/}: the paper's per-layer vector-wise pruning ratios (SmartDeal,
 * Chen et al., arXiv 2101.01163, Table X for ResNet-18 and Table XI for MobileNetV2; ALGORITHMS.md
 * 3.1), keyed by the layer names of the zoo models {@code resnet18-cifar} and
 * {@code mobilenetv2-cifar}. Depthwise layers are left dense; every other setting is the
 * ALGORITHMS.md default.
 *
 * <p>On the command line a plan argument is resolved by {@link #resolve(String)}: an existing file
 * wins, otherwise the argument is taken as a shipped plan's name, so {@code --plan resnet18-cifar10}
 * works wherever a plan file is accepted.
 */
public final class ConversionPlans {

    /** Folder of the shipped plans on the class path. */
    public static final String RESOURCE_FOLDER = "/org/smartdeal/zoo/plans/";

    private static final List<String> NAMES = List.of("resnet18-cifar10", "resnet18-cifar10-delta", "resnet18-cifar100",
            "mobilenetv2-cifar10", "mobilenetv2-cifar100");

    private ConversionPlans() {
    }

    /** @return the names of the shipped plans */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * Loads a shipped plan.
     *
     * @param name one of {@link #names()}
     * @return the plan
     * @throws IllegalArgumentException when no plan has that name (the message lists the names)
     */
    public static ConversionPlan named(String name) {
        Objects.requireNonNull(name, "ConversionPlans.named name");
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no shipped conversion plan named '" + name + "'; shipped plans: "
                    + String.join(", ", NAMES));
        }
        String path = RESOURCE_FOLDER + name + ".json";
        try (InputStream in = ConversionPlans.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("shipped plan resource " + path + " is missing from the class path");
            }
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            try {
                return ConversionPlan.fromJson(json);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("shipped plan " + path + " is invalid: " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read shipped plan " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Resolves a plan argument: an existing file is loaded with {@link ConversionPlan#load(Path)};
     * otherwise the argument must name a shipped plan.
     *
     * @param fileOrName a path to a plan JSON file, or a shipped plan's name
     * @return the plan
     * @throws IOException when the file exists but cannot be read
     * @throws IllegalArgumentException when it is neither a file nor a shipped plan's name (the
     *     message says both and lists the shipped names), or the file is not a valid plan
     */
    public static ConversionPlan resolve(String fileOrName) throws IOException {
        Objects.requireNonNull(fileOrName, "ConversionPlans.resolve fileOrName");
        Path p = Path.of(fileOrName);
        if (Files.isRegularFile(p)) {
            return ConversionPlan.load(p);
        }
        if (NAMES.contains(fileOrName)) {
            return named(fileOrName);
        }
        throw new IllegalArgumentException("'" + fileOrName + "' is neither an existing file nor a shipped plan name; "
                + "shipped plans: " + String.join(", ", NAMES));
    }
}
