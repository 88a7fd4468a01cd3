package synth

import (
	_ "embed"
	"encoding/json"
)

// lexiconJSON is the wording of the templates as data, one object per
// language; keeping it out of Go source lets translators edit one file
// without touching code.
//
//go:embed lexicon.json
var lexiconJSON []byte

// lexicon holds the wording of the templates: language -> key -> phrases.
// A key missing in a language falls back to English. It is read-only after
// package initialisation.
var lexicon = mustParseLexicon(lexiconJSON)

// mustParseLexicon decodes the embedded lexicon; it panics because a
// malformed embedded file is a build defect, not a runtime condition.
func mustParseLexicon(data []byte) map[string]map[string][]string {
	var lex map[string]map[string][]string
	if err := json.Unmarshal(data, &lex); err != nil {
		panic("synth: parse lexicon.json: " + err.Error())
	}
	return lex
}
