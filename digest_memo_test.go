package talkfeed

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// sameContent agrees with ContentDigest on a change of every field, one
// leaf at a time: a field digested but not compared would let the memo
// hand out a stale digest.
func TestSameContentAgreesWithTheDigest(t *testing.T) {
	base := Event{ID: "a", Title: "A", Start: time.Date(2027, 1, 2, 18, 0, 0, 0, time.UTC), Tags: []string{"x"},
		Speakers: []Speaker{{Name: "Ada"}}, PageURL: "https://t.example/a/"}
	var va, vb digestValues
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		leaves := []int{-1}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
			leaves = nil
			for j := range f.Type.NumField() {
				leaves = append(leaves, j)
			}
		}
		for _, j := range leaves {
			c := base
			c.Tags, c.Speakers = slices.Clone(base.Tags), slices.Clone(base.Speakers)
			fv := reflect.ValueOf(&c).Elem().Field(i)
			label := f.Name
			if j >= 0 {
				fv, label = fv.Field(j), label+"."+f.Type.Field(j).Name
			}
			switch fv.Kind() {
			case reflect.String:
				fv.SetString(fv.String() + "!")
			case reflect.Bool:
				fv.SetBool(!fv.Bool())
			case reflect.Int:
				fv.SetInt(fv.Int() + 1)
			case reflect.Slice:
				fv.Set(reflect.Append(fv, reflect.New(fv.Type().Elem()).Elem()))
			case reflect.Struct: // a time
				fv.Set(reflect.ValueOf(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
			default:
				t.Fatalf("%s: no way to change a %s", label, fv.Kind())
			}
			digestMoved := ContentDigest(&c) != ContentDigest(&base)
			if same := sameContent(&base, &c, &va, &vb); same == digestMoved {
				t.Errorf("%s: sameContent %v, but the digest moved: %v", label, same, digestMoved)
			}
		}
	}
	c := base
	c.Speakers = []Speaker{{Name: "Ada", Affiliation: "Engines"}}
	if sameContent(&base, &c, &va, &vb) {
		t.Error("a speaker's affiliation is not compared")
	}
	c.Start = base.Start.In(time.FixedZone("X", 3600))
	c.Speakers = base.Speakers
	if !sameContent(&base, &c, &va, &vb) || ContentDigest(&c) != ContentDigest(&base) {
		t.Error("one instant in another zone is other content")
	}
}

// The memo gives the digest ContentDigest gives, through edits, a tag
// changed in place (the memo keeps its own slices), removals and returns.
func TestDigestMemo(t *testing.T) {
	evs := make([]Event, 600)
	for i := range evs {
		evs[i] = Event{ID: fmt.Sprint(i), Title: fmt.Sprint("T", i), Tags: []string{"a", "b"}, Speakers: []Speaker{{Name: "S"}}}
	}
	m := &digestMemo{}
	check := func(what string) {
		t.Helper()
		got := m.digests(evs)
		for i := range evs {
			if want := ContentDigest(&evs[i]); got[i] != want {
				t.Fatalf("%s: talk %d has a stale digest", what, i)
			}
		}
	}
	check("first")
	check("unchanged")
	evs[3].Title = "edited"
	check("a title")
	evs[4].Tags[1] = "c"
	check("a tag in place")
	evs[5].Speakers[0].Name = "Other"
	check("a speaker in place")
	gone := evs[7]
	evs = slices.Delete(evs, 7, 8)
	check("a removal")
	gone.Title = "back, edited"
	evs = append(evs, gone)
	check("a return")
}
