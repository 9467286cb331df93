#!/usr/bin/env python3
"""Time from saving a page to its new version being served by `picket serve`.

Usage: benches/serve_latency.py PICKET_BINARY SITE_ROOT PAGE_FILE [--runs N]

Starts `picket serve --root SITE_ROOT --port 0`, then N times: appends a unique marker line to
PAGE_FILE (a write in place, as most editors do), and polls the page's URL over HTTP until the
served HTML contains the marker. Prints each time and the median, min and max in milliseconds.
The page file is restored afterwards. Standard library only; talks only to 127.0.0.1.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request


def page_url(base, site_root, page_file):
    rel = os.path.relpath(page_file, os.path.join(site_root, "content"))
    if rel.endswith("/index.md") or rel == "index.md":
        route = os.path.dirname(rel)
    elif rel.endswith("_index.md"):
        route = os.path.dirname(rel)
    else:
        route = rel[: -len(".md")]
    route = route.strip("/")
    return base + (route + "/" if route else "")


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8", "replace")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("picket")
    parser.add_argument("site_root")
    parser.add_argument("page_file")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    original = open(args.page_file, encoding="utf-8").read()
    server = subprocess.Popen(
        [args.picket, "serve", "--root", args.site_root, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = server.stdout.readline()
        if " at " not in line:
            sys.exit(f"serve did not start: {line!r}")
        base = line.strip().split(" at ")[-1]
        url = page_url(base, args.site_root, args.page_file)
        fetch(url)
        times = []
        for run in range(args.runs + 2):
            marker = f"latency-marker-{run}-{time.time_ns()}"
            with open(args.page_file, "w", encoding="utf-8") as f:
                f.write(original + f"\n\n{marker}\n")
            started = time.perf_counter()
            while marker not in fetch(url):
                time.sleep(0.001)
                if time.perf_counter() - started > 30:
                    sys.exit("the change was not served within 30 s")
            elapsed = (time.perf_counter() - started) * 1000
            if run >= 2:  # the first two warm the caches
                times.append(elapsed)
            time.sleep(0.2)
        print("runs:", " ".join(f"{t:.1f}" for t in times))
        print(
            f"save-to-served ms: median {statistics.median(times):.1f}, "
            f"min {min(times):.1f}, max {max(times):.1f} ({len(times)} saves)"
        )
    finally:
        with open(args.page_file, "w", encoding="utf-8") as f:
            f.write(original)
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
