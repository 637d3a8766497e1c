// Command stsmfa-docs writes stsmfa's man pages and shell completions, generated from the cobra
// commands themselves, for the release packages (.goreleaser.yaml) and scripts/package-check.sh:
//
//	stsmfa-docs DIR    writes DIR/man/man1/stsmfa*.1 and DIR/completions/stsmfa.{bash,zsh,fish,ps1}
//
// It is a separate program so that the man page generator is not linked into stsmfa itself.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra/doc"

	"github.com/stsmfa/stsmfa/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: stsmfa-docs DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "stsmfa-docs:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	root := cli.Command()
	root.DisableAutoGenTag = true // no generation date: the pages are reproducible
	man := filepath.Join(dir, "man", "man1")
	comp := filepath.Join(dir, "completions")
	for _, d := range []string{man, comp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	header := &doc.GenManHeader{Title: "STSMFA", Section: "1", Source: "stsmfa", Manual: "stsmfa manual"}
	if err := doc.GenManTree(root, header, man); err != nil {
		return err
	}
	for name, gen := range map[string]func(string) error{
		"stsmfa.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"stsmfa.zsh":  root.GenZshCompletionFile,
		"stsmfa.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"stsmfa.ps1":  root.GenPowerShellCompletionFileWithDesc,
	} {
		if err := gen(filepath.Join(comp, name)); err != nil {
			return err
		}
	}
	return nil
}
