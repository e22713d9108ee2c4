//! No input makes backupdiag panic: every reader is fed truncated and bit-flipped copies of
//! real inputs. A panic would surface as the "internal error" notice of the safety net.

use std::sync::Arc;

use backupdiag::input::{Content, Input};
use backupdiag::model::SourceKind;
use backupdiag::parse::parse_input;

use crate::util::{repo_root, shared_corpus};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutations(seed: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..48 {
        let cut = if i < 24 {
            seed.len() * i / 24
        } else {
            rng.below(seed.len())
        };
        out.push(seed[..cut].to_vec());
    }
    for _ in 0..48 {
        let mut bytes = seed.to_vec();
        for _ in 0..=rng.below(8) {
            let at = rng.below(bytes.len());
            if let Some(b) = bytes.get_mut(at) {
                *b ^= 1 << rng.below(8);
            }
        }
        out.push(bytes);
    }
    out
}

fn assert_no_panic(name: &str, seed: &[u8]) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.len() as u64);
    // Records of the undamaged file, to tell bit flips that lose records (mutations 48..).
    let whole = Input::new(
        Arc::from(name),
        Content::Memory(Arc::from(seed.to_vec())),
        seed.len() as u64,
    );
    let whole_records = parse_input(
        &whole,
        backupdiag::parse::ReadOptions::everything(backupdiag::input::InputLimits::default().max_records),
    )
    .first()
    .map(|p| p.records);
    for (index, bytes) in mutations(seed, &mut rng).into_iter().enumerate() {
        let size = bytes.len() as u64;
        let input = Input::new(
            Arc::from(format!("{name}#{index}")),
            Content::Memory(Arc::from(bytes)),
            size,
        );
        for parsed in parse_input(
            &input,
            backupdiag::parse::ReadOptions::everything(backupdiag::input::InputLimits::default().max_records),
        ) {
            let internal = parsed.notices.iter().find(|n| n.reason.contains("internal error"));
            assert!(internal.is_none(), "{name} mutation {index} panicked");
            // Whatever the damage, the file is read or its trouble is said.
            let accounted = !parsed.events.is_empty()
                || !parsed.facts.is_empty()
                || !parsed.notices.is_empty()
                || parsed.skipped.is_some();
            assert!(accounted, "{name} mutation {index}: nothing read and nothing said");
            if let Some(whole) = whole_records {
                // A text line whose timestamp was hit becomes a continuation line: that loses
                // no text. An evtx record that cannot be read must be reported.
                if index >= 48 && parsed.kind == Some(SourceKind::Evtx) && parsed.records < whole {
                    assert!(
                        !parsed.notices.is_empty(),
                        "{name} mutation {index}: {} of {whole} records read, no warning",
                        parsed.records
                    );
                }
            }
        }
    }
}

#[test]
fn damaged_text_inputs_never_panic() {
    for name in ["CBS.log", "dism.log", "vssadmin-writers.txt", "bcdedit.txt"] {
        let seed = std::fs::read(repo_root().join("fixtures/demo").join(name)).expect("demo file");
        assert_no_panic(name, &seed);
    }
    let msinfo = "System Information report written at: 05/20/24\r\n[System Summary]\r\n\r\nItem\tValue\t\r\nBIOS Mode\tUEFI\t\r\n";
    assert_no_panic("msinfo32.txt", msinfo.as_bytes());
    let cabinet = crate::archives::mszip_cabinet("CbsPersist_1.log", crate::archives::cbs_log(50).as_bytes());
    assert_no_panic("CbsPersist_1.cab", &cabinet);
}

#[test]
fn damaged_evtx_inputs_never_panic() {
    // The forge's own files need no corpus: mutate them everywhere.
    let seed = std::fs::read(repo_root().join("fixtures/demo/System.evtx")).expect("demo evtx");
    assert_no_panic("demo/System.evtx", &seed);
    let Some(corpus) = shared_corpus() else { return };
    for name in [
        "evtx/3gstudent__Eventlogedit-evtx--Evolution/System.evtx",
        "evtx/anotherc0ne__AD-DC-/Setup.evtx",
    ] {
        let seed = std::fs::read(corpus.join(name)).expect("corpus file");
        assert_no_panic(name, &seed);
    }
}

/// Damage at the evtx structure's own seams, on a generated multi-chunk log: truncation at
/// every chunk boundary and inside the first record area of each chunk, a zeroed chunk, broken
/// chunk checksums, and a file header that lies about its chunk count. Never a panic; every
/// chunk left intact is still read; whatever is lost is said.
#[test]
fn evtx_damage_at_chunk_seams_keeps_the_intact_chunks() {
    const HEADER: usize = 4096;
    const CHUNK: usize = 65536;
    let text = std::fs::read_to_string(repo_root().join("fixtures/scenarios/win11-vss-corrupt-system-files.toml"))
        .expect("scenario");
    let scenario = backupdiag_forge::scenario::Scenario::from_toml("demo", &text).expect("scenario");
    let dir = tempfile::tempdir().expect("tempdir");
    backupdiag_forge::bundle::write_folder(&scenario, dir.path(), 1).expect("bundle");
    let seed = std::fs::read(dir.path().join("System.evtx")).expect("evtx");
    let chunks = (seed.len() - HEADER) / CHUNK;
    assert!(chunks >= 3, "a multi-chunk log to damage ({chunks} chunks)");

    let read = |name: &str, bytes: Vec<u8>| {
        let input = {
            let size = bytes.len() as u64;
            Input::new(Arc::from(name), Content::Memory(Arc::from(bytes)), size)
        };
        let parsed = parse_input(
            &input,
            backupdiag::parse::ReadOptions::everything(backupdiag::input::InputLimits::default().max_records),
        )
        .into_iter()
        .next()
        .expect("one result");
        assert!(
            !parsed.notices.iter().any(|n| n.reason.contains("internal error")),
            "{name}: panicked"
        );
        parsed
    };
    let whole = read("whole", seed.clone());
    assert!(
        whole.notices.is_empty(),
        "the undamaged log reads cleanly: {:?}",
        whole.notices
    );

    for k in 1..=chunks {
        // Cut exactly at the end of chunk k, then inside the next chunk's first records.
        for extra in [0usize, 512 + 24] {
            let cut = (HEADER + k * CHUNK + extra).min(seed.len());
            let parsed = read(&format!("cut at chunk {k} + {extra}"), seed[..cut].to_vec());
            assert!(parsed.records > 0, "cut at chunk {k}: the chunks before are read");
            if cut < seed.len() {
                assert!(
                    !parsed.notices.is_empty(),
                    "cut at chunk {k} + {extra}: the loss is said"
                );
            }
        }
    }
    for k in 0..chunks {
        // A zeroed chunk: every other chunk still read, the loss said.
        let mut zeroed = seed.clone();
        zeroed[HEADER + k * CHUNK..HEADER + (k + 1) * CHUNK].fill(0);
        let parsed = read(&format!("chunk {k} zeroed"), zeroed);
        assert!(
            parsed.records < whole.records && parsed.records > 0,
            "chunk {k} zeroed: {} records",
            parsed.records
        );
        assert!(!parsed.notices.is_empty(), "chunk {k} zeroed: the loss is said");
        // Broken data and header checksums of chunk k.
        let mut flipped = seed.clone();
        flipped[HEADER + k * CHUNK + 0x34] ^= 0xFF;
        flipped[HEADER + k * CHUNK + 0x7C] ^= 0xFF;
        let parsed = read(&format!("chunk {k} checksums"), flipped);
        assert!(parsed.records > 0, "chunk {k} checksums: the other chunks are read");
    }
    // The file header lies about its chunk count, both ways.
    for claimed in [1u16, 0xFFFF] {
        let mut lying = seed.clone();
        lying[0x2A..0x2C].copy_from_slice(&claimed.to_le_bytes());
        let parsed = read(&format!("header claims {claimed} chunks"), lying);
        assert!(parsed.records > 0, "header claims {claimed}: chunks are still read");
        assert!(!parsed.notices.is_empty(), "header claims {claimed}: the lie is said");
    }
}
