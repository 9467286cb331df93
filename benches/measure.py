#!/usr/bin/env python3
"""Run one build and record what it cost: wall time, peak memory, CPU and what it wrote.

Usage:
  measure.py run --record FILE [--field KEY=VALUE ...] --out DIR [--cache DIR] [--log FILE]
                 [--expect MANIFEST] [--no-record] -- CMD [ARG ...]
  measure.py manifest DIR MANIFEST      the hash of every file below DIR, as JSON
  measure.py compare MANIFEST DIR       exit 1, naming the files, when DIR differs from MANIFEST

`run` starts CMD under /usr/bin/time, which gives its peak RSS and CPU time, and waits for it
without reaping it, so that /proc/PID/io still holds what it wrote. Before and after the run it lists the
output folder (`--out`) and picket's build cache (`--cache`) with each file's inode, mtime and
size: a file is "written" when it is new or any of the three changed, so a file kept as a hard
link to the previous output, or left alone, is not counted. The listings are taken outside the
timed window. `--field` values come first in the row (session, tool, N, ...), the measurements
after; the header is written when FILE is new, and a FILE whose header differs is an error.
With `--expect`, the output after the run must equal the manifest byte for byte, or the run
fails loudly with the differing paths. CMD's output goes to `--log` (appended); with `--picket`,
its summary line and `--timings` lines are parsed into the `detail` column, and a run whose
output does not parse is an error rather than a row without them.

Standard library only; reads and writes nothing outside the folders it is given.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time

MEASURED = [
    "wall_s",
    "maxrss_kib",
    "user_s",
    "sys_s",
    "wchar_bytes",
    "out_files",
    "out_bytes",
    "written_files",
    "written_bytes",
    "cache_written_files",
    "cache_written_bytes",
    "loadavg1",
    "detail",
]


def fail(message):
    sys.stderr.write("measure.py: error: %s\n" % message)
    sys.exit(1)


def listing(root):
    """{relative path: (inode, mtime_ns, size)} of every file below root ({} when it is absent)."""
    found = {}
    if not os.path.isdir(root):
        return found
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[os.path.relpath(entry.path, root)] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def written(before, after):
    """(files, bytes) new or changed between two listings."""
    files = [path for path, stamp in after.items() if before.get(path) != stamp]
    return len(files), sum(after[path][2] for path in files)


def manifest(root):
    """{relative path: blake2b of the bytes} of every file below root; symlinks by their target."""
    hashes = {}
    for path in sorted(listing(root)):
        full = os.path.join(root, path)
        if os.path.islink(full):
            hashes[path] = "symlink:" + os.readlink(full)
            continue
        digest = hashlib.blake2b(digest_size=16)
        with open(full, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        hashes[path] = digest.hexdigest()
    return hashes


def differences(expected, actual, limit=10):
    """Lines naming the files that differ, at most `limit` of each kind."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(p for p in set(expected) & set(actual) if expected[p] != actual[p])
    lines = []
    for label, paths in (("missing", missing), ("not in the clean build", extra), ("different bytes", changed)):
        if paths:
            lines.append("%d %s: %s%s" % (len(paths), label, ", ".join(paths[:limit]), " ..." if len(paths) > limit else ""))
    return lines


# picket's lines, as printed by `picket build --timings` (stderr) and its summary (stdout).
SUMMARY = re.compile(r"^built (\d+) pages \((\d+) files, (\d+) new or changed\)")
PHASE = re.compile(r"^\s+(\S+(?: files)?)\s+([0-9.]+) ms$")
CACHE = re.compile(
    r"^  cache\s+(\d+) of (\d+) pages read, (\d+) parsed, (\d+) of (\d+) Markdown rendered, (\d+) of (\d+) files made"
)


def picket_detail(text):
    """key=value pairs from picket's output: files, changed, parsed, rendered, made, phases."""
    parts = []
    for line in text.splitlines():
        m = SUMMARY.match(line)
        if m:
            parts += ["pages=%s" % m.group(1), "files=%s" % m.group(2), "changed=%s" % m.group(3)]
            continue
        m = CACHE.match(line)
        if m:
            g = m.groups()
            parts += [
                "read=%s/%s" % (g[0], g[1]),
                "parsed=%s/%s" % (g[2], g[1]),
                "rendered=%s/%s" % (g[3], g[4]),
                "made=%s/%s" % (g[5], g[6]),
            ]
            continue
        m = PHASE.match(line.rstrip())
        if m:
            parts.append("%s_ms=%s" % (m.group(1).replace(" ", "_"), m.group(2)))
    return " ".join(parts)


def run(args):
    fields = []
    for pair in args.field:
        if "=" not in pair:
            fail("--field takes KEY=VALUE, got %r" % pair)
        fields.append(tuple(pair.split("=", 1)))
    header = [key for key, _ in fields] + MEASURED
    if not args.command:
        fail("no command given after --")
    if args.record and not args.no_record and os.path.exists(args.record):
        with open(args.record, encoding="utf-8") as f:
            existing = f.readline().rstrip("\n").split("\t")
        if existing != header:
            fail("%s has the columns %s, not %s; record into another file" % (args.record, existing, header))

    out_before = listing(args.out)
    cache_before = listing(args.cache) if args.cache else {}
    load = open("/proc/loadavg").read().split()[0]
    log = open(args.log, "ab") if args.log else subprocess.DEVNULL
    # GNU time reports the command's own peak RSS and CPU time. Python's wait4 alone would not do:
    # a process forked from Python starts with Python's resident pages, and the kernel counts them
    # in the peak RSS of whatever it then runs (13 MiB here, more than `cp -r` ever uses).
    read_end, write_end = os.pipe()
    timed = ["/usr/bin/time", "-f", "%M %U %S", "-o", "/dev/fd/%d" % write_end] + args.command
    started = time.perf_counter()
    try:
        child = subprocess.Popen(timed, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=(write_end,))
    except OSError as err:
        fail("cannot start %s: %s" % (timed[0], err))
    os.close(write_end)
    output = child.stdout.read()
    # Wait for the exit but leave the process a zombie, so that its I/O counters (which hold
    # those of the command it waited for) can still be read.
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
    wall = time.perf_counter() - started
    try:
        with open("/proc/%d/io" % child.pid) as f:
            io = dict(line.split(": ") for line in f.read().splitlines())
        wchar = io.get("wchar", "-").strip()
    except OSError:
        wchar = "-"
    _, status, _ = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stdout.close()
    with os.fdopen(read_end) as f:
        reported = f.read().split()
    if args.log:
        log.write(b"$ " + " ".join(args.command).encode() + b"\n" + output)
        log.close()
    text = output.decode("utf-8", "replace")
    if child.returncode == 0 and len(reported) < 3:
        fail("/usr/bin/time reported %r for %s" % (reported, " ".join(args.command)))
    if child.returncode != 0:
        tail = "\n".join(text.splitlines()[-15:])
        fail("%s exited with %d:\n%s" % (" ".join(args.command), child.returncode, tail))

    out_after = listing(args.out)
    cache_after = listing(args.cache) if args.cache else {}
    files, nbytes = written(out_before, out_after)
    cache_files, cache_bytes = written(cache_before, cache_after)
    if args.expect:
        with open(args.expect, encoding="utf-8") as f:
            expected = json.load(f)
        diff = differences(expected, manifest(args.out))
        if diff:
            fail(
                "the output of `%s` differs from a clean build of the same sources (%s):\n  %s"
                % (" ".join(args.command), args.expect, "\n  ".join(diff))
            )
    detail = picket_detail(text) or "-"
    if args.picket and not all(key in detail for key in ("changed=", "made=", "total_ms=")):
        fail(
            "picket printed no summary line, cache line or phases that this script knows (see %s); "
            "update SUMMARY, CACHE and PHASE in benches/measure.py to its output:\n%s"
            % (args.log or "its output", "\n".join(text.splitlines()[-15:]))
        )
    if args.expect:
        detail += " verified=clean-build"
    values = [value for _, value in fields] + [
        "%.3f" % wall,
        reported[-3],
        reported[-2],
        reported[-1],
        wchar,
        str(len(out_after)),
        str(sum(stamp[2] for stamp in out_after.values())),
        str(files),
        str(nbytes),
        str(cache_files) if args.cache else "-",
        str(cache_bytes) if args.cache else "-",
        load,
        detail,
    ]
    line = "\t".join(v.replace("\t", " ") for v in values)
    if args.record and not args.no_record:
        new = not os.path.exists(args.record)
        with open(args.record, "a", encoding="utf-8") as f:
            if new:
                f.write("\t".join(header) + "\n")
            f.write(line + "\n")
    # One line for the person watching: the main numbers.
    sys.stdout.write(
        "%.2f s, %d MiB, %d files (%.1f MiB) written of %d, write() %s MiB\n"
        % (
            wall,
            int(reported[-3]) // 1024,
            files,
            nbytes / 1048576.0,
            len(out_after),
            "%.1f" % (int(wchar) / 1048576.0) if wchar.isdigit() else "?",
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run")
    r.add_argument("--record")
    r.add_argument("--field", action="append", default=[])
    r.add_argument("--out", required=True)
    r.add_argument("--cache")
    r.add_argument("--log")
    r.add_argument("--expect")
    r.add_argument("--no-record", action="store_true")
    r.add_argument("--picket", action="store_true", help="CMD is `picket build --timings`: its summary must parse")
    r.add_argument("command", nargs=argparse.REMAINDER)
    m = sub.add_parser("manifest")
    m.add_argument("dir")
    m.add_argument("manifest")
    c = sub.add_parser("compare")
    c.add_argument("manifest")
    c.add_argument("dir")
    args = parser.parse_args()
    if args.what == "run":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        run(args)
    elif args.what == "manifest":
        if not os.path.isdir(args.dir):
            fail("%s is not a folder" % args.dir)
        hashes = manifest(args.dir)
        if not hashes:
            fail("%s holds no files" % args.dir)
        with open(args.manifest + ".tmp", "w", encoding="utf-8") as f:
            json.dump(hashes, f, sort_keys=True)
        os.replace(args.manifest + ".tmp", args.manifest)
        print("%d files in %s" % (len(hashes), args.dir))
    else:
        with open(args.manifest, encoding="utf-8") as f:
            expected = json.load(f)
        diff = differences(expected, manifest(args.dir))
        if diff:
            fail("%s differs from %s:\n  %s" % (args.dir, args.manifest, "\n  ".join(diff)))
        print("%s equals %s (%d files)" % (args.dir, args.manifest, len(expected)))


if __name__ == "__main__":
    main()
