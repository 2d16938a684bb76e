// In package main, main cannot be a constructor.
package main

//asyncgen:async main // ERROR col=1 "main cannot be the name of a constructor"
func body() {}
