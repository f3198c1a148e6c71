package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link DirectBuffers}' layout checks at the edges mutation testing found untested: a one-element view, whose
 * element-wise stride is that of the array it was cut from, and two arrays of equal length and shape but different
 * strides.
 */
class DirectBuffersEdgesTest {

    /** 1..12 as a 3 x 4 float matrix, C order: strides [4, 1]. */
    private static INDArray matrix() {
        return Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(3, 4);
    }

    /**
     * One element is always "one contiguous run", whatever stride ND4J reports: the first element of column 1 (the
     * value 2) has element-wise stride 4, that of the column, and is accepted, and index offset() + 0 reads it.
     * The whole column (3 elements 4 apart) is refused.
     */
    @Test
    void oneElementIsDenseWhateverItsStride() {
        INDArray column = matrix().getColumn(1);
        INDArray one = column.get(NDArrayIndex.interval(0, 1));
        assertEquals(1, one.length());
        assertNotEquals(1, one.elementWiseStride(), "the case under test: a stride other than 1");
        assertDoesNotThrow(() -> DirectBuffers.requireDense(one, "c"));
        assertEquals(2f, DirectBuffers.floats(one).get((int) one.offset()), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirectBuffers.requireDense(column, "c"));
        assertEquals("c must be contiguous (element-wise stride 1), got shape [3] stride [4]", e.getMessage());
    }

    /**
     * Walking two arrays index by index needs the same strides: a 2 x 3 array in C order (strides [3, 1]) and one in
     * Fortran order (strides [1, 2]) have equal length and shape but put element (0, 1) at different indices, and are
     * refused; two single elements need no common stride.
     */
    @Test
    void equalLengthsWithDifferentStridesAreNotTheSameLayout() {
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {2, 3}, 'c');
        INDArray f = Nd4j.create(DataType.FLOAT, new long[] {2, 3}, 'f');
        assertDoesNotThrow(() -> DirectBuffers.requireSameLayout(c, "g", c.dup('c'), "v"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirectBuffers.requireSameLayout(c, "g", f, "v"));
        assertEquals("g and v must have the same layout, got shape [2, 3] stride [3, 1] and shape [2, 3] stride [1, 2]",
                e.getMessage());
        INDArray one = matrix().getColumn(1).get(NDArrayIndex.interval(0, 1));
        assertDoesNotThrow(() -> DirectBuffers.requireSameLayout(one, "g", Nd4j.create(DataType.FLOAT, 1), "v"));
    }
}
