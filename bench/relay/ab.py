#!/usr/bin/env python3
"""Two MailGuard builds compared through the relay, side by side (bench/relay/ab.py).

bench.py measures one build against the direct smtp-source -> smtp-sink rate; on this 2-core
machine the same build's CPU per message moves by 10-20% from one run to the next (other tenants,
clock), so two builds run one after the other cannot be told apart by a few percent. Here both
builds run at once, each warmed, and batches of the same message go to one and then the other
(A B, then B A, ...), so each pair of batches sees the same machine. Per batch: CPU of that relay
per message (utime+stime from /proc, delivery to smtp-sink included, as bench.py counts it).
Printed: each pair, the median CPU per message of each build, the median of the paired
differences and in how many pairs B took less.

Usage: python3 bench/relay/ab.py A.dll B.dll [--case "XLSX 200KB"] [--pairs 10] [--batch 300]
(A and B are mailguard.dll of two Release builds, e.g. a copy of src/MailGuard.Host/bin/Release/net10.0
made before a change, and the tree's build after it.)
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the relay bench's message makers, smtp-sink and MailGuard runner)

CASES = {
    "CSV 200KB": lambda workdir: bench.message_file(workdir, "CSV 200KB", bench.csv_attachment(200_000)),
    "XLSX 200KB": lambda workdir: bench.message_file(workdir, "XLSX 200KB", bench.xlsx_attachment(1_360_000)),
    "2KB": lambda workdir: 2048,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a", help="mailguard.dll of build A")
    ap.add_argument("b", help="mailguard.dll of build B")
    ap.add_argument("--case", default="XLSX 200KB", choices=sorted(CASES))
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=300, help="messages per batch")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--warm", type=int, default=3000, help="messages each build is sent first (tiered JIT settles by about 3,000)")
    a = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="mg-ab-")
    message = CASES[a.case](workdir)
    sink_port = bench.free_port()
    sink = subprocess.Popen([bench.SMTP_SINK] + (["-u", "nobody"] if os.geteuid() == 0 else []) + [f"127.0.0.1:{sink_port}", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bench.wait_port(sink_port)
    builds = {}
    try:
        for name, dll in (("A", a.a), ("B", a.b)):
            os.makedirs(os.path.join(workdir, name))
            builds[name] = bench.MailGuard(sink_port, os.path.join(workdir, name), dll,
                                           ["--Policy:AuditOnly=true", f"--Console:Listen=http://127.0.0.1:{bench.free_port()}"])
        for mg in builds.values():
            mg.run(a.sessions, a.warm, 1, message)

        cpu = {"A": [], "B": []}
        for p in range(a.pairs):
            order = ("A", "B") if p % 2 == 0 else ("B", "A")
            for name in order:
                _, total, used = builds[name].run(a.sessions, a.batch, 1, message)
                cpu[name].append(used / a.batch * 1000)
            print(f"pair {p + 1:2}: A {cpu['A'][-1]:6.2f}  B {cpu['B'][-1]:6.2f} ms of CPU a message", flush=True)
    finally:
        for mg in builds.values():
            mg.stop()
        sink.terminate()
        sink.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    diffs = [b - x for x, b in zip(cpu["A"], cpu["B"])]
    print()
    print(f"{a.case}, {a.sessions} sessions, {a.pairs} pairs of {a.batch}: A median {statistics.median(cpu['A']):.2f}, "
          f"B median {statistics.median(cpu['B']):.2f} ms of CPU a message; B - A median {statistics.median(diffs):+.2f} ms "
          f"({statistics.median(diffs) / statistics.median(cpu['A']):+.1%}); B lower in {sum(d < 0 for d in diffs)} of {len(diffs)} pairs")


if __name__ == "__main__":
    main()
