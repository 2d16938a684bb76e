// Constructor names that collide with declarations.
package names

//asyncgen:async Fn // ERROR col=1 "Fn collides with the declaration at .*a.go:22:6"
func fn() {}

//asyncgen:async T // ERROR col=1 "T collides with the declaration at .*a.go:24:6"
func t() {}

//asyncgen:async V // ERROR col=1 "V collides with the declaration at"
func v() {}

//asyncgen:async C // ERROR col=1 "C collides with the declaration at"
func c() {}

//asyncgen:async self // ERROR col=1 "self collides with the declaration at .*a.go:17:6"
func self() {}

//asyncgen:async M // ERROR col=1 "MFuture collides with the declaration at"
func m() {}

func Fn() {}

type T struct{}

var V int

const C = 1

type MFuture struct{}

type R struct{ Field int }

func (R) Method()       {}
func (*R) PtrMethod()   {}
func (r *R) ValueRecv() {}

//asyncgen:async Method // ERROR col=1 "Method collides with R.Method declared at"
func (r *R) method() {}

//asyncgen:async PtrMethod // ERROR col=1 "PtrMethod collides with R.PtrMethod"
func (r R) ptrMethod() {}

//asyncgen:async Field // ERROR col=1 "Field collides with R.Field"
func (r *R) field() {}

//asyncgen:async read // ERROR col=1 "read collides with R.read"
func (r *R) read() {}

// A method and a function of the same name do not collide.

//asyncgen:async Fine
func (r *R) fine() {}

//asyncgen:async Fine2
func fine() {}

// Foo has a doc comment before its directive.
//
//asyncgen:async Fn2 // ERROR col=1 "Fn2 collides with the declaration at .*a.go:63:6"
func foo() {}

func Fn2() {}
