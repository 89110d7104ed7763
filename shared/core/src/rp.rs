//! The relying party of one request: its RP ID and origin, validated together.
//!
//! Security: the RP ID and origin come from the caller on every request, so we check that they
//! belong together before any challenge is issued. The origin's host must be the RP ID or a
//! subdomain of it (what browsers enforce for `navigator.credentials`); plain http is only
//! allowed for `localhost` and `*.localhost`, the only plain-http hosts browsers give WebAuthn.

use crate::error::DomainError;
use std::net::IpAddr;
use url::Url;

/// A validated (RP ID, origin) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct RelyingParty {
    /// Lower-cased RP ID.
    pub rp_id: String,
    /// The origin as the browser serialises it (`scheme://host[:port]`).
    pub origin: String,
    pub origin_url: Url,
}

/// Longest RP ID or origin accepted (a DNS name is at most 253 bytes; an origin adds scheme
/// and port). Longer values are refused before anything echoes them.
pub const MAX_RP_FIELD_BYTES: usize = 512;

/// The longest DNS name.
const MAX_HOST_BYTES: usize = 253;

fn invalid(title: String) -> DomainError {
    DomainError::bad_request("invalid_origin", title)
}

/// Validates the RPID / Origin members of a browser request.
pub fn validate(rp_id: Option<&str>, origin: Option<&str>) -> Result<RelyingParty, DomainError> {
    let origin = origin.map(str::trim).unwrap_or_default();
    if origin.is_empty() {
        return Err(DomainError::bad_request_uncoded("Origin is required."));
    }
    let rp_id = rp_id.map(str::trim).unwrap_or_default().to_ascii_lowercase();
    if rp_id.is_empty() {
        return Err(DomainError::bad_request_uncoded("RPID is required."));
    }
    if origin.len() > MAX_RP_FIELD_BYTES || rp_id.len() > MAX_RP_FIELD_BYTES {
        return Err(invalid(format!(
            "The Origin and RPID must each be at most {MAX_RP_FIELD_BYTES} bytes."
        )));
    }
    let valid_rp_id = rp_id.parse::<IpAddr>().is_err()
        && !rp_id.starts_with('.')
        && !rp_id.ends_with('.')
        && rp_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !valid_rp_id {
        return Err(invalid(format!(
            "The RPID '{rp_id}' is not valid: it must be a domain name such as 'example.com'."
        )));
    }
    let url = Url::parse(origin)
        .map_err(|_| invalid(format!("The Origin '{origin}' is not a valid URL.")))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let within_rp = host == rp_id || host.ends_with(&format!(".{rp_id}"));
    let is_localhost = host == "localhost" || host.ends_with(".localhost");
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => is_localhost,
        _ => false,
    };
    if !within_rp || !scheme_ok {
        return Err(invalid(format!(
            "The Origin '{origin}' is not valid for the RPID '{rp_id}': its host must be the RPID or a subdomain of it, over https (http only for localhost)."
        )));
    }
    let serialized = url.origin().ascii_serialization();
    // IDNA turns non-ASCII labels into longer punycode, so the bound is checked again on what
    // is kept and echoed (a DNS name is at most 253 bytes anyway).
    if host.len() > MAX_HOST_BYTES || serialized.len() > MAX_RP_FIELD_BYTES {
        return Err(invalid(format!(
            "The Origin's host must be at most {MAX_HOST_BYTES} bytes once encoded."
        )));
    }
    Ok(RelyingParty { rp_id, origin: serialized, origin_url: url })
}

#[cfg(test)]
mod tests {
    use super::validate;

    fn ok(rp: &str, origin: &str) -> bool {
        validate(Some(rp), Some(origin)).is_ok()
    }

    #[test]
    fn origin_must_sit_under_the_rp_id() {
        assert!(ok("example.com", "https://example.com"));
        assert!(ok("example.com", "https://app.example.com"));
        assert!(ok("example.com", "https://app.example.com:8443"));
        assert!(ok("localhost", "http://localhost:5173"));
        assert!(ok("app.localhost", "http://app.localhost:3000"));
        assert!(!ok("example.com", "https://evil.com"));
        assert!(!ok("example.com", "https://notexample.com"));
        assert!(!ok("app.example.com", "https://example.com"));
        assert!(!ok("example.com", "http://example.com"));
        assert!(!ok("127.0.0.1", "http://127.0.0.1:8080"));
        assert!(!ok("example.com", "ftp://example.com"));
        assert!(!ok("example.com", "not a url"));
        // Found by fuzzing: 511 bytes that IDNA grows to 1,331 (fuzz/crashes/rp).
        let long = format!("https://{}example.com", "ü.".repeat(164));
        assert!(long.len() <= super::MAX_RP_FIELD_BYTES);
        assert!(!ok("example.com", &long));
    }

    #[test]
    fn missing_origin_has_the_contract_title() {
        let err = validate(Some("example.com"), None).err();
        assert!(
            matches!(err, Some(crate::DomainError::BadRequest { code: None, ref title }) if title == "Origin is required.")
        );
    }

    #[test]
    fn origin_is_normalised() {
        let rp = validate(Some("Example.COM"), Some("https://App.Example.com/path")).ok();
        assert_eq!(
            rp.map(|r| (r.rp_id, r.origin)),
            Some(("example.com".into(), "https://app.example.com".into()))
        );
    }
}
