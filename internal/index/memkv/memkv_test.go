package memkv

import (
	"errors"
	"fmt"
	"testing"
)

var errAbsent = errors.New("absent")

func TestMapCommitsThroughAClone(t *testing.T) {
	m := New(errAbsent)
	next := m.Clone()
	for _, k := range []string{"b", "a", "c", "d"} {
		_ = next.Set([]byte(k), []byte("v"+k))
	}
	_ = next.Delete([]byte("d"))
	if _, err := m.Get(t.Context(), []byte("a")); !errors.Is(err, errAbsent) {
		t.Fatalf("a write to the clone is visible before Replace (err %v)", err)
	}
	m.Replace(next)
	var got []string
	err := m.Scan(t.Context(), []byte("a"), []byte("c"), func(k, v []byte) error {
		got = append(got, fmt.Sprintf("%s=%s", k, v))
		return nil
	})
	if err != nil || fmt.Sprint(got) != "[a=va b=vb]" {
		t.Fatalf("Scan [a, c) = %v, %v; want a and b in order", got, err)
	}
	again := m.Clone()
	_ = again.DeleteRange([]byte("a"), []byte("c"))
	m.Replace(again)
	if _, err := m.Get(t.Context(), []byte("b")); !errors.Is(err, errAbsent) {
		t.Fatalf("b after DeleteRange [a, c): %v", err)
	}
	if v, err := m.Get(t.Context(), []byte("c")); err != nil || string(v) != "vc" {
		t.Fatalf("c = %q, %v", v, err)
	}
}
