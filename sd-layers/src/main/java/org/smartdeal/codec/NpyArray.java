package org.smartdeal.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * An array read from a {@code .npy} file: shape, values widened to double in C order, and the
 * file's dtype.
 *
 * @param shape the dimensions (rank 0 = a scalar holding one value), each &gt;= 0
 * @param data  the values in C order, length = product of shape; held, not copied
 * @param dtype the dtype string of the file, {@code "<f4"} or {@code "<f8"}
 */
public record NpyArray(long[] shape, double[] data, String dtype) {

    /** Validates that shape and data agree. */
    public NpyArray {
        Objects.requireNonNull(shape, "NpyArray.shape");
        Objects.requireNonNull(data, "NpyArray.data");
        Objects.requireNonNull(dtype, "NpyArray.dtype");
        long n = FloatArrayEntry.product(shape, "NpyArray.shape");
        if (n != data.length) {
            throw new IllegalArgumentException("NpyArray: shape " + Arrays.toString(shape) + " holds " + n
                    + " values but data.length = " + data.length);
        }
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The shape as ints (each dimension must fit an int). */
    public int[] shapeAsInts() {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = Math.toIntExact(shape[i]);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data)
                && dtype.equals(a.dtype);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(shape), Arrays.hashCode(data), dtype);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
