package dev.jbcc.symbols;

import dev.jbcc.errors.NotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The memory map of a process, from {@code /proc/PID/maps}. */
public final class ProcMaps {
    private ProcMaps() {}

    /**
     * One line of {@code /proc/PID/maps}.
     *
     * @param start  first address
     * @param end    address after the last
     * @param perms  e.g. {@code r-xp}
     * @param offset file offset of {@code start}
     * @param inode  0 for anonymous memory
     * @param path   the file, a pseudo name such as {@code [vdso]} or {@code [heap]}, or "" when anonymous;
     *               a file deleted since it was mapped ends in {@code " (deleted)"}
     */
    public record Mapping(long start, long end, String perms, long offset, long inode, String path) {
        public boolean isExecutable() {
            return perms.length() > 2 && perms.charAt(2) == 'x';
        }

        /** True for a mapping of a real file (not anonymous, not {@code [vdso]} and the like). */
        public boolean isFile() {
            return inode != 0 && path.startsWith("/");
        }

        public boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }
    }

    /**
     * Reads the process's mappings.
     *
     * @throws NotFoundException if there is no such process
     */
    public static List<Mapping> read(int pid) {
        Path file = Path.of("/proc", Integer.toString(pid), "maps");
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no process with pid " + pid + " (" + file + " does not exist)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<Mapping> result = new ArrayList<>(lines.size());
        for (String line : lines) result.add(parse(line));
        return result;
    }

    /** Parses {@code "7f00-7f10 r-xp 00001000 08:01 1234   /usr/lib/libc.so.6"}. */
    static Mapping parse(String line) {
        int dash = line.indexOf('-');
        int sp1 = line.indexOf(' ', dash);
        int sp2 = line.indexOf(' ', sp1 + 1);
        int sp3 = line.indexOf(' ', sp2 + 1);
        int sp4 = line.indexOf(' ', sp3 + 1);
        int sp5 = line.indexOf(' ', sp4 + 1);
        long start = Long.parseUnsignedLong(line, 0, dash, 16);
        long end = Long.parseUnsignedLong(line, dash + 1, sp1, 16);
        String perms = line.substring(sp1 + 1, sp2);
        long offset = Long.parseUnsignedLong(line, sp2 + 1, sp3, 16);
        long inode = Long.parseLong(line, sp4 + 1, sp5 < 0 ? line.length() : sp5, 10);
        String path = "";
        if (sp5 >= 0) {
            int p = sp5;
            while (p < line.length() && line.charAt(p) == ' ') p++;
            path = line.substring(p);
        }
        return new Mapping(start, end, perms, offset, inode, path);
    }
}
