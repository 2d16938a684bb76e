package gostmt

//asyncgen:stream C
func c(yield func(int) bool) {
	go yield(1) // ERROR col=2 "await or yield inside a go statement"
}
