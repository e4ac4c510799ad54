package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isa-cloud/isa-memstore/ttl"
)

func TestSetBitGetBit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  keyState
		offset  int64
		on      bool
		old     int64
		wantErr error
		value   string
		pttl    int64
	}{
		{"missing creates zero-filled", stMissing, 9, true, 0, nil, "\x00\x40", NoExpiry},
		{"existing keeps the TTL", stVol, 7, true, 1, nil, "old", 10000},
		{"clear a set bit", stPlain, 1, false, 1, nil, "/ld", NoExpiry},
		{"grows", stPlain, 31, true, 0, nil, "old\x01", NoExpiry},
		{"offset out of range", stPlain, MaxBitOffset + 1, true, 0, errBitOffset, "old", NoExpiry},
		{"negative offset", stPlain, -1, true, 0, errBitOffset, "old", NoExpiry},
		{"another type", stHash, 0, true, 0, ErrWrongType, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			tc.before.apply(t, db, "k")
			old, err := db.SetBit("k", tc.offset, tc.on)
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.old, old)
			if tc.wantErr == nil || tc.before.value != "" {
				requireKey(t, db, "k", tc.value, tc.pttl)
			}
			checkDB(t, db)
		})
	}
	db, _ := openTestDB(t)
	_, err := db.SetBit("k", 12, true)
	require.NoError(t, err)
	for off, want := range map[int64]int64{12: 1, 11: 0, 13: 0, 1000: 0} {
		bit, err := db.GetBit("k", off)
		require.NoError(t, err)
		require.Equal(t, want, bit, off)
	}
	bit, err := db.GetBit("missing", 3)
	require.NoError(t, err)
	require.Zero(t, bit)
	_, err = db.GetBit("k", MaxBitOffset+1)
	require.ErrorIs(t, err, ErrNotInteger)
	require.Equal(t, "ERR bit offset is not an integer or out of range", err.Error())
}

func TestParseBitArgs(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "4294967295": 4294967295} {
		v, err := ParseBitOffset(s)
		require.NoError(t, err)
		require.Equal(t, want, v)
	}
	for _, s := range []string{"4294967296", "-1", "x", "01", "#1"} {
		_, err := ParseBitOffset(s)
		require.Equal(t, errBitOffset, err, s)
	}
	for _, s := range []string{"2", "-1", "x"} {
		_, err := ParseBitValue(s)
		require.Equal(t, "ERR bit is not an integer or out of range", err.Error())
	}
	on, err := ParseBitValue("1")
	require.NoError(t, err)
	require.True(t, on)
}

func TestBitCountAndPos(t *testing.T) {
	db, _ := openTestDB(t)
	_, err := db.Set("s", "foobar", SetOptions{})
	require.NoError(t, err)
	for _, tc := range []struct {
		args    []string
		want    int64
		wantErr error
	}{
		{nil, 26, nil},
		{[]string{"0", "0"}, 4, nil},
		{[]string{"1", "1"}, 6, nil},
		{[]string{"5", "30", "BIT"}, 17, nil},
		{[]string{"-1", "-3"}, 0, nil},
		{[]string{"0"}, 0, ErrSyntax},
		{[]string{"a", "1"}, 0, ErrNotInteger},
		{[]string{"0", "1", "bits"}, 0, ErrSyntax},
	} {
		n, err := db.BitCount("s", tc.args...)
		require.ErrorIs(t, err, tc.wantErr, tc.args)
		require.Equal(t, tc.want, n, tc.args)
	}
	n, err := db.BitCount("missing", "a", "b")
	require.NoError(t, err, "a missing key is looked up before the range is parsed")
	require.Zero(t, n)

	_, err = db.Set("p", "\xff\xf0\x00", SetOptions{})
	require.NoError(t, err)
	for _, tc := range []struct {
		bit  string
		args []string
		want int64
	}{
		{"0", nil, 12}, {"1", nil, 0}, {"1", []string{"2"}, -1}, {"0", []string{"0", "0"}, -1},
		{"0", []string{"3", "11", "BIT"}, -1}, {"0", []string{"3", "12", "BIT"}, 12}, {"1", []string{"-5", "-1", "BIT"}, -1},
	} {
		n, err := db.BitPos("p", tc.bit, tc.args...)
		require.NoError(t, err)
		require.Equal(t, tc.want, n, tc)
	}
	_, err = db.Set("f", "\xff\xff", SetOptions{})
	require.NoError(t, err)
	n, err = db.BitPos("f", "0")
	require.NoError(t, err)
	require.Equal(t, int64(16), n, "a clear bit just past the string when no end is given")
	n, err = db.BitPos("f", "0", "0", "-1")
	require.NoError(t, err)
	require.Equal(t, int64(-1), n, "none with an explicit end")
	_, err = db.BitPos("f", "2")
	require.Equal(t, "ERR The bit argument must be 1 or 0.", err.Error())
	n, err = db.BitPos("missing", "0", "x")
	require.NoError(t, err)
	require.Zero(t, n)
	checkDB(t, db)
}

func TestBitOp(t *testing.T) {
	db, _ := openTestDB(t)
	require.NoError(t, db.MSet(KV{"a", "\x0f\xf0\xaa"}, KV{"b", "\xff\x00"}))
	for _, tc := range []struct {
		op   BitOp
		srcs []string
		want string
	}{
		{BitAnd, []string{"a", "b"}, "\x0f\x00\x00"},
		{BitOr, []string{"a", "b"}, "\xff\xf0\xaa"},
		{BitXor, []string{"a", "b", "a"}, "\xff\x00\x00"},
		{BitNot, []string{"a"}, "\xf0\x0f\x55"},
		{BitAnd, []string{"a", "missing"}, "\x00\x00\x00"},
	} {
		n, err := db.BitOp(tc.op, "d", tc.srcs...)
		require.NoError(t, err)
		require.Equal(t, int64(len(tc.want)), n)
		requireKey(t, db, "d", tc.want, NoExpiry)
	}
	n, err := db.BitOp(BitOr, "d", "missing")
	require.NoError(t, err)
	require.Zero(t, n)
	found, err := db.Exists("d")
	require.NoError(t, err)
	require.Zero(t, found, "an empty result deletes the destination")
	_, err = db.BitOp(BitNot, "d", "a", "b")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = db.HSet("h", FieldValue{"f", "v"})
	require.NoError(t, err)
	_, err = db.BitOp(BitAnd, "d", "a", "h")
	require.ErrorIs(t, err, ErrWrongType)
	_, err = ParseBitOp("nand")
	require.ErrorIs(t, err, ErrSyntax)
	checkDB(t, db)
}

func TestBitField(t *testing.T) {
	db, _ := openTestDB(t)
	parse := func(args ...string) []BitFieldOp {
		ops, err := ParseBitField(args)
		require.NoError(t, err)
		return ops
	}
	res, err := db.BitField("k", parse("SET", "u8", "0", "255", "GET", "i8", "0", "INCRBY", "u8", "0", "1"), false)
	require.NoError(t, err)
	require.Equal(t, []BitFieldResult{{Value: 0}, {Value: -1}, {Value: 0}}, res)
	res, err = db.BitField("k", parse("OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-1000"), false)
	require.NoError(t, err)
	require.Equal(t, []BitFieldResult{{Nil: true}, {Value: -128}}, res)
	res, err = db.BitField("k", parse("SET", "i64", "#1", "-1", "INCRBY", "i64", "#1", "1", "GET", "u63", "64"), false)
	require.NoError(t, err)
	require.Equal(t, []BitFieldResult{{Value: 0}, {Value: 0}, {Value: 0}}, res)
	requireKey(t, db, "k", "\x80"+string(make([]byte, 15)), NoExpiry)

	_, err = db.BitField("k", parse("SET", "u8", "0", "1"), true)
	require.Equal(t, "ERR BITFIELD_RO only supports the GET subcommand", err.Error())
	res, err = db.BitField("missing", parse("GET", "u8", "0"), true)
	require.NoError(t, err)
	require.Equal(t, []BitFieldResult{{}}, res)
	res, err = db.BitField("k", nil, false)
	require.NoError(t, err)
	require.Empty(t, res)
	for _, args := range [][]string{{"GET", "u64", "0"}, {"GET", "i65", "0"}, {"GET", "x8", "0"}, {"GET", "u8", "#-1"}, {"OVERFLOW", "x"}, {"GET", "u8"}, {"SET", "u8", "0", "x"}} {
		_, err := ParseBitField(args)
		require.Error(t, err, args)
	}
	_, err = ParseBitField([]string{"GET", "i64", "#67108864"})
	require.Equal(t, errBitOffset, err)
	checkDB(t, db)
}

func TestBitsMemoryLimit(t *testing.T) {
	e := coordEngine(t, ttl.NewManual(time.Time{}), Options{MaxMemory: 4096})
	db := e.DB("ns")
	_, err := db.SetBit("k", 8*8192, true)
	require.NoError(t, err, "under the limit before the write")
	_, err = db.SetBit("k", 0, true)
	require.ErrorIs(t, err, ErrOOM)
	ops, err := ParseBitField([]string{"SET", "u8", "0", "1"})
	require.NoError(t, err)
	_, err = db.BitField("k", ops, false)
	require.ErrorIs(t, err, ErrOOM)
	_, err = db.BitOp(BitNot, "d", "k")
	require.ErrorIs(t, err, ErrOOM)
	n, err := db.BitCount("k")
	require.NoError(t, err, "reads still work")
	require.Equal(t, int64(1), n)
	require.NoError(t, db.ks.Verify())
}

// BenchmarkSetBit measures SETBIT on bitmaps of growing size. Written in
// place (store.Tx.MutateStr), its cost should not follow the size; it used
// to copy the string on every write (235 us at 1 MB).
func BenchmarkSetBit(b *testing.B) {
	for _, size := range []int64{64, 64 << 10, 1 << 20} {
		b.Run(strconv.FormatInt(size, 10), func(b *testing.B) {
			db, _ := openTestDB(b)
			_, err := db.SetBit("k", size*8-1, true)
			require.NoError(b, err)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.SetBit("k", int64(i)%(size*8), i&1 == 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSetBitGet alternates SETBIT with a read of the bitmap: GETBIT
// leaves the buffer to be written in place (PeekStr), GET hands the value
// out, so the next SETBIT must copy it, as the GET itself copies it into
// its reply.
func BenchmarkSetBitGet(b *testing.B) {
	const size = 1 << 20
	for _, read := range []string{"getbit", "get"} {
		b.Run(read, func(b *testing.B) {
			db, _ := openTestDB(b)
			_, err := db.SetBit("k", size*8-1, true)
			require.NoError(b, err)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				off := int64(i) % (size * 8)
				if _, err := db.SetBit("k", off, i&1 == 0); err != nil {
					b.Fatal(err)
				}
				if read == "getbit" {
					_, err = db.GetBit("k", off)
				} else {
					_, _, err = db.Get("k")
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Values handed out before an in-place write (SETBIT, SETRANGE, BITFIELD)
// keep what they held: the write copies a buffer a string was handed out
// from, and later writes go into the copy.
func TestInPlaceWritesKeepHandedOutValues(t *testing.T) {
	db, _ := openTestDB(t)
	_, err := db.SetBit("k", 8*1024-1, true)
	require.NoError(t, err)
	before, _, err := db.Get("k")
	require.NoError(t, err)
	want := strings.Clone(before)

	_, err = db.SetBit("k", 0, true)
	require.NoError(t, err)
	n, err := db.SetRange("k", 1, "xyz")
	require.NoError(t, err)
	require.EqualValues(t, 1024, n)
	_, err = db.BitField("k", []BitFieldOp{{Kind: BitFieldSet, Bits: 8, Offset: 8 * 4, Value: 'w'}}, false)
	require.NoError(t, err)
	require.Equal(t, want, before, "a value handed out never changes")

	after, _, err := db.Get("k")
	require.NoError(t, err)
	require.Equal(t, "\x80xyzw", after[:5])
	require.Equal(t, want[5:], after[5:])

	n, err = db.SetRange("new", 3, "ab")
	require.NoError(t, err)
	require.EqualValues(t, 5, n)
	v, _, err := db.Get("new")
	require.NoError(t, err)
	require.Equal(t, "\x00\x00\x00ab", v)
	_, err = db.SetRange("new", -1, "x")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = db.SetRange("new", MaxStringSize, "x")
	require.ErrorIs(t, err, ErrTooLarge)
	n, err = db.SetRange("absent", 10, "")
	require.NoError(t, err)
	require.Zero(t, n)
	ok, err := db.Exists("absent")
	require.NoError(t, err)
	require.Zero(t, ok, "an empty SETRANGE creates nothing")
	require.NoError(t, db.ks.Verify())
}
