//! Gives the crate `PICKET_BUILD_ID`: a hash of its own source. The build cache keys every
//! product by it, so a cache written by another version of picket, even one with the same
//! version number, is never trusted.

use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for part in ["src", "vendor", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={part}");
        hash_tree(Path::new(part), &mut hasher);
    }
    println!("cargo:rustc-env=PICKET_BUILD_ID={:016x}", hasher.finish());
}

/// Hashes every file under `path` (or the file itself) with its name, in a fixed order.
fn hash_tree(path: &Path, hasher: &mut impl Hasher) {
    if path.is_file() {
        path.to_string_lossy().hash(hasher);
        std::fs::read(path).unwrap_or_default().hash(hasher);
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    let mut children: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    children.sort();
    for child in children {
        hash_tree(&child, hasher);
    }
}
