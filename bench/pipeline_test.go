package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOneFirstSegmentArgs(t *testing.T) {
	t.Parallel()
	in := []string{"-i", "x", "-force_key_frames", "expr:if(lt(t,4),gte(t,n_forced),gte(t,4*(n_forced-3)))", "-f", "hls", "-hls_time", "4", "-hls_init_time", "1", "out"}
	got, ok := oneFirstSegmentArgs(in, 4)
	require.True(t, ok)
	require.Equal(t, "-i x -force_key_frames expr:gte(t,n_forced*4) -f hls -hls_time 4 out", strings.Join(got, " "))

	_, ok = oneFirstSegmentArgs([]string{"-f", "hls", "-hls_time", "4"}, 4)
	require.False(t, ok, "no -force_key_frames to rewrite")
}
