//! The integration tests: short stories over fixture sites built in temp dirs by the real
//! binary. One binary for all of them, so they share one compile.

mod browser;
mod support;

mod a11y;
mod assets;
mod build;
mod content;
mod errors;
mod incremental;
mod labels;
mod map;
mod polish;
mod previews;
mod publish;
mod reader;
mod scale;
mod search;
mod sidebar;
mod snapshots;
mod yours;

// The author's loop (issue 5): serve, check, new, hostile input, fuzzing.
mod check;
mod fuzz;
mod hostile;
mod new;
mod safety;
mod serve;
