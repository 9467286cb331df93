//! The command line: `build`, `check`, `serve`, `init` and `import`, each a small `Args` struct with `run`.
//!
//! Parses nothing itself (clap does) and prints only the success summary; errors go back to
//! `main`, which prints them and picks the exit code.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::error::{Error, Errors, Failure, Warning};
use crate::site;

/// picket builds public-facing explainers: Markdown pages and data files in, a static site out.
///
/// A site is a folder with `site.yaml`, `content/` (Markdown pages with YAML front matter, and
/// data files in `content/_data/`) and `themes/` (Tera templates). Start one with `picket init DIR`.
#[derive(Debug, Parser)]
#[command(name = "picket", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default `public/`), replacing it only if the build succeeds
    Build(BuildArgs),
    /// Build the site in memory and run every check; writes nothing
    Check(CheckArgs),
    /// Build, serve on 127.0.0.1, rebuild on every change and reload the browser
    Serve(ServeArgs),
    /// Write a small working site into DIR to start from
    Init(InitArgs),
    /// Convert a Zola site or an mdBook book into a picket site in DEST, keeping its old URLs
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder, holding site.yaml (default: the current folder). Paths in site.yaml are relative to it
    #[arg(long, default_value = ".", value_name = "DIR", hide_default_value = true)]
    pub root: PathBuf,
    /// Include pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site, relative to the current folder (default: `output_dir` in site.yaml, else
    /// `public`, both relative to the site's root)
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Override `base_url`, e.g. https://example.org/strike/
    #[arg(long)]
    pub base_url: Option<String>,
    /// Print the time each phase took
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Print the time each phase of every rebuild took
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (created if missing; must not already hold a site)
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool the site comes from
    #[arg(value_enum)]
    pub tool: crate::import::Tool,
    /// The site's folder: holds config.toml and content/ (Zola) or book.toml and src/SUMMARY.md (mdBook); never changed
    pub src: PathBuf,
    /// Where to write the picket site (created if missing; must be empty and outside SRC)
    pub dest: PathBuf,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Build(args) => build(args).map_err(Failure::Site),
        Command::Check(args) => check(args).map_err(Failure::Site),
        Command::Serve(args) => crate::serve::run(args),
        Command::Init(args) => crate::init::run(&args.dir).map_err(|err| Failure::Setup(err.into())),
        Command::Import(args) => import(args).map_err(Failure::Site),
    }
}

/// Imports, prints the report, then builds the new site in memory: exit 0 only when it builds.
fn import(args: ImportArgs) -> Result<(), Errors> {
    let report = crate::import::run(args.tool, &args.src, &args.dest)?;
    println!("{report}");
    println!("building {} in memory to check it (nothing is written)", display_path(&args.dest));
    let built = crate::import::build(&args.dest)?;
    println!("{} builds: {} pages ({} files)", display_path(&args.dest), built.n_pages, built.files.len());
    Ok(())
}

fn build(args: BuildArgs) -> Result<(), Errors> {
    let started = Instant::now();
    // A folder typed on the command line is relative to where it was typed, as in every other
    // tool; only `output_dir` in site.yaml is relative to the site's root.
    let output_dir = match args.output {
        Some(output) => Some(std::path::absolute(&output).map_err(|err| Error::io(&output, &err))?),
        None => None,
    };
    let overrides = Overrides { output_dir, base_url: args.base_url, drafts: args.site.drafts, source_markers: false };
    let config = Config::load(&args.site.root, &overrides)?;
    let report = site::build(&config)?;
    if args.timings {
        for (phase, time) in report.timings.phases() {
            eprintln!("  {phase:<12} {:>9.1} ms", time.as_secs_f64() * 1000.0);
        }
        let reuse = &report.reuse;
        eprintln!(
            "  cache        {} of {} pages read, {} parsed, {} of {} Markdown rendered, {} of {} files made",
            reuse.pages_read,
            reuse.pages_parsed + reuse.pages_reused,
            reuse.pages_parsed,
            reuse.markdown_rendered,
            reuse.markdown_rendered + reuse.markdown_reused,
            reuse.files_made,
            reuse.files_made + reuse.files_reused
        );
    }
    if let Some(problem) = &report.cache_problem {
        eprintln!("warning: the build cache was not used: {}", problem.message);
    }
    println!(
        "built {} pages ({} files, {} new or changed) into {} in {:.0} ms",
        report.n_pages,
        report.n_files,
        report.n_written,
        display_path(&config.output_dir),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

fn check(args: CheckArgs) -> Result<(), Errors> {
    // Markers let every finding point at the Markdown or template it comes from.
    let overrides = Overrides { drafts: args.site.drafts, source_markers: true, ..Overrides::default() };
    let config = Config::load(&args.site.root, &overrides)?;
    let built = site::render(&config)?;
    let findings = crate::checks::run(&config, &built);
    // Warnings are not errors of the site, so they are printed here, before any errors.
    for warning in &findings.warnings {
        eprintln!("{}\n", Warning(warning));
    }
    let n_warnings = findings.warnings.len();
    findings.into_result()?;
    let found = match n_warnings {
        0 => "no problems found".to_string(),
        1 => "no errors, 1 warning".to_string(),
        n => format!("no errors, {n} warnings"),
    };
    println!("checked {} pages ({} files): {found}", built.n_pages, built.files.len());
    Ok(())
}

fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.display().to_string()))
        .unwrap_or_else(|| path.display().to_string())
}
