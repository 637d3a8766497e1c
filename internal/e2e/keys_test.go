//go:build !windows

package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/keystore"
	"github.com/stsmfa/stsmfa/internal/testkit"
)

// fileStoreEnv is the file backend of a world: its directory, a passphrase and a cheap scrypt.
func fileStoreEnv(w *world) []string {
	return []string{"STSMFA_FILE_DIR=" + filepath.Join(w.Home, "keys"), "STSMFA_FILE_PASSPHRASE=correct horse battery", "STSMFA_FILE_WORK_FACTOR=10"}
}

// keysCmd runs stsmfa with the file store (and extra variables).
func (w *world) keysCmd(extra []string, args ...string) *proc {
	p := w.stsmfa(args...)
	p.cmd.Env = append(append(p.cmd.Env, fileStoreEnv(w)...), extra...)
	return p
}

// fileStore opens the world's file store from the test, as stsmfa does.
func (w *world) fileStore() keystore.Backend {
	env := map[string]string{}
	for _, kv := range fileStoreEnv(w) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	b, err := keystore.Open(keystore.File, keystore.Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// where reports where alice's keys are now: in the credentials file ([default]), in the store.
func (w *world) where(id, secret string) (inFile, inStore bool) {
	w.t.Helper()
	creds, err := awsfile.Load(w.CredPath, awsfile.Credentials)
	if err != nil {
		w.t.Fatal(err)
	}
	fid, _ := creds.Get("default", "aws_access_key_id")
	fsecret, _ := creds.Get("default", "aws_secret_access_key")
	inFile = fid == id && fsecret == secret
	it, err := w.fileStore().Get("default")
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		w.t.Fatal(err)
	}
	return inFile, err == nil && it.AccessKeyID == id && it.SecretAccessKey == secret
}

// TestKeysImportKilled: import SIGKILLed after each of its steps leaves alice's keys in the file, the
// store or both, never neither; run again it finishes; the credentials file then differs from the
// original by exactly the two key lines; login refreshes with the keys from the store.
func TestKeysImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa processes")
	}
	for _, step := range []string{"stored", "config", "removed", ""} {
		t.Run("after-"+step, func(t *testing.T) {
			w := newWorld(t)
			w.mfaProcess(w.codeCmd)
			extra := "\n# keep me\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = other/secret\n"
			w.Write(t, w.CredPath, testkit.ReadFile(t, w.CredPath)+extra)
			before := testkit.ReadFile(t, w.CredPath)
			id, secret := w.User.AccessKeyID, w.User.SecretAccessKey
			if step != "" {
				p := w.keysCmd([]string{"STSMFA_TEST_KILL_AFTER=" + step}, "keys", "import", "--backend", "file")
				if code := p.run(t); code != -1 {
					t.Fatalf("not killed after %s: exit %d\n%s", step, code, p.stderr.String())
				}
				inFile, inStore := w.where(id, secret)
				if !inFile && !inStore {
					t.Fatalf("killed after %s: the keys are neither in the file nor in the store", step)
				}
				if want := step != "removed"; inFile != want || !inStore {
					t.Errorf("killed after %s: in file %v, in store %v", step, inFile, inStore)
				}
			}
			p := w.keysCmd(nil, "keys", "import", "--backend", "file")
			p.mustRun(t)
			w.noSecrets("import's stderr", p.stderr.String())
			inFile, inStore := w.where(id, secret)
			if inFile || !inStore {
				t.Fatalf("after import: in file %v, in store %v", inFile, inStore)
			}
			after := testkit.ReadFile(t, w.CredPath)
			want := strings.Replace(before, "aws_access_key_id = "+id+"\naws_secret_access_key = "+secret+"\n", "", 1)
			if after != want {
				t.Errorf("the credentials file changed beyond the two keys:\n%q\nwant\n%q", after, want)
			}
			conf := testkit.ReadFile(t, w.ConfPath)
			if !strings.Contains(conf, "stsmfa_backend = file\n") || !strings.Contains(conf, "credential_process = "+w.bin+" credential-process --profile default\n") {
				t.Errorf("config:\n%s", conf)
			}
			if st, _ := os.Stat(w.CredPath); st.Mode().Perm() != 0o600 {
				t.Errorf("credentials file mode %v", st.Mode())
			}
			// a refresh reads the keys from the store
			p = w.keysCmd(nil, "login", "--debug")
			p.mustRun(t)
			if !strings.Contains(p.stderr.String(), "from the file key store") {
				t.Errorf("login did not read the store:\n%s", p.stderr.String())
			}
			w.noSecrets("login's stderr", p.stderr.String())
			// import again: nothing to do
			p = w.keysCmd(nil, "keys", "import", "--backend", "file")
			p.mustRun(t)
			if !strings.Contains(p.stderr.String(), "already in file") {
				t.Errorf("second import: %s", p.stderr.String())
			}
		})
	}
}

// TestKeysExportKilled: export killed after each step leaves the keys somewhere; run again it puts
// them back as they were.
func TestKeysExportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa processes")
	}
	for _, step := range []string{"written", "deleted", "config"} {
		t.Run("after-"+step, func(t *testing.T) {
			w := newWorld(t)
			original := testkit.ReadFile(t, w.CredPath)
			origConf := testkit.ReadFile(t, w.ConfPath)
			id, secret := w.User.AccessKeyID, w.User.SecretAccessKey
			w.keysCmd(nil, "keys", "import", "--backend", "file").mustRun(t)
			p := w.keysCmd([]string{"STSMFA_TEST_KILL_AFTER=" + step}, "keys", "export")
			if code := p.run(t); code != -1 {
				t.Fatalf("not killed: exit %d %s", code, p.stderr.String())
			}
			if inFile, inStore := w.where(id, secret); !inFile && !inStore {
				t.Fatalf("killed after %s: keys lost", step)
			}
			w.keysCmd(nil, "keys", "export").mustRun(t)
			if inFile, inStore := w.where(id, secret); !inFile || inStore {
				t.Fatalf("after export: in file %v, in store %v", inFile, inStore)
			}
			if got := testkit.ReadFile(t, w.CredPath); got != original {
				t.Errorf("credentials file after import+export:\n%q\nwant\n%q", got, original)
			}
			if got := testkit.ReadFile(t, w.ConfPath); got != origConf {
				t.Errorf("config after import+export:\n%q\nwant\n%q", got, origConf)
			}
		})
	}
}

// TestKeysRemoveAndAdd: remove refuses the only copy; add checks the keys with AWS first.
func TestKeysRemoveAndAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa processes")
	}
	w := newWorld(t)
	id, secret := w.User.AccessKeyID, w.User.SecretAccessKey
	w.keysCmd(nil, "keys", "import", "--backend", "file").mustRun(t)
	p := w.keysCmd(nil, "keys", "remove")
	if code := p.run(t); code != 2 || !strings.Contains(p.stderr.String(), "holds the only copy") {
		t.Fatalf("remove of the only copy: %d %s", code, p.stderr.String())
	}
	if _, inStore := w.where(id, secret); !inStore {
		t.Fatal("remove deleted the only copy")
	}
	w.keysCmd(nil, "keys", "remove", "--force").mustRun(t)
	if _, inStore := w.where(id, secret); inStore {
		t.Fatal("remove --force kept them")
	}
	// add: wrong keys are refused by AWS and nothing is stored
	p = w.keysCmd([]string{"AWS_ACCESS_KEY_ID=AKIAWRONGWRONGWRONG1", "AWS_SECRET_ACCESS_KEY=wrong"}, "keys", "add", "--from-env", "--backend", "file")
	if code := p.run(t); code != 4 {
		t.Fatalf("add with unknown keys: %d %s", code, p.stderr.String())
	}
	if _, err := w.fileStore().Get("default"); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("stored refused keys: %v", err)
	}
	p = w.keysCmd([]string{"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret}, "keys", "add", "--from-env", "--backend", "file")
	p.mustRun(t)
	if !strings.Contains(p.stderr.String(), "arn:aws:iam::123456789012:user/alice") {
		t.Errorf("add: %s", p.stderr.String())
	}
	if _, inStore := w.where(id, secret); !inStore {
		t.Fatal("add stored nothing")
	}
	out := w.keysCmd(nil, "keys", "list").mustRun(t)
	if !strings.Contains(out, "default  file     ****"+id[len(id)-4:]) {
		t.Errorf("keys list:\n%s", out)
	}
	w.noSecrets("keys list", out)
}

// TestKeysAfterImportClients: after import, the AWS CLI, boto3 and the Go SDK still resolve the
// source profile itself (now through credential_process and the MFA session, never the long-term
// keys), a setup-credential-process profile, the login target and a role profile.
func TestKeysAfterImportClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real AWS clients")
	}
	aws := testkit.RequireTool(t, "/usr/bin/aws")
	py := testkit.RequireBoto3(t)
	w := newWorld(t)
	w.mfaProcess(w.codeCmd)
	w.AddRoleProfile(t, "prod", "arn:aws:iam::123456789012:role/prod", "")
	w.stsmfa("setup-credential-process", "work", "--profile", "default").mustRun(t)
	w.stsmfa("setup-credential-process", "prod-auto", "--profile", "prod").mustRun(t)
	w.keysCmd(nil, "keys", "import", "--backend", "file").mustRun(t)
	// the clients run stsmfa as their credential_process child: it needs the store's variables
	env := append(w.Env(), fileStoreEnv(w)...)
	run := func(path string, args ...string) string {
		p := w.tool(path, args...)
		p.cmd.Env = env
		if code := p.run(t); code != 0 {
			t.Fatalf("%s exited %d\n%s", strings.Join(p.cmd.Args, " "), code, p.stderr.String())
		}
		return p.stdout.String()
	}
	for _, profile := range []string{"default", "work", "prod-auto"} {
		out := run(aws, "sts", "get-caller-identity", "--profile", profile, "--region", "eu-west-1", "--endpoint-url", w.Server.URL(), "--output", "text")
		want := "arn:aws:iam::123456789012:user/alice"
		if profile == "prod-auto" {
			want = "arn:aws:sts::123456789012:assumed-role/prod/"
		}
		if !strings.Contains(out, want) {
			t.Errorf("aws --profile %s: %q", profile, out)
		}
		ex := run(aws, "configure", "export-credentials", "--profile", profile, "--region", "eu-west-1", "--format", "process")
		if p := parseProcess(t, ex); !strings.HasPrefix(p.AccessKeyID, "ASIA") || p.SessionToken == "" {
			t.Errorf("aws --profile %s resolved %s, not a session", profile, p.AccessKeyID)
		}
		if strings.Contains(ex, w.User.SecretAccessKey) {
			t.Errorf("aws --profile %s resolved the long-term keys", profile)
		}
	}
	// the login target, read as static keys
	if out := run(aws, "sts", "get-caller-identity", "--profile", "mfa", "--endpoint-url", w.Server.URL(), "--output", "text"); !strings.Contains(out, "user/alice") {
		t.Errorf("aws --profile mfa: %q", out)
	}
	script := `import boto3, sys
for p in sys.argv[2:]:
    s = boto3.Session(profile_name=p, region_name="eu-west-1")
    c = s.get_credentials().get_frozen_credentials()
    assert c.access_key.startswith("ASIA") and c.token, p
    print(p, s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"])`
	out := run(py, "-c", script, w.Server.URL(), "default", "work", "prod-auto", "mfa")
	if strings.Count(out, "user/alice") != 3 || !strings.Contains(out, "assumed-role/prod/") {
		t.Errorf("boto3:\n%s", out)
	}
	for _, kv := range fileStoreEnv(w) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, profile := range []string{"default", "work"} {
		p, arn := goSDKResolve(t, w, profile)
		if !strings.HasPrefix(p.AccessKeyID, "ASIA") || !arnRE.MatchString(arn) {
			t.Errorf("Go SDK, profile %s: %s %s", profile, p.AccessKeyID, arn)
		}
	}
	if n := w.runs(); n != 1 {
		t.Errorf("the code printer ran %d times, want 1 (one MFA session for everything)", n)
	}
}

// TestKeysRotate: rotate, SIGKILLed after each step, is finished by the next run: AWS then holds
// exactly one key of alice's, the one in the store, and accepts it; no orphan key is left; the MFA
// session in [mfa] is the same one throughout. Keys in the credentials file are rotated in place.
func TestKeysRotate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa processes")
	}
	for _, c := range []struct {
		name  string
		store bool
		step  string
	}{
		{"store", true, ""}, {"file", false, ""},
		{"store-after-begun", true, "begun"}, {"store-after-created", true, "created"},
		{"store-after-stored", true, "stored"}, {"store-after-accepted", true, "accepted"}, {"store-after-deleted", true, "deleted"},
		{"file-after-created", false, "created"}, {"file-after-stored", false, "stored"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			w.mfaProcess(w.codeCmd)
			w.Server.SetNewKeyDelay(1500 * time.Millisecond)
			old := w.User.AccessKeyID
			if c.store {
				w.keysCmd(nil, "keys", "import", "--backend", "file").mustRun(t)
			}
			w.keysCmd(nil, "login").mustRun(t)
			session := w.stored("mfa")
			if c.step != "" {
				p := w.keysCmd([]string{"STSMFA_TEST_KILL_AFTER=" + c.step}, "keys", "rotate")
				if code := p.run(t); code != -1 {
					t.Fatalf("not killed after %s: %d %s", c.step, code, p.stderr.String())
				}
				// never a stored key that AWS does not hold
				if id := storedID(t, w, c.store); !w.Server.AccessKeys("alice")[id] {
					t.Fatalf("killed after %s: the stored key %s is not an active key at AWS", c.step, id)
				}
			}
			p := w.keysCmd(nil, "keys", "rotate", "--debug")
			p.mustRun(t)
			if c.step == "created" && !strings.Contains(p.stderr.String(), "deleted the new key") {
				t.Errorf("the orphan key of the killed run was not reported:\n%s", p.stderr.String())
			}
			w.noSecrets("rotate's stderr", p.stderr.String())
			keys := w.Server.AccessKeys("alice")
			if len(keys) != 1 {
				t.Fatalf("AWS holds %d keys of alice's after rotate: %v\n%s", len(keys), keys, p.stderr.String())
			}
			var stored string
			if c.store {
				it, err := w.fileStore().Get("default")
				if err != nil {
					t.Fatal(err)
				}
				stored = it.AccessKeyID
				if creds := testkit.ReadFile(t, w.CredPath); strings.Contains(creds, stored) {
					t.Error("the new key landed in the credentials file")
				}
			} else {
				creds, _ := awsfile.Load(w.CredPath, awsfile.Credentials)
				stored, _ = creds.Get("default", "aws_access_key_id")
			}
			if stored == old || !keys[stored] {
				t.Fatalf("stored key %s, AWS has %v (old %s)", stored, keys, old)
			}
			if !strings.Contains(testkit.ReadFile(t, w.ConfPath), "stsmfa_key_created = ") {
				t.Error("no stsmfa_key_created recorded")
			}
			if got := w.stored("mfa"); got.SessionToken != session.SessionToken {
				t.Error("the MFA session was replaced")
			}
			// AWS accepts the stored key; the old one is refused
			if !accepts(t, w, stored, storedSecret(t, w, c.store)) || accepts(t, w, old, w.User.SecretAccessKey) {
				t.Error("AWS refuses the stored key, or still accepts the old one")
			}
			if n := w.Server.Calls("CreateAccessKey"); c.step == "created" && n != 2 || c.step != "created" && n != 1 {
				t.Errorf("CreateAccessKey called %d times", n)
			}
		})
	}
}

func storedID(t *testing.T, w *world, store bool) string {
	if store {
		it, _ := w.fileStore().Get("default")
		return it.AccessKeyID
	}
	creds, _ := awsfile.Load(w.CredPath, awsfile.Credentials)
	v, _ := creds.Get("default", "aws_access_key_id")
	return v
}

func storedSecret(t *testing.T, w *world, store bool) string {
	if store {
		it, _ := w.fileStore().Get("default")
		return it.SecretAccessKey
	}
	creds, _ := awsfile.Load(w.CredPath, awsfile.Credentials)
	v, _ := creds.Get("default", "aws_secret_access_key")
	return v
}

// accepts reports whether the stand-in takes GetCallerIdentity signed with the key.
func accepts(t *testing.T, w *world, id, secret string) bool {
	c := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(w.Server.URL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	return err == nil
}

// TestKeysRotateTwoKeys: a user with a second key gets an error naming it (masked); nothing changes.
func TestKeysRotateTwoKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa processes")
	}
	w := newWorld(t)
	w.mfaProcess(w.codeCmd)
	other, _ := w.Server.AddAccessKey(w.User.AccessKeyID, time.Now().Add(-24*time.Hour))
	before := testkit.ReadFile(t, w.CredPath)
	p := w.keysCmd(nil, "keys", "rotate")
	if code := p.run(t); code != 4 {
		t.Fatalf("exit %d: %s", code, p.stderr.String())
	}
	msg := p.stderr.String()
	if !strings.Contains(msg, "already has two access keys") || !strings.Contains(msg, "****"+other[16:]) || strings.Contains(msg, other) {
		t.Errorf("message: %s", msg)
	}
	if n := w.Server.Calls("CreateAccessKey") + w.Server.Calls("DeleteAccessKey"); n != 0 {
		t.Errorf("%d key calls", n)
	}
	if len(w.Server.AccessKeys("alice")) != 2 {
		t.Error("a key was deleted")
	}
	_ = before
}

// TestKeysStatusAge: status shows the age rotate recorded and warns past stsmfa_key_max_age.
func TestKeysStatusAge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stsmfa processes")
	}
	w := newWorld(t)
	created := time.Now().Add(-100 * 24 * time.Hour).UTC().Format(time.RFC3339)
	w.Write(t, w.ConfPath, testkit.ReadFile(t, w.ConfPath)+"stsmfa_key_created = "+created+"\n")
	p := w.stsmfa("status")
	p.mustRun(t)
	if !strings.Contains(p.stderr.String(), "the access key of profile default is 100 days old") || !strings.Contains(p.stdout.String(), "default  credentials file  100d") {
		t.Errorf("status:\n%s\n%s", p.stdout.String(), p.stderr.String())
	}
	w.Write(t, w.ConfPath, testkit.ReadFile(t, w.ConfPath)+"stsmfa_key_max_age = 120d\n")
	p = w.stsmfa("status")
	p.mustRun(t)
	if strings.Contains(p.stderr.String(), "days old") {
		t.Errorf("warned below stsmfa_key_max_age: %s", p.stderr.String())
	}
}
