//! Scopes as pyflakes models them: insertion-ordered name -> binding maps.
//!
//! pyflakes' `Scope` is a Python `dict`, and several outcomes depend on dict
//! semantics: rebinding a name keeps its position, deleting and re-adding it
//! moves it to the end, and dead scopes are reported in iteration order.
//! [`Scope`] reproduces exactly that.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Index of a binding in the checker's binding table.
pub(crate) type BindingId = u32;

/// Index of a scope in the checker's scope table.
pub(crate) type ScopeId = u32;

/// The scope classes of pyflakes' checker that matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    /// `ModuleScope`.
    Module,
    /// `ClassScope`: never reported, invisible from nested functions.
    Class,
    /// `FunctionScope` (functions and lambdas).
    Function,
    /// `GeneratorScope` (generator expressions).
    Generator,
    /// `ComprehensionScope` (list, set and dict comprehensions).
    Comprehension,
}

impl ScopeKind {
    /// Whether this is one of pyflakes' `ComprehensionScope` classes.
    pub(crate) fn is_comprehension(self) -> bool {
        matches!(self, Self::Generator | Self::Comprehension)
    }
}

/// One scope: an insertion-ordered map from names to bindings plus the flags
/// pyflakes keeps on its scope objects.
#[derive(Debug)]
pub(crate) struct Scope<'a> {
    /// The scope class.
    pub(crate) kind: ScopeKind,
    /// Position of each live name in `order`.
    index: FxHashMap<Cow<'a, str>, usize>,
    /// Bindings in insertion order; `None` where a name was removed.
    order: Vec<Option<BindingId>>,
    /// A `from x import *` happened in this scope (`importStarred`).
    pub(crate) import_starred: bool,
    /// `locals()` is called in this (function) scope (`usesLocals`).
    pub(crate) uses_locals: bool,
    /// Where each name was first bound in this scope (function scopes
    /// only), and whether any load ever resolved to one of its bindings:
    /// pylint judges a name, not a binding, and reports it at its first
    /// assignment.
    pub(crate) first_bound: FxHashMap<Cow<'a, str>, (crate::parse::TextRange, bool)>,
}

impl<'a> Scope<'a> {
    /// An empty scope of `kind`.
    pub(crate) fn new(kind: ScopeKind) -> Self {
        Self {
            kind,
            index: FxHashMap::default(),
            order: Vec::new(),
            import_starred: false,
            uses_locals: false,
            first_bound: FxHashMap::default(),
        }
    }

    /// The binding of `name`, if any (`scope.get(name)`).
    pub(crate) fn get(&self, name: &str) -> Option<BindingId> {
        self.index.get(name).and_then(|&i| self.order[i])
    }

    /// Whether `name` is bound here (`name in scope`).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Binds `name` (`scope[name] = binding`): an existing name keeps its
    /// position.
    pub(crate) fn set(&mut self, name: Cow<'a, str>, binding: BindingId) {
        if let Some(&i) = self.index.get(name.as_ref()) {
            self.order[i] = Some(binding);
        } else {
            self.index.insert(name, self.order.len());
            self.order.push(Some(binding));
        }
    }

    /// Binds `name` only if it is not bound yet (`scope.setdefault`).
    pub(crate) fn set_default(&mut self, name: Cow<'a, str>, binding: BindingId) {
        if !self.contains(name.as_ref()) {
            self.set(name, binding);
        }
    }

    /// Unbinds `name` and returns what it was bound to (`scope.pop(name)`).
    pub(crate) fn remove(&mut self, name: &str) -> Option<BindingId> {
        let i = self.index.remove(name)?;
        self.order[i].take()
    }

    /// The bindings in dict iteration order (`scope.values()`).
    pub(crate) fn bindings(&self) -> impl Iterator<Item = BindingId> + '_ {
        self.order.iter().flatten().copied()
    }
}

/// A `HashMap` with the Fx hash (rustc's): names are short, and SipHash's
/// DoS resistance buys nothing for a map that lives for one module.
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The Fx hash function from rustc (the `rustc-hash` crate), which is a
/// multiply-rotate over machine words.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebinding_keeps_position_and_readding_moves_to_end() {
        let mut s = Scope::new(ScopeKind::Module);
        s.set("a".into(), 0);
        s.set("b".into(), 1);
        s.set("a".into(), 2);
        assert_eq!(s.bindings().collect::<Vec<_>>(), [2, 1]);
        assert_eq!(s.remove("a"), Some(2));
        assert!(!s.contains("a"));
        s.set("a".into(), 3);
        assert_eq!(s.bindings().collect::<Vec<_>>(), [1, 3]);
        s.set_default("b".into(), 4);
        assert_eq!(s.get("b"), Some(1));
    }
}
