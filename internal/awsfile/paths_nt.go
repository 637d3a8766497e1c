package awsfile

import "strings"

// On Windows the AWS CLI expands AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE with Python's ntpath
// (os.path.expandvars, then os.path.expanduser), which also knows %VAR% and ~\. These are those two
// functions (Python 3.8 and later), with the environment passed in so that they can be tested on any
// system; TestNTPathMatchesPython holds them to Python's own.

// ntVarChars are the characters of a $name variable.
func ntVarChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// expandVarsNT is ntpath.expandvars: %VAR%, $VAR and ${VAR} are replaced by their values, unknown
// variables are left as written; %% and $$ are one % or $; nothing inside single quotes is expanded.
func expandVarsNT(path string, lookup func(string) (string, bool)) string {
	if !strings.ContainsAny(path, "$%") {
		return path
	}
	var res strings.Builder
	// put writes the value of the variable name, or ref (its reference as written) when it is unset
	put := func(name, ref string) {
		if v, ok := lookup(name); ok {
			res.WriteString(v)
		} else {
			res.WriteString(ref)
		}
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(path[i+1:], '\'')
			if j < 0 {
				res.WriteString(path[i:])
				return res.String()
			}
			res.WriteString(path[i : i+1+j+1])
			i += j + 1
		case c == '%':
			if i+1 < len(path) && path[i+1] == '%' {
				res.WriteByte('%')
				i++
				continue
			}
			j := strings.IndexByte(path[i+1:], '%')
			if j < 0 {
				res.WriteString(path[i:])
				return res.String()
			}
			name := path[i+1 : i+1+j]
			put(name, "%"+name+"%")
			i += j + 1
		case c == '$':
			switch {
			case i+1 < len(path) && path[i+1] == '$':
				res.WriteByte('$')
				i++
			case i+1 < len(path) && path[i+1] == '{':
				j := strings.IndexByte(path[i+2:], '}')
				if j < 0 {
					res.WriteString(path[i:])
					return res.String()
				}
				name := path[i+2 : i+2+j]
				put(name, "${"+name+"}")
				i += j + 2
			default:
				j := i + 1
				for j < len(path) && ntVarChar(path[j]) {
					j++
				}
				name := path[i+1 : j]
				put(name, "$"+name)
				i = j - 1
			}
		default:
			res.WriteByte(c)
		}
	}
	return res.String()
}

// expandUserNT is ntpath.expanduser: a leading ~ up to the first \ or / is %USERPROFILE% (else
// %HOMEDRIVE%%HOMEPATH%); ~NAME is NAME's folder beside it when the profile folder is named after
// %USERNAME%. Anything else is left as it is.
func expandUserNT(path string, lookup func(string) (string, bool)) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	i := 1
	for i < len(path) && path[i] != '\\' && path[i] != '/' {
		i++
	}
	home, ok := lookup("USERPROFILE")
	if !ok {
		hp, ok := lookup("HOMEPATH")
		if !ok {
			return path
		}
		drive, _ := lookup("HOMEDRIVE")
		home = ntJoin(drive, hp)
	}
	if i != 1 {
		user := path[1:i]
		if cur, ok := lookup("USERNAME"); !ok || user != cur {
			if !ok || cur != ntBase(home) {
				return path
			}
			home = ntJoin(ntDir(home), user)
		}
	}
	return home + path[i:]
}

// ntJoin, ntDir and ntBase are ntpath.join, dirname and basename for the plain cases expandUserNT
// meets (drive letters, no UNC subtleties).
func ntJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case b[0] == '\\' || b[0] == '/':
		return a + b // "C:" + "\Users\x"
	case a[len(a)-1] == '\\' || a[len(a)-1] == '/' || a[len(a)-1] == ':':
		return a + b
	}
	return a + `\` + b
}

func ntSplit(p string) (dir, base string) {
	i := strings.LastIndexAny(p, `\/`)
	j := strings.IndexByte(p, ':')
	if i < j {
		i = j
	}
	dir, base = p[:i+1], p[i+1:]
	if t := strings.TrimRight(dir, `\/`); t != "" && !strings.HasSuffix(t, ":") {
		dir = t
	}
	return dir, base
}

func ntDir(p string) string  { d, _ := ntSplit(p); return d }
func ntBase(p string) string { _, b := ntSplit(p); return b }
