package fakeaws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFmt   = "20060102T150405Z"
	maxSkew      = 15 * time.Minute
)

// authHeader is a parsed "Authorization: AWS4-HMAC-SHA256 ..." header.
type authHeader struct {
	AccessKeyID   string
	Date          string // yyyymmdd from the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

func (a *authHeader) scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
}

// parseAuthorization parses a SigV4 Authorization header. The error is the
// AWS error to answer with.
func parseAuthorization(h string) (*authHeader, *awsError) {
	if h == "" {
		return nil, errMissingAuth()
	}
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return nil, &awsError{Status: 400, Type: "Sender", Code: "IncompleteSignature",
			Message: "Unsupported AWS 'algorithm': '" + firstField(h) + "'"}
	}
	a := &authHeader{}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.Signature = v
		}
	}
	var missing []string
	if cred == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if signed == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if a.Signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if len(missing) > 0 {
		return nil, &awsError{Status: 400, Type: "Sender", Code: "IncompleteSignature", Message: strings.Join(missing, " ")}
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return nil, &awsError{Status: 400, Type: "Sender", Code: "IncompleteSignature",
			Message: "Credential should be scoped to a valid region, service and 'aws4_request' terminator."}
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	a.SignedHeaders = strings.Split(signed, ";")
	return a, nil
}

func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// requestTime returns the signing time from X-Amz-Date (or Date) and its
// raw X-Amz-Date form used in the string to sign.
func requestTime(r *http.Request) (time.Time, string, *awsError) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(amzDateFmt, v)
		if err != nil {
			return time.Time{}, "", &awsError{Status: 400, Type: "Sender", Code: "IncompleteSignature",
				Message: "Date must be in ISO-8601 'basic format'. Got '" + v + "'. See http://en.wikipedia.org/wiki/ISO_8601"}
		}
		return t, v, nil
	}
	if v := r.Header.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err == nil {
			return t.UTC(), t.UTC().Format(amzDateFmt), nil
		}
	}
	return time.Time{}, "", &awsError{Status: 400, Type: "Sender", Code: "IncompleteSignature",
		Message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
}

// checkSkew answers like STS when the request time is more than 15 minutes
// away from the server's clock.
func checkSkew(reqTime, now time.Time) *awsError {
	now = now.UTC()
	if reqTime.Before(now.Add(-maxSkew)) {
		return errSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			reqTime.Format(amzDateFmt), now.Add(-maxSkew).Format(amzDateFmt), now.Format(amzDateFmt)))
	}
	if reqTime.After(now.Add(maxSkew)) {
		return errSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			reqTime.Format(amzDateFmt), now.Add(maxSkew).Format(amzDateFmt), now.Format(amzDateFmt)))
	}
	return nil
}

// verifySignature rebuilds the canonical request from the actual HTTP
// request and compares signatures.
func verifySignature(r *http.Request, body []byte, a *authHeader, amzDate, secret string) *awsError {
	if a.Date != amzDate[:8] {
		return errSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.Date + "' != '" + amzDate[:8] + "', from '" + amzDate + "'.")
	}
	signedHost := false
	for _, h := range a.SignedHeaders {
		if h == "host" {
			signedHost = true
		}
	}
	if !signedHost {
		return errSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	creq := canonicalRequest(r, body, a.SignedHeaders)
	sum := sha256.Sum256([]byte(creq))
	sts := sigAlgorithm + "\n" + amzDate + "\n" + a.scope() + "\n" + hex.EncodeToString(sum[:])
	key := signingKey(secret, a.Date, a.Region, a.Service)
	want := hex.EncodeToString(hmacSHA256(key, []byte(sts)))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.Signature))) {
		return errSignature("The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

func canonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	// Non-S3 services encode the (already escaped) path once more.
	b.WriteString(uriEncode(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	if ph := r.Header.Get("X-Amz-Content-Sha256"); ph != "" {
		b.WriteString(ph)
	} else {
		sum := sha256.Sum256(body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()
}

func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values("Content-Length")
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		values = r.TransferEncoding
	default:
		values = r.Header.Values(name)
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		pairs = append(pairs, kv{uriEncode(k, true), uriEncode(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// uriEncode is SigV4's UriEncode: unreserved characters stay, everything
// else becomes %XX (upper case); '/' stays unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}
