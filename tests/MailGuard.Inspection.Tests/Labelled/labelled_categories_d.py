"""Category 11 of the labelled set: people laid out the ways a person lays out a page rather than a
table (a record a column, a table inside a table's cell, lines typed with commas), each with the
look-alike in the same layout that must pass."""
import datetime
import random
import zipfile
import io
from xml.sax.saxutils import escape

from labelled_kit import *  # noqa: F401,F403 - the kit is this script's vocabulary


def word_nested(rows, title):
    """A .docx by hand (LibreOffice writes no nested tables from flat ODF): a one-column layout
    table whose second cell holds the table of rows, as a report's appendix box does."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def cell(t):
        return '<w:tc><w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p></w:tc>' % escape(t)

    inner = "<w:tbl>" + "".join("<w:tr>%s</w:tr>" % "".join(cell(c) for c in row) for row in rows) + "</w:tbl>"
    body = ('<w:p><w:r><w:t>%s</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Appendix A</w:t></w:r></w:p></w:tc></w:tr>'
            '<w:tr><w:tc><w:p><w:r><w:t>Details as held on the case system.</w:t></w:r></w:p>%s<w:p/></w:tc></w:tr></w:tbl><w:p/>' % (escape(title), inner))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (w, body))
    return out.getvalue()


def html_in_template(rows, intro):
    """A mail template: a one-column layout table (banner, body, footer) whose body cell holds a data table."""
    data = ("<table border=1 cellspacing=0 cellpadding=4 style='border-collapse:collapse'>"
            + "".join("<tr>%s</tr>" % "".join("<td><p class=MsoNormal>%s<o:p></o:p></p></td>" % escape(str(c)) for c in row) for row in rows)
            + "</table>")
    return outlook_html(["<table width='100%%' border=0 cellpadding=0><tr><td style='background:#1d3557;color:white'><p class=MsoNormal>"
                         "Housing Services</p></td></tr><tr><td>%s%s<p class=MsoNormal>Kind regards<o:p></o:p></p></td></tr>"
                         "<tr><td><p class=MsoNormal style='font-size:8pt'>This email and any attachments are confidential.</p></td></tr></table>"
                         % (para_html(intro), data)])


def category11(office):
    p = People(1111)
    r = random.Random(11011)

    # Positive: tenants side by side, a column each, no identifier.
    people = [p.person() for _ in range(12)]
    rows = [["Name"] + [x["name"] for x in people], ["Date of birth"] + [x["dob"] for x in people],
            ["Mobile"] + [x["mobile"] for x in people], ["Address"] + ["%s, %s %s" % (x["street"], x["town"], x["postcode"]) for x in people]]
    text = "The tenants in the block, as requested.\n\nLettings\n"
    message("c11-record-per-column-xlsx.eml", "layouts", "flag", 12, "12 tenants, one a column, labels down column A",
            "Lettings <lettings@%s>" % HO, ["repairs@contractor.example.com"], "Tenants", text,
            attachments=[("tenants.xlsx", xlsx(office, "tenants.xlsx", [Sheet("Tenants", rows)]), XLSX)], kinds=["personal-data", "date-of-birth"])

    # Negative: a product comparison laid out the same way.
    rows = [["Product", "Boiler A", "Boiler B", "Boiler C", "Boiler D"], ["Price", "£1,850", "£2,100", "£1,640", "£2,390"],
            ["Output", "24 kW", "30 kW", "24 kW", "35 kW"], ["Warranty", "7 years", "10 years", "5 years", "12 years"], ["Barcode"] + [ean13(r, "50") for _ in range(4)]]
    message("c11-products-per-column-xlsx.eml", "layouts", "pass", 0, "four boilers compared a column each",
            "Procurement <procurement@%s>" % HO, ["sales@heating.example.com"], "Boiler options", "Options attached.\n",
            attachments=[("options.xlsx", xlsx(office, "options.xlsx", [Sheet("Options", rows)]), XLSX)], absent=["personal-data"])

    # Positive: a shortlist in a Word table, a candidate a column.
    people = [p.person() for _ in range(7)]
    rows = [["", *["Candidate %d" % (i + 1) for i in range(7)]], ["Name"] + [x["name"] for x in people],
            ["Date of birth"] + [uk(x["dob"]) for x in people], ["Home address"] + ["%s, %s %s" % (x["street"], x["town"], x["postcode"]) for x in people],
            ["Mobile"] + [x["mobile"] for x in people]]
    message("c11-shortlist-per-column-docx.eml", "layouts", "flag", 7, "7 candidates a column each in a Word table",
            "Recruitment <recruitment@%s>" % MOJ, ["panel@recruitmentpartner.example.com"], "Shortlist", "Shortlist attached for the panel.\n",
            attachments=[("shortlist.docx", document(office, "shortlist.docx", [("h", "Shortlist"), ("table", rows)], "docx"), DOCX)], kinds=["personal-data"])

    # Positive: a people table inside the cell of a report's layout table.
    people = [p.person() for _ in range(14)]
    rows = [["Name", "Date of birth", "Address"]] + [[x["name"], uk(x["dob"]), "%s, %s %s" % (x["street"], x["town"], x["postcode"])] for x in people]
    message("c11-nested-table-docx.eml", "layouts", "flag", 14, "14 people in a table inside a layout table's cell",
            "Safeguarding <safeguarding@%s>" % HO, ["board@partnership.example.org"], "Report", "Report attached.\n",
            attachments=[("report.docx", word_nested(rows, "Quarterly report"), DOCX)], kinds=["personal-data", "date-of-birth"])

    # Positive: a data table inside an HTML mail template's layout table.
    people = [p.person() for _ in range(15)]
    rows = [["Name", "Date of birth", "NI number"]] + [[x["name"], uk(x["dob"]), x["nino"]] for x in people]
    intro = "Dear colleague,\n\nPlease find below the residents due for review this month."
    message("c11-nested-table-html.eml", "layouts", "flag", 15, "15 people in a data table inside a mail template's layout table",
            "Housing Services <housing@%s>" % HO, ["reviews@housingassociation.example.org"], "Reviews due", intro + "\n\n(see HTML)\n",
            html_in_template(rows, intro), kinds=["personal-data", "uk-nino"])

    # Negative: the same template with a table of offices.
    rows = [["Office", "Address", "Opening hours"]] + [[o["org"], "%s, %s %s" % (o["street"], o["town"], o["postcode"]), o["hours"]] for o in org_rows(1112, 10)]
    intro = "Dear colleague,\n\nOur drop-in offices for the month are below."
    message("c11-nested-offices-html.eml", "layouts", "pass", 0, "offices in a data table inside a mail template's layout table",
            "Housing Services <housing@%s>" % HO, ["reviews@housingassociation.example.org"], "Drop-in offices", intro + "\n\n(see HTML)\n",
            html_in_template(rows, intro), absent=["personal-data"])

    # Positive: typed "SURNAME, Forename - DOB - address" lines quoted in a reply.
    people = [p.person() for _ in range(16)]
    quoted = "\n".join("> %s, %s - DOB %s - %s, %s %s" % (x["last"].upper(), x["first"], uk(x["dob"]), x["street"], x["town"], x["postcode"]) for x in people)
    text = ("Yes, these are the right people - go ahead.\n\nOn Tue, 30 Apr 2024 at 16:02, Jo Bloggs <jo@mailinghouse.example.com> wrote:\n"
            "> Can you confirm the list for the mailing?\n>\n" + quoted + "\n>\n> Thanks, Jo\n")
    message("c11-typed-lines-quoted.eml", "layouts", "flag", 16, "16 typed 'SURNAME, Forename - DOB - address' lines in a quoted reply",
            "Benefits <benefits@%s>" % MOJ, ["jo@mailinghouse.example.com"], "RE: mailing list", text, kinds=["personal-data", "date-of-birth"])

    # Negative: typed lines of suppliers with their offices, commas and all.
    lines = "\n".join("%s, %s - %s, %s %s" % (o["org"].upper(), o["service"], o["street"], o["town"], o["postcode"]) for o in org_rows(1113, 12))
    text = "Approved suppliers for next year:\n\n" + lines + "\n\nProcurement\n"
    message("c11-typed-lines-organisations.eml", "layouts", "pass", 0, "typed lines of organisations and their offices",
            "Procurement <procurement@%s>" % MOJ, ["frameworks@buyingconsortium.example.org"], "Approved list", text, absent=["personal-data"])


def ics(events):
    """An iCalendar file (RFC 5545) of events, each a dict of property to value."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Council//Visits//EN"]
    for i, e in enumerate(events):
        lines += ["BEGIN:VEVENT", "UID:%d@visits.example.gov.uk" % i] + ["%s:%s" % (k, v) for k, v in e.items()] + ["END:VEVENT"]
    return ("\r\n".join(lines + ["END:VCALENDAR"]) + "\r\n").encode()


def category12(office):
    """Category 12: records as systems write them (calendar exports, JSON from an API, HTML pages
    of key/value tables), with the look-alikes those systems write too."""
    import json
    p = People(1212)
    r = random.Random(12012)

    # Positive: home visits exported from a calendar, each with the person's DOB, address and a carer's mobile.
    people = [p.person() for _ in range(9)]
    events = [{"DTSTART": "202405%02dT%02d0000Z" % (6 + i // 4, 9 + i % 4), "SUMMARY": "Home visit - %s (DOB %s)" % (x["name"], uk(x["dob"])),
               "LOCATION": "%s\\, %s %s" % (x["street"], x["town"], x["postcode"]), "DESCRIPTION": "Carer contact %s" % x["mobile"]} for i, x in enumerate(people)]
    message("c12-visits-calendar.eml", "records", "flag", 9, "9 home visits in a calendar export, DOB beside each name",
            "Adult Social Care <asc@%s>" % HO, ["rota@careagency.example.com"], "Visits next week", "Visits for next week attached.\n",
            attachments=[("visits.ics", ics(events), "text/calendar")], kinds=["personal-data", "date-of-birth"])

    # Negative: staff one-to-ones in meeting rooms, exported the same way.
    staff = [p.person() for _ in range(8)]
    events = [{"DTSTART": "202405%02dT%02d0000Z" % (6 + i // 4, 9 + i % 4), "SUMMARY": "1:1 %s / %s" % (staff[i]["name"], staff[(i + 1) % 8]["name"]),
               "LOCATION": "Civic Hall Room %d" % (i + 1), "ORGANIZER": "mailto:%s.%s@%s" % (staff[i]["first"].lower(), staff[i]["last"].lower(), HO)} for i in range(8)]
    message("c12-meetings-calendar.eml", "records", "pass", 0, "staff one-to-ones in meeting rooms, a calendar export",
            "Team Lead <lead@%s>" % HO, ["coach@training.example.com"], "1:1 schedule", "Schedule attached.\n",
            attachments=[("meetings.ics", ics(events), "text/calendar")], absent=["personal-data"])

    # Positive: an API's JSON export of clients, no identifier.
    people = [p.person() for _ in range(11)]
    data = [{"fullName": x["name"], "dateOfBirth": x["dob"].isoformat(), "address": "%s, %s %s" % (x["street"], x["town"], x["postcode"]), "mobile": x["mobile"]} for x in people]
    message("c12-clients-json.eml", "records", "flag", 11, "11 clients in a JSON export: name, DOB, address, mobile",
            "Digital Team <digital@%s>" % MOJ, ["support@casesystemvendor.example.com"], "Export for the bug", "The export that fails to import.\n",
            attachments=[("clients.json", json.dumps(data, indent=2).encode(), "application/json")], kinds=["personal-data", "date-of-birth"])

    # Negative: a chain's shops in the same shape, named like people ("Kirkgate Arcade").
    shops = ["Kirkgate Arcade", "Merrion Centre", "Trinity Walk", "Broadway Bradford", "Kingsgate Huddersfield", "Woolshops Halifax",
             "Ridings Wakefield", "Coppergate York", "Craven Court Skipton", "Victoria Harrogate", "Airedale Keighley", "Princess Dewsbury"]
    data = []
    for i, s in enumerate(shops):
        street, town, postcode = p.address()
        data.append({"store": s, "address": "%s, %s %s" % (street, town, postcode), "opened": "%d-%02d-01" % (1968 + 4 * i, 1 + i % 12),
                     "phone": p.landline(), "managerEmail": "store%03d@retailer.example.com" % (100 + i)})
    message("c12-stores-json.eml", "records", "pass", 0, "12 shops in a JSON export with addresses, opening dates and phones",
            "Estates <estates@%s>" % HO, ["leases@retailer.example.com"], "Store list", "Store list attached.\n",
            attachments=[("stores.json", json.dumps(data, indent=2).encode(), "application/json")], absent=["personal-data"])

    # Negative: three applicants' details as an HTML page of key/value tables (a case system's
    # notification): three people and their NI numbers, under every threshold.
    people = [p.person() for _ in range(3)]
    tables = "".join("<table border=1 cellpadding=4><tr><th>Name</th><td>%s</td></tr><tr><th>NI number</th><td>%s</td></tr>"
                     "<tr><th>Role</th><td>Volunteer driver</td></tr></table><p class=MsoNormal>&nbsp;</p>" % (escape(x["name"]), x["nino"]) for x in people)
    message("c12-three-applicants-html.eml", "records", "pass", 3, "3 applicants' NI numbers in key/value tables (text and table alike)",
            "Volunteering <volunteering@%s>" % HO, ["checks@screeningpartner.example.com"], "Checks for three drivers", "Three applicants below.\n",
            outlook_html([para_html("Please run checks for the applicants below."), tables]), absent=["identifiers-external"])


def category13(office):
    """Category 13: what a column's label says, in the words people use: a Welsh council's list
    (an official language here), and dates under a label no rule knows that are not births."""
    p = People(1313)
    r = random.Random(13013)

    # Positive: a Welsh-headed list of residents with dates of birth and postcodes.
    people = [p.person() for _ in range(13)]
    rows = [["Enw", "Dyddiad geni", "Cod post"]] + [[x["name"], uk(x["dob"]), x["postcode"]] for x in people]
    message("c13-welsh-headers-csv.eml", "labels", "flag", 13, "13 residents under Welsh headers (Enw, Dyddiad geni, Cod post)",
            "Tai <tai@%s>" % HO, ["cymorth@housingassociation.example.org"], "Rhestr preswylwyr", "Rhestr ynghlwm.\n",
            attachments=[("preswylwyr.csv", csv_text(rows), CSV)], kinds=["personal-data", "date-of-birth"])

    # Negative: a reading list: authors, titles and publication dates spread over decades.
    authors = [p.person() for _ in range(15)]
    words = ["River", "Garden", "Letter", "Road", "Harbour", "Winter", "Orchard", "Lantern"]
    rows = [["Author", "Title", "Published"]] + [[a["name"], "The %s %s" % (r.choice(["Silent", "Hidden", "Last", "Long"]), r.choice(words)),
                                                   uk(datetime.date(1951 + 3 * i, 1 + i % 12, 1 + i))] for i, a in enumerate(authors)]
    message("c13-reading-list-csv.eml", "labels", "pass", 0, "15 authors, titles and publication dates from 1951 to 1993",
            "Library Service <libraries@%s>" % HO, ["orders@booksupplier.example.com"], "Book group list", "The list for next term.\n",
            attachments=[("reading_list.csv", csv_text(rows), CSV)], absent=["personal-data", "date-of-birth"])
