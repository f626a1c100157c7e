package hdf5

import (
	"errors"
	"fmt"
)

// Object header message types.
const (
	MsgNil            = 0x0000
	MsgDataspace      = 0x0001
	MsgLinkInfo       = 0x0002
	MsgDatatype       = 0x0003
	MsgFillValueOld   = 0x0004
	MsgFillValue      = 0x0005
	MsgLink           = 0x0006
	MsgExternalFiles  = 0x0007
	MsgLayout         = 0x0008
	MsgFilterPipeline = 0x000B
	MsgAttribute      = 0x000C
	MsgContinuation   = 0x0010
	MsgSymbolTable    = 0x0011
	MsgAttributeInfo  = 0x0015
)

// MsgFlagShared is the message flag of a message stored elsewhere and
// shared between objects.
const MsgFlagShared = 0x02

// maxContinuations caps the blocks of one object header.
const maxContinuations = 1 << 10

// Message is one object header message.
type Message struct {
	Type  uint16
	Flags uint8
	Data  []byte
}

// Shared reports whether m is a shared message, whose Data refers to the
// message stored elsewhere.
func (m Message) Shared() bool { return m.Flags&MsgFlagShared != 0 }

// Object is an object header: the messages describing a group or dataset.
type Object struct {
	Addr uint64
	// Version is the object header version, 1 or 2.
	Version int
	// Messages are the header's messages in order, without NIL and
	// continuation messages.
	Messages []Message
}

// Object reads the object header at addr, following continuation blocks.
func (f *File) Object(addr uint64) (*Object, error) {
	prefix, err := f.readUpTo(addr, 64)
	if err != nil {
		return nil, err
	}
	type block struct{ addr, size uint64 }
	var pending []block
	o := &Object{Addr: addr}
	var attrsOrdered bool

	d := f.decoder(prefix)
	if hasPrefix(prefix, "OHDR") {
		o.Version = 2
		d.skip(4)
		if v := d.u8(); v != 2 {
			return nil, Unsupported("HDF5 object header version %d", v)
		}
		flags := d.u8()
		attrsOrdered = flags&0x04 != 0
		if flags&0x20 != 0 {
			d.skip(16) // access, modification, change and birth times
		}
		if flags&0x10 != 0 {
			d.skip(4) // attribute phase change values
		}
		size := d.uint(1 << (flags & 0x03))
		if d.err != nil {
			return nil, fmt.Errorf("malformed HDF5 object header at address %d: %w", addr, d.err)
		}
		pending = append(pending, block{addr + uint64(d.off), size})
	} else {
		o.Version = 1
		if v := d.u8(); v != 1 {
			return nil, fmt.Errorf("no HDF5 object header at address %d (version byte %d)", addr, v)
		}
		d.skip(1 + 2 + 4) // reserved, message count, reference count
		size := uint64(d.u32())
		d.skip(4) // alignment
		if d.err != nil {
			return nil, fmt.Errorf("malformed HDF5 object header at address %d: %w", addr, d.err)
		}
		pending = append(pending, block{addr + 16, size})
	}

	seen := map[uint64]bool{}
	for i := 0; i < len(pending); i++ {
		blk := pending[i]
		if i > maxContinuations || seen[blk.addr] {
			return nil, fmt.Errorf("malformed HDF5 object header at address %d: continuations loop or are too many", addr)
		}
		seen[blk.addr] = true
		buf, err := f.read(blk.addr, blk.size)
		if err != nil {
			return nil, err
		}
		if o.Version == 2 && i > 0 {
			// A continuation block: "OCHK", messages, checksum.
			if len(buf) < 8 || !hasPrefix(buf, "OCHK") {
				return nil, errors.New("malformed HDF5 object header continuation block")
			}
			buf = buf[4 : len(buf)-4]
		}
		d := f.decoder(buf)
		for {
			var typ uint16
			var flags uint8
			var size int
			if o.Version == 2 {
				hdr := 4
				if attrsOrdered {
					hdr = 6
				}
				if d.remaining() < hdr {
					break // gap before the checksum
				}
				typ = uint16(d.u8())
				size = int(d.u16())
				flags = d.u8()
				if attrsOrdered {
					d.skip(2) // creation order
				}
			} else {
				if d.remaining() < 8 {
					break
				}
				typ = d.u16()
				size = int(d.u16())
				flags = d.u8()
				d.skip(3) // reserved
			}
			data := d.take(size)
			if d.err != nil {
				return nil, fmt.Errorf("malformed HDF5 object header at address %d: message of %d bytes overruns its block", addr, size)
			}
			switch typ {
			case MsgNil:
			case MsgContinuation:
				cd := f.decoder(data)
				next := block{cd.addr(), cd.length()}
				if cd.err != nil {
					return nil, fmt.Errorf("malformed HDF5 object header continuation: %w", cd.err)
				}
				pending = append(pending, next)
			default:
				o.Messages = append(o.Messages, Message{Type: typ, Flags: flags, Data: data})
			}
		}
	}
	return o, nil
}
