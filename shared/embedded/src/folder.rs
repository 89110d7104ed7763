//! The single-machine object sink: objects are files under a root folder, at the same keys S3
//! would use. Writes go to a temporary file first and are renamed into place, so a reader never
//! sees half an object.

use async_trait::async_trait;
use ferrokey_core::StoreError;
use ferrokey_core::ports::{ObjectSink, StoreResult, valid_object_key};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct FolderSink {
    root: PathBuf,
}

impl FolderSink {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FolderSink { root: root.into() }
    }

    fn path(&self, key: &str) -> StoreResult<PathBuf> {
        if !valid_object_key(key) {
            return Err(StoreError::Corrupt(format!("invalid object key {key:?}")));
        }
        Ok(self.root.join(key))
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("object folder: {e}"))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let key = rel.to_string_lossy().replace('\\', "/");
            if valid_object_key(&key) {
                out.push(key);
            }
        }
    }
    Ok(())
}

#[async_trait]
impl ObjectSink for FolderSink {
    async fn put(&self, key: &str, body: Vec<u8>, _content_type: &str) -> StoreResult<()> {
        let path = self.path(key)?;
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
            std::fs::write(&tmp, body)?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .map_err(io)
    }

    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<String>> {
        let root = self.root.clone();
        let mut keys = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            walk(&root, &root, &mut out).map(|()| out)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .map_err(io)?;
        keys.retain(|k| k.starts_with(prefix));
        keys.sort();
        Ok(keys)
    }
}
