package synth

// lang is the wording of one language. Every list holds alternatives; a
// document picks one of each. Some labels are deliberately outside the
// matcher's lexicon ("Inv. ref.", "Sum"), as real invoices are.
type lang struct {
	name                 string // the extraction's language
	title                []string
	number               []string
	date                 []string
	due                  []string
	orderNo, orderDate   []string
	customerNo           []string
	delivery             []string
	subtotal, tax, total []string // tax holds one %s for the rate
	paid, prevBalance    []string
	shipping             []string
	vatID, buyerVatID    []string
	iban, bic, account   []string
	seller, buyer        []string
	phone                []string
	page                 []string // one %d of %d
	desc, qty, unitPrice []string
	amount, unit, pos    []string
	code, taxRate        []string
	months               [12]string
	dateStyles           []dateStyle
	amountStyles         []amountStyle
	legal                []string
	currency             []string
	notes                []string
	taxInclusive         []string // "incl. VAT %s" for a total with the tax inside, one %s for the rate
	unitWords            []string
	cities               []string
	products             []string
	sectionHeaders       []string
	wrapLines            []string
	thanks               []string
}

// dateStyle formats a date; ambiguous is true when day and month could be
// swapped by a reader.
type dateStyle int

const (
	dateISO      dateStyle = iota // 2026-05-24
	dateDMYSlash                  // 24/05/2026
	dateMDYSlash                  // 05/24/2026
	dateDMYDot                    // 24.05.2026
	dateDMYDash                   // 24-05-2026 (or 4-5-2026)
	dateDMYShort                  // 24.05.26
	dateLongDMY                   // 24 May 2026 / 24. Mai 2026 / 24 de mayo de 2026
	dateLongMDY                   // May 24, 2026
	dateShortMDY                  // May 24, 2026 with a short month
)

// amountStyle says how amounts are printed.
type amountStyle struct {
	dec, thou string // decimal and thousands separators
	prefix    bool   // currency before the number
}

var languages = []*lang{english, french, german, spanish, dutch}

var english = &lang{
	name:        "English",
	title:       []string{"INVOICE", "Invoice", "TAX INVOICE", "Sales Invoice", "Bill"},
	number:      []string{"Invoice No:", "Invoice Number:", "Invoice #", "Invoice number", "Inv. No.", "Invoice ID:", "Bill No:", "Document No:", "Inv. ref.:", "Invoice No:", "Invoice number:"},
	date:        []string{"Date:", "Invoice Date:", "Invoice date", "Date of issue:", "Issue date:", "Dated:", "Billing date:"},
	due:         []string{"Due Date:", "Payment due:", "Due by:", "Pay by:", "Due date"},
	orderNo:     []string{"Order No:", "PO Number:", "Purchase Order:", "Order ID:", "Your ref:"},
	orderDate:   []string{"Order Date:", "Order date"},
	customerNo:  []string{"Customer No:", "Account No:", "Customer ID:", "Client ID:"},
	delivery:    []string{"Delivery Date:", "Ship Date:"},
	subtotal:    []string{"Subtotal", "Sub-total:", "Net Total:", "Total excl. VAT", "Amount before tax", "Net amount", "Total net"},
	tax:         []string{"VAT %s", "Tax (%s)", "Sales tax %s", "VAT (%s):", "Tax", "VAT amount", "GST %s"},
	total:       []string{"Total", "Total:", "Total Due", "Amount Due:", "Grand Total", "Balance Due:", "Total amount", "Invoice total", "Total incl. VAT", "TOTAL", "Sum", "To pay:", "Total payable"},
	paid:        []string{"Amount paid", "Payments received", "Paid"},
	prevBalance: []string{"Previous balance", "Balance brought forward"},
	shipping:    []string{"Shipping", "Delivery charge", "Freight"},
	vatID:       []string{"VAT No:", "VAT Reg. No:", "VAT number:", "VAT ID:", "Tax ID:", "VAT Registration No."},
	buyerVatID:  []string{"Customer VAT No:", "Your VAT number:", "Buyer VAT ID:"},
	iban:        []string{"IBAN:", "IBAN", "Bank account (IBAN):"},
	bic:         []string{"BIC:", "SWIFT:", "BIC/SWIFT:"},
	account:     []string{"Account number:", "Sort code:"},
	seller:      []string{"From:", "Seller:", "Supplier:", "Sold by:", "Issued by:"},
	buyer:       []string{"Bill to:", "Billed to:", "Invoice to:", "Customer:", "Sold to:"},
	phone:       []string{"Phone:", "Tel:", "Tel.", "Fax:", "Mobile:"},
	page:        []string{"Page %d of %d", "Page %d/%d"},
	desc:        []string{"Description", "Item", "Product", "Service", "Item description", "Details"},
	qty:         []string{"Qty", "Quantity", "Units", "Hours"},
	unitPrice:   []string{"Unit Price", "Price", "Rate", "Unit cost", "Price/unit"},
	amount:      []string{"Amount", "Total", "Line Total", "Net", "Subtotal"},
	unit:        []string{"Unit", "UoM"},
	pos:         []string{"#", "Pos", "Line"},
	code:        []string{"SKU", "Code", "Item No", "Part No"},
	taxRate:     []string{"VAT %", "Tax", "Tax rate"},
	months:      [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	dateStyles:  []dateStyle{dateISO, dateDMYSlash, dateMDYSlash, dateMDYSlash, dateLongDMY, dateLongMDY, dateShortMDY, dateLongMDY},
	amountStyles: []amountStyle{
		{".", ",", true}, {".", ",", false}, {".", "", true}, {".", ",", true},
	},
	legal:          []string{"Ltd", "Ltd.", "Inc.", "LLC", "PLC", "Limited", "Corp.", ""},
	currency:       []string{"$", "£", "USD", "EUR", "€", "GBP"},
	notes:          []string{"Payment terms: 30 days net", "Thank you for your business.", "Please quote the invoice number with your payment.", "Goods remain our property until paid in full.", "Terms: Net 14"},
	taxInclusive:   []string{"incl. VAT %s", "Includes tax %s"},
	unitWords:      []string{"pcs", "h", "kg", "ea", "units", "days"},
	cities:         []string{"12 Harbour Road, Springfield", "4557 De Silva St, Fremont CA 94538", "221 Baker Street, London NW1 6XE", "1 Infinite Loop, Cupertino CA 95014", "Unit 5, Riverside Park, Leeds LS1 4AP"},
	products:       []string{"Consulting services", "Annual support plan", "Laptop stand aluminium", "Printer toner black", "Office chair", "Web hosting (monthly)", "Software licence", "Installation labour", "USB-C cable 2m", "Project management", "Cloud storage 1 TB", "Training session", "Maintenance kit", "Design work", "Travel expenses"},
	sectionHeaders: []string{"--- Services ---", "--- Hardware ---", "Recurring charges"},
	wrapLines:      []string{"Serial number: SN%05d", "Period: 01/05 - 31/05", "Ref. %05d", "as agreed", "incl. setup"},
	thanks:         []string{"Thank you for your business!", "Questions? Contact billing@example.com"},
}

var french = &lang{
	name:        "French",
	title:       []string{"FACTURE", "Facture"},
	number:      []string{"Facture n°", "N° de facture :", "Numéro de facture :", "Facture N°", "N° facture", "Réf. facture :", "Pièce n°"},
	date:        []string{"Date :", "Date de facture :", "Date de facturation :", "Date d'émission :", "Émise le"},
	due:         []string{"Date d'échéance :", "Échéance :", "Date limite de paiement :", "À payer avant le"},
	orderNo:     []string{"N° de commande :", "Commande n°", "Bon de commande :"},
	orderDate:   []string{"Date de commande :"},
	customerNo:  []string{"N° client :", "Code client :", "Numéro client :"},
	delivery:    []string{"Date de livraison :"},
	subtotal:    []string{"Total HT", "Montant HT", "Total HT :", "Sous-total", "Base HT"},
	tax:         []string{"TVA %s", "TVA (%s) :", "Montant TVA", "TVA %s :", "Total TVA"},
	total:       []string{"Total TTC", "Total TTC :", "Net à payer", "Montant TTC", "Total à payer :", "Montant total", "Montant dû"},
	paid:        []string{"Acompte versé", "Déjà réglé"},
	prevBalance: []string{"Solde précédent", "Report"},
	shipping:    []string{"Frais de port", "Livraison"},
	vatID:       []string{"N° TVA intracommunautaire :", "TVA intracom. :", "N° de TVA :", "Numéro de TVA :"},
	buyerVatID:  []string{"Votre n° TVA :", "TVA client :"},
	iban:        []string{"IBAN :", "IBAN"},
	bic:         []string{"BIC :", "Code BIC :"},
	account:     []string{"RIB :", "Compte :"},
	seller:      []string{"Fournisseur :", "Vendeur :", "Émetteur :"},
	buyer:       []string{"Facturé à :", "Client :", "Adresse de facturation :"},
	phone:       []string{"Tél :", "Tél.", "Fax :", "Téléphone :"},
	page:        []string{"Page %d/%d", "Page %d sur %d"},
	desc:        []string{"Désignation", "Description", "Libellé", "Article", "Produit"},
	qty:         []string{"Qté", "Quantité", "Nombre"},
	unitPrice:   []string{"Prix unitaire", "P.U. HT", "PU HT", "Prix unit."},
	amount:      []string{"Montant HT", "Montant", "Total HT", "Prix total"},
	unit:        []string{"Unité"},
	pos:         []string{"N°", "Réf."},
	code:        []string{"Référence", "Code"},
	taxRate:     []string{"TVA", "% TVA", "Taux TVA"},
	months:      [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	dateStyles:  []dateStyle{dateDMYSlash, dateDMYSlash, dateLongDMY, dateISO, dateDMYDot},
	amountStyles: []amountStyle{
		{",", " ", false}, {",", ".", false}, {",", "", false}, {".", "", false}, {",", " ", true},
	},
	legal:          []string{"SAS", "SARL", "SA", "EURL", ""},
	currency:       []string{"€", "EUR"},
	notes:          []string{"Conditions de paiement : 30 jours fin de mois", "Pénalités de retard : trois fois le taux d'intérêt légal", "Merci de votre confiance.", "TVA acquittée sur les débits"},
	taxInclusive:   []string{"dont TVA %s"},
	unitWords:      []string{"u", "h", "kg", "pce", "jours"},
	cities:         []string{"16 rue Mollien, 92100 Boulogne", "8 rue de la Paix, 75002 Paris", "27 rue Henri Rolland, 69100 Villeurbanne", "3 place Bellecour, 69002 Lyon"},
	products:       []string{"Prestation de conseil", "Abonnement mensuel", "Maintenance annuelle", "Formation utilisateurs", "Licence logiciel", "Frais de déplacement", "Cartouche d'encre noire", "Installation sur site", "Hébergement web", "Développement spécifique"},
	sectionHeaders: []string{"--- Prestations ---", "Matériel"},
	wrapLines:      []string{"Numéro de série : SN%05d", "Période du 01/05 au 31/05", "Réf. %05d", "selon devis"},
	thanks:         []string{"Merci pour votre commande.", "Pour toute question : compta@exemple.fr"},
}

var german = &lang{
	name:        "German",
	title:       []string{"RECHNUNG", "Rechnung"},
	number:      []string{"Rechnungsnummer:", "Rechnungs-Nr.:", "Rechnungsnr.", "Rechnung Nr.", "Beleg-Nr.:", "Re.-Nr.:", "Rechnungsnummer:"},
	date:        []string{"Rechnungsdatum:", "Datum:", "Rechnungsdatum", "Belegdatum:", "Ausstellungsdatum:"},
	due:         []string{"Fälligkeitsdatum:", "Fällig am:", "Zahlbar bis:", "Zahlungsziel:"},
	orderNo:     []string{"Bestellnummer:", "Auftragsnummer:", "Ihre Bestellung:"},
	orderDate:   []string{"Bestelldatum:", "Auftragsdatum:"},
	customerNo:  []string{"Kundennummer:", "Kunden-Nr.:", "Kundennr."},
	delivery:    []string{"Lieferdatum:", "Leistungsdatum:"},
	subtotal:    []string{"Summe netto", "Nettobetrag", "Zwischensumme", "Gesamt netto", "Netto"},
	tax:         []string{"MwSt. %s", "USt. %s", "zzgl. %s MwSt.", "Umsatzsteuer %s", "MwSt.-Betrag"},
	total:       []string{"Gesamtbetrag", "Rechnungsbetrag", "Endbetrag", "Gesamt brutto", "Zu zahlen", "Summe", "Gesamtsumme", "Summe brutto"},
	paid:        []string{"Bereits bezahlt", "Anzahlung"},
	prevBalance: []string{"Vortrag", "Alter Saldo"},
	shipping:    []string{"Versandkosten", "Fracht"},
	vatID:       []string{"USt-IdNr.:", "USt-ID:", "UStId", "Umsatzsteuer-ID:", "Steuernummer:"},
	buyerVatID:  []string{"Ihre USt-IdNr.:", "Kunden-USt-ID:"},
	iban:        []string{"IBAN:", "IBAN"},
	bic:         []string{"BIC:", "SWIFT"},
	account:     []string{"Kto-Nr.", "BLZ:"},
	seller:      []string{"Verkäufer:", "Lieferant:", "Rechnungssteller:"},
	buyer:       []string{"Rechnungsempfänger:", "Kunde:", "Rechnungsadresse:"},
	phone:       []string{"Tel.:", "Telefon:", "Fax:", "Tel."},
	page:        []string{"Seite %d von %d", "Seite %d/%d"},
	desc:        []string{"Beschreibung", "Bezeichnung", "Artikel", "Leistung", "Artikelbezeichnung"},
	qty:         []string{"Menge", "Anzahl", "Stk."},
	unitPrice:   []string{"Einzelpreis", "E-Preis", "Preis", "Stückpreis"},
	amount:      []string{"Betrag", "Gesamtpreis", "Gesamt", "Summe"},
	unit:        []string{"Einheit", "ME"},
	pos:         []string{"Pos.", "Pos"},
	code:        []string{"Art.-Nr.", "Artikelnummer"},
	taxRate:     []string{"MwSt.", "USt %"},
	months:      [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	dateStyles:  []dateStyle{dateDMYDot, dateDMYDot, dateLongDMY, dateDMYShort, dateISO},
	amountStyles: []amountStyle{
		{",", ".", false}, {",", ".", true}, {",", "", false}, {",", ".", false},
	},
	legal:          []string{"GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", ""},
	currency:       []string{"€", "EUR"},
	notes:          []string{"Zahlbar innerhalb von 14 Tagen ohne Abzug.", "Vielen Dank für Ihren Auftrag!", "Leistungszeitraum entspricht Rechnungsdatum.", "Es gelten unsere AGB."},
	taxInclusive:   []string{"enthaltene MwSt. %s", "inkl. %s USt."},
	unitWords:      []string{"Stk", "h", "kg", "Std.", "Psch."},
	cities:         []string{"Hauptstraße 1, 10115 Berlin", "Uferweg 40-42, 63571 Gelnhausen", "Marienplatz 8, 80331 München", "Königsallee 12, 40212 Düsseldorf"},
	products:       []string{"Beratung", "Wartungsvertrag", "Softwarelizenz", "Reisekosten", "Schulung vor Ort", "Druckerpatrone schwarz", "Montage", "Webhosting Paket", "Projektleitung", "Servicepauschale"},
	sectionHeaders: []string{"Dienstleistungen", "--- Hardware ---"},
	wrapLines:      []string{"Seriennummer: SN%05d", "Zeitraum 01.05.-31.05.", "Dienst: USR%05d", "gemäß Angebot"},
	thanks:         []string{"Vielen Dank für Ihren Einkauf.", "Bei Fragen: buchhaltung@beispiel.de"},
}

var spanish = &lang{
	name:        "Spanish",
	title:       []string{"FACTURA", "Factura"},
	number:      []string{"Factura n°", "Nº de factura:", "Número de factura:", "Factura número:", "Num. factura:", "Nº factura:"},
	date:        []string{"Fecha:", "Fecha de factura:", "Fecha de emisión:", "Fecha factura:"},
	due:         []string{"Fecha de vencimiento:", "Vencimiento:"},
	orderNo:     []string{"Nº de pedido:", "Pedido nº", "Su referencia:"},
	orderDate:   []string{"Fecha de pedido:"},
	customerNo:  []string{"Nº de cliente:", "Código cliente:"},
	delivery:    []string{"Fecha de entrega:"},
	subtotal:    []string{"Base imponible", "Subtotal", "Importe neto", "Total sin IVA"},
	tax:         []string{"IVA %s", "IVA (%s):", "Cuota IVA", "Total IVA"},
	total:       []string{"Total", "Total factura", "Importe total", "Total a pagar", "TOTAL:", "Líquido a pagar"},
	paid:        []string{"Pagado", "Anticipo"},
	prevBalance: []string{"Saldo anterior"},
	shipping:    []string{"Gastos de envío", "Portes"},
	vatID:       []string{"NIF:", "CIF:", "NIF/CIF:", "N.I.F.:"},
	buyerVatID:  []string{"NIF cliente:", "Su NIF:"},
	iban:        []string{"IBAN:", "IBAN"},
	bic:         []string{"BIC:", "SWIFT:"},
	account:     []string{"Cuenta:", "Nº cuenta:"},
	seller:      []string{"Proveedor:", "Vendedor:", "Emisor:"},
	buyer:       []string{"Cliente:", "Facturar a:", "Datos del cliente:"},
	phone:       []string{"Tel.:", "Teléfono:", "Fax:"},
	page:        []string{"Página %d de %d", "Pág. %d/%d"},
	desc:        []string{"Descripción", "Concepto", "Producto", "Artículo"},
	qty:         []string{"Cantidad", "Cant.", "Uds."},
	unitPrice:   []string{"Precio unitario", "Precio", "P. unidad"},
	amount:      []string{"Importe", "Total", "Subtotal"},
	unit:        []string{"Unidad"},
	pos:         []string{"Línea", "Nº"},
	code:        []string{"Código", "Ref."},
	taxRate:     []string{"% IVA", "IVA"},
	months:      [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	dateStyles:  []dateStyle{dateDMYSlash, dateDMYSlash, dateLongDMY, dateDMYDash, dateISO},
	amountStyles: []amountStyle{
		{",", ".", false}, {",", "", false}, {",", ".", true}, {".", ",", false},
	},
	legal:          []string{"S.L.", "S.A.", "SL", "S.L.U.", ""},
	currency:       []string{"€", "EUR"},
	notes:          []string{"Forma de pago: transferencia bancaria", "Gracias por su confianza.", "Pago a 30 días"},
	taxInclusive:   []string{"IVA incluido %s"},
	unitWords:      []string{"ud", "h", "kg", "uds"},
	cities:         []string{"Calle Mayor 10, 28013 Madrid", "Avinguda Diagonal 200, 08018 Barcelona", "Calle Larios 5, 29005 Málaga"},
	products:       []string{"Servicios de consultoría", "Mantenimiento anual", "Licencia de software", "Gastos de viaje", "Formación presencial", "Alojamiento web", "Cartucho de tinta", "Instalación", "Desarrollo a medida"},
	sectionHeaders: []string{"Servicios", "--- Material ---"},
	wrapLines:      []string{"Número de serie: SN%05d", "Periodo 01/05 - 31/05", "Ref. %05d"},
	thanks:         []string{"Gracias por su compra.", "Consultas: facturacion@ejemplo.es"},
}

var dutch = &lang{
	name:        "Dutch",
	title:       []string{"FACTUUR", "Factuur", "Kopie factuur"},
	number:      []string{"Factuurnummer:", "Factuurnr.:", "Factuur nr.", "Factuur", "Factuurnummer:"},
	date:        []string{"Factuurdatum:", "Datum:", "Factuur datum"},
	due:         []string{"Vervaldatum:", "Uiterste betaaldatum:", "Te betalen voor:"},
	orderNo:     []string{"Ordernummer:", "Bestelnummer:", "Order"},
	orderDate:   []string{"Orderdatum:", "Besteldatum:"},
	customerNo:  []string{"Klantnummer:", "Klant nr.:", "Klant"},
	delivery:    []string{"Leverdatum:"},
	subtotal:    []string{"Subtotaal", "Totaal excl. BTW", "Exclusief BTW", "Grondslag"},
	tax:         []string{"BTW %s", "BTW bedrag", "BTW (%s)"},
	total:       []string{"Totaal", "Totaal incl. BTW", "Te betalen", "Totaalbedrag", "Factuur totaal", "Totaal te voldoen"},
	paid:        []string{"Reeds betaald", "Voldaan"},
	prevBalance: []string{"Vorig saldo"},
	shipping:    []string{"Verzendkosten"},
	vatID:       []string{"BTW-nummer:", "BTW nr.:", "BTW", "BTW-id:"},
	buyerVatID:  []string{"Uw BTW nummer:", "BTW klant:"},
	iban:        []string{"IBAN:", "IBAN", "Rekeningnummer:"},
	bic:         []string{"BIC:", "BIC"},
	account:     []string{"KvK:", "KvK Rotterdam"},
	seller:      []string{"Leverancier:", "Verkoper:"},
	buyer:       []string{"Factuuradres:", "Klant:", "Afleveradres:"},
	phone:       []string{"Tel.:", "Telefoon:", "T:"},
	page:        []string{"Pagina %d van %d", "Blad %d/%d"},
	desc:        []string{"Omschrijving", "Artikel", "Product"},
	qty:         []string{"Aantal", "Hoeveelheid"},
	unitPrice:   []string{"Prijs per stuk", "Prijs", "Stukprijs", "Eenheidsprijs"},
	amount:      []string{"Bedrag", "Totaal", "Prijs incl. BTW"},
	unit:        []string{"Eenheid"},
	pos:         []string{"Nr.", "Regel"},
	code:        []string{"Artikelnr.", "Code"},
	taxRate:     []string{"BTW", "BTW %"},
	months:      [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	dateStyles:  []dateStyle{dateDMYDash, dateLongDMY, dateDMYSlash, dateISO, dateLongDMY},
	amountStyles: []amountStyle{
		{",", ".", true}, {",", ".", false}, {",", "", true},
	},
	legal:          []string{"B.V.", "BV", "N.V.", "V.O.F.", ""},
	currency:       []string{"€", "EUR"},
	notes:          []string{"Betaling binnen 14 dagen.", "Alles voor een glimlach.", "Prijzen zijn inclusief BTW"},
	taxInclusive:   []string{"Waarvan BTW %s"},
	unitWords:      []string{"st", "stuks", "uur", "kg"},
	cities:         []string{"Weena 664, 3012 CN Rotterdam", "Badweg 48, 8401 BL Gorredijk", "Damrak 1, 1012 LG Amsterdam"},
	products:       []string{"Onderhoudsset", "Laptop sleeve 15 inch", "Adviesuren", "Jaarabonnement", "Installatiekosten", "Printerpapier A4", "Muis draadloos", "Reparatie"},
	sectionHeaders: []string{"Diensten", "--- Artikelen ---"},
	wrapLines:      []string{"Serienummer: SN%05d", "Periode 01-05 t/m 31-05", "Ref. %05d"},
	thanks:         []string{"Bedankt voor uw bestelling.", "Vragen? klantenservice@voorbeeld.nl"},
}

var nameParts = [2][]string{
	{"Nordic", "Acme", "Blue River", "Helios", "Atlas", "Northwind", "Summit", "Greenfield", "Orion", "Alpine", "Lumen", "Vertex", "Cobalt", "Harbor", "Silverline", "Red Oak", "Polaris", "Kestrel", "Meridian", "Sunrise"},
	{"Trading", "Systems", "Consulting", "Logistics", "Solutions", "Services", "Supplies", "Media", "Technologies", "Partners", "Software", "Industries", "Digital", "Foods", "Electronics"},
}

var personNames = []string{"Jane Doe", "Pino Bluebird", "Taylor Riddel", "Anna Schmidt", "Luc Martin", "María García", "Jan de Vries", "Sanjay Patel", "Alexis Durand", "Chris Miller"}

// Wording shared by the totals and footers, by language.
var (
	discountWords = map[string][]string{
		"English": {"Discount", "Less discount"}, "French": {"Remise", "Remise commerciale"}, "German": {"Rabatt", "abzgl. Rabatt"},
		"Spanish": {"Descuento"}, "Dutch": {"Korting"},
	}
	totalTaxWords = map[string][]string{
		"English": {"Total VAT", "Total tax"}, "French": {"Total TVA"}, "German": {"MwSt. gesamt", "Summe MwSt."},
		"Spanish": {"Total IVA"}, "Dutch": {"Totaal BTW"},
	}
	balanceWords = map[string][]string{
		"English": {"Balance due", "Amount outstanding"}, "French": {"Reste à payer", "Solde"}, "German": {"Restbetrag", "Offener Betrag"},
		"Spanish": {"Saldo pendiente"}, "Dutch": {"Openstaand saldo", "Nog te betalen"},
	}
	registryWords = map[string][]string{
		"English": {"Company No. %[2]s", "Registered in England and Wales No. %[2]s"},
		"French":  {"SIRET %[2]s%[1]s", "RCS Paris B %[2]s"},
		"German":  {"HRB %[1]s, Amtsgericht München", "Steuer-Nr. %[1]s/%[2]s"},
		"Spanish": {"Registro Mercantil de Madrid, hoja M-%[1]s"},
		"Dutch":   {"KvK %[2]s", "KvK-nummer %[2]s"},
	}
	processorWords = []string{"Payments processed by Stripe Payments Europe Ltd.", "Factoring: Atlas Finance GmbH", "Member of Orion Holding S.A.", "A company of Meridian Group PLC"}
	debitWords     = map[string][]string{
		"English": {"Direct debit from your account", "Your account (direct debit):"},
		"French":  {"Prélèvement sur votre compte", "Votre IBAN :"},
		"German":  {"Abbuchung von Ihrem Konto", "Ihre IBAN:"},
		"Spanish": {"Domiciliación en su cuenta", "Su IBAN:"},
		"Dutch":   {"Automatische incasso van rekening", "Uw IBAN:"},
	}
)
