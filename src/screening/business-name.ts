/**
 * Business-name normalisation for name-keyed blocklist matching (FCC notices name companies, not FRNs). PURE.
 */

const SUFFIXES = new Set([
  'llc', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'lp', 'llp',
  'plc', 'pvt', 'private', 'sa', 'gmbh', 'pllc', 'pc',
]);

/** Joins runs of single letters ("s a" from "S.A.", "l l c") into one word, so dotted legal forms match. */
function joinInitials(words: string[], w: string, i: number, all: readonly string[]): string[] {
  const prev = all[i - 1];
  if (w.length === 1 && /[a-z]/.test(w) && prev !== undefined && prev.length === 1 && /[a-z]/.test(prev)) {
    words[words.length - 1] += w;
  } else {
    words.push(w);
  }
  return words;
}

/**
 * Lower-cases, folds accents, turns `&` into `and`, drops punctuation and legal-form suffixes
 * (`LLC`, `Inc.`, `Ltd`, `Private Limited` …) so "Call Pipe, LLC" and "CALL PIPE llc." compare equal.
 * Returns '' for names that are only punctuation or suffixes.
 */
export function normaliseBusinessName(name: string): string {
  const hit = MEMO.get(name);
  if (hit !== undefined) return hit;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound only limits the memo's memory; clearing earlier, later or always gives the same names
  if (MEMO.size >= MEMO_MAX) MEMO.clear();
  const normalised = normalise(name);
  MEMO.set(name, normalised);
  return normalised;
}

/**
 * Memo of the pure normalisation: every world compile (each RMD refresh, each reload) normalises the same provider
 * and filing names again, and the regex work dominated compile time.
 */
const MEMO = new Map<string, string>();
const MEMO_MAX = 200_000;

function normalise(name: string): string {
  const folded = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/&/g, ' and ');
  // Words are the runs of letters and digits; punctuation and spacing between them ("L.L.C.", "Co., Ltd") fall away.
  const words = (folded.match(/[a-z0-9]+/g) ?? []).reduce<string[]>(joinInitials, []);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, popping the last word when it is a suffix leaves '' as the next line returns
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1]!)) words.pop();
  if (words.length === 1 && SUFFIXES.has(words[0]!)) return '';
  return words.join(' ');
}
