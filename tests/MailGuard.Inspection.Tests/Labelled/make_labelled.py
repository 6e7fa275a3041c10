#!/usr/bin/env python3
"""Writes MailGuard's own labelled DLP set for issue 14: realistic outbound mail (Outlook-style
threads with HTML signatures, LibreOffice documents and spreadsheets) for each thing detection
must understand, each category with positives and the look-alike negatives that used to be held.

    python3 tests/MailGuard.Inspection.Tests/Labelled/make_labelled.py

Writes messages/*.eml (CRLF) and labels.json beside this script. Needs LibreOffice (soffice) to
turn flat ODF sources into docx/odt/rtf/pdf/xlsx/xls/ods. Everything is invented: names come from
mixed lists, NI numbers follow HMRC's format rules, NHS numbers are in the 999 test range, phone
numbers are Ofcom's drama ranges, addresses use real postcode shapes with invented streets, and all
external addresses use reserved example domains. The data is deterministic (fixed seeds); the
Office files carry LibreOffice's own timestamps, so a rerun changes their bytes, not their content.

labels.json: {"internal_domains": [...], "messages": [{"file", "category", "verdict": "flag" |
"pass", "people": N (MailGuard's largest people count for the message), "kinds": [finding kinds
that must be present], "absent": [finding kinds that must not be], "locations": {kind: location
text}, "description"}]}. A "flag" is what the shipped policy must hold; "pass" what it must deliver.
"""
import base64
import datetime
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "messages")
INTERNAL = ["homeoffice.example.gov.uk", "justice.example.gov.uk"]

# ---------------------------------------------------------------- invented people

FORENAMES = [
    "Amelia", "Bilal", "Chloe", "Dmitri", "Efua", "Farah", "Gareth", "Hana", "Idris", "Joanna", "Kwame", "Leah",
    "Mohammed", "Niamh", "Oliver", "Priya", "Quentin", "Rosa", "Samir", "Tegan", "Uzma", "Victor", "Wendy",
    "Xavier", "Yasmin", "Zoltan", "Aoife", "Bartosz", "Ceri", "Deepak", "Eilidh", "Femi", "Gintare", "Harvey",
    "Imogen", "Jamal", "Kirsty", "Luca", "Maryam", "Nathan", "Olga", "Patrick", "Rhiannon", "Stefan", "Tariq",
    "Ursula", "Vikram", "Wiktoria", "Yusuf", "Zara", "Callum", "Dorota", "Euan", "Fatima", "Grace", "Hamza",
]
SURNAMES = [
    "Okafor", "Nowak", "Fletcher", "Haddad", "Lindqvist", "Achterberg", "Brennan", "Chaudhry", "Docherty",
    "Evans", "Fairweather", "Gallagher", "Hussain", "Ibekwe", "Jankowski", "Kowalczyk", "Lloyd", "McAllister",
    "Nwosu", "O'Sullivan", "Pritchard", "Qureshi", "Rahman", "Sutherland", "Thorne", "Underwood", "Varga",
    "Whitlock", "Yilmaz", "Zielinski", "Ashworth", "Begum", "Cartwright", "Dimitrov", "Ellison", "Fernandes",
    "Greenhalgh", "Holroyd", "Iqbal", "Jones", "Kaur", "Lewandowski", "Mensah", "Nicholls", "Osei", "Popescu",
]
STREETS = ["Fern", "Cardigan", "Harehills", "Kirkstall", "Meanwood", "Beeston", "Chapel", "Victoria", "Albert",
           "Moorland", "Oakwood", "Elm", "Station", "Church", "Mill", "Park", "Spring", "Willow", "Clarendon",
           "Granby", "Belle Vue", "Ash", "Hawthorn", "Manor", "Queens", "Kings", "Richmond", "Tower", "Cross"]
SUFFIXES = ["Road", "Street", "Avenue", "Lane", "Crescent", "Grove", "Close", "Terrace", "Drive", "Place",
            "Gardens", "Mount", "View", "Walk", "Way"]
TOWNS = [("Leeds", "LS"), ("Bradford", "BD"), ("Sheffield", "S"), ("Manchester", "M"), ("Birmingham", "B"),
         ("Cardiff", "CF"), ("Newcastle upon Tyne", "NE"), ("Glasgow", "G"), ("Bristol", "BS"),
         ("Nottingham", "NG"), ("Leicester", "LE"), ("Hull", "HU"), ("Wakefield", "WF"), ("London", "SE"),
         ("London", "E"), ("Liverpool", "L"), ("Coventry", "CV"), ("Doncaster", "DN")]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
NINO_LETTERS = "ABCEGHJKLMNPRSTWXYZ"


class People:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.used = set()

    def name(self):
        while True:
            n = (self.r.choice(FORENAMES), self.r.choice(SURNAMES))
            if n not in self.used:
                self.used.add(n)
                return n

    def dob(self, young=False):
        if young:
            return datetime.date(2008 + self.r.randint(0, 15), self.r.randint(1, 12), self.r.randint(1, 28))
        return datetime.date(1942 + self.r.randint(0, 60), self.r.randint(1, 12), self.r.randint(1, 28))

    def nino(self):
        while True:
            p = self.r.choice(NINO_LETTERS) + self.r.choice(NINO_LETTERS)
            if p in ("GB", "NK", "TN", "ZZ", "BG", "KN", "NT") or p[1] == "O":
                continue
            return p + "%06d" % self.r.randint(0, 999999) + self.r.choice("ABCD")

    def nhs(self):
        while True:
            nine = "999" + "%06d" % self.r.randint(0, 999999)
            total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
            check = 11 - total % 11
            if check == 11:
                check = 0
            if check != 10:
                return nine + str(check)

    def mobile(self):
        return "07700 900%03d" % self.r.randint(0, 999)

    def landline(self):
        return self.r.choice(["0113 496 0%03d", "0114 496 0%03d", "0161 496 0%03d", "0117 496 0%03d",
                              "020 7946 0%03d", "0121 496 0%03d", "029 2018 0%03d"]) % self.r.randint(0, 999)

    def address(self):
        town, area = self.r.choice(TOWNS)
        street = "%d %s %s" % (self.r.randint(1, 180), self.r.choice(STREETS), self.r.choice(SUFFIXES))
        postcode = "%s%d %d%s%s" % (area, self.r.randint(1, 19), self.r.randint(1, 9), self.r.choice(INWARD), self.r.choice(INWARD))
        return street, town, postcode

    def prison_no(self):
        return "%s%04d%s%s" % (self.r.choice("ABGH"), self.r.randint(1000, 9999), self.r.choice("BCDEFGH"), self.r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"))

    def person(self, young=False):
        first, last = self.name()
        street, town, postcode = self.address()
        return {
            "first": first, "last": last, "name": first + " " + last, "dob": self.dob(young), "nino": self.nino(),
            "nhs": self.nhs(), "mobile": self.mobile(), "phone": self.landline(), "street": street, "town": town,
            "postcode": postcode, "email": "%s.%s%d@%s" % (first.lower(), last.lower().replace("'", ""), self.r.randint(1, 99),
                                                           self.r.choice(["example.com", "example.net", "mail.example"])),
            "prison": self.prison_no(),
        }


def uk(d):
    return d.strftime("%d/%m/%Y")


def long_date(d):
    return "%d %s %d" % (d.day, d.strftime("%B"), d.year)


def age_on(d, ref=datetime.date(2024, 5, 1)):
    return ref.year - d.year - ((ref.month, ref.day) < (d.month, d.day))


def excel_serial(d):
    return (d - datetime.date(1899, 12, 30)).days


def luhn_number(r, prefix, length):
    body = prefix + "".join(str(r.randint(0, 9)) for _ in range(length - 1 - len(prefix)))
    for check in "0123456789":
        cand = body + check
        total = 0
        for i, c in enumerate(reversed(cand)):
            d = int(c)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return cand
    raise AssertionError


def ean13(r, prefix):
    body = prefix + "".join(str(r.randint(0, 9)) for _ in range(12 - len(prefix)))
    s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)


def mod11_ten_digit(r, first="4"):
    while True:
        nine = first + "".join(str(r.randint(0, 9)) for _ in range(8))
        total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return nine + str(check)


# ---------------------------------------------------------------- Office documents through LibreOffice

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"')


class Sheet:
    """One sheet of a flat ODS: rows of cells; a cell is a str, an int/float, a datetime.date,
    ("span", text, n) for a merged header cell, or None."""

    def __init__(self, name, rows, hidden=False):
        self.name, self.rows, self.hidden = name, rows, hidden


def fods(sheets):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<office:document %s office:version="1.2" '
           'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">' % NS,
           '<office:automatic-styles>'
           '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
           '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>'
           '<number:date-style style:name="N37"><number:day number:style="long"/><number:text>/</number:text>'
           '<number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/></number:date-style>'
           '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N37"/>'
           '</office:automatic-styles><office:body><office:spreadsheet>']
    for sheet in sheets:
        out.append('<table:table table:name="%s" table:style-name="%s">' % (escape(sheet.name), "ta2" if sheet.hidden else "ta1"))
        width = max((sum(c[2] if isinstance(c, tuple) else 1 for c in row) for row in sheet.rows), default=1)
        out.append('<table:table-column table:number-columns-repeated="%d"/>' % width)
        for row in sheet.rows:
            out.append("<table:table-row>")
            for cell in row:
                if cell is None or cell == "":
                    out.append("<table:table-cell/>")
                elif isinstance(cell, tuple):
                    _, text, n = cell
                    out.append('<table:table-cell table:number-columns-spanned="%d" office:value-type="string"><text:p>%s</text:p></table:table-cell>' % (n, escape(text)))
                    out.append("<table:covered-table-cell/>" * (n - 1))
                elif isinstance(cell, datetime.date):
                    out.append('<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="%s"><text:p>%s</text:p></table:table-cell>' % (cell.isoformat(), uk(cell)))
                elif isinstance(cell, (int, float)):
                    out.append('<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>' % (cell, cell))
                else:
                    out.append('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(str(cell)))
            out.append("</table:table-row>")
        out.append("</table:table>")
    out.append("</office:spreadsheet></office:body></office:document>")
    return "".join(out)


def fodt(blocks):
    """Blocks: ("h", text), ("p", text), ("table", rows), ("break",) for a page break."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<office:document %s office:version="1.2" '
           'office:mimetype="application/vnd.oasis.opendocument.text">' % NS,
           '<office:styles><style:style style:name="PB" style:family="paragraph">'
           '<style:paragraph-properties fo:break-before="page"/></style:style></office:styles>'
           '<office:body><office:text>']
    for i, block in enumerate(blocks):
        kind = block[0]
        style = ""
        if kind == "break":
            # An empty paragraph that starts a new page: what follows (a table too) is on it.
            out.append('<text:p text:style-name="PB"/>')
            continue
        if kind == "h":
            out.append('<text:h text:outline-level="2"%s>%s</text:h>' % (style, escape(block[1])))
        elif kind == "p":
            out.append("<text:p%s>%s</text:p>" % (style, escape(block[1])))
        elif kind == "table":
            rows = block[1]
            width = max(len(r) for r in rows)
            out.append('<table:table table:name="Table%d"><table:table-column table:number-columns-repeated="%d"/>' % (i, width))
            for row in rows:
                out.append("<table:table-row>")
                for cell in row:
                    out.append('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(str(cell)))
                out.append("</table:table-row>")
            out.append("</table:table>")
    out.append("</office:text></office:body></office:document>")
    return "".join(out)


FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods:calc8",
    "docx": "docx:MS Word 2007 XML", "odt": "odt:writer8", "rtf": "rtf:Rich Text Format", "pdf": "pdf:writer_pdf_Export",
}


class Office:
    """Collects documents in a first pass, converts them in a few soffice runs, serves bytes in the second."""

    def __init__(self, work):
        self.work = work
        self.requests = {}
        self.ready = False

    def doc(self, name, source_ext, source, target_ext):
        stem = os.path.splitext(name)[0] + "__" + target_ext
        if not self.ready:
            self.requests[stem] = (source_ext, source, target_ext)
            return b""
        with open(os.path.join(self.work, "out", target_ext, stem + "." + target_ext), "rb") as f:
            return f.read()

    def convert(self):
        groups = {}
        for stem, (source_ext, source, target_ext) in self.requests.items():
            path = os.path.join(self.work, "src", target_ext, stem + "." + source_ext)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(source)
            groups.setdefault(target_ext, []).append(path)
        env = dict(os.environ, HOME=os.path.join(self.work, "home"))
        for target_ext, paths in sorted(groups.items()):
            outdir = os.path.join(self.work, "out", target_ext)
            os.makedirs(outdir, exist_ok=True)
            subprocess.run([shutil.which("soffice") or "libreoffice", "--headless", "-env:UserInstallation=file://" + os.path.join(self.work, "profile"),
                            "--convert-to", FILTERS[target_ext], "--outdir", outdir] + sorted(paths),
                           check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for p in paths:
                stem = os.path.splitext(os.path.basename(p))[0]
                if not os.path.exists(os.path.join(outdir, stem + "." + target_ext)):
                    sys.exit("soffice did not convert " + p)
        self.ready = True


def xlsx(office, name, sheets):
    return office.doc(name, "fods", fods(sheets), "xlsx")


def xls(office, name, sheets):
    return office.doc(name, "fods", fods(sheets), "xls")


def document(office, name, blocks, ext):
    return office.doc(name, "fodt", fodt(blocks), ext)


def csv_text(rows):
    def q(v):
        v = str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v
    return "".join(",".join(q(c) for c in row) + "\r\n" for row in rows).encode("utf-8")


# ---------------------------------------------------------------- mail as Outlook writes it

DATE0 = datetime.datetime(2024, 5, 1, 9, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))


def staff_member(pool, domain, title, team):
    first, last = pool.name()
    return {"name": "%s %s" % (first, last), "email": "%s.%s@%s" % (first.lower(), last.lower().replace("'", ""), domain),
            "title": title, "team": team, "phone": pool.landline(), "mobile": pool.mobile()}


def signature_text(s, org, address=None):
    lines = [s["name"], "%s | %s" % (s["title"], s["team"]), org]
    if address:
        lines.append(address)
    lines.append("Tel: %s | Mobile: %s" % (s["phone"], s["mobile"]))
    lines.append(s["email"])
    return "\n".join(lines)


def signature_html(s, org, address=None):
    # Outlook signatures are often laid out in a table: name and title beside a logo cell.
    addr = "<br>%s" % escape(address) if address else ""
    return ('<table border=0 cellspacing=0 cellpadding=0><tr><td style="padding:0 8pt 0 0"><p class=MsoNormal><b>%s</b><br>'
            '%s | %s<br>%s%s</p></td></tr><tr><td><p class=MsoNormal>T: %s | M: %s<br><a href="mailto:%s">%s</a></p></td></tr></table>'
            % (escape(s["name"]), escape(s["title"]), escape(s["team"]), escape(org), addr, s["phone"], s["mobile"], s["email"], s["email"]))


def para_html(text):
    out = []
    for block in text.split("\n\n"):
        out.append("<p class=MsoNormal>%s<o:p></o:p></p>" % "<br>\n".join(escape(line) for line in block.split("\n")))
    return "\n".join(out)


def outlook_html(parts):
    """parts: list of (html) chunks already built."""
    return ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
            'xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset=utf-8">'
            '<meta name=Generator content="Microsoft Word 15 (filtered medium)"><style><!--\n'
            'p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;}\n'
            'a:link, span.MsoHyperlink {color:#0563C1;text-decoration:underline;}\n'
            '.MsoChpDefault {mso-style-type:export-only;}\n@page WordSection1 {size:612.0pt 792.0pt;margin:72.0pt 72.0pt 72.0pt 72.0pt;}\n'
            'div.WordSection1 {page:WordSection1;}\n--></style></head><body lang=EN-GB link="#0563C1" vlink="#954F72" '
            'style="word-wrap:break-word"><div class=WordSection1>\n' + "\n".join(parts) + "\n</div></body></html>")


class Thread:
    """A reply chain: the newest message first, earlier ones below Outlook's From/Sent/To/Subject header."""

    def __init__(self):
        self.text = []
        self.html = []

    def add(self, body_text, sig=None, org=None, address=None, body_html=None, header=None):
        if header is not None:
            sender, sent, to, subject = header
            self.text.append("\n________________________________\nFrom: %s\nSent: %s\nTo: %s\nSubject: %s\n" % (sender, sent, to, subject))
            self.html.append("<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
                             "<p class=MsoNormal><b>From:</b> %s<br><b>Sent:</b> %s<br><b>To:</b> %s<br><b>Subject:</b> %s<o:p></o:p></p></div>"
                             % (escape(sender), escape(sent), escape(to), escape(subject)))
        self.text.append(body_text)
        self.html.append(body_html if body_html is not None else para_html(body_text))
        if sig is not None:
            self.text.append("\n" + signature_text(sig, org, address) + "\n")
            self.html.append(signature_html(sig, org, address))

    def bodies(self):
        return "\n".join(self.text), outlook_html(self.html)


def outlook_sent(i):
    d = DATE0 - datetime.timedelta(hours=5 * i + 1)
    return d.strftime("%d %B %Y %H:%M")


MESSAGES = []


def message(file, category, verdict, people, description, sender, to, subject, text, html=None, attachments=(), cc=(),
            kinds=(), absent=(), locations=None):
    index = len(MESSAGES) + 1
    m = EmailMessage(policy=SMTP)
    m["From"] = sender
    m["To"] = ", ".join(to)
    if cc:
        m["Cc"] = ", ".join(cc)
    m["Subject"] = subject
    m["Date"] = format_datetime(DATE0 + datetime.timedelta(minutes=17 * index))
    m["Message-ID"] = "<%s.%d@mail.example.gov.uk>" % (file.replace(".eml", ""), index)
    m["Thread-Topic"] = subject.replace("RE: ", "").replace("FW: ", "")
    m["Content-Language"] = "en-GB"
    m["X-MS-Has-Attach"] = "yes" if attachments else ""
    m.set_content(text, cte="quoted-printable")
    if html is not None:
        m.add_alternative(html, subtype="html", cte="quoted-printable")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        if maintype == "message":
            m.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
            part = m.get_payload()[-1]
            part.replace_header("Content-Type", "message/rfc822")
            del part["Content-Transfer-Encoding"]
            part.set_payload(data.decode("utf-8"))
            continue
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    MESSAGES.append((file, m, {
        "file": file, "category": category, "verdict": verdict, "people": people, "kinds": list(kinds),
        "absent": list(absent), "locations": locations or {}, "description": description,
    }))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
RTF = "application/rtf"
CSV = "text/csv"
ZIP = "application/zip"
HTML = "text/html"

HO = "homeoffice.example.gov.uk"
MOJ = "justice.example.gov.uk"

# ---------------------------------------------------------------- organisations (look-alike material)

ORGS = [
    ("Leeds Women's Aid", "Refuge and outreach", "info"), ("Citizens Advice Bradford & Airedale", "Advice", "enquiries"),
    ("Kirklees Council Housing Options", "Housing", "housingoptions"), ("Victim Support West Yorkshire", "Victim care", "westyorkshire"),
    ("Shelter Sheffield Hub", "Housing advice", "sheffield"), ("Refugee Council Yorkshire", "Refugee support", "yorkshire"),
    ("St Anne's Community Services", "Homelessness", "reception"), ("Age UK Calderdale & Kirklees", "Older people", "info"),
    ("Barnardo's Family Centre Hull", "Family support", "hull.familycentre"), ("Migrant Help Northern Office", "Asylum support", "enquiries"),
    ("The Salvation Army Lifehouse", "Hostel", "admin"), ("Samaritans of Leeds", "Listening service", "leeds"),
    ("Wakefield Probation Delivery Unit", "Probation", "wakefield.pdu"), ("Bradford Magistrates' Court", "Court", "enquiries"),
    ("Leeds Combined Court Centre", "Court", "enquiries"), ("Doncaster Rape and Sexual Abuse Counselling Service", "Counselling", "referrals"),
    ("Hull Domestic Abuse Partnership", "IDVA service", "referrals"), ("Manchester Law Centre", "Legal advice", "admin"),
    ("Cardiff Foodbank", "Food support", "info"), ("Newcastle Carers Centre", "Carers support", "hello"),
    ("Nottingham Mencap", "Disability support", "office"), ("Leicester Council of Faiths", "Community", "contact"),
    ("Coventry Independent Advice Service", "Debt advice", "advice"), ("Liverpool Young Persons Advisory Service", "Youth services", "duty"),
    ("Glasgow Night Shelter", "Night shelter", "info"), ("Bristol Mind", "Mental health", "info"),
    ("Sheffield Law Centre", "Legal advice", "reception"), ("HMP Leeds Visitors Centre", "Prison visits", "visits"),
    ("Birmingham Crisis Skylight", "Homelessness", "skylight.birmingham"), ("Leeds Jobcentre Plus", "Employment", "leeds.jcp"),
]


def org_rows(seed, n):
    pool = People(seed)
    rows = []
    for i in range(n):
        name, service, box = ORGS[i % len(ORGS)]
        street, town, postcode = pool.address()
        domain = "".join(c for c in name.lower() if c.isalnum())[:18] + ".example.org"
        rows.append({"org": name, "service": service, "street": street, "town": town, "postcode": postcode,
                     "phone": pool.landline(), "email": "%s@%s" % (box, domain), "hours": "Mon-Fri 9am-5pm"})
    return rows


def category1(office):
    p = People(101)
    # Negative: a spreadsheet of local support services, title row above the header, distinct
    # switchboards and role mailboxes for every row.
    orgs = org_rows(11, 30)
    rows = [["Local support services - West Yorkshire (updated April 2024)"], [],
            ["Organisation", "Service", "Address", "Town", "Postcode", "Telephone", "Email", "Opening hours"]]
    rows += [[o["org"], o["service"], o["street"], o["town"], o["postcode"], o["phone"], o["email"], o["hours"]] for o in orgs]
    sender = staff_member(p, HO, "Support Officer", "Asylum Support Team")
    t = Thread()
    t.add("Hi Kerry,\n\nAs promised at Tuesday's partnership meeting, attached is our current list of local support services "
          "for new arrivals. Please let me know if any details are out of date.\n\nKind regards,", sender, "Home Office")
    text, html = t.bodies()
    message("c1-support-services-xlsx.eml", "people-vs-organisations", "pass", 0,
            "30 support services: addresses, postcodes, switchboards and role mailboxes; no people",
            "%s <%s>" % (sender["name"], sender["email"]), ["Kerry Lindqvist <kerry.lindqvist@migranthelp.example.org>"],
            "Local support services list", text, html, [("support_services_april.xlsx", xlsx(office, "support_services_april.xlsx", [Sheet("Services", rows)]), XLSX)],
            absent=["personal-data"])

    # Negative: courts as CSV, switchboard and enquiries mailboxes.
    orgs = org_rows(12, 24)
    rows = [["Court name", "Address line 1", "Town", "Postcode", "Switchboard", "Enquiries email", "DX"]]
    courts = ["Leeds Combined Court Centre", "Bradford Law Courts", "Sheffield Family Hearing Centre", "Hull Combined Court",
              "Wakefield Magistrates' Court", "Manchester Civil Justice Centre", "Liverpool Civil and Family Court",
              "Newcastle upon Tyne Combined Court Centre", "Cardiff Civil and Family Justice Centre", "Bristol Civil and Family Justice Centre",
              "Nottingham Justice Centre", "Leicester County Court", "Birmingham Civil and Family Justice Centre", "Coventry Combined Court Centre",
              "Doncaster Justice Centre North", "Teesside Combined Court", "York County Court", "Harrogate Justice Centre",
              "Kirklees Magistrates' Court", "Calderdale Magistrates' Court", "Grimsby Combined Court", "Lincoln County Court",
              "Derby Combined Court Centre", "Stoke-on-Trent Combined Court"]
    for i, o in enumerate(orgs):
        rows.append([courts[i], o["street"], o["town"], o["postcode"], o["phone"],
                     "enquiries@%s.courts.example.org" % courts[i].split()[0].lower(), "DX %d %s" % (700000 + i * 37, o["town"])])
    sender = staff_member(p, MOJ, "Listing Officer", "Family Listing")
    t = Thread()
    t.add("Dear colleagues,\n\nPlease find attached the court contact list you asked for. Switchboard numbers are staffed 9am to 4pm.\n\nRegards,",
          sender, "HM Courts & Tribunals Service")
    text, html = t.bodies()
    message("c1-courts-csv.eml", "people-vs-organisations", "pass", 0, "24 courts: addresses, switchboards, enquiries mailboxes, DX",
            "%s <%s>" % (sender["name"], sender["email"]), ["Paralegal Team <paralegals@harrowgate-solicitors.example>"],
            "Court contact details", text, html, [("court_contacts.csv", csv_text(rows), CSV)], absent=["personal-data"])

    # Negative: regional offices listed in an HTML body (Outlook), each with address, phone and role mailbox.
    orgs = org_rows(13, 8)
    names = ["Leeds Hub", "Bradford Reporting Centre", "Sheffield Office", "Hull Reporting Centre", "Wakefield Office",
             "Doncaster Hub", "Manchester Office", "Newcastle Reporting Centre"]
    blocks = []
    for n, o in zip(names, orgs):
        blocks.append("%s\n%s\n%s %s\nTel: %s\nEmail: %s" % (n, o["street"], o["town"], o["postcode"], o["phone"],
                                                           "reporting.%s@%s" % (n.split()[0].lower(), HO)))
    sender = staff_member(p, HO, "Engagement Manager", "Northern Region")
    t = Thread()
    t.add("Good afternoon,\n\nFollowing your query, these are the reporting locations in our region and how to reach them:\n\n"
          + "\n\n".join(blocks) + "\n\nAll offices are closed on bank holidays.\n\nBest wishes,", sender, "Home Office Immigration Enforcement")
    t.add("Hello,\n\nCould you send me the addresses and phone numbers of your reporting centres in the North? We want to add them to our leaflet.\n\nThanks\nAisha",
          header=("Aisha Mensah <aisha.mensah@refugeeaction.example.org>", outlook_sent(1), sender["name"], "Reporting centres"))
    text, html = t.bodies()
    message("c1-offices-body.eml", "people-vs-organisations", "pass", 0, "8 offices with addresses and phones in the body of a reply",
            "%s <%s>" % (sender["name"], sender["email"]), ["Aisha Mensah <aisha.mensah@refugeeaction.example.org>"],
            "RE: Reporting centres", text, html, absent=["personal-data"])

    # Negative: a Word table of partner agencies with a named contact (work details only).
    orgs = org_rows(14, 12)
    rows = [["Agency", "Named contact", "Address", "Telephone", "Email"]]
    for o in orgs:
        c = staff_member(p, "x", "", "")
        rows.append([o["org"], c["name"] + ", Service Manager", "%s, %s %s" % (o["street"], o["town"], o["postcode"]), o["phone"], o["email"]])
    doc = document(office, "partner_agencies.docx", [("h", "Partner agencies - referral routes"), ("p", "Use these routes for all new referrals from 1 May 2024."), ("table", rows)], "docx")
    sender = staff_member(p, MOJ, "Victim Liaison Officer", "Probation Service")
    t = Thread()
    t.add("Hi all,\n\nUpdated referral routes attached.\n\nThanks,", sender, "Probation Service")
    text, html = t.bodies()
    message("c1-partner-agencies-docx.eml", "people-vs-organisations", "pass", 0, "12 agencies with a named work contact each, in a Word table",
            "%s <%s>" % (sender["name"], sender["email"]), ["referrals@victimsupport.example.org", "Duty Team <duty@idva.example.org>"],
            "Referral routes", text, html, [("partner_agencies.docx", doc, DOCX)], absent=["personal-data"])

    # Negative: a PDF of hostels with postcodes and phones.
    orgs = org_rows(15, 18)
    rows = [["Hostel", "Address", "Postcode", "Phone", "Beds"]]
    rows += [[o["org"], o["street"] + ", " + o["town"], o["postcode"], o["phone"], str(10 + i)] for i, o in enumerate(orgs)]
    doc = document(office, "hostel_list.pdf", [("h", "Emergency accommodation providers"), ("table", rows)], "pdf")
    text = "Hello,\n\nThe current list of emergency accommodation providers is attached as a PDF.\n\nRegards\nHousing Options Team\n"
    message("c1-hostels-pdf.eml", "people-vs-organisations", "pass", 0, "18 hostels with addresses, postcodes and phones, in a PDF",
            "Housing Options <housingoptions@%s>" % HO, ["outreach@streetlink.example.org"], "Emergency accommodation list", text,
            attachments=[("hostel_list.pdf", doc, PDF)], absent=["personal-data"])

    # Positive: people with home addresses, mobiles and personal mailboxes (same layout as the services list).
    people = [p.person() for _ in range(14)]
    rows = [["Name", "Home address", "Town", "Postcode", "Mobile", "Email"]]
    rows += [[x["name"], x["street"], x["town"], x["postcode"], x["mobile"], x["email"]] for x in people]
    sender = staff_member(p, HO, "Caseworker", "Asylum Casework")
    t = Thread()
    t.add("Hi Kerry,\n\nHere are the families who have agreed to be contacted about the pilot.\n\nThanks,", sender, "Home Office")
    text, html = t.bodies()
    message("c1-people-home-xlsx.eml", "people-vs-organisations", "flag", 14, "14 people with home addresses, mobiles and personal mailboxes",
            "%s <%s>" % (sender["name"], sender["email"]), ["Kerry Lindqvist <kerry.lindqvist@migranthelp.example.org>"],
            "Pilot contact list", text, html, [("pilot_families.xlsx", xlsx(office, "pilot_families.xlsx", [Sheet("Contacts", rows)]), XLSX)],
            kinds=["personal-data"])

    # Positive: tenants in a CSV (name, address, postcode, phone), no header word "home".
    people = [p.person() for _ in range(18)]
    rows = [["Tenant", "Address", "Postcode", "Telephone", "Arrears"]]
    rows += [[x["name"], x["street"] + ", " + x["town"], x["postcode"], x["phone"], "%d.%02d" % (100 + i * 17, i)] for i, x in enumerate(people)]
    text = "Please see attached the arrears list for the Beeston estate.\n\nRegards\nIncome Team\n"
    message("c1-tenants-csv.eml", "people-vs-organisations", "flag", 18, "18 tenants with addresses, postcodes and phones",
            "Income Team <income.team@%s>" % MOJ, ["collections@debtagency.example.com"], "Arrears list", text,
            attachments=[("arrears_beeston.csv", csv_text(rows), CSV)], kinds=["personal-data"])

    # Positive: the same support-services layout, but one row per client with their home address.
    people = [p.person() for _ in range(9)]
    rows = [["Client", "Service", "Address", "Town", "Postcode", "Telephone", "Email"]]
    rows += [[x["name"], "Outreach", x["street"], x["town"], x["postcode"], x["mobile"], x["email"]] for x in people]
    text = "Outreach clients for next week attached.\n\nThanks\nOutreach Team\n"
    message("c1-outreach-clients-xlsx.eml", "people-vs-organisations", "flag", 9, "9 clients with home addresses, mobiles and personal mailboxes",
            "Outreach Team <outreach@%s>" % HO, ["volunteers@streetlink.example.org"], "Outreach list", text,
            attachments=[("outreach_clients.xlsx", xlsx(office, "outreach_clients.xlsx", [Sheet("Clients", rows)]), XLSX)], kinds=["personal-data"])


def category2(office):
    p = People(202)
    titles = ["Caseworker", "Senior Caseworker", "Team Leader", "Higher Executive Officer", "Administrative Officer",
              "Senior Executive Officer", "Business Support Officer", "Operations Manager", "Policy Adviser", "Grade 7"]
    teams = ["Asylum Casework", "Returns Logistics", "Family Listing", "Victim Liaison", "Offender Management", "Complaints", "Data Quality"]

    # Negative: a staff directory (work email, desk phone, work mobile).
    staff = [staff_member(p, HO, p.r.choice(titles), p.r.choice(teams)) for _ in range(40)]
    rows = [["Name", "Job title", "Team", "Email", "Direct dial", "Work mobile", "Location"]]
    rows += [[s["name"], s["title"], s["team"], s["email"], s["phone"], s["mobile"], p.r.choice(["Leeds", "Sheffield", "Croydon", "Liverpool"])] for s in staff]
    sender = staff_member(p, HO, "Business Support Officer", "Northern Region")
    t = Thread()
    t.add("Hi Tom,\n\nAs discussed, here is our team directory so your staff know who to contact about joint cases.\n\nMany thanks,", sender, "Home Office")
    t.add("Hi,\n\nWould you be able to share a contact list for your casework teams?\n\nCheers\nTom",
          header=("Tom Ellison <tom.ellison@partner.example.org>", outlook_sent(1), sender["name"], "Contact list"))
    text, html = t.bodies()
    message("c2-staff-directory-xlsx.eml", "business-contacts", "pass", 0, "40 staff: names, job titles, work emails, desk and work mobile numbers",
            "%s <%s>" % (sender["name"], sender["email"]), ["Tom Ellison <tom.ellison@partner.example.org>"], "RE: Contact list", text, html,
            [("team_directory.xlsx", xlsx(office, "team_directory.xlsx", [Sheet("Directory", rows)]), XLSX)],
            kinds=["business-contacts"], absent=["personal-data"])

    # Negative: partner contacts as CSV.
    rows = [["First name", "Surname", "Organisation", "Role", "Email", "Telephone"]]
    for i in range(30):
        org = ORGS[i % len(ORGS)][0]
        first, last = p.name()
        domain = "".join(c for c in org.lower() if c.isalnum())[:18] + ".example.org"
        rows.append([first, last, org, p.r.choice(["Manager", "Coordinator", "Project Worker", "Director", "Caseworker"]),
                     "%s.%s@%s" % (first[0].lower(), last.lower().replace("'", ""), domain), p.landline()])
    text = "Attached is the partner contacts list for the forum mailing.\n\nThanks\nPartnerships Team\n"
    message("c2-partner-contacts-csv.eml", "business-contacts", "pass", 0, "30 partner contacts: names, organisations, roles, work emails and phones",
            "Partnerships <partnerships@%s>" % MOJ, ["forum@vcs-network.example.org"], "Forum contacts", text,
            attachments=[("partner_contacts.csv", csv_text(rows), CSV)], kinds=["business-contacts"], absent=["personal-data"])

    # Negative: a long Outlook thread with four signatures (HTML tables) and an office address each.
    people = [staff_member(p, d, t_, tm) for d, t_, tm in [
        (MOJ, "Senior Probation Officer", "Leeds PDU"), ("bradford-council.example.gov.uk", "Safeguarding Lead", "Children's Services"),
        ("wyp.example.police.uk", "Detective Sergeant", "Safeguarding Unit"), (MOJ, "Probation Officer", "Leeds PDU")]]
    orgs = ["Probation Service", "Bradford Council", "West Yorkshire Police", "Probation Service"]
    addresses = ["Waterside House, 2 Kirkstall Road, Leeds LS3 1HS", "City Hall, Channing Way, Bradford BD1 1HY",
                 "Elland Road Police Station, Leeds LS11 8BU", "Waterside House, 2 Kirkstall Road, Leeds LS3 1HS"]
    t = Thread()
    bodies = ["Thanks both - I'll book the room for Thursday 16 May at 2pm and send a Teams link for anyone who can't make it in person.",
              "Thursday afternoon works for us. Can we make sure the minutes from the last meeting are circulated beforehand?",
              "I can do Thursday after 1pm. I'll bring the updated risk summary.",
              "Hi all,\n\nCan we find a date for the next multi-agency review? I'm free most of the week of 13 May."]
    for i, (s, org, addr, body) in enumerate(zip(people, orgs, addresses, bodies)):
        header = None if i == 0 else ("%s <%s>" % (people[i]["name"], people[i]["email"]), outlook_sent(i), "; ".join(x["name"] for x in people if x is not people[i]), "RE: Multi-agency review")
        t.add(body + "\n\nKind regards,", s, org, addr, header=header)
    text, html = t.bodies()
    message("c2-signatures-thread.eml", "business-contacts", "pass", 0, "an Outlook thread of four messages, each with a full work signature",
            "%s <%s>" % (people[0]["name"], people[0]["email"]), ["%s <%s>" % (x["name"], x["email"]) for x in people[1:3]],
            "RE: Multi-agency review", text, html, absent=["personal-data"])

    # Negative: meeting attendees in the body (names, roles, organisations).
    attendees = [staff_member(p, "x", p.r.choice(titles), ORGS[i][0]) for i in range(9)]
    body = ("Hi all,\n\nMinutes from Tuesday's partnership meeting are below.\n\nAttendees:\n"
            + "\n".join("%s - %s, %s" % (a["name"], a["title"], a["team"]) for a in attendees)
            + "\n\n1. Actions from last meeting: all complete.\n2. Referral numbers are up 12% on last quarter.\n"
              "3. Next meeting: 11 June 2024, 10:00, Room 4.02.\n\nThanks,")
    sender = staff_member(p, HO, "Partnership Manager", "Northern Region")
    t = Thread()
    t.add(body, sender, "Home Office")
    text, html = t.bodies()
    message("c2-attendees-body.eml", "business-contacts", "pass", 0, "minutes naming nine attendees with roles and organisations",
            "%s <%s>" % (sender["name"], sender["email"]), ["forum@vcs-network.example.org"], "Partnership meeting minutes", text, html,
            absent=["personal-data"])

    # Positive: the staff directory joined with home addresses and dates of birth.
    staff = [staff_member(p, HO, p.r.choice(titles), p.r.choice(teams)) for _ in range(20)]
    rows = [["Name", "Team", "Work email", "Home address", "Postcode", "Date of birth"]]
    for s in staff:
        street, town, postcode = p.address()
        rows.append([s["name"], s["team"], s["email"], street + ", " + town, postcode, p.dob()])
    text = "Hi,\n\nStaff details for the new building passes are attached.\n\nThanks\nFacilities\n"
    message("c2-staff-home-xlsx.eml", "business-contacts", "flag", 20, "20 staff with work emails plus home addresses and dates of birth",
            "Facilities <facilities@%s>" % HO, ["passes@securitycontractor.example.com"], "Building pass details", text,
            attachments=[("pass_details.xlsx", xlsx(office, "pass_details.xlsx", [Sheet("Staff", rows)]), XLSX)], kinds=["personal-data"])

    # Positive: a training export with staff numbers and NI numbers.
    rows = [["Staff No", "Name", "NI Number", "Site", "Course", "Completed"]]
    for i in range(30):
        first, last = p.name()
        rows.append(["%07d" % (4100000 + i * 37), first + " " + last, p.nino(), p.r.choice(["Leeds", "Sheffield", "Hull"]),
                     p.r.choice(["Safeguarding L2", "Data Protection", "Fire Safety"]), uk(datetime.date(2024, 1 + i % 4, 1 + i % 27))])
    text = "Training completions for Q1 as requested.\n\nLearning and Development\n"
    message("c2-training-export-csv.eml", "business-contacts", "flag", 30, "30 staff with staff numbers, NI numbers and training records",
            "L&D <learning@%s>" % MOJ, ["reports@trainingprovider.example.com"], "Q1 training completions", text,
            attachments=[("training_q1.csv", csv_text(rows), CSV)], kinds=["personal-data", "uk-nino"])

    # Positive: sickness absence (HR records) by employee number.
    rows = [["Employee ID", "Employee name", "Days absent", "Absence reason", "Return to work interview"]]
    reasons = ["Back pain", "Stress", "Anxiety", "Surgery", "Flu", "Migraine", "Depression", "Bereavement"]
    for i in range(15):
        first, last = p.name()
        rows.append(["E%05d" % (20000 + i * 11), first + " " + last, 2 + i % 9, p.r.choice(reasons), p.r.choice(["Yes", "No"])])
    text = "Absence figures for the wellbeing review attached.\n\nHR Advisory\n"
    message("c2-absence-xlsx.eml", "business-contacts", "flag", 15, "15 employees with absence reasons (HR and health records)",
            "HR Advisory <hr.advisory@%s>" % HO, ["occupationalhealth@ohprovider.example.com"], "Absence review", text,
            attachments=[("absence_q1.xlsx", xlsx(office, "absence_q1.xlsx", [Sheet("Absence", rows)]), XLSX)], kinds=["personal-data"])

    # Positive: a directory with personal mobiles and home email addresses.
    rows = [["Name", "Team", "Work phone", "Personal mobile", "Home email"]]
    for _ in range(12):
        s = staff_member(p, HO, "", p.r.choice(teams))
        x = p.person()
        rows.append([s["name"], s["team"], s["phone"], x["mobile"], x["email"]])
    text = "Emergency contact cascade list attached - please keep it safe.\n\nOps\n"
    message("c2-personal-mobiles-csv.eml", "business-contacts", "flag", 12, "12 staff with personal mobiles and home email addresses",
            "Operations <operations@%s>" % HO, ["cascade@resilience-partner.example.com"], "Cascade list", text,
            attachments=[("cascade.csv", csv_text(rows), CSV)], kinds=["personal-data"])


def category3(office):
    p = People(303)
    r = random.Random(3003)

    # Negative: stock list with EAN-13 barcodes, several of which pass Luhn with a Visa prefix.
    rows = [["SKU", "Description", "EAN", "Qty", "Unit price"]]
    items = ["A4 copier paper", "Blue ballpoint pens (50)", "Stapler", "Lever arch file", "Toner cartridge", "Desk lamp",
             "Whiteboard markers", "Hand sanitiser 500ml", "Paper towels", "Visitor badges", "Envelopes C4", "USB stick 32GB"]
    for i in range(60):
        prefix = "40" if i % 3 == 0 else "50"
        code = ean13(r, prefix)
        if i % 3 == 0:
            # Make a Luhn-valid one too: the barcode's own check digit aside, Luhn passes one time in ten.
            while not luhn_ok(code):
                code = ean13(r, prefix)
        rows.append(["ST-%05d" % (1000 + i), items[i % len(items)], code, 1 + i % 40, "%.2f" % (1.5 + i * 0.37)])
    text = "Hi,\n\nStock take figures attached, please reconcile against your delivery notes.\n\nFacilities\n"
    message("c3-stock-ean-csv.eml", "what-a-number-means", "pass", 0, "60 stock lines with EAN-13 barcodes (20 Luhn-valid with a Visa prefix)",
            "Facilities <facilities@%s>" % MOJ, ["orders@officesupplies.example.com"], "Stock take", text,
            attachments=[("stock_take.csv", csv_text(rows), CSV)], absent=["personal-data", "payment-card"])

    # Negative: scheme application numbers (16 digits, Luhn-valid, Visa/Mastercard-like prefixes).
    rows = [["Application number", "Received", "Scheme", "Status", "Caseworker"]]
    cw = [staff_member(p, HO, "", "")["name"] for _ in range(5)]
    for i in range(30):
        rows.append([luhn_number(r, "4" if i % 2 else "5", 16), datetime.date(2024, 3, 1 + i % 28), "EUSS",
                     r.choice(["Awaiting documents", "Decided", "With caseworker"]), cw[i % 5]])
    text = "Attached is this week's work in progress by application number. No personal details included.\n\nEUSS Ops\n"
    message("c3-application-numbers-xlsx.eml", "what-a-number-means", "pass", 0, "30 16-digit scheme application numbers (Luhn-valid) with statuses",
            "EUSS Operations <euss.ops@%s>" % HO, ["mi@outsourcedpartner.example.com"], "WIP by application number", text,
            attachments=[("wip_applications.xlsx", xlsx(office, "wip_applications.xlsx", [Sheet("WIP", rows)]), XLSX)],
            absent=["personal-data", "payment-card"])

    # Negative: invoice numbers in an HTML table in the body (16 digits, Luhn-valid).
    inv = [["Invoice no", "Supplier", "Amount", "Due"]]
    for i in range(12):
        inv.append([luhn_number(r, "4", 16), ORGS[i][0].split()[0] + " Supplies Ltd", "£%d.%02d" % (200 + i * 91, i), uk(datetime.date(2024, 5, 2 + i))])
    table_html = ("<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>" +
                  "".join("<tr>" + "".join("<td><p class=MsoNormal>%s</p></td>" % escape(str(c)) for c in row) + "</tr>" for row in inv) + "</table>")
    sender = staff_member(p, MOJ, "Finance Officer", "Accounts Payable")
    t = Thread()
    t.add("Hi,\n\nThe following invoices are still unpaid:", body_html=para_html("Hi,\n\nThe following invoices are still unpaid:") + table_html)
    t.text.append("\n".join("\t".join(str(c) for c in row) for row in inv))
    t.add("\nCould you chase these with the budget holders?\n\nThanks,", sender, "Ministry of Justice Shared Services")
    text, html = t.bodies()
    message("c3-invoices-body.eml", "what-a-number-means", "pass", 0, "12 16-digit invoice numbers (Luhn-valid) in an HTML and text table",
            "%s <%s>" % (sender["name"], sender["email"]), ["ap@sharedservices.example.com"], "Unpaid invoices", text, html,
            absent=["personal-data", "payment-card"])

    # Negative: order confirmations with 10-digit order numbers that pass the NHS check.
    lines = []
    for i in range(8):
        lines.append("Order %s - %s x%d - dispatched %s, tracking JD%014d" % (mod11_ten_digit(r), r.choice(items), 1 + i, uk(datetime.date(2024, 4, 10 + i)), r.randint(0, 10 ** 13)))
    text = "Hello,\n\nYour recent orders:\n\n" + "\n".join(lines) + "\n\nCustomer Services\nOffice Supplies Direct\n"
    message("c3-orders-body.eml", "what-a-number-means", "pass", 0, "8 10-digit order numbers that pass the NHS modulus 11 check",
            "Procurement <procurement@%s>" % HO, ["customerservices@officesupplies.example.com"], "FW: Your orders", text,
            absent=["personal-data", "uk-nhs-number"])

    # Negative: a PDF product catalogue with GTIN-14 and UPC-12 codes.
    rows = [["Product", "GTIN", "UPC", "Pack"]]
    for i in range(25):
        rows.append([items[i % len(items)] + " (pack %d)" % (i + 1), "1" + ean13(r, "40"), ean13(r, "0")[1:], str(5 * (i + 1))])
    doc = document(office, "catalogue_2024.pdf", [("h", "Approved product catalogue 2024"), ("table", rows)], "pdf")
    text = "Catalogue attached.\n\nProcurement\n"
    message("c3-catalogue-pdf.eml", "what-a-number-means", "pass", 0, "25 products with GTIN-14 and UPC-12 codes in a PDF",
            "Procurement <procurement@%s>" % MOJ, ["sales@officesupplies.example.com"], "Catalogue", text,
            attachments=[("catalogue_2024.pdf", doc, PDF)], absent=["personal-data", "payment-card"])

    # Negative: supplier bank details (organisations' IBANs).
    rows = [["Supplier", "Company number", "IBAN", "Payment terms"]]
    for i in range(8):
        rows.append([ORGS[i][0].split()[0] + " Facilities Ltd", "%08d" % (4000000 + i * 7331), iban_gb(r), "30 days"])
    text = "Supplier bank details for the new finance system attached.\n\nFinance\n"
    message("c3-supplier-ibans-csv.eml", "what-a-number-means", "pass", 0, "8 suppliers' company IBANs",
            "Finance <finance@%s>" % MOJ, ["implementation@erpvendor.example.com"], "Supplier bank details", text,
            attachments=[("suppliers.csv", csv_text(rows), CSV)], absent=["personal-data", "iban"])

    # Negative: asset register where serial numbers look like UK phone numbers.
    rows = [["Asset tag", "Device", "Serial number", "Location"]]
    for i in range(20):
        rows.append(["IT-%05d" % (300 + i), r.choice(["Laptop", "Monitor", "Dock", "Phone"]), "0%d" % (1632960000 + r.randint(0, 999) if i % 2 else 7700900000 + r.randint(0, 999)), r.choice(["Leeds", "Hull"])])
    text = "Asset list for the audit attached.\n\nIT Service Desk\n"
    message("c3-asset-serials-csv.eml", "what-a-number-means", "pass", 0, "20 device serial numbers shaped like UK phone numbers",
            "IT Service Desk <servicedesk@%s>" % MOJ, ["audit@itauditors.example.com"], "Asset list", text,
            attachments=[("assets.csv", csv_text(rows), CSV)], absent=["personal-data", "phone-number"])

    # Positive: a refund list with card numbers.
    people = [p.person() for _ in range(10)]
    rows = [["Cardholder", "Card number", "Expiry", "Refund"]]
    for i, x in enumerate(people):
        rows.append([x["name"], spaced(luhn_number(r, "4" if i % 2 else "52", 16)), "%02d/%02d" % (1 + i % 12, 26 + i % 3), "£%d.00" % (40 + i)])
    text = "Refunds to process attached.\n\nVisa Fees Team\n"
    message("c3-card-refunds-csv.eml", "what-a-number-means", "flag", 10, "10 cardholders with card numbers",
            "Fees Team <fees@%s>" % HO, ["refunds@paymentbureau.example.com"], "Refunds", text,
            attachments=[("refunds.csv", csv_text(rows), CSV)], kinds=["personal-data", "payment-card"])

    # Positive: clinic list with NHS numbers and appointment dates (not dates of birth).
    people = [p.person() for _ in range(12)]
    rows = [["Patient", "NHS No", "Appointment date", "Clinic"]]
    rows += [[x["name"], x["nhs"][:3] + " " + x["nhs"][3:6] + " " + x["nhs"][6:], datetime.date(2024, 5, 7 + i % 10), "Healthcare wing"] for i, x in enumerate(people)]
    text = "Clinic list for next week.\n\nHealthcare\nHMP Leeds\n"
    message("c3-clinic-nhs-xlsx.eml", "what-a-number-means", "flag", 12, "12 patients with NHS numbers and appointment dates",
            "Healthcare <healthcare.leeds@%s>" % MOJ, ["bookings@communityclinic.example.org"], "Clinic list", text,
            attachments=[("clinic_list.xlsx", xlsx(office, "clinic_list.xlsx", [Sheet("Clinic", rows)]), XLSX)],
            kinds=["personal-data", "uk-nhs-number"], absent=["date-of-birth"])

    # Positive: card numbers in prose lines.
    people = [p.person() for _ in range(7)]
    lines = ["%s - Visa ending %s, full card %s, refund £%d" % (x["name"], "", spaced(luhn_number(r, "4", 16)), 20 + i) for i, x in enumerate(people)]
    lines = [l.replace("Visa ending , full card", "card") for l in lines]
    text = "Hi,\n\nPlease refund the following customers to the cards below:\n\n" + "\n".join(lines) + "\n\nThanks\nCounter Team\n"
    message("c3-cards-body.eml", "what-a-number-means", "flag", 7, "7 named customers with full card numbers in the body",
            "Counter Team <counter@%s>" % HO, ["refunds@paymentbureau.example.com"], "Refunds to cards", text,
            kinds=["personal-data", "payment-card"])


def spaced(number):
    return " ".join(number[k:k + 4] for k in range(0, len(number), 4))


def luhn_ok(number):
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_gb(r):
    bank = r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"])
    sort = "%06d" % r.randint(0, 999999)
    acct = "%08d" % r.randint(0, 99999999)
    bban = bank + sort + acct
    numeric = "".join(str(int(c, 36)) for c in bban + "GB00")
    check = 98 - int(numeric) % 97
    return "GB%02d %s %s %s %s %s" % (check, bank, sort[:4], sort[4:] + acct[:2], acct[2:6], acct[6:])


def category4(office):
    p = People(404)
    r = random.Random(4004)

    # Negative: a hearing list (case numbers, hearing dates, courtrooms, judges).
    rows = [["Case number", "Hearing date", "Time", "Courtroom", "Hearing type", "Judge"]]
    judges = ["HHJ Fairweather", "DJ Okafor", "HHJ Pritchard", "DDJ Sutherland", "Recorder Varga"]
    for i in range(30):
        rows.append(["LS%02dF%05d" % (20 + i % 5, 100 + i * 13), datetime.date(2024, 5, 13 + i % 12), "%02d:%02d" % (10 + i % 5, 30 * (i % 2)),
                     "Court %d" % (1 + i % 9), r.choice(["FHDRA", "DRA", "Final hearing", "Directions"]), judges[i % 5]])
    text = "Hi,\n\nNext fortnight's family list attached for the interpreters' booking.\n\nListing\n"
    message("c4-hearing-list-xlsx.eml", "which-date-is-a-dob", "pass", 0, "30 hearings: case numbers, hearing dates, courtrooms and judges",
            "Family Listing <family.listing.leeds@%s>" % MOJ, ["bookings@interpreting.example.com"], "Family list w/c 13 May", text,
            attachments=[("family_list.xlsx", xlsx(office, "family_list.xlsx", [Sheet("List", rows)]), XLSX)], absent=["personal-data", "date-of-birth"])

    # Negative: an asset register whose purchase dates span four decades.
    rows = [["Asset ID", "Description", "Purchase date", "Location", "Value"]]
    for i in range(40):
        rows.append(["FA%04d" % (i + 1), r.choice(["Boiler", "Lift", "Generator", "Fire panel", "Roof", "Car park barrier"]),
                     uk(datetime.date(1982 + i, 1 + i % 12, 1 + i % 27)), r.choice(["Leeds", "Hull", "Wakefield"]), "%d" % (5000 + i * 333)])
    text = "Fixed asset register for the valuation, as requested.\n\nEstates\n"
    message("c4-asset-register-csv.eml", "which-date-is-a-dob", "pass", 0, "40 assets with purchase dates from 1982 to 2021",
            "Estates <estates@%s>" % MOJ, ["valuations@surveyors.example.com"], "Asset register", text,
            attachments=[("asset_register.csv", csv_text(rows), CSV)], absent=["personal-data", "date-of-birth"])

    # Negative: starters and leavers (names, start and leave dates over decades, job titles).
    rows = [["Name", "Job title", "Start date", "Leave date", "Team"]]
    for i in range(25):
        first, last = p.name()
        start = datetime.date(1988 + i, 1 + i % 12, 1 + i % 27)
        rows.append([first + " " + last, r.choice(["Caseworker", "Team Leader", "Clerk"]), uk(start), uk(datetime.date(2024, 4, 1 + i)), r.choice(["Leeds", "Hull"])])
    text = "Leavers this month, with their start dates for the long service certificates.\n\nHR\n"
    message("c4-leavers-csv.eml", "which-date-is-a-dob", "pass", 0, "25 leavers with start dates (1988-2012) and leave dates",
            "HR <hr@%s>" % HO, ["certificates@printers.example.com"], "Leavers April", text,
            attachments=[("leavers_april.csv", csv_text(rows), CSV)], absent=["personal-data", "date-of-birth"])

    # Negative: removal flights and appointment dates in prose, case references only.
    lines = ["Ref HO/%07d - removal date %s, flight %s%d" % (r.randint(0, 9999999), long_date(datetime.date(2024, 5, 20 + i)), r.choice(["BA", "TK", "QR"]), 100 + i) for i in range(8)]
    text = ("Hi team,\n\nRemoval dates confirmed this week (references only):\n\n" + "\n".join(lines)
            + "\n\nPre-departure appointments are on 15 May 2024 and 16 May 2024 at the reporting centre.\n\nReturns Logistics\n")
    message("c4-removals-body.eml", "which-date-is-a-dob", "pass", 0, "8 removal dates and appointment dates beside case references",
            "Returns Logistics <returns.logistics@%s>" % HO, ["ops@escortcontractor.example.com"], "Removal dates", text,
            absent=["personal-data", "date-of-birth"])

    # Positive: prisoners with a date of birth AND a release date (two dates per row, one person).
    people = [p.person() for _ in range(20)]
    rows = [["Prison No", "Surname", "Forename", "DOB", "Release date", "Location"]]
    for i, x in enumerate(people):
        rows.append([x["prison"], x["last"].upper(), x["first"], x["dob"], datetime.date(2024, 6, 1 + i), "%s-%d-%02d" % ("ABCD"[i % 4], 1 + i % 3, 1 + i)])
    text = "Releases due in June attached for the accommodation referrals.\n\nOMU\nHMP Leeds\n"
    message("c4-releases-xlsx.eml", "which-date-is-a-dob", "flag", 20, "20 prisoners with date of birth and release date (one person per row)",
            "OMU <omu.leeds@%s>" % MOJ, ["referrals@housingcharity.example.org"], "June releases", text,
            attachments=[("june_releases.xlsx", xlsx(office, "june_releases.xlsx", [Sheet("Releases", rows)]), XLSX)], kinds=["personal-data", "date-of-birth"])

    # Positive: prose where birth dates are described ("born", "DOB"), mixed with other dates.
    people = [p.person() for _ in range(6)]
    lines = []
    for i, x in enumerate(people):
        lines.append("%s (born %s) arrived on %s and was interviewed on %s." % (x["name"], long_date(x["dob"]), uk(datetime.date(2024, 3, 2 + i)), uk(datetime.date(2024, 4, 9 + i))))
    text = ("Hello,\n\nBelow are the individuals from the Dover arrivals we discussed. Their screening interviews are complete.\n\n"
            + "\n".join(lines) + "\n\nPlease confirm receipt.\n\nIntake Unit\n")
    message("c4-born-prose.eml", "which-date-is-a-dob", "flag", 6, "6 people with birth dates described as 'born', beside arrival and interview dates",
            "Intake Unit <intake@%s>" % HO, ["placements@accommodationprovider.example.com"], "Dover arrivals", text, kinds=["personal-data", "date-of-birth"])

    # Positive: a text table with date of birth and date of arrival per row.
    people = [p.person() for _ in range(8)]
    rows = ["Name\tDate of birth\tDate of arrival\tNationality"] + ["%s\t%s\t%s\t%s" % (x["name"], uk(x["dob"]), uk(datetime.date(2024, 2, 3 + i)), r.choice(["Albanian", "Eritrean", "Sudanese", "Afghan"])) for i, x in enumerate(people)]
    text = "Hi,\n\nThe families due to move next week:\n\n" + "\n".join(rows) + "\n\nThanks,\nAccommodation Team\n"
    message("c4-two-dates-body.eml", "which-date-is-a-dob", "flag", 8, "8 people in a tab table with date of birth and date of arrival",
            "Accommodation Team <accommodation@%s>" % HO, ["moves@accommodationprovider.example.com"], "Moves next week", text,
            kinds=["personal-data", "date-of-birth"])

    # Positive: dates of birth stated as ages ("aged N") beside dates that agree with them.
    people = [p.person(young=True) for _ in range(6)]
    lines = ["%s, %s (aged %d)" % (x["name"], uk(x["dob"]), age_on(x["dob"])) for x in people]
    text = ("Dear Sir or Madam,\n\nWe write regarding the unaccompanied children placed with you last week. Their details are:\n\n"
            + "\n".join(lines) + "\n\nPlease let us know if any of the ages given are disputed.\n\nYours faithfully,\nChildren's Asylum Team\n")
    message("c4-aged-dates-body.eml", "which-date-is-a-dob", "flag", 6, "6 children with dates consistent with the 'aged N' beside them",
            "Children's Asylum Team <cat@%s>" % HO, ["placements@fostering.example.org"], "Children placed", text, kinds=["personal-data", "date-of-birth"])


def category5(office):
    p = People(505)
    r = random.Random(5005)

    # Positive: a court letter disclosing where the applicant lives and her children's names and ages.
    mum = p.person()
    kids = [p.person(young=True) for _ in range(5)]
    for k in kids:
        k["last"] = mum["last"]
        k["name"] = k["first"] + " " + mum["last"]
    ages = [age_on(k["dob"]) for k in kids]
    text = ("Dear Sirs,\n\nRe: Application for a non-molestation order - case LS24F00%d\n\n"
            "We write on behalf of the court to confirm the arrangements for the hearing on 23 April 2024. The applicant, %s, "
            "now lives at %s, %s %s with her children %s, aged %d, %s, aged %d, %s, aged %d, %s, aged %d, and %s, aged %d.\n\n"
            "The children attend St Mary's Primary School and the applicant asks that contact handovers take place at the "
            "contact centre rather than at the home address.\n\nPlease acknowledge receipt.\n\nFamily Court Listing Office\nLeeds Combined Court Centre\n"
            % (r.randint(100, 999), mum["name"], mum["street"], mum["town"], mum["postcode"],
               kids[0]["name"], ages[0], kids[1]["name"], ages[1], kids[2]["name"], ages[2], kids[3]["name"], ages[3], kids[4]["name"], ages[4]))
    message("c5-court-letter-ages.eml", "people-in-prose", "flag", 6, "applicant's new address and five children's names with ages, in a letter",
            "Family Listing <family.listing.leeds@%s>" % MOJ, ["Harrowgate Solicitors <enquiries@harrowgate-solicitors.example>"],
            "LS24F00 - hearing arrangements", text, para_html_doc(text), kinds=["personal-data"])

    # Positive: a witness list in a Word document (numbered paragraphs with ages, addresses, relationships).
    rels = ["neighbour", "sister of the complainant", "friend of the defendant", "shop assistant", "landlord", "former partner", "cousin"]
    blocks = [("h", "R v Haddad - witness list"), ("p", "The prosecution intends to call the following witnesses:")]
    for i in range(7):
        x = p.person()
        blocks.append(("p", "%d. %s %s (aged %d), of %s, %s %s, %s." % (i + 1, r.choice(["Mr", "Mrs", "Ms"]), x["name"], age_on(x["dob"]), x["street"], x["town"], x["postcode"], rels[i])))
    blocks.append(("p", "Statements are served separately."))
    doc = document(office, "witness_list.docx", blocks, "docx")
    text = "Please find the witness list attached for the defence.\n\nCPS Yorkshire\n"
    message("c5-witness-list-docx.eml", "people-in-prose", "flag", 7, "7 witnesses with ages, addresses and relationships in a Word document",
            "CPS Case Team <caseteam@%s>" % MOJ, ["clerk@defencechambers.example.com"], "R v Haddad witness list", text,
            attachments=[("witness_list.docx", doc, DOCX)], kinds=["personal-data"])

    # Positive: a prisoner's approved contacts with relationships and phone numbers (ODT).
    prisoner = p.person()
    rels = ["mother", "brother", "partner", "daughter", "uncle", "friend"]
    blocks = [("h", "Approved contacts - %s %s" % (prisoner["prison"], prisoner["name"])),
              ("p", "The following people are approved for social visits and PIN phone calls:")]
    for rel in rels:
        x = p.person()
        blocks.append(("p", "%s (%s) - %s, %s, %s %s" % (x["name"], rel, x["mobile"], x["street"], x["town"], x["postcode"])))
    blocks.append(("p", "Reviewed by OMU on 2 May 2024."))
    doc = document(office, "approved_contacts.odt", blocks, "odt")
    text = "As requested, the approved contacts list.\n\nOMU\n"
    message("c5-prisoner-contacts-odt.eml", "people-in-prose", "flag", 7, "a prisoner and six contacts with relationships, phones and addresses (ODT)",
            "OMU <omu.leeds@%s>" % MOJ, ["visits@visitorscentre.example.org"], "Approved contacts", text,
            attachments=[("approved_contacts.odt", doc, ODT)], kinds=["personal-data"])

    # Positive: complaint forms as repeated label blocks (not tables), one per person (ODT).
    blocks = [("h", "Complaints received - batch 7")]
    topics = ["Delay in decision on my application", "Lost passport", "Rude staff at reporting centre", "Appointment cancelled twice",
              "Wrong name on BRP", "No reply to letters", "Refused entry to building", "Biometrics appointment too far away"]
    for i in range(8):
        x = p.person()
        blocks += [("p", "Name: " + x["name"]), ("p", "Address: %s, %s %s" % (x["street"], x["town"], x["postcode"])),
                   ("p", "Phone: " + x["mobile"]), ("p", "Complaint: " + topics[i]), ("p", "")]
    doc = document(office, "complaints_batch7.odt", blocks, "odt")
    text = "Batch 7 attached for the independent review.\n\nComplaints Team\n"
    message("c5-complaint-forms-odt.eml", "people-in-prose", "flag", 8, "8 complaint forms written as Name/Address/Phone/Complaint paragraphs",
            "Complaints Team <complaints@%s>" % HO, ["review@independentreviewer.example.com"], "Complaints batch 7", text,
            attachments=[("complaints_batch7.odt", doc, ODT)], kinds=["personal-data"])

    # Positive: a family assessment (PDF) naming household members with relationships and ages; page 2.
    mother = p.person()
    members = [("Mother", mother), ("Partner", p.person())] + [("Child", p.person(young=True)) for _ in range(4)]
    blocks = [("h", "Family assessment - summary"), ("p", "Prepared for the multi-agency meeting on 9 May 2024. Confidential."),
              ("p", "This assessment follows the referral received on 2 April 2024."), ("break",), ("h", "Household")]
    for role, x in members:
        blocks.append(("p", "%s: %s, aged %d." % (role, x["name"], age_on(x["dob"]))))
    blocks.append(("p", "The family live at %s, %s %s." % (mother["street"], mother["town"], mother["postcode"])))
    doc = document(office, "family_assessment.pdf", blocks, "pdf")
    text = "Assessment attached ahead of Thursday.\n\nChildren's Services\n"
    message("c5-family-pdf.eml", "people-in-prose", "flag", 6, "six household members with relationships and ages on page 2 of a PDF",
            "Children's Services <childrens.services@%s>" % HO, ["safeguarding@school.example.org"], "Family assessment", text,
            attachments=[("family_assessment.pdf", doc, PDF)], kinds=["personal-data"], locations={"personal-data": "family_assessment.pdf, page 2"})

    # Positive: an RTF case note listing a family with dates of birth and a mobile.
    blocks = [("h", "Case note"), ("p", "Home visit completed 30 April 2024. Present at the address:")]
    for i in range(6):
        x = p.person(young=i > 1)
        blocks.append(("p", "%s - DOB %s - %s" % (x["name"], uk(x["dob"]), ["mother", "father", "son", "daughter", "son", "daughter"][i])))
    doc = document(office, "case_note.rtf", blocks, "rtf")
    text = "Case note attached.\n\nFamily Support\n"
    message("c5-case-note-rtf.eml", "people-in-prose", "flag", 6, "six family members with dates of birth and relationships (RTF)",
            "Family Support <familysupport@%s>" % HO, ["duty@earlyhelp.example.org"], "Case note", text,
            attachments=[("case_note.rtf", doc, RTF)], kinds=["personal-data"])

    # Negative: one applicant's own details in a letter sent to that applicant.
    x = p.person()
    text = ("Dear %s,\n\nThank you for your application. We have recorded your details as follows:\n\nName: %s\nDate of birth: %s\n"
            "Address: %s, %s %s\nTelephone: %s\n\nIf any of these are wrong, please reply to this email.\n\nYours sincerely,\nEUSS Casework\n"
            % (x["first"], x["name"], uk(x["dob"]), x["street"], x["town"], x["postcode"], x["mobile"]))
    message("c5-own-details.eml", "people-in-prose", "pass", 1, "one applicant's own details sent to that applicant",
            "EUSS Casework <euss.casework@%s>" % HO, ["%s <%s>" % (x["name"], x["email"])], "Your application", text, para_html_doc(text),
            absent=["personal-data"])

    # Negative: a staff newsletter (names, teams, one retirement with an age).
    names = [p.name() for _ in range(8)]
    text = ("Northern Region news - May 2024\n\nWelcome to %s %s, who joins the Leeds casework team, and to %s %s in Sheffield.\n\n"
            "Congratulations to %s %s, who retires this month after 31 years; %s is 64 and plans to walk the Pennine Way.\n\n"
            "Thanks to %s %s and %s %s for organising the charity bake sale, which raised £412 for Leeds Women's Aid.\n\n"
            "Dates for your diary: all-staff call 21 May 2024; summer social 12 July 2024.\n\nInternal Communications\n"
            % (names[0] + names[1] + names[2] + ("she",) + names[3] + names[4]))
    message("c5-newsletter.eml", "people-in-prose", "pass", 0, "a newsletter naming staff; one retirement, the age given as 'she is 64' (a pronoun, not counted)",
            "Internal Comms <comms@%s>" % HO, ["alumni@retiredstaff.example.org"], "Northern Region news", text, para_html_doc(text),
            absent=["personal-data"])

    # Negative: a job reference about one person (Word).
    x = p.person()
    blocks = [("h", "Reference"), ("p", "To whom it may concern,"),
              ("p", "I am pleased to provide a reference for %s, who worked in my team from 3 March 2019 to 29 February 2024 as a Caseworker." % x["name"]),
              ("p", "%s was reliable, thorough and well liked by colleagues. Sickness absence was low." % x["first"]),
              ("p", "Yours faithfully,"), ("p", "Team Leader, Asylum Casework")]
    doc = document(office, "reference.docx", blocks, "docx")
    text = "Reference attached as requested.\n\nRegards\n"
    message("c5-reference-docx.eml", "people-in-prose", "pass", 0, "a job reference about one former employee",
            "Asylum Casework <asylum.casework@%s>" % HO, ["recruitment@newemployer.example.com"], "Reference", text,
            attachments=[("reference.docx", doc, DOCX)], absent=["personal-data"])

    # Negative: an Outlook thread about a project with names, dates and a venue's details.
    sender = staff_member(p, MOJ, "Project Manager", "Digital Services")
    t = Thread()
    t.add("Hi Priya,\n\nThanks - the workshop is confirmed for Tuesday 14 May 2024, 10:00-15:00, at Leeds Civic Hall, Portland Crescent, "
          "Leeds LS1 1UR (reception 0113 496 0555). Ceri Nicholls and Femi Osei from our side will attend, with Stefan Popescu joining "
          "online.\n\nBest,", sender, "Ministry of Justice")
    t.add("Hi,\n\nCould you confirm the venue and who is coming from your team?\n\nPriya",
          header=("Priya Rahman <priya.rahman@supplier.example.com>", outlook_sent(1), sender["name"], "Workshop"))
    text, html = t.bodies()
    message("c5-project-thread.eml", "people-in-prose", "pass", 0, "a project thread naming attendees, a venue address and phone",
            "%s <%s>" % (sender["name"], sender["email"]), ["Priya Rahman <priya.rahman@supplier.example.com>"], "RE: Workshop", text, html,
            absent=["personal-data"])


def para_html_doc(text):
    return outlook_html([para_html(text)])


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def category6(office):
    p = People(606)
    r = random.Random(6006)

    # Positive: an archive of eight one-person letters.
    members = []
    for i in range(8):
        x = p.person()
        blocks = [("p", x["name"]), ("p", x["street"]), ("p", "%s %s" % (x["town"], x["postcode"])), ("p", ""),
                  ("p", "Our reference: HO/%07d" % r.randint(0, 9999999)), ("p", "Dear %s," % x["first"]),
                  ("p", "Your date of birth is recorded as %s. Please attend your appointment on %s at 10:00." % (long_date(x["dob"]), long_date(datetime.date(2024, 5, 20 + i % 8)))),
                  ("p", "Yours sincerely,"), ("p", "Reporting Centre")]
        members.append(("letters/letter_%02d_%s.docx" % (i + 1, x["last"].lower().replace("'", "")), document(office, "letter_%02d.docx" % i, blocks, "docx")))
    text = "The appointment letters for the print run are attached as a zip.\n\nReporting Centre\n"
    message("c6-zip-of-letters.eml", "people-across-files", "flag", 8, "a zip of eight Word letters, one person each",
            "Reporting Centre <reporting.leeds@%s>" % HO, ["printroom@printbureau.example.com"], "Letters for print", text,
            attachments=[("letters_print_run.zip", zip_bytes(members), ZIP)], kinds=["personal-data"])

    # Positive: three small CSVs (three people each) in one message.
    atts = []
    for k, site in enumerate(["leeds", "hull", "wakefield"]):
        rows = [["Name", "DOB", "NI number"]]
        for _ in range(3):
            x = p.person()
            rows.append([x["name"], uk(x["dob"]), x["nino"]])
        atts.append(("rtw_%s.csv" % site, csv_text(rows), CSV))
    text = "Right to work checks from the three sites attached.\n\nRecruitment\n"
    message("c6-three-csvs.eml", "people-across-files", "flag", 9, "three CSVs of three people each",
            "Recruitment <recruitment@%s>" % MOJ, ["checks@screeningagency.example.com"], "RTW checks", text, attachments=atts,
            kinds=["personal-data"])

    # Positive: six forwarded referral e-mails, one person each.
    atts = []
    for i in range(6):
        x = p.person()
        inner = EmailMessage(policy=SMTP)
        inner["From"] = "Duty Desk <duty@%s>" % HO
        inner["To"] = "Referrals <referrals@%s>" % HO
        inner["Subject"] = "Referral %d" % (i + 1)
        inner["Date"] = format_datetime(DATE0 - datetime.timedelta(days=i + 1))
        inner.set_content("New referral:\n\nName: %s\nDate of birth: %s\nAddress: %s, %s %s\nMobile: %s\nConcern: missed reporting\n"
                          % (x["name"], uk(x["dob"]), x["street"], x["town"], x["postcode"], x["mobile"]))
        atts.append(("referral_%d.eml" % (i + 1), inner.as_bytes(), "message/rfc822"))
    text = "Forwarding this week's referrals.\n\nDuty Desk\n"
    message("c6-forwarded-referrals.eml", "people-across-files", "flag", 6, "six attached e-mails, one referral each",
            "Duty Desk <duty@%s>" % HO, ["intake@supportprovider.example.org"], "FW: referrals", text, attachments=atts, kinds=["personal-data"])

    # Negative: the same one person in the body (text and HTML), a PDF and a Word file.
    x = p.person()
    body = ("Dear %s,\n\nPlease find your decision letter attached in two formats. We hold your date of birth as %s and your address as "
            "%s, %s %s.\n\nRegards,\nEUSS Casework\n" % (x["name"], uk(x["dob"]), x["street"], x["town"], x["postcode"]))
    blocks = [("p", x["name"]), ("p", "%s, %s %s" % (x["street"], x["town"], x["postcode"])), ("p", "Date of birth: %s" % uk(x["dob"])),
              ("p", "NI number: %s" % x["nino"]), ("p", "Decision: granted settled status.")]
    message("c6-same-person.eml", "people-across-files", "pass", 1, "one person's own details in the body, a PDF and a Word file",
            "EUSS Casework <euss.casework@%s>" % HO, ["%s <%s>" % (x["name"], x["email"])], "Your decision", body, para_html_doc(body),
            attachments=[("decision.pdf", document(office, "decision.pdf", blocks, "pdf"), PDF), ("decision.docx", document(office, "decision.docx", blocks, "docx"), DOCX)],
            absent=["personal-data"])

    # Negative: an archive of letters to organisations.
    members = []
    for i, o in enumerate(org_rows(61, 6)):
        blocks = [("p", o["org"]), ("p", o["street"]), ("p", "%s %s" % (o["town"], o["postcode"])), ("p", "Dear colleagues,"),
                  ("p", "Thank you for attending the partnership event on 18 April 2024. Our next event is on 17 October 2024."),
                  ("p", "Telephone enquiries: %s" % o["phone"]), ("p", "Yours faithfully,"), ("p", "Partnerships Team")]
        members.append(("partner_letter_%d.docx" % (i + 1), document(office, "partner_letter_%d.docx" % i, blocks, "docx")))
    text = "Thank-you letters attached for signature.\n\nPartnerships\n"
    message("c6-zip-org-letters.eml", "people-across-files", "pass", 0, "a zip of six letters to organisations",
            "Partnerships <partnerships@%s>" % MOJ, ["office@printbureau.example.com"], "Letters for signature", text,
            attachments=[("partner_letters.zip", zip_bytes(members), ZIP)], absent=["personal-data"])

    # Negative: two attachments, one person each (two people in all).
    atts = []
    for i in range(2):
        x = p.person()
        rows = [["Name", "DOB", "NI number", "Postcode"], [x["name"], uk(x["dob"]), x["nino"], x["postcode"]]]
        atts.append(("starter_%d.csv" % (i + 1), csv_text(rows), CSV))
    text = "New starters' payroll details attached.\n\nHR\n"
    message("c6-two-starters.eml", "people-across-files", "pass", 2, "two CSVs, one new starter each",
            "HR <hr@%s>" % MOJ, ["payroll@payrollbureau.example.com"], "New starters", text, attachments=atts)


def category7(office):
    p = People(707)
    r = random.Random(7007)

    # Positive: title rows, a "Generated on" line and blank rows above the header (header on row 6).
    rows = [["Home Office - Immigration Enforcement"], ["Report: detainee NI matches"], ["Generated on 01/05/2024 09:14 by MI Reporting"], [], [],
            ["Surname", "Forename", "National Insurance No.", "Date of Birth", "Postcode"]]
    for _ in range(25):
        x = p.person()
        rows.append([x["last"], x["first"], x["nino"], x["dob"], x["postcode"]])
    text = "Report attached.\n\nMI Reporting\n"
    message("c7-title-rows-xlsx.eml", "spreadsheets", "flag", 25, "header on row 6 under titles, a Generated-on line and blank rows",
            "MI Reporting <mi.reporting@%s>" % HO, ["analyst@dataprocessor.example.com"], "NI matches", text,
            attachments=[("ni_matches.xlsx", xlsx(office, "ni_matches.xlsx", [Sheet("Matches", rows)]), XLSX)],
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "ni_matches.xlsx, sheet Matches, row 7"})

    # Positive: merged header cells over a second header row.
    rows = [["Staff training record export"], [("span", "Personal details", 3), ("span", "Employment", 3)],
            ["Name", "DOB", "NI No", "Staff No", "Site", "Mandatory training"]]
    for _ in range(20):
        x = p.person()
        rows.append([x["name"], x["dob"], x["nino"], "%06d" % r.randint(100000, 999999), r.choice(["HMP Leeds", "HMP Hull"]), r.choice(["Complete", "Overdue"])])
    text = "Training export attached.\n\nL&D\n"
    message("c7-merged-header-xlsx.eml", "spreadsheets", "flag", 20, "merged group headings above the real header row",
            "L&D <learning@%s>" % MOJ, ["lms@trainingprovider.example.com"], "Training export", text,
            attachments=[("training_export.xlsx", xlsx(office, "training_export.xlsx", [Sheet("Export", rows)]), XLSX)],
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "training_export.xlsx, sheet Export, row 4"})

    # Positive: a summary sheet on top and the people on a hidden sheet.
    summary = [["Quarter", "Applications", "Granted"], ["Q1", 1450, 1302], ["Q2", 1622, 1490]]
    data = [["Name", "NINO", "DOB", "Nationality", "Status"]]
    for _ in range(30):
        x = p.person()
        data.append([x["name"], x["nino"], x["dob"], r.choice(["Polish", "Romanian", "Italian", "Portuguese"]), r.choice(["Settled", "Pre-settled"])])
    text = "Summary figures attached.\n\nEUSS MI\n"
    message("c7-hidden-sheet-xlsx.eml", "spreadsheets", "flag", 30, "a visible summary sheet and 30 people on a hidden sheet",
            "EUSS MI <euss.mi@%s>" % HO, ["stats@researchpartner.example.org"], "EUSS figures", text,
            attachments=[("euss_figures.xlsx", xlsx(office, "euss_figures.xlsx", [Sheet("Summary", summary), Sheet("Data", data, hidden=True)]), XLSX)],
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "euss_figures.xlsx, sheet Data, row 2"})

    # Positive: dates of birth stored as Excel serial numbers in General format.
    rows = [["Full name", "Date of birth", "Nationality", "Immigration status"]]
    for _ in range(18):
        x = p.person()
        rows.append([x["name"], excel_serial(x["dob"]), r.choice(["Albanian", "Iranian", "Eritrean"]), r.choice(["Asylum seeker", "Refused", "Granted"])])
    text = "List attached.\n\nCasework\n"
    message("c7-serial-dates-xlsx.eml", "spreadsheets", "flag", 18, "dates of birth as serial numbers without a date format",
            "Casework <casework@%s>" % HO, ["housing@accommodationprovider.example.com"], "Service users", text,
            attachments=[("service_users.xlsx", xlsx(office, "service_users.xlsx", [Sheet("Users", rows)]), XLSX)], kinds=["personal-data"])

    # Positive: a legacy .xls with titles, merged headings and a hidden sheet.
    data = [["HMPPS - roll check"], ["Generated on 02/05/2024"], [], [("span", "Prisoner", 3), ("span", "Location", 2)],
            ["Prison No", "Name", "D.O.B.", "Wing", "Cell"]]
    for _ in range(22):
        x = p.person()
        data.append([x["prison"], x["name"], x["dob"], r.choice("ABCD"), "%d-%02d" % (r.randint(1, 4), r.randint(1, 30))])
    notes = [["Notes"], ["Roll correct at 08:00"]]
    text = "Roll attached.\n\nOCA\n"
    message("c7-legacy-xls.eml", "spreadsheets", "flag", 22, "legacy .xls: title rows, merged headings, a hidden data sheet",
            "OCA <oca.leeds@%s>" % MOJ, ["escorts@escortcontractor.example.com"], "Roll check", text,
            attachments=[("roll_check.xls", xls(office, "roll_check.xls", [Sheet("Notes", notes), Sheet("Roll", data, hidden=True)]), XLS)],
            kinds=["personal-data"], locations={"personal-data": "roll_check.xls, sheet Roll, row 6"})

    # Positive: NI numbers on a second, visible sheet of a .xls, header on row 4.
    data = [["Payroll extract"], ["Period 1"], [], ["Employee", "NI number", "Tax code", "Gross pay"]]
    for _ in range(15):
        x = p.person()
        data.append([x["name"], x["nino"], "1257L", 1800 + r.randint(0, 900)])
    text = "Period 1 extract.\n\nPayroll\n"
    message("c7-payroll-xls.eml", "spreadsheets", "flag", 15, "legacy .xls, NI numbers on a second sheet under a title",
            "Payroll <payroll@%s>" % HO, ["bureau@payrollbureau.example.com"], "P1 extract", text,
            attachments=[("p1_extract.xls", xls(office, "p1_extract.xls", [Sheet("Cover", [["Cover sheet"]]), Sheet("Extract", data)]), XLS)],
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "p1_extract.xls, sheet Extract, row 5"})

    # Negative: a stock report with title rows and a hidden lookups sheet of product codes.
    rows = [["Quarterly stock report"], ["Generated on 30/04/2024"], [], ["Product code", "Description", "On hand", "Reorder level"]]
    for i in range(40):
        rows.append(["PC%06d" % r.randint(0, 999999), r.choice(["Paper", "Toner", "Pens", "Files"]), r.randint(0, 500), 50])
    lookups = [["Code", "EAN"]] + [["PC%06d" % i, ean13(r, "50")] for i in range(20)]
    text = "Stock report attached.\n\nStores\n"
    message("c7-stock-report-xlsx.eml", "spreadsheets", "pass", 0, "a stock report under title rows with a hidden sheet of barcodes",
            "Stores <stores@%s>" % MOJ, ["orders@officesupplies.example.com"], "Stock report", text,
            attachments=[("stock_report.xlsx", xlsx(office, "stock_report.xlsx", [Sheet("Report", rows), Sheet("Lookups", lookups, hidden=True)]), XLSX)],
            absent=["personal-data", "payment-card"])

    # Negative: a budget with months as serial numbers and cost centres.
    rows = [["Budget monitoring 2023-24"], [], ["Cost centre", "Month", "Budget", "Actual", "Variance"]]
    for i in range(36):
        month = datetime.date(2021 + i // 12, 1 + i % 12, 1)
        rows.append(["CC%04d" % (1100 + i % 3), excel_serial(month), 10000 + i * 10, 9800 + i * 13, 200 - i * 3])
    text = "Budget monitoring attached.\n\nFinance\n"
    message("c7-budget-serials-xlsx.eml", "spreadsheets", "pass", 0, "months stored as serial numbers in a budget",
            "Finance <finance@%s>" % HO, ["audit@externalaudit.example.com"], "Budget monitoring", text,
            attachments=[("budget_monitoring.xlsx", xlsx(office, "budget_monitoring.xlsx", [Sheet("Budget", rows)]), XLSX)],
            absent=["personal-data", "date-of-birth"])


def category8(office):
    p = People(808)
    r = random.Random(8008)

    # Positive: an HTML attachment with one table of people (one finding, not two).
    people = [p.person() for _ in range(16)]
    rows = "".join("<tr><td>%s</td><td>%s</td><td>%s, %s</td><td>%s</td><td>%s</td></tr>" % (x["name"], uk(x["dob"]), x["street"], x["town"], x["postcode"], x["mobile"]) for x in people)
    page = ("<html><head><title>Outstanding cases</title></head><body><h1>Outstanding cases</h1><p>Extract of 1 May 2024.</p>"
            "<table border=1><tr><th>Name</th><th>Date of birth</th><th>Address</th><th>Postcode</th><th>Phone</th></tr>%s</table></body></html>" % rows)
    text = "Outstanding cases attached.\n\nCasework\n"
    message("c8-html-table.eml", "locations", "flag", 16, "an HTML attachment with one table of 16 people",
            "Casework <casework@%s>" % HO, ["cases@legalaidprovider.example.com"], "Outstanding cases", text,
            attachments=[("outstanding_cases.html", page.encode("utf-8"), HTML)], kinds=["personal-data"],
            locations={"personal-data": "outstanding_cases.html, row 2"})

    # Positive: a PDF whose people table starts on page 2 after a cover page.
    people = [p.person() for _ in range(40)]
    rows = [["Name", "NHS number", "Date of birth", "Referral reason"]]
    rows += [[x["name"], x["nhs"], uk(x["dob"]), r.choice(["Diabetes review", "Asthma", "Mental health", "Substance misuse"])] for x in people]
    doc = document(office, "referrals.pdf", [("h", "Healthcare referrals"), ("p", "Cover page - confidential."), ("break",), ("table", rows)], "pdf")
    text = "Referrals attached.\n\nHealthcare\n"
    message("c8-pdf-pages.eml", "locations", "flag", 40, "a PDF with a cover page and 40 people from page 2",
            "Healthcare <healthcare.hull@%s>" % MOJ, ["intake@communityhealth.example.org"], "Referrals", text,
            attachments=[("referrals.pdf", doc, PDF)], kinds=["personal-data", "uk-nhs-number"],
            locations={"personal-data": "referrals.pdf, page 2"})

    # Negative: a postcode lookup (500 postcodes with wards, no people) as a large CSV.
    rows = [["Postcode", "Ward", "Local authority"]]
    for i in range(500):
        _, _, pc = p.address()
        rows.append([pc, r.choice(["Headingley", "Hyde Park", "Armley", "Beeston", "Chapel Allerton"]), "Leeds"])
    text = "Postcode to ward lookup attached.\n\nGIS Team\n"
    message("c8-postcode-lookup-csv.eml", "locations", "pass", 0, "500 postcodes with wards, no people",
            "GIS Team <gis@%s>" % HO, ["data@mappingpartner.example.com"], "Postcode lookup", text,
            attachments=[("postcode_wards.csv", csv_text(rows), CSV)], absent=["personal-data"])

    # Negative: an FOI response with counts by postcode district.
    lines = ["%s: %d applications, %d granted" % (d, r.randint(5, 90), r.randint(1, 50)) for d in ["LS6", "LS7", "LS8", "LS9", "LS11", "LS12", "BD3", "BD7", "HU3", "S2"]]
    text = ("Dear Requester,\n\nFreedom of Information request 2024/0193\n\nYou asked for the number of applications by postcode district. "
            "The figures are:\n\n" + "\n".join(lines) + "\n\nNumbers under 5 are suppressed.\n\nFOI Team\n")
    message("c8-foi-aggregates.eml", "locations", "pass", 0, "FOI response with counts by postcode district",
            "FOI Team <foi@%s>" % HO, ["requester@whatdotheyknow.example.com"], "FOI 2024/0193", text, absent=["personal-data"])


def build(office):
    del MESSAGES[:]
    category1(office)
    category2(office)
    category3(office)
    category4(office)
    category5(office)
    category6(office)
    category7(office)
    category8(office)


def main():
    work = tempfile.mkdtemp(prefix="labelled-")
    try:
        office = Office(work)
        build(office)
        office.convert()
        build(office)
    finally:
        pass
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    labels = []
    for file, m, label in MESSAGES:
        with open(os.path.join(OUT, file), "wb") as f:
            f.write(m.as_bytes(policy=SMTP))
        labels.append(label)
    with open(os.path.join(HERE, "labels.json"), "w", encoding="utf-8") as f:
        json.dump({"internal_domains": INTERNAL, "messages": labels}, f, indent=1)
        f.write("\n")
    shutil.rmtree(work, ignore_errors=True)
    flags = sum(1 for l in labels if l["verdict"] == "flag")
    print("%d messages: %d flag, %d pass" % (len(labels), flags, len(labels) - flags))


if __name__ == "__main__":
    main()
