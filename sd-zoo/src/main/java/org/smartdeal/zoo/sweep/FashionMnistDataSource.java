package org.smartdeal.zoo.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.data.TaskSplits;

/**
 * Fashion-MNIST as an Arbiter {@link DataSource}: the training split cut into a part to train on
 * ({@link #trainData()}, reshuffled every epoch) and a validation hold-out ({@link #testData()}), never the test
 * split. Arbiter instantiates a data source by class name and configures it with {@link Properties}, so every
 * setting is a property (all optional):
 *
 * <table>
 *   <caption>properties</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code dir}</td><td>folder with the IDX files</td><td>{@link FashionMnist#resolveDir}'s</td></tr>
 *   <tr><td>{@code validation}</td><td>examples held out, in [1, 59999]</td><td>5000</td></tr>
 *   <tr><td>{@code train}</td><td>examples to train on (the first of the rest), at least 1</td><td>all the rest</td></tr>
 *   <tr><td>{@code batch}</td><td>minibatch size, at least 1</td><td>128</td></tr>
 *   <tr><td>{@code seed}</td><td>seed of the hold-out and the shuffles</td><td>42</td></tr>
 *   <tr><td>{@code layout}</td><td>{@code flat} (rows of 784 values) or {@code image} ([n, 1, 28, 28])</td>
 *       <td>flat</td></tr>
 * </table>
 *
 * <pre>{@code
 * Properties p = new Properties();
 * p.setProperty("validation", "5000");
 * new OptimizationConfiguration.Builder().dataSource(FashionMnistDataSource.class, p)...
 * }</pre>
 *
 * The data is read when the source is configured: {@code configure} fails with the reader's message (naming the
 * file, and how to install the data when it is missing) wrapped in an {@link UncheckedIOException}.
 */
public final class FashionMnistDataSource implements DataSource {

    private static final long serialVersionUID = 1L;

    private static final Set<String> KEYS = Set.of("dir", "validation", "train", "batch", "seed", "layout");

    private transient FashionMnist fit;
    private transient FashionMnist validation;
    private int batch = 128;
    private long seed = 42;
    private boolean images;

    /** Arbiter creates data sources with this constructor, then calls {@link #configure}. */
    public FashionMnistDataSource() {
    }

    /**
     * Reads the data and cuts it.
     *
     * @param properties the settings of the class documentation (null: every default)
     * @throws IllegalArgumentException naming the property, its rule and its value; or an unknown key, or an entry
     *                                  that is not a String key and value (one {@code Properties.put} can make)
     * @throws UncheckedIOException when the data cannot be read
     */
    @Override
    public void configure(Properties properties) {
        Properties p = properties == null ? new Properties() : properties;
        // Properties.getProperty and stringPropertyNames skip entries that are not Strings: put("batch", 64) would be
        // ignored without a word, and the default used
        for (java.util.Map.Entry<Object, Object> e : p.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof String)) {
                throw new IllegalArgumentException("FashionMnistDataSource: property " + e.getKey() + " must have a "
                        + "String key and value (Properties.setProperty), got key " + e.getKey().getClass().getName()
                        + ", value " + e.getValue().getClass().getName() + " " + e.getValue());
            }
        }
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("FashionMnistDataSource: unknown property '" + k + "'; known: "
                        + new java.util.TreeSet<>(KEYS));
            }
        }
        int n = intProperty(p, "validation", 5000, 1, 59_999);
        Integer trainCount = p.getProperty("train") == null ? null : intProperty(p, "train", 0, 1, Integer.MAX_VALUE);
        batch = intProperty(p, "batch", 128, 1, Integer.MAX_VALUE);
        seed = p.getProperty("seed") == null ? 42 : longProperty(p, "seed");
        String layout = p.getProperty("layout", "flat").trim();
        if (!layout.equals("flat") && !layout.equals("image")) {
            throw new IllegalArgumentException("FashionMnistDataSource: property layout must be flat or image, got '"
                    + layout + "'");
        }
        images = layout.equals("image");
        String dir = p.getProperty("dir");
        FashionMnist train;
        try {
            train = FashionMnist.load(FashionMnist.resolveDir(dir == null ? null : Path.of(dir)), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        if (n >= train.size()) {
            throw new IllegalArgumentException("FashionMnistDataSource: property validation must be below the training "
                    + "set's " + train.size() + " examples, got " + n);
        }
        TaskSplits.HoldOut cut = TaskSplits.holdOut(train, n, seed);
        validation = cut.validation();
        fit = trainCount == null ? cut.fit() : cut.fit().limit(trainCount);
    }

    /** @return an iterator over the part to train on, reshuffled at every reset */
    @Override
    public Object trainData() {
        requireConfigured();
        return shaped(fit.iterator(batch, true, seed));
    }

    /** @return an iterator over the validation hold-out, in order */
    @Override
    public Object testData() {
        requireConfigured();
        return shaped(validation.iterator(batch, false, seed));
    }

    /** @return {@code DataSetIterator.class} */
    @Override
    public Class<?> getDataType() {
        return DataSetIterator.class;
    }

    private InMemoryDataSetIterator shaped(InMemoryDataSetIterator it) {
        return images ? FashionMnist.asImages(it) : it;
    }

    private void requireConfigured() {
        if (fit == null) {
            throw new IllegalStateException("FashionMnistDataSource: call configure(Properties) first");
        }
    }

    private static int intProperty(Properties p, String key, int dflt, int lo, int hi) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        try {
            int x = Integer.parseInt(v.trim());
            if (x < lo || x > hi) {
                throw new IllegalArgumentException("FashionMnistDataSource: property " + key + " must be in [" + lo + ", "
                        + hi + "], got " + x);
            }
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("FashionMnistDataSource: property " + key + " must be a whole number, got '"
                    + v + "'", e);
        }
    }

    private static long longProperty(Properties p, String key) {
        String v = p.getProperty(key);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("FashionMnistDataSource: property " + key + " must be a whole number, got '"
                    + v + "'", e);
        }
    }
}
