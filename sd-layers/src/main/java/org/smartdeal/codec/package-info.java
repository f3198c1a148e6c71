/**
 * Storage of SD layers: canonical Huffman coding of the (sign, exponent) symbols of C, the
 * sparsity index, int8 fixed point for B, the {@code .sdm} model file and the storage accounting
 * (ALGORITHMS.md section 4).
 */
package org.smartdeal.codec;
