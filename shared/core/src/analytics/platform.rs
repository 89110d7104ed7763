//! The platform of a ceremony, from the browser's `User-Agent` at begin.
//!
//! `ANALYTICS.md` defines five buckets: `ios`, `android`, `macos`, `windows` and `other`
//! (other = Linux, ChromeOS, FreeBSD, Windows Phone, BlackBerry and anything unrecognised).
//! [`classify`] also keeps a finer OS name ("iOS", "Windows Phone", "ChromeOS", …).
//!
//! The rule is a fixed list of case-sensitive substring markers, written as real browsers
//! write them, checked in this order; the first that matches wins:
//!
//! | marker | bucket | OS name |
//! |---|---|---|
//! | `Android` | android | Android |
//! | `iPhone`, `iPad` | ios | iOS |
//! | `Windows Phone` | other | Windows Phone |
//! | `Windows NT` | windows | Windows |
//! | `Macintosh` | macos | macOS |
//! | `CrOS` | other | ChromeOS |
//! | `Linux` | other | Linux |
//! | `FreeBSD` | other | FreeBSD |
//! | `BlackBerry`, `BB10` | other | BlackBerry |
//! | (none) | other | Unknown |
//!
//! What the order means:
//!
//! - Android UAs also contain `Linux` ("Linux; Android 14"); Android is checked first, so they
//!   are android, and only non-Android Linux UAs are Linux.
//! - Windows Phone 8.1 Update and Windows 10 Mobile UAs also contain `Android` (and 8.1 Update
//!   also "like iPhone OS"). Because Android is checked first, **those count as android**,
//!   not as Windows Phone. Only Windows Phone UAs without the `Android` and `iPhone` markers
//!   (e.g. Windows Phone 8.0's IE 10) reach the `Windows Phone` rule and count as other.
//! - iPadOS Safari (13+) asks for desktop sites by default and sends the same UA as Safari on
//!   a Mac (`Macintosh; Intel Mac OS X 10_15_7`); it counts as macos, as Passage counts it.
//!   The UA alone cannot tell them apart. Only iPad UAs that say `iPad` are ios.
//! - iPhone and iPad UAs say "like Mac OS X" but not `Macintosh`, so they never reach the
//!   macOS rule. The iPod touch says "CPU iPhone OS", so it is ios too.
//! - Chrome on Android in "desktop site" mode sends a Linux desktop UA and counts as Linux.
//!
//! A `User-Agent` is client-controlled: these numbers are statistics, never a security input.

use serde::{Deserialize, Serialize};

/// A dashboard platform bucket. Serialised as its lowercase [`name`](Platform::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Ios,
    Android,
    Macos,
    Windows,
    /// Linux, ChromeOS, FreeBSD, Windows Phone, BlackBerry and unknown.
    Other,
}

impl Platform {
    /// Every bucket, in the order the dashboard lists them.
    pub const ALL: [Platform; 5] =
        [Platform::Ios, Platform::Android, Platform::Macos, Platform::Windows, Platform::Other];

    /// The bucket's name in events, rollups and the dashboard API: "ios", "android", "macos",
    /// "windows" or "other".
    pub fn name(self) -> &'static str {
        match self {
            Platform::Ios => "ios",
            Platform::Android => "android",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
            Platform::Other => "other",
        }
    }
}

/// The OS name of a `User-Agent` that matches no marker (also of an empty one).
pub const UNKNOWN_OS: &str = "Unknown";

/// The rules of the module docs, in order: any of the markers → (bucket, OS name).
const RULES: &[(&[&str], Platform, &str)] = &[
    (&["Android"], Platform::Android, "Android"),
    (&["iPhone", "iPad"], Platform::Ios, "iOS"),
    (&["Windows Phone"], Platform::Other, "Windows Phone"),
    (&["Windows NT"], Platform::Windows, "Windows"),
    (&["Macintosh"], Platform::Macos, "macOS"),
    (&["CrOS"], Platform::Other, "ChromeOS"),
    (&["Linux"], Platform::Other, "Linux"),
    (&["FreeBSD"], Platform::Other, "FreeBSD"),
    (&["BlackBerry", "BB10"], Platform::Other, "BlackBerry"),
];

/// The platform bucket and the finer OS name of a browser's `User-Agent`.
///
/// The first rule (in the order of the module docs) with a marker contained in `user_agent`
/// decides; no match (an empty or unrecognised UA) gives `(Platform::Other, "Unknown")`.
pub fn classify(user_agent: &str) -> (Platform, &'static str) {
    RULES
        .iter()
        .find(|(markers, _, _)| markers.iter().any(|m| user_agent.contains(m)))
        .map_or((Platform::Other, UNKNOWN_OS), |&(_, platform, os)| (platform, os))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Platform::{Android, Ios, Macos, Other, Windows};

    /// Real `User-Agent` strings with the bucket and OS name expected, written out by hand.
    const CASES: &[(&str, Platform, &str)] = &[
        // Android
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/126.0.0.0 Mobile Safari/537.36",
            Android,
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) \
             SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
            Android,
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) \
             SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36",
            Android,
            "Android",
        ),
        (
            "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0",
            Android,
            "Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/126.0.0.0 Mobile Safari/537.36 EdgA/126.0.0.0",
            Android,
            "Android",
        ),
        // iOS and iPadOS (mobile UA)
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            Ios,
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
            Ios,
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15",
            Ios,
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) EdgiOS/126.0.2592.56 Mobile/15E148 Safari/605.1.15",
            Ios,
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1",
            Ios,
            "iOS",
        ),
        (
            "Mozilla/5.0 (iPod touch; CPU iPhone OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1",
            Ios,
            "iOS",
        ),
        // iPadOS 13+ Safari in its default desktop mode: the Mac Safari UA, so macOS.
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            Macos,
            "macOS",
        ),
        // macOS
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
            Macos,
            "macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
             (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
            Macos,
            "macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
            Macos,
            "macOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
             (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            Macos,
            "macOS",
        ),
        // Windows
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/126.0.0.0 Safari/537.36",
            Windows,
            "Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            Windows,
            "Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
            Windows,
            "Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
            Windows,
            "Windows",
        ),
        // ChromeOS, Linux, FreeBSD
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/126.0.0.0 Safari/537.36",
            Other,
            "ChromeOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/126.0.0.0 Safari/537.36",
            Other,
            "Linux",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            Other,
            "Linux",
        ),
        (
            "Mozilla/5.0 (X11; FreeBSD amd64; rv:127.0) Gecko/20100101 Firefox/127.0",
            Other,
            "FreeBSD",
        ),
        // Windows Phone: only a UA without "Android"/"iPhone" reaches the Windows Phone rule.
        (
            "Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; \
             ARM; Touch; NOKIA; Lumia 920)",
            Other,
            "Windows Phone",
        ),
        // Windows 10 Mobile and Windows Phone 8.1 Update say "Android": android, by the order.
        (
            "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) \
             AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 \
             Edge/15.15063",
            Android,
            "Android",
        ),
        (
            "Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; \
             rv:11.0; IEMobile/11.0; NOKIA; Lumia 635) like iPhone OS 7_0_3 Mac OS X \
             AppleWebKit/537 (KHTML, like Gecko) Mobile Safari/537",
            Android,
            "Android",
        ),
        // BlackBerry
        (
            "Mozilla/5.0 (BlackBerry; U; BlackBerry 9900; en) AppleWebKit/534.11+ \
             (KHTML, like Gecko) Version/7.1.0.346 Mobile Safari/534.11+",
            Other,
            "BlackBerry",
        ),
        (
            "Mozilla/5.0 (BB10; Touch) AppleWebKit/537.10+ (KHTML, like Gecko) \
             Version/10.0.9.2372 Mobile Safari/537.10+",
            Other,
            "BlackBerry",
        ),
        // Empty, garbage, non-browsers, wrong case.
        ("", Other, "Unknown"),
        ("Mozilla/5.0", Other, "Unknown"),
        ("curl/8.5.0", Other, "Unknown"),
        ("not a user agent \u{0} \u{fffd} 🦀", Other, "Unknown"),
        ("mozilla/5.0 (linux; android 14) iphone macintosh windows nt", Other, "Unknown"),
    ];

    #[test]
    fn classifies_real_user_agents() {
        assert!(CASES.len() >= 20);
        for &(ua, platform, os) in CASES {
            assert_eq!(classify(ua), (platform, os), "{ua}");
        }
    }

    #[test]
    fn order_decides_between_markers() {
        // "Linux" alone is Linux; with "Android" it is Android.
        assert_eq!(classify("(Linux)"), (Other, "Linux"));
        assert_eq!(classify("(Linux; Android)"), (Android, "Android"));
        // "Windows Phone" before "Windows NT"; "Windows NT" before "Macintosh".
        assert_eq!(classify("Windows Phone; Windows NT"), (Other, "Windows Phone"));
        assert_eq!(classify("Windows NT; Macintosh"), (Windows, "Windows"));
        // "CrOS" before "Linux".
        assert_eq!(classify("X11; CrOS; Linux"), (Other, "ChromeOS"));
        // "iPad" before "Macintosh".
        assert_eq!(classify("iPad; Macintosh"), (Ios, "iOS"));
    }

    #[test]
    fn names_match_serde() {
        let expected = ["ios", "android", "macos", "windows", "other"];
        for (platform, name) in Platform::ALL.into_iter().zip(expected) {
            assert_eq!(platform.name(), name);
            let json = serde_json::to_string(&platform).expect("serialises");
            assert_eq!(json, format!("\"{name}\""));
            let back: Platform = serde_json::from_str(&json).expect("deserialises");
            assert_eq!(back, platform);
        }
        assert!(serde_json::from_str::<Platform>("\"Ios\"").is_err());
    }
}
