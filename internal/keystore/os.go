package keystore

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// osStore is the OS's own store through zalando/go-keyring, which needs no cgo anywhere: the Secret
// Service over D-Bus (godbus), the Windows Credential Manager (CredWriteW/CredReadW), and on macOS
// /usr/bin/security, with the secret written to its stdin (never its argv).
type osStore struct {
	name string
	o    Options
}

func openOS(name string, o Options) (Backend, error) {
	if err := probe(name, o); err != nil {
		return nil, err
	}
	return &osStore{name: name, o: o}, nil
}

func (s *osStore) Name() string { return s.name }

func (s *osStore) Get(profile string) (Item, error) {
	v, err := withTimeout(s.o.Timeout, "the "+s.name+" store", func() (string, error) { return keyring.Get(Service, profile) })
	if errors.Is(err, keyring.ErrNotFound) {
		return Item{}, fmt.Errorf("%s: %w", describe(s, profile), ErrNotFound)
	}
	if err != nil {
		return Item{}, s.fail("cannot read", profile, err)
	}
	it, err := decode(v)
	if err != nil {
		return Item{}, fault.FilesErr("%s: %v", describe(s, profile), err)
	}
	return it, nil
}

func (s *osStore) Set(profile string, it Item) error {
	_, err := withTimeout(s.o.Timeout, "the "+s.name+" store", func() (struct{}, error) {
		return struct{}{}, keyring.Set(Service, profile, it.encode())
	})
	if err != nil {
		return s.fail("cannot write", profile, err)
	}
	return nil
}

func (s *osStore) Delete(profile string) error {
	_, err := withTimeout(s.o.Timeout, "the "+s.name+" store", func() (struct{}, error) {
		return struct{}{}, keyring.Delete(Service, profile)
	})
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return s.fail("cannot delete", profile, err)
	}
	return nil
}

// fail words a store's error; the library's errors (D-Bus, Win32, security's output) never hold the
// secret, which travels only in the call's arguments.
func (s *osStore) fail(what, profile string, err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	return fault.New(fault.Files, fault.FieldBackend, err, "%s %s: %v", what, describe(s, profile), err)
}
