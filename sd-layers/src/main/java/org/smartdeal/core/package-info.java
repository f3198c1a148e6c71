/**
 * Pure Java SmartDeal math on double[]/float[] arrays with no DL4J types: the power-of-two
 * quantizer, the slice layout that cuts a layer weight into tall slices, the decomposer
 * (Chen et al., arXiv 2101.01163, Algorithm 1) and structured pruning.
 */
package org.smartdeal.core;
