//! Bindings: what a name in a scope was bound by, mirroring pyflakes'
//! `Binding` class hierarchy (checker.py).

use std::borrow::Cow;

use crate::parse::TextRange;

/// One binding of a name (pyflakes' `Binding` and its subclasses).
#[derive(Debug, Clone)]
pub(crate) struct Binding<'a> {
    /// The bound name (for star imports pyflakes' synthetic `module.*`).
    pub(crate) name: Cow<'a, str>,
    /// Which `Binding` subclass this is.
    pub(crate) kind: BindingKind<'a>,
    /// Whether the binding has been used (pyflakes' `binding.used`, of
    /// which only the truth value matters here).
    pub(crate) used: bool,
    /// The source node's range (`binding.source`), where it is reported.
    pub(crate) range: TextRange,
}

/// The `Binding` subclasses that behave differently here.
#[derive(Debug, Clone)]
pub(crate) enum BindingKind<'a> {
    /// `Builtin`: the module scope starts with one per builtin name.
    Builtin,
    /// Plain `Binding`: loop variables, tuple unpacking, comprehension
    /// targets. Never reported.
    Plain,
    /// `Argument`.
    Argument,
    /// `Assignment`: reported in function scopes when unused.
    Assignment,
    /// `NamedExprAssignment` (an `Assignment` bound by `:=`).
    NamedExprAssignment,
    /// `Annotation`: `x: int` without a value.
    Annotation,
    /// `FunctionDefinition`.
    FunctionDefinition,
    /// `ClassDefinition`.
    ClassDefinition,
    /// `ExportBinding`: a module-level `__all__` with the names it lists.
    Export(Vec<&'a str>),
    /// `Importation` and its subclasses.
    Import(Import<'a>),
}

impl BindingKind<'_> {
    /// Whether pyflakes' `isinstance(binding, Assignment)` holds.
    pub(crate) fn is_assignment(&self) -> bool {
        matches!(self, Self::Assignment | Self::NamedExprAssignment)
    }
}

/// The `Importation` subclasses.
#[derive(Debug, Clone)]
pub(crate) enum Import<'a> {
    /// `Importation`: `import a`, `import a as b`, `import a.b as c`.
    Module {
        /// The imported module, `a` or `a.b`.
        full_name: &'a str,
    },
    /// `SubmoduleImportation`: `import a.b` (binds `a`).
    Submodule {
        /// The dotted name, `a.b`.
        full_name: &'a str,
    },
    /// `ImportationFrom`: `from m import n [as a]`.
    From {
        /// Number of leading dots.
        level: u32,
        /// The module after the dots, if any.
        module: Option<&'a str>,
        /// The imported name `n`.
        real_name: &'a str,
    },
    /// `StarImportation`: `from m import *`.
    Star {
        /// Number of leading dots.
        level: u32,
        /// The module after the dots, if any.
        module: Option<&'a str>,
    },
    /// `FutureImportation`: always used.
    Future,
}

/// `'.' * level + module`, the module string pyflakes builds for
/// `from` imports.
pub(crate) fn module_string(level: u32, module: Option<&str>) -> String {
    let mut s = ".".repeat(level as usize);
    s.push_str(module.unwrap_or(""));
    s
}

impl Import<'_> {
    /// pyflakes' `imported_name`: the text inside the F401 message.
    pub(crate) fn imported_name(&self, name: &str) -> String {
        match *self {
            Self::Module { full_name } => {
                if has_alias(full_name, name) {
                    format!("{full_name} as {name}")
                } else {
                    full_name.to_owned()
                }
            }
            Self::Submodule { full_name } => full_name.to_owned(),
            Self::From {
                level,
                module,
                real_name,
            } => {
                let mut full = module_string(level, module);
                if !full.ends_with('.') {
                    full.push('.');
                }
                full.push_str(real_name);
                if has_alias(&full, name) {
                    format!("{full} as {name}")
                } else {
                    full
                }
            }
            Self::Star { level, module } => {
                let module = module_string(level, module);
                if module.ends_with('.') {
                    format!("from {module} import *")
                } else {
                    format!("{module}.*")
                }
            }
            Self::Future => format!("__future__.{name}"),
        }
    }
}

/// pyflakes' `Importation._has_alias`: the last dotted component of the
/// full name differs from the bound name.
pub(crate) fn has_alias(full_name: &str, name: &str) -> bool {
    full_name.rsplit('.').next() != Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The cases of pyflakes' TestImportationObject.
    #[test]
    fn imported_names_match_pyflakes() {
        let m = |full_name| Import::Module { full_name };
        assert_eq!(m("a").imported_name("a"), "a");
        assert_eq!(m("a").imported_name("c"), "a as c");
        assert_eq!(
            Import::Submodule { full_name: "a.b" }.imported_name("a"),
            "a.b"
        );
        assert_eq!(m("a.b").imported_name("c"), "a.b as c");
        assert_eq!(m("a.b").imported_name("a"), "a.b as a");
        let from = |level, module, real_name| Import::From {
            level,
            module,
            real_name,
        };
        assert_eq!(from(1, None, "a").imported_name("a"), ".a");
        assert_eq!(from(2, None, "a").imported_name("a"), "..a");
        assert_eq!(from(2, Some("a"), "b").imported_name("b"), "..a.b");
        assert_eq!(from(2, Some("a"), "b").imported_name("c"), "..a.b as c");
        assert_eq!(from(0, Some("a"), "b").imported_name("b"), "a.b");
        assert_eq!(from(0, Some("a.b"), "c").imported_name("c"), "a.b.c");
        assert_eq!(from(0, Some("a"), "b").imported_name("c"), "a.b as c");
        assert_eq!(from(0, Some("a.b"), "c").imported_name("d"), "a.b.c as d");
        let star = |level, module| Import::Star { level, module };
        assert_eq!(star(0, Some("a.b")).imported_name("a.b.*"), "a.b.*");
        assert_eq!(star(1, None).imported_name("..*"), "from . import *");
        assert_eq!(star(1, Some("a")).imported_name(".a.*"), ".a.*");
    }
}
