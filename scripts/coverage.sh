#!/usr/bin/env bash
# Statement coverage per package of the whole test suite, merged over every process it runs: the
# test binaries, and the stsmfa binaries the e2e and status tests start (testkit.Binary builds those
# with -cover when the tests run with it, and points them at the same directory, testkit.CoverDir).
#
# Usage: scripts/coverage.sh [go test flags...]     e.g. scripts/coverage.sh -race
# Prints a markdown table (package, statement coverage). Keeps the raw data, the merged data and a
# text profile (for go tool cover -html) in $COVERAGE_OUT, default a new temporary directory.
# Slow: every package is built with coverage of the whole module; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH

out=${COVERAGE_OUT:-$(mktemp -d -t stsmfa-coverage-XXXXXX)}
mkdir -p "$out"
raw=$out/raw merged=$out/merged
rm -rf "$raw" "$merged"
mkdir -p "$raw" "$merged"

# -test.gocoverdir: every test binary writes its counters to $raw instead of a directory of its own
# that go test deletes; testkit passes the same directory to the processes it starts.
status=0
go test -count=1 -cover -covermode=atomic -coverpkg=./... "$@" ./... -args -test.gocoverdir="$raw" >&2 || status=$?

go tool covdata merge -i="$raw" -o="$merged"
go tool covdata textfmt -i="$merged" -o="$out/coverage.txt"

module=$(go list -m)
echo "| package | statements covered |"
echo "|---|---:|"
go tool covdata percent -i="$merged" |
  awk -v m="$module/" '$2 == "coverage:" { p = $1; sub("^" m, "", p); printf "| %s | %s |\n", p, $3 }' |
  sort
total=$(go tool cover -func="$out/coverage.txt" | awk '/^total:/ { print $NF }')
echo "| **all** | **$total** |"
echo "raw and merged data, text profile: $out" >&2
if [ "$status" -ne 0 ]; then echo "go test failed (exit $status): coverage covers the tests that ran" >&2; fi
exit "$status"
