package org.smartdeal.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 array stored as is in an {@code .sdm} file: biases, BatchNorm parameters and
 * statistics, and the weights of layers left dense.
 *
 * @param name   the array's name (e.g. a DL4J parameter key); non-empty
 * @param role   whether it is a conv/FC weight left dense (counts in the paper CR) or other
 * @param shape  dimensions, rank 0 to {@link #MAX_RANK}, each &gt;= 0; rank 0 holds one value
 * @param values the values in C order, length = product of shape, each finite (a parameter is
 *               never NaN or infinite); held, not copied
 */
public record FloatArrayEntry(String name, Role role, long[] shape, float[] values) implements SdmEntry {

    /** Largest rank accepted. */
    public static final int MAX_RANK = 32;

    /** What a float array is, for storage accounting. */
    public enum Role {
        /** Biases, BatchNorm, anything not a conv/FC weight: counts nowhere in the paper CR. Code 0. */
        OTHER,
        /** The weight of a conv/FC layer left dense: 32 bits per weight in the paper CR. Code 1. */
        DENSE_WEIGHT
    }

    /** Validates the fields. */
    public FloatArrayEntry {
        Objects.requireNonNull(name, "FloatArrayEntry.name");
        Objects.requireNonNull(role, "FloatArrayEntry.role");
        Objects.requireNonNull(shape, "FloatArrayEntry.shape");
        Objects.requireNonNull(values, "FloatArrayEntry.values");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("FloatArrayEntry.name must not be empty");
        }
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("FloatArrayEntry(" + name + ").shape rank must be in [0, " + MAX_RANK
                    + "], got " + shape.length);
        }
        long count = product(shape, "FloatArrayEntry(" + name + ").shape");
        if (count != values.length) {
            throw new IllegalArgumentException("FloatArrayEntry(" + name + "): shape " + Arrays.toString(shape)
                    + " holds " + count + " values but values.length = " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("FloatArrayEntry(" + name + ").values[" + i + "] must be finite"
                        + " (a parameter is never NaN or infinite), got " + values[i]);
            }
        }
    }

    /** An OTHER-role array. */
    public static FloatArrayEntry of(String name, long[] shape, float[] values) {
        return new FloatArrayEntry(name, Role.OTHER, shape, values);
    }

    /** Product of the dimensions; throws naming {@code what} if one is negative or it overflows. */
    static long product(long[] shape, String what) {
        long p = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(what + "[" + i + "] must be >= 0, got " + Arrays.toString(shape));
            }
            try {
                p = Math.multiplyExact(p, shape[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(what + " " + Arrays.toString(shape) + " has too many elements");
            }
        }
        return p;
    }

    @Override
    public SectionType sectionType() {
        return SectionType.FLOAT_ARRAY;
    }

    @Override
    public long parameterCount() {
        return values.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatArrayEntry e && name.equals(e.name) && role == e.role
                && Arrays.equals(shape, e.shape) && Arrays.equals(values, e.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, role, Arrays.hashCode(shape), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "FloatArrayEntry[" + name + ", " + role + ", " + Arrays.toString(shape) + "]";
    }
}
