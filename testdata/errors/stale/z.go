package stale

func Late() {}
