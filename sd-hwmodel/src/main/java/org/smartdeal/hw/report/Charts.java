package org.smartdeal.hw.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** PNG bar charts with XChart (axis titles carry units). */
public final class Charts {
    private Charts() {
    }

    /**
     * Writes a grouped (or stacked) bar chart: {@code series} maps series name to one value per
     * category.
     */
    public static void bars(Path png, String title, String xTitle, String yTitle, List<String> categories,
                            Map<String, List<Double>> series, boolean stacked) {
        bars(png, title, xTitle, yTitle, categories, series, stacked, Map.of());
    }

    /**
     * Bars as {@link #bars(Path, String, String, String, List, Map, boolean)}, with horizontal reference lines
     * across all categories (dashed, dark grey), e.g. a target band.
     *
     * @param lines legend name to the y value of each line
     */
    public static void bars(Path png, String title, String xTitle, String yTitle, List<String> categories,
                            Map<String, List<Double>> series, boolean stacked, Map<String, Double> lines) {
        System.setProperty("java.awt.headless", "true");
        CategoryChart c = new CategoryChartBuilder().width(1000).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setStacked(stacked);
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (Map.Entry<String, List<Double>> s : series.entrySet()) c.addSeries(s.getKey(), categories, s.getValue());
        for (Map.Entry<String, Double> l : lines.entrySet()) {
            org.knowm.xchart.CategorySeries line = c.addSeries(l.getKey(), categories,
                java.util.Collections.nCopies(categories.size(), l.getValue()));
            line.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
            line.setLineColor(java.awt.Color.DARK_GRAY);
            line.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        try {
            // refused once the JVM is shutting down: a report folder being staged is not made again (ReportFolder)
            org.smartdeal.codec.AtomicFiles.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(c, png.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
