package dev.jbcc.compile.internal;

import dev.jbcc.errors.CompileException;
import dev.jbcc.compile.ClangCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's size cap (least recently used objects go first) and its keys. */
class CompileCacheTest {
    @TempDir
    Path temp;

    private static String key(int i) {
        return CompileCache.sha256Hex("entry " + i);
    }

    private static CompileCache.Entry entry(int size) {
        return new CompileCache.Entry(new byte[size], "", List.of());
    }

    @Test
    void evictionRemovesTheLeastRecentlyUsed() throws IOException {
        CompileCache cache = CompileCache.open(temp.resolve("cache"));
        long now = System.currentTimeMillis();
        for (int i = 0; i < 4; i++) {
            cache.store(key(i), entry(10_000));
            // stored in order, a minute apart
            Files.setLastModifiedTime(cache.entryPath(key(i)), FileTime.fromMillis(now - (4 - i) * 60_000L));
        }
        long one = Files.size(cache.entryPath(key(0)));
        assertTrue(cache.lookup(key(0)).isPresent()); // the oldest, used now

        cache.evict(2 * one + one / 2);
        assertTrue(Files.exists(cache.entryPath(key(0))), "used last");
        assertTrue(Files.exists(cache.entryPath(key(3))), "stored last");
        assertFalse(Files.exists(cache.entryPath(key(1))));
        assertFalse(Files.exists(cache.entryPath(key(2))));
        assertTrue(cache.lookup(key(1)).isEmpty());
    }

    @Test
    void storingKeepsTheCacheUnderItsCap() throws IOException {
        CompileCache cache = CompileCache.open(temp.resolve("cache"));
        String before = System.getProperty("jbcc.cache.max");
        System.setProperty("jbcc.cache.max", "50K");
        try {
            for (int i = 0; i < 20; i++) cache.store(key(i), entry(10_000));
        } finally {
            if (before == null) System.clearProperty("jbcc.cache.max");
            else System.setProperty("jbcc.cache.max", before);
        }
        long total;
        try (var walk = Files.walk(temp.resolve("cache/objects"))) {
            total = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(total <= 50 * 1024 && total > 30 * 1024, total + " bytes");
        assertTrue(Files.exists(cache.entryPath(key(19))), "the newest stays");
    }

    @Test
    void sizesTakeSuffixes() {
        assertEquals(256L << 20, CompileCache.DEFAULT_MAX_BYTES);
        assertEquals(1024, CompileCache.parseSize("X", "1K"));
        assertEquals(3L << 20, CompileCache.parseSize("X", "3M"));
        assertEquals(2L << 30, CompileCache.parseSize("X", "2GiB"));
        assertEquals(12345, CompileCache.parseSize("X", "12345"));
        var e = assertThrows(CompileException.class, () -> CompileCache.parseSize("JBCC_CACHE_MAX", "lots"));
        assertEquals("JBCC_CACHE_MAX=lots is not a size; write it in bytes or with K, M or G, e.g. 256M", e.getMessage());
    }

    @Test
    void cleanEmptiesTheDirectory() throws IOException {
        Path dir = temp.resolve("cache");
        CompileCache cache = CompileCache.open(dir);
        cache.store(key(1), entry(5000));
        assertTrue(ClangCompiler.cleanCache(dir) >= 5000);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
        assertEquals(0, ClangCompiler.cleanCache(temp.resolve("never-made")));
    }

    @Test
    void keysTellPartsApartAndDoNotCollide() {
        String key = new CompileCache.KeyBuilder().add("ab").add("c").hex();
        assertTrue(key.matches("[0-9a-f]{32}"), key);
        assertEquals(key, new CompileCache.KeyBuilder().add("ab").add("c").hex(), "the same parts give the same key");
        assertFalse(key.equals(new CompileCache.KeyBuilder().add("a").add("bc").hex()), "parts are length-prefixed");
        assertFalse(key.equals(new CompileCache.KeyBuilder().add("abc").hex()));
        assertFalse(CompileCache.keyHex("").equals(CompileCache.keyHex("\0")));
        // Inputs one bit apart, of every length up to a few words, and many similar texts: all distinct.
        var seen = new java.util.HashSet<String>();
        int count = 0;
        for (int length = 0; length <= 40; length++) {
            byte[] b = new byte[length];
            seen.add(new CompileCache.KeyBuilder().add(b).hex());
            count++;
            for (int bit = 0; bit < length * 8; bit++) {
                byte[] flipped = b.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                seen.add(new CompileCache.KeyBuilder().add(flipped).hex());
                count++;
            }
        }
        for (int i = 0; i < 200_000; i++) {
            seen.add(CompileCache.keyHex("-DVALUE=" + i));
            count++;
        }
        assertEquals(count, seen.size());
    }
}
