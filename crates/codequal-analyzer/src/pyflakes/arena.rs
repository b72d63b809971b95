//! A grow-only arena for the trees parsed out of string annotations.
//!
//! pyflakes parses `"List[int]"`-style annotations while it runs its
//! deferred functions, and what it finds there (a lambda, say) can itself
//! be deferred. The checker therefore needs those trees to live as long as
//! the module's own tree. This arena hands out shared references that live
//! as long as the arena, without `unsafe`: every slot is a [`OnceCell`]
//! written once, and chunks are linked through `OnceCell`s too.

use std::cell::{Cell, OnceCell};

/// A grow-only arena: values pushed in are never moved or dropped before
/// the arena itself.
#[derive(Debug)]
pub(crate) struct Arena<T> {
    first: Chunk<T>,
    len: Cell<usize>,
}

#[derive(Debug)]
struct Chunk<T> {
    slots: Box<[OnceCell<T>]>,
    next: OnceCell<Box<Chunk<T>>>,
}

impl<T> Chunk<T> {
    fn with_capacity(n: usize) -> Self {
        Self {
            slots: (0..n).map(|_| OnceCell::new()).collect(),
            next: OnceCell::new(),
        }
    }
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Self {
            first: Chunk::with_capacity(4),
            len: Cell::new(0),
        }
    }
}

impl<T> Arena<T> {
    /// Moves `value` into the arena and returns a reference to it.
    pub(crate) fn alloc(&self, value: T) -> &T {
        let mut i = self.len.get();
        self.len.set(i + 1);
        let mut chunk = &self.first;
        // Chunk sizes double, so this walks O(log n) links.
        while i >= chunk.slots.len() {
            i -= chunk.slots.len();
            let size = chunk.slots.len() * 2;
            chunk = chunk
                .next
                .get_or_init(|| Box::new(Chunk::with_capacity(size)));
        }
        // The slot is fresh (each index is handed out once), so this
        // initialises it with `value`.
        chunk.slots[i].get_or_init(move || value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_stay_valid_across_growth() {
        let arena = Arena::default();
        let refs: Vec<&String> = (0..100).map(|i| arena.alloc(i.to_string())).collect();
        for (i, r) in refs.iter().enumerate() {
            assert_eq!(**r, i.to_string());
        }
    }
}
