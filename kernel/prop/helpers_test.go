package prop

import "fmt"

// dump converts an object tree into plain values that cmp can diff and
// that keep what Equal ignores: a number's signedness.
func dump(o Object) any {
	switch v := o.(type) {
	case nil:
		return nil
	case *Dictionary:
		if v == nil {
			return nil
		}
		m := map[string]any{}
		for _, k := range v.Keys() {
			e, _ := v.Get(k)
			m[k] = dump(e)
		}
		return m
	case *Array:
		if v == nil {
			return nil
		}
		l := []any{}
		for _, e := range v.Items() {
			l = append(l, dump(e))
		}
		return l
	case String:
		return "string:" + string(v)
	case Data:
		return fmt.Sprintf("data:%x", []byte(v))
	case Bool:
		return fmt.Sprintf("bool:%v", bool(v))
	case Number:
		if v.IsUnsigned() {
			u, _ := v.Uint64()
			return fmt.Sprintf("uint:%d", u)
		}
		i, _ := v.Int64()
		return fmt.Sprintf("int:%d", i)
	}
	return fmt.Sprintf("unknown %T", o)
}
