/**
 * SD-training optimizers for DL4J (ALGORITHMS.md section 6): the bucket-switch updater
 * ({@link org.smartdeal.optim.BucketSwitch}, {@link org.smartdeal.optim.BucketSwitchUpdater}) and its
 * exact power-of-two POST_UPDATER step ({@link org.smartdeal.optim.BucketSwitchStep}), per-parameter
 * routing onto a configuration ({@link org.smartdeal.optim.SdUpdaterRouting}), masks kept in the
 * updater state ({@link org.smartdeal.optim.BucketSwitchMasks}), the lr schedule
 * ({@link org.smartdeal.optim.SwaLrSchedule}) and SWA ({@link org.smartdeal.optim.SwaListener}), the
 * one-call set-up of an SD network for SD training ({@link org.smartdeal.optim.SdTraining}) and the
 * re-training (RT) driver ({@link org.smartdeal.optim.Retraining}). The fine-tune/adapt recipes, which
 * need the zoo and the converter, are in sd-zoo ({@code org.smartdeal.zoo.recipes}).
 */
package org.smartdeal.optim;
