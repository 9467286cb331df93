#!/usr/bin/env python3
"""Time from saving a page to its new version being served by `picket serve`.

Usage: benches/serve_latency.py PICKET_BINARY SITE_ROOT PAGE_FILE [--runs N]
           [--record FILE --session ID --version V --n PAGES]

Starts `picket serve --root SITE_ROOT --port 0 --timings`, waits for its first build, then N
times (after two warm-up saves): writes PAGE_FILE with a unique marker line added (a write in
place, as most editors do), and polls the page's URL over HTTP until the served HTML holds the
marker. The time includes the watcher's debounce. After each save it waits until serve has
printed its rebuild, and keeps picket's own figures: the rebuild's time and its phases (from
`--timings`). At the end it reads serve's peak RSS (VmHWM) and stops it.

Prints each save, the median, min and max, and the median of each phase. With --record, one
row per measured save is appended to FILE (tab-separated, with a header when FILE is new).
The page file is restored afterwards, whatever happens. Standard library only; talks only to
127.0.0.1.
"""

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

COLUMNS = [
    "session",
    "tool",
    "version",
    "N",
    "save",
    "served_ms",
    "rebuilds",
    "rebuild_ms",
    "phases",
    "startup_ms",
    "maxrss_kib",
    "loadavg1",
]
REBUILT = re.compile(r"^rebuilt (\d+) pages in (\d+) ms$")
PHASE = re.compile(r"^(.+?) ([0-9.]+) ms$")


def fail(message):
    sys.stderr.write("serve_latency.py: error: %s\n" % message)
    sys.exit(1)


def page_url(base, site_root, page_file):
    rel = os.path.relpath(page_file, os.path.join(site_root, "content"))
    if rel.endswith("/index.md") or rel == "index.md" or rel.endswith("_index.md"):
        route = os.path.dirname(rel)
    else:
        route = rel[: -len(".md")]
    route = route.strip("/")
    return base + (route + "/" if route else "")


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8", "replace")


def parse_phases(line):
    """'load 1.0 ms, model 2.0 ms, ...' -> {'load': 1.0, 'model': 2.0, ...}"""
    phases = {}
    for part in line.strip().split(", "):
        m = PHASE.match(part.strip())
        if m:
            phases[m.group(1).replace(" ", "_")] = float(m.group(2))
    return phases


class Output:
    """serve's stdout, read on a thread of its own so that the pipe never fills and blocks it."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return ""
        if line is None:
            fail("picket serve stopped")
        return line

    def rebuilds(self, timeout):
        """The rebuilds serve reported within `timeout` s of quiet: [(ms, phases)]."""
        found = []
        while True:
            line = self.next_line(timeout)
            if not line:
                return found
            m = REBUILT.match(line)
            if m:
                found.append((int(m.group(2)), {}))
            elif found and line.startswith("  "):
                found[-1] = (found[-1][0], parse_phases(line))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("picket")
    parser.add_argument("site_root")
    parser.add_argument("page_file")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--record")
    parser.add_argument("--session", default="-")
    parser.add_argument("--version", default="-")
    parser.add_argument("--n", default="-")
    args = parser.parse_args()
    if args.runs < 1:
        fail("--runs must be at least 1")
    if not os.path.isfile(args.page_file):
        fail("no page at %s" % args.page_file)

    with open(args.page_file, encoding="utf-8") as f:
        original = f.read()
    started = time.perf_counter()
    server = subprocess.Popen(
        [args.picket, "serve", "--root", args.site_root, "--port", "0", "--timings"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    rows = []
    maxrss = "-"
    try:
        output = Output(server.stdout)
        line = output.next_line(timeout=600)
        if " at http://" not in line:
            fail("serve did not start: %r" % line)
        startup_ms = (time.perf_counter() - started) * 1000
        base = line.strip().split(" at ")[-1]
        url = page_url(base, args.site_root, args.page_file)
        fetch(url)
        print("serve started in %.0f ms; saving %s, polling %s" % (startup_ms, args.page_file, url))
        for run in range(args.runs + 2):
            marker = "latency-marker-%d-%d" % (run, time.time_ns())
            load = open("/proc/loadavg").read().split()[0]
            with open(args.page_file, "w", encoding="utf-8") as f:
                f.write(original + "\n\n%s\n" % marker)
            saved = time.perf_counter()
            while marker not in fetch(url):
                time.sleep(0.001)
                if time.perf_counter() - saved > 60:
                    fail("the change was not served within 60 s")
            elapsed = (time.perf_counter() - saved) * 1000
            # serve prints its rebuild just before the new files are served; more may follow
            # when the watcher saw the write as two events.
            rebuilds = output.rebuilds(timeout=0.3)
            if not rebuilds:
                fail("serve served the change but printed no rebuild for it")
            rebuild_ms, phases = rebuilds[0]
            if "total" not in phases:
                fail("serve --timings printed no phases this script knows after its rebuild line; update parse_phases")
            if run >= 2:  # the first two warm the caches
                rows.append(
                    [
                        args.session,
                        "picket",
                        args.version,
                        str(args.n),
                        str(run - 1),
                        "%.1f" % elapsed,
                        str(len(rebuilds)),
                        str(rebuild_ms),
                        " ".join("%s=%.1f" % kv for kv in phases.items()) or "-",
                        "%.0f" % startup_ms,
                        "-",
                        load,
                    ]
                )
                print("save %d: served after %.1f ms (picket rebuilt in %d ms%s)" % (
                    run - 1, elapsed, rebuild_ms, ", %d rebuilds" % len(rebuilds) if len(rebuilds) > 1 else ""))
    finally:
        with open(args.page_file, "w", encoding="utf-8") as f:
            f.write(original)
        # The peak RSS of serve itself, from the kernel's high-water mark of its memory (wait4
        # would count the resident pages of this Python process it was forked from).
        try:
            with open("/proc/%d/status" % server.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        maxrss = line.split()[1]
        except OSError:
            pass
        server.terminate()
        server.wait()

    if maxrss == "-":
        fail("cannot read the peak RSS of picket serve")
    times = [float(row[5]) for row in rows]
    print(
        "save-to-served ms: median %.1f, min %.1f, max %.1f (%d saves); peak RSS %d MiB"
        % (statistics.median(times), min(times), max(times), len(times), int(maxrss) // 1024)
    )
    phase_names = []
    for row in rows:
        for part in row[8].split():
            name = part.split("=")[0]
            if name not in phase_names:
                phase_names.append(name)
    medians = []
    for name in phase_names:
        values = [float(p.split("=")[1]) for row in rows for p in row[8].split() if p.split("=")[0] == name]
        medians.append("%s %.1f" % (name, statistics.median(values)))
    if medians:
        print("picket's phases, median ms: " + ", ".join(medians))
    if args.record:
        new = not os.path.exists(args.record)
        if not new:
            with open(args.record, encoding="utf-8") as f:
                header = f.readline().rstrip("\n").split("\t")
            if header != COLUMNS:
                fail("%s has the columns %s, not %s" % (args.record, header, COLUMNS))
        with open(args.record, "a", encoding="utf-8") as f:
            if new:
                f.write("\t".join(COLUMNS) + "\n")
            for row in rows:
                row[10] = maxrss
                f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
