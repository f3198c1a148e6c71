/**
 * Runtime (stateful) SD layers built by the configurations' {@code instantiate(...)}, and
 * {@link org.smartdeal.layers.impl.SdWeights}, the one place where W is rebuilt from C, B, M and
 * where dW is chained back to dC and dB.
 */
package org.smartdeal.layers.impl;
