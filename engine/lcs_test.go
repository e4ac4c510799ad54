package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLCS(t *testing.T) {
	db, _ := openTestDB(t)
	require.NoError(t, db.MSet(KV{"a", "ohmytext"}, KV{"b", "mynewtext"}))
	res, err := db.LCS("a", "b")
	require.NoError(t, err)
	require.Equal(t, "mytext", res.String)
	res, err = db.LCS("a", "b", "LEN")
	require.NoError(t, err)
	require.Equal(t, LCSResult{LenOnly: true, Len: 6}, res)
	res, err = db.LCS("a", "b", "IDX", "WITHMATCHLEN")
	require.NoError(t, err)
	require.Equal(t, int64(6), res.Len)
	require.Equal(t, []LCSMatch{
		{A: [2]int64{4, 7}, B: [2]int64{5, 8}, Len: 4},
		{A: [2]int64{2, 3}, B: [2]int64{0, 1}, Len: 2},
	}, res.Matches)
	res, err = db.LCS("a", "b", "IDX", "MINMATCHLEN", "3")
	require.NoError(t, err)
	require.Len(t, res.Matches, 1)
	res, err = db.LCS("a", "missing")
	require.NoError(t, err)
	require.Equal(t, "", res.String)

	for _, tc := range []struct {
		opts []string
		err  string
	}{
		{[]string{"IDX", "LEN"}, "ERR If you want both the length and indexes, please just use IDX."},
		{[]string{"MINMATCHLEN"}, "ERR syntax error"},
		{[]string{"MINMATCHLEN", "x"}, "ERR value is not an integer or out of range"},
	} {
		_, err := db.LCS("a", "b", tc.opts...)
		require.EqualError(t, err, tc.err)
	}
	_, err = db.RPush("l", "x")
	require.NoError(t, err)
	_, err = db.LCS("l", "b", "FOO")
	require.EqualError(t, err, "ERR The specified keys must contain string values", "the type is checked before the options")
	require.ErrorIs(t, err, ErrWrongType)
	_, err = db.Set("big", strings.Repeat("x", 12000), SetOptions{})
	require.NoError(t, err)
	_, err = db.LCS("big", "big", "LEN")
	require.ErrorIs(t, err, ErrTooLarge)
	checkDB(t, db)
}
