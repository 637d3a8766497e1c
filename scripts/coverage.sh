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

# Statement coverage per package from the merged text profile (lines "FILE:POS NSTMTS COUNT"): a
# block counts as covered when any process ran it. Same figures as go tool covdata percent, whose
# output cannot be parsed reliably (a package without statements runs into the next line).
module=$(go list -m)
echo "| package | statements covered |"
echo "|---|---:|"
awk -v m="$module/" '
  NR > 1 { n[$1] = $2; if ($3 > 0) c[$1] = 1 }
  END {
    for (k in n) {
      p = k; sub(/:[^:]*$/, "", p); sub(/\/[^\/]*$/, "", p); sub("^" m, "", p)
      all[p] += n[k]; tot += n[k]
      if (k in c) { cov[p] += n[k]; tcov += n[k] }
    }
    for (p in all) if (all[p] > 0) printf "| %s | %.1f%% |\n", p, 100 * cov[p] / all[p] | "sort"
    close("sort")
    printf "| **all packages** | **%.1f%%** |\n", 100 * tcov / tot
  }' "$out/coverage.txt"
echo "raw and merged data, text profile: $out" >&2
if [ "$status" -ne 0 ]; then echo "go test failed (exit $status): coverage covers the tests that ran" >&2; fi
exit "$status"
