package engine

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrors(t *testing.T) {
	all := Errors()
	kinds := map[string]bool{}
	for _, e := range all {
		require.False(t, kinds[e.Kind()], "kind %q listed twice", e.Kind())
		kinds[e.Kind()] = true
		require.NotEmpty(t, e.Error())
		require.ErrorIs(t, e, e)
	}
	// A variant text is still the same kind, and only that kind.
	v := invalidExpire("set")
	require.EqualError(t, v, "ERR invalid expire time in 'set' command")
	require.ErrorIs(t, v, ErrInvalidExpire)
	require.NotErrorIs(t, v, ErrSyntax)
	require.ErrorIs(t, InvalidExpire("getex"), ErrInvalidExpire)
	wrapped := errors.Join(errors.New("context"), ErrWrongType)
	require.ErrorIs(t, wrapped, ErrWrongType)
	require.NotErrorIs(t, ErrWrongType, errors.New(ErrWrongType.Error()), "only *Error kinds match")

	for _, tc := range []struct {
		err  *Error
		text string
	}{
		{ErrWrongType, "WRONGTYPE Operation against a key holding the wrong kind of value"},
		{ErrNotInteger, "ERR value is not an integer or out of range"},
		{ErrNotFloat, "ERR value is not a valid float"},
		{ErrOverflow, "ERR increment or decrement would overflow"},
		{ErrNaNOrInf, "ERR increment would produce NaN or Infinity"},
		{ErrNoSuchKey, "ERR no such key"},
		{ErrSyntax, "ERR syntax error"},
	} {
		require.Equal(t, tc.text, tc.err.Error())
		require.Contains(t, all, tc.err)
	}
}
