// yield used other than by calling it.
package yield

func each(yield func(int) bool) {}

//asyncgen:gen Passed
func passed(yield func(int) bool) {
	each(yield) // ERROR col=7 "yield used other than by calling it"
}

//asyncgen:gen Assigned
func assigned(yield func(int) bool) {
	y := yield // ERROR col=7 "yield used other than by calling it"
	y(1)
}

//asyncgen:stream Compared
func compared(yield func(int) bool) {
	if yield != nil { // ERROR col=5 "yield used other than by calling it"
		yield(1)
	}
}

//asyncgen:gen Stored
func stored(yield func(int) bool) {
	fs := []func(int) bool{yield} // ERROR col=25 "yield used other than by calling it"
	_ = fs
}

//asyncgen:gen Returned
func returned(yield func(int) bool) {
	func() func(int) bool {
		return yield // ERROR col=10 "yield used other than by calling it"
	}()
}

//asyncgen:gen Deferred
func deferred(yield func(int) bool) {
	defer each(yield) // ERROR col=13 "yield used other than by calling it"
}
