package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// TokenPrefix starts every bearer token tidtam issues. It lets secret
// scanners recognise leaked tokens and lets Authenticate reject foreign
// strings without a database lookup.
const TokenPrefix = "tdt_"

// Token kinds stored in api_tokens.kind.
const (
	// KindSession tokens come from Login and expire after Service.SessionTTL.
	KindSession = "session"
	// KindAPI tokens come from CreateAPIToken and live until revoked.
	KindAPI = "api"
)

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
