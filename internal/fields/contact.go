package fields

import (
	"regexp"
	"strings"
)

// A party's name often comes back in its web address or e-mail: the
// footer of an invoice ("azure.Interior24@example.com
// http://www.azure-interior.com"), a receipt's "www.popularonline.com.my".
// contactNames collects those names from the document, and namedByContact
// says whether a candidate name is one of them: a feature of the learned
// scorer (fContact), for the letterhead's name where a logo's words or a
// tagline stand above it.

var (
	// An e-mail address: its local part and its domain.
	reEmail = regexp.MustCompile(`([a-z0-9][a-z0-9._%+-]*)@([a-z0-9-]+(?:\.[a-z0-9-]+)+)`)
	// A web address: written with its scheme or "www.", or a host ending
	// in a common top-level domain; and the first part of its path (a
	// social network's page: "facebook.com/unihakka").
	reWeb = regexp.MustCompile(`(?:(?:https?://|www\.)([a-z0-9-]+(?:\.[a-z0-9-]+)*)|\b([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.(?:com|net|org|biz|info|eu|de|at|ch|fr|be|lu|es|it|nl|pl|uk|us|my|sg|io)\b)(?:/([a-z0-9._-]+))?`)
)

// contactGeneric are the parts of addresses that name no party: mail
// providers, social networks, placeholders and the mailboxes every
// company has (folded, letters only).
var contactGeneric = wordSet("gmail googlemail yahoo hotmail outlook live msn aol icloud gmx yandex mail email webmail online example facebook instagram twitter youtube linkedin tiktok whatsapp wechat www http https info sales contact contacts office admin service services support billing invoice invoices accounts accounting kontakt rechnung rechnungen buchhaltung verkauf bestellung hello enquiry enquiries customerservice customercare noreply reply factures facturation comptabilite facturas ventas fatture amministrazione")

// contactNames returns the names in the document's web and e-mail
// addresses: each address part of four letters or more (the letters
// only), but for the generic ones and top-level domains.
func (x *extractor) contactNames() []string {
	seen := map[string]bool{}
	var out []string
	add := func(part string) {
		var b strings.Builder
		for _, r := range part {
			if r >= 'a' && r <= 'z' {
				b.WriteRune(r)
			}
		}
		k := b.String()
		if len(k) >= 4 && !contactGeneric[k] && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	hostParts := func(host string) {
		labels := strings.Split(host, ".")
		for i, l := range labels {
			// The last label is the top-level domain; "com.my",
			// "co.uk" have two.
			if i == len(labels)-1 || i == len(labels)-2 && len(l) <= 3 && i > 0 {
				continue
			}
			add(l)
		}
	}
	for _, ln := range x.lay.lines {
		text := strings.ToLower(ln.text())
		for _, m := range reEmail.FindAllStringSubmatch(text, -1) {
			for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' }) {
				add(p)
			}
			add(m[1])
			hostParts(m[2])
		}
		for _, m := range reWeb.FindAllStringSubmatch(reEmail.ReplaceAllString(text, " "), -1) {
			host := m[1]
			if host == "" {
				host = m[2] + ".com" // the top-level domain is dropped anyway
			}
			hostParts(host)
			add(m[3])
		}
	}
	return out
}

// nameKey returns the letters of a name's words that are not a legal form
// or a single letter: "Azure Interior" is "azureinterior", "POPULAR BOOK
// CO. (M) SDN BHD" is "popularbook".
func nameKey(name string) (key, first string) {
	var b strings.Builder
	for _, t := range tokenize(name) {
		if !t.alpha || len(t.norm) < 2 || formWords[t.norm] {
			continue
		}
		if first == "" {
			first = t.norm
		}
		b.WriteString(t.norm)
	}
	return b.String(), first
}

// formWords are the words of the legal forms, and "co" (company).
var formWords = func() map[string]bool {
	m := map[string]bool{"co": true}
	for _, forms := range legalForms {
		for _, f := range forms {
			for _, w := range f {
				if len(w) > 1 {
					m[w] = true
				}
			}
		}
	}
	return m
}()

// namedByContact reports whether name is one of the document's contact
// names: an address part holds the name's letters, or the name holds an
// address part of five letters or more ("mynews" in "MYNEWS RETAIL"), or
// the part begins with the name's first word of four letters or more
// ("kings" for "KING'S CONFECTIONERY").
func namedByContact(name string, contacts []string) bool {
	key, first := nameKey(name)
	if len(key) < 4 {
		return false
	}
	for _, c := range contacts {
		switch {
		case strings.Contains(c, key):
			return true
		case len(c) >= 5 && strings.Contains(key, c):
			return true
		case len(first) >= 4 && strings.HasPrefix(c, first):
			return true
		}
	}
	return false
}
