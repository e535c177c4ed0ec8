//! The `conceptbook` binary: parse the command line, run the command, print, exit.

use clap::Parser;

/// mimalloc rather than the system allocator: a build makes and frees millions of small
/// strings from two threads at once, and spent a sixth of its time in glibc's malloc.
/// Built with `no_thp` (Cargo.toml): mimalloc no longer asks for transparent huge pages, whose
/// zeroing took a seventh of `check`'s CPU (perf: `clear_page_erms` under
/// `do_huge_pmd_anonymous_page`); at 10,000 notes a build's peak memory went from about
/// 248 to 202 MiB and `check`'s CPU time down by 8%.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use conceptbook::cli::{BuildArgs, CheckArgs, Cli, Command, Format};
use conceptbook::pipeline::PublishError;
use conceptbook::{config, init, pipeline, report, scaffold, serve};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Build(args)) => build(args),
        Some(Command::Check(args)) => check(args),
        Some(Command::Serve(args)) => serve::run(&serve::Options {
            root: args.common.root,
            port: args.port,
            open: args.open,
            quiet: args.common.quiet,
        }),
        Some(Command::New(args)) => {
            let request = scaffold::Request { slug: args.slug, parent: args.parent, title: args.title };
            scaffold::run(&args.common.root, &request, args.common.quiet)
        }
        Some(Command::Init(args)) => init::run(
            &args.dir.unwrap_or(args.common.root),
            args.language.as_deref(),
            args.title.as_deref(),
            args.common.quiet,
        ),
        None => build(cli.build),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let root = &args.common.root;
    let mut err = std::io::stderr().lock();
    let color = report::color_on_stderr();
    let site_url = match args.site_url.as_deref().map(config::site_url) {
        Some(Err(message)) => {
            writeln!(err, "error: --site-url: {message}\n  help: {}", config::SITE_URL_HELP)?;
            return Ok(ExitCode::FAILURE);
        }
        Some(Ok(url)) => Some(url),
        None => None,
    };
    let dest = match args.dest.clone() {
        Some(d) => pipeline::Dest::Given(d),
        None => pipeline::Dest::BookToml,
    };
    let built = match pipeline::publish(root, site_url, dest) {
        Ok(b) => b,
        Err(PublishError::Failed(failed)) => {
            report::diagnostics(&mut err, &failed.diagnostics, root, color)?;
            writeln!(err, "build failed: nothing was written")?;
            return Ok(ExitCode::FAILURE);
        }
        Err(PublishError::Outside { dest, reason, build_dir }) => {
            writeln!(err, "{}: error: refusing to build into {}: {reason}\n  help: use a folder inside the site, such as \"book\", or name it on the command line: --dest {build_dir}", config::FILE, dest.display())?;
            return Ok(ExitCode::FAILURE);
        }
        Err(PublishError::Refused { dest, reason }) => {
            writeln!(err, "{}: error: refusing to build into {}: {reason}\n  help: set build-dir in book.toml or --dest to a folder of its own, such as \"book\"", config::FILE, dest.display())?;
            return Ok(ExitCode::FAILURE);
        }
        Err(PublishError::Io(e)) => return Err(e.into()),
    };
    let timings = &built.timings;
    if !args.common.quiet {
        report::diagnostics(&mut err, &built.warnings, root, color)?;
        let g = &built.site.graph;
        let terms = built.site.notes.iter().filter(|n| n.front.glossary).count();
        println!(
            "built {} ({}, {}) into {}: {}, {} in {:.2} s",
            report::count(built.site.notes.len(), "note"),
            report::count(g.link_count, "link"),
            report::count(terms, "glossary term"),
            built.dest.display(),
            report::count(built.written.files, "file"),
            report::size(built.written.bytes),
            start.elapsed().as_secs_f64()
        );
    }
    if args.timings {
        report::timings(&mut std::io::stdout(), timings)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let root = &args.common.root;
    let (diags, ok) = match pipeline::check(root) {
        Ok(warnings) => (warnings, true),
        Err(diagnostics) => (diagnostics, false),
    };
    match args.format {
        Format::Json => {
            writeln!(std::io::stdout().lock(), "{}", report::json(&diags))?;
        }
        Format::Human => {
            let mut err = std::io::stderr().lock();
            report::diagnostics(&mut err, &diags, root, report::color_on_stderr())?;
            if ok && !args.common.quiet {
                writeln!(err, "check passed: no errors")?;
            }
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
