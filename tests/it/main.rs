//! The one integration test binary. Each module tests one part of picket through fixture sites in
//! `tests/fixtures/<feature>/<case>/`.

mod build;
mod cache;
mod check;
mod cli;
mod concurrency;
mod corpora;
mod errors;
mod explainer;
mod features;
mod hostile;
mod import;
mod incremental;
mod links;
mod provenance;
mod robustness;
mod serve;
mod support;
