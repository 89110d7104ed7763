//! A short device description from a User-Agent, as the upstream server stores it:
//! `"<browser family>, <OS family> <OS major>"`, e.g. `"Chrome, Mac OS X 10"`.
//!
//! Only the families the upstream parser reports for the browsers that run WebAuthn are
//! recognised; anything else is `"Other"`.

/// Describes the device behind a User-Agent header.
pub fn describe(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    format!("{}, {}", browser(ua), os(ua))
}

fn browser(ua: &str) -> &'static str {
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
    const FAMILIES: [(&str, &str); 9] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox iOS"),
        ("CriOS/", "Chrome Mobile iOS"),
        ("HeadlessChrome/", "HeadlessChrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    let family = FAMILIES.iter().find(|(marker, _)| ua.contains(marker)).map(|(_, f)| *f);
    match family {
        Some("Chrome") if ua.contains("Mobile") => "Chrome Mobile",
        Some("Safari") if ua.contains("Mobile") => "Mobile Safari",
        Some(f) => f,
        None => "Other",
    }
}

/// The first run of digits after `marker`.
fn major_after(ua: &str, marker: &str) -> Option<String> {
    let rest = &ua[ua.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

fn os(ua: &str) -> String {
    let with_major = |family: &str, marker: &str| match major_after(ua, marker) {
        Some(major) => format!("{family} {major}"),
        None => family.to_string(),
    };
    if ua.contains("Android") {
        with_major("Android", "Android ")
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        with_major("iOS", "OS ")
    } else if ua.contains("Windows NT 10") {
        "Windows 10".to_string()
    } else if ua.contains("Windows") {
        "Windows".to_string()
    } else if ua.contains("Macintosh") {
        with_major("Mac OS X", "Mac OS X ")
    } else if ua.contains("CrOS") {
        "Chrome OS".to_string()
    } else if ua.contains("Linux") {
        "Linux".to_string()
    } else {
        "Other".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_browsers() {
        let mac_chrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(describe(Some(mac_chrome)), "Chrome, Mac OS X 10");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(Some(iphone)), "Mobile Safari, iOS 17");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0";
        assert_eq!(describe(Some(edge)), "Edge, Windows 10");
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
        assert_eq!(describe(Some(android)), "Chrome Mobile, Android 14");
        assert_eq!(describe(None), "Other, Other");
        assert_eq!(describe(Some("python-requests/2.31")), "Other, Other");
    }
}
