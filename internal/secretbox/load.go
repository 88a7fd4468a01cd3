package secretbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The environment variables of the key. Each holds the standard base64 of 32
// bytes.
const (
	// EnvKey is the key that seals (and opens).
	EnvKey = "DOCPARSE_SECRET_KEY"
	// EnvPreviousKey is an older key that only opens, during a rotation.
	EnvPreviousKey = "DOCPARSE_SECRET_KEY_PREVIOUS"
)

// KeyFileName is the key file in the data directory (SQLite only).
const KeyFileName = "secret.key"

// Source says where Load found the key, for the startup log (never the key).
type Source struct {
	// Env is true when the key came from DOCPARSE_SECRET_KEY.
	Env bool
	// File is the key file's path when it came from one.
	File string
	// Created is true when Load created the key file.
	Created bool
}

// Load returns the box of the configured keys: DOCPARSE_SECRET_KEY (with
// DOCPARSE_SECRET_KEY_PREVIOUS) when set; otherwise, unless envRequired
// (PostgreSQL, where every node must share one key), the key file
// secret.key in dataDir, created with mode 0600 when missing.
func Load(getenv func(string) string, dataDir string, envRequired bool) (*Box, Source, error) {
	var prev *Key
	if v := getenv(EnvPreviousKey); v != "" {
		k, err := ParseKey(v)
		if err != nil {
			return nil, Source{}, fmt.Errorf("%s: %w", EnvPreviousKey, err)
		}
		prev = k
	}
	if v := getenv(EnvKey); v != "" {
		k, err := ParseKey(v)
		if err != nil {
			return nil, Source{}, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return New(k, prev), Source{Env: true}, nil
	}
	if envRequired {
		return nil, Source{}, fmt.Errorf("%s is not set: a PostgreSQL deployment must set it to the same key on every node "+
			"(standard base64 of 32 random bytes; generate one with: head -c 32 /dev/urandom | base64)", EnvKey)
	}
	if prev != nil {
		return nil, Source{}, fmt.Errorf("%s is set but %s is not: set both during a rotation", EnvPreviousKey, EnvKey)
	}
	path := filepath.Join(dataDir, KeyFileName)
	k, created, err := LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, Source{}, err
	}
	return New(k), Source{File: path, Created: created}, nil
}

// ReadKeyFile reads a key file: the standard base64 of 32 bytes, readable
// and writable by its owner only. A file that others may read, or that does
// not hold exactly 32 bytes of base64, is refused with an error that says
// which, without the file's content.
func ReadKeyFile(path string) (*Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("secret key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("secret key file %s has mode %#o; it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	if st.Size() > 1024 {
		return nil, fmt.Errorf("secret key file %s is %d bytes; it must hold one key, the standard base64 of 32 bytes", path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: %w", path, err)
	}
	return k, nil
}

// WriteKeyFile writes the base64 text of a key to path with mode 0600,
// atomically: the file appears whole or not at all. With replace false an
// existing file is fs.ErrExist and stays as it was.
func WriteKeyFile(path, text string, replace bool) error {
	if _, err := ParseKey(text); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write secret key file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secret.key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("write secret key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write secret key file: %w", err)
	}
	if _, err := tmp.WriteString(text + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("write secret key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write secret key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write secret key file: %w", err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path) // fails if path exists
	}
	if err != nil {
		return fmt.Errorf("write secret key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// LoadOrCreateKeyFile reads the key file at path, creating it with a new
// random key first when it does not exist. It reports whether it created it.
func LoadOrCreateKeyFile(path string) (*Key, bool, error) {
	created := false
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		text, err := GenerateKey()
		if err != nil {
			return nil, false, err
		}
		switch err := WriteKeyFile(path, text, false); {
		case err == nil:
			created = true
		case errors.Is(err, fs.ErrExist): // another process made it first
		default:
			return nil, false, err
		}
	}
	k, err := ReadKeyFile(path)
	return k, created, err
}
