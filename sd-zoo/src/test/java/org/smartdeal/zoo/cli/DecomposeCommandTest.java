package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.codec.NpyArray;
import org.smartdeal.codec.NpyFile;

class DecomposeCommandTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path npy(String name, long[] shape, long seed) throws IOException {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        float[] v = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.1);
        }
        Path p = dir.resolve(name);
        NpyFile.writeFloat32(p, shape, v);
        return p;
    }

    @Test
    void aThresholdThatLeavesNoCoefficientWarnsNamingTheInput() throws IOException {
        Path a = npy("a.npy", new long[] {8, 5, 3, 3}, 1);
        Path b = npy("b.npy", new long[] {4, 6, 3, 3}, 2);
        CliRun r = run("decompose", "--quiet", "--theta", "1", "--out", dir.resolve("zero").toString(), a.toString(),
                b.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("warning: C keeps no non-zero coefficient in a, b (C density 0)"), r.err());
        // only decompose's own options: it has no --density, and no plan
        assertTrue(r.err().contains("a lower --theta (got 1) keeps weights"), r.err());
        assertFalse(r.err().contains("--density") || r.err().contains("plan") || r.err().contains("structuredRatio"),
                r.err());
        // a --max-coeff below --theta caps every coefficient below the threshold: the warning named --theta alone,
        // which the user had set to the default (found by session 43's CLI hunt)
        CliRun capped = run("decompose", "--quiet", "--max-coeff", "0.001", "--out", dir.resolve("capped").toString(),
                a.toString());
        assertEquals(0, capped.exit(), capped.err());
        assertTrue(capped.err().contains("in a (C density 0): W = C*B is zero there; --max-coeff 0.001 is below --theta "
                + "0.004, so every coefficient is capped below the threshold; a --max-coeff of at least --theta keeps "
                + "weights"), capped.err());
    }

    @Test
    void writesCBRebuiltWeightAndReportForEachInput() throws IOException {
        Path conv = npy("conv.npy", new long[] {8, 5, 3, 3}, 1);
        Path out = dir.resolve("out");
        CliRun r = run("decompose", "--quiet", "--out", out.toString(), conv.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("; wrote into " + out + ": conv.{c,b,w}.npy and report.json"), r.out());
        NpyArray c = NpyFile.read(out.resolve("conv.c.npy"));
        NpyArray b = NpyFile.read(out.resolve("conv.b.npy"));
        NpyArray w = NpyFile.read(out.resolve("conv.w.npy"));
        // Layout (ALGORITHMS.md 2): 8 filters, R = nIn*kh = 15 rows of kw = 3, one slice each.
        assertArrayEquals(new long[] {8, 15, 3}, c.shape());
        assertArrayEquals(new long[] {8, 3, 3}, b.shape());
        assertArrayEquals(new long[] {8, 5, 3, 3}, w.shape());
        // Independent rebuild with plain loops: W[o] reshaped (15, 3) = C[o] (15x3) * B[o] (3x3).
        for (int o = 0; o < 8; o++) {
            for (int row = 0; row < 15; row++) {
                for (int col = 0; col < 3; col++) {
                    double s = 0;
                    for (int j = 0; j < 3; j++) {
                        s += c.data()[(o * 15 + row) * 3 + j] * b.data()[(o * 3 + j) * 3 + col];
                    }
                    assertEquals(s, w.data()[o * 45 + row * 3 + col], 1e-6);
                }
            }
        }
        for (double v : c.data()) {
            assertTrue(v == 0 || Math.abs(v) == Math.scalb(1.0, Math.getExponent(v)), "C entry " + v);
        }
        JsonNode rep = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
        assertTrue(rep.get("seconds").asDouble() > 0);
        JsonNode item = rep.get("inputs").get(0);
        assertEquals("conv", item.get("name").asText());
        assertEquals(8, item.get("slices").asInt());
        JsonNode bits = item.get("storageBits");
        long total = bits.get("index").asLong() + bits.get("c").asLong() + bits.get("tables").asLong()
                + bits.get("b").asLong() + bits.get("other").asLong();
        assertEquals(total, bits.get("total").asLong());
        // Paper CR = 32 bits x 360 weights / (index + C + tables + B) (ALGORITHMS.md 4.3).
        long paperBits = total - bits.get("other").asLong();
        assertEquals(32.0 * 360 / paperBits, item.get("paperCR").asDouble(), 1e-9);
    }

    @Test
    void denseAndSlicesKindsUseTheirLayouts() throws IOException {
        Path fc = npy("fc.npy", new long[] {10, 4}, 2);
        Path sl = npy("sl.npy", new long[] {3, 7, 2}, 3);
        Path out = dir.resolve("o2");
        Path fc2 = npy("fc2.npy", new long[] {6, 3}, 4);
        CliRun two = run("decompose", "--kind", "dense", "--out", out.toString(), fc.toString(), fc2.toString());
        assertEquals(0, two.exit(), two.err());
        assertTrue(two.out().contains("decomposed 2 input(s) in "), two.out());
        assertTrue(two.out().contains("; wrote into " + out + ": NAME.{c,b,w}.npy and report.json"), two.out());
        // Dense [nIn=10, nOut=4]: 4 units, ceil(10/3) = 4 rows of n = 3.
        assertArrayEquals(new long[] {4, 4, 3}, NpyFile.read(out.resolve("fc.c.npy")).shape());
        // kind names are case-insensitive, as --zoo's are; the report gives the canonical name
        assertEquals(0, run("decompose", "--kind", "Slices", "--out", out.toString(), sl.toString()).exit());
        assertArrayEquals(new long[] {3, 7, 2}, NpyFile.read(out.resolve("sl.c.npy")).shape());
        assertEquals("slices", new ObjectMapper().readTree(out.resolve(DecomposeCommand.REPORT).toFile())
                .get("settings").get("kind").asText());
        assertArrayEquals(new long[] {3, 2, 2}, NpyFile.read(out.resolve("sl.b.npy")).shape());
    }

    /**
     * A depthwise weight [kh, kw, nIn, d] = [3, 3, 2, 2] is 4 units (output channel c*2 + j), each its 3 x 3 kernel
     * W[:, :, c, j]: C [4, 3, 3], B [4, 3, 3], and the rebuilt weight in the input's layout, checked with plain loops
     * (--slice-rows 3 keeps one slice per unit); a 5 x 3 kernel at --slice-rows 3 is cut into 2 slices per unit, the
     * second padded (2 units: C [4, 3, 3]); --slice-rows below kw is a usage error, and so is a rank-2 input.
     */
    @Test
    void depthwiseKindSlicesEachOutputChannelsKernel() throws IOException {
        Path dw = npy("dw.npy", new long[] {3, 3, 2, 2}, 9);
        Path out = dir.resolve("dw");
        assertEquals(0, run("decompose", "--kind", "depthwise", "--quiet", "--out", out.toString(), dw.toString()).exit());
        NpyArray c = NpyFile.read(out.resolve("dw.c.npy"));
        NpyArray b = NpyFile.read(out.resolve("dw.b.npy"));
        NpyArray w = NpyFile.read(out.resolve("dw.w.npy"));
        assertArrayEquals(new long[] {4, 3, 3}, c.shape());
        assertArrayEquals(new long[] {4, 3, 3}, b.shape());
        assertArrayEquals(new long[] {3, 3, 2, 2}, w.shape());
        for (int ch = 0; ch < 2; ch++) {
            for (int j = 0; j < 2; j++) {
                int u = ch * 2 + j;
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        double s = 0;
                        for (int k = 0; k < 3; k++) {
                            s += c.data()[(u * 3 + y) * 3 + k] * b.data()[(u * 3 + k) * 3 + x];
                        }
                        assertEquals(s, w.data()[((y * 3 + x) * 2 + ch) * 2 + j], 1e-6, "unit " + u + " (" + y + "," + x + ")");
                    }
                }
            }
        }
        Path two = dir.resolve("dw2");
        assertEquals(0, run("decompose", "--kind", "depthwise", "--slice-rows", "3", "--quiet", "--out", two.toString(),
                dw.toString()).exit());
        assertArrayEquals(new long[] {4, 3, 3}, NpyFile.read(two.resolve("dw.c.npy")).shape());
        Path tall = npy("tall.npy", new long[] {5, 3, 2, 1}, 10);
        assertEquals(0, run("decompose", "--kind", "depthwise", "--slice-rows", "3", "--quiet", "--out", two.toString(),
                tall.toString()).exit());
        assertArrayEquals(new long[] {4, 3, 3}, NpyFile.read(two.resolve("tall.c.npy")).shape()); // 2 units x 2 slices
        run("decompose", "--kind", "depthwise", "--slice-rows", "2", "--out", dir.resolve("none").toString(), dw.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--slice-rows must be in [n=3, 1048576] for " + dw
                        + " (shape [3, 3, 2, 2]), whose basis width n is its kernel width 3, got 2");
        run("decompose", "--kind", "depthwise", "--out", dir.resolve("none").toString(), npy("flat.npy", new long[] {4, 3}, 1)
                .toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT, "--kind depthwise needs a rank-4 array "
                        + "[kh, kw, nIn, depthMultiplier], got shape [4, 3]");
    }

    @Test
    void badInputsExitWithCodeAndMessageAndWriteNothing() throws IOException {
        Path good = npy("good.npy", new long[] {4, 2, 3, 3}, 4);
        Path dense = npy("dense.npy", new long[] {6, 2}, 5);
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "hello");
        float[] nanData = {1f, Float.NaN, 0f, 2f};
        Path nan = dir.resolve("nan.npy");
        NpyFile.writeFloat32(nan, new long[] {1, 1, 2, 2}, nanData);
        Path empty = dir.resolve("empty.npy");
        NpyFile.writeFloat32(empty, new long[] {0, 1, 3, 3}, new float[0]);
        Path out = dir.resolve("none");
        Object[][] cases = {
            {new String[] {good.toString(), text.toString()}, 3, "not a .npy file"},
            {new String[] {good.toString(), nan.toString()}, 3, "nan.npy: weights must be finite, got NaN at flat index 1"},
            {new String[] {dense.toString()}, 3, "dense.npy: --kind conv needs a rank-4 array [nOut, nIn, kh, kw], got shape [6, 2]"},
            {new String[] {empty.toString()}, 3, "empty.npy: arrays must not be empty, got shape [0, 1, 3, 3]"},
            {new String[] {dir.resolve("missing.npy").toString()}, 3, "missing.npy: no such file"},
            {new String[] {"--theta", "-1", good.toString()}, 2, "--theta must be in [0, 1] (as in plans), got -1"},
            {new String[] {"--max-iter", "0", good.toString()}, 2, "--max-iter must be in [1, 10000], got 0"},
            {new String[] {"--slice-rows", "2", good.toString()}, 2, "--slice-rows must be in [n=3, 1048576] for " + good
                    + " (shape [4, 2, 3, 3]), whose basis width n is its kernel width 3, got 2"},
            {new String[] {"--kind", "lstm", good.toString()}, 2, "--kind"},
        };
        for (Object[] c : cases) {
            String[] files = (String[]) c[0];
            String[] args = Stream.concat(Stream.of("decompose", "--out", out.toString()), Stream.of(files)).toArray(String[]::new);
            CliRun r = run(args);
            assertEquals((int) c[1], r.exit(), String.join(" ", args) + " -> " + r.err());
            assertTrue(r.err().contains((String) c[2]), "expected '" + c[2] + "' in: " + r.err());
            assertFalse(Files.exists(out), "no output may be written for " + String.join(" ", args));
        }
        // The input files are untouched.
        assertArrayEquals(new long[] {1, 1, 2, 2}, NpyFile.read(nan).shape());
        assertEquals("hello", Files.readString(text, StandardCharsets.UTF_8));
    }

    @Test
    void outputsThatWouldOverwriteAnInputOrAFileAreRefused() throws IOException {
        // a.npy's rebuilt weight would be written to a.w.npy, which is the second input
        Path clash = Files.createDirectories(dir.resolve("clash"));
        Path a = npy("clash/a.npy", new long[] {4, 3}, 1);
        Path aw = npy("clash/a.w.npy", new long[] {4, 3}, 2);
        byte[] before = Files.readAllBytes(aw);
        CliRun r = run("decompose", "--kind", "dense", "--out", clash.toString(), a.toString(), aw.toString());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, r.exit(), r.err());
        org.junit.jupiter.api.Assertions.assertTrue(r.err().contains("would overwrite an input file"), r.err());
        assertArrayEquals(before, Files.readAllBytes(aw));
        // --out naming an existing file: exit 3 with the rule, not an internal error
        Path file = Files.writeString(dir.resolve("afile"), "x");
        CliRun f = run("decompose", "--kind", "dense", "--out", file.toString(), a.toString());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, f.exit(), f.err());
        org.junit.jupiter.api.Assertions.assertTrue(f.err().contains("exists and is not a folder"), f.err());
    }

    /**
     * Range errors of --basis-width and --slice-rows are usage errors (2) naming the option, found before any
     * input is read (the input here does not exist); with --kind slices the two options do not apply.
     */
    @Test
    void layoutOptionsOutOfRangeAreUsageErrorsBeforeInputsAreRead() {
        String missing = dir.resolve("missing.npy").toString();
        Path out = dir.resolve("none");
        String[][] cases = {
            {"--basis-width", "0", "--basis-width must be in [1, 16] (as in plans), got 0"},
            // plans and sweep cap the basis width at 16 (LayerPlan.MAX_BASIS_WIDTH); decompose allowed 64
            {"--basis-width", "17", "--basis-width must be in [1, 16] (as in plans), got 17"},
            {"--basis-width", "40", "--basis-width must be in [1, 16] (as in plans), got 40"},
            // a threshold above 1 zeroed every C (exit 0); plans, convert and demo take [0, 1]
            {"--theta", "5", "--theta must be in [0, 1] (as in plans), got 5"},
            {"--theta", "NaN", "--theta must be in [0, 1] (as in plans), got NaN"},
            {"--slice-rows", "0", "--slice-rows must be in [1, 1048576] (and at least the basis width n), got 0"},
            {"--slice-rows", "2000000", "--slice-rows must be in [1, 1048576] (and at least the basis width n), got 2000000"},
        };
        for (String[] c : cases) {
            CliRun r = run("decompose", c[0], c[1], "--out", out.toString(), missing).assertUserError(SmartDeal.EXIT_USAGE, c[2]);
            assertTrue(r.err().startsWith("error: " + c[0]), "the option, not a file, comes first: " + r.err());
        }
        run("decompose", "--kind", "dense", "--theta", "5", "--out", out.toString(), missing)
                .assertUserError(SmartDeal.EXIT_USAGE, "--theta must be in [0, 1] (as in plans), got 5");
        run("decompose", "--kind", "dense", "--basis-width", "40", "--slice-rows", "64", "--out", out.toString(), missing)
                .assertUserError(SmartDeal.EXIT_USAGE, "--basis-width must be in [1, 16] (as in plans), got 40");
        run("decompose", "--kind", "slices", "--slice-rows", "8", "--out", out.toString(), missing)
                .assertUserError(SmartDeal.EXIT_USAGE, "--slice-rows applies to --kind conv, dense and depthwise only");
        run("decompose", "--kind", "slices", "--basis-width", "4", "--out", out.toString(), missing)
                .assertUserError(SmartDeal.EXIT_USAGE, "--basis-width applies to --kind conv and dense only");
        run("decompose", "--kind", "depthwise", "--basis-width", "4", "--out", out.toString(), missing)
                .assertUserError(SmartDeal.EXIT_USAGE, "--basis-width does not apply to --kind depthwise");
        run("decompose", "--kind", "dense", "--slice-rows", "2", "--out", out.toString(), missing)
                .assertUserError(SmartDeal.EXIT_USAGE, "--slice-rows must be at least --basis-width 3 with --kind dense, got 2");
        assertFalse(Files.exists(out));
    }

    /**
     * The layout options' rules that need an input's kernel width are usage errors (2) too, naming the option, the
     * input and its kernel width: --basis-width does not apply to a kernel wider than 1 (it was ignored, and
     * report.json recorded it), and --slice-rows must reach the basis width n (exit 3 before).
     */
    @Test
    void layoutOptionsThatDoNotFitAKernelAreUsageErrors() throws IOException {
        Path wide = npy("wide.npy", new long[] {32, 16, 3, 3}, 6);
        Path flat = npy("flat.npy", new long[] {8, 4, 1, 1}, 7);
        Path out = dir.resolve("none");
        for (String n : List.of("5", "3")) {
            run("decompose", "--kind", "conv", "--basis-width", n, "--out", out.toString(), wide.toString())
                    .assertUserError(SmartDeal.EXIT_USAGE, "--basis-width applies to kernels of width 1 and to dense "
                            + "layers only", wide + " (shape [32, 16, 3, 3]) has kernel width 3",
                            "leave --basis-width out");
        }
        run("decompose", "--slice-rows", "2", "--out", out.toString(), flat.toString())
                .assertUserError(SmartDeal.EXIT_USAGE, "--slice-rows must be at least --basis-width 3 for " + flat
                        + " (shape [8, 4, 1, 1]), a kernel of width 1, got 2");
        assertFalse(Files.exists(out));
        // where it applies, --basis-width is used and recorded
        assertEquals(0, run("decompose", "--basis-width", "5", "--slice-rows", "5", "--out", out.toString(),
                flat.toString(), "--quiet").exit());
        assertArrayEquals(new long[] {8, 1, 5}, NpyFile.read(out.resolve("flat.c.npy")).shape());
        assertEquals(5, new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("settings")
                .get("basisWidth").asInt());
    }

    /**
     * An output path that is a folder (b.w.npy here) is found before the first file is written: nothing of
     * this run appears (a.*.npy used to be written, then the run failed at b.w.npy) and an earlier report
     * stays byte for byte.
     */
    @Test
    void anOutputThatIsAFolderStopsTheRunBeforeAnythingIsWritten() throws IOException {
        Path a = npy("a.npy", new long[] {6, 2}, 1);
        Path b = npy("b.npy", new long[] {6, 2}, 2);
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(out.resolve("b.w.npy"));
        Files.writeString(out.resolve("report.json"), "an earlier report");
        var before = CliRun.files(out);
        run("decompose", "--kind", "dense", "--quiet", "--out", out.toString(), a.toString(), b.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out " + out + ": the output " + out.resolve("b.w.npy").toAbsolutePath()
                        + " is a directory, expected a file");
        assertEquals(before, CliRun.files(out));
        Path file = Files.writeString(dir.resolve("afile"), "x");
        run("decompose", "--kind", "dense", "--out", file.resolve("sub").toString(), a.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "--out " + file.resolve("sub") + ": the folder does not exist and "
                        + "cannot be created (" + file + " is a file, not a folder)");
        // a successful run writes every output and leaves no temporary file
        Files.delete(out.resolve("b.w.npy"));
        assertEquals(0, run("decompose", "--kind", "dense", "--quiet", "--out", out.toString(), a.toString(), b.toString()).exit());
        assertEquals(java.util.List.of("/", "a.b.npy", "a.c.npy", "a.w.npy", "b.b.npy", "b.c.npy", "b.w.npy", "report.json"),
                java.util.List.copyOf(CliRun.files(out).keySet()));
    }

    /** A float64 .npy (C order, version 1.0), written byte by byte as numpy.save writes it. */
    private Path npy64(String name, long[] shape, double[] v) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            dims.append(s).append(", ");
        }
        StringBuilder h = new StringBuilder("{'descr': '<f8', 'fortran_order': False, 'shape': ("
                + dims.substring(0, dims.length() - (shape.length == 1 ? 1 : 2)) + "), }");
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + h.length() + 8 * v.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length())
                .put(h.toString().getBytes(StandardCharsets.US_ASCII));
        for (double x : v) {
            b.putDouble(x);
        }
        return Files.write(dir.resolve(name), b.array());
    }

    /**
     * C, B and the rebuilt weight are float32: a float64 weight beyond float32's largest value
     * (Float.MAX_VALUE = 3.4028235E38) has no float32 form. Such a file was decomposed into an all-zero C and W with
     * "rel err NaN" printed and "relativeError": "NaN" in report.json, exit 0; it is bad input, named like a NaN.
     */
    @Test
    void float64WeightsBeyondTheFloat32RangeAreRefused() throws IOException {
        double[] v = new double[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.1 * (i + 1);
        }
        v[5] = 1e300;
        Path big = npy64("big.npy", new long[] {6, 2}, v);
        Path out = dir.resolve("none");
        run("decompose", "--kind", "dense", "--quiet", "--out", out.toString(), big.toString())
                .assertUserError(SmartDeal.EXIT_BAD_INPUT, "big.npy: weights must be within float32's range "
                        + "(|w| <= 3.4028235E38: C, B and the rebuilt weight are float32), got 1.0E300 at flat index 5");
        assertFalse(Files.exists(out));
        // the largest float32 value itself is a weight like any other (3.4028234663852886E38 as a double)
        v[5] = -Float.MAX_VALUE;
        npy64("big.npy", new long[] {6, 2}, v);
        CliRun ok = run("decompose", "--kind", "dense", "--quiet", "--out", out.toString(), big.toString());
        assertEquals(0, ok.exit(), ok.err());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(report.get("inputs").get(0).get("relativeError").isNumber(), report.toString());
        // read back as float64, the same shape
        assertArrayEquals(new long[] {6, 2}, NpyFile.read(big).shape());
    }
}
