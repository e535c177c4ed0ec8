use conceptbook::search;
use std::time::Instant;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let s = conceptbook::incremental::Session::new(&root).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    for _ in 0..3 {
        let t = Instant::now();
        let docs = search::docs(s.site());
        let t1 = t.elapsed();
        let files = search::index(s.site());
        let t2 = t.elapsed() - t1;
        println!("docs {:?}  full index {:?} ({} docs, {} files)", t1, t2, docs.len(), files.len());
    }
}
