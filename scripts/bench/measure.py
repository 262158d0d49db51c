#!/usr/bin/env python3
"""Run a command; print its wall time (s) and peak resident memory (MB) as
`wall_s rss_mb` on the last line of stderr. Its own output passes through.

usage: measure.py COMMAND [ARG...]
"""
import resource
import subprocess
import sys
import time

start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall:.3f} {rss_kb / 1024:.1f}", file=sys.stderr)
sys.exit(code)
