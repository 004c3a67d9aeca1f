package dev.jbcc.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flame graph of folded stacks ({@code frame;frame;...;frame} → count, outermost frame first), as
 * one self-contained file: an SVG with its script inside, or an HTML page around the same SVG. Each
 * frame is a box as wide as its share of the total, its callers below it; hovering names it and its
 * count, clicking a box zooms to it (the bottom box or Reset zoom goes back), Search marks the
 * frames whose names match a regular expression and says what share of the total they hold.
 */
public final class FlameGraph {
    private static final int WIDTH = 1200;
    private static final int FRAME = 16;
    private static final int TOP = 48;
    private static final int BOTTOM = 28;
    private static final double MIN_WIDTH_PX = 0.1;

    private FlameGraph() {
    }

    /** A frame and the frames it called, with the total count of all stacks through it. */
    private static final class Node {
        final String name;
        long value;
        final Map<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }
    }

    /** Writes the flame graph of {@code folded} to {@code file}: an SVG if its name ends in .svg, else an HTML page. */
    public static void write(Path file, Map<String, Long> folded, String title) throws IOException {
        boolean svg = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg");
        Files.writeString(file, svg ? svg(folded, title) : html(folded, title), StandardCharsets.UTF_8);
    }

    /** The flame graph as an HTML page (the SVG inline). */
    public static String html(Map<String, Long> folded, String title) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
                + "<style>body{margin:8px;background:#fff;font-family:Verdana,sans-serif}</style></head>\n<body>\n"
                + svgElement(folded, title) + "</body></html>\n";
    }

    /** The flame graph as a standalone SVG document. */
    public static String svg(Map<String, Long> folded, String title) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" + svgElement(folded, title);
    }

    private static Node tree(Map<String, Long> folded) {
        Node root = new Node("all");
        for (var e : folded.entrySet()) {
            long n = e.getValue();
            if (n <= 0) continue;
            root.value += n;
            Node at = root;
            for (String frame : e.getKey().split(";")) {
                if (frame.isEmpty()) continue;
                at = at.children.computeIfAbsent(frame, Node::new);
                at.value += n;
            }
        }
        return root;
    }

    private static int depth(Node n) {
        int d = 0;
        for (Node c : n.children.values()) d = Math.max(d, depth(c));
        return d + 1;
    }

    private static String svgElement(Map<String, Long> folded, String title) {
        Node root = tree(folded);
        int height = TOP + depth(root) * FRAME + BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append("<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" data-total=\"").append(root.value).append("\" data-frame=\"").append(FRAME).append("\">\n")
                .append("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}")
                .append(" .f rect{stroke:#fff;stroke-width:0.5;rx:2} .f:hover rect{stroke:#000;cursor:pointer}")
                .append(" .f text{pointer-events:none} .hidden{display:none} .ui{cursor:pointer;fill:#333}</style>\n")
                .append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#f8f8f0\"/>\n")
                .append("<text x=\"").append(WIDTH / 2).append("\" y=\"24\" text-anchor=\"middle\" style=\"font-size:17px\">")
                .append(escape(title)).append("</text>\n")
                .append("<text id=\"reset\" class=\"ui hidden\" x=\"10\" y=\"24\">Reset zoom</text>\n")
                .append("<text id=\"search\" class=\"ui\" x=\"").append(WIDTH - 10).append("\" y=\"24\" text-anchor=\"end\">Search</text>\n")
                .append("<text id=\"matched\" x=\"").append(WIDTH - 10).append("\" y=\"").append(height - 10)
                .append("\" text-anchor=\"end\"></text>\n")
                .append("<text id=\"details\" x=\"10\" y=\"").append(height - 10).append("\"> </text>\n")
                .append("<g id=\"frames\">\n");
        frames(b, root, 0, 0, root.value, height);
        b.append("</g>\n<script type=\"text/javascript\"><![CDATA[\n").append(SCRIPT).append("]]></script>\n</svg>\n");
        return b.toString();
    }

    /** The boxes of {@code n} and its callees; {@code left} is the count to its left, at {@code depth} from the bottom. */
    private static void frames(StringBuilder b, Node n, int depth, long left, long total, int height) {
        double x = total == 0 ? 0 : (double) left / total;
        double w = total == 0 ? 1 : (double) n.value / total;
        if (w * WIDTH < MIN_WIDTH_PX) return;
        int y = height - BOTTOM - (depth + 1) * FRAME;
        String name = escape(n.name);
        b.append("<g class=\"f\" data-x=\"").append(x).append("\" data-w=\"").append(w).append("\" data-d=\"").append(depth)
                .append("\" data-n=\"").append(name).append("\" data-v=\"").append(n.value).append("\"><title>").append(name)
                .append(" (").append(n.value).append(", ").append(String.format(Locale.ROOT, "%.2f%%", 100.0 * w))
                .append(")</title><rect x=\"").append(String.format(Locale.ROOT, "%.2f", x * WIDTH)).append("\" y=\"").append(y)
                .append("\" width=\"").append(String.format(Locale.ROOT, "%.2f", w * WIDTH)).append("\" height=\"").append(FRAME - 1)
                .append("\" fill=\"").append(color(n.name)).append("\"/><text x=\"")
                .append(String.format(Locale.ROOT, "%.2f", x * WIDTH + 3)).append("\" y=\"").append(y + FRAME - 4).append("\">")
                .append(escape(label(n.name, w * WIDTH))).append("</text></g>\n");
        long at = left;
        for (Node c : n.children.values()) {
            frames(b, c, depth + 1, at, total, height);
            at += c.value;
        }
    }

    /** As much of the name as fits in {@code px}, ".." marking a cut; empty when not even three characters fit. */
    private static String label(String name, double px) {
        int fits = (int) ((px - 6) / 7);
        if (fits < 3) return "";
        return name.length() <= fits ? name : name.substring(0, fits - 2) + "..";
    }

    /** Warm colours for code, a stable one per name; kernel frames (_[k]) orange, the user/kernel delimiter grey. */
    private static String color(String name) {
        if (name.equals("-") || name.equals("--")) return "rgb(200,200,200)";
        int h = name.hashCode();
        int r = 205 + Math.floorMod(h, 50);
        int g = Math.floorMod(h >>> 8, 180);
        int bl = Math.floorMod(h >>> 16, 55);
        if (name.endsWith("_[k]")) g = 120 + Math.floorMod(h >>> 8, 80);
        return "rgb(" + r + "," + g + "," + bl + ")";
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\t') b.append(' ');
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }

    /** Zoom, details and search, in the file itself (no network). */
    private static final String SCRIPT = """
            (function () {
              var svg = document.currentScript ? document.currentScript.closest('svg') : document.documentElement;
              if (!svg || svg.tagName.toLowerCase() !== 'svg') svg = document.querySelector('svg');
              var W = parseFloat(svg.getAttribute('width')), total = parseFloat(svg.getAttribute('data-total'));
              var frames = Array.prototype.slice.call(svg.querySelectorAll('g.f'));
              var details = svg.querySelector('#details'), reset = svg.querySelector('#reset');
              var matched = svg.querySelector('#matched'), search = svg.querySelector('#search');
              function num(g, a) { return parseFloat(g.getAttribute(a)); }
              function fit(g, px) {
                var name = g.getAttribute('data-n'), n = Math.floor((px - 6) / 7);
                g.querySelector('text').textContent = n < 3 ? '' : name.length <= n ? name : name.substring(0, n - 2) + '..';
              }
              function zoom(target) {
                var zx = target ? num(target, 'data-x') : 0, zw = target ? num(target, 'data-w') : 1;
                var zd = target ? num(target, 'data-d') : 0;
                frames.forEach(function (g) {
                  var x = num(g, 'data-x'), w = num(g, 'data-w'), d = num(g, 'data-d');
                  var l = Math.max(x, zx), r = Math.min(x + w, zx + zw);
                  var inside = r - l > 1e-12 && (d >= zd || (x <= zx + 1e-12 && x + w >= zx + zw - 1e-12));
                  g.classList.toggle('hidden', !inside);
                  if (!inside) return;
                  var px = (r - l) / zw * W, left = (l - zx) / zw * W;
                  var rect = g.querySelector('rect'), text = g.querySelector('text');
                  rect.setAttribute('x', left.toFixed(2));
                  rect.setAttribute('width', px.toFixed(2));
                  text.setAttribute('x', (left + 3).toFixed(2));
                  g.style.opacity = d < zd ? '0.6' : '1';
                  fit(g, px);
                });
                reset.classList.toggle('hidden', !target);
              }
              frames.forEach(function (g) {
                g.addEventListener('click', function () { zoom(num(g, 'data-d') === 0 ? null : g); });
                g.addEventListener('mouseover', function () {
                  var v = num(g, 'data-v');
                  details.textContent = g.getAttribute('data-n') + ' (' + v + ', ' + (100 * v / total).toFixed(2) + '%)';
                });
                g.addEventListener('mouseout', function () { details.textContent = ' '; });
              });
              reset.addEventListener('click', function () { zoom(null); });
              var searching = false;
              function mark(re) {
                var seen = [], sum = 0;
                frames.forEach(function (g) {
                  var hit = re !== null && re.test(g.getAttribute('data-n'));
                  var rect = g.querySelector('rect');
                  if (!rect.hasAttribute('data-fill')) rect.setAttribute('data-fill', rect.getAttribute('fill'));
                  rect.setAttribute('fill', hit ? 'rgb(230,0,230)' : rect.getAttribute('data-fill'));
                  if (!hit) return;
                  // count each stack once: a match inside a matched caller adds nothing
                  var x = num(g, 'data-x'), w = num(g, 'data-w');
                  var covered = seen.some(function (s) { return x >= s[0] - 1e-12 && x + w <= s[0] + s[1] + 1e-12; });
                  if (!covered) { seen.push([x, w]); sum += num(g, 'data-v'); }
                });
                searching = re !== null;
                search.textContent = searching ? 'Clear' : 'Search';
                matched.textContent = searching ? 'Matched: ' + (100 * sum / total).toFixed(1) + '%' : '';
              }
              search.addEventListener('click', function () {
                if (searching) { mark(null); return; }
                var term = window.prompt('Search frames for (a regular expression):', '');
                if (!term) return;
                try { mark(new RegExp(term)); } catch (e) { window.alert('not a regular expression: ' + e.message); }
              });
            })();
            """;
}
