package org.smartdeal.hw.spec;

/**
 * Architecture of the five accelerators at 1 GHz, 28 nm (HWMODEL.md 1.4; SmartDeal and
 * Bit-pragmatic from [P Table IX], the others [A] with the same SRAM and 1K 8-bit multipliers).
 * Defaults and per-field sources are in resource {@code arch-v1.json}.
 *
 * @param inputBufBytes          input GB, 16 KB x 32 banks [P T.IX]
 * @param inputBankBytes         input GB bank [P T.IX]
 * @param weightBufBytes         weight buffers, 2 KB x 2 per slice x 64 slices [P T.IX]
 * @param weightBankBytes        weight bank [P T.IX]
 * @param outputBufBytes         output GB, 2 KB x 2 [P T.IX]
 * @param outputBankBytes        output bank [P T.IX]
 * @param tileCapFraction        fraction of each buffer a tile may use (0.5 = double buffering) [A]
 * @param psumBytes              bytes per partial sum [A] 3
 * @param sdDimM                 slices (filters in parallel) [P T.IX] 64
 * @param sdDimC                 PE lines per slice (channels) [P T.IX] 16
 * @param sdDimF                 bit-serial MACs per line sharing one weight [P T.IX] 8
 * @param sdRePerLine            rebuild engines per line [P] 2
 * @param dnTn                   DianNao output lanes [A] 32
 * @param dnTi                   DianNao inputs per lane [A] 32
 * @param cxPes                  Cambricon-X PEs [A] 64
 * @param cxMacsPerPe            Cambricon-X MACs per PE [A] 16
 * @param cxIdxBitsPerNz         step-index width [A] 4
 * @param scnnPeGrid             SCNN PE grid side (8x8) [S:SC]; at most 32: measured statistics keep C x grid^2 tile
 *                               counts per convolution (8 bytes each, twice: 16 KB per input channel at 32)
 * @param scnnF                  SCNN weight vector width F [S:SC] 4
 * @param scnnI                  SCNN activation vector width I [S:SC] 4
 * @param scnnAccumulatorsPerPe  SCNN accumulator entries per PE [S:DNNsim] 1024
 * @param scnnIdxBitsPerNz       SCNN zero-run index width [A] 4
 * @param scnnActBytesPerNz      SCNN compressed activation bytes per non-zero (value + index) [A] 1.5
 * @param praFilters             Bit-pragmatic filters in parallel [P T.IX] 64
 * @param praWindows             Bit-pragmatic windows in parallel [P T.IX] 8
 * @param praBrick               Bit-pragmatic channels per brick [S:PRA] 16
 * @param knobs                  the open [A] knobs, swept in the paper study
 */
public record ArchSpec(double inputBufBytes, double inputBankBytes, double weightBufBytes, double weightBankBytes,
                       double outputBufBytes, double outputBankBytes, double tileCapFraction, double psumBytes,
                       int sdDimM, int sdDimC, int sdDimF, int sdRePerLine, int dnTn, int dnTi, int cxPes, int cxMacsPerPe,
                       double cxIdxBitsPerNz, int scnnPeGrid, int scnnF, int scnnI, int scnnAccumulatorsPerPe,
                       double scnnIdxBitsPerNz, double scnnActBytesPerNz, int praFilters, int praWindows, int praBrick,
                       Knobs knobs) {

    /** Validates sizes and counts. */
    public ArchSpec {
        String a = "ArchSpec";
        Specs.range(a, "inputBufBytes", inputBufBytes, 64, 1e10);
        Specs.range(a, "inputBankBytes", inputBankBytes, 64, inputBufBytes, "inputBufBytes");
        Specs.range(a, "weightBufBytes", weightBufBytes, 64, 1e10);
        Specs.range(a, "weightBankBytes", weightBankBytes, 64, weightBufBytes, "weightBufBytes");
        Specs.range(a, "outputBufBytes", outputBufBytes, 64, 1e10);
        Specs.range(a, "outputBankBytes", outputBankBytes, 64, outputBufBytes, "outputBufBytes");
        Specs.range(a, "tileCapFraction", tileCapFraction, 0.01, 1);
        Specs.range(a, "psumBytes", psumBytes, 1, 8);
        int[] iv = {sdDimM, sdDimC, sdDimF, sdRePerLine, dnTn, dnTi, cxPes, cxMacsPerPe, scnnF, scnnI,
            scnnAccumulatorsPerPe, praFilters, praWindows, praBrick};
        String[] in = {"sdDimM", "sdDimC", "sdDimF", "sdRePerLine", "dnTn", "dnTi", "cxPes", "cxMacsPerPe",
            "scnnF", "scnnI", "scnnAccumulatorsPerPe", "praFilters", "praWindows", "praBrick"};
        for (int k = 0; k < iv.length; k++) Specs.range(a, in[k], iv[k], 1, 1 << 16);
        // the per-PE statistics of a measured layer are C x grid^2 counts (ActStatsAccumulator): at 32 x 32 PEs about
        // 0.2 GB over ResNet-50's 22,531 convolution input channels, and as much again for their means
        Specs.range(a, "scnnPeGrid", scnnPeGrid, 1, 32);
        Specs.range(a, "cxIdxBitsPerNz", cxIdxBitsPerNz, 0, 32);
        Specs.range(a, "scnnIdxBitsPerNz", scnnIdxBitsPerNz, 0, 32);
        Specs.range(a, "scnnActBytesPerNz", scnnActBytesPerNz, 1, 8);
        if (knobs == null) throw new IllegalArgumentException("ArchSpec.knobs must be set");
    }

    /** The architecture shipped as resource {@code arch-v1.json} (Table IX). */
    public static ArchSpec paper() {
        return Specs.load(ArchSpec.class, "arch-v1.json");
    }

    /** Copy with other knobs. */
    public ArchSpec withKnobs(Knobs k) {
        return new ArchSpec(inputBufBytes, inputBankBytes, weightBufBytes, weightBankBytes, outputBufBytes, outputBankBytes,
            tileCapFraction, psumBytes, sdDimM, sdDimC, sdDimF, sdRePerLine, dnTn, dnTi, cxPes, cxMacsPerPe, cxIdxBitsPerNz,
            scnnPeGrid, scnnF, scnnI, scnnAccumulatorsPerPe, scnnIdxBitsPerNz, scnnActBytesPerNz, praFilters, praWindows,
            praBrick, k);
    }

    /** Copy with another tile capacity fraction (the paper-study sweep: 1.0 = no double buffering). */
    public ArchSpec withTileCapFraction(double f) {
        return new ArchSpec(inputBufBytes, inputBankBytes, weightBufBytes, weightBankBytes, outputBufBytes, outputBankBytes,
            f, psumBytes, sdDimM, sdDimC, sdDimF, sdRePerLine, dnTn, dnTi, cxPes, cxMacsPerPe, cxIdxBitsPerNz,
            scnnPeGrid, scnnF, scnnI, scnnAccumulatorsPerPe, scnnIdxBitsPerNz, scnnActBytesPerNz, praFilters, praWindows,
            praBrick, knobs);
    }

    /** Copy with other buffer capacities (tests: tiling sanity). */
    public ArchSpec withBuffers(double inBytes, double wBytes, double outBytes) {
        return new ArchSpec(inBytes, Math.min(inputBankBytes, inBytes), wBytes, Math.min(weightBankBytes, wBytes), outBytes,
            Math.min(outputBankBytes, outBytes), tileCapFraction, psumBytes, sdDimM, sdDimC, sdDimF, sdRePerLine, dnTn, dnTi,
            cxPes, cxMacsPerPe, cxIdxBitsPerNz, scnnPeGrid, scnnF, scnnI, scnnAccumulatorsPerPe, scnnIdxBitsPerNz,
            scnnActBytesPerNz, praFilters, praWindows, praBrick, knobs);
    }
}
