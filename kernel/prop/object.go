package prop

// Object is one of *Dictionary, *Array, String, Data, Bool or Number: the
// proplib object types wg(4) uses (prop_object_t).
type Object interface {
	propObject()
}

// String is a proplib string (prop_string_t).  libprop strings are C
// strings: Externalize refuses a String that contains a NUL byte.
type String string

// Data is a proplib data object (prop_data_t): opaque bytes, written as
// base64.
type Data []byte

// Bool is a proplib boolean (prop_bool_t), written as <true/> or <false/>.
type Bool bool

func (*Dictionary) propObject() {}
func (*Array) propObject()      {}
func (String) propObject()      {}
func (Data) propObject()        {}
func (Bool) propObject()        {}
func (Number) propObject()      {}

// isNil reports whether o holds no object, including a typed nil pointer,
// which libprop cannot represent.
func isNil(o Object) bool {
	switch v := o.(type) {
	case nil:
		return true
	case *Dictionary:
		return v == nil
	case *Array:
		return v == nil
	}
	return false
}
