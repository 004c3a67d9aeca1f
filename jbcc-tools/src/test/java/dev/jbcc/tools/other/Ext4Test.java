package dev.jbcc.tools.other;

import dev.jbcc.tools.LoopDevice;

import java.io.IOException;
import java.nio.file.Path;

/** ext4slower and ext4dist (see {@link FileSystemToolTests}) on a 32 MiB ext4. */
class Ext4Test extends FileSystemToolTests {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.EXT4;
    }

    @Override
    String tool() {
        return "ext4";
    }

    @Override
    LoopDevice device() throws IOException, InterruptedException {
        return LoopDevice.create(32);
    }

    @Override
    Path mount(LoopDevice loop) throws IOException, InterruptedException {
        return loop.mountExt4();
    }
}
