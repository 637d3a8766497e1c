package prompt

import "golang.org/x/sys/unix"

// processName is the kernel's name of a process (kern.proc.pid: p_comm, at most 16 bytes).
func processName(pid int) string {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		return ""
	}
	b := kp.Proc.P_comm[:]
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
