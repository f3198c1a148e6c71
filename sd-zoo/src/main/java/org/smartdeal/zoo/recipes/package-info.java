/**
 * Transfer-training recipes of SD training (ALGORITHMS.md 6, paper Sec. VI-C): pre-train dense on a
 * source split, decompose once, then train on the target split as vanilla dense (VA), SD-T (SD) or
 * SD-T with structured sparsity (SS), with SWA; see {@link org.smartdeal.zoo.recipes.SdTrainingRecipe}.
 */
package org.smartdeal.zoo.recipes;
