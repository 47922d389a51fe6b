package auth

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/tidtam/tidtam/internal/apperr"
)

func TestHashPasswordFormatAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not the expected PHC argon2id string", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of the same password are equal: salt is not random")
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: ok=%v err=%v", ok, err)
	}
	if ok, err := VerifyPassword(h, "correct horse batterY"); ok || err != nil {
		t.Fatalf("wrong password: ok=%v err=%v", ok, err)
	}
	if NeedsRehash(h) {
		t.Error("fresh hash reported as needing rehash")
	}
}

func TestVerifyPasswordBcrypt(t *testing.T) {
	b, err := bcrypt.GenerateFromPassword([]byte("legacy-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		h := prefix + string(b[4:])
		if ok, err := VerifyPassword(h, "legacy-password"); !ok || err != nil {
			t.Errorf("%s right password: ok=%v err=%v", prefix, ok, err)
		}
		if ok, err := VerifyPassword(h, "legacy-passwore"); ok || err != nil {
			t.Errorf("%s wrong password: ok=%v err=%v", prefix, ok, err)
		}
		if !NeedsRehash(h) {
			t.Errorf("%s hash should need rehash", prefix)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good, _ := HashPassword("whatever-password")
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":          "",
		"plain text":     "whatever-password",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"wrong version":  strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(good, "m=19456", "m=4194304", 1),
		"zero time":      strings.Replace(good, "t=2", "t=0", 1),
		"unknown param":  strings.Replace(good, "p=1", "p=1,x=3", 1),
		"bad salt":       "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + parts[5],
		"missing hash":   "$argon2id$v=19$m=19456,t=2,p=1$" + parts[4],
		"truncated bcry": "$2b$10$abc",
	} {
		ok, err := VerifyPassword(h, "whatever-password")
		if ok || err == nil {
			t.Errorf("%s: VerifyPassword(%q) = %v, %v; want false and an error", name, h, ok, err)
		}
	}
}

func TestVerifyPasswordOtherParameters(t *testing.T) {
	// A hash made with other (still sane) parameters must verify, and be
	// flagged for upgrade.
	salt := []byte("0123456789abcdef")
	p := argon2Params{memory: 8 * 1024, time: 3, threads: 2}
	key := argon2.IDKey([]byte("other-params-pw"), salt, p.time, p.memory, p.threads, 32)
	h := encodeArgon2id(p, salt, key)
	if ok, err := VerifyPassword(h, "other-params-pw"); !ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if !NeedsRehash(h) {
		t.Error("hash with old parameters should need rehash")
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	for pw, wantOK := range map[string]bool{
		"":             false,
		"12345678901":  false,
		"123456789012": true,
		"            ": false,
		"รหัสผ่านภาษาไทย":                true,  // 15 characters, 45 bytes
		"รหัสผ่านไทย":                    false, // 11 characters, 33 bytes: counted in characters
		strings.Repeat("a", 2000):        false,
		"long enough passphrase here ok": true,
	} {
		err := CheckPasswordPolicy(pw)
		if wantOK && err != nil {
			t.Errorf("%q: unexpected error %v", pw, err)
		}
		if !wantOK {
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != "password" {
				t.Errorf("%q: got %v, want Invalid on field password", pw, err)
			}
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := generatePassword(16)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 16 {
			t.Fatalf("len(%q) = %d", pw, len(pw))
		}
		for _, c := range pw {
			if !strings.ContainsRune(generatedPasswordAlphabet, c) {
				t.Fatalf("%q contains %q outside the alphabet", pw, c)
			}
		}
		if err := CheckPasswordPolicy(pw); err != nil {
			t.Fatalf("generated password fails policy: %v", err)
		}
		if seen[pw] {
			t.Fatalf("generated %q twice", pw)
		}
		seen[pw] = true
	}
}

func TestNewTokenAndHash(t *testing.T) {
	a, err := newToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newToken()
	if a == b {
		t.Fatal("two tokens are equal")
	}
	if !regexp.MustCompile(`^tdt_[A-Za-z0-9_-]{43}$`).MatchString(a) {
		t.Fatalf("token %q has the wrong shape", a)
	}
	h := HashToken(a)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) || h == HashToken(b) {
		t.Fatalf("HashToken(%q) = %q", a, h)
	}
	// Known vector: SHA-256 of "tdt_x".
	if got, want := HashToken("tdt_x"), "e199f8ec631ecd880e8cc7fdcb4dd84118e187b2a74ed25c608dcde7ea47668b"; got != want {
		t.Fatalf("HashToken(tdt_x) = %q, want %q", got, want)
	}
}
