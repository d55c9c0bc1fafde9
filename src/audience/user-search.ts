/**
 * What the marketer typed in the users search, as a filter: digits find PSIDs
 * that start with them; words find users whose first or last name contains each
 * word, ignoring case and accents ("lea" finds Léa), as typed names seldom carry them.
 */
import type { UserFilter } from './users.repository';

const ACCENTED: Record<string, string> = {
  a: 'aàáâãäåā',
  c: 'cçć',
  e: 'eèéêëē',
  i: 'iìíîïī',
  n: 'nñń',
  o: 'oòóôõöøō',
  s: 'sśš',
  u: 'uùúûüū',
  y: 'yýÿ',
  z: 'zźżž',
};

export function userSearchFilter(text: string): UserFilter | undefined {
  const typed = text.trim();
  if (!typed) return undefined;
  // Digits and ':' sort before ';': the range holds exactly the PSIDs starting with `typed`.
  if (/^\d+$/.test(typed)) return { psid: { $gte: typed, $lt: `${typed};` } };
  const words = typed.split(/\s+/).map((word) => ({
    $or: ['firstName', 'lastName'].map((field) => ({
      [field]: { $regex: accentInsensitive(word), $options: 'i' },
    })),
  }));
  return words.length === 1 ? words[0] : { $and: words };
}

/** A regular expression matching `word` literally, each letter with or without its accents. */
export function accentInsensitive(word: string): string {
  return [...word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()]
    .map((char) =>
      ACCENTED[char] ? `[${ACCENTED[char]}]` : char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
}
