package dev.jbcc.usdt;

import dev.jbcc.elf.ElfFile;
import dev.jbcc.elf.Note;
import dev.jbcc.elf.Section;
import dev.jbcc.elf.Symbol;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.NotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads the USDT probes of an ELF file: the SystemTap {@code .note.stapsdt} notes (owner
 * {@code stapsdt}, type 3), each a site with its address, the {@code .stapsdt.base} address it was
 * linked against, its semaphore, provider, name and argument specs.
 */
public final class Usdt {
    private Usdt() {}

    /**
     * The probes of the file at {@code path}, grouped by {@code provider:name} in note order.
     *
     * @throws NotFoundException if the file does not exist
     * @throws FormatException   if it is not ELF64 or a note is malformed
     */
    public static List<UsdtProbe> probes(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            return probes(ElfFile.map(path, arena), path.toString());
        } catch (NoSuchFileException e) {
            throw new NotFoundException(path + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** The probes of a parsed file; {@code binary} names it in the probes and in messages. */
    public static List<UsdtProbe> probes(ElfFile elf, String binary) {
        Optional<Section> noteSection = elf.section(".note.stapsdt");
        if (noteSection.isEmpty()) return List.of();
        // Prelink may move the file after the notes were written: the notes record the address
        // .stapsdt.base had at link time, and the section header has the current one.
        long actualBase = elf.section(".stapsdt.base").map(Section::address).orElse(0L);
        Map<String, List<UsdtSite>> byName = new LinkedHashMap<>();
        SymbolLookup symbols = new SymbolLookup(elf);
        for (Note note : elf.notes(noteSection.get())) {
            if (!note.owner().equals(Note.STAPSDT_OWNER) || note.type() != Note.STAPSDT_TYPE) continue;
            UsdtSite site = site(elf, note, actualBase, symbols, binary);
            byName.computeIfAbsent(site.provider() + ":" + site.name(), k -> new ArrayList<>()).add(site);
        }
        List<UsdtProbe> result = new ArrayList<>(byName.size());
        for (List<UsdtSite> sites : byName.values()) {
            result.add(new UsdtProbe(sites.getFirst().provider(), sites.getFirst().name(), binary, sites));
        }
        return List.copyOf(result);
    }

    /**
     * One probe of the file at {@code path}.
     *
     * @throws NotFoundException naming the probes the file does have when there is no such probe
     */
    public static UsdtProbe probe(Path path, String provider, String name) {
        return find(probes(path), path.toString(), provider, name);
    }

    /** Picks {@code provider:name} out of a file's probes, or says which probes there are. */
    public static UsdtProbe find(List<UsdtProbe> probes, String binary, String provider, String name) {
        for (UsdtProbe p : probes) {
            if (p.provider().equals(provider) && p.name().equals(name)) return p;
        }
        if (probes.isEmpty()) {
            throw new NotFoundException("no USDT probe " + provider + ":" + name + " in " + binary
                    + ": the file has no .note.stapsdt section (built without <sys/sdt.h> probes, or stripped of notes)");
        }
        TreeSet<String> providers = new TreeSet<>();
        List<String> similar = new ArrayList<>();
        for (UsdtProbe p : probes) {
            providers.add(p.provider());
            // Probe names use "__" where C code writes "-" (thread__start): compare without underscores.
            String a = squash(p.name()), b = squash(name);
            if (a.contains(b) || b.contains(a)) similar.add(p.qualifiedName());
        }
        throw new NotFoundException("no USDT probe " + provider + ":" + name + " in " + binary + " ("
                + probes.size() + " probes from provider(s) " + String.join(", ", providers) + ")"
                + (similar.isEmpty() ? "" : "; similar: " + String.join(", ", similar.subList(0, Math.min(5, similar.size())))));
    }

    private static String squash(String name) {
        return name.replace("_", "").replace("-", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static UsdtSite site(ElfFile elf, Note note, long actualBase, SymbolLookup symbols, String binary) {
        MemorySegment d = note.descriptor();
        if (d.byteSize() < 24 + 3) {
            throw elf.fail("stapsdt note at offset " + note.offset() + " is " + d.byteSize() + " bytes, too short");
        }
        long pc = elf.u64(d, 0);
        long linkedBase = elf.u64(d, 8);
        long semaphore = elf.u64(d, 16);
        long at = 24;
        String provider = cString(d, at, elf, note);
        at += provider.getBytes(StandardCharsets.UTF_8).length + 1;
        String name = cString(d, at, elf, note);
        at += name.getBytes(StandardCharsets.UTF_8).length + 1;
        String args = at < d.byteSize() ? cString(d, at, elf, note) : "";
        if (actualBase != 0 && linkedBase != 0) {
            long delta = actualBase - linkedBase;
            pc += delta;
            if (semaphore != 0) semaphore += delta;
        }
        final long sitePc = pc;
        long fileOffset = elf.fileOffsetOf(sitePc).orElseThrow(() -> elf.fail("USDT probe " + provider + ":" + name
                + " at 0x" + Long.toHexString(sitePc) + " is not in a loadable segment"));
        long semaphoreOffset = 0;
        if (semaphore != 0) {
            final long sem = semaphore;
            semaphoreOffset = elf.fileOffsetOf(sem).orElseThrow(() -> elf.fail("semaphore of USDT probe " + provider
                    + ":" + name + " at 0x" + Long.toHexString(sem) + " is not backed by the file"));
        }
        List<UsdtArgument> arguments;
        try {
            arguments = UsdtArgumentParser.parseAll(args, pc, symbols);
        } catch (IllegalArgumentException e) {
            throw new FormatException(binary + ": USDT probe " + provider + ":" + name + " at 0x" + Long.toHexString(pc)
                    + " has argument specs '" + args + "' that jbcc cannot read: " + e.getMessage(), e);
        }
        return new UsdtSite(provider, name, pc, fileOffset, semaphore, semaphoreOffset, arguments, args);
    }

    private static String cString(MemorySegment d, long at, ElfFile elf, Note note) {
        long end = at;
        while (end < d.byteSize() && d.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
        if (end >= d.byteSize()) throw elf.fail("stapsdt note at offset " + note.offset() + " has an unterminated string");
        return new String(d.asSlice(at, end - at).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Resolves symbols named by rip-relative operands, building the table only if one is needed. */
    static final class SymbolLookup {
        private final ElfFile elf;
        private Map<String, Long> byName;

        SymbolLookup(ElfFile elf) {
            this.elf = elf;
        }

        /** The symbol's virtual address. */
        long address(String name) {
            if (byName == null) {
                byName = new LinkedHashMap<>();
                for (List<Symbol> table : List.of(elf.symbols(), elf.dynamicSymbols())) {
                    for (Symbol s : table) {
                        if (!s.isUndefined() && !s.name().isEmpty()) byName.putIfAbsent(s.name(), s.value());
                    }
                }
            }
            Long address = byName.get(name);
            if (address == null) throw new IllegalArgumentException("symbol '" + name + "' is not in .symtab or .dynsym");
            return address;
        }
    }
}
