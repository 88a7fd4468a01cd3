package main

import (
	"errors"

	"github.com/docparse/docparse/bench/internal/dataset"
)

// einvoiceItems lays out the e-invoice PDFs found in the repositories
// repos under out and returns their items. (Being written: the XML is
// read by internal/einvoice.)
func einvoiceItems(repos []string, out string) ([]dataset.Item, error) {
	return nil, errors.New("e-invoice sources are not supported yet")
}
