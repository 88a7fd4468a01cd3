package store

// StringList exposes Engine.stringList to the tests of package store_test.
func StringList(e Engine, n int, vals []string) (string, any) { return e.stringList(n, vals) }
