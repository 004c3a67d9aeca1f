# Captures the C text of each of bcc's Python tools (bpfcc-tools) with default arguments, through
# the stand-in bcc package next to this file: python3 capture.py TOOLS_DIR OUT_DIR
# Each tool runs in its own pseudo-terminal (some draw with curses), at most TIMEOUT seconds.
# OUT_DIR/<tool>/ gets what the stand-in writes, and OUT_DIR/<tool>.log the tool's output.
import concurrent.futures
import os
import pty
import select
import signal
import sys
import time

TIMEOUT = 120  # python3 with libbcc starts in ~1 s on the host, ~30 s and more under TCG in the VM
here = os.path.dirname(os.path.abspath(__file__))


def python_tools(tools_dir):
    for name in sorted(os.listdir(tools_dir)):
        path = os.path.join(tools_dir, name)
        if not name.endswith("-bpfcc") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            if b"python" in f.readline():
                yield name[: -len("-bpfcc")], path


def run(tool, path, out_dir):
    env = dict(os.environ)
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["JBCC_CAPTURE_DIR"] = os.path.join(out_dir, tool)
    env.setdefault("TERM", "xterm")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, path], env)
    log = bytearray()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            log += chunk
    else:
        os.kill(pid, signal.SIGKILL)
        log += b"\n[capture: killed after %d s]\n" % TIMEOUT
    os.waitpid(pid, 0)
    os.close(fd)
    with open(os.path.join(out_dir, tool + ".log"), "wb") as f:
        f.write(bytes(log))


def main():
    tools_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for f in [pool.submit(run, t, p, out_dir) for t, p in python_tools(tools_dir)]:
            f.result()


main()
