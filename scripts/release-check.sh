#!/usr/bin/env bash
# The full release check (not in CI: building goreleaser from the Go module proxy alone took 7m49s here,
# more than CI should spend on it; CI runs scripts/package-check.sh instead):
#   goreleaser check, a snapshot release of every target (linux/darwin/windows x amd64/arm64 archives,
#   checksums, .deb/.rpm, Homebrew cask, Scoop manifest), then the installed-package checks of
#   scripts/package-check.sh on the linux/amd64 .deb goreleaser built.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$HOME/go/bin:$PATH
GORELEASER_VERSION=${GORELEASER_VERSION:-v2.17.0} # the newest v2 that builds with this machine's Go 1.26
command -v goreleaser >/dev/null || go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
goreleaser check
goreleaser release --snapshot --clean --skip=publish
for f in dist/checksums.txt dist/scoop/stsmfa.json dist/homebrew/Casks/stsmfa.rb; do
  test -s "$f" || { echo "release-check: missing $f" >&2; exit 1; }
done
(cd dist && sha256sum -c --ignore-missing checksums.txt)
for os in linux darwin; do for arch in amd64 arm64; do test -s "dist/stsmfa_"*"_${os}_${arch}.tar.gz"; done; done
for arch in amd64 arm64; do test -s "dist/stsmfa_"*"_windows_${arch}.zip"; done
bash scripts/package-check.sh dist/stsmfa_*_linux_amd64.deb
echo "release-check: ok"
