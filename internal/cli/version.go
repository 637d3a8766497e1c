package cli

import (
	"runtime/debug"
	"strings"
)

// buildInfoVersion is --version for a build nobody stamped (-ldflags -X …Version): what Go recorded
// in the binary. A source build (go build or go install in a git checkout) records the commit:
// "dev (commit 0123456789ab+dirty, 2026-12-01T10:00:00Z)", where +dirty means the tree had changes
// and the time is the commit's; a release tag at that commit comes first in place of "dev". A build of
// a downloaded module (go install …/cmd/stsmfa@v1.2.3) records only the module version: "v1.2.3".
// Anything else is "dev".
func buildInfoVersion(bi *debug.BuildInfo) string {
	if bi == nil {
		return "dev"
	}
	var rev, when string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	mod := bi.Main.Version
	if mod == "(devel)" {
		mod = ""
	}
	if rev == "" {
		if mod == "" {
			return "dev"
		}
		return mod
	}
	short := rev
	if len(short) > 12 {
		short = short[:12]
	}
	// go build stamps a source build with the tag of its commit, else a pseudo-version that ends in
	// the same 12 characters of the commit (v0.0.0-20261201100000-0123456789ab), which says nothing more
	v := "dev"
	if tag := strings.TrimSuffix(mod, "+dirty"); tag != "" && !strings.HasSuffix(tag, "-"+short) {
		v = tag
	}
	v += " (commit " + short
	if dirty {
		v += "+dirty"
	}
	if when != "" {
		v += ", " + when
	}
	return v + ")"
}
