#!/usr/bin/env python3
"""Interleaved cold builds of one site by several picket binaries, to compare them in one run.

    python3 benches/interleave.py SITE OUT ROUNDS BINARY...

Each round builds SITE into OUT once with every binary (in turn, the order reversed every other
round), with the output folder and its build cache removed first, so every build is cold. Round
0 is a warm-up and is not counted. Prints, per binary, the median wall time and the median CPU
time (user + system, from getrusage), then every run with the load average when it ran.
"""
import os, resource, shutil, statistics, subprocess, sys, time
site, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
bins = sys.argv[4:]
parent, name = os.path.split(out.rstrip('/'))
def clean():
    for p in [out, os.path.join(parent, f'.{name}.picket-cache'), os.path.join(parent, f'.{name}.picket-staging')]:
        shutil.rmtree(p, ignore_errors=True)
res = {b: [] for b in bins}
for r in range(rounds + 1):
    order = bins if r % 2 == 0 else list(reversed(bins))
    for b in order:
        clean()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([b, 'build', '--root', site, '--output', out], capture_output=True, text=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            print(b, 'FAILED', p.stderr[-2000:]); sys.exit(1)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if r > 0:  # round 0 warms the page cache
            res[b].append((wall, cpu, os.getloadavg()[0]))
for b in bins:
    walls = [w for w, _, _ in res[b]]; cpus = [c for _, c, _ in res[b]]
    print(f"{os.path.basename(b)}\tmedian wall {statistics.median(walls)*1000:.1f} ms\tmedian cpu {statistics.median(cpus)*1000:.1f} ms\tmin wall {min(walls)*1000:.1f}\tmax wall {max(walls)*1000:.1f}\tn={len(walls)}")
print("runs (wall ms, cpu ms, load):")
for b in bins:
    print(os.path.basename(b), [(round(w*1000,1), round(c*1000,1), round(l,1)) for w, c, l in res[b]])
