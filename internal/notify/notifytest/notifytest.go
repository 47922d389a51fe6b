// Package notifytest provides a real SMTP server for tests of mail
// delivery: go-smtp's server with AUTH PLAIN, LOGIN and OAUTHBEARER, plain
// text, STARTTLS or implicit TLS with a throw-away certificate, and
// recording of every accepted message, so tests count what a mail server
// actually received.
package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLS modes of a Server.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "implicit"
)

// Options configure a Server. Zero values: no TLS, AUTH PLAIN and LOGIN
// required with Users.
type Options struct {
	// Users maps user names to passwords (or OAuth tokens). Empty means no
	// authentication is offered or required.
	Users map[string]string
	// Mechanisms offered; default PLAIN and LOGIN (and OAUTHBEARER only
	// when listed).
	Mechanisms []string
	// TLS is TLSNone, TLSStartTLS or TLSImplicit.
	TLS string
	// Rcpt, when set, is asked about each recipient; a non-nil error
	// (e.g. &smtp.SMTPError{Code: 550}) rejects it.
	Rcpt func(to string) error
}

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	User string // the authenticated user
}

// Server is a running (or, until Start, reserved) test SMTP server.
type Server struct {
	t    testing.TB
	opts Options
	addr string
	// TLSConfig is the server's TLS configuration; ClientRoots trusts it.
	TLSConfig   *tls.Config
	ClientRoots *x509.CertPool

	mu       sync.Mutex
	srv      *smtp.Server
	messages []Message
	authFail int
	conns    int
}

// New reserves a loopback port and returns a server that is not yet
// listening (connections are refused until Start), so tests can simulate
// a mail server that is down and comes up later.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.TLS == "" {
		opts.TLS = TLSNone
	}
	if len(opts.Mechanisms) == 0 {
		opts.Mechanisms = []string{sasl.Plain, sasl.Login}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := &Server{t: t, opts: opts, addr: addr}
	s.TLSConfig, s.ClientRoots = SelfSignedTLS(t)
	t.Cleanup(s.Stop)
	return s
}

// Start begins listening on the reserved port.
func Start(t testing.TB, opts Options) *Server {
	s := New(t, opts)
	s.Start()
	return s
}

// Start listens and serves in the background; a second Start while
// running does nothing.
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		return &session{s: s}, nil
	}))
	srv.Domain = "mail.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.EnableSMTPUTF8 = true
	// Resets by clients that give up are expected here; keep test output
	// clean.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after Stop
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Errorf("notifytest: listen on %s: %v", s.addr, err)
		return
	}
	switch s.opts.TLS {
	case TLSImplicit:
		ln = tls.NewListener(ln, s.TLSConfig)
	case TLSStartTLS:
		srv.TLSConfig = s.TLSConfig
	}
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
}

// Stop closes the listener and every connection; later connections are
// refused until Start.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Host and Port of the server.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.addr); return h }

// Port of the server.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// Messages returns a copy of the accepted messages, in arrival order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// AuthFailures counts rejected authentication attempts.
func (s *Server) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFail
}

// Connections counts SMTP sessions opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// errBadCredentials is what a real server answers to wrong credentials.
var errBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

// errAuthRequired is the usual answer to MAIL before AUTH (go-smtp's own
// uses 502).
var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

type session struct {
	s    *Server
	user string
	from string
	to   []string
}

// AuthMechanisms implements the go-smtp/go-sasl interface of session.
func (ss *session) AuthMechanisms() []string {
	if len(ss.s.opts.Users) == 0 {
		return nil
	}
	return ss.s.opts.Mechanisms
}

func (ss *session) check(user, pass string) error {
	want, ok := ss.s.opts.Users[user]
	if !ok || want != pass {
		ss.s.mu.Lock()
		ss.s.authFail++
		ss.s.mu.Unlock()
		return errBadCredentials
	}
	ss.user = user
	return nil
}

// Auth implements the go-smtp/go-sasl interface of session.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return ss.check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: ss.check}, nil
	case sasl.OAuthBearer:
		return rejectAs535{sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if ss.check(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			return nil
		})}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// Mail implements the go-smtp/go-sasl interface of session.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(ss.s.opts.Users) > 0 && ss.user == "" {
		return errAuthRequired
	}
	ss.from = from
	return nil
}

// Rcpt implements the go-smtp/go-sasl interface of session.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.opts.Rcpt != nil {
		if err := ss.s.opts.Rcpt(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data implements the go-smtp/go-sasl interface of session.
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, Message{From: ss.from, To: append([]string(nil), ss.to...), Data: b, User: ss.user})
	ss.s.mu.Unlock()
	return nil
}

// Reset implements the go-smtp/go-sasl interface of session.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout implements the go-smtp/go-sasl interface of session.
func (ss *session) Logout() error { return nil }

// rejectAs535 answers a failed SASL exchange with 535, as real servers do
// (go-smtp would answer 454 for an error that is not an SMTPError).
type rejectAs535 struct{ sasl.Server }

// Next implements the go-smtp/go-sasl interface of rejectAs535.
func (r rejectAs535) Next(response []byte) ([]byte, bool, error) {
	challenge, done, err := r.Server.Next(response)
	if err != nil {
		return nil, true, errBadCredentials
	}
	return challenge, done, nil
}

// loginServer is the server side of SASL LOGIN (go-sasl has only the
// client): challenge "Username:", then "Password:".
type loginServer struct {
	check    func(user, pass string) error
	user     string
	gotUser  bool
	finished bool
}

// Next implements the go-smtp/go-sasl interface of loginServer.
func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case l.finished:
		return nil, true, errors.New("unexpected response")
	case response == nil && !l.gotUser:
		return []byte("Username:"), false, nil
	case !l.gotUser:
		l.user, l.gotUser = string(response), true
		return []byte("Password:"), false, nil
	}
	l.finished = true
	return nil, true, l.check(l.user, string(response))
}

// SelfSignedTLS returns a server TLS configuration for "127.0.0.1" and
// "localhost" with a fresh self-signed certificate, and a pool that trusts
// it.
func SelfSignedTLS(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "tidtam test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool
}
