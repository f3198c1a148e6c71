/**
 * Parameter initializers of the SD layers: the layout of C, B, M and b in DL4J's flat parameter
 * (and gradient) buffer.
 */
package org.smartdeal.layers.params;
