package dupnames

// Dup has a doc comment before its directive.
//
//asyncgen:async Same // ERROR col=1 "Same is also generated for one"
func dup() {}
