package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.junit.jupiter.api.Test;

/**
 * {@link SdHyperparameterSpace} alone, without a sweep: the ends of the fixed sliceRows range, the values a space
 * gives when checked against a network, equality and the one-value refusal (found by mutation testing: each case was
 * a change of the code no fast test noticed; ConversionSweepTest, which runs sweeps, checks some of them too).
 */
class SdHyperparameterSpaceEdgesTest {

    /** The class Javadoc: sliceRows in [n, 4096] (SdLayer.MAX_SLICE_ROWS); the space checks [1, 4096]. */
    @Test
    void aFixedSliceRowsOfOneOr4096IsAccepted() {
        assertEquals(1, new SdHyperparameterSpace.Builder().sliceRows(1).build().fixedValues().sliceRows());
        assertEquals(4096, new SdHyperparameterSpace.Builder().sliceRows(4096).build().fixedValues().sliceRows());
    }

    /**
     * fixedValues: the fixed settings, null for a searched or unset one. lenientValues: the same, except that a
     * searched sliceRows is 4096 and a searched basisWidth 1 (its Javadoc: "the values that pass a slice-height
     * check whatever the other setting is").
     */
    @Test
    void fixedAndLenientValuesFollowTheirJavadoc() {
        SdHyperparameterSpace searched = new SdHyperparameterSpace.Builder()
                .sliceRows(new DiscreteParameterSpace<>(6, 12)).basisWidth(new IntegerParameterSpace(2, 4))
                .theta(new ContinuousParameterSpace(1e-3, 1e-2)).maxCoeff(16.0).build();
        assertEquals(new SdHyperparameters(null, null, null, 16.0), searched.fixedValues());
        assertEquals(new SdHyperparameters(4096, 1, null, 16.0), searched.lenientValues());
        SdHyperparameterSpace fixed = new SdHyperparameterSpace.Builder().sliceRows(6).basisWidth(3).theta(0.01).build();
        assertEquals(new SdHyperparameters(6, 3, 0.01, null), fixed.fixedValues());
        assertEquals(new SdHyperparameters(6, 3, 0.01, null), fixed.lenientValues());
        SdHyperparameterSpace unset = new SdHyperparameterSpace.Builder().build();
        assertEquals(new SdHyperparameters(null, null, null, null), unset.lenientValues());
        assertNull(SdHyperparameterSpace.fixedValue(null));
        assertNull(SdHyperparameterSpace.fixedValue(new ContinuousParameterSpace(0, 1)));
        assertEquals(7, SdHyperparameterSpace.fixedValue(new FixedValue<>(7)));
    }

    /** The getters return the spaces given (null when unset); equals compares the four spaces by value. */
    @Test
    void gettersAndEqualityAreByTheFourSpaces() {
        ParameterSpace<Integer> rows = new DiscreteParameterSpace<>(6, 12);
        ParameterSpace<Integer> width = new IntegerParameterSpace(2, 4);
        ParameterSpace<Double> theta = new ContinuousParameterSpace(1e-3, 1e-2);
        ParameterSpace<Double> coeff = new DiscreteParameterSpace<>(8.0, 16.0);
        SdHyperparameterSpace s = new SdHyperparameterSpace.Builder().sliceRows(rows).basisWidth(width).theta(theta)
                .maxCoeff(coeff).build();
        assertSame(rows, s.getSliceRows());
        assertSame(width, s.getBasisWidth());
        assertSame(theta, s.getTheta());
        assertSame(coeff, s.getMaxCoeff());
        SdHyperparameterSpace same = new SdHyperparameterSpace.Builder().sliceRows(new DiscreteParameterSpace<>(6, 12))
                .basisWidth(width).theta(theta).maxCoeff(coeff).build();
        assertEquals(s, same);
        assertEquals(s.hashCode(), same.hashCode(), "equal spaces, equal hashes (Object.hashCode's contract)");
        assertNotEquals(s, new SdHyperparameterSpace.Builder().sliceRows(rows).basisWidth(width).theta(theta).build());
        assertNotEquals(s, new SdHyperparameterSpace.Builder().build());
        assertNotEquals(s, "SdHyperparameterSpace");
        assertNull(new SdHyperparameterSpace.Builder().build().getTheta(), "unset: the layer default");
        assertEquals("SdHyperparameterSpace(sliceRows=null, basisWidth=null, theta=null, maxCoeff=null)",
                new SdHyperparameterSpace.Builder().build().toString(), "every field named, unset ones as null");
    }

    /**
     * gridSafe: an IntegerParameterSpace of one value (min = max) is refused like a one-value discrete space (the
     * Javadoc: Arbiter's grid search misplaces it); one of two values is a search.
     */
    @Test
    void anIntegerRangeOfOneValueIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SdHyperparameterSpace.Builder().basisWidth(new IntegerParameterSpace(3, 3)));
        assertEquals("SdHyperparameterSpace.basisWidth is an IntegerParameterSpace of one value: give the value itself"
                + " (a FixedValue), since Arbiter's grid search misplaces one-value discrete spaces and every candidate"
                + " after them fails", e.getMessage());
        assertEquals(1, new SdHyperparameterSpace.Builder().basisWidth(new IntegerParameterSpace(3, 4)).build()
                .numParameters());
    }
}
