package org.smartdeal.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * B as int8 fixed point with a power-of-two scale per slice (ALGORITHMS.md 4.1, extended in format
 * 2.4): entry i of slice k is stored as {@code q = clamp(rint(b * 2^f_k), -127, 127)} and decodes
 * to {@code q * 2^-f_k}, where {@code f_k = fracBits + shifts[k]}.
 *
 * <p>f_k ({@link #fracBitsFor}) is the largest integer with {@code max|B_k| * 2^f_k <= 127}; it
 * may be negative (max|B_k| &gt; 127). It is found exactly from the IEEE exponent e of max|B_k|
 * (2^e &lt;= max|B_k| &lt; 2^(e+1)): f = 6 - e if max|B_k| * 2^(6-e) &lt;= 127, else 5 - e. Worked
 * cases: max|B| = 1.0 gives f = 6 (64 &lt;= 127 &lt; 128); 1.99 gives f = 5 (1.99 * 64 = 127.36
 * &gt; 127); 127 gives f = 0; 127.5 gives f = -1; 0.75 gives f = 7 (96). {@code fracBits} is the
 * smallest f_k over the slices whose B is not all zero (0 if every B is zero), and
 * {@code shifts[k] = f_k - fracBits} in [0, {@link #MAX_SHIFT}] (0 for an all-zero slice).
 *
 * <p>Why per slice: ALGORITHMS.md 4.1 asks for one scale per layer, which format 2.0 to 2.3
 * stored. One slice with a large B then sets the step for all of them: converting a LeNet-300-100
 * with basis width 4 gave fc1 (R = 196 rows per unit, slices of 192 and 4 rows) 4-row last slices
 * whose least-squares B reached 260, f = -2, and the B of 547 of its 600 slices rounded to 0, so
 * the file loaded into a network at chance accuracy. With a scale per slice every slice keeps
 * int8 precision relative to its own largest entry ({@link #MAX_SHIFT} bounds the range; a slice
 * whose scale would need a shift above 255 is refused rather than kept with a few bits or none).
 *
 * <p>Rounding is half-to-even ({@link Math#rint}): with f = 6, 2.5/64 stores 2 and 1.5/64
 * stores 2. The clamp never binds given f's definition but guards the int8 range; -128 is
 * never used. Decoding is {@code Math.scalb((double) q, -f_k)}: exact except where the result
 * would be a subnormal double (|B| below about 2^-1015), which is then IEEE-rounded.
 *
 * @param values    the int8 values q in [-127, 127], in B's order ([K, n, n], C order)
 * @param fracBits  f, the smallest scale, in [{@link #MIN_FRAC_BITS}, {@link #MAX_FRAC_BITS}]
 * @param shifts    per slice, f_k - f in [0, {@link #MAX_SHIFT}] with f_k &lt;= {@link #MAX_FRAC_BITS};
 *                  at least one slice, and the slice count divides {@code values.length}; all 0
 *                  for a layer of format 2.0 to 2.3 (one scale per layer)
 */
public record Int8Basis(byte[] values, int fracBits, int[] shifts) {

    /** Smallest f (max|B| near Double.MAX_VALUE gives -1018). */
    public static final int MIN_FRAC_BITS = -1100;
    /** Largest f (max|B| = 2^-1074 gives 1080). */
    public static final int MAX_FRAC_BITS = 1100;
    /** Largest per-slice shift f_k - f (format 2.4 stores each in w &lt;= 8 bits). */
    public static final int MAX_SHIFT = 255;

    /** Validates the values, f, the shifts and the slice count. */
    public Int8Basis {
        Objects.requireNonNull(values, "Int8Basis.values");
        Objects.requireNonNull(shifts, "Int8Basis.shifts");
        if (fracBits < MIN_FRAC_BITS || fracBits > MAX_FRAC_BITS) {
            throw new IllegalArgumentException("Int8Basis.fracBits must be in [" + MIN_FRAC_BITS + ", "
                    + MAX_FRAC_BITS + "], got " + fracBits);
        }
        if (shifts.length < 1 || values.length % shifts.length != 0) {
            throw new IllegalArgumentException("Int8Basis.shifts: the slice count must be >= 1 and divide the "
                    + values.length + " values, got " + shifts.length);
        }
        for (int k = 0; k < shifts.length; k++) {
            if (shifts[k] < 0 || shifts[k] > MAX_SHIFT || fracBits + shifts[k] > MAX_FRAC_BITS) {
                throw new IllegalArgumentException("Int8Basis.shifts[" + k + "] must be in [0, " + MAX_SHIFT
                        + "] with fracBits + shift <= " + MAX_FRAC_BITS + " (fracBits = " + fracBits + "), got "
                        + shifts[k]);
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("Int8Basis.values[" + i + "] must be in [-127, 127], got -128");
            }
        }
        shifts = shifts.clone();
    }

    /** One scale for all values (one slice): how format 2.0 to 2.3 stored a layer. */
    public Int8Basis(byte[] values, int fracBits) {
        this(values, fracBits, new int[1]);
    }

    /** {@code slices} slices sharing one scale (all shifts 0): a layer of format 2.0 to 2.3. */
    public static Int8Basis oneScale(byte[] values, int fracBits, int slices) {
        return new Int8Basis(values, fracBits, new int[slices]);
    }

    /** The largest f with {@code maxAbs * 2^f <= 127}, or 0 for maxAbs = 0. */
    public static int fracBitsFor(double maxAbs) {
        if (!(maxAbs >= 0) || Double.isInfinite(maxAbs)) {
            throw new IllegalArgumentException("Int8Basis.maxAbs must be finite and >= 0, got " + maxAbs);
        }
        if (maxAbs == 0.0) {
            return 0;
        }
        int e = Math.getExponent(maxAbs);
        if (e < Double.MIN_EXPONENT) { // subnormal: floor(log2) from the highest mantissa bit
            long mant = Double.doubleToRawLongBits(maxAbs);
            e = PowerOfTwoSymbols.MIN_EXPONENT + 63 - Long.numberOfLeadingZeros(mant);
        }
        // maxAbs * 2^(6-e) lies in [64, 128) and is exact (a normal double).
        double scaled = Math.scalb(maxAbs, 6 - e);
        return scaled <= 127.0 ? 6 - e : 5 - e;
    }

    /**
     * Quantizes B with one scale for all its values (a single slice).
     *
     * @param b B's values; not modified; each must be finite
     * @throws IllegalArgumentException naming the index and value of a NaN or infinite entry
     */
    public static Int8Basis quantize(double[] b) {
        return quantize(b, 1);
    }

    /**
     * Quantizes B with a scale per slice (format 2.4).
     *
     * @param b      B's values, {@code slices} slices of equal length in order; not modified; each finite
     * @param slices K, the number of slices, &gt;= 1, dividing {@code b.length}
     * @throws IllegalArgumentException naming the index and value of a NaN or infinite entry, or the
     *                                  slice whose scale f_k is more than {@link #MAX_SHIFT} above the
     *                                  smallest (its B that many powers of two smaller than the largest
     *                                  slice's), which would lose its int8 precision or round to 0
     */
    public static Int8Basis quantize(double[] b, int slices) {
        if (slices < 1 || b.length % slices != 0) {
            throw new IllegalArgumentException("Int8Basis.quantize: slices must be >= 1 and divide the "
                    + b.length + " values of B, got " + slices);
        }
        int len = b.length / slices;
        int[] f = new int[slices];
        boolean[] zero = new boolean[slices];
        int min = Integer.MAX_VALUE;
        for (int k = 0; k < slices; k++) {
            double maxAbs = 0;
            for (int i = k * len; i < (k + 1) * len; i++) {
                if (!Double.isFinite(b[i])) {
                    throw new IllegalArgumentException("B[" + i + "] must be finite, got " + b[i]);
                }
                maxAbs = Math.max(maxAbs, Math.abs(b[i]));
            }
            zero[k] = maxAbs == 0.0;
            f[k] = fracBitsFor(maxAbs);
            if (!zero[k]) {
                min = Math.min(min, f[k]);
            }
        }
        int base = min == Integer.MAX_VALUE ? 0 : min;
        int[] shifts = new int[slices];
        byte[] q = new byte[b.length];
        for (int k = 0; k < slices; k++) {
            if (!zero[k] && f[k] - base > MAX_SHIFT) {
                // at the capped scale its values would keep at most a few bits, or round to 0
                throw new IllegalArgumentException("Int8Basis.quantize: B of slice " + k + " needs f = " + f[k]
                        + " but its shift from f = " + base + " is capped at " + MAX_SHIFT
                        + ", so its values would lose their int8 precision or round to 0");
            }
            shifts[k] = zero[k] ? 0 : f[k] - base;
            for (int i = k * len; i < (k + 1) * len; i++) {
                double r = Math.rint(scaleBy(b[i], base + shifts[k]));
                q[i] = (byte) Math.max(-127.0, Math.min(127.0, r));
            }
        }
        return new Int8Basis(q, base, shifts);
    }

    /** Quantizes float32 B with a scale per slice (each value widened exactly to double first). */
    public static Int8Basis quantize(float[] b, int slices) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return quantize(d, slices);
    }

    /** The value of B after the int8 round trip with one scale: {@code rint(b * 2^f) * 2^-f}. */
    public static double[] roundTrip(double[] b) {
        return quantize(b).toDoubles();
    }

    /** The value of B after the int8 round trip with a scale per slice, as a file of format 2.4 stores it. */
    public static double[] roundTrip(double[] b, int slices) {
        return quantize(b, slices).toDoubles();
    }

    /** The number of slices (of scales). */
    public int slices() {
        return shifts.length;
    }

    /** f_k of the slice holding value i: {@code fracBits + shifts[i / (values.length / slices)]}. */
    public int fracBitsOf(int i) {
        return fracBits + shifts[i / (values.length / shifts.length)];
    }

    /** Decoded values {@code q * 2^-f_k} as doubles (a new array). */
    public double[] toDoubles() {
        double[] out = new double[values.length];
        int len = values.length / shifts.length;
        for (int i = 0; i < values.length; i++) {
            out[i] = scaleBy(values[i], -(fracBits + shifts[i / len]));
        }
        return out;
    }

    /** Decoded values as floats: the double value rounded to float (exact for f_k in [-121, 149]). */
    public float[] toFloats() {
        double[] d = toDoubles();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** x * 2^k, rounded once (exact whenever the result is a normal double). */
    private static double scaleBy(double x, int k) {
        return Math.scalb(x, k);
    }

    @Override
    public int[] shifts() {
        return shifts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Int8Basis other && fracBits == other.fracBits
                && Arrays.equals(values, other.values) && Arrays.equals(shifts, other.shifts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(values) + fracBits) + Arrays.hashCode(shifts);
    }

    @Override
    public String toString() {
        return "Int8Basis[" + values.length + " values, " + shifts.length + " slices, fracBits=" + fracBits + "]";
    }
}
