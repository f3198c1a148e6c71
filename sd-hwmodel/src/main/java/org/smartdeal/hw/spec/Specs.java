package org.smartdeal.hw.spec;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds versioned JSON resources to spec records by component name, and back. A resource is
 * {@code {"version": v, "values": {...}, "sources": {key: note}}}; every record component must be
 * present in {@code values} (nested records as nested objects). Validation stays in each record's
 * compact constructor.
 */
public final class Specs {
    private Specs() {
    }

    /** Loads record {@code type} from classpath resource {@code org/smartdeal/hw/<name>}. */
    @SuppressWarnings("unchecked")
    public static <R extends Record> R load(Class<R> type, String name) {
        Map<String, Object> root = Json.resource(name);
        if (!(root.get("version") instanceof Double)) throw new IllegalArgumentException(name + ": numeric 'version' missing");
        return bind(type, (Map<String, Object>) root.get("values"), name);
    }

    /**
     * The {@code sources} of a shipped resource: for each value, where it comes from ([P ...] the paper, [A] an
     * assumption, with its reason), as written beside the values.
     *
     * @param name resource name under {@code org/smartdeal/hw/} (e.g. {@code knobs-v1.json})
     * @return field name to source note, in file order (empty when the resource has none)
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> sources(String name) {
        Object s = Json.resource(name).get("sources");
        return s instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    /** Largest spec file {@link #read} accepts: a spec is a few KB. */
    public static final long MAX_FILE_BYTES = 1 << 20;

    /**
     * Reads record {@code type} from a user's JSON file in the resources' form
     * ({@code {"version": 1, "name": ..., "values": {...}, "sources": {...}}}, name and sources optional), strictly:
     * every field present, no unknown field, each of the right JSON type, and the record's own range checks;
     * {@code name}, when given, a string and {@code sources} an object of strings (both are notes for the reader,
     * not used).
     *
     * @param type the record, e.g. {@code EnergyTable.class}
     * @param file the JSON file
     * @return the record
     * @throws IllegalArgumentException naming the file, the field, the rule and the value
     * @throws java.io.IOException when the file cannot be read
     */
    public static <R extends Record> R read(Class<R> type, java.nio.file.Path file) throws java.io.IOException {
        String what = (type.getSimpleName().matches("[AEIOU].*") ? "an " : "a ") + type.getSimpleName();
        byte[] bytes;
        // at most one byte past the cap, whatever the file is (a pipe reports no size)
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES)
            throw new IllegalArgumentException(file + ": more than a spec file's " + MAX_FILE_BYTES + " bytes (" + what
                + " is a few KB)");
        String text;
        try {
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text (save the JSON file as UTF-8)", e);
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1); // a byte-order mark some editors write
        Map<String, Object> root;
        try {
            root = Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": not " + what + " JSON file: " + e.getMessage(), e);
        }
        for (String k : root.keySet())
            if (!java.util.Set.of("version", "name", "values", "sources").contains(k))
                throw new IllegalArgumentException(file + ": unknown top-level key '" + k + "' (allowed: version, name, "
                    + "values, sources)");
        if (!Double.valueOf(1).equals(root.get("version")))
            throw new IllegalArgumentException(file + ": version must be 1, got " + value(root.get("version")));
        // name and sources are for the reader, not read; a wrong type is still a file that was not written as meant
        if (root.containsKey("name") && !(root.get("name") instanceof String))
            throw new IllegalArgumentException(file + ": 'name' must be a string, got " + value(root.get("name")));
        if (root.containsKey("sources")) {
            if (!(root.get("sources") instanceof Map<?, ?> src))
                throw new IllegalArgumentException(file + ": 'sources' must be an object of notes, one string per "
                    + "field, got " + value(root.get("sources")));
            for (Map.Entry<?, ?> e : src.entrySet())
                if (!(e.getValue() instanceof String))
                    throw new IllegalArgumentException(file + ": sources." + e.getKey() + " must be a string (a note "
                        + "on where the value comes from), got " + value(e.getValue()));
        }
        if (!(root.get("values") instanceof Map))
            throw new IllegalArgumentException(file + ": 'values' must be an object of " + type.getSimpleName()
                + " fields, got " + value(root.get("values")));
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) root.get("values");
        requireKnownFields(type, values, file + ": values");
        return bind(type, values, file + ": values");
    }

    /** Refuses a key that names no component of {@code type} (a misspelt field would otherwise be missed). */
    @SuppressWarnings("unchecked")
    private static void requireKnownFields(Class<? extends Record> type, Map<String, Object> values, String where) {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) names.add(c.getName());
        for (String k : values.keySet()) {
            if (!names.contains(k))
                throw new IllegalArgumentException(where + ": " + type.getSimpleName() + " has no field '" + k
                    + "' (fields: " + String.join(", ", names) + ")");
        }
        for (RecordComponent c : type.getRecordComponents())
            if (c.getType().isRecord() && values.get(c.getName()) instanceof Map<?, ?> m)
                requireKnownFields((Class<? extends Record>) c.getType(), (Map<String, Object>) m,
                    where + "." + c.getName());
    }

    /** Builds record {@code type} from a JSON object; {@code where} names the source in errors. */
    @SuppressWarnings("unchecked")
    public static <R extends Record> R bind(Class<R> type, Map<String, Object> values, String where) {
        RecordComponent[] rc = type.getRecordComponents();
        Object[] args = new Object[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        List<String> nullNumbers = new ArrayList<>();
        for (int k = 0; k < rc.length; k++) {
            String key = rc[k].getName();
            Class<?> t = rc[k].getType();
            types[k] = t;
            if (values == null) throw new IllegalArgumentException(where + ": " + type.getSimpleName() + " values missing");
            Object v = values.get(key);
            if (v == null && !values.containsKey(key))
                throw new IllegalArgumentException(where + ": " + type.getSimpleName() + "." + key + " missing");
            String field = where + ": " + type.getSimpleName() + "." + key;
            if (t == double.class) {
                // JSON has no Infinity: the writer writes it as null (e.g. Knobs.dramBwBytesPerCycle, unlimited)
                if (v == null) nullNumbers.add(key);
                args[k] = v == null ? Double.POSITIVE_INFINITY : as(Double.class, v, field, "a number");
            }
            else if (t == int.class) {
                double d = as(Double.class, v, field, "a whole number");
                if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE)
                    throw new IllegalArgumentException(field + " must be a whole number, got " + value(v));
                args[k] = (int) d;
            }
            else if (t == boolean.class) args[k] = as(Boolean.class, v, field, "true or false");
            else if (t == String.class) args[k] = as(String.class, v, field, "a string");
            else if (t.isEnum()) {
                String name = as(String.class, v, field, "one of " + java.util.Arrays.toString(t.getEnumConstants()));
                try {
                    args[k] = Enum.valueOf((Class<Enum>) t, name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(field + " must be one of "
                        + java.util.Arrays.toString(t.getEnumConstants()) + ", got '" + name + "'", e);
                }
            }
            else if (t.isRecord())
                args[k] = bind((Class<Record>) t, as(Map.class, v, field, "an object"), where + "." + key);
            else throw new IllegalArgumentException(where + ": unsupported component type " + t + " for " + key);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (InvocationTargetException e) {
            // the record's own range checks: say which file or resource held the value
            if (e.getCause() instanceof IllegalArgumentException r)
                throw new IllegalArgumentException(where + ": " + r.getMessage() + (nullNumbers.isEmpty() ? ""
                    : " (null, which reads as Infinity, in " + type.getSimpleName() + "." + String.join(", ", nullNumbers)
                        + ")"), r);
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code v} as {@code type}, or an error naming the field, what it must be and what it is. */
    @SuppressWarnings("unchecked")
    private static <T> T as(Class<?> type, Object v, String field, String what) {
        if (!type.isInstance(v)) throw new IllegalArgumentException(field + " must be " + what + ", got " + value(v));
        return (T) v;
    }

    /** Component-name map of a record (nested records as nested maps), for reports. */
    public static Map<String, Object> toMap(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(r);
                m.put(c.getName(), v instanceof Record n ? toMap(n) : v instanceof Enum<?> en ? en.name() : v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    static void range(String rec, String field, double v, double lo, double hi) {
        check(rec, field, v, lo, hi, plain(hi));
    }

    /** As above, the upper bound another field's value, named in the message ("[64, inputBufBytes = 64]"). */
    static void range(String rec, String field, double v, double lo, double hi, String hiField) {
        check(rec, field, v, lo, hi, hiField + " = " + plain(hi));
    }

    private static void check(String rec, String field, double v, double lo, double hi, String hiText) {
        if (!(v >= lo && v <= hi))
            throw new IllegalArgumentException(rec + "." + field + " must be in [" + plain(lo) + ", " + hiText + "], got "
                + plain(v));
    }

    /** A JSON value in a message: a number as {@link #plain} writes it, anything else as it is. */
    static String value(Object v) {
        return v instanceof Number n ? plain(n.doubleValue()) : String.valueOf(v);
    }

    /**
     * A number in a message, as a person writes it: 1, 0.05, 196608, 0.0009765625 (Java would write 1.0, 196608.0
     * and 9.765625E-4). Whole numbers below 10^15 are written as integers, other values in [10^-6, 10^7) in plain
     * decimals (exactly, as many digits as {@link Double#toString} gives), the rest, NaN and the infinities as
     * {@link Double#toString} writes them. The hardware model's messages and the command line's ({@code Numbers.plain}
     * in sd-zoo calls it) use it.
     */
    public static String plain(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 1e-6 && Math.abs(v) < 1e7
                ? java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : Double.toString(v);
    }
}
