package talkfeed

// SameContent is sameContent, for the digest's field-by-field test.
func SameContent(a, b *Event) bool {
	var va, vb digestValues
	return sameContent(a, b, &va, &vb)
}
