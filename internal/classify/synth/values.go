package synth

import (
	"fmt"
	"math"
	"strings"
)

var (
	firstNames = []string{"Jane", "Pierre", "Anna", "Luis", "Chris", "María", "Jürgen", "Sophie", "Ahmed", "Mei", "Tom", "Élodie", "Kofi", "Ines", "Lars", "Priya"}
	lastNames  = []string{"Doe", "Martin", "Schmidt", "García", "Miller", "Dubois", "Müller", "Rossi", "Okafor", "Chen", "Novak", "Fernández", "Jensen", "Patel", "Lefèvre", "Brown"}
	coParts    = [2][]string{
		{"Acme", "Northwind", "Blue Harbor", "Contoso", "Globex", "Initech", "Riverside", "Atlas", "Nordlicht", "Sol y Mar", "Lumière", "Falcon", "Greenfield", "Oakridge", "Vertex", "Brightline"},
		{"Trading", "Supplies", "Consulting", "Logistics", "Systems", "Foods", "Media", "Engineering", "Services", "Partners", "Industries", "Software", "Print", "Energy"},
	}
	legal   = map[string][]string{"en": {"Ltd", "Inc.", "LLC", "PLC", "Corp."}, "fr": {"SARL", "SAS", "SA"}, "de": {"GmbH", "AG", "KG"}, "es": {"S.L.", "S.A."}}
	streets = map[string][]string{
		"en": {"12 Harbour Road, Springfield", "221 Baker Street, London NW1 6XE", "4557 De Silva St, Fremont CA 94538", "Unit 5, Riverside Park, Leeds LS1 4AP", "88 King St, Toronto ON"},
		"fr": {"14 rue de la Paix, 75002 Paris", "3 avenue Jean Jaurès, 69007 Lyon", "27 boulevard Carnot, 06000 Nice"},
		"de": {"Hauptstraße 5, 10115 Berlin", "Lindenweg 12, 80331 München", "Am Markt 3, 50667 Köln"},
		"es": {"Calle Mayor 10, 28013 Madrid", "Avenida Diagonal 200, 08018 Barcelona", "Calle Sierpes 4, 41004 Sevilla"},
	}
	months = map[string][]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	}
	cities = []string{"London", "Paris", "Berlin", "Madrid", "Lyon", "Munich", "Seville", "Leeds", "Toronto", "Hamburg", "Valencia", "Bordeaux"}
)

func (g *gen) person() string { return pick(g.r, firstNames) + " " + pick(g.r, lastNames) }

func (g *gen) company() string {
	s := pick(g.r, coParts[0])
	if g.chance(0.7) {
		s += " " + pick(g.r, coParts[1])
	}
	if g.chance(0.8) {
		s += " " + pick(g.r, legal[g.lang])
	}
	return s
}

func (g *gen) address() string { return pick(g.r, streets[g.lang]) }

func (g *gen) date() string {
	y, m, d := 2015+g.r.IntN(12), 1+g.r.IntN(12), 1+g.r.IntN(28)
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case 1:
		if g.lang == "en" && g.chance(0.5) {
			return fmt.Sprintf("%02d/%02d/%04d", m, d, y)
		}
		return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
	case 2:
		if g.lang == "de" {
			return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
		}
		return fmt.Sprintf("%02d-%02d-%04d", d, m, y)
	}
	if g.lang == "en" && g.chance(0.5) {
		return fmt.Sprintf("%s %d, %d", months["en"][m-1], d, y)
	}
	if g.lang == "de" {
		return fmt.Sprintf("%d. %s %d", d, months[g.lang][m-1], y)
	}
	if g.lang == "es" {
		return fmt.Sprintf("%d de %s de %d", d, months[g.lang][m-1], y)
	}
	return fmt.Sprintf("%d %s %d", d, months[g.lang][m-1], y)
}

func (g *gen) time() string { return fmt.Sprintf("%02d:%02d", 5+g.r.IntN(18), 5*g.r.IntN(12)) }

// price returns a random price between lo and hi.
func (g *gen) price(lo, hi float64) float64 {
	return math.Round((lo+(hi-lo)*g.r.Float64()*g.r.Float64())*100) / 100
}

// money formats an amount in the document's language, with its currency
// sometimes.
func (g *gen) money(v float64, withCur bool) string {
	s := fmt.Sprintf("%.2f", v)
	if g.lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	if !withCur {
		return s
	}
	if g.cur == "$" || g.cur == "£" {
		return g.cur + s
	}
	return s + " " + g.cur
}

func (g *gen) ref(prefix string) string {
	return fmt.Sprintf("%s%0*d", prefix, 4+g.r.IntN(4), g.r.IntN(1000000))
}

func (g *gen) email(name string) string {
	n := strings.ToLower(strings.Fields(name)[0])
	n = strings.NewReplacer("á", "a", "é", "e", "ü", "u", "í", "i").Replace(n)
	return n + "@" + pick(g.r, []string{"example.com", "mail.test", "corp.example"})
}
