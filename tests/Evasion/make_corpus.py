#!/usr/bin/env python3
"""Writes the evasion corpus: one spreadsheet of 50 people (names, dates of birth, National
Insurance numbers) carried out of the organisation in as many ways as a hostile sender could
find that a mainstream mail client (or its user) still reads, plus honest controls that must
still be delivered. Everything is invented; the output is deterministic (no clock, no random
state but a fixed seed), so running it again rewrites the same bytes, except the S/MIME
signature, whose signing time comes from openssl (skipped with a note when openssl is absent).

    python3 tests/Evasion/make_corpus.py

Carriers go to corpus/carriers/*.eml (each must be held), controls to corpus/controls/*.eml
(each must be delivered). Every file is CRLF; see .gitattributes.
"""
import base64
import binascii
import bz2
import io
import lzma
import os
import random
import shutil
import struct
import subprocess
import tarfile
import tempfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
SENDER = "Pat Clerk <pat.clerk@corp.example>"
RECIPIENT = "Sam Partner <sam@partner.example.net>"
DATE = "Fri, 04 Dec 2026 10:00:00 +0000"

# ---------------------------------------------------------------- the payload

rng = random.Random(1598)
FIRST = ["Amelia", "Bilal", "Chloe", "Dmitri", "Efua", "Farah", "Gareth", "Hana", "Idris", "Joanna"]
LAST = ["Okafor", "Nowak", "Fletcher", "Haddad", "Lindqvist"]
PREFIX = "ABCEGHJKLMNPRSTWXYZ"  # first and second letters allowed in NI numbers (HMRC's rules)


def nino():
    while True:
        p = rng.choice(PREFIX) + rng.choice(PREFIX)
        if p not in ("GB", "NK", "TN", "ZZ", "BG", "KN", "NT") and p[1] != "O":
            return p + "%06d" % rng.randint(0, 999999) + rng.choice("ABCD")


ROWS = []
for i in range(50):
    name = FIRST[i % 10] + " " + LAST[i // 10]
    dob = "%02d/%02d/%04d" % (1 + (i * 7) % 28, 1 + i % 12, 1950 + (i * 3) % 50)
    ROWS.append((name, dob, nino()))

CSV = "Name,Date of birth,NI number\r\n" + "".join("%s,%s,%s\r\n" % r for r in ROWS)
CSV_BYTES = CSV.encode()


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + width] for i in range(0, len(s), width)) + "\r\n"


def headers(subject, extra="", content_type=None):
    h = "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@corp.example>\r\nMIME-Version: 1.0\r\n" % (
        SENDER, RECIPIENT, subject, DATE, subject.lower().replace(" ", "-")[:40])
    h += extra
    if content_type:
        h += "Content-Type: " + content_type + "\r\n"
    return h


def csv_part(boundary_line="--XX", name="people.csv", cte="base64"):
    body = b64(CSV_BYTES) if cte == "base64" else CSV
    return "%s\r\nContent-Type: text/csv; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: %s\r\n\r\n%s" % (
        boundary_line, name, name, cte, body)


TEXT = "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the list attached.\r\n"


def mixed(extra_headers="", ct='multipart/mixed; boundary="XX"', parts=None, preamble="", epilogue=""):
    parts = parts if parts is not None else TEXT + csv_part()
    return headers("Quarterly list", extra_headers, ct) + "\r\n" + preamble + parts + "--XX--\r\n" + epilogue


def attachment_message(name, ctype, data, subject="Quarterly list", cte_body=None):
    return headers(subject, "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT + (
        "--XX\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--XX--\r\n"
        % (ctype, name, name, cte_body or b64(data)))


# ---------------------------------------------------------------- archives

def zip_bytes(files, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 4, 10, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def zipcrypto(files, password=b"secret"):
    """A zip with traditional PKWARE encryption (APPNOTE 6.1), stored members."""
    def crc32_update(crc, b):
        return zlib.crc32(bytes([b]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    out = io.BytesIO()
    central = []
    for name, data in files:
        keys = [0x12345678, 0x23456789, 0x34567890]

        def update(c):
            keys[0] = crc32_update(keys[0], c)
            keys[1] = (keys[1] + (keys[0] & 0xFF)) & 0xFFFFFFFF
            keys[1] = (keys[1] * 134775813 + 1) & 0xFFFFFFFF
            keys[2] = crc32_update(keys[2], keys[1] >> 24)

        def encrypt(plain):
            res = bytearray()
            for c in plain:
                t = (keys[2] | 2) & 0xFFFF
                k = ((t * (t ^ 1)) >> 8) & 0xFF
                res.append(c ^ k)
                update(c)
            return bytes(res)

        for c in password:
            update(c)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        header = bytes(rng.randrange(256) for _ in range(11)) + bytes([crc >> 24])
        enc = encrypt(header) + encrypt(data)
        offset = out.tell()
        nb = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 1, 0, 0, 0x5B84, crc, len(enc), len(data), len(nb), 0) + nb + enc)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 1, 0, 0, 0x5B84, crc, len(enc), len(data), len(nb), 0, 0, 0, 0, 0, offset) + nb)
    start = out.tell()
    for c in central:
        out.write(c)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def tnef(attachments, body=b"See the attached list."):
    """A minimal TNEF stream (MS-OXTNEF): legacy attributes for each attachment."""
    def attr(level, atype, aid, data):
        return struct.pack("<BIi", level, (atype << 16) | aid, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += attr(1, 0x0009, 0x9006, struct.pack("<I", 0x00010000))          # attTnefVersion
    out += attr(1, 0x0001, 0x9007, b"1252\x00\x00\x00\x00")                   # attOemCodepage
    out += attr(1, 0x0001, 0x8008, b"IPM.Microsoft Mail.Note\x00")            # attMessageClass
    out += attr(1, 0x0002, 0x800C, body + b"\x00")                            # attBody (text)
    for name, data in attachments:
        out += attr(2, 0x0006, 0x9002, struct.pack("<HiiHHHHI", 1, -1, 0, 0, 0, 0, 0, 0))  # attAttachRendData
        out += attr(2, 0x0001, 0x8010, name.encode() + b"\x00")              # attAttachTitle
        out += attr(2, 0x0006, 0x800F, data)                                  # attAttachData
    return out


# ---------------------------------------------------------------- carriers

carriers = {}
controls = {}


def carrier(name, text):
    carriers[name] = text if isinstance(text, bytes) else text.encode("latin-1")


def control(name, text):
    controls[name] = text if isinstance(text, bytes) else text.encode("latin-1")


carrier("plain-attachment", mixed())
carrier("header-line-without-colon", mixed("X-Note this line has no colon\r\n"))
carrier("nul-byte-in-header-name", mixed("X-Tra\x00ck: 1\r\n"))
carrier("space-before-colon", headers("Quarterly list") + 'Content-Type : multipart/mixed; boundary="XX"\r\n\r\n' + TEXT + csv_part() + "--XX--\r\n")
carrier("2100-header-fields", mixed("".join("X-Audit-%d: ok\r\n" % i for i in range(2100))))
carrier("header-block-over-1mib", mixed("".join("X-Pad-%d: %s\r\n" % (i, "v" * 990) for i in range(1100))))
carrier("70kb-content-type-line", mixed(ct="multipart/mixed; " + "".join("x%d=y; " % i for i in range(9000)) + 'boundary="XX"'))
carrier("inner-multipart-reuses-boundary", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n--XX\r\nContent-Type: multipart/alternative; boundary=\"XX\"\r\n\r\n" + TEXT + csv_part() + "--XX--\r\n--XX--\r\n")
carrier("mime-part-in-preamble", mixed(preamble=csv_part("--YY") + "\r\n", parts=TEXT))
carrier("mime-part-in-epilogue", mixed(parts=TEXT, epilogue=csv_part("--YY")))
carrier("csv-text-in-epilogue", mixed(parts=TEXT, epilogue=CSV))
carrier("boundary-in-single-quotes", mixed(ct="multipart/mixed; boundary='XX'"))
carrier("boundary-with-8bit-bytes", mixed(ct='multipart/mixed; boundary="X\xe9X"', parts=(TEXT + csv_part()).replace("--XX", "--X\xe9X")).replace("--XX--", "--X\xe9X--"))
carrier("boundary-after-missing-semicolon", mixed(ct='multipart/mixed boundary="XX"'))
carrier("duplicate-content-type", mixed("Content-Type: text/plain\r\n"))
carrier("duplicate-boundary-parameter", mixed(ct='multipart/mixed; boundary="YY"; boundary="XX"'))
carrier("duplicate-transfer-encoding", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT +
        "--XX\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(CSV_BYTES) + "--XX--\r\n")
carrier("base64-past-stray-pad", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT +
        "--XX\r\nContent-Type: text/csv; name=\"people.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"Hi").decode() + "\r\n" + b64(CSV_BYTES) + "--XX--\r\n")
carrier("tnef-winmail-dat", attachment_message("winmail.dat", "application/ms-tnef", tnef([("people.csv", CSV_BYTES)])))
carrier("uuencode-in-body", headers("Quarterly list", "", "text/plain; charset=us-ascii") + "\r\nHere it is, uuencoded:\r\n\r\nbegin 644 people.csv\r\n" +
        "".join(binascii.b2a_uu(CSV_BYTES[i:i + 45]).decode().replace("\n", "\r\n") for i in range(0, len(CSV_BYTES), 45)) + "`\r\nend\r\n")
carrier("base64-block-in-body", headers("Quarterly list", "", "text/plain; charset=us-ascii") + "\r\nDecode this:\r\n\r\n" + b64(CSV_BYTES) + "\r\nThanks\r\n")
carrier("hex-run-in-body", headers("Quarterly list", "", "text/plain; charset=us-ascii") + "\r\nhex: " + CSV_BYTES.hex() + "\r\n")
carrier("rows-in-x-headers", headers("Quarterly list", "".join("X-Row-%d: %s, %s, %s\r\n" % (i, *r) for i, r in enumerate(ROWS)), "text/plain") + "\r\nNothing to see here.\r\n")
carrier("csv-folded-into-one-header", headers("Quarterly list", "X-Data: " + "\r\n ".join("%s; %s; %s" % r for r in ROWS) + "\r\n", "text/plain") + "\r\nNothing to see here.\r\n")
carrier("base64-csv-in-x-header", headers("Quarterly list", "X-Payload: " + base64.b64encode(CSV_BYTES).decode() + "\r\n", "text/plain") + "\r\nNothing to see here.\r\n")
nest = csv_part("--B40", cte="base64")
for level in range(39, 0, -1):
    nest = "--B%d\r\nContent-Type: multipart/mixed; boundary=\"B%d\"\r\n\r\n%s--B%d--\r\n" % (level, level + 1, nest, level + 1)
carrier("mime-depth-40", headers("Quarterly list", "", 'multipart/mixed; boundary="B1"') + "\r\n" + nest + "--B1--\r\n")
carrier("after-10000-parts", mixed(parts="".join("--XX\r\nContent-Type: text/plain\r\n\r\n.\r\n" for _ in range(10000)) + csv_part()))
carrier("zip-after-10000-entries", attachment_message("logs.zip", "application/zip", zip_bytes([("log%05d.txt" % i, b"ok") for i in range(10000)] + [("people.csv", CSV_BYTES)])))
inner = CSV_BYTES
name = "people.csv"
for level in range(9):
    inner = zip_bytes([(name, inner)])
    name = "level%d.zip" % level
carrier("zip-nested-9-deep", attachment_message("bundle.zip", "application/zip", inner))
carrier("password-protected-zip", attachment_message("people.zip", "application/zip", zipcrypto([("people.csv", CSV_BYTES)])))
carrier("bzip2-file", attachment_message("people.csv.bz2", "application/x-bzip2", bz2.compress(CSV_BYTES)))
carrier("xz-file", attachment_message("people.csv.xz", "application/x-xz", lzma.compress(CSV_BYTES, format=lzma.FORMAT_XZ)))
carrier("zip-with-bzip2-method", attachment_message("people.zip", "application/zip", zip_bytes([("people.csv", CSV_BYTES)], zipfile.ZIP_BZIP2)))
carrier("zip-with-lzma-method", attachment_message("people.zip", "application/zip", zip_bytes([("people.csv", CSV_BYTES)], zipfile.ZIP_LZMA)))
tar = io.BytesIO()
with tarfile.open(fileobj=tar, mode="w") as t:
    info = tarfile.TarInfo("people.csv")
    info.size = len(CSV_BYTES)
    info.mtime = 1796378400
    t.addfile(info, io.BytesIO(CSV_BYTES))
carrier("tar-gz-named-dat", attachment_message("backup.dat", "application/octet-stream", __import__("gzip").compress(tar.getvalue(), mtime=0)))
forwarded = mixed().encode("latin-1")
carrier("eml-inside-zip", attachment_message("forward.zip", "application/zip", zip_bytes([("forward.eml", forwarded)])))
carrier("base64-encoded-message-rfc822", headers("Fwd: list", "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT +
        "--XX\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(forwarded) + "--XX--\r\n")
whole = forwarded
third = (len(whole) + 2) // 3
frags = [whole[i * third:(i + 1) * third] for i in range(3)]
carrier("message-partial-all-fragments", headers("Split", "", 'multipart/mixed; boundary="PP"') + "\r\n" + TEXT.replace("--XX", "--PP") + "".join(
    "--PP\r\nContent-Type: message/partial; id=\"split@corp.example\"; number=%d; total=3\r\n\r\n%s\r\n" % (n + 1, f.decode("latin-1")) for n, f in enumerate(frags)) + "--PP--\r\n")
carrier("multipart-signed-clear", headers("Signed list", "", 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="SS"') + "\r\n--SS\r\n" +
        'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n' + TEXT + csv_part() + "--XX--\r\n\r\n--SS\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        b64(bytes.fromhex("3082") + bytes(64)) + "--SS--\r\n")
carrier("csv-declared-as-image", attachment_message("photo.png", "image/png", CSV_BYTES))
carrier("csv-utf16-with-bom", attachment_message("people.csv", "text/csv", b"\xff\xfe" + CSV.encode("utf-16-le")))
carrier("html-table-body", headers("Quarterly list", "", "text/html; charset=utf-8") + "\r\n<html><body><table>" + "".join(
    "<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % r for r in [("Name", "Date of birth", "NI number")] + ROWS) + "</table></body></html>\r\n")
carrier("data-uri-in-html", headers("Quarterly list", "", "text/html; charset=utf-8") + "\r\n<html><body><a href=\"data:text/csv;base64," + base64.b64encode(CSV_BYTES).decode() + "\">list</a></body></html>\r\n")
carrier("quoted-printable-soft-breaks", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT +
        "--XX\r\nContent-Type: text/csv; name=\"people.csv\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + "".join(("=0D=0A" if c == "\n" else "" if c == "\r" else c) + "=\r\n" for c in CSV) + "\r\n--XX--\r\n")
carrier("x-uuencode-transfer-encoding", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT +
        "--XX\r\nContent-Type: text/csv; name=\"people.csv\"\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 people.csv\r\n" +
        "".join(binascii.b2a_uu(CSV_BYTES[i:i + 45]).decode().replace("\n", "\r\n") for i in range(0, len(CSV_BYTES), 45)) + "`\r\nend\r\n--XX--\r\n")


def yenc(data, name):
    out = bytearray()
    line = 0
    for b in data:
        c = (b + 42) % 256
        if c in (0, 10, 13, 61):
            out += bytes([61, (c + 64) % 256])
            line += 2
        else:
            out.append(c)
            line += 1
        if line >= 128:
            out += b"\r\n"
            line = 0
    return b"=ybegin line=128 size=%d name=%s\r\n" % (len(data), name.encode()) + bytes(out) + b"\r\n=yend size=%d\r\n" % len(data)


carrier("yenc-body", headers("Quarterly list", "", "text/plain; charset=x-user-defined").encode() + b"\r\n" + yenc(CSV_BYTES, "people.csv"))
carrier("part-in-inner-epilogue", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n--XX\r\nContent-Type: multipart/alternative; boundary=\"AA\"\r\n\r\n--AA\r\nContent-Type: text/plain\r\n\r\nhi\r\n--AA--\r\n" +
        CSV + "--XX--\r\n")
carrier("thousand-defects-first", mixed("".join(":\r\n" for _ in range(1100))))
carrier("csv-in-forwarded-message", headers("Fwd: list", "", 'multipart/mixed; boundary="ZZ"') + "\r\n--ZZ\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--ZZ\r\nContent-Type: message/rfc822\r\n\r\n" + mixed() + "--ZZ--\r\n")
carrier("gzip-csv-no-extension", attachment_message("data", "application/octet-stream", __import__("gzip").compress(CSV_BYTES, mtime=0)))

# S/MIME signed-data in one part (opaque signing), made with openssl when it is there.
openssl = shutil.which("openssl")
if openssl:
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "k.pem")
        cert = os.path.join(tmp, "c.pem")
        inner_entity = os.path.join(tmp, "in.txt")
        signed = os.path.join(tmp, "out.p7m")
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=corp.example", "-days", "3650"], check=True, capture_output=True)
        with open(inner_entity, "wb") as f:
            f.write(b"Content-Type: text/csv; name=\"people.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(CSV_BYTES).encode())
        subprocess.run([openssl, "smime", "-sign", "-nodetach", "-binary", "-outform", "DER", "-in", inner_entity, "-signer", cert, "-inkey", key, "-out", signed], check=True, capture_output=True)
        with open(signed, "rb") as f:
            der = f.read()
    carrier("smime-opaque-signed", headers("Signed list", "", 'application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"') +
            "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n" + b64(der))
else:
    print("openssl not found: smime-opaque-signed not written")

# ---------------------------------------------------------------- controls

LOGO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
control("newsletter-alternative", headers("Our December newsletter", "", 'multipart/alternative; boundary="XX"') +
        "\r\nThis is a multi-part message in MIME format.\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear partners, the office closes on 24 December.\r\n--XX\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Dear partners, the office closes on 24 December.</p><img src=\"data:image/png;base64," + base64.b64encode(LOGO).decode() + "\">\r\n--XX--\r\n")
control("pgp-signed-text", headers("Meeting notes", "", "text/plain; charset=us-ascii") + "\r\n-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nThe meeting moves to Thursday.\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\n" +
        b64(bytes(rng.randrange(256) for _ in range(310)), 64) + "=Ab1c\r\n-----END PGP SIGNATURE-----\r\n")
control("same-content-type-twice", headers("Agenda", "Content-Type: text/plain; charset=utf-8\r\n", "text/plain; charset=utf-8") + "\r\nAgenda attached to the invite.\r\n")
control("exchange-x-headers", headers("Re: invoice", "Thread-Index: AdlK" + base64.b64encode(bytes(rng.randrange(256) for _ in range(22))).decode() + "\r\n"
        "X-MS-Exchange-Organization-Network-Message-Id: 5c0a3b1e-8f2d-4a51-9e77-1b2c3d4e5f60\r\n"
        "X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:AM0PR07MB1234.eurprd07.prod.outlook.com;PTR:;CAT:NONE;SFS:(13230040)(366016);DIR:OUT;SFP:1101;\r\n"
        "X-Microsoft-Antispam-Message-Info: " + base64.b64encode(bytes(rng.randrange(256) for _ in range(600))).decode() + "\r\n", "text/plain; charset=utf-8") +
        "\r\nThe invoice is paid; reference INV-2026-0412.\r\n")
control("sha512-digest-in-text", headers("Release checksums", "", "text/plain; charset=us-ascii") + "\r\nSHA-512 of the installer:\r\n" + bytes(rng.randrange(256) for _ in range(64)).hex() + "\r\n")
control("list-footer-after-base64", headers("Minutes", "", "text/plain; charset=utf-8") + "Content-Transfer-Encoding: base64\r\n\r\n" + b64(b"Minutes of the board meeting: all items agreed.\r\n") +
        "\r\n-- \r\nTo unsubscribe visit the list page\r\n")
control("multipart-with-small-logo", headers("Welcome", "", 'multipart/related; boundary="XX"') + "\r\n--XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Welcome aboard.</p><img src=\"cid:logo\">\r\n"
        "--XX\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(LOGO) + "--XX--\r\n")
control("ordinary-attachment", attachment_message("agenda.txt", "text/plain", b"1. Welcome\r\n2. Budget\r\n3. Any other business\r\n", subject="Agenda"))

# A CRLF file sent by a tool that adds its own CR to every line (smtp-source -F): CR CR LF. Bare CRs end
# lines for MailGuard and Python (one header, then a text body showing the base64 with blank lines
# between its lines); a reader that decodes that text has the list.
carrier("cr-cr-lf-line-ends", mixed().replace("\r\n", "\r\r\n"))

# Invisible and wide characters inside the values (a reader sees the numbers; a pattern matcher
# that takes the characters as they are does not): zero-width spaces between every character of
# each date of birth and NI number, the same values in fullwidth forms, and soft hyphens written
# as HTML references in a table body.
def laced(transform):
    return ("Name,Date of birth,NI number\r\n" + "".join("%s,%s,%s\r\n" % (n, transform(d), transform(ni)) for n, d, ni in ROWS)).encode("utf-8")


carrier("zero-width-spaces-in-values", attachment_message("people.csv", "text/csv", laced("\u200b".join)))
carrier("fullwidth-digits-and-letters", attachment_message("people.csv", "text/csv",
        laced(lambda v: "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in v))))
carrier("soft-hyphen-references-in-html", headers("Quarterly list", "", "text/html; charset=utf-8") + "\r\n<html><body><table>" + "".join(
    "<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % (n, "&shy;".join(d), "&#173;".join(ni)) for n, d, ni in ROWS) + "</table></body></html>\r\n")

# What a reader is shown beside the content, or can open with the source: each row in an HTML
# comment, in images' alt texts (shown when a client blocks images) and elements' title texts
# (shown on hover), in attachments' file names, in a zip's archive comment; the values in
# Arabic-Indic digits and in mathematical bold letters and digits (read as the plain ones).
def html_message(body):
    return headers("Quarterly list", "", "text/html; charset=utf-8") + "\r\n<html><body><p>Update below.</p>" + body + "<p>Thanks</p></body></html>\r\n"


carrier("csv-in-html-comment", html_message("<!--\r\n" + CSV + "-->"))
carrier("rows-in-img-alt-texts", html_message("".join('<img src="cid:p%d" alt="%s, %s, %s">' % (i, n, d, ni) for i, (n, d, ni) in enumerate(ROWS))))
carrier("rows-in-title-attributes", html_message("".join("<span title='%s, %s, %s'>#%d</span> " % (n, d, ni, i) for i, (n, d, ni) in enumerate(ROWS))))
carrier("rows-in-attachment-file-names", headers("Quarterly list", "", 'multipart/mixed; boundary="XX"') + "\r\n" + TEXT + "".join(
    '--XX\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="%s %s %s.txt"\r\n\r\n.\r\n' % (n, d.replace("/", "-"), ni) for n, d, ni in ROWS) + "--XX--\r\n")
carrier("arabic-indic-digits", attachment_message("people.csv", "text/csv", laced(lambda v: "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in v))))


def mathematical_bold(v):
    out = []
    for c in v:
        if c.isdigit():
            out.append(chr(0x1D7CE + int(c)))
        elif "A" <= c <= "Z":
            out.append(chr(0x1D400 + ord(c) - ord("A")))
        else:
            out.append(c)
    return "".join(out)


carrier("mathematical-bold-letters-and-digits", attachment_message("people.csv", "text/csv", laced(mathematical_bold)))
commented = io.BytesIO()
with zipfile.ZipFile(commented, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo("readme.txt", date_time=(2026, 12, 4, 10, 0, 0)), "See the comment.\r\n")
    z.comment = CSV_BYTES
carrier("csv-in-zip-comment", attachment_message("files.zip", "application/zip", commented.getvalue()))

# A workbook whose tabs are the rows (31 characters at most, as Excel allows: initial, surname, NI
# number), and a document whose Comments property (File > Info) holds the list.
SSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OPC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
tabs = ["%s %s %s" % (n[0], n.split()[1], ni) for n, _, ni in ROWS]
carrier("rows-in-sheet-names", attachment_message("book.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", zip_bytes(
    [("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
     ("xl/workbook.xml", '<workbook xmlns="%s" xmlns:r="%s"><sheets>%s</sheets></workbook>' % (SSML, OPC_REL, "".join(
         '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (t, i + 1, i + 1) for i, t in enumerate(tabs)))),
     ("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>' % "".join(
         '<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, OPC_REL, i + 1) for i in range(len(tabs))))]
    + [("xl/worksheets/sheet%d.xml" % (i + 1), '<worksheet xmlns="%s"><sheetData/></worksheet>' % SSML) for i in range(len(tabs))])))
carrier("csv-in-document-properties", attachment_message("draft.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zip_bytes(
    [("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
     ("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Draft policy.</w:t></w:r></w:p></w:body></w:document>'),
     ("docProps/core.xml", '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
      "<dc:title>Draft</dc:title><dc:description>" + CSV + "</dc:description></cp:coreProperties>")])))

control("outlook-conditional-comments", headers("Room change", "", "text/html; charset=utf-8") +
        "\r\n<html><head><!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->"
        "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style></head><body><!--[if mso]><table><tr><td width=\"600\"><![endif]-->"
        "<p class=MsoNormal>The meeting moves to Room 4.</p><img src=\"cid:logo\" alt=\"Corp logo\" title=\"Corp\"><!--[if mso]></td></tr></table><![endif]--></body></html>\r\n")
tool_commented = io.BytesIO()
with zipfile.ZipFile(tool_commented, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo("agenda.txt", date_time=(2026, 12, 4, 10, 0, 0)), "1. Welcome\r\n2. Budget\r\n")
    z.comment = b"Created by the corporate archiver, build 4490"
control("zip-with-tool-comment", attachment_message("agenda.zip", "application/zip", tool_commented.getvalue(), subject="Agenda"))

# Values written backwards inside RIGHT-TO-LEFT OVERRIDE, which shows them the right way round;
# the rows as a style sheet's content strings (shown by clients that honour style sheets); a
# workbook whose cells are formulas with no saved value (Excel calculates them on opening).
carrier("values-reversed-inside-rtl-override", attachment_message("people.csv", "text/csv", laced(lambda v: "\u202e" + v[::-1] + "\u202c")))
carrier("rows-in-css-content", html_message("<style>" + "".join('.r%d::before{content:"%s, %s, %s"}' % (i, n, d, ni) for i, (n, d, ni) in enumerate(ROWS))
                                            + "</style>" + "".join('<p class="r%d"></p>' % i for i in range(len(ROWS)))))


def workbook(rows_xml):
    return zip_bytes(
        [("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
         ("xl/workbook.xml", '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets><calcPr fullCalcOnLoad="1"/></workbook>' % (SSML, OPC_REL)),
         ("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
          '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % OPC_REL),
         ("xl/worksheets/sheet1.xml", '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (SSML, rows_xml))])


carrier("formula-only-workbook", attachment_message("people.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook(
    '<row r="1"><c r="A1" t="str"><f>"Name"</f></c><c r="B1" t="str"><f>"Date of birth"</f></c><c r="C1" t="str"><f>"NI number"</f></c></row>' + "".join(
        '<row r="%d"><c r="A%d" t="str"><f>"%s"</f></c><c r="B%d" t="str"><f>"%s"</f></c><c r="C%d" t="str"><f>CONCATENATE("%s","%s")</f></c></row>'
        % (r, r, n, r, d, r, ni[:2], ni[2:]) for r, (n, d, ni) in enumerate(ROWS, 2)))))

def type3_pdf(lines):
    """A PDF whose one page draws the lines with a Type3 font: each glyph is a drawing of the letter
    (in Helvetica) named /g0, /g1...; with no character map, the file says nothing of the letters."""
    chars = sorted(set("".join(lines)))
    code = {c: 33 + i for i, c in enumerate(chars)}

    def literal(text):
        return "".join("\\%03o" % code[c] for c in text)

    def stream(data):
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    content = "\n".join("BT /F1 9 Tf 40 %d Td (%s) Tj ET" % (760 - 12 * i, literal(t)) for i, t in enumerate(lines)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               stream(content),
               ("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] /FirstChar 33 /LastChar %d /Widths [%s] "
                "/Encoding << /Type /Encoding /Differences [33 %s] >> /CharProcs << %s >> /Resources << /Font << /H 6 0 R >> >> >>" % (
                    32 + len(chars), " ".join(["600"] * len(chars)), " ".join("/g%d" % i for i in range(len(chars))),
                    " ".join("/g%d %d 0 R" % (i, 7 + i) for i in range(len(chars))))).encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for c in chars:
        objects.append(stream(("600 0 d0 BT /H 1000 Tf 0 0 Td (%s) Tj ET" % c.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")).encode()))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# The list drawn in a font whose letters the file does not name (a viewer shows the table; an
# extractor reads the codes): read from the page's picture.
carrier("table-in-type3-font-pdf", attachment_message("people.pdf", "application/pdf", type3_pdf(["Name Date of birth NI number"] + ["%s %s %s" % r for r in ROWS])))

# Names and NI numbers, the numbers typed as their six digits and the letters added by the cells'
# number format ("AB"000000"C"): Excel shows AB123456C.
formatted = {}
for n, d, ni in ROWS:
    formatted.setdefault(ni[:2] + "|" + ni[8], []).append((n, d, ni))
codes = sorted(formatted)
carrier("ni-letters-in-number-format", attachment_message("people.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", zip_bytes(
    [("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
     ("xl/workbook.xml", '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>' % (SSML, OPC_REL)),
     ("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%s/styles" Target="styles.xml"/></Relationships>' % (OPC_REL, OPC_REL)),
     ("xl/styles.xml", '<styleSheet xmlns="%s"><numFmts count="%d">%s</numFmts><cellXfs count="%d"><xf numFmtId="0"/>%s</cellXfs></styleSheet>' % (
         SSML, len(codes), "".join('<numFmt numFmtId="%d" formatCode="&quot;%s&quot;000000&quot;%s&quot;"/>' % (164 + i, c[:2], c[3]) for i, c in enumerate(codes)),
         len(codes) + 1, "".join('<xf numFmtId="%d" applyNumberFormat="1"/>' % (164 + i) for i in range(len(codes))))),
     ("xl/worksheets/sheet1.xml", '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>NI number</t></is></c></row>%s</sheetData></worksheet>' % (SSML, "".join(
          '<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d" s="%d"><v>%d</v></c></row>'
          % (r, r, n, r, codes.index(ni[:2] + "|" + ni[8]) + 1, int(ni[2:8])) for r, (n, d, ni) in enumerate(ROWS, 2))))])))

control("budget-workbook-with-formulas", attachment_message("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook(
    '<row r="1"><c r="A1" t="str"><f>"Cost centre"</f><v>Cost centre</v></c><c r="B1" t="str"><f>"Budget"</f><v>Budget</v></c><c r="C1" t="str"><f>"Status"</f><v>Status</v></c></row>' + "".join(
        '<row r="%d"><c r="A%d" t="str"><f>"CC-"&amp;TEXT(%d,"000")</f><v>CC-%03d</v></c><c r="B%d"><v>%d</v></c><c r="C%d" t="str"><f>IF(B%d&gt;5000,"Over","Under")</f><v>%s</v></c></row>'
        % (r, r, r, r, r, 1000 * r, r, r, "Over" if 1000 * r > 5000 else "Under") for r in range(2, 30))), subject="Budget"))
control("css-bullets-and-quotes", headers("Newsletter", "", "text/html; charset=utf-8") + "\r\n<html><head><style>li::before{content:\"\\2022  \"} q::before{content:open-quote}"
        " .new::after{content:' (new)'}</style></head><body><ul><li>Car park closed on Friday</li><li class=new>Canteen menu</li></ul><q>Thanks all</q></body></html>\r\n")

# ---------------------------------------------------------------- write

for folder, items in (("carriers", carriers), ("controls", controls)):
    path = os.path.join(OUT, folder)
    os.makedirs(path, exist_ok=True)
    for old in os.listdir(path):
        if old.endswith(".eml"):
            os.remove(os.path.join(path, old))
    for i, (name, data) in enumerate(items.items(), 1):
        with open(os.path.join(path, "%02d-%s.eml" % (i, name)), "wb") as f:
            f.write(data)
print("%d carriers, %d controls written to %s" % (len(carriers), len(controls), OUT))
