//go:build race

package main

// raceEnabled is whether the race detector is on: the 100,000-actor tests
// are skipped under it (memory figures are meaningless there, and the run
// takes minutes).
const raceEnabled = true
