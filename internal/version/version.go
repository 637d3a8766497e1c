// Package version is stsmfa's version, and the hand-over check that keeps the front and the engine
// of one version: the front passes its version and the engine's identity (path, inode, size, time)
// in HandoverVar; an engine of the same version records that identity (the stamp), and the front
// serves cached answers only while the engine it would hand over to is the one stamped.
package version

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Version, Commit and Date are stamped at build time (goreleaser, .goreleaser.yaml):
// -ldflags "-X github.com/stsmfa/stsmfa/internal/version.Version=v1.2.3 -X ...Commit=abc123 -X ...Date=2026-12-01T00:00:00Z".
var Version, Commit, Date = "", "", ""

// String is the version as --version prints it: the stamped version (with commit and date), else the
// module version of `go install …@vX`, else the commit of a source build (+dirty when the tree had
// changes), else "dev".
func String() string {
	bi, _ := debug.ReadBuildInfo()
	return format(Version, Commit, Date, bi)
}

func format(stamped, commit, date string, bi *debug.BuildInfo) string {
	v := stamped
	if v == "" && bi != nil {
		rev, modified, when := "", false, ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
		switch {
		case rev != "":
			// a build from a checkout (go build, go install ./cmd/stsmfa): its commit, not the
			// pseudo-version Go derives from it
			if len(rev) > 12 {
				rev = rev[:12]
			}
			v = "dev (commit " + rev
			if modified {
				v += "+dirty"
			}
			if when != "" {
				v += ", " + when
			}
			return v + ")"
		case bi.Main.Version != "" && bi.Main.Version != "(devel)":
			v = bi.Main.Version // go install …@vX: the module's version
		}
	}
	if v == "" {
		v = "dev"
	}
	if commit != "" {
		v += " (commit " + commit
		if date != "" {
			v += ", built " + date
		}
		v += ")"
	}
	return v
}

// HandoverVar carries "VERSION\nENGINE-IDENTITY" from the front to the engine it runs; the engine
// removes it from its environment at once, so its children never see it.
const HandoverVar = "STSMFA_HANDOVER"

// FrontVar set to 0 makes the front hand every run to the engine.
const FrontVar = "STSMFA_FRONT"

// Identity names one file as it is now: device and inode, size, modification time and path. A
// replaced or rewritten engine has another.
func Identity(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	return statID(st) + " " + path, nil
}

// Handover is the value of HandoverVar for an engine of identity id.
func Handover(id string) string { return String() + "\n" + id }

// stampPath is where an engine of the front's version records its identity.
func stampPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "stsmfa", "front", "engine"), nil
}

// Stamped reports whether the engine of identity id was stamped as being of this version.
func Stamped(id string) bool {
	p, err := stampPath()
	if err != nil {
		return false
	}
	b, err := os.ReadFile(p)
	return err == nil && string(b) == String()+"\n"+id
}

// Accept is the engine's side of a hand-over: it takes HandoverVar out of the environment and, when
// the front is of this version, stamps the engine's identity for the front (best effort: without the
// stamp the front only hands over more). A front of another version is an error naming both files.
func Accept(self string) error {
	v, ok := os.LookupEnv(HandoverVar)
	if !ok {
		return nil
	}
	os.Unsetenv(HandoverVar)
	frontVersion, id, _ := strings.Cut(v, "\n")
	if frontVersion != String() {
		enginePath := self
		if f := strings.SplitN(id, " ", 5); len(f) == 5 {
			enginePath = f[4]
		}
		return fmt.Errorf("the front (stsmfa) is version %s but the engine %s is version %s: both must come from one release; reinstall stsmfa, or replace %s with the stsmfa-engine of %s",
			frontVersion, enginePath, String(), enginePath, frontVersion)
	}
	if p, err := stampPath(); err == nil && id != "" {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
			tmp := fmt.Sprintf("%s.%d.tmp", p, os.Getpid())
			if os.WriteFile(tmp, []byte(v), 0o600) == nil && os.Rename(tmp, p) != nil {
				os.Remove(tmp)
			}
		}
	}
	return nil
}
