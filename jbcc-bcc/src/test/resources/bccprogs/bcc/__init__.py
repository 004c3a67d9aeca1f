# A stand-in for bcc's Python package, used by jbcc's tests (BccToolsTest) to capture the C text
# each of bcc's tools hands to BPF(text=...), after its own substitutions, without compiling it.
#
# Questions a tool asks bcc about the running kernel (kernel_struct_has_field, tracepoint_exists,
# ksymname, support_kfunc, get_syscall_fnname, get_kprobe_functions, ...) are answered by the
# installed bcc package itself, loaded here under another name, so the answers are bcc's own.
# bcc's helper modules (bcc.containers, bcc.utils, bcc.syscall, bcc.tcp) are the real ones: this
# package's path ends with the real package's directory.
#
# Where it writes: the directory named by JBCC_CAPTURE_DIR gets
#   text.c    the program text,
#   cflags    one flag a line,
#   funcs     "name type" a line for each function the tool loads or attaches (bcc's prog type).
# Once the program is captured, the first wait for events (perf_buffer_poll, sleep, trace_print...)
# ends the tool.
import importlib.util
import os
import signal
import sys
import time

_here = os.path.dirname(os.path.abspath(__file__))


def _find_real_bcc():
    for entry in sys.path:
        candidate = os.path.join(entry or os.getcwd(), "bcc")
        if os.path.abspath(candidate) != _here and os.path.isfile(os.path.join(candidate, "__init__.py")):
            return candidate
    for entry in ("/usr/lib/python3/dist-packages", "/usr/local/lib/python3/dist-packages"):
        candidate = os.path.join(entry, "bcc")
        if os.path.isfile(os.path.join(candidate, "__init__.py")):
            return candidate
    raise ImportError("bcc's python package (python3-bpfcc) is not installed")


_real_dir = _find_real_bcc()
_spec = importlib.util.spec_from_file_location("_jbcc_real_bcc", os.path.join(_real_dir, "__init__.py"),
                                               submodule_search_locations=[_real_dir])
_real = importlib.util.module_from_spec(_spec)
sys.modules["_jbcc_real_bcc"] = _real
_spec.loader.exec_module(_real)
# The real package's submodules are this package's too (bcc.utils is one module, whichever imports it first).
for _name, _mod in list(sys.modules.items()):
    if _name.startswith("_jbcc_real_bcc."):
        sys.modules["bcc." + _name[len("_jbcc_real_bcc."):]] = _mod
for _k, _v in vars(_real).items():
    if not _k.startswith("__"):
        globals()[_k] = _v
__version__ = _real.__version__
__path__.append(_real_dir)

_out = os.environ.get("JBCC_CAPTURE_DIR")
_captured = False


def _s(v):
    return v.decode() if isinstance(v, (bytes, bytearray)) else str(v)


def _record_func(name, prog_type):
    if _out and name:
        with open(os.path.join(_out, "funcs"), "a") as f:
            f.write("%s %d\n" % (_s(name), int(prog_type)))


def _stop(*args, **kwargs):
    if _captured:
        sys.stdout.flush()
        os._exit(0)


_real_sleep = time.sleep


def _sleep(secs):
    _stop()
    _real_sleep(secs)


time.sleep = _sleep


class _Anything(object):
    """What a tool gets for a table or a function: takes any call, holds nothing."""

    def __init__(self, name=""):
        self.name = name
        self.fd = -1

    def __getattr__(self, attr):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __setitem__(self, key, value):
        pass

    def __delitem__(self, key):
        pass

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def items(self):
        return []

    def values(self):
        return []

    def keys(self):
        return []

    def open_perf_buffer(self, *args, **kwargs):
        pass

    def open_ring_buffer(self, *args, **kwargs):
        pass


class BPF(_real.BPF):
    def __init__(self, src_file=b"", hdr_file=b"", text=None, debug=0, cflags=[], usdt_contexts=[],
                 allow_rlimit=True, device=None, attach_usdt_ignore_pid=False):
        global _captured
        if src_file and not text:
            with open(_s(src_file)) as f:
                text = f.read()
        self.kprobe_fds = {}
        self.uprobe_fds = {}
        self.tracepoint_fds = {}
        self.raw_tracepoint_fds = {}
        self.kfunc_entry_fds = {}
        self.kfunc_exit_fds = {}
        self.lsm_fds = {}
        self.perf_buffers = {}
        self.open_perf_events = {}
        self._ringbuf_manager = None
        self.tracefile = None
        self.debug = debug
        self.funcs = {}
        self.tables = {}
        self.module = None
        if usdt_contexts:
            raise SystemExit("jbcc capture: USDT contexts are not captured")
        if _out:
            os.makedirs(_out, exist_ok=True)
            with open(os.path.join(_out, "text.c"), "w") as f:
                f.write(_s(text))
            with open(os.path.join(_out, "cflags"), "w") as f:
                for c in cflags:
                    f.write(_s(c) + "\n")
        _captured = True
        # The tool attaches right after construction; then it only waits for events.
        signal.signal(signal.SIGALRM, _stop)
        signal.alarm(3)

    def load_func(self, func_name, prog_type, device=None, attach_type=-1):
        _record_func(func_name, prog_type)
        fn = _Anything(func_name)
        return fn

    def load_funcs(self, prog_type=_real.BPF.KPROBE):
        return []

    def get_table(self, name, keytype=None, leaftype=None, reducer=None):
        return _Anything(name)

    def __getitem__(self, key):
        return _Anything(key)

    def __setitem__(self, key, leaf):
        pass

    def __delitem__(self, key):
        pass

    def __len__(self):
        return 0

    def __iter__(self):
        return iter(())

    def attach_kprobe(self, event=b"", event_off=0, fn_name=b"", event_re=b""):
        _record_func(fn_name, BPF.KPROBE)

    def attach_kretprobe(self, event=b"", fn_name=b"", event_re=b"", maxactive=0):
        _record_func(fn_name, BPF.KPROBE)

    def attach_uprobe(self, name=b"", sym=b"", sym_re=b"", addr=None, fn_name=b"", pid=-1, sym_off=0):
        _record_func(fn_name, BPF.KPROBE)

    def attach_uretprobe(self, name=b"", sym=b"", sym_re=b"", addr=None, fn_name=b"", pid=-1):
        _record_func(fn_name, BPF.KPROBE)

    def attach_tracepoint(self, tp=b"", tp_re=b"", fn_name=b""):
        _record_func(fn_name, BPF.TRACEPOINT)

    def attach_raw_tracepoint(self, tp=b"", fn_name=b""):
        _record_func(fn_name, BPF.RAW_TRACEPOINT)

    def attach_kfunc(self, fn_name=b""):
        _record_func(fn_name, BPF.TRACING)

    def attach_kretfunc(self, fn_name=b""):
        _record_func(fn_name, BPF.TRACING)

    def attach_lsm(self, fn_name=b""):
        _record_func(fn_name, BPF.LSM)

    def attach_perf_event(self, ev_type=-1, ev_config=-1, fn_name=b"", sample_period=0, sample_freq=0,
                          pid=-1, cpu=-1, group_fd=-1):
        _record_func(fn_name, BPF.PERF_EVENT)

    def attach_perf_event_raw(self, attr=-1, fn_name=b"", pid=-1, cpu=-1, group_fd=-1):
        _record_func(fn_name, BPF.PERF_EVENT)

    @staticmethod
    def attach_xdp(dev, fn, flags=0):
        pass

    @staticmethod
    def remove_xdp(dev, flags=0):
        pass

    @staticmethod
    def attach_raw_socket(fn, dev):
        pass

    def detach_kprobe(self, event, fn_name=None):
        pass

    def detach_kretprobe(self, event, fn_name=None):
        pass

    def detach_tracepoint(self, tp=b""):
        pass

    def num_open_kprobes(self):
        return 1

    def num_open_uprobes(self):
        return 1

    def num_open_tracepoints(self):
        return 1

    def perf_buffer_poll(self, timeout=-1):
        _stop()

    def perf_buffer_consume(self):
        _stop()

    def ring_buffer_poll(self, timeout=-1):
        _stop()

    def ring_buffer_consume(self):
        _stop()

    def kprobe_poll(self, timeout=-1):
        _stop()

    def trace_print(self, fmt=None):
        _stop()

    def trace_fields(self, nonblocking=False):
        _stop()

    def trace_readline(self, nonblocking=False):
        _stop()

    def close(self):
        pass

    def cleanup(self):
        pass

    def __exit__(self, exc_type, exc_val, exc_tb):
        pass
