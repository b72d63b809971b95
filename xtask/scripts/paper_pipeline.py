"""The paper's reward pipeline in Python, for `cargo xtask bench-rewards`.

For each completion, as the paper's quality library (pycq_analyzer) does it:
one pylint, bandit, radon cc, radon raw and vulture process on the code; and,
as open-r1's code reward does it, one fresh `python3` process per test case
(5 s timeout each) that runs the code, calls the entry point and compares
the result with the expected value. Completions are spread over a pool of
workers (default: the CPU count), so both sides of the benchmark use the
same cores.

The comparison follows fixtures/problems/SCHEMA.md (tuples are lists,
booleans are not numbers, 1 == 1.0, `float_tolerance`, `raises` matches the
type or a subclass, every step of an operation sequence must match), so the
per-completion pass counts can be checked against the Rust pipeline's.

Usage: python paper_pipeline.py SAMPLE.jsonl PROBLEMS_DIR [--workers N]
SAMPLE.jsonl: one {"task_id", "code"} object per line (other fields kept).
Prints one JSON object: completions, seconds, completions_per_s, the CPU
seconds of every process it started, the wall time spent in each part, and
per completion the cases passed.
"""

import glob
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time

BIN = os.path.dirname(sys.executable)
TOOLS = [
    ("pylint", [os.path.join(BIN, "pylint"), "--output-format=json"]),
    ("bandit", [os.path.join(BIN, "bandit"), "-f", "json", "-q"]),
    ("radon_cc", [os.path.join(BIN, "radon"), "cc", "-j"]),
    ("radon_raw", [os.path.join(BIN, "radon"), "raw", "-j"]),
    ("vulture", [os.path.join(BIN, "vulture"), "--min-confidence", "60"]),
]
CASE_TIMEOUT_S = 5

# The test program of one case: the candidate, then the harness. Exit code 0
# means the case passed; anything else (a wrong value, an exception, a
# crash) means it did not.
CASE_TEMPLATE = """
{code}

def _harness():
    import itertools as _it
    import json as _json
    import math as _math

    case = _json.loads({case!r})
    tol = None
    if isinstance(case.get("compare"), dict):
        tol = case["compare"].get("float_tolerance")

    def same(got, want):
        if isinstance(want, bool) or isinstance(got, bool):
            return type(got) is bool and type(want) is bool and got == want
        if isinstance(want, (int, float)):
            if not isinstance(got, (int, float)):
                return False
            if tol is not None:
                return _math.isclose(got, want, rel_tol=tol, abs_tol=tol)
            return got == want
        if want is None or isinstance(want, str):
            return type(got) is type(want) and got == want
        if isinstance(want, list):
            return (isinstance(got, (list, tuple)) and len(got) == len(want)
                    and all(same(g, w) for g, w in zip(got, want)))
        if isinstance(want, dict):
            return (isinstance(got, dict) and set(got) == set(want)
                    and all(same(got[k], want[k]) for k in want))
        return False

    def outcome(thunk, spec, materialize=False):
        try:
            value = thunk()
            if materialize:
                value = list(_it.islice(value, 100001))
        except Exception as e:
            names = [c.__name__ for c in type(e).__mro__]
            return "raises" in spec and spec["raises"] in names
        if "raises" in spec:
            return False
        return "expected" not in spec or same(value, spec["expected"])

    def args_of(spec):
        if "args_py" in spec:
            return eval(spec["args_py"])
        return spec.get("args", [])

    if "ops" in case:
        obj = [None]
        for op in case["ops"]:
            if op["op"] == "new":
                def thunk(op=op):
                    obj[0] = {entry}(*args_of(op), **op.get("kwargs", {{}}))
            elif op["op"] == "get":
                def thunk(op=op):
                    return getattr(obj[0], op["attr"])
            else:
                def thunk(op=op):
                    return getattr(obj[0], op["method"])(*args_of(op), **op.get("kwargs", {{}}))
            if not outcome(thunk, op, op.get("materialize", False)):
                return False
        return True
    return outcome(lambda: {entry}(*args_of(case), **case.get("kwargs", {{}})),
                   case, case.get("materialize", False))

import sys as _sys
_sys.exit(0 if _harness() else 1)
"""


def load_problems(directory):
    problems = {}
    for path in glob.glob(os.path.join(directory, "*", "*.json")):
        with open(path) as f:
            p = json.load(f)
        problems[p["id"]] = p
    return problems


def score(item):
    code, problem = item
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "solution.py")
        with open(path, "w") as f:
            f.write(code)
        for name, cmd in TOOLS:
            t = time.perf_counter()
            subprocess.run(cmd + [path], capture_output=True, timeout=120, cwd=tmp)
            times[name] = time.perf_counter() - t
        t = time.perf_counter()
        passed = 0
        for case in problem["tests"]:
            program = CASE_TEMPLATE.format(code=code, case=json.dumps(case), entry=problem["entry_point"])
            try:
                r = subprocess.run([sys.executable, "-c", program], capture_output=True,
                                   timeout=CASE_TIMEOUT_S, cwd=tmp)
                passed += r.returncode == 0
            except subprocess.TimeoutExpired:
                pass
        times["tests"] = time.perf_counter() - t
        times["cases"] = len(problem["tests"])
        times["passed"] = passed
    return times


def cpu_seconds():
    """CPU seconds of this process and of every descendant waited for."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def main():
    sample_path, problems_dir = sys.argv[1], sys.argv[2]
    workers = os.cpu_count() or 2
    if "--workers" in sys.argv:
        workers = int(sys.argv[sys.argv.index("--workers") + 1])
    problems = load_problems(problems_dir)
    items = []
    samples = []
    with open(sample_path) as f:
        for line in f:
            if line.strip():
                s = json.loads(line)
                samples.append(s)
                items.append((s["code"], problems[s["task_id"]]))
    cpu_before = cpu_seconds()
    t = time.perf_counter()
    pool = multiprocessing.Pool(workers)
    results = pool.map(score, items, chunksize=1)
    pool.close()
    pool.join()
    seconds = time.perf_counter() - t
    # The pool's workers have been waited for, and they waited for every
    # tool and test process: their CPU is all in RUSAGE_CHILDREN now.
    cpu_s = cpu_seconds() - cpu_before
    parts = {k: sum(r[k] for r in results)
             for k in ["pylint", "bandit", "radon_cc", "radon_raw", "vulture", "tests"]}
    print(json.dumps({
        "completions": len(items),
        "workers": workers,
        "seconds": seconds,
        "completions_per_s": len(items) / seconds,
        "cpu_s": cpu_s,
        "cpu_s_per_completion": cpu_s / len(items),
        "test_cases": sum(r["cases"] for r in results),
        "wall_seconds_by_part": parts,
        "passed": [{"task_id": s["task_id"], "passed": r["passed"], "total": r["cases"]}
                   for s, r in zip(samples, results)],
    }))


if __name__ == "__main__":
    main()
