package dev.jbcc.tools;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flame graph's boxes: one per frame path, as wide as its share, callers below callees. */
class FlameGraphTest {
    private static final Pattern BOX = Pattern.compile(
            "<g class=\"f\" data-x=\"([0-9.E-]+)\" data-w=\"([0-9.E-]+)\" data-d=\"(\\d+)\" data-n=\"([^\"]*)\" data-v=\"(\\d+)\">");

    @Test
    void boxesAreAsWideAsTheirShareAndNested() throws Exception {
        Map<String, Long> folded = new LinkedHashMap<>();
        folded.put("java;main;work;spin", 30L);
        folded.put("java;main;work;<wait>&\"more\"", 10L);
        folded.put("java;main;idle", 60L);
        folded.put("kworker;-;schedule_[k]", 0L); // no samples: no box
        String svg = FlameGraph.svg(folded, "profile: samples");
        assertTrue(svg.startsWith("<?xml") && svg.contains("<script") && svg.trim().endsWith("</svg>"), svg);
        Map<String, double[]> boxes = new LinkedHashMap<>();
        Matcher m = BOX.matcher(svg);
        while (m.find()) {
            boxes.put(m.group(4) + "@" + m.group(3), new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Long.parseLong(m.group(5))});
        }
        assertEquals(1.0, boxes.get("all@0")[1], 1e-9);
        assertEquals(100, boxes.get("all@0")[2]);
        assertEquals(1.0, boxes.get("main@2")[1], 1e-9);
        assertEquals(0.4, boxes.get("work@3")[1], 1e-9);
        assertEquals(0.6, boxes.get("idle@3")[1], 1e-9);
        assertEquals(0.3, boxes.get("spin@4")[1], 1e-9);
        // names are escaped, and siblings sit side by side in name order (idle before work)
        assertEquals(0.1, boxes.get("&lt;wait&gt;&amp;&quot;more&quot;@4")[1], 1e-9);
        assertEquals(0.0, boxes.get("idle@3")[0], 1e-9);
        assertEquals(0.6, boxes.get("work@3")[0], 1e-9);
        assertFalse(boxes.containsKey("kworker@1"), boxes.keySet().toString());
        assertFalse(svg.contains("<wait>"), "unescaped name");
    }

    @Test
    void htmlOrSvgByTheFilesName() throws Exception {
        Path dir = Files.createTempDirectory("jbcc-flamegraph");
        try {
            Path html = dir.resolve("g.html"), svg = dir.resolve("g.SVG");
            FlameGraph.write(html, Map.of("a;b", 1L), "t");
            FlameGraph.write(svg, Map.of("a;b", 1L), "t");
            assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
            assertTrue(Files.readString(svg).startsWith("<?xml"));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
