package keys

import (
	"errors"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/keystore"
)

// Import moves the profile's long-term keys from the credentials file into the store: written, read
// back and compared, the config told (stsmfa_backend, credential_process), and only then removed
// from the file. Run again after a kill, it finishes what is left.
func Import(e *Env, profile, backend string) error {
	f, err := load()
	if err != nil {
		return err
	}
	it := plain(f.creds, profile)
	if !it.Valid() {
		if b := BackendOf(f.conf, profile); b != "" {
			e.info("the keys of profile %s are already in %s", profile, b)
			return nil
		}
		if !f.creds.HasProfile(profile) {
			return fault.FilesErr("profile %q not found in %s; put the keys straight into a store with: stsmfa keys add --profile %s", profile, f.credPath, profile)
		}
	}
	if err := checkLongTerm(it, "profile "+profile+" in "+f.credPath); err != nil {
		return err
	}
	if tok, _ := f.creds.Get(profile, "aws_session_token"); tok != "" {
		return fault.FilesErr("profile %q in %s holds a session token: those are session credentials, not long-term keys", profile, f.credPath)
	}
	if err := checkConfig(f, profile); err != nil {
		return err
	}
	line, err := processLine(e, profile)
	if err != nil {
		return err
	}
	if backend == "" {
		backend = BackendOf(f.conf, profile)
	}
	b, err := e.Open(backend)
	if err != nil {
		return err
	}
	if old, err := b.Get(profile); err == nil {
		// a key of this profile already stored: the same one (a run that was cut short) or an
		// older one that this import replaces; either way the file's key is the one in use
		e.debugf("%s already holds key %s of profile %s", b.Name(), cred.MaskKey(old.AccessKeyID), profile)
	} else if !errors.Is(err, keystore.ErrNotFound) {
		return err
	}
	it.Created = Created(f.conf, profile)
	if err := store(b, profile, it); err != nil {
		return err
	}
	e.step("stored")
	if err := setConfig(e, f, profile, b.Name(), line, time.Time{}); err != nil {
		return err
	}
	e.step("config")
	// the file may have changed since it was read: remove only the pair that was stored
	err = e.Editor.Update(f.credPath, awsfile.Credentials, func(creds *awsfile.File) error {
		now := plain(creds, profile)
		if now.AccessKeyID != it.AccessKeyID || now.SecretAccessKey != it.SecretAccessKey {
			return fault.FilesErr("the keys of profile %q in %s changed while they were imported; nothing was removed from the file: run stsmfa keys import again", profile, f.credPath)
		}
		creds.Delete(profile, keyID)
		creds.Delete(profile, keySecret)
		return nil
	})
	if err != nil {
		return fault.FilesCause(err)
	}
	e.step("removed")
	var copies []string
	for _, p := range f.creds.ProfilesWithKey(keyID) {
		if p != profile && plain(f.creds, p).AccessKeyID == it.AccessKeyID {
			copies = append(copies, p)
		}
	}
	e.info("moved the keys of profile %s (%s) from %s into %s", profile, cred.MaskKey(it.AccessKeyID), f.credPath, b.Name())
	for _, p := range copies {
		e.info("warning: profile %s in %s holds the same key in plaintext; remove it, or import it too", p, f.credPath)
	}
	return nil
}

// Export puts the profile's keys back into the credentials file, in plaintext, and then removes them
// from the store: written, read back and compared, the store's copy deleted, and then the config's
// marker and stsmfa's credential_process removed.
func Export(e *Env, profile, backend string) error {
	f, err := load()
	if err != nil {
		return err
	}
	if backend == "" {
		backend = BackendOf(f.conf, profile)
	}
	if backend == "" {
		if plain(f.creds, profile).Valid() {
			e.info("the keys of profile %s are in %s already", profile, f.credPath)
			return nil
		}
		return fault.New(fault.Files, fault.FieldBackend, nil, "profile %q names no key store (no %s in %s)", profile, KeyBackend, f.confPath)
	}
	b, err := e.Open(backend)
	if err != nil {
		return err
	}
	it, err := b.Get(profile)
	if errors.Is(err, keystore.ErrNotFound) {
		if plain(f.creds, profile).Valid() { // a run cut short after the file got them
			it = plain(f.creds, profile)
		} else {
			return fault.FilesErr("%s holds no keys for profile %q, and %s has none either", b.Name(), profile, f.credPath)
		}
	} else if err != nil {
		return err
	}
	if cur := plain(f.creds, profile); cur.Valid() && cur.AccessKeyID != it.AccessKeyID {
		return fault.FilesErr("profile %q in %s holds another key (%s) than %s (%s); remove one of them first", profile, f.credPath, cred.MaskKey(cur.AccessKeyID), b.Name(), cred.MaskKey(it.AccessKeyID))
	}
	err = e.Editor.Update(f.credPath, awsfile.Credentials, func(creds *awsfile.File) error {
		if err := creds.Set(profile, keyID, it.AccessKeyID); err != nil {
			return fault.FilesCause(err)
		}
		return fault.FilesCause(creds.Set(profile, keySecret, it.SecretAccessKey))
	})
	if err != nil {
		return fault.FilesCause(err)
	}
	back, err := awsfile.Load(f.credPath, awsfile.Credentials)
	if err != nil || plain(back, profile) != (keystore.Item{AccessKeyID: it.AccessKeyID, SecretAccessKey: it.SecretAccessKey}) {
		return fault.FilesErr("wrote the keys of profile %q to %s but they do not read back the same; %s keeps them", profile, f.credPath, b.Name())
	}
	e.step("written")
	// the store's copy goes before the marker: a run killed in between is finished by the next one,
	// which still finds the marker
	if err := b.Delete(profile); err != nil {
		return err
	}
	e.step("deleted")
	err = e.Editor.Update(f.confPath, awsfile.Config, func(conf *awsfile.File) error {
		conf.Delete(profile, KeyBackend)
		if line, ok := conf.Get(profile, keyProcess); ok && ourProcess(line, profile) {
			conf.Delete(profile, keyProcess)
		}
		return nil
	})
	if err != nil {
		return fault.FilesCause(err)
	}
	e.step("config")
	e.info("put the keys of profile %s (%s) back into %s, in plaintext, and removed them from %s", profile, cred.MaskKey(it.AccessKeyID), f.credPath, b.Name())
	return nil
}

// Add stores keys a person typed (or the environment gave), after check (GetCallerIdentity) accepted
// them.
func Add(e *Env, profile, backend string, it keystore.Item, check func(keystore.Item) (cred.Identity, error)) error {
	f, err := load()
	if err != nil {
		return err
	}
	if cur := plain(f.creds, profile); cur.AccessKeyID != "" {
		return fault.FilesErr("profile %q in %s holds keys in plaintext already (%s); move them with: stsmfa keys import --profile %s", profile, f.credPath, cred.MaskKey(cur.AccessKeyID), profile)
	}
	if err := checkLongTerm(it, "the keys given"); err != nil {
		return fault.UsageErr("%v", err)
	}
	if err := checkConfig(f, profile); err != nil {
		return err
	}
	line, err := processLine(e, profile)
	if err != nil {
		return err
	}
	id, err := check(it)
	if err != nil {
		return err
	}
	e.debugf("AWS accepts key %s: %s", cred.MaskKey(it.AccessKeyID), id.Arn)
	if backend == "" {
		backend = BackendOf(f.conf, profile)
	}
	b, err := e.Open(backend)
	if err != nil {
		return err
	}
	if err := store(b, profile, it); err != nil {
		return err
	}
	e.step("stored")
	if err := setConfig(e, f, profile, b.Name(), line, time.Time{}); err != nil {
		return err
	}
	e.step("config")
	e.info("stored the keys of %s (%s) for profile %s in %s", id.Arn, cred.MaskKey(it.AccessKeyID), profile, b.Name())
	return nil
}

// Remove deletes the profile's keys from the store. It refuses when the store holds the only copy
// unless force: a long-term key is never lost by accident.
func Remove(e *Env, profile, backend string, force bool) error {
	f, err := load()
	if err != nil {
		return err
	}
	if backend == "" {
		backend = BackendOf(f.conf, profile)
	}
	if backend == "" {
		return fault.New(fault.Files, fault.FieldBackend, nil, "profile %q names no key store (no %s in %s)", profile, KeyBackend, f.confPath)
	}
	b, err := e.Open(backend)
	if err != nil {
		return err
	}
	it, err := b.Get(profile)
	if errors.Is(err, keystore.ErrNotFound) {
		e.info("%s holds no keys for profile %s", b.Name(), profile)
	} else if err != nil && !force {
		return err
	}
	if cur := plain(f.creds, profile); err == nil && !force && cur.AccessKeyID != it.AccessKeyID {
		return fault.New(fault.Usage, fault.FieldNone, nil, "%s holds the only copy of the keys of profile %s (%s); put them back with: stsmfa keys export --profile %s, or delete them for good with: stsmfa keys remove --force --profile %s", b.Name(), profile, cred.MaskKey(it.AccessKeyID), profile, profile)
	}
	if err := b.Delete(profile); err != nil {
		return err
	}
	e.step("deleted")
	if BackendOf(f.conf, profile) == b.Name() {
		err = e.Editor.Update(f.confPath, awsfile.Config, func(conf *awsfile.File) error {
			conf.Delete(profile, KeyBackend)
			if line, ok := conf.Get(profile, keyProcess); ok && ourProcess(line, profile) && !plain(f.creds, profile).Valid() {
				conf.Delete(profile, keyProcess)
			}
			return nil
		})
		if err != nil {
			return fault.FilesCause(err)
		}
	}
	e.info("removed the keys of profile %s from %s", profile, b.Name())
	return nil
}

// Entry is one source in List.
type Entry struct {
	Profile string
	Backend string // a store's name, or "plaintext" (the credentials file)
	KeyID   string // masked
	Created time.Time
	Err     string
}

// List names every profile whose keys are in a store or in the credentials file, with the key (masked)
// and when AWS made it where known. Stores are opened once each.
func List(e *Env) ([]Entry, error) {
	f, err := load()
	if err != nil {
		return nil, err
	}
	var out []Entry
	seen := map[string]bool{}
	open := map[string]keystore.Backend{}
	openErr := map[string]error{}
	for _, p := range f.conf.ProfilesWithKey(KeyBackend) {
		name := BackendOf(f.conf, p)
		if name == "" || plain(f.creds, p).Valid() {
			continue
		}
		seen[p] = true
		en := Entry{Profile: p, Backend: name, Created: Created(f.conf, p)}
		b, ok := open[name]
		if !ok && openErr[name] == nil {
			if b, err = e.Open(name); err != nil {
				openErr[name] = err
			} else {
				open[name] = b
			}
		}
		if b == nil {
			en.Err = openErr[name].Error()
		} else if it, err := b.Get(p); err != nil {
			en.Err = err.Error()
		} else {
			en.KeyID = cred.MaskKey(it.AccessKeyID)
			if en.Created.IsZero() {
				en.Created = it.Created
			}
		}
		out = append(out, en)
	}
	for _, p := range f.creds.ProfilesWithKey(keyID) {
		it := plain(f.creds, p)
		if seen[p] || !it.Valid() || cred.IsSessionKey(it.AccessKeyID) {
			continue
		}
		if tok, _ := f.creds.Get(p, "aws_session_token"); tok != "" {
			continue
		}
		out = append(out, Entry{Profile: p, Backend: "plaintext", KeyID: cred.MaskKey(it.AccessKeyID), Created: Created(f.conf, p)})
	}
	return out, nil
}
