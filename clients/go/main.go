// Command sockrpc-go calls the sockrpc gRPC core (rpc_server):
//
//	sockrpc-go [--target HOST:PORT] [--timeout SECONDS] now [--zone ZONE]
//	sockrpc-go [--target HOST:PORT] [--timeout SECONDS] square N
//	sockrpc-go [--target HOST:PORT] stream < numbers
//
// It has the same verbs, output and exit codes as the Node client
// (clients/node/sockrpc.js): 0 on success, 1 on a gRPC failure (printed as
// "error: CODE: message" on stderr), 2 on a usage error.
//
// The message and stub packages are generated at build time by build.sh from
// ../../proto; see README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"google.golang.org/grpc"

	squarev1 "github.com/sockrpc/sockrpc/clients/go/gen/sockrpc/square/v1"
	timev1 "github.com/sockrpc/sockrpc/clients/go/gen/sockrpc/time/v1"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "sockrpc: %v\n%s", err, usage)
		return exitUsage
	}
	if opts.help {
		fmt.Fprint(stdout, usage)
		return exitOK
	}

	creds, err := transportCredentials(opts.tls)
	if err != nil {
		fmt.Fprintf(stderr, "sockrpc: %v\n", err)
		return exitFailure
	}
	// The dial does not block: a server that is down shows up as
	// UNAVAILABLE on the first call.
	conn, err := grpc.Dial(opts.target, creds)
	if err != nil {
		return fail(stderr, err)
	}
	defer conn.Close()

	switch opts.command {
	case "now":
		return now(conn, opts, stdout, stderr)
	case "square":
		return square(conn, opts, stdout, stderr)
	default: // "stream"
		return stream(conn, stdin, stdout, stderr)
	}
}

func now(conn *grpc.ClientConn, opts options, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	resp, err := timev1.NewTimeServiceClient(conn).Now(ctx, &timev1.NowRequest{TimeZone: opts.zone})
	if err != nil {
		return fail(stderr, err)
	}
	ts := resp.GetTime()
	if ts == nil {
		fmt.Fprintln(stderr, "error: the response has no time")
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s\n%s\n%s\n", resp.GetCtime(),
		formatRFC3339(ts.GetSeconds(), ts.GetNanos()), resp.GetTimeZone())
	return exitOK
}

func square(conn *grpc.ClientConn, opts options, stdout, stderr io.Writer) int {
	req := &squarev1.SquareRequest{}
	if v, ok := fitsInt64(opts.number); ok {
		req.Number = &squarev1.SquareRequest_Value{Value: v}
	} else {
		req.Number = &squarev1.SquareRequest_Decimal{Decimal: opts.number}
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	resp, err := squarev1.NewSquareServiceClient(conn).Square(ctx, req)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, resp.GetSquare())
	return exitOK
}
