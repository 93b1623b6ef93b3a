#!/usr/bin/env bash
# testtools.sh — install the Debian tools the test suite drives, if missing:
#
#   chromium       headless browser: prints inspection reports to PDF
#                  (internal/action/inspect), and drives the web UI tests
#   poppler-utils  pdftotext and pdftoppm: the PDF test reads the report back
#
# `make test` runs it before the tests; under CI a test whose tool is missing
# fails rather than skips. Idempotent: nothing happens when the tools are there.
set -euo pipefail

say() { echo "testtools: $*" >&2; }
die() { say "error: $*"; exit 1; }

missing=()
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
{ command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; } || missing+=(poppler-utils)
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || die "missing ${missing[*]}; installing needs root: run as root, or install the Debian packages ${missing[*]}"
	sudo=(sudo -n)
fi
command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get to install them"
say "installing ${missing[*]} from Debian's packages"
# A failed update (one unreachable mirror) need not stop the install.
"${sudo[@]}" apt-get update </dev/null >&2 || say "apt-get update failed; trying the install anyway"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >&2
