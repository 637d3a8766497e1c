package keystore

import (
	"fmt"
	"os"
	"path/filepath"

	ss "github.com/zalando/go-keyring/secret_service"
)

// probe finds out, without waiting for anyone, whether the Secret Service answers and whether its
// collection is unlocked (or could be: an unlock dialog needs a display). godbus would otherwise
// autolaunch a bus of its own, and a locked collection without a display would wait for ever.
func probe(name string, o Options) error {
	if name != SecretService {
		return unavailable(name, "it belongs to another OS")
	}
	bus := o.getenv("DBUS_SESSION_BUS_ADDRESS")
	if bus == "" {
		if rt := o.getenv("XDG_RUNTIME_DIR"); rt != "" {
			if _, err := os.Stat(filepath.Join(rt, "bus")); err == nil {
				bus = "unix:path=" + filepath.Join(rt, "bus")
			}
		}
	}
	if bus == "" {
		return unavailable(name, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set: a headless login, SSH or WSL)")
	}
	_, err := withTimeout(o.Timeout, "the Secret Service", func() (struct{}, error) {
		svc, err := ss.NewSecretService()
		if err != nil {
			return struct{}{}, unavailable(name, fmt.Sprintf("cannot connect to the D-Bus session bus: %v", err))
		}
		col := svc.GetLoginCollection()
		v, err := col.GetProperty("org.freedesktop.Secret.Collection.Locked")
		if err != nil {
			return struct{}{}, unavailable(name, fmt.Sprintf("no Secret Service answers on the session bus (GNOME Keyring, KWallet or KeePassXC): %v", err))
		}
		if locked, _ := v.Value().(bool); locked && o.getenv("DISPLAY") == "" && o.getenv("WAYLAND_DISPLAY") == "" {
			return struct{}{}, unavailable(name, "its collection is locked and there is no display to unlock it on (unlock it, e.g. gnome-keyring-daemon --unlock)")
		}
		return struct{}{}, nil
	})
	return err
}
