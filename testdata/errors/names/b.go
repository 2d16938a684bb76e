package names

import (
	"fmt"
	str "strings"
)

var _ = fmt.Sprint
var _ = str.Cut

//asyncgen:async fmt // ERROR col=1 "fmt collides with the import at .*b.go:4:2"
func f1() {}

//asyncgen:async str // ERROR col=1 "str collides with the import at .*b.go:5:2"
func f2() {}

//asyncgen:async init // ERROR col=1 "init cannot be the name of a constructor"
func f3() {}

// Go allows a method named init, and a function named main outside
// package main.

//asyncgen:async init
func (r *R) f4() {}

//asyncgen:async main
func f5() {}
