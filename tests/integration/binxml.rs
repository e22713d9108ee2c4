//! The Binary XML fast path against the `evtx` crate's XML rendering, record by record, on the
//! whole real corpus and on the forge's files: same provider, id, level, time, record id,
//! channel, computer and fields, or an honest "cannot" (then the XML path is used). And the
//! own walk over a chunk's records against the crate's iteration of the same chunk.

use std::path::{Path, PathBuf};

use backupdiag::model::Interner;
use backupdiag::parse::binxml::{read_record, Cache};
use backupdiag::parse::event_xml::{read_event_xml, XmlEvent};

use crate::util::{repo_root, shared_corpus};

fn evtx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            evtx_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "evtx") {
            out.push(path);
        }
    }
}

/// The demo's evtx files, which the forge wrote.
fn demo_evtx_files() -> Vec<PathBuf> {
    ["System.evtx", "Application.evtx", "Microsoft-Windows-Backup.evtx"]
        .iter()
        .map(|name| repo_root().join("fixtures/demo").join(name))
        .collect()
}

/// Every `.evtx` file of the corpus, whole and damaged.
fn corpus_evtx_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    evtx_files(&corpus.join("evtx"), &mut files);
    evtx_files(&corpus.join("evtx-damaged"), &mut files);
    files
}

type Summary = (
    Option<String>,
    Option<u32>,
    Option<u8>,
    Option<String>,
    Option<u64>,
    Option<String>,
    Option<String>,
    Vec<(String, String)>,
);

fn summary(e: &XmlEvent) -> Summary {
    (
        e.provider.as_deref().map(str::to_string),
        e.event_id,
        e.level,
        e.time_created.map(|t| t.to_string()),
        e.record_id,
        e.channel.as_deref().map(str::to_string),
        e.computer.as_deref().map(str::to_string),
        e.fields.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
    )
}

/// (records compared, records the fast path declined).
fn compare(path: &Path) -> (usize, usize) {
    let Ok(parser) = evtx::EvtxParser::from_path(path) else {
        return (0, 0);
    };
    let mut parser = parser.with_configuration(evtx::ParserSettings::new().num_threads(1).indent(false));
    // One name cache shared by every chunk of the file (the crate clones the closure per
    // chunk, so it is shared through a mutex): an entry from one chunk must never name another
    // chunk's element at the same offset.
    let names = std::sync::Arc::new(std::sync::Mutex::new(Cache::default()));
    let records = parser.serialized_records(move |record| {
        let record = record?;
        let mut names = names.lock().expect("name cache");
        let fast = read_record(
            record.chunk.data,
            record.binxml_offset as usize,
            record.binxml_size as usize,
            &mut Interner::default(),
            &mut names,
        );
        let id = record.event_record_id;
        Ok((id, fast, record.into_xml()?.data))
    });
    let (mut compared, mut declined) = (0, 0);
    for (id, fast, xml) in records.flatten() {
        let slow = read_event_xml(&xml, &mut Interner::default());
        match fast {
            Some(fast) => {
                assert_eq!(summary(&fast), summary(&slow), "{} record {id}\n{xml}", path.display());
                compared += 1;
            }
            None => declined += 1,
        }
    }
    (compared, declined)
}

#[test]
fn the_fast_path_reads_every_corpus_record_as_the_xml_path_does() {
    let Some(corpus) = shared_corpus() else { return };
    let mut files = Vec::new();
    evtx_files(&corpus.join("evtx"), &mut files);
    let (mut compared, mut declined) = (0, 0);
    for file in &files {
        let (c, d) = compare(file);

        compared += c;
        declined += d;
    }
    eprintln!("binxml fast path: {compared} records equal, {declined} declined");
    assert!(compared > 70_000, "{compared} compared");
    // Declined records (diagnostic channels with float or SYSTEMTIME values) take the XML path.
    assert!(declined * 50 < compared, "{declined} declined");
}

#[test]
fn the_fast_path_reads_the_forge_files() {
    let (mut compared, mut declined) = (0, 0);
    for file in demo_evtx_files() {
        let (c, d) = compare(&file);
        compared += c;
        declined += d;
    }
    assert!(compared > 50);
    assert_eq!(declined, 0);
}

/// Each chunk read by backupdiag's own walk against the same chunk read through the crate
/// (`parse::evtx::chunks_both_ways`); (chunks compared, chunks the walk declined).
fn compare_chunks(files: &[PathBuf]) -> (usize, usize) {
    let (mut compared, mut declined) = (0, 0);
    for file in files {
        let bytes = std::fs::read(file).expect("read");
        for (number, (walked, by_crate)) in backupdiag::parse::evtx::chunks_both_ways(bytes).into_iter().enumerate() {
            match walked {
                Some(walked) => {
                    assert_eq!(walked, by_crate, "{} chunk {number}", file.display());
                    compared += 1;
                }
                None => declined += 1,
            }
        }
    }
    (compared, declined)
}

#[test]
fn the_own_chunk_walk_reads_every_corpus_chunk_it_takes_as_the_crate_does() {
    let Some(corpus) = shared_corpus() else { return };
    let files = corpus_evtx_files(&corpus);
    let (compared, declined) = compare_chunks(&files);
    eprintln!("evtx chunk walk: {compared} chunks equal, {declined} declined");
    assert!(compared > 900, "{compared} compared");
    assert!(declined * 10 < compared, "{declined} declined");
}

/// `ring` finds a file's chunks where the crate finds them, in its order, or leaves the file
/// to the crate where the crate reports an error.
#[test]
fn chunks_are_found_in_place_in_the_order_the_crate_reads_them() {
    let Some(corpus) = shared_corpus() else { return };
    let mut files = corpus_evtx_files(&corpus);
    files.push(repo_root().join("fixtures/demo/System.evtx"));
    let (mut in_place, mut left, mut wrapped) = (0, 0, 0);
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        let Some((ours, theirs)) = backupdiag::parse::evtx::chunk_orders_both_ways(bytes) else {
            continue; // not an evtx file the crate opens
        };
        match ours {
            Some(order) => {
                let theirs: Vec<u64> = theirs
                    .into_iter()
                    .map(|c| {
                        c.unwrap_or_else(|e| panic!("{}: the crate fails where ring does not: {e}", file.display()))
                    })
                    .collect();
                assert_eq!(order, theirs, "{}", file.display());
                in_place += 1;
                wrapped += usize::from(order.first().is_some_and(|first| *first != 0));
            }
            None => {
                assert!(
                    theirs.iter().any(Result::is_err),
                    "{}: left to the crate without an error",
                    file.display()
                );
                left += 1;
            }
        }
    }
    eprintln!("evtx chunk order: {in_place} files in place ({wrapped} wrapped around), {left} left to the crate");
    assert!(in_place > 250, "{in_place} in place");
    assert!(wrapped > 0, "a log that wrapped around is read from its oldest chunk");
}

#[test]
fn the_own_chunk_walk_reads_the_forge_files() {
    let files = demo_evtx_files();
    let (compared, declined) = compare_chunks(&files);
    assert!(compared >= 3, "{compared} compared");
    assert_eq!(declined, 0);
}

/// Each chunk walked with the templates' `System` plans against the same chunk walked token by
/// token, with nothing wanted past `System` and with the signal tables' wants: the same items.
/// (records compared, chunks the walk declined).
fn compare_plans(files: &[PathBuf]) -> (usize, usize) {
    let never: fn(&str, Option<u32>, backupdiag::parse::Keep) -> bool = |_, _, _| false;
    let (mut records, mut declined) = (0, 0);
    for file in files {
        let bytes = std::fs::read(file).expect("read");
        for wanted in [never, backupdiag::signals::wants] {
            for (number, (planned, walked)) in
                backupdiag::parse::evtx::chunks_with_and_without_plans(bytes.clone(), wanted)
                    .into_iter()
                    .enumerate()
            {
                assert_eq!(planned, walked, "{} chunk {number}", file.display());
                match planned {
                    Some(items) => records += items.matches("Event {").count(),
                    None => declined += 1,
                }
            }
        }
    }
    (records, declined)
}

#[test]
fn records_read_by_their_templates_plans_read_as_the_walk_reads_them() {
    let Some(corpus) = shared_corpus() else { return };
    let (records, declined) = compare_plans(&corpus_evtx_files(&corpus));
    eprintln!("evtx System plans: {records} records equal, {declined} chunks declined");
    assert!(records > 140_000, "{records} compared");
}

#[test]
fn the_forge_files_read_by_plans_read_as_walked() {
    let files = demo_evtx_files();
    let (records, declined) = compare_plans(&files);
    assert!(records > 50, "{records} compared");
    assert_eq!(declined, 0);
}
