// Command lamin is the lamin command line. Everything happens in
// internal/cli; main only hands over the exit code.
package main

import (
	"os"

	"github.com/lamin-go/lamin/internal/cli"
)

func main() { os.Exit(cli.Main()) }
