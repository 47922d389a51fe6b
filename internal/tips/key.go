package tips

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tidtam/tidtam/internal/thaidate"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
)

// KeyFile is the name, in the data folder, of the tip key generated on
// first start when TIDTAM_TIP_KEY is not set.
const KeyFile = "tip.key"

// Key is the 32-byte tip key. The keys actually used are derived from it
// (HMAC-SHA256 of a label), one per purpose: sealing texts, the receipt
// lookup, the submission lookup.
type Key [32]byte

// ParseKey reads a key written as standard base64 of 32 bytes (what
// TIDTAM_TIP_KEY and the key file hold).
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != len(k) {
		return k, errors.New("tips: the tip key must be 32 bytes in standard base64 (e.g. `openssl rand -base64 32`)")
	}
	copy(k[:], b)
	return k, nil
}

// LoadKey returns the tip key: configured (base64, from TIDTAM_TIP_KEY)
// when not empty; otherwise the one in dataDir/KeyFile, which is created
// (mode 0600, 32 random bytes in base64) when it does not exist. created
// reports that a new key was written.
func LoadKey(configured, dataDir string) (k Key, created bool, err error) {
	if configured != "" {
		k, err = ParseKey(configured)
		return k, false, err
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err = ParseKey(string(b))
		if err != nil {
			return k, false, fmt.Errorf("%s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if _, err := rand.Read(k[:]); err != nil {
		return k, false, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return k, false, err
	}
	// O_EXCL: two processes starting at once never overwrite each other's
	// key; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey("", dataDir)
	}
	if err != nil {
		return k, false, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k[:]) + "\n"); err != nil {
		f.Close()
		return k, false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return k, false, err
	}
	return k, true, f.Close()
}

// keys are the per-purpose keys derived from a Key.
type keys struct {
	seal       [32]byte
	receipt    []byte
	submission []byte
	challenge  [32]byte
}

func deriveKeys(k Key) keys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, k[:])
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	var ks keys
	copy(ks.seal[:], derive("tidtam-tip-seal-v1"))
	ks.receipt = derive("tidtam-tip-receipt-lookup-v1")
	ks.submission = derive("tidtam-tip-submission-lookup-v1")
	copy(ks.challenge[:], derive("tidtam-tip-challenge-v1"))
	return ks
}

// seal encrypts plain with secretbox under a random nonce: base64 of
// nonce ‖ box.
func (ks keys) sealText(plain string) (string, error) { return ks.sealBytes([]byte(plain)) }

// sealBytes is sealText of bytes (a tip's file).
func (ks keys) sealBytes(plain []byte) (string, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	out := secretbox.Seal(nonce[:], plain, &nonce, &ks.seal)
	return base64.StdEncoding.EncodeToString(out), nil
}

// openText reverses sealText.
func (ks keys) openText(sealed string) (string, error) {
	b, err := ks.openBytes(sealed)
	return string(b), err
}

// openBytes reverses sealBytes.
func (ks keys) openBytes(sealed string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < 24+secretbox.Overhead {
		return nil, errors.New("tips: sealed text is damaged")
	}
	var nonce [24]byte
	copy(nonce[:], b[:24])
	plain, ok := secretbox.Open(nil, b[24:], &nonce, &ks.seal)
	if !ok {
		return nil, errors.New("tips: sealed text does not open with this tip key")
	}
	return plain, nil
}

func lookup(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// newReceipt returns ReceiptDigits decimal digits from crypto/rand.
func newReceipt() (string, error) {
	var b strings.Builder
	ten := big.NewInt(10)
	for range ReceiptDigits {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}

// NormalizeReceipt returns the digits of a receipt code as typed: Thai
// digits become Arabic, spaces and dashes are dropped. ok is false when
// anything else remains or the length is not ReceiptDigits.
func NormalizeReceipt(s string) (string, bool) {
	d, ok := typedDigits(s, ReceiptDigits)
	return d, ok && len(d) == ReceiptDigits
}

// typedDigits returns the digits of a code as a person types it (a
// receipt, a challenge's answer): Thai digits become Arabic, spaces, tabs
// and dashes are dropped. ok is false when anything else remains or there
// are more than limit digits.
func typedDigits(s string, limit int) (string, bool) {
	var b strings.Builder
	for _, r := range thaidate.NormalizeDigits(s) {
		switch {
		case r >= '0' && r <= '9':
			if b.Len() == limit {
				return "", false
			}
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\t':
		default:
			return "", false
		}
	}
	return b.String(), true
}

// Argon2id parameters of receipt hashes: 64 KiB, three passes, one thread
// (about 0.3 ms on the project machine). Passwords (internal/auth) use the
// OWASP minimum, 19 MiB and two passes (about 23 ms), because people choose
// guessable passwords; a receipt is ReceiptDigits random digits (66 bits),
// so its hash need not make each guess dear — 10^20 guesses at 0.3 ms are
// about 10^9 core-years — and intake must take hundreds of tips a second.
// The memory is kept small on purpose: at 1 MiB a hash, 200 tips a second
// allocated 200 MB/s and the garbage collector's work put the intake's p99
// at 159 ms; at 64 KiB it is 20 ms (docs/BENCHMARKS.md, P9). The row is
// found by a keyed HMAC, so without the tip key even that brute force has
// nothing to test against but this salted hash. Hashes made with other
// parameters still verify: they are read from the stored string.
const (
	argonMemory  uint32 = 64 // KiB
	argonTime    uint32 = 3
	argonThreads uint8  = 1
)

func hashReceipt(receipt string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(receipt), salt, argonTime, argonMemory, argonThreads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

func verifyReceipt(receipt, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 256*1024 || t > 16 || p == 0 || p > 16 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(receipt), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
