package org.smartdeal.codec;

import java.util.Objects;

/**
 * B as int8 fixed point with one power-of-two scale per layer (ALGORITHMS.md 4.1): the stored
 * value is {@code q = clamp(rint(b * 2^f), -127, 127)} and decodes to {@code q * 2^-f}.
 *
 * <p>f ({@code fracBits}) is the largest integer with {@code max|B| * 2^f <= 127}; it may be
 * negative (max|B| &gt; 127). It is found exactly from the IEEE exponent e of max|B|
 * (2^e &lt;= max|B| &lt; 2^(e+1)): f = 6 - e if max|B| * 2^(6-e) &lt;= 127, else 5 - e. Worked
 * cases: max|B| = 1.0 gives f = 6 (64 &lt;= 127 &lt; 128); 1.99 gives f = 5 (1.99 * 64 = 127.36
 * &gt; 127); 127 gives f = 0; 127.5 gives f = -1; 0.75 gives f = 7 (96). All-zero B has f = 0.
 *
 * <p>Rounding is half-to-even ({@link Math#rint}): with f = 6, 2.5/64 stores 2 and 1.5/64
 * stores 2. The clamp never binds given f's definition but guards the int8 range; -128 is
 * never used. Decoding is {@code Math.scalb((double) q, -f)}: exact except where the result
 * would be a subnormal double (|B| below about 2^-1015), which is then IEEE-rounded.
 *
 * @param values    the int8 values q in [-127, 127], in B's order ([K, n, n], C order)
 * @param fracBits  f, in [{@link #MIN_FRAC_BITS}, {@link #MAX_FRAC_BITS}]
 */
public record Int8Basis(byte[] values, int fracBits) {

    /** Smallest f (max|B| near Double.MAX_VALUE gives -1018). */
    public static final int MIN_FRAC_BITS = -1100;
    /** Largest f (max|B| = 2^-1074 gives 1080). */
    public static final int MAX_FRAC_BITS = 1100;

    /** Validates the values and f. */
    public Int8Basis {
        Objects.requireNonNull(values, "Int8Basis.values");
        if (fracBits < MIN_FRAC_BITS || fracBits > MAX_FRAC_BITS) {
            throw new IllegalArgumentException("Int8Basis.fracBits must be in [" + MIN_FRAC_BITS + ", "
                    + MAX_FRAC_BITS + "], got " + fracBits);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("Int8Basis.values[" + i + "] must be in [-127, 127], got -128");
            }
        }
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
     * Quantizes B.
     *
     * @param b B's values; not modified; each must be finite
     * @throws IllegalArgumentException naming the index and value of a NaN or infinite entry
     */
    public static Int8Basis quantize(double[] b) {
        double maxAbs = 0;
        for (int i = 0; i < b.length; i++) {
            if (!Double.isFinite(b[i])) {
                throw new IllegalArgumentException("B[" + i + "] must be finite, got " + b[i]);
            }
            maxAbs = Math.max(maxAbs, Math.abs(b[i]));
        }
        int f = fracBitsFor(maxAbs);
        byte[] q = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            double r = Math.rint(scaleBy(b[i], f));
            q[i] = (byte) Math.max(-127.0, Math.min(127.0, r));
        }
        return new Int8Basis(q, f);
    }

    /** Quantizes B given as float32 (each value widened exactly to double first). */
    public static Int8Basis quantize(float[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return quantize(d);
    }

    /** The value of B after the int8 round trip: {@code rint(b * 2^f) * 2^-f} for every entry. */
    public static double[] roundTrip(double[] b) {
        return quantize(b).toDoubles();
    }

    /** Decoded values {@code q * 2^-f} as doubles (a new array). */
    public double[] toDoubles() {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = scaleBy(values[i], -fracBits);
        }
        return out;
    }

    /** Decoded values as floats: the double value rounded to float (exact for f in [-121, 149]). */
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
    public boolean equals(Object o) {
        return o instanceof Int8Basis other && fracBits == other.fracBits
                && java.util.Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(values) + fracBits;
    }

    @Override
    public String toString() {
        return "Int8Basis[" + values.length + " values, fracBits=" + fracBits + "]";
    }
}
