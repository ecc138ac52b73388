#!/usr/bin/env bash
# Fuzzes the NIfTI reader with libFuzzer: header parsing, validation, the affine and
# zlib's inflate, on any bytes, must refuse or read, never trap; and a header read and
# written back must read back to the same bytes.
# Usage: Scripts/fuzz_header.sh [seconds, default 60]. Builds in a temporary folder and
# runs with MASKDB_INFLATER=zlib (zlib's bounded inflate is what meets damaged streams;
# libdeflate, opened at run time, only ever says yes or no); an input that traps is kept as
# ${TMPDIR:-/tmp}/maskdb-fuzz-crash-*, nothing else is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/harness.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let image = try? NIfTIImage(fileBytes: bytes, path: "fuzz.nii") { _ = image.statistics() }
    if var header = try? NIfTIHeader(parsing: bytes, path: "fuzz.nii") {
        // Strings aside (the writer cuts them to leave a NUL), a header written and read
        // back writes the same bytes again, in either byte order.
        (header.descrip, header.intentName) = ("", "")
        let written = header.encoded()
        guard let again = try? NIfTIHeader(parsing: written, path: "again.nii") else { fatalError("written header refused") }
        precondition(again.encoded() == written, "a header read back does not write the same bytes")
    }
    return 0
}
SWIFT
swiftc -parse-as-library -sanitize=fuzzer,address -O -module-name NIfTI -I Sources/CZlib -lz \
    "$work/harness.swift" Sources/NIfTI/*.swift -o "$work/fuzz"

# Seeds: a small NIfTI-1 image (little-endian) and NIfTI-2 (big-endian), plain and gzip.
mkdir "$work/corpus"
python3 - "$work/corpus" <<'PY'
import gzip, struct, sys
def image(fmt, order):
    e = '<' if order == 'little' else '>'
    if fmt == 1:
        h = bytearray(352)
        struct.pack_into(e + 'i', h, 0, 348)
        struct.pack_into(e + '8h', h, 40, 3, 2, 2, 2, 1, 1, 1, 1)
        struct.pack_into(e + 'hh', h, 70, 16, 32)
        struct.pack_into(e + '8f', h, 76, 1, 1, 1, 1, 1, 1, 1, 1)
        struct.pack_into(e + 'ff', h, 108, 352, 1)
        struct.pack_into(e + 'hh', h, 252, 1, 1)
        h[344:348] = b'n+1\0'
    else:
        h = bytearray(544)
        struct.pack_into(e + 'i', h, 0, 540)
        h[4:12] = b'n+2\0\r\n\x1a\n'
        struct.pack_into(e + 'hh', h, 12, 16, 32)
        struct.pack_into(e + '8q', h, 16, 3, 2, 2, 2, 1, 1, 1, 1)
        struct.pack_into(e + '8d', h, 104, 1, 1, 1, 1, 1, 1, 1, 1)
        struct.pack_into(e + 'qd', h, 168, 544, 1)
        struct.pack_into(e + 'ii', h, 344, 1, 1)
    return bytes(h) + struct.pack(e + '8f', *range(8))
for name, data in [('n1', image(1, 'little')), ('n2', image(2, 'big'))]:
    open(f'{sys.argv[1]}/{name}.nii', 'wb').write(data)
    open(f'{sys.argv[1]}/{name}.nii.gz', 'wb').write(gzip.compress(data))
PY

MASKDB_INFLATER=zlib "$work/fuzz" -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 \
    -artifact_prefix="${TMPDIR:-/tmp}/maskdb-fuzz-" "$work/corpus"
