//! Request bodies as the upstream server reads them: member names match case-insensitively,
//! numbers are accepted where strings are expected, unknown members are ignored. Bodies that
//! cannot be read become 400/413 problems naming the field where there is one.

use crate::problem::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Deepest nesting of arrays/objects accepted (the contract's limit).
const MAX_DEPTH: usize = 64;

/// A JSON request body, deserialised into `T` whose fields are named in lowercase.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::MalformedBody { detail: rejection.body_text() }
            }
        })?;
        parse(&bytes).map(Body)
    }
}

/// Path parameters; a segment that does not decode is a 400 problem like any bad input
/// (axum's own rejection would be plain text).
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Params(p.0))
            .map_err(|_| {
                ApiError::Domain(ferrokey_core::DomainError::bad_request_uncoded(
                    "A path segment of this URL is not valid.",
                ))
            })
    }
}

/// GET query parameters, read like bodies: names match case-insensitively (the Node SDK sends
/// `?userid=`), every value is a string, unknown names are ignored.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let mut map = Map::new();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            // The first of repeated names wins, as ASP.NET binds a single value.
            map.entry(name.to_lowercase()).or_insert(Value::String(value.into_owned()));
        }
        serde_path_to_error::deserialize(Value::Object(map)).map(Query).map_err(|e| {
            let path = e.path().to_string();
            ApiError::WrongType {
                field: camel_path(&path),
                message: bounded(&e.into_inner().to_string()),
            }
        })
    }
}

/// Parses a body: UTF-8, depth-limited JSON object, keys lower-cased, then typed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::MalformedBody { detail: "The body is not valid UTF-8.".into() })?;
    let value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        if too_deep(text) {
            return Err(ApiError::MalformedBody {
                detail: format!("The JSON is nested deeper than {MAX_DEPTH} levels."),
            });
        }
        serde_json::from_str::<Value>(text)
            .map_err(|e| ApiError::MalformedBody { detail: e.to_string() })?
    };
    if !value.is_object() {
        return Err(ApiError::MalformedBody { detail: "The body must be a JSON object.".into() });
    }
    serde_path_to_error::deserialize(lowercase_keys(value)).map_err(|e| {
        let path = e.path().to_string();
        ApiError::WrongType {
            field: camel_path(&path),
            message: bounded(&e.into_inner().to_string()),
        }
    })
}

/// Longest error message passed on: serde's messages quote the offending value, which may be
/// most of a megabyte.
const MAX_MESSAGE_CHARS: usize = 200;

fn bounded(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{cut}…")
}

/// Nesting depth check on the raw text, before any recursive parser sees it.
fn too_deep(text: &str) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn lowercase_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter().map(|(k, v)| (k.to_lowercase(), lowercase_keys(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

/// Field names as the contract spells them in validation problems.
const CAMEL: [(&str, &str); 27] = [
    ("userverificationrequirement", "userVerificationRequirement"),
    ("performedby", "performedBy"),
    ("eventloggingretentionperiod", "eventLoggingRetentionPeriod"),
    ("enablemanuallygeneratedauthenticationtokens", "enableManuallyGeneratedAuthenticationTokens"),
    ("enablemagiclinks", "enableMagicLinks"),
    ("pagenumber", "pageNumber"),
    ("numberofresults", "numberOfResults"),
    ("emailaddress", "emailAddress"),
    ("urltemplate", "urlTemplate"),
    ("userid", "userId"),
    ("displayname", "displayName"),
    ("authenticatortype", "authenticatorType"),
    ("userverification", "userVerification"),
    ("aliashashing", "aliasHashing"),
    ("expiresat", "expiresAt"),
    ("rpid", "RPID"),
    ("origin", "Origin"),
    ("rawid", "rawId"),
    ("clientextensionresults", "clientExtensionResults"),
    ("attestationobject", "attestationObject"),
    ("clientdatajson", "clientDataJSON"),
    ("authenticatordata", "authenticatorData"),
    ("userhandle", "userHandle"),
    ("credprops", "credProps"),
    ("timetolive", "timeToLive"),
    ("credentialid", "credentialId"),
    ("authenticatorattachment", "authenticatorAttachment"),
];

/// `response.response.clientdatajson` → `response.response.clientDataJSON`.
pub fn camel_path(path: &str) -> String {
    path.split('.')
        .map(|seg| CAMEL.iter().find(|(l, _)| *l == seg).map(|(_, c)| *c).unwrap_or(seg))
        .collect::<Vec<_>>()
        .join(".")
}

/// A string member that also accepts a JSON number (as its decimal text) or null.
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Option::<Lenient>::deserialize(d)? {
        None => None,
        Some(Lenient::S(s)) => Some(s),
        Some(Lenient::N(n)) => Some(n.to_string()),
    })
}

/// A list of strings that also accepts numbers (each as its decimal text) or null.
pub fn lenient_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    struct Item(#[serde(deserialize_with = "lenient_string")] Option<String>);
    Ok(Option::<Vec<Item>>::deserialize(d)?
        .map(|items| items.into_iter().map(|i| i.0.unwrap_or_default()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "lenient_string")]
        userid: Option<String>,
        #[serde(default)]
        discoverable: Option<bool>,
    }

    #[test]
    fn keys_are_case_insensitive_and_numbers_become_strings() {
        let s: Sample = parse(br#"{"UserId": 123, "DISCOVERABLE": false, "extra": 1}"#).unwrap();
        assert_eq!(s.userid.as_deref(), Some("123"));
        assert_eq!(s.discoverable, Some(false));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let err = parse::<Sample>(br#"{"userId": {"a": 1}}"#).unwrap_err();
        assert!(matches!(err, ApiError::WrongType { ref field, .. } if field == "userId"));
        let err = parse::<Sample>(br#"{"discoverable": "yes"}"#).unwrap_err();
        assert!(matches!(err, ApiError::WrongType { ref field, .. } if field == "discoverable"));
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(matches!(parse::<Sample>(b"{not json"), Err(ApiError::MalformedBody { .. })));
        assert!(matches!(parse::<Sample>(b"[1,2]"), Err(ApiError::MalformedBody { .. })));
        assert!(matches!(parse::<Sample>(&[0xff, 0xfe]), Err(ApiError::MalformedBody { .. })));
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(70), "]".repeat(70));
        assert!(matches!(parse::<Sample>(deep.as_bytes()), Err(ApiError::MalformedBody { .. })));
        let brackets_in_strings = format!("{{\"userId\": \"{}\"}}", "[".repeat(100));
        assert!(parse::<Sample>(brackets_in_strings.as_bytes()).is_ok());
    }
}
