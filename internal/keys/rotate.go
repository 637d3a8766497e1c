package keys

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	"github.com/stsmfa/stsmfa/internal/keystore"
	"github.com/stsmfa/stsmfa/internal/state"
)

// IAM is what rotate asks of AWS, for the caller's own user, signed with the MFA session.
type IAM interface {
	ListAccessKeys(ctx context.Context) ([]cred.AccessKey, error)
	CreateAccessKey(ctx context.Context) (cred.AccessKey, error)
	DeleteAccessKey(ctx context.Context, id string) error
}

// Rotation is what Rotate needs besides Env.
type Rotation struct {
	Profile string
	IAM     IAM
	// Accepts calls GetCallerIdentity signed with the key (a new key takes seconds to work).
	Accepts func(ctx context.Context, it keystore.Item) error
	// Wait bounds the wait for a new key to work (default 2m); the first retry comes after Backoff
	// (default 1s), each next after twice as long, at most 16s.
	Wait, Backoff time.Duration
}

// journal is rotate's record, written before each step that AWS or the store would remember: a run
// killed between two steps is finished (or undone) by the next. It holds key ids, never a secret.
type journal struct {
	Profile string    `json:"profile"`
	Started time.Time `json:"started"`
	Old     string    `json:"old"`
	Before  []string  `json:"before"` // the user's keys before CreateAccessKey
	New     string    `json:"new,omitempty"`
	Step    string    `json:"step"` // begun, created, stored
}

func journalPath(credPath, profile string) (string, error) {
	dir, err := state.Dir("keys")
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(credPath + "\x00" + profile))
	return filepath.Join(dir, "rotate-"+hex.EncodeToString(h[:16])+".json"), nil
}

func (e *Env) writeJournal(path string, j *journal) error {
	b, _ := json.MarshalIndent(j, "", "  ")
	if err := e.Editor.ReplaceWhole(path, func([]byte) ([]byte, error) { return append(b, '\n'), nil }); err != nil {
		return fault.New(fault.Files, fault.FieldNone, err, "cannot write the rotation journal %s: %v; nothing was changed in AWS", path, err)
	}
	return nil
}

func readJournal(path string) (*journal, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fault.FilesErr("cannot read the rotation journal %s: %v", path, err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fault.FilesErr("the rotation journal %s is damaged (%v); check the keys with stsmfa keys list and aws iam list-access-keys, then delete it", path, err)
	}
	return &j, nil
}

// place is where the profile's keys live: a store, or the credentials file (edited in place).
type place struct {
	e       *Env
	f       *files
	profile string
	b       keystore.Backend // nil: the credentials file
}

func (p *place) name() string {
	if p.b == nil {
		return p.f.credPath
	}
	return p.b.Name()
}

func (p *place) get() (keystore.Item, error) {
	if p.b != nil {
		return p.b.Get(p.profile)
	}
	creds, err := awsfile.Load(p.f.credPath, awsfile.Credentials)
	if err != nil {
		return keystore.Item{}, fault.FilesCause(err)
	}
	return plain(creds, p.profile), nil
}

// put stores the key (read back and compared) and records when AWS made it.
func (p *place) put(it keystore.Item) error {
	if p.b != nil {
		if err := store(p.b, p.profile, it); err != nil {
			return err
		}
	} else {
		err := p.e.Editor.Update(p.f.credPath, awsfile.Credentials, func(creds *awsfile.File) error {
			if err := creds.Set(p.profile, keyID, it.AccessKeyID); err != nil {
				return fault.FilesCause(err)
			}
			return fault.FilesCause(creds.Set(p.profile, keySecret, it.SecretAccessKey))
		})
		if err != nil {
			return fault.FilesCause(err)
		}
	}
	if it.Created.IsZero() {
		return nil
	}
	return fault.FilesCause(p.e.Editor.Update(p.f.confPath, awsfile.Config, func(conf *awsfile.File) error {
		return conf.Set(p.profile, KeyCreated, it.Created.UTC().Format(time.RFC3339))
	}))
}

func openPlace(e *Env, f *files, profile string) (*place, error) {
	p := &place{e: e, f: f, profile: profile}
	inFile := plain(f.creds, profile)
	backend := BackendOf(f.conf, profile)
	switch {
	case inFile.Valid() && backend != "":
		if b, err := e.Open(backend); err == nil {
			if it, err := b.Get(profile); err == nil && it.AccessKeyID == inFile.AccessKeyID {
				return nil, fault.FilesErr("the keys of profile %q are both in %s and in %s (an interrupted keys import?); finish it first: stsmfa keys import --profile %s", profile, f.credPath, backend, profile)
			}
		}
		return p, nil // the file's keys win, as they do for session
	case inFile.Valid():
		return p, nil
	case backend != "":
		b, err := e.Open(backend)
		if err != nil {
			return nil, err
		}
		p.b = b
		return p, nil
	}
	return nil, fault.FilesErr("profile %q has no long-term keys in %s and names no key store", profile, f.credPath)
}

// Rotate replaces the profile's access key with a new one: CreateAccessKey, store it, wait until AWS
// accepts it, DeleteAccessKey of the old one. An interrupted rotation is finished (or its orphan key
// deleted) first. The MFA session that signs the IAM calls stays valid.
func Rotate(ctx context.Context, e *Env, r Rotation) error {
	if r.Wait <= 0 {
		r.Wait = 2 * time.Minute
	}
	if r.Backoff <= 0 {
		r.Backoff = time.Second
	}
	f, err := load()
	if err != nil {
		return err
	}
	jpath, err := journalPath(f.credPath, r.Profile)
	if err != nil {
		return err
	}
	p, err := openPlace(e, f, r.Profile)
	if err != nil {
		return err
	}
	j, err := readJournal(jpath)
	if err != nil {
		return err
	}
	if j != nil {
		done, err := recoverRotation(ctx, e, r, p, j, jpath)
		if err != nil || done {
			return err
		}
	}
	cur, err := p.get()
	if err != nil {
		return err
	}
	if err := checkLongTerm(cur, fmt.Sprintf("profile %s in %s", r.Profile, p.name())); err != nil {
		return err
	}
	listed, err := r.IAM.ListAccessKeys(ctx)
	if err != nil {
		return err
	}
	var before []string
	found := false
	for _, k := range listed {
		before = append(before, k.ID)
		found = found || k.ID == cur.AccessKeyID
	}
	if !found {
		return fault.RefusedErr("AWS does not list the key of profile %s (%s) among the IAM user's access keys; is it the same user as the MFA session's?", r.Profile, cred.MaskKey(cur.AccessKeyID))
	}
	for _, k := range listed {
		if k.ID != cur.AccessKeyID {
			return fault.RefusedErr("the IAM user already has two access keys: %s of profile %s and %s (%s, created %s); IAM allows two, and stsmfa never deletes a key it did not make: delete the unused one yourself (aws iam delete-access-key), then rotate",
				cred.MaskKey(cur.AccessKeyID), r.Profile, cred.MaskKey(k.ID), activeWord(k.Active), k.Created.UTC().Format("2006-01-02"))
		}
	}
	j = &journal{Profile: r.Profile, Started: e.now().UTC().Truncate(time.Second), Old: cur.AccessKeyID, Before: before, Step: "begun"}
	if err := e.writeJournal(jpath, j); err != nil {
		return err
	}
	e.step("begun")
	nk, err := r.IAM.CreateAccessKey(ctx)
	if err != nil {
		if c := fault.Code(err); c == fault.Refused || c == fault.Usage {
			os.Remove(jpath) // AWS answered no: no key was made
		} else {
			// the answer was lost: AWS may have made a key whose secret nobody has; the journal
			// lets the next run find it (a key not listed before, made after Started) and delete it
			e.info("the answer to CreateAccessKey was lost, so AWS may have made a key; the next stsmfa keys rotate --profile %s finds and deletes it", r.Profile)
		}
		return err
	}
	j.New, j.Step = nk.ID, "created"
	if err := e.writeJournal(jpath, j); err != nil {
		undo(ctx, e, r, nk.ID)
		return err
	}
	e.step("created")
	if err := p.put(keystore.Item{AccessKeyID: nk.ID, SecretAccessKey: nk.Secret, Created: nk.Created}); err != nil {
		undo(ctx, e, r, nk.ID)
		os.Remove(jpath)
		return err
	}
	j.Step = "stored"
	e.writeJournal(jpath, j) // the store itself tells the next run that the new key was stored
	e.step("stored")
	if err := finish(ctx, e, r, p, j, jpath, keystore.Item{AccessKeyID: nk.ID, SecretAccessKey: nk.Secret}, &cur); err != nil {
		return err
	}
	e.info("rotated the key of profile %s: %s is in %s and works, %s is deleted; the MFA session stays in use", r.Profile, cred.MaskKey(nk.ID), p.name(), cred.MaskKey(cur.AccessKeyID))
	return nil
}

func activeWord(a bool) string {
	if a {
		return "active"
	}
	return "inactive"
}

// undo deletes a key stsmfa made whose secret will not be kept, and says so when it cannot.
func undo(ctx context.Context, e *Env, r Rotation, id string) {
	if err := r.IAM.DeleteAccessKey(ctx, id); err != nil {
		e.info("warning: could not delete the new key %s that stsmfa made and did not store (%v); delete it with: aws iam delete-access-key --access-key-id %s", cred.MaskKey(id), err, id)
		return
	}
	e.info("deleted the new key %s that stsmfa made and did not store", cred.MaskKey(id))
}

// finish waits until AWS accepts the new key, then deletes the old one. When the new key never works,
// the old one is put back (when its secret is known) and the new one deleted.
func finish(ctx context.Context, e *Env, r Rotation, p *place, j *journal, jpath string, nk keystore.Item, old *keystore.Item) error {
	deadline := time.Now().Add(r.Wait)
	delay := r.Backoff
	var lastErr error
	for {
		if lastErr = r.Accepts(ctx, nk); lastErr == nil {
			break
		}
		e.debugf("AWS does not accept the new key %s yet: %v", cred.MaskKey(nk.AccessKeyID), lastErr)
		if time.Now().Add(delay).After(deadline) || ctx.Err() != nil {
			if old != nil {
				if err := p.put(*old); err == nil {
					undo(ctx, e, r, nk.AccessKeyID)
					os.Remove(jpath)
				}
			}
			return fault.New(fault.Refused, fault.FieldNone, lastErr, "AWS did not accept the new key %s within %s (%v); the old key %s is still in use", cred.MaskKey(nk.AccessKeyID), r.Wait, lastErr, cred.MaskKey(j.Old))
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
		delay = min(delay*2, 16*time.Second)
	}
	e.step("accepted")
	if err := r.IAM.DeleteAccessKey(ctx, j.Old); err != nil {
		var fe *fault.Error
		if !(errors.As(err, &fe) && fe.Code == fault.Refused && isGone(ctx, r, j.Old)) {
			return fault.New(fault.Code(err), fault.FieldNone, err, "the new key %s is stored and works, but the old key %s could not be deleted: %v; run stsmfa keys rotate --profile %s again to finish", cred.MaskKey(nk.AccessKeyID), cred.MaskKey(j.Old), err, r.Profile)
		}
	}
	e.step("deleted")
	os.Remove(jpath)
	return nil
}

// isGone reports whether AWS no longer lists the key (deleted by a run that was killed after).
func isGone(ctx context.Context, r Rotation, id string) bool {
	keys, err := r.IAM.ListAccessKeys(ctx)
	return err == nil && !slices.ContainsFunc(keys, func(k cred.AccessKey) bool { return k.ID == id })
}

// recoverRotation finishes or undoes the rotation a journal records. done: nothing more to do.
func recoverRotation(ctx context.Context, e *Env, r Rotation, p *place, j *journal, jpath string) (bool, error) {
	cur, err := p.get()
	if err != nil {
		return false, err
	}
	e.info("finishing the rotation of profile %s interrupted at %s", r.Profile, j.Started.Local().Format("2006-01-02 15:04:05"))
	if j.New != "" && cur.AccessKeyID == j.New {
		// the new key was stored: wait for it, delete the old one (unless a previous run did)
		if err := finish(ctx, e, r, p, j, jpath, cur, nil); err != nil {
			return false, err
		}
		e.info("rotated the key of profile %s: %s is in %s and works, %s is deleted", r.Profile, cred.MaskKey(j.New), p.name(), cred.MaskKey(j.Old))
		return true, nil
	}
	// the new key's secret was never stored: a key stsmfa made, useless to anyone; delete it
	listed, err := r.IAM.ListAccessKeys(ctx)
	if err != nil {
		return false, err
	}
	for _, k := range listed {
		ours := k.ID == j.New || (j.New == "" && !slices.Contains(j.Before, k.ID) && !k.Created.Before(j.Started.Add(-time.Second)))
		if ours && k.ID != cur.AccessKeyID {
			undo(ctx, e, r, k.ID)
		}
	}
	os.Remove(jpath)
	return false, nil
}
