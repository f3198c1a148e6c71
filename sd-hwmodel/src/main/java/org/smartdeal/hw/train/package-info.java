/**
 * Training-energy model of HWMODEL.md section 5: energy per iteration of vanilla training (VA),
 * SmartDeal training (SD-T) and SD-T with structured sparsity (SS), normalised to VA. No DL4J types.
 */
package org.smartdeal.hw.train;
