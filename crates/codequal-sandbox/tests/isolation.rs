//! Each isolation layer, observed from inside: a probe program reports
//! what it can see and do, and the parent checks it.

mod common;

use codequal_sandbox::{Config, Error, Layer, MissingLayerPolicy, PyValue, Sandbox, TestSuite};
use std::path::PathBuf;

/// Returns a dict of observations made inside the sandbox.
const PROBE: &str = r#"
import errno, os, resource, socket

def observe():
    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return line.split()[1]
    def can_write(path):
        try:
            with open(path, "w") as f:
                f.write("x")
            return True
        except OSError:
            return False
    def socket_errno(family):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
            return 0
        except OSError as e:
            return e.errno
    lim = lambda r: resource.getrlimit(r)[0]
    return {
        "uid": os.getuid(),
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "visible_pids": len([p for p in os.listdir("/proc") if p.isdigit()]),
        "hostname": socket.gethostname(),
        "interfaces": [l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:]],
        "inet_socket_errno": socket_errno(socket.AF_INET),
        "unix_socket_errno": socket_errno(socket.AF_UNIX),
        "seccomp": status("Seccomp"),
        "no_new_privs": status("NoNewPrivs"),
        "root_entries": sorted(os.listdir("/")),
        "work_visible": os.path.exists("/work"),
        "usr_writable": can_write("/usr/cq_probe"),
        "root_writable": can_write("/cq_probe"),
        "cwd_writable": can_write("probe.txt"),
        "cwd_under_tmp": os.getcwd().startswith("/tmp/"),
        "env": sorted(os.environ),
        "cgroup": open("/proc/self/cgroup").read().count("codequal-sandbox"),
        "rlimit_nofile": lim(resource.RLIMIT_NOFILE),
        "rlimit_nproc": lim(resource.RLIMIT_NPROC),
        "rlimit_fsize": lim(resource.RLIMIT_FSIZE),
        "rlimit_cpu": lim(resource.RLIMIT_CPU),
        "rlimit_as_set": lim(resource.RLIMIT_AS) != resource.RLIM_INFINITY,
    }
"#;

fn observe(sandbox: &Sandbox) -> std::collections::BTreeMap<String, PyValue> {
    let tests = serde_json::json!([{ "args": [], "expected": 0 }]);
    let suite = TestSuite::from_json_tests("observe", &tests).expect("suite");
    let r = sandbox.run(PROBE, &suite).expect("probe runs");
    let Some(PyValue::Dict(pairs)) = r.cases[0].returned.clone() else {
        panic!("probe did not return a dict: {:?}", r.cases[0])
    };
    pairs
        .into_iter()
        .map(|(k, v)| match k {
            PyValue::Str(k) => (k, v),
            other => panic!("non-string key {other:?}"),
        })
        .collect()
}

fn int(v: &PyValue) -> i64 {
    match v {
        PyValue::Int(i) => *i,
        other => panic!("not an int: {other:?}"),
    }
}

#[test]
fn every_layer_is_in_force_inside() {
    let config = Config {
        output_bytes: 1 << 20,
        ..Config::default()
    };
    let Some(sandbox) = common::sandbox(config.clone()) else {
        return;
    };
    assert!(
        sandbox.report().missing().is_empty(),
        "{:?}",
        sandbox.report()
    );
    let seen = observe(&sandbox);
    let get = |k: &str| {
        seen.get(k)
            .unwrap_or_else(|| panic!("missing {k} in {seen:?}"))
    };
    // Unprivileged uid of its own.
    assert!(
        int(get("uid")) >= i64::from(config.sandbox_uid_base),
        "{:?}",
        get("uid")
    );
    // PID namespace: the worker is pid 1 and almost nothing is visible.
    assert_eq!(int(get("ppid")), 1);
    assert!(int(get("visible_pids")) <= 3, "{:?}", get("visible_pids"));
    // Network namespace: only loopback; seccomp: no inet sockets, unix ok.
    assert_eq!(
        get("interfaces"),
        &PyValue::List(vec![PyValue::Str("lo".into())])
    );
    assert_eq!(int(get("inet_socket_errno")), i64::from(libc::EPERM));
    assert_eq!(int(get("unix_socket_errno")), 0);
    assert_eq!(get("seccomp"), &PyValue::Str("2".into()));
    assert_eq!(get("no_new_privs"), &PyValue::Str("1".into()));
    // UTS namespace.
    assert_eq!(get("hostname"), &PyValue::Str("sandbox".into()));
    // Mount namespace: a minimal read-only root, a private writable /tmp.
    assert_eq!(get("work_visible"), &PyValue::Bool(false));
    assert_eq!(get("usr_writable"), &PyValue::Bool(false));
    assert_eq!(get("root_writable"), &PyValue::Bool(false));
    assert_eq!(get("cwd_writable"), &PyValue::Bool(true));
    assert_eq!(get("cwd_under_tmp"), &PyValue::Bool(true));
    let PyValue::List(entries) = get("root_entries") else {
        panic!("root entries")
    };
    for hidden in ["work", "home", "etc", "var", "sys", "boot"] {
        assert!(
            !entries.contains(&PyValue::Str(hidden.into())),
            "/{hidden} visible: {entries:?}"
        );
    }
    // Cleared environment.
    let PyValue::List(env) = get("env") else {
        panic!("env")
    };
    for var in env {
        let PyValue::Str(name) = var else {
            panic!("env name")
        };
        assert!(
            [
                "HOME",
                "TMPDIR",
                "PATH",
                "LANG",
                "OMP_NUM_THREADS",
                "OPENBLAS_NUM_THREADS",
                "MKL_NUM_THREADS",
                "LC_CTYPE"
            ]
            .contains(&name.as_str()),
            "unexpected environment variable {name}"
        );
    }
    // cgroups and rlimits.
    assert_eq!(int(get("cgroup")), 2);
    assert_eq!(int(get("rlimit_nofile")) as u64, config.max_open_files);
    assert_eq!(int(get("rlimit_nproc")) as u64, config.max_processes);
    assert_eq!(int(get("rlimit_fsize")) as u64, config.file_bytes);
    assert_eq!(int(get("rlimit_cpu")) as u64, config.case_cpu_time_s);
    assert_eq!(get("rlimit_as_set"), &PyValue::Bool(true));
}

#[test]
fn a_refused_layer_is_reported_and_refused_or_degraded_as_configured() {
    let Some(_) = common::sandbox(Config::default()) else {
        return;
    };
    let refused = Sandbox::new(Config {
        disabled_layers: vec![Layer::NetworkNamespace],
        on_missing_layer: MissingLayerPolicy::Refuse,
        ..Config::default()
    });
    assert!(
        matches!(refused, Err(Error::LayersMissing { ref missing }) if missing == &[Layer::NetworkNamespace])
    );

    let degraded = Sandbox::new(Config {
        disabled_layers: vec![Layer::NetworkNamespace],
        on_missing_layer: MissingLayerPolicy::Degrade,
        ..Config::default()
    })
    .expect("degraded sandbox starts");
    assert_eq!(degraded.report().missing(), vec![Layer::NetworkNamespace]);
    let suite =
        TestSuite::from_json_tests("f", &serde_json::json!([{ "args": [1], "expected": 2 }]))
            .expect("suite");
    let r = degraded
        .run("def f(x):\n    return x + 1\n", &suite)
        .expect("runs");
    assert!(r.all_passed());
    assert_eq!(r.missing_layers, vec![Layer::NetworkNamespace]);
    // Without a network namespace, seccomp still refuses inet sockets.
    let seen = observe(&degraded);
    assert_eq!(int(&seen["inet_socket_errno"]), i64::from(libc::EPERM));
    assert!(matches!(&seen["interfaces"], PyValue::List(l) if l.len() > 1));
}

#[test]
fn each_case_runs_in_a_fresh_fork() {
    let Some(sandbox) = common::sandbox(Config::default()) else {
        return;
    };
    // The first case patches a builtin and a module; the second must not see it.
    let source = "import json\nSTATE = []\ndef f(x):\n    if x == 1:\n        import builtins\n        builtins.len = lambda o: 99\n        json.loads = None\n        STATE.append(1)\n    return [len([1, 2]), json.loads is None, len(STATE)]\n";
    let tests = serde_json::json!([
        { "args": [1], "expected": [99, true, 99] },
        { "args": [2], "expected": [2, false, 0] },
    ]);
    let suite = TestSuite::from_json_tests("f", &tests).expect("suite");
    let r = sandbox.run(source, &suite).expect("runs");
    assert!(r.all_passed(), "{:?}", r.cases);
}

/// Without a PID namespace, a uid of its own per worker is the equivalent:
/// the worker's kill(-1) still reaches every daemonised grandchild.
#[test]
fn without_a_pid_namespace_daemons_still_die() {
    let Some(_) = common::sandbox(Config::default()) else {
        return;
    };
    let uid_base = 3_500_000;
    let sandbox = Sandbox::new(Config {
        disabled_layers: vec![Layer::PidNamespace],
        on_missing_layer: MissingLayerPolicy::Degrade,
        sandbox_uid_base: uid_base,
        ..Config::default()
    })
    .expect("degraded sandbox starts");
    let source =
        std::fs::read_to_string(common::fixture("attacks/daemon_grandchild.py")).expect("fixture");
    let suite = TestSuite::from_json_tests(
        "solve",
        &serde_json::json!([{ "args": [1], "expected": "x" }]),
    )
    .expect("suite");
    let r = sandbox.run(&source, &suite).expect("runs");
    assert_eq!(r.passed(), 0);
    assert_eq!(r.missing_layers, vec![Layer::PidNamespace]);
    // The worker is still alive (reused), its daemons must not be.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let in_range = processes_with_uid_in(uid_base..uid_base + 1_000_000);
    assert_eq!(
        in_range.len(),
        1,
        "only the idle worker may remain: {in_range:?}"
    );
    drop(sandbox);
    assert!(processes_with_uid_in(uid_base..uid_base + 1_000_000).is_empty());
}

fn processes_with_uid_in(range: std::ops::Range<u32>) -> Vec<PathBuf> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let status = std::fs::read_to_string(p.join("status")).unwrap_or_default();
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|u| u.parse::<u32>().ok())
                .is_some_and(|u| range.contains(&u))
        })
        .collect()
}
