#!/usr/bin/env python3
"""Run a live `outdial run` against the bench's stub provider and measure it
in its steady state: while the stub has (nearly) every line in flight, the
polls it answers per second and the runner's CPU over the same seconds. The
ramp-up and the last calls ending are left out of those two figures, not of
the totals.

usage: live_steady.py STATS_URL LINES COMMAND [ARG...]
prints on the last line of stderr:
  wall_s rss_mb cpu_s steady_s steady_polls steady_cpu_s
"""
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request

stats_url, lines, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
tick = os.sysconf("SC_CLK_TCK")


def stats():
    return json.loads(urllib.request.urlopen(stats_url).read())


def cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick
    except (OSError, IndexError, ValueError):
        return None


start = time.perf_counter()
child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
samples = []  # (time, polls, in_flight, cpu)
while child.poll() is None:
    time.sleep(0.25)
    used = cpu(child.pid)
    if used is None:
        break
    s = stats()
    samples.append((time.perf_counter(), s["polls"], s["in_flight"], used))
code = child.wait()
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
steady = [x for x in samples if x[2] >= 0.98 * lines]
if len(steady) >= 2:
    first, last = steady[0], steady[-1]
    span, polls, used = last[0] - first[0], last[1] - first[1], last[3] - first[3]
else:
    span, polls, used = 0.0, 0, 0.0
print(f"{wall:.3f} {usage.ru_maxrss / 1024:.1f} {usage.ru_utime + usage.ru_stime:.3f} {span:.3f} {polls} {used:.3f}", file=sys.stderr)
sys.exit(code)
