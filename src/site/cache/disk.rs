//! The build cache on disk, beside the output folder (`.public.picket-cache/` for `public/`):
//! what `picket build` keeps from one run to the next. It is safe to delete, never published,
//! and read and written only by the build that holds the output's lock.
//!
//! `index` holds the parsed pages, each page's rendered Markdown without its HTML, and the stamp
//! of every output file, with the build of picket that wrote them and a hash of the rest. It is
//! postcard (a compact serde encoding), in parts that are encoded and decoded in parallel, with
//! a head at the end that gives their lengths; each page's front matter inside it is JSON,
//! since the front matter's own readers want a self-describing format.
//! `markdown.pack` holds each page's table of contents and, when the page's output file does not
//! hold it whole, its Markdown HTML (what is needed only when the page's template must run
//! again), appended as pages render; an entry is found by its offset and checked against its
//! hash whenever it is read. Most templates write a page's content as it is, so its HTML is
//! read back from the output file itself (`InOutput`: where, and the hash of those bytes): the
//! cache does not write every page a second time. An index written by another build of
//! picket, for another output folder, or that does not read back whole, is ignored (the build
//! then starts from nothing and writes a new one); a pack entry whose bytes do not match its hash
//! is not used. So the cache is never trusted, only checked.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Keyed, PageHash, Product};
use crate::error::Error;
use crate::markdown::{Rendered, TocEntry};
use crate::output::{OutputPath, Stamp};

/// The version of the files' layout; a cache in any other is ignored.
const FORMAT: u32 = 5;

/// How many parts the pages and the Markdown entries are each cut into in `index`: the parts are
/// encoded and decoded on every core at once.
const PARTS: usize = 8;

const INDEX: &str = "index";
const PACK: &str = "markdown.pack";

/// Where a page's table of contents is in the pack, and the hash of those bytes; and where its
/// Markdown HTML is: in the pack after it, or in the page's own output file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PackEntry {
    pub offset: u64,
    pub len: u64,
    pub hash: u64,
    pub in_output: Option<InOutput>,
}

/// A page's Markdown HTML where its output file holds it whole (the template writes the content
/// as it is): that file, the HTML's place in it and the hash of its bytes. The pack then need
/// not hold the HTML a second time; a file whose bytes there changed is simply not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InOutput {
    pub path: OutputPath,
    pub offset: u64,
    pub len: u64,
    pub hash: u64,
}

/// What `index` holds.
pub(crate) struct Index {
    format: u32,
    build: String,
    output: PathBuf,
    /// Each page as JSON, with the hashes of its file.
    pub pages: Vec<PageEntry>,
    /// Each page's rendered Markdown with `html` empty, its key and where its HTML is.
    pub markdown: Vec<MarkdownEntry>,
    pub products: Vec<ProductEntry>,
    pub site_files: Option<(u64, Vec<(OutputPath, Stamp)>)>,
}

/// The end of `index`: who wrote it, for which output, and the length of each part before it
/// (the parts of `Index::pages`, those of `Index::markdown`, then `Index::products`).
#[derive(Serialize, Deserialize)]
struct Head {
    format: u32,
    build: String,
    output: PathBuf,
    site_files: Option<(u64, Vec<(OutputPath, Stamp)>)>,
    pages_parts: Vec<u64>,
    markdown_parts: Vec<u64>,
    products_len: u64,
}

type PageEntry = (String, PageHash);
type MarkdownEntry = (String, u64, Rendered, PackEntry);
type ProductEntry = (OutputPath, u64, Stamp);

/// `items` in at most `PARTS` runs of about equal length.
fn parts<T>(items: &[T]) -> std::slice::Chunks<'_, T> {
    items.chunks(items.len().div_ceil(PARTS).max(1))
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    postcard::to_stdvec(value).map_err(|err| Error::msg(format!("cannot write the build cache: {err}")))
}

impl Index {
    /// Writes `index` to `file`: its parts, then the head (which gives their lengths) and the
    /// head's length, then a hash of all before it. The parts are encoded as many at once as
    /// there are threads and written as they are done, so that only those are held in memory.
    fn write(&self, file: &mut std::fs::File) -> Result<(), Error> {
        enum Part<'a> {
            Pages(&'a [PageEntry]),
            Markdown(&'a [MarkdownEntry]),
            Products(&'a [ProductEntry]),
        }
        let all: Vec<Part> = parts(&self.pages)
            .map(Part::Pages)
            .chain(parts(&self.markdown).map(Part::Markdown))
            .chain([Part::Products(&self.products)])
            .collect();
        let mut head = Head {
            format: self.format,
            build: self.build.clone(),
            output: self.output.clone(),
            site_files: self.site_files.clone(),
            pages_parts: Vec::new(),
            markdown_parts: Vec::new(),
            products_len: 0,
        };
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let failed = |err: std::io::Error| Error::msg(format!("cannot write the build cache: {err}"));
        let mut put = |bytes: &[u8]| -> Result<(), Error> {
            hasher.update(bytes);
            file.write_all(bytes).map_err(failed)
        };
        for wave in all.chunks(rayon::current_num_threads().max(1)) {
            let encoded: Vec<Vec<u8>> = wave
                .par_iter()
                .map(|part| match part {
                    Part::Pages(pages) => encode(pages),
                    Part::Markdown(markdown) => encode(markdown),
                    Part::Products(products) => encode(products),
                })
                .collect::<Result<_, _>>()?;
            for (part, bytes) in wave.iter().zip(&encoded) {
                let lengths = match part {
                    Part::Pages(_) => &mut head.pages_parts,
                    Part::Markdown(_) => &mut head.markdown_parts,
                    Part::Products(_) => {
                        head.products_len = bytes.len() as u64;
                        put(bytes)?;
                        continue;
                    }
                };
                lengths.push(bytes.len() as u64);
                put(bytes)?;
            }
        }
        let head = encode(&head)?;
        put(&head)?;
        put(&(head.len() as u64).to_le_bytes())?;
        file.write_all(&hasher.digest().to_le_bytes()).map_err(failed)
    }

    /// Reads `bytes` (an index without its hash) back, or `None` when they are not an index
    /// this build of picket wrote for `output`. The parts are decoded in parallel.
    fn decode(bytes: &[u8], output: &Path) -> Option<Index> {
        let (rest, head_len) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        let head_len = usize::try_from(u64::from_le_bytes(head_len.try_into().ok()?)).ok()?;
        let (mut rest, head) = rest.split_at_checked(rest.len().checked_sub(head_len)?)?;
        let head: Head = postcard::from_bytes(head).ok()?;
        if head.format != FORMAT || head.build != env!("PICKET_BUILD_ID") || head.output != output {
            return None;
        }
        let mut take = |len: u64| -> Option<&[u8]> {
            let (part, after) = rest.split_at_checked(usize::try_from(len).ok()?)?;
            rest = after;
            Some(part)
        };
        let pages: Vec<&[u8]> = head.pages_parts.iter().map(|&len| take(len)).collect::<Option<_>>()?;
        let markdown: Vec<&[u8]> = head.markdown_parts.iter().map(|&len| take(len)).collect::<Option<_>>()?;
        let products = take(head.products_len)?;
        if !rest.is_empty() {
            return None;
        }
        fn decode_all<T: serde::de::DeserializeOwned + Send>(parts: Vec<&[u8]>) -> Option<Vec<T>> {
            let parts: Vec<Vec<T>> =
                parts.into_par_iter().map(|part| postcard::from_bytes(part).ok()).collect::<Option<_>>()?;
            Some(parts.into_iter().flatten().collect())
        }
        let (pages, (markdown, products)) = rayon::join(
            || decode_all::<PageEntry>(pages),
            || {
                rayon::join(
                    || decode_all::<MarkdownEntry>(markdown),
                    || postcard::from_bytes::<Vec<ProductEntry>>(products).ok(),
                )
            },
        );
        Some(Index {
            format: head.format,
            build: head.build,
            output: head.output,
            pages: pages?,
            markdown: markdown?,
            products: products?,
            site_files: head.site_files,
        })
    }

    pub(crate) fn new(output: &Path) -> Index {
        Index {
            format: FORMAT,
            build: env!("PICKET_BUILD_ID").to_string(),
            output: output.to_path_buf(),
            pages: Vec::new(),
            markdown: Vec::new(),
            products: Vec::new(),
            site_files: None,
        }
    }
}

/// The cache folder of one output folder, open for this build.
pub(crate) struct Disk {
    dir: PathBuf,
    /// The output folder the cache is of, whose files may hold pages' Markdown HTML.
    output: PathBuf,
    /// The pack, open for reading and appending, and its length.
    pack: Mutex<(std::fs::File, u64)>,
    /// Whether a usable index was read when the cache was opened.
    had_index: bool,
}

impl Disk {
    /// Opens the cache of `output` and reads its index; an index that cannot be used is
    /// replaced by an empty one. Errors only when the folder cannot be made or opened.
    pub(crate) fn open(output: &Path) -> Result<(Disk, Index), Error> {
        let dir = crate::output::sibling(output, "cache");
        std::fs::create_dir_all(&dir).map_err(|err| Error::io(&dir, &err))?;
        let index = read_index(&dir.join(INDEX), output);
        let pack_path = dir.join(PACK);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&pack_path)
            .map_err(|err| Error::io(&pack_path, &err))?;
        let mut len = file.seek(SeekFrom::End(0)).map_err(|err| Error::io(&pack_path, &err))?;
        let had_index = index.is_some();
        let index = match index {
            Some(index) => index,
            None => {
                // Nothing points into the old pack: start it again.
                file.set_len(0).map_err(|err| Error::io(&pack_path, &err))?;
                len = 0;
                Index::new(output)
            }
        };
        Ok((Disk { dir, output: output.to_path_buf(), pack: Mutex::new((file, len)), had_index }, index))
    }

    /// Whether a usable index was read when the cache was opened.
    pub(crate) fn had_index(&self) -> bool {
        self.had_index
    }

    /// Appends a page's table of contents to the pack, and its Markdown HTML unless `at` says
    /// where in the page's output file the HTML is (`at` the file and the byte it starts at).
    pub(crate) fn store(
        &self,
        html: &str,
        toc: &[TocEntry],
        at: Option<(&OutputPath, usize)>,
    ) -> Result<PackEntry, Error> {
        let toc = postcard::to_stdvec(toc).map_err(|err| Error::msg(format!("cannot write the build cache: {err}")))?;
        let in_pack = if at.is_some() { "" } else { html };
        let mut bytes = Vec::with_capacity(8 + toc.len() + in_pack.len());
        bytes.extend_from_slice(&(toc.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&toc);
        bytes.extend_from_slice(in_pack.as_bytes());
        let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        let in_output = at.map(|(path, offset)| InOutput {
            path: path.clone(),
            offset: offset as u64,
            len: html.len() as u64,
            hash: xxhash_rust::xxh3::xxh3_64(html.as_bytes()),
        });
        let mut pack = self.pack.lock().expect("no thread panics while holding the lock");
        let offset = pack.1;
        pack.0.write_all(&bytes).map_err(|err| Error::io(&self.dir.join(PACK), &err))?;
        pack.1 += bytes.len() as u64;
        Ok(PackEntry { offset, len: bytes.len() as u64, hash, in_output })
    }

    /// The HTML and table of contents stored at `entry`, or `None` when the pack, or the output
    /// file that holds the HTML, does not hold them as they were written.
    pub(crate) fn load(&self, entry: &PackEntry) -> Option<(String, Vec<TocEntry>)> {
        let mut pack = self.pack.lock().expect("no thread panics while holding the lock");
        if entry.offset.checked_add(entry.len)? > pack.1 {
            return None;
        }
        let mut bytes = vec![0; usize::try_from(entry.len).ok()?];
        pack.0.seek(SeekFrom::Start(entry.offset)).ok()?;
        pack.0.read_exact(&mut bytes).ok()?;
        drop(pack);
        (xxhash_rust::xxh3::xxh3_64(&bytes) == entry.hash).then_some(())?;
        let toc_len = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
        let toc = postcard::from_bytes(bytes.get(8..8usize.checked_add(toc_len)?)?).ok()?;
        let html = match &entry.in_output {
            None => String::from_utf8(bytes.get(8 + toc_len..)?.to_vec()).ok()?,
            Some(at) => {
                let file = std::fs::read(self.output.join(at.path.as_str())).ok()?;
                let start = usize::try_from(at.offset).ok()?;
                let html = file.get(start..start.checked_add(usize::try_from(at.len).ok()?)?)?;
                (xxhash_rust::xxh3::xxh3_64(html) == at.hash).then_some(())?;
                String::from_utf8(html.to_vec()).ok()?
            }
        };
        Some((html, toc))
    }

    /// Writes `index` in place of the old one, in one step. When most of the pack is no longer
    /// pointed at, it is first written again with only what `index` uses.
    pub(crate) fn save(self, index: &mut Index) -> Result<(), Error> {
        let (file, len) = self.pack.into_inner().expect("no thread panics while holding the lock");
        let live: u64 = index.markdown.iter().map(|(_, _, _, entry)| entry.len).sum();
        if len > 2 * live + (1 << 20) {
            compact(&self.dir, file, index)?;
        }
        let temporary = self.dir.join(format!("{INDEX}.new"));
        // With a hash of it all at its end: an index cut short or changed does not read back.
        let mut file = std::fs::File::create(&temporary).map_err(|err| Error::io(&temporary, &err))?;
        index.write(&mut file)?;
        let target = self.dir.join(INDEX);
        std::fs::rename(&temporary, &target).map_err(|err| Error::io(&target, &err))
    }
}

/// Reads `index`; `None` when it is missing, cut short, changed, or written by another build of
/// picket or for another output folder.
fn read_index(path: &Path, output: &Path) -> Option<Index> {
    let bytes = std::fs::read(path).ok()?;
    let (body, hash) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != hash {
        return None;
    }
    Index::decode(body, output)
}

/// Writes a new pack with only the entries `index` points at, and moves the entries.
fn compact(dir: &Path, mut old: std::fs::File, index: &mut Index) -> Result<(), Error> {
    let path = dir.join(format!("{PACK}.new"));
    let mut new = std::fs::File::create(&path).map_err(|err| Error::io(&path, &err))?;
    let mut offset = 0;
    for (_, _, _, entry) in &mut index.markdown {
        let mut bytes = vec![0; entry.len as usize];
        old.seek(SeekFrom::Start(entry.offset)).map_err(|err| Error::io(&path, &err))?;
        old.read_exact(&mut bytes).map_err(|err| Error::io(&path, &err))?;
        new.write_all(&bytes).map_err(|err| Error::io(&path, &err))?;
        entry.offset = offset;
        offset += entry.len;
    }
    std::fs::rename(&path, dir.join(PACK)).map_err(|err| Error::io(&path, &err))
}

/// The products of an index as the cache keeps them.
pub(crate) fn products(products: Vec<ProductEntry>) -> HashMap<OutputPath, Keyed<Product>> {
    products.into_iter().map(|(path, key, stamp)| (path, Keyed { key, value: Product::File(stamp) })).collect()
}
