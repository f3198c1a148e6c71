package org.smartdeal.zoo.convert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.shade.jackson.core.JsonLocation;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.JsonStreamContext;
import org.nd4j.shade.jackson.core.JsonToken;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.zoo.text.Numbers;

/**
 * What to convert and how: plan-wide defaults plus per-layer overrides addressed by layer name.
 * A plan naming a layer the network does not have is an error ({@link #checkLayersExist}), not
 * ignored.
 *
 * <p>JSON form (every key optional; unknown keys are errors):
 * <pre>
 * {"description": "free text, ignored",
 *  "defaults": {"theta": 0.004, "sliceRows": 192, "basisWidth": 3, "maxCoeff": 32,
 *               "maxIter": 30, "tol": 1e-10, "structuredRatio": 0, "bnGammaThreshold": 0,
 *               "skip": false, "density": 0},
 *  "convertDepthwise": false,
 *  "layers": {"conv1": {"structuredRatio": 0.2}, "fc": {"skip": true}}}
 * </pre>
 *
 * <p>{@code density} (0 = off) asks for a target density of C instead of a fixed threshold: the
 * converter searches the threshold per layer (see {@link SdConverter}).
 *
 * @param defaults settings of every layer without an override
 * @param convertDepthwise whether DepthwiseConvolution2D layers are converted to SdDepthwiseConvolutionLayer (default
 *     false: ALGORITHMS.md 2 offers it, but a depthwise layer gains little, a 3 x 3 kernel being one slice with its
 *     own 3 x 3 basis). With true, a depthwise layer whose settings set {@code "skip": true} stays dense. Other ConvolutionLayer subclasses (deconvolution,
 *     1-D/3-D) are always kept dense and listed as kept. A separable convolution converts its pointwise half; its
 *     depthwise half, named NAME_dw, is kept dense as a DepthwiseConvolution2D, or with this flag converted to an
 *     SdDepthwiseConvolutionLayer at the separable layer's settings (its structured ratio and BatchNorm threshold
 *     apply to the pointwise half only).
 * @param overrides per-layer settings, already merged with the defaults, by layer name
 *
 * <p>Serializable (Java serialisation, through the validating constructor) because Arbiter's candidates carry
 * their values that way ({@code org.smartdeal.zoo.sweep.ConversionPlanSpace}).
 */
public record ConversionPlan(LayerPlan defaults, boolean convertDepthwise, Map<String, LayerPlan> overrides)
        implements java.io.Serializable {

    private static final Set<String> FIELDS = Set.of("theta", "density", "sliceRows", "basisWidth", "maxCoeff", "maxIter",
            "tol", "structuredRatio", "bnGammaThreshold", "skip");

    /** Copies the override map and checks that each entry is keyed by its own layer name. */
    public ConversionPlan {
        if (defaults == null) {
            throw new IllegalArgumentException("plan.defaults must not be null");
        }
        overrides = Map.copyOf(overrides);
        overrides.forEach((k, v) -> {
            if (!k.equals(v.layer())) {
                throw new IllegalArgumentException("plan.layers[" + k + "] holds settings for layer " + v.layer());
            }
        });
    }

    /** @return the plan of ALGORITHMS.md's defaults with no overrides */
    public static ConversionPlan defaultPlan() {
        return new ConversionPlan(LayerPlan.DEFAULTS, false, Map.of());
    }

    /**
     * @param convert whether depthwise convolutions are converted
     * @return a copy of this plan with {@code convertDepthwise} set to {@code convert}
     */
    public ConversionPlan withConvertDepthwise(boolean convert) {
        return new ConversionPlan(defaults, convert, overrides);
    }

    /**
     * The plan with another default threshold. Overrides hold their settings merged with the defaults, so an
     * override whose threshold and density target equal the defaults' inherited them and takes {@code theta} too;
     * one that sets its own keeps it. (A shipped plan lists layers for their structured ratios only: before, its
     * layers kept the old default and {@code convert --theta} changed nothing.)
     *
     * @param theta the sparsity threshold
     * @return a copy whose defaults, and the overrides that inherit their threshold, use {@code theta}
     */
    public ConversionPlan withTheta(double theta) {
        Map<String, LayerPlan> o = new LinkedHashMap<>();
        overrides.forEach((k, v) -> o.put(k, v.theta() == defaults.theta() && v.density() == defaults.density()
                ? v.withTheta(theta) : v));
        return new ConversionPlan(defaults.withTheta(theta), convertDepthwise, o);
    }

    /**
     * The settings an override sets to values other than the defaults' (its own settings, as {@link #toJson}
     * writes them), in the JSON key order; empty for a layer without an override.
     *
     * @param layerName a layer name
     * @return the keys, e.g. {@code [theta, structuredRatio]}
     */
    public List<String> ownSettings(String layerName) {
        LayerPlan p = overrides.get(layerName);
        if (p == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        write(new ObjectMapper(), p, defaults).fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /**
     * The plan at one step of the RT ramp ({@code Retraining}): every threshold (default and
     * per-layer) times {@code factor}, and every density target {@code d} raised to
     * {@code d^factor}, so a ramp over factors rising to 1 prunes geometrically towards the target.
     *
     * @param factor a factor in (0, 1]
     * @return the ramped copy ({@code this} plan's values at factor 1)
     */
    public ConversionPlan ramped(double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("ramp factor must be in (0, 1], got " + Numbers.plain(factor));
        }
        return mapLayers(p -> p.withSparsity(p.theta() * factor, p.density() == 0 ? 0 : Math.pow(p.density(), factor)));
    }

    /**
     * @param theta the sparsity threshold
     * @return a copy in which the defaults and every per-layer override use {@code theta} and no
     *     density target
     */
    public ConversionPlan withThetaEverywhere(double theta) {
        return mapLayers(p -> p.withSparsity(theta, 0));
    }

    /** The same plan with {@code f} applied to the defaults and to every per-layer override. */
    private ConversionPlan mapLayers(java.util.function.UnaryOperator<LayerPlan> f) {
        Map<String, LayerPlan> mapped = new LinkedHashMap<>();
        overrides.forEach((k, v) -> mapped.put(k, f.apply(v)));
        return new ConversionPlan(f.apply(defaults), convertDepthwise, mapped);
    }

    /**
     * @param layerName a layer name of the network
     * @return the resolved settings of that layer
     */
    public LayerPlan settingsFor(String layerName) {
        LayerPlan p = overrides.get(layerName);
        return p != null ? p : defaults.forLayer(layerName);
    }

    /**
     * Fails when an override names a layer that is not in {@code layerNames}.
     *
     * @param layerNames the names of the network's layers
     * @throws IllegalArgumentException naming the unknown layers and the known ones
     */
    public void checkLayersExist(Collection<String> layerNames) {
        Set<String> unknown = new TreeSet<>(overrides.keySet());
        unknown.removeAll(layerNames);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("plan.layers names layers the network does not have: " + list(unknown)
                    + "; the network's layers are " + list(layerNames));
        }
    }

    /**
     * Reads a plan from JSON: a regular file of at most {@link #MAX_PLAN_BYTES} bytes of UTF-8 text,
     * parsed as {@link #fromJson} does.
     *
     * @param file the plan file
     * @return the plan
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when the JSON is malformed or a value is out of range (message
     *     names the file, the field and the value)
     */
    public static ConversionPlan load(Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class); // follows links
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException(file + ": not a regular file (" + (attrs.isDirectory() ? "a folder"
                    : "a device, FIFO or socket") + "); a plan is a JSON file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_PLAN_BYTES + 1);
        }
        if (bytes.length > MAX_PLAN_BYTES) {
            throw new IllegalArgumentException(file + ": a plan may have at most " + MAX_PLAN_BYTES + " bytes (16 MiB;"
                    + " plans are a few KB of JSON), this file has " + Math.max(attrs.size(), bytes.length));
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": a plan must be UTF-8 JSON text, but the file holds bytes that"
                    + " are not UTF-8", e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads one of the plans shipped with the zoo (see {@link ConversionPlans#names()}).
     *
     * @param name a shipped plan's name, e.g. {@code resnet18-cifar10}
     * @return the plan
     * @throws IllegalArgumentException when no plan has that name (the message lists the names)
     */
    public static ConversionPlan resource(String name) {
        return ConversionPlans.named(name);
    }

    /**
     * Parses a plan from its JSON text: exactly one JSON object (nothing may follow it), no key twice
     * in an object, at most {@value #MAX_DEPTH} levels of nesting. Messages quote at most about 80
     * characters of any value.
     *
     * @param json the text
     * @return the plan
     */
    public static ConversionPlan fromJson(String json) {
        Objects.requireNonNull(json, "ConversionPlan.fromJson: the JSON text must not be null");
        JsonNode root = parse(json);
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("plan is empty: it must be a JSON object");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("plan must be a JSON object, got " + summary(root));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("description", "defaults", "layers", "convertDepthwise").contains(k)) {
                throw new IllegalArgumentException("plan has unknown key " + quote(k)
                        + "; allowed: description, defaults, layers, convertDepthwise");
            }
        }
        if (root.has("description") && !root.get("description").isTextual()) {
            throw new IllegalArgumentException("plan.description must be a string, got " + summary(root.get("description")));
        }
        LayerPlan defaults = root.has("defaults") ? merge(LayerPlan.DEFAULTS, "defaults", root.get("defaults")) : LayerPlan.DEFAULTS;
        boolean depthwise = root.has("convertDepthwise") && bool(root.get("convertDepthwise"), "plan.convertDepthwise");
        Map<String, LayerPlan> overrides = new LinkedHashMap<>();
        JsonNode layers = root.get("layers");
        if (layers != null) {
            if (!layers.isObject()) {
                throw new IllegalArgumentException("plan.layers must be an object keyed by layer name, got " + summary(layers));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = layers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                overrides.put(e.getKey(), merge(defaults.forLayer(e.getKey()), e.getKey(), e.getValue()));
            }
        }
        return new ConversionPlan(defaults, depthwise, overrides);
    }

    /** @return this plan as JSON text (only overridden fields are written per layer) */
    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.set("defaults", write(m, defaults, null));
        root.put("convertDepthwise", convertDepthwise);
        ObjectNode layers = root.putObject("layers");
        overrides.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> layers.set(e.getKey(), write(m, e.getValue(), defaults)));
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode write(ObjectMapper m, LayerPlan p, LayerPlan base) {
        ObjectNode n = m.createObjectNode();
        if (base == null || p.theta() != base.theta()) n.put("theta", p.theta());
        if (base == null || p.density() != base.density()) n.put("density", p.density());
        if (base == null || p.sliceRows() != base.sliceRows()) n.put("sliceRows", p.sliceRows());
        if (base == null || p.basisWidth() != base.basisWidth()) n.put("basisWidth", p.basisWidth());
        if (base == null || p.maxCoeff() != base.maxCoeff()) n.put("maxCoeff", p.maxCoeff());
        if (base == null || p.maxIter() != base.maxIter()) n.put("maxIter", p.maxIter());
        if (base == null || p.tol() != base.tol()) n.put("tol", p.tol());
        if (base == null || p.structuredRatio() != base.structuredRatio()) n.put("structuredRatio", p.structuredRatio());
        if (base == null || p.bnGammaThreshold() != base.bnGammaThreshold()) n.put("bnGammaThreshold", p.bnGammaThreshold());
        if (base == null || p.skip() != base.skip()) n.put("skip", p.skip());
        return n;
    }

    private static LayerPlan merge(LayerPlan base, String layer, JsonNode node) {
        String where = "defaults".equals(layer) ? "plan.defaults" : "plan.layers[" + layer + "]";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object, got " + summary(node));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FIELDS.contains(k)) {
                throw new IllegalArgumentException(where + " has unknown key " + quote(k) + "; allowed: " + new TreeSet<>(FIELDS));
            }
        }
        return new LayerPlan(layer,
                num(node, "theta", base.theta(), where),
                integer(node, "sliceRows", base.sliceRows(), where),
                integer(node, "basisWidth", base.basisWidth(), where),
                num(node, "maxCoeff", base.maxCoeff(), where),
                integer(node, "maxIter", base.maxIter(), where),
                num(node, "tol", base.tol(), where),
                num(node, "structuredRatio", base.structuredRatio(), where),
                num(node, "bnGammaThreshold", base.bnGammaThreshold(), where),
                node.has("skip") ? bool(node.get("skip"), where + ".skip") : base.skip(),
                num(node, "density", base.density(), where));
    }

    private static double num(JsonNode n, String key, double dflt, String where) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(where + "." + key + " must be a number, got " + summary(v));
        }
        return v.doubleValue();
    }

    private static int integer(JsonNode n, String key, int dflt, String where) {
        JsonNode v = n.get(key);
        if (v == null) {
            return dflt;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        // JSON has one number type: 1E2 and 100.0 are the integer 100 too
        double d = v.isNumber() ? v.doubleValue() : Double.NaN;
        if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
            return (int) d;
        }
        throw new IllegalArgumentException(where + "." + key + " must be an integer, got " + summary(v));
    }

    private static boolean bool(JsonNode v, String where) {
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(where + " must be true or false, got " + summary(v));
        }
        return v.booleanValue();
    }

    /**
     * Parses plan JSON strictly: one JSON value and nothing after it, no key twice in an object, at most
     * {@value #MAX_DEPTH} levels of nesting (a streaming pass checks all three before the tree is built,
     * so a deeply nested value cannot overflow the stack). Messages name the rule, the key and the line
     * and column, never more than a short excerpt of the input.
     */
    private static JsonNode parse(String json) {
        ObjectMapper mapper = new ObjectMapper();
        JsonLocation rootEnd = null;
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            Deque<Set<String>> keys = new ArrayDeque<>();
            while (true) {
                JsonToken t;
                try {
                    t = p.nextToken();
                } catch (JsonProcessingException e) {
                    if (rootEnd != null) {
                        t = JsonToken.NOT_AVAILABLE; // not JSON, but after the value: the same error
                    } else {
                        throw e;
                    }
                }
                if (t == null) {
                    break;
                }
                if (rootEnd != null) {
                    throw new IllegalArgumentException("plan has content after its JSON value, which ends at line "
                            + rootEnd.getLineNr() + ", column " + rootEnd.getColumnNr() + "; a plan is one JSON object");
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (keys.size() == MAX_DEPTH) {
                        throw new IllegalArgumentException("plan nests deeper than " + MAX_DEPTH + " levels" + at(p.getTokenLocation())
                                + " under " + cut(pointer(p.getParsingContext())));
                    }
                    keys.push(t == JsonToken.START_OBJECT ? new HashSet<>() : Set.of());
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    keys.pop();
                } else if (t == JsonToken.FIELD_NAME && !keys.peek().add(p.getCurrentName())) {
                    throw new IllegalArgumentException("plan has key " + quote(p.getCurrentName()) + " twice in "
                            + cut(pointer(p.getParsingContext())) + at(p.getTokenLocation())
                            + "; each key may appear once");
                }
                if (keys.isEmpty()) {
                    rootEnd = p.getTokenLocation();
                }
            }
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("plan is not valid JSON: " + cut(e.getOriginalMessage(), 3 * EXCERPT)
                    + at(e.getLocation()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("plan is not valid JSON: " + cut(e.getMessage(), 3 * EXCERPT), e);
        }
    }

    /** Largest nesting of objects and arrays in a plan (a plan needs 3: plan, layers, a layer). */
    static final int MAX_DEPTH = 64;

    /** Largest plan file {@link #load} reads (16 MiB; plans are a few KB). */
    public static final int MAX_PLAN_BYTES = 16 << 20;

    /** Longest excerpt of the input a message quotes. */
    private static final int EXCERPT = 80;

    private static String at(JsonLocation l) {
        return l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }

    /** Where the parser is, as "plan.defaults" or "plan.layers.fc1" (array elements as [i]). */
    private static String pointer(JsonStreamContext c) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext x = c; x != null && !x.inRoot(); x = x.getParent()) {
            JsonStreamContext parent = x.getParent();
            if (parent != null && parent.inObject() && parent.getCurrentName() != null) {
                parts.add("." + parent.getCurrentName());
            } else if (parent != null && parent.inArray()) {
                parts.add("[" + parent.getCurrentIndex() + "]");
            }
        }
        Collections.reverse(parts);
        return "plan" + String.join("", parts);
    }

    /** A JSON value for a message: scalars as JSON text of at most about 80 characters, containers by size. */
    static String summary(JsonNode n) {
        if (n.isArray()) {
            return "an array of " + n.size() + " elements";
        }
        if (n.isObject()) {
            return "an object of " + n.size() + " keys";
        }
        return cut(n.toString());
    }

    private static String quote(String key) {
        return "'" + cut(key) + "'";
    }

    private static String cut(String s) {
        return cut(s, EXCERPT);
    }

    private static String cut(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " characters)";
    }

    /** Names for a message: at most 20, each cut to about 80 characters. */
    private static String list(Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (out.size() == 20) {
                out.add("... " + (names.size() - 20) + " more");
                break;
            }
            out.add(cut(n));
        }
        return out.toString();
    }
}
