package einvoice

import (
	"fmt"
	"strings"
	"time"
)

// normaliser converts the XML's values to the Invoice's forms and keeps the
// first failure, so a mapping reads as a list of assignments.
type normaliser struct {
	err error
}

func (n *normaliser) fail(what, value, why string) {
	if n.err == nil {
		if len(value) > 40 {
			value = value[:40] + "..."
		}
		n.err = corrupt(fmt.Sprintf("The invoice's %s %q is not %s.", what, value, why), nil)
	}
}

// amount returns s as a decimal with at least two decimals.
func (n *normaliser) amount(what, s string) string {
	v, ok := decimal(s, 2)
	if !ok {
		n.fail(what, s, "a decimal number")
	}
	return v
}

// number returns s as a decimal without trailing zeros.
func (n *normaliser) number(what, s string) string {
	v, ok := decimal(s, 0)
	if !ok {
		n.fail(what, s, "a decimal number")
	}
	return v
}

// date returns s, in CII's format 102 (YYYYMMDD) or as an xs:date
// (YYYY-MM-DD with an optional time zone), as YYYY-MM-DD. format is CII's
// format attribute ("" for UBL).
func (n *normaliser) date(what, s, format string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if format != "" && format != "102" {
		n.fail(what, s, "a day (format "+format+" is a period)")
		return ""
	}
	var iso string
	switch {
	case len(s) == 8 && allDigits(s):
		iso = s[:4] + "-" + s[4:6] + "-" + s[6:]
	case len(s) >= 10 && allDigits(s[:4]) && s[4] == '-' && s[7] == '-' && validZone(s[10:]):
		iso = s[:10]
	default:
		n.fail(what, s, "a date")
		return ""
	}
	if _, err := time.Parse(time.DateOnly, iso); err != nil {
		n.fail(what, s, "a date")
		return ""
	}
	return iso
}

// validZone reports whether s is empty or an xs:date time zone: Z, +hh:mm
// or -hh:mm.
func validZone(s string) bool {
	switch {
	case s == "" || s == "Z":
		return true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && allDigits(s[1:3]) && s[3] == ':' && allDigits(s[4:]):
		return true
	}
	return false
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// decimal normalises an xs:decimal: no leading zeros, trailing zeros
// dropped down to minFrac decimals, "-0" becomes "0". An empty s gives "",
// true.
func decimal(s string, minFrac int) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if (intPart == "" && frac == "") || (intPart != "" && !allDigits(intPart)) || (frac != "" && !allDigits(frac)) {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	frac = strings.TrimRight(frac, "0")
	for len(frac) < minFrac {
		frac += "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out, true
}

// text trims s and folds its runs of white space into one space.
func text(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// first returns the first non-empty of ss, trimmed.
func first(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// profileOf reads the profile from a specification identifier (BT-24),
// such as "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic" or
// "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort".
func profileOf(guideline string) Profile {
	g := strings.ToLower(guideline)
	for _, p := range profileMarks {
		for _, m := range p.marks {
			if strings.Contains(g, m) {
				return p.profile
			}
		}
	}
	return ""
}

// profileMarks name each profile by the words its identifiers contain, in
// the order profileOf looks for them: an identifier may contain several
// ("basicwl" contains "basic"; extended ones name en16931 too), and the
// first match wins.
var profileMarks = []struct {
	profile Profile
	marks   []string
}{
	{ProfileXRechnung, []string{"xrechnung"}},
	{ProfilePEPPOL, []string{"peppol"}},
	{ProfileExtended, []string{"extended"}},
	{ProfileBasicWL, []string{"basicwl", "basic-wl", "basic_wl"}},
	{ProfileMinimum, []string{"minimum"}},
	{ProfileBasic, []string{"basic"}},
	{ProfileComfort, []string{"comfort"}},
	{ProfileEN16931, []string{"en16931"}},
}
