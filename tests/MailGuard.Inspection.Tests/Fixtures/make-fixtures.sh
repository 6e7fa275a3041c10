#!/usr/bin/env bash
# Regenerates the extraction fixtures in this folder from invented data.
# Needs LibreOffice (soffice), qpdf and zip:
#   apt-get install -y --no-install-recommends libreoffice-calc libreoffice-writer qpdf zip
# All names, numbers and addresses are invented (NI numbers follow the format rules of
# shared/corpus/dlp/README.md; phone numbers are Ofcom drama numbers).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# soffice needs a writable profile; a private one keeps runs independent of the user's.
export HOME="$work/home"
mkdir -p "$HOME"
soffice_convert() { soffice --headless -env:UserInstallation=file://"$work/profile" "$@" >/dev/null 2>&1; }

# 1. The people table. ISO dates so that the CSV import can type them (column format 5 = YMD).
cat > "$work/people.csv" <<'CSV'
Name,DOB,NI Number,Postcode
Alice Marsh,1987-03-14,AB123456C,LS6 3QT
Brian O'Connell,1979-11-02,CE654321A,M14 5RB
Chloe Patel,1992-07-28,HJ246813B,B15 2TT
Daniel Okafor,1965-01-09,JK135792D,NE1 7RU
Emma Lindqvist,2001-12-31,LM975310A,CF10 3AT
Farid Haddad,1958-05-17,NP864209C,EH8 9YL
Grace Whitfield,1999-02-28,RS112233B,BS1 5TR
Hamish McLeod,1983-09-05,TW445566D,G12 8QQ
Isla Fernandes,1974-04-22,WX778899A,OX1 2JD
Jonah Abrams,1990-10-10,YZ102938C,SW1A 2AA
CSV
cp "$work/people.csv" people.csv

# Text columns stay text (NI numbers, postcodes), DOB becomes a real date cell.
csv_filter='CSV:44,34,76,1,1/2/2/5/3/2/4/2'
for target in 'xlsx:Calc MS Excel 2007 XML' 'xls:MS Excel 97' 'ods:calc8'; do
  soffice_convert --infilter="$csv_filter" --convert-to "$target" --outdir "$work" "$work/people.csv"
done
cp "$work/people.xlsx" "$work/people.xls" "$work/people.ods" .

# A 1,598-row sheet for the speed test: the same invented shape, numbered people.
awk 'BEGIN {
  print "Name,DOB,NI Number,Postcode";
  letters = "ABCEGHJKLMNPRSTWXYZ";
  for (i = 1; i <= 1598; i++) {
    p1 = substr(letters, (i % 19) + 1, 1); p2 = substr(letters, (int(i / 19) % 19) + 1, 1);
    if (p1 p2 == "GB" || p1 p2 == "NK" || p1 p2 == "TN" || p1 p2 == "ZZ") p2 = "A";
    printf "Person %04d,%04d-%02d-%02d,%s%s%06d%s,LS%d %dQT\n", i, 1940 + (i % 60), (i % 12) + 1, (i % 28) + 1, p1, p2, (i * 7919) % 1000000, substr("ABCD", (i % 4) + 1, 1), (i % 20) + 1, i % 10;
  }
}' > "$work/people-1598.csv"
soffice_convert --infilter="$csv_filter" --convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work" "$work/people-1598.csv"
cp "$work/people-1598.xlsx" .

# 2. A short letter with a table, as docx, odt, rtf and pdf.
cat > "$work/letter.html" <<'HTML'
<html><head><meta charset="utf-8"><title>Letter</title></head><body>
<p>Dear Ms Marsh,</p>
<p>Re: your application, reference HO-2024-0193. Date of birth 14/03/1987.</p>
<p>We have recorded the following children at 12 Cardigan Road, Leeds LS6 3QT:</p>
<table border="1">
<tr><td>Name</td><td>Date of birth</td></tr>
<tr><td>Oliver Marsh</td><td>02/05/2012</td></tr>
<tr><td>Poppy Marsh</td><td>19/08/2015</td></tr>
</table>
<p>Please call 0113 496 0123 if anything is wrong.</p>
<p>Yours sincerely, Casework Team</p>
</body></html>
HTML
for target in 'docx:MS Word 2007 XML' 'doc:MS Word 97' 'odt:writer8' 'rtf:Rich Text Format' 'pdf:writer_pdf_Export'; do
  soffice_convert --infilter='HTML (StarWriter)' --convert-to "$target" --outdir "$work" "$work/letter.html"
done
cp "$work/letter.docx" "$work/letter.doc" "$work/letter.odt" "$work/letter.rtf" "$work/letter.pdf" .

# 3. A PDF that needs a user password (AES-256), and one with an owner password only (opens
# without a password, as in any viewer; copying, printing and changes marked as not allowed).
qpdf --encrypt user-secret owner-secret 256 -- letter.pdf letter-encrypted.pdf
qpdf --encrypt "" owner-secret 256 --extract=n --print=none --modify=none -- letter.pdf letter-owner-password.pdf

# 4. Zip archives: plain, nested with a folder, and one whose member is encrypted (ZipCrypto).
rm -f people.zip nested.zip encrypted.zip
(cd "$work" && zip -q -X people.zip people.csv && mkdir -p export/2024 && cp people.zip export/2024/ && zip -q -X -r nested.zip export)
(cd "$work" && zip -q -X -P secret encrypted.zip people.csv)
cp "$work/people.zip" "$work/nested.zip" "$work/encrypted.zip" .

# A password-protected xlsx is not made here: LibreOffice 7.4's --convert-to ignores a
# Password filter option (checked: the output stays a plain zip), and msoffcrypto-tool is not
# reachable. The tests build the OLE2 container ([MS-CFB] with EncryptionInfo and
# EncryptedPackage streams) in code instead.
rm -f people-password.xlsx

ls -l
