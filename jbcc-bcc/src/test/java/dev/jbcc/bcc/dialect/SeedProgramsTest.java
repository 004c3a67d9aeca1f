package dev.jbcc.bcc.dialect;

import org.junit.jupiter.api.Test;

import java.util.List;

class SeedProgramsTest {
    @Test
    void rewritesAll() {
        BccCompiler c = BccCompiler.create();
        for (String name : List.of("trace_clone.c", "hello_fields.c", "xdp_drop_icmp.c", "tc_drop_icmp.c", "tcpv4connect.c")) {
            BccProgram p = c.compile(SeedPrograms.file(name), List.of());
            System.out.println("=== " + name + " " + p.timings());
            System.out.println(p.rewritten());
            System.out.println(p.functions());
            System.out.println(p.tables());
        }
    }
}
