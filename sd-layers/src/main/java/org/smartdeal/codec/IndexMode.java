package org.smartdeal.codec;

/**
 * How the sparsity index of C is stored (ALGORITHMS.md 4.1). Rows are the K*m rows of packed C
 * ([K, m, n], padding rows of short last slices included).
 */
public enum IndexMode {
    /** One bit per entry of packed C: K*m*n bits. */
    ELEM,
    /** One bit per row, then n bits for every row that has a non-zero: K*m + n*nonZeroRows bits. */
    VECTOR
}
