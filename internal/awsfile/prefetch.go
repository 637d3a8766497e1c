package awsfile

import "sync"

// Reading a file ahead. A command that serves a cached session spends most of its time starting up
// (package initialisation, see docs/benchmarks.md); with a large credentials file, reading and
// scanning it costs milliseconds more. Prefetch starts that read on another goroutine while the
// process is still initialising, and the first Load of the same file takes its result.

var prefetched struct {
	sync.Mutex
	p []*prefetch // not yet taken
}

type prefetch struct {
	path string
	kind Kind
	done chan struct{}
	f    *File
	err  error
}

// Prefetch starts Load(path, kind) in the background; the next Load of the same path and kind
// returns its result (the file as it was when Prefetch ran) instead of reading the file then, or reads
// the file itself when the read ahead failed (so that the error is Load's own). Later Loads read the
// file as usual.
func Prefetch(path string, kind Kind) {
	p := &prefetch{path: path, kind: kind, done: make(chan struct{})}
	prefetched.Lock()
	prefetched.p = append(prefetched.p, p)
	prefetched.Unlock()
	go func() {
		defer close(p.done)
		p.f, p.err = loadFile(path, kind)
	}()
}

// takePrefetched returns the File read ahead for path and kind, once.
func takePrefetched(path string, kind Kind) (*File, bool) {
	prefetched.Lock()
	var p *prefetch
	for i, q := range prefetched.p {
		if q.path == path && q.kind == kind {
			p = q
			prefetched.p = append(prefetched.p[:i], prefetched.p[i+1:]...)
			break
		}
	}
	prefetched.Unlock()
	if p == nil {
		return nil, false
	}
	<-p.done
	return p.f, p.err == nil
}
