package dev.jbcc.symbols;

import dev.jbcc.elf.Symbol;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.NotFoundException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Linker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** kallsyms, ld.so.cache, /proc/PID/maps and ELF symbol tables, read from this machine. */
class SymbolsTest {

    @Test
    void kallsymsResolvesAKnownFunctionBothWays() {
        KernelSymbols kernel = KernelSymbols.load();
        assertTrue(kernel.size() > 10_000, kernel.toString());
        long address = kernel.address("do_sys_openat2").orElseThrow();
        assertEquals(new ResolvedAddress(address, "do_sys_openat2", 0, KernelSymbols.KERNEL_MODULE), kernel.resolve(address));
        ResolvedAddress inside = kernel.resolve(address + 5);
        assertEquals("do_sys_openat2", inside.symbol());
        assertEquals(5, inside.offset());
        assertEquals("do_sys_openat2+0x5 [vmlinux]", inside.toString());
        assertTrue(Character.toLowerCase(kernel.type("do_sys_openat2")) == 't');
        assertTrue(kernel.address("jbcc_no_such_kernel_symbol").isEmpty());
        assertSame(KernelSymbols.shared(), KernelSymbols.shared());
    }

    @Test
    void kallsymsTextWithModulesOutOfOrder() {
        String text = """
                ffffffff81000000 T _stext
                ffffffff81000100 t helper
                ffffffff81000200 T other
                ffffffffc0002000 t mod_fn\t[mymod]
                ffffffffc0001000 T mod_init\t[mymod]
                0000000000000000 A absolute
                """;
        KernelSymbols k = KernelSymbols.parse(text.getBytes(StandardCharsets.US_ASCII));
        assertEquals(5, k.size(), "absolute symbols are not addresses");
        assertEquals(new ResolvedAddress(0xffffffffc0001010L, "mod_init", 0x10, "mymod"), k.resolve(0xffffffffc0001010L));
        assertEquals("mod_fn", k.resolve(0xffffffffc0002001L).symbol());
        assertEquals("helper", k.resolve(0xffffffff810001ffL).symbol());
        assertFalse(k.resolve(0x1000).isKnown(), "below every symbol");
        assertEquals(0xffffffffc0002000L, k.address("mod_fn", "mymod").orElseThrow());
        assertTrue(k.address("mod_fn", KernelSymbols.KERNEL_MODULE).isEmpty());
    }

    @Test
    void ldSoCacheFindsLibcForThisArchitecture() {
        Path libc = LdSoCache.system().find("c").orElseThrow();
        assertTrue(Files.exists(libc), libc.toString());
        assertEquals(libc, LdSoCache.system().find("libc").orElseThrow());
        assertEquals(libc, LdSoCache.system().find("libc.so.6").orElseThrow());
        assertTrue(LdSoCache.system().find("jbcc_no_such_library").isEmpty());
        assertTrue(LdSoCache.system().find("ca").isEmpty() || !LdSoCache.system().find("ca").get().equals(libc),
                "'ca' is not a prefix match for libc");
    }

    /** A cache as old ldconfig wrote it: the legacy table first, the new format after it. */
    @Test
    void combinedLegacyAndNewFormat() {
        var out = new ByteArrayOutputStream();
        ByteBuffer old = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        old.put("ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII)).position(12);
        old.putInt(0);
        out.writeBytes(old.array());
        String soname = "libjbcc.so.1", path = "/opt/jbcc/libjbcc.so.1";
        int stringsAt = 48 + 24;
        ByteBuffer fresh = ByteBuffer.allocate(stringsAt + soname.length() + 1 + path.length() + 1).order(ByteOrder.nativeOrder());
        fresh.put("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII));
        fresh.putInt(1).putInt(soname.length() + path.length() + 2);
        fresh.position(48);
        fresh.putInt(0x0303).putInt(stringsAt).putInt(stringsAt + soname.length() + 1).putInt(0).putLong(0);
        fresh.put(soname.getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(path.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        out.writeBytes(fresh.array());
        LdSoCache cache = LdSoCache.parse(out.toByteArray(), Path.of("test-cache"));
        assertEquals(Path.of(path), cache.find("jbcc").orElseThrow());
        assertEquals(1, cache.entries().size());

        var bad = assertThrows(FormatException.class, () -> LdSoCache.parse(new byte[64], Path.of("zeros")));
        assertTrue(bad.getMessage().contains("zeros"));
    }

    @Test
    void procMapsLines() {
        var m = ProcMaps.parse("7f0000001000-7f0000002000 r-xp 00003000 08:01 1234     /opt/my lib/libx.so (deleted)");
        assertEquals(0x7f0000001000L, m.start());
        assertEquals(0x3000, m.offset());
        assertEquals("/opt/my lib/libx.so (deleted)", m.path());
        assertTrue(m.isExecutable() && m.isFile());
        var anon = ProcMaps.parse("7ffd0000-7ffd1000 rw-p 00000000 00:00 0 ");
        assertEquals("", anon.path());
        assertFalse(anon.isFile());
        assertThrows(NotFoundException.class, () -> ProcMaps.read(Integer.MAX_VALUE));
    }

    @Test
    void thisProcessesLibcFunctionResolvesThroughItsMapping() {
        long getpid = Linker.nativeLinker().defaultLookup().find("getpid").orElseThrow().address();
        UserSymbols symbols = UserSymbols.of(Math.toIntExact(ProcessHandle.current().pid()));
        ResolvedAddress resolved = symbols.resolve(getpid);
        assertTrue(resolved.isKnown(), resolved.toString());
        assertEquals(0, resolved.offset());
        assertTrue(resolved.module().contains("libc"), resolved.toString());
        // glibc has aliases at one address (getpid, __getpid): whichever name is printed, it is that address.
        ElfSymbols libc = ElfSymbols.load(Path.of(resolved.module()));
        long expected = libc.symbol("getpid").value();
        assertTrue(libc.lookup(resolved.symbol()).stream().mapToLong(Symbol::value).anyMatch(v -> v == expected), resolved.toString());
        assertEquals("getpid", libc.resolve(expected + 1).symbol().replace("__", ""), "by file address too");
        assertFalse(symbols.resolve(8).isKnown(), "nothing is mapped at 8");
    }

    @Test
    void librariesByNameAndClearErrors() {
        int self = Math.toIntExact(ProcessHandle.current().pid());
        assertTrue(Libraries.resolve("c", self).getFileName().toString().startsWith("libc"));
        assertEquals(Path.of("/bin/sh"), Libraries.resolve("/bin/sh", -1));
        assertTrue(Libraries.resolve("sh", -1).toString().endsWith("/sh"), "an executable on PATH");
        var e = assertThrows(NotFoundException.class, () -> Libraries.resolve("jbcc_nope", self));
        assertTrue(e.getMessage().contains("/proc/" + self + "/maps") && e.getMessage().contains("ld.so.cache")
                && e.getMessage().contains("PATH"), e.getMessage());
        ElfSymbols libc = ElfSymbols.load(Libraries.resolve("c", -1));
        var missing = assertThrows(NotFoundException.class, () -> libc.symbol("jbcc_not_in_libc"));
        assertTrue(missing.getMessage().contains("jbcc_not_in_libc") && missing.getMessage().contains("libc"));
        assertSame(libc, ElfSymbols.load(Libraries.resolve("c", -1)), "cached per file");
    }
}
