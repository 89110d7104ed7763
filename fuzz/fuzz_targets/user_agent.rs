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
#![no_main]

use ferrokey_core::device::describe;
use libfuzzer_sys::fuzz_target;

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

fuzz_target!(|s: &str| {
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
});
