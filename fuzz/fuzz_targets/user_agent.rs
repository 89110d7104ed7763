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

#[path = "../checks/user_agent.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check(data));
