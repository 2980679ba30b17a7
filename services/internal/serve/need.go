package serve

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Need refuses to build a service from deps (a Deps struct) when any of
// its dependencies is missing: a nil pointer, interface, function, map,
// slice or channel field, or an empty string. Fields tagged
// `dep:"optional"` may be left out. A service that is built is whole: it
// never drops a route or a task for want of what it was given.
func Need(service string, deps any) error {
	v := reflect.ValueOf(deps)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("%s: dependencies must be a struct, not %s", service, v.Kind())
	}
	var missing []string
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("dep") == "optional" {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan:
			if fv.IsNil() {
				missing = append(missing, f.Name)
			}
		case reflect.String:
			if fv.String() == "" {
				missing = append(missing, f.Name)
			}
		}
	}
	if len(missing) > 0 {
		return errors.New(service + ": built without " + strings.Join(missing, ", "))
	}
	return nil
}
