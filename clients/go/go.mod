module github.com/sockrpc/sockrpc/clients/go

go 1.19

// The versions Debian 12 packages (golang-google-grpc-dev,
// golang-goprotobuf-dev), which build.sh builds against offline in GOPATH
// mode; the generated code in gen/ comes from `buf generate` (README.md).
require (
	github.com/golang/protobuf v1.3.5
	google.golang.org/grpc v1.33.3
)
