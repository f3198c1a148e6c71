package org.smartdeal.hw.spec;

/** Layer kinds the cost model prices (HWMODEL.md 1.1). */
public enum LayerType {
    /** Grouped or dense 2-D convolution. */
    CONV,
    /** Depthwise convolution: groups = C = M. */
    DWCONV,
    /** Fully connected (classifier) layer: H=W=E=F=R=S=1. */
    FC,
    /** Squeeze-and-excitation fully connected layer: H=W=E=F=R=S=1. */
    SE_FC
}
