package policy

import "unicode"

// VisibleLength counts the characters of s that a reader sees: format and
// control characters (zero-width spaces and joiners, bidi marks, soft
// hyphens), other default-ignorable code points (fillers, variation
// selectors) and combining marks add nothing, and a run of white space counts
// once, and not at all at either end. Twenty U+200B are no reason, and
// neither are two words padded apart. The provider and the gate both count
// reasons this way, so they always agree.
func VisibleLength(s string) int {
	n, space := 0, false
	for _, r := range s {
		switch {
		case invisible(r):
		case unicode.IsSpace(r):
			space = n > 0
		default:
			if space {
				n++ // the white space before this character
			}
			n, space = n+1, false
		}
	}
	return n
}

// invisible reports whether r takes no room of its own.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Cc, unicode.Mn, unicode.Me,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) && !unicode.IsSpace(r)
}
