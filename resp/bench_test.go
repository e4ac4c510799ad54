package resp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchPipeline sends b.N copies of cmd in pipelines of depth and reads the
// replies: the server's per-command cost (parse, dispatch, engine, encode)
// with the syscalls amortised, as redis-benchmark -P measures it.
func benchPipeline(b *testing.B, depth int, setup [][]string, cmd ...string) {
	_, _, addr := startServer(b, Options{})
	nc, err := net.Dial("tcp", addr)
	require.NoError(b, err)
	b.Cleanup(func() { _ = nc.Close() })
	br := bufio.NewReaderSize(nc, 1<<16)
	for _, s := range setup {
		_, err := nc.Write(encode(s...))
		require.NoError(b, err)
		_, err = readRawReply(br)
		require.NoError(b, err)
	}
	batch := bytes.Repeat(encode(cmd...), depth)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += depth {
		if _, err := nc.Write(batch); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < depth; i++ {
			if _, err := readRawReply(br); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkPipelineGet(b *testing.B) {
	benchPipeline(b, 64, [][]string{{"SET", "key:000000000001", "xxx"}}, "GET", "key:000000000001")
}

func BenchmarkPipelineSet(b *testing.B) {
	benchPipeline(b, 64, nil, "SET", "key:000000000001", "xxx")
}

func BenchmarkPipelineIncr(b *testing.B) { benchPipeline(b, 64, nil, "INCR", "counter") }

func BenchmarkPipelinePing(b *testing.B) { benchPipeline(b, 64, nil, "PING") }

var _ = io.EOF

// BenchmarkReaderNext frames redis-benchmark's SET command out of a buffer
// of 64 of them, as the event loop does for a pipelined read: parsing
// alone, without the socket or the command.
func BenchmarkReaderNext(b *testing.B) {
	batch := bytes.Repeat(encode("SET", "key:__rand_int__", "xxx"), 64)
	rd := newReader(bytes.NewReader(nil), DefaultMaxBulkLen, DefaultMaxQueryBuffer)
	b.ReportAllocs()
	b.SetBytes(int64(len(batch)) / 64)
	for done := 0; b.Loop(); done++ {
		if done%64 == 0 {
			rd.r, rd.w = 0, 0
			rd.feed(batch)
		}
		if args, err := rd.next(); err != nil || len(args) != 3 {
			b.Fatal(err, len(args))
		}
	}
}
