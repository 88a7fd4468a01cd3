package pipeline

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/store"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newKeySecret returns "dp_live_" + 32 random base62 characters.
func newKeySecret() (string, error) {
	b := make([]byte, 32)
	max := big.NewInt(int64(len(base62)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("random key: %w", err)
		}
		b[i] = base62[n.Int64()]
	}
	return "dp_live_" + string(b), nil
}

// CreateAPIKey creates a key for accountID and returns it with its
// plaintext, which is never stored and never shown again.
func (s *Service) CreateAPIKey(ctx context.Context, accountID, name string) (k docparse.APIKey, secret string, err error) {
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		k, secret, err = s.CreateAPIKeyTx(ctx, tx, accountID, name)
		return err
	})
	return k, secret, err
}

// CreateAPIKeyTx is CreateAPIKey inside tx, for a caller that commits
// more with it (the stored answer of an Idempotency-Key).
func (s *Service) CreateAPIKeyTx(ctx context.Context, tx *store.Tx, accountID, name string) (docparse.APIKey, string, error) {
	secret, err := newKeySecret()
	if err != nil {
		return docparse.APIKey{}, "", err
	}
	k := docparse.APIKey{ID: s.ids.New(docparse.PrefixAPIKey), AccountID: accountID, Name: name,
		Last4: secret[len(secret)-4:], CreatedAt: s.Now()}
	if err := tx.InsertAPIKey(ctx, k, HashKey(secret)); err != nil {
		return docparse.APIKey{}, "", err
	}
	return k, secret, nil
}

// CreateAccountKey creates the account named accountName if needed and a
// new key for it (the `docparse keys create` command).
func (s *Service) CreateAccountKey(ctx context.Context, accountName, keyName string) (docparse.APIKey, string, error) {
	if accountName == "" {
		return docparse.APIKey{}, "", fmt.Errorf("account name is empty")
	}
	var acct docparse.Account
	err := s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		acct, err = tx.EnsureAccount(ctx, s.ids.New(docparse.PrefixAccount), accountName, s.Now())
		return err
	})
	if err != nil {
		return docparse.APIKey{}, "", err
	}
	return s.CreateAPIKey(ctx, acct.ID, keyName)
}
