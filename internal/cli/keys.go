package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/stsmfa/stsmfa/internal/awsapi"
	"github.com/stsmfa/stsmfa/internal/awsfile"
	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
	ltkeys "github.com/stsmfa/stsmfa/internal/keys"
	"github.com/stsmfa/stsmfa/internal/keystore"
)

// backendVar chooses the key store when --backend is not given.
const backendVar = "STSMFA_BACKEND"

// killAfterVar makes the process SIGKILL itself after the named step of a keys command: the tests'
// way to stop it between any two steps (never set by users).
const killAfterVar = "STSMFA_TEST_KILL_AFTER"

func init() {
	fieldFix[fault.FieldBackend] = "choose the store with --backend, " + backendVar + " or " + ltkeys.KeyBackend + " in the profile"
}

// keysFlags are what every keys subcommand shares.
type keysFlags struct {
	profile string
	backend string
}

func (k *keysFlags) register(c *cobra.Command, withBackend bool) {
	c.Flags().StringVarP(&k.profile, "profile", "p", "", "source profile (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, else default)")
	if withBackend {
		c.Flags().StringVar(&k.backend, "backend", "", "key store: "+strings.Join(keystore.Names(), ", ")+" (default: $"+backendVar+", the profile's "+ltkeys.KeyBackend+", else the OS's own store)")
	}
}

// store is the backend asked for: --backend, else STSMFA_BACKEND; "" leaves it to the profile's
// stsmfa_backend, else the OS's own store.
func (k *keysFlags) store() string {
	if k.backend != "" {
		return k.backend
	}
	return strings.TrimSpace(os.Getenv(backendVar))
}

func (a *app) storeOptions() keystore.Options {
	return keystore.Options{Getenv: os.Getenv, Passphrase: a.askPassphrase}
}

// keysEnv wires package keys to this run: the editor, the stores, the credential_process line,
// messages on stderr and the test hook.
func (a *app) keysEnv() *ltkeys.Env {
	return &ltkeys.Env{
		Editor: a.editor(),
		Open:   func(name string) (keystore.Backend, error) { return keystore.Open(name, a.storeOptions()) },
		Process: func(profile string) (string, error) {
			exe, err := selfPath("")
			if err != nil {
				return "", err
			}
			arg, err := profileArg(profile)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s credential-process --profile %s", exe, arg), nil
		},
		Now:    a.Now,
		Info:   func(m string) { fmt.Fprintf(a.Stderr, "stsmfa: %s\n", m) },
		Debugf: a.debugf,
		Step: func(name string) {
			a.debugf("keys: step %s done", name)
			if os.Getenv(killAfterVar) == name {
				killSelf()
			}
		},
	}
}

func killSelf() {
	p, _ := os.FindProcess(os.Getpid())
	p.Kill() // SIGKILL: no deferred function, no cleanup runs
	time.Sleep(time.Minute)
}

// storeKeys is session's way to a source's keys in a store (session.KeyStore).
type storeKeys struct{ a *app }

func (s storeKeys) LongTermKeys(profile, backend string) (string, string, error) {
	b, err := keystore.Open(backend, s.a.storeOptions())
	if err != nil {
		return "", "", err
	}
	it, err := b.Get(profile)
	if err != nil {
		return "", "", fault.New(fault.Files, fault.FieldNone, err, "the long-term keys of profile %s: %v; put them back with: stsmfa keys add --profile %s", profile, err, profile)
	}
	return it.AccessKeyID, it.SecretAccessKey, nil
}

// readHidden asks on the terminal device without echo.
func readHidden(prompt string) (string, error) {
	in, out, err := openTTY()
	if err != nil {
		return "", fault.NoCodeErr("no terminal to ask on: %v", err)
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	fmt.Fprint(out, prompt)
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(out)
	if err != nil {
		return "", fault.NoCodeErr("cannot read from the terminal: %v", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (a *app) askPassphrase(prompt string, confirm bool) (string, error) {
	p, err := readHidden(prompt)
	if err != nil {
		return "", fault.New(fault.NoCode, fault.FieldNone, err, "%v; set %s for the file store", err, keystore.PassphraseVar)
	}
	if confirm {
		again, err := readHidden("Again, to confirm: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", fault.UsageErr("the two passphrases differ; nothing was written")
		}
	}
	return p, nil
}

func (a *app) keysCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "keys",
		Short: "Keep the long-term keys out of plaintext: a keyring, pass or an encrypted file; rotate them",
		Long: `keys moves an IAM user's long-term keys out of the credentials file into a key store, and rotates
them with the MFA session. Stores: ` + strings.Join(keystore.Names(), ", ") + ` (--backend, $` + backendVar + `, or
` + ltkeys.KeyBackend + ` in the profile; default: the OS's own store, which must answer).

stsmfa reads the keys only to refresh the MFA session (once a day, when you type a code anyway):
credential-process, env, exec and status never open the store. After import, the profile's config
section gets ` + ltkeys.KeyBackend + ` and credential_process = stsmfa credential-process --profile P, so
"aws --profile P" goes through the MFA session too.`,
		Example: `  stsmfa keys import --backend secret-service
  stsmfa keys list
  stsmfa keys rotate --profile work`,
	}
	c.AddCommand(a.keysImportCmd(), a.keysAddCmd(), a.keysListCmd(), a.keysExportCmd(), a.keysRemoveCmd(), a.keysRotateCmd())
	for _, sub := range c.Commands() {
		sub.Args = wrapArgs(cobra.NoArgs)
	}
	return c
}

func (a *app) keysImportCmd() *cobra.Command {
	var kf keysFlags
	c := &cobra.Command{
		Use:   "import",
		Short: "Move a profile's keys from the credentials file into a key store",
		Long: `import writes the profile's aws_access_key_id and aws_secret_access_key into the key store, reads
them back and compares, records the store (` + ltkeys.KeyBackend + `) and credential_process in the profile's
config section, and only then removes the two keys from the credentials file (every other byte kept).
A kill at any moment leaves the keys in the file, the store, or both; run import again to finish.`,
		Example: `  stsmfa keys import                       # default, into the OS's keyring
  stsmfa keys import --profile work --backend pass
  STSMFA_FILE_PASSPHRASE=... stsmfa keys import --backend file`,
		RunE: func(c *cobra.Command, args []string) error {
			return ltkeys.Import(a.keysEnv(), sourceProfile(kf.profile), kf.store())
		},
	}
	kf.register(c, true)
	return c
}

func (a *app) keysAddCmd() *cobra.Command {
	var kf keysFlags
	var fromEnv bool
	c := &cobra.Command{
		Use:   "add",
		Short: "Store new keys for a profile (asked without echo), after AWS accepts them",
		Long: `add asks for the access key id and the secret access key on the terminal without echo (or takes
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with --from-env), checks them with GetCallerIdentity and
stores them. Keys that are still in the credentials file are moved with import instead.`,
		RunE: func(c *cobra.Command, args []string) error {
			profile := sourceProfile(kf.profile)
			var it keystore.Item
			if fromEnv {
				it = keystore.Item{AccessKeyID: strings.TrimSpace(os.Getenv("AWS_ACCESS_KEY_ID")), SecretAccessKey: strings.TrimSpace(os.Getenv("AWS_SECRET_ACCESS_KEY"))}
				if !it.Valid() {
					return fault.UsageErr("--from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set")
				}
			} else {
				var err error
				if it.AccessKeyID, err = readHidden("AWS access key ID (AKIA…): "); err != nil {
					return fault.New(fault.Code(err), fault.FieldNone, err, "%v; or pass --from-env with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set", err)
				}
				if it.SecretAccessKey, err = readHidden("AWS secret access key: "); err != nil {
					return err
				}
			}
			return ltkeys.Add(a.keysEnv(), profile, kf.store(), it, func(it keystore.Item) (cred.Identity, error) {
				return a.callerIdentity(profile, it)
			})
		},
	}
	kf.register(c, true)
	c.Flags().BoolVar(&fromEnv, "from-env", false, "take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	return c
}

// awsConfig is how the AWS calls of the keys commands reach AWS for profile: its region, endpoints
// and CA bundle, as a refresh would.
func (a *app) awsConfig(profile string) (awsapi.Config, error) {
	confPath, err := awsfile.ConfigPath()
	if err != nil {
		return awsapi.Config{}, fault.FilesCause(err)
	}
	conf, err := awsfile.Load(confPath, awsfile.Config)
	if err != nil {
		return awsapi.Config{}, fault.FilesCause(err)
	}
	region := ""
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region == "" {
			region = strings.TrimSpace(os.Getenv(v))
		}
	}
	if region == "" {
		region, _ = conf.Get(profile, "region")
	}
	if region == "" {
		region = "us-east-1"
	}
	return awsapi.Config{Profile: profile, Region: region, Conf: conf, Getenv: os.Getenv, Timeout: a.timeout}, nil
}

// callerIdentity is GetCallerIdentity signed with it.
func (a *app) callerIdentity(profile string, it keystore.Item) (cred.Identity, error) {
	cfg, err := a.awsConfig(profile)
	if err != nil {
		return cred.Identity{}, err
	}
	cfg.AccessKeyID, cfg.SecretAccessKey = it.AccessKeyID, it.SecretAccessKey
	c, err := awsapi.Dial(cfg)
	if err != nil {
		return cred.Identity{}, err
	}
	return c.CallerIdentity(a.ctx)
}

func (a *app) keysListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the profiles with long-term keys: where they are, the key (masked), its age",
		RunE: func(c *cobra.Command, args []string) error {
			list, err := ltkeys.List(a.keysEnv())
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(a.Stderr, "stsmfa: no profile with long-term keys")
				return nil
			}
			tw := tabwriter.NewWriter(a.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROFILE\tBACKEND\tKEY\tAGE")
			for _, e := range list {
				age := "unknown"
				if !e.Created.IsZero() {
					age = fmt.Sprintf("%dd", int(a.Now().Sub(e.Created).Hours()/24))
				}
				key := e.KeyID
				if e.Err != "" {
					key = "(unreadable)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Profile, e.Backend, key, age)
			}
			tw.Flush()
			for _, e := range list {
				if e.Err != "" {
					a.warn(fmt.Sprintf("profile %s: %s", e.Profile, e.Err))
				}
			}
			return nil
		},
	}
}

func (a *app) keysExportCmd() *cobra.Command {
	var kf keysFlags
	c := &cobra.Command{
		Use:   "export",
		Short: "Put a profile's keys back into the credentials file, in plaintext, and out of the store",
		RunE: func(c *cobra.Command, args []string) error {
			return ltkeys.Export(a.keysEnv(), sourceProfile(kf.profile), kf.store())
		},
	}
	kf.register(c, true)
	return c
}

func (a *app) keysRemoveCmd() *cobra.Command {
	var kf keysFlags
	var force bool
	c := &cobra.Command{
		Use:   "remove",
		Short: "Delete a profile's keys from the store (refused when it holds the only copy, unless --force)",
		RunE: func(c *cobra.Command, args []string) error {
			return ltkeys.Remove(a.keysEnv(), sourceProfile(kf.profile), kf.store(), force)
		},
	}
	kf.register(c, true)
	c.Flags().BoolVar(&force, "force", false, "delete even the only copy of the keys")
	return c
}

func (a *app) keysRotateCmd() *cobra.Command {
	var sf sessionFlags
	var wait time.Duration
	c := &cobra.Command{
		Use:   "rotate",
		Short: "Replace a profile's access key with a new one, using the MFA session",
		Long: `rotate makes a new access key with the MFA session (a code is asked only when no session is valid),
stores it where the old one was (the key store, or the credentials file, edited in place), waits until
AWS accepts it (new keys take seconds to work), and deletes the old key. The MFA session and the role
sessions made from it stay in use. A run that was killed is finished by the next one. A user who has
two keys already gets an error naming the other: stsmfa never deletes a key it did not make.`,
		RunE: func(c *cobra.Command, args []string) error {
			req, err := sf.request()
			if err != nil {
				return err
			}
			res, err := a.ensure(req)
			if err != nil {
				return err
			}
			if res.Plan.IsRole() {
				return fault.UsageErr("profile %q is a role profile; rotate the keys of its source: stsmfa keys rotate --profile %s", res.Plan.Asked, res.Plan.Source)
			}
			profile := res.Plan.Source
			cfg, err := a.awsConfig(profile)
			if err != nil {
				return err
			}
			signed := cfg
			sess := res.Session
			signed.Signer = &sess
			client, err := awsapi.Dial(signed)
			if err != nil {
				return err
			}
			return ltkeys.Rotate(a.ctx, a.keysEnv(), ltkeys.Rotation{
				Profile: profile,
				IAM:     client,
				Wait:    wait,
				Accepts: func(ctx context.Context, it keystore.Item) error {
					_, err := a.callerIdentity(profile, it)
					return err
				},
			})
		},
	}
	sf.register(c)
	c.Flags().DurationVar(&wait, "wait", 2*time.Minute, "how long to wait for AWS to accept the new key")
	return c
}
