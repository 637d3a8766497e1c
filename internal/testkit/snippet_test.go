package testkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var snippetMarker = regexp.MustCompile("<!-- snippet: ([^ ]+) -->\n") // as Snippet looks for it

// TestSnippetsAreRead: a snippet marker promises that a test runs the recipe under it. Every marker
// in the module's Markdown is in a file Snippet reads, names a block Snippet can take out, and is
// named by a test outside this package.
func TestSnippetsAreRead(t *testing.T) {
	root := ModuleRoot(t)
	docs := SnippetDocs(t)
	var tests strings.Builder
	names := map[string]string{} // name -> file
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		switch {
		case d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root:
			return filepath.SkipDir
		case d.IsDir():
			return nil
		case strings.HasSuffix(rel, "_test.go") && !strings.HasPrefix(rel, "internal/testkit/"):
			b, err := os.ReadFile(path)
			tests.Write(b)
			return err
		case !strings.HasSuffix(rel, ".md"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range snippetMarker.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(docs, rel) {
				t.Errorf("%s: snippet %q is in a file Snippet does not read (%s)", rel, m[1], strings.Join(docs, ", "))
			}
			if prev, ok := names[m[1]]; ok {
				t.Errorf("snippet %q is marked in %s and in %s", m[1], prev, rel)
			}
			names[m[1]] = rel
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no snippet markers found")
	}
	for name, file := range names {
		if !strings.Contains(tests.String(), `"`+name+`"`) {
			t.Errorf("%s: no test names snippet %q", file, name)
		}
		r := run(t, func(tb testing.TB) { Snippet(tb, name) })
		if r.failed {
			t.Errorf("Snippet(%q): %s", name, r.msg)
		}
	}
}
