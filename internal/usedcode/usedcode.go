// Package usedcode is the record of MFA codes AWS took or may have taken: per device, every code of
// the current and adjacent 30-second time steps, each as its step and a salted hash, never the code
// itself. stsmfa records a code as "maybe spent" before the request carrying it leaves, marks it
// accepted when AWS answers, and forgets it only when the answer proves AWS never used it — so a
// signal or a kill while a code is in flight can never lead to the same code being sent again.
package usedcode

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/state"
)

// The record lives in $XDG_CACHE_HOME/stsmfa/steps/<sha256(serial)[:32]>.json (0600, written
// atomically under the file's lock, so processes adding codes at once keep each other's).
//
// The step alone cannot tell a used code from a fresh one: an authenticator app's clock may run a step
// ahead of this computer's, and a code is accepted up to a step late. The hash can: a code equal to
// one recorded within two steps is the same code. A hash of six digits hides nothing from someone who
// can read the file (a million guesses), and it need not: the code is spent once AWS took it. It is
// there so that no code is ever written out as such.

// window is how many steps apart an equal code is still the same code (AWS accepts a code up to a step
// early or late); beyond it six equal digits are a coincidence of a later step, and the entry is
// dropped.
const window = 2

// Entry is one code AWS took or may have taken.
type Entry struct {
	Step  int64     `json:"step"`                  // floor(unix time / 30) when the code was had
	At    time.Time `json:"at"`                    // when it was sent, or when AWS accepted it
	Maybe bool      `json:"maybe_spent,omitempty"` // sent, and no answer (yet) said whether AWS took it
	Salt  string    `json:"salt"`
	Hash  string    `json:"hash"` // hex HMAC-SHA256(salt, serial NUL code)
}

// Record is every code of one MFA device within the window of the last one recorded.
type Record struct {
	Codes []Entry `json:"codes"`
}

// StepOf is the 30-second TOTP time step of t.
func StepOf(t time.Time) int64 { return t.Unix() / 30 }

func stepsPath(serial string) (string, error) {
	dir, err := state.Dir("steps")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(serial))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".json"), nil
}

func codeHash(salt []byte, serial, code string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(serial + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// decode reads a record; the one-code form of earlier versions ({"step":…,"hash":…}) is one entry.
func decode(b []byte) *Record {
	var r Record
	if json.Unmarshal(b, &r) == nil && len(r.Codes) > 0 {
		return &r
	}
	var one Entry
	if json.Unmarshal(b, &one) == nil && one.Hash != "" {
		return &Record{Codes: []Entry{one}}
	}
	return nil
}

// Load is the record for serial, or nil when there is none (or it cannot be read: the record only
// saves a wasted call, so its absence is never an error).
func Load(serial string) *Record {
	path, err := stepsPath(serial)
	if err != nil {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return decode(b)
}

// Save records code for serial: with maybe, as sent with no answer yet (call it before the request
// leaves); else as accepted by AWS. had is when the code was had, at when it was sent or accepted.
// The other codes of the window stay.
func Save(ed *awsfile.Editor, serial, code string, had, at time.Time, maybe bool) error {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	e := Entry{Step: StepOf(had), At: at.UTC().Truncate(time.Second), Maybe: maybe,
		Salt: hex.EncodeToString(salt), Hash: codeHash(salt, serial, code)}
	return edit(ed, serial, had, func(codes []Entry) []Entry {
		return append(without(codes, serial, code, had), e)
	})
}

// Forget drops code from serial's record: the answer proved AWS never used it (the request never
// left, or was refused before any code was looked at).
func Forget(ed *awsfile.Editor, serial, code string, had time.Time) error {
	return edit(ed, serial, had, func(codes []Entry) []Entry { return without(codes, serial, code, had) })
}

// edit changes the record under its lock: the entries outside the window of had go, then fn.
func edit(ed *awsfile.Editor, serial string, had time.Time, fn func([]Entry) []Entry) error {
	path, err := stepsPath(serial)
	if err != nil {
		return err
	}
	if ed == nil {
		ed = &awsfile.Editor{}
	}
	return ed.ReplaceWhole(path, func(old []byte) ([]byte, error) {
		var codes []Entry
		if r := decode(old); r != nil {
			for _, c := range r.Codes {
				if d := StepOf(had) - c.Step; d <= window && d >= -window {
					codes = append(codes, c)
				}
			}
		}
		b, err := json.Marshal(Record{Codes: fn(codes)})
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	})
}

// without is codes less the entry of code (had at had), if any.
func without(codes []Entry, serial, code string, had time.Time) []Entry {
	out := codes[:0:0]
	for _, c := range codes {
		if !c.is(serial, code, had) {
			out = append(out, c)
		}
	}
	return out
}

func (e Entry) is(serial, code string, now time.Time) bool {
	if d := StepOf(now) - e.Step; d > window || d < -window {
		return false
	}
	salt, err := hex.DecodeString(e.Salt)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(codeHash(salt, serial, code)), []byte(e.Hash))
}

// Find is the entry of code had at now, or nil: the code AWS took (or may have taken) already.
func (r *Record) Find(serial, code string, now time.Time) *Entry {
	if r == nil {
		return nil
	}
	for i := len(r.Codes) - 1; i >= 0; i-- {
		if r.Codes[i].is(serial, code, now) {
			return &r.Codes[i]
		}
	}
	return nil
}

// Used reports whether code, had at now, was taken (or may have been taken) already.
func (r *Record) Used(serial, code string, now time.Time) bool {
	return r.Find(serial, code, now) != nil
}

// State is "was already used", or "may already be spent" when no answer said.
func (e *Entry) State() string {
	if e.Maybe {
		return "may already be spent"
	}
	return "was already used"
}

// How says how AWS took the code, for messages: "AWS accepted it at 09:14:03" or "it was sent at
// 09:14:03 and no answer said whether AWS took it".
func (e *Entry) How() string {
	at := e.At.Local().Format("15:04:05")
	if e.Maybe {
		return "AWS may have taken it at " + at + " (no answer came)"
	}
	return "AWS accepted it at " + at
}
