// Bodies whose signature does not fit their directive.
package shape

import "github.com/asyncgen/asyncgen/runtime"

//asyncgen:async Pair
func pair() (int, int) { return 1, 2 } // ERROR col=13 `an async body returns \(\), \(T\) or \(T, error\); pair returns \(int, int\)`

//asyncgen:async ErrFirst
func errFirst() (error, int) { return nil, 1 } // ERROR col=17 `returns \(error, int\)`

//asyncgen:async Three
func three() (a, b int, err error) { return } // ERROR col=14 `returns \(a int, b int, err error\)`

//asyncgen:gen NoParams
func noParams() {} // ERROR col=14 "a gen body's last parameter is a named `yield func\\(T\\) bool`; noParams has no parameters"

//asyncgen:gen NoYield
func noYield(n int) {} // ERROR col=14 "noYield's is `n int`"

//asyncgen:gen NotLast
func notLast(yield func(int) bool, n int) {} // ERROR col=36 "notLast's is `n int`"

//asyncgen:gen NoBool
func noBool(n int, yield func(int)) {} // ERROR col=20 "noBool's is `yield func\\(int\\)`"

//asyncgen:gen IntResult
func intResult(yield func(int) int) {} // ERROR col=16 "intResult's is `yield func\\(int\\) int`"

//asyncgen:gen TwoValues
func twoValues(yield func(int, int) bool) {} // ERROR col=16 "twoValues's is `yield func\\(int, int\\) bool`"

//asyncgen:stream NoValue
func noValue(yield func() bool) {} // ERROR col=14 "a stream body's last parameter is a named `yield func\\(T\\) bool`; noValue's is `yield func\\(\\) bool`"

//asyncgen:gen Variadic
func variadic(yield ...func(int) bool) {} // ERROR col=15 "variadic's is `yield \\.\\.\\.func\\(int\\) bool`"

//asyncgen:gen Unnamed
func unnamed(func(int) bool) {} // ERROR col=14 "unnamed's is `func\\(int\\) bool`"

//asyncgen:gen Blank
func blank(_ func(int) bool) {} // ERROR col=12 "blank's is `_ func\\(int\\) bool`"

//asyncgen:gen Returns
func returns(yield func(int) bool) int { return 0 } // ERROR col=36 "a gen body returns nothing; returns returns \\(int\\)"

//asyncgen:stream StreamReturns
func streamReturns(yield func(int) bool) error { return nil } // ERROR col=42 "a stream body returns nothing; streamReturns returns \\(error\\)"

//asyncgen:async NoBody
func noBody() int // ERROR col=1 "noBody has no body"

// These fit.

//asyncgen:async Unit
func unit() {}

//asyncgen:async Value
func value() int { return runtime.Await(runtime.Ready(1)) }

//asyncgen:async Fallible
func fallible() (n int, err error) { return 1, nil }

type Y func(string) bool

//asyncgen:gen Named
func named(n int, yield Y) {}
