#!/usr/bin/env bash
# The packaging check CI runs (.ci/run): builds the static linux/amd64 programs as the release does (the
# front as stsmfa, the full program as stsmfa-engine), the man pages and completions (cmd/stsmfa-docs),
# and the .deb with nfpm — the packager goreleaser embeds — from the nfpms section of .goreleaser.yaml
# itself (one source of truth); then installs it with dpkg -i and checks `stsmfa --version` (handed by
# the front to the engine), a cached answer the front gives itself, `man stsmfa` and the packaged bash
# completion, and removes it.
# Building goreleaser itself takes longer than CI should spend (docs/releases.md):
# scripts/release-check.sh runs `goreleaser check` and a snapshot of every target, then this script on
# the .deb goreleaser built:
#
#   scripts/package-check.sh            build the .deb here (CI)
#   scripts/package-check.sh FILE.deb   check a .deb built elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$HOME/go/bin:$PATH
NFPM_VERSION=${NFPM_VERSION:-v2.48.0}
command -v nfpm >/dev/null || go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"

out=$(mktemp -d /tmp/stsmfa-package.XXXXXX)
trap 'rm -rf "$out"' EXIT
deb=${1:-}
if [ -z "$deb" ]; then
version=0.0.0-check
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w -X github.com/stsmfa/stsmfa/internal/version.Version=$version \
  -X github.com/stsmfa/stsmfa/internal/version.Commit=$commit -X github.com/stsmfa/stsmfa/internal/version.Date=$date"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "$ldflags" -o "$out/stsmfa" ./cmd/stsmfa-front
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "$ldflags" -o "$out/stsmfa-engine" ./cmd/stsmfa
rm -rf build/docs && go run ./cmd/stsmfa-docs build/docs

# nfpm's own configuration from goreleaser's nfpms entry: the same metadata and contents, plus the binary
/usr/bin/python3 - "$out" "$version" <<'PY'
import sys, yaml
out, version = sys.argv[1], sys.argv[2]
g = yaml.safe_load(open(".goreleaser.yaml"))["nfpms"][0]
cfg = {k: g[k] for k in ("vendor", "homepage", "maintainer", "description", "license", "section")}
cfg.update(name=g["package_name"], arch="amd64", platform="linux", version=version,
           contents=[{"src": out + "/" + b, "dst": g["bindir"] + "/" + b, "file_info": {"mode": 0o755}}
                     for b in ("stsmfa", "stsmfa-engine")] + g["contents"])
yaml.safe_dump(cfg, open(out + "/nfpm.yaml", "w"))
PY
nfpm package --config "$out/nfpm.yaml" --packager deb --target "$out/stsmfa.deb"
deb=$out/stsmfa.deb
want="stsmfa version $version (commit $commit, built $date)"
fi
dpkg-deb --contents "$deb"

dpkg -i "$deb"
trap 'dpkg -r stsmfa >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
fail() { echo "package-check: $*" >&2; exit 1; }
got=$(/usr/bin/stsmfa --version)
if [ -n "${want:-}" ]; then
  [ "$got" = "$want" ] || fail "installed stsmfa --version printed: $got"
else
  # goreleaser stamps commit "none" in a snapshot of a repository without tags
  echo "$got" | grep -Eq '^stsmfa version [^ ]+ \(commit ([0-9a-f]+|none), built [^ ]+\)$' || fail "installed stsmfa --version printed: $got"
fi
for b in stsmfa stsmfa-engine; do
  file -b /usr/bin/$b | grep -q 'statically linked' || fail "the packaged $b is not static: $(file -b /usr/bin/$b)"
done
# the front answers a cached session itself: credential-process from a session in a throwaway HOME,
# with the engine out of reach (a handed-over run would fail)
home=$out/home; mkdir -p "$home/.aws"
printf '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[mfa]\naws_access_key_id = ASIAEXAMPLEEXAMPLE01\naws_secret_access_key = secret\naws_session_token = token\nstsmfa_expiration = %s\nstsmfa_source = default\n' \
  "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)" >"$home/.aws/credentials"
printf '[default]\nregion = eu-west-1\n' >"$home/.aws/config"
chmod 600 "$home/.aws/credentials" "$home/.aws/config"
mv /usr/bin/stsmfa-engine "$out/engine.away"
got=$(env -i HOME="$home" /usr/bin/stsmfa credential-process --profile mfa) || { mv "$out/engine.away" /usr/bin/stsmfa-engine; fail "the front did not serve a cached session"; }
mv "$out/engine.away" /usr/bin/stsmfa-engine
echo "$got" | grep -q '"AccessKeyId":"ASIAEXAMPLEEXAMPLE01"' || fail "stsmfa credential-process printed: $got"
MANPAGER=cat MANWIDTH=80 man stsmfa-login | grep -q 'stsmfa login' || fail "man stsmfa-login shows no examples"
MANPAGER=cat man stsmfa | grep -q 'MFA session credentials' || fail "man stsmfa does not show stsmfa's page"
MANPAGER=cat man stsmfa | grep -q "^ENVIRONMENT" && MANPAGER=cat man stsmfa | grep -q "^FILES" || fail "man stsmfa has no ENVIRONMENT and FILES sections"
MANPAGER=cat man stsmfa-login | grep -q "token-timeout=0s" && fail "man stsmfa-login shows --token-timeout=0s as a default"
# as a user's shell loads it: bash-completion first, then the packaged file
completion=$(bash --noprofile --norc -c 'source /usr/share/bash-completion/bash_completion
source /usr/share/bash-completion/completions/stsmfa
COMP_WORDS=(stsmfa lo); COMP_CWORD=1; COMP_LINE="stsmfa lo"; COMP_POINT=${#COMP_LINE}
__start_stsmfa 2>/dev/null; printf "%s\n" "${COMPREPLY[@]}"')
[ "$(echo $completion)" = "login logout" ] || fail "packaged bash completion of 'stsmfa lo' gave: $completion"
[ -f /usr/share/zsh/vendor-completions/_stsmfa ] && [ -f /usr/share/fish/vendor_completions.d/stsmfa.fish ] || fail "zsh/fish completions missing"
echo "package-check: ok: deb installs stsmfa and stsmfa-engine; --version, a cached credential-process, man pages and bash completion work"
