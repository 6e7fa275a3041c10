#!/usr/bin/env python3
"""Summarise alternating runs of `MailGuard.Bench delivery` per build: medians and best rounds.

Input: the bench's output with "=== BUILD pass N" lines before each run (see README.md).
Usage: python3 bench/delivery/summarize.py FILE
"""
import collections, re, statistics, sys

runs = collections.defaultdict(lambda: collections.defaultdict(list))
build = None
for line in open(sys.argv[1]):
    m = re.match(r"=== (\w+) pass", line)
    if m:
        build = m.group(1)
        continue
    m = re.match(r"(.+?)\s+(\d+)\s+(\d+)\s+([\d.]+)$", line.strip())
    if m and build:
        runs[m.group(1).strip()][build].append((float(m.group(3)), float(m.group(4))))

print(f"{'case':22} {'build':5} {'n':>3} {'median msgs/s':>14} {'median cpu us/msg':>18} {'best msgs/s':>12} {'best cpu us/msg':>16}")
for case, builds in runs.items():
    for b, rounds in builds.items():
        rates, cpus = [r[0] for r in rounds], [r[1] for r in rounds]
        print(f"{case:22} {b:5} {len(rounds):3} {statistics.median(rates):14.0f} {statistics.median(cpus):18.1f} {max(rates):12.0f} {min(cpus):16.1f}")
