#!/usr/bin/env bash
# Regenerates the archive-format fixtures (issue 11: read more formats instead of giving up) from
# people.csv (invented data, see make-fixtures.sh). Needs Debian's 7zip, bzip2 and xz-utils:
#   apt-get install -y --no-install-recommends 7zip bzip2 xz-utils
# Debian's 7zip has no RAR writer (RAR is proprietary) and rar itself is not packaged, so the
# RAR tests build a stored RAR 4 archive by hand (ArchiveFormatTests.StoredRar4).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp people.csv "$work/people.csv"
# Fixed timestamps keep the archives byte-identical between runs.
touch -d '2026-01-01 00:00:00 UTC' "$work/people.csv"
pass='correct horse'

bzip2 -9 -c "$work/people.csv" > people.csv.bz2
xz -9 -c "$work/people.csv" > people.csv.xz
(cd "$work" && tar --format=ustar --mtime='2026-01-01 00:00:00 UTC' --owner=0 --group=0 -cf people.tar people.csv)
bzip2 -9 -c "$work/people.tar" > people.tar.bz2

sevenzip() { (cd "$work" && rm -f "$1" && 7zz a -bd -bso0 -bsp0 "${@:2}" "$1" people.csv) && cp "$work/$1" .; }
sevenzip people.7z -t7z -m0=LZMA2
sevenzip people-bzip2.7z -t7z -m0=BZip2
sevenzip people-encrypted.7z -t7z -m0=LZMA2 -p"$pass" -mhe=off
sevenzip people-encrypted-names.7z -t7z -m0=LZMA2 -p"$pass" -mhe=on
# Zip members in the methods System.IO.Compression cannot read (it has only stored, deflate and deflate64).
sevenzip people-bzip2.zip -tzip -mm=BZip2
sevenzip people-lzma.zip -tzip -mm=LZMA
sevenzip people-ppmd.zip -tzip -mm=PPMd
sevenzip people-deflate64.zip -tzip -mm=Deflate64
# Password-protected zips: traditional PKWARE encryption and WinZip AES-256 (method 99). Encrypted
# fixtures differ on every run (random salts); commit them only when they are meant to change.
sevenzip people-zipcrypto.zip -tzip -mm=Deflate -p"$pass" -mem=ZipCrypto
sevenzip people-aes.zip -tzip -mm=Deflate -p"$pass" -mem=AES256
# A 7z bomb: 64 MB of spaces in about 10 KB (LZMA, 16 MB dictionary; SharpCompress refuses dictionaries over 64 MB).
(cd "$work" && rm -f zeros.7z && head -c 64M /dev/zero | tr "\\0" " " | 7zz a -bd -bso0 -bsp0 -t7z -m0=LZMA:d=16m -sizeros.csv zeros.7z) && cp "$work/zeros.7z" .
