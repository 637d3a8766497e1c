// Package usedcode is the record of MFA codes AWS took: per device, the time step and a salted hash
// of the last code AWS accepted (or may have taken), so that stsmfa never sends a code AWS would
// refuse as used.
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

// AWS accepts each MFA code once. To never send one it will refuse as already used, stsmfa remembers,
// per MFA device, the last code AWS accepted (or may have taken, when no answer came): its 30-second
// time step and a salted hash of the code, never the code itself, in
// $XDG_CACHE_HOME/stsmfa/steps/<sha256(serial)[:32]>.json (0600, written atomically).
//
// The step alone cannot tell a used code from a fresh one: an authenticator app's clock may run a step
// ahead of this computer's, and a code is accepted up to a step late. The hash can: a code equal to
// the one just accepted, within two steps of it, is the same code. A hash of six digits hides nothing
// from someone who can read the file (a million guesses), and it need not: the code is spent once AWS
// took it. It is there so that no code is ever written out as such.

// window is how many steps apart an equal code is still the same code (AWS accepts a code up to
// a step early or late); beyond it six equal digits are a coincidence of a later step.
const window = 2

// Record is what is remembered of the last code AWS accepted for one MFA device.
type Record struct {
	Step  int64     `json:"step"`                  // floor(unix time / 30) when the code was had
	At    time.Time `json:"at"`                    // when AWS accepted it (or may have)
	Maybe bool      `json:"maybe_spent,omitempty"` // no answer came: AWS may have taken it
	Salt  string    `json:"salt"`
	Hash  string    `json:"hash"` // hex HMAC-SHA256(salt, serial NUL code)
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
	var r Record
	if json.Unmarshal(b, &r) != nil || r.Hash == "" {
		return nil
	}
	return &r
}

// Save remembers that AWS accepted (or, with maybe, may have taken) code for serial; had is when
// the code was had, at when AWS answered.
func Save(ed *awsfile.Editor, serial, code string, had, at time.Time, maybe bool) error {
	path, err := stepsPath(serial)
	if err != nil {
		return err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	r := Record{Step: StepOf(had), At: at.UTC().Truncate(time.Second), Maybe: maybe,
		Salt: hex.EncodeToString(salt), Hash: codeHash(salt, serial, code)}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if ed == nil {
		ed = &awsfile.Editor{}
	}
	return ed.ReplaceWhole(path, func([]byte) ([]byte, error) { return append(b, '\n'), nil })
}

// Used reports whether code is the code this record remembers, had at now.
func (r *Record) Used(serial, code string, now time.Time) bool {
	if r == nil {
		return false
	}
	if d := StepOf(now) - r.Step; d > window || d < -window {
		return false
	}
	salt, err := hex.DecodeString(r.Salt)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(codeHash(salt, serial, code)), []byte(r.Hash))
}

// State is "was already used", or "may already be spent" when no answer came.
func (r *Record) State() string {
	if r.Maybe {
		return "may already be spent"
	}
	return "was already used"
}

// How says how AWS took the code, for messages: "AWS accepted it at 09:14:03" or "AWS may have
// taken it at 09:14:03 (no answer came)".
func (r *Record) How() string {
	at := r.At.Local().Format("15:04:05")
	if r.Maybe {
		return "AWS may have taken it at " + at + " (no answer came)"
	}
	return "AWS accepted it at " + at
}
