package awsfile

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchSet sets one profile's three keys in an n-profile credentials file through Editor.Update
// (lock, read, parse, edit, atomic write with fsync).
func benchSet(b *testing.B, e Editor, n int) {
	dir := b.TempDir()
	p := filepath.Join(dir, "credentials")
	data := bigCredentials(n)
	if err := writeFileB(p, data); err != nil {
		b.Fatal(err)
	}
	target := "profile-" + pad5(n/2)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := strconv.Itoa(i)
		err := e.Update(p, Credentials, func(f *File) error {
			if err := f.Set(target, "aws_access_key_id", "ASIA"+v); err != nil {
				return err
			}
			if err := f.Set(target, "aws_secret_access_key", "secret"+v); err != nil {
				return err
			}
			return f.Set(target, "aws_session_token", "token"+v)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func pad5(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

func benchParse(b *testing.B, n int) {
	data := bigCredentials(n)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("bench", Credentials, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetProfile1k(b *testing.B)  { benchSet(b, Editor{}, 1000) }
func BenchmarkSetProfile10k(b *testing.B) { benchSet(b, Editor{}, 10000) }
func BenchmarkSetProfile30k(b *testing.B) { benchSet(b, Editor{}, 30000) }

// NoSync variants: the same without fsync (file and directory), to separate CPU from disk cost.
func BenchmarkSetProfile10kNoSync(b *testing.B) {
	benchSet(b, Editor{hooks: hooks{skipSync: true}}, 10000)
}

func BenchmarkParse1k(b *testing.B)  { benchParse(b, 1000) }
func BenchmarkParse10k(b *testing.B) { benchParse(b, 10000) }
func BenchmarkParse30k(b *testing.B) { benchParse(b, 30000) }

// BenchmarkReadFile10k is os.ReadFile of a 10,000-profile file (Load's own read, readWhole, maps
// memory it never returns, so it is timed whole-process by bench/run.sh instead).
func BenchmarkReadFile10k(b *testing.B) {
	p := filepath.Join(b.TempDir(), "credentials")
	if err := writeFileB(p, bigCredentials(10000)); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan10k is scan alone (no read) of a 10,000-profile file.
func BenchmarkScan10k(b *testing.B) {
	s := string(bigCredentials(10000))
	b.SetBytes(int64(len(s)))
	for i := 0; i < b.N; i++ {
		if scan("bench", Credentials, s, nil) == nil {
			b.Fatal("scan gave up")
		}
	}
}
