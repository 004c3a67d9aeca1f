package dev.jbcc.tools.other;

import dev.jbcc.tools.LoopDevice;

/** ext4slower and ext4dist (see {@link FileSystemToolTests}) on a 32 MiB ext4. */
class Ext4Test extends FileSystemToolTests {
    Ext4Test() {
        super(FileSystemOps.EXT4, 32, LoopDevice::mountExt4);
    }
}
