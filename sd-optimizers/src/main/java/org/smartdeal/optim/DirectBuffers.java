package org.smartdeal.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Allocation-free element access to dense ND4J arrays through NIO views of their native memory.
 *
 * <p>The bucket-switch kernels read and write several arrays element by element in one fused pass.
 * ND4J ops would need one pass (and one temporary) per arithmetic step; NIO buffers on the native
 * memory are intrinsified by the JIT. {@code data().asNioFloat()} covers the whole underlying buffer,
 * so element {@code i} of a contiguous view lives at {@code offset() + i}.
 */
final class DirectBuffers {

    private DirectBuffers() {
    }

    /**
     * Checks that {@code a} is float32 or float64 and that its elements occupy one contiguous run of
     * its buffer, so that linear index {@code offset() + i} visits every element once.
     *
     * @throws IllegalArgumentException naming {@code what} when not
     */
    static void requireDense(INDArray a, String what) {
        DataType t = a.dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) {
            throw new IllegalArgumentException(what + " must be FLOAT or DOUBLE, got " + t);
        }
        if (a.length() > 1 && a.elementWiseStride() != 1) {
            throw new IllegalArgumentException(what + " must be contiguous (element-wise stride 1), got shape "
                    + Arrays.toString(a.shape()) + " stride " + Arrays.toString(a.stride()));
        }
        if (a.offset() + a.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is too large for NIO indexing: offset " + a.offset()
                    + " + length " + a.length());
        }
    }

    /**
     * Checks that two arrays can be walked together index by index: same data type, length, shape
     * and strides.
     */
    static void requireSameLayout(INDArray a, String whatA, INDArray b, String whatB) {
        if (a.dataType() != b.dataType()) {
            throw new IllegalArgumentException(whatA + " and " + whatB + " must share a data type, got "
                    + a.dataType() + " and " + b.dataType());
        }
        if (a.length() != b.length() || (a.length() > 1 && !Arrays.equals(a.stride(), b.stride()))) {
            throw new IllegalArgumentException(whatA + " and " + whatB + " must have the same layout, got shape "
                    + Arrays.toString(a.shape()) + " stride " + Arrays.toString(a.stride()) + " and shape "
                    + Arrays.toString(b.shape()) + " stride " + Arrays.toString(b.stride()));
        }
    }

    /** A float view of the whole underlying buffer of a float32 array; index with {@code a.offset() + i}. */
    static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat();
    }

    /** A double view of the whole underlying buffer of a float64 array; index with {@code a.offset() + i}. */
    static DoubleBuffer doubles(INDArray a) {
        return a.data().asNioDouble();
    }
}
