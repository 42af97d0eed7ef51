package prop

// Wipe clears every data object in a property list: keys travel as data,
// and a list that held one must not leave it in memory when dropped.  It
// walks the entries and items in place: a list of 10,000 peers is wiped
// without copying a key list or an item list per container.
func Wipe(o Object) {
	switch v := o.(type) {
	case Data:
		clear(v)
	case *Dictionary:
		if v == nil {
			return
		}
		for i := range v.entries {
			Wipe(v.entries[i].val)
		}
	case *Array:
		if v == nil {
			return
		}
		for _, e := range v.items {
			Wipe(e)
		}
	}
}
