#!/bin/bash
# Developer aid: dump every corpus message with the built mailguard into $2.
set -e
src=${1:-../shared/corpus/mime/messages}; out=${2:-/tmp/mgdump}
mkdir -p "$out"
dll=src/MailGuard.Host/bin/Debug/net10.0/mailguard.dll
for f in "$src"/*.eml; do dotnet "$dll" mime-dump "$f" > "$out/$(basename "$f").json" 2>"$out/$(basename "$f").err" || echo "FAIL $f"; done
