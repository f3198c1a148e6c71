/**
 * SD-training optimizers for DL4J (ALGORITHMS.md section 6): the bucket-switch updater
 * ({@link org.smartdeal.optim.BucketSwitch}, {@link org.smartdeal.optim.BucketSwitchUpdater}) and its
 * exact power-of-two POST_UPDATER step ({@link org.smartdeal.optim.BucketSwitchStep}), per-parameter
 * routing onto a configuration ({@link org.smartdeal.optim.SdUpdaterRouting}), masks kept in the
 * updater state ({@link org.smartdeal.optim.BucketSwitchMasks}), the lr schedule
 * ({@link org.smartdeal.optim.SwaLrSchedule}) and SWA ({@link org.smartdeal.optim.SwaListener}).
 * Later: the re-training (RT) driver and the fine-tune/adapt recipes.
 */
package org.smartdeal.optim;
