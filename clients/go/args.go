package main

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `usage: sockrpc [--target HOST:PORT] [--timeout SECONDS] COMMAND
commands:
  now [--zone ZONE]  the current time: ctime text, RFC 3339 time, time zone
                     (ZONE: an IANA name such as Europe/Paris; default: the
                     server's local zone)
  square N           the exact square of the decimal integer N (any size)
  stream             squares every number read from stdin (one per line) on
                     one SquareStream, printing each square as it arrives
flags (anywhere on the line):
  --target HOST:PORT the server (default localhost:50051)
  --timeout SECONDS  deadline of a now or square call (default 10)
  --tls_ca FILE      PEM CA bundle: use TLS and verify the server with it
  --tls_cert FILE    PEM client certificate (mutual TLS), with --tls_key
  --tls_key FILE     PEM private key of --tls_cert
  -h, --help         this help
exit status: 0 ok, 1 gRPC failure ("error: CODE: message") or an unreadable
TLS file, 2 usage error
`

const defaultTarget = "localhost:50051"

// integerPattern is a decimal integer as the server accepts it: an optional
// sign, then ASCII digits.
var integerPattern = regexp.MustCompile(`^[+-]?[0-9]+$`)

var secondsPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// targetSchemePattern is a gRPC target URI with a scheme that needs no port
// check here (the resolver reports its own errors).
var targetSchemePattern = regexp.MustCompile(`^(dns|unix|unix-abstract|ipv4|ipv6|passthrough|xds):`)

var portPattern = regexp.MustCompile(`^[0-9]{1,5}$`)

// checkTarget accepts HOST:PORT, [IPV6]:PORT or a URI with a known scheme: a
// target that is none of these is a usage error, not a failed call.
func checkTarget(target string) error {
	if target == "" {
		return fmt.Errorf("--target must not be empty")
	}
	if targetSchemePattern.MatchString(target) {
		return nil
	}
	host, port, err := net.SplitHostPort(target)
	if err == nil && host != "" && portPattern.MatchString(port) {
		if n, _ := strconv.Atoi(port); n >= 1 && n <= 65535 {
			return nil
		}
	}
	return fmt.Errorf("--target %q: expected HOST:PORT (port 1..65535), [IPV6]:PORT or a gRPC URI such as dns:///HOST:PORT", target)
}

type options struct {
	target  string
	timeout time.Duration
	command string
	zone    string
	zoneSet bool
	number  string
	help    bool
	tls     tlsFiles
}

// parseArgs reads flags anywhere on the command line ("--name value" or
// "--name=value"; "--" ends the flags). A negative number such as -3 is an
// argument, not a flag.
func parseArgs(args []string) (options, error) {
	opts := options{target: defaultTarget, timeout: 10 * time.Second}
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" || integerPattern.MatchString(arg) {
			positional = append(positional, arg)
			continue
		}
		if arg == "-h" || arg == "--help" {
			opts.help = true
			return opts, nil
		}
		name, value, hasValue := strings.Cut(arg, "=")
		switch name {
		case "--target", "--timeout", "--zone", "--tls_ca", "--tls_cert", "--tls_key":
		default:
			return opts, fmt.Errorf("unknown flag %q", name)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return opts, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "--target":
			if err := checkTarget(value); err != nil {
				return opts, err
			}
			opts.target = value
		case "--timeout":
			seconds, err := strconv.ParseFloat(value, 64)
			if !secondsPattern.MatchString(value) || err != nil || seconds <= 0 || seconds > 1e6 {
				return opts, fmt.Errorf("--timeout must be a number of seconds (0 < SECONDS <= 1000000), got %q", value)
			}
			opts.timeout = time.Duration(seconds * float64(time.Second))
		case "--zone":
			opts.zone, opts.zoneSet = value, true
		case "--tls_ca":
			opts.tls.ca = value
		case "--tls_cert":
			opts.tls.cert = value
		case "--tls_key":
			opts.tls.key = value
		}
	}

	if (opts.tls.cert == "") != (opts.tls.key == "") {
		return opts, fmt.Errorf("--tls_cert and --tls_key go together")
	}
	if len(positional) == 0 {
		return opts, fmt.Errorf("no command")
	}
	opts.command, positional = positional[0], positional[1:]
	switch opts.command {
	case "now":
		if len(positional) != 0 {
			return opts, fmt.Errorf("now takes no arguments, got %q", positional[0])
		}
	case "square":
		if len(positional) != 1 {
			return opts, fmt.Errorf("square takes exactly one number N")
		}
		opts.number = positional[0]
		if !integerPattern.MatchString(opts.number) {
			return opts, fmt.Errorf("square: N must be a decimal integer (optional sign, then digits), got %q", opts.number)
		}
	case "stream":
		if len(positional) != 0 {
			return opts, fmt.Errorf("stream takes no arguments (it reads numbers from stdin), got %q", positional[0])
		}
	default:
		return opts, fmt.Errorf("unknown command %q", opts.command)
	}
	if opts.zoneSet && opts.command != "now" {
		return opts, fmt.Errorf("--zone goes with now only")
	}
	return opts, nil
}
