/**
 * Characters that draw nothing or reorder what follows: zero-width and other format characters (`\p{Cf}`: soft
 * hyphen, U+200B–U+200F, word joiner and invisible operators U+2060–U+2064, U+FEFF, U+180E, the tag characters
 * U+E0000–U+E007F, …), the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+061C,
 * all `\p{Cf}` too), and the blank letters and joiners outside that class (combining grapheme joiner U+034F, Hangul
 * fillers, Mongolian variation selectors). In a finding's title, resource name or tags they can make
 * `sg-prod‮lanretni` read as another name, or hide text between words. Emoji variation selectors (U+FE0E/U+FE0F)
 * are not here: they only pick a glyph style.
 */
// The combining marks (U+034F, U+180B–U+180D, U+180F) are alternatives of their own: in a class they would read as
// combined with the character before them.
const INVISIBLE = /[\p{Cf}\u115f\u1160\u3164\uffa0]|\u034f|\u180b|\u180c|\u180d|\u180f/gu;

/** `U+202E`, four hex digits at least. */
function codePointLabel(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Each invisible or direction-changing character replaced by a visible marker such as `⟨U+202E⟩`, so a reader sees
 * that something was there and where. Idempotent: the marker itself is plain visible text.
 */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (character) => `⟨${codePointLabel(character)}⟩`);
}

/** Whether `text` holds any character `revealInvisible` would replace. */
export function hasInvisible(text: string): boolean {
  return new RegExp(INVISIBLE.source, 'u').test(text);
}
