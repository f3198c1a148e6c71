package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * README.md's usage block of every subcommand (the indented lines right after its {@code ### `smartdeal NAME`}
 * heading) names exactly the options the command line accepts, so the two cannot drift apart (an audit found five
 * options missing from the README). Not listed there, by the README's own convention: {@code --help},
 * {@code --version} and {@code --quiet}, which "Usage" describes once for all commands. Option names only: value
 * labels, allowed values, positional parameters and which options are required are not compared.
 */
class ReadmeUsageTest {

    /** Options every command has, described once in README's "Usage". */
    private static final Set<String> COMMON = Set.of("--help", "-h", "--version", "-V", "--quiet");
    private static final Pattern OPTION = Pattern.compile("--(\\[no-])?[a-z][a-z0-9-]*");

    @Test
    void everyUsageBlockListsExactlyTheCommandsOptions() throws IOException {
        Map<String, String> blocks = usageBlocks(Files.readString(readme()));
        CommandLine cli = SmartDeal.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, CommandLine> e : commands(cli).entrySet()) {
            String block = blocks.get(e.getKey());
            if (block == null) {
                problems.add("README.md has no section \"### `smartdeal " + e.getKey() + "`\"");
                continue;
            }
            // a negatable option (--keep-zeros / --no-keep-zeros) counts once, by its positive name, in either form
            Set<String> negatable = new TreeSet<>();
            Set<String> inCode = new TreeSet<>();
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                for (String name : o.names()) {
                    if (name.startsWith("--") && !COMMON.contains(name)) {
                        inCode.add(name);
                        if (o.negatable()) {
                            negatable.add(name.substring(2));
                        }
                    }
                }
            }
            Set<String> inReadme = new TreeSet<>();
            Matcher m = OPTION.matcher(block);
            while (m.find()) {
                String name = m.group().replace("--[no-]", "--");
                if (name.startsWith("--no-") && negatable.contains(name.substring(5))) {
                    name = "--" + name.substring(5);
                }
                inReadme.add(name);
            }
            Set<String> missing = new TreeSet<>(inCode);
            missing.removeAll(inReadme);
            Set<String> unknown = new TreeSet<>(inReadme);
            unknown.removeAll(inCode);
            unknown.removeAll(COMMON);
            if (!missing.isEmpty()) {
                problems.add("smartdeal " + e.getKey() + ": README's usage lacks " + missing);
            }
            if (!unknown.isEmpty()) {
                problems.add("smartdeal " + e.getKey() + ": README's usage names options the command does not have: "
                        + unknown);
            }
            checked++;
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(10, checked, "commands checked: demo, convert, inspect, evaluate, export, decompose, zoo list, energy, "
                + "train, sweep");
    }

    /** Every command that runs, by its README name ("demo", "zoo list"): help and commands of commands excluded. */
    private static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            if (e.getValue().getSubcommands().isEmpty()) {
                out.put(e.getKey(), e.getValue());
            }
            for (Map.Entry<String, CommandLine> sub : e.getValue().getSubcommands().entrySet()) {
                out.put(e.getKey() + " " + sub.getKey(), sub.getValue());
            }
        }
        return out;
    }

    /**
     * Each {@code ### `smartdeal NAME`} section's usage block: the 4-space indented lines after the heading, up to
     * the first line that is neither blank nor indented; empty for a section without one.
     */
    static Map<String, String> usageBlocks(String readme) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        String[] lines = readme.split("\n", -1);
        Pattern heading = Pattern.compile("^### `smartdeal ([a-z ]+)`\\s*$");
        for (int i = 0; i < lines.length; i++) {
            Matcher h = heading.matcher(lines[i]);
            if (!h.matches()) {
                continue;
            }
            StringBuilder b = new StringBuilder();
            int j = i + 1;
            while (j < lines.length && lines[j].isBlank()) {
                j++;
            }
            while (j < lines.length && (lines[j].startsWith("    ") || lines[j].isBlank())) {
                b.append(lines[j]).append('\n');
                j++;
            }
            out.put(h.group(1).trim(), b.toString());
        }
        return out;
    }

    /** The project's README.md: in the working folder or a parent (Maven runs tests in the module's folder). */
    private static Path readme() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("README.md")) && Files.isRegularFile(d.resolve("sd-zoo").resolve("pom.xml"))) {
                return d.resolve("README.md");
            }
        }
        throw new AssertionError("the project's README.md was not found above " + Path.of("").toAbsolutePath());
    }
}
