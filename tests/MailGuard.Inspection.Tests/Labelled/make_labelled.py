#!/usr/bin/env python3
"""Writes MailGuard's own labelled DLP set for issue 14: realistic outbound mail (Outlook-style
threads with HTML signatures, LibreOffice documents and spreadsheets) for each thing detection
must understand, each category with positives and the look-alike negatives that used to be held.

    python3 tests/MailGuard.Inspection.Tests/Labelled/make_labelled.py

Writes messages/*.eml (CRLF) and labels.json beside this script. Needs LibreOffice (soffice) to
turn flat ODF sources into docx/odt/rtf/pdf/xlsx/xls/ods/pptx/odp. Everything is invented: names come from
mixed lists, NI numbers follow HMRC's format rules, NHS numbers are in the 999 test range, phone
numbers are Ofcom's drama ranges, addresses use real postcode shapes with invented streets, and
external addresses use reserved example domains, except people's own mailboxes (category 9), which
are invented local parts at the webmail providers Policy:PersonalMailboxDomains lists. The data is deterministic (fixed seeds); the
Office files carry LibreOffice's own timestamps, so a rerun changes their bytes, not their content.

labels.json: {"internal_domains": [...], "messages": [{"file", "category", "verdict": "flag" |
"pass", "people": N (MailGuard's largest people count for the message), "kinds": [finding kinds
that must be present], "absent": [finding kinds that must not be], "locations": {kind: location
text, or a list of them}, "findings": {kind: how many findings of it at medium confidence or
above}, "description"}]}. A "flag" is what the shipped policy must hold; "pass" what it must deliver.
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from labelled_categories_a import category1, category2, category3, category4  # noqa: E402
from labelled_categories_b import category5, category6, category7, category8  # noqa: E402
from labelled_categories_c import category9, category10  # noqa: E402
from labelled_categories_d import category11, category12, category13  # noqa: E402
from labelled_categories_e import category14  # noqa: E402
from labelled_kit import HERE, INTERNAL, MESSAGES, OUT, SMTP, Office  # noqa: E402


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
    category9(office)
    category10(office)
    category11(office)
    category12(office)
    category13(office)
    category14(office)


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
