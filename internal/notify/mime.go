package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageIDDomain is the right-hand side of every Message-ID tidtam writes.
const MessageIDDomain = "tidtam"

// HeaderNotification names the header that carries the notification ID in
// every e-mail, so a message can be traced back to its outbox row.
const HeaderNotification = "X-Tidtam-Notification"

// MessageID returns the Message-ID of the e-mail of a notification:
// "<" + hex SHA-256 of the notification ID + "@tidtam>". Every recipient's
// copy and every retry carries the same Message-ID, as one logical message
// sent to many people does, so a receiving system that has already seen
// it can recognise a duplicate.
func MessageID(notificationID string) string {
	sum := sha256.Sum256([]byte(notificationID))
	return "<" + hex.EncodeToString(sum[:]) + "@" + MessageIDDomain + ">"
}

// Email is what BuildMIME turns into a message.
type Email struct {
	// NotificationID names the outbox row; it yields Message-ID and
	// X-Tidtam-Notification.
	NotificationID string
	From           mail.Address
	To             []mail.Address
	Subject        string
	Text           string
	HTML           string
	// Date is the Date header; zero means now.
	Date time.Time
}

// BuildMIME returns e as an RFC 5322 message with CRLF line ends:
// UTF-8 throughout, Subject and display names as RFC 2047 encoded words
// (base64 "B" encoding where they are not plain ASCII, since Thai in
// quoted-printable triples in size), and a multipart/alternative body with
// a text/plain part then a text/html part, each base64-encoded in lines of
// 76 characters. Header values are stripped of line breaks, so data cannot
// inject headers. It fails when From or To has no address.
func BuildMIME(e Email) ([]byte, error) {
	if e.From.Address == "" {
		return nil, errors.New("notify: e-mail has no From address")
	}
	if len(e.To) == 0 {
		return nil, errors.New("notify: e-mail has no recipient")
	}
	date := e.Date
	if date.IsZero() {
		date = time.Now()
	}
	var buf bytes.Buffer
	header := func(name, value string) {
		buf.WriteString(name)
		buf.WriteString(": ")
		buf.WriteString(value)
		buf.WriteString("\r\n")
	}
	to := make([]string, len(e.To))
	for i, a := range e.To {
		to[i] = formatAddress(a)
	}
	header("Date", date.Format(time.RFC1123Z))
	header("From", formatAddress(e.From))
	header("To", strings.Join(to, ",\r\n "))
	header("Subject", encodeHeaderText(e.Subject))
	header("Message-ID", MessageID(e.NotificationID))
	header(HeaderNotification, encodeHeaderText(e.NotificationID))
	// RFC 3834: tells auto-responders (out-of-office replies) to stay
	// silent, so a notification never starts a mail loop.
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	buf.WriteString("\r\n")

	for _, part := range []struct{ contentType, content string }{
		{"text/plain; charset=UTF-8", e.Text},
		{"text/html; charset=UTF-8", e.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.contentType},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(base64Lines(toCRLF(part.content))); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	buf.Write(body.Bytes())
	return buf.Bytes(), nil
}

// formatAddress writes "Display Name <addr>" with the name encoded when it
// is not plain ASCII, quoted when it has specials, and left out when empty.
func formatAddress(a mail.Address) string {
	addr := "<" + stripBreaks(a.Address) + ">"
	name := stripBreaks(a.Name)
	if name == "" {
		return addr
	}
	if !isPrintableASCII(name) {
		return mime.BEncoding.Encode("UTF-8", name) + " " + addr
	}
	if strings.ContainsAny(name, `()<>[]:;@\,."`) {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `" ` + addr
	}
	return name + " " + addr
}

// encodeHeaderText encodes an unstructured header value: as is when plain
// ASCII, otherwise as RFC 2047 B-encoded words, one per line fold, each
// under the 75-character limit.
func encodeHeaderText(s string) string {
	s = stripBreaks(s)
	if isPrintableASCII(s) {
		return s
	}
	// mime.BEncoding splits long text into several encoded words separated
	// by spaces, never splitting a UTF-8 character; folding at those spaces
	// keeps each header line short.
	return strings.ReplaceAll(mime.BEncoding.Encode("UTF-8", s), "?= =?", "?=\r\n =?")
}

func stripBreaks(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return utf8.ValidString(s)
}

func toCRLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// base64Lines encodes s in base64 lines of 76 characters (RFC 2045).
func base64Lines(s string) []byte {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b bytes.Buffer
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	return b.Bytes()
}
