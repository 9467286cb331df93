//! `picket serve`: builds the site in memory, serves it over HTTP, rebuilds on every change and
//! tells open pages to reload.
//!
//! Serves only the files of the last good build, from memory: a URL is looked up in a map, so no
//! request can reach the disk, and there are no directory listings. Injects the live-reload script
//! (and, after a failed build, an error overlay) into HTML responses only; `picket build` output
//! never has them. A failed build keeps the last good site; nothing an editor saves stops the
//! server. Knows HTTP; `crate::watch` knows notify; `run` wires the two together. Listens on
//! loopback unless told otherwise, and warns once when it is not.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use tokio::sync::broadcast;
use tokio::sync::watch as latest;

use crate::cli::ServeArgs;
use crate::config::{Config, Overrides};
use crate::error::{Error, Errors, Failure};
use crate::output::{Contents, OutputFile};
use crate::site::{self, Cache, Memory, Scope};
use crate::watch::Watcher;

mod http;

use http::Server;

/// Builds, serves and rebuilds until the process is stopped. Returns only when the server
/// cannot start (the port is taken, the folder cannot be watched): a `Failure::Setup`, since
/// nothing is wrong with the site.
pub(crate) fn run(args: ServeArgs) -> Result<(), Failure> {
    let overrides = Overrides { drafts: args.site.drafts, ..Overrides::default() };
    let root = args.site.root;
    let setup = |message: String| Failure::Setup(Error::msg(message).into());
    let runtime = tokio::runtime::Runtime::new().map_err(|err| setup(format!("cannot start the server: {err}")))?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind((args.bind.as_str(), args.port))).map_err(|err| {
        setup(format!(
            "cannot listen on {}:{}: {err}; choose another port with --port, or --port 0 for any free one",
            args.bind, args.port
        ))
    })?;
    let address = listener.local_addr().map_err(|err| setup(format!("cannot start the server: {err}")))?;
    if let Some(warning) = exposure_warning(address) {
        eprintln!("{warning}\n");
    }
    // Watch before the first build, so that a save made while it runs is not lost.
    let watcher = Watcher::start(&root).map_err(|err| Failure::Setup(err.into()))?;
    let mut cache = Cache::in_memory();
    let served = Served::default();
    let first = attempt_build(&mut cache, &root, &overrides, &Scope::everything(), &served);
    if let Err(errors) = &first.result {
        report_failure(errors);
    }
    let (site_sender, site) = latest::channel(Arc::new(Snapshot::default().next(&first)));
    let (reloads, _) = broadcast::channel(16);
    announce(first.config.as_ref(), &root, address, &site.borrow().base_path);
    let rebuilds =
        Rebuilds { root, overrides, timings: args.timings, site: site_sender, reloads: reloads.clone(), served };
    spawn_rebuilds(watcher, first.config, cache, rebuilds).map_err(Failure::Setup)?;
    let access = http::Access::new(&args.bind, address.port());
    runtime.block_on(http::serve(listener, Server { site, reloads }, access));
    Ok(())
}

/// What listening on `address` exposes, when it is not loopback: said once, at start.
fn exposure_warning(address: SocketAddr) -> Option<String> {
    let ip = address.ip();
    if ip.is_loopback() {
        return None;
    }
    let who = if ip.is_unspecified() {
        "every device on every network this machine is on".to_string()
    } else {
        format!("every device that can reach {ip}")
    };
    Some(format!(
        "warning: listening on {address}, so {who} can read this preview, drafts included when --drafts is on; \
         it has no password. Leave out --bind (the default is 127.0.0.1) unless another device must see the site"
    ))
}

/// The address to open in a browser on this machine: loopback when listening on every address.
fn browsable(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), address.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), address.port()),
        _ => address,
    }
}

fn announce(config: Option<&Config>, root: &Path, address: SocketAddr, base_path: &str) {
    let name = match config {
        Some(config) => config.title.clone(),
        None => format!("the site in {}", root.display()),
    };
    println!("serving {name} at http://{}{base_path}/", browsable(address));
    let _ = std::io::stdout().flush();
}

// ---------------------------------------------------------------------------------------------
// Rebuilding

/// The files of one good build, keyed by their path in the output folder (`a/index.html`).
type Files = HashMap<String, Bytes>;

/// The files served: those of the last good build, brought up to date in place by each good
/// build (`update`), so that a save costs the files it changed, not a new map of the whole site.
type Served = Arc<RwLock<Files>>;

/// A good build, ready to serve.
struct Site {
    base_path: String,
    n_pages: usize,
    files: Served,
    /// The time of each phase, on one line.
    timings: String,
}

/// One build attempt: `site.yaml` read afresh, then the whole site.
struct Attempt {
    /// `None` when `site.yaml` did not load.
    config: Option<Config>,
    result: Result<Site, Errors>,
    took: Duration,
}

/// What the server answers with: the last good build and the errors of the latest one.
#[derive(Default)]
struct Snapshot {
    /// `""` or `/strike`, as in `Config::base_path`.
    base_path: String,
    /// `None` until a build succeeds.
    files: Option<Served>,
    /// The rendered errors when the latest build failed.
    errors: Option<String>,
}

impl Snapshot {
    /// What to serve after `attempt`: its files if it built, else these files with its errors.
    fn next(&self, attempt: &Attempt) -> Snapshot {
        match &attempt.result {
            Ok(site) => {
                Snapshot { base_path: site.base_path.clone(), files: Some(Arc::clone(&site.files)), errors: None }
            }
            Err(errors) => Snapshot {
                // Before any good build, the error page lives where the site will.
                base_path: match (&self.files, &attempt.config) {
                    (None, Some(config)) => config.base_path.clone(),
                    _ => self.base_path.clone(),
                },
                files: self.files.clone(),
                errors: Some(errors.to_string()),
            },
        }
    }
}

/// Loads `site.yaml`, which may have changed, and builds the site; when it builds, `served`
/// is brought up to date.
fn attempt_build(cache: &mut Cache, root: &Path, overrides: &Overrides, scope: &Scope, served: &Served) -> Attempt {
    let started = Instant::now();
    let (config, result) = match Config::load(root, overrides) {
        Ok(config) => {
            let result = rebuild(cache, &config, scope).and_then(|(outcome, files)| {
                update(served, files)?;
                let timings = site::phases_line(&outcome.timings);
                Ok(Site {
                    base_path: config.base_path.clone(),
                    n_pages: outcome.n_pages,
                    files: Arc::clone(served),
                    timings,
                })
            });
            (Some(config), result)
        }
        Err(err) => (None, Err(err)),
    };
    Attempt { config, result, took: started.elapsed() }
}

/// The one call that builds the site, in memory, through the same pipeline as `picket build`,
/// reusing from `cache` what did not change since the last build. Returns the number of pages
/// and the files.
///
/// A panic in any stage becomes an error, so that no file an editor saves can stop the server.
pub(crate) fn rebuild(
    cache: &mut Cache,
    config: &Config,
    scope: &Scope,
) -> Result<(site::Outcome, Vec<OutputFile>), Errors> {
    let memory = Memory::default();
    match panic::catch_unwind(AssertUnwindSafe(|| site::run(config, cache, scope, &memory))) {
        Ok(result) => result.map(|outcome| (outcome, memory.into_unsorted_files())),
        Err(payload) => {
            // The cache may be half updated: start the next build from nothing.
            *cache = Cache::in_memory();
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::msg(format!(
                "picket crashed while building the site ({what}); this is a bug in picket, please report it with the file you last saved"
            ))
            .into())
        }
    }
}

/// Brings `served` to the files of a good build: what is new or changed goes in, what the build
/// no longer makes goes out. A page the cache kept is the very allocation already served, so it
/// is left alone; copied files are read from disk now, and replace the served ones only when
/// their bytes changed. The map is changed under its lock, all at once, only when every copied
/// file could be read.
fn update(served: &RwLock<Files>, built: Vec<OutputFile>) -> Result<(), Errors> {
    let mut changed: Vec<(String, Bytes)> = Vec::new();
    let mut errors = Errors::default();
    {
        let files = served.read().expect("no thread panics while holding the lock");
        for file in &built {
            let current = files.get(file.path.as_str());
            let bytes = match &file.contents {
                Contents::Shared(bytes)
                    if current.is_some_and(|c| c.as_ptr() == bytes.as_ptr() && c.len() == bytes.len()) =>
                {
                    continue;
                }
                Contents::Shared(bytes) => Bytes::from_owner(Arc::clone(bytes)),
                Contents::Bytes(bytes) => Bytes::copy_from_slice(bytes),
                Contents::Copy(from) => match std::fs::read(from) {
                    Ok(bytes) if current.is_some_and(|c| **c == *bytes) => continue,
                    Ok(bytes) => Bytes::from(bytes),
                    Err(err) => {
                        errors.push(Error::io(from, &err));
                        continue;
                    }
                },
            };
            changed.push((file.path.as_str().to_string(), bytes));
        }
    }
    errors.into_result(())?;
    let mut files = served.write().expect("no thread panics while holding the lock");
    files.extend(changed);
    // No two files of a build share a path, so the map holds exactly the build's files when it
    // holds as many; otherwise some are of pages or files that are gone.
    if files.len() != built.len() {
        let present: HashSet<&str> = built.iter().map(|file| file.path.as_str()).collect();
        files.retain(|path, _| present.contains(path.as_str()));
    }
    Ok(())
}

/// What the rebuild thread needs.
struct Rebuilds {
    root: PathBuf,
    overrides: Overrides,
    /// Whether to print the phases of each rebuild.
    timings: bool,
    site: latest::Sender<Arc<Snapshot>>,
    reloads: broadcast::Sender<()>,
    /// The files served, which each good build updates.
    served: Served,
}

/// Rebuilds on a thread of its own after every change, then swaps in the new snapshot and tells
/// open pages to reload (also after a failure, so that they show the overlay).
fn spawn_rebuilds(
    watcher: Watcher,
    config: Option<Config>,
    mut cache: Cache,
    rebuilds: Rebuilds,
) -> Result<(), Errors> {
    let spawned = std::thread::Builder::new().name("picket-rebuild".to_string()).spawn(move || {
        watcher.run(config, |scope| {
            let attempt = attempt_build(&mut cache, &rebuilds.root, &rebuilds.overrides, scope, &rebuilds.served);
            match &attempt.result {
                Ok(site) => report_success(site, attempt.took, rebuilds.timings),
                Err(errors) => report_failure(errors),
            }
            let previous = Arc::clone(&rebuilds.site.borrow());
            rebuilds.site.send_replace(Arc::new(previous.next(&attempt)));
            // No open page means no receiver; that is fine.
            let _ = rebuilds.reloads.send(());
            attempt.config
        });
    });
    spawned.map(drop).map_err(|err| Error::msg(format!("cannot start the rebuild thread: {err}")).into())
}

fn report_success(site: &Site, took: Duration, timings: bool) {
    println!("rebuilt {} pages in {:.0} ms", site.n_pages, took.as_secs_f64() * 1000.0);
    if timings {
        println!("  {}", site.timings);
    }
    let _ = std::io::stdout().flush();
}

// `serve` runs until stopped, so a failed rebuild is reported here rather than by `main`.
fn report_failure(errors: &Errors) {
    eprintln!("{errors}\n");
}

#[cfg(test)]
mod tests {
    use super::{browsable, exposure_warning};

    #[test]
    fn only_addresses_beyond_loopback_get_the_warning() {
        assert_eq!(exposure_warning("127.0.0.1:1111".parse().unwrap()), None);
        assert_eq!(exposure_warning("[::1]:1111".parse().unwrap()), None);
        let all = exposure_warning("0.0.0.0:1111".parse().unwrap()).unwrap();
        assert!(all.starts_with("warning: listening on 0.0.0.0:1111, so every device on every network"), "{all}");
        let one = exposure_warning("192.0.2.7:1111".parse().unwrap()).unwrap();
        assert!(one.contains("every device that can reach 192.0.2.7"), "{one}");
    }

    #[test]
    fn every_address_is_announced_as_loopback() {
        assert_eq!(browsable("0.0.0.0:8".parse().unwrap()).to_string(), "127.0.0.1:8");
        assert_eq!(browsable("[::]:8".parse().unwrap()).to_string(), "[::1]:8");
        assert_eq!(browsable("192.0.2.7:8".parse().unwrap()).to_string(), "192.0.2.7:8");
    }
}
