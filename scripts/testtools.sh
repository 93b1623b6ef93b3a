#!/usr/bin/env bash
# testtools.sh — install the Debian tools the test suite drives, if missing:
#
#   chromium       headless browser: prints inspection reports to PDF
#                  (internal/action/inspect), and drives the web UI tests
#   poppler-utils  pdftotext and pdftoppm: the PDF test reads the report back
#   fonts-ipafont-gothic, fonts-nanum
#                  Japanese and Korean fonts for the ja/ko labels of the PDF
#                  report (3.5 MB + 10.3 MB of packages, 46.6 MB installed;
#                  fonts-noto-cjk alone would be 56.5 MB)
#
# `make test` runs it before the tests; under CI a test whose tool is missing
# fails rather than skips. Idempotent: nothing happens when the tools are there.
set -euo pipefail

say() { echo "testtools: $*" >&2; }
die() { say "error: $*"; exit 1; }

missing=()
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
{ command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; } || missing+=(poppler-utils)
# A language has a font when fontconfig lists one for it.
has_font() { command -v fc-list >/dev/null && [[ -n $(fc-list ":lang=$1" family 2>/dev/null) ]]; }
has_font ja || missing+=(fonts-ipafont-gothic)
has_font ko || missing+=(fonts-nanum)
command -v fc-list >/dev/null || missing+=(fontconfig)
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || die "missing ${missing[*]}; installing needs root: run as root, or install the Debian packages ${missing[*]}"
	sudo=(sudo -n)
fi
command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get to install them"
say "installing ${missing[*]} from Debian's packages"
# A failed update (one unreachable mirror) need not stop the install.
# Quiet: apt's output is shown only when a step fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"${sudo[@]}" apt-get -q update </dev/null >"$log" 2>&1 || say "apt-get update failed; trying the install anyway"
if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >"$log" 2>&1; then
	cat "$log" >&2
	die "apt-get install ${missing[*]} failed"
fi
