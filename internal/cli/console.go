package cli

// enableVirtualTerminalProcessing is the Windows console output mode bit that makes the console
// interpret escape sequences (colours) instead of printing them.
const enableVirtualTerminalProcessing = 0x0004

// vtColour decides whether a Windows console stream gets colours: only a console (get succeeds) whose
// output mode has virtual-terminal processing on, or accepts it being turned on (Windows 10 and later;
// older consoles refuse the mode and would print escape codes as text).
func vtColour(get func() (uint32, error), set func(uint32) error) bool {
	mode, err := get()
	if err != nil {
		return false // not a console: a pipe, a file, or mintty's pipes
	}
	if mode&enableVirtualTerminalProcessing != 0 {
		return true
	}
	return set(mode|enableVirtualTerminalProcessing) == nil
}
