//! The command line: `conceptbook [build|check|serve|new|init]`, `build` when none is given.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "conceptbook",
    version,
    about = "Build a searchable static site, with a glossary and a concept graph, from cross-linked Markdown concept notes",
    long_about = "Build a searchable static site, with a glossary and a concept graph, from cross-linked Markdown concept notes.\n\n\
        A site is a folder with book.toml and content/ (one Markdown note per concept, TOML front matter between +++ lines). \
        Run with no command to build the site of the current folder into book/.",
    after_help = "Examples:\n  conceptbook                     build ./ into ./book\n  conceptbook check               validate every note, write nothing\n  conceptbook serve --open        preview at http://127.0.0.1:3000/, reloading on every save\n  conceptbook new lora --parent peft --title LoRA\n  conceptbook init my-notes --language zh-CN   start a new site\n  conceptbook build --root site --dest out"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the build dir (the default command)
    Build(BuildArgs),
    /// Run every validation of `build` and write nothing
    Check(CheckArgs),
    /// Serve the site on 127.0.0.1 (this machine only); rebuild on change and reload open pages
    #[command(long_about = "Build the site in memory and serve it at http://127.0.0.1:PORT/.\n\n\
            Binds 127.0.0.1 only: the site is reachable from this machine, not from the network, and only \
            pages of its own may read it (other Host names and other sites' subresource requests get 403). \
            When PORT is taken, the next free port is used. Watches content/, templates/, static/ \
            and book.toml; after a save the site is rebuilt and open pages reload. A save that \
            breaks the site keeps the last good version up and shows the errors in the terminal \
            and over the page; fixing them recovers. Nothing is written to disk. Ctrl-C stops it.")]
    Serve(ServeArgs),
    /// Scaffold a note: write content/SLUG.md with its front matter
    New(NewArgs),
    /// Start a new site in DIR: book.toml, content/, .gitignore and a GitHub Pages workflow
    #[command(long_about = "Start a new site in DIR (default: the current folder): book.toml with the \
            title from the folder's name, content/index.md and two first notes, a .gitignore for book/, \
            and .github/workflows/pages.yml, which installs conceptbook, builds the site and publishes \
            it on GitHub Pages. A folder that already holds a site (book.toml or content/) is refused; \
            no existing file is overwritten.")]
    Init(InitArgs),
}

#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// The site's folder, holding book.toml and content/
    #[arg(long, value_name = "DIR", default_value = ".", global = true)]
    pub root: PathBuf,
    /// Print errors only
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: Common,
    /// Where to write the site (default: book.toml's build-dir, "book")
    #[arg(long, value_name = "DIR")]
    pub dest: Option<PathBuf>,
    /// Print how long each stage took
    #[arg(long)]
    pub timings: bool,
    /// The address the site is published at, overriding book.toml's site-url (canonical
    /// links, sitemap.xml, the 404 page's base), e.g. the GitHub Pages URL in CI
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: Common,
    /// How to print problems: for people, or as one JSON array (an object per problem: path,
    /// line, column, severity, message, help) for editors and CI
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: Common,
    /// The port to listen on, on 127.0.0.1 only; the next free one when it is taken
    #[arg(long, short, value_name = "N", default_value_t = 3000)]
    pub port: u16,
    /// Open the site in the default browser (xdg-open, open or start)
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    #[command(flatten)]
    pub common: Common,
    /// The folder of the new site, created if missing (default: --root, the current folder)
    pub dir: Option<PathBuf>,
    /// The site's language, e.g. en or zh-CN: <html lang>, interface labels, how the glossary sorts (default: en)
    #[arg(long, value_name = "TAG")]
    pub language: Option<String>,
    /// The site's title (default: the folder's name)
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct NewArgs {
    #[command(flatten)]
    pub common: Common,
    /// The new note's slug: lower-case letters and digits joined by hyphens, e.g. p-tuning-v2
    pub slug: String,
    /// The note above it in the concept tree (a slug, title or alias)
    #[arg(long, value_name = "SLUG")]
    pub parent: Option<String>,
    /// Its title (default: from the slug)
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
}
