// Malformed directives.
package malformed

//asyncgen:async // ERROR col=1 "asyncgen:async needs exactly one argument, the name of the constructor to generate"
func noName() {}

//asyncgen:gen A B // ERROR col=1 "asyncgen:gen needs exactly one argument"
func twoNames(yield func(int) bool) {}

//asyncgen:stream 1st // ERROR col=1 "asyncgen:stream needs exactly one argument"
func notIdent(yield func(int) bool) {}

//asyncgen:async _ // ERROR col=1 "asyncgen:async needs exactly one argument"
func blank() {}

//asyncgen:sync Sync // ERROR col=1 `unknown directive asyncgen:sync \(want asyncgen:async, asyncgen:gen or asyncgen:stream\)`
func sync() {}

//asyncgen:async:X // ERROR col=1 "unknown directive asyncgen:async:X"
func colon() {}
