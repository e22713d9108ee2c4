//! The writer's files as the `evtx` crate reads them with checksum validation on.

use std::io::Cursor;

use backupdiag_forge::evtx::{EventData, EvtxEvent, EvtxWriter, Provider};

fn event(i: u32) -> EvtxEvent {
    EvtxEvent {
        provider: Provider {
            name: "Service Control Manager".into(),
            guid: Some("{555908d1-a6d7-4695-8e1e-26931d2012f4}".into()),
            event_source_name: Some("Service Control Manager".into()),
        },
        event_id: 7036,
        qualifiers: Some(16384),
        version: 0,
        level: 4,
        task: 0,
        opcode: 0,
        keywords: 0x8080_0000_0000_0000,
        time: jiff::Timestamp::from_second(1_350_000_000 + i64::from(i)).expect("time"),
        process_id: 500,
        thread_id: 504,
        channel: "System".into(),
        computer: "PC01".into(),
        user_sid: None,
        data: EventData::named([
            ("param1", format!("Service number {i}")),
            (
                "param2",
                if i % 2 == 0 {
                    "running".to_string()
                } else {
                    "stopped".to_string()
                },
            ),
        ]),
    }
}

fn write(events: impl Iterator<Item = EvtxEvent>) -> Vec<u8> {
    let mut writer = EvtxWriter::new(Cursor::new(Vec::new())).expect("writer");
    for e in events {
        writer.write(&e).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

#[test]
fn many_chunks_pass_checksum_validation() {
    let bytes = write((0..5000).map(event));
    assert_eq!((bytes.len() - 4096) % 65536, 0);
    let chunks = (bytes.len() - 4096) / 65536;
    assert!(chunks > 5, "expected several chunks, got {chunks}");
    let settings = evtx::ParserSettings::new().validate_checksums(true).num_threads(1);
    let mut parser = evtx::EvtxParser::from_buffer(bytes)
        .expect("parser")
        .with_configuration(settings);
    assert!(parser.header().validate_checksum());
    assert_eq!(u64::from(parser.header().chunk_count), chunks as u64);
    let records: Vec<_> = parser
        .records_json_value()
        .collect::<Result<_, _>>()
        .expect("every record parses");
    assert_eq!(records.len(), 5000);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.event_record_id, i as u64 + 1);
    }
    let last = &records[4999].data["Event"];
    assert_eq!(last["System"]["EventID"]["#text"], 7036);
    assert_eq!(last["System"]["EventID"]["#attributes"]["Qualifiers"], 16384);
    assert_eq!(last["EventData"]["param1"], "Service number 4999");
    assert_eq!(
        last["System"]["Provider"]["#attributes"]["Guid"],
        "{555908d1-a6d7-4695-8e1e-26931d2012f4}"
    );
}

#[test]
fn an_empty_log_has_one_empty_chunk() {
    let bytes = write(std::iter::empty());
    assert_eq!(bytes.len(), 4096 + 65536);
    let settings = evtx::ParserSettings::new().validate_checksums(true);
    let mut parser = evtx::EvtxParser::from_buffer(bytes)
        .expect("parser")
        .with_configuration(settings);
    assert_eq!(parser.records().count(), 0);
}
