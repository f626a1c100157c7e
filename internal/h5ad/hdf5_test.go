package h5ad

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The expected bytes are the datatype messages libhdf5 wrote for h5py and
// AnnData in reference files.
func TestDatatypeEncodingMatchesLibhdf5(t *testing.T) {
	tests := []struct {
		name string
		typ  dtype
		want string
	}{
		{"float32 is a little-endian IEEE single", float32Type, "11 20 1f 00 04 00 00 00 00 00 20 00 17 08 00 17 7f 00 00 00"},
		{"float64 is a little-endian IEEE double", float64Type, "11 20 3f 00 08 00 00 00 00 00 40 00 34 0b 00 34 ff 03 00 00"},
		{"int8 is a signed one-byte integer", int8Type, "10 08 00 00 01 00 00 00 00 00 08 00"},
		{"int16 is a signed two-byte integer", int16Type, "10 08 00 00 02 00 00 00 00 00 10 00"},
		{"int64 is a signed eight-byte integer", int64Type, "10 08 00 00 08 00 00 00 00 00 40 00"},
		{"a string is variable-length UTF-8 over unsigned bytes", stringType, "19 01 01 00 10 00 00 00 10 00 00 00 01 00 00 00 00 00 08 00"},
		{"a boolean is h5py's FALSE/TRUE enum over int8", boolType,
			"18 02 00 00 01 00 00 00 10 08 00 00 01 00 00 00 00 00 08 00" +
				"46 41 4c 53 45 00 00 00 54 52 55 45 00 00 00 00 00 01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.typ.encode(), unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("encode = % x\nwant     % x", got, want)
			}
		})
	}
}

func TestStructureEncoding(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"a scalar dataspace has rank zero", encodeDataspace(nil), "01 00 00 00 00 00 00 00"},
		{"a matrix dataspace lists both dimensions",
			encodeDataspace([]uint64{300, 50}),
			"01 02 00 00 00 00 00 00 2c 01 00 00 00 00 00 00 32 00 00 00 00 00 00 00"},
		{"a contiguous layout holds address and size",
			encodeContiguousLayout(0x1000, 48),
			"03 01 00 10 00 00 00 00 00 00 30 00 00 00 00 00 00 00"},
		{"an attribute pads name, type and space to eight bytes",
			encodeAttribute("ab", int8Type, nil, []byte{7}),
			"01 00 03 00 0c 00 08 00 61 62 00 00 00 00 00 00" +
				"10 08 00 00 01 00 00 00 00 00 08 00 00 00 00 00" +
				"01 00 00 00 00 00 00 00 07"},
		{"an object header counts messages and pads their bodies",
			encodeObjectHeader([]message{{typ: msgFillValue, flags: messageConstant, body: []byte{2, 2, 2}}}),
			"01 00 01 00 01 00 00 00 10 00 00 00 00 00 00 00" +
				"05 00 08 00 01 00 00 00 02 02 02 00 00 00 00 00"},
		{"a local heap header has an empty free list",
			encodeLocalHeapHeader(24, 0x200),
			"48 45 41 50 00 00 00 00 18 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 02 00 00 00 00 00 00"},
		{"a small global heap is padded to 4096 bytes with free space",
			encodeGlobalHeap(globalHeapMinSize, []string{"abc"})[:56],
			"47 43 4f 4c 01 00 00 00 00 10 00 00 00 00 00 00" +
				"01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 61 62 63 00 00 00 00 00" +
				"00 00 00 00 00 00 00 00 d8 0f 00 00 00 00 00 00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := unhex(t, tt.want); !bytes.Equal(tt.got, want) {
				t.Errorf("got  % x\nwant % x", tt.got, want)
			}
		})
	}
}

func TestFixedSizeStructuresHaveLibhdf5Sizes(t *testing.T) {
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"the superblock with its root entry is 96 bytes", len(encodeSuperblock(1, 2, 3, 4)), superblockSize},
		{"a symbol-table node holds eight 40-byte entries", len(encodeSymbolNode([]symbol{{8, 96}})), 328},
		{"a group B-tree node holds 32 children and 33 keys", len((&btreeNode{keys: []uint64{0}}).encode()), 544},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("size = %d, want %d", tt.got, tt.want)
			}
		})
	}
}

func TestBTreeGrowsLevelsAsNeeded(t *testing.T) {
	tests := []struct {
		name       string
		children   int
		wantNodes  int
		wantLevels int
	}{
		{"an empty group has one empty leaf", 0, 1, 1},
		{"one symbol node fits a leaf", 1, 1, 1},
		{"32 symbol nodes still fit one leaf", 32, 1, 1},
		{"33 symbol nodes need a second level", 33, 3, 2},
		{"1100 symbol nodes need a third level", 1100, 38, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := make([]btreeEntry, tt.children)
			for i := range entries {
				entries[i] = btreeEntry{child: uint64(1_000_000 + i), maxKey: uint64(8 * (i + 1))}
			}
			l := &layout{}
			rootAddr := l.planBTree(entries)
			if len(l.blocks) != tt.wantNodes {
				t.Fatalf("%d nodes, want %d", len(l.blocks), tt.wantNodes)
			}
			nodes := map[uint64][]byte{}
			for _, b := range l.blocks {
				nodes[b.addr] = b.encode()
			}
			root := nodes[rootAddr]
			if string(root[:4]) != "TREE" || int(root[5]) != tt.wantLevels-1 {
				t.Fatalf("root node % x is not a level %d group node", root[:8], tt.wantLevels-1)
			}
			// Walk down the tree: the leaves must list every child once, in
			// order, each with its right key.
			var walk func(addr uint64, lo, hi uint64) []uint64
			walk = func(addr uint64, lo, hi uint64) []uint64 {
				n := nodes[addr]
				used := int(le.Uint16(n[6:]))
				keyAt := func(i int) uint64 { return le.Uint64(n[24+16*i:]) }
				if keyAt(0) != lo || keyAt(used) != hi {
					t.Errorf("node %d keys [%d, %d], want [%d, %d]", addr, keyAt(0), keyAt(used), lo, hi)
				}
				var out []uint64
				for i := range used {
					child := le.Uint64(n[32+16*i:])
					if n[5] == 0 {
						out = append(out, child)
						continue
					}
					out = append(out, walk(child, keyAt(i), keyAt(i+1))...)
				}
				return out
			}
			hi := uint64(0)
			if tt.children > 0 {
				hi = entries[tt.children-1].maxKey
			}
			leaves := walk(rootAddr, 0, hi)
			if len(leaves) != tt.children {
				t.Fatalf("tree holds %d children, want %d", len(leaves), tt.children)
			}
			for i, c := range leaves {
				if c != entries[i].child {
					t.Fatalf("child %d is %d, want %d", i, c, entries[i].child)
				}
			}
		})
	}
}
