// Package credserver is the credentials endpoint `stsmfa exec --server` and `--imds` run for their
// command's lifetime: an HTTP server on 127.0.0.1 (a random port) that answers the SDKs' container
// credentials provider (AWS_CONTAINER_CREDENTIALS_FULL_URI, a token in the Authorization header) or
// their instance-metadata provider (IMDSv2: PUT a session token, then GET with it). Every answer
// comes from a callback (the cli wires it to session.Ensure), so the SDKs re-fetch before expiry
// and get what the cache holds; the package knows no AWS API and no flag.
//
// Security: the listener is loopback only; a request from a non-loopback address, or whose Host
// header is not the listener's own address (DNS rebinding: a web page's script naming
// evil.example:PORT resolved to 127.0.0.1), is refused; container answers need the token (256
// random bits, compared in constant time); IMDS answers need an IMDSv2 session token, and a request
// carrying X-Forwarded-For is refused as IMDS does. After Close every request is refused.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stsmfa/stsmfa/internal/cred"
	"github.com/stsmfa/stsmfa/internal/fault"
)

// Mode is the protocol a Server speaks.
type Mode int

const (
	Container Mode = iota // the container credentials provider (ECS task role protocol)
	IMDS                  // the EC2 instance metadata service, version 2
)

func (m Mode) String() string {
	if m == IMDS {
		return "imds"
	}
	return "container"
}

// Paths the server answers.
const (
	ContainerPath = "/credentials"
	imdsTokenPath = "/latest/api/token"
	imdsCredsPath = "/latest/meta-data/iam/security-credentials/"
	// maxIMDSTTL is IMDS's own limit for a session token: 6 hours.
	maxIMDSTTL = 21600
)

// Config is what a Server needs.
type Config struct {
	Mode Mode
	// Get returns the credentials to answer with; an error is answered 503 with its message, which
	// must hold no secret (fault errors never do).
	Get func(ctx context.Context) (cred.Session, error)
	// RoleName is the name IMDS lists under iam/security-credentials/ (default "stsmfa").
	RoleName string
	// Debugf logs each request (method, path, answer; never a secret); nil: silent.
	Debugf func(string, ...any)
	Now    func() time.Time
}

// Server is a running endpoint.
type Server struct {
	cfg   Config
	ln    net.Listener
	srv   *http.Server
	addr  string // 127.0.0.1:PORT
	port  string
	token string // container mode: the Authorization token

	mu      sync.Mutex
	closed  bool
	imdsTok map[string]time.Time // IMDS session token -> expiry
	done    chan struct{}
}

// Start listens on 127.0.0.1 on a random port and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Get == nil {
		return nil, errors.New("credserver: no Get")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RoleName == "" {
		cfg.RoleName = "stsmfa"
	}
	tok, err := randomToken()
	if err != nil {
		return nil, fault.New(fault.NotValid, fault.FieldNone, err, "cannot make a token for the credentials server: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fault.New(fault.NotValid, fault.FieldNone, err, "cannot listen on 127.0.0.1 for the credentials server: %v", err)
	}
	s := &Server{cfg: cfg, ln: ln, addr: ln.Addr().String(), token: tok, imdsTok: map[string]time.Time{}, done: make(chan struct{})}
	_, s.port, _ = net.SplitHostPort(s.addr)
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		MaxHeaderBytes: 16 << 10, ErrorLog: nil}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// randomToken is 256 random bits, base64url.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Addr is 127.0.0.1:PORT.
func (s *Server) Addr() string { return s.addr }

// URL is what the child is given: AWS_CONTAINER_CREDENTIALS_FULL_URI (container) or
// AWS_EC2_METADATA_SERVICE_ENDPOINT (IMDS).
func (s *Server) URL() string {
	if s.cfg.Mode == IMDS {
		return "http://" + s.addr + "/"
	}
	return "http://" + s.addr + ContainerPath
}

// Token is the container mode's Authorization token. Never log it or put it in argv.
func (s *Server) Token() string { return s.token }

// Close stops the server: the listener closes (new connections are refused) and a request already
// read is answered 503.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = s.srv.Close()
	}
	<-s.done
	return err
}

func (s *Server) debugf(format string, args ...any) {
	if s.cfg.Debugf != nil {
		s.cfg.Debugf(format, args...)
	}
}

// ServeHTTP checks where a request comes from and whom it names, then answers by mode.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &status{ResponseWriter: w, code: http.StatusOK}
	why := s.serve(rec, r)
	line := fmt.Sprintf("server: %s %s from %s: %d", r.Method, r.URL.Path, r.RemoteAddr, rec.code)
	if why != "" {
		line += " (" + why + ")"
	}
	s.debugf("%s", line)
}

// serve answers r and returns why it was refused or what was served, for the debug line.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) string {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		fail(w, s.cfg.Mode, http.StatusServiceUnavailable, "ServerClosed", "the command this server was started for has exited")
		return "closed"
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || !net.ParseIP(host).IsLoopback() {
		fail(w, s.cfg.Mode, http.StatusForbidden, "Forbidden", "only loopback clients are served")
		return "not from loopback"
	}
	if !s.hostOK(r.Host) {
		fail(w, s.cfg.Mode, http.StatusForbidden, "Forbidden", "the Host header must name this server's loopback address")
		return "Host header is not the loopback address and port"
	}
	if s.cfg.Mode == IMDS {
		return s.serveIMDS(w, r)
	}
	return s.serveContainer(w, r)
}

// hostOK reports whether a Host header names this listener: 127.0.0.1:PORT or localhost:PORT.
func (s *Server) hostOK(h string) bool {
	host, port, err := net.SplitHostPort(h)
	if err != nil || port != s.port {
		return false
	}
	return host == "127.0.0.1" || strings.EqualFold(host, "localhost")
}

func (s *Server) serveContainer(w http.ResponseWriter, r *http.Request) string {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		fail(w, Container, http.StatusMethodNotAllowed, "MethodNotAllowed", "only GET is served")
		return "method"
	}
	if r.URL.Path != ContainerPath {
		fail(w, Container, http.StatusNotFound, "NotFound", "no such path")
		return "path"
	}
	got := r.Header.Get("Authorization")
	if got == "" {
		fail(w, Container, http.StatusUnauthorized, "Unauthorized", "no Authorization token")
		return "no token"
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
		fail(w, Container, http.StatusUnauthorized, "Unauthorized", "wrong Authorization token")
		return "wrong token"
	}
	c, err := s.cfg.Get(r.Context())
	if err != nil {
		fail(w, Container, http.StatusServiceUnavailable, "CredentialsUnavailable", err.Error())
		return "no credentials: " + err.Error()
	}
	writeJSON(w, map[string]string{
		"AccessKeyId":     c.AccessKeyID,
		"SecretAccessKey": c.SecretAccessKey,
		"Token":           c.SessionToken,
		"Expiration":      c.Expiration.UTC().Format(time.RFC3339),
	})
	return s.served(c)
}

func (s *Server) served(c cred.Session) string {
	return fmt.Sprintf("key %s, %s left", cred.MaskKey(c.AccessKeyID), cred.Human(c.Expiration.Sub(s.cfg.Now())))
}

func (s *Server) serveIMDS(w http.ResponseWriter, r *http.Request) string {
	// IMDS refuses a token request that carries X-Forwarded-For (it came through a proxy); this
	// server refuses every such request
	if len(r.Header.Values("X-Forwarded-For")) > 0 {
		fail(w, IMDS, http.StatusForbidden, "Forbidden", "")
		return "X-Forwarded-For"
	}
	if r.URL.Path == imdsTokenPath {
		if r.Method != http.MethodPut {
			w.Header().Set("Allow", http.MethodPut)
			fail(w, IMDS, http.StatusMethodNotAllowed, "", "")
			return "method"
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
		if err != nil || ttl < 1 || ttl > maxIMDSTTL {
			fail(w, IMDS, http.StatusBadRequest, "", "")
			return "bad or missing X-aws-ec2-metadata-token-ttl-seconds"
		}
		tok, err := randomToken()
		if err != nil {
			fail(w, IMDS, http.StatusInternalServerError, "", "")
			return "token: " + err.Error()
		}
		s.mu.Lock()
		now := s.cfg.Now()
		for t, exp := range s.imdsTok {
			if !now.Before(exp) {
				delete(s.imdsTok, t)
			}
		}
		s.imdsTok[tok] = now.Add(time.Duration(ttl) * time.Second)
		s.mu.Unlock()
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", strconv.Itoa(ttl))
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(tok))
		return "session token issued"
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		fail(w, IMDS, http.StatusMethodNotAllowed, "", "")
		return "method"
	}
	tok := r.Header.Get("X-aws-ec2-metadata-token")
	if tok == "" {
		fail(w, IMDS, http.StatusUnauthorized, "", "")
		return "no session token (IMDSv1 is not served)"
	}
	s.mu.Lock()
	ok := false
	for t, exp := range s.imdsTok { // constant time per comparison; the map is small
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 && s.cfg.Now().Before(exp) {
			ok = true
		}
	}
	s.mu.Unlock()
	if !ok {
		fail(w, IMDS, http.StatusUnauthorized, "", "")
		return "unknown or expired session token"
	}
	switch r.URL.Path {
	case imdsCredsPath, strings.TrimSuffix(imdsCredsPath, "/"):
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(s.cfg.RoleName))
		return "role name"
	case imdsCredsPath + s.cfg.RoleName:
	default:
		fail(w, IMDS, http.StatusNotFound, "", "")
		return "not served"
	}
	c, err := s.cfg.Get(r.Context())
	if err != nil {
		fail(w, IMDS, http.StatusServiceUnavailable, "CredentialsUnavailable", err.Error())
		return "no credentials: " + err.Error()
	}
	writeJSON(w, map[string]string{
		"Code":            "Success",
		"LastUpdated":     s.cfg.Now().UTC().Format(time.RFC3339),
		"Type":            "AWS-HMAC",
		"AccessKeyId":     c.AccessKeyID,
		"SecretAccessKey": c.SecretAccessKey,
		"Token":           c.SessionToken,
		"Expiration":      c.Expiration.UTC().Format(time.RFC3339),
	})
	return s.served(c)
}

// fail answers an error: JSON {"code","message"} in container mode (what the SDKs' container
// providers read), IMDS's bare status otherwise (with a JSON message when there is one to tell).
func fail(w http.ResponseWriter, m Mode, status int, code, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	if m == IMDS && msg == "" {
		w.WriteHeader(status)
		return
	}
	if code == "" {
		code = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"code": code, "message": msg, "Code": code, "Message": msg})
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// status records the answer's status code for the debug line.
type status struct {
	http.ResponseWriter
	code int
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}
