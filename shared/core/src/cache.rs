//! A small in-process cache with a time-to-live, for lookups a warm host may repeat without a
//! storage round trip (on DynamoDB each one is latency and money): API keys, authentication
//! configurations. With a zero TTL nothing is cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bound on entries; the cache is simply emptied when full.
const CAPACITY: usize = 10_000;

#[derive(Debug)]
pub struct TtlCache<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (V, Instant)>>,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl: Duration) -> Self {
        TtlCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// The cached value, if it is younger than the TTL.
    pub fn get(&self, key: &str) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let (value, at) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    pub fn put(&self, key: &str, value: &V) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key.to_string(), (value.clone(), Instant::now()));
        }
    }

    /// Forgets everything (an app was deleted: its keys are gone).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// Forgets `key`, so this host sees its own change at once.
    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TtlCache;
    use std::time::Duration;

    #[test]
    fn values_expire_and_zero_ttl_caches_nothing() {
        let cache = TtlCache::new(Duration::from_millis(50));
        cache.put("a", &1);
        assert_eq!(cache.get("a"), Some(1));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("a"), None);
        let off = TtlCache::new(Duration::ZERO);
        off.put("a", &1);
        assert_eq!(off.get("a"), None);
        cache.put("b", &2);
        cache.forget("b");
        assert_eq!(cache.get("b"), None);
    }
}
