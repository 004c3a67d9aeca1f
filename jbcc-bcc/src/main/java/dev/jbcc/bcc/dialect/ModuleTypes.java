package dev.jbcc.bcc.dialect;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfHeaderWriter;
import dev.jbcc.btf.BtfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Types a program takes from loaded kernel modules: the prelude's vmlinux.h holds vmlinux's types
 * only, so a {@code struct}, {@code union} or {@code enum} the program names that vmlinux's BTF
 * lacks is looked up in the modules' BTF ({@code /sys/kernel/btf/<module>}), and the modules that
 * have it supply a header of it and the module types it needs ({@link BtfHeaderWriter#writeOwn}),
 * included after the prelude. A program whose tags vmlinux all has gets an empty header and costs
 * name lookups only.
 */
final class ModuleTypes {
    private static final System.Logger LOG = System.getLogger(ModuleTypes.class.getName());
    private static final Pattern TAG = Pattern.compile("\\b(struct|union|enum)\\s+([A-Za-z_][A-Za-z0-9_]*)(\\s*\\{)?");
    /** Headers made in this process, by the tags vmlinux lacks and the modules loaded. */
    private static final Map<String, String> MADE = new ConcurrentHashMap<>();

    private ModuleTypes() {}

    /**
     * The header of the module types {@code programText} names; empty if it names none. Without
     * modules that have BTF nothing is looked up, not even vmlinux's BTF.
     */
    static String header(String programText) {
        List<String> modules = Btf.kernelModuleNames();
        if (modules.isEmpty()) return "";
        TreeSet<String> missing = missingFromVmlinux(programText);
        if (missing.isEmpty()) return "";
        return MADE.computeIfAbsent(String.join(",", missing) + "|" + String.join(",", modules),
                k -> write(missing));
    }

    /**
     * What {@link #header} depends on beyond the program and vmlinux: the loaded modules' names and
     * BTF sizes, for the whole-program cache's key, which must not cost a parse of vmlinux's BTF
     * (a hit parses none). A module loaded, unloaded or rebuilt changes it.
     */
    static String identity() {
        StringBuilder sb = new StringBuilder();
        for (String module : Btf.kernelModuleNames()) {
            long size;
            try {
                size = Files.size(Path.of("/sys/kernel/btf", module));
            } catch (IOException unloadedMeanwhile) {
                continue;
            }
            sb.append(module).append(':').append(size).append(',');
        }
        return sb.toString();
    }

    /**
     * "struct x", "union y", "enum z" for the tags the program names that vmlinux's BTF does not
     * have and the program does not define itself.
     */
    static TreeSet<String> missingFromVmlinux(String programText) {
        var missing = new TreeSet<String>();
        var defined = new TreeSet<String>();
        Btf vmlinux = null;
        Matcher m = TAG.matcher(programText);
        while (m.find()) {
            String tag = m.group(1) + " " + m.group(2);
            if (m.group(3) != null) defined.add(tag);
            if (missing.contains(tag) || defined.contains(tag)) continue;
            try {
                if (vmlinux == null) vmlinux = Btf.kernel();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "no kernel BTF: module types are not looked up", e);
                return new TreeSet<>();
            }
            if (vmlinux.lookup(m.group(2), kind(m.group(1))).length == 0) missing.add(tag);
        }
        missing.removeAll(defined);
        return missing;
    }

    /**
     * For clang's {@code diagnostics} on the program: a line for each tag they name that neither
     * vmlinux nor a loaded module has, saying to load the module that defines it; empty if none.
     */
    static String unresolvedHint(String programText, String diagnostics) {
        var sb = new StringBuilder();
        for (String tag : missingFromVmlinux(programText)) {
            if (!diagnostics.contains("'" + tag + "'") || supplier(tag) != null) continue;
            sb.append('\n').append(tag).append(" is in neither vmlinux's BTF nor a loaded module's:"
                    + " load the module that defines it (its types come from /sys/kernel/btf/<module>)");
        }
        return sb.toString();
    }

    /** A loaded module's type: its id in the module's split BTF. */
    private record Supply(String module, Btf btf, int id) {}

    /** The first loaded module (by name) whose own BTF defines {@code tag}, or null. */
    private static Supply supplier(String tag) {
        String[] parts = tag.split(" ");
        for (String module : Btf.kernelModuleNames()) {
            try {
                Btf btf = Btf.kernelModule(module);
                for (int id : btf.lookup(parts[1], kind(parts[0]))) {
                    if (id >= btf.firstTypeId()) return new Supply(module, btf, id);
                }
            } catch (RuntimeException unloadedMeanwhile) {
                // gone since the listing: it supplies nothing
            }
        }
        return null;
    }

    private static Class<? extends BtfType> kind(String keyword) {
        return switch (keyword) {
            case "struct" -> BtfType.Struct.class;
            case "union" -> BtfType.Union.class;
            default -> BtfType.Enumeration.class;
        };
    }

    private static String write(TreeSet<String> missing) {
        var byModule = new LinkedHashMap<String, List<Supply>>();
        for (String tag : missing) {
            Supply supply = supplier(tag);
            if (supply == null) continue;
            byModule.computeIfAbsent(supply.module(), k -> new ArrayList<>()).add(supply);
            LOG.log(System.Logger.Level.DEBUG, "module " + supply.module() + " supplies " + tag);
        }
        var sb = new StringBuilder();
        byModule.forEach((module, supplies) -> sb.append(new BtfHeaderWriter(supplies.getFirst().btf())
                .writeOwn(supplies.stream().map(Supply::id).toList(),
                        "__JBCC_MODULE_" + module.replaceAll("[^A-Za-z0-9_]", "_") + "_H__")));
        return sb.toString();
    }
}
