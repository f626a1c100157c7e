package hdf5

import (
	"bytes"
	"fmt"
)

// Attribute is an attribute message: its name and, still encoded, its
// datatype, dataspace and data.
type Attribute struct {
	Name string
	// Shared reports a shared datatype or dataspace, which Value does not
	// decode.
	Shared bool

	rawType, rawSpace, data []byte
}

// ParseAttribute splits an attribute message body into its name, datatype,
// dataspace and data.
func (f *File) ParseAttribute(b []byte) (*Attribute, error) {
	d := f.decoder(b)
	version := d.u8()
	flags := d.u8()
	nameSize, typeSize, spaceSize := int(d.u16()), int(d.u16()), int(d.u16())
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 attribute: %w", d.err)
	}
	padded := func(n int) int { return n }
	switch version {
	case 1:
		padded = func(n int) int { return (n + 7) &^ 7 }
	case 2:
	case 3:
		d.skip(1) // name character set
	default:
		return nil, Unsupported("HDF5 attribute message version %d", version)
	}
	name := d.take(padded(nameSize))
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	a := &Attribute{Name: string(name), Shared: version > 1 && flags&0x03 != 0}
	a.rawType = d.take(padded(typeSize))
	a.rawSpace = d.take(padded(spaceSize))
	if d.err != nil {
		return nil, fmt.Errorf("malformed HDF5 attribute: %w", d.err)
	}
	a.data = d.rest()
	return a, nil
}

// Value decodes the datatype, dataspace and data of attribute a; data
// holds exactly the elements of the dataspace.
func (f *File) Value(a *Attribute) (t *Datatype, s Dataspace, data []byte, err error) {
	if a.Shared {
		return nil, s, nil, Unsupported("an attribute with a shared datatype or dataspace")
	}
	if t, err = f.ParseDatatype(a.rawType); err != nil {
		return nil, s, nil, fmt.Errorf("attribute %s: %w", a.Name, err)
	}
	if s, err = f.ParseDataspace(a.rawSpace); err != nil {
		return nil, s, nil, fmt.Errorf("attribute %s: %w", a.Name, err)
	}
	count, ok := s.Count()
	if !ok || count > uint64(len(a.data))/t.Size {
		return nil, s, nil, fmt.Errorf("malformed HDF5 attribute %s: fewer bytes than its shape needs", a.Name)
	}
	return t, s, a.data[:count*t.Size], nil
}

// Attribute returns the attribute called name of o, from the object header
// or from dense attribute storage; ok is false when there is none. Shared
// attribute messages are skipped.
func (f *File) Attribute(o *Object, name string) (a *Attribute, ok bool, err error) {
	err = f.Attributes(o, func(attr *Attribute) (bool, error) {
		if attr.Name == name {
			a, ok = attr, true
		}
		return ok, nil
	})
	if err != nil {
		return nil, false, err
	}
	return a, ok, nil
}

// Attributes calls visit with each attribute of o, from the object header
// or from dense attribute storage, until visit returns true. Shared
// attribute messages are skipped.
func (f *File) Attributes(o *Object, visit func(*Attribute) (bool, error)) error {
	for _, m := range o.Messages {
		var stop bool
		var err error
		switch m.Type {
		case MsgAttribute:
			if m.Shared() {
				continue
			}
			var a *Attribute
			if a, err = f.ParseAttribute(m.Data); err == nil {
				stop, err = visit(a)
			}
		case MsgAttributeInfo:
			var heap, nameIndex uint64
			if heap, nameIndex, err = f.AttributeInfo(m); err != nil || heap == Undefined {
				break
			}
			err = f.denseObjects(heap, nameIndex, func(obj []byte) (bool, error) {
				a, err := f.ParseAttribute(obj)
				if err != nil {
					return false, err
				}
				stop, err = visit(a)
				return stop, err
			})
		}
		if stop || err != nil {
			return err
		}
	}
	return nil
}

// AttributeInfo decodes an attribute info message: the addresses of the
// fractal heap and name index of dense attribute storage, heap being
// Undefined when the attributes are in the object header.
func (f *File) AttributeInfo(m Message) (heap, nameIndex uint64, err error) {
	d := f.decoder(m.Data)
	d.skip(1) // version
	if flags := d.u8(); flags&0x01 != 0 {
		d.skip(2) // maximum creation index
	}
	heap, nameIndex = d.addr(), d.addr()
	if d.err != nil {
		return 0, 0, fmt.Errorf("malformed HDF5 attribute info message: %w", d.err)
	}
	return heap, nameIndex, nil
}
