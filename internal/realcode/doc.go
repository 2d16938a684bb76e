// Package realcode tests the tool on code nobody wrote for it: standard
// library packages copied into a temporary module, every function whose
// results fit marked async, lowered, built, vetted and run against the
// plain calls. See TestStdlib.
package realcode
