// Package keystore keeps an IAM user's long-term keys out of plaintext: one small interface
// (Backend) over the OS's own stores (secret-service on Linux, keychain on macOS, wincred on
// Windows) and two that work anywhere (pass, and file: one age file per profile, encrypted with a
// passphrase through age's scrypt recipient).
//
// Only a refresh of the MFA session and the `keys` commands open a backend: the cached path
// (credential-process, env, exec, status, the front) never does, so a keyring costs no prompt per
// call. The front links none of this package.
package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// The backends' names, as --backend, STSMFA_BACKEND and stsmfa_backend spell them.
const (
	SecretService = "secret-service"
	Keychain      = "keychain"
	WinCred       = "wincred"
	Pass          = "pass"
	File          = "file"
)

// Service is the name every backend files stsmfa's items under (the Secret Service attribute
// "service", the keychain's service, the wincred target prefix, pass's folder).
const Service = "stsmfa"

// Item is what a backend keeps for one profile: the key pair and, when known, when AWS created it.
type Item struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	Created         time.Time `json:"Created,omitzero"`
}

// Valid reports whether both halves are there.
func (it Item) Valid() bool { return it.AccessKeyID != "" && it.SecretAccessKey != "" }

func (it Item) encode() string {
	b, _ := json.Marshal(it)
	return string(b)
}

func decode(s string) (Item, error) {
	var it Item
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &it); err != nil || !it.Valid() {
		// never quote s: it holds the secret
		return Item{}, errors.New("the stored item is not a key pair stsmfa wrote")
	}
	return it, nil
}

// ErrNotFound: the backend holds no keys for the profile.
var ErrNotFound = errors.New("no keys stored")

// Backend stores one Item per profile.
type Backend interface {
	Name() string
	// Get returns the profile's item, or an error wrapping ErrNotFound.
	Get(profile string) (Item, error)
	// Set stores the item, replacing any other of the profile.
	Set(profile string, it Item) error
	// Delete removes the profile's item; nil when there was none.
	Delete(profile string) error
}

// Options are what opening a backend may need from the program.
type Options struct {
	Getenv func(string) string
	// Passphrase asks a person for the file backend's passphrase (confirm: a new file, ask twice);
	// nil: only STSMFA_FILE_PASSPHRASE.
	Passphrase func(prompt string, confirm bool) (string, error)
	// Timeout bounds one call to an OS store that may show its own unlock prompt (default 2m).
	Timeout time.Duration
}

func (o *Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

// Names are the backends this build can use on this OS, the OS's own store first.
func Names() []string {
	switch runtime.GOOS {
	case "windows":
		return []string{WinCred, File}
	case "darwin":
		return []string{Keychain, Pass, File}
	default:
		return []string{SecretService, Pass, File}
	}
}

func choices() string { return strings.Join(Names(), ", ") }

// unavailable is the one line for a backend that is absent or locked: it names the choices and
// never falls back to plaintext. cli adds how to choose (the flag, the variable, the profile key).
func unavailable(name, why string) error {
	return fault.New(fault.Files, fault.FieldBackend, nil, "the %s backend is not usable here: %s; no key was read or written; choose one of: %s", name, why, choices())
}

// Open opens the named backend; "" is the OS's own store, which must answer now.
func Open(name string, o Options) (Backend, error) {
	if name == "" {
		name = Names()[0]
	}
	known := false
	for _, n := range Names() {
		known = known || n == name
	}
	if !known {
		return nil, fault.New(fault.Usage, fault.FieldBackend, nil, "unknown key backend %q; choose one of: %s", name, choices())
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	switch name {
	case Pass:
		return openPass(o)
	case File:
		return openFile(o)
	default:
		return openOS(name, o)
	}
}

// describe names the profile's item in errors and --debug: never its content.
func describe(b Backend, profile string) string {
	return fmt.Sprintf("the keys of profile %s in %s", profile, b.Name())
}

// withTimeout runs f, giving up after d: an OS store may wait for an unlock dialog nobody answers.
func withTimeout[T any](d time.Duration, what string, f func() (T, error)) (T, error) {
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, 1)
	go func() {
		v, err := f()
		ch <- res{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
		var zero T
		return zero, fault.New(fault.Files, fault.FieldBackend, nil, "%s did not answer within %s (an unlock prompt nobody answered?)", what, d)
	}
}
