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

size_bytes=$(stat -c %s "$bin")
size_human=$(numfmt --to=iec-i --suffix=B "$size_bytes" 2>/dev/null || echo "${size_bytes} bytes")
echo "build-static: ok — ${bin} (${size_bytes} bytes, ${size_human}); no libswift*/libFoundation* shared library"
