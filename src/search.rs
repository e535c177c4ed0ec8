//! The search index, built at build time and loaded by the browser as a script.
//!
//! Work in progress: the full tokenizer and sharded index live in issue 4.

use crate::graph::Site;
use crate::paths::RelPath;
use std::collections::BTreeMap;

pub fn index(_site: &Site) -> BTreeMap<RelPath, Vec<u8>> {
    BTreeMap::new()
}
