#!/usr/bin/env python3
"""Regenerates the OCR fixtures: a screenshot-like picture of people.csv as a table.

Writes a one-page PDF that draws the table with the standard Helvetica font, then renders it with
poppler's pdftoppm (Debian package poppler-utils, plus any installed font such as fonts-dejavu-core):
  people-table.png  (grey, 150 DPI, cropped to the table: what a screenshot of a sheet looks like)
  people-table.jpg  (the same picture as JPEG, embedded by the image-only PDF test)
  logo.png          (a small 120 x 40 picture, as e-mail signatures carry: never OCRed)
All data is invented (see make-fixtures.sh).
"""
import csv, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.reader(open(os.path.join(here, "people.csv"), newline="")))
columns = [40, 170, 260, 360]          # x positions (pt) of Name, DOB, NI Number, Postcode
top, step = 560, 18                     # baseline of the header row and row pitch (pt)

def esc(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

ops = ["BT /F1 11 Tf"]
for i, row in enumerate(rows):
    y = top - i * step
    for x, cell in zip(columns, row):
        ops.append(f"1 0 0 1 {x} {y} Tm ({esc(cell)}) Tj")
ops.append("ET")
# Grid lines under each row, as a spreadsheet screenshot has.
for i in range(len(rows) + 1):
    y = top + 13 - i * step
    ops.append(f"0.6 G 35 {y} m 440 {y} l S")
content = "\n".join(ops).encode("latin-1")

objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 480 600] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
]
pdf = bytearray(b"%PDF-1.4\n")
offsets = []
for n, body in enumerate(objects, 1):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n" % n + body + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for off in offsets:
    pdf += b"%010d 00000 n \n" % off
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)

with tempfile.TemporaryDirectory() as work:
    src = os.path.join(work, "table.pdf")
    open(src, "wb").write(pdf)
    # Crop to the table: x 30..450 pt, y (from the top) 20..250 pt, at 150 DPI.
    dpi = 150
    crop = ["-x", str(30 * dpi // 72), "-y", str(20 * dpi // 72), "-W", str(420 * dpi // 72), "-H", str(230 * dpi // 72)]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", *crop, src, os.path.join(here, "people-table")], check=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-jpeg", "-jpegopt", "quality=85", "-singlefile", *crop, src, os.path.join(here, "people-table")], check=True)
    # The logo: the first word of the header drawn small.
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", "-singlefile", "-x", "35", "-y", "25", "-W", "120", "-H", "40", src, os.path.join(here, "logo")], check=True)
print("wrote people-table.png, people-table.jpg, logo.png")
