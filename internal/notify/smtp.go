package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/tidtam/tidtam/internal/config"
)

// Sender hands one message to a mail system. The message is sent to every
// address in to (the envelope recipients), whatever its To header says.
// Errors are classified as in SendError.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// DefaultSendTimeout bounds one SMTP conversation when the context has no
// earlier deadline.
const DefaultSendTimeout = time.Minute

// SMTPSender sends mail through one SMTP server with go-smtp, one
// connection per message.
type SMTPSender struct {
	// Config is the server, credentials and modes (TLS: starttls, implicit
	// or none; Auth: plain, login, oauthbearer or none; Password is the
	// OAuth bearer token for oauthbearer).
	Config config.SMTP
	// TLSConfig is the client TLS configuration; nil verifies the server
	// against the system roots with ServerName Config.Host. Tests set
	// RootCAs here.
	TLSConfig *tls.Config
	// Timeout bounds the whole conversation; 0 means DefaultSendTimeout.
	// The context's deadline, when earlier, wins: an activity attempt must
	// end its I/O before Temporal gives up on it and starts another, or
	// two attempts could send the same message.
	Timeout time.Duration
	// Dial opens the TCP connection; nil uses a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewSender returns the sender for cfg, or nil when cfg.Host is empty
// (no SMTP: mail goes to the development mailbox).
func NewSender(cfg config.SMTP) Sender {
	if strings.TrimSpace(cfg.Host) == "" {
		return nil
	}
	return &SMTPSender{Config: cfg}
}

// Send delivers msg from from to each address in to: connect (implicit
// TLS, or STARTTLS which must then be offered), authenticate with the
// configured mechanism (which must be offered), MAIL, RCPT for each
// address, DATA, QUIT. All addresses share one transaction, so one 5xx
// RCPT rejects the message (ErrRejected); callers send to one address at a
// time to keep recipients independent.
func (s *SMTPSender) Send(ctx context.Context, from string, to []string, msg []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSendTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	c, err := s.connect(ctx, time.Until(deadline))
	if err != nil {
		return err
	}
	defer c.Close()

	if err := s.auth(c); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return classifySMTP("MAIL FROM", err)
	}
	for _, addr := range to {
		if err := c.Rcpt(addr, nil); err != nil {
			return classifySMTP("RCPT TO "+addr, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return classifySMTP("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classifySMTP("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classifySMTP("end of DATA", err)
	}
	// The message is accepted once DATA closed with 250; a failing QUIT
	// changes nothing and must not make the caller send again.
	_ = c.Quit()
	return nil
}

// connect dials, sets up TLS as configured and waits for the greeting. The
// connection is closed when ctx ends: go-smtp has no context support, and a
// hung server must not outlive the attempt. commandTimeout bounds each
// command.
func (s *SMTPSender) connect(ctx context.Context, commandTimeout time.Duration) (*smtp.Client, error) {
	cfg := s.Config
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dial := s.Dial
	if dial == nil {
		d := &net.Dialer{}
		dial = d.DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, classifySMTP("connect to "+addr, err)
	}
	// Send cancels ctx when it returns, so this fires in every case; a
	// second Close after the client's own is harmless.
	context.AfterFunc(ctx, func() { _ = conn.Close() })
	var c *smtp.Client
	switch cfg.TLS {
	case "implicit":
		tc := tls.Client(conn, s.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, classifySMTP("TLS handshake with "+addr, err)
		}
		c = smtp.NewClient(tc)
	case "none":
		c = smtp.NewClient(conn)
	default: // starttls, the configuration default
		// Greets, says EHLO, checks that STARTTLS is offered and starts it.
		// Its greeting uses go-smtp's default timeout; the AfterFunc above
		// still ends it with ctx.
		if c, err = smtp.NewClientStartTLS(conn, s.tlsConfig()); err != nil {
			_ = conn.Close()
			return nil, classifySMTP("STARTTLS with "+addr, err)
		}
	}
	c.CommandTimeout, c.SubmissionTimeout = commandTimeout, commandTimeout
	// NOOP forces the greeting and EHLO (again, after STARTTLS) now, so
	// that their errors are reported as such: later capability checks
	// (SupportsAuth) would swallow them.
	if err := c.Noop(); err != nil {
		_ = c.Close()
		return nil, classifySMTP("greeting from "+addr, err)
	}
	return c, nil
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	if s.TLSConfig != nil {
		c := s.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = s.Config.Host
		}
		return c
	}
	return &tls.Config{ServerName: s.Config.Host, MinVersion: tls.VersionTLS12}
}

func (s *SMTPSender) auth(c *smtp.Client) error {
	cfg := s.Config
	var mech string
	var client sasl.Client
	switch cfg.Auth {
	case "none", "":
		return nil
	case "plain":
		mech, client = sasl.Plain, sasl.NewPlainClient("", cfg.Username, cfg.Password)
	case "login":
		mech, client = sasl.Login, sasl.NewLoginClient(cfg.Username, cfg.Password)
	case "oauthbearer":
		mech = sasl.OAuthBearer
		client = sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
			Username: cfg.Username, Token: cfg.Password, Host: cfg.Host, Port: cfg.Port,
		})
	default:
		return classified(ErrConfig, 0, fmt.Errorf("unknown SMTP auth mechanism %q", cfg.Auth))
	}
	if !c.SupportsAuth(mech) {
		_, offered := c.Extension("AUTH")
		return classified(ErrConfig, 0, fmt.Errorf("server does not offer AUTH %s (offers %q); set TIDTAM_SMTP_AUTH or TIDTAM_SMTP_TLS accordingly", mech, offered))
	}
	if err := c.Auth(client); err != nil {
		return classifySMTP("AUTH "+mech, err)
	}
	return nil
}

// classifySMTP wraps err from stage into a SendError: 530/534/535/538,
// enhanced status 5.7.8, 5.7.0 on MAIL (authentication required) and a
// rejected SASL exchange are ErrAuth; other 4xx, network errors and
// timeouts ErrTemporary; other 5xx ErrRejected, except during AUTH, where
// a 5xx means the mechanism or settings are wrong (ErrConfig); TLS
// certificate and protocol errors ErrConfig.
func classifySMTP(stage string, err error) error {
	wrapped := fmt.Errorf("%s: %w", stage, err)
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		switch {
		case se.Code == 530 || se.Code == 534 || se.Code == 535 || se.Code == 538,
			se.EnhancedCode == smtp.EnhancedCode{5, 7, 8},
			// "Please authenticate first" (5.7.0) on MAIL: the server
			// wants AUTH and none was configured.
			se.EnhancedCode == smtp.EnhancedCode{5, 7, 0} && stage == "MAIL FROM":
			return classified(ErrAuth, se.Code, wrapped)
		case se.Code >= 400 && se.Code < 500:
			return classified(ErrTemporary, se.Code, wrapped)
		case strings.HasPrefix(stage, "AUTH"):
			return classified(ErrConfig, se.Code, wrapped)
		case se.Code >= 500:
			return classified(ErrRejected, se.Code, wrapped)
		}
		return classified(ErrTemporary, se.Code, wrapped)
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var oauthErr *sasl.OAuthBearerError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr):
		return classified(ErrConfig, 0, wrapped)
	case errors.As(err, &recordErr):
		// A TLS client talking to a plain-text server (or the reverse)
		// reads garbage as a record header: the TLS mode is wrong.
		return classified(ErrConfig, 0, fmt.Errorf("%w (is TIDTAM_SMTP_TLS right for this port?)", wrapped))
	case errors.As(err, &oauthErr):
		return classified(ErrAuth, 0, wrapped)
	case strings.Contains(err.Error(), "doesn't support STARTTLS"):
		// go-smtp's wording when EHLO did not list STARTTLS.
		return classified(ErrConfig, 0, fmt.Errorf("%w; set TIDTAM_SMTP_TLS to implicit or none", wrapped))
	case errors.Is(err, io.EOF), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return classified(ErrTemporary, 0, wrapped)
	}
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &netErr) || errors.As(err, &opErr) {
		return classified(ErrTemporary, 0, wrapped)
	}
	// Unknown failures are retried: within the bounded retry window a
	// wrong guess costs only time, whereas giving up loses the message.
	return classified(ErrTemporary, 0, wrapped)
}
