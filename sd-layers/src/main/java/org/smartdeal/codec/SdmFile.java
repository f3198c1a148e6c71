package org.smartdeal.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The content of an {@code .sdm} model file (ALGORITHMS.md 4.2): the network configuration,
 * a few properties, and the parameter entries, SD layers or float32 arrays. Generic and free of
 * DL4J types; {@link SdmWriter} and {@link SdmReader} move it to and from bytes.
 *
 * <h2>Byte format, version 2.4</h2>
 * All integers are big-endian and unsigned unless marked s; strings ({@code str}) are a u32 byte
 * length followed by that many bytes of strict UTF-8.
 * <pre>
 * File   = Header Section[N]                         (nothing may follow the last section)
 * Header = magic   8 bytes  89 53 44 4D 0D 0A 1A 0A  ("\x89SDM\r\n\x1a\n", PNG style: catches
 *                                                     text-mode and 7-bit transfers)
 *          u16 major version = 2, u16 minor version = 4
 *          u32 N  number of sections, &gt;= 2
 *          u32 CRC32C of the 16 bytes above                              (20 bytes in all)
 * Section = u8 type, u64 payload length L, L bytes payload,
 *           u32 CRC32C of (type, length, payload)                    (L + 13 bytes in all)
 *
 * Section 0, type 1 CONFIG : u32 U, then a zlib stream (RFC 1950: DEFLATE with Adler-32) that
 *                            inflates to exactly U bytes, the configuration JSON (e.g. DL4J's
 *                            toJson()) in UTF-8; U &lt;= {@link #MAX_CONFIG_BYTES}
 *                            (2.0: the UTF-8 JSON itself, the whole payload)
 * Section 1, type 2 META   : u8 network type (0 other, 1 MultiLayerNetwork, 2 ComputationGraph)
 *                            u32 P, P x (str key, str value)          properties, in order (each
 *                            key once; a reader ignores unknown keys, so a new key needs no version;
 *                            written: writer, dl4j, and optionally input = CxHxW, the image input
 *                            shape a DL4J configuration may not state, docs/FORMAT.md)
 *                            u32 E, E x (u8 section type 3|4, str name)  table of contents, E = N - 2
 * Sections 2..N-1          : the E entries, in table-of-contents order, each
 *   type 3 SD_LAYER    : str name, str paramPrefix
 *                        u8 rank (1..32), rank x u64 weightShape (each &gt;= 1)
 *                        u8 flags: 0 the mask is C != 0, 1 a mask bitmap follows, 2 a list of
 *                                  masked-in zeros follows (2.2; the smaller of 1 and 2 is written)
 *                        u32 E, E bytes: the layer encoded by {@link SdLayerCodec} (2.3: with
 *                                  R, the real rows per unit, indexing only the real rows;
 *                                  2.4: with a B scale per slice)
 *                        [flags 1, mask bitmap: ceil(K*m*n/8) bytes, 1 bit per entry of packed C
 *                         (padding rows included, also in 2.3), MSB-first, zero padding bits]
 *                        [flags 2, masked-in zeros ({@link MaskedZeros}): u32 Z &gt;= 1, u32 L,
 *                         L bytes: Z Elias-gamma codes of the position gaps (positions in packed
 *                         C); the mask is C != 0 plus these Z positions, each of which holds 0 in C]
 *   type 4 FLOAT_ARRAY : str name, u8 role (0 other, 1 dense conv/FC weight)
 *                        u8 rank (0..32), rank x u64 shape
 *                        product(shape) x IEEE float32 (big-endian), C order
 * </pre>
 * A payload must be consumed exactly. Entry names are unique per section type.
 *
 * <p><b>Versions.</b> 1.0: the SD layer encoding had a 1-bit index mode (ELEM, VECTOR).
 * 2.0: the index mode field is 2 bits (ELEM, VECTOR, RUNS; 3 reserved), which shifts every
 * later bit of every SD layer, so neither reader can parse the other's layers: a major change.
 * 2.1: the CONFIG section is deflated (DL4J's configuration JSON is 7-25 KB for small networks,
 * as much as their SD layers; it deflates about 10x). 2.2: flag 2, a mask stored as the list of
 * its masked-in zeros (a bitmap costs 1 bit per entry of C however few entries SD training flushed
 * to 0). 2.3: the SD layer encoding stores R, the real rows per unit, and indexes and codes only
 * the real rows, not the zero rows that pad each unit's last slice up to m (ALGORITHMS.md 2: the
 * last slice is shorter); a 2.0 to 2.2 layer reads with R = m. 2.4: B has a power-of-two scale per
 * slice (after the layer's s16 f: u4 w, then a w-bit shift per slice), not one per layer: one
 * slice with a large B made the shared scale round the B of the other slices to 0 (a
 * LeNet-300-100 converted with basis width 4 loaded at chance accuracy); a 2.0 to 2.3 layer reads
 * with one scale and is refused if a slice holding a non-zero of C has an all-zero B
 * ({@link SdLayerCodec}). The reader accepts 2.0 to 2.4; 1.0 files must be converted again.
 *
 * <p>The reader checks the magic, the version, every CRC, every length against the bytes
 * that remain before allocating, the table of contents against the sections, and that every
 * float32 value is finite (NaN and infinities are refused on writing too); any failure
 * is an {@link SdmFormatException} naming the file, the section (index, type, name, offset) and
 * the rule. Writing is atomic ({@link AtomicFiles}).
 *
 * @param networkType which network the configuration builds
 * @param configJson  the configuration JSON
 * @param properties  free-form string properties (e.g. conversion settings), in order
 * @param entries     the parameter entries, in file order
 */
public record SdmFile(NetworkType networkType, String configJson, Map<String, String> properties,
                      List<SdmEntry> entries) {

    /** The 8-byte magic number. */
    public static final byte[] MAGIC = {(byte) 0x89, 'S', 'D', 'M', 0x0D, 0x0A, 0x1A, 0x0A};
    /** Major format version written and read (2: 2-bit index mode with RUNS; 1.0 had a 1-bit mode). */
    public static final int FORMAT_MAJOR = 2;
    /**
     * Minor format version written (2.1: deflated CONFIG; 2.2: masked-in zero lists; 2.3: R and
     * real rows only in SD layers; 2.4: a B scale per slice); the reader accepts 2.0 to 2.4.
     */
    public static final int FORMAT_MINOR = 4;

    /** Largest inflated configuration the reader accepts (64 MiB), checked before allocating. */
    public static final int MAX_CONFIG_BYTES = 64 << 20;
    /** Size of the file header. */
    public static final int HEADER_BYTES = 20;

    /** Validates the fields and that entry names are unique per kind; copies the collections. */
    public SdmFile {
        Objects.requireNonNull(networkType, "SdmFile.networkType");
        Objects.requireNonNull(configJson, "SdmFile.configJson");
        Objects.requireNonNull(properties, "SdmFile.properties");
        Objects.requireNonNull(entries, "SdmFile.entries");
        Map<String, String> props = new LinkedHashMap<>();
        properties.forEach((k, v) -> props.put(Objects.requireNonNull(k, "SdmFile.properties key"),
                Objects.requireNonNull(v, "SdmFile.properties[" + k + "]")));
        properties = Collections.unmodifiableMap(props);
        Set<String> seen = new HashSet<>();
        for (SdmEntry e : entries) {
            Objects.requireNonNull(e, "SdmFile.entries element");
            if (!seen.add(e.sectionType() + "/" + e.name())) {
                throw new IllegalArgumentException("SdmFile.entries: " + e.sectionType() + " name '" + e.name()
                        + "' occurs twice");
            }
        }
        entries = List.copyOf(entries);
    }

    /**
     * A copy of this file with one more property: {@code key} set to {@code value}, after the properties already
     * held, or in place of the value {@code key} already has. Readers that do not know a key ignore it, so a
     * property needs no format version.
     *
     * @param key   the property's name, not null
     * @param value its value, not null
     * @return the copy; this file is not modified
     */
    public SdmFile withProperty(String key, String value) {
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.put(Objects.requireNonNull(key, "SdmFile.withProperty key"),
                Objects.requireNonNull(value, "SdmFile.withProperty value"));
        return new SdmFile(networkType, configJson, props, entries);
    }

    /** The SD layers in file order. */
    public List<SdLayerEntry> sdLayers() {
        List<SdLayerEntry> out = new ArrayList<>();
        for (SdmEntry e : entries) {
            if (e instanceof SdLayerEntry s) {
                out.add(s);
            }
        }
        return out;
    }

    /** The float arrays in file order. */
    public List<FloatArrayEntry> floatArrays() {
        List<FloatArrayEntry> out = new ArrayList<>();
        for (SdmEntry e : entries) {
            if (e instanceof FloatArrayEntry f) {
                out.add(f);
            }
        }
        return out;
    }

    /** The SD layer of that name, if any. */
    public Optional<SdLayerEntry> sdLayer(String name) {
        return sdLayers().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The float array of that name, if any. */
    public Optional<FloatArrayEntry> floatArray(String name) {
        return floatArrays().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * Conv and FC weights of the original network: the weight counts of the SD layers plus the
     * dense-weight float arrays. The paper CR's numerator is 32 times this.
     */
    public long denseWeightCount() {
        long n = 0;
        for (SdmEntry e : entries) {
            if (e instanceof SdLayerEntry || (e instanceof FloatArrayEntry f && f.role() == FloatArrayEntry.Role.DENSE_WEIGHT)) {
                n += e.parameterCount();
            }
        }
        return n;
    }

    /** All parameters of the network as float32 counts (SD layers by weight count); for the file CR. */
    public long parameterCount() {
        long n = 0;
        for (SdmEntry e : entries) {
            n += e.parameterCount();
        }
        return n;
    }
}
