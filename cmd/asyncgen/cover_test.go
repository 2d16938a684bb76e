package main

import (
	"fmt"
	"testing"

	"golang.org/x/tools/cover"
)

// A machine unit's count goes to the body's unit where it starts (or the
// body's first unit, for one that starts before the body's brace); units
// that land in no unit of the body are dropped with the other machine
// units.
func TestFold(t *testing.T) {
	blk := func(sl, sc, el, ec, n, count int) cover.ProfileBlock {
		return cover.ProfileBlock{StartLine: sl, StartCol: sc, EndLine: el, EndCol: ec, NumStmt: n, Count: count}
	}
	own := []cover.ProfileBlock{blk(6, 24, 8, 23, 2, 0), blk(8, 23, 11, 3, 2, 1), blk(12, 2, 12, 10, 1, 0), blk(20, 30, 21, 5, 1, 4)}
	machine := []cover.ProfileBlock{
		blk(6, 2, 6, 17, 3, 3),   // the step's dispatch, on the declaration's line: the first unit
		blk(9, 2, 9, 8, 2, 5),    // inside the loop body
		blk(9, 10, 6, 33, 1, 2),  // inverted, starting in the loop body
		blk(13, 1, 13, 2, 1, 7),  // at the closing brace: no unit there
		blk(12, 2, 13, 24, 3, 0), // never ran
		blk(30, 1, 30, 9, 1, 1),  // outside any function
	}
	units := map[unit]bool{}
	for _, b := range own {
		units[unitOf(b)] = true
	}
	funcs := []fn{{pos{6, 1}, pos{6, 24}, pos{13, 2}}, {pos{20, 1}, pos{20, 30}, pos{21, 6}}}
	for mode, want := range map[string][]int{
		"count": {0 + 3, 1 + 5, 0, 4},
		"set":   {3, 5, 0, 4},
	} {
		got := fold(append(append([]cover.ProfileBlock{}, own...), machine...), units, funcs, mode)
		var counts []int
		for _, b := range got {
			counts = append(counts, b.Count)
		}
		if fmt.Sprint(counts) != fmt.Sprint(want) || len(got) != len(own) {
			t.Errorf("%s mode: counts %v (%d units), want %v", mode, counts, len(got), want)
		}
		for i, b := range got {
			if unitOf(b) != unitOf(own[i]) {
				t.Errorf("%s mode: unit %d is %v, want %v", mode, i, unitOf(b), unitOf(own[i]))
			}
		}
	}
}
