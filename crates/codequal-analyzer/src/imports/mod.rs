//! Following imports to the classes other modules define.
//!
//! pylint infers through astroid across modules. The class rules
//! (`too-few-public-methods`, `too-many-ancestors`, `unused-argument` in an
//! override) need one part of that: what an imported base class is, which
//! methods it has and what its own bases are. [`Resolver`] finds modules on
//! disk as CPython's path finder does (built-in modules, then per directory
//! a package, an extension module, a source file; namespace packages last),
//! reads only their module-level names and class bodies
//! ([`summary::ModuleSummary`]) and keeps them for the process.
//!
//! Nothing is executed. CPython's built-in modules (`sys`, `_io`,
//! `_collections`, ...: compiled into the interpreter) are *opaque*: their
//! classes are known to exist, and to have methods, but not which.
//! Extension modules (`.so`, `.pyd`) are not followed, and a class from one
//! contributes nothing: measured on the standard library, pylint reports
//! subclasses of `ctypes.Structure`, `sqlite3.Cursor` or
//! `contextvars.Token` as having too few public methods.
//!
//! Search order for an absolute import: the checked file's root (the first
//! directory above it that has no `__init__.py`, as pylint puts it on
//! `sys.path`), then [`Settings::search_path`]. A source string analysed
//! without a path has no root.

pub(crate) mod summary;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use summary::{Binding, ImportRef, ModuleSummary};

/// How imports are followed (`[tool.codequal.imports]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Follow imports into other modules to see imported base classes, as
    /// pylint does. Off, a class the file does not define is opaque to the
    /// class rules. Default: `true`.
    pub follow: bool,
    /// Directories searched for absolute imports after the checked file's
    /// own root, in order. Put the interpreter's standard library here
    /// (`python3 -c 'import sysconfig;
    /// print(sysconfig.get_paths()["stdlib"])'`) to follow standard-library
    /// bases from code outside it. Default: none.
    pub search_path: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            follow: true,
            search_path: Vec::new(),
        }
    }
}

/// CPython 3.11's built-in modules (`sys.builtin_module_names`): compiled
/// into the interpreter, so there is no file to find.
const BUILTIN_MODULES: &[&str] = &[
    "_abc",
    "_ast",
    "_codecs",
    "_collections",
    "_functools",
    "_imp",
    "_io",
    "_locale",
    "_operator",
    "_signal",
    "_sre",
    "_stat",
    "_string",
    "_symtable",
    "_thread",
    "_tokenize",
    "_tracemalloc",
    "_warnings",
    "_weakref",
    "atexit",
    "builtins",
    "errno",
    "faulthandler",
    "gc",
    "itertools",
    "marshal",
    "posix",
    "pwd",
    "sys",
    "time",
    "xxsubtype",
];

/// How far a chain of imports, aliases and star imports is followed.
const MAX_DEPTH: u32 = 24;

/// Modules kept in the process-wide cache before it is emptied.
const MAX_CACHED_MODULES: usize = 8192;

/// What a dotted name turned out to be.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// A class defined in a module's source.
    Class(ExtClass),
    /// A name no module binds: a builtin (or nothing).
    Builtin(String),
    /// A class (or anything) in a compiled module, by qualified name.
    Opaque(String),
    /// A module.
    Module,
    /// Not found, or not something that can be followed.
    Unknown,
}

/// A class from another module's source.
#[derive(Debug, Clone)]
pub(crate) struct ExtClass {
    /// The module that defines it.
    pub module: Arc<ModuleSummary>,
    /// Its index in the module's classes.
    pub index: usize,
}

impl ExtClass {
    /// The class's summary.
    pub fn summary(&self) -> &summary::ClassSummary {
        &self.module.classes[self.index]
    }

    /// `module.Class`.
    pub fn qname(&self) -> String {
        format!("{}.{}", self.module.name, self.summary().name)
    }
}

/// Where a module was found.
enum Located {
    Source(Arc<ModuleSummary>),
    Opaque,
    Missing,
}

/// A module file with the dotted name it was imported as.
type ModuleKey = (PathBuf, String);

/// Finds and reads modules for one checked file.
///
/// The process-wide cache is checked against the file system once per
/// resolver (directory listings and module files are validated on first
/// use, then remembered here), so one checked file costs a few system calls
/// per module it reaches, however many classes it has.
#[derive(Debug)]
pub(crate) struct Resolver {
    /// Directories for absolute imports, in search order.
    roots: Vec<PathBuf>,
    /// Directory listings used so far.
    listings: RefCell<HashMap<PathBuf, Option<Arc<Listing>>>>,
    /// Modules read so far, by file and dotted name.
    modules: RefCell<HashMap<ModuleKey, Option<Arc<ModuleSummary>>>>,
    /// Names looked up through star imports, by module (`None` while the
    /// lookup is under way, which breaks cycles).
    star_lookups: RefCell<HashMap<(usize, String), Option<Resolved>>>,
}

impl Resolver {
    /// The resolver for a file at `file` (or a source without a path), or
    /// `None` when imports are not followed or there is nowhere to look.
    pub fn new(settings: &Settings, file: Option<&Path>) -> Option<Self> {
        if !settings.follow {
            return None;
        }
        let mut roots = Vec::new();
        if let Some(root) = file.and_then(file_root) {
            roots.push(root);
        }
        roots.extend(settings.search_path.iter().filter_map(|p| normalize(p)));
        let mut seen = HashSet::new();
        roots.retain(|r| seen.insert(r.clone()));
        if roots.is_empty() {
            return None;
        }
        Some(Self {
            roots,
            listings: RefCell::default(),
            modules: RefCell::default(),
            star_lookups: RefCell::default(),
        })
    }

    /// Resolves `import` (as bound in the module whose file is `from`)
    /// followed by the attribute path `rest`.
    pub fn resolve_import(
        &self,
        from: Option<&Path>,
        import: &ImportRef,
        rest: &[String],
        depth: u32,
    ) -> Resolved {
        if depth > MAX_DEPTH {
            return Resolved::Unknown;
        }
        if import.level == 0 {
            // `builtins.X` and `typing`'s aliases need no module on disk.
            let mut path = import.module.clone();
            path.extend(import.member.iter().cloned());
            path.extend(rest.iter().cloned());
            if path.first().is_some_and(|m| m == "builtins") || typing_alias(&path).is_some() {
                return self.resolve_absolute(&path, depth + 1);
            }
        }
        let module = self.locate_import(from, import);
        let mut path: Vec<String> = import.member.iter().cloned().collect();
        path.extend(rest.iter().cloned());
        match module {
            Located::Source(m) => {
                if path.is_empty() {
                    Resolved::Module
                } else if from.is_some() && m.file.as_deref() == from {
                    // A package importing from itself (`from torch import
                    // nn` in `torch/__init__.py`, `from . import x` in an
                    // `__init__.py`): the name is the binding being
                    // resolved, so Python's fallback applies, the
                    // submodule.
                    self.own_submodule(&m, &path, depth + 1)
                        .unwrap_or(Resolved::Unknown)
                } else {
                    self.member(&m, &path, depth + 1, None)
                }
            }
            Located::Opaque => {
                let mut full = import.module.clone();
                full.extend(path);
                Resolved::Opaque(full.join("."))
            }
            Located::Missing => Resolved::Unknown,
        }
    }

    /// `path` in the submodule `path[0]` of the package `module`, if it has
    /// one.
    fn own_submodule(
        &self,
        module: &Arc<ModuleSummary>,
        path: &[String],
        depth: u32,
    ) -> Option<Resolved> {
        let (name, rest) = path.split_first()?;
        let dir = module.package_dir.as_ref()?;
        let sub = format!("{}.{name}", module.name);
        match self.locate_in(std::slice::from_ref(dir), name, &sub) {
            Located::Source(m) => Some(self.member(&m, rest, depth + 1, None)),
            Located::Opaque => Some(Resolved::Opaque(sub)),
            Located::Missing => None,
        }
    }

    /// Follows the submodules `tail` of the module `first` (dotted name
    /// `qualname`).
    fn submodules(&self, first: Located, qualname: &str, tail: &[String]) -> Located {
        let mut current = first;
        let mut name = qualname.to_owned();
        for part in tail {
            let Located::Source(m) = current else {
                return current;
            };
            let Some(dir) = &m.package_dir else {
                return Located::Missing;
            };
            name = format!("{name}.{part}");
            current = self.locate_in(std::slice::from_ref(dir), part, &name);
        }
        current
    }

    /// Resolves the name `name` then the attribute path `rest` in `module`,
    /// `name` as bound before byte offset `before` when given.
    pub fn resolve_in_module(
        &self,
        module: &Arc<ModuleSummary>,
        name: &str,
        rest: &[String],
        before: Option<u32>,
    ) -> Resolved {
        let mut path = Vec::with_capacity(rest.len() + 1);
        path.push(name.to_owned());
        path.extend(rest.iter().cloned());
        self.member(module, &path, 0, before)
    }

    fn resolve_absolute(&self, path: &[String], depth: u32) -> Resolved {
        let Some((head, tail)) = path.split_first() else {
            return Resolved::Unknown;
        };
        if head == "builtins" {
            return match tail {
                [name] => Resolved::Builtin(name.clone()),
                _ => Resolved::Unknown,
            };
        }
        if let Some(target) = typing_alias(path) {
            return self.resolve_absolute(&target, depth + 1);
        }
        match self.locate(head) {
            Located::Source(m) => self.member(&m, tail, depth + 1, None),
            Located::Opaque => Resolved::Opaque(path.join(".")),
            Located::Missing => Resolved::Unknown,
        }
    }

    /// Looks `path` up as attributes of `module`; its first name as bound
    /// before byte offset `before` when given.
    fn member(
        &self,
        module: &Arc<ModuleSummary>,
        path: &[String],
        depth: u32,
        before: Option<u32>,
    ) -> Resolved {
        if depth > MAX_DEPTH {
            return Resolved::Unknown;
        }
        let Some((name, rest)) = path.split_first() else {
            return Resolved::Module;
        };
        if module.name == "typing" || module.name == "typing_extensions" {
            let mut full = vec!["typing".to_owned()];
            full.extend(path.iter().cloned());
            if let Some(target) = typing_alias(&full) {
                return self.resolve_absolute(&target, depth + 1);
            }
        }
        match module.binding(name, before) {
            Some((_, Binding::Class(index))) if *index < module.classes.len() => {
                if rest.is_empty() {
                    Resolved::Class(ExtClass {
                        module: Arc::clone(module),
                        index: *index,
                    })
                } else {
                    // Nested classes are not followed.
                    Resolved::Unknown
                }
            }
            Some((_, Binding::Import(import))) => {
                self.resolve_import(module.file.as_deref(), import, rest, depth + 1)
            }
            Some((at, Binding::Alias(parts))) => {
                let mut full = parts.clone();
                full.extend(rest.iter().cloned());
                // `Base = Base` and the like: the alias's value is bound
                // before the alias.
                self.member(module, &full, depth + 1, Some(at))
            }
            Some((_, Binding::Class(_) | Binding::Other)) => Resolved::Unknown,
            None => {
                if let Some(found) = self.through_stars(module, name, before, depth) {
                    return match found {
                        Resolved::Class(_) | Resolved::Opaque(_) if !rest.is_empty() => {
                            Resolved::Unknown
                        }
                        Resolved::Module => Resolved::Unknown,
                        other => other,
                    };
                }
                // A submodule of a package.
                if let Some(dir) = &module.package_dir {
                    let sub = format!("{}.{name}", module.name);
                    match self.locate_in(std::slice::from_ref(dir), name, &sub) {
                        Located::Source(m) => return self.member(&m, rest, depth + 1, None),
                        Located::Opaque => return Resolved::Opaque(sub),
                        Located::Missing => {}
                    }
                }
                if rest.is_empty() {
                    Resolved::Builtin(name.clone())
                } else {
                    Resolved::Unknown
                }
            }
        }
    }

    /// `name` as one of `module`'s star imports provides it (the last one
    /// that does), remembered per module; `None` when none does.
    fn through_stars(
        &self,
        module: &Arc<ModuleSummary>,
        name: &str,
        before: Option<u32>,
        depth: u32,
    ) -> Option<Resolved> {
        if module.star.is_empty() {
            return None;
        }
        let key = (Arc::as_ptr(module) as usize, name.to_owned());
        if before.is_none() {
            if let Some(known) = self.star_lookups.borrow().get(&key) {
                return known.clone();
            }
            self.star_lookups.borrow_mut().insert(key.clone(), None);
        }
        let mut found = None;
        for star in module.stars_before(before) {
            if depth > MAX_DEPTH {
                break;
            }
            let m = match self.locate_import(module.file.as_deref(), star) {
                Located::Source(m) => m,
                Located::Opaque => {
                    found = Some(Resolved::Opaque(format!(
                        "{}.{name}",
                        star.module.join(".")
                    )));
                    break;
                }
                Located::Missing => continue,
            };
            if !m.exports(name) {
                continue;
            }
            let r = self.member(&m, &[name.to_owned()], depth + 1, None);
            if !matches!(r, Resolved::Unknown | Resolved::Builtin(_)) {
                found = Some(r);
                break;
            }
        }
        if before.is_none() {
            self.star_lookups.borrow_mut().insert(key, found.clone());
        }
        found
    }

    /// The module an import names (`from m import x` names `m`): its
    /// dotted parts are modules, submodules of packages, not attributes.
    fn locate_import(&self, from: Option<&Path>, import: &ImportRef) -> Located {
        if import.level == 0 {
            let Some((head, tail)) = import.module.split_first() else {
                return Located::Missing;
            };
            return self.submodules(self.locate(head), head, tail);
        }
        // `from . import x` in `a/b/c.py` looks in `a/b`; each further dot
        // goes one package up (never above the top package).
        let Some(mut dir) = from.and_then(Path::parent).map(Path::to_path_buf) else {
            return Located::Missing;
        };
        for _ in 1..import.level {
            // Each dot past the first needs a parent package.
            if !self.is_package(&dir) {
                return Located::Missing;
            }
            match dir.parent() {
                Some(p) if self.is_package(p) => dir = p.to_path_buf(),
                _ => return Located::Missing,
            }
        }
        match import.module.split_first() {
            None => Located::Source(self.package_at(&dir)),
            Some((head, tail)) => {
                let qualname = self.module_name_of(&dir, head);
                let first = self.locate_in(std::slice::from_ref(&dir), head, &qualname);
                self.submodules(first, &qualname, tail)
            }
        }
    }

    /// The package whose directory is `dir` (empty when it has no
    /// `__init__.py`: a namespace package).
    fn package_at(&self, dir: &Path) -> Arc<ModuleSummary> {
        let name = self.module_name_of(dir, "");
        if self.is_package(dir) {
            let init = dir.join("__init__.py");
            if let Some(m) = self.load(&init, name.clone(), Some(dir.to_path_buf())) {
                return m;
            }
        }
        Arc::new(ModuleSummary {
            name,
            package_dir: Some(dir.to_path_buf()),
            ..ModuleSummary::default()
        })
    }

    /// Finds the top-level module `name`.
    fn locate(&self, name: &str) -> Located {
        if BUILTIN_MODULES.contains(&name) {
            return Located::Opaque;
        }
        self.locate_in(&self.roots, name, name)
    }

    /// Finds module `name` (dotted name `qualname`) in `dirs`, in CPython's
    /// per-directory order: package, extension module, source; namespace
    /// packages only when no directory has anything else.
    fn locate_in(&self, dirs: &[PathBuf], name: &str, qualname: &str) -> Located {
        let mut namespace = None;
        for dir in dirs {
            let Some(listing) = self.listing(dir) else {
                continue;
            };
            if listing.dirs.contains(name) {
                let pkg = dir.join(name);
                if self.is_package(&pkg) {
                    let init = pkg.join("__init__.py");
                    return match self.load(&init, qualname.to_owned(), Some(pkg)) {
                        Some(m) => Located::Source(m),
                        None => Located::Missing,
                    };
                }
                namespace.get_or_insert(pkg);
            }
            if listing.extensions.contains(name) {
                // An extension module comes before a source file of the
                // same name, and is not followed.
                return Located::Missing;
            }
            if listing.sources.contains(name) {
                let file = dir.join(format!("{name}.py"));
                return match self.load(&file, qualname.to_owned(), None) {
                    Some(m) => Located::Source(m),
                    None => Located::Missing,
                };
            }
        }
        match namespace {
            Some(pkg) => Located::Source(Arc::new(ModuleSummary {
                name: qualname.to_owned(),
                package_dir: Some(pkg),
                ..ModuleSummary::default()
            })),
            None => Located::Missing,
        }
    }
}

/// `path` made absolute and free of `.` and `..` components (lexically:
/// symbolic links are not resolved).
fn normalize(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let abs = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// The first directory above `file` without an `__init__.py`.
fn file_root(file: &Path) -> Option<PathBuf> {
    let mut dir = normalize(file)?.parent()?.to_path_buf();
    let mut guard = 0;
    while dir.join("__init__.py").is_file() && guard < 64 {
        dir = dir.parent()?.to_path_buf();
        guard += 1;
    }
    Some(dir)
}

impl Resolver {
    /// Whether `dir` holds an `__init__.py`.
    fn is_package(&self, dir: &Path) -> bool {
        self.listing(dir)
            .is_some_and(|l| l.sources.contains("__init__"))
    }

    /// The listing of `dir` (once per resolver).
    fn listing(&self, dir: &Path) -> Option<Arc<Listing>> {
        if let Some(l) = self.listings.borrow().get(dir) {
            return l.clone();
        }
        let l = listing(dir);
        self.listings
            .borrow_mut()
            .insert(dir.to_path_buf(), l.clone());
        l
    }

    /// The module at `file` (once per resolver).
    fn load(
        &self,
        file: &Path,
        name: String,
        package_dir: Option<PathBuf>,
    ) -> Option<Arc<ModuleSummary>> {
        let key = (file.to_path_buf(), name);
        if let Some(m) = self.modules.borrow().get(&key) {
            return m.clone();
        }
        let m = load(file, key.1.clone(), package_dir);
        self.modules.borrow_mut().insert(key, m.clone());
        m
    }

    /// The dotted name of module `name` in `dir`, from the packages above
    /// it.
    fn module_name_of(&self, dir: &Path, name: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !name.is_empty() {
            parts.push(name.to_owned());
        }
        let mut d = dir.to_path_buf();
        let mut guard = 0;
        while self.is_package(&d) && guard < 64 {
            match d.file_name() {
                Some(n) => parts.push(n.to_string_lossy().into_owned()),
                None => break,
            }
            match d.parent() {
                Some(p) => d = p.to_path_buf(),
                None => break,
            }
            guard += 1;
        }
        parts.reverse();
        parts.join(".")
    }
}

/// `typing`'s generic aliases, which astroid infers as the class they
/// alias, and the special forms it infers as classes with a builtin base.
fn typing_alias(path: &[String]) -> Option<Vec<String>> {
    let [module, name] = path else {
        return None;
    };
    if module != "typing" && module != "typing_extensions" {
        return None;
    }
    let target: &[&str] = match name.as_str() {
        "List" => &["builtins", "list"],
        "Dict" => &["builtins", "dict"],
        "Set" => &["builtins", "set"],
        "FrozenSet" => &["builtins", "frozenset"],
        "Tuple" | "NamedTuple" => &["builtins", "tuple"],
        "TypedDict" => &["builtins", "dict"],
        "Type" => &["builtins", "type"],
        "Deque" => &["collections", "deque"],
        "DefaultDict" => &["collections", "defaultdict"],
        "OrderedDict" => &["collections", "OrderedDict"],
        "Counter" => &["collections", "Counter"],
        "ChainMap" => &["collections", "ChainMap"],
        "ContextManager" => &["contextlib", "AbstractContextManager"],
        "AsyncContextManager" => &["contextlib", "AbstractAsyncContextManager"],
        "Pattern" => &["re", "Pattern"],
        "Match" => &["re", "Match"],
        "AbstractSet" => &["collections", "abc", "Set"],
        "Awaitable" | "Coroutine" | "AsyncIterable" | "AsyncIterator" | "AsyncGenerator"
        | "Iterable" | "Iterator" | "Generator" | "Reversible" | "Sized" | "Container"
        | "Collection" | "Callable" | "MutableSet" | "Mapping" | "MutableMapping" | "Sequence"
        | "MutableSequence" | "ByteString" | "MappingView" | "KeysView" | "ItemsView"
        | "ValuesView" | "Hashable" => {
            return Some(vec![
                "collections".to_owned(),
                "abc".to_owned(),
                name.clone(),
            ])
        }
        _ => return None,
    };
    Some(target.iter().map(|s| (*s).to_owned()).collect())
}

/// A directory's entries as module names.
#[derive(Debug, Default)]
struct Listing {
    /// Subdirectories.
    dirs: HashSet<String>,
    /// `name.py` files, by `name`.
    sources: HashSet<String>,
    /// Extension modules (`name.so`, `name.cpython-311-x86_64-linux-gnu.so`,
    /// `name.abi3.so`, `name.pyd`), by `name`.
    extensions: HashSet<String>,
}

struct CachedModule {
    len: u64,
    modified: Option<SystemTime>,
    /// `None`: the file could not be read.
    module: Option<Arc<ModuleSummary>>,
}

#[derive(Default)]
struct Cache {
    listings: HashMap<PathBuf, (Option<SystemTime>, Arc<Listing>)>,
    modules: HashMap<ModuleKey, CachedModule>,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Cache::default()))
}

fn modified(meta: &std::fs::Metadata) -> Option<SystemTime> {
    meta.modified().ok()
}

/// The listing of `dir`, cached until the directory changes.
fn listing(dir: &Path) -> Option<Arc<Listing>> {
    let meta = std::fs::metadata(dir).ok()?;
    if !meta.is_dir() {
        return None;
    }
    let stamp = modified(&meta);
    if let Ok(c) = cache().lock() {
        if let Some((s, l)) = c.listings.get(dir) {
            if *s == stamp {
                return Some(Arc::clone(l));
            }
        }
    }
    let mut l = Listing::default();
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Symbolic links are followed, as the import system follows them.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let (is_dir, is_file) = if kind.is_symlink() {
            std::fs::metadata(entry.path()).map_or((false, false), |m| (m.is_dir(), m.is_file()))
        } else {
            (kind.is_dir(), kind.is_file())
        };
        if !is_dir && !is_file {
            continue;
        }
        if is_dir {
            if is_identifier(name) {
                l.dirs.insert(name.to_owned());
            }
        } else if let Some(stem) = name.strip_suffix(".py") {
            l.sources.insert(stem.to_owned());
        } else if let Some(stem) = name
            .strip_suffix(".so")
            .or_else(|| name.strip_suffix(".pyd"))
        {
            let module = stem.split('.').next().unwrap_or(stem);
            l.extensions.insert(module.to_owned());
        }
    }
    let l = Arc::new(l);
    if let Ok(mut c) = cache().lock() {
        if c.listings.len() >= MAX_CACHED_MODULES {
            c.listings.clear();
        }
        c.listings
            .insert(dir.to_path_buf(), (stamp, Arc::clone(&l)));
    }
    Some(l)
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c == '_' || c.is_alphanumeric())
}

/// Source files larger than this are not read (the standard library's
/// largest is under 1 MB).
const MAX_MODULE_BYTES: u64 = 8 << 20;

/// Reads and summarises the module at `file` (dotted name `name`), cached
/// until the file's size or modification time changes. Only regular files
/// are read, and a module that nests deeper than the checked file may is
/// treated as unreadable.
fn load(file: &Path, name: String, package_dir: Option<PathBuf>) -> Option<Arc<ModuleSummary>> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_MODULE_BYTES {
        return None;
    }
    let (len, stamp) = (meta.len(), modified(&meta));
    let key = (file.to_path_buf(), name);
    if let Ok(c) = cache().lock() {
        if let Some(m) = c.modules.get(&key) {
            if m.len == len && m.modified == stamp {
                return m.module.clone();
            }
        }
    }
    let dotted = key.1.clone();
    let module = crate::read_python_source(file).ok().and_then(|source| {
        let parsed = crate::parse::parse(&source);
        // The tree is summarised and dropped on a stack sized for it.
        crate::parse::with_stack_for(parsed.depth_bound, move || {
            let suite = parsed.suite.as_deref()?;
            if crate::parse::nesting_depth(suite, crate::parse::MAX_AST_DEPTH)
                > crate::parse::MAX_AST_DEPTH
            {
                return None;
            }
            let mut summary = ModuleSummary::of_suite(suite);
            summary.name = dotted;
            summary.file = Some(file.to_path_buf());
            summary.package_dir = package_dir;
            Some(Arc::new(summary))
        })
    });
    if let Ok(mut c) = cache().lock() {
        if c.modules.len() >= MAX_CACHED_MODULES {
            c.modules.clear();
            c.listings.clear();
        }
        c.modules.insert(
            key,
            CachedModule {
                len,
                modified: stamp,
                module: module.clone(),
            },
        );
    }
    module
}
