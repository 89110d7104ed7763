//! The UN M49 region of a country, for the dashboard's map and tables.
//!
//! A ceremony's country is the ISO 3166-1 alpha-2 code from the trusted geo header
//! (`CloudFront-Viewer-Country`, `CF-IPCountry`), `""` when unknown. [`region_of`] maps it to
//! the UN M49 region ("Americas"), sub-region ("Latin America and the Caribbean") and, where
//! M49 has one, intermediate region ("Central America"), with M49's English names.
//!
//! The table is data, not code: `shared/core/data/m49.json` (sources, licences, hand-added
//! entries and how to regenerate it are in `M49-README.md` next to it), embedded at compile
//! time and parsed once on first use. It holds every country or area that M49 places in a
//! region, plus Taiwan (TW → Asia / Eastern Asia) and Kosovo (XK → Europe / Southern Europe),
//! which M49 does not list and which were added by hand. Antarctica (AQ) has no M49 region
//! and is not in the table.
//!
//! A country without a region (`""`, unknown codes, Cloudflare's `XX` and `T1`, AQ) gives
//! `None`; the dashboard shows it as [`UNKNOWN`].

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// What the dashboard shows for the region (and sub-region) of a country [`region_of`]
/// does not know.
pub const UNKNOWN: &str = "Unknown";

/// The embedded table: a JSON object of uppercase alpha-2 code → [`Entry`].
const TABLE_JSON: &str = include_str!("../../data/m49.json");

/// Where a country sits in UN M49.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    /// The M49 region: "Africa", "Americas", "Asia", "Europe" or "Oceania".
    pub region: &'static str,
    /// The M49 sub-region, e.g. "Northern America", "Sub-Saharan Africa".
    pub sub_region: &'static str,
    /// The M49 intermediate region, where there is one, e.g. "Central America",
    /// "Western Africa".
    pub intermediate: Option<&'static str>,
}

/// The region of `country`, an ISO 3166-1 alpha-2 code in any letter case.
///
/// `""`, anything that is not two ASCII letters, and codes not in the table give `None`.
pub fn region_of(country: &str) -> Option<Region> {
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let entry = table().get(&country.to_ascii_uppercase())?;
    Some(Region {
        region: &entry.region,
        sub_region: &entry.sub_region,
        intermediate: entry.intermediate_region.as_deref(),
    })
}

/// One value of `m49.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Entry {
    region: String,
    sub_region: String,
    intermediate_region: Option<String>,
}

/// The parsed table. A file that fails to parse yields an empty table (every lookup is
/// `None`); the unit tests below guarantee the embedded one parses.
fn table() -> &'static HashMap<String, Entry> {
    static TABLE: OnceLock<HashMap<String, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| parse(TABLE_JSON).unwrap_or_default())
}

fn parse(json: &str) -> Option<HashMap<String, Entry>> {
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(region: &'static str, sub_region: &'static str) -> Option<Region> {
        Some(Region { region, sub_region, intermediate: None })
    }

    fn with_intermediate(
        region: &'static str,
        sub_region: &'static str,
        intermediate: &'static str,
    ) -> Option<Region> {
        Some(Region { region, sub_region, intermediate: Some(intermediate) })
    }

    #[test]
    fn embedded_table_parses_and_is_well_formed() {
        let table = parse(TABLE_JSON).expect("data/m49.json must parse");
        assert!(table.len() >= 240, "only {} entries", table.len());
        let regions = ["Africa", "Americas", "Asia", "Europe", "Oceania"];
        for (key, entry) in &table {
            assert!(
                key.len() == 2 && key.bytes().all(|b| b.is_ascii_uppercase()),
                "key not two uppercase letters: {key:?}"
            );
            assert!(regions.contains(&entry.region.as_str()), "{key}: {entry:?}");
            assert!(!entry.sub_region.trim().is_empty(), "{key}: {entry:?}");
            assert_eq!(entry.sub_region, entry.sub_region.trim(), "{key}");
            if let Some(intermediate) = &entry.intermediate_region {
                assert!(!intermediate.trim().is_empty(), "{key}: {entry:?}");
                assert_eq!(intermediate, intermediate.trim(), "{key}");
            }
        }
        // The lazily built table is the same one.
        assert_eq!(super::table().len(), table.len());
    }

    #[test]
    fn known_countries() {
        assert_eq!(region_of("US"), region("Americas", "Northern America"));
        assert_eq!(
            region_of("MX"),
            with_intermediate("Americas", "Latin America and the Caribbean", "Central America")
        );
        assert_eq!(region_of("SE"), region("Europe", "Northern Europe"));
        assert_eq!(
            region_of("BR"),
            with_intermediate("Americas", "Latin America and the Caribbean", "South America")
        );
        assert_eq!(
            region_of("NG"),
            with_intermediate("Africa", "Sub-Saharan Africa", "Western Africa")
        );
        assert_eq!(region_of("JP"), region("Asia", "Eastern Asia"));
        assert_eq!(region_of("AU"), region("Oceania", "Australia and New Zealand"));
    }

    #[test]
    fn hand_added_countries() {
        assert_eq!(region_of("TW"), region("Asia", "Eastern Asia"));
        assert_eq!(region_of("XK"), region("Europe", "Southern Europe"));
    }

    #[test]
    fn lookup_ignores_letter_case() {
        assert_eq!(region_of("us"), region("Americas", "Northern America"));
        assert_eq!(region_of("Se"), region("Europe", "Northern Europe"));
        assert_eq!(region_of("xK"), region("Europe", "Southern Europe"));
    }

    #[test]
    fn unknown_or_malformed_gives_none() {
        assert_eq!(region_of(""), None);
        assert_eq!(region_of("ZZ"), None);
        // Cloudflare's "unknown" and "Tor".
        assert_eq!(region_of("XX"), None);
        assert_eq!(region_of("T1"), None);
        // Antarctica: in M49 but in no region.
        assert_eq!(region_of("AQ"), None);
        assert_eq!(region_of("USA"), None);
        assert_eq!(region_of("U"), None);
        assert_eq!(region_of(" US"), None);
        assert_eq!(region_of("840"), None);
        assert_eq!(region_of("ÜS"), None);
    }

    #[test]
    fn unparsable_table_gives_no_entries() {
        assert!(parse("not json").is_none());
        assert!(parse(r#"{"US": {"region": "Americas"}}"#).is_none());
        assert_eq!(parse("{}").map(|t| t.len()), Some(0));
    }
}
