/**
 * Records for the accelerator architecture, energy table, layer workload, weight
 * representation and activation statistics, loaded from versioned JSON resources. No DL4J types.
 */
package org.smartdeal.hw.spec;
