package usedcode

import (
	"encoding/hex"
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
	if strings.Contains(string(b), "123456") || !strings.Contains(string(b), `"codes":[{"step":60000000`) {
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
	e2 := r2.Find(testSerial, "123456", had)
	if len(r2.Codes) != 1 || e2 == nil || e2.Hash == r.Codes[0].Hash || !e2.Maybe || !strings.Contains(e2.How(), "may have taken it") {
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

// Every code of the window is kept: a second, mistyped code in the same step does not erase the first
// one's mark (it did when the record held one code per device); a code proved unused is forgotten;
// codes more than two steps older than the newest go; the one-code record of earlier versions is read.
func TestRecordKeepsEveryCode(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	had := time.Unix(1_800_000_015, 0)
	if err := Save(nil, testSerial, "111111", had, had, true); err != nil {
		t.Fatal(err)
	}
	if err := Save(nil, testSerial, "222222", had.Add(5*time.Second), had.Add(5*time.Second), true); err != nil {
		t.Fatal(err)
	}
	r := Load(testSerial)
	if !r.Used(testSerial, "111111", had) || !r.Used(testSerial, "222222", had) || len(r.Codes) != 2 {
		t.Fatalf("two codes of one step: %+v", r)
	}
	if err := Forget(nil, testSerial, "222222", had); err != nil {
		t.Fatal(err)
	}
	if r := Load(testSerial); !r.Used(testSerial, "111111", had) || r.Used(testSerial, "222222", had) {
		t.Fatalf("after forgetting 222222: %+v", r)
	}
	later := had.Add(3 * 30 * time.Second)
	if err := Save(nil, testSerial, "333333", later, later, false); err != nil {
		t.Fatal(err)
	}
	if r := Load(testSerial); len(r.Codes) != 1 || !r.Used(testSerial, "333333", later) {
		t.Fatalf("old steps kept: %+v", r)
	}
	path, _ := stepsPath(testSerial)
	salt := "00112233445566778899aabbccddeeff"
	saltb, _ := hex.DecodeString(salt)
	old := `{"step":60000000,"at":"2027-01-15T08:00:15Z","salt":"` + salt + `","hash":"` + codeHash(saltb, testSerial, "444444") + `"}`
	os.WriteFile(path, []byte(old), 0o600)
	if !Load(testSerial).Used(testSerial, "444444", had) {
		t.Fatal("the one-code record of earlier versions is not read")
	}
}

const testSerial = "arn:aws:iam::123456789012:mfa/phone"
