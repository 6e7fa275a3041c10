#!/usr/bin/env python3
"""Review console benchmark: how fast the pages and the API answer with a full quarantine.

Starts `mailguard run` (the Release build) with its console on loopback, holds N messages through
the relay (12 visible external recipients each; every tenth also carries a CSV of 2,000 people),
makes a reviewer with `mailguard user add` and an API token with `mailguard token create`, logs
in like a browser (cookie + antiforgery token), then times each request R times:

  /healthz (the reference: the same server, routing and middleware, no page and almost no store)
  /messages (50 newest of N), /messages?q=... (a search), /messages/{id} (with the 2,000-row CSV:
  the page parses the message again to list attachments and mask the body), /dashboard,
  /api/messages?limit=100, /metrics.

Reports the median and p95 per request and the median as a multiple of /healthz's median in the
same run. Usage: python3 bench/console/bench.py [--messages N] [--rounds R]
(needs: dotnet build -c Release src/MailGuard.Host).
"""
import argparse, http.cookiejar, os, re, smtplib, socket, statistics, subprocess, sys, tempfile, time, urllib.request
from email.message import EmailMessage

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DLL = os.path.join(ROOT, "src", "MailGuard.Host", "bin", "Release", "net10.0", "mailguard.dll")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("console did not come up: " + url)


def message(i, with_csv):
    m = EmailMessage()
    m["From"] = "clerk@corp.example"
    to = [f"applicant{k}@ext{k % 4}.example" for k in range(12)]
    m["To"] = ", ".join(to)
    m["Subject"] = f"Applications batch {i}"
    m.set_content("Please find the list attached.\n")
    if with_csv:
        rows = ["name,date of birth,ni number"] + [f"Person {n},{1 + n % 28:02d}/{1 + n % 12:02d}/19{50 + n % 50},AB{n % 100:02d}{(n // 100) % 100:02d}{n % 97:02d}C" for n in range(2000)]
        m.add_attachment("\n".join(rows).encode(), maintype="text", subtype="csv", filename="applicants.csv")
    return to, m


def timed(opener, url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    t = time.perf_counter()
    with opener.open(req, timeout=60) as r:
        body = r.read()
        status = r.status
    return time.perf_counter() - t, status, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=30)
    a = ap.parse_args()
    if not os.path.exists(DLL):
        raise SystemExit("build first: dotnet build -c Release src/MailGuard.Host")
    work = tempfile.mkdtemp(prefix="mg-console-bench-")
    smtp_port, http_port = free_port(), free_port()
    base = f"http://127.0.0.1:{http_port}"
    store = ["--Storage:Directory=" + os.path.join(work, "data")]
    proc = subprocess.Popen(["dotnet", DLL, "run", f"--Relay:Listen:0=127.0.0.1:{smtp_port}", f"--Console:Listen={base}",
                             "--Policy:InternalDomains:0=corp.example", "--Policy:Rules:0:NotifySender=false",
                             "--Logging:LogLevel:Default=Warning"] + store,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(base + "/healthz")
        t = time.time()
        held = []
        with smtplib.SMTP("127.0.0.1", smtp_port) as s:
            for i in range(a.messages):
                to, m = message(i, with_csv=(i % 10 == 0))
                s.send_message(m, to_addrs=to)
        print(f"held {a.messages} messages in {time.time() - t:.1f} s")
        cli = lambda *args: subprocess.run(["dotnet", DLL, *args, *store], capture_output=True, text=True, check=True).stdout.strip()
        password = cli("user", "add", "bench")
        token = cli("token", "create", "--name", "bench")
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(base + "/login").read().decode()
        af = re.search(r'name="__af" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"Name": "bench", "Password": password, "__af": af}).encode()
        browser.open(urllib.request.Request(base + "/login", data=data)).read()
        listing = browser.open(base + "/messages").read().decode()
        ids = re.findall(r'href="/messages/([0-9a-z]{20})"', listing)
        api = urllib.request.build_opener()
        # The oldest message carries the CSV (i = 0).
        oldest = re.findall(r'"id":"([0-9a-z]{20})"', api.open(urllib.request.Request(base + f"/api/messages?offset={a.messages - 1}&limit=1", headers={"Authorization": "Bearer " + token})).read().decode())[0]
        check = browser.open(base + "/messages/" + oldest).read().decode()
        assert "applicants.csv" in check and "AB" not in re.sub(r"AB\*+", "", check.split("<h2>Message</h2>")[1].split("<h2>Audit trail</h2>")[0]), "the CSV message page"
        cases = [
            ("/healthz", browser, base + "/healthz", None),
            ("/messages (50 of N)", browser, base + "/messages", None),
            ("/messages?q=applications (all N)", browser, base + "/messages?q=applications", None),
            ("/messages/{id} (2,000-row CSV)", browser, base + "/messages/" + oldest, None),
            ("/messages/{id} (no attachment)", browser, base + "/messages/" + ids[0], None),
            ("/dashboard", browser, base + "/dashboard", None),
            ("/api/messages?limit=100", api, base + "/api/messages?limit=100", {"Authorization": "Bearer " + token}),
            ("/metrics", api, base + "/metrics", None),
        ]
        results = {}
        for name, opener, url, headers in cases:
            timed(opener, url, headers)  # warm-up (JIT, caches)
            samples = []
            for _ in range(a.rounds):
                dt, status, _ = timed(opener, url, headers)
                assert status == 200, (name, status)
                samples.append(dt * 1000)
            samples.sort()
            results[name] = (statistics.median(samples), samples[int(0.95 * (len(samples) - 1))])
        ref = results["/healthz"][0]
        print(f"{'request':36} {'median ms':>10} {'p95 ms':>8} {'x /healthz':>11}")
        for name, (med, p95) in results.items():
            print(f"{name:36} {med:10.2f} {p95:8.2f} {med / ref:11.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


if __name__ == "__main__":
    import urllib.parse
    main()
