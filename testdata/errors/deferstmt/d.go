package deferstmt

//asyncgen:stream D
func d(yield func(int) bool) {
	defer yield(1) // ERROR col=2 "await or yield inside a defer statement"
}
