package awsfile

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/testkit"
)

// TestMain doubles as the child process of the crash and concurrency tests.
func TestMain(m *testing.M) {
	switch os.Getenv("AWSFILE_TEST_CHILD") {
	case "":
		os.Exit(m.Run())
	case "loop":
		childLoop(os.Getenv("AWSFILE_TEST_PATH"))
	case "once":
		childOnce(os.Getenv("AWSFILE_TEST_PATH"), os.Getenv("AWSFILE_TEST_PROFILE"))
	}
	os.Exit(0)
}

const crashTemplate = "# crash test\r\n[default]\r\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\n\r\n[crash]\r\ncounter = 0\r\n; keep\r\n[after]\r\nx = y\r\n"

// crashEdit is what the child does for step n; the parent replays it to know the expected bytes.
func crashEdit(f *File, n int) error {
	if err := f.Set("crash", "counter", strconv.Itoa(n)); err != nil {
		return err
	}
	if n%3 == 0 {
		f.Delete("crash", "padding")
		return nil
	}
	return f.Set("crash", "padding", strings.Repeat("p", n%2000))
}

func childLoop(path string) {
	e := Editor{LockTimeout: time.Minute}
	for n := 1; ; n++ {
		err := e.Update(path, Credentials, func(f *File) error {
			cur, _ := f.Get("crash", "counter")
			c, _ := strconv.Atoi(cur)
			return crashEdit(f, c+1)
		})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		if n == 1 {
			fmt.Println("ready")
		}
	}
}

func childOnce(path, profile string) {
	e := Editor{LockTimeout: time.Minute}
	if err := e.Update(path, Credentials, func(f *File) error {
		if err := f.Set(profile, "aws_access_key_id", "AKIA"+profile); err != nil {
			return err
		}
		return f.Set(profile, "aws_secret_access_key", "secret-"+profile)
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func child(t *testing.T, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// crashSeed seeds TestCrashSafety's random kill times; 0 picks one from the clock, which the test logs.
var crashSeed = flag.Int64("crashseed", 0, "TestCrashSafety's seed (0: from the clock); the test logs the seed it used")

// crashKills is how many writers TestCrashSafety kills: the work is bounded by this count, not by a
// time budget, so a slow machine takes longer instead of failing.
const crashKills = 200

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skipf("kills %d writer processes; runs in the full suite (go test without -short)", crashKills)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, crashTemplate, 0o600)
	// expected[n] is the file after step n
	expected := func(n int) string {
		f, _ := Parse("t", Credentials, []byte(crashTemplate))
		for i := 1; i <= n; i++ {
			crashEdit(f, i)
		}
		return string(f.Bytes())
	}
	seed := *crashSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	// the seed repeats the kill times after each writer's start, not what the writer had done by then
	t.Logf("seed %d (again: go test ./internal/awsfile -run TestCrashSafety -crashseed=%d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	kills, last := 0, 0
	for kills < crashKills {
		cmd := child(t, "AWSFILE_TEST_CHILD=loop", "AWSFILE_TEST_PATH="+p)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %q", line)
		}
		time.Sleep(time.Duration(rng.Intn(3000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
		data := testkit.ReadFile(t, p)
		f, err := Parse(p, Credentials, []byte(data))
		if err != nil {
			t.Fatalf("after kill %d: %v\n%s", kills, err, data)
		}
		v, _ := f.Get("crash", "counter")
		n, err := strconv.Atoi(v)
		if err != nil || n <= last {
			t.Fatalf("after kill %d: counter %q, previous %d", kills, v, last)
		}
		if data != expected(n) {
			t.Fatalf("after kill %d: file is not the template at step %d:\n%q", kills, n, data)
		}
		last = n
	}
	t.Logf("%d kills, final counter %d", kills, last)
	// the next writer cleans up temp files left by killed ones
	var e Editor
	if err := e.Update(p, Credentials, func(f *File) error { return crashEdit(f, last+1) }); err != nil {
		t.Fatal(err)
	}
	noTemp(t, dir)
}

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "credentials")
	writeFile(t, p, baseCreds, 0o600)
	const n = 32
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmds[i] = child(t, "AWSFILE_TEST_CHILD=once", "AWSFILE_TEST_PATH="+p, fmt.Sprintf("AWSFILE_TEST_PROFILE=p%02d", i))
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	outs := make([][]byte, n)
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = c.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("child %d: %v %s", i, errs[i], outs[i])
		}
	}
	f, err := Load(p, Credentials)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Profiles()) != n+1 {
		t.Fatalf("%d profiles: %v", len(f.Profiles()), f.Profiles())
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("p%02d", i)
		if v, _ := f.Get(name, "aws_secret_access_key"); v != "secret-"+name {
			t.Fatalf("%s: %q", name, v)
		}
	}
	// nothing else changed: removing the 32 profiles gives the original bytes
	for i := 0; i < n; i++ {
		f.RemoveProfile(fmt.Sprintf("p%02d", i))
	}
	if got := string(f.Bytes()); got != baseCreds {
		t.Fatalf("other content changed: %q", got)
	}
	noTemp(t, dir)
}
