#!/usr/bin/env python3
"""Run a command; print its wall time (s) and peak resident memory (MB) as
`wall_s rss_mb` on the last line of stderr (with MEASURE_CPU=1, also its
user + system CPU seconds: `wall_s rss_mb cpu_s`). The command's stdout is dropped unless MEASURE_STDOUT names a file for it.

usage: measure.py COMMAND [ARG...]
"""
import os
import resource
import subprocess
import sys
import time

start = time.perf_counter()
# MEASURE_STDOUT=PATH keeps the command's output in PATH (a run's --json, for one).
out = open(os.environ["MEASURE_STDOUT"], "w") if os.environ.get("MEASURE_STDOUT") else subprocess.DEVNULL
code = subprocess.call(sys.argv[1:], stdout=out)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = f" {usage.ru_utime + usage.ru_stime:.3f}" if os.environ.get("MEASURE_CPU") else ""
print(f"{wall:.3f} {usage.ru_maxrss / 1024:.1f}{cpu}", file=sys.stderr)
sys.exit(code)
