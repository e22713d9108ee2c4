//! What users paste into tickets, one shape at a time (sample texts written for these tests
//! from the layouts in `shared/knowledge/`), plus the round trip: the same event as an evtx
//! record, as its XML, and as an Event Viewer copy must read the same.

use std::io::Cursor;

use backupdiag_forge::evtx::{EventData, EvtxEvent, EvtxWriter, Provider};

use crate::util::{utf16le_bom, TempCase};

const XML_7040: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager" Guid="{555908d1-a6d7-4695-8e1e-26931d2012f4}" EventSourceName="Service Control Manager"/><EventID Qualifiers="16384">7040</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords><TimeCreated SystemTime="2012-10-21T00:10:00.0000000Z"/><EventRecordID>4242</EventRecordID><Correlation/><Execution ProcessID="500" ThreadID="504"/><Channel>System</Channel><Computer>PC-KURO</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="param1">Block Level Backup Engine Service</Data><Data Name="param2">demand start</Data><Data Name="param3">disabled</Data><Data Name="param4">wbengine</Data></EventData></Event>"#;

fn events_of(case: &TempCase, file: &str) -> Vec<serde_json::Value> {
    case.run(&["timeline", "--format", "jsonl", file]).jsonl()
}

fn shapes_of(case: &TempCase, file: &str) -> String {
    let report = case.run(&["inputs", "--format", "json", file]).json();
    report["files"][0]["shapes"]
        .as_array()
        .map(|s| s.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

#[test]
fn each_pasted_event_shape_is_read() {
    let case = TempCase::new();
    let english = format!("Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          10/21/2012 9:10:00 AM\r\nEvent ID:      7040\r\nTask Category: None\r\nLevel:         Information\r\nKeywords:      Classic\r\nUser:          SYSTEM\r\nComputer:      PC-KURO\r\nDescription:\r\nThe start type of the Block Level Backup Engine Service service was changed from demand start to disabled.\r\nEvent Xml:\r\n{XML_7040}\r\n");
    let japanese = "ログの名前:         System\r\nソース:           Service Control Manager\r\n日付:            2012/10/21 9:10:00\r\nイベント ID:       7040\r\nタスクのカテゴリ:      なし\r\nレベル:           情報\r\nキーワード:         クラシック\r\nユーザー:          SYSTEM\r\nコンピューター:       PC-KURO\r\n説明:\r\nBlock Level Backup Engine Service サービスの開始の種類は 要求による開始 から 無効 に変更されました。\r\n";
    let wevtutil = "Event[0]:\r\n  Log Name: Application\r\n  Source: VSS\r\n  Date: 2012-10-21T20:00:05.000\r\n  Event ID: 8193\r\n  Task: N/A\r\n  Level: Error\r\n  Computer: PC-KURO\r\n  Description: \r\nVolume Shadow Copy Service error: Unexpected error calling routine CoCreateInstance.  hr = 0x80070422, The service cannot be started.\r\n";
    let compact = "Level = Error / Source = VSS / Event ID = 8194 / Date = 2012/10/21 20:00:06\r\nレベル：エラー ／ ソース：Backup ／ イベント ID：517 ／ 日付：2012/10/21 20:01:00\r\n";
    let legacy = "Event Type:\tError\r\nEvent Source:\tVolSnap\r\nEvent Category:\tNone\r\nEvent ID:\t25\r\nDate:\t\t10/21/2012\r\nTime:\t\t8:02:00 PM\r\nDescription:\r\nThe shadow copies of volume C: were deleted because the shadow copy storage could not grow in time.\r\n";
    let xml = format!("{XML_7040}\r\n<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"VSS\"/><EventID Qualifiers=\"0\">8193</EventID><Level>2</Level><TimeCreated SystemTime=\"2012-10-21T11:00:05.0000000Z\"/><Channel>Application</Channel></System><EventData><Data>CoCreateInstance</Data><Data>0x80070");
    case.write("english.txt", english);
    case.write("japanese.txt", &encoding_rs::SHIFT_JIS.encode(japanese).0);
    case.write("wevtutil.txt", utf16le_bom(wevtutil));
    case.write("compact.txt", compact);
    case.write("legacy.txt", legacy);
    case.write("events.xml", xml);
    // (file, shape, events, provider of the first, id of the first, a field of the first)
    type Case<'a> = (&'a str, &'a str, usize, &'a str, u64, (&'a str, &'a str));
    let cases: [Case; 6] = [
        (
            "english.txt",
            "event-viewer-text x1",
            1,
            "Service Control Manager",
            7040,
            ("param4", "wbengine"),
        ),
        (
            "japanese.txt",
            "event-viewer-text x1",
            1,
            "Service Control Manager",
            7040,
            ("param3", "無効"),
        ),
        (
            "wevtutil.txt",
            "wevtutil-text x1",
            1,
            "VSS",
            8193,
            ("%2", "0x80070422, The service cannot be started"),
        ),
        ("compact.txt", "compact-summary x2", 2, "VSS", 8194, ("", "")),
        ("legacy.txt", "windows-2003-text x1", 1, "VolSnap", 25, ("", "")),
        (
            "events.xml",
            "event-xml x2",
            2,
            "Service Control Manager",
            7040,
            ("param1", "Block Level Backup Engine Service"),
        ),
    ];
    for (file, shape, count, provider, id, (name, value)) in cases {
        assert_eq!(shapes_of(&case, file), shape, "{file}");
        let events = events_of(&case, file);
        assert_eq!(events.len(), count, "{file}: {events:?}");
        assert_eq!(events[0]["provider"], provider, "{file}");
        assert_eq!(events[0]["event_id"], id, "{file}");
        assert_eq!(events[0]["certainty"], "pasted", "{file}");
        if !name.is_empty() {
            assert_eq!(events[0]["fields"][name], value, "{file}: {}", events[0]);
        }
    }
    // The Japanese copy is local time (the tz gives UTC); the English one has exact UTC from its XML.
    let tokyo = case
        .run(&["timeline", "--format", "jsonl", "--tz", "Asia/Tokyo", "japanese.txt"])
        .jsonl();
    assert_eq!(tokyo[0]["time"], "2012-10-21T00:10:00Z");
    assert_eq!(events_of(&case, "english.txt")[0]["time"], "2012-10-21T00:10:00Z");
    assert_eq!(events_of(&case, "legacy.txt")[0]["local_time"], "2012-10-21T20:02:00");
    let cut = case.run(&["inputs", "events.xml"]);
    assert!(
        cut.stdout.contains("incomplete"),
        "the cut-off XML is named: {}",
        cut.stdout
    );
}

#[test]
fn a_mixed_language_file_without_blank_lines_splits_on_each_header() {
    let case = TempCase::new();
    let text = "Log Name: System\nSource: Disk\nDate: 10/21/2012 8:00:00 PM\nEvent ID: 153\nLevel: Warning\nDescription:\nThe IO operation at logical block address 0x416e32 for Disk 0 was retried.\nログの名前: System\nソース: Service Control Manager\n日付: 2012/10/21 20:05:00\nイベント ID: 7036\nレベル: 情報\n説明:\nVolume Shadow Copy サービスは 停止 状態に移行しました。\nthis line belongs to the description\n";
    case.write("mixed.txt", text);
    let events = events_of(&case, "mixed.txt");
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0]["event_id"].as_u64(), events[0]["level"].as_str()),
        (Some(153), Some("warning"))
    );
    assert_eq!(events[1]["fields"]["param2"], "停止");
    assert!(events[1]["message"]
        .as_str()
        .is_some_and(|m| m.ends_with("description")));
}

#[test]
fn consoles_notes_messages_and_free_text() {
    let case = TempCase::new();
    case.write("sfc.txt", "Beginning system scan.  This process will take some time.\r\n\r\nWindows Resource Protection found corrupt files but was unable to fix some of them.\r\nFor online repairs, details are included in the CBS log file located at\r\n");
    let dism_ja = "展開イメージのサービスと管理ツール\r\nバージョン: 10.0.19041.844\r\n\r\n[==========================100.0%==========================]\r\nエラー: 0x800f081f\r\n\r\nソース ファイルが見つかりませんでした。\r\n";
    case.write("dism.txt", &encoding_rs::SHIFT_JIS.encode(dism_ja).0);
    case.write(
        "history.txt",
        &encoding_rs::SHIFT_JIS
            .encode("2012年3月 システムイメージ作成\r\n2012年8月 BIOSをUEFIへ変更\r\n同時期 CHKDSK c: /r\r\n")
            .0,
    );
    case.write("message.txt", "The backup operation that started at '?2012?-?10?-?21T11:00:00.000Z' has failed with following error code '2155348129' (The operation failed.).\n");
    case.write("forum.txt", "My backup dies with 0x8007045D every night, and VSS 8193 shows up too.\nAnything else? System Writer is missing.\n");
    let report = case.run(&["inputs", "--format", "json", "."]).json();
    let file = |name: &str| {
        report["files"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["path"] == format!("./{name}")))
            .cloned()
            .expect(name)
    };
    assert_eq!(file("sfc.txt")["facts"][0]["verdict"], "cannot-repair");
    let dism = &file("dism.txt")["facts"][0];
    assert_eq!(
        (dism["tool"].as_str(), dism["verdict"].as_str(), dism["code"].as_u64()),
        (Some("dism"), Some("source-missing"), Some(0x800f_081f))
    );
    assert_eq!(file("history.txt")["kind"], "notes");
    assert_eq!(file("history.txt")["records"], 3);
    assert_eq!(file("message.txt")["shapes"][0], "message-text-only x1");
    assert_eq!(file("message.txt")["records"], 1);
    let mentions: Vec<String> = file("forum.txt")["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .map(|f| f["value"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(mentions, ["0x8007045d", "VSS 8193", "System Writer"]);
    let analysis = case.run(&["analyze", "--format", "json", "."]).json();
    // The message copied alone is Backup 517 without a time: a failed run all the same.
    let runs = analysis["backups"].as_array().expect("backups");
    let identified = runs
        .iter()
        .find(|r| r["evidence"][0]["location"] == "./message.txt:1")
        .expect("the identified 517 is a backup run");
    assert_eq!(
        (
            identified["succeeded"].as_bool(),
            identified["code"].as_str(),
            identified["clock"].as_str()
        ),
        (Some(false), Some("0x807800a1"), Some("none"))
    );
    let milestones = analysis["milestones"].as_array().expect("milestones");
    assert!(milestones
        .iter()
        .any(|m| m["kind"] == "reported" && m["summary"].as_str().is_some_and(|s| s.contains("UEFI"))));
    let causes: Vec<&str> = analysis["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .filter_map(|h| h["cause"].as_str())
        .collect();
    assert!(
        causes.contains(&"system-files-corrupt") && causes.contains(&"dism-source-missing"),
        "{causes:?}"
    );
}

#[test]
fn the_same_event_reads_the_same_from_evtx_xml_and_a_copy() {
    let event = EvtxEvent {
        provider: Provider {
            name: "Service Control Manager".into(),
            guid: Some("{555908d1-a6d7-4695-8e1e-26931d2012f4}".into()),
            event_source_name: Some("Service Control Manager".into()),
        },
        event_id: 7040,
        qualifiers: Some(16384),
        version: 0,
        level: 4,
        task: 0,
        opcode: 0,
        keywords: 0x8080_0000_0000_0000,
        time: "2012-10-21T00:10:00Z".parse().expect("time"),
        process_id: 500,
        thread_id: 504,
        channel: "System".into(),
        computer: "PC-KURO".into(),
        user_sid: Some("S-1-5-18".into()),
        data: EventData::named([
            ("param1", "Block Level Backup Engine Service"),
            ("param2", "demand start"),
            ("param3", "disabled"),
            ("param4", "wbengine"),
        ]),
    };
    let mut writer = EvtxWriter::new(Cursor::new(Vec::new())).expect("writer");
    writer.write(&event).expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    let mut parser = evtx::EvtxParser::from_buffer(bytes.clone())
        .expect("parser")
        .with_configuration(evtx::ParserSettings::new().indent(false));
    let xml = parser.records().next().expect("one record").expect("record").data;
    let case = TempCase::new();
    case.write("System.evtx", bytes);
    case.write("event.xml", &xml);
    case.write("copy.txt", format!("Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          10/21/2012 9:10:00 AM\r\nEvent ID:      7040\r\nLevel:         Information\r\nComputer:      PC-KURO\r\nDescription:\r\nThe start type of the Block Level Backup Engine Service service was changed from demand start to disabled.\r\nEvent Xml:\r\n{xml}\r\n"));
    let read: Vec<serde_json::Value> = ["System.evtx", "event.xml", "copy.txt"]
        .iter()
        .map(|f| events_of(&case, f).remove(0))
        .collect();
    for key in ["time", "provider", "event_id", "level", "channel", "computer", "fields"] {
        assert_eq!(read[0][key], read[1][key], "evtx vs XML: {key}");
        assert_eq!(read[0][key], read[2][key], "evtx vs copy: {key}");
    }
    assert_eq!(read[0]["certainty"], "recorded");
    assert_eq!(read[2]["certainty"], "pasted");
}

#[test]
fn undated_pasted_events_are_evidence_and_backup_runs() {
    let case = TempCase::new();
    case.write(
        "ticket.txt",
        "Log Name:      System\r\nSource:        disk\r\nEvent ID:      51\r\nLevel:         Warning\r\nDescription:\r\nAn error was detected on device \\Device\\Harddisk1\\DR1 during a paging operation.\r\n\r\nLog Name:      Application\r\nSource:        Microsoft-Windows-Backup\r\nEvent ID:      517\r\nLevel:         Error\r\nDescription:\r\nThe backup operation that started at '2024-05-20T11:00:00.000Z' has failed with following error code '0x8007045D' (The request could not be performed because of an I/O device error.). Please review the event details for a solution, and then rerun the backup operation once the issue is resolved.\r\n",
    );
    let report = case.run(&["analyze", "--format", "json", "ticket.txt"]).json();
    let runs = report["backups"].as_array().expect("backups");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        (
            runs[0]["succeeded"].as_bool(),
            runs[0]["code"].as_str(),
            runs[0]["clock"].as_str()
        ),
        (Some(false), Some("0x8007045d"), Some("none"))
    );
    let top = &report["hypotheses"][0];
    assert_eq!(top["cause"], "disk-io-error", "{report}");
    assert!(top["confidence"].as_f64() >= Some(0.5), "{top}");
    assert_eq!(top["explains_current_failure"], true);
    assert!(
        top["reasoning"]
            .as_str()
            .is_some_and(|r| r.contains("whether the cause came first is unknown")),
        "{top}"
    );
}

#[test]
fn a_japanese_dialog_and_a_japanese_event_copy_state_their_codes() {
    let case = TempCase::new();
    case.write(
        "dialog.txt",
        "バックアップは正常に完了しませんでした。\r\nエラー: サービスを開始できません。サービスが無効になっているか、またはサービスに関連付けられた有効なデバイスがありません。(0x80070422)\r\n",
    );
    case.write(
        "events.txt",
        "ログの名前:         Application\r\nソース:           Microsoft-Windows-Backup\r\nイベント ID:       517\r\nレベル:           エラー\r\n説明:\r\n'2012/10/21 20:00:00' に開始されたバックアップ操作は、次のエラー コードで失敗しました: '0x80042306' (ボリューム シャドウ コピー サービスの操作エラーが発生しました。)\r\n",
    );
    let report = case.run(&["analyze", "--format", "json", "."]).json();
    let codes: Vec<&str> = report["backups"]
        .as_array()
        .expect("backups")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"0x80070422") && codes.contains(&"0x80042306"),
        "{codes:?}"
    );
    let service = report["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .find(|h| h["cause"] == "required-service-disabled")
        .expect("the code alone raises the disabled-service cause");
    assert_eq!(service["level"], "medium", "{service}");
    assert!(service["against"].as_array().expect("against").iter().any(|a| a
        .as_str()
        .is_some_and(|a| a.starts_with("only the error code points to it"))));
}
