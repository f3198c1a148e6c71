/**
 * Bucket-switch updater, power-of-two step, freeze updater, SWA listener, learning-rate
 * schedule, the re-training (RT) driver and the fine-tune/adapt recipes.
 */
package org.smartdeal.optim;
