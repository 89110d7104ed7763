//! Fuzzes the browser- and backend-facing JSON body parser, `ferrokey_http::json::parse`, into
//! the real body types, then the conversions the handlers run next:
//!
//! - `BrowserBody` → `dto::credential(body.response)` → `.into_registration()` (as
//!   `/register/complete` does) and `.into_assertion()` (as `/signin/complete` does), which
//!   decode the WebAuthn fields with the strict base64url engine;
//! - `RegisterTokenBody` → `.into_input()` (as `/register/token` does), which parses `expiresAt`.
//!
//! Why: every byte here comes from an untrusted client before any authentication of the
//! payload, and the design's rule is "bad input gets a 4xx, never a panic, never a 5xx".
//!
//! Invariants checked: no panic; every refusal maps (via `problem::describe`) to a 4xx; a body
//! that parses is valid UTF-8 and is blank or a JSON object; every accepted base64url field
//! re-encodes to exactly its input (minus trailing `=`), so `+`, `/` and non-canonical
//! trailing bits are refused; `expires_at` is set exactly when `expiresAt` was non-empty.
#![no_main]

#[path = "../checks/json_body.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
