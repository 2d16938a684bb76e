// A stale generated file declares a name that the user now declares too.
package stale

//asyncgen:async Late // ERROR col=1 "Late collides with the declaration at .*z.go:3:6"
func late() {}
