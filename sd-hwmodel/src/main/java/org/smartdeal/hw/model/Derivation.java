package org.smartdeal.hw.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a layer's compute cycles were obtained, so that they can be recomputed from the reports: {@code ccomp} is
 * {@link #ccompFormula} evaluated over {@link #quantities}, the named intermediate values of the accelerator model
 * (for example SmartDeal's {@code groupMaxLoad}, the sum over 64-filter groups of the busiest PE line's non-zero
 * weights, which depends on where the zeros are and cannot be recomputed from a layer's shape). Quantities that
 * other counts use (SmartDeal's input rows, SCNN's product sum) are listed too. {@link CostModel} checks that the
 * formula gives the model's {@code ccomp}; the reports write both (docs/HWMODEL-RESULTS.md, "Output files").
 *
 * <p>Formulas use numbers, quantity names, {@code + - * /} and parentheses.
 *
 * @param ccompFormula the formula of ccomp over the quantities' names; empty when the model gives none
 * @param quantities   named values, in the order the model lists them (names are Java identifiers, values finite)
 */
public record Derivation(String ccompFormula, Map<String, Double> quantities) {

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** No derivation (an accelerator model that does not give one). */
    public static final Derivation NONE = new Derivation("", Map.of());

    /** Validates names and values and copies the map, keeping its order. */
    public Derivation {
        java.util.Objects.requireNonNull(ccompFormula, "ccompFormula");
        Map<String, Double> copy = new LinkedHashMap<>();
        quantities.forEach((k, v) -> {
            if (k == null || !NAME.matcher(k).matches())
                throw new IllegalArgumentException("Derivation: quantity name must be an identifier, got '" + k + "'");
            if (v == null || !Double.isFinite(v))
                throw new IllegalArgumentException("Derivation: quantity " + k + " must be finite, got " + v);
            copy.put(k, v);
        });
        quantities = Collections.unmodifiableMap(copy);
    }

    /**
     * A derivation from a formula and alternating names and values: {@code of("N * E", "N", 1, "E", 56)}.
     *
     * @throws IllegalArgumentException for an odd count, a name that is not a String or a value that is not a number
     */
    public static Derivation of(String ccompFormula, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0)
            throw new IllegalArgumentException("Derivation.of: names and values must alternate, got " + namesAndValues.length);
        Map<String, Double> q = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String name) || !(namesAndValues[i + 1] instanceof Number v))
                throw new IllegalArgumentException("Derivation.of: expected a name and a number at " + i + ", got "
                    + namesAndValues[i] + " and " + namesAndValues[i + 1]);
            q.put(name, v.doubleValue());
        }
        return new Derivation(ccompFormula, q);
    }

    /** @return whether a formula is given */
    public boolean isEmpty() {
        return ccompFormula.isBlank();
    }

    /** @return the formula evaluated over the quantities (NaN when empty) */
    public double ccomp() {
        return isEmpty() ? Double.NaN : eval(ccompFormula, quantities);
    }

    /** @return the quantities as {@code name=value} pairs separated by {@code ;} (round-trippable numbers) */
    public String quantitiesText() {
        StringBuilder b = new StringBuilder();
        quantities.forEach((k, v) -> b.append(b.length() == 0 ? "" : ";").append(k).append('=').append(text(v)));
        return b.toString();
    }

    private static String text(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * Evaluates a formula of numbers, names, {@code + - * /} and parentheses (usual precedence, left to right).
     *
     * @throws IllegalArgumentException naming the formula and what is wrong in it (an unknown name, a stray
     *     character, unbalanced parentheses)
     */
    public static double eval(String formula, Map<String, Double> values) {
        Parser p = new Parser(formula, values);
        double v = p.sum();
        p.skipSpaces();
        if (p.pos != formula.length()) throw p.error("unexpected '" + formula.charAt(p.pos) + "'");
        return v;
    }

    private static final class Parser {
        private final String s;
        private final Map<String, Double> values;
        private int pos;
        private int depth;

        Parser(String s, Map<String, Double> values) {
            this.s = s;
            this.values = values;
        }

        double sum() {
            double v = product();
            for (skipSpaces(); pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-'); skipSpaces()) {
                char op = s.charAt(pos++);
                double r = product();
                v = op == '+' ? v + r : v - r;
            }
            return v;
        }

        double product() {
            double v = factor();
            for (skipSpaces(); pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/'); skipSpaces()) {
                char op = s.charAt(pos++);
                double r = factor();
                v = op == '*' ? v * r : v / r;
            }
            return v;
        }

        double factor() {
            skipSpaces();
            if (pos >= s.length()) throw error("a value is missing at the end");
            char c = s.charAt(pos);
            if (c == '(') {
                if (++depth > 64) throw error("parentheses nest deeper than 64");
                pos++;
                double v = sum();
                skipSpaces();
                if (pos >= s.length() || s.charAt(pos) != ')') throw error("')' is missing");
                pos++;
                depth--;
                return v;
            }
            int start = pos;
            if (Character.isDigit(c) || c == '.') {
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.'
                    || (s.charAt(pos) == '-' || s.charAt(pos) == '+') && (s.charAt(pos - 1) == 'E' || s.charAt(pos - 1) == 'e'))) pos++;
                try {
                    return Double.parseDouble(s.substring(start, pos));
                } catch (NumberFormatException e) {
                    throw error("'" + s.substring(start, pos) + "' is not a number");
                }
            }
            if (Character.isLetter(c) || c == '_') {
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String name = s.substring(start, pos);
                Double v = values.get(name);
                if (v == null) {
                    boolean call = s.substring(pos).stripLeading().startsWith("(");
                    throw error("unknown quantity '" + name + "'; known: " + values.keySet() + (call
                        ? "; formulas have no functions (numbers, quantity names, + - * / and parentheses only): give "
                          + "the function's result as a quantity of its own"
                        : ""));
                }
                return v;
            }
            throw error("unexpected '" + c + "'");
        }

        void skipSpaces() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(String.format(Locale.ROOT, "Derivation formula \"%s\" at %d: %s", s, pos, what));
        }
    }
}
