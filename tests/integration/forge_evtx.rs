//! The forge's EVTX writer, judged by the `evtx` crate with checksum validation on: random
//! events round-trip exactly through write, validated parse, and backupdiag's event reader.

use std::io::Cursor;

use backupdiag::model::Interner;
use backupdiag::parse::event_xml::read_event_xml;
use backupdiag_forge::evtx::{EventData, EvtxEvent, EvtxWriter, Provider};
use backupdiag_forge::rng::Rng;

const PROVIDERS: &[(&str, Option<&str>, Option<&str>)] = &[
    (
        "Service Control Manager",
        Some("{555908d1-a6d7-4695-8e1e-26931d2012f4}"),
        Some("Service Control Manager"),
    ),
    ("VSS", None, None),
    (
        "Microsoft-Windows-Backup",
        Some("{1db28f2e-8f80-4027-8c5a-a11f7f10f62d}"),
        None,
    ),
    ("Microsoft Antimalware", None, None),
];
const NAMES: &[&str] = &[
    "param1",
    "param2",
    "HRESULT",
    "BackupTarget",
    "ErrorMessage",
    "Threat Name",
    "x",
];
const TEXTS: &[&str] = &[
    "",
    "Volume Shadow Copy",
    "0x81000019",
    "a < b & c > d \"quoted\" 'single'",
    "ボリューム シャドウ コピー サービスの開始の種類は 要求による開始 から 無効 に変更されました。",
    "line one\r\nline two",
    "\\\\?\\Volume{5e9c1b0a-0000-0000-0000-100000000000}\\",
];

fn text(rng: &mut Rng) -> String {
    let mut out = rng.pick(TEXTS).to_string();
    if rng.chance(30) {
        out.push_str(&rng.next_u64().to_string());
    }
    out
}

fn random_event(rng: &mut Rng) -> EvtxEvent {
    let (name, guid, source) = *rng.pick(PROVIDERS);
    let data = if rng.chance(50) {
        let count = rng.below(6) as usize;
        let mut names: Vec<&str> = NAMES.to_vec();
        let fields: Vec<(String, String)> = (0..count)
            .map(|i| {
                let pick = rng.below(names.len() as u64) as usize;
                let n = names.remove(pick);
                (format!("{n}{i}"), text(rng))
            })
            .collect();
        EventData::named(fields)
    } else {
        let strings: Vec<String> = (0..rng.below(8)).map(|_| text(rng)).collect();
        let data = EventData::unnamed(strings);
        if rng.chance(40) {
            data.with_binary((0..rng.below(40)).map(|_| rng.below(256) as u8).collect())
        } else {
            data
        }
    };
    EvtxEvent {
        provider: Provider {
            name: name.into(),
            guid: guid.map(Into::into),
            event_source_name: source.map(Into::into),
        },
        event_id: rng.below(65536) as u16,
        qualifiers: rng.chance(50).then(|| *rng.pick(&[0u16, 16384, 32768, 49152, 49156])),
        version: rng.below(3) as u8,
        level: rng.below(6) as u8,
        task: rng.below(300) as u16,
        opcode: rng.below(3) as u8,
        keywords: rng.next_u64(),
        time: jiff::Timestamp::from_nanosecond(
            i128::from(rng.between(946_684_800, 1_893_456_000)) * 1_000_000_000
                + i128::from(rng.below(10_000_000)) * 100,
        )
        .expect("time"),
        process_id: rng.below(70_000) as u32,
        thread_id: rng.below(70_000) as u32,
        channel: rng
            .pick(&["System", "Application", "Microsoft-Windows-Backup"])
            .to_string(),
        computer: rng.pick(&["PC01", "田中-PC", "WIN-7H2K3"]).to_string(),
        user_sid: rng
            .chance(50)
            .then(|| "S-1-5-21-3623811015-3361044348-30300820-1013".to_string()),
        data,
    }
}

fn expected_fields(data: &EventData) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = data
        .data
        .iter()
        .enumerate()
        .map(|(i, (name, value))| (name.clone().unwrap_or_else(|| format!("%{}", i + 1)), value.clone()))
        .collect();
    if let Some(binary) = &data.binary {
        out.push(("Binary".into(), binary.iter().map(|b| format!("{b:02X}")).collect()));
    }
    out
}

#[test]
fn random_events_round_trip_through_a_validated_parse() {
    let mut rng = Rng::new(20261122);
    let events: Vec<EvtxEvent> = (0..3000).map(|_| random_event(&mut rng)).collect();
    let mut writer = EvtxWriter::new(Cursor::new(Vec::new())).expect("writer");
    for event in &events {
        writer.write(event).expect("write");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    let settings = evtx::ParserSettings::new()
        .validate_checksums(true)
        .num_threads(1)
        .indent(false);
    let mut parser = evtx::EvtxParser::from_buffer(bytes)
        .expect("parser")
        .with_configuration(settings);
    assert!(parser.header().validate_checksum());
    let mut interner = Interner::default();
    let mut count = 0;
    for (index, record) in parser.records().enumerate() {
        let record = record.expect("record passes checksum validation");
        let written = &events[index];
        let read = read_event_xml(&record.data, &mut interner);
        assert_eq!(read.error, None, "{}", record.data);
        assert_eq!(record.event_record_id, index as u64 + 1);
        assert_eq!(read.record_id, Some(index as u64 + 1));
        assert_eq!(read.provider.as_deref(), Some(written.provider.name.as_str()));
        assert_eq!(read.event_id, Some(u32::from(written.event_id)));
        assert_eq!(read.level, Some(written.level));
        assert_eq!(read.time_created, Some(written.time), "{}", record.data);
        assert_eq!(read.channel.as_deref(), Some(written.channel.as_str()));
        assert_eq!(read.computer.as_deref(), Some(written.computer.as_str()));
        let fields: Vec<(String, String)> = read
            .fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(fields, expected_fields(&written.data), "{}", record.data);
        for (attribute, value) in [
            ("Qualifiers", written.qualifiers.map(|q| q.to_string())),
            ("Guid", written.provider.guid.clone()),
        ] {
            if let Some(value) = value {
                assert!(
                    record.data.contains(&format!("{attribute}=\"{value}\"")),
                    "{attribute} in {}",
                    record.data
                );
            }
        }
        count += 1;
    }
    assert_eq!(count, events.len());
}
