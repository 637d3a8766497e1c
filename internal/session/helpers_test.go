package session

import "github.com/stsmfa/stsmfa/internal/fault"

// codeOf is the exit code the program gives err: fault.Code, the one mapping.
func codeOf(err error) int { return fault.Code(err) }
