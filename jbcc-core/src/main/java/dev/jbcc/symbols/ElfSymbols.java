package dev.jbcc.symbols;

import dev.jbcc.elf.ElfFile;
import dev.jbcc.elf.ProgramHeader;
import dev.jbcc.elf.Symbol;
import dev.jbcc.errors.NotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The function symbols of one ELF executable or shared library ({@code .symtab} and
 * {@code .dynsym} merged), indexed both ways: name → symbols for attaching uprobes, and address →
 * enclosing symbol for symbolizing stacks. Holds no file mapping: everything is copied to the heap
 * when built, so instances can be cached and shared between threads.
 */
public final class ElfSymbols {
    private static final Map<FileIdentity, SoftReference<ElfSymbols>> CACHE = new ConcurrentHashMap<>();

    private final String origin;
    private final List<ProgramHeader> loadSegments;
    private final List<Symbol> symtab;
    private final List<Symbol> dynsym;
    // Built on first name lookup: symbolizing needs only the address index.
    private volatile Map<String, List<Symbol>> byName;
    // Sorted by address, one entry per distinct start address, for binary search.
    private final long[] starts;
    private final long[] sizes;
    private final String[] names;

    private ElfSymbols(String origin, List<ProgramHeader> loadSegments, List<Symbol> symtab, List<Symbol> dynsym,
                       long[] starts, long[] sizes, String[] names) {
        this.origin = origin;
        this.loadSegments = loadSegments;
        this.symtab = symtab;
        this.dynsym = dynsym;
        this.starts = starts;
        this.sizes = sizes;
        this.names = names;
    }

    /** Identifies a file's contents well enough to cache by: replaced libraries get a new entry. */
    private record FileIdentity(Path path, Object fileKey, long modified, long size) {}

    /**
     * The symbols of the file at {@code path}, read once per file version and cached (softly, so
     * memory pressure can drop them).
     *
     * @throws NotFoundException if the file does not exist
     */
    public static ElfSymbols load(Path path) {
        FileIdentity id;
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            id = new FileIdentity(path.toAbsolutePath().normalize(), attrs.fileKey(),
                    attrs.lastModifiedTime().toMillis(), attrs.size());
        } catch (NoSuchFileException e) {
            throw new NotFoundException(path + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        SoftReference<ElfSymbols> ref = CACHE.get(id);
        ElfSymbols cached = ref == null ? null : ref.get();
        if (cached != null) return cached;
        try (Arena arena = Arena.ofConfined()) {
            ElfSymbols fresh = of(ElfFile.map(path, arena), path.toString());
            CACHE.put(id, new SoftReference<>(fresh));
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Builds the index from a parsed file; {@code origin} names it in messages and frames. */
    public static ElfSymbols of(ElfFile elf, String origin) {
        List<ProgramHeader> loads = new ArrayList<>();
        for (ProgramHeader ph : elf.programHeaders()) if (ph.type() == ProgramHeader.PT_LOAD) loads.add(ph);

        List<Symbol> symtab = elf.symbols(), dynsym = elf.dynamicSymbols();
        List<Symbol> functions = new ArrayList<>(symtab.size() + dynsym.size());
        for (List<Symbol> table : List.of(symtab, dynsym)) {
            for (Symbol s : table) {
                if ((s.type() == Symbol.Type.FUNC || s.type() == Symbol.Type.GNU_IFUNC) && !s.isUndefined()
                        && !s.name().isEmpty()) {
                    functions.add(s);
                }
            }
        }
        functions.sort((a, b) -> {
            int c = Long.compareUnsigned(a.value(), b.value());
            if (c != 0) return c;
            // Among aliases at one address, print the global name and the sized one.
            c = Boolean.compare(!a.isGlobal(), !b.isGlobal());
            return c != 0 ? c : Long.compare(b.size(), a.size());
        });
        int n = 0;
        long[] starts = new long[functions.size()];
        long[] sizes = new long[functions.size()];
        String[] names = new String[functions.size()];
        for (Symbol s : functions) {
            if (n > 0 && starts[n - 1] == s.value()) continue;
            starts[n] = s.value();
            sizes[n] = s.size();
            names[n] = s.name();
            n++;
        }
        return new ElfSymbols(origin, List.copyOf(loads), symtab, dynsym,
                Arrays.copyOf(starts, n), Arrays.copyOf(sizes, n), Arrays.copyOf(names, n));
    }

    /** The file's path or description. */
    public String origin() {
        return origin;
    }

    /** How many distinct function addresses are indexed. */
    public int functionCount() {
        return starts.length;
    }

    /** Defined symbols with this exact name (functions and data), one per distinct address. */
    public List<Symbol> lookup(String name) {
        return index().getOrDefault(name, List.of());
    }

    private Map<String, List<Symbol>> index() {
        Map<String, List<Symbol>> map = byName;
        if (map != null) return map;
        map = HashMap.newHashMap(symtab.size() + dynsym.size());
        for (List<Symbol> table : List.of(symtab, dynsym)) {
            for (Symbol s : table) {
                if (s.isUndefined() || s.name().isEmpty()) continue;
                if (s.type() != Symbol.Type.FUNC && s.type() != Symbol.Type.GNU_IFUNC
                        && s.type() != Symbol.Type.OBJECT && s.type() != Symbol.Type.NOTYPE) continue;
                List<Symbol> same = map.get(s.name());
                if (same == null) {
                    map.put(s.name(), List.of(s));
                } else if (!containsAddress(same, s.value())) {
                    // .symtab usually repeats every .dynsym entry: keep one per address.
                    List<Symbol> more = new ArrayList<>(same);
                    more.add(s);
                    map.put(s.name(), List.copyOf(more));
                }
            }
        }
        byName = map = Collections.unmodifiableMap(map);
        return map;
    }

    private static boolean containsAddress(List<Symbol> symbols, long address) {
        for (Symbol s : symbols) if (s.value() == address) return true;
        return false;
    }

    /**
     * The one symbol named {@code name}; a global definition wins over local ones of the same
     * name.
     *
     * @throws NotFoundException if there is none, or several different local ones
     */
    public Symbol symbol(String name) {
        List<Symbol> found = lookup(name);
        if (found.isEmpty()) {
            throw new NotFoundException("no symbol '" + name + "' in .symtab or .dynsym of " + origin
                    + (nearbyNames(name).isEmpty() ? "" : "; similar names: " + nearbyNames(name)));
        }
        if (found.size() == 1) return found.getFirst();
        List<Symbol> global = found.stream().filter(Symbol::isGlobal).toList();
        if (global.size() == 1) return global.getFirst();
        var where = new StringBuilder();
        for (Symbol s : found) where.append(" 0x").append(Long.toHexString(s.value()));
        throw new NotFoundException("symbol '" + name + "' is defined " + found.size() + " times in " + origin
                + " (at" + where + "); attach by address instead");
    }

    private List<String> nearbyNames(String name) {
        String lower = name.toLowerCase();
        List<String> result = new ArrayList<>();
        for (String candidate : index().keySet()) {
            if (candidate.toLowerCase().contains(lower) && result.size() < 5) result.add(candidate);
        }
        Collections.sort(result);
        return result;
    }

    /** The file offset of a virtual address, through the loadable segment that holds it. */
    public OptionalLong fileOffsetOf(long virtualAddress) {
        for (ProgramHeader ph : loadSegments) {
            if (ph.containsInFile(virtualAddress)) return OptionalLong.of(ph.offset() + (virtualAddress - ph.virtualAddress()));
        }
        return OptionalLong.empty();
    }

    /** The virtual address a file offset is loaded at, through the loadable segment that holds it. */
    public OptionalLong virtualAddressOf(long fileOffset) {
        for (ProgramHeader ph : loadSegments) {
            if (Long.compareUnsigned(fileOffset, ph.offset()) >= 0
                    && Long.compareUnsigned(fileOffset - ph.offset(), ph.fileSize()) < 0) {
                return OptionalLong.of(ph.virtualAddress() + (fileOffset - ph.offset()));
            }
        }
        return OptionalLong.empty();
    }

    /** The function covering a virtual address of this file (not a process address). */
    public ResolvedAddress resolve(long virtualAddress) {
        return resolve(virtualAddress, virtualAddress, origin);
    }

    /** Resolves {@code virtualAddress}; the result reports {@code reported} as its address. */
    ResolvedAddress resolve(long virtualAddress, long reported, String module) {
        int lo = 0, hi = starts.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], virtualAddress) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) return ResolvedAddress.unknown(reported, module);
        long offset = virtualAddress - starts[found];
        // Unsized symbols (hand-written assembly) are trusted up to the next symbol.
        long limit = sizes[found] > 0 ? sizes[found]
                : found + 1 < starts.length ? starts[found + 1] - starts[found] : 1;
        if (Long.compareUnsigned(offset, limit) >= 0) return ResolvedAddress.unknown(reported, module);
        return new ResolvedAddress(reported, names[found], offset, module);
    }

    @Override
    public String toString() {
        return "ElfSymbols[" + origin + ", " + starts.length + " functions]";
    }
}
