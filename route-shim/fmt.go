package main

import (
	"fmt"
	"io"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func writef(w io.Writer, format string, a ...any) { fmt.Fprintf(w, format, a...) }
