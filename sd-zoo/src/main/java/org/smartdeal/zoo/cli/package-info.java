/**
 * The {@code smartdeal} command line (picocli).
 */
package org.smartdeal.zoo.cli;
