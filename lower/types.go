// This file renders types as jennifer code.

package lower

import (
	"go/types"
	"strconv"

	"github.com/dave/jennifer/jen"
)

// typ renders t. Every package-level type from another package goes
// through Qual; local types hoisted out of the body use their new names.
func (e *emitter) typ(t types.Type) jen.Code {
	switch t := t.(type) {
	case *types.Basic:
		if t.Kind() == types.UnsafePointer {
			return jen.Qual("unsafe", "Pointer")
		}
		if t.Info()&types.IsUntyped != 0 {
			return e.typ(types.Default(t))
		}
		return jen.Id(t.Name())
	case *types.Named:
		return e.named(t.Obj(), t.TypeArgs())
	case *types.Alias:
		return e.named(t.Obj(), t.TypeArgs())
	case *types.TypeParam:
		return jen.Id(t.Obj().Name())
	case *types.Pointer:
		return jen.Op("*").Add(e.typ(t.Elem()))
	case *types.Slice:
		return jen.Index().Add(e.typ(t.Elem()))
	case *types.Array:
		return jen.Index(jen.Lit(int(t.Len()))).Add(e.typ(t.Elem()))
	case *types.Map:
		return jen.Map(e.typ(t.Key())).Add(e.typ(t.Elem()))
	case *types.Chan:
		switch t.Dir() {
		case types.SendOnly:
			return jen.Chan().Op("<-").Add(e.typ(t.Elem()))
		case types.RecvOnly:
			return jen.Op("<-").Chan().Add(e.typ(t.Elem()))
		}
		return jen.Chan().Add(e.typ(t.Elem()))
	case *types.Signature:
		return jen.Func().Add(e.signature(t))
	case *types.Struct:
		var fields []jen.Code
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			var c *jen.Statement
			if f.Embedded() {
				c = jen.Add(e.typ(f.Type()))
			} else {
				c = jen.Id(f.Name()).Add(e.typ(f.Type()))
			}
			if tag := t.Tag(i); tag != "" {
				c = c.Op(strconv.Quote(tag))
			}
			fields = append(fields, c)
		}
		return jen.Struct(fields...)
	case *types.Interface:
		var items []jen.Code
		for i := 0; i < t.NumEmbeddeds(); i++ {
			items = append(items, e.typ(t.EmbeddedType(i)))
		}
		for i := 0; i < t.NumExplicitMethods(); i++ {
			m := t.ExplicitMethod(i)
			items = append(items, jen.Id(m.Name()).Add(e.signature(m.Type().(*types.Signature))))
		}
		if t.IsComparable() && t.NumEmbeddeds() == 0 && t.NumExplicitMethods() == 0 {
			return jen.Id("comparable")
		}
		if len(items) == 0 {
			return jen.Id("any")
		}
		return jen.Interface(items...)
	case *types.Union:
		var terms []jen.Code
		for i := 0; i < t.Len(); i++ {
			term := t.Term(i)
			if term.Tilde() {
				terms = append(terms, jen.Op("~").Add(e.typ(term.Type())))
			} else {
				terms = append(terms, e.typ(term.Type()))
			}
		}
		return jen.Union(terms...)
	case *types.Tuple:
		var items []jen.Code
		for i := 0; i < t.Len(); i++ {
			items = append(items, e.typ(t.At(i).Type()))
		}
		return jen.List(items...)
	}
	return jen.Id(t.String())
}

// named renders a reference to a named or alias type.
func (e *emitter) named(obj *types.TypeName, args *types.TypeList) jen.Code {
	var c *jen.Statement
	switch {
	case e.hoisted[obj] != "":
		c = jen.Id(e.hoisted[obj])
		if len(e.tparams) > 0 && (args == nil || args.Len() == 0) {
			var ts []jen.Code
			for _, tp := range e.tparams {
				ts = append(ts, jen.Id(tp.Obj().Name()))
			}
			return c.Types(ts...)
		}
	case obj.Pkg() == nil:
		c = jen.Id(obj.Name())
	default:
		c = jen.Qual(obj.Pkg().Path(), obj.Name())
	}
	if args != nil && args.Len() > 0 {
		var ts []jen.Code
		for i := 0; i < args.Len(); i++ {
			ts = append(ts, e.typ(args.At(i)))
		}
		c = c.Types(ts...)
	}
	return c
}

// signature renders the parameter and result lists of sig.
func (e *emitter) signature(sig *types.Signature) *jen.Statement {
	var params []jen.Code
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		var t jen.Code
		if sig.Variadic() && i == sig.Params().Len()-1 {
			t = jen.Op("...").Add(e.typ(p.Type().(*types.Slice).Elem()))
		} else {
			t = e.typ(p.Type())
		}
		params = append(params, t)
	}
	var results []jen.Code
	for i := 0; i < sig.Results().Len(); i++ {
		results = append(results, e.typ(sig.Results().At(i).Type()))
	}
	s := jen.Params(params...)
	switch len(results) {
	case 0:
	case 1:
		s = s.Add(results[0])
	default:
		s = s.Params(results...)
	}
	return s
}

// zero renders the zero value of t.
func (e *emitter) zero(t types.Type) jen.Code {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			if _, named := t.(*types.Named); named {
				return e.typ(t).(*jen.Statement).Clone().Call(jen.False())
			}
			return jen.False()
		case u.Info()&types.IsString != 0:
			if _, named := t.(*types.Named); named {
				return e.typ(t).(*jen.Statement).Clone().Call(jen.Lit(""))
			}
			return jen.Lit("")
		case u.Info()&types.IsNumeric != 0:
			if _, named := t.(*types.Named); named {
				return e.typ(t).(*jen.Statement).Clone().Call(jen.Lit(0))
			}
			if u.Kind() == types.Int {
				return jen.Lit(0)
			}
			return jen.Add(e.typ(t)).Call(jen.Lit(0))
		case u.Kind() == types.UnsafePointer:
			return jen.Nil()
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		if _, isTP := t.(*types.TypeParam); !isTP {
			return jen.Nil()
		}
	case *types.Struct, *types.Array:
		if _, isTP := t.(*types.TypeParam); !isTP {
			return jen.Add(e.typ(t)).Values()
		}
	}
	return jen.Op("*").New(e.typ(t))
}

// isPointerLike reports whether t holds a reference the garbage collector
// follows, so clearing it can free memory.
func isPointerLike(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Kind() == types.String || u.Kind() == types.UnsafePointer
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return true
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if isPointerLike(u.Field(i).Type()) {
				return true
			}
		}
	case *types.Array:
		return u.Len() > 0 && isPointerLike(u.Elem())
	}
	return false
}
