package totp

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA1 column; the key is the ASCII string
// "12345678901234567890". The 6-digit codes are the RFC's 8-digit values
// mod 10^6.
func TestRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	vectors := []struct {
		unix  int64
		eight string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, v := range vectors {
		want := v.eight[2:]
		got, err := Code(secret, time.Unix(v.unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Code(t=%d) = %s, want %s", v.unix, got, want)
		}
		// Lower case and padded forms decode the same.
		got2, err := Code(strings.ToLower(secret)+"====", time.Unix(v.unix, 0))
		if err != nil || got2 != want {
			t.Errorf("lower-case/padded secret: got %q, %v; want %s", got2, err, want)
		}
	}
}

func TestCounter(t *testing.T) {
	if c := Counter(time.Unix(59, 0)); c != 1 {
		t.Errorf("Counter(59) = %d", c)
	}
	if c := Counter(time.Unix(60, 0)); c != 2 {
		t.Errorf("Counter(60) = %d", c)
	}
	if c := Counter(time.Unix(-1, 0)); c != -1 {
		t.Errorf("Counter(-1) = %d", c)
	}
	s := NewSecret()
	tm := time.Unix(1234567890, 0)
	a, _ := Code(s, tm)
	b, _ := CodeAt(s, Counter(tm))
	if a != b {
		t.Errorf("Code and CodeAt disagree: %s vs %s", a, b)
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if len(a) != 40 || a == b {
		t.Fatalf("NewSecret: %q %q", a, b)
	}
	if _, err := DecodeSecret(a); err != nil {
		t.Fatal(err)
	}
	if strings.ToUpper(a) != a {
		t.Errorf("secret not upper case: %q", a)
	}
}

func TestBadSecret(t *testing.T) {
	for _, s := range []string{"", "not base32!", "1111"} {
		if _, err := Code(s, time.Now()); err == nil {
			t.Errorf("Code(%q): no error", s)
		} else if strings.ToLower(err.Error()[:1]) != err.Error()[:1] {
			t.Errorf("error not lower case: %v", err)
		}
	}
}
