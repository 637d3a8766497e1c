//go:build !linux

package keystore

import (
	"os"
	"runtime"
)

// probe: the keychain needs /usr/bin/security (go-keyring runs it); wincred is always there.
func probe(name string, o Options) error {
	switch {
	case name == Keychain && runtime.GOOS == "darwin":
		if _, err := os.Stat("/usr/bin/security"); err != nil {
			return unavailable(name, "/usr/bin/security is missing")
		}
		return nil
	case name == WinCred && runtime.GOOS == "windows":
		return nil
	}
	return unavailable(name, "it belongs to another OS")
}
