package resp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneByteReader hands out its input one byte per Read, the worst case for
// a parser that must resume partial commands.
type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

// parseAll feeds input to a reader and returns the commands it frames and
// the error that ended it (io.EOF when the input simply ran out).
func parseAll(src io.Reader, maxBulk int64) ([][]string, error) {
	rd := newReader(src, maxBulk, DefaultMaxQueryBuffer)
	var out [][]string
	for {
		args, err := rd.next()
		switch {
		case err == nil:
			cmd := make([]string, len(args))
			for i, a := range args {
				cmd[i] = string(a)
			}
			out = append(out, cmd)
			continue
		case err != errNeedMore:
			return out, err
		}
		if err := rd.fill(); err != nil {
			return out, err
		}
	}
}

func TestReaderFraming(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
		err  string // "" means the input ends cleanly (io.EOF)
	}{
		{"multibulk", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", [][]string{{"GET", "k"}}, ""},
		{"pipeline", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [][]string{{"PING"}, {"ECHO", ""}}, ""},
		{"binary bulk", "*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n", [][]string{{"ECHO", "a\r\nb"}}, ""},
		{"empty multibulk skipped", "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}, ""},
		{"inline", "SET k v\r\nGET k\n", [][]string{{"SET", "k", "v"}, {"GET", "k"}}, ""},
		{"inline blank lines skipped", "\r\n\n  \r\nPING\r\n", [][]string{{"PING"}}, ""},
		{"inline quotes", `SET "a b" 'c d' "\x41\n\"" 'it\'s'` + "\r\n", [][]string{{"SET", "a b", "c d", "A\n\"", "it's"}}, ""},
		{"unbalanced quotes", "SET \"a\r\n", nil, "ERR Protocol error: unbalanced quotes in request"},
		{"quote not followed by space", "SET \"a\"b\r\n", nil, "ERR Protocol error: unbalanced quotes in request"},
		{"bad multibulk length", "*abc\r\n", nil, "ERR Protocol error: invalid multibulk length"},
		{"multibulk too long", "*2147483648\r\n", nil, "ERR Protocol error: invalid multibulk length"},
		{"expected dollar", "*1\r\nx\r\n", nil, "ERR Protocol error: expected '$', got 'x'"},
		{"negative bulk", "*1\r\n$-1\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"plus bulk", "*1\r\n$+1\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"bulk over limit", "*2\r\n$3\r\nget\r\n$1025\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"command before error answered", "*1\r\n$4\r\nPING\r\n*x\r\n", [][]string{{"PING"}}, "ERR Protocol error: invalid multibulk length"},
		{"trailer bytes unchecked as Redis", "*1\r\n$4\r\npingxx*1\r\n$4\r\nping\r\n", [][]string{{"ping"}, {"ping"}}, ""},
		{"too big inline", strings.Repeat("a", inlineMax+1), nil, "ERR Protocol error: too big inline request"},
		{"too big mbulk count", "*" + strings.Repeat("1", inlineMax+1), nil, "ERR Protocol error: too big mbulk count string"},
		{"too big bulk count", "*1\r\n$" + strings.Repeat("1", inlineMax+1), nil, "ERR Protocol error: too big bulk count string"},
		// Counts of 1-9 digits take a short path (shortInt); these sit at
		// its edges and must frame or fail as the general path does (and
		// as redis-server 7.0 does: leading zeros are refused).
		{"nine-digit count", "*1\r\n$999999999\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"ten-digit count", "*1\r\n$1000000000\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"leading zero count", "*01\r\n$4\r\nPING\r\n", nil, "ERR Protocol error: invalid multibulk length"},
		{"leading zero bulk", "*1\r\n$04\r\nPING\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"zero bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [][]string{{"ECHO", ""}}, ""},
		{"digit then junk", "*1\r\n$4x\r\nPING\r\n", nil, "ERR Protocol error: invalid bulk length"},
		{"count of 1024", "*1\r\n$1024\r\n" + strings.Repeat("a", 1024) + "\r\n", [][]string{{strings.Repeat("a", 1024)}}, ""},
	}
	for _, tt := range tests {
		for _, mode := range []string{"whole", "bytewise"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				var src io.Reader = strings.NewReader(tt.in)
				if mode == "bytewise" {
					src = &oneByteReader{data: []byte(tt.in)}
				}
				got, err := parseAll(src, 1024)
				assert.Equal(t, tt.want, got)
				if tt.err == "" {
					assert.ErrorIs(t, err, io.EOF)
					return
				}
				var pe *ProtocolError
				require.True(t, errors.As(err, &pe), "got %v", err)
				assert.Equal(t, tt.err, pe.Error())
			})
		}
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	for _, in := range []string{"*11\r\n", "*1\r\n$16385\r\n"} {
		rd := newReader(strings.NewReader(in), DefaultMaxBulkLen, DefaultMaxQueryBuffer)
		rd.unauth = true
		require.NoError(t, rd.fill())
		_, err := rd.next()
		var pe *ProtocolError
		require.True(t, errors.As(err, &pe), "%q: %v", in, err)
		assert.Contains(t, pe.Error(), "unauthenticated")
	}
}

// A declared length is never allocated up front: the buffer grows with the
// bytes that actually arrive.
func TestReaderDoesNotTrustDeclaredLengths(t *testing.T) {
	in := "*2147483647\r\n*1\r\n$536870912\r\nabc"
	rd := newReader(strings.NewReader("*1\r\n$536870912\r\nabc"), DefaultMaxBulkLen, DefaultMaxQueryBuffer)
	require.NoError(t, rd.fill())
	_, err := rd.next()
	assert.Equal(t, errNeedMore, err)
	assert.LessOrEqual(t, len(rd.buf), 4*initialReadBuf)

	rd = newReader(strings.NewReader(in), DefaultMaxBulkLen, DefaultMaxQueryBuffer)
	require.NoError(t, rd.fill())
	_, err = rd.next()
	var pe *ProtocolError
	require.True(t, errors.As(err, &pe)) // "*1" where '$' was expected
	assert.LessOrEqual(t, cap(rd.offs), 2*argSlotsCap)
}

func TestReaderLargeBulkGrowsAndShrinks(t *testing.T) {
	val := bytes.Repeat([]byte("x"), 3<<20)
	var in bytes.Buffer
	in.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3145728\r\n")
	in.Write(val)
	in.WriteString("\r\n*1\r\n$4\r\nPING\r\n")
	rd := newReader(&in, DefaultMaxBulkLen, DefaultMaxQueryBuffer)
	var cmds []string
	var sizes []int
	for len(cmds) < 2 {
		args, err := rd.next()
		if err == errNeedMore {
			require.NoError(t, rd.fill())
			continue
		}
		require.NoError(t, err)
		cmds = append(cmds, string(args[0]))
		if len(args) == 3 {
			require.Equal(t, val, args[2])
		}
		sizes = append(sizes, len(rd.buf))
	}
	assert.Equal(t, []string{"SET", "PING"}, cmds)
	assert.LessOrEqual(t, sizes[0], 2*len(val)+initialReadBuf)
}

func TestReaderQueryBufferLimit(t *testing.T) {
	in := "*1\r\n$100000\r\n" + strings.Repeat("x", 100000)
	rd := newReader(strings.NewReader(in), DefaultMaxBulkLen, 64*1024)
	for {
		_, err := rd.next()
		require.Equal(t, errNeedMore, err)
		if err := rd.fill(); err != nil {
			assert.Equal(t, errQueryBuffer, err)
			return
		}
	}
}

func TestParseInt64(t *testing.T) {
	ok := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63}
	for s, want := range ok {
		v, good := parseInt64([]byte(s))
		assert.True(t, good, s)
		assert.Equal(t, want, v, s)
	}
	for _, s := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1a", "99999999999999999999"} {
		_, good := parseInt64([]byte(s))
		assert.False(t, good, s)
	}
}

// FuzzParse feeds arbitrary bytes to the request parser, whole and in
// small reads: it must never panic, must frame the same commands both
// ways, and must not allocate beyond a small multiple of its input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n", "SET \"a b\" 'c'\r\n", "*-1\r\n", "*1\r\n$-5\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "*2147483647\r\n$1\r\na\r\n", "\"\\x4", "*1\r\n$536870912\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		whole, errWhole := parseAll(bytes.NewReader(in), 1<<20)
		rd := newReader(&oneByteReader{data: append([]byte(nil), in...)}, 1<<20, DefaultMaxQueryBuffer)
		var split [][]string
		var errSplit error
		for {
			args, err := rd.next()
			if err == nil {
				cmd := make([]string, len(args))
				for i, a := range args {
					cmd[i] = string(a)
				}
				split = append(split, cmd)
				continue
			}
			if err != errNeedMore {
				errSplit = err
				break
			}
			if err := rd.fill(); err != nil {
				errSplit = err
				break
			}
			if len(rd.buf) > 4*len(in)+4*initialReadBuf {
				t.Fatalf("buffer grew to %d for %d input bytes", len(rd.buf), len(in))
			}
		}
		if cap(rd.offs) > 2*argSlotsCap && cap(rd.offs) > 4*len(in) {
			t.Fatalf("argument slots grew to %d for %d input bytes", cap(rd.offs), len(in))
		}
		// Inline parsing consumes a line only once it is complete, so both
		// ways frame the same commands and end with the same error.
		assert.Equal(t, whole, split)
		assert.Equal(t, errText(errWhole), errText(errSplit))
	})
}

func errText(err error) string {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	if err == nil {
		return ""
	}
	return "io"
}
