package capture

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// sniffLen is how much of a file Interpreted reads to tell text from binary.
const sniffLen = 8 << 10

// pythonName matches python, python3, python3.12 and the like.
var pythonName = regexp.MustCompile(`^python([0-9]+(\.[0-9]+)?)?$`)

// options describes the command-line options of an interpreter, as far as
// needed to find its script argument.
type options struct {
	stop      string   // short options meaning the code comes from the command line or stdin
	value     string   // short options taking a value, attached or as the next argument
	attached  string   // short options whose optional value can only be attached
	plus      bool     // "+x" is an option too (shells)
	longStop  []string // long options meaning the code comes from the command line or stdin
	longValue []string // long options taking the next argument as their value
}

var (
	pythonOptions  = options{stop: "cm", value: "WX", longValue: []string{"--check-hash-based-pycs"}}
	rscriptOptions = options{stop: "e"}
	shellOptions   = options{stop: "cs", value: "oO", plus: true, longValue: []string{"--rcfile", "--init-file"}}
	nodeOptions    = options{
		stop:      "ep",
		value:     "r",
		longStop:  []string{"--eval", "--print"},
		longValue: []string{"--require", "--import", "--loader", "--experimental-loader"},
	}
	perlOptions  = options{stop: "eE", attached: "0CdDFiIlmMx"}
	rubyOptions  = options{stop: "e", value: "rICE", attached: "0FTWKx"}
	juliaOptions = options{
		stop:      "eE",
		value:     "CHJLpt",
		longStop:  []string{"--eval", "--print"},
		longValue: []string{"--cpu-target", "--home", "--sysimage", "--load", "--procs", "--threads", "--machine-file"},
	}
)

// Interpreted returns the script file a command line runs, if any.
//
// When the base name of args[0] is a known interpreter (python, python3,
// python3.X, Rscript, R with -f FILE or --file=FILE, bash, sh, zsh, node,
// perl, ruby, julia, or go followed by run), the script is the first
// argument after it that is not an option (or an option's value) and names
// an existing regular file; for go run, the first such file ending in
// ".go". Options that take the code from the command line or stdin, such
// as python -c or node -e, mean there is no script. A leading env with its
// options and NAME=VALUE assignments is skipped.
//
// Otherwise, if args[0] itself names an existing regular file that is text
// (no NUL byte in its first 8 KiB), it is returned. Relative paths are
// resolved against the current directory.
func Interpreted(args []string) (script string, ok bool) { return InterpretedIn(args, "") }

// InterpretedIn is Interpreted for a command running in dir ("" means the
// current directory): relative paths are resolved against dir, and a
// relative script is returned joined to it.
func InterpretedIn(args []string, dir string) (script string, ok bool) {
	script, ok = interpreted(args, dir)
	if ok && dir != "" && !filepath.IsAbs(script) {
		script = filepath.Join(dir, script)
	}
	return script, ok
}

func interpreted(args []string, dir string) (script string, ok bool) {
	args = skipEnv(args)
	if len(args) == 0 {
		return "", false
	}
	rest := args[1:]
	switch base := filepath.Base(args[0]); {
	case pythonName.MatchString(base):
		return findScript(dir, rest, pythonOptions, "")
	case base == "Rscript":
		return findScript(dir, rest, rscriptOptions, "")
	case base == "R":
		return rScript(dir, rest)
	case base == "bash" || base == "sh" || base == "zsh":
		return findScript(dir, rest, shellOptions, "")
	case base == "node":
		return findScript(dir, rest, nodeOptions, "")
	case base == "perl":
		return findScript(dir, rest, perlOptions, "")
	case base == "ruby":
		return findScript(dir, rest, rubyOptions, "")
	case base == "julia":
		return findScript(dir, rest, juliaOptions, "")
	case base == "go" && len(rest) > 0 && rest[0] == "run":
		return findScript(dir, rest[1:], options{}, ".go")
	}
	if isTextFile(dir, args[0]) {
		return args[0], true
	}
	return "", false
}

// findScript returns the first argument that is neither an option nor an
// option's value, ends in suffix and names a regular file.
func findScript(dir string, args []string, o options, suffix string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			for _, b := range args[i+1:] {
				if strings.HasSuffix(b, suffix) && isRegularFile(dir, b) {
					return b, true
				}
			}
			return "", false
		case a == "-":
			return "", false // the script comes from stdin
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a, "=")
			if slices.Contains(o.longStop, name) {
				return "", false
			}
			if !hasValue && slices.Contains(o.longValue, name) {
				i++
			}
		case strings.HasPrefix(a, "-") || (o.plus && strings.HasPrefix(a, "+")):
			letters := a[1:]
			for j, c := range letters {
				if strings.ContainsRune(o.stop, c) {
					return "", false
				}
				if strings.ContainsRune(o.value, c) {
					if j == len(letters)-1 {
						i++ // the value is the next argument
					}
					break
				}
				if strings.ContainsRune(o.attached, c) {
					break
				}
			}
		case strings.HasSuffix(a, suffix) && isRegularFile(dir, a):
			return a, true
		}
	}
	return "", false
}

// rScript finds the script of an R command line: R -f FILE, R --file=FILE,
// or R CMD BATCH [options] FILE.
func rScript(dir string, args []string) (string, bool) {
	if len(args) >= 2 && args[0] == "CMD" && args[1] == "BATCH" {
		return findScript(dir, args[2:], options{}, "")
	}
	for i, a := range args {
		var file string
		switch {
		case a == "-f" && i+1 < len(args):
			file = args[i+1]
		case strings.HasPrefix(a, "--file="):
			file = strings.TrimPrefix(a, "--file=")
		default:
			continue
		}
		if isRegularFile(dir, file) {
			return file, true
		}
		return "", false
	}
	return "", false
}

// skipEnv strips a leading env command, its options and its NAME=VALUE
// assignments, so that "env python3 x.py" is seen as "python3 x.py". An env
// option it does not know yields no arguments.
func skipEnv(args []string) []string {
	if len(args) == 0 || filepath.Base(args[0]) != "env" {
		return args
	}
	args = args[1:]
	for len(args) > 0 {
		switch a := args[0]; {
		case a == "--":
			return args[1:]
		case a == "-i" || a == "-0" || a == "--ignore-environment" || a == "--null" ||
			strings.HasPrefix(a, "--unset="):
			args = args[1:]
		case a == "-u" || a == "--unset":
			if len(args) < 2 {
				return nil
			}
			args = args[2:]
		case strings.HasPrefix(a, "-"):
			return nil
		case strings.Contains(a, "="):
			args = args[1:]
		default:
			return args
		}
	}
	return nil
}

// isRegularFile reports whether path, seen from dir, names a regular file,
// following symbolic links.
func isRegularFile(dir, path string) bool {
	fi, err := os.Stat(inDir(path, dir))
	return err == nil && fi.Mode().IsRegular()
}

// isTextFile reports whether path names a regular file with no NUL byte in
// its first sniffLen bytes.
func isTextFile(dir, path string) bool {
	if !isRegularFile(dir, path) {
		return false
	}
	f, err := os.Open(inDir(path, dir))
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, sniffLen)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return false
	}
	return !bytes.ContainsRune(buf[:n], 0)
}
