//! Linux isolation layers: probing what the kernel allows, and entering
//! them between `fork` and `exec` of a worker.
//!
//! Process layout of one worker:
//!
//! ```text
//! sandbox (Rust) ── supervisor (host pid ns; waits, forwards SIGTERM as SIGKILL)
//!                      └── worker = pid 1 of a new pid ns, uid of its own,
//!                          private mount/net/ipc/uts ns, seccomp, rlimits
//!                             └── one forked child per case (+ whatever it starts)
//! ```
//!
//! The supervisor exists because a new PID namespace only applies to
//! children of the process that unshared it. When the worker (the
//! namespace's init) dies, the kernel kills every process in the namespace
//! and the supervisor's `waitpid` returns only after all of them are gone;
//! so "supervisor reaped" means "nothing the candidate started is alive".
//!
//! Everything that runs between `fork` and `exec` is async-signal-safe:
//! plain syscalls on data prepared beforehand (no allocation).

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};

use serde::{Deserialize, Serialize};

/// One isolation mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Candidates run as an unprivileged uid of their own (root hosts) or
    /// inside a user namespace (non-root hosts).
    UnprivilegedUser,
    /// Private filesystem view: read-only system and Python directories, a
    /// private size-limited `/tmp`, everything else on the host invisible.
    MountNamespace,
    /// New PID namespace: the worker is init; killing it kills everything.
    PidNamespace,
    /// New network namespace: no interfaces but a down loopback.
    NetworkNamespace,
    /// New IPC and UTS namespaces.
    IpcNamespace,
    /// seccomp filter: no sockets other than AF_UNIX, no ptrace, no SysV
    /// IPC or POSIX message queues, no new namespaces.
    Seccomp,
    /// Memory cgroup bounding a worker's whole process tree.
    MemoryCgroup,
    /// pids cgroup bounding a worker's process count.
    PidsCgroup,
    /// setrlimit: CPU, address space, file size, open files, processes.
    ResourceLimits,
}

impl Layer {
    /// Every layer, in report order.
    pub const ALL: [Layer; 9] = [
        Layer::UnprivilegedUser,
        Layer::MountNamespace,
        Layer::PidNamespace,
        Layer::NetworkNamespace,
        Layer::IpcNamespace,
        Layer::Seccomp,
        Layer::MemoryCgroup,
        Layer::PidsCgroup,
        Layer::ResourceLimits,
    ];
}

/// Whether one layer is in force, and why not when it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerStatus {
    /// The layer.
    pub layer: Layer,
    /// Whether workers get it.
    pub available: bool,
    /// How it is provided, or what the kernel said.
    pub detail: String,
}

/// The startup report: which layers this sandbox runs with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationReport {
    /// One entry per [`Layer`].
    pub layers: Vec<LayerStatus>,
    /// Whether the host process runs as root (uids are then switched; else
    /// a user namespace is used).
    pub host_is_root: bool,
    /// The interpreter actually executed (symlinks and shims resolved).
    pub python_executable: PathBuf,
    /// Its `sys.version`.
    pub python_version: String,
}

impl IsolationReport {
    /// Layers that are not in force.
    pub fn missing(&self) -> Vec<Layer> {
        self.layers
            .iter()
            .filter(|s| !s.available)
            .map(|s| s.layer)
            .collect()
    }

    /// Whether `layer` is in force.
    pub fn has(&self, layer: Layer) -> bool {
        self.layers.iter().any(|s| s.layer == layer && s.available)
    }
}

const CGROUP_ROOT: &str = "/sys/fs/cgroup";
const CGROUP_PARENT: &str = "codequal-sandbox";

fn errno() -> io::Error {
    io::Error::last_os_error()
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

fn cstring(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))
}

/// Runs `body` in a forked child and reports whether it exited 0.
///
/// # Safety
/// `body` must only make async-signal-safe calls (the parent may be
/// multithreaded) and must not return into Rust code that unwinds.
unsafe fn in_forked_child(body: &dyn Fn() -> bool) -> bool {
    // SAFETY: fork in a possibly multithreaded process; the child only
    // runs `body` (async-signal-safe by contract) and `_exit`s.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return false;
    }
    if pid == 0 {
        let ok = body();
        // SAFETY: terminate the child without running destructors.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    loop {
        // SAFETY: plain waitpid on our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        if r < 0 && errno().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

pub(crate) fn host_is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Probes every layer once. `scratch` is an empty directory the probe may
/// mount a tmpfs on (inside a throwaway mount namespace).
pub(crate) fn probe(
    scratch: &Path,
    seccomp: &Option<Vec<seccompiler::sock_filter>>,
) -> Vec<LayerStatus> {
    let root = host_is_root();
    let userns = if root { 0 } else { libc::CLONE_NEWUSER };
    let try_unshare = |flags: libc::c_int| -> bool {
        // SAFETY: the closure only calls unshare.
        unsafe { in_forked_child(&|| libc::unshare(flags | userns) == 0) }
    };
    let mut out = Vec::new();
    let status = |layer, available, detail: &str| LayerStatus {
        layer,
        available,
        detail: detail.to_owned(),
    };

    out.push(if root {
        status(
            Layer::UnprivilegedUser,
            true,
            "root host: each worker switches to a uid of its own",
        )
    } else if try_unshare(0) {
        status(
            Layer::UnprivilegedUser,
            true,
            "non-root host: user namespace",
        )
    } else {
        status(
            Layer::UnprivilegedUser,
            true,
            "non-root host without user namespaces: runs as the host user",
        )
    });

    let scratch_c = cstring(scratch).ok();
    let mount_ok = scratch_c.as_ref().is_some_and(|dir| {
        let dir = dir.as_ptr();
        // SAFETY: only syscalls on prepared C strings.
        unsafe {
            in_forked_child(&|| {
                libc::unshare(libc::CLONE_NEWNS | userns) == 0
                    && libc::mount(
                        std::ptr::null(),
                        c"/".as_ptr(),
                        std::ptr::null(),
                        libc::MS_REC | libc::MS_PRIVATE,
                        std::ptr::null(),
                    ) == 0
                    && libc::mount(
                        c"tmpfs".as_ptr(),
                        dir,
                        c"tmpfs".as_ptr(),
                        0,
                        std::ptr::null(),
                    ) == 0
            })
        }
    });
    out.push(if mount_ok {
        status(
            Layer::MountNamespace,
            true,
            "private root: tmpfs + read-only binds, private /tmp, fresh /proc",
        )
    } else {
        status(
            Layer::MountNamespace,
            false,
            "unshare(CLONE_NEWNS) or mount refused",
        )
    });

    // A PID namespace only counts if its first child really is pid 1.
    // SAFETY: only syscalls in the children.
    let pid_ok = unsafe {
        in_forked_child(&|| {
            if libc::unshare(libc::CLONE_NEWPID | userns) != 0 {
                return false;
            }
            in_forked_child(&|| libc::getpid() == 1)
        })
    };
    out.push(if pid_ok {
        status(
            Layer::PidNamespace,
            true,
            "worker is init of a new pid namespace",
        )
    } else {
        status(Layer::PidNamespace, false, "unshare(CLONE_NEWPID) refused")
    });
    out.push(if try_unshare(libc::CLONE_NEWNET) {
        status(Layer::NetworkNamespace, true, "empty network namespace")
    } else {
        status(
            Layer::NetworkNamespace,
            false,
            "unshare(CLONE_NEWNET) refused; seccomp blocks non-unix sockets if available",
        )
    });
    out.push(if try_unshare(libc::CLONE_NEWIPC | libc::CLONE_NEWUTS) {
        status(Layer::IpcNamespace, true, "new ipc and uts namespaces")
    } else {
        status(
            Layer::IpcNamespace,
            false,
            "unshare(CLONE_NEWIPC|CLONE_NEWUTS) refused",
        )
    });

    let seccomp_ok = seccomp.as_ref().is_some_and(|filter| {
        // SAFETY: installs a filter in the child only, then calls socket.
        unsafe {
            in_forked_child(&|| {
                apply_seccomp(filter).is_ok() && {
                    let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
                    fd < 0 && *libc::__errno_location() == libc::EPERM
                }
            })
        }
    });
    out.push(if seccomp_ok {
        status(
            Layer::Seccomp,
            true,
            "socket() only for AF_UNIX; ptrace, unshare, setns, namespace clones, SysV IPC and mqueues refused",
        )
    } else {
        status(
            Layer::Seccomp,
            false,
            "seccomp filter could not be installed",
        )
    });

    let v1 = |controller: &str| {
        let dir = Path::new(CGROUP_ROOT).join(controller);
        root && dir.join("cgroup.procs").exists()
            && std::fs::create_dir_all(dir.join(CGROUP_PARENT)).is_ok()
    };
    out.push(if v1("memory") {
        status(
            Layer::MemoryCgroup,
            true,
            "cgroup v1 memory controller, one group per worker",
        )
    } else {
        status(
            Layer::MemoryCgroup,
            false,
            "no writable cgroup v1 memory controller (needs root; cgroup v2 not supported yet)",
        )
    });
    out.push(if v1("pids") {
        status(
            Layer::PidsCgroup,
            true,
            "cgroup v1 pids controller, one group per worker",
        )
    } else {
        status(
            Layer::PidsCgroup,
            false,
            "no writable cgroup v1 pids controller (RLIMIT_NPROC still applies)",
        )
    });
    out.push(status(
        Layer::ResourceLimits,
        true,
        "RLIMIT_CPU/AS per case; RLIMIT_FSIZE/NOFILE/NPROC/CORE per worker",
    ));
    out
}

/// Builds the seccomp program (before any fork, because it allocates).
pub(crate) fn seccomp_filter() -> Option<Vec<seccompiler::sock_filter>> {
    use seccompiler::{
        BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
        SeccompRule, TargetArch,
    };
    use std::collections::BTreeMap;

    let arch = TargetArch::try_from(std::env::consts::ARCH).ok()?;
    let cond = |arg: u8, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, value).ok()
    };
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    rules.insert(
        libc::SYS_socket,
        vec![SeccompRule::new(vec![cond(0, SeccompCmpOp::Ne, libc::AF_UNIX as u64)?]).ok()?],
    );
    for nr in [
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_io_uring_setup,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        // System V IPC and POSIX message queues: their objects belong to
        // the worker's IPC namespace, not to a process, so they would
        // outlive the case (and the program) on a reused worker, carrying
        // state and pinning memory. Nothing in the standard library needs
        // them (multiprocessing's semaphores are futexes on /dev/shm).
        libc::SYS_shmget,
        libc::SYS_shmat,
        libc::SYS_shmctl,
        libc::SYS_shmdt,
        libc::SYS_semget,
        libc::SYS_semop,
        libc::SYS_semtimedop,
        libc::SYS_semctl,
        libc::SYS_msgget,
        libc::SYS_msgsnd,
        libc::SYS_msgrcv,
        libc::SYS_msgctl,
        libc::SYS_mq_open,
        libc::SYS_mq_unlink,
        libc::SYS_mq_timedsend,
        libc::SYS_mq_timedreceive,
        libc::SYS_mq_notify,
        libc::SYS_mq_getsetattr,
    ] {
        rules.insert(nr, Vec::new());
    }
    let ns_flags = [
        libc::CLONE_NEWUSER,
        libc::CLONE_NEWNS,
        libc::CLONE_NEWPID,
        libc::CLONE_NEWNET,
        libc::CLONE_NEWIPC,
        libc::CLONE_NEWUTS,
        libc::CLONE_NEWCGROUP,
    ];
    let clone_rules = ns_flags
        .iter()
        .map(|&f| SeccompRule::new(vec![cond(0, SeccompCmpOp::MaskedEq(f as u64), f as u64)?]).ok())
        .collect::<Option<Vec<_>>>()?;
    rules.insert(libc::SYS_clone, clone_rules);
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .ok()?;
    let mut program: BpfProgram = filter.try_into().ok()?;
    // clone3 passes its flags through memory, which seccomp cannot read:
    // make it look absent so libc falls back to clone(2), which we check.
    let clone3 = SeccompFilter::new(
        [(libc::SYS_clone3, Vec::new())].into_iter().collect(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        TargetArch::try_from(std::env::consts::ARCH).ok()?,
    )
    .ok()?;
    let clone3: BpfProgram = clone3.try_into().ok()?;
    // Two filters are stored back to back; `apply_seccomp` installs both.
    program.push(seccompiler::sock_filter {
        code: u16::MAX,
        jt: 0,
        jf: 0,
        k: 0,
    });
    program.extend(clone3);
    Some(program)
}

/// Installs the filters built by [`seccomp_filter`]. Async-signal-safe.
pub(crate) fn apply_seccomp(program: &[seccompiler::sock_filter]) -> io::Result<()> {
    // SAFETY: prctl with constant arguments.
    check(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) })?;
    for part in program.split(|f| f.code == u16::MAX) {
        if part.is_empty() {
            continue;
        }
        let prog = libc::sock_fprog {
            len: part.len() as u16,
            filter: part.as_ptr() as *mut libc::sock_filter,
        };
        // SAFETY: the kernel copies the program; `prog` outlives the call.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER,
                0,
                &prog as *const libc::sock_fprog,
            )
        };
        if rc != 0 {
            return Err(errno());
        }
    }
    Ok(())
}

/// A per-worker cgroup directory set (v1), removed again on drop.
#[derive(Debug)]
pub(crate) struct WorkerCgroups {
    dirs: Vec<PathBuf>,
}

impl WorkerCgroups {
    pub(crate) fn create(name: &str, memory: Option<u64>, pids: Option<u64>) -> io::Result<Self> {
        let mut me = Self { dirs: Vec::new() };
        if let Some(bytes) = memory {
            let dir = Path::new(CGROUP_ROOT)
                .join("memory")
                .join(CGROUP_PARENT)
                .join(name);
            std::fs::create_dir_all(&dir)?;
            me.dirs.push(dir.clone());
            std::fs::write(dir.join("memory.limit_in_bytes"), bytes.to_string())?;
            // Swap would let the tree exceed the limit; cap it where the
            // kernel accounts for it.
            let memsw = dir.join("memory.memsw.limit_in_bytes");
            if memsw.exists() {
                let _ = std::fs::write(memsw, bytes.to_string());
            }
        }
        if let Some(max) = pids {
            let dir = Path::new(CGROUP_ROOT)
                .join("pids")
                .join(CGROUP_PARENT)
                .join(name);
            std::fs::create_dir_all(&dir)?;
            me.dirs.push(dir.clone());
            std::fs::write(dir.join("pids.max"), max.to_string())?;
        }
        Ok(me)
    }

    pub(crate) fn procs_files(&self) -> io::Result<Vec<CString>> {
        self.dirs
            .iter()
            .map(|d| cstring(&d.join("cgroup.procs")))
            .collect()
    }

    /// Whether any process is still in one of the groups.
    pub(crate) fn populated(&self) -> bool {
        self.dirs.iter().any(|d| {
            std::fs::read_to_string(d.join("cgroup.procs")).is_ok_and(|s| !s.trim().is_empty())
        })
    }
}

impl Drop for WorkerCgroups {
    fn drop(&mut self) {
        for dir in &self.dirs {
            // Processes leave the group asynchronously after they are
            // reaped; retry briefly.
            for _ in 0..200 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
}

/// How the filesystem view of a worker is built.
#[derive(Debug, Default)]
pub(crate) struct MountPlan {
    /// Host directory the new root tmpfs is mounted on.
    root: CString,
    root_options: CString,
    mkdirs: Vec<CString>,
    symlinks: Vec<(CString, CString)>,
    binds: Vec<(CString, CString)>,
    devices: Vec<(CString, CString)>,
    tmp: CString,
    tmp_options: CString,
    proc_dir: CString,
    mount_proc: bool,
}

impl MountPlan {
    /// `read_only` are host paths made visible at the same place inside.
    pub(crate) fn new(
        root: &Path,
        read_only: &[PathBuf],
        scratch_bytes: u64,
        mount_proc: bool,
    ) -> io::Result<Self> {
        let inside = |p: &Path| -> io::Result<CString> {
            let rel = p.strip_prefix("/").unwrap_or(p);
            cstring(&root.join(rel))
        };
        let mut plan = Self {
            root: cstring(root)?,
            root_options: CString::new("size=4m,mode=0755").map_err(io::Error::other)?,
            tmp: inside(Path::new("/tmp"))?,
            tmp_options: CString::new(format!("size={scratch_bytes},mode=1777"))
                .map_err(io::Error::other)?,
            proc_dir: inside(Path::new("/proc"))?,
            mount_proc,
            ..Self::default()
        };
        let mut dirs: Vec<PathBuf> = vec!["/tmp".into(), "/proc".into(), "/dev".into()];
        let mut bound: Vec<PathBuf> = Vec::new();
        let mut candidates: Vec<PathBuf> = [
            "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        candidates.extend(read_only.iter().cloned());
        for path in candidates {
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if bound.iter().any(|b| path.starts_with(b)) {
                continue;
            }
            if meta.file_type().is_symlink() && path.parent() == Some(Path::new("/")) {
                let target = std::fs::read_link(&path)?;
                plan.symlinks.push((cstring(&target)?, inside(&path)?));
                continue;
            }
            let real = std::fs::canonicalize(&path)?;
            if !real.is_dir() {
                continue;
            }
            for ancestor in path.ancestors().collect::<Vec<_>>().into_iter().rev() {
                if ancestor != Path::new("/") && !dirs.iter().any(|d| d == ancestor) {
                    dirs.push(ancestor.to_path_buf());
                }
            }
            plan.binds.push((cstring(&real)?, inside(&path)?));
            bound.push(path);
        }
        for d in &dirs {
            plan.mkdirs.push(inside(d)?);
        }
        for dev in ["null", "zero", "random", "urandom"] {
            let host = Path::new("/dev").join(dev);
            if host.exists() {
                plan.devices.push((cstring(&host)?, inside(&host)?));
            }
        }
        for (name, target) in [
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            plan.symlinks.push((
                cstring(Path::new(target))?,
                inside(&Path::new("/dev").join(name))?,
            ));
        }
        Ok(plan)
    }

    /// Builds the tree and pivots into it. Async-signal-safe.
    fn enter(&self) -> io::Result<()> {
        let null = std::ptr::null();
        // SAFETY: syscalls on C strings prepared before the fork.
        unsafe {
            check(libc::mount(
                null,
                c"/".as_ptr(),
                null,
                libc::MS_REC | libc::MS_PRIVATE,
                null.cast(),
            ))?;
            check(libc::mount(
                c"tmpfs".as_ptr(),
                self.root.as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                self.root_options.as_ptr().cast(),
            ))?;
            for d in &self.mkdirs {
                if libc::mkdir(d.as_ptr(), 0o755) != 0 && *libc::__errno_location() != libc::EEXIST
                {
                    return Err(errno());
                }
            }
            for (target, link) in &self.symlinks {
                check(libc::symlink(target.as_ptr(), link.as_ptr()))?;
            }
            for (src, dst) in &self.binds {
                check(libc::mount(
                    src.as_ptr(),
                    dst.as_ptr(),
                    null,
                    libc::MS_BIND | libc::MS_REC,
                    null.cast(),
                ))?;
                remount_read_only(dst)?;
            }
            for (src, dst) in &self.devices {
                let fd = libc::open(
                    dst.as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o666,
                );
                if fd < 0 {
                    return Err(errno());
                }
                libc::close(fd);
                check(libc::mount(
                    src.as_ptr(),
                    dst.as_ptr(),
                    null,
                    libc::MS_BIND,
                    null.cast(),
                ))?;
            }
            check(libc::mount(
                c"tmpfs".as_ptr(),
                self.tmp.as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                self.tmp_options.as_ptr().cast(),
            ))?;
            if self.mount_proc {
                check(libc::mount(
                    c"proc".as_ptr(),
                    self.proc_dir.as_ptr(),
                    c"proc".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    null.cast(),
                ))?;
            }
            check(libc::chdir(self.root.as_ptr()))?;
            check(
                libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) as libc::c_int,
            )?;
            check(libc::umount2(c".".as_ptr(), libc::MNT_DETACH))?;
            check(libc::chdir(c"/".as_ptr()))?;
            check(libc::mount(
                null,
                c"/".as_ptr(),
                null,
                libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
                null.cast(),
            ))?;
        }
        Ok(())
    }
}

/// Remounts a bind mount read-only, keeping flags the kernel locks.
fn remount_read_only(dst: &CString) -> io::Result<()> {
    let null = std::ptr::null();
    let base =
        libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV;
    // SAFETY: syscalls on a prepared C string.
    unsafe {
        if libc::mount(null, dst.as_ptr(), null, base, null.cast()) == 0 {
            return Ok(());
        }
        // Inside a user namespace, flags such as noexec or nosuid of the
        // original mount are locked and must be repeated.
        let mut st: libc::statvfs = std::mem::zeroed();
        check(libc::statvfs(dst.as_ptr(), &mut st))?;
        let mut flags = base;
        for (st_flag, ms_flag) in [
            (libc::ST_NOEXEC, libc::MS_NOEXEC),
            (libc::ST_NOATIME, libc::MS_NOATIME),
            (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
            (libc::ST_RELATIME, libc::MS_RELATIME),
        ] {
            if st.f_flag & st_flag != 0 {
                flags |= ms_flag;
            }
        }
        check(libc::mount(null, dst.as_ptr(), null, flags, null.cast()))
    }
}

/// Everything a worker process does between `fork` and `exec`.
#[derive(Debug)]
pub(crate) struct WorkerPlan {
    pub(crate) cgroup_procs: Vec<CString>,
    pub(crate) user_namespace: bool,
    pub(crate) uid_map: CString,
    pub(crate) gid_map: CString,
    pub(crate) namespaces: libc::c_int,
    pub(crate) mounts: Option<MountPlan>,
    pub(crate) switch_to_uid: Option<u32>,
    pub(crate) rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    pub(crate) seccomp: Option<Vec<seccompiler::sock_filter>>,
    /// Descriptors the worker keeps (CLOEXEC is cleared on them).
    pub(crate) keep_fds: [libc::c_int; 2],
}

/// The worker's pid as seen by the supervisor, for its SIGTERM handler.
static WORKER_PID: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward_sigterm(_: libc::c_int) {
    let pid = WORKER_PID.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

fn write_file(path: &CString, data: &[u8]) -> io::Result<()> {
    // SAFETY: open/write/close on prepared data.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(errno());
        }
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        let err = errno();
        libc::close(fd);
        if n != data.len() as isize {
            return Err(err);
        }
    }
    Ok(())
}

impl WorkerPlan {
    pub(crate) fn new_maps(uid: u32, gid: u32) -> (CString, CString) {
        let make = |id: u32| CString::new(format!("{id} {id} 1\n")).unwrap_or_default();
        (make(uid), make(gid))
    }

    /// Runs in the child that `std::process::Command` forked. Becomes the
    /// supervisor (never returns) and forks the worker, which returns
    /// `Ok(())` here and goes on to `exec` Python.
    ///
    /// # Safety
    /// Only call between fork and exec (as a `pre_exec` hook).
    pub(crate) unsafe fn enter(&self) -> io::Result<()> {
        for procs in &self.cgroup_procs {
            write_file(procs, b"0")?;
        }
        if self.user_namespace {
            // SAFETY: plain syscalls.
            check(unsafe { libc::unshare(libc::CLONE_NEWUSER) })?;
            write_file(&CString::from(c"/proc/self/setgroups"), b"deny")?;
            write_file(
                &CString::from(c"/proc/self/uid_map"),
                self.uid_map.as_bytes(),
            )?;
            write_file(
                &CString::from(c"/proc/self/gid_map"),
                self.gid_map.as_bytes(),
            )?;
        }
        if self.namespaces != 0 {
            // SAFETY: plain syscall.
            check(unsafe { libc::unshare(self.namespaces) })?;
        }
        let mut sync = [0 as libc::c_int; 2];
        // SAFETY: pipe2 into a local array.
        check(unsafe { libc::pipe2(sync.as_mut_ptr(), libc::O_CLOEXEC) })?;
        // SAFETY: we are the single-threaded child of `Command`'s fork.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(errno());
        }
        if pid > 0 {
            // SAFETY: async-signal-safe supervisor loop.
            unsafe { supervise(pid, sync[1]) }
        }
        // Worker. Die with the supervisor; if it is already gone (its end
        // of `sync` hung up), go now.
        // SAFETY: plain syscalls.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            libc::close(sync[1]);
            let mut pfd = libc::pollfd {
                fd: sync[0],
                events: 0,
                revents: 0,
            };
            if libc::poll(&mut pfd, 1, 0) > 0 && pfd.revents & libc::POLLHUP != 0 {
                libc::_exit(1);
            }
            libc::close(sync[0]);
        }
        if let Some(mounts) = &self.mounts {
            mounts.enter()?;
        }
        if self.namespaces & libc::CLONE_NEWUTS != 0 {
            let name = b"sandbox";
            // SAFETY: plain syscall.
            unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) };
        }
        for &(resource, value) in &self.rlimits {
            let lim = libc::rlimit {
                rlim_cur: value,
                rlim_max: value,
            };
            // SAFETY: plain syscall.
            check(unsafe { libc::setrlimit(resource, &lim) })?;
        }
        if let Some(uid) = self.switch_to_uid {
            // SAFETY: plain syscalls; order matters (groups, gid, then uid).
            unsafe {
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setresgid(uid, uid, uid))?;
                check(libc::setresuid(uid, uid, uid))?;
            }
        }
        if let Some(filter) = &self.seccomp {
            apply_seccomp(filter)?;
        }
        for fd in self.keep_fds {
            // SAFETY: clears FD_CLOEXEC on a descriptor we own.
            check(unsafe { libc::fcntl(fd, libc::F_SETFD, 0) })?;
        }
        Ok(())
    }
}

/// The supervisor: waits for the worker, forwards SIGTERM as SIGKILL, and
/// exits with the worker's status.
///
/// # Safety
/// Only async-signal-safe calls; never returns.
unsafe fn supervise(worker: libc::pid_t, keep: libc::c_int) -> ! {
    WORKER_PID.store(worker, Ordering::SeqCst);
    // SAFETY: plain syscalls.
    unsafe {
        libc::signal(
            libc::SIGTERM,
            forward_sigterm as *const () as libc::sighandler_t,
        );
        // Hold nothing but the sync pipe: the parent must see EOF on the
        // worker's pipes as soon as the worker is gone, and `Command`'s
        // exec-status pipe must not be kept open by us.
        if keep > 0 {
            libc::syscall(libc::SYS_close_range, 0, keep - 1, 0);
        }
        libc::syscall(libc::SYS_close_range, keep + 1, u32::MAX, 0);
        loop {
            let mut status = 0;
            let r = libc::waitpid(worker, &mut status, 0);
            if r == worker {
                let code = if libc::WIFEXITED(status) {
                    libc::WEXITSTATUS(status)
                } else {
                    128 + libc::WTERMSIG(status)
                };
                libc::_exit(code);
            }
            if r < 0 && *libc::__errno_location() != libc::EINTR {
                libc::_exit(127);
            }
        }
    }
}
