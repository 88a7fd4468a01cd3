package fields

import (
	"strings"
	"unicode"
)

// Currencies. A currency field holds an ISO 4217 code ("EUR"): it is read
// from a code, a symbol or a currency's name, after a label ("Währung:
// EUR", "Devise : EURO (EUR)") or, without one, from the amounts of the
// page (the currency most of them are written with).

// isoCurrencies are the codes read as currencies.
var isoCurrencies = map[string]bool{
	"EUR": true, "USD": true, "GBP": true, "CHF": true, "JPY": true, "CNY": true, "INR": true, "PLN": true, "SEK": true, "NOK": true,
	"DKK": true, "CZK": true, "HUF": true, "RON": true, "BGN": true, "CAD": true, "AUD": true, "NZD": true, "MXN": true, "BRL": true,
	"ZAR": true, "TRY": true, "RUB": true, "AED": true, "SGD": true, "HKD": true, "MYR": true, "IDR": true, "PHP": true, "THB": true,
	"KRW": true, "ILS": true, "SAR": true, "VND": true, "UAH": true, "NGN": true,
}

// currencyAliases map symbols and names (folded) to codes.
var currencyAliases = map[string]string{
	"€": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "zł": "PLN", "zl": "PLN", "kč": "CZK",
	"rm": "MYR", "ringgit": "MYR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS", "฿": "THB", "₫": "VND", "₴": "UAH", "₦": "NGN",
	"us$": "USD", "s$": "SGD", "hk$": "HKD", "a$": "AUD", "c$": "CAD", "r$": "BRL", "sfr": "CHF", "fr.": "CHF",
	"dollar": "USD", "dollars": "USD", "$": "USD",
}

// parseCurrency reads the first currency code, symbol or name in s.
func parseCurrency(s string) (string, float64, bool) {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("()[],;:/", r) }) {
		if isoCurrencies[strings.ToUpper(f)] && (strings.ToUpper(f) == f || len(strings.Fields(s)) == 1) {
			return strings.ToUpper(f), 1, true
		}
		if c, ok := currencyOf(f); ok {
			return c, 0.9, true
		}
	}
	return "", 0, false
}

// currencyOf maps a word, or a symbol glued to an amount ("45,93€",
// "$8.20"), to a currency code.
func currencyOf(w string) (string, bool) {
	low := strings.ToLower(strings.Trim(w, ".*"))
	if c, ok := currencyAliases[low]; ok {
		return c, true
	}
	if c, ok := currencyAliases[strings.ToLower(w)]; ok {
		return c, true
	}
	for sym, c := range currencyAliases {
		if len([]rune(sym)) == 1 && !unicode.IsLetter([]rune(sym)[0]) && (strings.HasPrefix(w, sym) || strings.HasSuffix(w, sym)) && strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			return c, true
		}
	}
	return "", false
}

// pageCurrency returns the currency most of the page's amounts are
// written with (a code or symbol in, before or after the amount's word),
// and whether there is one. Where no amount carries one, a code or symbol
// in the label of a total, subtotal or tax ("Total € incl. VAT", a
// column headed "Netto EUR") names it.
func (x *extractor) pageCurrency() (string, *line, bool) {
	count := map[string]int{}
	first := map[string]*line{}
	for _, ln := range x.lay.lines {
		for _, c := range ln.cells {
			for i, w := range c.words {
				if _, _, _, ok := parseAmount(w.text, false); !ok {
					continue
				}
				for _, near := range []int{i - 1, i, i + 1} {
					if near < 0 || near >= len(c.words) {
						continue
					}
					t := c.words[near].text
					code, ok := "", false
					if isoCurrencies[strings.ToUpper(t)] {
						code, ok = strings.ToUpper(t), true
					} else {
						code, ok = currencyOf(t)
					}
					if ok {
						count[code]++
						if first[code] == nil {
							first[code] = ln
						}
						break
					}
				}
			}
		}
	}
	if len(count) == 0 {
		x.labelCurrencies(count, first)
	}
	best := ""
	for c, n := range count {
		if best == "" || n > count[best] || n == count[best] && c < best {
			best = c
		}
	}
	return best, first[best], best != ""
}

// labelCurrencies counts the currency codes (in capitals) and symbols
// standing as words in the cells of lines that name a total, a subtotal
// or a tax.
func (x *extractor) labelCurrencies(count map[string]int, first map[string]*line) {
	for _, ln := range x.lay.lines {
		sums := false
		for _, c := range ln.cells {
			for _, cl := range c.claims {
				sums = sums || cl.c.name == "total" || cl.c.name == "subtotal" || cl.c.name == "tax"
			}
		}
		if !sums {
			continue
		}
		for _, c := range ln.cells {
			for _, w := range c.words {
				t := strings.Trim(w.text, ".,:;()")
				code := ""
				switch {
				case isoCurrencies[t]:
					code = t
				case len([]rune(t)) == 1:
					if cc, ok := currencyAliases[t]; ok {
						code = cc
					}
				}
				if code != "" {
					count[code]++
					if first[code] == nil {
						first[code] = ln
					}
				}
			}
		}
	}
}
