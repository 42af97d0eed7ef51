package prop

import "bytes"

// maxEqualDepth bounds the recursion of Equal so that a dictionary that
// (wrongly) contains itself cannot recurse forever.  It is far above
// MaxDepth, the deepest list Internalize builds.
const maxEqualDepth = 4096

// Equal reports whether a and b are equal by value, as prop_object_equals
// does: objects of different types are unequal, except that numbers
// compare by value across signedness (see Number.Equal); dictionaries
// compare keys and values, arrays compare items in order.  Two nil objects
// are equal.
func Equal(a, b Object) bool {
	return equal(a, b, 0)
}

func equal(a, b Object, depth int) bool {
	if isNil(a) || isNil(b) {
		return isNil(a) && isNil(b)
	}
	if depth > maxEqualDepth {
		return false
	}
	switch x := a.(type) {
	case *Dictionary:
		y, ok := b.(*Dictionary)
		if !ok || len(x.entries) != len(y.entries) {
			return false
		}
		if x == y {
			return true
		}
		for i := range x.entries {
			if x.entries[i].key != y.entries[i].key ||
				!equal(x.entries[i].val, y.entries[i].val, depth+1) {
				return false
			}
		}
		return true
	case *Array:
		y, ok := b.(*Array)
		if !ok || len(x.items) != len(y.items) {
			return false
		}
		if x == y {
			return true
		}
		for i := range x.items {
			if !equal(x.items[i], y.items[i], depth+1) {
				return false
			}
		}
		return true
	case String:
		y, ok := b.(String)
		return ok && x == y
	case Data:
		y, ok := b.(Data)
		return ok && bytes.Equal(x, y)
	case Bool:
		y, ok := b.(Bool)
		return ok && x == y
	case Number:
		y, ok := b.(Number)
		return ok && x.Equal(y)
	}
	return false
}
