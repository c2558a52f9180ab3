//! Attachments outside the database: a local folder, content-addressed by SHA-256.
//!
//! A file is streamed to a temporary name while it is hashed, fsynced, renamed to
//! `sha256/ab/cd/<hash>` and the directory fsynced, so a blob the database refers to survives a
//! crash or power loss. Identical files are stored once. Names come only from the hash: nothing a
//! reporter sends is ever used as a path.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::{fs, io::AsyncWriteExt};

use super::new_id;

/// A stored file's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// An upload in progress. Dropped without [`BlobWriter::finish`], its temporary file is removed.
pub struct BlobWriter {
    file: Option<fs::File>,
    tmp: PathBuf,
    hasher: Sha256,
    size: u64,
    root: PathBuf,
}

impl BlobStore {
    pub async fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp")).await?;
        fs::create_dir_all(root.join("sha256")).await?;
        Ok(Self { root })
    }

    pub async fn writer(&self) -> std::io::Result<BlobWriter> {
        let tmp = self.root.join("tmp").join(new_id());
        let file = fs::File::create(&tmp).await?;
        Ok(BlobWriter {
            file: Some(file),
            tmp,
            hasher: Sha256::new(),
            size: 0,
            root: self.root.clone(),
        })
    }

    /// Stores a whole buffer at once.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<BlobRef> {
        let mut writer = self.writer().await?;
        writer.write(bytes).await?;
        writer.finish().await
    }

    /// Reads a blob back; `None` when the hash is malformed or unknown.
    pub async fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = blob_path(&self.root, sha256) else {
            return Ok(None);
        };
        match fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl BlobWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        match self.file.as_mut() {
            Some(file) => file.write_all(chunk).await,
            None => Err(std::io::Error::other("blob writer already finished")),
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn finish(mut self) -> std::io::Result<BlobRef> {
        let Some(mut file) = self.file.take() else {
            return Err(std::io::Error::other("blob writer already finished"));
        };
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = data_encoding::HEXLOWER.encode(&std::mem::take(&mut self.hasher).finalize());
        let Some(target) = blob_path(&self.root, &sha256) else {
            return Err(std::io::Error::other("hash is not hex"));
        };
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).await?;
            fs::rename(&self.tmp, &target).await?;
            sync_dir(dir).await?;
        }
        Ok(BlobRef {
            sha256,
            size: self.size,
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.file.is_some() || self.tmp.exists() {
            // Best effort: a leftover temporary file holds nothing the database refers to.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn blob_path(root: &Path, sha256: &str) -> Option<PathBuf> {
    let valid = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !valid {
        return None;
    }
    let (a, rest) = sha256.split_at(2);
    let b = rest.get(..2)?;
    Some(root.join("sha256").join(a).join(b).join(sha256))
}

pub(super) async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir).await?.sync_all().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_rejects_path_tricks() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let a = store.put(b"poc").await.unwrap();
        let b = store.put(b"poc").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a.size, 3);
        assert_eq!(store.get(&a.sha256).await.unwrap().unwrap(), b"poc");
        assert!(store.get("../../etc/passwd").await.unwrap().is_none());
        assert!(store.get(&"0".repeat(64)).await.unwrap().is_none());
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }
}
