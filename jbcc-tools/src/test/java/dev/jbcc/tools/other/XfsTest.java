package dev.jbcc.tools.other;

import dev.jbcc.tools.LoopDevice;

import java.io.IOException;
import java.nio.file.Path;

/** xfsslower and xfsdist (see {@link FileSystemToolTests}) on a 300 MiB XFS (its smallest), sparse. */
class XfsTest extends FileSystemToolTests {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.XFS;
    }

    @Override
    String tool() {
        return "xfs";
    }

    @Override
    LoopDevice device() throws IOException, InterruptedException {
        return LoopDevice.create(300);
    }

    @Override
    Path mount(LoopDevice loop) throws IOException, InterruptedException {
        return loop.mountXfs();
    }
}
