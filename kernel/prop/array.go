package prop

// Array is an ordered list of objects (prop_array_t).  The zero value is an
// empty array ready to use.
type Array struct {
	items []Object
}

// NewArray returns an array holding items in order; nil items are skipped.
func NewArray(items ...Object) *Array {
	a := &Array{items: make([]Object, 0, len(items))}
	for _, o := range items {
		a.Add(o)
	}
	return a
}

// Add appends o (prop_array_add).  A nil object is ignored: libprop arrays
// cannot hold NULL.
func (a *Array) Add(o Object) {
	if isNil(o) {
		return
	}
	a.items = append(a.items, o)
}

// Len returns the number of objects in a (prop_array_count).  A nil
// *Array has length 0.
func (a *Array) Len() int {
	if a == nil {
		return 0
	}
	return len(a.items)
}

// Get returns the object at index i, or nil when i is out of range
// (prop_array_get).
func (a *Array) Get(i int) Object {
	if a == nil || i < 0 || i >= len(a.items) {
		return nil
	}
	return a.items[i]
}

// Items returns the objects of a in order.  The slice is a copy; the
// objects are shared.
func (a *Array) Items() []Object {
	if a == nil {
		return nil
	}
	return append([]Object(nil), a.items...)
}

// Equal reports whether a and o hold equal objects in the same order
// (prop_array_equals).
func (a *Array) Equal(o *Array) bool {
	return Equal(a, o)
}
