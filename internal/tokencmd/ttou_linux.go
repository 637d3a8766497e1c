package tokencmd

import (
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// withoutSIGTTOU runs f with SIGTTOU blocked in its thread, so that the signal neither stops the
// process nor stays ignored afterwards (an ignored signal would be inherited by later commands).
func withoutSIGTTOU(f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set, old unix.Sigset_t
	bits := uint(unsafe.Sizeof(set.Val[0]) * 8) // 64 or 32, by architecture
	n := uint(unix.SIGTTOU) - 1
	set.Val[n/bits] |= 1 << (n % bits)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old); err != nil {
		f()
		return
	}
	f()
	_ = unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
}
