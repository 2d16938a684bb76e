package dupnames

// Machine type names derived from a method and from a function.

type Q struct{}

//asyncgen:async Foo
func (q *Q) foo() {}

//asyncgen:async QFoo // ERROR col=1 "the machine type QFooFuture of QFoo is also the machine type of Q.Foo"
func qFoo() {}

//asyncgen:async XFuture
func xf() {}

//asyncgen:async X // ERROR col=1 "the machine type XFuture collides with the constructor generated for xf"
func x() {}

//asyncgen:async Y
func y() {}

//asyncgen:gen YFuture // ERROR col=1 "YFuture collides with the machine type of Y"
func yf(yield func(int) bool) {}

// Kinds name machine types apart.

//asyncgen:gen Z
func z(yield func(int) bool) {}

//asyncgen:gen ZFuture
func zf(yield func(int) bool) {}
