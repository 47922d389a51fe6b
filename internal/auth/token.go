package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// TokenPrefix starts every bearer token tidtam issues. It lets secret
// scanners recognise leaked tokens and lets Authenticate reject foreign
// strings without a database lookup.
const TokenPrefix = "tdt_"

// Token kinds stored in api_tokens.kind.
const (
	// KindSession tokens come from Login and expire after Service.SessionTTL.
	KindSession = "session"
	// KindAPI tokens come from CreateAPIToken and live until their expiry
	// (at most MaxAPITokenTTL) or until revoked. They are independent of the
	// session that minted them: logging out does not revoke them.
	KindAPI = "api"
)

// Token scopes stored in api_tokens.scope.
const (
	// ScopeReadWrite tokens may do whatever their account may do.
	ScopeReadWrite = "read_write"
	// ScopeReadOnly tokens may only read: every request other than GET and
	// HEAD is Forbidden (Principal.ReadOnly).
	ScopeReadOnly = "read_only"
)

// DefaultAPITokenTTL is the lifetime of an API token created without one.
const DefaultAPITokenTTL = 90 * 24 * time.Hour

// MaxAPITokenTTL is the longest lifetime an API token may be given.
const MaxAPITokenTTL = 365 * 24 * time.Hour

// displayPrefixLen is how much of a token api_tokens.prefix keeps in clear:
// TokenPrefix and 8 random characters (48 of its 256 bits), enough to tell
// tokens apart and far too little to guess the rest.
const displayPrefixLen = len(TokenPrefix) + 8

// displayPrefix returns the part of token shown in token lists.
func displayPrefix(token string) string {
	if len(token) <= displayPrefixLen {
		return ""
	}
	return token[:displayPrefixLen]
}

// tokenBytes is the entropy of a token: 256 bits, far beyond guessing.
const tokenBytes = 32

// newToken returns a fresh random bearer token: TokenPrefix followed by 32
// random bytes in unpadded base64url.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: generating token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the lowercase hex SHA-256 of the whole token (prefix
// included), the only form in which tokens are stored. A fast hash is enough
// here, unlike for passwords, because tokens carry 256 random bits.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
