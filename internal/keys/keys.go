// Package keys moves an IAM user's long-term keys between the credentials file and a key store
// (internal/keystore) and rotates them, so that a kill at any moment leaves every key somewhere:
//
//	import   store → read back and compare → config (stsmfa_backend, credential_process) → file loses them
//	export   file gets them → read back and compare → config loses the marker → store forgets them
//	add      GetCallerIdentity with them → store → read back → config
//	rotate   journal → CreateAccessKey → journal → store the new key → GetCallerIdentity with it
//	         (bounded backoff) → DeleteAccessKey of the old one → journal removed
//
// Every write to ~/.aws goes through awsfile's Editor (locked, atomic, byte-preserving). The AWS
// calls of rotate are behind IAM, declared here and wired by cli to internal/awsapi.
package keys

import (
	"fmt"
	"strings"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cmdline"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/keystore"
)

// Config keys stsmfa writes into a source's config section.
const (
	KeyBackend = "stsmfa_backend"     // the store holding the keys (session.KeyBackend)
	KeyCreated = "stsmfa_key_created" // when AWS made the key, RFC 3339, when known
	KeyMaxAge  = "stsmfa_key_max_age" // status warns past it (default 90 days)
	keyProcess = "credential_process"
	keyID      = "aws_access_key_id"
	keySecret  = "aws_secret_access_key"
)

// DefaultMaxAge is AWS's recommendation: rotate access keys every 90 days.
const DefaultMaxAge = 90 * 24 * time.Hour

// Env is what the key commands need from the program.
type Env struct {
	Editor *awsfile.Editor
	// Open opens a key store by name ("" = the OS's own).
	Open func(name string) (keystore.Backend, error)
	// Process is the credential_process line that serves profile through stsmfa's MFA session
	// ("/abs/stsmfa credential-process --profile P"), "" to write none.
	Process func(profile string) (string, error)
	Now     func() time.Time
	Info    func(string)
	Debugf  func(string, ...any)
	// Step is called after each step that changed something (tests kill the process there).
	Step func(name string)
}

func (e *Env) step(name string) {
	if e.Step != nil {
		e.Step(name)
	}
}

func (e *Env) info(format string, args ...any) {
	if e.Info != nil {
		e.Info(fmt.Sprintf(format, args...))
	}
}

func (e *Env) debugf(format string, args ...any) {
	if e.Debugf != nil {
		e.Debugf(format, args...)
	}
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// files are the two AWS files as last read.
type files struct {
	credPath, confPath string
	creds, conf        *awsfile.File
}

func load() (*files, error) {
	f := &files{}
	var err error
	if f.credPath, err = awsfile.CredentialsPath(); err != nil {
		return nil, fault.FilesCause(err)
	}
	if f.confPath, err = awsfile.ConfigPath(); err != nil {
		return nil, fault.FilesCause(err)
	}
	if f.creds, err = awsfile.Load(f.credPath, awsfile.Credentials); err != nil {
		return nil, fault.FilesCause(err)
	}
	if f.conf, err = awsfile.Load(f.confPath, awsfile.Config); err != nil {
		return nil, fault.FilesCause(err)
	}
	return f, nil
}

// plain is the profile's key pair in the credentials file (zero when it has none).
func plain(creds *awsfile.File, profile string) keystore.Item {
	id, _ := creds.Get(profile, keyID)
	secret, _ := creds.Get(profile, keySecret)
	return keystore.Item{AccessKeyID: strings.TrimSpace(id), SecretAccessKey: strings.TrimSpace(secret)}
}

// BackendOf is the store the profile's config names, "" when none.
func BackendOf(conf *awsfile.File, profile string) string {
	v, _ := conf.Get(profile, KeyBackend)
	return strings.TrimSpace(v)
}

// Created is when AWS made the profile's key, as stsmfa recorded it (zero when unknown).
func Created(conf *awsfile.File, profile string) time.Time {
	v, _ := conf.Get(profile, KeyCreated)
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}
	}
	return t
}

// checkLongTerm refuses what is not an IAM user's long-term key pair.
func checkLongTerm(it keystore.Item, where string) error {
	if !it.Valid() {
		return fault.FilesErr("%s has no aws_access_key_id/aws_secret_access_key pair", where)
	}
	if cred.IsSessionKey(it.AccessKeyID) {
		return fault.FilesErr("%s holds temporary session credentials (%s), not an IAM user's long-term keys", where, cred.MaskKey(it.AccessKeyID))
	}
	return nil
}

// ourProcess reports whether a credential_process line is stsmfa's for profile.
func ourProcess(line, profile string) bool {
	p, ok := cmdline.ProcessProfile(line)
	return ok && p == profile
}

// setConfig records in the profile's config section where its keys are and how the AWS tools get
// its MFA session; it refuses to replace another credential_process.
func setConfig(e *Env, f *files, profile, backend, line string, created time.Time) error {
	return e.Editor.Update(f.confPath, awsfile.Config, func(conf *awsfile.File) error {
		if err := conf.Set(profile, KeyBackend, backend); err != nil {
			return fault.FilesCause(err)
		}
		if !created.IsZero() {
			if err := conf.Set(profile, KeyCreated, created.UTC().Format(time.RFC3339)); err != nil {
				return fault.FilesCause(err)
			}
		}
		if old, ok := conf.Get(profile, keyProcess); line != "" && (!ok || ourProcess(old, profile)) && old != line {
			if err := conf.Set(profile, keyProcess, line); err != nil {
				return fault.FilesCause(err)
			}
		}
		return nil
	})
}

// processLine is the credential_process line for profile ("" when the program writes none).
func processLine(e *Env, profile string) (string, error) {
	if e.Process == nil {
		return "", nil
	}
	return e.Process(profile)
}

// checkConfig refuses a profile whose config would fight the move: another credential_process.
func checkConfig(f *files, profile string) error {
	if old, ok := f.conf.Get(profile, keyProcess); ok && !ourProcess(old, profile) {
		return fault.FilesErr("profile %q in %s already has a credential_process (line %d) that is not stsmfa's for it; remove it first: the AWS tools get the MFA session of %s through stsmfa's own", profile, f.confPath, f.conf.Line(profile, keyProcess), profile)
	}
	if _, ok := f.conf.Get(profile, "role_arn"); ok {
		return fault.FilesErr("profile %q in %s is a role profile (role_arn); move the keys of its source profile instead", profile, f.confPath)
	}
	return nil
}

// store writes it to b and reads it back: only an item that reads back equal counts as stored.
func store(b keystore.Backend, profile string, it keystore.Item) error {
	if err := b.Set(profile, it); err != nil {
		return err
	}
	got, err := b.Get(profile)
	if err != nil {
		return fault.New(fault.Files, fault.FieldBackend, err, "wrote the keys of profile %s to %s but cannot read them back: %v; they stay where they were", profile, b.Name(), err)
	}
	if got.AccessKeyID != it.AccessKeyID || got.SecretAccessKey != it.SecretAccessKey {
		return fault.New(fault.Files, fault.FieldBackend, nil, "%s gave back other keys for profile %s than were written (%s); they stay where they were", b.Name(), profile, cred.MaskKey(got.AccessKeyID))
	}
	return nil
}
