"""Categories 1-4 of the labelled set: people versus organisations, business contacts, what a
column or number means, which date is a date of birth."""
import datetime
import random
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from labelled_kit import *  # noqa: F401,F403 - the kit is this script's vocabulary


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
