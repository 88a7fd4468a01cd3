// Package docparse holds the domain nouns and rules of docparse: IDs,
// statuses and their transitions, extraction schemas and classifications
// with their validation, and the sentinel errors the other packages map to
// API answers. It does no I/O.
package docparse
