package prompt

import (
	"fmt"
	"os"
	"strings"
)

// Parent names the program that started this process, for a dialog to say who asked: "aws (pid
// 4242)", or "pid 4242" when its name cannot be read.
func Parent() string {
	pid := os.Getppid()
	if name := strings.TrimSpace(processName(pid)); name != "" {
		return fmt.Sprintf("%s (pid %d)", name, pid)
	}
	return fmt.Sprintf("pid %d", pid)
}
