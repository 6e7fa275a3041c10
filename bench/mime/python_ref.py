#!/usr/bin/env python3
"""Reference for bench/mime: Python's email package parsing and fully decoding the same files.
Prints one line per input: NAME BYTES SECONDS, the best of --repeat runs in CPU time
(time.process_time), which a loaded machine disturbs far less than wall time."""
import email, email.policy, sys, time
from email.parser import BytesParser

def work(data):
    msg = BytesParser(policy=email.policy.default).parsebytes(data)
    total = 0
    for part in msg.walk():
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            total += len(payload or b'')
    return total

def main():
    repeat = int(sys.argv[1])
    groups = {}
    for arg in sys.argv[2:]:
        name, _, path = arg.partition('=')
        groups.setdefault(name, []).append(open(path, 'rb').read())
    for name, blobs in groups.items():
        size = sum(len(b) for b in blobs)
        best = None
        for _ in range(repeat):
            t = time.process_time()
            for b in blobs:
                work(b)
            el = time.process_time() - t
            best = el if best is None else min(best, el)
        print(name, size, '%.6f' % best, flush=True)

main()
