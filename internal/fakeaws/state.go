package fakeaws

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// State is the JSON state file of the fakeaws process (cmd/fakeaws): the
// URL it listens on and the users (with keys and MFA seeds) it knows, so
// scripts can sign requests and compute codes.
type State struct {
	URL   string      `json:"url"`
	Users []StateUser `json:"users"`
	Roles []StateRole `json:"roles,omitempty"`
}

// StateUser is one user in a State; Serial/Seed describe its (first)
// virtual MFA device.
type StateUser struct {
	Account         string `json:"account"`
	Name            string `json:"name"`
	Root            bool   `json:"root,omitempty"`
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	Serial          string `json:"serial,omitempty"`
	Seed            string `json:"seed,omitempty"`
}

// StateRole is one role in a State; the fields mean what Role's do.
type StateRole struct {
	ARN                string   `json:"arn"`
	MaxSessionDuration int32    `json:"max_session_duration,omitempty"`
	RequireMFA         bool     `json:"require_mfa,omitempty"`
	ExternalID         string   `json:"external_id,omitempty"`
	Trust              []string `json:"trust,omitempty"`
}

// SampleState returns the demo setup: user alice in account 123456789012
// with fresh long-term keys and one virtual MFA device
// arn:aws:iam::123456789012:mfa/alice-phone with a random seed, and a role
// arn:aws:iam::123456789012:role/stsmfa-demo that requires MFA.
func SampleState() *State {
	return &State{
		Users: []StateUser{{
			Account:         "123456789012",
			Name:            "alice",
			AccessKeyID:     "AKIA" + randomUpperAlnum(16),
			SecretAccessKey: randomSecret(),
			Serial:          "arn:aws:iam::123456789012:mfa/alice-phone",
			Seed:            newSeed(),
		}},
		Roles: []StateRole{{ARN: "arn:aws:iam::123456789012:role/stsmfa-demo", MaxSessionDuration: 43200, RequireMFA: true}},
	}
}

// Apply registers the state's users and roles with s.
func (st *State) Apply(s *Server) {
	for _, u := range st.Users {
		user := User{Account: u.Account, Name: u.Name, Root: u.Root, AccessKeyID: u.AccessKeyID, SecretAccessKey: u.SecretAccessKey}
		if u.Serial != "" {
			user.MFA = []Device{{Serial: u.Serial, Seed: u.Seed}}
		}
		s.AddUser(user)
	}
	for _, r := range st.Roles {
		s.AddRole(Role{ARN: r.ARN, MaxSessionDuration: r.MaxSessionDuration, RequireMFA: r.RequireMFA,
			ExternalID: r.ExternalID, Trust: r.Trust})
	}
}

// ReadState reads a state file.
func ReadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("fakeaws: state file %s: %w", path, err)
	}
	for _, u := range st.Users {
		if u.AccessKeyID == "" || u.SecretAccessKey == "" {
			return nil, fmt.Errorf("fakeaws: state file %s: user %q has no keys", path, u.Name)
		}
	}
	return &st, nil
}

// WriteState writes st to path atomically with mode 0600.
func WriteState(path string, st *State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakeaws-state-*")
	if err != nil {
		return fmt.Errorf("fakeaws: write state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("fakeaws: write state: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("fakeaws: write state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("fakeaws: write state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("fakeaws: write state: %w", err)
	}
	return nil
}
