//! Watching the site's folder: notify events -> `Change`s -> a call to "rebuild".
//!
//! Watches `content/` and `themes/` recursively and the root itself non-recursively (for
//! `site.yaml`). It never watches single files: editors that save by renaming (vim, many IDEs)
//! replace the file's inode, and a watch on the old inode silently goes quiet (notify#531).
//! Knows only notify and paths: it does not build, serve or print anything but watcher warnings.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer};

use crate::config::{CONFIG_FILE, Config};
use crate::content::is_editor_temp_file;
use crate::error::{Error, Result};
use crate::site::Scope;

/// How long the debouncer waits for a burst of events to end (it looks every quarter of this).
/// Editors' save sequences (vim's rename-and-write included) finish within a few milliseconds,
/// so this groups each save into one rebuild while keeping the time from save to reload short. A
/// burst that lasts longer (a `git checkout` of many files) gives more than one rebuild; the
/// last one sees every file as it ended, and batches that queued meanwhile are taken together.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// The folders under the root that are watched recursively.
const WATCHED_DIRS: [&str; 2] = ["content", "themes"];

/// What kind of input a changed path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// `site.yaml`.
    Config,
    /// A Markdown page under `content/` (by its name: it may also be a folder named `x.md`).
    Page,
    /// Anything else under `content/`: an asset, a folder.
    Content,
    /// A template or static file of the site's theme.
    Theme,
    /// A data file under `content/_data/`.
    Data,
}

/// Says what `path` (absolute) is to the site, or `None` when a change to it cannot change the site.
///
/// Ignores the output folder (else every build would trigger another), editor temp files and
/// everything under the root other than `site.yaml`, `content/` and the site's theme.
pub(crate) fn classify(config: &Config, path: &Path) -> Option<Change> {
    if path.starts_with(&config.output_dir) || is_editor_temp_file(path) {
        return None;
    }
    if path == config.root.join(CONFIG_FILE) {
        return Some(Change::Config);
    }
    if let Ok(rest) = path.strip_prefix(&config.content_dir) {
        return Some(if rest.starts_with(crate::figures::DATA_DIR) {
            Change::Data
        } else if path.extension().is_some_and(|e| e == "md") {
            Change::Page
        } else {
            Change::Content
        });
    }
    // `themes/` itself counts: when it is created, the events for the files inside may be missed.
    if path.starts_with(&config.theme_dir) || path == config.root.join("themes") {
        return Some(Change::Theme);
    }
    None
}

/// Says whether a change to `path` can matter before any `site.yaml` has loaded: only
/// `site.yaml` itself can, since nothing builds without it.
pub(crate) fn is_config_file(root: &Path, path: &Path) -> bool {
    path == root.join(CONFIG_FILE)
}

/// A running watch on one site's folder.
pub(crate) struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: mpsc::Receiver<DebounceEventResult>,
}

impl Watcher {
    /// Starts watching the site in `root`; events are queued from this call on.
    pub(crate) fn start(root: &Path) -> Result<Watcher> {
        let root = std::path::absolute(root).map_err(|err| Error::io(root, &err))?;
        let (sender, events) = mpsc::channel();
        let debouncer = new_debouncer(DEBOUNCE, None, sender)
            .map_err(|err| Error::msg(format!("cannot watch the site for changes: {err}")))?;
        let mut watcher = Watcher { root, debouncer, events };
        watcher
            .debouncer
            .watch(&watcher.root, RecursiveMode::NonRecursive)
            .map_err(|err| Error::msg(format!("cannot watch `{}` for changes: {err}", watcher.root.display())))?;
        for dir in WATCHED_DIRS {
            watcher.watch_dir(dir);
        }
        Ok(watcher)
    }

    /// Watches `root/dir` recursively if it exists; a missing folder is watched once it appears.
    fn watch_dir(&mut self, dir: &str) {
        let path = self.root.join(dir);
        if !path.is_dir() {
            return;
        }
        if let Err(err) = self.debouncer.watch(&path, RecursiveMode::Recursive) {
            warn(&format!("cannot watch `{}` for changes: {err}", path.display()));
        }
    }

    /// Calls `rebuild` after every burst of changes that can change the site, until the watcher
    /// stops. `rebuild` gets what the next build must read again and returns the configuration it
    /// loaded, if it loaded one; that configuration classifies the next changes.
    pub(crate) fn run(mut self, mut config: Option<Config>, mut rebuild: impl FnMut(&Scope) -> Option<Config>) {
        while let Some(events) = self.next_burst() {
            let Some(scope) = self.scope(config.as_ref(), &events) else { continue };
            if let Some(loaded) = rebuild(&scope) {
                config = Some(loaded);
            }
        }
    }

    /// Blocks for the next debounced batch, then takes every batch already queued, so that the
    /// changes made during a rebuild lead to one rebuild, not many. `None` once the watcher stops.
    fn next_burst(&mut self) -> Option<Vec<DebouncedEvent>> {
        let first = self.events.recv().ok()?;
        let mut events = Vec::new();
        for result in std::iter::once(first).chain(self.events.try_iter()) {
            match result {
                Ok(batch) => events.extend(batch),
                Err(errors) => errors.iter().for_each(|err| warn(&err.to_string())),
            }
        }
        Some(events)
    }

    /// What the next build must read again after `events`, or `None` when they cannot change
    /// the site. Pages are named one by one; anything the watcher cannot name precisely (lost
    /// events, `site.yaml`) means everything, and other files under `content/` mean a new walk of
    /// it. Data files and templates are always read again by a build, so they only start one.
    fn scope(&mut self, config: Option<&Config>, events: &[DebouncedEvent]) -> Option<Scope> {
        let mut scope = Scope::default();
        let mut relevant = false;
        for event in events.iter().filter(|event| is_relevant(event)) {
            for path in &event.paths {
                self.rewatch_if_recreated(path);
                let change = match config {
                    Some(config) => classify(config, path),
                    None => is_config_file(&self.root, path).then_some(Change::Config),
                };
                match change {
                    None => continue,
                    Some(Change::Page) => scope.pages.push(path.clone()),
                    Some(Change::Content) => scope.content = true,
                    Some(Change::Config) => scope.everything = true,
                    Some(Change::Theme | Change::Data) => {}
                }
                relevant = true;
            }
            // A rescan means events were lost; anything may have changed.
            if event.need_rescan() {
                scope.everything = true;
                relevant = true;
            }
        }
        scope.pages.sort();
        scope.pages.dedup();
        relevant.then_some(scope)
    }

    /// Watches `content/` or `themes/` again when it is created or replaced (say, by a checkout).
    fn rewatch_if_recreated(&mut self, path: &Path) {
        for dir in WATCHED_DIRS {
            if path == self.root.join(dir) {
                self.watch_dir(dir);
            }
        }
    }
}

/// Drops reads: the build itself opens every file, and would otherwise trigger itself forever.
fn is_relevant(event: &DebouncedEvent) -> bool {
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

// The watcher runs for as long as `picket serve` does, so its problems cannot wait to be returned.
fn warn(message: &str) {
    eprintln!("warning: {message}");
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{Change, classify};
    use crate::config::{Config, Overrides};

    fn config() -> Config {
        let text = "title: T\nbase_url: https://example.org/\ntheme: t\n";
        Config::parse(Path::new("/site"), text, &Overrides::default()).unwrap()
    }

    fn check(path: &str, expected: Option<Change>) {
        let path = PathBuf::from("/site").join(path);
        assert_eq!(classify(&config(), &path), expected, "{}", path.display());
    }

    #[test]
    fn site_yaml_is_config() {
        check("site.yaml", Some(Change::Config));
    }

    #[test]
    fn pages_are_pages_and_assets_and_folders_in_content_are_content() {
        check("content/a.md", Some(Change::Page));
        check("content/_index.md", Some(Change::Page));
        check("content/notes/b.md", Some(Change::Page));
        check("content/notes", Some(Change::Content));
        check("content/img/chart.png", Some(Change::Content));
        check("content", Some(Change::Content));
    }

    #[test]
    fn data_files_are_data() {
        check("content/_data/figures.yaml", Some(Change::Data));
        check("content/_data", Some(Change::Data));
    }

    #[test]
    fn the_site_theme_is_theme_and_other_themes_are_ignored() {
        check("themes/t/templates/base.html", Some(Change::Theme));
        check("themes/t/static/style.css", Some(Change::Theme));
        check("themes", Some(Change::Theme));
        check("themes/other/templates/base.html", None);
    }

    #[test]
    fn output_and_other_files_under_the_root_are_ignored() {
        check("public/index.html", None);
        check("public", None);
        check("README.md", None);
        check("site.yaml.bak", None);
        check(".git/index", None);
        check("target/debug/picket", None);
    }

    #[test]
    fn editor_temp_files_are_ignored() {
        for name in [
            "a.md.swp",
            ".a.md.swp",
            ".a.md.swx",
            ".a.md.swo",
            "a.md~",
            "a.md.tmp",
            "#a.md#",
            ".#a.md",
            ".DS_Store",
            "a.md.kate-swp",
            "a.md.bck",
            "a.md.__jb_old___",
            "a.md.__jb_tmp___",
            "a.md.__jb_bak___",
            "4913",
        ] {
            check(&format!("content/{name}"), None);
            check(&format!("themes/t/templates/{name}"), None);
        }
        check("site.yaml~", None);
    }

    #[test]
    fn an_output_folder_elsewhere_is_ignored_wherever_it_is() {
        let text = "title: T\nbase_url: https://example.org/\ntheme: t\noutput_dir: build/site\n";
        let config = Config::parse(Path::new("/site"), text, &Overrides::default()).unwrap();
        assert_eq!(classify(&config, Path::new("/site/build/site/index.html")), None);
        assert_eq!(classify(&config, Path::new("/site/content/a.md")), Some(Change::Page));
    }
}
