package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	require.Equal(t, 50*time.Millisecond, percentile(ds, 50))
	require.Equal(t, 99*time.Millisecond, percentile(ds, 99))
	require.Equal(t, 100*time.Millisecond, percentile(ds, 100))
	require.Equal(t, 1*time.Millisecond, percentile(ds, 0))
	require.Equal(t, 100*time.Millisecond, ds[0], "the input is not reordered")
	require.Equal(t, time.Duration(0), percentile(nil, 50))
	require.Equal(t, 3*time.Millisecond, percentile([]time.Duration{3 * time.Millisecond}, 99))
}
