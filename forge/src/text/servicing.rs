//! CBS.log, dism.log and setupact.log lines in the real layout:
//! `YYYY-MM-DD HH:MM:SS, <Level padded to 22><Source padded to 7><message>`, local time, UTF-8
//! with BOM, CRLF (`windows-knowledge.md` 1.1 and 2.1).

use jiff::civil::DateTime;
use jiff::Timestamp;

/// Which servicing log a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServicingLog {
    /// `C:\Windows\Logs\CBS\CBS.log`.
    Cbs,
    /// `C:\Windows\Logs\DISM\dism.log`.
    Dism,
    /// `C:\Windows\Panther\setupact.log`.
    Setupact,
}

/// One line (with its continuation lines already in `message`, joined by CRLF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicingLine {
    /// The log it goes to.
    pub log: ServicingLog,
    /// Local wall-clock time.
    pub local: DateTime,
    /// `Info`, `Warning` or `Error`.
    pub level: &'static str,
    /// Source column (`CBS`, `CSI`, `DISM`, `IBS`, ...).
    pub source: &'static str,
    /// The message.
    pub message: String,
}

impl ServicingLine {
    /// The line as the log writes it, with its CRLF.
    pub fn render(&self) -> String {
        format!(
            "{}, {:<22}{:<7}{}\r\n",
            self.local.strftime("%Y-%m-%d %H:%M:%S"),
            self.level,
            self.source,
            self.message
        )
    }
}

/// The UTF-8 byte-order mark every servicing log starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `Universal Time is: 2024-05-20 12:03:11.482` as CBS writes it at session start.
pub fn universal_time(utc: Timestamp) -> String {
    format!("Universal Time is: {}", utc.strftime("%Y-%m-%d %H:%M:%S%.3f"))
}

/// A CSI counter with its UTC stamp: `00000001@2024/5/20:12:03:11.503`.
pub fn csi_stamp(counter: u32, utc: Timestamp) -> String {
    let t = utc.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{counter:08x}@{}/{}/{}:{:02}:{:02}:{:02}.{:03}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::{csi_stamp, universal_time, ServicingLine, ServicingLog};

    #[test]
    fn lines_have_the_real_column_widths() {
        let line = ServicingLine {
            log: ServicingLog::Cbs,
            local: "2024-05-20T21:03:11".parse().expect("time"),
            level: "Info",
            source: "CBS",
            message: "Exec: x".to_string(),
        };
        assert_eq!(
            line.render(),
            "2024-05-20 21:03:11, Info                  CBS    Exec: x\r\n"
        );
        let utc: jiff::Timestamp = "2024-05-20T12:03:11.482Z".parse().expect("utc");
        assert_eq!(universal_time(utc), "Universal Time is: 2024-05-20 12:03:11.482");
        assert_eq!(csi_stamp(1, utc), "00000001@2024/5/20:12:03:11.482");
    }
}
