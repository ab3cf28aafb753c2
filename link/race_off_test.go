//go:build !race

package link

// raceDetector is true in a -race build, where sync.Pool drops items at random and allocation
// counts are not exact.
const raceDetector = false
