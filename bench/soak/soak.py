#!/usr/bin/env python3
"""Soak under faults (issue 13): two MailGuard nodes on one PostgreSQL, a mixed workload at 50
sessions, and in the middle a PostgreSQL restart, a `kill -9` of one node (restarted 5 s later, as
systemd would) and 100 idle hostile connections from an address that may not relay.

Reports: messages accepted (250), delivered (at the sink), held (in quarantine), lost (250 but
neither), duplicated (delivered more than once, or both delivered and held), delivered without a
250, 4xx replies by code, each node's RSS over time, and the latency of one legitimate client
(one message at a time) before, and while, the hostile connections are open.

Usage: python3 bench/soak/soak.py [--minutes 20] [--sessions 50] [--hostile 100] [--pause 0.2] [--dll PATH]
Needs the .NET SDK and Debian's PostgreSQL (the cluster is made with .ci/test-postgres); run as root
or as a user that may run initdb. Not part of CI.
"""
import argparse, asyncio, collections, json, os, random, re, signal, smtplib, socket, subprocess
import sys, tempfile, threading, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Sink:
    """A loopback SMTP sink (the smart host) counting every delivered message by its X-Seq header."""

    def __init__(self):
        self.port = free_port()
        self.counts = collections.Counter()
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        if not wait_port(self.port):
            raise SystemExit("sink did not start")

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port, limit=1 << 22))
        self.loop.run_until_complete(server.serve_forever())

    async def _session(self, reader, writer):
        writer.write(b"220 sink.soak ESMTP\r\n")
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-sink.soak\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 104857600\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    await writer.drain()
                    data = await reader.readuntil(b"\r\n.\r\n")
                    m = re.search(rb"\r\nX-Seq: (\d+)\r\n", data)
                    if m:
                        with self.lock:
                            self.counts[int(m.group(1))] += 1
                    writer.write(b"250 2.0.0 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


class Postgres:
    def __init__(self, work):
        # Its own directory under /tmp: the cluster runs as `postgres`, which cannot enter `work` (0700).
        self.dir = os.path.join(tempfile.gettempdir(), f"mailguard-soak-pg-{os.getpid()}")
        out = subprocess.run([os.path.join(ROOT, ".ci", "test-postgres"), "start", self.dir], check=True, capture_output=True, text=True).stdout
        self.conn = out.strip().split("MAILGUARD_TEST_POSTGRES=", 1)[1]
        self.port = re.search(r"Port=(\d+)", self.conn).group(1)
        self.bindir = sorted(os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql"))[-1]

    def _pg_ctl(self, *args):
        cmd = [os.path.join(self.bindir, "pg_ctl"), "-D", os.path.join(self.dir, "data"), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def restart(self, down_seconds):
        self._pg_ctl("-m", "fast", "-w", "-t", "60", "stop")
        time.sleep(down_seconds)
        self._pg_ctl("-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start", "-o",
                     f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c full_page_writes=off -c max_connections=200")

    def stop(self):
        subprocess.run([os.path.join(ROOT, ".ci", "test-postgres"), "stop", self.dir], capture_output=True)

    def psql(self, sql):
        user = re.search(r"Username=([^;]+)", self.conn).group(1)
        db = re.search(r"Database=([^;]+)", self.conn).group(1)
        cmd = [os.path.join(self.bindir, "psql"), "-h", self.dir, "-p", self.port, "-U", user, "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


class Node:
    def __init__(self, name, dll, work, pg, sink):
        self.name, self.dll, self.port = name, dll, free_port()
        self.args = ["dotnet", dll, "run", "--Console:Listen=", f"--Relay:Listen:0=127.0.0.1:{self.port}",
                     "--Relay:ServerName=soak.test", "--Relay:AllowedNetworks:0=127.0.0.1/32",
                     # The load's 50 sessions all come from 127.0.0.1, standing for many clients; the
                     # per-client share (20, Postfix's default destination concurrency) would refuse them.
                     "--Relay:MaxSessionsPerClient=200",
                     "--Storage:Provider=Postgres", f"--Storage:ConnectionString={pg.conn}",
                     f"--Storage:Directory={os.path.join(work, name)}",
                     "--Delivery:Mode=Smtp", "--Delivery:Smtp:Host=127.0.0.1", f"--Delivery:Smtp:Port={sink.port}",
                     "--Delivery:Smtp:StartTls=None", f"--Delivery:NodeName={name}",
                     "--Policy:InternalDomains:0=example.org",
                     "--Policy:Rules:0:Name=exposed-recipients", "--Policy:Rules:0:Priority=10",
                     "--Policy:Rules:0:When:MinVisibleExternal=10", "--Policy:Rules:0:Action=Hold",
                     "--Policy:Rules:0:NotifySender=false",
                     "--Logging:LogLevel:Default=Warning"]
        self.log = open(os.path.join(work, f"{name}.log"), "ab")
        self.proc = None
        self.exits = []
        self.start()

    def start(self):
        began = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_port(self.port, 120):
            raise SystemExit(f"node {self.name} did not listen")
        self.start_seconds = time.monotonic() - began

    def rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.exits.append(self.proc.wait())

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.exits.append(self.proc.wait(60))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.exits.append(self.proc.wait())
        else:
            self.exits.append(self.proc.returncode)


class Load:
    """50 sessions sending a mix: plain 2 KB, 300 KB (through the spool), 5 recipients, and one in
    ten exposing 12 external recipients (held). Each message's fate is kept by its sequence number."""

    def __init__(self, ports, sessions, pause):
        self.ports, self.pause = ports, pause
        self.fates = {}
        self.replies = collections.Counter()
        self.flagged = set()
        self.seq = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._session, args=(ports[i % len(ports)],), daemon=True) for i in range(sessions)]
        for t in self.threads:
            t.start()

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def message(self, seq):
        kind = seq % 10
        to = "rcpt@example.com"
        rcpts = [to]
        if kind == 3:
            rcpts = [f"r{i}@example.com" for i in range(5)]
            to = ", ".join(rcpts)
        if kind == 7:
            to = ", ".join(f"p{i}@ext{i}.example" for i in range(12))
            with self.lock:
                self.flagged.add(seq)
        body = "The quick brown fox jumps over the lazy dog.\r\n" * (7000 if kind == 5 else 40)
        msg = (f"From: sender@example.org\r\nTo: {to}\r\nSubject: soak {seq}\r\nX-Seq: {seq}\r\n"
               f"Message-ID: <soak{seq}@example.org>\r\n\r\n{body}")
        return rcpts, msg.encode()

    def _session(self, port):
        client = None
        while not self.stop.is_set():
            seq = self.next_seq()
            rcpts, msg = self.message(seq)
            fate, stage = "notsent", "connect"
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", port, timeout=60)
                    client.ehlo("soak.test")
                stage = "envelope"
                code, _ = client.mail("sender@example.org")
                if code != 250:
                    raise smtplib.SMTPResponseException(code, b"mail")
                for r in rcpts:
                    code, _ = client.rcpt(r)
                    if code != 250:
                        raise smtplib.SMTPResponseException(code, b"rcpt")
                stage = "data"
                code, _ = client.data(msg)
                fate = "accepted" if code == 250 else "refused"
                if code != 250:
                    self.replies[code] += 1
            except smtplib.SMTPResponseException as e:
                self.replies[e.smtp_code] += 1
                fate = "refused" if stage == "data" else "notsent"
                try:
                    client.rset()
                except Exception:
                    client = self._close(client)
            except (OSError, smtplib.SMTPException):
                fate = "ambiguous" if stage == "data" else "notsent"
                client = self._close(client)
                time.sleep(0.5)
            with self.lock:
                self.fates[seq] = fate
            time.sleep(self.pause)
        self._close(client)

    @staticmethod
    def _close(client):
        if client is not None:
            try:
                client.close()
            except Exception:
                pass
        return None


class Legit:
    """One legitimate client on node a, one 2 KB message at a time, its latency recorded."""

    def __init__(self, port):
        self.port, self.samples, self.failures = port, [], collections.Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        body = ("From: legit@example.org\r\nTo: rcpt@example.com\r\nSubject: legit\r\nX-Legit: 1\r\n\r\n" + "x" * 2000 + "\r\n").encode()
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as c:
                    c.sendmail("legit@example.org", ["rcpt@example.com"], body)
                self.samples.append((time.time(), time.monotonic() - t0))
            except smtplib.SMTPResponseException as e:
                self.failures[e.smtp_code] += 1
            except (OSError, smtplib.SMTPException) as e:
                self.failures[type(e).__name__] += 1
            time.sleep(0.2)


def hostile_connections(port, count):
    """Idle connections from 127.0.0.2 (outside Relay:AllowedNetworks): they read the greeting and sit."""
    socks, refused = [], 0
    for _ in range(count):
        s = socket.socket()
        try:
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", port))
            s.settimeout(5)
            greeting = s.recv(512)
            if not greeting.startswith(b"220"):
                refused += 1
            socks.append(s)
        except OSError:
            refused += 1
            s.close()
    return socks, refused


def p99(values):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * 0.99))]


def held_seqs(dll, pg, work):
    # Straight from the database: `quarantine list` shows the newest 10,000, and a 20-minute run
    # holds more than that.
    out = pg.psql("SELECT subject FROM quarantine WHERE status = 0")
    seqs = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"soak (\d+)$", line.strip())
        if m:
            seqs[int(m.group(1))] += 1
    return seqs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--hostile", type=int, default=100)
    ap.add_argument("--pause", type=float, default=0.2, help="seconds each session waits between messages")
    ap.add_argument("--dll", help="a built mailguard.dll (default: build src/MailGuard.Host in Release)")
    a = ap.parse_args()
    dll = a.dll
    if not dll:
        out = os.path.join(tempfile.gettempdir(), "mailguard-soak-build")
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "MailGuard.Host"), "-c", "Release", "-o", out, "-v", "q", "-nologo"], check=True)
        dll = os.path.join(out, "mailguard.dll")
    work = tempfile.mkdtemp(prefix="mailguard-soak-")
    duration = a.minutes * 60
    events = []
    pg = Postgres(work)
    sink = Sink()
    nodes = []
    try:
        nodes = [Node("node-a", dll, work, pg, sink), Node("node-b", dll, work, pg, sink)]
        t0 = time.time()
        rss = {n.name: [] for n in nodes}

        def mark(what):
            events.append((time.time() - t0, what))
            print(f"[{time.time() - t0:7.1f} s] {what}", flush=True)

        load = Load([n.port for n in nodes], a.sessions, a.pause)
        legit = Legit(nodes[0].port)
        mark(f"load started: {a.sessions} sessions over 2 nodes, 1 legitimate client on node-a")
        plan = [(0.25, "pg"), (0.50, "kill"), (0.65, "hostile-open"), (0.85, "hostile-close")]
        hostile, hostile_window = [], None
        next_rss = 0
        while time.time() - t0 < duration:
            el = time.time() - t0
            if el >= next_rss:
                for n in nodes:
                    rss[n.name].append((round(el), n.rss_mb()))
                next_rss = el + max(5, duration / 60)
            if plan and el >= plan[0][0] * duration:
                _, step = plan.pop(0)
                if step == "pg":
                    mark("PostgreSQL: stop (fast), 5 s down, start")
                    pg.restart(5)
                    mark("PostgreSQL back")
                elif step == "kill":
                    mark("kill -9 node-b")
                    nodes[1].kill9()
                    time.sleep(5)
                    nodes[1].start()
                    mark(f"node-b restarted (listening {nodes[1].start_seconds:.1f} s after its start)")
                elif step == "hostile-open":
                    hostile, refused = hostile_connections(nodes[0].port, a.hostile)
                    hostile_window = [time.time(), None]
                    mark(f"{len(hostile)} hostile idle connections open on node-a ({refused} refused or not greeted)")
                elif step == "hostile-close":
                    for s in hostile:
                        s.close()
                    hostile_window[1] = time.time()
                    mark("hostile connections closed")
            time.sleep(0.5)
        load.stop.set()
        legit.stop.set()
        for t in load.threads:
            t.join(90)
        legit.thread.join(90)
        mark("load stopped; draining")
        accepted = {s for s, f in load.fates.items() if f == "accepted"}
        deadline = time.time() + 180
        held = collections.Counter()
        while time.time() < deadline:
            with sink.lock:
                delivered = set(sink.counts)
            held = held_seqs(dll, pg, work)
            if all(s in delivered or s in held for s in accepted):
                break
            time.sleep(3)
        time.sleep(2)
        mark("drained")
        for n in nodes:
            rss[n.name].append((round(time.time() - t0), n.rss_mb()))
        with sink.lock:
            counts = dict(sink.counts)
        held = held_seqs(dll, pg, work)
        lost = sorted(s for s in accepted if s not in counts and s not in held)
        dup_delivered = sorted(s for s, c in counts.items() if c > 1)
        dup_both = sorted(s for s in counts if s in held)
        without250 = sorted(s for s in counts if load.fates.get(s) in ("refused", "notsent", None))
        ambiguous = [s for s, f in load.fates.items() if f == "ambiguous"]
        fates = collections.Counter(load.fates.values())
        in_window = [d for (ts, d) in legit.samples if hostile_window and hostile_window[0] <= ts <= (hostile_window[1] or ts)]
        # The baseline: the 20 s before the hostile connections, after the earlier faults have passed.
        before = [d for (ts, d) in legit.samples if hostile_window and hostile_window[0] - 20 <= ts < hostile_window[0]]
        overall = [d for (_, d) in legit.samples]
        print()
        print(f"duration {a.minutes} min, {a.sessions} sessions, pause {a.pause} s, {a.hostile} hostile connections")
        print(f"attempted {len(load.fates)}: accepted (250) {fates['accepted']}, refused {fates['refused']}, "
              f"ambiguous (connection lost in DATA) {fates['ambiguous']}, not sent {fates['notsent']}")
        print(f"accepted and delivered {sum(1 for s in accepted if s in counts)}, accepted and held {sum(1 for s in accepted if s in held)} "
              f"(of {len(load.flagged & accepted)} flagged accepted)")
        print(f"lost {len(lost)} {lost[:20]}; duplicated at the sink {len(dup_delivered)} {dup_delivered[:20]}; "
              f"delivered and held {len(dup_both)}; delivered without a 250 {len(without250)} {without250[:20]}; "
              f"ambiguous delivered {sum(1 for s in ambiguous if s in counts or s in held)} of {len(ambiguous)}")
        print(f"4xx replies to the load: {sum(c for k, c in load.replies.items() if 400 <= k < 500)} "
              f"{dict(sorted(load.replies.items()))}")
        print(f"legitimate client: {len(legit.samples)} messages, failures {dict(legit.failures)}; latency p99 "
              f"in the 20 s before the hostile connections {p99(before) * 1000:.1f} ms (n={len(before)}), while they are open "
              f"{p99(in_window) * 1000:.1f} ms (n={len(in_window)}), whole run {p99(overall) * 1000:.1f} ms (n={len(overall)})")
        for name, series in rss.items():
            vals = [v for _, v in series if v is not None]
            print(f"RSS {name} (MB): max {max(vals):.0f}, last {vals[-1]:.0f}; " + " ".join(f"{t}s:{v:.0f}" if v else f"{t}s:-" for t, v in series))
        for n in nodes:
            n.terminate()
        print(f"node exit codes (kill -9 then SIGTERM): " + ", ".join(f"{n.name} {n.exits}" for n in nodes))
        print("timeline: " + "; ".join(f"{t:.0f}s {w}" for t, w in events))
        print(f"logs: {work}/node-a.log, node-b.log")
    finally:
        for n in nodes:
            if n.proc and n.proc.poll() is None:
                n.proc.kill()
        pg.stop()


if __name__ == "__main__":
    main()
