#!/usr/bin/env bash
# Coverage of the robustness intervals (issue 16): on synthetic studies drawn from a model
# whose population means are known (Sources/DemoStudy/Coverage.swift), how often the 95%
# interval (mean ± t sd from the corrected model bootstrap) holds the population value,
# beside the naive interval over pairs; four scenarios.
# Usage: bash Benchmarks/coverage.sh [STUDIES=200]
set -euo pipefail
studies=${1:-200}
cd "$(dirname "$0")/.."
swift build -c release --product maskdb-bench >/dev/null
.build/release/maskdb-bench --coverage "$studies" --format md
