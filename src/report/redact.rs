//! `--redact`: before a report is attached to a public thread, the names that identify a
//! machine and its people are replaced by tokens, the same name by the same token within the
//! report: computer names (`COMPUTER-1`), domain names (`DOMAIN-1`), user names from profile
//! paths (`USER-1`), account SIDs (`SID-1`; well-known SIDs such as S-1-5-18 are kept) and
//! e-mail addresses (`EMAIL-1`). The names are gathered from the whole case, then replaced in
//! the finished output, so nothing a report prints escapes it.

use crate::case::Case;

/// Original names and their tokens, longest first (so a full name goes before its parts).
#[derive(Debug, Default)]
pub struct Redactor {
    pairs: Vec<(String, String)>,
}

/// Profile folders that name no person.
const SHARED_PROFILES: &[&str] = &["public", "default", "default user", "all users", "administrator"];

impl Redactor {
    /// Gathers every name to hide from `case`, in timeline order (so tokens are stable).
    pub fn for_case(case: &Case) -> Redactor {
        let mut found = Found::default();
        for computer in &case.computers {
            found.computer(&computer.name);
        }
        for event in &case.events {
            if let Some(computer) = event.computer.as_deref() {
                found.computer(computer);
            }
            for (_, value) in event.fields.iter() {
                found.scan(value);
            }
            if let Some(message) = event.message.as_deref() {
                found.scan(message);
            }
        }
        for fact in &case.facts {
            found.scan(&format!("{:?}", fact.kind));
        }
        for file in &case.files {
            found.scan(&file.path);
        }
        let mut pairs = found.pairs;
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Redactor { pairs }
    }

    /// The case with every name replaced in place, before anything is rendered (so no report
    /// can clip a name in half): events, facts, file paths, computers and notices.
    pub fn redact_case(&self, case: &mut Case) {
        use std::sync::Arc;
        let arc = |value: &Arc<str>| -> Arc<str> { Arc::from(self.apply(value)) };
        for event in &mut case.events {
            event.computer = event.computer.as_ref().map(arc);
            event.origin.file = arc(&event.origin.file);
            event.message = event.message.as_deref().map(|m| self.apply(m).into());
            let mut fields = crate::model::Fields::new();
            for (name, value) in event.fields.iter() {
                fields.push(name, &self.apply(value));
            }
            event.fields = fields;
        }
        for fact in &mut case.facts {
            fact.origin.file = arc(&fact.origin.file);
            self.redact_fact(&mut fact.kind);
        }
        for file in &mut case.files {
            file.path = arc(&file.path);
            for notice in &mut file.notices {
                self.redact_notice(notice);
            }
        }
        for notice in &mut case.notices {
            self.redact_notice(notice);
        }
        for computer in &mut case.computers {
            computer.name = self.apply(&computer.name);
        }
    }

    fn redact_notice(&self, notice: &mut crate::model::Notice) {
        notice.path = self.apply(&notice.path);
        notice.reason = self.apply(&notice.reason);
    }

    fn redact_fact(&self, kind: &mut crate::model::FactKind) {
        use crate::model::FactKind;
        match kind {
            FactKind::VssWriter(w) => w.last_error = self.apply(&w.last_error),
            FactKind::VssProvider(p) => p.name = self.apply(&p.name),
            FactKind::BackupStatement { text, .. } => *text = self.apply(text),
            FactKind::Mention { value, .. } => *value = self.apply(value),
            FactKind::Machine { value, .. } => *value = self.apply(value),
            _ => {}
        }
    }

    /// `text` with every gathered name replaced by its token (names match without case, as
    /// whole words).
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (original, token) in &self.pairs {
            out = replace_word(&out, original, token);
        }
        out
    }
}

#[derive(Debug, Default)]
struct Found {
    pairs: Vec<(String, String)>,
    counts: [usize; 5],
}

#[derive(Clone, Copy)]
enum Kind {
    Computer,
    Domain,
    User,
    Sid,
    Email,
}

impl Found {
    fn add(&mut self, kind: Kind, name: &str) {
        let name = name.trim();
        if name.chars().count() < 3 || self.pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return;
        }
        let (index, label) = match kind {
            Kind::Computer => (0, "COMPUTER"),
            Kind::Domain => (1, "DOMAIN"),
            Kind::User => (2, "USER"),
            Kind::Sid => (3, "SID"),
            Kind::Email => (4, "EMAIL"),
        };
        self.counts[index] += 1;
        self.pairs
            .push((name.to_string(), format!("{label}-{}", self.counts[index])));
    }

    /// A computer's full name, its short name, and its domain.
    fn computer(&mut self, full: &str) {
        self.add(Kind::Computer, full);
        if let Some((short, domain)) = full.split_once('.') {
            self.add(Kind::Computer, short);
            self.add(Kind::Domain, domain);
        }
    }

    /// User names in profile paths, account SIDs and e-mail addresses anywhere in `text`.
    fn scan(&mut self, text: &str) {
        for user in profile_users(text) {
            self.add(Kind::User, &user);
        }
        for sid in account_sids(text) {
            self.add(Kind::Sid, &sid);
        }
        for email in emails(text) {
            if let Some((local, domain)) = email.split_once('@') {
                self.add(Kind::Email, &email);
                self.add(Kind::User, local);
                if domain.contains('.') {
                    self.add(Kind::Domain, domain);
                }
            }
        }
    }
}

/// `NAME` in `...\Users\NAME\...` or `/Users/NAME/` (not the shared profiles).
fn profile_users(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for marker in ["\\users\\", "/users/"] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(marker) {
            let start = from + at + marker.len();
            let name: String = text[start..]
                .chars()
                .take_while(|c| !matches!(c, '\\' | '/' | '"' | '\'' | ' ' | ',' | ';' | ')' | '\r' | '\n'))
                .collect();
            if !name.is_empty() && !SHARED_PROFILES.contains(&name.to_ascii_lowercase().as_str()) {
                out.push(name);
            }
            from = start;
        }
    }
    out
}

/// Account SIDs: `S-1-5-21-...` (domain and local accounts); well-known SIDs are left alone.
fn account_sids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("S-1-5-21-") {
        let start = from + at;
        let sid: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-' || *c == 'S')
            .collect();
        let sid = sid.trim_end_matches('-').to_string();
        from = start + sid.len().max(1);
        out.push(sid);
    }
    out
}

/// E-mail addresses (`name@example.com`).
fn emails(text: &str) -> Vec<String> {
    let is_part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' {
            continue;
        }
        let start = (0..i).rev().take_while(|j| is_part(chars[*j])).last();
        let end = (i + 1..chars.len()).take_while(|j| is_part(chars[*j])).last();
        if let (Some(start), Some(end)) = (start, end) {
            let email: String = chars[start..=end].iter().collect();
            let email = email.trim_end_matches('.').to_string();
            if email.split('@').nth(1).is_some_and(|d| d.contains('.')) {
                out.push(email);
            }
        }
    }
    out
}

/// Replaces every whole-word occurrence of `original` (without case) by `token`.
fn replace_word(text: &str, original: &str, token: &str) -> String {
    let lower = text.to_lowercase();
    let needle = original.to_lowercase();
    if needle.is_empty() || lower.len() != text.len() {
        return text.replace(original, token);
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle) {
        let start = from + at;
        let end = start + needle.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !word(before) && !word(after) {
            out.push_str(&text[last..start]);
            out.push_str(token);
            last = end;
        }
        from = end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{account_sids, emails, profile_users, replace_word};

    #[test]
    fn names_are_found_where_windows_writes_them() {
        assert_eq!(
            profile_users(r"C:\Users\kuro\AppData\Local and C:\Users\Public\x"),
            ["kuro"]
        );
        assert_eq!(
            account_sids("S-1-5-18 then S-1-5-21-1004336348-1177238915-682003330-1001."),
            ["S-1-5-21-1004336348-1177238915-682003330-1001"]
        );
        assert_eq!(
            emails("mail taro.yamada@example.co.jp now"),
            ["taro.yamada@example.co.jp"]
        );
    }

    #[test]
    fn only_whole_words_are_replaced() {
        assert_eq!(
            replace_word("PC-KURO and pc-kuro2 in PC-KURO.", "pc-kuro", "COMPUTER-1"),
            "COMPUTER-1 and pc-kuro2 in COMPUTER-1."
        );
    }
}
