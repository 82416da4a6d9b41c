package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// codeNames are the canonical names of the gRPC status codes, as every gRPC
// implementation spells them (Go's codes.Code.String() says "InvalidArgument").
var codeNames = map[codes.Code]string{
	codes.OK:                 "OK",
	codes.Canceled:           "CANCELLED",
	codes.Unknown:            "UNKNOWN",
	codes.InvalidArgument:    "INVALID_ARGUMENT",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.NotFound:           "NOT_FOUND",
	codes.AlreadyExists:      "ALREADY_EXISTS",
	codes.PermissionDenied:   "PERMISSION_DENIED",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION",
	codes.Aborted:            "ABORTED",
	codes.OutOfRange:         "OUT_OF_RANGE",
	codes.Unimplemented:      "UNIMPLEMENTED",
	codes.Internal:           "INTERNAL",
	codes.Unavailable:        "UNAVAILABLE",
	codes.DataLoss:           "DATA_LOSS",
	codes.Unauthenticated:    "UNAUTHENTICATED",
}

// fail prints a gRPC failure as "error: CODE: message" and returns exit
// status 1.
func fail(stderr io.Writer, err error) int {
	st := status.Convert(err)
	name, ok := codeNames[st.Code()]
	if !ok {
		name = fmt.Sprintf("CODE(%d)", uint32(st.Code()))
	}
	fmt.Fprintf(stderr, "error: %s: %s\n", name, st.Message())
	return exitFailure
}

// fitsInt64 parses a decimal integer (already checked against
// integerPattern) when it fits an int64.
func fitsInt64(text string) (int64, bool) {
	if !integerPattern.MatchString(text) {
		return 0, false
	}
	v, err := strconv.ParseInt(text, 10, 64)
	return v, err == nil
}

// formatRFC3339 formats a Timestamp as the protobuf JSON mapping does: UTC,
// "Z", and 0, 3, 6 or 9 fractional digits.
func formatRFC3339(seconds int64, nanos int32) string {
	text := time.Unix(seconds, 0).UTC().Format("2006-01-02T15:04:05")
	switch {
	case nanos == 0:
	case nanos%1000000 == 0:
		text += fmt.Sprintf(".%03d", nanos/1000000)
	case nanos%1000 == 0:
		text += fmt.Sprintf(".%06d", nanos/1000)
	default:
		text += fmt.Sprintf(".%09d", nanos)
	}
	return text + "Z"
}
