//! The dynamic-code guard: code that can run code the analyzer never saw
//! earns no quality.
//!
//! The quality reward scores the text of the answer. A program that builds
//! its real logic at run time (a base64 string handed to
//! `getattr(builtins, "ex" + "ec")`, a module written to disk and imported,
//! a code object rebuilt through `__code__`) passes its tests with the
//! hidden logic while the analyzer scores a clean facade. So the pipeline
//! sets quality to 0 for code that uses any way of running unseen code
//! (`RewardConfig::dynamic_code_guard`, on by default), and the
//! explanation lists each use (`Explanation::dynamic_code`).
//!
//! The check is static, on the syntax tree, scope-insensitive, and errs on
//! the side of flagging: an honest solution to a training problem has no
//! reason to touch any of this. The rules (each reports its line):
//!
//! 1. A reference to `exec`, `eval`, `__import__` or `breakpoint`, and to
//!    `compile` unless an import binds that name (`from re import
//!    compile`); a reference, not only a call, so `run = eval` counts.
//! 2. Any use of `__builtins__`, `__loader__` or `__spec__`, and an import
//!    of (or from) a module whose purpose is running or loading code:
//!    [`CODE_RUNNING_MODULES`] (`builtins`, `importlib`, `marshal`, `ctypes`,
//!    `runpy`, `subprocess`, `code`, `timeit`, `doctest`, `pydoc`, ...).
//! 3. A use of one of [`CODE_RUNNING_NAMES`] through an import
//!    (`types.CodeType`, `types.FunctionType`, `pickle.loads`,
//!    `os.system`, `os.popen`, `os.exec*`, `os.spawn*`, `sys.modules`,
//!    `sys._getframe`, `gc.get_objects`, ...), however it is imported.
//! 4. `getattr`, `setattr`, `delattr`, `__getattribute__`,
//!    `operator.attrgetter` or `operator.methodcaller` with an attribute
//!    name that is not a string literal, or a literal that names one of the
//!    attributes of rule 5. The dispatch idiom is allowed: a computed name
//!    whose literal prefix ends in `_` and does not start with one
//!    (`getattr(self, "visit_" + kind)`, `f"on_{verb}"`).
//! 5. An attribute that climbs to code, frames or the builtins:
//!    [`CODE_CLIMBING_ATTRIBUTES`] (`__code__`, `__globals__`,
//!    `__subclasses__`, `__builtins__`, `__self__`, `f_globals`, and the
//!    names that reach the builtins or a module table through another
//!    module: `builtins`, `sys`, `modules`, `exec`, `eval`, `load_module`,
//!    `pickle`'s private `_loads`, ...), and `__dict__` of an imported name
//!    (a module's namespace).
//! 6. `globals()`, `locals()` or `vars()` used other than to read one entry
//!    (`globals()["x"]`, `"x" in globals()`, `.get`): written to
//!    (`globals()[k] = v`, `.update(...)`), kept in a variable or passed
//!    on; and `vars(m)` of an imported name or of `type`/`object`.
//! 7. A file opened for writing (`open(p, "w")`, `open(p, **kw)`,
//!    `Path(p).open("w")`, `write_text`, `os.open`,
//!    ...) in a program that also imports a module outside the standard
//!    library ([`STDLIB_MODULES`]) or a relative one: the module may be the
//!    file just written.
//!
//! An `if __name__ == "__main__":` block is skipped (its `else` is not):
//! the sandbox runs the answer as `__candidate__`, so it never runs, and
//! answers often end with a doctest or timeit block there. Changing
//! `sys.path` counts under rule 3 (`sys.path`), which with a written file
//! is how a module the analyzer never saw gets imported.
//!
//! This is a static denylist, so it is an arms race: a second red-team
//! round found twelve routes around the first version (all closed above).
//! The stronger design is a run-time audit hook in the sandbox that
//! reports `compile`/`exec` events from the candidate's own frames; see
//! `docs/rewards.md`.
//!
//! Known limits: the check cannot see through a name bound in one scope and
//! used in another (`def f(compile): ...` hides nothing, but a local
//! `from re import compile` also clears a module-level `compile(...)`), and
//! it does not follow values (an object whose `__reduce__` is called by a
//! third-party library it imports). Process spawns are flagged whatever
//! they run, since the spawned program is never analysed.

use std::collections::HashSet;

use codequal_analyzer::parse::ast::{self, Constant, Expr, ExprContext, Ranged, Stmt};
use codequal_analyzer::parse::{parse, with_stack_for, LineIndex, ParsedSource};

use crate::syntax_walk::{is_main_guard, walk_suite, Node};

/// Builtins that run or compile source text (rule 1). `compile` is handled
/// apart: `from re import compile` is ordinary.
pub const CODE_RUNNING_BUILTINS: &[&str] = &["exec", "eval", "__import__", "breakpoint"];

/// Names that reach the interpreter's own namespaces whatever their context
/// (rule 2).
pub const INTERPRETER_NAMES: &[&str] = &["__builtins__", "__loader__", "__spec__"];

/// Modules whose import alone is a way of running or loading unseen code
/// (rule 2): an import of the module or of anything inside it.
pub const CODE_RUNNING_MODULES: &[&str] = &[
    "__builtin__",
    "_ctypes",
    "_pickle",
    "_posixsubprocess",
    "bdb",
    "builtins",
    "cffi",
    "cloudpickle",
    "code",
    "codeop",
    "cPickle",
    "cProfile",
    "ctypes",
    "dill",
    "doctest",
    "imp",
    "importlib",
    "marshal",
    "nt",
    "pdb",
    "pkgutil",
    "posix",
    "profile",
    "pty",
    "pydoc",
    "runpy",
    "shelve",
    "subprocess",
    "timeit",
    "trace",
    "zipimport",
];

/// Qualified names, or prefixes of them ending in `*`, that run unseen code
/// or reach objects that can (rule 3).
pub const CODE_RUNNING_NAMES: &[&str] = &[
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "gc.get_objects",
    "gc.get_referents",
    "gc.get_referrers",
    "inspect.currentframe",
    "inspect.stack",
    "inspect.trace",
    "os.exec*",
    "os.popen",
    "os.posix_spawn*",
    "os.spawn*",
    "os.system",
    "io.FileIO",
    "pickle.Unpickler",
    "pickle._*",
    "pickle.load",
    "pickle.loads",
    "platform.popen",
    "sys._getframe",
    "sys.meta_path",
    "sys.modules",
    "sys.path",
    "sys.path_hooks",
    "types.CodeType",
    "types.FunctionType",
    "types.LambdaType",
];

/// Attributes that climb from an ordinary object to code objects, frames,
/// module namespaces or the builtins (rule 5).
pub const CODE_CLIMBING_ATTRIBUTES: &[&str] = &[
    "_Unpickler",
    "_load",
    "_loads",
    "__builtins__",
    "__closure__",
    "__code__",
    "__getattribute__",
    "__globals__",
    "__import__",
    "__loader__",
    "__self__",
    "__spec__",
    "__subclasses__",
    "ag_frame",
    // A module reached as another module's attribute (`inspect.builtins`,
    // `os.sys`) or the builtins' own functions (`builtins_module.exec`).
    "builtins",
    "co_code",
    "cr_frame",
    "eval",
    "exec",
    "exec_module",
    "f_builtins",
    "f_code",
    "f_globals",
    "f_locals",
    "find_class",
    "gi_code",
    "gi_frame",
    "load_module",
    "modules",
    "sys",
    "tb_frame",
];

/// Top-level modules of CPython 3.11's standard library
/// (`sys.stdlib_module_names` without the private ones), for rule 7.
pub const STDLIB_MODULES: &[&str] = &[
    "__future__",
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// One way the code can run code the analyzer did not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicCodeUse {
    /// 1-based line.
    pub line: u32,
    /// What was found, in words.
    pub what: String,
}

impl std::fmt::Display for DynamicCodeUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

/// Every use in `code` of a way to run code the analyzer did not see, in
/// source order. Code that does not parse has none (it earns no quality
/// anyway).
///
/// ```
/// use codequal_reward::dynamic_code::find_dynamic_code;
///
/// let hidden = "import builtins\ngetattr(builtins, 'ex' + 'ec')('print(1)')\n";
/// assert!(!find_dynamic_code(hidden).is_empty());
/// assert!(find_dynamic_code("import re\nPATTERN = re.compile('a+')\n").is_empty());
/// ```
pub fn find_dynamic_code(code: &str) -> Vec<DynamicCodeUse> {
    let parsed = parse(code);
    with_stack_for(parsed.depth_bound, || find_dynamic_code_in(&parsed))
}

/// [`find_dynamic_code`] on a parse the caller already has (the pipeline
/// runs it on the analyzer's parse through
/// [`codequal_analyzer::analyze_source_and`]). The walk is recursive: call
/// it with the stack [`with_stack_for`] sizes for `parsed.depth_bound`.
pub fn find_dynamic_code_in(parsed: &ParsedSource<'_>) -> Vec<DynamicCodeUse> {
    let Some(suite) = parsed.suite.as_deref() else {
        return Vec::new();
    };
    // `if __name__ == "__main__":` never runs in the sandbox (the module
    // runs as `__candidate__`), so what it does hides nothing; its `else`
    // does run. Answers often end with a doctest or timeit block there.
    let runs: Vec<Stmt>;
    let suite = if suite.iter().any(is_main_guard) {
        runs = suite
            .iter()
            .flat_map(|s| match s {
                Stmt::If(i) if is_main_guard(s) => i.orelse.clone(),
                other => vec![other.clone()],
            })
            .collect();
        &runs[..]
    } else {
        suite
    };
    let mut checker = Checker::new(&parsed.lines, suite);
    walk_suite(suite, &mut |n| checker.visit(n));
    checker.finish()
}

/// A qualified name matches a table entry exactly, as a prefix of a dotted
/// name (`importlib` covers `importlib.util.spec_from_file_location`) or,
/// for entries ending in `*`, as a string prefix (`os.exec*`).
fn matches_table(qualified: &str, table: &[&str]) -> bool {
    table.iter().any(|entry| match entry.strip_suffix('*') {
        Some(prefix) => qualified.starts_with(prefix),
        None => qualified
            .strip_prefix(entry)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.')),
    })
}

fn literal_str(e: &Expr) -> Option<&str> {
    match e {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// A computed attribute name with a literal prefix that ends in `_` and
/// does not start with one (`"on_" + verb`, `f"visit_{kind}"`): the
/// dispatch idiom, which can only reach attributes named like that.
fn is_dispatch_name(e: &Expr) -> bool {
    let prefix = match e {
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => literal_str(&b.left),
        Expr::JoinedStr(j) => j.values.first().and_then(literal_str),
        _ => None,
    };
    prefix.is_some_and(|p| {
        p.len() >= 2
            && p.ends_with('_')
            && !p.starts_with('_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Whether an `open`-like call opens for writing: its mode (positional
/// argument `mode_at`, or `mode=`) is computed or holds `w`, `a`, `x` or
/// `+`, or its keywords are spread (`**kw` can carry any mode).
fn opens_for_writing(c: &ast::ExprCall, mode_at: usize) -> bool {
    if c.keywords.iter().any(|k| k.arg.is_none()) {
        return true;
    }
    let mode = c
        .args
        .get(mode_at)
        .or_else(|| {
            c.keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "mode"))
                .map(|k| &k.value)
        })
        .map(literal_str);
    match mode {
        None => false,
        Some(None) => true,
        Some(Some(m)) => m.contains(['w', 'a', 'x', '+']),
    }
}

/// Whether `e` is a call of the builtin `globals`, `locals` or `vars`.
fn namespace_call(e: &Expr) -> Option<&ast::ExprCall> {
    match e {
        Expr::Call(c) => match &*c.func {
            Expr::Name(n) if matches!(n.id.as_str(), "globals" | "locals" | "vars") => Some(c),
            _ => None,
        },
        _ => None,
    }
}

struct Checker<'a> {
    lines: &'a LineIndex,
    /// Local name -> what it was imported as (`np` -> `numpy`,
    /// `system` -> `os.system`).
    imports: std::collections::HashMap<String, String>,
    /// Start offsets of `globals()` / `locals()` / `vars()` calls whose
    /// parent only reads one entry.
    namespace_reads: HashSet<u32>,
    found: Vec<DynamicCodeUse>,
    file_written: Option<u32>,
    non_stdlib_import: Option<(u32, String)>,
}

impl<'a> Checker<'a> {
    fn new(lines: &'a LineIndex, suite: &'a [Stmt]) -> Self {
        let mut imports = std::collections::HashMap::new();
        walk_suite(suite, &mut |n| {
            let Node::Stmt(s) = n else { return };
            match s {
                Stmt::Import(i) => {
                    for a in &i.names {
                        let full = a.name.as_str();
                        match &a.asname {
                            Some(as_) => imports.insert(as_.to_string(), full.to_owned()),
                            // `import a.b` binds `a`.
                            None => {
                                let top = full.split('.').next().unwrap_or(full);
                                imports.insert(top.to_owned(), top.to_owned())
                            }
                        };
                    }
                }
                Stmt::ImportFrom(i) => {
                    let module = i.module.as_ref().map_or("", |m| m.as_str());
                    for a in &i.names {
                        let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        imports.insert(local, format!("{module}.{}", a.name));
                    }
                }
                _ => {}
            }
        });
        Self {
            lines,
            imports,
            namespace_reads: HashSet::new(),
            found: Vec::new(),
            file_written: None,
            non_stdlib_import: None,
        }
    }

    fn report(&mut self, node: &impl Ranged, what: String) {
        let line = self.lines.line(node.start());
        self.found.push(DynamicCodeUse { line, what });
    }

    /// The dotted name an expression stands for, through the imports:
    /// `np.linalg` -> `numpy.linalg`. `None` for anything but names and
    /// attribute chains on names; a name that was not imported stands for
    /// itself (a builtin or a local).
    fn qualified(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Name(n) => Some(
                self.imports
                    .get(n.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| n.id.to_string()),
            ),
            Expr::Attribute(a) => Some(format!("{}.{}", self.qualified(&a.value)?, a.attr)),
            _ => None,
        }
    }

    /// Whether `e` is an imported name or an attribute chain on one.
    fn is_imported(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(n) => self.imports.contains_key(n.id.as_str()),
            Expr::Attribute(a) => self.is_imported(&a.value),
            _ => false,
        }
    }

    fn visit(&mut self, node: Node<'_>) {
        match node {
            Node::Stmt(s) => self.stmt(s),
            Node::Expr(e) => self.expr(e),
        }
    }

    fn check_module(&mut self, node: &impl Ranged, module: &str) {
        if matches_table(module, CODE_RUNNING_MODULES) {
            self.report(
                node,
                format!("imports `{module}`, which runs or loads code"),
            );
        } else if matches_table(module, CODE_RUNNING_NAMES) {
            self.report(
                node,
                format!("imports `{module}`, which runs or reaches code"),
            );
        }
    }

    fn note_import(&mut self, node: &impl Ranged, module: &str, relative: bool) {
        let top = module.split('.').next().unwrap_or(module);
        if (relative || !STDLIB_MODULES.contains(&top)) && self.non_stdlib_import.is_none() {
            let line = self.lines.line(node.start());
            let shown = if relative {
                format!(".{module}")
            } else {
                module.to_owned()
            };
            self.non_stdlib_import = Some((line, shown));
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Import(i) => {
                for a in &i.names {
                    self.check_module(a, a.name.as_str());
                    self.note_import(a, a.name.as_str(), false);
                }
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map_or("", |m| m.as_str());
                let relative = i.level.is_some_and(|l| l.to_u32() > 0);
                if !relative {
                    self.check_module(s, module);
                    for a in &i.names {
                        let full = format!("{module}.{}", a.name);
                        if matches_table(&full, CODE_RUNNING_NAMES) {
                            self.report(a, format!("imports `{full}`, which runs or reaches code"));
                        }
                    }
                }
                self.note_import(s, module, relative);
            }
            Stmt::Assign(a) if namespace_call(&a.value).is_some() => {
                self.report(
                    &*a.value,
                    "keeps the module namespace in a variable".to_owned(),
                );
                // Reported once, here, not again as an unexplained use.
                self.namespace_reads.insert(a.value.start().to_u32());
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Name(n) => {
                let id = n.id.as_str();
                if CODE_RUNNING_BUILTINS.contains(&id) && !self.imports.contains_key(id) {
                    self.report(e, format!("uses `{id}`, which runs source text"));
                } else if id == "compile" && !self.imports.contains_key(id) {
                    self.report(e, "uses the builtin `compile`".to_owned());
                } else if INTERPRETER_NAMES.contains(&id) {
                    self.report(e, format!("uses `{id}`"));
                }
            }
            Expr::Attribute(a) => {
                let attr = a.attr.as_str();
                if CODE_CLIMBING_ATTRIBUTES.contains(&attr) {
                    self.report(
                        e,
                        format!("reads `.{attr}`, which climbs to code or frames"),
                    );
                } else if attr == "__dict__" && self.is_imported(&a.value) {
                    self.report(e, "reads an imported module's `__dict__`".to_owned());
                } else if self.is_imported(&a.value) {
                    if let Some(q) = self.qualified(e) {
                        if matches_table(&q, CODE_RUNNING_NAMES) {
                            self.report(e, format!("uses `{q}`, which runs or reaches code"));
                        }
                    }
                }
                if namespace_call(&a.value).is_some()
                    && matches!(attr, "get" | "keys" | "items" | "values" | "__contains__")
                {
                    self.namespace_reads.insert(a.value.start().to_u32());
                }
            }
            Expr::Subscript(s)
                if s.ctx == ExprContext::Load && namespace_call(&s.value).is_some() =>
            {
                self.namespace_reads.insert(s.value.start().to_u32());
            }
            Expr::Compare(c) => {
                for (op, right) in c.ops.iter().zip(&c.comparators) {
                    if matches!(op, ast::CmpOp::In | ast::CmpOp::NotIn)
                        && namespace_call(right).is_some()
                    {
                        self.namespace_reads.insert(right.start().to_u32());
                    }
                }
            }
            Expr::Call(c) => self.call(e, c),
            _ => {}
        }
    }

    fn call(&mut self, e: &Expr, c: &ast::ExprCall) {
        let func = self.qualified(&c.func);
        let name = func.as_deref().unwrap_or("");
        let attribute_name = |index: usize| c.args.get(index).map(literal_str);
        match name {
            "getattr" | "setattr" | "delattr" => {
                // `getattr(self, "visit_" + kind)`: dispatch on a name with
                // a fixed, ordinary prefix reaches no dunder and no builtin.
                let dispatch = c.args.get(1).is_some_and(is_dispatch_name);
                if !dispatch {
                    self.attribute_name_check(e, name, attribute_name(1));
                }
            }
            "operator.attrgetter" | "operator.methodcaller" => {
                let all_literal = c.args.iter().all(|a| literal_str(a).is_some());
                if name == "operator.methodcaller" {
                    self.attribute_name_check(e, name, attribute_name(0));
                } else if !all_literal {
                    self.report(e, format!("calls `{name}` with a computed attribute name"));
                } else {
                    for a in &c.args {
                        self.attribute_name_check(e, name, Some(literal_str(a)));
                    }
                }
            }
            "globals" | "locals" | "vars" => {
                if let Some(arg) = c.args.first() {
                    // `vars(obj)` of an ordinary object is its attributes;
                    // of a module, the module's namespace.
                    let builtin_class =
                        matches!(arg, Expr::Name(n) if matches!(n.id.as_str(), "type" | "object"));
                    if builtin_class {
                        self.report(
                            e,
                            "reads a builtin class's namespace with `vars`".to_owned(),
                        );
                    } else if self.is_imported(arg) {
                        self.report(
                            e,
                            "reads an imported module's namespace with `vars`".to_owned(),
                        );
                    }
                } else if !self.namespace_reads.contains(&e.start().to_u32()) {
                    self.report(e, format!("uses `{name}()` to reach the namespace"));
                }
            }
            "open" | "io.open" | "codecs.open" if opens_for_writing(c, 1) => {
                self.note_write(e);
            }
            "os.open" | "shutil.copy" | "shutil.copyfile" | "shutil.copy2" | "shutil.move" => {
                self.note_write(e);
            }
            _ => {}
        }
        if let Expr::Attribute(a) = &*c.func {
            match a.attr.as_str() {
                "__getattribute__" | "__getattr__" | "__setattr__" | "__delattr__"
                    if c.args.last().and_then(literal_str).is_none() =>
                {
                    self.report(e, format!("calls `{}` with a computed name", a.attr));
                }
                "write_text" | "write_bytes" => self.note_write(e),
                // `Path(p).open("w")`, `zipfile.open(..., mode="w")`; a
                // module's `open` (`io.open(p)`) is judged by its name above.
                "open" if !self.is_imported(&a.value) && opens_for_writing(c, 0) => {
                    self.note_write(e);
                }
                _ => {}
            }
        }
    }

    fn attribute_name_check(&mut self, e: &Expr, func: &str, name: Option<Option<&str>>) {
        match name {
            // Too few arguments: the call fails, nothing is reached.
            None => {}
            Some(None) => {
                self.report(e, format!("calls `{func}` with a computed attribute name"));
            }
            Some(Some(n))
                if CODE_CLIMBING_ATTRIBUTES.contains(&n)
                    || CODE_RUNNING_BUILTINS.contains(&n)
                    || n == "__dict__"
                    || n == "compile" =>
            {
                self.report(e, format!("calls `{func}` for `{n}`"));
            }
            Some(Some(_)) => {}
        }
    }

    fn note_write(&mut self, e: &Expr) {
        if self.file_written.is_none() {
            self.file_written = Some(self.lines.line(e.start()));
        }
    }

    fn finish(mut self) -> Vec<DynamicCodeUse> {
        if let (Some(write_line), Some((line, module))) =
            (self.file_written, self.non_stdlib_import.take())
        {
            self.found.push(DynamicCodeUse {
                line,
                what: format!(
                    "imports `{module}`, which is not in the standard library, and writes a file (line {write_line}): it may import the file it wrote"
                ),
            });
        }
        self.found.sort_by_key(|u| u.line);
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(code: &str) -> bool {
        !find_dynamic_code(code).is_empty()
    }

    #[test]
    fn dispatch_on_a_prefixed_name_is_not_hiding_code() {
        assert!(find_dynamic_code(
            "def run(h, verb, arg):\n    return getattr(h, 'on_' + verb)(arg)\n"
        )
        .is_empty());
        assert!(
            find_dynamic_code("def run(h, verb):\n    return getattr(h, f'visit_{verb}')()\n")
                .is_empty()
        );
        for hidden in [
            "def run(h, verb):\n    return getattr(h, 'ex' + verb)\n",
            "def run(h, verb):\n    return getattr(h, '__' + verb)\n",
            "def run(h, verb):\n    return getattr(h, verb)\n",
            "import inspect\ninspect.builtins.exec('x = 1')\n",
            "import os\nos.sys.modules['builtins'].exec('x = 1')\n",
            "import sys\nsys.path.insert(0, '.')\n",
            "import pickle\npickle._loads(b'')\n",
            "f = vars(type)['__subc' + 'lasses__']\n",
            "from pathlib import Path\nwith Path('m.py').open('w') as f:\n    f.write('')\nimport m\n",
        ] {
            assert!(!find_dynamic_code(hidden).is_empty(), "{hidden}");
        }
    }

    #[test]
    fn a_module_open_for_reading_is_not_a_write() {
        let reads = "import io\nimport numpy as np\n\n\ndef load(p):\n    with io.open(p, encoding='utf-8') as fh:\n        return np.array(fh.read().split())\n";
        assert!(find_dynamic_code(reads).is_empty());
        let writes = "import io\nimport numpy as np\n\n\ndef save(p):\n    with io.open(p, 'w') as fh:\n        fh.write(str(np.zeros(1)))\n";
        assert!(!find_dynamic_code(writes).is_empty());
    }

    #[test]
    fn a_main_guard_never_runs_in_the_sandbox_but_its_else_does() {
        let guarded = "def f(x):\n    return x\n\n\nif __name__ == \"__main__\":\n    import doctest\n    doctest.testmod()\n";
        assert!(find_dynamic_code(guarded).is_empty());
        let reversed = "if '__main__' == __name__:\n    exec('print(1)')\n";
        assert!(find_dynamic_code(reversed).is_empty());
        let in_else = "if __name__ == '__main__':\n    pass\nelse:\n    exec('x = 1')\n";
        assert!(!find_dynamic_code(in_else).is_empty());
        let other_test = "if __name__ != '__main__':\n    exec('x = 1')\n";
        assert!(!find_dynamic_code(other_test).is_empty());
    }

    #[test]
    fn each_rule_flags_its_case() {
        for code in [
            "exec('x = 1')\n",
            "run = eval\n",
            "x = compile('1', '<s>', 'eval')\n",
            "m = __import__('os')\n",
            "b = __builtins__\n",
            "import builtins\n",
            "from importlib import import_module\n",
            "import marshal as m\n",
            "import ctypes\n",
            "import runpy\n",
            "import subprocess\n",
            "import os\nos.system('python -c 1')\n",
            "from os import system as s\ns('ls')\n",
            "import pickle\npickle.loads(b'')\n",
            "from types import CodeType\n",
            "import types\nf = types.FunctionType\n",
            "import timeit\ntimeit.timeit('1')\n",
            "import sys\nm = sys.modules['os']\n",
            "x = getattr(object, 'a' + 'b')\n",
            "setattr(object, name, 1)\n",
            "x = getattr(f, '__globals__')\n",
            "import operator\ng = operator.attrgetter(name)\n",
            "def f():\n    pass\nc = f.__code__\n",
            "s = ().__class__.__base__.__subclasses__()\n",
            "import os\nd = os.__dict__\n",
            "globals()['x'] = 1\n",
            "globals().update(x=1)\n",
            "g = globals()\n",
            "import os\nv = vars(os)\n",
            "b = len.__self__\n",
            "with open('m.py', 'w') as f:\n    f.write('x = 1')\nimport m\n",
            "from pathlib import Path\nPath('helper.py').write_text('x = 1')\nfrom . import helper\n",
        ] {
            assert!(flagged(code), "not flagged: {code}");
        }
    }

    #[test]
    fn ordinary_code_is_not_flagged() {
        for code in [
            "import re\nP = re.compile(r'a+')\n",
            "from re import compile\nP = compile('a')\n",
            "import ast\nv = ast.literal_eval('[1]')\n",
            "x = getattr(obj, 'name', None)\n",
            "class A:\n    def __repr__(self):\n        return str(self.__dict__)\n",
            "if 'x' in globals():\n    pass\n",
            "with open('data.txt') as f:\n    text = f.read()\n",
            "with open('out.txt', 'w') as f:\n    f.write('x')\nimport json\n",
            "import numpy as np\n",
            "import os\np = os.path.join('a', 'b')\n",
            "class A:\n    def __eq__(self, other):\n        return vars(self) == vars(other)\n",
            "def f(x):\n    return x.strip()\n",
        ] {
            assert!(
                !flagged(code),
                "flagged: {code}: {:?}",
                find_dynamic_code(code)
            );
        }
    }

    #[test]
    fn every_use_has_its_line() {
        let uses = find_dynamic_code("x = 1\nimport builtins\ny = eval('1')\n");
        let lines: Vec<u32> = uses.iter().map(|u| u.line).collect();
        assert_eq!(lines, vec![2, 3]);
    }

    #[test]
    fn unparsable_code_has_none() {
        assert!(find_dynamic_code("exec(\n").is_empty());
    }
}
