package awsapi

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stsmfa/stsmfa/internal/fault"
)

// Answers that are not AWS's (issue 21): an empty 200, a 200 without credentials, a redirect. After
// the code went out they mean the code may be spent: exit 5, never "AWS refused" (exit 4).
func TestAnswersThatAreNotAWS(t *testing.T) {
	const noCreds = `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult></GetSessionTokenResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetSessionTokenResponse>`
	for _, c := range []struct {
		name, answer string
	}{
		{"empty 200", stubHeader(200, "")},
		{"200 without credentials", stubHeader(200, noCreds) + noCreds},
		{"redirect", "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/login\r\nContent-Length: 0\r\n\r\n"},
		{"redirect 307", "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/login\r\nContent-Length: 0\r\n\r\n"},
	} {
		stub := newSTSStub(t, func(conn net.Conn, _ string, _ int) bool {
			io.WriteString(conn, c.answer)
			return true
		})
		_, err := stubClients(t, stub.URL, 10*time.Second).GetSessionToken(context.Background(), stubSerial, "123456", time.Hour)
		if fault.Code(err) != fault.Network || !errors.Is(err, fault.ErrCodeMaybeSpent) || !strings.Contains(err.Error(), "may have accepted the code") {
			t.Errorf("%s: exit %d, %v; want exit 5 saying the code may be spent", c.name, fault.Code(err), err)
		}
		if n := stub.Requests(); n != 1 {
			t.Errorf("%s: %d requests, want 1 (a code is sent once)", c.name, n)
		}
	}
}
