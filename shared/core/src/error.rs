//! Domain and storage errors. The `http` crate maps each [`DomainError`] variant to one
//! problem+json response in a single exhaustive match.

use std::collections::BTreeMap;

/// Failures of a storage adapter, in terms the domain can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or condition check failed (the thing exists, or changed under us).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backing store could not be reached or answered badly; retrying may help.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded: a bug or corruption, never the caller's fault.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}

/// Which header an API call must authenticate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHeader {
    ApiKey,
    ApiSecret,
}

impl KeyHeader {
    pub fn name(self) -> &'static str {
        match self {
            KeyHeader::ApiKey => "ApiKey",
            KeyHeader::ApiSecret => "ApiSecret",
        }
    }
    pub fn other(self) -> KeyHeader {
        match self {
            KeyHeader::ApiKey => KeyHeader::ApiSecret,
            KeyHeader::ApiSecret => KeyHeader::ApiKey,
        }
    }
}

/// Every way an operation can refuse a request. Titles are the contract's exact texts.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// 401: the key header is missing or not valid; `detail` is the contract's hint.
    #[error("unauthorized: {detail}")]
    Unauthorized { header: KeyHeader, detail: String },
    /// 403 `api_key_locked`.
    #[error("api key locked")]
    ApiKeyLocked,
    /// 403 `#forbidden`: the key lacks the scope.
    #[error("forbidden, scope {scope} required")]
    MissingScope { scope: &'static str },
    /// 400 validation problem: field (camelCase) → messages.
    #[error("validation failed")]
    Validation(BTreeMap<String, Vec<String>>),
    /// 400 with an `errorCode` (or none) and a title.
    #[error("{title}")]
    BadRequest { code: Option<&'static str>, title: String },
    /// 404 with an `errorCode` (or none) and a title.
    #[error("{title}")]
    NotFound { code: Option<&'static str>, title: String },
    /// 403 with an `errorCode` (or none): a feature is switched off, or a policy refuses.
    #[error("{title}")]
    Forbidden { code: Option<&'static str>, title: String },
    /// 429: a rate limit or quota; `retry_after` seconds until it may succeed.
    #[error("{title}")]
    TooManyRequests { code: Option<&'static str>, title: String, retry_after: u64 },
    /// 403 `expired_token`.
    #[error("token expired {seconds_ago} s ago")]
    ExpiredToken { seconds_ago: i64 },
    /// 400 `unknown_credential`, echoing the submitted id.
    #[error("unknown credential")]
    UnknownCredential { credential_id: String },
    /// 409 `alias_conflict`.
    #[error("alias conflict")]
    AliasConflict,
    /// 409 for an app id that is taken.
    #[error("app exists")]
    AppExists { app_id: String },
    /// 401 `#ManagementKey`: an admin route without a valid management key or admin session.
    #[error("management key or admin session required")]
    ManagementKeyRequired,
    /// 401 `invalid_admin_session`: the bearer admin session is unknown, expired or revoked.
    #[error("admin session refused: {detail}")]
    NotSignedIn { detail: String },
    /// 409 with an `errorCode`: the request conflicts with the current state.
    #[error("{title}")]
    Conflict { code: &'static str, title: String },
    /// 410 with an `errorCode`: the thing existed but can no longer be had.
    #[error("{title}")]
    Gone { code: &'static str, title: String },
    /// 503: a dependency is down; the request changed nothing and may be retried.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or corrupt data. The cause is logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn bad_request(code: &'static str, title: impl Into<String>) -> Self {
        DomainError::BadRequest { code: Some(code), title: title.into() }
    }
    pub fn bad_request_uncoded(title: impl Into<String>) -> Self {
        DomainError::BadRequest { code: None, title: title.into() }
    }
    /// One validation message for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = BTreeMap::new();
        errors.insert(field.to_string(), vec![message.into()]);
        DomainError::Validation(errors)
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => DomainError::Unavailable(m),
            StoreError::Conflict(m) | StoreError::Corrupt(m) => DomainError::Internal(m),
        }
    }
}

/// Humanises a drift the way the upstream server (Humanizer, precision 1) does: the largest
/// whole unit, floored ("10 seconds", "2 minutes", "1 day").
pub fn humanize_seconds(seconds: i64) -> String {
    let s = seconds.max(0);
    let (n, unit) = if s < 60 {
        (s, "second")
    } else if s < 3600 {
        (s / 60, "minute")
    } else if s < 86_400 {
        (s / 3600, "hour")
    } else {
        (s / 86_400, "day")
    };
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

#[cfg(test)]
mod tests {
    use super::humanize_seconds;

    #[test]
    fn humanizes_like_the_contract() {
        assert_eq!(humanize_seconds(10), "10 seconds");
        assert_eq!(humanize_seconds(1), "1 second");
        assert_eq!(humanize_seconds(0), "0 seconds");
        assert_eq!(humanize_seconds(130), "2 minutes");
        assert_eq!(humanize_seconds(7200), "2 hours");
        assert_eq!(humanize_seconds(86_400 * 3), "3 days");
    }
}
