// Package totp computes RFC 6238 time-based one-time passwords the way AWS
// virtual MFA devices do: HMAC-SHA1, a 30-second step and 6 digits, with the
// shared secret given as a base32 string (AWS "Base32StringSeed": no padding,
// any letter case).
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Step is the length of one TOTP time step.
const Step = 30 * time.Second

// Digits is the number of digits in a code.
const Digits = 6

// Code returns the 6-digit code for the step containing t.
func Code(base32Secret string, t time.Time) (string, error) {
	return CodeAt(base32Secret, Counter(t))
}

// Counter returns the TOTP time step number of t (Unix seconds / 30).
func Counter(t time.Time) int64 {
	u := t.Unix()
	c := u / 30
	if u < 0 && u%30 != 0 {
		c-- // floor for times before 1970
	}
	return c
}

// CodeAt returns the 6-digit code for the given step counter.
func CodeAt(base32Secret string, counter int64) (string, error) {
	key, err := DecodeSecret(base32Secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(counter)), nil
}

// DecodeSecret decodes a base32 secret: case-insensitive, padding optional,
// spaces and dashes (as sometimes shown to users) ignored.
func DecodeSecret(base32Secret string) ([]byte, error) {
	s := strings.ToUpper(base32Secret)
	s = strings.NewReplacer(" ", "", "-", "", "=", "").Replace(s)
	if s == "" {
		return nil, errors.New("totp: empty secret")
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("totp: secret is not valid base32: %w", err)
	}
	return key, nil
}

func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", bin%1000000)
}

// NewSecret returns a random 40-character base32 secret (200 bits), the
// length AWS uses for virtual MFA seeds.
func NewSecret() string {
	var b [25]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("totp: crypto/rand failed: " + err.Error())
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}
