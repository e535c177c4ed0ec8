//! conceptbook: cross-linked Markdown concept notes in, a searchable static site out.
//!
//! The build is a pipeline of values (see [`pipeline`]): `config` → `source` → `note` →
//! `graph` → `render` → `output`. The binary in `main.rs` parses the command line, runs a
//! command and prints what happened.

pub mod assets;
pub mod callout;
pub mod cli;
pub mod config;
pub mod error;
pub mod glossary;
pub mod graph;
pub mod graphmap;
pub mod highlight;
pub mod html;
pub mod incremental;
pub mod init;
pub mod labels;
pub mod markdown;
pub mod names;
pub mod note;
pub mod output;
pub mod paths;
pub mod pipeline;
pub mod previews;
pub mod render;
pub mod report;
pub mod sanitize;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod source;
