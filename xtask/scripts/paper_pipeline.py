"""The paper's reward pipeline in Python, for `cargo xtask bench-rewards`.

For each completion, as the paper's quality library (pycq_analyzer) does it:
one pylint, bandit, radon cc, radon raw and vulture process on the code; and,
as open-r1's code reward does it, one fresh `python3` process per test case.
Completions are spread over a pool of workers (default: the CPU count), so
both sides of the benchmark use the same cores.

Usage: python paper_pipeline.py SAMPLE.jsonl PROBLEMS_DIR [--workers N]
Prints one JSON object: completions, seconds, completions_per_s, and the time
spent in each part.
"""

import glob
import json
import multiprocessing
import os
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

CASE_TEMPLATE = """
import json
{code}

def _run():
    case = json.loads({case!r})
    if "ops" in case:
        obj = None
        out = []
        for op in case["ops"]:
            args = eval(op["args_py"]) if "args_py" in op else op.get("args", [])
            kwargs = op.get("kwargs", {{}})
            if op["op"] == "new":
                obj = {entry}(*args, **kwargs)
                continue
            try:
                if op["op"] == "get":
                    value = getattr(obj, op["attr"])
                else:
                    value = getattr(obj, op["method"])(*args, **kwargs)
                out.append(["ok", value])
            except Exception as e:
                out.append(["raised", type(e).__name__])
        return out
    args = eval(case["args_py"]) if "args_py" in case else case.get("args", [])
    try:
        value = {entry}(*args, **case.get("kwargs", {{}}))
        if case.get("materialize"):
            value = list(value)
        return ["ok", value]
    except Exception as e:
        return ["raised", type(e).__name__]

print(json.dumps(_run(), default=str))
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
            subprocess.run(cmd + [path], capture_output=True, timeout=120)
            times[name] = time.perf_counter() - t
        t = time.perf_counter()
        passed = 0
        for case in problem["tests"]:
            program = CASE_TEMPLATE.format(code=code, case=json.dumps(case), entry=problem["entry_point"])
            try:
                r = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=10, cwd=tmp)
                passed += r.returncode == 0
            except subprocess.TimeoutExpired:
                pass
        times["tests"] = time.perf_counter() - t
        times["cases"] = len(problem["tests"])
    return times


def main():
    sample_path, problems_dir = sys.argv[1], sys.argv[2]
    workers = os.cpu_count() or 2
    if "--workers" in sys.argv:
        workers = int(sys.argv[sys.argv.index("--workers") + 1])
    problems = load_problems(problems_dir)
    items = []
    with open(sample_path) as f:
        for line in f:
            if line.strip():
                s = json.loads(line)
                items.append((s["code"], problems[s["task_id"]]))
    t = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        results = pool.map(score, items, chunksize=1)
    seconds = time.perf_counter() - t
    parts = {k: sum(r[k] for r in results) for k in ["pylint", "bandit", "radon_cc", "radon_raw", "vulture", "tests"]}
    print(json.dumps({
        "completions": len(items),
        "workers": workers,
        "seconds": seconds,
        "completions_per_s": len(items) / seconds,
        "test_cases": sum(r["cases"] for r in results),
        "process_seconds_by_part": parts,
    }))


if __name__ == "__main__":
    main()
