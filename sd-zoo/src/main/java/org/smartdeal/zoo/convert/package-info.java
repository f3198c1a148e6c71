/**
 * Dense network to SD network conversion (MultiLayerNetwork and ComputationGraph), conversion
 * plans and conversion reports.
 */
package org.smartdeal.zoo.convert;
