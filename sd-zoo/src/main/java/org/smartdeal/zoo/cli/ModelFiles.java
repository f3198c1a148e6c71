package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdLayer;

/** Loading the two model file kinds the CLI accepts: SmartDeal {@code .sdm} and DL4J {@code .zip}. */
final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * Loads a network, choosing the reader by extension.
     *
     * @param file a {@code .sdm} or DL4J {@code .zip} file
     * @return a MultiLayerNetwork or ComputationGraph
     * @throws BadInputException naming the file when it is missing, of another kind, or unreadable
     */
    static Model load(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + ": is a folder; expected a .sdm or DL4J .zip model file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": file not found");
        }
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(SdModelFile.EXTENSION)) {
                return SdModelFile.read(file);
            }
            if (name.endsWith(".zip")) {
                return loadZip(file);
            }
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot load the model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // DL4J's own deserialisation failing (e.g. a configuration.json it cannot map)
            throw new BadInputException(file + ": not a network this DL4J (1.0.0-M2.1) can load from its "
                    + "configuration and parameters: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        throw new BadInputException(file + ": model files must end in .sdm (SmartDeal) or .zip (DL4J ModelSerializer), got '" + name + "'");
    }

    /**
     * Whether a network holds SD layers (it was converted already).
     *
     * @param net a MultiLayerNetwork or ComputationGraph
     * @return true when any layer's configuration is an {@link SdLayer}
     */
    static boolean hasSdLayers(Model net) {
        for (org.deeplearning4j.nn.api.Layer l : Networks.layers(net)) {
            if (l.conf().getLayer() instanceof SdLayer) {
                return true;
            }
        }
        return false;
    }

    /**
     * The names a conversion plan uses for a network's layers: each layer's configured name, else
     * {@code layer<i>} (MultiLayerNetwork) or {@code <i>} (ComputationGraph), as {@code SdConverter} names them.
     *
     * @param net a MultiLayerNetwork or ComputationGraph
     * @return the names, in layer order
     */
    static List<String> layerNames(Model net) {
        org.deeplearning4j.nn.api.Layer[] ls = Networks.layers(net);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ls.length; i++) {
            String n = ls[i].conf().getLayer().getLayerName();
            names.add(n != null ? n : net instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork ? "layer" + i
                    : String.valueOf(i));
        }
        return names;
    }

    /**
     * Loads a DL4J ModelSerializer zip holding either network class.
     *
     * @param file the zip
     * @return the network
     * @throws IOException when the zip is not a DL4J model
     */
    static Model loadZip(Path file) throws IOException {
        String json;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            var entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IOException("not a DL4J ModelSerializer zip (no configuration.json entry)");
            }
            json = new String(zip.getInputStream(entry).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        // A ComputationGraph configuration lists "vertices"; a MultiLayerNetwork's lists "confs".
        if (json.contains("\"vertices\"")) {
            return ModelSerializer.restoreComputationGraph(file.toFile(), false);
        }
        return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
    }
}
