//! The 65599 string hash of MS-EVEN6, used by chunk string and template tables.

/// `h = h * 65599 + u` over UTF-16 code units (wrapping), as a 32-bit value.
pub fn hash65599(units: impl IntoIterator<Item = u16>) -> u32 {
    units
        .into_iter()
        .fold(0u32, |h, u| h.wrapping_mul(65599).wrapping_add(u32::from(u)))
}

/// The 16-bit hash stored in a name structure.
pub fn name_hash(name: &str) -> u16 {
    (hash65599(name.encode_utf16()) & 0xffff) as u16
}

#[cfg(test)]
mod tests {
    use super::name_hash;

    #[test]
    fn hashes_match_the_values_windows_writes() {
        // Values read off real Windows chunks (see the format notes): Event, System, Provider, Name.
        assert_eq!(name_hash("Event"), 0x0cba);
        assert_eq!(name_hash("System"), 0x546f);
        assert_eq!(name_hash("Provider"), 0x7bf1);
        assert_eq!(name_hash("Name"), 0x954b);
        assert_eq!(name_hash("Data"), 0x6f8a);
        assert_eq!(name_hash("EventData"), 0x8244);
    }
}
