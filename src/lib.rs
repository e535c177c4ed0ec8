//! conceptbook: cross-linked Markdown concept notes in, a searchable static site out.
//!
//! The build is a pipeline of values (see [`pipeline`]): `config` → `source` → `note` →
//! `graph` → `render` → `output`. The binary in `main.rs` parses the command line, runs a
//! command and prints what happened.

pub mod assets;
pub mod attachments;
pub(crate) mod callout;
pub mod cli;
pub mod config;
pub mod error;
pub(crate) mod glossary;
pub(crate) mod graph;
pub(crate) mod graphmap;
pub mod highlight;
pub(crate) mod html;
pub mod incremental;
pub mod init;
pub(crate) mod labels;
pub mod markdown;
pub mod names;
pub mod note;
pub mod output;
pub mod paths;
pub mod pipeline;
pub(crate) mod previews;
pub(crate) mod render;
pub mod report;
pub(crate) mod sanitize;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod source;
pub(crate) mod suggest;
