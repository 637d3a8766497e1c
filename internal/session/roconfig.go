package session

import (
	"fmt"

	"github.com/stsmfa/stsmfa/internal/awsfile"
)

// A config file stsmfa cannot write — a managed, read-only one, or AWS_CONFIG_FILE=/dev/null — does not
// block a login: what stsmfa would add to it (the MFA device discovery found, a new target's region and
// output) is not saved, and the user is told so once. The credentials file must still be writable.

// roConfig is what a run knows about writing the config file.
type roConfig struct {
	checked, noted bool
	err            error // why the config file cannot be written; nil when it can
}

// confUnwritable is why the config file cannot be written, nil when it can (checked once per run).
func (r *run) confUnwritable() error {
	if !r.roConf.checked {
		r.roConf.checked = true
		r.roConf.err = awsfile.CheckWritable(r.confPath)
	}
	return r.roConf.err
}

// configFor is conf when the config file can be written, else a copy whose edits are dropped.
func (r *run) configFor(conf *awsfile.File) *awsfile.File {
	err := r.confUnwritable()
	if err == nil {
		return conf
	}
	if !r.roConf.noted {
		r.roConf.noted = true
		r.env.warn(fmt.Sprintf("%v; going on without saving anything to it (an MFA device found, a new profile's region and output)", err))
	}
	return conf.Clone()
}
