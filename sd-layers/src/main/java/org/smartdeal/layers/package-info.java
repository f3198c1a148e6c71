/**
 * DL4J layer configurations of SD layers. They are serialised by class name: never rename them.
 */
package org.smartdeal.layers;
