package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Derivation}'s formula reader and the text the reports write, at their edges: left-to-right operators of
 * one precedence, exponents with a sign, the nesting limit of 64 parentheses (and that closing one gives it back),
 * the position an error names, and the quantities' text (integers without a fraction below 10^15, the rest as
 * {@link Double#toString}). Expected values are hand calculations.
 */
class DerivationEdgesTest {
    static final Map<String, Double> V = Map.of("a", 2.0, "b", 3.0, "_x1", 4.0, "big_Q", 10.0);

    static String message(String formula) {
        return assertThrows(IllegalArgumentException.class, () -> Derivation.eval(formula, V)).getMessage();
    }

    @Test
    void operatorsOfOnePrecedenceGoLeftToRight() {
        assertEquals(5, Derivation.eval("8 - 2 - 1", V));
        assertEquals(2, Derivation.eval("8 / 2 / 2", V));
        assertEquals(4, Derivation.eval("b * a - _x1 / a", V));
        assertEquals(-1, Derivation.eval("a - b", V));
        assertEquals(0.5, Derivation.eval("a / _x1", V));
        assertEquals(1.5, Derivation.eval("b/a", V));
        assertEquals(13, Derivation.eval("\ta*big_Q\n- b - _x1 ", V));
        assertEquals(20, Derivation.eval("(a + b) * _x1", V));
    }

    @Test
    void numbersTakeASignedExponentAndAMinusElsewhereSubtracts() {
        assertEquals(2000, Derivation.eval("2E+3", V));
        assertEquals(2e-3, Derivation.eval("2e-3", V));
        assertEquals(1999, Derivation.eval("2e3-1", V));
        // without an exponent letter before it, a sign is an operator
        assertEquals(-1, Derivation.eval("2-3", V));
        assertEquals(5, Derivation.eval("2+3", V));
        assertEquals(0.5, Derivation.eval(".5", V));
        assertEquals(5, Derivation.eval("5.", V));
        assertEquals("Derivation formula \"1x\" at 2: '1x' is not a number", message("1x"));
        assertEquals("Derivation formula \"2-\" at 2: a value is missing at the end", message("2-"));
    }

    @Test
    void parenthesesNestAtMostSixtyFourDeep() {
        String ok = "(".repeat(64) + "a" + ")".repeat(64);
        assertEquals(2, Derivation.eval(ok, V));
        String deep = "(".repeat(65) + "a" + ")".repeat(65);
        assertEquals("Derivation formula \"" + deep + "\" at 64: parentheses nest deeper than 64", message(deep));
        // closing a parenthesis gives its level back: 70 groups one deep are fine
        String flat = String.join(" + ", java.util.Collections.nCopies(70, "(a)"));
        assertEquals(140, Derivation.eval(flat, V));
    }

    @Test
    void errorsNameThePositionAndWhatIsWrong() {
        assertEquals("Derivation formula \"a $ b\" at 2: unexpected '$'", message("a $ b"));
        assertEquals("Derivation formula \"a)\" at 1: unexpected ')'", message("a)"));
        assertEquals("Derivation formula \"(a\" at 2: ')' is missing", message("(a"));
        assertEquals("Derivation formula \"(a b)\" at 3: ')' is missing", message("(a b)"));
        assertEquals("Derivation formula \"\" at 0: a value is missing at the end", message(""));
        assertEquals("Derivation formula \"  \" at 2: a value is missing at the end", message("  "));
        assertTrue(message("c").startsWith("Derivation formula \"c\" at 1: unknown quantity 'c'; known: "), message("c"));
        assertTrue(!message("c").contains("function"), message("c")); // no word of functions for a plain name
        // a function call (ceil, as a model's Java computes it) is no quantity: the message says what formulas take
        String call = message("ceil (a / b)");
        assertTrue(call.startsWith("Derivation formula \"ceil (a / b)\" at 4: unknown quantity 'ceil'; known: "), call);
        assertTrue(call.endsWith("; formulas have no functions (numbers, quantity names, + - * / and parentheses only): "
            + "give the function's result as a quantity of its own"), call);
    }

    @Test
    void quantitiesTextWritesIntegersWithoutAFractionBelowTenToTheFifteen() {
        Derivation d = Derivation.of("a", "a", 3, "b", 0.5, "c", 999_999_999_999_999L, "d", 1e15, "e", -2, "f", -1e15,
            "g", 0.0);
        assertEquals("a=3;b=0.5;c=999999999999999;d=1.0E15;e=-2;f=-1.0E15;g=0", d.quantitiesText());
        assertEquals("", Derivation.NONE.quantitiesText());
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), List.copyOf(d.quantities().keySet()), "the model's order");
        assertThrows(UnsupportedOperationException.class, () -> d.quantities().put("h", 1.0));
    }

    @Test
    void aBlankFormulaIsNoDerivation() {
        assertTrue(Derivation.NONE.isEmpty());
        assertTrue(Double.isNaN(Derivation.NONE.ccomp()));
        Derivation blank = Derivation.of(" \t", "a", 1);
        assertTrue(blank.isEmpty());
        assertTrue(Double.isNaN(blank.ccomp()));
        Derivation d = Derivation.of("a * 2", "a", 1.5);
        assertFalse(d.isEmpty());
        assertEquals(3, d.ccomp());
    }

    @Test
    void namesAndValuesAreCheckedWithTheirMessages() {
        assertEquals("Derivation.of: names and values must alternate, got 3",
            assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a", 1, "b")).getMessage());
        assertEquals("Derivation.of: expected a name and a number at 2, got 5 and 6",
            assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a", 1, 5, 6)).getMessage());
        assertEquals("Derivation.of: expected a name and a number at 0, got a and x",
            assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a", "x")).getMessage());
        assertEquals("Derivation: quantity name must be an identifier, got 'a-b'",
            assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a-b", 1)).getMessage());
        Map<String, Double> nul = new LinkedHashMap<>();
        nul.put(null, 1.0);
        assertEquals("Derivation: quantity name must be an identifier, got 'null'",
            assertThrows(IllegalArgumentException.class, () -> new Derivation("a", nul)).getMessage());
        Map<String, Double> noValue = new LinkedHashMap<>();
        noValue.put("a", null);
        assertEquals("Derivation: quantity a must be finite, got null",
            assertThrows(IllegalArgumentException.class, () -> new Derivation("a", noValue)).getMessage());
        assertEquals("Derivation: quantity a must be finite, got Infinity",
            assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a", Double.POSITIVE_INFINITY)).getMessage());
        assertThrows(NullPointerException.class, () -> new Derivation(null, Map.of()));
        assertEquals(Map.of("_a1", 2.0), Derivation.of("_a1", "_a1", 2).quantities());
    }
}
