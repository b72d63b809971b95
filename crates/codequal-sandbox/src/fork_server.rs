//! One warm, sandboxed Python worker and the protocol to it.
//!
//! The worker is `worker.py`, embedded here and started as
//! `python -I -S -c <script> REQ_FD RESP_FD` inside the isolation layers.
//! Frames on both pipes are a 4-byte big-endian length and a payload.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value as Json};

use crate::isolation::{Layer, MountPlan, WorkerCgroups, WorkerPlan};
use crate::{Config, Error, Result};

/// The worker script.
pub(crate) const WORKER_SCRIPT: &str = include_str!("worker.py");

/// Largest reply frame accepted besides a case record.
const MAX_CONTROL_FRAME: usize = 1 << 20;

static WORKER_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What the sandbox decided once at startup and every worker shares.
#[derive(Debug)]
pub(crate) struct WorkerTemplate {
    pub(crate) config: Config,
    pub(crate) python: PathBuf,
    pub(crate) read_only: Vec<PathBuf>,
    pub(crate) temp_dir: PathBuf,
    pub(crate) layers: Vec<Layer>,
    pub(crate) seccomp: Option<Vec<seccompiler::sock_filter>>,
    pub(crate) host_is_root: bool,
}

impl WorkerTemplate {
    fn has(&self, layer: Layer) -> bool {
        self.layers.contains(&layer)
    }
}

/// The worker's hello.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ReadyInfo {
    pub(crate) uid: i64,
    pub(crate) dumpable_off: bool,
}

/// What the worker says about one case.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CaseHeader {
    pub(crate) status: String,
    pub(crate) exit_code: i64,
    pub(crate) cpu_s: f64,
    pub(crate) wall_s: f64,
    pub(crate) output_bytes: u64,
    #[serde(default)]
    pub(crate) detail: Option<Json>,
}

/// One case as it came back, before it is judged.
#[derive(Debug)]
pub(crate) enum RawOutcome {
    /// The case ran (or was refused by the worker's budget); the record is
    /// the raw bytes the child wrote.
    Ran { header: CaseHeader, record: Vec<u8> },
    /// The program did not compile; the exception record.
    CompileError(Json),
    /// The whole program ran past its wall-clock budget.
    ProgramTimeout,
    /// The worker died or broke the protocol.
    WorkerLost(String),
}

enum ReadFailure {
    Timeout,
    Closed,
    TooLarge,
}

/// A running worker.
#[derive(Debug)]
pub(crate) struct ForkServer {
    supervisor: Child,
    requests: File,
    replies: File,
    stderr: Option<ChildStderr>,
    stderr_tail: Vec<u8>,
    mount_dir: Option<PathBuf>,
    cgroups: Option<WorkerCgroups>,
    pub(crate) ready: ReadyInfo,
    pub(crate) broken: bool,
    /// The last program could not start: the worker had no work dir for it.
    pub(crate) setup_failed: bool,
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors are fresh and owned by us.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl ForkServer {
    /// Starts a worker; `preload` overrides the configured module list
    /// (fresh-interpreter mode passes none).
    pub(crate) fn spawn(t: &WorkerTemplate, preload: &[String]) -> Result<Self> {
        let cfg = &t.config;
        let n = WORKER_COUNTER.fetch_add(1, Ordering::Relaxed);
        // A uid per worker: RLIMIT_NPROC counts per uid, and kill(-1) from
        // the worker then reaches only its own processes.
        let uid =
            cfg.sandbox_uid_base + ((std::process::id() as u64 * 7919 + n) % 1_000_000) as u32;
        let name = format!("w{}-{n}", std::process::id());
        let mount_dir = t.temp_dir.join(&name);
        std::fs::create_dir(&mount_dir).map_err(Error::Spawn)?;
        let scratch_root = if t.has(Layer::MountNamespace) {
            "/tmp".to_owned()
        } else {
            // Without a private /tmp the worker's scratch space is this
            // host directory; it must belong to the worker's uid.
            if t.host_is_root {
                std::os::unix::fs::chown(&mount_dir, Some(uid), Some(uid)).map_err(Error::Spawn)?;
            }
            mount_dir.to_string_lossy().into_owned()
        };
        let cgroups = if t.has(Layer::MemoryCgroup) || t.has(Layer::PidsCgroup) {
            Some(
                WorkerCgroups::create(
                    &name,
                    t.has(Layer::MemoryCgroup)
                        .then_some(cfg.worker_memory_bytes),
                    t.has(Layer::PidsCgroup).then_some(cfg.max_processes),
                )
                .map_err(Error::Spawn)?,
            )
        } else {
            None
        };
        let mut server = Self::start(t, preload, uid, &mount_dir, cgroups, &scratch_root);
        if server.is_err() {
            let _ = std::fs::remove_dir(&mount_dir);
        }
        if let Ok(s) = &mut server {
            s.mount_dir = Some(mount_dir);
        }
        server
    }

    fn start(
        t: &WorkerTemplate,
        preload: &[String],
        uid: u32,
        mount_dir: &std::path::Path,
        cgroups: Option<WorkerCgroups>,
        scratch_root: &str,
    ) -> Result<Self> {
        let cfg = &t.config;
        let (req_read, req_write) = pipe().map_err(Error::Spawn)?;
        let (resp_read, resp_write) = pipe().map_err(Error::Spawn)?;
        let mut namespaces = 0;
        if t.has(Layer::MountNamespace) {
            namespaces |= libc::CLONE_NEWNS;
        }
        if t.has(Layer::PidNamespace) {
            namespaces |= libc::CLONE_NEWPID;
        }
        if t.has(Layer::NetworkNamespace) {
            namespaces |= libc::CLONE_NEWNET;
        }
        if t.has(Layer::IpcNamespace) {
            namespaces |= libc::CLONE_NEWIPC | libc::CLONE_NEWUTS;
        }
        // SAFETY: getuid/getgid have no preconditions.
        let (my_uid, my_gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let (uid_map, gid_map) = WorkerPlan::new_maps(my_uid, my_gid);
        let mounts = if t.has(Layer::MountNamespace) {
            Some(
                MountPlan::new(
                    mount_dir,
                    &t.read_only,
                    cfg.scratch_bytes,
                    t.has(Layer::PidNamespace),
                )
                .map_err(Error::Spawn)?,
            )
        } else {
            None
        };
        let plan = Arc::new(WorkerPlan {
            cgroup_procs: match &cgroups {
                Some(c) => c.procs_files().map_err(Error::Spawn)?,
                None => Vec::new(),
            },
            user_namespace: !t.host_is_root && namespaces != 0,
            uid_map,
            gid_map,
            namespaces,
            mounts,
            switch_to_uid: (t.host_is_root && t.has(Layer::UnprivilegedUser)).then_some(uid),
            rlimits: if t.has(Layer::ResourceLimits) {
                vec![
                    (libc::RLIMIT_NOFILE, cfg.max_open_files),
                    (libc::RLIMIT_FSIZE, cfg.file_bytes),
                    (libc::RLIMIT_NPROC, cfg.max_processes),
                    (libc::RLIMIT_CORE, 0),
                ]
            } else {
                Vec::new()
            },
            seccomp: if t.has(Layer::Seccomp) {
                t.seccomp.clone()
            } else {
                None
            },
            keep_fds: [req_read.as_raw_fd(), resp_write.as_raw_fd()],
        });
        let mut cmd = Command::new(&t.python);
        cmd.arg("-I")
            .arg("-S")
            .arg("-c")
            .arg(WORKER_SCRIPT)
            .arg(req_read.as_raw_fd().to_string())
            .arg(resp_write.as_raw_fd().to_string())
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .env("OMP_NUM_THREADS", "1")
            .env("OPENBLAS_NUM_THREADS", "1")
            .env("MKL_NUM_THREADS", "1")
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let hook = Arc::clone(&plan);
        // SAFETY: `WorkerPlan::enter` only makes async-signal-safe calls on
        // data prepared before the fork.
        unsafe {
            cmd.pre_exec(move || hook.enter());
        }
        let mut supervisor = cmd.spawn().map_err(Error::Spawn)?;
        drop(req_read);
        drop(resp_write);
        let stderr = supervisor.stderr.take();
        let mut server = Self {
            supervisor,
            requests: File::from(req_write),
            replies: File::from(resp_read),
            stderr,
            stderr_tail: Vec::new(),
            mount_dir: None,
            cgroups,
            ready: ReadyInfo {
                uid: -1,
                dumpable_off: false,
            },
            broken: false,
            setup_failed: false,
        };
        // kill(-1) is safe where it can only reach this worker's processes:
        // in its own pid namespace, or under a uid of its own.
        let kill_all =
            t.has(Layer::PidNamespace) || (t.host_is_root && t.has(Layer::UnprivilegedUser));
        let init = json!({
            "preload": preload,
            "kill_all": kill_all,
            "memory_bytes": cfg.memory_bytes,
            "case_cpu_s": cfg.case_cpu_time_s,
            "case_wall_s": cfg.case_wall_time_s,
            "program_cpu_s": cfg.program_cpu_time_s,
            "output_bytes": cfg.output_bytes,
            "record_bytes": cfg.record_bytes,
            "scratch_root": scratch_root,
            "case_rlimits": t.has(Layer::ResourceLimits),
        });
        let startup = Instant::now() + Duration::from_secs(60);
        let hello = server
            .send(&init)
            .map_err(|e| e.to_string())
            .and_then(|()| server.read_json(startup).map_err(|f| server.describe(f)));
        let ready = hello
            .and_then(|v| ReadyInfo::deserialize(v).map_err(|e| e.to_string()))
            .and_then(|ready| {
                if t.host_is_root && ready.uid != i64::from(uid) {
                    Err(format!("worker runs as uid {} instead of {uid}", ready.uid))
                } else if !ready.dumpable_off {
                    Err("worker could not make itself non-dumpable".to_owned())
                } else {
                    Ok(ready)
                }
            });
        match ready {
            Ok(ready) => {
                server.ready = ready;
                Ok(server)
            }
            Err(message) => {
                server.kill();
                Err(Error::WorkerStartup(message))
            }
        }
    }

    fn describe(&self, f: ReadFailure) -> String {
        let tail = String::from_utf8_lossy(&self.stderr_tail).into_owned();
        match f {
            ReadFailure::Timeout => format!("no reply in time; stderr: {tail}"),
            ReadFailure::Closed => format!("worker exited; stderr: {tail}"),
            ReadFailure::TooLarge => "reply frame too large".to_owned(),
        }
    }

    fn send(&mut self, msg: &Json) -> io::Result<()> {
        let body = serde_json::to_vec(msg)?;
        let len = u32::try_from(body.len()).map_err(|_| io::Error::other("request too large"))?;
        let mut frame = Vec::with_capacity(body.len() + 4);
        frame.extend_from_slice(&len.to_be_bytes());
        frame.extend_from_slice(&body);
        self.requests.write_all(&frame)
    }

    /// Reads until `buf` is full, draining the worker's stderr meanwhile.
    fn read_exact_by(&mut self, buf: &mut [u8], deadline: Instant) -> Result<(), ReadFailure> {
        let mut filled = 0;
        while filled < buf.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadFailure::Timeout);
            }
            let mut fds = [
                libc::pollfd {
                    fd: self.replies.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.stderr.as_ref().map_or(-1, |s| s.as_raw_fd()),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
            // SAFETY: poll on two valid (or -1, ignored) descriptors.
            let rc = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
            if rc < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(ReadFailure::Closed);
            }
            if fds[1].revents != 0 {
                self.drain_stderr();
            }
            if fds[0].revents != 0 {
                match self.replies.read(&mut buf[filled..]) {
                    Ok(0) => return Err(ReadFailure::Closed),
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return Err(ReadFailure::Closed),
                }
            }
        }
        Ok(())
    }

    fn drain_stderr(&mut self) {
        let Some(stderr) = self.stderr.as_mut() else {
            return;
        };
        let mut chunk = [0u8; 4096];
        match stderr.read(&mut chunk) {
            Ok(0) | Err(_) => self.stderr = None,
            Ok(n) => {
                self.stderr_tail.extend_from_slice(&chunk[..n]);
                let excess = self.stderr_tail.len().saturating_sub(4096);
                self.stderr_tail.drain(..excess);
            }
        }
    }

    fn read_frame(&mut self, deadline: Instant, max: usize) -> Result<Vec<u8>, ReadFailure> {
        let mut head = [0u8; 4];
        self.read_exact_by(&mut head, deadline)?;
        let len = u32::from_be_bytes(head) as usize;
        if len > max {
            return Err(ReadFailure::TooLarge);
        }
        let mut body = vec![0u8; len];
        self.read_exact_by(&mut body, deadline)?;
        Ok(body)
    }

    fn read_json(&mut self, deadline: Instant) -> Result<Json, ReadFailure> {
        let frame = self.read_frame(deadline, MAX_CONTROL_FRAME)?;
        serde_json::from_slice(&frame).map_err(|_| ReadFailure::Closed)
    }

    /// Runs one program; returns exactly one outcome per case.
    pub(crate) fn run_program(
        &mut self,
        request: &Json,
        cases: usize,
        config: &Config,
        program_deadline: Instant,
    ) -> Vec<RawOutcome> {
        let mut out = Vec::with_capacity(cases);
        let lost = |out: &mut Vec<RawOutcome>, why: RawOutcome| {
            let msg = match &why {
                RawOutcome::WorkerLost(m) => Some(m.clone()),
                _ => None,
            };
            while out.len() < cases {
                out.push(match &msg {
                    Some(m) => RawOutcome::WorkerLost(m.clone()),
                    None => RawOutcome::ProgramTimeout,
                });
            }
        };
        if let Err(e) = self.send(request) {
            self.broken = true;
            lost(
                &mut out,
                RawOutcome::WorkerLost(format!("could not send the program: {e}")),
            );
            return out;
        }
        // The worker enforces the per-case limits; this is the backstop.
        let slack = Duration::from_secs(5);
        let case_wait = Duration::from_secs_f64(config.case_wall_time_s) + slack;
        let record_max = config.record_bytes as usize + 16;
        // The outcome is boxed: it is large and only built on the failure path.
        let step = |me: &mut Self, max: usize| -> Result<Vec<u8>, Box<RawOutcome>> {
            let deadline = (Instant::now() + case_wait).min(program_deadline);
            me.read_frame(deadline, max).map_err(|f| {
                me.broken = true;
                Box::new(match f {
                    ReadFailure::Timeout if Instant::now() >= program_deadline => {
                        RawOutcome::ProgramTimeout
                    }
                    other => RawOutcome::WorkerLost(me.describe(other)),
                })
            })
        };
        let compiled = match step(self, MAX_CONTROL_FRAME) {
            Ok(f) => f,
            Err(why) => {
                lost(&mut out, *why);
                return out;
            }
        };
        let compiled: Json = serde_json::from_slice(&compiled).unwrap_or(Json::Null);
        self.setup_failed = false;
        if let Some(err) = compiled.get("setup_error") {
            self.broken = true;
            self.setup_failed = true;
            let why = err
                .as_str()
                .unwrap_or("?")
                .chars()
                .take(200)
                .collect::<String>();
            lost(
                &mut out,
                RawOutcome::WorkerLost(format!("no work dir for the program: {why}")),
            );
            return out;
        }
        if let Some(err) = compiled.get("compile_error") {
            for _ in 0..cases {
                out.push(RawOutcome::CompileError(err.clone()));
            }
        } else {
            for _ in 0..cases {
                let header = match step(self, MAX_CONTROL_FRAME) {
                    Ok(h) => h,
                    Err(why) => {
                        lost(&mut out, *why);
                        return out;
                    }
                };
                let record = match step(self, record_max) {
                    Ok(r) => r,
                    Err(why) => {
                        lost(&mut out, *why);
                        return out;
                    }
                };
                match serde_json::from_slice::<CaseHeader>(&header) {
                    Ok(header) => out.push(RawOutcome::Ran { header, record }),
                    Err(e) => {
                        self.broken = true;
                        lost(
                            &mut out,
                            RawOutcome::WorkerLost(format!("bad case header: {e}")),
                        );
                        return out;
                    }
                }
            }
        }
        // A worker whose scratch space could not be emptied completely
        // (see worker.py `wipe_scratch`) is not reused: nothing a program
        // leaves behind may reach the next one.
        match step(self, MAX_CONTROL_FRAME).map(|d| serde_json::from_slice::<Json>(&d)) {
            Ok(Ok(done))
                if done.get("done").is_some() && done.get("clean") == Some(&Json::Bool(true)) => {}
            _ => self.broken = true,
        }
        out
    }

    /// Kills the worker and everything in it, and waits until all of it is
    /// gone. Idempotent.
    pub(crate) fn kill(&mut self) {
        let pid = self.supervisor.id() as libc::pid_t;
        if let Ok(None) = self.supervisor.try_wait() {
            // SAFETY: signalling our own child (the supervisor), which
            // forwards it as SIGKILL to the worker; the worker's death
            // takes its whole pid namespace with it.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match self.supervisor.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        let _ = self.supervisor.kill();
                        let _ = self.supervisor.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(1)),
                }
            }
        }
        self.broken = true;
    }

    /// Processes still charged to this worker (cgroup), if known.
    #[allow(dead_code)]
    pub(crate) fn cgroup_populated(&self) -> Option<bool> {
        self.cgroups.as_ref().map(WorkerCgroups::populated)
    }
}

impl Drop for ForkServer {
    fn drop(&mut self) {
        // Closing the request pipe lets an idle worker exit on its own;
        // `kill` makes sure of it either way.
        self.kill();
        if let Some(c) = &self.cgroups {
            let deadline = Instant::now() + Duration::from_secs(10);
            while c.populated() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        self.cgroups = None;
        if let Some(dir) = self.mount_dir.take() {
            // Only an empty mount point without a mount namespace's
            // tmpfs; with degraded isolation, the scratch files of a dead
            // worker (remove_dir_all does not follow symlinks).
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
