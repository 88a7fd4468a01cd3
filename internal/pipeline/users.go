package pipeline

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

// MinPasswordLength is the fewest characters a dashboard password may have.
const MinPasswordLength = 10

// SessionLifetime is how long a dashboard sign-in lasts.
const SessionLifetime = 12 * time.Hour

// ErrBadCredentials is the answer to a sign-in with an unknown email or a
// wrong password; which of the two is not said.
var ErrBadCredentials = errors.New("email or password is incorrect")

// argon2id parameters: RFC 9106's second recommended option (64 MiB,
// 3 passes) with 4 lanes. They are stored in each hash, so raising them
// later keeps old hashes valid.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 4
	argonKeyLen  = 32
)

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, a string of
// HashPassword. A malformed hash is an error.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("verify password: not an argon2id hash")
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("verify password: unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("verify password: parameters %q: %w", parts[3], err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("verify password: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("verify password: hash: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when the email is unknown, so that a
// sign-in takes as long whether or not the email exists.
// Computed on first use: hashing costs 64 MiB and tens of milliseconds,
// which commands that never sign anyone in should not pay.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("docparse-dummy-password")
	return h
})

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser creates the account named accountName if needed and a
// dashboard user of it (the `docparse users create` command). The email
// must be unused (docparse.ErrConflict otherwise).
func (s *Service) CreateUser(ctx context.Context, accountName, email, password string) (docparse.User, error) {
	email = NormalizeEmail(email)
	v := &docparse.ValidationError{}
	if accountName == "" {
		v.Add("account", "is required")
	}
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") || len(email) > 254 {
		v.Add("email", "must be an email address")
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		v.Add("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	if err := v.Err(); err != nil {
		return docparse.User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return docparse.User{}, err
	}
	u := docparse.User{ID: s.ids.New(docparse.PrefixUser), Email: email, CreatedAt: s.Now()}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		acct, err := tx.EnsureAccount(ctx, s.ids.New(docparse.PrefixAccount), accountName, s.Now())
		if err != nil {
			return err
		}
		u.AccountID = acct.ID
		return tx.InsertUser(ctx, u, hash)
	})
	if err != nil {
		return docparse.User{}, err
	}
	return u, nil
}

// SignIn checks a dashboard user's email and password and starts a
// session. It returns the session and the token for the browser's cookie,
// or ErrBadCredentials. API keys are not passwords: they cannot sign in.
func (s *Service) SignIn(ctx context.Context, email, password string) (docparse.Session, string, error) {
	u, hash, err := s.db.UserByEmail(ctx, NormalizeEmail(email))
	if errors.Is(err, docparse.ErrNotFound) {
		_, _ = VerifyPassword(dummyHash(), password)
		return docparse.Session{}, "", ErrBadCredentials
	}
	if err != nil {
		return docparse.Session{}, "", err
	}
	ok, err := VerifyPassword(hash, password)
	if err != nil {
		return docparse.Session{}, "", fmt.Errorf("sign in %s: %w", u.ID, err)
	}
	if !ok {
		return docparse.Session{}, "", ErrBadCredentials
	}
	token, err := randomToken()
	if err != nil {
		return docparse.Session{}, "", err
	}
	csrf, err := randomToken()
	if err != nil {
		return docparse.Session{}, "", err
	}
	now := s.Now()
	sess := docparse.Session{ID: SessionID(token), UserID: u.ID, AccountID: u.AccountID, Email: u.Email,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.db.InsertSession(ctx, sess); err != nil {
		return docparse.Session{}, "", err
	}
	return sess, token, nil
}

// Session returns the live session of a cookie token, or
// docparse.ErrNotFound.
func (s *Service) Session(ctx context.Context, token string) (docparse.Session, error) {
	if token == "" {
		return docparse.Session{}, docparse.NotFound("session", "")
	}
	return s.db.SessionByID(ctx, SessionID(token), s.Now())
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, sess docparse.Session) error {
	return s.db.DeleteSession(ctx, sess.AccountID, sess.ID)
}

// SessionID is the stored id of a session token: its hex SHA-256.
func SessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
