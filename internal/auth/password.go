package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/tidtam/tidtam/internal/apperr"
)

// Argon2id parameters for new hashes. They follow the OWASP minimum
// (19 MiB, 2 passes, 1 lane): the server has 2 cores shared with Temporal,
// so a login must stay around tens of milliseconds and must not let a burst
// of sign-ins exhaust memory.
const (
	argon2Memory  uint32 = 19 * 1024 // KiB
	argon2Time    uint32 = 2
	argon2Threads uint8  = 1
	argon2SaltLen        = 16
	argon2KeyLen         = 32
)

// Upper bounds accepted when verifying a stored argon2id hash. Hashes may be
// imported from elsewhere; without a bound a single bad row could make every
// login attempt allocate gigabytes.
const (
	maxArgon2Memory  = 256 * 1024 // KiB
	maxArgon2Time    = 16
	maxArgon2Threads = 16
)

// MinPasswordLength is the fewest characters (Unicode code points, so Thai
// counts per character, not per byte) a new password may have.
const MinPasswordLength = 12

// MaxPasswordBytes bounds a new password so hashing cost stays predictable;
// it is far above anything a person or password manager produces.
const MaxPasswordBytes = 1024

// ErrUnsupportedHash reports a stored password hash in a format
// VerifyPassword does not understand (neither argon2id nor bcrypt).
var ErrUnsupportedHash = errors.New("auth: unsupported password hash format")

// CheckPasswordPolicy returns nil when pw is acceptable as a new password,
// or an apperr Invalid error on field "password". It is CheckNewPassword
// without a username; existing passwords are never checked against it,
// only passwords being set.
func CheckPasswordPolicy(pw string) error { return CheckNewPassword("password", "", pw) }

// CheckNewPassword returns nil when pw is acceptable as the new password of
// the account username (empty when not known yet), or an apperr Invalid
// error naming field: at least MinPasswordLength characters, at most
// MaxPasswordBytes bytes, not only spaces, and not the username itself (in
// any case, ignoring surrounding spaces).
func CheckNewPassword(field, username, pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength {
		return apperr.Field(field,
			"รหัสผ่านต้องมีอย่างน้อย %d ตัวอักษร (password must be at least %d characters)",
			MinPasswordLength, MinPasswordLength)
	}
	if len(pw) > MaxPasswordBytes {
		return apperr.Field(field,
			"รหัสผ่านยาวเกินไป (password must be at most %d bytes)", MaxPasswordBytes)
	}
	if strings.TrimSpace(pw) == "" {
		return apperr.Field(field,
			"รหัสผ่านต้องไม่เป็นช่องว่างทั้งหมด (password must not be only spaces)")
	}
	if u := normalizeUsername(username); u != "" && normalizeUsername(pw) == u {
		return apperr.Field(field,
			"รหัสผ่านต้องไม่เหมือนชื่อผู้ใช้ (password must not be the username)")
	}
	return nil
}

// HashPassword returns pw hashed with argon2id in PHC string format,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with unpadded standard
// base64. It does not apply the password policy; callers setting a new
// password call CheckPasswordPolicy first.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argon2SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argon2Time, argon2Memory, argon2Threads, argon2KeyLen)
	return encodeArgon2id(argon2Params{memory: argon2Memory, time: argon2Time, threads: argon2Threads}, salt, key), nil
}

// VerifyPassword reports whether pw matches encoded, an argon2id PHC string
// or a bcrypt hash ($2a$, $2b$ or $2y$). A mismatch is (false, nil); an
// error means encoded itself is malformed or of an unsupported scheme,
// which is an operator problem rather than a wrong password. The comparison
// is constant-time.
func VerifyPassword(encoded, pw string) (bool, error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		p, salt, want, err := decodeArgon2id(encoded)
		if err != nil {
			return false, err
		}
		got := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(len(want)))
		return subtle.ConstantTimeCompare(got, want) == 1, nil
	case isBcrypt(encoded):
		err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("auth: bcrypt hash: %w", err)
		}
		return true, nil
	default:
		return false, ErrUnsupportedHash
	}
}

// NeedsRehash reports whether encoded should be replaced by a fresh
// HashPassword result: it is bcrypt, or argon2id with other parameters than
// the current ones. Login uses it to upgrade hashes once the password is
// known to be right.
func NeedsRehash(encoded string) bool {
	p, salt, key, err := decodeArgon2id(encoded)
	if err != nil {
		return true
	}
	return p.memory != argon2Memory || p.time != argon2Time || p.threads != argon2Threads ||
		len(salt) != argon2SaltLen || len(key) != argon2KeyLen
}

func isBcrypt(encoded string) bool {
	return strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") ||
		strings.HasPrefix(encoded, "$2y$")
}

type argon2Params struct {
	memory  uint32
	time    uint32
	threads uint8
}

func encodeArgon2id(p argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

func decodeArgon2id(encoded string) (p argon2Params, salt, key []byte, err error) {
	// "$argon2id$v=19$m=..,t=..,p=..$salt$hash" splits into 6 parts, the
	// first empty.
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("auth: malformed argon2id hash")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("auth: unsupported argon2 version %q", parts[2])
	}
	var m, t, par uint64
	for _, kv := range strings.Split(parts[3], ",") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, fmt.Errorf("auth: malformed argon2id parameters %q", parts[3])
		}
		n, perr := strconv.ParseUint(value, 10, 32)
		if perr != nil {
			return p, nil, nil, fmt.Errorf("auth: malformed argon2id parameter %q", kv)
		}
		switch name {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			par = n
		default:
			return p, nil, nil, fmt.Errorf("auth: unknown argon2id parameter %q", kv)
		}
	}
	if m == 0 || m > maxArgon2Memory || t == 0 || t > maxArgon2Time || par == 0 || par > maxArgon2Threads || m < 8*par {
		return p, nil, nil, fmt.Errorf("auth: argon2id parameters out of range (m=%d,t=%d,p=%d)", m, t, par)
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("auth: malformed argon2id salt")
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("auth: malformed argon2id hash value")
	}
	return argon2Params{memory: uint32(m), time: uint32(t), threads: uint8(par)}, salt, key, nil
}

// generatedPasswordAlphabet leaves out look-alike characters (0/O, 1/l/I)
// because a generated password is read off a terminal and typed by hand.
const generatedPasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// generatePassword returns n characters drawn uniformly from
// generatedPasswordAlphabet.
func generatePassword(n int) (string, error) {
	const alphabetLen = len(generatedPasswordAlphabet)
	// Reject bytes at or above the largest multiple of the alphabet size so
	// every character is equally likely.
	const limit = 256 - 256%alphabetLen
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("auth: generating password: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, generatedPasswordAlphabet[int(b)%alphabetLen])
			}
		}
	}
	return string(out), nil
}
