# codequal-sandbox fork server.
#
# Started by the Rust parent as `python3 -I -S -c <this file>` inside the
# sandbox's namespaces, already running as the unprivileged sandbox uid.
# It imports common modules once, then serves programs: it compiles each
# candidate once and forks one child per test case. Requests arrive on fd 3,
# replies leave on fd 4; both are frames of a 4-byte big-endian length and a
# payload. Expected values never reach this process: children send back
# only the values the candidate produced, as plain typed JSON, and the
# parent compares them.
#
# Every child writes at most one framed record to its own fresh pipe. The
# worker does not interpret that record; it forwards the raw bytes so that a
# malformed record is judged by the parent, never by code the candidate could
# have touched.

import os
import sys
import json
import select
import signal
import resource
import time

# The child-side harness runs after the candidate's code, which may have
# replaced builtins or json.dumps; it uses these references, taken before.
from builtins import (len as _len, type as _type, isinstance as _isinstance, int as _int, str as _str,
                      float as _float, list as _list, tuple as _tuple, dict as _dict, set as _set,
                      frozenset as _frozenset, bytes as _bytes, complex as _complex, bool as _bool,
                      BaseException as _BaseException)
_dumps = json.dumps
_write = os.write
_exit = os._exit
_id = id
_getattr = getattr
_SystemExit = SystemExit
_AssertionError = AssertionError
_mro_of = _type.__dict__["__mro__"].__get__
_module_of = _type.__dict__["__module__"].__get__
_qualname_of = _type.__dict__["__qualname__"].__get__
# Python 3.11+ refuses to convert ints of more than 4300 digits to and from
# decimal text; the harness lifts that for its own conversions only.
_get_int_digits = getattr(sys, "get_int_max_str_digits", None)
_set_int_digits = getattr(sys, "set_int_max_str_digits", None)


def _builtin_classes():
    import builtins

    # id -> name of every builtin class (exceptions and `object`). The list
    # keeps them alive, so an id here always means that very class.
    found = [c for c in vars(builtins).values() if isinstance(c, type)]
    return found, {id(c): c.__name__ for c in found}


_BUILTIN_CLASS_REFS, _BUILTIN_CLASS_NAMES = _builtin_classes()

REQ_FD = int(sys.argv[1])
RESP_FD = int(sys.argv[2])


def read_exact(fd, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def read_frame(fd):
    head = read_exact(fd, 4)
    if head is None:
        return None
    size = int.from_bytes(head, "big")
    return read_exact(fd, size)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = _write(fd, view)
        view = view[n:]


def send_frame(fd, payload):
    write_all(fd, len(payload).to_bytes(4, "big") + payload)


def send_json(obj):
    send_frame(RESP_FD, json.dumps(obj).encode())


def prctl(option, arg):
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, arg, 0, 0, 0) == 0
    except Exception:
        return False


PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


# ---------------------------------------------------------------- child side
#
# Everything below `run_case` runs in the forked child, after the candidate's
# code. The candidate may have replaced builtins by then, which is why the
# encoder reads containers through the base-class slots and never calls a
# method that a subclass could override; anything it cannot read as plain
# data is reported as not serialisable.

class NotPlainData(Exception):
    pass


MAX_DEPTH = 200
MAX_ITEMS = 1_000_000


def encode(value, depth=0, budget=None):
    if budget is None:
        budget = [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise NotPlainData("return value too large")
    if depth > MAX_DEPTH:
        raise NotPlainData("return value nested too deeply (or cyclic)")
    t = _type(value)
    if value is None or t is _bool:
        return value
    if t is _str:
        return value
    if t is _int:
        if -(1 << 63) <= value < (1 << 63):
            return value
        return {"i": int_digits(value)}
    if t is _float:
        if value != value:
            return {"f": "nan"}
        if value in (_float("inf"), _float("-inf")):
            return {"f": "inf" if value > 0 else "-inf"}
        return value
    if t is _list:
        return [encode(v, depth + 1, budget) for v in _list.__iter__(value)]
    if t is _tuple:
        return {"t": [encode(v, depth + 1, budget) for v in _tuple.__iter__(value)]}
    if t is _dict:
        return {"d": [[encode(k, depth + 1, budget), encode(v, depth + 1, budget)] for k, v in _dict.items(value)]}
    if t is _set:
        return {"s": [encode(v, depth + 1, budget) for v in _set.__iter__(value)]}
    if t is _frozenset:
        return {"s": [encode(v, depth + 1, budget) for v in _frozenset.__iter__(value)]}
    if t is _bytes:
        return {"b": _bytes.hex(value)}
    if t is _complex:
        return {"c": [encode(_complex.real.__get__(value)), encode(_complex.imag.__get__(value))]}
    # Subclasses of builtin types (bool is handled above): read the
    # underlying data through the base class, so an overridden __eq__,
    # __iter__ or __repr__ has no say.
    if _isinstance(value, _int):
        return encode(_int.__int__(value), depth + 1, budget)
    if _isinstance(value, _float):
        return encode(_float.__float__(value), depth + 1, budget)
    if _isinstance(value, _str):
        return encode(_str.__str__(value), depth + 1, budget)
    if _isinstance(value, _tuple):
        return encode(_tuple(_tuple.__iter__(value)), depth + 1, budget)
    if _isinstance(value, _list):
        return encode(_list(_list.__iter__(value)), depth + 1, budget)
    if _isinstance(value, _dict):
        return encode(_dict(_dict.items(value)), depth + 1, budget)
    if _isinstance(value, (_set, _frozenset)):
        return encode(_set(_set.__iter__(value) if _isinstance(value, _set) else _frozenset.__iter__(value)), depth + 1, budget)
    raise NotPlainData("returned a %s, which is not plain data" % _type.__repr__(t)[8:-2][:80])


def without_digit_limit(convert, value):
    if _set_int_digits is None:
        return convert(value)
    before = _get_int_digits()
    _set_int_digits(0)
    try:
        return convert(value)
    finally:
        _set_int_digits(before)


def int_digits(value):
    return without_digit_limit(_int.__repr__, value)


def int_from_text(text):
    return without_digit_limit(_int, text)


def decode(wire):
    t = _type(wire)
    if t is _list:
        return [decode(v) for v in wire]
    if t is _dict:
        if "t" in wire:
            return _tuple(decode(v) for v in wire["t"])
        if "d" in wire:
            return {decode(k): decode(v) for k, v in wire["d"]}
        if "s" in wire:
            return _set(decode(v) for v in wire["s"])
        if "i" in wire:
            return int_from_text(wire["i"])
        if "f" in wire:
            return _float(wire["f"])
        if "b" in wire:
            return _bytes.fromhex(wire["b"])
        if "c" in wire:
            return _complex(wire["c"][0], wire["c"][1])
        raise ValueError("unknown wire tag")
    return wire


def class_name(c):
    # A builtin only by identity: a class the candidate named "ValueError"
    # is reported as module.qualname, which never equals a builtin's name.
    name = _BUILTIN_CLASS_NAMES.get(_id(c))
    if name is not None:
        return name
    try:
        module = _module_of(c)
        qualname = _qualname_of(c)
    except BaseException:  # noqa: BLE001
        module = qualname = "?"
    if _type(module) is not _str:
        module = "?"
    if _type(qualname) is not _str:
        qualname = "?"
    return "%s.%s" % (_str.__str__(module)[:100], _str.__str__(qualname)[:100])


def exception_record(exc):
    t = _type(exc)
    try:
        mro = [class_name(c) for c in _mro_of(t)]
    except BaseException:  # noqa: BLE001
        mro = []
    # The MRO of the first builtin class in the exception's MRO: builtin
    # exception names are matched against this chain only, so that one
    # class deriving from ValueError, TypeError and KeyError at once does
    # not pass the cases of all three.
    base = []
    try:
        for c in _mro_of(t):
            if _id(c) in _BUILTIN_CLASS_NAMES:
                base = [class_name(b) for b in _mro_of(c)]
                break
    except BaseException:  # noqa: BLE001
        base = []
    try:
        msg = _str(exc)[:300]
    except BaseException:
        msg = "<unprintable>"
    return {"exc": class_name(t), "mro": mro, "base": base, "msg": msg}


def value_record(value, materialize, post):
    try:
        if materialize:
            import itertools

            items = _list(itertools.islice(value, MAX_ITEMS + 1))
            if _len(items) > MAX_ITEMS:
                raise NotPlainData("iterator yields too many items")
            value = items
        if post is not None:
            value = POSTS[post](value)
        return {"v": encode(value)}
    except NotPlainData as exc:
        return {"unser": _str(exc)}
    except RecursionError:
        return {"unser": "return value nested too deeply"}


POSTS = {
    "set": _set,
    "frozenset": _frozenset,
    "sorted": sorted,
    "list": _list,
    "tuple": _tuple,
    "bool": bool,
}


def call_outcome(fn, args, kwargs, materialize, post):
    try:
        value = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - the candidate's exception is data
        if _isinstance(exc, _SystemExit):
            return {"exc": "SystemExit", "mro": ["SystemExit", "BaseException", "object"], "msg": ""}
        return exception_record(exc)
    try:
        return value_record(value, materialize, post)
    except BaseException as exc:  # noqa: BLE001
        return exception_record(exc)


def op_args(op):
    import builtins

    if op.get("args_py") is not None:
        return eval(args_code(op["args_py"]), {"__builtins__": builtins})
    return decode(op["args"])


# Argument expressions, compiled before the candidate runs (so that the
# audit hook sees only code objects it knows): source -> code object.
_ARGS_CODE = {}


def args_code(source):
    code = _ARGS_CODE.get(source)
    if code is None:
        code = compile(source, "<args>", "eval")
        _ARGS_CODE[source] = code
    return code


# ------------------------------------------------------------ audit hook
#
# Installed in the case child just before the candidate's module runs. It
# reports, on the record descriptor and at the moment it happens, the first
# sign that the candidate runs code nobody read: `exec`/`compile` called
# from the candidate's own frames, a module executed by the import system
# from outside the installation, `ctypes`, a process spawn, or frame, heap
# and code introspection. A report is a frame of its own ({"dynamic": ...});
# correctness is judged as before, and the reward denies quality. Audit
# hooks cannot be removed; the first introspection step that could reach
# this hook is itself reported before it returns, and the descriptor is
# checked by inode, so a candidate cannot silence a report it triggers.

def _installation_prefixes():
    import sysconfig

    found = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = paths.get(key)
        if p:
            found.add(p.rstrip(os.sep) + os.sep)
            found.add(os.path.realpath(p).rstrip(os.sep) + os.sep)
    return tuple(sorted(found))


_TRUSTED_PREFIXES = _installation_prefixes()
# Code the harness itself compiled from the dataset.
_TRUSTED_NAMES = ("<test>", "<args>", "<setup>")
# Reported whoever calls them: nothing a solution needs runs them.
_ALWAYS_REPORTED = ("ctypes.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen",
                    "sys.addaudithook", "sys.settrace", "sys.setprofile")
# Reported when the candidate's own frames call them.
_FROM_CANDIDATE = frozenset(("exec", "compile", "sys._getframe", "sys._current_frames", "gc.get_objects",
                             "gc.get_referrers", "gc.get_referents", "object.__getattr__", "marshal.loads",
                             "marshal.load", "pickle.find_class", "code.__new__", "function.__new__"))


def _trusted_file(name):
    return (_type(name) is _str
            and (name.startswith("<frozen ") or name in _TRUSTED_NAMES or name.startswith(_TRUSTED_PREFIXES)))


def _audit_finding(event, args, caller, known):
    if event.startswith(_ALWAYS_REPORTED):
        return "%s (called from %s)" % (event, caller)
    if event not in _FROM_CANDIDATE:
        return None
    if event == "exec":
        code = args[0] if args else None
        if _id(code) in known:
            return None
        if _trusted_file(caller):
            filename = _getattr(code, "co_filename", None)
            if not caller.startswith("<frozen importlib") or _trusted_file(filename):
                return None
            return "the import system ran %s" % (_str(filename)[:200],)
        return "exec of code built at run time (called from %s)" % (caller,)
    if _trusted_file(caller):
        return None
    return "%s (called from %s)" % (event, caller)


def install_audit_hook(record_fd, known):
    """Reports dynamic code on `record_fd` (see above); `known` holds the ids
    of the harness's own code objects."""
    st = os.fstat(record_fd)
    ident = (st.st_dev, st.st_ino)
    busy = [False]
    done = [False]
    getframe = sys._getframe
    fstat = os.fstat

    def hook(event, args):
        if busy[0] or done[0]:
            return
        busy[0] = True
        try:
            try:
                caller = getframe(1).f_code.co_filename
            except BaseException:  # noqa: BLE001
                caller = "?"
            why = _audit_finding(event, args, caller, known)
            if why is None:
                return
            done[0] = True
            now = fstat(record_fd)
            if (now.st_dev, now.st_ino) != ident:
                raise RuntimeError("sandbox: the result descriptor was replaced")
            send_record(record_fd, {"dynamic": _str(why)[:300]})
        finally:
            busy[0] = False

    sys.addaudithook(hook)


def child_main(program, case, record_fd, work_dir):
    # Record: one frame with a JSON object; written last, then _exit.
    import builtins

    os.chdir(work_dir)
    os.environ.clear()
    os.environ.update({"HOME": work_dir, "TMPDIR": work_dir, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    code_obj = None
    if case["kind"] == "code":
        # Compiled here, after the fork, so that the worker never holds the
        # compiled test code of any case.
        try:
            code_obj = compile(case["code"], "<test>", "exec")
        except BaseException as exc:  # noqa: BLE001
            send_record(record_fd, {"test_compile_error": exception_record(exc)})
            return
    record = None
    try:
        # Everything the harness will exec or eval, compiled now.
        known = {_id(program["code"])}
        if program["setup_code"] is not None:
            known.add(_id(program["setup_code"]))
        if code_obj is not None:
            known.add(_id(code_obj))
        sources = [case.get("args_py")] + [op.get("args_py") for op in case.get("ops") or ()]
        for source in sources:
            if source is not None:
                known.add(_id(args_code(source)))
        install_audit_hook(record_fd, known)
        g = {"__name__": "__candidate__", "__builtins__": builtins}
        if program["setup_code"] is not None:
            exec(program["setup_code"], g)
        exec(program["code"], g)
        kind = case["kind"]
        if kind == "call":
            fn = g.get(case["fn"])
            if fn is None:
                record = {"exc": "NameError", "mro": ["NameError", "Exception", "BaseException", "object"],
                          "msg": "name %r is not defined" % case["fn"]}
            else:
                if case.get("args_py") is not None:
                    args = eval(args_code(case["args_py"]), {"__builtins__": builtins})
                else:
                    args = decode(case["args"])
                kwargs = decode(case["kwargs"])
                record = call_outcome(fn, args, kwargs, case.get("materialize", False), case.get("post"))
        elif kind == "ops":
            steps = []
            obj = None
            cls = g.get(case["class"])
            for op in case["ops"]:
                what = op["op"]
                if what == "new":
                    if cls is None:
                        steps.append({"exc": "NameError", "mro": ["NameError", "Exception", "BaseException", "object"],
                                      "msg": "name %r is not defined" % case["class"]})
                        break
                    try:
                        obj = cls(*op_args(op), **decode(op["kwargs"]))
                        steps.append({"v": None})
                    except BaseException as exc:  # noqa: BLE001
                        steps.append(exception_record(exc))
                        break
                elif what == "call":
                    try:
                        method = getattr(obj, op["method"])
                    except BaseException as exc:  # noqa: BLE001
                        steps.append(exception_record(exc))
                        continue
                    try:
                        args = op_args(op)
                    except BaseException as exc:  # noqa: BLE001
                        steps.append(exception_record(exc))
                        continue
                    steps.append(call_outcome(method, args, decode(op["kwargs"]),
                                              op.get("materialize", False), None))
                else:
                    try:
                        value = getattr(obj, op["attr"])
                        steps.append(value_record(value, False, None))
                    except BaseException as exc:  # noqa: BLE001
                        steps.append(exception_record(exc))
            record = {"steps": steps}
        else:
            try:
                exec(code_obj, g)
                record = {"ok": True}
            except _AssertionError as exc:
                record = {"assert": _str(exc)[:300]}
    except BaseException as exc:  # noqa: BLE001 - module-level errors are data too
        record = exception_record(exc)
    send_record(record_fd, record)


def send_record(record_fd, record):
    try:
        payload = _dumps(record, ensure_ascii=True, allow_nan=False).encode()
    except BaseException as exc:  # noqa: BLE001
        payload = _dumps({"unser": "record not serialisable: %s" % _type(exc).__name__}).encode()
    write_all(record_fd, _len(payload).to_bytes(4, "big") + payload)


# --------------------------------------------------------------- worker side

class Worker:
    def __init__(self, init):
        self.kill_all_allowed = init["kill_all"]
        self.memory_bytes = init["memory_bytes"]
        self.case_cpu_s = init["case_cpu_s"]
        self.case_wall_s = init["case_wall_s"]
        self.program_cpu_s = init["program_cpu_s"]
        self.output_bytes = init["output_bytes"]
        self.record_bytes = init["record_bytes"]
        self.scratch_root = init["scratch_root"]
        self.case_rlimits = init["case_rlimits"]
        self.devnull = os.open("/dev/null", os.O_RDWR)
        self.program_count = 0
        self.request = None
        self.vm_base = self.current_vm_size()

    @staticmethod
    def current_vm_size():
        try:
            with open("/proc/self/statm", "rb") as f:
                return int(f.read().split()[0]) * resource.getpagesize()
        except Exception:
            return 512 * 1024 * 1024

    def kill_everything_else(self, pid):
        # With a PID namespace (where this worker is init) or a sandbox uid
        # of its own, kill(-1) reaches every process the candidate could
        # have started, daemonised grandchildren included. Otherwise only
        # the case's process group can be targeted.
        try:
            if self.kill_all_allowed:
                os.kill(-1, signal.SIGKILL)
            else:
                os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue

    def forget_request(self):
        # In the case child, before the candidate runs: the request holds
        # every case of the program (test code included), and frames or
        # gc.get_objects() would find it through run_program and main. The
        # child's memory is its own copy, so emptying the containers in
        # place frees the other cases here without touching the worker.
        msg = self.request
        self.request = None
        if _type(msg) is _dict:
            cases = msg.get("cases")
            if _type(cases) is _list:
                cases.clear()
            msg.clear()

    def run_case(self, program, case, work_dir):
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        rec_r, rec_w = os.pipe()
        out_r, out_w = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                os.dup2(self.devnull, 0)
                os.dup2(out_w, 1)
                os.dup2(out_w, 2)
                # Move the record pipe to a fixed descriptor and close all
                # others, the worker's request and reply pipes included.
                os.dup2(rec_w, 5)
                os.closerange(3, 5)
                os.closerange(6, 1 << 16)
                # Below the worker in priority, so that a case that keeps
                # dozens of processes busy cannot starve the worker that
                # has to enforce its deadline. Candidates cannot undo it.
                os.nice(10)
                if self.case_rlimits:
                    limit = self.vm_base + self.memory_bytes
                    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                    resource.setrlimit(resource.RLIMIT_CPU, (self.case_cpu_s, self.case_cpu_s + 1))
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                self.forget_request()
                child_main(program, case, 5, work_dir)
            finally:
                os._exit(0)
        os.close(rec_w)
        os.close(out_w)
        pidfd = os.pidfd_open(pid)
        os.set_blocking(rec_r, False)
        os.set_blocking(out_r, False)
        poller = select.poll()
        poller.register(rec_r, select.POLLIN)
        poller.register(out_r, select.POLLIN)
        poller.register(pidfd, select.POLLIN)
        deadline = started + self.case_wall_s
        record = bytearray()
        out_bytes = 0
        status = None
        exited = False
        while not exited and status is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                status = "timeout"
                break
            for fd, _ev in poller.poll(max(1, int(remaining * 1000) + 1)):
                if fd == pidfd:
                    exited = True
                elif fd == rec_r:
                    chunk = self.read_some(rec_r)
                    if chunk is None:
                        poller.unregister(rec_r)
                    else:
                        record += chunk
                        if len(record) > self.record_bytes:
                            status = "record_limit"
                elif fd == out_r:
                    chunk = self.read_some(out_r)
                    if chunk is None:
                        poller.unregister(out_r)
                    else:
                        out_bytes += len(chunk)
                        if out_bytes > self.output_bytes:
                            status = "output_limit"
        if status is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, wstatus, _rusage = os.wait4(pid, 0)
        wall = time.monotonic() - started
        self.kill_everything_else(pid)
        # Everything the case started has been reaped by now, orphans
        # included (they come back to us, the subreaper or init): the
        # difference covers the CPU of the whole process tree.
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (children_after.ru_utime - children_before.ru_utime
               + children_after.ru_stime - children_before.ru_stime)
        # Everything that could write is dead now: what is still buffered
        # in the record pipe is all there will ever be.
        while status is None:
            chunk = self.read_some(rec_r)
            if not chunk:
                break
            record += chunk
            if len(record) > self.record_bytes:
                status = "record_limit"
        for fd in (rec_r, out_r, pidfd):
            os.close(fd)
        header = {
            "status": status or "exited",
            "exit_code": os.waitstatus_to_exitcode(wstatus),
            "cpu_s": cpu,
            "wall_s": wall,
            "output_bytes": out_bytes,
        }
        return header, bytes(record[: self.record_bytes])

    @staticmethod
    def read_some(fd):
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return b""
        return chunk or None

    def make_work_dir(self):
        # An unpredictable name: a candidate cannot pre-create the next
        # program's directory (wipe_scratch removes what it leaves anyway).
        for _ in range(5):
            path = os.path.join(self.scratch_root, "p%d-%s" % (self.program_count, os.urandom(8).hex()))
            try:
                os.mkdir(path, 0o700)
                return path, None
            except OSError as exc:
                error = "%s: %s" % (type(exc).__name__, exc)
        return None, error

    def run_program(self, msg):
        self.program_count += 1
        work_dir, error = self.make_work_dir()
        if work_dir is None:
            send_json({"setup_error": error[:300]})
            return self.wipe_scratch()
        self.request = msg
        try:
            self.serve_program(msg, work_dir)
        finally:
            self.request = None
            clean = self.wipe_scratch()
        return clean

    def serve_program(self, msg, work_dir):
        program = {"setup_code": None, "code": None}
        try:
            if msg.get("setup"):
                program["setup_code"] = compile(msg["setup"], "<setup>", "exec")
            program["code"] = compile(msg["source"], "<candidate>", "exec")
        except BaseException as exc:  # noqa: BLE001 - a syntax error is a verdict
            send_json({"compile_error": exception_record(exc)})
            return
        send_json({"compiled": True})
        cpu_used = 0.0
        for case in msg["cases"]:
            if cpu_used > self.program_cpu_s:
                send_json({"status": "program_cpu", "exit_code": 0, "cpu_s": 0.0, "wall_s": 0.0,
                           "output_bytes": 0})
                send_frame(RESP_FD, b"")
                continue
            header, record = self.run_case(program, case, work_dir)
            cpu_used += header["cpu_s"]
            send_json(header)
            send_frame(RESP_FD, record)

    def wipe_scratch(self):
        # Empties the scratch root and says whether that worked; the parent
        # retires a worker whose scratch space is not clean. Every process
        # that could write here is dead (see run_case), so nothing can swap
        # a directory for a symlink while we delete. The walk is fd-based,
        # never follows links, and gives each directory back its owner's
        # rwx first: candidates run as our uid, so a directory they made
        # read-only (0500) is ours to chmod, though not to empty as it is.
        try:
            root = os.open(self.scratch_root, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False
        try:
            mode = os.fstat(root).st_mode
            if mode & 0o700 != 0o700:
                try:
                    os.fchmod(root, (mode & 0o7777) | 0o700)
                except OSError:
                    pass
            empty_dir(root, 0)
            return not os.listdir(root)
        except (OSError, RecursionError):
            return False
        finally:
            os.close(root)


WIPE_MAX_DEPTH = 64


def empty_dir(fd, depth):
    # Raises OSError on anything it cannot remove.
    if depth > WIPE_MAX_DEPTH:
        raise OSError("scratch tree nested too deeply")
    while True:
        batch = []
        with os.scandir(fd) as entries:
            for entry in entries:
                batch.append((entry.name, entry.is_dir(follow_symlinks=False)))
                if len(batch) >= 4096:
                    break
        if not batch:
            return
        for name, is_dir in batch:
            if is_dir:
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                try:
                    try:
                        os.fchmod(sub, 0o700)
                    except OSError:
                        pass
                    empty_dir(sub, depth + 1)
                finally:
                    os.close(sub)
                os.rmdir(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Non-dumpable: candidates (same uid) cannot ptrace this process or open
    # its /proc/<pid>/{mem,fd,environ}. Subreaper: orphans come back to us.
    dumpable_off = prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    raw = read_frame(REQ_FD)
    if raw is None:
        return
    init = json.loads(raw)
    failed = []
    for name in init["preload"]:
        try:
            __import__(name)
        except Exception:
            failed.append(name)
    worker = Worker(init)
    send_json({"ready": True, "pid": os.getpid(), "uid": os.getuid(), "dumpable_off": dumpable_off,
               "preload_failed": failed, "vm_base": worker.vm_base})
    while True:
        raw = read_frame(REQ_FD)
        if raw is None:
            return
        msg = json.loads(raw)
        # No reference to the request text may outlive the parse: case
        # children must not find other cases through this frame.
        raw = None
        if msg.get("exit"):
            return
        clean = worker.run_program(msg)
        msg = None
        send_json({"done": True, "clean": bool(clean)})


main()
