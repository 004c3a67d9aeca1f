package dev.jbcc.tools.other;

import dev.jbcc.tools.LoopDevice;

/** xfsslower and xfsdist (see {@link FileSystemToolTests}) on a sparse 300 MiB XFS (its smallest). */
class XfsTest extends FileSystemToolTests {
    XfsTest() {
        super(FileSystemOps.XFS, 300, LoopDevice::mountXfs);
    }
}
