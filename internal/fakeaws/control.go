package fakeaws

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// controlPrefix is the path of the test-control endpoints. No AWS request
// uses it (SDKs post to "/"), and the server listens on loopback only.
//
//	GET  /_fakeaws/calls                               {"ACTION": N, ...}: Calls
//	GET  /_fakeaws/stats                               calls, refused, role_calls and codes_sent (per serial: total, repeated)
//	POST /_fakeaws/fail-next?action=A&code=C&n=N       FailNext
//	POST /_fakeaws/drop-next?action=A&n=N              DropNext
//	POST /_fakeaws/slow-next?action=A&delay=D&n=N      SlowNext (D a Go duration, e.g. 2s)
//	POST /_fakeaws/session-length?action=A&length=D    SetSessionLength (D a Go duration; 0s: off)
//
// POST parameters may also be sent form-encoded in the body. Mutations
// answer 204; bad parameters 400.
const controlPrefix = "/_fakeaws/"

// Stats is the answer of GET /_fakeaws/stats.
type Stats struct {
	Calls     map[string]int           `json:"calls"`
	Refused   map[string]int           `json:"refused"`
	RoleCalls map[string]int           `json:"role_calls"`
	CodesSent map[string]CodesSentStat `json:"codes_sent"`
}

// CodesSentStat is CodesSent for one serial.
type CodesSentStat struct {
	Total    int `json:"total"`
	Repeated int `json:"repeated"`
}

func (s *Server) stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Calls: copyCounts(s.calls), Refused: copyCounts(s.refused), RoleCalls: copyCounts(s.roleCalls),
		CodesSent: map[string]CodesSentStat{}}
	for serial, c := range s.codes {
		st.CodesSent[serial] = CodesSentStat{Total: c.total, Repeated: c.repeated}
	}
	return st
}

func copyCounts(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, controlPrefix)
	switch name {
	case "calls", "stats":
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var v any
		if name == "calls" {
			s.mu.Lock()
			v = copyCounts(s.calls)
			s.mu.Unlock()
		} else {
			v = s.stats()
		}
		b, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	case "fail-next", "drop-next", "slow-next", "session-length":
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
		return
	}
	action := r.Form.Get("action")
	if name == "session-length" {
		d, err := time.ParseDuration(r.Form.Get("length"))
		if action == "" || err != nil || d < 0 {
			http.Error(w, "need action=ACTION and length=DURATION (e.g. 90s; 0s: off)", http.StatusBadRequest)
			return
		}
		s.SetSessionLength(action, d)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	n, err := strconv.Atoi(r.Form.Get("n"))
	if action == "" || err != nil {
		http.Error(w, "need action=ACTION and n=N", http.StatusBadRequest)
		return
	}
	switch name {
	case "fail-next":
		code := r.Form.Get("code")
		if code == "" {
			http.Error(w, "need code=CODE", http.StatusBadRequest)
			return
		}
		s.FailNext(action, code, n)
	case "drop-next":
		s.DropNext(action, n)
	case "slow-next":
		d, err := time.ParseDuration(r.Form.Get("delay"))
		if err != nil || d < 0 {
			http.Error(w, "need delay=DURATION (e.g. 2s)", http.StatusBadRequest)
			return
		}
		s.SlowNext(action, d, n)
	}
	w.WriteHeader(http.StatusNoContent)
}
