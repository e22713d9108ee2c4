//! Splits pasted text into event blocks: runs of `Label: value` lines (a new block starts when
//! a label repeats, at `Event[N]:`, or at a compact one-line summary), the description lines
//! after `Description:`, and the XML after `Event Xml:` (possibly cut off mid-tag). XML pasted
//! without labels is a block of its own.

use super::labels::{self, Label};

/// The layouts backupdiag recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    /// Event Viewer "Copy details as text" (English or Japanese).
    EventViewerText,
    /// `wevtutil qe /f:text` (`Event[N]:` blocks).
    WevtutilText,
    /// The Windows 2003 layout (`Event Type:`, `Event Source:`).
    Legacy,
    /// A compact summary (`Level = Error / Source = VSS / Event ID = 8194`, `ID:/Source:`).
    Compact,
    /// Event XML (`wevtutil /f:xml`, "Save as XML").
    Xml,
}

impl Shape {
    /// The stable name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::EventViewerText => "event-viewer-text",
            Shape::WevtutilText => "wevtutil-text",
            Shape::Legacy => "windows-2003-text",
            Shape::Compact => "compact-summary",
            Shape::Xml => "event-xml",
        }
    }
}

/// One pasted event, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    /// Line the block starts on.
    pub line: u64,
    /// Its layout.
    pub shape: Option<Shape>,
    /// Label values, in order.
    pub values: Vec<(Label, String)>,
    /// Description lines.
    pub description: Vec<String>,
    /// The XML part.
    pub xml: String,
}

impl Block {
    /// The first value of `label`.
    pub fn get(&self, label: Label) -> Option<&str> {
        self.values.iter().find(|(l, _)| *l == label).map(|(_, v)| v.as_str())
    }

    fn is_empty(&self) -> bool {
        self.values.is_empty() && self.xml.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Labels,
    Description,
    Xml,
}

/// The blocks of a text, and the numbers of the lines that belong to none.
pub fn split(text: &str) -> (Vec<Block>, Vec<u64>) {
    let mut reader = Reader {
        blocks: Vec::new(),
        current: Block::default(),
        mode: Mode::Labels,
        stray: Vec::new(),
    };
    for (index, raw) in text.split('\n').enumerate() {
        reader.line(index as u64 + 1, raw.trim_end_matches('\r'));
    }
    reader.finish();
    (reader.blocks, reader.stray)
}

struct Reader {
    blocks: Vec<Block>,
    current: Block,
    mode: Mode,
    stray: Vec<u64>,
}

/// Labels that, when seen twice, start a new event.
const STARTS: &[Label] = &[Label::LogName, Label::Source, Label::EventId, Label::Date];

impl Reader {
    fn finish(&mut self) {
        let block = std::mem::take(&mut self.current);
        if !block.is_empty() {
            self.blocks.push(block);
        }
        self.mode = Mode::Labels;
    }

    fn start(&mut self, line: u64, shape: Shape) {
        self.finish();
        self.current.line = line;
        self.current.shape = Some(shape);
    }

    fn line(&mut self, number: u64, text: &str) {
        let trimmed = text.trim();
        // Event Viewer's "Save as XML" wraps the events in `<Events>`: the wrapper is no part
        // of any one event's XML.
        if trimmed == "<Events>" || trimmed == "</Events>" {
            return;
        }
        if self.mode == Mode::Xml {
            self.current.xml.push_str(text);
            self.current.xml.push('\n');
            if trimmed.contains("</Event>") {
                self.mode = Mode::Labels;
            }
            return;
        }
        if trimmed.is_empty() {
            if self.mode == Mode::Description {
                self.current.description.push(String::new());
            }
            return;
        }
        if trimmed.starts_with("Event[") && trimmed.ends_with("]:") {
            self.start(number, Shape::WevtutilText);
            return;
        }
        if trimmed.starts_with("<Event") || (trimmed.starts_with("<?xml") && self.current.values.is_empty()) {
            // A second event's XML, or XML after a block that already has its own.
            if !self.current.xml.is_empty() {
                self.finish();
            }
            if self.current.is_empty() {
                self.current.line = number;
                self.current.shape = Some(Shape::Xml);
            }
            self.mode = Mode::Xml;
            self.line(number, text);
            return;
        }
        if let Some(values) = list_row(trimmed) {
            self.start(number, Shape::Compact);
            self.current.values = values;
            self.finish();
            return;
        }
        if let Some(parts) = labels::compact(trimmed) {
            self.start(number, Shape::Compact);
            self.current.values = parts.into_iter().map(|(l, v)| (l, v.to_string())).collect();
            self.finish();
            return;
        }
        match labels::split(trimmed) {
            Some((Label::EventXml, value)) => {
                self.mode = Mode::Xml;
                if !value.is_empty() {
                    self.current.xml.push_str(value);
                    self.current.xml.push('\n');
                }
            }
            Some((Label::Description, value)) => {
                self.mode = Mode::Description;
                if !value.is_empty() {
                    self.current.description.push(value.to_string());
                }
            }
            Some((label, value)) if self.mode == Mode::Labels || STARTS.contains(&label) => {
                self.field(number, trimmed, label, value)
            }
            _ if self.mode == Mode::Description => self.current.description.push(trimmed.to_string()),
            _ => self.stray.push(number),
        }
    }

    fn field(&mut self, number: u64, line: &str, label: Label, value: &str) {
        let repeated = STARTS.contains(&label) && self.current.get(label).is_some();
        if repeated || (self.mode == Mode::Description && STARTS.contains(&label)) {
            let shape = self.current.shape.filter(|s| *s == Shape::WevtutilText);
            self.finish();
            self.current.shape = shape;
        }
        if self.current.values.is_empty() && self.current.shape.is_none() {
            self.current.line = number;
            let lower = line.to_lowercase();
            let legacy =
                lower.starts_with("event type") || lower.starts_with("event source") || line.starts_with("種類");
            self.current.shape = Some(if legacy { Shape::Legacy } else { Shape::EventViewerText });
        }
        if self.current.line == 0 {
            self.current.line = number;
        }
        self.mode = Mode::Labels;
        self.current.values.push((label, value.to_string()));
    }
}

/// A row copied from Event Viewer's event list: `Level<TAB>Date and Time<TAB>Source<TAB>Event
/// ID<TAB>Task Category`.
fn list_row(line: &str) -> Option<Vec<(Label, String)>> {
    let columns: Vec<&str> = line.split('\t').map(str::trim).collect();
    let [level, date, source, id, ..] = columns.as_slice() else {
        return None;
    };
    labels::level(level)?;
    super::dates::parse(date)?;
    id.parse::<u32>().ok()?;
    Some(vec![
        (Label::Level, level.to_string()),
        (Label::Date, date.to_string()),
        (Label::Source, source.to_string()),
        (Label::EventId, id.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::{split, Label, Shape};

    #[test]
    fn splits_consecutive_events_without_blank_lines() {
        let text = "Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          10/21/2012 3:04:05 PM\r\nEvent ID:      7040\r\nLevel:         Information\r\nDescription:\r\nThe start type of the Block Level Backup Engine Service service was changed from demand start to disabled.\r\nLog Name:      Application\r\nSource:        VSS\r\nEvent ID:      8193\r\nDescription:\r\nVolume Shadow Copy Service error: Unexpected error calling routine CoCreateInstance.  hr = 0x80070422.\r\n";
        let (blocks, stray) = split(text);
        assert_eq!(blocks.len(), 2);
        assert!(stray.is_empty());
        assert_eq!(blocks[0].get(Label::EventId), Some("7040"));
        assert_eq!(blocks[0].description.len(), 1);
        assert_eq!(blocks[1].get(Label::Source), Some("VSS"));
        assert_eq!((blocks[1].line, blocks[1].shape), (8, Some(Shape::EventViewerText)));
    }

    #[test]
    fn xml_after_the_labels_and_alone_and_cut_off() {
        let text = "ログの名前: System\nソース: Disk\nイベント ID: 153\n説明:\nディスク 0 の論理ブロック アドレス 0x416e32 での IO 操作が再試行されました。\nイベント XML:\n<Event xmlns=\"x\"><System><Provider Name=\"disk\"/><EventID>153</EventID></System>\n<EventData><Data>\\Device\\Harddisk0\\DR0</Data></EventData></Event>\n\nsome stray words\n<Event><System><Provider Name=\"VSS\"/><EventID>8194</Event";
        let (blocks, stray) = split(text);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].xml.contains("Harddisk0"));
        assert_eq!(blocks[1].shape, Some(Shape::Xml));
        assert!(blocks[1].xml.contains("8194"));
        assert_eq!(stray, vec![10]);
    }

    #[test]
    fn list_rows_and_short_label_layouts() {
        let (blocks, stray) = split(
            "Error\t10/21/2012 8:00:05 PM\tVSS\t8193\tNone\r\nエラー\t2012/10/21 20:01:00\tBackup\t517\tなし\r\n",
        );
        assert!(stray.is_empty());
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            (blocks[1].get(Label::Source), blocks[1].get(Label::EventId)),
            (Some("Backup"), Some("517"))
        );
        let (blocks, _) = split("ID: 8193\nLevel: Error\nSource: VSS\nMessage: Volume Shadow Copy Service error: Unexpected error calling routine CoCreateInstance.  hr = 0x80070422.\n");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].get(Label::EventId), Some("8193"));
        assert!(blocks[0]
            .description
            .join("\n")
            .trim()
            .starts_with("Volume Shadow Copy Service error"));
    }

    #[test]
    fn compact_wevtutil_and_legacy_layouts() {
        let (blocks, _) = split("Level = Error / Source = VSS / Event ID = 8194\n");
        assert_eq!(
            (blocks[0].shape, blocks[0].get(Label::EventId)),
            (Some(Shape::Compact), Some("8194"))
        );
        let (blocks, _) = split("Event[0]:\n  Log Name: System\n  Source: Service Control Manager\n  Date: 2012-10-21T15:04:05.000\n  Event ID: 7036\nEvent[1]:\n  Log Name: System\n  Event ID: 7040\n");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].shape, Some(Shape::WevtutilText));
        let (blocks, _) = split("Event Type:\tError\nEvent Source:\tVolSnap\nEvent ID:\t25\nDescription:\nThe shadow copies of volume C: were deleted.\n");
        assert_eq!(
            (blocks[0].shape, blocks[0].get(Label::Source)),
            (Some(Shape::Legacy), Some("VolSnap"))
        );
    }
}
