/**
 * The tiling search and the five accelerator cost models behind one interface: action
 * counts first, then energy = counts x table. No DL4J types.
 */
package org.smartdeal.hw.model;
