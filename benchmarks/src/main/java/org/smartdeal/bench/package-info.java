/**
 * JMH benchmarks and experiment runners that write result tables. Nothing depends on this module.
 */
package org.smartdeal.bench;
