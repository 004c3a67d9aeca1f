package dev.jbcc.usdt;

import dev.jbcc.elf.ElfFile;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.testing.NativeBinaries;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Parsing {@code .note.stapsdt} and x86-64 argument specs. */
class UsdtTest {
    static final Path LIBJVM = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so");

    static UsdtArgument arg(String spec) {
        return UsdtArgumentParser.parse(spec, 0x1000, null);
    }

    static X86Register reg(String name) {
        return X86Register.of(name).orElseThrow();
    }

    @Test
    void argumentSpecs() {
        assertEquals(new UsdtArgument(4, true, new UsdtArgument.Constant(-9), "-4@$-9"), arg("-4@$-9"));
        assertEquals(new UsdtArgument.Constant(0x20), arg("1@$0x20").location());
        assertEquals(new UsdtArgument(8, false, new UsdtArgument.Register(reg("rdi")), "8@%rdi"), arg("8@%rdi"));

        UsdtArgument r14d = arg("-4@%r14d");
        assertTrue(r14d.signed());
        assertEquals(new X86Register("r14d", "r14", 8, 4, 0), ((UsdtArgument.Register) r14d.location()).register());
        assertEquals(new X86Register("dil", "di", 112, 1, 0), ((UsdtArgument.Register) arg("1@%dil").location()).register());
        assertEquals(new X86Register("ah", "ax", 80, 1, 1), ((UsdtArgument.Register) arg("1@%ah").location()).register());
        assertEquals(2, ((UsdtArgument.Register) arg("2@%r9w").location()).register().size());

        assertEquals(new UsdtArgument.Memory(reg("rbp"), null, 1, -64, null), arg("-8@-64(%rbp)").location());
        assertEquals(new UsdtArgument.Memory(reg("rbx"), null, 1, 0, null), arg("8@(%rbx)").location());
        assertEquals(new UsdtArgument.Memory(reg("rsi"), reg("rdi"), 4, 0, null), arg("-4@(%rsi,%rdi,4)").location());
        assertEquals(new UsdtArgument.Memory(reg("rax"), reg("rcx"), 8, 16, null), arg("8@0x10(%rax,%rcx,8)").location());
        assertEquals(new UsdtArgument.Memory(null, reg("rcx"), 2, 8, null), arg("2@8(,%rcx,2)").location());
        // Without a size, the spec is a plain 8-byte operand (old sdt.h).
        assertEquals(8, arg("%rax").size());
    }

    @Test
    void malformedSpecsNameTheirProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> arg("3@%rax")).getMessage().contains("size 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> arg("8@%xyz")).getMessage().contains("%xyz"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> arg("8@(%rax,%rcx,3)")).getMessage().contains("scale 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> arg("8@(%eax)")).getMessage().contains("64-bit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> arg("8@1234")).getMessage().contains("absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> arg("x@%rax")).getMessage().contains("not a number"));
    }

    @Test
    void testBinaryNotesSemaphoresAndRipRelativeGlobals() throws IOException {
        Path exe = NativeBinaries.gcc("/usdt/sdt_target.c", "sdt_target_parse", "-O2", "-g");
        List<UsdtProbe> probes = Usdt.probes(exe);
        UsdtProbe tick = Usdt.find(probes, exe.toString(), "jbcc", "tick");
        UsdtProbe guarded = Usdt.find(probes, exe.toString(), "jbcc", "guarded");
        assertEquals(2, tick.sites().size());
        assertEquals(6, tick.argumentCount());
        assertTrue(guarded.hasSemaphore());

        try (Arena arena = Arena.ofConfined()) {
            ElfFile elf = ElfFile.map(exe, arena);
            var symbols = dev.jbcc.symbols.ElfSymbols.of(elf, exe.toString());
            long semaphore = symbols.symbol("jbcc_guarded_semaphore").value();
            long global = symbols.symbol("jbcc_global").value();
            UsdtSite site = guarded.sites().getFirst();
            assertEquals(semaphore, site.semaphoreAddress(), "the note's semaphore is the variable sdt.h declared");
            assertEquals(elf.fileOffsetOf(semaphore).orElseThrow(), site.semaphoreOffset());
            // The site is a nop, where the uprobe goes.
            assertEquals(0x90, elf.data().get(ValueLayout.JAVA_BYTE, site.fileOffset()) & 0xff);

            // Every kind of operand gcc chose is one the parser models; the global is reached from %rip.
            boolean sawRip = false, sawConstant = false, sawStack = false, sawRegister = false;
            for (UsdtSite s : tick.sites()) {
                for (UsdtArgument a : s.arguments()) {
                    switch (a.location()) {
                        case UsdtArgument.Constant k -> sawConstant |= k.value() == 42;
                        case UsdtArgument.Register r -> sawRegister = true;
                        case UsdtArgument.Memory m when m.base() != null && m.base().isInstructionPointer() -> {
                            assertEquals("jbcc_global", m.symbol());
                            assertEquals(global - s.address(), m.displacement(), "relative to the site");
                            sawRip = true;
                        }
                        case UsdtArgument.Memory m -> sawStack |= m.base() != null && m.base().name().equals("rbp");
                    }
                }
            }
            assertTrue(sawRip && sawConstant && sawStack && sawRegister, "operand kinds in " + tick.sites());
        }
    }

    @Test
    void hotspotProbesInTheJdksLibjvm() {
        List<UsdtProbe> probes = Usdt.probes(LIBJVM);
        int sites = probes.stream().mapToInt(p -> p.sites().size()).sum();
        assertTrue(sites > 500, sites + " sites");
        for (String name : List.of("gc__begin", "gc__end", "class__loaded", "thread__start", "thread__stop",
                "mem__pool__gc__begin", "method__entry", "object__alloc")) {
            UsdtProbe p = Usdt.find(probes, LIBJVM.toString(), "hotspot", name);
            assertFalse(p.sites().isEmpty());
        }
        UsdtProbe threadStart = Usdt.find(probes, LIBJVM.toString(), "hotspot", "thread__start");
        assertEquals(5, threadStart.argumentCount(), "name, length, Java id, native id, daemon");
        assertEquals(8, threadStart.sites().getFirst().arguments().getFirst().size(), "the name is a pointer");
        assertTrue(probes.stream().noneMatch(UsdtProbe::hasSemaphore), "HotSpot's probes are not semaphore-guarded");

        var e = assertThrows(NotFoundException.class, () -> Usdt.find(probes, LIBJVM.toString(), "hotspot", "thread_start"));
        assertTrue(e.getMessage().contains("hotspot:thread__start"), "suggests the double-underscore name: " + e.getMessage());
    }

    @Test
    void codegenEmitsOneReaderPerArgumentAndSwitchesOnlyWhereSitesDiffer() {
        Path exe = NativeBinaries.gcc("/usdt/sdt_target.c", "sdt_target_codegen", "-O2", "-g");
        UsdtProbe tick = Usdt.probe(exe, "jbcc", "tick");
        String c = UsdtCodegen.readers(tick, "tick");
        for (int i = 1; i <= 6; i++) assertTrue(c.contains(UsdtCodegen.readerName("tick", i) + "("), c);
        assertTrue(c.contains("bpf_get_attach_cookie(ctx)"));
        String byIp = UsdtCodegen.readers(tick, "tick", new UsdtCodegen.SiteSelector.InstructionPointer(0x5500_0000_0000L));
        assertTrue(byIp.contains("case 0x" + Long.toHexString(0x5500_0000_0000L + tick.sites().get(1).address()) + "UL"), byIp);
        assertThrows(IllegalArgumentException.class, () -> UsdtCodegen.readers(tick, "not an identifier"));
    }

    @Test
    void notAnElfFile() {
        Path exe = NativeBinaries.gcc("/uprobe/target.c", "not_elf_source", "-O0");
        assertThrows(FormatException.class, () -> Usdt.probes(exe.resolveSibling("not_elf_source.c")));
        assertThrows(NotFoundException.class, () -> Usdt.probes(Path.of("/no/such/file")));
    }
}
