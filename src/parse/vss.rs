//! Reads `vssadmin list writers` and `vssadmin list providers` output in any UI language.
//!
//! The labels are localized (`Writer name:`, `Nom du rédacteur :`, `ライター名:`), so the
//! reader decides on structure instead: a line with a quoted name, then two `{GUID}` lines and
//! a `[N]` state line for a writer, or a type line, one `{GUID}` line and a version line for a
//! provider. Facts and real layouts: `windows-knowledge.md` section 3, `japanese-formats.md`
//! section 1.

use std::sync::Arc;

use crate::input::sniff::{find_guid, quoted};
use crate::model::{Fact, FactKind, Location, Origin, ProviderInfo, VssListing, WriterState};

/// What a vssadmin listing held.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Writer, provider and listing facts, in file order (the listing outcome last).
    pub facts: Vec<Fact>,
    /// Number of writer or provider blocks.
    pub blocks: usize,
}

/// Reads a decoded vssadmin listing.
pub fn parse(path: &Arc<str>, text: &str) -> Listing {
    let lines: Vec<(u64, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r').trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let origin = |line: u64| Origin {
        file: Arc::clone(path),
        location: Location::Line(line),
    };
    let mut listing = Listing::default();
    let (mut writers, mut providers, mut storage) = (0, 0, 0);
    let mut i = 0;
    while i < lines.len() {
        let window = &lines[i..];
        if let Some(writer) = writer_block(window) {
            listing.facts.push(Fact {
                origin: origin(window[0].0),
                kind: FactKind::VssWriter(writer),
            });
            writers += 1;
            i += 5;
        } else if let Some(provider) = provider_block(window) {
            listing.facts.push(Fact {
                origin: origin(window[0].0),
                kind: FactKind::VssProvider(provider),
            });
            providers += 1;
            i += 4;
        } else if let Some((provider, used)) = listed_provider(window) {
            listing.facts.push(Fact {
                origin: origin(window[0].0),
                kind: FactKind::VssProvider(provider),
            });
            providers += 1;
            i += used;
        } else if is_storage_block(window) {
            storage += 1;
            i += 5;
        } else {
            i += 1;
        }
    }
    listing.blocks = writers + providers;
    let first_line = lines.first().map_or(1, |(n, _)| *n);
    let outcome = if writers > 0 {
        VssListing::Writers { count: writers }
    } else if providers > 0 {
        VssListing::Providers { count: providers }
    } else if storage > 0 {
        VssListing::StorageAssociations { count: storage }
    } else {
        error_or_empty(&lines)
    };
    listing.facts.push(Fact {
        origin: origin(first_line),
        kind: FactKind::VssListing(outcome),
    });
    listing
}

/// The value after a label: after the first `:` or full-width `：`.
fn value(line: &str) -> &str {
    line.find([':', '：']).map_or(line, |at| {
        let colon_len = line[at..].chars().next().map_or(1, char::len_utf8);
        line[at + colon_len..].trim()
    })
}

fn writer_block(window: &[(u64, &str)]) -> Option<WriterState> {
    let [(_, name_line), (_, id_line), (_, instance_line), (_, state_line), rest @ ..] = window else {
        return None;
    };
    let name = quoted(name_line)?;
    let writer_id = find_guid(id_line)?;
    let instance_id = find_guid(instance_line)?;
    let (state, state_text) = bracketed_state(state_line)?;
    let last_error = rest
        .first()
        .filter(|(_, l)| quoted(l).is_none() && find_guid(l).is_none())
        .map_or("", |(_, l)| value(l));
    Some(WriterState {
        name: name.to_string(),
        writer_id: writer_id.to_ascii_lowercase(),
        instance_id: instance_id.to_ascii_lowercase(),
        state,
        state_text: state_text.to_string(),
        last_error: last_error.to_string(),
    })
}

/// `State: [8] Failed` -> (8, "Failed").
fn bracketed_state(line: &str) -> Option<(u8, &str)> {
    let open = line.find('[')?;
    let close = open + line[open..].find(']')?;
    let number = line[open + 1..close].trim().parse().ok()?;
    Some((number, line[close + 1..].trim()))
}

fn provider_block(window: &[(u64, &str)]) -> Option<ProviderInfo> {
    let [(_, name_line), (_, type_line), (_, id_line), (_, version_line), ..] = window else {
        return None;
    };
    let name = quoted(name_line)?;
    if find_guid(type_line).is_some() {
        return None;
    }
    let provider_id = find_guid(id_line)?;
    Some(ProviderInfo {
        name: name.to_string(),
        provider_type: value(type_line).to_string(),
        provider_id: provider_id.to_ascii_lowercase(),
        version: value(version_line).to_string(),
    })
}

/// Labels of a provider in PowerShell's list view of `Win32_ShadowProvider`
/// (`Get-CimInstance Win32_ShadowProvider | Format-List Name, ID, Version`): the properties of
/// the WMI class (Microsoft Learn, "Win32_ShadowProvider class").
const LISTED_LABELS: [&str; 3] = ["Name", "ID", "Version"];

/// A provider in PowerShell's list view: a `Name :` line, then `ID : {guid}` and `Version :`
/// among the next few lines (other properties may sit between them). Returns the provider and
/// the lines it spans.
fn listed_provider(window: &[(u64, &str)]) -> Option<(ProviderInfo, usize)> {
    fn label(line: &str) -> Option<(&str, &str)> {
        line.split_once(':').map(|(l, v)| (l.trim(), v.trim()))
    }
    let (first, name) = label(window.first()?.1)?;
    if !first.eq_ignore_ascii_case(LISTED_LABELS[0]) || name.is_empty() {
        return None;
    }
    let (mut id, mut version, mut used) = (None, None, 1);
    for (offset, (_, line)) in window.iter().enumerate().skip(1).take(7) {
        let Some((key, value)) = label(line) else { break };
        if key.eq_ignore_ascii_case(LISTED_LABELS[0]) {
            break;
        }
        if key.eq_ignore_ascii_case(LISTED_LABELS[1]) {
            id = find_guid(value);
        } else if key.eq_ignore_ascii_case(LISTED_LABELS[2]) {
            version = Some(value);
        }
        used = offset + 1;
    }
    Some((
        ProviderInfo {
            name: name.to_string(),
            provider_type: String::new(),
            provider_id: id?.to_ascii_lowercase(),
            version: version?.to_string(),
        },
        used,
    ))
}

/// A listing without blocks: an error message (any line after the banner that names an error
/// or carries a hex code), or the banner alone, which means every writer is gone.
fn error_or_empty(lines: &[(u64, &str)]) -> VssListing {
    let error_lines: Vec<&str> = lines
        .iter()
        .map(|(_, l)| *l)
        .filter(|l| !l.starts_with("vssadmin ") && !l.starts_with("(C)"))
        .filter(|l| {
            let lower = l.to_lowercase();
            lower.contains("error")
                || lower.contains("erreur")
                || lower.contains("fehler")
                || l.contains("エラー")
                || hex_code(l).is_some()
        })
        .collect();
    if error_lines.is_empty() {
        // `list shadowstorage` (or `list shadows`) with nothing to list. Only the English
        // wording is known; a localized one still reads as a listing without writers.
        return match lines.iter().find(|(_, l)| l.starts_with("No items found")) {
            Some((_, message)) => VssListing::NothingListed {
                message: (*message).to_string(),
            },
            None => VssListing::NoWriters,
        };
    }
    VssListing::Error {
        code: error_lines.iter().find_map(|l| hex_code(l)),
        message: error_lines.join("\n"),
    }
}

/// A `list shadowstorage` association in any language: the volume and storage volume lines
/// (each with a `\\?\Volume{GUID}\` path), then used, allocated and maximum space, each
/// ending in a percentage.
fn is_storage_block(window: &[(u64, &str)]) -> bool {
    window.len() >= 5
        && window[..2].iter().all(|(_, l)| l.contains(r"\\?\Volume{"))
        && window[2..5].iter().all(|(_, l)| l.ends_with("%)"))
}

/// The first `0x` + 8 hex digits in a line.
fn hex_code(line: &str) -> Option<u32> {
    let at = line.find("0x")?;
    let digits = line.get(at + 2..at + 10)?;
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::model::{FactKind, VssListing, WriterState};

    fn writers(text: &str) -> Vec<WriterState> {
        parse(&"w.txt".into(), text)
            .facts
            .into_iter()
            .filter_map(|f| match f.kind {
                FactKind::VssWriter(w) => Some(w),
                _ => None,
            })
            .collect()
    }

    fn outcome(text: &str) -> VssListing {
        let listing = parse(&"w.txt".into(), text);
        match listing.facts.last().map(|f| &f.kind) {
            Some(FactKind::VssListing(outcome)) => outcome.clone(),
            other => panic!("no listing outcome: {other:?}"),
        }
    }

    const ENGLISH: &str = "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\r\n(C) Copyright 2001-2013 Microsoft Corp.\r\n\r\nWaiting for responses.\r\nThese may be delayed if a shadow copy is being prepared.\r\n\r\nWriter name: 'System Writer'\r\n   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\r\n   Writer Instance Id: {B1C47CEC-0e12-4ac6-b84b-9c1d8292a9f3}\r\n   State: [5] Waiting for completion\r\n   Last error: No error\r\n\r\nWriter name: 'Microsoft Hyper-V VSS Writer'\r\n   Writer Id: {66841cd4-6ded-4f4b-8f17-fd23f8ddc3de}\r\n   Writer Instance Id: {6162e336-7448-4371-93a7-29581512b103}\r\n   State: [8] Failed\r\n   Last error: Inconsistent shadow copy\r\n";

    #[test]
    fn reads_english_french_and_japanese_writer_blocks() {
        let english = writers(ENGLISH);
        assert_eq!(english.len(), 2);
        assert_eq!(english[0].instance_id, "{b1c47cec-0e12-4ac6-b84b-9c1d8292a9f3}");
        assert_eq!(
            (english[1].state, english[1].last_error.as_str()),
            (8, "Inconsistent shadow copy")
        );
        assert!(english[1].is_failed() && !english[0].is_failed());

        let french = "Nom du rédacteur : 'Task Scheduler Writer'\n   ID du rédacteur : {d61d61c8-d73a-4eee-8cdd-f6f9786b7124}\n   ID de l’instance du rédacteur : {1bddd48e-5052-49db-9b07-b96f96727e6b}\n   État : [1] Stable\n   Dernière erreur : Aucune erreur\n";
        let french = writers(french);
        assert_eq!(
            (french[0].name.as_str(), french[0].state, french[0].last_error.as_str()),
            ("Task Scheduler Writer", 1, "Aucune erreur")
        );

        let japanese = "ライター名: 'System Writer'\n   ライター Id: {e8132975-6f93-4464-a53e-1050253ae220}\n   ライター インスタンス Id: {b1c47cec-0e12-4ac6-b84b-9c1d8292a9f3}\n   状態: [1] 安定\n   最後のエラー: エラーなし\n";
        let japanese = writers(japanese);
        assert_eq!(
            (japanese[0].state_text.as_str(), japanese[0].last_error.as_str()),
            ("安定", "エラーなし")
        );
    }

    #[test]
    fn an_empty_listing_and_an_error_are_findings() {
        assert_eq!(outcome(ENGLISH), VssListing::Writers { count: 2 });
        let banner = "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\nWaiting for responses.\nThese may be delayed if a shadow copy is being prepared.\n";
        assert_eq!(outcome(banner), VssListing::NoWriters);
        let error = "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\nError: 0x8004230f\n";
        assert_eq!(
            outcome(error),
            VssListing::Error {
                message: "Error: 0x8004230f".into(),
                code: Some(0x8004_230f)
            }
        );
    }

    #[test]
    fn a_storage_listing_is_no_missing_writer() {
        let banner = "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\n";
        let storage = format!(
            "{banner}Shadow Copy Storage association\n   For volume: (C:)\\\\?\\Volume{{4c5a1d2e-0000-0000-0000-100000000000}}\\\n   Shadow Copy Storage volume: (C:)\\\\?\\Volume{{4c5a1d2e-0000-0000-0000-100000000000}}\\\n   Used Shadow Copy Storage space: 0 bytes (0%)\n   Allocated Shadow Copy Storage space: 0 bytes (0%)\n   Maximum Shadow Copy Storage space: 320 MB (0%)\n"
        );
        assert_eq!(outcome(&storage), VssListing::StorageAssociations { count: 1 });
        let none = format!("{banner}No items found that satisfy the query.\n");
        assert_eq!(
            outcome(&none),
            VssListing::NothingListed {
                message: "No items found that satisfy the query.".into()
            }
        );
    }

    #[test]
    fn reads_provider_blocks() {
        let text = "プロバイダー名: 'Microsoft Software Shadow Copy provider 1.0'\n    プロバイダーの種類: システム\n    プロバイダー Id: {b5946137-7b9f-4925-af80-51abd60b20d5}\n    バージョン: 1.0.0.7\n";
        let listing = parse(&"p.txt".into(), text);
        assert_eq!(listing.blocks, 1);
        match &listing.facts[0].kind {
            FactKind::VssProvider(p) => {
                assert_eq!((p.provider_type.as_str(), p.version.as_str()), ("システム", "1.0.0.7"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn powershell_list_view_of_the_providers_is_a_provider_listing() {
        let text = "\r\nName    : Microsoft Software Shadow Copy provider 1.0\r\nID      : {B5946137-7B9F-4925-AF80-51ABD60B20D5}\r\nVersion : 1.0.0.7\r\n\r\nName    : QEMU Guest Agent VSS Provider\r\nID      : {3629D4ED-EE09-4E0E-9A5C-6D8BA2872AEF}\r\nVersion : 110.0.2\r\n";
        assert!(
            crate::input::sniff::sniff(text.as_bytes())
                == crate::input::sniff::Sniffed::Text(
                    crate::input::sniff::TextKind::Vssadmin,
                    crate::input::encoding::TextEncoding::Utf8
                )
        );
        let listing = super::parse(&std::sync::Arc::from("providers.txt"), text);
        let providers: Vec<(String, String)> = listing
            .facts
            .iter()
            .filter_map(|f| match &f.kind {
                crate::model::FactKind::VssProvider(p) => Some((p.name.clone(), p.version.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            providers,
            vec![
                (
                    "Microsoft Software Shadow Copy provider 1.0".to_string(),
                    "1.0.0.7".to_string()
                ),
                ("QEMU Guest Agent VSS Provider".to_string(), "110.0.2".to_string()),
            ]
        );
        // Name and Version without an ID is no provider.
        assert!(
            super::parse(&std::sync::Arc::from("x.txt"), "Name : x\nVersion : 1.0\n")
                .facts
                .iter()
                .all(|f| !matches!(f.kind, crate::model::FactKind::VssProvider(_)))
        );
    }
}
