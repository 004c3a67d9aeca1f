package dev.jbcc;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.PinException;
import dev.jbcc.errors.PinException.Reason;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TempBpfFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pin that cannot be made or opened says why in one line, with the fix, as a {@link PinException}. */
@ExtendWith(FdLeakCheck.class)
class PinFailureTest {

    private static BpfMap map() {
        return BpfMap.create(MapSpec.of("pinned", MapType.ARRAY, 4, 8, 1));
    }

    private static PinException assertOneLine(PinException e, Reason reason) {
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void aPathOffTheBpfFileSystemNamesItsFileSystemAndWhereToPin() throws Exception {
        Path dir = Files.createTempDirectory("jbcc-not-bpffs");
        try (BpfMap map = map()) {
            String fs = Files.getFileStore(dir).type();
            // This host has bpffs at /sys/fs/bpf (probed, as each host is held to its own answer).
            boolean mounted = Files.getFileStore(Path.of("/sys/fs/bpf")).type().equals("bpf");
            var e = assertOneLine(assertThrows(PinException.class, () -> map.pin(dir.resolve("m"))),
                    mounted ? Reason.NOT_ON_BPFFS : Reason.NO_BPFFS);
            assertEquals(Errno.EPERM, e.errno());
            assertEquals(dir.resolve("m").toString(), e.path());
            assertTrue(e.getMessage().startsWith("cannot pin at " + dir.resolve("m") + ": " + dir + " is on " + fs + ", "),
                    e.getMessage());
            assertTrue(e.getMessage().contains(mounted ? "use a path under /sys/fs/bpf" : "mount -t bpf bpf /sys/fs/bpf"),
                    e.getMessage());
            assertFalse(Files.exists(dir.resolve("m")));

            // Opening a file that is not a pin: refused for the same reason.
            Path plain = Files.writeString(dir.resolve("plain"), "x");
            var get = assertOneLine(assertThrows(PinException.class, () -> BpfMap.openPinned(plain)),
                    mounted ? Reason.NOT_ON_BPFFS : Reason.NO_BPFFS);
            assertTrue(get.getMessage().startsWith("cannot open the pin " + plain + ": "), get.getMessage());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    @Test
    void anExistingPinAMissingDirectoryAndAMissingPinAreToldApart() throws Exception {
        try (TempBpfFs fs = new TempBpfFs(); BpfMap map = map(); BpfMap other = map()) {
            Path path = fs.path().resolve("m");
            map.pin(path);
            var exists = assertOneLine(assertThrows(PinException.class, () -> other.pin(path)), Reason.EXISTS);
            assertEquals(Errno.EEXIST, exists.errno());
            assertTrue(exists.getMessage().contains("it exists already; unpin it (rm " + path + ")"), exists.getMessage());

            Path deep = fs.path().resolve("no/such/dir/m");
            var noDir = assertOneLine(assertThrows(PinException.class, () -> other.pin(deep)), Reason.NOT_FOUND);
            assertTrue(noDir.getMessage().contains("directory " + deep.getParent() + " does not exist; create it"),
                    noDir.getMessage());

            map.unpin();
            var gone = assertOneLine(assertThrows(PinException.class, () -> BpfMap.openPinned(path)), Reason.NOT_FOUND);
            assertEquals(Errno.ENOENT, gone.errno());
            assertTrue(gone.getMessage().startsWith("cannot open the pin " + path + ": nothing is pinned there;"), gone.getMessage());
        }
    }

    /** The child: opens the map pinned at {@code args[0]} and prints the reason it could not, and the message. */
    public static void main(String[] args) {
        try (BpfMap opened = BpfMap.openPinned(Path.of(args[0]))) {
            System.out.println("opened " + opened.id());
        } catch (PinException e) {
            System.out.println(e.reason() + "\n" + e.getMessage());
        }
    }

    @Test
    void aProcessWithoutPermissionIsToldSo() throws Exception {
        try (TempBpfFs fs = new TempBpfFs(); BpfMap map = map()) {
            Path dir = Files.createDirectory(fs.path().resolve("private"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path path = dir.resolve("m");
            map.pin(path);
            // The child runs as nobody, without capabilities, on jbcc's classes only (not the Maven repository's jars).
            String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(p -> p.contains("jbcc-obj") || p.contains("jbcc-core"))
                    .collect(Collectors.joining(File.pathSeparator));
            Process child = new ProcessBuilder(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:off",
                    "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                    PinFailureTest.class.getName(), path.toString()))
                    .redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes());
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            List<String> lines = out.lines().toList();
            assertEquals(Reason.PERMISSION.name(), lines.getFirst(), out);
            assertTrue(lines.get(1).startsWith("cannot open the pin " + path + ": this process may not open " + path
                    + " (" + dir + " has mode 0700, owner uid 0); run as root"), out);
        }
    }
}
