package usedcode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStepRecord(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	if r := Load(testSerial); r != nil || r.Used(testSerial, "123456", time.Now()) {
		t.Fatalf("no record yet: %+v", r)
	}
	had := time.Unix(1_800_000_015, 0) // 15s into step 60000000
	if err := Save(nil, testSerial, "123456", had, had.Add(time.Second), false); err != nil {
		t.Fatal(err)
	}
	path, _ := stepsPath(testSerial)
	if filepath.Dir(path) != filepath.Join(cache, "stsmfa", "steps") {
		t.Errorf("record at %s", path)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("record mode %v %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "123456") || !strings.Contains(string(b), `"step":60000000`) {
		t.Errorf("record %s", b)
	}
	r := Load(testSerial)
	for _, c := range []struct {
		code string
		at   time.Time
		want bool
	}{
		{"123456", had, true},
		{"123456", had.Add(25 * time.Second), true}, // the next step: AWS still refuses it
		{"123456", had.Add(2 * 30 * time.Second), true},
		{"123456", had.Add(-30 * time.Second), true},
		{"123456", had.Add(3 * 30 * time.Second), false}, // six equal digits much later: another code
		{"654321", had, false},
	} {
		if got := r.Used(testSerial, c.code, c.at); got != c.want {
			t.Errorf("used(%s at %+ds) = %v", c.code, c.at.Unix()-had.Unix(), got)
		}
	}
	if r.Used("arn:aws:iam::123456789012:mfa/other", "123456", had) {
		t.Error("another device's code")
	}
	if other, _ := stepsPath("arn:aws:iam::123456789012:mfa/other"); other == path {
		t.Error("two devices share a record")
	}
	// each record has its own salt: the same code twice gives another hash
	if err := Save(nil, testSerial, "123456", had, had, true); err != nil {
		t.Fatal(err)
	}
	r2 := Load(testSerial)
	if r2.Hash == r.Hash || !r2.Maybe || !strings.Contains(r2.How(), "may have taken it") || !r2.Used(testSerial, "123456", had) {
		t.Errorf("second record %+v", r2)
	}
	// a damaged record is no record
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if Load(testSerial) != nil {
		t.Error("damaged record read")
	}
}

const testSerial = "arn:aws:iam::123456789012:mfa/phone"
