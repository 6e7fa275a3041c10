"""Categories 5-8 of the labelled set: people in prose, people across files, spreadsheets as
people make them, evidence locations."""
import datetime
import random
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from labelled_kit import *  # noqa: F401,F403 - the kit is this script's vocabulary


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

    # Positive: an archive of twenty one-person letters: one disclosure of twenty people.
    members = []
    for i in range(20):
        x = p.person()
        blocks = [("p", x["name"]), ("p", x["street"]), ("p", "%s %s" % (x["town"], x["postcode"])), ("p", ""),
                  ("p", "Our reference: HO/%07d" % r.randint(0, 9999999)), ("p", "Dear %s," % x["first"]),
                  ("p", "Your date of birth is recorded as %s. Please attend your appointment on %s at 10:00." % (long_date(x["dob"]), long_date(datetime.date(2024, 5, 20 + i % 8)))),
                  ("p", "Yours sincerely,"), ("p", "Reporting Centre")]
        members.append(("letters/letter_%02d_%s.docx" % (i + 1, x["last"].lower().replace("'", "")), document(office, "letter_%02d.docx" % i, blocks, "docx")))
    text = "The appointment letters for the print run are attached as a zip.\n\nReporting Centre\n"
    message("c6-zip-of-letters.eml", "people-across-files", "flag", 20, "a zip of twenty Word letters, one person each",
            "Reporting Centre <reporting.leeds@%s>" % HO, ["printroom@printbureau.example.com"], "Letters for print", text,
            attachments=[("letters_print_run.zip", zip_bytes(members), ZIP)], kinds=["personal-data"],
            locations={"personal-data": "letters_print_run.zip"})

    # Positive: two CSVs of 25 people each: one disclosure of 50, and the finding names both files.
    atts = []
    for site in ["north", "south"]:
        rows = [["Surname", "Forename", "Date of birth", "Postcode", "Mobile"]]
        for _ in range(25):
            x = p.person()
            rows.append([x["last"], x["first"], uk(x["dob"]), x["postcode"], x["mobile"]])
        atts.append(("intake_%s.csv" % site, csv_text(rows), CSV))
    text = "This month's intake lists for both regions.\n\nIntake Team\n"
    message("c6-two-csvs-50.eml", "people-across-files", "flag", 50, "two CSVs of 25 different people each",
            "Intake Team <intake@%s>" % HO, ["contracts@accommodationprovider.example.com"], "Intake lists", text, attachments=atts,
            kinds=["personal-data"], locations={"personal-data": "intake_north.csv + intake_south.csv"})

    # Negative: the same three people sent as a CSV and as a workbook: three people, not six.
    trio = [p.person() for _ in range(3)]
    rows = [["Name", "NI number", "Date of birth"]] + [[x["name"], x["nino"], uk(x["dob"])] for x in trio]
    text = "The three new starters, as CSV and as a workbook in case your system needs either.\n\nHR\n"
    message("c6-same-three-twice.eml", "people-across-files", "pass", 3, "the same three people in a CSV and an xlsx",
            "HR <hr@%s>" % HO, ["onboarding@payrollbureau.example.com"], "New starters", text,
            attachments=[("starters.csv", csv_text(rows), CSV), ("starters.xlsx", xlsx(office, "starters.xlsx", [Sheet("Starters", rows)]), XLSX)],
            findings={"personal-data": 1})

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
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "ni_matches.xlsx, sheet Matches, rows 7-31"})

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
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "training_export.xlsx, sheet Export, rows 4-23"})

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
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "euss_figures.xlsx, sheet Data, rows 2-31"})

    # Positive: dates of birth stored as Excel serial numbers in General format.
    rows = [["Full name", "Date of birth", "NI number", "Nationality", "Immigration status"]]
    for _ in range(18):
        x = p.person()
        rows.append([x["name"], excel_serial(x["dob"]), x["nino"], r.choice(["Albanian", "Iranian", "Eritrean"]), r.choice(["Asylum seeker", "Refused", "Granted"])])
    text = "List attached.\n\nCasework\n"
    message("c7-serial-dates-xlsx.eml", "spreadsheets", "flag", 18, "dates of birth as serial numbers without a date format",
            "Casework <casework@%s>" % HO, ["housing@accommodationprovider.example.com"], "Service users", text,
            attachments=[("service_users.xlsx", xlsx(office, "service_users.xlsx", [Sheet("Users", rows)]), XLSX)], kinds=["personal-data", "uk-nino"],
            locations={"personal-data": "service_users.xlsx, sheet Users, rows 2-19"})

    # Positive: a legacy .xls with titles, merged headings and a hidden sheet.
    data = [["HMPPS - roll check"], ["Generated on 02/05/2024"], [], [("span", "Prisoner", 3), ("span", "Location", 2)],
            ["Prison No", "Name", "D.O.B.", "NI No", "Wing", "Cell"]]
    for _ in range(22):
        x = p.person()
        data.append([x["prison"], x["name"], x["dob"], x["nino"], r.choice("ABCD"), "%d-%02d" % (r.randint(1, 4), r.randint(1, 30))])
    notes = [["Notes"], ["Roll correct at 08:00"]]
    text = "Roll attached.\n\nOCA\n"
    message("c7-legacy-xls.eml", "spreadsheets", "flag", 22, "legacy .xls: title rows, merged headings, a hidden data sheet",
            "OCA <oca.leeds@%s>" % MOJ, ["escorts@escortcontractor.example.com"], "Roll check", text,
            attachments=[("roll_check.xls", xls(office, "roll_check.xls", [Sheet("Notes", notes), Sheet("Roll", data, hidden=True)]), XLS)],
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "roll_check.xls, sheet Roll, rows 6-27"})

    # Positive: NI numbers on a second, visible sheet of a .xls, header on row 4.
    data = [["Payroll extract"], ["Period 1"], [], ["Employee", "NI number", "Tax code", "Gross pay"]]
    for _ in range(15):
        x = p.person()
        data.append([x["name"], x["nino"], "1257L", 1800 + r.randint(0, 900)])
    text = "Period 1 extract.\n\nPayroll\n"
    message("c7-payroll-xls.eml", "spreadsheets", "flag", 15, "legacy .xls, NI numbers on a second sheet under a title",
            "Payroll <payroll@%s>" % HO, ["bureau@payrollbureau.example.com"], "P1 extract", text,
            attachments=[("p1_extract.xls", xls(office, "p1_extract.xls", [Sheet("Cover", [["Cover sheet"]]), Sheet("Extract", data)]), XLS)],
            kinds=["personal-data", "uk-nino"], locations={"personal-data": "p1_extract.xls, sheet Extract, rows 5-19"})

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
            locations={"personal-data": "outstanding_cases.html, rows 2-17"}, findings={"personal-data": 1})

    # Positive: a workbook with people on two sheets: one finding per sheet, each naming its sheet and
    # first data row (the second sheet's header under a title, on row 3).
    leeds = [["Name", "Date of birth", "NI number", "Postcode"]]
    leeds += [[x["name"], x["dob"], x["nino"], x["postcode"]] for x in (p.person() for _ in range(12))]
    hull = [["Hull caseload"], [], ["Name", "Date of birth", "NI number", "Postcode"]]
    hull += [[x["name"], x["dob"], x["nino"], x["postcode"]] for x in (p.person() for _ in range(9))]
    text = "Caseloads for both offices attached.\n\nCasework\n"
    message("c8-two-sheets-xlsx.eml", "locations", "flag", 21, "a workbook with 12 people on one sheet and 9 on another",
            "Casework <casework@%s>" % HO, ["cases@legalaidprovider.example.com"], "Caseloads", text,
            attachments=[("caseloads.xlsx", xlsx(office, "caseloads.xlsx", [Sheet("Leeds", leeds), Sheet("Hull", hull)]), XLSX)],
            kinds=["personal-data", "uk-nino"], findings={"personal-data": 2},
            locations={"personal-data": ["caseloads.xlsx, sheet Leeds, rows 2-13", "caseloads.xlsx, sheet Hull, rows 4-12"]})

    # Positive: a PDF whose people table starts on page 2 after a cover page.
    people = [p.person() for _ in range(40)]
    rows = [["Name", "NHS number", "Date of birth", "Referral reason"]]
    rows += [[x["name"], x["nhs"], uk(x["dob"]), r.choice(["Diabetes review", "Asthma", "Mental health", "Substance misuse"])] for x in people]
    doc = document(office, "referrals.pdf", [("h", "Healthcare referrals"), ("p", "Cover page - confidential."), ("break",), ("table", rows)], "pdf")
    text = "Referrals attached.\n\nHealthcare\n"
    message("c8-pdf-pages.eml", "locations", "flag", 40, "a PDF with a cover page and 40 people from page 2",
            "Healthcare <healthcare.hull@%s>" % MOJ, ["intake@communityhealth.example.org"], "Referrals", text,
            attachments=[("referrals.pdf", doc, PDF)], kinds=["personal-data", "uk-nhs-number"],
            locations={"personal-data": "referrals.pdf, page 2"}, findings={"personal-data": 1})

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
