package main

// TLS for the channel, with the C++ client's flags: --tls_ca alone is TLS
// verifying the server with that CA; --tls_cert and --tls_key add a client
// certificate (mutual TLS); none of them is plaintext.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

type tlsFiles struct {
	ca, cert, key string
}

// transportCredentials reads the PEM files; an unreadable or invalid file is
// an error naming its flag.
func transportCredentials(files tlsFiles) (grpc.DialOption, error) {
	if files == (tlsFiles{}) {
		return grpc.WithInsecure(), nil
	}
	config := &tls.Config{MinVersion: tls.VersionTLS12}
	if files.ca != "" {
		pem, err := os.ReadFile(files.ca)
		if err != nil {
			return nil, fmt.Errorf("cannot read --tls_ca file %s: %v", files.ca, err)
		}
		config.RootCAs = x509.NewCertPool()
		if !config.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("cannot read --tls_ca file %s: no PEM certificate in it", files.ca)
		}
	}
	if files.cert != "" {
		pair, err := tls.LoadX509KeyPair(files.cert, files.key)
		if err != nil {
			return nil, fmt.Errorf("cannot read --tls_cert file %s or --tls_key file %s: %v",
				files.cert, files.key, err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(config)), nil
}
