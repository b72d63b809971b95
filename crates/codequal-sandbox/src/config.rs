//! Sandbox configuration.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How a [`Sandbox`](crate::Sandbox) runs programs and what it allows them.
///
/// Every field has a default, so `Config::default()` and `{}` in JSON are
/// both complete configurations:
///
/// | field | default | meaning |
/// | --- | --- | --- |
/// | `python` | `"python3"` | interpreter; resolved through `PATH` and symlinks once at startup |
/// | `mode` | `fork_server` | `fork_server`: one warm interpreter per worker forks per case; `fresh_interpreter`: a new sandboxed interpreter per case (for comparison) |
/// | `workers` | number of CPUs | how many warm workers run in parallel at most |
/// | `reuse_workers` | `true` | keep a worker for the next program (its processes are all killed and its scratch dir wiped in between); `false` starts one per program |
/// | `preload` | common stdlib modules | imported once by every worker before it forks |
/// | `case_wall_time_s` | `5.0` | wall-clock limit per case |
/// | `case_cpu_time_s` | `5` | CPU-seconds limit per case (`RLIMIT_CPU`; hard limit one second higher) |
/// | `program_wall_time_s` | `60.0` | wall-clock limit for all cases of one program |
/// | `program_cpu_time_s` | `30.0` | CPU seconds summed over a program's cases; later cases time out |
/// | `memory_bytes` | 512 MiB | address space a case may add to the warm interpreter (`RLIMIT_AS`) |
/// | `worker_memory_bytes` | 2 GiB | memory cgroup limit for a worker and everything it starts |
/// | `output_bytes` | 1 MiB | stdout+stderr bytes per case before the case is killed |
/// | `record_bytes` | 8 MiB | size of one case's result record |
/// | `file_bytes` | 16 MiB | largest file a case may write (`RLIMIT_FSIZE`) |
/// | `scratch_bytes` | 64 MiB | size of the worker's private `/tmp` (a tmpfs) |
/// | `max_processes` | `64` | processes and threads per worker (`RLIMIT_NPROC` on its own uid, pids cgroup) |
/// | `max_open_files` | `128` | `RLIMIT_NOFILE` |
/// | `sandbox_uid_base` | `2_000_000` | first host uid given to workers (each worker gets its own) |
/// | `temp_root` | `None` (system temp dir) | where per-worker mount points are created |
/// | `on_missing_layer` | `refuse` | `refuse` or `degrade` when the kernel refuses an isolation layer |
/// | `extra_read_only_paths` | `[]` | host paths made visible (read-only) inside the sandbox, e.g. a virtualenv |
/// | `disabled_layers` | `[]` | layers treated as refused by the kernel (for hosts where one misbehaves, and for testing `on_missing_layer`) |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Python interpreter (default `"python3"`).
    pub python: PathBuf,
    /// Execution mode (default [`Mode::ForkServer`]).
    pub mode: Mode,
    /// Maximum number of concurrent workers (default: available CPUs).
    pub workers: usize,
    /// Reuse a worker across programs (default `true`).
    pub reuse_workers: bool,
    /// Modules every worker imports once before forking (default: the
    /// common standard-library modules in [`DEFAULT_PRELOAD`]).
    pub preload: Vec<String>,
    /// Wall-clock limit per case in seconds (default `5.0`).
    pub case_wall_time_s: f64,
    /// CPU limit per case in whole seconds (default `5`).
    pub case_cpu_time_s: u64,
    /// Wall-clock limit per program in seconds (default `60.0`).
    pub program_wall_time_s: f64,
    /// CPU seconds per program, summed over cases (default `30.0`).
    pub program_cpu_time_s: f64,
    /// Address space a case may add to the warm interpreter (default 512 MiB).
    pub memory_bytes: u64,
    /// Memory cgroup limit for one worker's whole process tree (default 2 GiB).
    pub worker_memory_bytes: u64,
    /// Output bytes (stdout and stderr together) per case (default 1 MiB).
    pub output_bytes: u64,
    /// Bytes of one case's result record (default 8 MiB).
    pub record_bytes: u64,
    /// Largest file a case may write (default 16 MiB).
    pub file_bytes: u64,
    /// Size of each worker's private `/tmp` tmpfs (default 64 MiB).
    pub scratch_bytes: u64,
    /// Processes and threads per worker (default `64`).
    pub max_processes: u64,
    /// Open file descriptors per process (default `128`).
    pub max_open_files: u64,
    /// First host uid handed to workers (default `2_000_000`); used only
    /// when the sandbox runs as root.
    pub sandbox_uid_base: u32,
    /// Directory for per-worker mount points (default: the system temp dir).
    pub temp_root: Option<PathBuf>,
    /// What to do when the kernel refuses an isolation layer (default
    /// [`MissingLayerPolicy::Refuse`]).
    pub on_missing_layer: MissingLayerPolicy,
    /// Extra host paths visible read-only inside the sandbox (default empty).
    pub extra_read_only_paths: Vec<PathBuf>,
    /// Layers treated as unavailable even if the kernel allows them
    /// (default empty).
    pub disabled_layers: Vec<crate::Layer>,
}

/// Standard-library modules a worker imports before it forks.
pub const DEFAULT_PRELOAD: &[&str] = &[
    "math",
    "re",
    "collections",
    "itertools",
    "functools",
    "heapq",
    "bisect",
    "string",
    "typing",
    "operator",
    "fractions",
    "decimal",
    "statistics",
    "random",
    "datetime",
    "copy",
    "hashlib",
    "json",
    "dataclasses",
    "enum",
    "cmath",
    "array",
];

impl Default for Config {
    fn default() -> Self {
        Self {
            python: PathBuf::from("python3"),
            mode: Mode::ForkServer,
            workers: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1),
            reuse_workers: true,
            preload: DEFAULT_PRELOAD.iter().map(|s| (*s).to_owned()).collect(),
            case_wall_time_s: 5.0,
            case_cpu_time_s: 5,
            program_wall_time_s: 60.0,
            program_cpu_time_s: 30.0,
            memory_bytes: 512 << 20,
            worker_memory_bytes: 2 << 30,
            output_bytes: 1 << 20,
            record_bytes: 8 << 20,
            file_bytes: 16 << 20,
            scratch_bytes: 64 << 20,
            max_processes: 64,
            max_open_files: 128,
            sandbox_uid_base: 2_000_000,
            temp_root: None,
            on_missing_layer: MissingLayerPolicy::Refuse,
            extra_read_only_paths: Vec::new(),
            disabled_layers: Vec::new(),
        }
    }
}

impl Config {
    /// Checks ranges that would otherwise fail late or silently.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Config(m.to_owned()));
        if self.workers == 0 {
            return bad("workers must be at least 1");
        }
        if !(self.case_wall_time_s > 0.0 && self.case_wall_time_s.is_finite()) {
            return bad("case_wall_time_s must be positive and finite");
        }
        if !(self.program_wall_time_s > 0.0 && self.program_wall_time_s.is_finite()) {
            return bad("program_wall_time_s must be positive and finite");
        }
        if self.case_cpu_time_s == 0 {
            return bad("case_cpu_time_s must be at least 1");
        }
        if self.max_processes < 2 {
            return bad("max_processes must be at least 2 (the worker and one case)");
        }
        if self.max_open_files < 16 {
            return bad("max_open_files must be at least 16");
        }
        Ok(())
    }
}

/// How cases are executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A warm interpreter per worker forks once per case.
    ForkServer,
    /// A new sandboxed interpreter (no preloaded modules) per case.
    FreshInterpreter,
}

/// What to do when the kernel refuses an isolation layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingLayerPolicy {
    /// Fail `Sandbox::new` with [`Error::LayersMissing`](crate::Error::LayersMissing).
    Refuse,
    /// Run without the layer; every result lists the missing layers.
    Degrade,
}
