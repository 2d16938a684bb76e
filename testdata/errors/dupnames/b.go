package dupnames

//asyncgen:async Other // ERROR col=1 "Other is also generated for three"
func four() {}
