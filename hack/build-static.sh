#!/usr/bin/env bash
# Builds the fledge-controller binary the container image holds: a release build with the Swift
# standard library, Foundation and Dispatch linked statically (--static-swift-stdlib), so the
# runtime image needs only glibc/libstdc++ (and CA certificates), no Swift runtime.
# Uses the default .build (release configuration) so it shares the package checkouts.
# Then checks with ldd that no libswift*/libFoundation*/libdispatch/libBlocksRuntime shared
# library is linked, and prints the binary's path and size.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
PRODUCT=fledge-controller

echo "build-static: swift build -c release --static-swift-stdlib --product ${PRODUCT}"
"$SWIFT" build -c release --static-swift-stdlib --product "$PRODUCT"

bin_dir=$("$SWIFT" build -c release --static-swift-stdlib --show-bin-path)
bin="${bin_dir}/${PRODUCT}"
[ -x "$bin" ] || { echo "build-static: FAIL: ${bin} was not built" >&2; exit 1; }

echo "build-static: shared libraries of ${bin}:"
libs=$(ldd "$bin" 2>&1 || true)
sed 's/^/  /' <<<"$libs"
if grep -Eq 'libswift|libFoundation|libdispatch\.so|libBlocksRuntime\.so|_FoundationICU' <<<"$libs"; then
  echo "build-static: FAIL: the binary links Swift runtime libraries dynamically:" >&2
  grep -E 'libswift|libFoundation|libdispatch\.so|libBlocksRuntime\.so|_FoundationICU' <<<"$libs" >&2
  exit 1
fi

human() { numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }
size_bytes=$(stat -c %s "$bin")
stripped_note=""
if command -v strip >/dev/null 2>&1; then
  # The image holds the binary stripped of symbols and debug info (the Dockerfile strips it).
  tmp=$(mktemp); strip -o "$tmp" "$bin"; stripped_bytes=$(stat -c %s "$tmp"); rm -f "$tmp"
  stripped_note="; stripped, as in the image: ${stripped_bytes} bytes ($(human "$stripped_bytes"))"
fi
echo "build-static: ok — ${bin}"
echo "build-static: size ${size_bytes} bytes ($(human "$size_bytes")) with debug info${stripped_note}"
needed=$(awk '/=>/ {print $1}' <<<"$libs" | tr '\n' ' ')
echo "build-static: no libswift*/libFoundation*/libdispatch shared library; system libraries it needs: ${needed}"
