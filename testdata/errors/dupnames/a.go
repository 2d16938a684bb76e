// Two directives generating the same name.
package dupnames

//asyncgen:async Same
func one() {}

//asyncgen:async Same // ERROR col=1 "Same is also generated for one"
func two() {}

//asyncgen:async Other
func three() {}

type R struct{}

//asyncgen:async Run
func (r *R) run1() {}

//asyncgen:async Run // ERROR col=1 "Run is also generated for run1"
func (r R) run2() {}

type S struct{}

// The same name on another receiver is fine.
//
//asyncgen:async Run
func (s *S) run() {}
