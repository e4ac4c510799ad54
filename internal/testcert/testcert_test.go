package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A client that trusts the pool completes a handshake with a server using
// the certificate, for an IP address and for a DNS name; the PEM is the
// same certificate.
func TestNew(t *testing.T) {
	c := New(t, "127.0.0.1", "memstore.test")
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{c.TLS}, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			_ = conn.(*tls.Conn).Handshake()
			_ = conn.Close()
		}
	}()
	for _, name := range []string{"127.0.0.1", "memstore.test"} {
		d := &net.Dialer{Timeout: 5 * time.Second}
		conn, err := tls.DialWithDialer(d, "tcp", l.Addr().String(), &tls.Config{RootCAs: c.Pool, ServerName: name, MinVersion: tls.VersionTLS12})
		require.NoError(t, err, name)
		require.NoError(t, conn.Close())
	}
	block, _ := pem.Decode(c.PEM)
	require.NotNil(t, block)
	parsed, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.True(t, parsed.Equal(c.TLS.Leaf))
}
