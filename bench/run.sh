#!/usr/bin/env bash
# Benchmarks of whole processes, side by side in one run (docs/benchmarks.md has the latest figures).
#
#   bash bench/run.sh            # 200 timed runs of each command
#   N=50 bash bench/run.sh       # quicker
#   NO_AWS=1 bash bench/run.sh   # without the AWS CLI rows (they take most of the time)
#   STSMFA_ALT=/path/to/other/stsmfa bash bench/run.sh   # adds rows for another build, side by side
#   STSMFA_ALT=dynamic bash bench/run.sh                  # ... the dynamically linked (cgo) build
#   STSMFA_ALT=full bash bench/run.sh                     # ... the full build alone (go install's)
#   STSMFA_ALT=rev:COMMIT bash bench/run.sh               # ... the pair built from COMMIT (git archive)
#
# stsmfa is built as the releases and packages install it (.goreleaser.yaml): CGO_ENABLED=0 (static)
# and -trimpath, the front (cmd/stsmfa-front) as stsmfa and the full build beside it as
# stsmfa-engine, to which the front hands every run it does not serve from the cache.
#
# Builds stsmfa and the helpers, starts the stand-in STS/IAM (bench/standin) with a throwaway HOME,
# logs in once, then times (bench/proctime) stsmfa's everyday commands on a valid cached session next
# to /bin/true, a static Go hello-world (bench/hello, built like stsmfa) and the AWS CLI reading a
# static-keys profile. The credentials file has 10 profiles; the *-10k rows read a copy with 10,000
# (AWS_SHARED_CREDENTIALS_FILE, same session). login-force rows get a new session each run (the
# stand-in takes any code: -any-code). Nothing contacts AWS: every endpoint is 127.0.0.1.
# Prints a Markdown report (each median also as a difference to the hello-world and to /bin/true);
# exits 3 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
N=${N:-200}
WARMUP=${WARMUP:-5}
AWS=${AWS:-/usr/bin/aws}
alt_arg=${STSMFA_ALT:-} # as given, for the report (STSMFA_ALT becomes the path of the build)

tmp=$(mktemp -d /tmp/stsmfa-bench.XXXXXX)
standin_pid=
cleanup() {
  if [ -n "$standin_pid" ]; then kill "$standin_pid" 2>/dev/null || true; wait "$standin_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "building..." >&2
CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/stsmfa" ./cmd/stsmfa-front
CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/stsmfa-engine" ./cmd/stsmfa
if [ "${STSMFA_ALT:-}" = dynamic ]; then
  CGO_ENABLED=1 go build -trimpath -o "$tmp/bin/stsmfa-dynamic" ./cmd/stsmfa
  STSMFA_ALT=$tmp/bin/stsmfa-dynamic
elif [ "${STSMFA_ALT:-}" = full ]; then
  mkdir -p "$tmp/bin/full"
  CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/full/stsmfa" ./cmd/stsmfa
  STSMFA_ALT=$tmp/bin/full/stsmfa
elif [[ "${STSMFA_ALT:-}" == rev:* ]]; then
  mkdir -p "$tmp/alt-src" "$tmp/bin/alt"
  git archive "${STSMFA_ALT#rev:}" | tar -x -C "$tmp/alt-src"
  # the front is cmd/stsmfa-front, or in commits before it had a directory, cmd/stsmfa built with
  # -tags stsmfa_front
  front=(./cmd/stsmfa-front)
  [ -d "$tmp/alt-src/cmd/stsmfa-front" ] || front=(-tags stsmfa_front ./cmd/stsmfa)
  (cd "$tmp/alt-src" &&
    CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/alt/stsmfa" "${front[@]}" &&
    CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/alt/stsmfa-engine" ./cmd/stsmfa)
  STSMFA_ALT=$tmp/bin/alt/stsmfa
fi
CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/hello" ./bench/hello
go build -o "$tmp/bin/proctime" ./bench/proctime
go build -o "$tmp/bin/standin" ./bench/standin
stsmfa=$tmp/bin/stsmfa

"$tmp/bin/standin" serve -any-code "$tmp/home" "$tmp/env.sh" &
standin_pid=$!
for _ in $(seq 100); do [ -f "$tmp/env.sh" ] && break; sleep 0.05; done
[ -f "$tmp/env.sh" ] || { echo "the stand-in did not start" >&2; exit 1; }
# HOME, XDG_CACHE_HOME, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL_STS/IAM, ...
for v in $(env | grep -o '^AWS_[A-Z_]*'); do unset "$v"; done
# shellcheck disable=SC1091
. "$tmp/env.sh"

# A static-keys profile for the AWS CLI comparison, and a source with no way to get a code (no
# terminal, no token command, no session) for the fail-fast figure.
cat >>"$AWS_SHARED_CREDENTIALS_FILE" <<'EOF'

[static]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[nocode]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
EOF
printf '\n[profile static]\nregion = eu-west-1\n\n[profile nocode]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice-phone\n' >>"$AWS_CONFIG_FILE"
# a role profile served from the MFA session (its role session is cached after the first call)
printf '\n[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\n' >>"$AWS_CONFIG_FILE"

# six more static-keys profiles: with [default], [static], [nocode] and the login target [mfa], the
# credentials file has 10 profiles
filler() { # filler FIRST LAST: static-keys profiles acct-FIRST..acct-LAST
  awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++) printf "\n[acct-%05d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = %040d\n", i, i, i }'
}
filler 1 6 >>"$AWS_SHARED_CREDENTIALS_FILE"

# log in (the stand-in takes any code), then the credential_process profile
"$stsmfa" login "$("$tmp/bin/standin" code "$STANDIN_SEED_FILE")" 2>/dev/null
"$stsmfa" setup-credential-process work --profile default 2>/dev/null
"$stsmfa" login --profile prod 2>/dev/null   # the role session: AssumeRole with the MFA session, no code
[ "$(grep -c '^\[' "$AWS_SHARED_CREDENTIALS_FILE")" = 10 ] || { echo "the credentials file should have 10 profiles" >&2; exit 1; }

# the same credentials file with 10,000 profiles: 4,995 before the ten and 4,995 after
big=$tmp/big-credentials
{ filler 10001 14995; echo; cat "$AWS_SHARED_CREDENTIALS_FILE"; filler 15001 19995; } >"$big"
chmod 600 "$big"
[ "$(grep -c '^\[' "$big")" = 10000 ] || { echo "the big credentials file should have 10,000 profiles" >&2; exit 1; }
BIG="AWS_SHARED_CREDENTIALS_FILE=$big"
# login-force rows send the same code every run (the stand-in takes any code); stsmfa's record of the
# last accepted code (session/steps.go) would refuse it within 90 s, so those rows get a cache
# directory where that record cannot be kept (it is best-effort: failing to keep it only says so
# under --debug)
mkdir -p "$tmp/nosteps/stsmfa" && : >"$tmp/nosteps/stsmfa/steps"
NOSTEPS="XDG_CACHE_HOME=$tmp/nosteps"

echo "timing ($N runs each; the AWS CLI rows take a few minutes)..." >&2
{
  echo "### Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
  echo "- kernel $(uname -r); $(go version | cut -d' ' -f3-); $("$AWS" --version 2>&1 | cut -d' ' -f1-2)"
  echo "- date $(date -u +%Y-%m-%dT%H:%MZ); command: \`${alt_arg:+STSMFA_ALT=$alt_arg }N=$N bash bench/run.sh\`"
  echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows up as noise)"
  echo
  echo "### Results"
  echo
} >"$tmp/report.md"

alt=()
if [ -n "${STSMFA_ALT:-}" ]; then
  alt=(--- name=alt:version "$STSMFA_ALT" --version
       --- name=alt:credential-process "$STSMFA_ALT" credential-process
       --- name=alt:login-reuse "$STSMFA_ALT" login
       --- name=alt:status-check "$STSMFA_ALT" status --check
       --- name=alt:status-prompt "$STSMFA_ALT" status --prompt
       --- name=alt:env "$STSMFA_ALT" env
       --- name=alt:exec-true "$STSMFA_ALT" exec -- /bin/true
       --- name=alt:credential-process-10k env="$BIG" "$STSMFA_ALT" credential-process
       --- name=alt:status-check-10k env="$BIG" "$STSMFA_ALT" status --check
       --- name=alt:env-10k env="$BIG" "$STSMFA_ALT" env
       --- name=alt:exec-true-10k env="$BIG" "$STSMFA_ALT" exec -- /bin/true
       --- name=alt:login-force env="$NOSTEPS" "$STSMFA_ALT" login --force 123456
       --- name=alt:login-force-10k env="$BIG" env="$NOSTEPS" "$STSMFA_ALT" login --force 123456)
fi
aws_rows=()
if [ -z "${NO_AWS:-}" ]; then
  aws_rows=(--- name=aws-export-static ratio=credential-process:50 "$AWS" configure export-credentials --profile static --format process
            --- name=aws-export-via-stsmfa "$AWS" configure export-credentials --profile work --format process)
fi
# the targets of the cached path: at most 2.5 ms, and at most 1.2 ms above the Go hello-world
fast=(target=2.5ms over=go-hello:1.2ms)

set +e
"$tmp/bin/proctime" -n "$N" -warmup "$WARMUP" -ref go-hello,/bin/true -- \
  name=/bin/true /bin/true --- \
  name=go-hello "$tmp/bin/hello" --- \
  name=handover:stsmfa-version "$stsmfa" --version --- \
  name=engine-version "$tmp/bin/stsmfa-engine" --version --- \
  name=credential-process "${fast[@]}" "$stsmfa" credential-process --- \
  name=credential-process-role target=5ms "$stsmfa" credential-process --profile prod --- \
  name=login-reuse target=10ms "$stsmfa" login --- \
  name=status-check "${fast[@]}" "$stsmfa" status --check --- \
  name=status-prompt "${fast[@]}" "$stsmfa" status --prompt --- \
  name=env "$stsmfa" env --- \
  name=exec-true "${fast[@]}" "$stsmfa" exec -- /bin/true --- \
  name=no-code-fail-fast exit=6 target=1s "$stsmfa" credential-process --profile nocode --- \
  name=credential-process-10k target=6ms env="$BIG" "$stsmfa" credential-process --- \
  name=status-check-10k target=6ms env="$BIG" "$stsmfa" status --check --- \
  name=status-prompt-10k target=6ms env="$BIG" "$stsmfa" status --prompt --- \
  name=env-10k env="$BIG" "$stsmfa" env --- \
  name=exec-true-10k target=6ms env="$BIG" "$stsmfa" exec -- /bin/true --- \
  name=login-force env="$NOSTEPS" "$stsmfa" login --force 123456 --- \
  name=login-force-10k target=40ms env="$BIG" env="$NOSTEPS" "$stsmfa" login --force 123456 \
  "${aws_rows[@]}" "${alt[@]}" >>"$tmp/report.md"
status=$?
set -e
sed "s#$tmp/nosteps#NOSTEPS#g; s#$tmp/bin/full/stsmfa#full/stsmfa#g; s#$tmp/bin/alt/stsmfa#alt/stsmfa#g; s#$tmp/bin/stsmfa-engine#stsmfa-engine#g; s#$tmp/bin/stsmfa#stsmfa#g; s#$tmp/bin/hello#bench/hello#g; s#$big#BIG#g; s#$AWS #aws #g" "$tmp/report.md"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "Calls the stand-in answered during the whole run (GetSessionToken: the first login and every login-force run):"
echo
"$tmp/bin/standin" calls "$STANDIN_URL" | sed 's/^/    /'
exit $status
