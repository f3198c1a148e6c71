package org.smartdeal.hw.spec;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
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

    /** Builds record {@code type} from a JSON object; {@code where} names the source in errors. */
    @SuppressWarnings("unchecked")
    public static <R extends Record> R bind(Class<R> type, Map<String, Object> values, String where) {
        RecordComponent[] rc = type.getRecordComponents();
        Object[] args = new Object[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        for (int k = 0; k < rc.length; k++) {
            String key = rc[k].getName();
            Class<?> t = rc[k].getType();
            types[k] = t;
            Object v = values == null ? null : values.get(key);
            if (v == null && !values.containsKey(key))
                throw new IllegalArgumentException(where + ": " + type.getSimpleName() + "." + key + " missing");
            if (t == double.class) args[k] = v == null ? Double.POSITIVE_INFINITY : (Double) v;
            else if (t == int.class) args[k] = ((Double) v).intValue();
            else if (t == boolean.class) args[k] = (Boolean) v;
            else if (t == String.class) args[k] = (String) v;
            else if (t.isEnum()) args[k] = Enum.valueOf((Class<Enum>) t, (String) v);
            else if (t.isRecord()) args[k] = bind((Class<Record>) t, (Map<String, Object>) v, where + "." + key);
            else throw new IllegalArgumentException(where + ": unsupported component type " + t + " for " + key);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
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
        if (!(v >= lo && v <= hi))
            throw new IllegalArgumentException(rec + "." + field + " must be in [" + lo + ", " + hi + "], got " + v);
    }
}
