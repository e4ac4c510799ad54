package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func values(ms []Maybe) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Value
		if !m.Found {
			out[i] = "<nil>"
		}
	}
	return out
}

func TestSort(t *testing.T) {
	db, _ := openTestDB(t)
	_, err := db.RPush("l", "c", "a", "b")
	require.NoError(t, err)
	require.NoError(t, db.MSet(KV{"w_a", "3"}, KV{"w_b", "1"}, KV{"w_c", "2"}, KV{"o_a", "A"}))
	_, err = db.HSet("h_a", FieldValue{"f", "x"})
	require.NoError(t, err)
	_, err = db.RPush("n", "10", "2", "-1.5", "")
	require.NoError(t, err)
	for _, tc := range []struct {
		key  string
		args []string
		want []string
		err  error
	}{
		{"n", nil, []string{"-1.5", "", "2", "10"}, nil},
		{"n", []string{"DESC", "LIMIT", "1", "2"}, []string{"2", ""}, nil},
		{"l", []string{"ALPHA"}, []string{"a", "b", "c"}, nil},
		{"l", []string{"BY", "w_*"}, []string{"b", "c", "a"}, nil},
		{"l", []string{"BY", "nosort", "DESC"}, []string{"b", "a", "c"}, nil},
		{"l", []string{"BY", "w_*", "GET", "#", "GET", "o_*", "GET", "h_*->f"}, []string{"b", "<nil>", "<nil>", "c", "<nil>", "<nil>", "a", "A", "x"}, nil},
		{"l", nil, nil, errSortScore},
		{"missing", nil, []string{}, nil},
		{"w_a", nil, nil, ErrWrongType},
	} {
		o, err := ParseSort(tc.args, false)
		require.NoError(t, err)
		out, err := db.Sort(tc.key, o, false)
		require.ErrorIs(t, err, tc.err, tc.args)
		if tc.err == nil {
			require.Equal(t, tc.want, values(out), tc.args)
		}
	}
	o, err := ParseSort([]string{"BY", "w_*", "GET", "o_*", "STORE", "dst"}, false)
	require.NoError(t, err)
	n, err := db.SortStore("l", o)
	require.NoError(t, err)
	require.Equal(t, int64(3), n)
	got, err := db.LRange("dst", 0, -1)
	require.NoError(t, err)
	require.Equal(t, []string{"", "", "A"}, got, "a missing GET stores an empty string")
	o.By, o.Get = "", nil
	o.Limit, o.Offset, o.Count = true, 5, 1
	n, err = db.SortStore("n", o)
	require.NoError(t, err)
	require.Zero(t, n)
	exists, _ := db.Exists("dst")
	require.Zero(t, exists, "an empty result deletes the destination")

	for _, args := range [][]string{{"FOO"}, {"LIMIT", "1"}, {"BY"}} {
		_, err := ParseSort(args, false)
		require.ErrorIs(t, err, ErrSyntax, args)
	}
	_, err = ParseSort([]string{"LIMIT", "x", "1"}, false)
	require.ErrorIs(t, err, ErrNotInteger)
	_, err = ParseSort([]string{"STORE", "d"}, true)
	require.ErrorIs(t, err, ErrSyntax, "SORT_RO has no STORE")
	checkDB(t, db)
}
