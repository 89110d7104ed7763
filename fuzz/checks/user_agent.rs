//! The checks of the `user_agent` fuzz target, shared by `fuzz_targets/user_agent.rs` (libFuzzer) and the
//! stable replay test `tests/it/fuzz_replay.rs`.
//!
//! Also checks the analytics platform classifier (`analytics::platform::classify`) on the
//! same input.
//!
//! Fuzzes `ferrokey_core::device::describe(Some(&s))`, which turns a User-Agent header into
//! the stored `"<browser>, <OS> [major]"` device text, on arbitrary UTF-8.
//!
//! Why: the header is fully client-controlled and `describe` slices it at the position of a
//! marker it finds (`major_after`), so non-ASCII text around the markers must not panic.
//!
//! Invariants checked: no panic; the output contains ", " and is `<family>, <os>` where the
//! family is one of the known browser families or "Other", and the OS is a known family
//! optionally followed by a space and ASCII digits that occur in the input; the output is
//! deterministic.
use ferrokey_core::analytics::platform::{Platform, classify};
use ferrokey_core::device::describe;

const BROWSERS: [&str; 12] = [
    "Edge",
    "Opera",
    "Samsung Internet",
    "Firefox",
    "Firefox iOS",
    "Chrome Mobile iOS",
    "HeadlessChrome",
    "Chrome",
    "Chrome Mobile",
    "Safari",
    "Mobile Safari",
    "Other",
];
const OSES: [&str; 8] =
    ["Android", "iOS", "Windows 10", "Windows", "Mac OS X", "Chrome OS", "Linux", "Other"];

/// The target's body: checks one input (libFuzzer hands the target UTF-8 only, as here).
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let out = describe(Some(s));
    assert!(out.contains(", "), "{out:?}");
    let (browser, os) = out.split_once(", ").expect("contains ', '");
    assert!(BROWSERS.contains(&browser), "unknown browser family {browser:?} for {s:?}");
    let known = OSES.contains(&os)
        || os.rsplit_once(' ').is_some_and(|(family, major)| {
            ["Android", "iOS", "Mac OS X"].contains(&family)
                && !major.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && s.contains(major)
        });
    assert!(known, "unexpected OS text {os:?} for {s:?}");
    assert_eq!(describe(Some(s)), out);

    // The analytics classifier (ANALYTICS.md's platform buckets): a bucket and an OS name
    // that agree, deterministically.
    let (platform, os) = classify(s);
    let expected = match os {
        "iOS" => Platform::Ios,
        "Android" => Platform::Android,
        "macOS" => Platform::Macos,
        "Windows" => Platform::Windows,
        _ => Platform::Other,
    };
    assert_eq!(platform, expected, "{os:?} in bucket {platform:?} for {s:?}");
    assert_eq!(classify(s), (platform, os));
}
