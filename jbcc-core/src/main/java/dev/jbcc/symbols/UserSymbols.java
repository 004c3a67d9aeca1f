package dev.jbcc.symbols;

import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.NotFoundException;

import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Symbols of one process: its executable mappings ({@code /proc/PID/maps}) and, for each mapped
 * file, the file's ELF symbols (read once per file and shared through {@link ElfSymbols#load}).
 * The map is read when this object is created; call {@link #refresh()} after the process loads
 * more libraries. Not thread-safe.
 */
public final class UserSymbols implements Symbolizer {
    private final int pid;
    private List<ProcMaps.Mapping> mappings;
    // Files that could not be read or parsed resolve to their name only; remember not to retry.
    private final Map<String, ElfSymbols> files = new HashMap<>();
    private final Map<String, Boolean> unreadable = new HashMap<>();

    private UserSymbols(int pid) {
        this.pid = pid;
        this.mappings = executable(ProcMaps.read(pid));
    }

    /**
     * Symbols of the running process {@code pid}.
     *
     * @throws NotFoundException if there is no such process
     */
    public static UserSymbols of(int pid) {
        return new UserSymbols(pid);
    }

    public int pid() {
        return pid;
    }

    /** Re-reads the process's mappings (cached file symbols are kept). */
    public void refresh() {
        mappings = executable(ProcMaps.read(pid));
    }

    private static List<ProcMaps.Mapping> executable(List<ProcMaps.Mapping> all) {
        return all.stream().filter(ProcMaps.Mapping::isExecutable).toList();
    }

    @Override
    public ResolvedAddress resolve(long address) {
        for (ProcMaps.Mapping m : mappings) {
            if (!m.contains(address)) continue;
            if (!m.isFile()) return ResolvedAddress.unknown(address, m.path().isEmpty() ? null : m.path());
            ElfSymbols symbols = symbolsOf(m.path());
            if (symbols == null) return ResolvedAddress.unknown(address, m.path());
            long fileOffset = address - m.start() + m.offset();
            var virtual = symbols.virtualAddressOf(fileOffset);
            if (virtual.isEmpty()) return ResolvedAddress.unknown(address, m.path());
            return symbols.resolve(virtual.getAsLong(), address, m.path());
        }
        return ResolvedAddress.unknown(address, null);
    }

    private ElfSymbols symbolsOf(String mappedPath) {
        ElfSymbols known = files.get(mappedPath);
        if (known != null || unreadable.containsKey(mappedPath)) return known;
        try {
            ElfSymbols loaded = ElfSymbols.load(Libraries.fileOf(pid, mappedPath));
            files.put(mappedPath, loaded);
            return loaded;
        } catch (NotFoundException | FormatException | UncheckedIOException e) {
            // A file deleted or replaced since it was mapped, or not ELF: report the mapping only.
            unreadable.put(mappedPath, Boolean.TRUE);
            return null;
        }
    }

    @Override
    public String toString() {
        return "UserSymbols[pid " + pid + ", " + mappings.size() + " executable mappings]";
    }
}
