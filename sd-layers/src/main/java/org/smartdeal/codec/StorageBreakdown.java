package org.smartdeal.codec;

/**
 * Storage of one SD layer, or a sum over a model, in bits (ALGORITHMS.md 4.1 and 4.3).
 *
 * <p>For an SD layer encoded by {@link SdLayerCodec} the components add up exactly to the bytes
 * written times 8:
 * <ul>
 *   <li>{@code indexBits}: the 2-bit index mode plus the ELEM, VECTOR or RUNS index (for RUNS
 *       everything in {@link RunsIndex}, its pattern Huffman table included);</li>
 *   <li>{@code cBits}: the Huffman payload of the non-zeros of C;</li>
 *   <li>{@code tableBits}: the Huffman code table of the (sign, exponent) symbols of C;</li>
 *   <li>{@code bBits}: the 16-bit fraction-bit count f, then (format 2.4; none before) a 4-bit shift
 *       width w per layer and w &lt;= 8 bits per slice for its scale shift, and 8 bits per entry of B;</li>
 *   <li>{@code denseWeightBits}: 32 bits per conv/FC weight of layers left dense (0 for an SD
 *       layer); these count in the paper CR;</li>
 *   <li>{@code otherBits}: everything that does not count in the paper CR: the layer header
 *       (K, m, n, R: 128 bits; K, m, n: 96 in format 2.0 to 2.2), padding to the byte, and, when summing a model, biases, BatchNorm
 *       parameters, names and file framing.</li>
 * </ul>
 *
 * @param indexBits       index bits, &gt;= 0
 * @param cBits           Huffman payload bits, &gt;= 0
 * @param tableBits       Huffman table bits, &gt;= 0
 * @param bBits           int8 B bits incl. its scales, &gt;= 0
 * @param denseWeightBits float32 bits of conv/FC weights left dense, &gt;= 0
 * @param otherBits       all remaining bits, &gt;= 0
 */
public record StorageBreakdown(long indexBits, long cBits, long tableBits, long bBits,
                               long denseWeightBits, long otherBits) {

    /** No storage at all. */
    public static final StorageBreakdown ZERO = new StorageBreakdown(0, 0, 0, 0, 0, 0);

    /** Validates that every component is non-negative. */
    public StorageBreakdown {
        check("indexBits", indexBits);
        check("cBits", cBits);
        check("tableBits", tableBits);
        check("bBits", bBits);
        check("denseWeightBits", denseWeightBits);
        check("otherBits", otherBits);
    }

    private static void check(String field, long v) {
        if (v < 0) {
            throw new IllegalArgumentException("StorageBreakdown." + field + " must be >= 0, got " + v);
        }
    }

    /** A conv/FC weight tensor of {@code weightCount} entries left dense as float32. */
    public static StorageBreakdown denseWeights(long weightCount) {
        check("weightCount", weightCount);
        return new StorageBreakdown(0, 0, 0, 0, Math.multiplyExact(32L, weightCount), 0);
    }

    /** Bits that do not count in the paper CR (biases, BatchNorm, headers, framing). */
    public static StorageBreakdown other(long bits) {
        return new StorageBreakdown(0, 0, 0, 0, 0, bits);
    }

    /** Component-wise sum. */
    public StorageBreakdown plus(StorageBreakdown o) {
        return new StorageBreakdown(Math.addExact(indexBits, o.indexBits), Math.addExact(cBits, o.cBits),
                Math.addExact(tableBits, o.tableBits), Math.addExact(bBits, o.bBits),
                Math.addExact(denseWeightBits, o.denseWeightBits), Math.addExact(otherBits, o.otherBits));
    }

    /** All bits. */
    public long totalBits() {
        return indexBits + cBits + tableBits + bBits + denseWeightBits + otherBits;
    }

    /**
     * The breakdown in bits as one line of text (ALGORITHMS.md 4.3: index, C, tables, B, other), e.g.
     * {@code index 70119, C 33511, tables 330, B 30280, dense weights 0, other 24664; total 158904 bits = 19863
     * bytes}; the byte count is {@link #totalBits()} / 8 (a whole file's breakdown sums to 8 x its size).
     *
     * @return the text, without a line end
     */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "index %d, C %d, tables %d, B %d, dense weights %d, other %d; "
                + "total %d bits = %d bytes", indexBits, cBits, tableBits, bBits, denseWeightBits, otherBits,
                totalBits(), totalBits() / 8);
    }

    /** All bits rounded up to whole bytes. */
    public long totalBytes() {
        return (totalBits() + 7) / 8;
    }

    /** The denominator of the paper CR: index + C + tables + B + dense-left weights. */
    public long paperBits() {
        return indexBits + cBits + tableBits + bBits + denseWeightBits;
    }

    /**
     * Paper CR (ALGORITHMS.md 4.3): FP32 bits of all conv and FC weights divided by
     * {@link #paperBits()}. Biases and BatchNorm count nowhere.
     *
     * @param denseWeightCount number of conv and FC weights of the original network, &gt;= 1
     * @param breakdown        the sum over the model (SD layers plus {@link #denseWeights})
     */
    public static double paperCR(long denseWeightCount, StorageBreakdown breakdown) {
        if (denseWeightCount < 1) {
            throw new IllegalArgumentException("paperCR.denseWeightCount must be >= 1, got " + denseWeightCount);
        }
        if (breakdown.paperBits() == 0) {
            throw new IllegalArgumentException("paperCR: breakdown has no index, C, table, B or dense weight bits");
        }
        return 32.0 * denseWeightCount / breakdown.paperBits();
    }

    /**
     * File CR (ALGORITHMS.md 4.3): bytes of all parameters as float32 over the file's bytes.
     *
     * @param parameterCount all parameters of the network (weights, biases, BatchNorm...), &gt;= 1
     * @param fileBytes      size of the .sdm file, &gt;= 1
     */
    public static double fileCR(long parameterCount, long fileBytes) {
        if (parameterCount < 1) {
            throw new IllegalArgumentException("fileCR.parameterCount must be >= 1, got " + parameterCount);
        }
        if (fileBytes < 1) {
            throw new IllegalArgumentException("fileCR.fileBytes must be >= 1, got " + fileBytes);
        }
        return 4.0 * parameterCount / fileBytes;
    }

    /** Average Huffman bits per non-zero of C (the paper measured about 2.3), NaN if none. */
    public double cBitsPerNonZero(long nonZeros) {
        return nonZeros == 0 ? Double.NaN : (double) cBits / nonZeros;
    }
}
