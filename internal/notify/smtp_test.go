package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tidtam/tidtam/internal/config"
	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/notify/notifytest"
)

// received is a message as a mail client would read it.
type received struct {
	Header  mail.Header
	Subject string
	From    *mail.Address
	To      []*mail.Address
	Text    string
	HTML    string
}

// parseReceived reads raw with the standard library only (net/mail,
// mime.WordDecoder, mime/multipart), independently of the code that built
// it.
func parseReceived(t *testing.T, raw []byte) received {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	var r received
	r.Header = m.Header
	dec := new(mime.WordDecoder)
	if r.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From %q: %v", m.Header.Get("From"), err)
	}
	r.From = from[0]
	if r.To, err = m.Header.AddressList("To"); err != nil {
		t.Fatalf("To: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var order []string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, ctParams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if !strings.EqualFold(ctParams["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", ct, ctParams["charset"])
		}
		var body io.Reader = p
		switch cte := strings.ToLower(p.Header.Get("Content-Transfer-Encoding")); cte {
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, p)
		case "quoted-printable":
			body = quotedprintable.NewReader(p)
		case "", "7bit", "8bit":
			// multipart.Reader has already undone quoted-printable and
			// removed the header when it was there.
		default:
			t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("decode %s: %v", ct, err)
		}
		content := strings.ReplaceAll(string(b), "\r\n", "\n")
		order = append(order, ct)
		switch ct {
		case "text/plain":
			r.Text = content
		case "text/html":
			r.HTML = content
		}
	}
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Errorf("parts = %v, want text/plain then text/html", order)
	}
	return r
}

// thaiEmail renders a realistic Thai notification into an Email.
func thaiEmail(t *testing.T, id string) (notify.Email, notify.Message) {
	t.Helper()
	msg, err := notify.Render(notify.KindOverdue, notify.LangThai, map[string]any{
		notify.DataAssignmentID: "assignment/ONCB-1/20", notify.DataUnitName: "ศอ.ปส.จ.ชลบุรี",
		notify.DataSubject:   "เร่งรัดการตรวจค้นแหล่งผลิตยาเสพติดในพื้นที่ชายแดนและพื้นที่เสี่ยงทุกแห่ง",
		notify.DataDocNumber: "ที่ ยธ 0600/ว 123", notify.DataItem: "2", notify.DataDueAt: "2025-01-15T09:30:00Z",
	}, "https://tidtam.example.go.th")
	if err != nil {
		t.Fatal(err)
	}
	return notify.Email{
		NotificationID: id,
		From:           mail.Address{Name: notify.DefaultFromName, Address: "tidtam@oncb.go.th"},
		To:             []mail.Address{{Name: "สมชาย ใจดี", Address: "somchai@chonburi.go.th"}},
		Subject:        msg.Subject, Text: msg.Text, HTML: msg.HTML,
		Date: time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC),
	}, msg
}

func senderFor(s *notifytest.Server, user, pass, tlsMode, auth string) *notify.SMTPSender {
	return &notify.SMTPSender{
		Config: config.SMTP{Host: s.Host(), Port: s.Port(), Username: user, Password: pass,
			From: "tidtam@oncb.go.th", TLS: tlsMode, Auth: auth},
		TLSConfig: &tls.Config{RootCAs: s.ClientRoots},
		Timeout:   10 * time.Second,
	}
}

// TestSMTPDeliversThaiMail sends a Thai notification to a real go-smtp
// server requiring authentication, over each TLS mode and mechanism, and
// reads what the server received back as a mail client would.
func TestSMTPDeliversThaiMail(t *testing.T) {
	users := map[string]string{"tidtam": "s3cret-ผ่าน"}
	for _, tc := range []struct{ tls, auth string }{
		{notifytest.TLSNone, "plain"},
		{notifytest.TLSNone, "login"},
		{notifytest.TLSStartTLS, "plain"},
		{notifytest.TLSImplicit, "login"},
		{notifytest.TLSStartTLS, "oauthbearer"},
	} {
		t.Run(tc.tls+"/"+tc.auth, func(t *testing.T) {
			mechs := []string{sasl.Plain, sasl.Login}
			if tc.auth == "oauthbearer" {
				mechs = []string{sasl.OAuthBearer}
			}
			srv := notifytest.Start(t, notifytest.Options{Users: users, TLS: tc.tls, Mechanisms: mechs})
			const id = "assignment/ONCB-1/20/7"
			email, msg := thaiEmail(t, id)
			raw, err := notify.BuildMIME(email)
			if err != nil {
				t.Fatal(err)
			}
			err = senderFor(srv, "tidtam", users["tidtam"], tc.tls, tc.auth).Send(t.Context(), "tidtam@oncb.go.th", []string{"somchai@chonburi.go.th"}, raw)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			if got[0].User != "tidtam" || got[0].From != "tidtam@oncb.go.th" || strings.Join(got[0].To, ",") != "somchai@chonburi.go.th" {
				t.Errorf("envelope = %+v", got[0])
			}
			r := parseReceived(t, got[0].Data)
			if r.Subject != msg.Subject {
				t.Errorf("Subject = %q, want %q", r.Subject, msg.Subject)
			}
			if r.Text != msg.Text {
				t.Errorf("text body differs:\n got %q\nwant %q", r.Text, msg.Text)
			}
			if r.HTML != msg.HTML {
				t.Errorf("html body differs:\n got %q\nwant %q", r.HTML, msg.HTML)
			}
			if r.From.Name != notify.DefaultFromName || r.From.Address != "tidtam@oncb.go.th" {
				t.Errorf("From = %+v", r.From)
			}
			if len(r.To) != 1 || r.To[0].Name != "สมชาย ใจดี" || r.To[0].Address != "somchai@chonburi.go.th" {
				t.Errorf("To = %+v", r.To)
			}
			if want := notify.MessageID(id); r.Header.Get("Message-ID") != want || !strings.HasSuffix(want, "@tidtam>") || len(want) != len("<@tidtam>")+64 {
				t.Errorf("Message-ID = %q, want %q (<sha256-hex@tidtam>)", r.Header.Get("Message-ID"), want)
			}
			if r.Header.Get("X-Tidtam-Notification") != id {
				t.Errorf("X-Tidtam-Notification = %q", r.Header.Get("X-Tidtam-Notification"))
			}
			if d, err := r.Header.Date(); err != nil || !d.Equal(email.Date) {
				t.Errorf("Date = %v, %v", d, err)
			}
		})
	}
}

// TestBuildMIMEHeaders checks the raw headers: 7-bit, encoded words for
// Thai, folded lines, no header injection through data.
func TestBuildMIMEHeaders(t *testing.T) {
	email, _ := thaiEmail(t, "n/1")
	email.Subject += "\r\nBcc: victim@example.com"
	raw, err := notify.BuildMIME(email)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no header/body separator")
	}
	for _, line := range strings.Split(string(head), "\r\n") {
		for _, r := range line {
			if r > 127 {
				t.Fatalf("header line is not ASCII: %q", line)
			}
		}
		if len(line) > 998 {
			t.Errorf("header line of %d octets", len(line))
		}
		if strings.HasPrefix(strings.ToLower(line), "bcc:") {
			t.Errorf("data injected a header: %q", line)
		}
	}
	if !strings.Contains(string(head), "Subject: =?UTF-8?b?") && !strings.Contains(string(head), "Subject: =?UTF-8?B?") {
		t.Errorf("Subject not B-encoded:\n%s", head)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("body line of %d octets", len(line))
		}
	}
	if bytes.Contains(raw, []byte("\n")) && bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
		t.Error("bare LF in message")
	}
	if _, err := notify.BuildMIME(notify.Email{From: mail.Address{Address: "a@b"}}); err == nil {
		t.Error("BuildMIME without recipients succeeded")
	}
}

// TestSMTPWrongPasswordIsAuthError: a 535 is a configuration error, not a
// temporary one.
func TestSMTPWrongPasswordIsAuthError(t *testing.T) {
	for _, auth := range []string{"plain", "login"} {
		srv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "right"}})
		raw, _ := notify.BuildMIME(func() notify.Email { e, _ := thaiEmail(t, "n/2"); return e }())
		err := senderFor(srv, "tidtam", "wrong", notifytest.TLSNone, auth).Send(t.Context(), "tidtam@oncb.go.th", []string{"a@b.go.th"}, raw)
		var se *notify.SendError
		if !errors.Is(err, notify.ErrAuth) || !errors.Is(err, notify.ErrConfig) || !notify.IsPermanent(err) ||
			errors.Is(err, notify.ErrTemporary) || !errors.As(err, &se) || se.Code != 535 {
			t.Errorf("%s: err = %v, want ErrAuth (a permanent ErrConfig) with code 535", auth, err)
		}
		if srv.AuthFailures() != 1 || len(srv.Messages()) != 0 {
			t.Errorf("%s: auth failures %d, messages %d", auth, srv.AuthFailures(), len(srv.Messages()))
		}
	}
	srv := notifytest.Start(t, notifytest.Options{Users: map[string]string{"tidtam": "token"}, Mechanisms: []string{sasl.OAuthBearer}})
	err := senderFor(srv, "tidtam", "expired", notifytest.TLSNone, "oauthbearer").Send(t.Context(), "f@x", []string{"a@b.go.th"}, []byte("x"))
	if !errors.Is(err, notify.ErrAuth) {
		t.Errorf("oauthbearer: err = %v, want ErrAuth", err)
	}
}

// TestSMTPErrorClasses covers the other classifications.
func TestSMTPErrorClasses(t *testing.T) {
	users := map[string]string{"u": "p"}
	msg := []byte("Subject: x\r\n\r\nx\r\n")
	send := func(s *notify.SMTPSender, to string) error {
		ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
		defer cancel()
		return s.Send(ctx, "f@x.go.th", []string{to}, msg)
	}

	down := notifytest.New(t, notifytest.Options{Users: users}) // never started
	if err := send(senderFor(down, "u", "p", "none", "plain"), "a@b"); !errors.Is(err, notify.ErrTemporary) || notify.IsPermanent(err) {
		t.Errorf("server down: err = %v, want ErrTemporary", err)
	}

	rcpt := notifytest.Start(t, notifytest.Options{Users: users, Rcpt: func(to string) error {
		switch to {
		case "gone@b.go.th":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		case "full@b.go.th":
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"}
		}
		return nil
	}})
	s := senderFor(rcpt, "u", "p", "none", "plain")
	var se *notify.SendError
	if err := send(s, "gone@b.go.th"); !errors.Is(err, notify.ErrRejected) || errors.Is(err, notify.ErrConfig) || !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("550 on RCPT: err = %v, want ErrRejected", err)
	}
	if err := send(s, "full@b.go.th"); !errors.Is(err, notify.ErrTemporary) {
		t.Errorf("452 on RCPT: err = %v, want ErrTemporary", err)
	}
	if err := send(s, "ok@b.go.th"); err != nil || len(rcpt.Messages()) != 1 {
		t.Errorf("good recipient: err = %v, %d messages", err, len(rcpt.Messages()))
	}

	plain := notifytest.Start(t, notifytest.Options{Users: users}) // no TLS offered
	if err := send(senderFor(plain, "u", "p", "starttls", "plain"), "a@b"); !errors.Is(err, notify.ErrConfig) || errors.Is(err, notify.ErrAuth) {
		t.Errorf("STARTTLS not offered: err = %v, want ErrConfig", err)
	}
	if err := send(senderFor(plain, "u", "p", "implicit", "plain"), "a@b"); !errors.Is(err, notify.ErrConfig) && !errors.Is(err, notify.ErrTemporary) {
		t.Errorf("implicit TLS against plain server: err = %v", err)
	}
	if err := send(senderFor(plain, "u", "p", "none", "oauthbearer"), "a@b"); !errors.Is(err, notify.ErrConfig) {
		t.Errorf("mechanism not offered: err = %v, want ErrConfig", err)
	}
	noAuth := senderFor(plain, "", "", "none", "none")
	if err := send(noAuth, "a@b"); !errors.Is(err, notify.ErrAuth) {
		t.Errorf("server requires AUTH, none configured: err = %v, want ErrAuth", err)
	}

	tlsSrv := notifytest.Start(t, notifytest.Options{Users: users, TLS: notifytest.TLSStartTLS})
	untrusted := senderFor(tlsSrv, "u", "p", "starttls", "plain")
	untrusted.TLSConfig = nil // system roots do not know the test certificate
	if err := send(untrusted, "a@b"); !errors.Is(err, notify.ErrConfig) {
		t.Errorf("untrusted certificate: err = %v, want ErrConfig", err)
	}
}

// TestSMTPHungServerBoundedByContext: a server that never greets cannot
// hold a send past its context.
func TestSMTPHungServerBoundedByContext(t *testing.T) {
	srv := notifytest.New(t, notifytest.Options{})
	// The kernel completes the TCP handshake; nobody ever greets.
	ln, err := net.Listen("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = senderFor(srv, "", "", "none", "none").Send(ctx, "f@x", []string{"a@b"}, []byte("x"))
	if !errors.Is(err, notify.ErrTemporary) || time.Since(start) > 5*time.Second {
		t.Errorf("hung server: err = %v after %v, want ErrTemporary within the context's 300 ms", err, time.Since(start))
	}
}
