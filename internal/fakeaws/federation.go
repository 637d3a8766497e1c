package fakeaws

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FederationPath is where the server answers the console sign-in endpoint (AWS's
// https://signin.aws.amazon.com/federation), with the rules of IAM's "custom identity broker" guide:
//
//	GET /federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}[&SessionDuration=N]
//	    → 200 {"SigninToken": "..."}; the token is good for 15 minutes, once
//	GET /federation?Action=login&Issuer=...&Destination=URL&SigninToken=T
//	    → 302 to Destination (the console), the session signed in
//
// getSigninToken refuses (400) credentials it does not know or that expired, GetSessionToken
// sessions (they cannot sign in to the console), role sessions assumed by role chaining (with
// another session's credentials rather than long-term keys), SessionDuration for a session not
// assumed with long-term keys, and SessionDuration outside 900–43200. These are the documented
// rules; the real endpoint's error pages are not documented, so the bodies here are plain text.
const FederationPath = "/federation"

// signinTokenLife is how long a sign-in token is good for (documented: 15 minutes).
const signinTokenLife = 15 * time.Minute

type signinToken struct {
	sess     *session
	expires  time.Time
	duration int64 // console session seconds; 0 = not given
	used     bool
}

// ConsoleLogins lists the assumed-role ARNs signed in to the console through the federation
// endpoint, in order.
func (s *Server) ConsoleLogins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.consoles...)
}

func (s *Server) federation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	action := q.Get("Action")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["federation:"+action]++
	now := s.now()
	fail := func(status int, msg string) {
		s.refused["federation:"+action]++
		s.log = append(s.log, "federation "+orDash(action)+" result=refused status="+strconv.Itoa(status))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		w.Write([]byte(msg + "\n"))
	}
	if r.Method != http.MethodGet {
		fail(http.StatusMethodNotAllowed, "GET only")
		return
	}
	switch action {
	case "getSigninToken":
		var creds struct {
			ID    string `json:"sessionId"`
			Key   string `json:"sessionKey"`
			Token string `json:"sessionToken"`
		}
		if err := json.Unmarshal([]byte(q.Get("Session")), &creds); err != nil || creds.ID == "" || creds.Key == "" || creds.Token == "" {
			fail(http.StatusBadRequest, "Session must be JSON with sessionId, sessionKey and sessionToken")
			return
		}
		ss := s.sessions[creds.ID]
		if ss == nil || ss.secret != creds.Key || ss.token != creds.Token {
			fail(http.StatusBadRequest, "the credentials in Session are not valid")
			return
		}
		if !now.Before(ss.expires) {
			fail(http.StatusBadRequest, "the credentials in Session have expired")
			return
		}
		if ss.role == nil {
			fail(http.StatusBadRequest, "credentials from GetSessionToken cannot sign in to the console")
			return
		}
		var dur int64
		if q.Has("SessionDuration") {
			n, err := strconv.ParseInt(q.Get("SessionDuration"), 10, 64)
			if err != nil || n < 900 || n > 43200 {
				fail(http.StatusBadRequest, "SessionDuration must be 900-43200 seconds")
				return
			}
			if ss.chained {
				fail(http.StatusBadRequest, "SessionDuration is allowed only for a role session assumed with long-term credentials")
				return
			}
			dur = n
		}
		if ss.chained {
			fail(http.StatusBadRequest, "a role session assumed by role chaining cannot sign in to the console")
			return
		}
		b := make([]byte, 32)
		rand.Read(b)
		tok := hex.EncodeToString(b)
		s.signin[tok] = &signinToken{sess: ss, expires: now.Add(signinTokenLife), duration: dur}
		s.log = append(s.log, "federation getSigninToken key="+maskKey(creds.ID)+" result=OK status=200")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]string{"SigninToken": tok})
	case "login":
		t := s.signin[q.Get("SigninToken")]
		switch {
		case t == nil || t.used:
			fail(http.StatusBadRequest, "the sign-in token is not valid")
			return
		case !now.Before(t.expires):
			fail(http.StatusBadRequest, "the sign-in token has expired")
			return
		case !now.Before(t.sess.expires):
			fail(http.StatusBadRequest, "the session of the sign-in token has expired")
			return
		}
		dest, err := url.Parse(q.Get("Destination"))
		if err != nil || dest.Scheme != "https" || dest.Host == "" || !strings.Contains(dest.Host, "console.") {
			fail(http.StatusBadRequest, "Destination must be an https URL of the console")
			return
		}
		t.used = true
		s.consoles = append(s.consoles, assumedRoleARN(t.sess.role, t.sess.sessionName))
		s.log = append(s.log, "federation login result=OK status=302")
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, dest.String(), http.StatusFound)
	default:
		fail(http.StatusBadRequest, "Action must be getSigninToken or login")
	}
}
