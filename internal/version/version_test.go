package version

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	vcs := func(rev, modified, when string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
		bi.Settings = []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}, {Key: "vcs.time", Value: when}}
		return bi
	}
	for _, c := range []struct {
		name                  string
		stamped, commit, date string
		bi                    *debug.BuildInfo
		want                  string
	}{
		{"stamped", "v1.2.3", "abc1234", "2026-12-01T00:00:00Z", vcs("ffff", "false", ""), "v1.2.3 (commit abc1234, built 2026-12-01T00:00:00Z)"},
		{"go install @v", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"source build", "", "", "", vcs("0123456789abcdef0123", "false", "2026-12-05T10:00:00Z"), "dev (commit 0123456789ab, 2026-12-05T10:00:00Z)"},
		{"dirty source build", "", "", "", vcs("0123456789abcdef0123", "true", ""), "dev (commit 0123456789ab+dirty)"},
		{"no build info", "", "", "", nil, "dev"},
		{"clean source build (Go derives a pseudo-version)", "", "", "", func() *debug.BuildInfo {
			bi := vcs("2489bfdc1cce0000", "false", "2026-12-06T00:50:59Z")
			bi.Main.Version = "v0.0.0-20261206005059-2489bfdc1cce"
			return bi
		}(), "dev (commit 2489bfdc1cce, 2026-12-06T00:50:59Z)"},
		{"no vcs", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
	} {
		if got := format(c.stamped, c.commit, c.date, c.bi); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// The engine's side of a hand-over: a front of this version gets a stamp for the identity it passed
// (and the variable leaves the environment); a front of another version gets an error naming the
// engine's file, and no stamp.
func TestAccept(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	engine := filepath.Join(t.TempDir(), "stsmfa-engine")
	os.WriteFile(engine, []byte("x"), 0o755)
	id, err := Identity(engine)
	if err != nil {
		t.Fatal(err)
	}
	if Stamped(id) {
		t.Fatal("stamped before any hand-over")
	}
	t.Setenv(HandoverVar, "v0.0.0-other\n"+id)
	err = Accept(engine)
	if err == nil || !strings.Contains(err.Error(), engine) || !strings.Contains(err.Error(), "v0.0.0-other") {
		t.Fatalf("another version: %v", err)
	}
	if _, ok := os.LookupEnv(HandoverVar); ok || Stamped(id) {
		t.Fatal("another version: the variable stayed or a stamp was written")
	}
	t.Setenv(HandoverVar, Handover(id))
	if err := Accept(engine); err != nil {
		t.Fatal(err)
	}
	if !Stamped(id) {
		t.Fatal("same version: no stamp")
	}
	// a replaced engine is another identity: not stamped
	os.WriteFile(engine, []byte("xy"), 0o755)
	id2, _ := Identity(engine)
	if id2 == id || Stamped(id2) {
		t.Fatal("a replaced engine counts as stamped")
	}
}
