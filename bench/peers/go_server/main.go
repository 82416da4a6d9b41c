// go_server: the "grpc-go" peer of the benchmark. A plain, idiomatic grpc-go
// (Debian's 1.33) server of the project's protos: SquareService.Square,
// SquareService.SquareStream (one response per request, in order, echoing
// sequence and input; squares exact with math/big) and TimeService.Now.
//
//	go_server --listen=127.0.0.1:0     logs "listening on HOST:PORT" on stderr
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/golang/protobuf/ptypes/timestamp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	squarev1 "github.com/sockrpc/sockrpc/clients/go/gen/sockrpc/square/v1"
	timev1 "github.com/sockrpc/sockrpc/clients/go/gen/sockrpc/time/v1"
)

const maxDigits = 4300

// squareInt64 squares an int64 exactly.
func squareInt64(v int64) string {
	if v >= -3037000499 && v <= 3037000499 {
		return strconv.FormatInt(v*v, 10)
	}
	b := big.NewInt(v)
	return b.Mul(b, b).String()
}

// squareDecimal squares an optional sign followed by ASCII digits.
func squareDecimal(s string) (string, error) {
	digits := s
	if len(digits) > 0 && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return "", status.Errorf(codes.InvalidArgument, "decimal %q is not an integer", s)
	}
	significant := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return "", status.Errorf(codes.InvalidArgument, "decimal %q is not an integer", s)
		}
		if significant > 0 || c != '0' {
			significant++
		}
	}
	if significant > maxDigits {
		return "", status.Errorf(codes.OutOfRange, "decimal has %d digits, more than %d", significant, maxDigits)
	}
	if len(digits) <= 18 {
		v, _ := strconv.ParseInt(digits, 10, 64)
		return squareInt64(v), nil
	}
	b, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return "", status.Errorf(codes.InvalidArgument, "decimal %q is not an integer", s)
	}
	return b.Mul(b, b).String(), nil
}

type squareServer struct {
	squarev1.UnimplementedSquareServiceServer
}

func (squareServer) Square(_ context.Context, req *squarev1.SquareRequest) (*squarev1.SquareResponse, error) {
	switch n := req.Number.(type) {
	case *squarev1.SquareRequest_Value:
		return &squarev1.SquareResponse{Square: squareInt64(n.Value)}, nil
	case *squarev1.SquareRequest_Decimal:
		sq, err := squareDecimal(n.Decimal)
		if err != nil {
			return nil, err
		}
		return &squarev1.SquareResponse{Square: sq}, nil
	}
	return nil, status.Error(codes.InvalidArgument, "no number: set value or decimal")
}

func (squareServer) SquareStream(stream squarev1.SquareService_SquareStreamServer) error {
	for position := 1; ; position++ {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		resp := &squarev1.SquareStreamResponse{Sequence: req.Sequence}
		switch n := req.Number.(type) {
		case *squarev1.SquareStreamRequest_Value:
			resp.Number = &squarev1.SquareStreamResponse_Value{Value: n.Value}
			resp.Square = squareInt64(n.Value)
		case *squarev1.SquareStreamRequest_Decimal:
			resp.Number = &squarev1.SquareStreamResponse_Decimal{Decimal: n.Decimal}
			sq, err := squareDecimal(n.Decimal)
			if err != nil {
				return status.Errorf(status.Code(err), "request %d (sequence %d): %s",
					position, req.Sequence, status.Convert(err).Message())
			}
			resp.Square = sq
		default:
			return status.Errorf(codes.InvalidArgument, "request %d (sequence %d): no number",
				position, req.Sequence)
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

type timeServer struct {
	timev1.UnimplementedTimeServiceServer
	zones sync.Map // name -> *time.Location
}

func (s *timeServer) Now(_ context.Context, req *timev1.NowRequest) (*timev1.NowResponse, error) {
	now := time.Now()
	location, name := time.Local, os.Getenv("TZ")
	if name == "" {
		name = "Local"
	}
	if req.TimeZone != "" {
		name = req.TimeZone
		if cached, ok := s.zones.Load(name); ok {
			location = cached.(*time.Location)
		} else {
			loaded, err := time.LoadLocation(name)
			if err != nil {
				return nil, status.Errorf(codes.InvalidArgument, "unknown time zone %q", name)
			}
			s.zones.Store(name, loaded)
			location = loaded
		}
	}
	return &timev1.NowResponse{
		Time:     &timestamp.Timestamp{Seconds: now.Unix(), Nanos: int32(now.Nanosecond())},
		Ctime:    now.In(location).Format("Mon Jan _2 15:04:05 2006"),
		TimeZone: name,
	}, nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on, host:port")
	flag.Parse()
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go_server: %v\n", err)
		os.Exit(1)
	}
	server := grpc.NewServer()
	squarev1.RegisterSquareServiceServer(server, squareServer{})
	timev1.RegisterTimeServiceServer(server, &timeServer{})
	fmt.Fprintf(os.Stderr, "listening on %s\n", listener.Addr().String())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		server.Stop()
	}()
	if err := server.Serve(listener); err != nil {
		fmt.Fprintf(os.Stderr, "go_server: %v\n", err)
		os.Exit(1)
	}
}
