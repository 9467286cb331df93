//! Where the files a build makes go: `Memory` (for `check`, `serve` and the tests) or the
//! output's staging folder (`Staging`, for `build`), both behind one `Sink`, which also takes a
//! file from an earlier build again when the cache says it is unchanged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::Error;
use crate::output::{self, Contents, OutputFile, OutputPath};

use super::Product;

/// Where output files go as they are made: memory, or the output's staging folder.
pub trait Sink: Sync {
    /// Takes a file this build made; returns where a later build can find it again, if it can.
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error>;
    /// Takes the file an earlier build made at `path` from where `product` says, if it is still
    /// there as that build left it; `false` when it is not, and the file must be made again.
    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error>;
    /// Whether `keep` would take `product` for `path` (looks, changes nothing).
    fn can_keep(&self, path: &OutputPath, product: &Product) -> bool;
}

/// Collects files in memory: one list per thread of the pool, so that threads handing over
/// pages do not wait for each other.
pub struct Memory(Vec<Mutex<Vec<OutputFile>>>);

impl Default for Memory {
    fn default() -> Memory {
        Memory((0..=rayon::current_num_threads()).map(|_| Mutex::new(Vec::new())).collect())
    }
}

impl Memory {
    /// The files collected, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.into_unsorted_files();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// The files collected, in no particular order.
    pub fn into_unsorted_files(self) -> Vec<OutputFile> {
        let lists = self.0.into_iter().map(|list| list.into_inner().expect("no thread panics while holding the lock"));
        lists
            .reduce(|mut all, list| {
                all.extend(list);
                all
            })
            .unwrap_or_default()
    }

    pub(crate) fn push(&self, file: OutputFile) {
        // Threads outside the pool share the last list.
        let list = rayon::current_thread_index().map_or(self.0.len() - 1, |i| i.min(self.0.len() - 1));
        self.0[list].lock().expect("no thread panics while holding the lock").push(file);
    }
}

impl Sink for Memory {
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error> {
        // Bytes move behind an `Arc`, so that a cache can keep them without a copy.
        let (contents, product) = match file.contents {
            Contents::Bytes(bytes) => {
                let shared: Arc<[u8]> = Arc::from(bytes);
                (Contents::Shared(Arc::clone(&shared)), Some(Product::Bytes(shared)))
            }
            Contents::Shared(shared) => (Contents::Shared(Arc::clone(&shared)), Some(Product::Bytes(shared))),
            copy @ Contents::Copy(_) => (copy, None),
        };
        self.push(OutputFile { path: file.path, contents });
        Ok(product)
    }

    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error> {
        match product {
            Product::Bytes(bytes) => {
                self.push(OutputFile { path: path.clone(), contents: Contents::Shared(Arc::clone(bytes)) });
                Ok(true)
            }
            Product::File(_) => Ok(false),
        }
    }

    fn can_keep(&self, _: &OutputPath, product: &Product) -> bool {
        matches!(product, Product::Bytes(_))
    }
}

/// Writes into the staging folder, counting the files and what was written anew.
pub(super) struct Counting<'a> {
    pub(crate) staging: &'a output::Staging,
    pub(crate) n_files: AtomicU64,
    pub(crate) n_written: AtomicU64,
    pub(crate) bytes: AtomicU64,
}

impl Sink for Counting<'_> {
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error> {
        let written = self.staging.write(&file)?;
        self.n_files.fetch_add(1, Ordering::Relaxed);
        if let Some(bytes) = written.new_bytes {
            self.n_written.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
        }
        Ok(Some(Product::File(written.stamp)))
    }

    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error> {
        let Product::File(stamp) = product else { return Ok(false) };
        let kept = self.staging.keep(path, stamp)?;
        if kept {
            self.n_files.fetch_add(1, Ordering::Relaxed);
        }
        Ok(kept)
    }

    fn can_keep(&self, path: &OutputPath, product: &Product) -> bool {
        matches!(product, Product::File(stamp) if self.staging.still_has(path, stamp))
    }
}

/// Whether `sink` can still take every one of `files` from where the last build left them.
pub(super) fn sink_has_all(sink: &dyn Sink, files: &[(OutputPath, Product)]) -> bool {
    files.iter().all(|(path, product)| sink.can_keep(path, product))
}

/// Passes files on to a sink and notes what it made of each.
pub(super) struct Recording<'a> {
    pub(crate) inner: &'a dyn Sink,
    pub(crate) made: Mutex<Vec<(OutputPath, Product)>>,
}

impl Sink for Recording<'_> {
    fn put(&self, file: OutputFile) -> Result<Option<Product>, Error> {
        let path = file.path.clone();
        let product = self.inner.put(file)?;
        if let Some(product) = &product {
            self.made.lock().expect("no thread panics while holding the lock").push((path, product.clone()));
        }
        Ok(product)
    }

    fn keep(&self, path: &OutputPath, product: &Product) -> Result<bool, Error> {
        self.inner.keep(path, product)
    }

    fn can_keep(&self, path: &OutputPath, product: &Product) -> bool {
        self.inner.can_keep(path, product)
    }
}
