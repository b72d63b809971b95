//! Class figures for the class rules. A base class is followed when the
//! module defines it (by name, at module level) and, when imports are
//! followed ([`crate::imports`]), into the module an import names; a
//! compiled class (from an extension module) is counted as one ancestor
//! with methods the rules cannot see; a base that cannot be followed (a
//! call, a missing module) counts nothing and contributes no methods, as
//! in pylint when astroid's inference fails.

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use super::{
    decorator_name, def_range, too_few_public_methods, too_many_ancestors,
    too_many_instance_attributes, too_many_public_methods, FnView,
};
use crate::imports::summary::{
    self, first_bindings, first_def, params_of, BaseRef, Binding, ModuleSummary,
};
use crate::imports::{ExtClass, Resolved, Resolver};
use crate::parse::ast::{self, Expr, Stmt};
use crate::rules::checker::Ancestor;
use crate::rules::Checker;

/// The lazily built import context of the checked file.
pub(crate) type ImportsCell = OnceCell<Option<LocalImports>>;

/// Builtin bases pylint does not count as ancestors
/// (`STDLIB_CLASSES_IGNORE_ANCESTOR`; `frozenset` is misspelt there, so it
/// counts).
const IGNORED_BUILTINS: &[&str] = &["object", "tuple", "dict", "list", "set"];

/// Builtin exception classes (astroid gives them and their subclasses the
/// type "exception").
fn is_builtin_exception(name: &str) -> bool {
    name == "BaseException"
        || name.ends_with("Error")
        || name.ends_with("Exception")
        || name.ends_with("Warning")
        || matches!(
            name,
            "StopIteration"
                | "StopAsyncIteration"
                | "GeneratorExit"
                | "KeyboardInterrupt"
                | "SystemExit"
                | "BaseExceptionGroup"
                | "ExceptionGroup"
        )
}

/// A class whose body the rules can read.
#[derive(Clone)]
enum Class<'a> {
    /// Defined in the checked file.
    InFile(&'a ast::StmtClassDef),
    /// Defined in another module's source (followed through an import).
    External(ExtClass),
}

impl<'a> Class<'a> {
    fn name(&self) -> &str {
        match self {
            Class::InFile(c) => c.name.as_str(),
            Class::External(c) => c.summary().name.as_str(),
        }
    }

    /// Identity for de-duplication.
    fn same(&self, other: &Class<'_>) -> bool {
        match (self, other) {
            (Class::InFile(a), Class::InFile(b)) => std::ptr::eq(*a, *b),
            (Class::External(a), Class::External(b)) => {
                Arc::ptr_eq(&a.module, &b.module) && a.index == b.index
            }
            _ => false,
        }
    }

    /// astroid's `qname()`, for pylint's list of ignored ancestors.
    fn qname(&self) -> Option<String> {
        match self {
            Class::InFile(_) => None,
            Class::External(c) => Some(c.qname()),
        }
    }

    /// Names the body binds, with whether the first binding is a `def`.
    fn for_each_binding(&self, mut f: impl FnMut(&str, bool)) {
        match self {
            Class::InFile(c) => first_bindings(&c.body)
                .into_iter()
                .for_each(|(n, d)| f(n, d)),
            Class::External(c) => c.summary().bindings.iter().for_each(|(n, d)| f(n, *d)),
        }
    }

    /// The parameters of method `name` when the body binds `name`:
    /// `Some(Some(params))` for a `def`, `Some(None)` for another binding.
    fn method(&self, name: &str) -> Option<Option<Vec<String>>> {
        match self {
            Class::InFile(c) => {
                let (_, is_def) = first_bindings(&c.body)
                    .into_iter()
                    .find(|(n, _)| *n == name)?;
                if !is_def {
                    return Some(None);
                }
                Some(first_def(&c.body, name).map(params_of))
            }
            Class::External(c) => c.summary().method(name).map(|p| p.map(<[String]>::to_vec)),
        }
    }
}

/// A base class as far as it can be followed.
enum Base<'a> {
    Class(Class<'a>),
    Builtin(String),
    /// A class of a compiled module: it has methods, its hierarchy is
    /// unknown.
    Opaque(String),
    Unknown,
}

/// The checked file's imports and a resolver to follow them.
pub(crate) struct LocalImports {
    resolver: Resolver,
    /// The checked module's names (its classes are read directly).
    names: Arc<ModuleSummary>,
    /// Resolved bases of classes from other modules, by (module, class).
    external_bases: RefCell<HashMap<(usize, usize), Vec<Resolved>>>,
}

impl std::fmt::Debug for LocalImports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalImports")
            .field("file", &self.names.file)
            .finish()
    }
}

fn local_imports<'c>(ch: &'c Checker<'_>) -> Option<&'c LocalImports> {
    ch.design
        .imports
        .get_or_init(|| {
            let resolver = Resolver::new(&ch.config.imports, ch.file)?;
            let mut names = ModuleSummary::names_of(ch.module);
            names.file = ch.file.and_then(|f| std::path::absolute(f).ok());
            Some(LocalImports {
                resolver,
                names: Arc::new(names),
                external_bases: RefCell::default(),
            })
        })
        .as_ref()
}

fn from_resolved<'a>(r: Resolved) -> Base<'a> {
    match r {
        Resolved::Class(c) => Base::Class(Class::External(c)),
        Resolved::Builtin(name) if is_builtin_class(&name) => Base::Builtin(name),
        Resolved::Opaque(name) => Base::Opaque(name),
        Resolved::Builtin(_) | Resolved::Module | Resolved::Unknown => Base::Unknown,
    }
}

/// Resolves a base of `this`, a class of the checked file: its name as
/// bound before the class statement (astroid's `scope_lookup`).
fn resolve<'a>(ch: &Checker<'a>, this: &'a ast::StmtClassDef, base: &'a Expr) -> Base<'a> {
    use rustpython_parser::ast::Ranged;
    let Some(parts) = summary::dotted(base) else {
        return Base::Unknown;
    };
    let Some((head, rest)) = parts.split_first() else {
        return Base::Unknown;
    };
    if rest.is_empty() {
        if let Some(c) = enclosing_class(ch, head, this) {
            return Base::Class(Class::InFile(c));
        }
    }
    let before = this.start().to_u32();
    let Some(local) = local_imports(ch) else {
        // Nothing is followed: a module-level class of the file, a
        // builtin, or unknown.
        if rest.is_empty() && !ch.imports.contains_key(head.as_str()) {
            if let Some(c) = module_class_before(ch, head, before) {
                return Base::Class(Class::InFile(c));
            }
            if is_builtin_class(head) {
                return Base::Builtin(head.clone());
            }
        }
        return Base::Unknown;
    };
    match local.names.binding(head, Some(before)) {
        Some((at, Binding::Class(_))) => match module_class_at(ch, head, at) {
            Some(c) if rest.is_empty() && !std::ptr::eq(c, this) => Base::Class(Class::InFile(c)),
            _ => Base::Unknown,
        },
        // Imports, aliases and star imports of the module, followed.
        _ => from_resolved(local.resolver.resolve_in_module(
            &local.names,
            head,
            rest,
            Some(before),
        )),
    }
}

/// Every module-level definition of class `name`, in source order.
fn module_classes<'c, 'a>(ch: &'c Checker<'a>, name: &str) -> &'c [&'a ast::StmtClassDef] {
    ch.design
        .module
        .as_ref()
        .and_then(|m| m.all_classes.get(name))
        .map_or(&[], Vec::as_slice)
}

/// The module-level class `name` whose statement starts at byte `at`.
fn module_class_at<'a>(ch: &Checker<'a>, name: &str, at: u32) -> Option<&'a ast::StmtClassDef> {
    use rustpython_parser::ast::Ranged;
    module_classes(ch, name)
        .iter()
        .copied()
        .find(|c| c.start().to_u32() == at)
}

/// The last module-level class `name` defined before byte `before`.
fn module_class_before<'a>(
    ch: &Checker<'a>,
    name: &str,
    before: u32,
) -> Option<&'a ast::StmtClassDef> {
    use rustpython_parser::ast::Ranged;
    module_classes(ch, name)
        .iter()
        .rev()
        .copied()
        .find(|c| c.start().to_u32() < before)
}

/// A class named `name` defined before `this` in the body of a function
/// enclosing the node being checked (innermost first): test suites define
/// whole hierarchies inside test methods.
fn enclosing_class<'a>(
    ch: &Checker<'a>,
    name: &str,
    this: &ast::StmtClassDef,
) -> Option<&'a ast::StmtClassDef> {
    use rustpython_parser::ast::Ranged;
    for a in ch.ancestors.iter().rev() {
        let body = match a {
            Ancestor::Stmt(Stmt::FunctionDef(f)) => &f.body,
            Ancestor::Stmt(Stmt::AsyncFunctionDef(f)) => &f.body,
            _ => continue,
        };
        let mut found = None;
        let mut todo: Vec<&'a [Stmt]> = vec![body];
        while let Some(b) = todo.pop() {
            for s in b {
                match s {
                    // The last definition before `this` wins.
                    Stmt::ClassDef(c)
                        if c.name.as_str() == name
                            && c.start() < this.start()
                            && !std::ptr::eq(c, this)
                            && found.is_none_or(|f: &ast::StmtClassDef| f.start() < c.start()) =>
                    {
                        found = Some(c);
                    }
                    Stmt::If(i) => {
                        todo.push(&i.body);
                        todo.push(&i.orelse);
                    }
                    Stmt::With(w) => todo.push(&w.body),
                    Stmt::Try(t) => {
                        todo.push(&t.body);
                        todo.push(&t.orelse);
                        todo.push(&t.finalbody);
                    }
                    _ => {}
                }
            }
        }
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The bases of a class from another module, each looked up as bound
/// before the class statement in its module; resolved once per checked
/// file.
fn external_bases<'a>(ch: &Checker<'a>, class: &ExtClass) -> Vec<Base<'a>> {
    let Some(local) = local_imports(ch) else {
        return Vec::new();
    };
    let key = (Arc::as_ptr(&class.module) as usize, class.index);
    if let Some(known) = local.external_bases.borrow().get(&key) {
        return known.iter().cloned().map(from_resolved).collect();
    }
    let summary = class.summary();
    let resolved: Vec<Resolved> = summary
        .bases
        .iter()
        .map(|b| match b {
            BaseRef::Dotted(parts) => match parts.split_first() {
                Some((head, rest)) => {
                    local
                        .resolver
                        .resolve_in_module(&class.module, head, rest, Some(summary.start))
                }
                None => Resolved::Unknown,
            },
            BaseRef::Other => Resolved::Unknown,
        })
        .collect();
    local
        .external_bases
        .borrow_mut()
        .insert(key, resolved.clone());
    resolved.into_iter().map(from_resolved).collect()
}

fn bases_of<'a>(ch: &Checker<'a>, class: &Class<'a>) -> Vec<Base<'a>> {
    match class {
        Class::InFile(c) => c.bases.iter().map(|b| resolve(ch, c, b)).collect(),
        Class::External(c) => external_bases(ch, c),
    }
}

fn is_builtin_class(name: &str) -> bool {
    is_builtin_exception(name)
        || matches!(
            name,
            "object"
                | "type"
                | "int"
                | "float"
                | "complex"
                | "str"
                | "bytes"
                | "bytearray"
                | "bool"
                | "tuple"
                | "list"
                | "dict"
                | "set"
                | "frozenset"
                | "property"
                | "staticmethod"
                | "classmethod"
                | "memoryview"
                | "range"
                | "slice"
                | "super"
        )
}

/// pylint's `STDLIB_CLASSES_IGNORE_ANCESTOR`, for classes followed into
/// other modules (`collections.X` also as the compiled `_collections.X`).
fn ignored_ancestor(qname: &str) -> bool {
    if let Some(name) = qname
        .strip_prefix("collections.")
        .or_else(|| qname.strip_prefix("_collections."))
    {
        return matches!(
            name,
            "ChainMap"
                | "Counter"
                | "OrderedDict"
                | "UserDict"
                | "UserList"
                | "UserString"
                | "defaultdict"
                | "deque"
                | "namedtuple"
        );
    }
    if let Some(name) = qname.strip_prefix("_collections_abc.") {
        return matches!(
            name,
            "Awaitable"
                | "Coroutine"
                | "AsyncIterable"
                | "AsyncIterator"
                | "AsyncGenerator"
                | "Hashable"
                | "Iterable"
                | "Iterator"
                | "Generator"
                | "Reversible"
                | "Sized"
                | "Container"
                | "Callable"
                | "Collection"
                | "Set"
                | "MutableSet"
                | "Mapping"
                | "MutableMapping"
                | "MappingView"
                | "KeysView"
                | "ItemsView"
                | "ValuesView"
                | "Sequence"
                | "MutableSequence"
                | "ByteString"
                | "Buffer"
        );
    }
    false
}

/// Ancestors of a class, in astroid's order (depth first, bases left to
/// right, each once), with what the class rules ask of them.
struct Ancestors<'a> {
    /// Classes whose bodies can be read.
    classes: Vec<Class<'a>>,
    /// Ancestors pylint counts for `too-many-ancestors`.
    counted: usize,
    /// Some ancestor is a builtin other than `object`, or compiled: it has
    /// public methods the count cannot see.
    has_unseen_methods: bool,
    /// Some ancestor is a builtin exception.
    exception: bool,
    /// Some ancestor is `type`.
    metaclass: bool,
    /// Some ancestor is `enum.Enum`.
    enum_: bool,
}

/// At most this many ancestors are followed.
const MAX_ANCESTORS: usize = 256;

/// Each class's ancestors, computed once per checked file (when the class
/// is entered) and read again for its methods.
#[derive(Default)]
pub(crate) struct AncestorCache<'a>(HashMap<usize, Rc<Ancestors<'a>>>);

impl std::fmt::Debug for AncestorCache<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AncestorCache").field(&self.0.len()).finish()
    }
}

fn ancestors<'a>(ch: &Checker<'a>, class: &'a ast::StmtClassDef) -> Rc<Ancestors<'a>> {
    let key = std::ptr::from_ref(class) as usize;
    match ch.design.ancestors.0.get(&key) {
        Some(a) => Rc::clone(a),
        None => Rc::new(compute_ancestors(ch, class)),
    }
}

fn remember_ancestors<'a>(ch: &mut Checker<'a>, class: &'a ast::StmtClassDef) -> Rc<Ancestors<'a>> {
    let a = ancestors(ch, class);
    let key = std::ptr::from_ref(class) as usize;
    ch.design.ancestors.0.insert(key, Rc::clone(&a));
    a
}

fn compute_ancestors<'a>(ch: &Checker<'a>, class: &'a ast::StmtClassDef) -> Ancestors<'a> {
    let mut out = Ancestors {
        classes: Vec::new(),
        counted: 0,
        has_unseen_methods: false,
        exception: false,
        metaclass: false,
        enum_: false,
    };
    let this = Class::InFile(class);
    let mut seen_other: HashSet<String> = HashSet::new();
    // Depth first, left to right: a stack of base lists in reverse.
    let mut todo: Vec<Base<'a>> = bases_of(ch, &this);
    todo.reverse();
    while let Some(base) = todo.pop() {
        if out.classes.len() + seen_other.len() > MAX_ANCESTORS {
            break;
        }
        match base {
            Base::Class(c) => {
                if c.same(&this) || out.classes.iter().any(|x| x.same(&c)) {
                    continue;
                }
                let qname = c.qname();
                if qname.as_deref() == Some("enum.Enum") {
                    out.enum_ = true;
                }
                if !qname.as_deref().is_some_and(ignored_ancestor) {
                    out.counted += 1;
                }
                let mut next = bases_of(ch, &c);
                next.reverse();
                todo.extend(next);
                out.classes.push(c);
            }
            Base::Builtin(name) => {
                if name == "type" {
                    out.metaclass = true;
                }
                if is_builtin_exception(&name) {
                    out.exception = true;
                }
                if name != "object" {
                    out.has_unseen_methods = true;
                }
                // Count the builtin and its exception parents once each.
                let mut next = Some(name.as_str());
                while let Some(n) = next {
                    if !IGNORED_BUILTINS.contains(&n) && seen_other.insert(n.to_owned()) {
                        out.counted += 1;
                    }
                    next = builtin_parent(n);
                }
            }
            Base::Opaque(qname) => {
                out.has_unseen_methods = true;
                if !ignored_ancestor(&qname) && seen_other.insert(qname) {
                    out.counted += 1;
                }
            }
            // What cannot be followed is not counted (pylint, too, counts
            // nothing for a base it cannot infer).
            Base::Unknown => {}
        }
    }
    out
}
/// The parent of a builtin class in the exception hierarchy (`None` for
/// `BaseException` and non-exception builtins).
fn builtin_parent(name: &str) -> Option<&'static str> {
    Some(match name {
        "BaseException" => return None,
        "Exception" | "SystemExit" | "KeyboardInterrupt" | "GeneratorExit"
        | "BaseExceptionGroup" => "BaseException",
        "ZeroDivisionError" | "OverflowError" | "FloatingPointError" => "ArithmeticError",
        "KeyError" | "IndexError" => "LookupError",
        "ModuleNotFoundError" => "ImportError",
        "UnboundLocalError" => "NameError",
        "NotImplementedError" | "RecursionError" => "RuntimeError",
        "UnicodeError" => "ValueError",
        "UnicodeDecodeError" | "UnicodeEncodeError" | "UnicodeTranslateError" => "UnicodeError",
        "IndentationError" => "SyntaxError",
        "TabError" => "IndentationError",
        "ConnectionError" | "BlockingIOError" | "ChildProcessError" | "FileExistsError"
        | "FileNotFoundError" | "InterruptedError" | "IsADirectoryError" | "NotADirectoryError"
        | "PermissionError" | "ProcessLookupError" | "TimeoutError" | "EnvironmentError"
        | "IOError" => "OSError",
        "BrokenPipeError"
        | "ConnectionAbortedError"
        | "ConnectionRefusedError"
        | "ConnectionResetError" => "ConnectionError",
        "Warning" => "Exception",
        n if n.ends_with("Warning") => "Warning",
        n if is_builtin_exception(n) => "Exception",
        _ => return None,
    })
}

/// The methods (`def`s) of a class body, nested blocks included.
fn methods(body: &[Stmt]) -> Vec<FnView<'_>> {
    let mut out = Vec::new();
    let mut todo: Vec<&[Stmt]> = vec![body];
    while let Some(b) = todo.pop() {
        for s in b {
            match s {
                Stmt::FunctionDef(_) | Stmt::AsyncFunctionDef(_) => out.extend(FnView::of(s)),
                Stmt::If(i) => {
                    todo.push(&i.body);
                    todo.push(&i.orelse);
                }
                Stmt::Try(t) => {
                    todo.push(&t.body);
                    todo.push(&t.orelse);
                    todo.push(&t.finalbody);
                }
                Stmt::With(w) => todo.push(&w.body),
                _ => {}
            }
        }
    }
    out
}

/// Whether the class body binds `name` to a `def`.
pub(super) fn defines(class: &ast::StmtClassDef, name: &str) -> bool {
    first_bindings(&class.body)
        .iter()
        .any(|(n, d)| *d && *n == name)
}

/// Whether `Protocol` is among the class's bases.
pub(super) fn is_protocol(class: &ast::StmtClassDef) -> bool {
    class.bases.iter().any(|b| {
        let b = match b {
            Expr::Subscript(s) => s.value.as_ref(),
            other => other,
        };
        matches!(b, Expr::Name(n) if n.id.as_str() == "Protocol")
            || matches!(b, Expr::Attribute(a) if a.attr.as_str() == "Protocol")
    })
}

/// Parameter names of the method `name` in the nearest ancestor whose
/// body binds `name`, when that binding is a `def` (pylint's
/// `overridden_method`).
pub(super) fn overridden_argnames<'a>(
    ch: &Checker<'a>,
    class: &'a ast::StmtClassDef,
    name: &str,
) -> Option<Vec<String>> {
    let anc = ancestors(ch, class);
    anc.classes.iter().find_map(|c| c.method(name)).flatten()
}

/// Distinct attributes assigned on the instance (`self.x = ...`) in the
/// class's methods, nested functions included, and a dataclass's fields
/// (astroid's dataclass brain makes every annotated class-body name an
/// instance attribute, except `ClassVar`, `InitVar` and `KW_ONLY`).
fn instance_attributes(class: &ast::StmtClassDef) -> usize {
    let mut names: HashSet<&str> = HashSet::new();
    if is_dataclass(class) {
        for s in &class.body {
            if let Stmt::AnnAssign(a) = s {
                if let Expr::Name(n) = a.target.as_ref() {
                    if !is_dataclass_pseudo_field(&a.annotation) {
                        names.insert(n.id.as_str());
                    }
                }
            }
        }
    }
    for m in methods(&class.body) {
        if m.decorated_with("staticmethod") || m.decorated_with("classmethod") {
            continue;
        }
        let Some(first) = m.args.posonlyargs.iter().chain(&m.args.args).next() else {
            continue;
        };
        collect_self_stores(m.body, first.def.arg.as_str(), &mut names);
    }
    names.len()
}

/// Decorated with `dataclass` (`@dataclass`, `@dataclasses.dataclass(...)`),
/// as astroid's brain recognises it when inference fails.
fn is_dataclass(class: &ast::StmtClassDef) -> bool {
    class
        .decorator_list
        .iter()
        .any(|d| decorator_name(d) == Some("dataclass"))
}

/// An annotation that makes a dataclass body name no field: `ClassVar`,
/// `InitVar` (bare or subscripted, plain or module-qualified) or the
/// `KW_ONLY` sentinel.
fn is_dataclass_pseudo_field(annotation: &Expr) -> bool {
    let base = match annotation {
        Expr::Subscript(s) => s.value.as_ref(),
        other => other,
    };
    let name = match base {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    };
    matches!(name, "ClassVar" | "InitVar" | "KW_ONLY")
}

fn collect_self_stores<'b>(body: &'b [Stmt], this: &str, out: &mut HashSet<&'b str>) {
    fn target<'b>(t: &'b Expr, this: &str, out: &mut HashSet<&'b str>) {
        match t {
            Expr::Attribute(a) => {
                if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == this) {
                    out.insert(a.attr.as_str());
                }
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| target(e, this, out)),
            Expr::List(l) => l.elts.iter().for_each(|e| target(e, this, out)),
            Expr::Starred(s) => target(&s.value, this, out),
            _ => {}
        }
    }
    for s in body {
        match s {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target(t, this, out)),
            Stmt::AugAssign(a) => target(&a.target, this, out),
            Stmt::AnnAssign(a) => target(&a.target, this, out),
            Stmt::For(f) => {
                target(&f.target, this, out);
                collect_self_stores(&f.body, this, out);
                collect_self_stores(&f.orelse, this, out);
            }
            Stmt::AsyncFor(f) => {
                target(&f.target, this, out);
                collect_self_stores(&f.body, this, out);
                collect_self_stores(&f.orelse, this, out);
            }
            Stmt::While(w) => {
                collect_self_stores(&w.body, this, out);
                collect_self_stores(&w.orelse, this, out);
            }
            Stmt::If(i) => {
                collect_self_stores(&i.body, this, out);
                collect_self_stores(&i.orelse, this, out);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        target(v, this, out);
                    }
                }
                collect_self_stores(&w.body, this, out);
            }
            Stmt::AsyncWith(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        target(v, this, out);
                    }
                }
                collect_self_stores(&w.body, this, out);
            }
            Stmt::Try(t) => {
                collect_self_stores(&t.body, this, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_self_stores(&h.body, this, out);
                }
                collect_self_stores(&t.orelse, this, out);
                collect_self_stores(&t.finalbody, this, out);
            }
            Stmt::TryStar(t) => {
                collect_self_stores(&t.body, this, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_self_stores(&h.body, this, out);
                }
                collect_self_stores(&t.orelse, this, out);
                collect_self_stores(&t.finalbody, this, out);
            }
            Stmt::Match(m) => {
                for c in &m.cases {
                    collect_self_stores(&c.body, this, out);
                }
            }
            // A nested function closes over the same instance.
            Stmt::FunctionDef(f) => collect_self_stores(&f.body, this, out),
            Stmt::AsyncFunctionDef(f) => collect_self_stores(&f.body, this, out),
            _ => {}
        }
    }
}

/// Whether a name is special in pylint's sense (`^__[a-z]+__$`).
fn is_special(name: &str) -> bool {
    name.len() > 4
        && name.starts_with("__")
        && name.ends_with("__")
        && name[2..name.len() - 2]
            .bytes()
            .all(|b| b.is_ascii_lowercase())
}

/// Whether an unresolved base's name says the class is an exception, an
/// enum, a named tuple or a typed dict (classes pylint exempts).
fn exempt_by_base_name(class: &ast::StmtClassDef) -> bool {
    class.bases.iter().any(|b| {
        let b = match b {
            Expr::Subscript(s) => s.value.as_ref(),
            other => other,
        };
        let name = match b {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => return false,
        };
        is_builtin_exception(name)
            || name.ends_with("Enum")
            || name.ends_with("Flag")
            || matches!(name, "NamedTuple" | "TypedDict")
    })
}

/// Runs the class rules on `class`.
pub(super) fn check<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt, class: &'a ast::StmtClassDef) {
    let range = def_range(ch, stmt);
    let d = ch.config.design.clone();
    let anc = remember_ancestors(ch, class);
    if ch.enabled(&too_many_ancestors::META) {
        too_many_ancestors::check(ch, range, anc.counted, d.max_parents);
    }
    if ch.enabled(&too_many_instance_attributes::META) {
        too_many_instance_attributes::check(
            ch,
            range,
            instance_attributes(class),
            d.max_attributes,
        );
    }
    let own = first_bindings(&class.body);
    let own_public = own
        .iter()
        .filter(|(n, is_def)| *is_def && !n.starts_with('_'))
        .count();
    too_many_public_methods::check(ch, range, own_public, d.max_public_methods);
    // A base that cannot be followed contributes no methods, as in pylint
    // when inference fails; bases named like exceptions or enums exempt
    // the class as their inferred type would. Builtin and compiled bases
    // have public methods the count cannot see.
    if !ch.enabled(&too_few_public_methods::META)
        || anc.has_unseen_methods
        || anc.enum_
        || exempt_by_base_name(class)
    {
        return;
    }
    let name = class.name.as_str();
    let special_type =
        |n: &str| n.ends_with("Interface") || n.ends_with("Exception") || n == "type";
    if anc.exception
        || anc.metaclass
        || special_type(name)
        || anc.classes.iter().any(|c| special_type(c.name()))
    {
        return;
    }
    let dataclass = class.decorator_list.iter().any(|d| {
        decorator_name(d).is_some_and(|n| matches!(n, "dataclass" | "attrs" | "define" | "frozen"))
    });
    if dataclass {
        return;
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut all = 0;
    for c in std::iter::once(Class::InFile(class)).chain(anc.classes.iter().cloned()) {
        c.for_each_binding(|n, is_def| {
            if is_def && !n.starts_with('_') && seen.insert(n.to_owned()) {
                all += 1;
            }
        });
    }
    all += own
        .iter()
        .filter(|(n, is_def)| *is_def && is_special(n) && *n != "__init__")
        .count();
    too_few_public_methods::check(ch, range, all, d.min_public_methods);
}
