package dataset

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Tree reads the files of a source repository: a bare git directory (a
// mirror) at HEAD, or a directory on disk (a checkout). Its methods are
// safe for concurrent use.
type Tree struct {
	dir    string
	gitDir bool
}

// OpenTree opens repo as a bare git directory when it holds objects/
// and HEAD, as a plain directory otherwise.
func OpenTree(repo string) (Tree, error) {
	fi, err := os.Stat(repo)
	if err != nil {
		return Tree{}, err
	}
	if !fi.IsDir() {
		return Tree{}, fmt.Errorf("%s is not a directory", repo)
	}
	_, errObj := os.Stat(filepath.Join(repo, "objects"))
	_, errHead := os.Stat(filepath.Join(repo, "HEAD"))
	return Tree{dir: repo, gitDir: errObj == nil && errHead == nil}, nil
}

// Dir is the repository's directory: the bare git directory or the
// checkout.
func (t Tree) Dir() string { return t.dir }

// Bare reports whether the tree is read from a bare git directory, at
// HEAD.
func (t Tree) Bare() bool { return t.gitDir }

// Names lists the file names (not paths) directly in the folder dir of
// the tree, sorted. It reads no file.
func (t Tree) Names(ctx context.Context, dir string) ([]string, error) {
	var out []string
	if t.gitDir {
		b, err := t.git(ctx, "ls-tree", "--name-only", "HEAD:"+dir)
		if err != nil {
			return nil, err
		}
		for _, n := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if n != "" {
				out = append(out, n)
			}
		}
	} else {
		ents, err := os.ReadDir(filepath.Join(t.dir, filepath.FromSlash(dir)))
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if e.Type().IsRegular() {
				out = append(out, e.Name())
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// Read returns the file at p (slash-separated, relative to the tree).
func (t Tree) Read(ctx context.Context, p string) ([]byte, error) {
	if t.gitDir {
		return t.git(ctx, "show", "HEAD:"+p)
	}
	return os.ReadFile(filepath.Join(t.dir, filepath.FromSlash(p)))
}

func (t Tree) git(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", append([]string{"--git-dir=" + t.dir}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %s: %w", strings.Join(args, " "), strings.TrimSpace(stderr.String()), err)
	}
	return out, nil
}
