"""Categories 9 and 10 of the labelled set: people in the other files a mail client shows or opens
with a click (presentations, contacts files, system exports, lists of people's own mailboxes), and
lists made to slip past a scanner (pasted, relabelled, lookalike letters, other UK identifiers);
each with the look-alike that must pass."""
import datetime
import json
import random
from xml.sax.saxutils import escape

from labelled_kit import *  # noqa: F401,F403 - the kit is this script's vocabulary

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODP = "application/vnd.oasis.opendocument.presentation"
VCF = "text/vcard"
JSON = "application/json"
XML = "application/xml"

# Providers that serve the public: their mailboxes are people's own (Policy:PersonalMailboxDomains).
# The local parts are invented; these are the only real domains the set uses.
WEBMAIL = ["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com"]


def own_mailbox(r, x):
    return "%s.%s%d@%s" % (x["first"].lower(), x["last"].lower().replace("'", ""), r.randint(1, 99), r.choice(WEBMAIL))


def vcard(x, extra):
    lines = ["BEGIN:VCARD", "VERSION:3.0", "N:%s;%s;;;" % (x["last"], x["first"]), "FN:" + x["name"]] + extra + ["END:VCARD"]
    return "\r\n".join(lines) + "\r\n"


def category9(office):
    p = People(909)
    r = random.Random(9009)

    # Positive: a case review deck whose second slide is a table of the people reviewed (pptx).
    rows = [["Name", "Date of birth", "NI number", "Status"]]
    for _ in range(12):
        x = p.person()
        rows.append([x["name"], uk(x["dob"]), x["nino"], r.choice(["Pending", "Refused", "Granted", "Appeal lodged"])])
    slides = [("Case review - Q2", None, ["Backlog down 12% on Q1", "Appeals up 4%"]), ("Cases reviewed this week", rows, None),
              ("Next steps", None, ["Quality sample of 10% of refusals", "Report to board in July"])]
    deck = presentation(office, "case_review.pptx", slides, "pptx")
    text = "Slides for Thursday's review attached.\n\nCasework Quality Team\n"
    message("c9-case-review-pptx.eml", "formats", "flag", 12, "a PowerPoint deck with a slide table of 12 people's dates of birth and NI numbers",
            "Casework Quality <casework.quality@%s>" % HO, ["reviews@consultancy.example.com"], "Case review slides", text,
            attachments=[("case_review.pptx", deck, PPTX)], kinds=["personal-data", "uk-nino"])

    # Negative: a partners deck with a slide table of organisations (pptx).
    rows = [["Organisation", "Address", "Switchboard", "Email"]]
    for o in org_rows(919, 10):
        rows.append([o["org"], "%s, %s %s" % (o["street"], o["town"], o["postcode"]), o["phone"], o["email"]])
    slides = [("Our partners", rows, None), ("How to refer", None, ["Use the online form", "Call the partner's switchboard"])]
    deck = presentation(office, "partners.pptx", slides, "pptx")
    text = "The partners deck from today's session.\n\nCommunity Engagement\n"
    message("c9-partners-pptx.eml", "formats", "pass", 0, "a PowerPoint deck listing partner organisations with addresses and switchboards",
            "Community Engagement <engagement@%s>" % MOJ, ["network@voluntarysector.example.org"], "Partners deck", text,
            attachments=[("partners.pptx", deck, PPTX)], absent=["personal-data"])

    # Negative: the same deck saved by LibreOffice as ODP, which keeps a picture of each table
    # (Pictures/TablePreview1.svm) beside the table itself.
    deck = presentation(office, "partners.odp", slides, "odp")
    message("c9-partners-odp.eml", "formats", "pass", 0, "the partners deck as ODP, with LibreOffice's table preview pictures",
            "Community Engagement <engagement@%s>" % MOJ, ["network@voluntarysector.example.org"], "Partners deck", text,
            attachments=[("partners.odp", deck, ODP)], absent=["personal-data", "unscannable"])

    # Positive: an OpenDocument presentation with tenants' names and home addresses.
    rows = [["Tenant", "Address", "Postcode", "Arrears"]]
    for _ in range(9):
        x = p.person()
        rows.append([x["name"], "%s, %s" % (x["street"], x["town"]), x["postcode"], "%d.%02d" % (r.randint(100, 2500), r.randint(0, 99))])
    deck = presentation(office, "arrears.odp", [("Arrears cases for panel", rows, None)], "odp")
    text = "Panel slides attached.\n\nIncome Team\n"
    message("c9-arrears-odp.eml", "formats", "flag", 9, "an ODP slide table of 9 tenants with home addresses and arrears",
            "Income Team <income@%s>" % MOJ, ["panel@housingassociation.example.org"], "Arrears panel", text,
            attachments=[("arrears.odp", deck, ODP)], kinds=["personal-data"])

    # Positive: a contacts file of 20 people with home addresses, mobiles and birthdays.
    cards = ""
    for _ in range(20):
        x = p.person()
        cards += vcard(x, ["TEL;TYPE=CELL:" + x["mobile"], "ADR;TYPE=HOME:;;%s;%s;;%s;UK" % (x["street"], x["town"], x["postcode"]),
                           "BDAY:" + x["dob"].isoformat(), "EMAIL;TYPE=HOME:" + own_mailbox(r, x)])
    text = "The volunteers' contacts, exported from my phone.\n\nVolunteer Coordinator\n"
    message("c9-volunteers-vcf.eml", "formats", "flag", 20, "a .vcf of 20 people with home addresses, mobiles and birthdays",
            "Volunteer Coordinator <volunteering@%s>" % HO, ["admin@communitytrust.example.org"], "Contacts", text,
            attachments=[("volunteers.vcf", cards.encode("utf-8"), VCF)], kinds=["personal-data"])

    # Negative: a contacts file of 20 suppliers' account managers (company, title, work numbers).
    cards = ""
    pool = People(929)
    for i in range(20):
        first, last = pool.name()
        x = {"first": first, "last": last, "name": first + " " + last}
        company = ORGS[i % len(ORGS)][0]
        domain = "".join(c for c in company.lower() if c.isalnum())[:18] + ".example.org"
        cards += vcard(x, ["ORG:" + company, "TITLE:" + r.choice(["Account Manager", "Contracts Lead", "Service Manager"]),
                           "TEL;TYPE=WORK:" + pool.landline(), "EMAIL;TYPE=WORK:%s.%s@%s" % (first.lower(), last.lower().replace("'", ""), domain)])
    text = "Supplier contacts for the new starter.\n\nProcurement\n"
    message("c9-suppliers-vcf.eml", "formats", "pass", 0, "a .vcf of 20 suppliers' staff with company, job title and work numbers",
            "Procurement <procurement@%s>" % HO, ["newstarter@agencystaff.example.com"], "Supplier contacts", text,
            attachments=[("suppliers.vcf", cards.encode("utf-8"), VCF)], absent=["personal-data"])

    # Positive: a JSON export of 25 users from a booking system.
    users = []
    for i in range(25):
        x = p.person()
        users.append({"id": 1000 + i, "firstName": x["first"], "lastName": x["last"], "dateOfBirth": x["dob"].isoformat(),
                      "contact": {"email": own_mailbox(r, x), "mobile": x["mobile"]}, "address": {"postcode": x["postcode"]}})
    text = "The export you asked for, straight from the booking system.\n\nDigital Services\n"
    message("c9-users-json.eml", "formats", "flag", 25, "a JSON export of 25 users with dates of birth, own mailboxes and postcodes",
            "Digital Services <digital@%s>" % HO, ["support@bookingvendor.example.com"], "User export", text,
            attachments=[("users.json", json.dumps({"users": users}, indent=2).encode("utf-8"), JSON)], kinds=["personal-data"])

    # Negative: a JSON product catalogue (names with numbers, release dates, barcodes).
    products = [{"sku": "SKU-%05d" % r.randint(0, 99999), "name": "Desk Lamp %d" % (i + 1), "released": "2023-%02d-%02d" % (r.randint(1, 12), r.randint(1, 28)),
                 "ean": ean13(r, "50"), "price": round(r.uniform(5, 80), 2)} for i in range(40)]
    text = "Catalogue feed for the intranet shop.\n\nFacilities\n"
    message("c9-catalogue-json.eml", "formats", "pass", 0, "a JSON catalogue of 40 products with release dates and barcodes",
            "Facilities <facilities@%s>" % MOJ, ["feeds@shopplatform.example.com"], "Catalogue feed", text,
            attachments=[("catalogue.json", json.dumps(products, indent=1).encode("utf-8"), JSON)], absent=["personal-data", "payment-card"])

    # Positive: an XML export of 18 pupils (names, dates of birth, home addresses).
    pupils = []
    for i in range(18):
        x = p.person(young=True)
        pupils.append("  <Pupil><UPN>A%012d</UPN><Forename>%s</Forename><Surname>%s</Surname><DOB>%s</DOB>"
                      "<Address><Line1>%s</Line1><Town>%s</Town><Postcode>%s</Postcode></Address></Pupil>"
                      % (r.randint(0, 10 ** 12 - 1), escape(x["first"]), escape(x["last"]), x["dob"].isoformat(), escape(x["street"]), x["town"], x["postcode"]))
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Pupils school="St Mary\'s Primary">\n' + "\n".join(pupils) + "\n</Pupils>\n"
    text = "Pupil extract for the transport contract attached.\n\nEducation Transport\n"
    message("c9-pupils-xml.eml", "formats", "flag", 18, "an XML export of 18 pupils with dates of birth and home addresses",
            "Education Transport <transport@%s>" % MOJ, ["bookings@coachhire.example.com"], "Pupil extract", text,
            attachments=[("pupils.xml", xml.encode("utf-8"), XML)], kinds=["personal-data"])

    # Positive: a list of volunteers' names and own mailboxes pasted into the body.
    lines = []
    for _ in range(30):
        x = p.person()
        lines.append("%s <%s>" % (x["name"], own_mailbox(r, x)))
    text = "Hi,\n\nHere are the volunteers for your mailing, as promised:\n\n" + "\n".join(lines) + "\n\nMany thanks\nVolunteer Coordinator\n"
    message("c9-volunteer-mailboxes-body.eml", "formats", "flag", 30, "30 volunteers' names and own webmail addresses pasted into the body",
            "Volunteer Coordinator <volunteering@%s>" % HO, ["mailings@printandpost.example.com"], "Volunteer list", text,
            outlook_html([para_html(text)]), kinds=["personal-data"])

    # Negative: a thread with members of the public at webmail addresses, in the quoted headers
    # and a signature each: the correspondents of the thread, not a list.
    thread = Thread()
    residents = [p.person() for _ in range(6)]
    boxes = [own_mailbox(r, x) for x in residents]
    thread.add("Thank you all; the meeting is confirmed for Thursday at 7pm in the community room.",
               sig=staff_member(People(939), MOJ, "Community Liaison Officer", "Neighbourhood Team"), org="Neighbourhood Team")
    for i, x in enumerate(residents):
        thread.add("I can make Thursday. Could we also talk about the parking on the estate?\n\n%s" % x["first"],
                   header=("%s <%s>" % (x["name"], boxes[i]), outlook_sent(i), "Neighbourhood Team", "RE: Residents' meeting"))
    text, html = thread.bodies()
    message("c9-residents-thread.eml", "formats", "pass", 0, "a reply to six residents' messages quoted with their webmail addresses",
            "Neighbourhood Team <neighbourhood@%s>" % MOJ, ["%s <%s>" % (x["name"], b) for x, b in zip(residents[:3], boxes[:3])],
            "RE: Residents' meeting", text, html, absent=["personal-data"])


CYRILLIC = {"A": "\u0410", "B": "\u0412", "C": "\u0421", "E": "\u0415", "H": "\u041d", "K": "\u041a", "M": "\u041c", "P": "\u0420", "T": "\u0422", "X": "\u0425", "Y": "\u0423"}


def licence(r, x, woman):
    # GB driving licence: surname (9-padded), decade, month (+50 for women), day, year, initials, a digit, two check letters.
    d = x["dob"]
    surname = ("".join(c for c in x["last"].upper() if c.isalpha()) + "99999")[:5]
    return "%s%d%02d%02d%d%s9%d%s%s" % (surname, d.year // 10 % 10, d.month + (50 if woman else 0), d.day, d.year % 10,
                                        x["first"][0].upper(), r.randint(0, 9), r.choice("ABCDEFGHJK"), r.choice("ABCDEFGHJK"))


def category10(office):
    p = People(1010)
    r = random.Random(10010)

    # Positive: a CSV pasted into column A of a workbook without splitting it into columns.
    rows = [["Surname,Forename,Date of birth,NI number,Postcode"]]
    for _ in range(20):
        x = p.person()
        rows.append(["%s,%s,%s,%s,%s" % (x["last"], x["first"], uk(x["dob"]), x["nino"], x["postcode"])])
    text = "I pasted the export into a sheet for you.\n\nHousing Benefit\n"
    message("c10-pasted-column-xlsx.eml", "evasion", "flag", 20, "a CSV of 20 people pasted whole into column A of a workbook",
            "Housing Benefit <hb@%s>" % MOJ, ["team@lettingagency.example.com"], "Export", text,
            attachments=[("export.xlsx", xlsx(office, "export.xlsx", [Sheet("Sheet1", rows)]), XLSX)], kinds=["personal-data", "uk-nino"])

    # Positive: NI numbers under a misleading header.
    rows = [["Name", "Team", "Start date"]]
    for _ in range(18):
        x = p.person()
        rows.append([x["name"], x["nino"], uk(datetime.date(2024, r.randint(1, 4), r.randint(1, 28)))])
    text = "Starters list for the contractor.\n\nResourcing\n"
    message("c10-relabelled-ni-xlsx.eml", "evasion", "flag", 18, "NI numbers in a column headed Team",
            "Resourcing <resourcing@%s>" % HO, ["onboarding@contractor.example.com"], "Starters", text,
            attachments=[("starters.xlsx", xlsx(office, "starters.xlsx", [Sheet("Starters", rows)]), XLSX)], kinds=["personal-data", "uk-nino"])

    # Positive: NI numbers written with Cyrillic letters that look Latin.
    rows = [["Name", "NI number"]]
    for _ in range(15):
        x = p.person()
        rows.append([x["name"], "".join(CYRILLIC.get(c, c) for c in x["nino"])])
    text = "The list, as promised.\n"
    message("c10-lookalike-letters-csv.eml", "evasion", "flag", 15, "15 NI numbers with Cyrillic letters for A, B, C, E...",
            "Payroll <payroll@%s>" % HO, ["bureau@payrollservices.example.com"], "List", text,
            attachments=[("list.csv", csv_text(rows), CSV)], kinds=["personal-data", "uk-nino"])

    # Positive: a fleet's drivers with their driving licence numbers.
    rows = [["Driver name", "Driving licence number", "Vehicle"]]
    for _ in range(15):
        x = p.person()
        rows.append([x["name"], licence(r, x, r.random() < 0.5), "%s%02d %s" % (r.choice(["YK", "LS", "BD"]), r.randint(10, 74), "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)))])
    text = "Drivers for the fleet insurance renewal.\n\nTransport\n"
    message("c10-driving-licences-csv.eml", "evasion", "flag", 15, "15 drivers with GB driving licence numbers",
            "Transport <transport@%s>" % MOJ, ["renewals@fleetinsurer.example.com"], "Fleet drivers", text,
            attachments=[("drivers.csv", csv_text(rows), CSV)], kinds=["personal-data", "uk-driving-licence"])

    # Negative: a club newsletter whose scorers have their goals in brackets.
    scorers = ", ".join("%s (%d)" % (p.person()["name"], r.randint(1, 3)) for _ in range(8))
    text = ("Great weekend for the staff football team!\n\nScorers: %s.\n\nNext match Saturday at 2pm, Roundhay Park. "
            "Everyone welcome.\n\nSports and Social Club\n" % scorers)
    message("c10-scorers-newsletter.eml", "evasion", "pass", 0, "a newsletter listing scorers with goals in brackets",
            "Sports and Social <social@%s>" % HO, ["league@footballleague.example.org"], "Weekend results", text,
            outlook_html([para_html(text)]), absent=["personal-data"])

    # Negative: licence-shaped product codes without a word about licences or drivers.
    rows = [["Product code", "Description", "Price"]] + [[licence(r, p.person(), False), "Replacement part", "%d.99" % r.randint(5, 90)] for _ in range(15)]
    text = "Price list attached.\n\nFacilities\n"
    message("c10-licence-shaped-codes-csv.eml", "evasion", "pass", 0, "product codes shaped like driving licence numbers",
            "Facilities <facilities@%s>" % MOJ, ["sales@partsupplier.example.com"], "Prices", text,
            attachments=[("prices.csv", csv_text(rows), CSV)], absent=["personal-data", "uk-driving-licence"])

