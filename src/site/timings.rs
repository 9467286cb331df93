//! How long each phase of a build took, for `--timings` (`build` and `serve`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Time spent per phase. `load`, `model`, `pages`, `checks`, `site files` and `total` are wall
/// time, one after the other; `markdown`, `highlight`, `templates` and `write` add up the time
/// every thread spent in them inside `pages`, so on several cores they can exceed it.
#[derive(Debug, Default)]
pub struct Timings {
    /// Taking the output's lock and listing the staging folder, started from the spare (`build`
    /// only).
    pub staging: Duration,
    pub load: Duration,
    /// The site model, output paths and cache keys.
    pub model: Duration,
    /// Every page, in parallel.
    pub pages: Duration,
    /// Links and anchors across pages.
    pub checks: Duration,
    /// 404, tags, sitemap, feed, stylesheet and static files.
    pub site_files: Duration,
    /// Reading and writing the build cache on disk (`build` only).
    pub cache: Duration,
    /// Removing what the staging folder held and this build did not make, and swapping it in as
    /// the output (`build` only).
    pub swap: Duration,
    pub total: Duration,
    pub(crate) markdown_ns: AtomicU64,
    pub(crate) highlight_ns: AtomicU64,
    pub(crate) templates_ns: AtomicU64,
    pub(crate) write_ns: AtomicU64,
}

impl Timings {
    pub(crate) fn add(counter: &AtomicU64, since: Instant) {
        counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    /// `(phase, duration)` in pipeline order.
    pub fn phases(&self) -> Vec<(&'static str, Duration)> {
        let get = |c: &AtomicU64| Duration::from_nanos(c.load(Ordering::Relaxed));
        vec![
            ("staging", self.staging),
            ("load", self.load),
            ("model", self.model),
            ("pages", self.pages),
            ("  markdown", get(&self.markdown_ns).saturating_sub(get(&self.highlight_ns))),
            ("  highlight", get(&self.highlight_ns)),
            ("  templates", get(&self.templates_ns)),
            ("  write", get(&self.write_ns)),
            ("checks", self.checks),
            ("site files", self.site_files),
            ("cache", self.cache),
            ("swap", self.swap),
            ("total", self.total),
        ]
    }
}

/// The phases of `timings` on one line, for `serve --timings`.
pub fn phases_line(timings: &Timings) -> String {
    let phases: Vec<String> = timings
        .phases()
        .iter()
        .map(|(phase, time)| format!("{} {:.1} ms", phase.trim(), time.as_secs_f64() * 1000.0))
        .collect();
    phases.join(", ")
}
