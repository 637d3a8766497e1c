package prompt

import (
	"fmt"
	"os"
)

// processName is the kernel's name of a process (/proc/PID/comm: the program's file name, at most 15
// bytes; for a script, the script's name).
func processName(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return string(b)
}
