//go:build race

package realcode

const raceEnabled = true
