// Command dataset lays out labelled public documents for the accuracy
// benchmark and the scorer's training (being written).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "dataset: being written")
	os.Exit(2)
}
