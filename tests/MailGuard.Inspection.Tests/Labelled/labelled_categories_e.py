"""Category 14 of the labelled set: people named beside their mobiles in a sentence, and lists
written so that only the reader's software shows them (a right-to-left override, a style
sheet's content, formulas Excel calculates on opening), each with the honest mail in the same
shape that must pass."""
import io
import zipfile
from xml.sax.saxutils import escape

from labelled_kit import *  # noqa: F401,F403 - the kit is this script's vocabulary

SSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OPC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def formula_workbook(rows):
    """A workbook by hand whose cells are formulas: a cell is (formula, saved value or None)."""
    def cell(ref, formula, value):
        saved = "" if value is None else "<v>%s</v>" % escape(value)
        return '<c r="%s" t="str"><f>%s</f>%s</c>' % (ref, escape(formula), saved)

    sheet = "".join('<row r="%d">%s</row>' % (r, "".join(cell("%s%d" % ("ABCDEFG"[c], r), f, v) for c, (f, v) in enumerate(row)))
                    for r, row in enumerate(rows, 1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % OPC_REL)
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
                   '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>' % (SSML, OPC_REL))
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % OPC_REL)
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (SSML, sheet))
    return out.getvalue()


def category14(office):
    p = People(1414)

    # Positive: volunteer drivers named with their mobiles, all in one sentence.
    people = [p.person() for _ in range(8)]
    text = ("Hi all,\n\nThe volunteer drivers for Saturday's hospital runs are %s. Please pass any changes to the "
            "coordinator by Friday.\n\nThanks\nCommunity Transport\n" % ", ".join("%s (%s)" % (x["name"], x["mobile"]) for x in people))
    message("c14-drivers-mobiles-body.eml", "shown", "flag", 8, "8 volunteer drivers named with their mobiles in one sentence",
            "Community Transport <transport@%s>" % HO, ["bookings@taxifirm.example.com"], "Saturday drivers", text, kinds=["personal-data"])

    # Negative: a supplier thread whose signatures carry names and mobiles on lines of their own.
    staff = [staff_member(p, d, t, team) for d, t, team in (("contractor.example.com", "Account Manager", "Sales"),
                                                            (HO, "Procurement Officer", "Commercial"),
                                                            ("contractor.example.com", "Engineer", "Field Services"))]
    text = "Thanks, Thursday works for us.\n\n%s\n\n-----Original Message-----\nFrom: %s\n\nCan your engineer attend on Thursday?\n\n%s\n\n" \
           "-----Original Message-----\nFrom: %s\n\nWe can fit the new boiler next week.\n\n%s\n" % (
               signature_text(staff[0], "Boilers Ltd"), staff[1]["name"], signature_text(staff[1], "Home Office"), staff[0]["name"],
               signature_text(staff[2], "Boilers Ltd"))
    message("c14-supplier-thread-mobiles.eml", "shown", "pass", 0, "a supplier thread, three signatures with mobiles",
            "%s <%s>" % (staff[1]["name"], staff[1]["email"]), [staff[0]["email"]], "RE: Boiler replacement", text, absent=["personal-data"])

    # Positive: a workbook of applicants whose cells are formulas with no saved value.
    people = [p.person() for _ in range(10)]
    rows = [[('"Name"', None), ('"Date of birth"', None), ('"NI number"', None)]] + [
        [('"%s"' % x["name"], None), ('"%s"' % uk(x["dob"]), None), ('CONCATENATE("%s","%s")' % (x["nino"][:2], x["nino"][2:]), None)] for x in people]
    message("c14-formula-workbook.eml", "shown", "flag", 10, "10 applicants as formulas without saved values (Excel calculates them on opening)",
            "Casework <casework@%s>" % HO, ["intake@solicitors.example.co.uk"], "Applicants", "List attached.\n",
            attachments=[("applicants.xlsx", formula_workbook(rows), XLSX)], kinds=["personal-data", "uk-nino"])

    # Negative: a budget whose formulas build codes and statuses, with their saved values.
    rows = [[('"Cost centre"', "Cost centre"), ('"Budget"', "Budget"), ('"Status"', "Status")]] + [
        [('"CC-"&TEXT(%d,"000")' % i, "CC-%03d" % i), ("%d*1000" % i, str(i * 1000)), ('IF(B%d>5000,"Over","Under")' % (i + 1), "Over" if i > 5 else "Under")]
        for i in range(1, 15)]
    message("c14-budget-formulas.eml", "shown", "pass", 0, "a budget workbook of formulas with saved values",
            "Finance <finance@%s>" % HO, ["audit@auditors.example.com"], "Budget", "Budget attached.\n",
            attachments=[("budget.xlsx", formula_workbook(rows), XLSX)], absent=["personal-data"])

    # Positive: residents written as a style sheet's content strings (Apple Mail, Thunderbird show them).
    people = [p.person() for _ in range(9)]
    style = "".join('.r%d::before{content:"%s, %s, %s %s"}' % (i, x["name"], uk(x["dob"]), x["street"], x["postcode"]) for i, x in enumerate(people))
    html = "<html><head><style>%s</style></head><body><p>Residents below.</p>%s<p>Thanks</p></body></html>" % (
        style, "".join('<p class="r%d"></p>' % i for i in range(len(people))))
    message("c14-css-content-html.eml", "shown", "flag", 9, "9 residents as CSS content strings of empty paragraphs",
            "Housing <housing@%s>" % HO, ["lettings@agent.example.com"], "Residents", "Residents below.\n", html=html, kinds=["personal-data"])

    # Negative: a newsletter styled with CSS bullets and labels.
    html = ("<html><head><style>li::before{content:\"\\2022  \"} .new::after{content:' (new)'} q::before{content:open-quote}</style></head>"
            "<body><ul><li>Car park closed on Friday</li><li class=new>Canteen menu</li></ul><q>Thanks all</q></body></html>")
    message("c14-newsletter-css.eml", "shown", "pass", 0, "a newsletter with CSS bullets and labels",
            "Comms <comms@%s>" % HO, ["editor@printers.example.com"], "Newsletter", "Newsletter below.\n", html=html, absent=["personal-data"])

    # Positive: a CSV whose dates and NI numbers are written backwards inside right-to-left overrides.
    people = [p.person() for _ in range(11)]
    lines = ["Name,Date of birth,NI number"] + ["%s,\u202e%s\u202c,\u202e%s\u202c" % (x["name"], uk(x["dob"])[::-1], x["nino"][::-1]) for x in people]
    message("c14-rtl-override-csv.eml", "shown", "flag", 11, "11 people whose values are reversed inside right-to-left overrides",
            "Casework <casework@%s>" % HO, ["intake@solicitors.example.co.uk"], "List", "Attached.\n",
            attachments=[("people.csv", ("\r\n".join(lines) + "\r\n").encode("utf-8"), CSV)], kinds=["personal-data", "uk-nino", "date-of-birth"])
