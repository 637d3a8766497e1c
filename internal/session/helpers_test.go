package session

import "github.com/stsmfa/stsmfa/internal/fault"

// codeOf is the exit code the program gives err: fault.Code, the one mapping.
func codeOf(err error) int { return fault.Code(err) }

// names is a Request.Names that names the given fields: field, name, field, name...
func names(pairs ...any) func(fault.Field) string {
	m := map[fault.Field]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i].(fault.Field)] = pairs[i+1].(string)
	}
	return func(f fault.Field) string { return m[f] }
}
