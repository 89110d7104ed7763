//! Passkey provider names by AAGUID, for naming credentials in account UIs.
//!
//! An authenticator reports its AAGUID when a credential is registered; this module turns
//! the well-known ones ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4") into the provider name a
//! person recognises ("Google Password Manager"). The table is data, not code: it lives in
//! `shared/core/data/aaguids.json` (source, licence and how to refresh it are in the README
//! next to it) and is embedded at compile time, parsed once on first use.
//!
//! The names are community-sourced and only meant for display. Never base a security
//! decision on them: an AAGUID is self-reported and, without attestation, anyone can claim
//! any value.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The embedded table: a JSON object of lowercase hyphenated AAGUID -> provider name.
const TABLE_JSON: &str = include_str!("../data/aaguids.json");

/// Sixteen zero bytes: what an authenticator that does not identify itself reports, and what
/// a client may substitute under `none` attestation. Never a provider.
const ZERO_AAGUID: &str = "00000000-0000-0000-0000-000000000000";

/// The provider name for `aaguid`, if it is in the table.
///
/// Accepts the hyphenated form (`8-4-4-4-12` hex digits) in any letter case; anything
/// else, the all-zero AAGUID and unknown AAGUIDs give `None`.
pub fn provider_name(aaguid: &str) -> Option<&'static str> {
    if !is_hyphenated_uuid(aaguid) {
        return None;
    }
    let key = aaguid.to_ascii_lowercase();
    if key == ZERO_AAGUID {
        return None;
    }
    table().get(&key).map(String::as_str)
}

/// The parsed table. A file that fails to parse yields an empty table (every lookup is
/// `None`); the unit tests below guarantee the embedded one parses.
fn table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| parse(TABLE_JSON).unwrap_or_default())
}

fn parse(json: &str) -> Option<HashMap<String, String>> {
    serde_json::from_str(json).ok()
}

/// `s` is 36 characters: hex digits with hyphens at positions 8, 13, 18 and 23.
fn is_hyphenated_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_and_is_well_formed() {
        let table = parse(TABLE_JSON).expect("data/aaguids.json must be a JSON object of strings");
        assert!(table.len() > 20, "only {} entries", table.len());
        for (key, name) in &table {
            assert!(is_hyphenated_uuid(key), "not a hyphenated UUID: {key:?}");
            assert_eq!(key, &key.to_ascii_lowercase(), "key not lowercase: {key:?}");
            assert!(!name.trim().is_empty(), "empty name for {key}");
            assert_eq!(name, name.trim(), "name with surrounding space for {key}");
        }
        assert!(!table.contains_key(ZERO_AAGUID));
        // The lazily built table is the same one.
        assert_eq!(super::table().len(), table.len());
    }

    #[test]
    fn known_providers() {
        let cases = [
            ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager"),
            ("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "Apple Passwords"),
            ("dd4ec289-e01d-41c9-bb89-70fa845d4bf2", "iCloud Keychain (Managed)"),
            ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"),
            ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello"),
            ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello"),
            ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password"),
            ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"),
            ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane"),
            ("53414d53-554e-4700-0000-000000000000", "Samsung Pass"),
            ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac"),
            ("fdb141b2-5d84-443e-8a35-4698c205a502", "KeePassXC"),
            ("50726f74-6f6e-5061-7373-50726f746f6e", "Proton Pass"),
            ("b84e4048-15dc-4dd0-8640-f4f60813c8af", "NordPass"),
            ("b5397666-4885-aa6b-cebf-e52262a439a2", "Chromium Browser"),
            ("f3809540-7f14-49c1-a8b3-8f813b225541", "Enpass"),
        ];
        for (aaguid, name) in cases {
            assert_eq!(provider_name(aaguid), Some(name), "{aaguid}");
        }
    }

    #[test]
    fn lookup_ignores_letter_case() {
        assert_eq!(
            provider_name("EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4"),
            Some("Google Password Manager")
        );
        assert_eq!(provider_name("Bada5566-A7aa-401F-bd96-45619A55120d"), Some("1Password"));
    }

    #[test]
    fn unknown_or_malformed_gives_none() {
        assert_eq!(provider_name("12345678-1234-1234-1234-123456789abc"), None);
        assert_eq!(provider_name(""), None);
        assert_eq!(provider_name("not an aaguid"), None);
        // Only the hyphenated form is accepted.
        assert_eq!(provider_name("ea9b8d664d011d213ce4b6b48cb575d4"), None);
        assert_eq!(provider_name("{ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4}"), None);
        assert_eq!(provider_name(" ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), None);
        assert_eq!(provider_name("ea9b8d66-4d01-1d21-3ce4-b6b48cb575dg"), None);
        assert_eq!(provider_name("ea9b8d66_4d01-1d21-3ce4-b6b48cb575d4"), None);
    }

    #[test]
    fn zero_aaguid_gives_none() {
        assert_eq!(provider_name(ZERO_AAGUID), None);
        assert_eq!(provider_name("00000000-0000-0000-0000-000000000000"), None);
    }

    #[test]
    fn unparsable_table_gives_no_entries() {
        assert!(parse("not json").is_none());
        assert!(parse(r#"{"a": 1}"#).is_none());
        assert_eq!(parse("{}").map(|t| t.len()), Some(0));
    }
}
