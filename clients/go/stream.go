package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc"

	squarev1 "github.com/sockrpc/sockrpc/clients/go/gen/sockrpc/square/v1"
)

// sendResult is what the stdin reader reports once it has stopped.
type sendResult struct {
	sent    uint64 // requests sent
	readErr error  // reading stdin failed (the stream was cancelled)
}

// stream sends every non-blank line of stdin on one SquareStream (sequence
// numbers 1, 2, ...) while it prints each answer as it arrives. It half-closes
// at the end of stdin and returns once the server has ended the stream.
func stream(conn *grpc.ClientConn, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := squarev1.NewSquareServiceClient(conn).SquareStream(ctx)
	if err != nil {
		return fail(stderr, err)
	}

	done := make(chan sendResult, 1)
	go func() {
		reader := bufio.NewReader(stdin)
		var sent uint64
		for {
			line, err := reader.ReadString('\n')
			if text := strings.TrimSpace(line); text != "" {
				req := &squarev1.SquareStreamRequest{Sequence: sent + 1}
				if v, ok := fitsInt64(text); ok {
					req.Number = &squarev1.SquareStreamRequest_Value{Value: v}
				} else {
					// Not an int64: sent as a decimal string, which the server
					// squares or, when malformed, rejects (ending the stream).
					req.Number = &squarev1.SquareStreamRequest_Decimal{Decimal: text}
				}
				if s.Send(req) != nil {
					// The stream is over; Recv reports why.
					done <- sendResult{sent: sent}
					return
				}
				sent++
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				done <- sendResult{sent: sent, readErr: err}
				cancel()
				return
			}
		}
		// Reported before the half-close, so that it is there when the
		// server ends the stream.
		done <- sendResult{sent: sent}
		s.CloseSend()
	}()

	var received uint64
	for {
		resp, err := s.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			select {
			case r := <-done:
				if r.readErr != nil {
					fmt.Fprintf(stderr, "error: reading stdin: %v\n", r.readErr)
					return exitFailure
				}
			default:
			}
			return fail(stderr, err)
		}
		received++
		if resp.GetSequence() != received {
			fmt.Fprintf(stderr, "error: answer %d has sequence %d\n", received, resp.GetSequence())
			return exitFailure
		}
		fmt.Fprintln(stdout, resp.GetSquare())
	}

	select {
	case r := <-done:
		if r.sent != received {
			fmt.Fprintf(stderr, "error: %d answers to %d numbers\n", received, r.sent)
			return exitFailure
		}
	default:
		fmt.Fprintln(stderr, "error: the server ended the stream before the end of the input")
		return exitFailure
	}
	return exitOK
}
