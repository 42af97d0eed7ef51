package prop

// Wipe clears every data object in a property list: keys travel as data,
// and a list that held one must not leave it in memory when dropped.
func Wipe(o Object) {
	switch v := o.(type) {
	case Data:
		clear(v)
	case *Dictionary:
		if v == nil {
			return
		}
		for _, k := range v.Keys() {
			if e, ok := v.Get(k); ok {
				Wipe(e)
			}
		}
	case *Array:
		if v == nil {
			return
		}
		for _, e := range v.Items() {
			Wipe(e)
		}
	}
}
