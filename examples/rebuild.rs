//! Measures what `serve` does after an author saves one note: the incremental rebuild.
//!
//! ```sh
//! cargo run --release --example corpus -- --notes 10000 --out target/corpus-10k
//! cargo run --release --example rebuild -- target/corpus-10k [runs]
//! ```
//! Edits the body of one note (appending a sentence, then taking it back) `runs` times
//! (default 7) and prints each rebuild's time and the median.

use conceptbook::incremental::Session;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().expect("usage: rebuild SITE_DIR [runs]"));
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7);
    let start = Instant::now();
    let mut session = Session::new(&root).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    println!(
        "initial in-memory build: {:.0} ms, {} notes",
        start.elapsed().as_secs_f64() * 1000.0,
        session.site().notes.len()
    );
    let note = session.site().notes[session.site().notes.len() / 2].path.to_fs(&root);
    let original = std::fs::read_to_string(&note).unwrap();
    let mut times = Vec::new();
    let mut search_times = Vec::new();
    for i in 0..runs {
        let text = if i % 2 == 0 {
            format!("{original}\n另外补充一句说明，第 {i} 次编辑。\n")
        } else {
            original.clone()
        };
        std::fs::write(&note, text).unwrap();
        let t = Instant::now();
        let report = session.rebuild(std::slice::from_ref(&note)).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let search = session.refresh_search().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        search_times.push(search);
        let steps: Vec<String> =
            report.timings.stages.iter().map(|(s, d)| format!("{s} {:.1}", d.as_secs_f64() * 1000.0)).collect();
        println!("rebuild {}: {ms:.1} ms ({:?}; {})", i + 1, report.rebuilt, steps.join(", "));
        times.push(ms);
    }
    std::fs::write(&note, original).unwrap();
    times.sort_by(|a, b| a.total_cmp(b));
    search_times.sort_by(|a, b| a.total_cmp(b));
    println!("median rebuild after editing one note's body: {:.1} ms", times[times.len() / 2]);
    println!("median search index refresh after it: {:.1} ms", search_times[search_times.len() / 2]);
}
