package org.smartdeal.hw.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON reader/writer (objects, arrays, strings, numbers, booleans, null) so the cost
 * model needs no JSON library. Objects become {@link LinkedHashMap}, arrays {@link ArrayList},
 * numbers {@link Double}.
 */
public final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value; throws IllegalArgumentException naming the offset on bad input. */
    public static Object parse(String text) {
        Json p = new Json(text);
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) throw p.err("trailing characters");
        return v;
    }

    /** Parses one JSON object (e.g. a report's summary.json); throws IllegalArgumentException for any other value. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new IllegalArgumentException("JSON text must be an object, got " + Specs.value(v));
        return (Map<String, Object>) v;
    }

    /** Reads and parses a classpath resource relative to this package's root {@code org/smartdeal/hw/}. */
    public static Map<String, Object> resource(String name) {
        try (InputStream in = Json.class.getResourceAsStream("/org/smartdeal/hw/" + name)) {
            if (in == null) throw new IllegalArgumentException("resource org/smartdeal/hw/" + name + " not found");
            return parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the number under {@code key} of the object {@code o}, or fails naming the key. */
    public static double num(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (!(v instanceof Double d)) throw new IllegalArgumentException("JSON key '" + key + "' must be a number, got " + Specs.value(v));
        return d;
    }

    /** Serialises maps, lists, numbers (NaN/infinite as null), strings and booleans, pretty-printed. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 0);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, int ind) {
        if (v == null) b.append("null");
        else if (v instanceof Map<?, ?> m) {
            b.append('{');
            int k = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(k++ == 0 ? "\n" : ",\n").append("  ".repeat(ind + 1));
                str(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), ind + 1);
            }
            b.append(m.isEmpty() ? "" : "\n" + "  ".repeat(ind)).append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) b.append(", ");
                write(b, l.get(k), ind + 1);
            }
            b.append(']');
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) b.append("null");
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) b.append((long) d);
            else b.append(d);
        } else if (v instanceof Boolean) b.append(v);
        else str(b, v.toString());
    }

    private static void str(StringBuilder b, String t) {
        b.append('"');
        for (char c : t.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c == '\n') b.append("\\n");
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        b.append('"');
    }

    private IllegalArgumentException err(String what) {
        return new IllegalArgumentException("JSON " + what + " at offset " + i);
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    /** Nesting deeper than this is refused (a corrupt or hostile file must not exhaust the stack). */
    private static final int MAX_DEPTH = 256;
    private int depth;

    /** The character at the cursor; the end of the text is an error, not an exception from String. */
    private char at() {
        if (i >= s.length()) throw err("unexpected end");
        return s.charAt(i);
    }

    /** The character at the cursor, moving past it. */
    private char next() {
        char c = at();
        i++;
        return c;
    }

    private Object value() {
        ws();
        char c = at();
        if (c == '{' || c == '[') {
            if (++depth > MAX_DEPTH) throw err("nesting deeper than " + MAX_DEPTH);
            try {
                return c == '{' ? object() : array();
            } finally {
                depth--;
            }
        }
        if (c == '"') return string();
        for (String lit : new String[] {"true", "false", "null"}) {
            if (s.startsWith(lit, i)) {
                i += lit.length();
                return lit.equals("null") ? null : Boolean.valueOf(lit);
            }
        }
        int st = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        if (st == i) throw err("unexpected character '" + c + "'");
        String text = s.substring(st, i);
        // JSON's number grammar, stricter than Double.parseDouble: no leading zeros (0124 is a typo for 0.124,
        // not 124), no '+', no bare '.5' or '5.'
        if (!JSON_NUMBER.matcher(text).matches()) {
            i = st;
            throw err("malformed number '" + text.substring(0, Math.min(text.length(), 40)) + "' (JSON numbers: "
                + "an optional '-', 0 or digits without a leading 0, optionally '.' and digits, optionally e or E, a"
                + " sign and digits)");
        }
        return Double.parseDouble(text);
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (at() == '}') { i++; return m; }
        while (true) {
            ws();
            int keyAt = i;
            String k = string();
            ws();
            if (next() != ':') throw err("expected ':'");
            if (m.containsKey(k)) {
                i = keyAt;
                throw err("duplicate key '" + k + "'");
            }
            m.put(k, value());
            ws();
            char d = next();
            if (d == '}') return m;
            if (d != ',') throw err("expected ',' or '}'");
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (at() == ']') { i++; return l; }
        while (true) {
            l.add(value());
            ws();
            char d = next();
            if (d == ']') return l;
            if (d != ',') throw err("expected ',' or ']'");
        }
    }

    /** JSON's number grammar (RFC 8259, section 6). */
    private static final java.util.regex.Pattern JSON_NUMBER =
        java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private String string() {
        if (at() != '"') throw err("expected string");
        StringBuilder b = new StringBuilder();
        i++;
        while (at() != '"') {
            char c = next();
            if (c == '\\') {
                char e = next();
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case '"', '\\', '/' -> b.append(e);
                    case 'u' -> {
                        if (i + 4 > s.length()) throw err("unexpected end");
                        int code = 0;
                        for (int h = i; h < i + 4; h++) {
                            int digit = Character.digit(s.charAt(h), 16);
                            if (digit < 0) throw err("malformed \\u escape");
                            code = code * 16 + digit;
                        }
                        b.append((char) code);
                        i += 4;
                    }
                    default -> throw err("unknown escape '\\" + e + "' in a string");
                }
            } else if (c < 0x20) {
                throw err("control character U+" + String.format("%04X", (int) c) + " inside a string (write it as an"
                    + " escape)");
            } else b.append(c);
        }
        i++;
        return b.toString();
    }
}
