package prop

import (
	"slices"
	"strings"
)

// Dictionary maps unique string keys to objects (prop_dictionary_t).  Like
// libprop it keeps its entries sorted by key (strcmp order), which is the
// order Externalize writes them in.  The zero value is an empty dictionary
// ready to use.
type Dictionary struct {
	entries []entry // sorted by key, keys unique
}

type entry struct {
	key string
	val Object
}

// NewDictionary returns an empty dictionary (prop_dictionary_create).
func NewDictionary() *Dictionary { return &Dictionary{} }

// find returns the index of key, or where it would be inserted.
func (d *Dictionary) find(key string) (int, bool) {
	if len(d.entries) <= 16 {
		// The dictionaries of if_wg have a dozen keys: a scan beats
		// the binary search's three-way comparisons.
		for i := range d.entries {
			switch k := d.entries[i].key; {
			case k == key:
				return i, true
			case k > key:
				return i, false
			}
		}
		return len(d.entries), false
	}
	return slices.BinarySearchFunc(d.entries, key, func(e entry, k string) int {
		return strings.Compare(e.key, k)
	})
}

// Set stores o under key, replacing any previous object
// (prop_dictionary_set).  A nil object removes key.
//
// libprop refuses keys longer than 128 bytes; Set accepts them and
// Externalize reports them as an error.
func (d *Dictionary) Set(key string, o Object) {
	if isNil(o) {
		d.Remove(key)
		return
	}
	i, found := d.find(key)
	if found {
		d.entries[i].val = o
		return
	}
	d.entries = slices.Insert(d.entries, i, entry{key: key, val: o})
}

// Get returns the object stored under key (prop_dictionary_get).
func (d *Dictionary) Get(key string) (Object, bool) {
	if d == nil {
		return nil, false
	}
	i, found := d.find(key)
	if !found {
		return nil, false
	}
	return d.entries[i].val, true
}

// Remove deletes key if present (prop_dictionary_remove).
func (d *Dictionary) Remove(key string) {
	if d == nil {
		return
	}
	if i, found := d.find(key); found {
		d.entries = slices.Delete(d.entries, i, i+1)
	}
}

// Keys returns the keys in sorted order (prop_dictionary_all_keys).
func (d *Dictionary) Keys() []string {
	if d == nil {
		return nil
	}
	keys := make([]string, len(d.entries))
	for i, e := range d.entries {
		keys[i] = e.key
	}
	return keys
}

// Len returns the number of entries (prop_dictionary_count).  A nil
// *Dictionary has length 0.
func (d *Dictionary) Len() int {
	if d == nil {
		return 0
	}
	return len(d.entries)
}

// Equal reports whether d and o hold the same keys with equal objects
// (prop_dictionary_equals).
func (d *Dictionary) Equal(o *Dictionary) bool {
	return Equal(d, o)
}

// sortEntries restores the invariant after entries were appended in input
// order: sorted by key, and for a repeated key only the last value kept,
// as successive prop_dictionary_set calls would leave it.
func (d *Dictionary) sortEntries() {
	cmp := func(a, b entry) int { return strings.Compare(a.key, b.key) }
	if slices.IsSortedFunc(d.entries, func(a, b entry) int {
		// Strictly increasing: no key repeated.
		if c := cmp(a, b); c != 0 {
			return c
		}
		return -1
	}) {
		return // as libprop writes them: nothing to do
	}
	slices.SortStableFunc(d.entries, cmp)
	out := d.entries[:0]
	for i, e := range d.entries {
		if i+1 < len(d.entries) && d.entries[i+1].key == e.key {
			continue // a later value for the same key wins
		}
		out = append(out, e)
	}
	clear(d.entries[len(out):])
	d.entries = out
}
