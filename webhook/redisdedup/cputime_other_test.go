//go:build !unix

package redisdedup_test

import "time"

// cpuTime is unknown here: the per-core figures are left out.
func cpuTime() time.Duration { return 0 }
