//asyncgen:async File // ERROR col=1 "directive asyncgen:async is not in the doc comment of a function declaration"

// Directives that are not on a function declaration.
package placement

//asyncgen:async Type // ERROR col=1 "directive asyncgen:async is not in the doc comment of a function declaration"
type T struct{}

//asyncgen:async Var // ERROR col=1 "not in the doc comment of a function declaration"
var V = func() {}

type I interface {
	//asyncgen:async Method // ERROR col=2 "not in the doc comment of a function declaration"
	Method()
}

//asyncgen:async Detached // ERROR col=1 "not in the doc comment of a function declaration"

func detached() {}

func body() {
	//asyncgen:async Inside // ERROR col=2 "not in the doc comment of a function declaration"
	_ = 0
}

func trailing() {} //asyncgen:async Trailing // ERROR col=20 "not in the doc comment of a function declaration"

//asyncgen:gen Unknown // ERROR col=1 "not in the doc comment of a function declaration"
