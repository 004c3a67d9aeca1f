package dev.jbcc.bcc;

import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.RequiresBpfLsm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LSM_PROBE through the bcc front-end (BPF LSM: the VM harness's kernel). */
@ExtendWith(FdLeakCheck.class)
class BpfLsmTest {
    private static final String PROGRAM = """
            BPF_ARRAY(denied_inode, u64, 1);
            BPF_ARRAY(denials, u64, 1);

            LSM_PROBE(file_open, struct file *file) {
                int zero = 0;
                u64 *ino = denied_inode.lookup(&zero);
                if (ino && *ino && file->f_inode->i_ino == *ino) {
                    denials.increment(zero);
                    return -EPERM;
                }
                return 0;
            }
            """;

    @Test
    @RequiresBpfLsm
    void anLsmProbeRefusesOpeningOneFileUntilClosed(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "hidden");
        long inode = (long) Files.getAttribute(secret, "unix:ino");
        try (BPF b = BPF.fromText(PROGRAM)) {
            // lsm__file_open attached itself, as bcc attaches LSM_PROBE functions.
            ArrayTable denied = b.get("denied_inode");
            denied.put(0, inode);
            // -EPERM from the hook: "Operation not permitted" (EACCES would be AccessDeniedException).
            var refused = assertThrows(FileSystemException.class, () -> Files.readString(secret));
            assertTrue(String.valueOf(refused.getReason()).contains("Operation not permitted"), String.valueOf(refused));
            assertEquals("", Files.readString(Files.writeString(dir.resolve("other"), "")), "other files open");
            assertTrue(b.<ArrayTable>get("denials").get(0).value() >= 1);
        }
        assertEquals("hidden", Files.readString(secret), "close() detached the hook");
    }
}
