"""make_labelled.py's kit: invented people, flat ODF sources converted by LibreOffice, and mail
as Outlook writes it (one message() call per labelled message)."""
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


def fodp(slides):
    """Slides: (title, rows) with rows a table of text cells (None: a slide of text lines in rows)."""
    ns = NS + (' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
               ' xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
               ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<office:document %s office:version="1.2" '
           'office:mimetype="application/vnd.oasis.opendocument.presentation"><office:body><office:presentation>' % ns]
    for i, (title, rows, lines) in enumerate(slides):
        out.append('<draw:page draw:name="Slide %d">' % (i + 1))
        out.append('<draw:frame svg:x="1cm" svg:y="0.5cm" svg:width="26cm" svg:height="2cm"><draw:text-box><text:p>%s</text:p></draw:text-box></draw:frame>' % escape(title))
        if rows:
            width = max(len(r) for r in rows)
            out.append('<draw:frame svg:x="1cm" svg:y="3cm" svg:width="26cm" svg:height="15cm"><table:table>'
                       '<table:table-column table:number-columns-repeated="%d"/>' % width)
            for row in rows:
                out.append("<table:table-row>" + "".join('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(str(c)) for c in row) + "</table:table-row>")
            out.append("</table:table></draw:frame>")
        if lines:
            out.append('<draw:frame svg:x="1cm" svg:y="3cm" svg:width="26cm" svg:height="15cm"><draw:text-box>%s</draw:text-box></draw:frame>'
                       % "".join("<text:p>%s</text:p>" % escape(line) for line in lines))
        out.append("</draw:page>")
    out.append("</office:presentation></office:body></office:document>")
    return "".join(out)


FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods:calc8",
    "docx": "docx:MS Word 2007 XML", "odt": "odt:writer8", "rtf": "rtf:Rich Text Format", "pdf": "pdf:writer_pdf_Export",
    "pptx": "pptx:Impress MS PowerPoint 2007 XML", "odp": "odp:impress8",
}


class Office:
    """Collects documents in a first pass, converts them in a few soffice runs, serves bytes in the second."""

    def __init__(self, work):
        self.work = work
        self.requests = {}
        self.ready = False
        self.calls = 0

    def doc(self, name, source_ext, source, target_ext):
        # Numbered in call order (the same in both passes): two messages may attach files of one name.
        self.calls += 1
        stem = "%03d_%s__%s" % (self.calls, os.path.splitext(name)[0], target_ext)
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
        self.calls = 0


def xlsx(office, name, sheets):
    return office.doc(name, "fods", fods(sheets), "xlsx")


def xls(office, name, sheets):
    return office.doc(name, "fods", fods(sheets), "xls")


def document(office, name, blocks, ext):
    return office.doc(name, "fodt", fodt(blocks), ext)


def presentation(office, name, slides, ext):
    return office.doc(name, "fodp", fodp(slides), ext)


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
            kinds=(), absent=(), locations=None, findings=None):
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
        "absent": list(absent), "locations": locations or {}, "findings": findings or {}, "description": description,
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
