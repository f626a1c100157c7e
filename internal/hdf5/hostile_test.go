package hdf5_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/lamin-go/lamin/internal/hdf5"
)

var le = binary.LittleEndian

// image builds a file with 8-byte addresses and lengths: a version 2
// superblock whose root object header is at 48, and structures placed at
// chosen addresses.
type image struct{ b []byte }

func newImage() *image {
	b := append([]byte(hdf5.Signature), 2, 8, 8, 0)
	b = le.AppendUint64(b, 0)              // base address
	b = le.AppendUint64(b, hdf5.Undefined) // superblock extension
	b = le.AppendUint64(b, 0)              // end of file, set by bytes
	b = le.AppendUint64(b, 48)             // root object header
	b = le.AppendUint32(b, 0)              // checksum (not verified)
	return &image{b: b}
}

// put writes p at addr, growing the image as needed.
func (m *image) put(addr int, p []byte) {
	if n := addr + len(p); n > len(m.b) {
		m.b = append(m.b, make([]byte, n-len(m.b))...)
	}
	copy(m.b[addr:], p)
}

func (m *image) bytes() []byte {
	le.PutUint64(m.b[28:], uint64(len(m.b)))
	return m.b
}

// v1Header returns a version 1 object header holding msgs, each a type
// and a body.
func v1Header(msgs ...[]byte) []byte {
	var body []byte
	for _, m := range msgs {
		body = append(body, m...)
	}
	h := []byte{1, 0}
	h = le.AppendUint16(h, uint16(len(msgs)))
	h = le.AppendUint32(h, 1)
	h = le.AppendUint32(h, uint32(len(body)))
	h = le.AppendUint32(h, 0) // alignment
	return append(h, body...)
}

// v1Message returns a version 1 object header message.
func v1Message(typ uint16, body []byte) []byte {
	m := le.AppendUint16(nil, typ)
	m = le.AppendUint16(m, uint16(len(body)))
	m = append(m, 0, 0, 0, 0)
	return append(m, body...)
}

func addrs(v ...uint64) []byte {
	var b []byte
	for _, x := range v {
		b = le.AppendUint64(b, x)
	}
	return b
}

func TestHostileStructures(t *testing.T) {
	t.Run("an object header continuation that loops fails", func(t *testing.T) {
		m := newImage()
		// The header's only block (at 64, 24 bytes) continues at itself.
		m.put(48, v1Header(v1Message(hdf5.MsgContinuation, addrs(64, 24))))
		f := open(t, m.bytes())
		if _, err := f.Object(48); err == nil || !strings.Contains(err.Error(), "loop") {
			t.Errorf("Object() error = %v, want a loop", err)
		}
	})

	t.Run("a group B-tree reaching a symbol table node twice fails", func(t *testing.T) {
		m := newImage()
		m.put(48, v1Header(v1Message(hdf5.MsgSymbolTable, addrs(200, 400))))
		// B-tree leaf at 200 with two children, both the node at 300.
		tree := append([]byte("TREE"), 0, 0, 2, 0)
		tree = append(tree, addrs(hdf5.Undefined, hdf5.Undefined, 0, 300, 0, 300, 0)...)
		m.put(200, tree)
		// Symbol table node at 300 with one entry named "a" (heap offset 0).
		snod := append([]byte("SNOD"), 1, 0, 1, 0)
		snod = append(snod, addrs(0, 48)...)
		snod = append(snod, make([]byte, 24)...)
		m.put(300, snod)
		// Local heap at 400, its data ("a\0") at 440.
		heap := append([]byte("HEAP"), 0, 0, 0, 0)
		heap = append(heap, addrs(8, hdf5.Undefined, 440)...)
		m.put(400, heap)
		m.put(440, []byte("a\x00\x00\x00\x00\x00\x00\x00"))
		f := open(t, m.bytes())
		root, err := f.Object(48)
		if err != nil {
			t.Fatal(err)
		}
		if l, err := f.Lookup(root, "a"); err != nil || l.Addr != 48 {
			t.Errorf("Lookup(a) = %v, %v; want the first entry", l, err)
		}
		err = f.Links(root, func(hdf5.Link) (bool, error) { return false, nil })
		if err == nil || !strings.Contains(err.Error(), "reached twice") {
			t.Errorf("Links() error = %v, want a node reached twice", err)
		}
	})

	t.Run("dense attribute records too short for their flags fail", func(t *testing.T) {
		data := loadFixture(t, "latest_dense_attrs")
		// Shrink every attribute name index's records to the heap ID
		// length, leaving no room for the flags byte after the ID.
		heap := bytes.Index(data, []byte("FRHP"))
		idLen := le.Uint16(data[heap+5:])
		n := 0
		for i := 0; ; i++ {
			j := bytes.Index(data[i:], []byte("BTHD"))
			if j < 0 {
				break
			}
			i += j
			if data[i+5] == 8 { // attribute name records
				le.PutUint16(data[i+10:], idLen)
				n++
			}
		}
		if n == 0 {
			t.Fatal("no attribute name index in the fixture")
		}
		w := walk(open(t, data))
		if err := w.errs["/obs"]; err == nil || !strings.Contains(err.Error(), "v2 B-tree records") {
			t.Errorf("walking obs: %v, want malformed B-tree records", err)
		}
	})
}
